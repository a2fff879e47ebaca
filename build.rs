//! Templates are embedded with `include_dir!`, which cargo does not track on
//! stable Rust: without this, editing a template would not rebuild apigen.
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
