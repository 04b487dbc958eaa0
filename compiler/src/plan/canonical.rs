//! Canonical JSON written straight from a `Serialize` value: what `serde_json::to_value(v)?.to_string()` prints
//! (every object's keys in sorted order, compact), without building the `Value` tree first.
//!
//! The plan hash is taken over this form. Building a `serde_json::Value` per node, printing it and dropping it
//! cost about 12 µs a node, the largest part of a run's start; this writes each scalar once with serde_json's own
//! formatter, and moves an object's members only when they did not come in key order.

use std::borrow::Cow;
use std::ops::Range;

use serde::ser::{self, Impossible, Serialize};

/// The canonical JSON of `value`, appended to `out`. Fails only where `to_value` fails: a map whose keys are not
/// strings, integers, booleans or chars, or a value's own `Serialize` failing.
pub fn write_canonical<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    value.serialize(Canonical { out })
}

struct Canonical<'a> {
    out: &'a mut Vec<u8>,
}

impl Canonical<'_> {
    /// A scalar, in serde_json's compact form (the formatter `Value`'s Display uses too).
    fn scalar<T: Serialize + ?Sized>(self, value: &T) -> Result<(), serde_json::Error> {
        serde_json::to_writer(&mut *self.out, value)
    }
}

/// An object being written. Members go straight to the output in the order they come, each one's key and
/// place noted; when the object ends they are put in key order only if they came out of it. A struct's fields
/// come in declaration order and a `BTreeMap`'s in key order, so most objects need no moving at all. A later
/// member with the key of an earlier one replaces it, as in a `serde_json::Map`.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    /// Where the object's `{` is in `out`.
    open: usize,
    /// Each member's key and where its `"key":value` lies in `out`.
    members: Vec<(Cow<'static, str>, Range<usize>)>,
    /// Whether every key so far was greater than the one before.
    in_order: bool,
    /// The key of a map entry whose value comes next (`serialize_key`, then `serialize_value`).
    pending_key: Option<String>,
    /// `{"Variant":` was written for an enum's struct variant: close with `}` after the object.
    variant: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>, variant: Option<&str>, len: usize) -> Result<Self, serde_json::Error> {
        if let Some(name) = variant {
            open_variant(out, name)?;
        }
        let open = out.len();
        out.push(b'{');
        Ok(Object {
            out,
            open,
            members: Vec::with_capacity(len),
            in_order: true,
            pending_key: None,
            variant: variant.is_some(),
        })
    }

    fn member<T: Serialize + ?Sized>(&mut self, key: Cow<'static, str>, value: &T) -> Result<(), serde_json::Error> {
        if let Some((last, _)) = self.members.last() {
            self.in_order &= *last < key;
            self.out.push(b',');
        }
        let start = self.out.len();
        serde_json::to_writer(&mut *self.out, key.as_ref())?;
        self.out.push(b':');
        value.serialize(Canonical { out: &mut *self.out })?;
        self.members.push((key, start..self.out.len()));
        Ok(())
    }

    fn finish(mut self) -> Result<(), serde_json::Error> {
        if !self.in_order {
            self.sort_members();
        }
        self.out.push(b'}');
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }

    /// Rewrites the members after the `{` in key order, the last of equal keys kept.
    fn sort_members(&mut self) {
        let written = self.out.split_off(self.open + 1);
        let base = self.open + 1;
        // Stable, so among equal keys the last one serialized comes last.
        self.members.sort_by(|a, b| a.0.cmp(&b.0));
        let count = self.members.len();
        let mut first = true;
        for (i, (key, range)) in self.members.iter().enumerate() {
            if i + 1 < count && self.members[i + 1].0 == *key {
                continue;
            }
            if !first {
                self.out.push(b',');
            }
            first = false;
            self.out.extend_from_slice(&written[range.start - base..range.end - base]);
        }
    }
}

/// An array being written: `[` is out, `]` is written at its end.
struct Array<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    variant: bool,
}

impl<'a> Array<'a> {
    fn new(out: &'a mut Vec<u8>, variant: Option<&str>) -> Result<Self, serde_json::Error> {
        if let Some(name) = variant {
            open_variant(out, name)?;
        }
        out.push(b'[');
        Ok(Array { out, first: true, variant: variant.is_some() })
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), serde_json::Error> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(Canonical { out: self.out })
    }

    fn finish(self) -> Result<(), serde_json::Error> {
        self.out.push(b']');
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

fn open_variant(out: &mut Vec<u8>, name: &str) -> Result<(), serde_json::Error> {
    out.push(b'{');
    serde_json::to_writer(&mut *out, name)?;
    out.push(b':');
    Ok(())
}

impl<'a> ser::Serializer for Canonical<'a> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Array<'a>;
    type SerializeTuple = Array<'a>;
    type SerializeTupleStruct = Array<'a>;
    type SerializeTupleVariant = Array<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Self::Error> {
        // to_value keeps what fits a u64 or i64 as a number and refuses the rest.
        serde_json::to_value(v)?;
        self.scalar(&v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Self::Error> {
        serde_json::to_value(v)?;
        self.scalar(&v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Self::Error> {
        // As to_value: a finite float becomes an f64 number, anything else null.
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_char(self, v: char) -> Result<(), Self::Error> {
        self.scalar(&v)
    }
    fn serialize_str(self, v: &str) -> Result<(), Self::Error> {
        self.scalar(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Self::Error> {
        // to_value makes bytes an array of numbers.
        self.scalar(v)
    }
    fn serialize_none(self) -> Result<(), Self::Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Self::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Self::Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Self::Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Self::Error> {
        self.scalar(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        open_variant(self.out, variant)?;
        value.serialize(Canonical { out: &mut *self.out })?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Array<'a>, Self::Error> {
        Array::new(self.out, None)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Array<'a>, Self::Error> {
        Array::new(self.out, None)
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Array<'a>, Self::Error> {
        Array::new(self.out, None)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Array<'a>, Self::Error> {
        Array::new(self.out, Some(variant))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Object<'a>, Self::Error> {
        Object::new(self.out, None, len.unwrap_or(0))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Object<'a>, Self::Error> {
        Object::new(self.out, None, len)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Object<'a>, Self::Error> {
        Object::new(self.out, Some(variant), len)
    }
}

/// serde's four kinds of sequence are one array here: each element in turn.
macro_rules! array_kind {
    ($($kind:ident :: $method:ident),*) => {$(
        impl ser::$kind for Array<'_> {
            type Ok = ();
            type Error = serde_json::Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Self::Error> {
                self.finish()
            }
        }
    )*};
}

array_kind!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Self::Error> {
        self.pending_key = Some(key.serialize(KeyText)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        let key = self.pending_key.take().ok_or_else(|| ser::Error::custom("a map value came without its key"))?;
        self.member(Cow::Owned(key), value)
    }
    fn end(self) -> Result<(), Self::Error> {
        self.finish()
    }
}

/// A struct's fields and a struct variant's are an object's members, by their names.
macro_rules! object_kind {
    ($($kind:ident),*) => {$(
        impl ser::$kind for Object<'_> {
            type Ok = ();
            type Error = serde_json::Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Self::Error> {
                self.member(Cow::Borrowed(key), value)
            }
            fn end(self) -> Result<(), Self::Error> {
                self.finish()
            }
        }
    )*};
}

object_kind!(SerializeStruct, SerializeStructVariant);

/// A map key as text, as serde_json turns keys into object member names: strings as they are, integers, booleans
/// and chars in their printed form; anything else is an error.
struct KeyText;

fn key_must_be_a_string() -> serde_json::Error {
    ser::Error::custom("key must be a string")
}

impl ser::Serializer for KeyText {
    type Ok = String;
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<String, serde_json::Error>;
    type SerializeTuple = Impossible<String, serde_json::Error>;
    type SerializeTupleStruct = Impossible<String, serde_json::Error>;
    type SerializeTupleVariant = Impossible<String, serde_json::Error>;
    type SerializeMap = Impossible<String, serde_json::Error>;
    type SerializeStruct = Impossible<String, serde_json::Error>;
    type SerializeStructVariant = Impossible<String, serde_json::Error>;

    fn serialize_str(self, v: &str) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_char(self, v: char) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_bool(self, v: bool) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<String, Self::Error> {
        Ok(v.to_string())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, Self::Error> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, Self::Error> {
        value.serialize(self)
    }
    fn serialize_f32(self, _v: f32) -> Result<String, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_f64(self, _v: f64) -> Result<String, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<String, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<String, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result<String, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, Self::Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        Err(key_must_be_a_string())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use serde::Serialize;

    use super::write_canonical;

    fn canonical<T: Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        write_canonical(value, &mut out).expect("serializes");
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    fn via_value<T: Serialize>(value: &T) -> String {
        serde_json::to_value(value).expect("converts").to_string()
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Shape {
        Unit,
        Newtype(u32),
        Tuple(i8, String),
        Struct { zeta: bool, alpha: Option<f64> },
    }

    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Tagged {
        Zebra { name: String, count: u64 },
    }

    #[derive(Serialize)]
    #[serde(tag = "kind", content = "count")]
    enum Adjacent {
        AtMost(u32),
    }

    #[derive(Serialize)]
    struct Inner {
        z: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        a: Vec<Shape>,
    }

    #[derive(Serialize)]
    struct Outer {
        when: &'static str,
        #[serde(flatten)]
        extra: BTreeMap<String, u8>,
        inner: Inner,
        tagged: Tagged,
        adjacent: Adjacent,
        floats: [f64; 4],
        numbers: HashMap<u32, char>,
        escapes: &'static str,
        unit: (),
    }

    #[test]
    fn every_shape_serde_makes_prints_as_the_value_form_does() {
        let value = Outer {
            when: "now",
            extra: BTreeMap::from([("b".to_string(), 1), ("aa".to_string(), 2)]),
            inner: Inner {
                z: -3,
                skipped: None,
                a: vec![
                    Shape::Unit,
                    Shape::Newtype(7),
                    Shape::Tuple(-1, "t".into()),
                    Shape::Struct { zeta: true, alpha: Some(0.5) },
                    Shape::Struct { zeta: false, alpha: None },
                ],
            },
            tagged: Tagged::Zebra { name: "z".into(), count: u64::MAX },
            adjacent: Adjacent::AtMost(5),
            floats: [1.0, -0.0, f64::NAN, 1e300],
            numbers: HashMap::from([(10, 'x'), (9, 'y'), (100, '"')]),
            escapes: "a\"b\\c\n\u{1}é😀",
            unit: (),
        };
        assert_eq!(canonical(&value), via_value(&value));
    }

    #[derive(Serialize)]
    struct Twice {
        b: u8,
        a: u8,
        #[serde(flatten)]
        again: BTreeMap<String, u8>,
    }

    #[test]
    fn of_two_members_with_one_key_the_later_is_kept() {
        let value = Twice { b: 1, a: 2, again: BTreeMap::from([("a".to_string(), 3), ("c".to_string(), 4)]) };
        assert_eq!(canonical(&value), via_value(&value));
        assert_eq!(canonical(&value), r#"{"a":3,"b":1,"c":4}"#);
    }

    #[test]
    fn a_map_keyed_by_something_other_than_text_or_numbers_is_refused_as_to_value_refuses_it() {
        let map = BTreeMap::from([(vec![1u8], 1)]);
        assert!(write_canonical(&map, &mut Vec::new()).is_err());
        assert!(serde_json::to_value(&map).is_err());
    }
}
