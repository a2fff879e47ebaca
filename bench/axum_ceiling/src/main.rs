//! The ceiling: what the generated app's `items` endpoints cost with nothing around them.
//!
//! Same table and indexes, SQL, pool size, SQLite settings and JSON as the generated app; no
//! middleware, no authentication, no logging, no metrics, hand-written validation.
//!
//!     DATABASE_URL=sqlite://bench.db PORT=8080 axum_ceiling

use std::{str::FromStr, time::Duration};

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{
    FromRow, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use uuid::Uuid;

const COLUMNS: &str = "id, name, email, created_at, updated_at";

#[derive(Serialize, FromRow)]
struct Item {
    id: Uuid,
    name: String,
    email: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct ItemInput {
    name: String,
    email: String,
}

#[derive(Deserialize)]
struct Page {
    limit: Option<u32>,
    offset: Option<u32>,
}

#[derive(Serialize)]
struct ItemPage {
    items: Vec<Item>,
    limit: i64,
    offset: i64,
    total: i64,
}

fn error(status: StatusCode) -> Response {
    (
        status,
        Json(serde_json::json!({ "status": status.as_u16() })),
    )
        .into_response()
}

fn db_error(_: sqlx::Error) -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR)
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn list(
    State(db): State<SqlitePool>,
    Query(page): Query<Page>,
) -> Result<Json<ItemPage>, Response> {
    let limit = i64::from(page.limit.unwrap_or(20).clamp(1, 100));
    let offset = i64::from(page.offset.unwrap_or(0));
    let sql =
        format!("SELECT {COLUMNS} FROM items ORDER BY created_at ASC, id ASC LIMIT ? OFFSET ?");
    let items = sqlx::query_as::<_, Item>(sqlx::AssertSqlSafe(sql))
        .bind(limit)
        .bind(offset)
        .fetch_all(&db)
        .await
        .map_err(db_error)?;
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM items")
        .fetch_one(&db)
        .await
        .map_err(db_error)?;
    Ok(Json(ItemPage {
        items,
        limit,
        offset,
        total,
    }))
}

async fn create(
    State(db): State<SqlitePool>,
    Json(input): Json<ItemInput>,
) -> Result<Response, Response> {
    let valid = |s: &str| (1..=255).contains(&s.chars().count());
    if !valid(&input.name) || !valid(&input.email) {
        return Err(error(StatusCode::UNPROCESSABLE_ENTITY));
    }
    let now = Utc::now();
    let item = sqlx::query_as::<_, Item>(
        "INSERT INTO items (id, name, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         RETURNING id, name, email, created_at, updated_at",
    )
    .bind(Uuid::new_v4())
    .bind(input.name)
    .bind(input.email)
    .bind(now)
    .bind(now)
    .fetch_one(&db)
    .await
    .map_err(|e| match e.as_database_error() {
        Some(e) if e.is_unique_violation() => error(StatusCode::CONFLICT),
        _ => error(StatusCode::INTERNAL_SERVER_ERROR),
    })?;
    let location = format!("/v1/items/{}", item.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(item),
    )
        .into_response())
}

async fn get_one(
    State(db): State<SqlitePool>,
    Path(id): Path<Uuid>,
) -> Result<Json<Item>, Response> {
    sqlx::query_as::<_, Item>(
        "SELECT id, name, email, created_at, updated_at FROM items WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&db)
    .await
    .map_err(db_error)?
    .map(Json)
    .ok_or_else(|| error(StatusCode::NOT_FOUND))
}

#[tokio::main]
async fn main() {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://bench.db".into());
    let options = SqliteConnectOptions::from_str(&url)
        .expect("DATABASE_URL")
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal) // as the generated app's db::connect
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let db = SqlitePoolOptions::new()
        .max_connections(5) // the generated app's default DATABASE_MAX_CONNECTIONS
        .connect_with(options)
        .await
        .expect("open database");
    // The generated migration's table and indexes.
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

    let app = Router::new()
        .route("/health", get(health))
        .route("/v1/items", get(list).post(create))
        .route("/v1/items/{id}", get(get_one))
        .with_state(db);
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await
        .expect("serve");
}
