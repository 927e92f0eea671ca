//! Reading a table row into a serde type: the row is a map from column name
//! to cell, and each cell, always a string on the wire, is parsed into
//! whatever scalar the field asks for (`"128"` into a `u64`, `"true"` into a
//! `bool`, `""` into `None`).

use std::marker::PhantomData;

use serde::de::value::{Error as ValueError, MapDeserializer};
use serde::de::{self, Deserializer, IntoDeserializer, Visitor};
use serde::Deserialize;

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
        // minimega writes an absent value as an empty cell.
        if self.text.is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
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
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct
        map struct identifier ignored_any
    }
}

/// Deserializes one row given as `(column, cell)` pairs.
pub(crate) fn row<'de, T, I>(cells: I) -> Result<T, String>
where
    T: Deserialize<'de>,
    I: Iterator<Item = (&'de str, &'de str)>,
{
    let map = MapDeserializer::new(cells.map(|(k, v)| (k, Cell::<ValueError>::new(v))));
    T::deserialize(map).map_err(|e| e.to_string())
}
