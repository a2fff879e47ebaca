//! The dimensions `scripts/lock_template.py` combines to regenerate the lock
//! template (`templates/project/Cargo.lock.tera`): every question whose answer
//! changes the generated `Cargo.toml` ([`Choice::CHANGES_DEPENDENCIES`]), with
//! its supported values, derived from [`ProjectSpec::ask`]. The script reads
//! them from [`FILE`], which a test keeps equal to what this module computes
//! (`UPDATE_LOCK_DIMENSIONS=1 cargo test --lib lock_dimensions` rewrites it).

use std::convert::Infallible;

use serde::Serialize;

use crate::spec::{Asker, Choice, ProjectSpec};

/// Where the dimensions are checked in, relative to the repository root.
pub const FILE: &str = "scripts/lock_dimensions.toml";

const HEADER: &str = "# Written by apigen's tests from src/spec.rs (src/lock_dimensions.rs):\n\
# the choices that change the generated Cargo.toml, as scripts/lock_template.py\n\
# combines them. Do not edit: `UPDATE_LOCK_DIMENSIONS=1 cargo test --lib lock_dimensions`.\n\n";

/// One dimension: a question and the values the lock template must cover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dimension {
    /// How the template's conditions name it (`auth.method`).
    pub variable: &'static str,
    /// The `apigen new` flag that sets it (`--auth`).
    pub flag: &'static str,
    /// Its values as the flag takes them (`rest,graphql` for a set).
    pub values: Vec<String>,
}

/// The dimensions, in the order the template's conditions name them: the
/// questions taking one value in question order, then those taking several.
pub fn dimensions() -> Vec<Dimension> {
    #[derive(Default)]
    struct Collect {
        one: Vec<Dimension>,
        several: Vec<Dimension>,
    }
    fn dimension<C: Choice>(values: Vec<String>) -> Dimension {
        Dimension {
            variable: C::VARIABLE,
            flag: C::FLAG,
            values,
        }
    }
    impl Asker for Collect {
        type Error = Infallible;
        fn one<C: Choice>(&mut self, default: C) -> Result<C, Infallible> {
            if C::CHANGES_DEPENDENCIES {
                let values = C::supported().iter().map(|c| c.name()).collect();
                self.one.push(dimension::<C>(values));
            }
            Ok(default)
        }
        fn many<C: Choice>(&mut self, defaults: &[C]) -> Result<Vec<C>, Infallible> {
            if C::CHANGES_DEPENDENCIES {
                self.several.push(dimension::<C>(sets_with(defaults)));
            }
            Ok(defaults.to_vec())
        }
    }
    let mut collect = Collect::default();
    let Ok(_) = ProjectSpec::ask("", &mut collect);
    collect.one.into_iter().chain(collect.several).collect()
}

/// The values of a question that takes several, for the lock: the defaults
/// (whose crates every project has), then the defaults with each non-empty
/// set of the other supported values, smaller sets first (`rest`,
/// `rest,graphql`, `rest,grpc`, `rest,graphql,grpc`).
fn sets_with<C: Choice>(defaults: &[C]) -> Vec<String> {
    let supported = C::supported();
    let others: Vec<C> = (supported.iter().copied())
        .filter(|c| !defaults.contains(c))
        .collect();
    std::iter::once(Vec::new())
        .chain(subsets(&others))
        .map(|added| {
            let set = supported
                .iter()
                .filter(|c| defaults.contains(c) || added.contains(c));
            set.map(|c| c.name()).collect::<Vec<_>>().join(",")
        })
        .collect()
}

/// Every non-empty subset of `items`, smaller first, those of one size in
/// the order of their positions (as Python's `itertools.combinations`).
fn subsets<T: Copy>(items: &[T]) -> Vec<Vec<T>> {
    fn choose<T: Copy>(
        items: &[T],
        size: usize,
        from: usize,
        set: &mut Vec<T>,
        out: &mut Vec<Vec<T>>,
    ) {
        if set.len() == size {
            out.push(set.clone());
            return;
        }
        for at in from..items.len() {
            set.push(items[at]);
            choose(items, size, at + 1, set, out);
            set.pop();
        }
    }
    let mut out = Vec::new();
    for size in 1..=items.len() {
        choose(items, size, 0, &mut Vec::new(), &mut out);
    }
    out
}

/// The text of [`FILE`].
pub fn file_text() -> String {
    #[derive(Serialize)]
    struct File {
        dimension: Vec<Dimension>,
    }
    let body = toml::to_string(&File {
        dimension: dimensions(),
    })
    .expect("dimensions always serialize");
    format!("{HEADER}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_combines_what_changes_dependencies() {
        let dimensions = dimensions();
        let named: Vec<(&str, &str)> = (dimensions.iter()).map(|d| (d.variable, d.flag)).collect();
        assert_eq!(
            named,
            [
                ("auth.method", "--auth"),
                ("db", "--db"),
                ("cache", "--cache"),
                ("protocols", "--protocol"),
            ]
        );
        assert_eq!(
            dimensions[3].values,
            [
                "rest",
                "rest,graphql",
                "rest,grpc",
                "rest,websocket",
                "rest,graphql,grpc",
                "rest,graphql,websocket",
                "rest,grpc,websocket",
                "rest,graphql,grpc,websocket"
            ]
        );
    }

    #[test]
    fn subsets_come_smaller_first() {
        assert_eq!(
            subsets(&[1, 2, 3]),
            [
                vec![1],
                vec![2],
                vec![3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3],
                vec![1, 2, 3]
            ]
        );
        assert!(subsets::<u8>(&[]).is_empty());
    }

    #[test]
    fn the_checked_in_file_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FILE);
        let expected = file_text();
        if std::env::var_os("UPDATE_LOCK_DIMENSIONS").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == expected,
            "{FILE} is not what src/spec.rs declares; rewrite it with \
             `UPDATE_LOCK_DIMENSIONS=1 cargo test --lib lock_dimensions`, then \
             run scripts/lock_template.py if the values changed.\nExpected:\n{expected}"
        );
    }
}
