//! Everything that differs between databases, in ONE place, shared by the
//! project templates (`apigen new`) and the resource templates (`apigen add
//! resource`):
//!
//! - [`Sql`]: the dialect's facts templates read as the `sql` variable
//!   (column types of the built-in tables, whether `RETURNING` works, the
//!   statement that begins a write transaction, the default URLs, …);
//! - the `p(n=…)` and `params(n=…)` template functions ([`register`]): query
//!   placeholders, `$1` for PostgreSQL and `?` elsewhere;
//! - [`column`]: how each resource field type is stored, and converted on the
//!   way in and out;
//! - [`needs`]: what a field type adds to the generated `Cargo.toml`.
//!
//! `db = none` (the in-memory store) has no SQL dialect: [`Sql::of`] is `None`,
//! and [`column`] gives the plain Rust types its rows hold.

use std::collections::HashMap;

use serde::Serialize;
use tera::{Tera, Value};

use crate::resource::api;
use crate::resource::fields::FieldType;
use crate::spec::Database;

/// The facts about one SQL dialect that templates use (the `sql` variable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Sql {
    /// sqlx's database type (`sqlx::Postgres`).
    pub sqlx_db: &'static str,
    /// The sqlx Cargo feature (the driver).
    pub feature: &'static str,
    /// Prefix of sqlx's per-database names (`PgPool`, `PgExecutor`).
    pub prefix: &'static str,
    /// Human name for comments and docs.
    pub title: &'static str,
    /// Column type of UUID keys.
    pub uuid: &'static str,
    /// Column type of `DateTime<Utc>` timestamps.
    pub timestamp: &'static str,
    /// Column type of short binary values (hashes) that may be unique keys.
    pub bytes: &'static str,
    /// Column type of strings of at most 255 chars that may be unique keys.
    pub short_text: &'static str,
    /// Column type of unbounded text.
    pub text: &'static str,
    /// `INSERT`/`UPDATE … RETURNING` works (not on MySQL; MariaDB only has it
    /// for INSERT and DELETE): otherwise a write is followed by a read.
    pub returning: bool,
    /// The statement that begins a write transaction, when not plain `BEGIN`.
    pub begin: Option<&'static str>,
    /// Expression ordering rows by insertion, to break timestamp ties.
    pub insertion_order: &'static str,
    /// The `DATABASE_URL` of a fresh project (`{name}` = the crate name).
    pub default_url: &'static str,
    /// The server tests run against when `TEST_DATABASE_URL` is unset; empty
    /// when tests need no server.
    pub test_url: &'static str,
    /// The docker image of the server, for docker-compose and CI.
    pub image: &'static str,
    /// Its port.
    pub port: u16,
}

const SQLITE: Sql = Sql {
    sqlx_db: "Sqlite",
    feature: "sqlite",
    prefix: "Sqlite",
    title: "SQLite",
    uuid: "BLOB",
    timestamp: "TEXT",
    bytes: "BLOB",
    short_text: "TEXT",
    text: "TEXT",
    returning: true,
    // Takes SQLite's write lock up front, so concurrent writers queue instead
    // of failing half way with SQLITE_BUSY.
    begin: Some("BEGIN IMMEDIATE"),
    insertion_order: "rowid",
    default_url: "sqlite://{name}.db",
    test_url: "",
    image: "",
    port: 0,
};

const POSTGRES: Sql = Sql {
    sqlx_db: "Postgres",
    feature: "postgres",
    prefix: "Pg",
    title: "PostgreSQL",
    uuid: "UUID",
    timestamp: "TIMESTAMPTZ",
    bytes: "BYTEA",
    short_text: "TEXT",
    text: "TEXT",
    returning: true,
    begin: None,
    insertion_order: "seq",
    default_url: "postgres://postgres@127.0.0.1:5432/{name}",
    test_url: "postgres://postgres@127.0.0.1:5432/postgres",
    image: "postgres:17",
    port: 5432,
};

const MYSQL: Sql = Sql {
    sqlx_db: "MySql",
    feature: "mysql",
    prefix: "MySql",
    title: "MySQL",
    uuid: "BINARY(16)",
    timestamp: "DATETIME(6)",
    bytes: "VARBINARY(64)",
    short_text: "VARCHAR(255)",
    text: "TEXT",
    returning: false,
    begin: None,
    insertion_order: "seq",
    default_url: "mysql://root@127.0.0.1:3306/{name}",
    test_url: "mysql://root@127.0.0.1:3306/mysql",
    image: "mariadb:11",
    port: 3306,
};

impl Sql {
    /// The dialect of `db`; `None` for the in-memory store.
    pub fn of(db: Database) -> Option<Self> {
        match db {
            Database::Sqlite => Some(SQLITE),
            Database::Postgres => Some(POSTGRES),
            Database::Mysql => Some(MYSQL),
            Database::None => None,
        }
    }

    /// Whether placeholders are numbered (`$1`) rather than `?`.
    fn numbered(self) -> bool {
        self.feature == "postgres"
    }

    /// The `n`-th (1-based) query placeholder.
    pub fn placeholder(self, n: u64) -> String {
        if self.numbered() {
            format!("${n}")
        } else {
            "?".to_owned()
        }
    }
}

/// Registers the placeholder functions for `db` on `tera`:
/// `{{ p(n=2) }}` is `$2` or `?`; `{{ params(n=3) }}` is `$1, $2, $3` or
/// `?, ?, ?`, and `{{ params(from=4, n=2) }}` is `$4, $5` or `?, ?`.
pub fn register(tera: &mut Tera, db: Database) {
    let sql = Sql::of(db);
    let number = |args: &HashMap<String, Value>, key: &str, default: Option<u64>| match args
        .get(key)
        .and_then(Value::as_u64)
        .or(default)
    {
        Some(n) => Ok(n),
        None => Err(tera::Error::msg(format!("missing number argument `{key}`"))),
    };
    let dialect = move || sql.ok_or_else(|| tera::Error::msg("db = none has no SQL placeholders"));
    tera.register_function("p", move |args: &HashMap<String, Value>| {
        Ok(Value::String(
            dialect()?.placeholder(number(args, "n", None)?),
        ))
    });
    tera.register_function("params", move |args: &HashMap<String, Value>| {
        let sql = dialect()?;
        let (from, n) = (number(args, "from", Some(1))?, number(args, "n", None)?);
        let list: Vec<String> = (from..from + n).map(|i| sql.placeholder(i)).collect();
        Ok(Value::String(list.join(", ")))
    });
}

/// How one field type is stored in one database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// Column type in `CREATE TABLE`.
    pub sql_type: &'static str,
    /// Type of the field in the row struct (before `Option<…>`).
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

const fn plain(sql_type: &'static str, row_type: &'static str) -> Column {
    Column {
        sql_type,
        row_type,
        to_db: SAME,
        from_db: SAME,
        sort: Some(SAME),
    }
}

/// The storage of `kind` in `db`.
pub fn column(db: Database, kind: FieldType) -> Column {
    match db {
        Database::Sqlite => sqlite(kind),
        Database::Postgres => postgres(kind),
        Database::Mysql => mysql(kind),
        Database::None => memory(kind),
    }
}

/// The in-memory store keeps the API values themselves; every type but JSON
/// can be sorted.
fn memory(kind: FieldType) -> Column {
    Column {
        sort: (kind != FieldType::Json).then_some(SAME),
        ..plain("", api::rust_type(kind))
    }
}

/// The API types the sqlx drivers of PostgreSQL and MySQL bind directly.
fn server(kind: FieldType, sql: Sql) -> Column {
    let (sql_type, row_type) = match kind {
        FieldType::String => (sql.short_text, "String"),
        FieldType::Text => (sql.text, "String"),
        FieldType::Int => ("INTEGER", "i32"),
        FieldType::Bigint => ("BIGINT", "i64"),
        FieldType::Float => ("DOUBLE PRECISION", "f64"),
        // Exact. PostgreSQL's NUMERIC keeps the scale it was given ("19.90");
        // MySQL's DECIMAL has a fixed one, so trailing zeros are trimmed on read.
        FieldType::Decimal if sql.numbered() => ("NUMERIC", "rust_decimal::Decimal"),
        FieldType::Decimal => {
            return Column {
                sql_type: "DECIMAL(28, 10)",
                row_type: "rust_decimal::Decimal",
                from_db: "{}.normalize()",
                ..plain("", "")
            };
        }
        FieldType::Bool => ("BOOLEAN", "bool"),
        FieldType::Uuid => (sql.uuid, "Uuid"),
        FieldType::Date => ("DATE", "chrono::NaiveDate"),
        FieldType::Datetime => (sql.timestamp, "DateTime<Utc>"),
        FieldType::Json => {
            return Column {
                sql_type: if sql.feature == "postgres" {
                    "JSONB"
                } else {
                    "JSON"
                },
                ..json()
            };
        }
    };
    plain(sql_type, row_type)
}

fn postgres(kind: FieldType) -> Column {
    server(kind, POSTGRES)
}

fn mysql(kind: FieldType) -> Column {
    server(kind, MYSQL)
}

fn json() -> Column {
    Column {
        sql_type: "TEXT",
        row_type: "sqlx::types::Json<serde_json::Value>",
        to_db: "sqlx::types::Json({})",
        from_db: "{}.0",
        sort: None,
    }
}

fn sqlite(kind: FieldType) -> Column {
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
        FieldType::Json => json(),
    }
}

/// What the generated project must depend on for `kind` in `db`.
pub fn needs(db: Database, kind: FieldType) -> Vec<Needs> {
    let rust_decimal = Needs::Crate("rust_decimal", "rust_decimal = \"1\"");
    match (db, kind) {
        // The drivers of PostgreSQL and MySQL bind `Decimal` directly.
        (Database::Postgres | Database::Mysql, FieldType::Decimal) => {
            vec![rust_decimal, Needs::SqlxFeature("rust_decimal")]
        }
        (_, FieldType::Decimal) => vec![rust_decimal],
        // The in-memory store keeps `serde_json::Value`s, which need nothing new.
        (Database::None, FieldType::Json) => Vec::new(),
        (_, FieldType::Json) => vec![Needs::SqlxFeature("json")],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Choice;

    #[test]
    fn every_type_maps_for_every_database() {
        for db in [Database::Sqlite, Database::Postgres, Database::Mysql] {
            for kind in FieldType::ALL {
                assert!(!column(db, kind).sql_type.is_empty(), "{db:?} {kind:?}");
            }
        }
        for kind in FieldType::ALL {
            let stored = column(Database::None, kind);
            assert_eq!(stored.to_db, SAME, "{kind:?} is stored as it is");
            assert_eq!(stored.sort.is_some(), kind != FieldType::Json, "{kind:?}");
        }
    }

    #[test]
    fn the_in_memory_store_needs_no_sqlx_feature() {
        for kind in FieldType::ALL {
            let needs = needs(Database::None, kind);
            assert!(
                !needs.iter().any(|n| matches!(n, Needs::SqlxFeature(_))),
                "{kind:?}: {needs:?}"
            );
        }
    }

    #[test]
    fn placeholders_are_numbered_only_for_postgres() {
        let render = |db| {
            let mut tera = Tera::default();
            register(&mut tera, db);
            tera.render_str(
                "{{ p(n=2) }} ({{ params(n=3) }}) ({{ params(from=4, n=2) }})",
                &tera::Context::new(),
            )
            .unwrap()
        };
        assert_eq!(render(Database::Postgres), "$2 ($1, $2, $3) ($4, $5)");
        assert_eq!(render(Database::Mysql), "? (?, ?, ?) (?, ?)");
        assert_eq!(render(Database::Sqlite), "? (?, ?, ?) (?, ?)");
    }

    #[test]
    fn every_sql_database_has_a_dialect() {
        for db in Database::supported() {
            assert_eq!(Sql::of(db).is_none(), db == Database::None);
        }
    }
}
