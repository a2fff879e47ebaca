//! Names of resources and fields: what is allowed, and the forms a resource
//! name takes in code (`order_items` → `order_item`, `OrderItem`, `/order-items`).

use heck::{ToKebabCase, ToPascalCase};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::names::RUST_KEYWORDS;

/// SQL keywords (SQLite, PostgreSQL and MySQL) that would need quoting as a
/// table or column name; apigen refuses them rather than quote everywhere.
const SQL_KEYWORDS: &[&str] = &[
    "add",
    "all",
    "alter",
    "and",
    "any",
    "as",
    "asc",
    "between",
    "by",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "cross",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "database",
    "default",
    "delete",
    "desc",
    "distinct",
    "drop",
    "else",
    "end",
    "except",
    "exists",
    "foreign",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "in",
    "index",
    "inner",
    "insert",
    "intersect",
    "into",
    "is",
    "join",
    "key",
    "left",
    "like",
    "limit",
    "natural",
    "not",
    "null",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "primary",
    "references",
    "returning",
    "right",
    "rowid",
    "select",
    "set",
    "table",
    "then",
    "to",
    "transaction",
    "union",
    "unique",
    "update",
    "user",
    "using",
    "values",
    "view",
    "when",
    "where",
    "window",
    "with",
];

/// Columns every resource table has; fields cannot take these names.
const GENERATED_COLUMNS: &[&str] = &["id", "owner_id", "created_at", "updated_at"];

/// The forms of one resource name, as templates use them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceName {
    /// `order_items`: table, module of routes and queries, test file.
    pub plural: String,
    /// `order_item`: handler names (`get_order_item`) and prose. The same as
    /// `plural` for a word that is its own plural (`news`, `series`).
    pub singular: String,
    /// `order_item`: the module of models (`src/models/order_item.rs`): the
    /// singular, or the plural when the singular is a Rust keyword (`boxes`,
    /// not `box`, which no `mod` can be named).
    pub module: String,
    /// `OrderItem`: the Rust type prefix.
    pub type_name: String,
    /// `order-items`: the URL path segment and OpenAPI tag.
    pub path: String,
    /// `order items` and `an order item`: for comments and messages.
    pub words: String,
    pub a_one: String,
}

impl ResourceName {
    /// Checks a plural resource noun and derives its other forms with the
    /// `pluralizer` inflector (only the last word is inflected).
    pub fn parse(name: &str) -> Result<Self> {
        let bad = |reason: String| Error::InvalidResourceName {
            name: name.to_owned(),
            reason,
        };
        check_rust_word(name).map_err(bad)?;
        let singular = singularize(name);
        // A singular noun (`book`, `box`) is refused, naming its plural; a
        // word that is its own plural (`news`, `series`, `media`) is a plural.
        if singular == name && pluralize(name) != name {
            return Err(bad(format!(
                "name the resource with a plural noun: type `{}` instead",
                pluralize(name)
            )));
        }
        check_identifier(name).map_err(bad)?;
        // The singular names Rust items only (handlers, types, the models
        // module), never SQL; a keyword is fine inside `get_box` or
        // `BoxInput`, and the module then takes the plural.
        check_rust_word(&singular)
            .map_err(|reason| bad(format!("its singular {singular:?} is unusable: {reason}")))?;
        let module = if RUST_KEYWORDS.contains(&singular.as_str()) {
            name.to_owned()
        } else {
            singular.clone()
        };
        let one = singular.replace('_', " ");
        let article = if one.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        Ok(Self {
            type_name: singular.to_pascal_case(),
            path: name.to_kebab_case(),
            words: name.replace('_', " "),
            a_one: format!("{article} {one}"),
            plural: name.to_owned(),
            singular,
            module,
        })
    }
}

fn singularize(name: &str) -> String {
    inflect_last_word(name, 1)
}

fn pluralize(name: &str) -> String {
    inflect_last_word(name, 2)
}

/// `name` with its last snake_case word inflected for `count` (1: singular).
fn inflect_last_word(name: &str, count: isize) -> String {
    let (head, last) = match name.rsplit_once('_') {
        Some((head, last)) => (format!("{head}_"), last),
        None => (String::new(), name),
    };
    format!("{head}{}", pluralizer::pluralize(last, count, false))
}

/// A name usable as a Rust identifier, module, table and column in every
/// dialect without quoting: lower-case ASCII snake case, no keyword.
pub fn check_identifier(name: &str) -> Result<(), String> {
    check_rust_identifier(name)?;
    if SQL_KEYWORDS.contains(&name) {
        return Err("it is an SQL keyword".into());
    }
    Ok(())
}

/// A lower-case snake_case Rust identifier that is not a keyword.
fn check_rust_identifier(name: &str) -> Result<(), String> {
    check_rust_word(name)?;
    if RUST_KEYWORDS.contains(&name) {
        return Err("it is a Rust keyword".into());
    }
    Ok(())
}

/// Lower-case snake_case, usable inside a Rust identifier (`get_{name}`).
fn check_rust_word(name: &str) -> Result<(), String> {
    let Some(first) = name.chars().next() else {
        return Err("the name is empty".into());
    };
    if !first.is_ascii_lowercase() {
        return Err("it must start with a letter a-z".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        return Err(format!(
            "{c:?} is not allowed; use lower-case snake_case (a-z, 0-9, _)"
        ));
    }
    if name.ends_with('_') || name.contains("__") {
        return Err("use single underscores between words".into());
    }
    if name.len() > 50 {
        return Err("use at most 50 characters".into());
    }
    Ok(())
}

pub fn is_generated_column(name: &str) -> bool {
    GENERATED_COLUMNS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_names_give_singular_type_and_path() {
        let name = ResourceName::parse("order_items").unwrap();
        assert_eq!(name.singular, "order_item");
        assert_eq!(name.type_name, "OrderItem");
        assert_eq!(name.path, "order-items");
        assert_eq!(name.a_one, "an order item");
        assert_eq!(ResourceName::parse("products").unwrap().a_one, "a product");
        assert_eq!(ResourceName::parse("people").unwrap().type_name, "Person");
        assert_eq!(
            ResourceName::parse("categories").unwrap().singular,
            "category"
        );
    }

    /// Real English plurals, irregular, Latin, invariant (its own plural) or
    /// with a keyword singular: each works, the table and route named as asked.
    #[test]
    fn real_english_plurals_all_work() {
        // plural, singular (handlers), module of models, type prefix
        for (plural, singular, module, type_name) in [
            ("people", "person", "person", "Person"),
            ("children", "child", "child", "Child"),
            ("data", "datum", "datum", "Datum"),
            ("media", "media", "media", "Media"),
            ("series", "series", "series", "Series"),
            ("indices", "index", "index", "Index"),
            ("statuses", "status", "status", "Status"),
            ("addresses", "address", "address", "Address"),
            ("categories", "category", "category", "Category"),
            ("boxes", "box", "boxes", "Box"),
            ("news", "news", "news", "News"),
            ("analyses", "analysis", "analysis", "Analysis"),
            ("types", "type", "types", "Type"),
            ("crates", "crate", "crates", "Crate"),
            ("selves", "self", "selves", "Self"),
            ("order_items", "order_item", "order_item", "OrderItem"),
            (
                "shipping_boxes",
                "shipping_box",
                "shipping_box",
                "ShippingBox",
            ),
        ] {
            let name = ResourceName::parse(plural).unwrap_or_else(|e| panic!("{plural}: {e}"));
            assert_eq!(
                (
                    &*name.plural,
                    &*name.singular,
                    &*name.module,
                    &*name.type_name
                ),
                (plural, singular, module, type_name),
            );
            assert_eq!(name.path, plural.replace('_', "-"));
            // Every identifier the resource templates build is a usable,
            // non-keyword Rust name, and no two handlers share one (`list_news`
            // and `get_news` differ even when singular == plural).
            assert_eq!(check_rust_identifier(&name.module), Ok(()), "{plural}");
            assert_eq!(check_rust_identifier(&name.plural), Ok(()), "{plural}");
            let mut handlers: Vec<String> = ["create", "get", "replace", "update", "delete"]
                .iter()
                .map(|verb| format!("{verb}_{}", name.singular))
                .chain([format!("list_{}", name.plural)])
                .collect();
            assert!(handlers.iter().all(|h| check_rust_identifier(h).is_ok()));
            handlers.sort();
            handlers.dedup();
            assert_eq!(handlers.len(), 6, "{plural}: {handlers:?}");
            for suffix in ["Input", "Patch", "Response", "Page", "Row", "Sort"] {
                assert!(!RUST_KEYWORDS.contains(&format!("{type_name}{suffix}").as_str()));
            }
        }
    }

    #[test]
    fn bad_resource_names_are_refused_with_a_reason() {
        for (name, reason) in [
            ("book", "plural noun: type `books` instead"),
            ("box", "plural noun: type `boxes` instead"),
            ("person", "plural noun: type `people` instead"),
            ("index", "plural noun: type `indices` instead"),
            ("Orders", "start with a letter"),
            ("order-items", "'-'"),
            ("orders/x", "'/'"),
            ("values", "SQL keyword"),
            ("", "empty"),
        ] {
            let err = ResourceName::parse(name).unwrap_err().to_string();
            assert!(err.contains(reason), "{name}: {err}");
        }
    }
}
