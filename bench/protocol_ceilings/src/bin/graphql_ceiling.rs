//! The GraphQL ceiling: the generated app's `items` queries and `createItem` mutation
//! (same names, arguments and types: `item(id)`, `items(limit, offset)`, `Item`,
//! `ItemPage`) with async-graphql on axum and nothing else: no middleware, no auth, no
//! query limits extension, no logging, no subscriptions, hand-written validation.
//!
//!     DATABASE_URL=sqlite://bench.db PORT=8080 graphql_ceiling    # POST /v1/graphql

use async_graphql::{EmptySubscription, InputObject, Object, Result, Schema, SimpleObject};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{Router, extract::State, routing::post};
use chrono::{DateTime, Utc};
use protocol_ceilings::{COUNT, FIND, INSERT, LIST, Row, address, database, page};
use sqlx::SqlitePool;
use uuid::Uuid;

/// An item as clients see it (the generated `ItemResponse`, named `Item`).
#[derive(SimpleObject)]
struct Item {
    id: Uuid,
    name: String,
    email: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Row> for Item {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            name: row.name,
            email: row.email,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(SimpleObject)]
struct ItemPage {
    items: Vec<Item>,
    limit: i64,
    offset: i64,
    total: i64,
}

#[derive(InputObject)]
struct ItemInput {
    name: String,
    email: String,
}

struct Query;

#[Object]
impl Query {
    async fn items(
        &self,
        ctx: &async_graphql::Context<'_>,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<ItemPage> {
        let db = ctx.data_unchecked::<SqlitePool>();
        let (limit, offset) = page(limit, offset);
        let rows = sqlx::query_as::<_, Row>(LIST)
            .bind(limit)
            .bind(offset)
            .fetch_all(db)
            .await?;
        let total = sqlx::query_scalar(COUNT).fetch_one(db).await?;
        Ok(ItemPage {
            items: rows.into_iter().map(Item::from).collect(),
            limit,
            offset,
            total,
        })
    }

    async fn item(&self, ctx: &async_graphql::Context<'_>, id: Uuid) -> Result<Item> {
        let db = ctx.data_unchecked::<SqlitePool>();
        sqlx::query_as::<_, Row>(FIND)
            .bind(id)
            .fetch_optional(db)
            .await?
            .map(Item::from)
            .ok_or_else(|| "No item with this id.".into())
    }
}

struct Mutation;

#[Object]
impl Mutation {
    async fn create_item(
        &self,
        ctx: &async_graphql::Context<'_>,
        input: ItemInput,
    ) -> Result<Item> {
        let valid = |s: &str| (1..=255).contains(&s.chars().count());
        if !valid(&input.name) || !valid(&input.email) {
            return Err("validation failed".into());
        }
        let now = Utc::now();
        let row = sqlx::query_as::<_, Row>(INSERT)
            .bind(Uuid::new_v4())
            .bind(input.name)
            .bind(input.email)
            .bind(now)
            .bind(now)
            .fetch_one(ctx.data_unchecked::<SqlitePool>())
            .await?;
        Ok(row.into())
    }
}

type CeilingSchema = Schema<Query, Mutation, EmptySubscription>;

async fn graphql(State(schema): State<CeilingSchema>, request: GraphQLRequest) -> GraphQLResponse {
    schema.execute(request.into_inner()).await.into()
}

#[tokio::main]
async fn main() {
    let schema = Schema::build(Query, Mutation, EmptySubscription)
        .data(database().await)
        .finish();
    let app = Router::new()
        .route("/v1/graphql", post(graphql))
        .with_state(schema);
    let listener = tokio::net::TcpListener::bind(address())
        .await
        .expect("bind");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await
        .expect("serve");
}
