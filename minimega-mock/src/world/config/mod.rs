//! `vm config`: the fields the mock keeps, their kinds and defaults, how
//! each is read back, shown by `vm config` and carried into a VM's `Data`.
//!
//! One table ([`FIELDS`]) describes every field; the handlers, the
//! display and the VMs all read it.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

/// How a field takes and shows its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string, as given.
    Str,
    /// A path: a relative one is taken as relative to the files directory.
    Path,
    /// An unsigned number (Go's `ParseUint`).
    UInt,
    /// A signed number (Go's `ParseInt`).
    Int,
    /// `true` or `false`.
    Bool,
    /// A list of strings, read back as `[a b]` (nothing when empty).
    List,
    /// Key-value pairs, set one key at a time.
    Map,
    /// Network specs, read back as `[a b]` (`[]` when empty).
    Networks,
    /// Disk specs, likewise.
    Disks,
}

/// Where `vm config` shows a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Section {
    Base,
    Kvm,
    Container,
    Android,
}

/// A field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Str(String),
    UInt(u64),
    Int(i64),
    Bool(bool),
    List(Vec<String>),
    Map(BTreeMap<String, String>),
}

/// One `vm config` field.
#[derive(Debug)]
pub(crate) struct Field {
    /// The word after `vm config`.
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) section: Section,
    /// Its label in `vm config`'s display.
    pub(crate) label: &'static str,
    /// Its key in a VM's `Data`.
    pub(crate) data: &'static str,
    default: Initial,
    /// Whether an empty list is `null` in `Data` (a Go nil slice) rather
    /// than `[]`.
    null_when_empty: bool,
}

#[derive(Debug)]
enum Initial {
    Str(&'static str),
    UInt(u64),
    Int(i64),
    Bool(bool),
    List(&'static [&'static str]),
    Map,
}

const fn field(
    name: &'static str,
    kind: Kind,
    section: Section,
    label: &'static str,
    data: &'static str,
    default: Initial,
) -> Field {
    Field {
        name,
        kind,
        section,
        label,
        data,
        default,
        null_when_empty: false,
    }
}

use Kind::*;
use Section::*;

mod fields;

pub(crate) use fields::FIELDS;

/// The field named `name`.
pub(crate) fn field_named(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

impl Field {
    pub(crate) fn default_value(&self) -> Value {
        match self.default {
            Initial::Str(s) => Value::Str(s.to_owned()),
            Initial::UInt(n) => Value::UInt(n),
            Initial::Int(n) => Value::Int(n),
            Initial::Bool(b) => Value::Bool(b),
            Initial::List(items) => Value::List(items.iter().map(|s| s.to_string()).collect()),
            Initial::Map => Value::Map(BTreeMap::new()),
        }
    }

    /// What `vm config <field>` answers.
    pub(crate) fn read(&self, value: &Value) -> String {
        match (self.kind, value) {
            (List, Value::List(items)) if items.is_empty() => String::new(),
            (Networks | Disks, Value::List(items)) => format!("[{}]", items.join(" ")),
            (Map, Value::Map(map)) => map.iter().map(|(k, v)| format!("{k} -> {v}\n")).collect(),
            _ => show(value),
        }
    }

    /// The value as `Data` carries it.
    pub(crate) fn json(&self, value: &Value) -> Json {
        match value {
            Value::Str(s) => Json::from(s.as_str()),
            Value::UInt(n) => Json::from(*n),
            Value::Int(n) => Json::from(*n),
            Value::Bool(b) => Json::from(*b),
            Value::List(items) if items.is_empty() && self.null_when_empty => Json::Null,
            // A VM's interfaces are its own, made at launch
            // (`Vm::data`); the configuration keeps only their specs.
            Value::List(_) if matches!(self.kind, Networks | Disks) => Json::Array(Vec::new()),
            Value::List(items) => Json::from(items.clone()),
            Value::Map(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Json::from(v.as_str())))
                    .collect(),
            ),
        }
    }
}

/// A value as Go's `%v` prints it (maps as JSON, as minimega marshals tags).
pub(crate) fn show(value: &Value) -> String {
    match value {
        Value::Str(s) => s.clone(),
        Value::UInt(n) => n.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::List(items) => format!("[{}]", items.join(" ")),
        Value::Map(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), Json::from(v.as_str())))
                .collect::<Map<_, _>>(),
        )
        .to_string(),
    }
}

/// A whole VM configuration: every field of [`FIELDS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Config {
    values: BTreeMap<&'static str, Value>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            values: FIELDS.iter().map(|f| (f.name, f.default_value())).collect(),
        }
    }
}

impl Config {
    pub(crate) fn get(&self, field: &Field) -> Value {
        self.values
            .get(field.name)
            .cloned()
            .unwrap_or_else(|| field.default_value())
    }

    pub(crate) fn set(&mut self, field: &Field, value: Value) {
        self.values.insert(field.name, value);
    }

    pub(crate) fn clear(&mut self, field: &Field) {
        self.set(field, field.default_value());
    }

    /// A string field's value (empty when the field is not a string).
    pub(crate) fn text(&self, name: &str) -> String {
        match field_named(name).map(|f| self.get(f)) {
            Some(Value::Str(s)) => s,
            _ => String::new(),
        }
    }

    /// A boolean field's value (false when the field is not a boolean).
    pub(crate) fn flag(&self, name: &str) -> bool {
        matches!(
            field_named(name).map(|f| self.get(f)),
            Some(Value::Bool(true))
        )
    }

    /// A number field's value (0 when the field is not a number).
    pub(crate) fn number(&self, name: &str) -> u64 {
        match field_named(name).map(|f| self.get(f)) {
            Some(Value::UInt(n)) => n,
            _ => 0,
        }
    }

    /// A list field's items.
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        match field_named(name).map(|f| self.get(f)) {
            Some(Value::List(items)) => items,
            _ => Vec::new(),
        }
    }

    /// A map field's pairs.
    pub(crate) fn map(&self, name: &str) -> BTreeMap<String, String> {
        match field_named(name).map(|f| self.get(f)) {
            Some(Value::Map(map)) => map,
            _ => BTreeMap::new(),
        }
    }

    /// The fields of `section` as `Data` carries them, in display order.
    pub(crate) fn data(&self, section: Section) -> Vec<(&'static str, Json)> {
        FIELDS
            .iter()
            .filter(|f| f.section == section)
            .map(|f| (f.data, f.json(&self.get(f))))
            .collect()
    }

    /// What `vm config` answers: every section, its labels aligned.
    pub(crate) fn display(&self) -> String {
        let sections = [
            (Base, "VM configuration:"),
            (Kvm, "KVM configuration:"),
            (Container, "Container configuration:"),
            (Android, "Android configuration:"),
        ];
        let mut out = String::new();
        for (section, title) in sections {
            let mut lines: Vec<(String, String)> = Vec::new();
            for f in FIELDS.iter().filter(|f| f.section == section) {
                let value = self.get(f);
                match (f.kind, &value) {
                    (Map, Value::Map(map)) if f.section == Container => {
                        lines.push((format!("{}:", f.label), String::new()));
                        lines.extend(
                            map.iter()
                                .map(|(k, v)| (String::new(), format!("{k} -> {v}"))),
                        );
                    }
                    (Networks | Disks, _) => lines.push((format!("{}:", f.label), f.read(&value))),
                    _ => lines.push((format!("{}:", f.label), show(&value))),
                }
                // Bonds, which the mock does not keep, are shown empty, as
                // minimega shows them before they are set.
                if f.name == "networks" {
                    lines.push(("Bonds:".to_owned(), "[]".to_owned()));
                }
            }
            let width = lines
                .iter()
                .map(|(label, _)| label.chars().count() + 1)
                .max()
                .unwrap_or(0)
                .max(5);
            out.push_str(title);
            out.push('\n');
            for (label, value) in lines {
                out.push_str(&format!("{label:<width$}{value}\n"));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_minimega() {
        let config = Config::default();
        let read = |name: &str| field_named(name).map(|f| f.read(&config.get(f))).unwrap();
        assert_eq!(read("memory"), "2048");
        assert_eq!(read("init"), "[/init]");
        assert_eq!(read("append"), "");
        assert_eq!(read("networks"), "[]");
        assert_eq!(read("tags"), "");
        assert_eq!(read("android-no-window"), "true");
        let mut tagged = Config::default();
        let tags = field_named("tags").unwrap();
        tagged.set(
            tags,
            Value::Map([("team".to_owned(), "red".to_owned())].into()),
        );
        assert_eq!(tags.read(&tagged.get(tags)), "team -> red\n");
        assert_eq!(show(&tagged.get(tags)), r#"{"team":"red"}"#);
    }

    #[test]
    fn display_aligns_each_section() {
        let text = Config::default().display();
        assert!(
            text.starts_with("VM configuration:\nMemory:           2048\n"),
            "{text}"
        );
        assert!(text.contains("\nBonds:            []\n"), "{text}");
        assert!(text.contains("\nState Path:               \nDisks:                    []\n"));
        assert!(text.contains("\nVolumes:         \n\nAndroid configuration:\n"));
        assert!(text.ends_with("Writable System:   false\n\n"));
    }
}
