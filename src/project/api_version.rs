//! API version names (`v2`): parsed once where they enter apigen (a command
//! line, `apigen.toml`), carried as [`ApiVersion`], and written back as
//! `v2` by `Display` or as the names derived from it (routes marker, SDL file).

use std::fmt;

use crate::error::{Error, Result};

/// One API version: `v` and a number from 1 (`v1`, `v2`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion(u32);

impl ApiVersion {
    /// `v1`, which every versioned project has.
    pub const FIRST: Self = Self(1);

    /// A well-formed name (`v` and a number from 1, without leading zeros):
    /// `v7` is version 7; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Self> {
        let digits = name.strip_prefix('v')?;
        if digits.is_empty()
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        digits.parse().ok().map(Self)
    }

    /// A name the user typed, or an error saying why it is not one (and,
    /// for a near miss such as `V2` or `2`, how to write it).
    pub fn parse(name: &str) -> Result<Self> {
        if let Some(version) = Self::from_name(name) {
            return Ok(version);
        }
        let digits = name.trim_start_matches(['v', 'V']);
        let reason = match digits.parse::<u32>() {
            Ok(0) => "versions count from v1".to_owned(),
            Ok(n) if name == digits || name.starts_with('V') || digits.starts_with('0') => {
                format!("write it as v{n}")
            }
            _ => "a version is `v` and a number, e.g. v2".to_owned(),
        };
        Err(Error::InvalidVersionName {
            name: name.to_owned(),
            reason,
        })
    }

    /// The number (`2` for `v2`), as `Accept-Version` names it.
    pub fn number(self) -> u32 {
        self.0
    }

    /// The version after this one.
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }

    /// Whether it is `v1`.
    pub fn is_first(self) -> bool {
        self == Self::FIRST
    }

    /// The marker of its routes list in the generated `src/routers/mod.rs`:
    /// `// apigen:routes` for v1 (as in an unversioned project), then
    /// `// apigen:routes:v2`, ….
    pub fn routes_anchor(self) -> String {
        if self.is_first() {
            "// apigen:routes".to_owned()
        } else {
            format!("// apigen:routes:{self}")
        }
    }

    /// The file its GraphQL schema is checked in as, in SDL: `schema.graphql`
    /// for v1 (and in a project without versions), then `schema.v2.graphql`, ….
    pub fn sdl_file(self) -> String {
        if self.is_first() {
            "schema.graphql".to_owned()
        } else {
            format!("schema.{self}.graphql")
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_names_are_v_and_a_number() {
        assert_eq!(ApiVersion::from_name("v1"), Some(ApiVersion::FIRST));
        assert_eq!(
            ApiVersion::from_name("v12").map(ApiVersion::number),
            Some(12)
        );
        for bad in [
            "v0",
            "v01",
            "V2",
            "2",
            "v",
            "v2a",
            "v-1",
            "v+1",
            "v99999999999",
        ] {
            assert_eq!(ApiVersion::from_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn typed_names_are_parsed_and_mistakes_are_explained() {
        assert_eq!(ApiVersion::parse("v2").unwrap().number(), 2);
        assert_eq!(ApiVersion::parse("v10").unwrap().to_string(), "v10");
        for (name, reason) in [
            ("2", "write it as v2"),
            ("V2", "write it as v2"),
            ("v02", "write it as v2"),
            ("v0", "versions count from v1"),
            ("v2.1", "a version is `v` and a number"),
            ("version2", "a version is `v` and a number"),
            ("", "a version is `v` and a number"),
        ] {
            let err = ApiVersion::parse(name).unwrap_err().to_string();
            assert!(err.contains(reason), "{name}: {err}");
            assert!(err.ends_with("nothing was changed"), "{err}");
        }
    }

    #[test]
    fn v1_keeps_the_unversioned_names() {
        let v2 = ApiVersion::FIRST.next();
        assert_eq!(
            (ApiVersion::FIRST.routes_anchor(), v2.routes_anchor()),
            (
                "// apigen:routes".to_owned(),
                "// apigen:routes:v2".to_owned()
            )
        );
        assert_eq!(
            (ApiVersion::FIRST.sdl_file(), v2.sdl_file()),
            ("schema.graphql".to_owned(), "schema.v2.graphql".to_owned())
        );
    }
}
