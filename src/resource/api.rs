//! How each field type looks to API clients, the same in every dialect: its
//! Rust type, validation, OpenAPI schema, example and test values.

use crate::resource::fields::FieldType;

/// The Rust type of the field in request and response bodies.
pub fn rust_type(kind: FieldType) -> &'static str {
    match kind {
        FieldType::String | FieldType::Text => "String",
        FieldType::Int => "i32",
        FieldType::Bigint => "i64",
        FieldType::Float => "f64",
        FieldType::Decimal => "rust_decimal::Decimal",
        FieldType::Bool => "bool",
        FieldType::Uuid => "Uuid",
        FieldType::Date => "chrono::NaiveDate",
        FieldType::Datetime => "DateTime<Utc>",
        FieldType::Json => "serde_json::Value",
    }
}

/// The `validator` rule for the field, if its type has one.
pub fn validation(kind: FieldType) -> Option<&'static str> {
    match kind {
        FieldType::String => {
            Some("length(min = 1, max = 255, message = \"must be 1 to 255 characters\")")
        }
        FieldType::Text => {
            Some("length(max = 10000, message = \"must be at most 10000 characters\")")
        }
        _ => None,
    }
}

/// A value that breaks [`validation`], as a Rust expression (for tests).
pub fn invalid_sample(kind: FieldType) -> Option<&'static str> {
    match kind {
        FieldType::String => Some("\"\""),
        FieldType::Text => Some("\"x\".repeat(10_001)"),
        _ => None,
    }
}

/// The OpenAPI type, where utoipa cannot infer it from the Rust type.
pub fn schema_type(kind: FieldType) -> Option<&'static str> {
    match kind {
        // rust_decimal serialises as a string, which keeps every digit.
        FieldType::Decimal => Some("String"),
        _ => None,
    }
}

/// The OpenAPI rules of request bodies, stating exactly what the server enforces:
/// the [`validation`] lengths, the `i32` range, and for `decimal` the strings
/// its deserializer accepts (`decimal::PATTERN` in the generated model).
pub fn schema_rules(kind: FieldType) -> Option<&'static str> {
    match kind {
        FieldType::String => Some("min_length = 1, max_length = 255"),
        FieldType::Text => Some("max_length = 10000"),
        FieldType::Int => Some("minimum = -2147483648, maximum = 2147483647"),
        FieldType::Decimal => Some(r#"pattern = r"^-?[0-9]{1,18}(\.[0-9]{1,10})?$""#),
        _ => None,
    }
}

/// The example shown in the OpenAPI document, as JSON.
pub fn example(kind: FieldType) -> &'static str {
    match kind {
        FieldType::String => "\"Example\"",
        FieldType::Text => "\"A longer piece of text.\"",
        FieldType::Int => "42",
        FieldType::Bigint => "9_000_000_000_i64",
        FieldType::Float => "3.5",
        FieldType::Decimal => "\"19.99\"",
        FieldType::Bool => "true",
        FieldType::Uuid => "\"0b5c4d1e-8f2a-4c3b-9d7e-6a1f2b3c4d5e\"",
        FieldType::Date => "\"2026-01-31\"",
        FieldType::Datetime => "\"2026-01-31T12:00:00Z\"",
        FieldType::Json => "{\"key\": \"value\"}",
    }
}

/// A Rust expression for the `n`-th test value (`n: u32`), distinct and
/// increasing with `n` where the type allows, and returned unchanged by the
/// API (so tests can compare request and response).
pub fn sample(kind: FieldType, field: &str) -> String {
    match kind {
        FieldType::String => format!("format!(\"{field} {{n}}\")"),
        FieldType::Text => format!("format!(\"Some {field} text {{n}}.\")"),
        FieldType::Int => "n".into(),
        FieldType::Bigint => "i64::from(n) + 5_000_000_000".into(),
        FieldType::Float => "f64::from(n) + 0.5".into(),
        FieldType::Decimal => "format!(\"{n}.99\")".into(),
        FieldType::Bool => "n.is_multiple_of(2)".into(),
        FieldType::Uuid => "format!(\"00000000-0000-4000-8000-{n:012}\")".into(),
        FieldType::Date => "format!(\"2026-01-{:02}\", n % 28 + 1)".into(),
        FieldType::Datetime => "format!(\"2026-01-01T00:00:{:02}Z\", n % 60)".into(),
        FieldType::Json => "json!({\"n\": n})".into(),
    }
}

/// Whether [`sample`] values sort in the order of `n` (for sorting tests).
pub fn samples_increase(kind: FieldType) -> bool {
    !matches!(kind, FieldType::Bool | FieldType::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `validator` rule is stated in the schema too (the generated model's
    /// unit test then checks they agree value by value).
    #[test]
    fn every_validated_type_states_its_rule_in_the_schema() {
        for kind in [FieldType::String, FieldType::Text, FieldType::Decimal] {
            assert!(schema_rules(kind).is_some(), "{kind:?}");
        }
        assert!(validation(FieldType::String).is_some_and(|rule| rule.contains("max = 255")));
        assert!(
            schema_rules(FieldType::String).is_some_and(|rule| rule.contains("max_length = 255"))
        );
        assert!(validation(FieldType::Text).is_some_and(|rule| rule.contains("max = 10000")));
        assert!(
            schema_rules(FieldType::Text).is_some_and(|rule| rule.contains("max_length = 10000"))
        );
    }
}
