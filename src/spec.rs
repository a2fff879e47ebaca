//! The user's choices: one type that flags, prompts, templates and the
//! generated project's `apigen.toml` all share, and the one list of the
//! questions ([`ProjectSpec::ask`]) that the command-line flags, the prompts,
//! the summaries, the end-to-end matrix and the lock template's dimensions
//! iterate. A leaf: it imports nothing of the crate.

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// A question apigen asks; each variant's doc comment says when to pick it,
/// and is shown both in `--help` and in the interactive prompt.
pub trait Choice: ValueEnum + Copy + PartialEq + Send + Sync + 'static {
    /// The flag that answers this question, e.g. `--db`.
    const FLAG: &'static str;
    /// What the flag decides, as `--help` says it.
    const FLAG_HELP: &'static str;
    /// The question as the prompt asks it.
    const QUESTION: &'static str;
    /// Its name in the summary `apigen new` prints (`database`).
    const LABEL: &'static str;
    /// How templates name it (`auth.method`).
    const VARIABLE: &'static str;
    /// Whether its value changes the generated `Cargo.toml`, and so the lock
    /// template's conditions (`scripts/lock_template.py`).
    const CHANGES_DEPENDENCIES: bool;

    /// Whether templates for this value exist yet. Adding a choice is: write
    /// its templates, list them in `templates/manifest.toml`, flip this.
    fn is_supported(self) -> bool;

    /// The value as the user types it (`api-key`).
    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }

    /// When to pick this value (the variant's doc comment).
    fn help(self) -> String {
        self.to_possible_value()
            .and_then(|v| v.get_help().map(ToString::to_string))
            .unwrap_or_default()
    }

    /// Why this value is never generated, for a value apigen accepts only to
    /// refuse it with a reason and an alternative (`--protocol soap`).
    fn declined(self) -> Option<&'static str> {
        None
    }

    /// What the value means, where the summary says it beside the name
    /// (`url (/v1/…)`).
    fn detail(self) -> Option<&'static str> {
        None
    }

    /// The values that can be generated today.
    fn supported() -> Vec<Self> {
        Self::value_variants()
            .iter()
            .copied()
            .filter(|v| v.is_supported())
            .collect()
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, ValueEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// REST over HTTP+JSON: stateless, resource-based; best for most web APIs
    Rest,
    /// GraphQL: clients ask for exactly the fields they need; complex queries
    Graphql,
    /// gRPC: typed, fast service-to-service calls over HTTP/2
    Grpc,
    /// WebSockets: real-time, two-way messages (chat, live updates)
    Websocket,
    /// SOAP: refused, with the reason (legacy enterprise integrations only)
    #[value(hide = true)]
    Soap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    /// No authentication: internal services behind another gatekeeper
    None,
    /// JWT: short-lived bearer tokens plus rotating refresh tokens; APIs for apps
    Jwt,
    /// OAuth2: delegate sign-in to an identity provider, scopes, PKCE for SPAs
    Oauth2,
    /// API keys: machine-to-machine and partner access, rotated periodically
    ApiKey,
    /// Cookie sessions: browser front ends on the same site; server-side sessions, CSRF tokens
    Session,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Database {
    /// SQLite: a file, nothing to install; development and small deployments
    Sqlite,
    /// PostgreSQL: the default choice for production data
    Postgres,
    /// MySQL or MariaDB: when your organisation already runs it
    Mysql,
    /// None: an in-memory store for mock servers and early feedback; data is lost on restart
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Versioning {
    /// URL prefix (/v1/users): visible, cache-friendly, easiest to route
    Url,
    /// Header (Accept-Version: 1): clean URLs, version negotiated per request
    Header,
    /// None: unversioned routes, for internal APIs you deploy with their clients
    None,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cache {
    /// None: every read goes to the database; no cache code is generated
    #[default]
    None,
    /// Memory: a per-process cache (moka); one instance, or short TTLs across several
    Memory,
    /// Redis: one cache shared by every instance (REDIS_URL); an outage falls back to the database
    Redis,
}

impl Choice for Protocol {
    const FLAG: &'static str = "--protocol";
    const FLAG_HELP: &'static str = "Protocols to serve; several may be given, comma-separated";
    const LABEL: &'static str = "protocol";
    const VARIABLE: &'static str = "protocols";
    const CHANGES_DEPENDENCIES: bool = true;
    const QUESTION: &'static str = "Which protocols should the API speak?";

    fn is_supported(self) -> bool {
        matches!(
            self,
            Protocol::Rest | Protocol::Graphql | Protocol::Grpc | Protocol::Websocket
        )
    }

    fn declined(self) -> Option<&'static str> {
        (self == Protocol::Soap).then_some(
            "SOAP belongs to legacy enterprise integrations only (guide §5), and a new API \
             should not start with it. Generate REST (or gRPC for typed service-to-service \
             calls), and where a partner can speak only SOAP, put a SOAP-to-REST mediation \
             of your API gateway in front of it",
        )
    }
}

impl Choice for Auth {
    const FLAG: &'static str = "--auth";
    const FLAG_HELP: &'static str = "Authentication method";
    const LABEL: &'static str = "auth";
    const VARIABLE: &'static str = "auth.method";
    const CHANGES_DEPENDENCIES: bool = true;
    const QUESTION: &'static str = "How do clients authenticate?";

    fn is_supported(self) -> bool {
        matches!(
            self,
            Auth::None | Auth::Jwt | Auth::ApiKey | Auth::Session | Auth::Oauth2
        )
    }
}

impl Choice for Database {
    const FLAG: &'static str = "--db";
    const FLAG_HELP: &'static str = "Database";
    const LABEL: &'static str = "database";
    const VARIABLE: &'static str = "db";
    const CHANGES_DEPENDENCIES: bool = true;
    const QUESTION: &'static str = "Which database?";

    fn is_supported(self) -> bool {
        true
    }
}

impl Choice for Versioning {
    const FLAG: &'static str = "--versioning";
    const FLAG_HELP: &'static str = "API versioning scheme";
    const LABEL: &'static str = "versioning";
    const VARIABLE: &'static str = "versioning";
    const CHANGES_DEPENDENCIES: bool = false;
    const QUESTION: &'static str = "How is the API versioned?";

    fn is_supported(self) -> bool {
        true
    }

    fn detail(self) -> Option<&'static str> {
        Some(match self {
            Versioning::Url => "/v1/…",
            Versioning::Header => "Accept-Version: 1",
            Versioning::None => "unversioned paths",
        })
    }
}

impl Choice for Cache {
    const FLAG: &'static str = "--cache";
    const FLAG_HELP: &'static str = "Read-through cache of get-by-id";
    const LABEL: &'static str = "cache";
    const VARIABLE: &'static str = "cache";
    const CHANGES_DEPENDENCIES: bool = true;
    const QUESTION: &'static str = "Cache reads by id?";

    fn is_supported(self) -> bool {
        true
    }
}

/// A choice value this apigen cannot generate yet, with the values it can.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// The flag that sets it, e.g. `--auth`.
    pub flag: &'static str,
    pub value: String,
    /// The supported values, comma-separated.
    pub available: String,
}

/// The first of `values` that is not supported, if any.
pub fn first_unsupported<C: Choice>(values: &[C]) -> Option<Unsupported> {
    let value = values.iter().find(|v| !v.is_supported())?;
    let available: Vec<String> = C::supported().iter().map(|c| c.name()).collect();
    Some(Unsupported {
        flag: C::FLAG,
        value: value.name(),
        available: available.join(", "),
    })
}

impl Auth {
    /// Whether requests carry proven callers (`auth::Principal`), which
    /// routes can require and rows can belong to: every method but `none`.
    /// The templates read it as `auth.principal` (`project_vars.rs`).
    pub fn has_callers(self) -> bool {
        self != Auth::None
    }
}

/// Why `apigen add resource --owned` is refused for projects made with
/// `auth`, or `None` when owned resources are allowed: rows can belong only
/// to proven callers ([`Auth::has_callers`]). Combinations refused by design
/// are declared here, next to the choices: the command and the end-to-end
/// matrix both read it.
pub fn owned_refusal(auth: Auth) -> Option<&'static str> {
    (!auth.has_callers()).then_some(
        "a project with --auth none has no users, so no row can have an owner; \
         drop --owned to add a resource every client shares, or generate the \
         project with an auth method that has callers (e.g. --auth jwt or --auth api-key)",
    )
}

/// Who may create, change and delete the rows of a resource every caller shares
/// (one added without `--owned`): `apigen add resource --writes`. Reads are open
/// to every signed-in caller either way (Guide §3 "Least privilege", OWASP API5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Writes {
    /// Only callers with the admin role create, change and delete rows; anyone signed in reads them
    Admin,
    /// Any signed-in caller creates, changes and deletes any row
    Any,
}

impl Writes {
    /// The policy of a shared resource when `--writes` is not given, or `None`
    /// where the project has no callers to tell apart (`--auth none`).
    ///
    /// - Where accounts register themselves (`jwt`, `session`; `oauth2`'s
    ///   identity provider lets anyone sign in): `admin`, or anyone on the
    ///   internet could register and delete every row.
    /// - API keys: `any`. No caller exists until an admin issues their key, so
    ///   every key holder was vetted; a `user` key is one that cannot manage
    ///   keys or read the audit log. Requiring `admin` would push operators to
    ///   hand partners admin keys just to let them write, the opposite of least
    ///   privilege. `--writes admin` keeps `user` keys read-only.
    pub fn default_for(auth: Auth) -> Option<Self> {
        match auth {
            Auth::None => None,
            Auth::Jwt | Auth::Session | Auth::Oauth2 => Some(Writes::Admin),
            Auth::ApiKey => Some(Writes::Any),
        }
    }

    /// The value as the user types it (`admin`).
    pub fn name(self) -> &'static str {
        match self {
            Writes::Admin => "admin",
            Writes::Any => "any",
        }
    }
}

/// Why `apigen add resource --writes` is refused for a resource that is
/// `owned` in a project made with `auth`, or `None` where a write policy
/// means something: a resource every caller shares, in a project with callers.
pub fn writes_refusal(auth: Auth, owned: bool) -> Option<&'static str> {
    if owned {
        Some(
            "the rows of an --owned resource are read and written only by their owner, \
             so there is no write policy to choose; drop --writes, or drop --owned to add \
             a resource every caller shares",
        )
    } else if !auth.has_callers() {
        Some(
            "a project with --auth none has no callers and no roles, so every client may \
             write and there is nothing to enforce; drop --writes, or generate the project \
             with an auth method that has callers (e.g. --auth jwt or --auth api-key)",
        )
    } else {
        None
    }
}

/// Answers the questions of [`ProjectSpec::ask`], each by its type: from
/// flags, prompts or defaults (`apigen new`), a row of the end-to-end matrix,
/// or nothing at all, to declare the flags or list the dimensions.
pub trait Asker {
    type Error;
    /// The answer to `C`'s question, which takes one value.
    fn one<C: Choice>(&mut self, default: C) -> Result<C, Self::Error>;
    /// The answer to `C`'s question, which takes one or more values
    /// (`--protocol rest,grpc`).
    fn many<C: Choice>(&mut self, defaults: &[C]) -> Result<Vec<C>, Self::Error>;
}

/// Reads a spec's answers, each by its type, in the order of
/// [`ProjectSpec::ask`] ([`ProjectSpec::answers`]).
pub trait Answers {
    fn answer<C: Choice>(&mut self, values: &[C]);
}

/// One answer of a spec by name, for what people read: summaries, the
/// end-to-end matrix's test names and flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The flag that sets it (`--versioning`).
    pub flag: &'static str,
    /// Its name in the summary of `apigen new` (`versioning`).
    pub label: &'static str,
    /// The values as the user types them (`url`).
    pub values: Vec<String>,
    /// Each value with what it means where it says so (`url (/v1/…)`).
    pub shown: Vec<String>,
}

/// Every choice that shapes a generated project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSpec {
    /// The crate (and binary) name.
    pub name: String,
    /// One or more protocols, sorted and without duplicates.
    pub protocols: Vec<Protocol>,
    pub auth: Auth,
    pub db: Database,
    pub versioning: Versioning,
    /// Read-through cache of get-by-id; absent in files from older apigens.
    #[serde(default)]
    pub cache: Cache,
}

impl ProjectSpec {
    /// The defaults: what `apigen new NAME --yes` generates.
    pub fn with_defaults(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            protocols: vec![Protocol::Rest],
            auth: Auth::Jwt,
            db: Database::Sqlite,
            versioning: Versioning::Url,
            cache: Cache::None,
        }
    }

    /// THE list of questions, in the order they are asked: a spec named
    /// `name` with each choice answered by `asker` (which is told the
    /// default). Every consumer of the choices iterates this (or
    /// [`ProjectSpec::answers`], the same list read back): a new question is
    /// a field, a line here and one in `answers`.
    pub fn ask<A: Asker>(name: impl Into<String>, asker: &mut A) -> Result<Self, A::Error> {
        let defaults = Self::with_defaults(name);
        Ok(Self {
            protocols: normalize_protocols(asker.many(&defaults.protocols)?),
            auth: asker.one(defaults.auth)?,
            db: asker.one(defaults.db)?,
            versioning: asker.one(defaults.versioning)?,
            cache: asker.one(defaults.cache)?,
            name: defaults.name,
        })
    }

    /// Each answer, in the order of [`ProjectSpec::ask`].
    pub fn answers(&self, answers: &mut impl Answers) {
        answers.answer(&self.protocols);
        answers.answer(&[self.auth]);
        answers.answer(&[self.db]);
        answers.answer(&[self.versioning]);
        answers.answer(&[self.cache]);
    }

    /// Each answer by name, in the order of [`ProjectSpec::ask`].
    pub fn named(&self) -> Vec<Named> {
        struct Names(Vec<Named>);
        impl Answers for Names {
            fn answer<C: Choice>(&mut self, values: &[C]) {
                self.0.push(Named {
                    flag: C::FLAG,
                    label: C::LABEL,
                    values: values.iter().map(|v| v.name()).collect(),
                    shown: values
                        .iter()
                        .map(|v| match v.detail() {
                            Some(detail) => format!("{} ({detail})", v.name()),
                            None => v.name(),
                        })
                        .collect(),
                });
            }
        }
        let mut names = Names(Vec::new());
        self.answers(&mut names);
        names.0
    }

    /// The name as a Rust identifier (`my-api` → `my_api`), as code `use`s it.
    pub fn crate_ident(&self) -> String {
        self.name.replace('-', "_")
    }

    /// The path prefix of versioned routes (`/v1`), empty when unversioned.
    pub fn api_prefix(&self) -> &'static str {
        match self.versioning {
            Versioning::Url => "/v1",
            Versioning::Header | Versioning::None => "",
        }
    }

    /// The first choice this apigen cannot generate (a hand-edited
    /// `apigen.toml`, or one written by a newer apigen), if any.
    pub fn unsupported(&self) -> Option<Unsupported> {
        struct First(Option<Unsupported>);
        impl Answers for First {
            fn answer<C: Choice>(&mut self, values: &[C]) {
                if self.0.is_none() {
                    self.0 = first_unsupported(values);
                }
            }
        }
        let mut first = First(None);
        self.answers(&mut first);
        first.0
    }

    /// One line naming every choice, for summaries
    /// (`protocol rest+grpc, auth jwt, db sqlite, versioning url, cache none`).
    pub fn summary(&self) -> String {
        let answers: Vec<String> = self
            .named()
            .iter()
            .map(|answer| {
                let flag = answer.flag.trim_start_matches('-');
                format!("{flag} {}", answer.values.join("+"))
            })
            .collect();
        answers.join(", ")
    }
}

/// Sorts and de-duplicates protocols so that `grpc,rest` and `rest,grpc,rest`
/// describe the same project.
pub fn normalize_protocols(mut protocols: Vec<Protocol>) -> Vec<Protocol> {
    protocols.sort();
    protocols.dedup();
    protocols
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_comes_from_the_variant_doc_comment() {
        assert!(Database::Sqlite.help().starts_with("SQLite"));
        assert_eq!(Auth::ApiKey.name(), "api-key");
    }

    #[test]
    fn protocols_are_sorted_and_unique() {
        let got = normalize_protocols(vec![Protocol::Grpc, Protocol::Rest, Protocol::Grpc]);
        assert_eq!(got, vec![Protocol::Rest, Protocol::Grpc]);
    }

    #[test]
    fn spec_round_trips_through_toml() {
        let spec = ProjectSpec::with_defaults("my-api");
        let text = toml::to_string(&spec).unwrap();
        assert!(text.contains("auth = \"jwt\""), "{text}");
        assert_eq!(toml::from_str::<ProjectSpec>(&text).unwrap(), spec);
        assert_eq!(spec.crate_ident(), "my_api");
    }

    #[test]
    fn every_protocol_but_the_declined_one_is_supported() {
        assert_eq!(ProjectSpec::with_defaults("shop").unsupported(), None);
        let spec = ProjectSpec {
            protocols: vec![Protocol::Rest, Protocol::Websocket],
            ..ProjectSpec::with_defaults("shop")
        };
        assert_eq!(spec.unsupported(), None);
        let soap = first_unsupported(&[Protocol::Rest, Protocol::Soap]).expect("soap is declined");
        assert_eq!((soap.flag, soap.value.as_str()), ("--protocol", "soap"));
        assert!(soap.available.contains("websocket"), "{soap:?}");
    }

    #[test]
    fn owned_resources_are_refused_only_without_users() {
        let reason = owned_refusal(Auth::None).expect("auth none has no owners");
        assert!(reason.contains("drop --owned"), "{reason}");
        assert_eq!(owned_refusal(Auth::Jwt), None);
    }

    #[test]
    fn writes_default_to_admin_where_anyone_can_sign_up() {
        assert_eq!(Writes::default_for(Auth::Jwt), Some(Writes::Admin));
        assert_eq!(Writes::default_for(Auth::Session), Some(Writes::Admin));
        assert_eq!(Writes::default_for(Auth::ApiKey), Some(Writes::Any));
        assert_eq!(Writes::default_for(Auth::None), None);
    }

    #[test]
    fn writes_are_refused_for_owned_resources_and_without_callers() {
        let owned = writes_refusal(Auth::Jwt, true).expect("owned rows have their owner");
        assert!(
            owned.contains("--owned") && owned.contains("drop --writes"),
            "{owned}"
        );
        let none = writes_refusal(Auth::None, false).expect("auth none has no callers");
        assert!(
            none.contains("--auth none") && none.contains("drop --writes"),
            "{none}"
        );
        assert_eq!(writes_refusal(Auth::ApiKey, false), None);
        assert_eq!(writes_refusal(Auth::Jwt, false), None);
    }

    /// Answers every question with its default, noting each flag.
    struct Flags(Vec<&'static str>);

    impl Asker for Flags {
        type Error = std::convert::Infallible;
        fn one<C: Choice>(&mut self, default: C) -> Result<C, Self::Error> {
            self.0.push(C::FLAG);
            Ok(default)
        }
        fn many<C: Choice>(&mut self, defaults: &[C]) -> Result<Vec<C>, Self::Error> {
            self.0.push(C::FLAG);
            Ok(defaults.to_vec())
        }
    }

    #[test]
    fn questions_are_asked_and_read_back_in_one_order() {
        let mut flags = Flags(Vec::new());
        let spec = ProjectSpec::ask("shop", &mut flags).unwrap();
        assert_eq!(spec, ProjectSpec::with_defaults("shop"));
        let read: Vec<&str> = spec.named().iter().map(|answer| answer.flag).collect();
        assert_eq!(flags.0, read);
        assert_eq!(
            read,
            ["--protocol", "--auth", "--db", "--versioning", "--cache"]
        );
        assert_eq!(
            spec.summary(),
            "protocol rest, auth jwt, db sqlite, versioning url, cache none"
        );
        assert_eq!(spec.named()[3].shown, ["url (/v1/…)"]);
    }

    #[test]
    fn files_without_a_cache_choice_still_read() {
        let text = "name = \"shop\"\nprotocols = [\"rest\"]\nauth = \"jwt\"\ndb = \"sqlite\"\nversioning = \"url\"\n";
        let spec: ProjectSpec = toml::from_str(text).unwrap();
        assert_eq!(spec.cache, Cache::None);
    }
}
