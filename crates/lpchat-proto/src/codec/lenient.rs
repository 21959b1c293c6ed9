//! Serde helpers for the scalar and list quirks of spec §3.1, in one place.
//!
//! - any list may arrive absent, as one bare object or scalar, or as an array (rule 6);
//! - numbers and booleans may arrive as strings, and ids as numbers (rule 9);
//! - an empty element arrives as `""` (rule 7).
//!
//! Each helper asks for `deserialize_any`, so it reads serde_json and the XML tree alike.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, Visitor};

/// A list that may be absent (use with `#[serde(default)]`), a bare item, or an array.
/// An empty string (an empty element) is an empty list.
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(ListVisitor(PhantomData))
}

struct ListVisitor<T>(PhantomData<T>);

impl<T> ListVisitor<T> {
    fn one<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error>
    where
        T: Deserialize<'de>,
    {
        T::deserialize(d).map(|item| vec![item])
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list, a single item, or nothing")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(out)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Self::one(MapAccessDeserializer::new(map))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            return Ok(Vec::new());
        }
        Self::one(v.into_deserializer()).map_err(|e: de::value::Error| E::custom(e))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            return Ok(Vec::new());
        }
        Self::one(de::value::BorrowedStrDeserializer::new(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.visit_str(&v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::one(v.into_deserializer())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::one(v.into_deserializer())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::one(v.into_deserializer())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::one(v.into_deserializer())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An integer given as a number or as a numeric string (surrounding blanks allowed).
pub fn int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(IntVisitor)
}

/// An optional integer; `null` and `""` read as `None`.
pub fn opt_int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    deserializer.deserialize_any(OptVisitor(IntVisitor))
}

/// An optional duration in milliseconds, given as a number or a numeric string (as every
/// number of these APIs may be); `null` and `""` read as `None`, and so does a value that is
/// not positive (no lifetime at all is no usable lifetime: callers fall back to their
/// default).
pub fn opt_millis<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<std::time::Duration>, D::Error> {
    let ms = opt_int(deserializer)?;
    Ok(ms
        .and_then(|ms| u64::try_from(ms).ok())
        .filter(|ms| *ms > 0)
        .map(std::time::Duration::from_millis))
}

/// Writes an optional duration as its whole number of milliseconds.
pub fn write_opt_millis<S: serde::Serializer>(
    value: &Option<std::time::Duration>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(d) => s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        None => s.serialize_none(),
    }
}

/// A boolean given as `true`/`false`, as the strings `"true"`/`"false"`, or as `1`/`0`.
pub fn boolean<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    deserializer.deserialize_any(BoolVisitor)
}

/// An optional boolean; `null` and `""` read as `None`.
pub fn opt_boolean<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    deserializer.deserialize_any(OptVisitor(BoolVisitor))
}

/// A string that may arrive as a number or a boolean (ids, codes): kept as written.
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(StringVisitor)
}

/// An optional string that may arrive as a number or a boolean; `null` reads as `None`,
/// `""` as `Some("")`.
pub fn opt_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Option::<Text>::deserialize(deserializer).map(|o| o.map(|t| t.0))
}

/// A string read leniently; used where a field's type is a plain `String`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text(pub(crate) String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        string(d).map(Text)
    }
}

/// Visitors that can say what they read from a string, so [`OptVisitor`] can wrap them.
pub(crate) trait ScalarVisitor<'de>: Visitor<'de> + Copy {
    /// Reads the value from text.
    fn read_text<E: de::Error>(self, text: &str) -> Result<Self::Value, E>;
}

#[derive(Clone, Copy)]
pub(crate) struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a numeric string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // Some servers print integral values as `4.0`; anything fractional is a type error.
        if v.fract() == 0.0 && v >= i64::MIN as f64 && v <= i64::MAX as f64 {
            Ok(v as i64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        self.read_text(v)
    }
}

impl<'de> ScalarVisitor<'de> for IntVisitor {
    fn read_text<E: de::Error>(self, text: &str) -> Result<i64, E> {
        let t = text.trim();
        t.parse::<i64>()
            .or_else(|_| {
                t.parse::<f64>()
                    .map_err(|_| ())
                    .and_then(|f| self.visit_f64::<E>(f).map_err(|_| ()))
            })
            .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
    }
}

#[derive(Clone, Copy)]
pub(crate) struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.read_text(v)
    }
}

impl<'de> ScalarVisitor<'de> for BoolVisitor {
    fn read_text<E: de::Error>(self, text: &str) -> Result<bool, E> {
        match text.trim() {
            t if t.eq_ignore_ascii_case("true") || t == "1" => Ok(true),
            t if t.eq_ignore_ascii_case("false") || t == "0" => Ok(false),
            _ => Err(E::invalid_value(de::Unexpected::Str(text), &self)),
        }
    }
}

struct StringVisitor;

impl<'de> Visitor<'de> for StringVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// Wraps a scalar visitor so that `null` and blank text read as `None`.
#[derive(Clone, Copy)]
pub(crate) struct OptVisitor<V>(pub(crate) V);

impl<'de, V: ScalarVisitor<'de>> Visitor<'de> for OptVisitor<V> {
    type Value = Option<V::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)?;
        f.write_str(" or nothing")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            self.0.read_text(v).map(Some)
        }
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.0.visit_bool(v).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0.visit_i64(v).map(Some)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.0.visit_u64(v).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.visit_f64(v).map(Some)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map).map(Some)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _seq: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::invalid_type(de::Unexpected::Seq, &self))
    }
}

/// A list wrapped in a container element: `"skills":{"skill":[…]}` /
/// `<skills><skill>…</skill></skills>`, read with [`list`] semantics for the items. The
/// container may be absent (use `#[serde(default)]`), empty (`""`, `<skills/>`) or `null`.
pub fn wrapped<'de, D, T>(deserializer: D, item: &'static str) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(WrappedVisitor {
        item,
        marker: PhantomData,
    })
}

/// Writes `items` as `{item: [...]}` (the inverse of [`wrapped`]).
pub fn serialize_wrapped<S, T>(
    items: &[T],
    item: &'static str,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    T: serde::Serialize,
{
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(item, items)?;
    map.end()
}

struct WrappedVisitor<T> {
    item: &'static str,
    marker: PhantomData<T>,
}

struct ListSeed<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> de::DeserializeSeed<'de> for ListSeed<T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        list(d)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for WrappedVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a container of `{}` items", self.item)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.item || key.strip_prefix('@') == Some(self.item) {
                out.extend(map.next_value_seed(ListSeed::<T>(PhantomData))?);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(out)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
        if v.trim().is_empty() {
            Ok(Vec::new())
        } else {
            Err(E::invalid_type(de::Unexpected::Str(v), &self))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(self)
    }
}

/// Declares a module usable as `#[serde(with = "name")]` for a `Vec<T>` wrapped in a
/// container whose items are called `item` (see [`wrapped`]). Pair it with
/// `default` and `skip_serializing_if = "Vec::is_empty"`.
#[macro_export]
#[doc(hidden)]
macro_rules! wrapped_list {
    ($vis:vis mod $name:ident = $item:literal) => {
        #[doc = concat!("(De)serializes a list wrapped as `{\"", $item, "\": [...]}`.")]
        $vis mod $name {
            /// Reads the wrapped list.
            pub fn deserialize<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
            where
                D: serde::Deserializer<'de>,
                T: serde::Deserialize<'de>,
            {
                $crate::codec::lenient::wrapped(d, $item)
            }

            /// Writes the wrapped list.
            pub fn serialize<S, T>(items: &[T], s: S) -> Result<S::Ok, S::Error>
            where
                S: serde::Serializer,
                T: serde::Serialize,
            {
                $crate::codec::lenient::serialize_wrapped(items, $item, s)
            }
        }
    };
}

/// A struct that may arrive as an empty element (`""`, `<events/>`) or `null`: read as the
/// struct with no members, so its fields take their defaults.
pub fn struct_or_empty<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(EmptyAsStruct(deserializer))
}

/// An optional struct: absent or `null` is `None`; an empty element is `Some` of the struct
/// with no members.
pub fn opt_struct<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Wrapper<T>(T);
    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Wrapper<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct_or_empty(d).map(Wrapper)
        }
    }
    Option::<Wrapper<T>>::deserialize(deserializer).map(|o| o.map(|w| w.0))
}

/// Forwards everything to the inner deserializer, except that a struct or map may also be
/// read from blank text or `null` (as an empty one).
struct EmptyAsStruct<D>(D);

macro_rules! forward {
    ($($method:ident),*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for EmptyAsStruct<D> {
    type Error = D::Error;

    forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_identifier,
        deserialize_ignored_any
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(StructOrEmpty(visitor))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(StructOrEmpty(visitor))
    }
}

struct StructOrEmpty<V>(V);

impl<V> StructOrEmpty<V> {
    fn empty<'de, E: de::Error>(self) -> Result<V::Value, E>
    where
        V: Visitor<'de>,
    {
        self.0.visit_map(de::value::MapDeserializer::<_, E>::new(
            std::iter::empty::<(&str, &str)>(),
        ))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for StructOrEmpty<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(map)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(seq)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        if v.trim().is_empty() {
            self.empty()
        } else {
            self.0.visit_str(v)
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.empty()
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.empty()
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
        self.0.visit_bool(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<V::Value, E> {
        self.0.visit_i64(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        self.0.visit_u64(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        self.0.visit_f64(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    crate::wrapped_list!(mod skills = "skill");

    #[derive(Debug, Deserialize, serde::Serialize, PartialEq)]
    struct Agent {
        #[serde(default, with = "skills", skip_serializing_if = "Vec::is_empty")]
        skills: Vec<String>,
    }

    #[test]
    fn wrapped_lists_read_every_shape_and_write_the_container() {
        let read = |j: &str| serde_json::from_str::<Agent>(j).unwrap().skills;
        assert_eq!(read(r#"{"skills":{"skill":["2","4"]}}"#), vec!["2", "4"]);
        assert_eq!(read(r#"{"skills":{"skill":"2"}}"#), vec!["2"]);
        assert_eq!(read(r#"{"skills":""}"#), Vec::<String>::new());
        assert_eq!(read(r#"{}"#), Vec::<String>::new());
        let out = serde_json::to_string(&Agent {
            skills: vec!["1".into()],
        })
        .unwrap();
        assert_eq!(out, r#"{"skills":{"skill":["1"]}}"#);
    }

    #[derive(Debug, Deserialize, PartialEq, Default)]
    struct Inner {
        #[serde(default)]
        a: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        #[serde(default, deserialize_with = "opt_struct")]
        inner: Option<Inner>,
    }

    #[test]
    fn structs_may_be_empty_elements() {
        let read = |j: &str| serde_json::from_str::<Outer>(j).unwrap().inner;
        assert_eq!(read(r#"{"inner":""}"#), Some(Inner::default()));
        assert_eq!(
            read(r#"{"inner":{"a":"x"}}"#),
            Some(Inner {
                a: Some("x".into())
            })
        );
        assert_eq!(read(r#"{"inner":null}"#), None);
        assert_eq!(read(r#"{}"#), None);
        assert!(serde_json::from_str::<Outer>(r#"{"inner":"text"}"#).is_err());
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Probe {
        #[serde(default, deserialize_with = "list")]
        items: Vec<String>,
        #[serde(default, deserialize_with = "opt_int")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "opt_boolean")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn lists_accept_every_documented_shape() {
        assert_eq!(probe(r#"{}"#).items, Vec::<String>::new());
        assert_eq!(probe(r#"{"items":"2"}"#).items, vec!["2"]);
        assert_eq!(probe(r#"{"items":["2","4"]}"#).items, vec!["2", "4"]);
        assert_eq!(probe(r#"{"items":""}"#).items, Vec::<String>::new());
        assert_eq!(probe(r#"{"items":null}"#).items, Vec::<String>::new());
    }

    #[test]
    fn numbers_booleans_and_strings_cross_over() {
        assert_eq!(probe(r#"{"n":"-1"}"#).n, Some(-1));
        assert_eq!(probe(r#"{"n":4}"#).n, Some(4));
        assert_eq!(probe(r#"{"n":""}"#).n, None);
        assert_eq!(probe(r#"{"b":"true"}"#).b, Some(true));
        assert_eq!(probe(r#"{"b":false}"#).b, Some(false));
        assert_eq!(
            probe(r#"{"s":1214701440734022}"#).s.as_deref(),
            Some("1214701440734022")
        );
        assert_eq!(probe(r#"{"s":""}"#).s.as_deref(), Some(""));
    }

    #[test]
    fn wrong_types_are_errors_not_guesses() {
        assert!(serde_json::from_str::<Probe>(r#"{"n":"four"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"n":1.5}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"b":"yes"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"n":[1]}"#).is_err());
    }
}
