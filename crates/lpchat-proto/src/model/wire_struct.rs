//! `wire_struct!`: model structs whose fields name their wire key and its usual serde handling
//! in one short clause, instead of a repeated `#[serde(...)]` block.

/// Declares a model struct from a field list in which each wire field says its wire name and
/// its kind after `as`:
///
/// ```ignore
/// wire_struct! {
///     /// Information about a chat.
///     #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
///     #[non_exhaustive]
///     pub struct ChatInfo {
///         /// `self`, `info`, …
///         pub links: Vec<Link> as list("link"),
///         /// The chat's state.
///         pub state: Option<ChatState> as opt("state"),
///         /// The agent's display name.
///         pub agent_name: Option<String> as opt_string("agentName"),
///         /// Read as `@id` (XML attribute) or `id`; written as `@id`.
///         pub id: Option<EventId> as opt("@id" | "id"),
///         /// Anything else stays an ordinary field with its own attributes.
///         #[serde(rename = "ringingCount", default, deserialize_with = "count")]
///         pub ringing_count: i64,
///     }
/// }
/// ```
///
/// The struct is written out as given: its attributes (derives, `#[serde(...)]`, docs),
/// visibility, field order (which is the key order written) and each field's own attributes.
/// A field `name: Type as kind("wire" | "alias"…, extra…)` gets
/// `#[serde(rename = "wire", alias = "alias"…, <the kind's attributes>, extra…)]`: the first
/// name is the one written, every name is read. `extra` is more serde field attributes
/// (`default`, `deserialize_with = "…"`, …), appended as given. A field without `as` is left
/// as written, so a field whose serde handling is not one of the kinds (`flatten`, a rename
/// alone, a custom deserializer without `default`) keeps its plain `#[serde(...)]` attribute.
///
/// | kind         | serde attributes besides `rename` and `alias`                    |
/// |--------------|------------------------------------------------------------------|
/// | `opt`        | `default`, `skip_serializing_if = "Option::is_none"`             |
/// | `opt_string` | as `opt`, `deserialize_with = "lenient::opt_string"`             |
/// | `opt_int`    | as `opt`, `deserialize_with = "lenient::opt_int"`                |
/// | `opt_bool`   | as `opt`, `deserialize_with = "lenient::opt_boolean"`            |
/// | `opt_struct` | as `opt`, `deserialize_with = "lenient::opt_struct"`             |
/// | `list`       | `default`, `deserialize_with = "lenient::list"`,                 |
/// |              | `skip_serializing_if = "Vec::is_empty"`                          |
/// | `string`     | `deserialize_with = "lenient::string"` (required unless `default`) |
///
/// `list` also takes `with = "module"` (a `wrapped_list!` module) or `deserialize_with = "f"`
/// in place of `lenient::list`; any other `extra` of a `list` (`serialize_with = "f"`) is
/// added to it. The `lenient` helpers are those of `crate::codec::lenient`, named by full path
/// so a file need not import them. An unknown kind, or an attribute given twice, is a compile
/// error.
///
/// Fields are matched one at a time (a recursive macro), three levels of recursion per field:
/// a struct of more than about 40 fields would need a higher `recursion_limit`.
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::model::wire_struct::wire_struct!(
            @field [$(#[$meta])* $vis struct $name] [] $($body)*
        );
    };

    // Every field done: write the struct.
    (@field [$($head:tt)*] [$($done:tt)*]) => {
        $($head)* { $($done)* }
    };
    // A wire field: `name: Type as kind(...)`.
    (
        @field $head:tt $done:tt
        $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty as $kind:ident ($($args:tt)*)
        $(, $($rest:tt)*)?
    ) => {
        $crate::model::wire_struct::wire_struct!(
            @kind $kind ($($args)*) $head $done [$(#[$fmeta])* $fvis $field: $ty]
            $($($rest)*)?
        );
    };
    // Any other field, as written.
    (
        @field $head:tt [$($done:tt)*]
        $(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty
        $(, $($rest:tt)*)?
    ) => {
        $crate::model::wire_struct::wire_struct!(
            @field $head [$($done)* $(#[$fmeta])* $fvis $field: $ty,] $($($rest)*)?
        );
    };

    // The kinds: the serde attributes each stands for, besides the names.
    (@kind opt $args:tt $($tail:tt)*) => {
        $crate::model::wire_struct::wire_struct!(
            @named [default, skip_serializing_if = "Option::is_none"] $args $($tail)*
        );
    };
    (@kind opt_string $args:tt $($tail:tt)*) => {
        $crate::model::wire_struct::wire_struct!(
            @named [
                default,
                deserialize_with = "crate::codec::lenient::opt_string",
                skip_serializing_if = "Option::is_none"
            ] $args $($tail)*
        );
    };
    (@kind opt_int $args:tt $($tail:tt)*) => {
        $crate::model::wire_struct::wire_struct!(
            @named [
                default,
                deserialize_with = "crate::codec::lenient::opt_int",
                skip_serializing_if = "Option::is_none"
            ] $args $($tail)*
        );
    };
    (@kind opt_bool $args:tt $($tail:tt)*) => {
        $crate::model::wire_struct::wire_struct!(
            @named [
                default,
                deserialize_with = "crate::codec::lenient::opt_boolean",
                skip_serializing_if = "Option::is_none"
            ] $args $($tail)*
        );
    };
    (@kind opt_struct $args:tt $($tail:tt)*) => {
        $crate::model::wire_struct::wire_struct!(
            @named [
                default,
                deserialize_with = "crate::codec::lenient::opt_struct",
                skip_serializing_if = "Option::is_none"
            ] $args $($tail)*
        );
    };
    (
        @kind list ($wire:literal $(| $alias:literal)*, with = $with:literal)
        $($tail:tt)*
    ) => {
        $crate::model::wire_struct::wire_struct!(
            @named [default, with = $with, skip_serializing_if = "Vec::is_empty"]
            ($wire $(| $alias)*) $($tail)*
        );
    };
    (
        @kind list ($wire:literal $(| $alias:literal)*, deserialize_with = $de:literal)
        $($tail:tt)*
    ) => {
        $crate::model::wire_struct::wire_struct!(
            @named [default, deserialize_with = $de, skip_serializing_if = "Vec::is_empty"]
            ($wire $(| $alias)*) $($tail)*
        );
    };
    (@kind list $args:tt $($tail:tt)*) => {
        $crate::model::wire_struct::wire_struct!(
            @named [
                default,
                deserialize_with = "crate::codec::lenient::list",
                skip_serializing_if = "Vec::is_empty"
            ] $args $($tail)*
        );
    };
    (@kind string $args:tt $($tail:tt)*) => {
        $crate::model::wire_struct::wire_struct!(
            @named [deserialize_with = "crate::codec::lenient::string"] $args $($tail)*
        );
    };
    (@kind $other:ident $($tail:tt)*) => {
        compile_error!(concat!("wire_struct!: unknown field kind `", stringify!($other), "`"));
    };

    // Writes one wire field: its names, its kind's attributes, the extra ones, the field.
    (
        @named [$($attrs:tt)*] ($wire:literal $(| $alias:literal)* $(, $($extra:tt)*)?)
        $head:tt [$($done:tt)*] [$($field:tt)*] $($rest:tt)*
    ) => {
        $crate::model::wire_struct::wire_struct!(
            @field $head [
                $($done)*
                #[serde(rename = $wire $(, alias = $alias)*, $($attrs)* $(, $($extra)*)?)]
                $($field)*,
            ] $($rest)*
        );
    };
}

pub(crate) use wire_struct;
