//! Reading `tests/fixtures/manifest.json` and checking the `expect` facts of its entries.

use std::path::PathBuf;

use lpchat_proto::model::Link;
use lpchat_proto::{decode, resources, DecodeErrorKind, Format, Limits, Resource};
use serde_json::Value;

/// The fixture folder shared by the Rust, Python and Node suites.
pub fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures"))
}

/// One manifest entry.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub file: String,
    pub resource: String,
    pub format: Option<Format>,
    pub same_as: Option<String>,
    pub expect: serde_json::Map<String, Value>,
}

impl Fixture {
    pub fn body(&self) -> Vec<u8> {
        std::fs::read(dir().join(&self.file)).unwrap_or_else(|e| panic!("{}: {e}", self.file))
    }

    pub fn is_bad(&self) -> bool {
        self.file.starts_with("bad/")
    }
}

/// Every entry of the manifest.
pub fn manifest() -> Vec<Fixture> {
    let text = std::fs::read_to_string(dir().join("manifest.json")).expect("manifest.json");
    let entries: Vec<Value> = serde_json::from_str(&text).expect("manifest is JSON");
    entries
        .into_iter()
        .map(|e| Fixture {
            file: e["file"].as_str().expect("file").to_owned(),
            resource: e["resource"].as_str().expect("resource").to_owned(),
            format: match e["format"].as_str() {
                Some("json") => Some(Format::Json),
                Some("xml") => Some(Format::Xml),
                _ => None,
            },
            same_as: e["same_as"].as_str().map(str::to_owned),
            expect: e["expect"].as_object().cloned().unwrap_or_default(),
        })
        .collect()
}

/// The entries of the given resources, good ones only.
pub fn good(resources: &[&str]) -> Vec<Fixture> {
    manifest()
        .into_iter()
        .filter(|f| resources.contains(&f.resource.as_str()) && !f.is_bad() && f.format.is_some())
        .collect()
}

/// Checks that every `bad/` entry of the given resources fails with its category, and that
/// no other error kind (or a success) comes back. Returns how many were checked.
pub fn check_bad(resource_names: &[&str]) -> usize {
    let mut checked = 0;
    for f in manifest()
        .into_iter()
        .filter(|f| f.is_bad() && resource_names.contains(&f.resource.as_str()))
    {
        let entry =
            resources::find(&f.resource).unwrap_or_else(|| panic!("{} not registered", f.resource));
        let format = f.format.expect("bad fixtures name their format");
        let err = entry
            .decode_to_json(format, &f.body(), &Limits::default())
            .expect_err(&f.file);
        let category = match err.kind() {
            DecodeErrorKind::Syntax | DecodeErrorKind::Empty => "syntax",
            DecodeErrorKind::Type | DecodeErrorKind::Root => "type",
            DecodeErrorKind::Utf8 => "utf8",
            DecodeErrorKind::Entity => "entity",
            other => panic!("{}: unexpected kind {other:?}", f.file),
        };
        assert_eq!(category, f.expect["error"], "{}: {err}", f.file);
        checked += 1;
    }
    checked
}

/// Compares the facts computed from a decoded model with the entry's `expect`, for every key
/// the entry has. Panics naming the file and key on a difference or an unknown key.
pub fn assert_facts(f: &Fixture, facts: &serde_json::Map<String, Value>) {
    for (key, expected) in &f.expect {
        let actual = facts
            .get(key)
            .unwrap_or_else(|| panic!("{}: no fact computed for expect key `{key}`", f.file));
        assert_eq!(actual, expected, "{}: `{key}`", f.file);
    }
}

/// Decodes a fixture into `T`, panicking with the file name on failure.
pub fn load<T: Resource>(f: &Fixture) -> T {
    decode(
        f.format.expect("a decodable fixture names its format"),
        &f.body(),
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", f.file))
}

/// The relations of a link list, as the manifest writes them.
pub fn rels(links: &[Link]) -> Value {
    Value::Array(
        links
            .iter()
            .map(|l| Value::String(l.rel.as_str().to_owned()))
            .collect(),
    )
}

/// An optional value as the manifest writes it: its text, or `null`.
pub fn opt<T: ToString>(v: Option<T>) -> Value {
    v.map(|x| Value::String(x.to_string()))
        .unwrap_or(Value::Null)
}
