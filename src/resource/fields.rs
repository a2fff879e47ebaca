//! The `--fields` spec: `name:type[?][:modifier…]`, comma-separated, e.g.
//! `title:string,body:text?,sku:string:unique`.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::resource::naming::{check_identifier, is_generated_column};

/// A column type a field may have; the SQL and Rust spelling of each lives in
/// `dialect.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    String,
    Text,
    Int,
    Bigint,
    Float,
    Decimal,
    Bool,
    Uuid,
    Date,
    Datetime,
    Json,
}

impl FieldType {
    pub const ALL: [FieldType; 11] = [
        Self::String,
        Self::Text,
        Self::Int,
        Self::Bigint,
        Self::Float,
        Self::Decimal,
        Self::Bool,
        Self::Uuid,
        Self::Date,
        Self::Datetime,
        Self::Json,
    ];

    /// The name users type in a field spec.
    pub fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Text => "text",
            Self::Int => "int",
            Self::Bigint => "bigint",
            Self::Float => "float",
            Self::Decimal => "decimal",
            Self::Bool => "bool",
            Self::Uuid => "uuid",
            Self::Date => "date",
            Self::Datetime => "datetime",
            Self::Json => "json",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == text)
    }

    fn names() -> String {
        Self::ALL.map(Self::name).join(", ")
    }
}

/// One field of a resource, as the user specified it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub kind: FieldType,
    /// `?`: the column may be NULL and the JSON property may be null or absent.
    pub optional: bool,
    /// `:unique`: no two rows share a value (a 409 Conflict otherwise).
    pub unique: bool,
    /// `:index`: the column gets an index, for lookups and sorting.
    pub index: bool,
}

/// Parses a whole `--fields` spec; any mistake names the field and the fix.
pub fn parse_fields(spec: &str) -> Result<Vec<Field>> {
    let mut fields: Vec<Field> = Vec::new();
    for part in spec.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(invalid(
                spec,
                "an empty field (two commas in a row, or a trailing comma)",
            ));
        }
        let field = parse_field(part).map_err(|reason| invalid(spec, &reason))?;
        if fields.iter().any(|f| f.name == field.name) {
            return Err(invalid(
                spec,
                &format!("field {:?} is given twice", field.name),
            ));
        }
        fields.push(field);
    }
    Ok(fields)
}

/// Parses one `name:type[?][:modifier…]`.
pub fn parse_field(text: &str) -> Result<Field, String> {
    let mut parts = text.split(':').map(str::trim);
    let name = parts.next().unwrap_or_default();
    check_identifier(name).map_err(|reason| format!("field name {name:?}: {reason}"))?;
    if is_generated_column(name) {
        return Err(format!(
            "field name {name:?} is a column apigen adds itself (id, owner_id, created_at, updated_at)"
        ));
    }
    let Some(type_text) = parts.next().filter(|t| !t.is_empty()) else {
        return Err(format!(
            "field {name:?} has no type; write {name}:TYPE with TYPE one of {}",
            FieldType::names()
        ));
    };
    let (type_name, optional) = match type_text.strip_suffix('?') {
        Some(stripped) => (stripped, true),
        None => (type_text, false),
    };
    let kind = FieldType::parse(type_name).ok_or_else(|| {
        format!(
            "field {name:?} has unknown type {type_name:?}; use one of {}",
            FieldType::names()
        )
    })?;
    let mut field = Field {
        name: name.to_owned(),
        kind,
        optional,
        unique: false,
        index: false,
    };
    let mut repeated = None;
    for modifier in parts {
        let seen = match modifier {
            "unique" => std::mem::replace(&mut field.unique, true),
            "index" => std::mem::replace(&mut field.index, true),
            other => {
                let hint = match other {
                    "optional" | "nullable" | "null" => format!(
                        "a trailing ? on the type makes a field optional: {name}:{type_name}?"
                    ),
                    _ => "use unique or index".to_owned(),
                };
                return Err(format!(
                    "field {name:?} has unknown modifier {other:?}; {hint}"
                ));
            }
        };
        if seen {
            repeated.get_or_insert(modifier);
        }
    }
    // A modifier given twice is a typo, not a stronger request: refuse it
    // and show the spec with each modifier once.
    if let Some(modifier) = repeated {
        return Err(format!(
            "field {name:?} repeats the modifier {modifier:?}; give each modifier once: {}",
            to_spec(std::slice::from_ref(&field))
        ));
    }
    if field.kind == FieldType::Json && (field.unique || field.index) {
        return Err(format!(
            "field {name:?}: a json field cannot be unique or indexed"
        ));
    }
    Ok(field)
}

/// The spec that [`parse_fields`] reads back into `fields`, for `apigen.toml`.
pub fn to_spec(fields: &[Field]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|f| {
            let mut part = format!("{}:{}", f.name, f.kind.name());
            if f.optional {
                part.push('?');
            }
            if f.unique {
                part.push_str(":unique");
            }
            if f.index {
                part.push_str(":index");
            }
            part
        })
        .collect();
    parts.join(",")
}

fn invalid(spec: &str, reason: &str) -> Error {
    Error::InvalidFields {
        spec: spec.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, kind: FieldType) -> Field {
        Field {
            name: name.into(),
            kind,
            optional: false,
            unique: false,
            index: false,
        }
    }

    #[test]
    fn parses_types_optional_marks_and_modifiers() {
        let fields =
            parse_fields("title:string, body:text?,sku:string:unique:index,price:decimal").unwrap();
        assert_eq!(fields[0], field("title", FieldType::String));
        assert_eq!(
            fields[1],
            Field {
                optional: true,
                ..field("body", FieldType::Text)
            }
        );
        assert_eq!(
            fields[2],
            Field {
                unique: true,
                index: true,
                ..field("sku", FieldType::String)
            }
        );
        assert_eq!(fields[3].kind, FieldType::Decimal);
    }

    #[test]
    fn every_type_name_parses() {
        for kind in FieldType::ALL {
            let parsed = parse_field(&format!("x1:{}", kind.name())).unwrap();
            assert_eq!(parsed.kind, kind);
        }
    }

    #[test]
    fn spec_round_trips() {
        let spec = "a:int?:index,b:uuid:unique,c:json?";
        assert_eq!(to_spec(&parse_fields(spec).unwrap()), spec);
    }

    #[test]
    fn mistakes_are_named() {
        for (spec, expected) in [
            ("", "empty field"),
            ("a:int,,b:int", "empty field"),
            ("title", "has no type"),
            ("title:", "has no type"),
            ("title:varchar", "unknown type \"varchar\""),
            ("title:string:primary", "unknown modifier \"primary\""),
            (
                "done:bool:optional",
                "unknown modifier \"optional\"; a trailing ? on the type makes a field optional: done:bool?",
            ),
            ("title:string,title:text", "given twice"),
            ("Title:string", "start with a letter"),
            ("1st:string", "start with a letter"),
            ("camelCase:string", "lower-case"),
            ("my-field:string", "lower-case"),
            ("type:string", "Rust keyword"),
            ("order:int", "SQL keyword"),
            ("id:uuid", "apigen adds itself"),
            ("created_at:datetime", "apigen adds itself"),
            ("meta:json:unique", "cannot be unique"),
            (
                "a:string:unique:unique",
                "field \"a\" repeats the modifier \"unique\"; give each modifier once: a:string:unique",
            ),
            (
                "a:string:index:index",
                "repeats the modifier \"index\"; give each modifier once: a:string:index",
            ),
            (
                "a:int?:index:unique:index",
                "repeats the modifier \"index\"; give each modifier once: a:int?:unique:index",
            ),
        ] {
            let err = parse_fields(spec).unwrap_err().to_string();
            assert!(err.contains(expected), "{spec:?}: {err}");
        }
    }
}
