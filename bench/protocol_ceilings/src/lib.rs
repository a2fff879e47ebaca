//! What the GraphQL and gRPC ceilings share: the database, opened and laid out as
//! `bench/axum_ceiling` (and the generated app) does, the row, and the protobuf code.

use std::{str::FromStr, time::Duration};

use chrono::{DateTime, Utc};
use sqlx::{
    FromRow, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use uuid::Uuid;

/// The messages, client and server of `proto/benchapi/v1/items.proto`.
pub mod proto {
    tonic::include_proto!("benchapi.v1");
}

/// The generated app's SQL (`src/db/items.rs`), default sort.
pub const FIND: &str = "SELECT id, name, email, created_at, updated_at FROM items WHERE id = ?";
pub const LIST: &str = "SELECT id, name, email, created_at, updated_at FROM items \
                        ORDER BY created_at ASC, id ASC LIMIT ? OFFSET ?";
pub const COUNT: &str = "SELECT COUNT(*) FROM items";
pub const INSERT: &str = "INSERT INTO items (id, name, email, created_at, updated_at) \
                          VALUES (?, ?, ?, ?, ?) RETURNING id, name, email, created_at, updated_at";

/// A row of `items`.
#[derive(FromRow)]
pub struct Row {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `limit` (1 to 100, default 20) and `offset` (default 0), as `bench/axum_ceiling` reads them.
pub fn page(limit: Option<u32>, offset: Option<u32>) -> (i64, i64) {
    (
        i64::from(limit.unwrap_or(20).clamp(1, 100)),
        i64::from(offset.unwrap_or(0)),
    )
}

/// Opens `DATABASE_URL` with the generated app's settings and creates the table and
/// indexes of its migration (as `bench/axum_ceiling`).
pub async fn database() -> SqlitePool {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://bench.db".into());
    let options = SqliteConnectOptions::from_str(&url)
        .expect("DATABASE_URL")
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let db = SqlitePoolOptions::new()
        .max_connections(5)
        .connect_with(options)
        .await
        .expect("open database");
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS items (
             id BLOB PRIMARY KEY NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL,
             created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
         CREATE INDEX IF NOT EXISTS items_created_at_id_idx ON items (created_at, id);
         CREATE UNIQUE INDEX IF NOT EXISTS items_email_key ON items (email);",
    )
    .execute(&db)
    .await
    .expect("create table");
    db
}

/// `127.0.0.1:$PORT` (8080 by default).
pub fn address() -> String {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    format!("127.0.0.1:{port}")
}
