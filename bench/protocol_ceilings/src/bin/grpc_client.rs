//! An h2c client for the gRPC benchmark (`bench/callgrind_protocols.py`, `h2load`), one
//! connection, one call at a time. `GRPC_TOKEN`, when set, goes as `authorization: Bearer`.
//!
//!     grpc_client seed URL N                        creates N items, prints their ids
//!     grpc_client bench URL get|list ID WARMUP N    WARMUP calls, prints `warm`, waits for a
//!                                                   line on stdin, N calls, prints `done`,
//!                                                   waits for a line, exits
//!     grpc_client frame get|list ID                 writes one call's gRPC-framed request
//!                                                   message to stdout (h2load's `-d` body)
//!
//! `get` asks for item ID; `list` for the first page of 20 (ID is ignored).

use std::io::{BufRead, Write};

use prost::Message;
use protocol_ceilings::proto::{
    CreateItemRequest, GetItemRequest, ItemInput, ListItemsRequest,
    item_service_client::ItemServiceClient,
};
use tonic::{Request, metadata::MetadataValue, transport::Channel};

type Client = ItemServiceClient<Channel>;

fn list_request() -> ListItemsRequest {
    ListItemsRequest {
        limit: Some(20),
        offset: Some(0),
        sort: None,
    }
}

fn with_token<T>(message: T) -> Request<T> {
    let mut request = Request::new(message);
    if let Ok(token) = std::env::var("GRPC_TOKEN")
        && !token.is_empty()
    {
        let value: MetadataValue<_> = format!("Bearer {token}").parse().expect("token");
        request.metadata_mut().insert("authorization", value);
    }
    request
}

async fn call(client: &mut Client, operation: &str, id: &str) {
    let result = match operation {
        "get" => client
            .get_item(with_token(GetItemRequest { id: id.into() }))
            .await
            .map(drop),
        "list" => client
            .list_items(with_token(list_request()))
            .await
            .map(drop),
        other => panic!("unknown operation {other}"),
    };
    if let Err(status) = result {
        eprintln!("{operation}: {status}");
        std::process::exit(1);
    }
}

fn wait_for_line(line: &str) {
    println!("{line}");
    std::io::stdout().flush().ok();
    let mut input = String::new();
    std::io::stdin().lock().read_line(&mut input).ok();
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["seed", url, n] => {
            let mut client = Client::connect(url.to_string()).await.expect("connect");
            for i in 0..n.parse::<usize>().expect("N") {
                let item = ItemInput {
                    name: format!("Seed item {i}"),
                    email: format!("seed{i}@example.com"),
                };
                let created = client
                    .create_item(with_token(CreateItemRequest { item: Some(item) }))
                    .await
                    .unwrap_or_else(|status| panic!("CreateItem #{i}: {status}"));
                println!("{}", created.get_ref().id);
            }
        }
        ["bench", url, operation, id, warmup, n] => {
            let mut client = Client::connect(url.to_string()).await.expect("connect");
            for _ in 0..warmup.parse::<usize>().expect("WARMUP") {
                call(&mut client, operation, id).await;
            }
            wait_for_line("warm");
            for _ in 0..n.parse::<usize>().expect("N") {
                call(&mut client, operation, id).await;
            }
            wait_for_line("done");
        }
        ["frame", operation, id] => {
            let message = match *operation {
                "get" => GetItemRequest { id: id.to_string() }.encode_to_vec(),
                "list" => list_request().encode_to_vec(),
                other => panic!("unknown operation {other}"),
            };
            let mut frame = vec![0u8];
            frame.extend_from_slice(&u32::try_from(message.len()).expect("size").to_be_bytes());
            frame.extend_from_slice(&message);
            std::io::stdout().write_all(&frame).expect("write");
        }
        _ => {
            eprintln!("usage: see the header of src/bin/grpc_client.rs");
            std::process::exit(2);
        }
    }
}
