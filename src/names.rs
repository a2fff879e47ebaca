//! Validation of the names users give apigen.

use crate::error::Error;

/// Rust keywords (all editions), strict and reserved.
pub const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Names that cargo reserves or that would shadow a standard crate in the
/// generated code.
const CARGO_RESERVED: &[&str] = &[
    "alloc",
    "core",
    "proc_macro",
    "std",
    "test",
    "build",
    "deps",
    "examples",
    "incremental",
];

/// Checks that `name` can be the generated crate's package, library and
/// binary name, and says exactly what is wrong when it cannot.
pub fn validate_crate_name(name: &str) -> Result<(), Error> {
    let bad = |reason: String| {
        Err(Error::InvalidName {
            name: name.to_owned(),
            reason,
        })
    };
    let Some(first) = name.chars().next() else {
        return bad("the name is empty".into());
    };
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return bad(format!(
            "{c:?} is not allowed; use ASCII letters, digits, '-' and '_'"
        ));
    }
    if first.is_ascii_digit() {
        return bad("a crate name cannot start with a digit".into());
    }
    if first == '-' || first == '_' {
        return bad(format!("a crate name cannot start with {first:?}"));
    }
    if name.len() > 64 {
        return bad("a crate name has at most 64 characters".into());
    }
    let ident = name.replace('-', "_");
    let reserved = |n: &str| RUST_KEYWORDS.contains(&n) || CARGO_RESERVED.contains(&n);
    if reserved(name) || reserved(&ident) {
        return bad("it is a Rust keyword or a name reserved by cargo".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        for name in ["myapi", "my-api", "my_api2", "Api"] {
            assert!(validate_crate_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn rejects_bad_names_with_a_reason() {
        for (name, reason) in [
            ("", "empty"),
            ("1api", "digit"),
            ("my api", "' '"),
            ("fn", "keyword"),
            ("self", "keyword"),
            ("std", "reserved"),
            ("-api", "'-'"),
            ("api/v2", "'/'"),
            ("ümlaut", "'ü'"),
        ] {
            let err = validate_crate_name(name).unwrap_err().to_string();
            assert!(err.contains(reason), "{name}: {err}");
        }
    }
}
