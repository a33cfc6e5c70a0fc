//! The answers of the real Okta and AWS recorded in `tests/fixtures/recorded/` (see its
//! `SOURCES.md`), and the JSON "shape" the fake's answers are compared by.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

fn dir(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/recorded")
        .join(kind)
}

pub fn text(kind: &str, name: &str) -> String {
    let path = dir(kind).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn json(kind: &str, name: &str) -> Value {
    serde_json::from_str(&text(kind, name)).unwrap_or_else(|e| panic!("{kind}/{name}: {e}"))
}

/// The JSON in `<meta name="data" content="BASE64">` of AWS's current sign-in page.
pub fn meta_data(html: &str) -> Value {
    let at = html.find(r#"name="data""#).expect("meta name=data");
    let marker = r#"content=""#;
    let start = at + html[at..].find(marker).expect("content") + marker.len();
    let end = start + html[start..].find('"').expect("end of content");
    let json = STANDARD.decode(&html[start..end]).expect("base64");
    serde_json::from_slice(&json).expect("JSON")
}

/// A JSON value's type, for shapes; `null` is compatible with every type (Okta sends
/// `null` for "none").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    fn of(value: &Value) -> Kind {
        match value {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }

    pub fn fits(self, other: Kind) -> bool {
        self == other || self == Kind::Null || other == Kind::Null
    }
}

/// Every path of a JSON document with the type found there: `/_embedded/factors[]/id` →
/// String. Array items share one path; the keys of maps keyed by ids (a factor id under
/// `factorsPolicyInfo`, an account under `roles_accounts`) become `*`.
pub type Shape = BTreeMap<String, Kind>;

pub fn shape(value: &Value) -> Shape {
    let mut out = Shape::new();
    walk(value, String::new(), &mut out);
    out
}

const ID_KEYED: [&str; 2] = ["factorsPolicyInfo", "roles_accounts"];

fn walk(value: &Value, at: String, out: &mut Shape) {
    match value {
        Value::Object(map) => {
            let id_keyed = ID_KEYED.iter().any(|k| at.ends_with(&format!("/{k}")));
            for (key, child) in map {
                let key = if id_keyed { "*" } else { key.as_str() };
                walk(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, format!("{at}[]"), out)),
        _ => {}
    }
    let kind = Kind::of(value);
    // Where items of one array differ (null in one, object in another), keep the richer.
    let slot = out
        .entry(if at.is_empty() { "/".into() } else { at })
        .or_insert(kind);
    if *slot == Kind::Null {
        *slot = kind;
    }
}
