//! The gRPC ceiling: the generated app's `ItemService` (`ListItems`, `GetItem`,
//! `CreateItem`, from the same proto file) with tonic's own server and nothing else:
//! no middleware, no auth, no logging, no health or reflection service, hand-written
//! validation. HTTP/2 over cleartext TCP (h2c), like the generated app's gRPC.
//!
//!     DATABASE_URL=sqlite://bench.db PORT=8080 grpc_ceiling

use std::time::SystemTime;

use chrono::Utc;
use protocol_ceilings::{
    COUNT, FIND, INSERT, LIST, Row, address, database, page,
    proto::{
        self,
        item_service_server::{ItemService, ItemServiceServer},
    },
};
use sqlx::SqlitePool;
use tonic::{Request, Response, Status, transport::Server};
use uuid::Uuid;

struct Ceiling {
    db: SqlitePool,
}

fn internal(_: sqlx::Error) -> Status {
    Status::internal("An unexpected error occurred.")
}

fn to_message(row: Row) -> proto::Item {
    proto::Item {
        id: row.id.to_string(),
        name: row.name,
        email: row.email,
        created_at: Some(SystemTime::from(row.created_at).into()),
        updated_at: Some(SystemTime::from(row.updated_at).into()),
    }
}

#[tonic::async_trait]
impl ItemService for Ceiling {
    async fn list_items(
        &self,
        request: Request<proto::ListItemsRequest>,
    ) -> Result<Response<proto::ListItemsResponse>, Status> {
        let message = request.into_inner();
        let (limit, offset) = page(message.limit, message.offset);
        let rows = sqlx::query_as::<_, Row>(LIST)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.db)
            .await
            .map_err(internal)?;
        let total = sqlx::query_scalar(COUNT)
            .fetch_one(&self.db)
            .await
            .map_err(internal)?;
        Ok(Response::new(proto::ListItemsResponse {
            items: rows.into_iter().map(to_message).collect(),
            limit,
            offset,
            total,
        }))
    }

    async fn get_item(
        &self,
        request: Request<proto::GetItemRequest>,
    ) -> Result<Response<proto::Item>, Status> {
        let id: Uuid = request
            .get_ref()
            .id
            .parse()
            .map_err(|_| Status::invalid_argument("id: must be a UUID"))?;
        sqlx::query_as::<_, Row>(FIND)
            .bind(id)
            .fetch_optional(&self.db)
            .await
            .map_err(internal)?
            .map(|row| Response::new(to_message(row)))
            .ok_or_else(|| Status::not_found("No item with this id."))
    }

    async fn create_item(
        &self,
        request: Request<proto::CreateItemRequest>,
    ) -> Result<Response<proto::Item>, Status> {
        let input = request
            .into_inner()
            .item
            .ok_or_else(|| Status::invalid_argument("item: is required"))?;
        let valid = |s: &str| (1..=255).contains(&s.chars().count());
        if !valid(&input.name) || !valid(&input.email) {
            return Err(Status::invalid_argument("validation failed"));
        }
        let now = Utc::now();
        let row = sqlx::query_as::<_, Row>(INSERT)
            .bind(Uuid::new_v4())
            .bind(input.name)
            .bind(input.email)
            .bind(now)
            .bind(now)
            .fetch_one(&self.db)
            .await
            .map_err(|e| match e.as_database_error() {
                Some(e) if e.is_unique_violation() => Status::already_exists("email taken"),
                _ => Status::internal("An unexpected error occurred."),
            })?;
        Ok(Response::new(to_message(row)))
    }

    async fn update_item(
        &self,
        _: Request<proto::UpdateItemRequest>,
    ) -> Result<Response<proto::Item>, Status> {
        Err(Status::unimplemented("not in the benchmark"))
    }

    async fn delete_item(
        &self,
        _: Request<proto::DeleteItemRequest>,
    ) -> Result<Response<()>, Status> {
        Err(Status::unimplemented("not in the benchmark"))
    }
}

#[tokio::main]
async fn main() {
    let service = ItemServiceServer::new(Ceiling {
        db: database().await,
    });
    Server::builder()
        .add_service(service)
        .serve_with_shutdown(address().parse().expect("address"), async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await
        .expect("serve");
}
