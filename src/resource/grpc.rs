//! How each field type travels in gRPC messages: its protobuf type, the Rust
//! expressions that read a request message into the API's input and write a
//! response message, and test values.
//!
//! The expressions read `message.<name>`, write from `response.<name>`, and use the
//! helpers of the generated `src/grpc/mod.rs` (`fields: Fields`, `instant`,
//! `timestamp`) and the model's `decimal::parse`.

use crate::resource::api;
use crate::resource::fields::FieldType;

/// The protobuf type of the field, `optional` when it may be unset (a message
/// field, such as a timestamp, is always optional on the wire).
pub fn proto_type(kind: FieldType, optional: bool) -> String {
    let scalar = match kind {
        FieldType::String
        | FieldType::Text
        | FieldType::Decimal
        | FieldType::Uuid
        | FieldType::Date
        | FieldType::Json => "string",
        FieldType::Int => "int32",
        FieldType::Bigint => "int64",
        FieldType::Float => "double",
        FieldType::Bool => "bool",
        FieldType::Datetime => return "google.protobuf.Timestamp".into(),
    };
    if optional {
        format!("optional {scalar}")
    } else {
        scalar.into()
    }
}

/// What a string field holds, for the `.proto` comment, where the type alone does not say.
pub fn proto_comment(kind: FieldType) -> Option<&'static str> {
    match kind {
        FieldType::Decimal => Some(
            "A decimal number, such as \"19.99\" (up to 18 digits before the point, 10 after).",
        ),
        FieldType::Uuid => Some("A UUID."),
        FieldType::Date => Some("A date, YYYY-MM-DD."),
        FieldType::Json => Some("Any JSON value, as JSON text."),
        _ => None,
    }
}

/// The expression reading field `name` of a request `message` into the input's
/// value; a field that cannot be read is recorded in `fields`.
pub fn from_proto(kind: FieldType, name: &str, optional: bool) -> String {
    let value = format!("message.{name}");
    let text = if optional { "v" } else { value.as_str() };
    let read = match kind {
        FieldType::Decimal => format!("decimal::parse(&{text})"),
        FieldType::Uuid => format!("{text}.parse::<Uuid>().map_err(|_| \"must be a UUID\")"),
        FieldType::Date => format!(
            "{text}.parse::<NaiveDate>().map_err(|_| \"must be a date such as 2026-01-31\")"
        ),
        FieldType::Json => format!("serde_json::from_str::<serde_json::Value>(&{text})"),
        FieldType::Datetime if !optional => {
            return format!(
                "fields.read(\"{name}\", {value}.ok_or(\"is required\").and_then(instant))"
            );
        }
        FieldType::Datetime => "instant(v)".into(),
        _ => return value,
    };
    if optional {
        format!("{value}.map(|v| fields.read(\"{name}\", {read}))")
    } else {
        format!("fields.read(\"{name}\", {read})")
    }
}

/// The expression writing field `name` of an API `response` into a message.
pub fn to_proto(kind: FieldType, name: &str, optional: bool) -> String {
    let value = format!("response.{name}");
    match (kind, optional) {
        (FieldType::Datetime, false) => format!("Some(timestamp({value}))"),
        (FieldType::Datetime, true) => format!("{value}.map(timestamp)"),
        (FieldType::Decimal | FieldType::Uuid | FieldType::Date | FieldType::Json, false) => {
            format!("{value}.to_string()")
        }
        (FieldType::Decimal | FieldType::Uuid | FieldType::Date | FieldType::Json, true) => {
            format!("{value}.map(|v| v.to_string())")
        }
        _ => value,
    }
}

/// The `n`-th test value in a message (`n: u32`): the same value as
/// [`api::sample`], in the field's protobuf type.
pub fn sample(kind: FieldType, name: &str, optional: bool) -> String {
    let value = match kind {
        FieldType::Int => "i32::try_from(n).expect(\"a small n\")".into(),
        FieldType::Datetime => {
            // 2026-01-01T00:00:00Z plus n % 60 seconds, as `api::sample` writes it.
            return "Some(prost_types::Timestamp { seconds: 1_767_225_600 + i64::from(n % 60), nanos: 0 })".into();
        }
        FieldType::Json => "serde_json::json!({\"n\": n}).to_string()".into(),
        _ => api::sample(kind, name),
    };
    if optional {
        format!("Some({value})")
    } else {
        value
    }
}

/// A message value that breaks the field's validation rule, if it has one.
pub fn invalid_sample(kind: FieldType, optional: bool) -> Option<String> {
    let value = match kind {
        FieldType::String => "String::new()",
        FieldType::Text => "\"x\".repeat(10_001)",
        _ => return None,
    };
    Some(if optional {
        format!("Some({value})")
    } else {
        value.into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_types_read_through_fields_and_optional_ones_through_map() {
        assert_eq!(
            from_proto(FieldType::String, "title", false),
            "message.title"
        );
        assert_eq!(
            from_proto(FieldType::Decimal, "price", false),
            "fields.read(\"price\", decimal::parse(&message.price))"
        );
        assert_eq!(
            from_proto(FieldType::Decimal, "price", true),
            "message.price.map(|v| fields.read(\"price\", decimal::parse(&v)))"
        );
        assert_eq!(
            from_proto(FieldType::Datetime, "at", true),
            "message.at.map(|v| fields.read(\"at\", instant(v)))"
        );
    }

    #[test]
    fn every_type_has_a_proto_type_and_only_scalars_say_optional() {
        for kind in FieldType::ALL {
            assert!(!proto_type(kind, false).is_empty());
        }
        assert_eq!(proto_type(FieldType::Int, true), "optional int32");
        assert_eq!(
            proto_type(FieldType::Datetime, true),
            "google.protobuf.Timestamp"
        );
        assert_eq!(
            to_proto(FieldType::Datetime, "at", false),
            "Some(timestamp(response.at))"
        );
    }
}
