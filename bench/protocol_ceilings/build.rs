//! Compiles `proto/` (the generated project's `items.proto`, unchanged) the way the
//! generated project's build.rs does: protox, in Rust, then tonic-prost-build.

use std::io::{self, Result};

fn main() -> Result<()> {
    println!("cargo:rerun-if-changed=proto");
    let mut compiler = protox::Compiler::new(["proto"]).map_err(io::Error::other)?;
    compiler
        .include_imports(true)
        .open_files(["benchapi/v1/items.proto"])
        .map_err(io::Error::other)?;
    tonic_prost_build::compile_fds(compiler.file_descriptor_set())
}
