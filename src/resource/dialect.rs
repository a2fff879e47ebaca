//! How each field type is stored, per database: the ONE place that maps a
//! [`FieldType`] to SQL and to the Rust types on either side of the driver.
//!
//! Only SQLite is filled in. PostgreSQL and MySQL get their own arm in
//! [`column`] (e.g. `NUMERIC` with `rust_decimal` bound directly, `JSONB`,
//! `UUID`), and their templates read the same [`Column`] fields.

use crate::error::{Error, Result};
use crate::resource::fields::FieldType;
use crate::spec::{Choice, Database};

/// How one field type is stored in one database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// Column type in `CREATE TABLE`.
    pub sql_type: &'static str,
    /// Type of the field in the `FromRow` struct (before `Option<…>`).
    pub row_type: &'static str,
    /// Turns an API value `v` into the bound value (`{}` stands for `v`).
    pub to_db: &'static str,
    /// Turns a row value `v` into the API value; may use `?` (anyhow).
    pub from_db: &'static str,
    /// The `ORDER BY` expression for the column `{}`; `None`: not sortable.
    pub sort: Option<&'static str>,
}

/// A dependency a field type needs in the generated project's Cargo.toml.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// A `[dependencies]` line: name and the full line.
    Crate(&'static str, &'static str),
    /// A feature of the project's `sqlx` dependency.
    SqlxFeature(&'static str),
}

const SAME: &str = "{}";

/// The storage of `kind` in `db`; an error for dialects not filled in yet.
pub fn column(db: Database, kind: FieldType) -> Result<Column> {
    match db {
        Database::Sqlite => Ok(sqlite(kind)),
        Database::Postgres | Database::Mysql | Database::None => Err(Error::NotSupported {
            flag: "apigen add resource with --db",
            value: db.name(),
            available: "sqlite".into(),
        }),
    }
}

fn sqlite(kind: FieldType) -> Column {
    let plain = |sql_type, row_type| Column {
        sql_type,
        row_type,
        to_db: SAME,
        from_db: SAME,
        sort: Some(SAME),
    };
    match kind {
        FieldType::String | FieldType::Text => plain("TEXT", "String"),
        FieldType::Int => plain("INTEGER", "i32"),
        FieldType::Bigint => plain("INTEGER", "i64"),
        FieldType::Float => plain("REAL", "f64"),
        FieldType::Bool => plain("BOOLEAN", "bool"),
        FieldType::Uuid => plain("BLOB", "Uuid"),
        FieldType::Date => plain("TEXT", "chrono::NaiveDate"),
        FieldType::Datetime => plain("TEXT", "DateTime<Utc>"),
        // SQLite has no decimal type and sqlx maps rust_decimal only for
        // PostgreSQL and MySQL: keep the exact text, sort numerically.
        FieldType::Decimal => Column {
            sql_type: "TEXT",
            row_type: "String",
            to_db: "{}.to_string()",
            from_db: "{}.parse()?",
            sort: Some("CAST({} AS REAL)"),
        },
        FieldType::Json => Column {
            sql_type: "TEXT",
            row_type: "sqlx::types::Json<serde_json::Value>",
            to_db: "sqlx::types::Json({})",
            from_db: "{}.0",
            sort: None,
        },
    }
}

/// What the generated project must depend on for `kind` in `db`.
pub fn needs(db: Database, kind: FieldType) -> Option<Needs> {
    match (db, kind) {
        (_, FieldType::Decimal) => Some(Needs::Crate("rust_decimal", "rust_decimal = \"1\"")),
        (_, FieldType::Json) => Some(Needs::SqlxFeature("json")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_maps_for_sqlite_and_other_dialects_say_so() {
        for kind in FieldType::ALL {
            assert!(!column(Database::Sqlite, kind).unwrap().sql_type.is_empty());
            let err = column(Database::Postgres, kind).unwrap_err().to_string();
            assert!(err.contains("not supported yet"), "{err}");
        }
    }
}
