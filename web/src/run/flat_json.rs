//! The worker protocol's flat message shape, `{"v": 3, "type": "frames", "run": 1, …}`,
//! read and written without building a JSON tree.
//!
//! Why: the messages' Rust enums derive serde's external tagging (`{"frames": {…}}`),
//! and the wire carries the flat shape. Going through `serde_json::Value` both ways cost
//! the page 1–3 ms per frames message and ~10 ms for a run's report (236 KB for lesson 2)
//! on its main thread, inside the animation frames the 20 ms long-task goal is about.
//! Here the reader keeps each top-level field as a borrowed slice of the text
//! ([`RawValue`]) and hands the enum's derived reader a variant whose fields are read
//! straight from those slices; the writer splices the derived writer's text. The shape on
//! the wire is unchanged (the embed API and the tests read it).

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, VariantAccess,
    Visitor,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A flat message's top-level fields, in the order they came, each still JSON text.
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Collect;
        impl<'de> Visitor<'de> for Collect {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    fields.push(entry);
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(Collect)
    }
}

/// A message split into its header (`v`, `type`) and the body's fields.
pub(super) struct Message<'a> {
    fields: Vec<(String, &'a RawValue)>,
}

impl<'a> Message<'a> {
    /// Reads the top level of a flat message (the fields stay unread text).
    pub(super) fn parse(text: &'a str) -> Result<Message<'a>, String> {
        match serde_json::from_str::<Fields<'a>>(text) {
            Ok(Fields(fields)) => Ok(Message { fields }),
            Err(e) if e.is_data() => Err("a message is a JSON object".into()),
            Err(e) => Err(format!("not a message: {e}")),
        }
    }

    /// Takes a header field out: `None` when absent, `Some(Err)` when not a `T`.
    pub(super) fn take<T: Deserialize<'a>>(&mut self, key: &str) -> Option<Result<T, String>> {
        let at = self.fields.iter().position(|(k, _)| k == key)?;
        let (_, raw) = self.fields.remove(at);
        Some(serde_json::from_str(raw.get()).map_err(|e| format!("`{key}`: {e}")))
    }

    /// Reads the rest as `T`, an enum with external tagging: `type` names the variant and
    /// the other fields are its fields.
    pub(super) fn body<T: Deserialize<'a>>(mut self) -> Result<T, String> {
        let Some(Ok(kind)) = self.take::<String>("type") else {
            return Err("a message without a `type`".into());
        };
        T::deserialize(Variant {
            kind: &kind,
            fields: self.fields,
        })
        .map_err(|e| format!("cannot read a `{kind}` message: {e}"))
    }
}

/// An externally tagged enum's value: the variant's name and its fields' text.
struct Variant<'k, 'a> {
    kind: &'k str,
    fields: Vec<(String, &'a RawValue)>,
}

impl<'de> Deserializer<'de> for Variant<'_, 'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("a message body is an enum"))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

impl<'de> EnumAccess<'de> for Variant<'_, 'de> {
    type Error = serde_json::Error;
    type Variant = Body<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Body<'de>), Self::Error> {
        let tag = seed.deserialize(self.kind.into_deserializer())?;
        Ok((tag, Body(self.fields.into_iter())))
    }
}

/// A variant's fields, each read straight from its text.
struct Body<'a>(std::vec::IntoIter<(String, &'a RawValue)>);

impl<'de> VariantAccess<'de> for Body<'de> {
    type Error = serde_json::Error;

    fn unit_variant(self) -> Result<(), Self::Error> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, _: S) -> Result<S::Value, Self::Error> {
        Err(de::Error::custom("a message's fields are named"))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("a message's fields are named"))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_map(FieldsAccess {
            fields: self.0,
            value: None,
        })
    }
}

/// The map a struct variant's derived reader walks.
struct FieldsAccess<'a> {
    fields: std::vec::IntoIter<(String, &'a RawValue)>,
    value: Option<&'a RawValue>,
}

impl<'de> MapAccess<'de> for FieldsAccess<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, raw)) = self.fields.next() else {
            return Ok(None);
        };
        self.value = Some(raw);
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, Self::Error> {
        let raw = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value without its key"))?;
        seed.deserialize(&mut serde_json::Deserializer::from_str(raw.get()))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}

/// Writes `{head…, "type": kind, body's fields…}`, where `head` is a JSON object's text
/// and `body` an enum with external tagging whose variants have named fields.
pub(super) fn write<T: Serialize>(head: &str, body: &T) -> String {
    // The derived writer gives `{"kind":{fields}}` (kind a plain name, never escaped);
    // its text is spliced rather than rebuilt. Plain data of strings and numbers always
    // serializes.
    let tagged = serde_json::to_string(body).unwrap_or_default();
    let head = head.trim_end_matches('}');
    let comma = if head.ends_with('{') { "" } else { "," };
    let Some((kind, fields)) = tagged
        .strip_prefix("{\"")
        .and_then(|t| t.split_once("\":{"))
        .and_then(|(kind, rest)| Some((kind, rest.strip_suffix("}}")?)))
    else {
        // A unit variant (`"kind"`): no fields.
        return format!("{head}{comma}\"type\":{tagged}}}");
    };
    if fields.is_empty() {
        format!("{head}{comma}\"type\":\"{kind}\"}}")
    } else {
        format!("{head}{comma}\"type\":\"{kind}\",{fields}}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::protocol::{Command, Event};

    /// The shape as it was built before, through a JSON tree: the writer must match it.
    fn through_a_tree<T: Serialize>(head: &str, body: &T) -> String {
        let serde_json::Value::Object(mut out) = serde_json::from_str(head).expect("head") else {
            panic!("head is an object")
        };
        match serde_json::to_value(body).expect("plain data") {
            serde_json::Value::Object(outer) => {
                for (kind, fields) in outer {
                    out.insert("type".into(), kind.into());
                    if let serde_json::Value::Object(fields) = fields {
                        out.extend(fields);
                    }
                }
            }
            kind => {
                out.insert("type".into(), kind);
            }
        }
        serde_json::Value::Object(out).to_string()
    }

    #[test]
    fn the_writer_splices_what_a_tree_would_build() {
        let awkward = "a \"quoted\" }} message, \\ and ünïcode:{";
        let events = [
            Event::Ready { protocol: 3 },
            Event::Error {
                message: awkward.into(),
            },
            Event::Refused {
                run: 7,
                reason: "}}".into(),
            },
            Event::Invalid {
                run: 1,
                errors: vec![awkward.into(), String::new()],
            },
        ];
        for head in [r#"{"v":3}"#, r#"{"surge":"embed","v":1}"#, "{}"] {
            for e in &events {
                let text = write(head, e);
                assert_eq!(text, through_a_tree(head, e));
                let mut m = Message::parse(&text).expect("parses");
                if head.contains("\"v\"") {
                    assert!(matches!(m.take::<u64>("v"), Some(Ok(_))));
                }
                let _ = m.take::<String>("surge");
                assert_eq!(m.body::<Event>().as_ref(), Ok(e));
            }
        }
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        #[serde(rename_all = "snake_case")]
        enum Bare {
            Nothing,
        }
        let text = write(r#"{"v":3}"#, &Bare::Nothing);
        assert_eq!(text, r#"{"v":3,"type":"nothing"}"#);
        assert_eq!(text, through_a_tree(r#"{"v":3}"#, &Bare::Nothing));
    }

    #[test]
    fn the_reader_takes_fields_in_any_order_and_skips_unknown_ones() {
        // `type` last, an unknown field, keys with escapes, and a defaulted field absent.
        let text =
            r#"{"run":2,"extra":{"deep":[1,2,{"x":null}]},"until_s":1.5,"v":3,"type":"run_to"}"#;
        let mut m = Message::parse(text).expect("parses");
        assert!(matches!(m.take::<u64>("v"), Some(Ok(3))));
        assert_eq!(
            m.body::<Command>(),
            Ok(Command::RunTo {
                run: 2,
                until_s: 1.5
            })
        );
        let m = Message::parse(r#"{"type":"pa\u0075se","r\u0075n":4}"#).expect("parses");
        assert_eq!(m.body::<Command>(), Ok(Command::Pause { run: 4 }));
        let m = Message::parse(r#"{"type":"report","run":1,"digest":"d","report":{}}"#)
            .expect("parses");
        let e = m
            .body::<Event>()
            .expect_err("an empty report is not a report");
        assert!(e.starts_with("cannot read a `report` message"), "{e}");
    }

    #[test]
    fn the_reader_says_what_is_wrong() {
        assert_eq!(
            Message::parse("[1]").err().as_deref(),
            Some("a message is a JSON object")
        );
        assert!(
            Message::parse("{")
                .err()
                .is_some_and(|e| e.starts_with("not a message"))
        );
        let m = Message::parse(r#"{"run":1}"#).expect("parses");
        assert_eq!(
            m.body::<Command>().err().as_deref(),
            Some("a message without a `type`")
        );
        let m = Message::parse(r#"{"type":"pause","run":"one"}"#).expect("parses");
        let e = m.body::<Command>().expect_err("run is a number");
        assert!(
            e.starts_with("cannot read a `pause` message: invalid type"),
            "{e}"
        );
        let m = Message::parse(r#"{"type":"pause"}"#).expect("parses");
        let e = m.body::<Command>().expect_err("run is required");
        assert!(e.contains("missing field `run`"), "{e}");
        let m = Message::parse(r#"{"type":"launch","run":1}"#).expect("parses");
        let e = m.body::<Command>().expect_err("no such command");
        assert!(e.contains("unknown variant `launch`"), "{e}");
    }
}
