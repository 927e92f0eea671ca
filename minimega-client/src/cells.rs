//! Reading a table row into a serde type: the row is a map from column name
//! to cell, and each cell, always a string on the wire, is parsed into
//! whatever the field asks for:
//!
//! - numbers and booleans from their text (`"128"`, `"true"`);
//! - `Option` fields read an empty cell and minimega's `N/A` as `None`;
//! - sequences read Go's list format, `[a b c]` (`[]` is empty);
//! - maps read a JSON object, as minimega writes `tags` (`{"k":"v"}`);
//! - anything else reads the text as it is.
//!
//! An error names the column and the cell.

use std::marker::PhantomData;
use std::time::Duration;

use serde::de::value::{Error as ValueError, SeqDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::Deserialize;

/// How minimega writes a value that does not apply to a row (a KVM-only
/// column of a container, say).
pub(crate) const NOT_APPLICABLE: &str = "N/A";

/// One cell of a row.
pub(crate) struct Cell<'de, E> {
    text: &'de str,
    marker: PhantomData<E>,
}

impl<'de, E> Cell<'de, E> {
    fn new(text: &'de str) -> Self {
        Cell {
            text,
            marker: PhantomData,
        }
    }
}

impl<'de, E: de::Error> IntoDeserializer<'de, E> for Cell<'de, E> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parse_scalar {
    ($($method:ident => $visit:ident: $ty:ty,)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
                let value: $ty = self.text.trim().parse().map_err(|_| {
                    E::custom(format_args!(
                        "`{}` is not a valid {}",
                        self.text,
                        stringify!($ty)
                    ))
                })?;
                visitor.$visit(value)
            }
        )*
    };
}

impl<'de, E: de::Error> Deserializer<'de> for Cell<'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_borrowed_str(self.text)
    }

    parse_scalar! {
        deserialize_bool => visit_bool: bool,
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_i128 => visit_i128: i128,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_u128 => visit_u128: u128,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        if self.text.is_empty() || self.text == NOT_APPLICABLE {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        let inner = self
            .text
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .ok_or_else(|| E::custom(format_args!("`{}` is not a list like `[a b]`", self.text)))?;
        visitor.visit_seq(SeqDeserializer::new(
            list_items(inner).into_iter().map(Cell::<E>::new),
        ))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        let mut json = serde_json::Deserializer::from_str(self.text);
        json.deserialize_map(visitor)
            .map_err(|e| E::custom(format_args!("`{}` is not a JSON object: {e}", self.text)))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_enum(self.text.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct tuple tuple_struct
        struct identifier ignored_any
    }
}

/// The items of a list's inside. `vm info` joins the values of a VM's
/// interfaces with `, ` (`lan (102), 200`; `, ` alone for two empty
/// addresses); other lists are Go's `[a b c]`, where a `(…)` word belongs
/// to the word before it, as in `dmz (100)`.
fn list_items(inner: &str) -> Vec<&str> {
    if inner.contains(", ") {
        return inner.split(", ").collect();
    }
    let mut items = Vec::new();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let mut end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let after = rest[end..].trim_start();
        if after.starts_with('(') {
            let close = after.find(')').map_or(after.len(), |i| i + 1);
            end = rest.len() - after.len() + close;
        }
        items.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    items
}

/// A row as a map, remembering the column being read so that an error can
/// name it.
struct RowAccess<'de, I> {
    cells: I,
    current: Option<(&'de str, &'de str)>,
}

impl<'de, I> MapAccess<'de> for RowAccess<'de, I>
where
    I: Iterator<Item = (&'de str, &'de str)>,
{
    type Error = ValueError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ValueError> {
        self.current = self.cells.next();
        match self.current {
            Some((column, _)) => seed.deserialize(column.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ValueError> {
        let (column, text) = self
            .current
            .take()
            .ok_or_else(|| de::Error::custom("a value without its column"))?;
        seed.deserialize(Cell::<ValueError>::new(text))
            .map_err(|e| de::Error::custom(format_args!("column `{column}`: {e}")))
    }
}

/// Deserializes one row given as `(column, cell)` pairs.
pub(crate) fn row<'de, T, I>(cells: I) -> Result<T, String>
where
    T: Deserialize<'de>,
    I: Iterator<Item = (&'de str, &'de str)>,
{
    let access = RowAccess {
        cells,
        current: None,
    };
    T::deserialize(de::value::MapAccessDeserializer::new(access)).map_err(|e| e.to_string())
}

/// Reads a duration as Go prints one (`1h53m40.4s`, `290.029898ms`, `0s`).
pub(crate) fn go_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = text.trim();
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" | "μs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += number * seconds;
        rest = &rest[unit_end..];
    }
    Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn reads_go_durations() {
        assert_eq!(go_duration("0s"), Some(Duration::ZERO));
        assert_eq!(
            go_duration("1h2m3.5s"),
            Some(Duration::from_millis(3_723_500))
        );
        assert_eq!(
            go_duration("290.029898ms"),
            Some(Duration::from_nanos(290_029_898))
        );
        assert_eq!(go_duration("5µs"), Some(Duration::from_micros(5)));
        for bad in ["", "5", "1x", "h", "1h-2m"] {
            assert_eq!(go_duration(bad), None, "{bad}");
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Cells {
        vlan: Vec<u16>,
        ip: Option<Vec<String>>,
        save: Option<String>,
        tags: BTreeMap<String, String>,
    }

    #[test]
    fn lists_maps_and_absent_values() {
        let read: Cells = row([
            ("vlan", "[100 101]"),
            ("ip", "N/A"),
            ("save", ""),
            ("tags", r#"{"error":"no disk","role":"db"}"#),
        ]
        .into_iter())
        .unwrap();
        assert_eq!(read.vlan, [100, 101]);
        assert_eq!((read.ip, read.save), (None, None));
        assert_eq!(read.tags["error"], "no disk");
        let empty: Cells =
            row([("vlan", "[]"), ("ip", "[]"), ("save", "x"), ("tags", "{}")].into_iter()).unwrap();
        assert_eq!(empty.ip, Some(Vec::new()));
    }

    #[test]
    fn interface_lists_split_on_commas() {
        assert_eq!(list_items("lan (102), 200"), ["lan (102)", "200"]);
        assert_eq!(list_items(", "), ["", ""]);
        assert_eq!(list_items("dmz (100) 7 a"), ["dmz (100)", "7", "a"]);
        assert!(list_items("").is_empty());
    }

    #[test]
    fn errors_name_the_column() {
        let error = row::<Cells, _>(
            [
                ("vlan", "[100 x]"),
                ("ip", ""),
                ("save", ""),
                ("tags", "{}"),
            ]
            .into_iter(),
        )
        .unwrap_err();
        assert!(
            error.contains("column `vlan`") && error.contains("`x`"),
            "{error}"
        );
        let error =
            row::<Cells, _>([("vlan", "[]"), ("ip", ""), ("save", ""), ("tags", "k")].into_iter())
                .unwrap_err();
        assert!(error.contains("column `tags`"), "{error}");
    }
}
