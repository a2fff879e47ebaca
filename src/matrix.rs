//! The end-to-end test matrix, computed from the choices: the supported
//! values ([`Choice::supported`]) of every dimension, combined pairwise (all
//! pairs), so that any two values of any two dimensions meet in at least one
//! generated project. `tests/e2e.rs` builds, lints, tests and serves each
//! combination; a value made supported joins the matrix with no list to edit.
//!
//! It lives in the library, not in `tests/`, so that its unit tests run with
//! `cargo test --lib` and prove the computed set covers every pair.

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::convert::Infallible;

use crate::spec::{
    Asker, Cache, Choice, Database, ProjectSpec, Protocol, Versioning, owned_refusal,
};

/// Whether a combination grows its project with `apigen add resource`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resources {
    /// The project as `apigen new` wrote it.
    Fresh,
    /// Two resources added; one of them `--owned` where the auth method has
    /// owners (see [`Combination::owned`]).
    Added,
    /// [`Resources::Added`], then `apigen add version v2` and a resource in v2
    /// only; the project's tests run before that resource (recording v1's
    /// contract) and after it (proving v1 did not change). Not a pairwise
    /// value: one such project per versioning mode that has versions
    /// ([`versioned`]).
    SecondVersion,
    /// A project that lived: made without a cache, with the resources of
    /// [`Resources::Added`] and a third one; then `apigen update --cache …`
    /// brings it to the combination's cache and `apigen remove resource`
    /// takes the third one out. Not a pairwise value: one project ([`lived`]).
    Updated,
}

impl Resources {
    /// Both values, fresh first.
    pub const ALL: [Resources; 2] = [Resources::Fresh, Resources::Added];

    /// The value as test names show it.
    pub fn name(self) -> &'static str {
        match self {
            Resources::Fresh => "fresh",
            Resources::Added => "resources",
            Resources::SecondVersion => "v2",
            Resources::Updated => "updated",
        }
    }
}

/// One project of the matrix: a value of every dimension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Combination {
    /// Its choices; their `name` is unused ([`Combination::spec`] names the
    /// project).
    pub choices: ProjectSpec,
    pub resources: Resources,
}

impl Combination {
    /// The default project: `apigen new NAME --yes`, no resource added.
    pub fn default_project() -> Self {
        Self {
            choices: ProjectSpec::with_defaults(""),
            resources: Resources::Fresh,
        }
    }

    /// The test name: every value in dimension order, `-`-joined, protocols
    /// `+`-joined (`rest-jwt-postgres-url-redis-resources`).
    pub fn name(&self) -> String {
        let mut parts: Vec<String> = (self.choices.named().iter())
            .map(|answer| answer.values.join("+"))
            .collect();
        parts.push(self.resources.name().to_owned());
        parts.join("-")
    }

    /// A crate name unique to the combination (`e2e_rest_jwt_…`), so that
    /// projects sharing one target folder never share a binary.
    pub fn project_name(&self) -> String {
        // Short names keep it well within a crate name's 64 characters: some
        // generated lines name the crate, and rustfmt wraps them past 100 columns.
        let name = self
            .name()
            .replace("graphql", "gql")
            .replace("websocket", "ws")
            .replace("postgres", "pg")
            .replace("resources", "res");
        format!("e2e_{}", name.replace(['-', '+'], "_"))
    }

    /// The `apigen new` flags for the choices that differ from the defaults:
    /// the default project is generated exactly as `apigen new NAME --yes`.
    pub fn new_args(&self) -> Vec<String> {
        let defaults = Self::default_project().choices.named();
        (self.choices.named().into_iter())
            .zip(defaults)
            .filter(|(answer, default)| answer.values != default.values)
            .flat_map(|(answer, _)| [answer.flag.to_owned(), answer.values.join(",")])
            .collect()
    }

    /// The choices as the project records them, named `name`.
    pub fn spec(&self, name: &str) -> ProjectSpec {
        ProjectSpec {
            name: name.to_owned(),
            ..self.choices.clone()
        }
    }

    /// Whether one of the added resources is `--owned`: only where resources
    /// are added and the auth method allows owners ([`owned_refusal`]).
    pub fn owned(&self) -> bool {
        self.resources != Resources::Fresh && owned_refusal(self.choices.auth).is_none()
    }
}

/// The values of every dimension the matrix combines: each question's of
/// [`ProjectSpec::ask`], in its order, then [`Resources`].
#[derive(Clone, Debug)]
pub struct Dimensions {
    /// Per question, its values, each by the names of its choices (one, or
    /// several for a set of protocols).
    pub questions: Vec<Vec<Vec<String>>>,
    pub resources: Vec<Resources>,
}

impl Dimensions {
    /// Every value apigen can generate today: each supported value of a
    /// question, and the sets of [`protocol_sets`] where it takes several.
    pub fn supported() -> Self {
        struct Supported(Vec<Vec<Vec<String>>>);
        fn named<C: Choice>(sets: Vec<Vec<C>>) -> Vec<Vec<String>> {
            let names = |set: Vec<C>| set.iter().map(|c| c.name()).collect();
            sets.into_iter().map(names).collect()
        }
        impl Asker for Supported {
            type Error = Infallible;
            fn one<C: Choice>(&mut self, default: C) -> Result<C, Infallible> {
                let values = C::supported().into_iter().map(|c| vec![c]).collect();
                self.0.push(named(values));
                Ok(default)
            }
            fn many<C: Choice>(&mut self, defaults: &[C]) -> Result<Vec<C>, Infallible> {
                self.0.push(named(protocol_sets(&C::supported())));
                Ok(defaults.to_vec())
            }
        }
        let mut supported = Supported(Vec::new());
        let Ok(_) = ProjectSpec::ask("", &mut supported);
        Self {
            questions: supported.0,
            resources: Resources::ALL.to_vec(),
        }
    }

    /// How many values each dimension has.
    pub fn sizes(&self) -> Vec<usize> {
        let questions = self.questions.iter().map(Vec::len);
        questions.chain([self.resources.len()]).collect()
    }

    /// The combination whose value of dimension `d` is `row[d]`-th.
    fn combination(&self, row: &[usize]) -> Combination {
        /// Answers each question with the row's value of its dimension.
        struct Row<'a>(std::slice::Iter<'a, &'a Vec<String>>);
        impl Row<'_> {
            fn next<C: Choice>(&mut self) -> Vec<C> {
                let names = self.0.next().expect("a value for every question");
                let parse = |name: &String| C::from_str(name, false).expect("a value's own name");
                names.iter().map(parse).collect()
            }
        }
        impl Asker for Row<'_> {
            type Error = Infallible;
            fn one<C: Choice>(&mut self, _: C) -> Result<C, Infallible> {
                Ok(self.next()[0])
            }
            fn many<C: Choice>(&mut self, _: &[C]) -> Result<Vec<C>, Infallible> {
                Ok(self.next())
            }
        }
        let values: Vec<&Vec<String>> = (self.questions.iter().zip(row))
            .map(|(values, &at)| &values[at])
            .collect();
        let Ok(choices) = ProjectSpec::ask("", &mut Row(values.iter()));
        Combination {
            choices,
            resources: self.resources[row[self.questions.len()]],
        }
    }

    /// The position of each of `combination`'s values in its dimension, or
    /// `None` when one is not among the dimension's values.
    pub fn row(&self, combination: &Combination) -> Option<Vec<usize>> {
        let answers = combination.choices.named();
        let mut row = Vec::new();
        for (values, answer) in self.questions.iter().zip(&answers) {
            row.push(values.iter().position(|v| *v == answer.values)?);
        }
        let resources = &self.resources;
        row.push(resources.iter().position(|r| *r == combination.resources)?);
        Some(row)
    }

    /// A pairwise covering set: the default project first (when its values
    /// are all here), then what [`cover_pairs`] adds.
    pub fn pairwise(&self) -> Vec<Combination> {
        let seeds: Vec<Vec<usize>> = self
            .row(&Combination::default_project())
            .into_iter()
            .collect();
        cover_pairs(&self.sizes(), seeds)
            .iter()
            .map(|row| self.combination(row))
            .collect()
    }
}

/// The matrix `tests/e2e.rs` runs: pairwise over every supported value.
pub fn combinations() -> Vec<Combination> {
    let mut combinations = Dimensions::supported().pairwise();
    combinations.extend(versioned());
    combinations.push(lived());
    combinations
}

/// The project that [`Resources::Updated`] describes: PostgreSQL and Redis,
/// so the update turns on a server-backed cache and the removal's migration
/// drops a table on a real server.
pub fn lived() -> Combination {
    Combination {
        choices: ProjectSpec {
            db: Database::Postgres,
            cache: Cache::Redis,
            ..ProjectSpec::with_defaults("")
        },
        resources: Resources::Updated,
    }
}

/// The default project with every supported protocol, grown to a second API
/// version ([`Resources::SecondVersion`]), once per versioning mode that has
/// versions: each protocol's own versions (REST's routes, GraphQL's schema,
/// gRPC's package) are proven together.
pub fn versioned() -> Vec<Combination> {
    Versioning::supported()
        .into_iter()
        .filter(|versioning| *versioning != Versioning::None)
        .map(|versioning| Combination {
            choices: ProjectSpec {
                versioning,
                protocols: Protocol::supported(),
                ..ProjectSpec::with_defaults("")
            },
            resources: Resources::SecondVersion,
        })
        .collect()
}

/// The values of a question that takes several (the protocols): each
/// supported value alone; and, when several are supported, all of them
/// together.
pub fn protocol_sets<C: Copy>(supported: &[C]) -> Vec<Vec<C>> {
    let mut sets: Vec<Vec<C>> = supported.iter().map(|p| vec![*p]).collect();
    if supported.len() > 1 {
        sets.push(supported.to_vec());
    }
    sets
}

/// A value of one dimension: (dimension, index of the value).
pub type Value = (usize, usize);

/// Two values of two dimensions, the lower dimension first.
pub type Pair = (Value, Value);

/// Every pair that a set of rows over dimensions of `sizes` must cover.
pub fn all_pairs(sizes: &[usize]) -> BTreeSet<Pair> {
    let mut pairs = BTreeSet::new();
    for (d1, &n1) in sizes.iter().enumerate() {
        for (d2, &n2) in sizes.iter().enumerate().skip(d1 + 1) {
            for v1 in 0..n1 {
                for v2 in 0..n2 {
                    pairs.insert(((d1, v1), (d2, v2)));
                }
            }
        }
    }
    pairs
}

/// The pairs one row covers.
fn pairs_of(row: &[usize]) -> impl Iterator<Item = Pair> + '_ {
    row.iter().enumerate().flat_map(move |(d1, &v1)| {
        row.iter()
            .enumerate()
            .skip(d1 + 1)
            .map(move |(d2, &v2)| ((d1, v1), (d2, v2)))
    })
}

/// The pairs of dimensions of `sizes` that no row of `rows` covers.
pub fn missing_pairs(sizes: &[usize], rows: &[Vec<usize>]) -> Vec<Pair> {
    let mut missing = all_pairs(sizes);
    for row in rows {
        for pair in pairs_of(row) {
            missing.remove(&pair);
        }
    }
    missing.into_iter().collect()
}

/// Greedy all-pairs: starting from `seeds`, while a pair is missing, adds a
/// row holding the first missing pair whose other values, dimension by
/// dimension, each cover the most missing pairs with the values already
/// chosen (the lowest value on a tie, so the result is stable).
///
/// Every dimension must have at least one value.
pub fn cover_pairs(sizes: &[usize], seeds: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    assert!(
        sizes.iter().all(|&n| n > 0),
        "every dimension needs a value: {sizes:?}"
    );
    let mut missing: BTreeSet<Pair> = missing_pairs(sizes, &seeds).into_iter().collect();
    let mut rows = seeds;
    while let Some(&((d1, v1), (d2, v2))) = missing.first() {
        let mut row: Vec<Option<usize>> = vec![None; sizes.len()];
        row[d1] = Some(v1);
        row[d2] = Some(v2);
        for d in 0..sizes.len() {
            if row[d].is_none() {
                let gain = |v: usize| newly_covered(&missing, &row, (d, v));
                row[d] = (0..sizes[d]).max_by_key(|&v| (gain(v), Reverse(v)));
            }
        }
        let row: Vec<usize> = row.into_iter().flatten().collect();
        for pair in pairs_of(&row) {
            missing.remove(&pair);
        }
        rows.push(row);
    }
    rows
}

/// How many missing pairs `value` would cover with the values chosen so far.
fn newly_covered(missing: &BTreeSet<Pair>, row: &[Option<usize>], value: Value) -> usize {
    row.iter()
        .enumerate()
        .filter_map(|(d, v)| v.map(|v| (d, v)))
        .filter(|&other| {
            let pair = if other.0 < value.0 {
                (other, value)
            } else {
                (value, other)
            };
            missing.contains(&pair)
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Auth;

    #[test]
    fn the_matrix_covers_every_pair_of_supported_values() {
        let dimensions = Dimensions::supported();
        let combinations = dimensions.pairwise();
        let rows: Vec<Vec<usize>> = combinations
            .iter()
            .map(|c| dimensions.row(c).expect("values of the dimensions"))
            .collect();
        assert_eq!(missing_pairs(&dimensions.sizes(), &rows), vec![]);
        let mut sizes = dimensions.sizes();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        assert!(combinations.len() >= sizes[0] * sizes[1]);
        assert_eq!(combinations[0], Combination::default_project());
        let names: BTreeSet<String> = combinations.iter().map(Combination::name).collect();
        assert_eq!(names.len(), combinations.len(), "names are unique");
    }

    #[test]
    fn every_versioning_with_versions_grows_a_second_version() {
        let versioned = versioned();
        let modes: Vec<Versioning> = versioned.iter().map(|c| c.choices.versioning).collect();
        assert_eq!(modes, vec![Versioning::Url, Versioning::Header]);
        assert!(
            versioned
                .iter()
                .all(|c| c.owned() && c.name().ends_with("-v2"))
        );
        assert!(
            versioned
                .iter()
                .all(|c| c.choices.protocols == Protocol::supported())
        );
        let all = combinations();
        assert!(versioned.iter().all(|c| all.contains(c)));
    }

    #[test]
    fn one_project_lives_through_an_update_and_a_removal() {
        let lived = lived();
        assert_eq!(lived.name(), "rest-jwt-postgres-url-redis-updated");
        assert!(lived.owned());
        assert!(combinations().contains(&lived));
    }

    #[test]
    fn the_checker_names_a_missing_pair() {
        let rows = vec![vec![0, 0], vec![1, 1], vec![0, 1]];
        assert_eq!(missing_pairs(&[2, 2], &rows), vec![((0, 1), (1, 0))]);
        assert_eq!(missing_pairs(&[2, 2], &[vec![0, 0], vec![1, 1]]).len(), 2);
    }

    #[test]
    fn greedy_rows_cover_every_pair_and_stay_small() {
        // (sizes, most rows allowed): today's matrix and the one with four
        // auth methods, both at the minimum (the two largest dimensions'
        // product), then larger ones.
        let cases: [(&[usize], usize); 4] = [
            (&[1, 1, 4, 1, 3, 2], 12),
            (&[1, 4, 4, 1, 3, 2], 16),
            (&[5, 4, 4, 3, 3, 2], 24),
            (&[2, 2, 2], 4),
        ];
        for (sizes, most) in cases {
            let rows = cover_pairs(sizes, vec![vec![0; sizes.len()]]);
            assert_eq!(missing_pairs(sizes, &rows), vec![], "{sizes:?}");
            assert!(rows.len() <= most, "{sizes:?}: {} rows", rows.len());
            assert_eq!(rows[0], vec![0; sizes.len()], "the seed comes first");
        }
    }

    #[test]
    fn several_protocols_are_tried_alone_and_together() {
        assert_eq!(protocol_sets(&[Protocol::Rest]), vec![vec![Protocol::Rest]]);
        let both = [Protocol::Rest, Protocol::Grpc];
        assert_eq!(
            protocol_sets(&both),
            vec![vec![Protocol::Rest], vec![Protocol::Grpc], both.to_vec()]
        );
    }

    #[test]
    fn every_combination_makes_a_valid_crate_name() {
        for combination in combinations() {
            let name = combination.project_name();
            assert!(
                crate::names::validate_crate_name(&name).is_ok() && name.len() <= 50,
                "{} gives {name}",
                combination.name()
            );
        }
    }

    #[test]
    fn the_default_project_is_named_and_generated_without_flags() {
        let default = Combination::default_project();
        assert_eq!(default.name(), "rest-jwt-sqlite-url-none-fresh");
        assert_eq!(default.project_name(), "e2e_rest_jwt_sqlite_url_none_fresh");
        assert_eq!(default.new_args(), Vec::<String>::new());
        let redis = Combination {
            choices: ProjectSpec {
                db: Database::Postgres,
                cache: Cache::Redis,
                ..default.choices
            },
            ..default
        };
        assert_eq!(redis.new_args(), ["--db", "postgres", "--cache", "redis"]);
    }

    #[test]
    fn added_resources_are_owned_only_where_owners_exist() {
        let added = Combination {
            resources: Resources::Added,
            ..Combination::default_project()
        };
        assert!(added.owned());
        assert!(!Combination::default_project().owned());
        let no_users = Combination {
            choices: ProjectSpec {
                auth: Auth::None,
                ..added.choices.clone()
            },
            ..added
        };
        assert!(!no_users.owned());
    }
}
