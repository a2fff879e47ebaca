//! The project-wide variables every template sees (project and resource
//! templates alike), computed once from the [`ProjectSpec`].
//!
//! Templates read capabilities (`auth.users`, `auth.scheme`, `sql`) rather than
//! comparing choice names, so a new choice value is a new set of capabilities
//! here plus its own templates, not an edit of every `{% if %}`.

use serde::Serialize;

use crate::resource::dialect::Sql;
use crate::spec::{Auth, Cache, Database, ProjectSpec, Protocol, Versioning};

/// What every template sees about the project.
#[derive(Debug, Serialize)]
pub struct ProjectVars<'a> {
    pub name: &'a str,
    pub protocols: &'a [Protocol],
    /// The same protocols, in the same order, each as shared templates describe
    /// it (`ProtocolVars`): `{% for p in adapters %}{{ p.title }}`.
    pub adapters: Vec<ProtocolVars>,
    /// The auth method's capabilities (`auth.method` is the choice itself).
    pub auth: AuthVars,
    pub db: Database,
    pub versioning: Versioning,
    pub cache: Cache,
    /// The name as a Rust identifier (`my_api`).
    pub crate_ident: String,
    /// Prefix of versioned routes as clients type them (`/v1`); empty when not
    /// URL-versioned.
    pub api_prefix: String,
    /// Prefix of versioned routes as the router matches them, in logs and metrics
    /// (`/v1`, also with header versioning); empty when unversioned.
    pub route_prefix: String,
    /// The SQL dialect (`src/resource/dialect.rs`); absent for `db = none`.
    pub sql: Option<Sql>,
    /// The project publishes committed writes to live subscribers
    /// (`services::Changes`): some protocol it speaks subscribes to them.
    pub live_changes: bool,
    /// Some protocol it speaks holds WebSockets open beyond their request: the
    /// project then has their settings (`config::SocketConfig`), charges their
    /// operations to the rate limit and, with sessions, checks a handshake's origin.
    pub sockets: bool,
    /// The shared engine that carries what one instance must tell the others
    /// (committed writes and ended credentials to their sockets, invalidations to
    /// their memory caches) (`src/fanout/`): `redis` (pub/sub) with the Redis
    /// cache, else `postgres` (`LISTEN/NOTIFY`); absent with neither sockets nor a
    /// memory cache, with SQLite or `--db none` (single-instance), and for MySQL
    /// without Redis (no pub/sub engine: one instance's fan-out).
    pub fanout: Option<&'static str>,
    /// The project runs as several instances (PostgreSQL or MySQL) and shares more
    /// between them than its database: a fan-out, or Redis (cache and rate-limit
    /// counters). `tests/instances.rs` then starts two and proves what they share
    /// (`TestApp::another_instance`).
    pub instances: bool,
    /// The modules of the protocols it speaks that have a framing of their own
    /// on the HTTP port (gRPC): each has `src/<module>/framing.rs`, which the
    /// shared layers ask (`is_call`, `refusals_as_status`, `rpc`, `status`,
    /// `is_method`, `version_of`) without naming the protocol.
    pub framings: Vec<&'static str>,
}

impl<'a> ProjectVars<'a> {
    pub fn new(spec: &'a ProjectSpec) -> Self {
        Self {
            name: &spec.name,
            protocols: &spec.protocols,
            adapters: spec
                .protocols
                .iter()
                .copied()
                .map(ProtocolVars::of)
                .collect(),
            auth: AuthVars::of(spec.auth),
            db: spec.db,
            versioning: spec.versioning,
            cache: spec.cache,
            crate_ident: spec.crate_ident(),
            api_prefix: spec.api_prefix().to_owned(),
            route_prefix: match spec.versioning {
                Versioning::Url | Versioning::Header => "/v1",
                Versioning::None => "",
            }
            .to_owned(),
            sql: Sql::of(spec.db),
            live_changes: spec
                .protocols
                .iter()
                .any(|protocol| ProtocolVars::of(*protocol).subscribes),
            sockets: spec
                .protocols
                .iter()
                .any(|protocol| ProtocolVars::of(*protocol).socket_path.is_some()),
            fanout: fanout(spec),
            instances: matches!(spec.db, Database::Postgres | Database::Mysql)
                && (fanout(spec).is_some() || spec.cache == Cache::Redis),
            framings: spec
                .protocols
                .iter()
                .map(|protocol| ProtocolVars::of(*protocol))
                .filter(|protocol| protocol.framing)
                .filter_map(|protocol| protocol.module)
                .collect(),
        }
    }
}

/// [`ProjectVars::fanout`]: Redis when the project has it, else PostgreSQL.
fn fanout(spec: &ProjectSpec) -> Option<&'static str> {
    let sockets = spec
        .protocols
        .iter()
        .any(|protocol| ProtocolVars::of(*protocol).socket_path.is_some());
    // SQLite (a file) and `--db none` (memory) run as one instance.
    let server_db = matches!(spec.db, Database::Postgres | Database::Mysql);
    // Without sockets, only a cache in each instance's memory has something to hear.
    if !(sockets || spec.cache == Cache::Memory) || !server_db {
        None
    } else if spec.cache == Cache::Redis {
        Some("redis")
    } else if spec.db == Database::Postgres {
        Some("postgres")
    } else {
        None
    }
}

/// What shared templates (and `apigen new`'s report) say of one protocol, so
/// that a new protocol is a row here plus its own files, not an edit of every
/// list that names the protocols. Its longer text (README sections, settings,
/// code that only it has) is its fragments, `templates/protocol/<name>/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ProtocolVars {
    /// The choice, as the user typed it (`graphql`).
    pub name: Protocol,
    /// How prose names it (`GraphQL`): the crate's doc line, the README's title.
    pub title: &'static str,
    /// Its own top-level module, `src/<module>/` (`pub mod` in `lib.rs`, named
    /// by `startup.rs`); absent for REST, whose routes are `routers`.
    pub module: Option<&'static str>,
    /// How it refuses a caller who may not write (the README's write policy).
    pub refusal: &'static str,
    /// Clients subscribe to changes over it (GraphQL subscriptions): the project
    /// then publishes committed writes (`live_changes`).
    pub subscribes: bool,
    /// Where it keeps WebSockets open beyond their request, after the API prefix
    /// (GraphQL subscriptions' `/graphql/ws`), if it does: the project then has
    /// `sockets`, whose guard (`src/socket.rs`) every such protocol shares.
    pub socket_path: Option<&'static str>,
    /// It has settings of its own (GraphQL's introspection, gRPC's reflection):
    /// `src/config/<module>.rs` with `<Module>Config`, a field of `HttpConfig`
    /// named after the module, which `config/mod.rs` and `config/http.rs` list.
    pub settings: bool,
    /// It has a framing of its own on the HTTP port (gRPC over HTTP/2: its
    /// `content-type`, its status in `grpc-status`, its version in its package):
    /// `src/<module>/framing.rs`, listed in `framings`.
    pub framing: bool,
    /// It has a schema per API version (GraphQL, gRPC): what `apigen add
    /// version` copies and lists for it; absent for REST, whose versions are
    /// the routes of `fn vN()`.
    #[serde(skip)]
    pub versions: Option<VersionedSchema>,
    /// What the report's `Next:` says about it, if anything; `{api_prefix}` is
    /// replaced by the project's prefix.
    pub next_step: Option<&'static str>,
}

impl ProtocolVars {
    pub fn of(name: Protocol) -> Self {
        let rest = Self {
            name,
            title: "REST",
            module: None,
            refusal: "403 problem+json over REST",
            subscribes: false,
            socket_path: None,
            settings: false,
            framing: false,
            versions: None,
            next_step: None,
        };
        match name {
            Protocol::Rest => rest,
            Protocol::Graphql => Self {
                title: "GraphQL",
                module: Some("graphql"),
                refusal: "`FORBIDDEN` in GraphQL",
                subscribes: true,
                socket_path: Some("/graphql/ws"),
                settings: true,
                versions: Some(VersionedSchema {
                    folders: &[],
                    module: "src/graphql/{v}.rs",
                    path: "/graphql",
                    header: "//! Version {number} of the GraphQL schema, at {reached}. It started as a\n\
                             //! copy of {previous}'s (`apigen add version {version}`); change it freely: {previous}\n\
                             //! keeps answering as before.\n",
                    lists: &[
                        (
                            "src/graphql/mod.rs",
                            "// apigen:versions",
                            "pub mod {version};",
                        ),
                        (
                            "src/graphql/mod.rs",
                            "// apigen:graphql-versions",
                            ".merge(endpoint(\"/{version}/graphql\", {version}::schema(introspection)))",
                        ),
                        (
                            "tests/graphql.rs",
                            "// apigen:graphql-schemas",
                            "(\"schema.{version}.graphql\", graphql::{version}::schema(true).sdl()),",
                        ),
                    ],
                }),
                next_step: Some(
                    "and send GraphQL to http://127.0.0.1:8080{api_prefix}/graphql (see the README)",
                ),
                ..rest
            },
            Protocol::Grpc => Self {
                title: "gRPC",
                module: Some("grpc"),
                refusal: "`PERMISSION_DENIED` in gRPC",
                settings: true,
                framing: true,
                versions: Some(VersionedSchema {
                    folders: &["proto/{ident}/{v}", "src/grpc/{v}"],
                    module: "src/grpc/{v}.rs",
                    path: "",
                    header: "//! Version {number} of the gRPC API: package `{ident}.{version}`, whose contract is\n\
                             //! `proto/{ident}/{version}/*.proto`. It started as a copy of {previous} (`apigen add\n\
                             //! version {version}`); change it freely: {previous} keeps answering as before.\n",
                    lists: &[
                        (
                            "src/grpc/mod.rs",
                            "// apigen:versions",
                            "pub mod {version};",
                        ),
                        (
                            "src/grpc/mod.rs",
                            "// apigen:grpc-versions",
                            "{version}::services(state, &mut routes);",
                        ),
                    ],
                }),
                next_step: Some(
                    "and call gRPC on the same port: grpcurl -plaintext 127.0.0.1:8080 list",
                ),
                ..rest
            },
            Protocol::Websocket => Self {
                title: "WebSocket",
                module: Some("websocket"),
                refusal: "a `FORBIDDEN` error frame over the WebSocket",
                subscribes: true,
                socket_path: Some("/ws"),
                next_step: Some(
                    "and open ws://127.0.0.1:8080{api_prefix}/ws (JSON messages, see the README)",
                ),
                ..rest
            },
            // Declined (`Choice::declined`): refused before rendering.
            Protocol::Soap => Self {
                title: "",
                refusal: "",
                ..rest
            },
        }
    }

    /// The report's line for this protocol in a project whose routes start
    /// with `api_prefix`.
    pub fn next_step(&self, api_prefix: &str) -> Option<String> {
        self.next_step
            .map(|line| line.replace("{api_prefix}", api_prefix))
    }
}

/// What `apigen add version` does for a protocol with a schema per API version
/// (`src/version/protocols.rs`): the new version starts as a copy of the
/// previous one, renamed, as REST's `fn vN()` starts as a copy of its routes.
///
/// In paths, `{v}` is the version (the previous one in what is copied, the new
/// one in the copy) and `{ident}` the crate; in `header` and `lists`,
/// `{version}` is the new version (`v2`), `{previous}` the one copied, `{number}`
/// the new one's number and `{reached}` how clients reach it (`path`, or
/// `Accept-Version` with header versioning).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionedSchema {
    /// Folders copied whole (gRPC's package and its adapters).
    pub folders: &'static [&'static str],
    /// The version's module, copied with `header` as its opening comment.
    pub module: &'static str,
    /// The path clients call it at (`/graphql`), for `{reached}`.
    pub path: &'static str,
    /// The new module's opening comment.
    pub header: &'static str,
    /// Where the new version is listed: `(file, anchor, line)`, each line
    /// written before its anchor.
    pub lists: &'static [(&'static str, &'static str, &'static str)],
}

/// What the generated project's auth method brings, as templates ask for it.
///
/// Every method with callers has a module `src/auth/<module>.rs` exposing the
/// same few items (`authenticate`, `recheck`, `MISSING`, `SCHEME`,
/// `security_scheme`, `HOW_TO_CALL`); the rest of the project sees only `auth::Principal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AuthVars {
    /// The choice, as the user typed it (`jwt`).
    pub method: Auth,
    /// The method's module under `src/auth/`; absent when there are no callers.
    pub module: Option<&'static str>,
    /// Requests carry proven callers (`auth::Principal`): routes can require
    /// one, rows can belong to one, limits can be per caller. False for `none`.
    pub principal: bool,
    /// The OpenAPI security scheme protected operations name.
    pub scheme: Option<&'static str>,
    /// The `WWW-Authenticate` challenge of a 401, if the method has one: the
    /// answer to a request without credentials (RFC 6750 §3.1: no error code).
    pub challenge: Option<&'static str>,
    /// The challenge of a 401 for credentials sent and refused, when it differs
    /// from [`AuthVars::challenge`] (a bearer token's `error="invalid_token"`).
    pub invalid_challenge: Option<&'static str>,
    /// Accounts with email and password: register and login routes, a users
    /// table, argon2 hashing, `promote-admin`.
    pub users: bool,
    /// Short-lived access tokens with rotating refresh tokens.
    pub refresh_tokens: bool,
    /// The project holds a secret that signs its tokens (`JWT_SECRET`): it is
    /// required at start-up, written to `.env`, passed to `docker run`, never
    /// baked into an image.
    pub signing_secret: bool,
    /// Callers have a role; admin-only routes exist (the audit log, users).
    pub roles: bool,
    /// Callers are API keys: an `api_keys` table, admin routes to create, list
    /// and revoke keys, and a command that prints the first one.
    pub api_keys: bool,
    /// Server-side sessions behind an opaque `HttpOnly` cookie, ended by logout;
    /// unsafe requests need a CSRF token (`X-CSRF-Token`) tied to the session.
    pub sessions: bool,
    /// Each request's credential is looked up in a store: when the store is
    /// down the caller gets a 503 (retry), not a 401 (your credential is bad).
    pub stored_credentials: bool,
    /// Checking a credential needs something that can be down for a while (the
    /// credential store, the identity provider's keys): the caller then gets a 503
    /// with `Retry-After` (`Authentication::Unavailable`), never "invalid credentials".
    pub unavailable: bool,
    /// Access tokens come from an external identity provider (OAuth2/OIDC): its
    /// issuer, audience and keys are settings, its discovery document and JWKS are
    /// fetched over HTTPS (reqwest) and cached; no accounts or secrets are kept here.
    pub provider: bool,
    /// Tokens carry OAuth2 scopes: every resource operation needs its scope
    /// (`<plural>:read`, `<plural>:write`), refused with 403 `insufficient_scope`.
    pub scopes: bool,
}

impl AuthVars {
    pub fn of(method: Auth) -> Self {
        let none = Self {
            method,
            module: None,
            principal: false,
            scheme: None,
            challenge: None,
            invalid_challenge: None,
            users: false,
            refresh_tokens: false,
            signing_secret: false,
            roles: false,
            api_keys: false,
            sessions: false,
            stored_credentials: false,
            unavailable: false,
            provider: false,
            scopes: false,
        };
        match method {
            Auth::None => none,
            Auth::Jwt => Self {
                module: Some("jwt"),
                principal: true,
                scheme: Some("bearer"),
                // RFC 6750 §3.1, as for oauth2.
                challenge: Some("Bearer"),
                invalid_challenge: Some("Bearer error=\"invalid_token\""),
                users: true,
                refresh_tokens: true,
                signing_secret: true,
                roles: true,
                // A socket's re-check asks the database whether the login still stands.
                unavailable: true,
                ..none
            },
            Auth::ApiKey => Self {
                module: Some("api_key"),
                principal: true,
                scheme: Some("api_key"),
                // Keys are also accepted as `Authorization: Bearer <key>` (RFC 6750).
                challenge: Some("Bearer"),
                roles: true,
                api_keys: true,
                stored_credentials: true,
                unavailable: true,
                ..none
            },
            Auth::Session => Self {
                module: Some("session"),
                principal: true,
                scheme: Some("session"),
                // Cookies have no `WWW-Authenticate` scheme: a 401 says to log in.
                challenge: None,
                users: true,
                roles: true,
                sessions: true,
                stored_credentials: true,
                unavailable: true,
                ..none
            },
            Auth::Oauth2 => Self {
                module: Some("oauth2"),
                principal: true,
                scheme: Some("oauth2"),
                // RFC 6750 §3.1: a request without a token gets a bare challenge
                // (no error code); a refused token is `invalid_token`.
                challenge: Some("Bearer"),
                invalid_challenge: Some("Bearer error=\"invalid_token\""),
                roles: true,
                unavailable: true,
                provider: true,
                scopes: true,
                ..none
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Choice;

    #[test]
    fn only_a_project_with_a_subscribing_protocol_publishes_live_changes() {
        let live = |protocols: &[Protocol]| {
            let mut spec = ProjectSpec::with_defaults("shop");
            spec.protocols = protocols.to_vec();
            ProjectVars::new(&spec).live_changes
        };
        assert!(live(&[Protocol::Graphql]));
        assert!(live(&[Protocol::Websocket]));
        assert!(live(&[Protocol::Rest, Protocol::Graphql, Protocol::Grpc]));
        assert!(!live(&[Protocol::Rest]));
        assert!(!live(&[Protocol::Rest, Protocol::Grpc]));
    }

    #[test]
    fn sockets_fan_out_through_redis_when_there_is_one_else_postgresql() {
        let fanout = |protocols: &[Protocol], db, cache| {
            let mut spec = ProjectSpec::with_defaults("shop");
            spec.protocols = protocols.to_vec();
            spec.db = db;
            spec.cache = cache;
            ProjectVars::new(&spec).fanout
        };
        let graphql = &[Protocol::Graphql];
        assert_eq!(
            fanout(graphql, Database::Postgres, Cache::Redis),
            Some("redis")
        );
        assert_eq!(
            fanout(graphql, Database::Mysql, Cache::Redis),
            Some("redis")
        );
        assert_eq!(
            fanout(graphql, Database::Postgres, Cache::Memory),
            Some("postgres")
        );
        assert_eq!(fanout(graphql, Database::Mysql, Cache::None), None);
        assert_eq!(fanout(graphql, Database::Sqlite, Cache::Redis), None);
        assert_eq!(fanout(graphql, Database::None, Cache::Redis), None);
        assert_eq!(
            fanout(&[Protocol::Rest], Database::Postgres, Cache::Redis),
            None
        );
        // A memory cache hears of the other instances' invalidations.
        assert_eq!(
            fanout(&[Protocol::Rest], Database::Postgres, Cache::Memory),
            Some("postgres")
        );
        assert_eq!(
            fanout(&[Protocol::Rest], Database::Mysql, Cache::Memory),
            None
        );
    }

    #[test]
    fn two_instances_are_tested_when_they_share_a_fan_out_or_redis() {
        let instances = |protocols: &[Protocol], db, cache| {
            let mut spec = ProjectSpec::with_defaults("shop");
            spec.protocols = protocols.to_vec();
            spec.db = db;
            spec.cache = cache;
            ProjectVars::new(&spec).instances
        };
        let rest = &[Protocol::Rest];
        assert!(instances(rest, Database::Postgres, Cache::Redis));
        assert!(instances(rest, Database::Mysql, Cache::Redis));
        let graphql = &[Protocol::Graphql];
        assert!(instances(graphql, Database::Postgres, Cache::None));
        assert!(!instances(rest, Database::Mysql, Cache::None));
        assert!(!instances(rest, Database::Sqlite, Cache::Redis));
        assert!(!instances(rest, Database::None, Cache::Redis));
    }

    #[test]
    fn only_a_project_with_a_protocol_that_holds_sockets_has_sockets() {
        let sockets = |protocols: &[Protocol]| {
            let mut spec = ProjectSpec::with_defaults("shop");
            spec.protocols = protocols.to_vec();
            ProjectVars::new(&spec).sockets
        };
        assert!(sockets(&[Protocol::Graphql]));
        assert!(sockets(&[Protocol::Rest, Protocol::Websocket]));
        assert!(sockets(&[
            Protocol::Rest,
            Protocol::Graphql,
            Protocol::Grpc
        ]));
        assert!(!sockets(&[Protocol::Rest]));
        assert!(!sockets(&[Protocol::Rest, Protocol::Grpc]));
    }

    #[test]
    fn only_grpc_has_a_framing_of_its_own() {
        let mut spec = ProjectSpec::with_defaults("shop");
        spec.protocols = vec![Protocol::Rest, Protocol::Graphql, Protocol::Grpc];
        assert_eq!(ProjectVars::new(&spec).framings, ["grpc"]);
        spec.protocols = vec![Protocol::Rest, Protocol::Graphql];
        assert!(ProjectVars::new(&spec).framings.is_empty());
    }

    #[test]
    fn every_supported_protocol_has_a_title_and_a_refusal() {
        for protocol in Protocol::supported() {
            let vars = ProtocolVars::of(protocol);
            assert!(!vars.title.is_empty(), "{protocol:?}");
            assert!(!vars.refusal.is_empty(), "{protocol:?}");
        }
    }

    #[test]
    fn templates_see_each_protocol_in_the_order_of_protocols() {
        let mut spec = ProjectSpec::with_defaults("shop");
        spec.protocols = vec![Protocol::Rest, Protocol::Graphql, Protocol::Grpc];
        let value = tera::to_value(ProjectVars::new(&spec)).unwrap();
        let titles: Vec<_> = value["adapters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|protocol| protocol["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["REST", "GraphQL", "gRPC"]);
        assert_eq!(value["adapters"][1]["module"], "graphql");
        assert!(value["adapters"][0]["module"].is_null());
    }

    #[test]
    fn the_report_names_the_prefix_of_graphql_and_nothing_for_rest() {
        assert_eq!(ProtocolVars::of(Protocol::Rest).next_step("/v1"), None);
        let graphql = ProtocolVars::of(Protocol::Graphql)
            .next_step("/v1")
            .unwrap();
        assert!(graphql.contains("8080/v1/graphql"), "{graphql}");
    }

    #[test]
    fn every_supported_method_but_none_has_callers_a_module_and_a_scheme() {
        for method in Auth::supported().into_iter().filter(|m| *m != Auth::None) {
            let vars = AuthVars::of(method);
            assert!(vars.principal, "{method:?}");
            assert!(vars.module.is_some() && vars.scheme.is_some(), "{method:?}");
        }
    }

    #[test]
    fn none_has_no_callers_and_nothing_that_needs_them() {
        let vars = AuthVars::of(Auth::None);
        assert_eq!(
            (vars.principal, vars.users, vars.roles, vars.scheme),
            (false, false, false, None)
        );
    }

    #[test]
    fn sessions_have_accounts_and_a_stored_credential_but_no_tokens() {
        let vars = AuthVars::of(Auth::Session);
        assert_eq!(
            (vars.module, vars.scheme, vars.challenge),
            (Some("session"), Some("session"), None)
        );
        assert!(vars.users && vars.roles && vars.sessions && vars.stored_credentials);
        assert!(!vars.refresh_tokens && !vars.api_keys && !vars.signing_secret);
    }

    #[test]
    fn a_bearer_token_401_has_an_error_code_only_for_a_refused_token() {
        for method in [Auth::Jwt, Auth::Oauth2] {
            let vars = AuthVars::of(method);
            assert_eq!(vars.challenge, Some("Bearer"), "{method:?}");
            assert_eq!(
                vars.invalid_challenge,
                Some("Bearer error=\"invalid_token\""),
                "{method:?}"
            );
        }
    }

    #[test]
    fn only_tokens_need_a_signing_secret() {
        let signing: Vec<_> = Auth::supported()
            .into_iter()
            .filter(|m| AuthVars::of(*m).signing_secret)
            .collect();
        assert_eq!(signing, [Auth::Jwt]);
    }

    #[test]
    fn api_keys_have_roles_but_no_accounts_or_tokens() {
        let vars = AuthVars::of(Auth::ApiKey);
        assert_eq!(
            (vars.module, vars.scheme, vars.api_keys, vars.roles),
            (Some("api_key"), Some("api_key"), true, true)
        );
        assert!(!vars.users && !vars.refresh_tokens);
    }

    #[test]
    fn templates_see_the_method_as_typed() {
        let spec = ProjectSpec::with_defaults("my-api");
        let value = tera::to_value(ProjectVars::new(&spec)).unwrap();
        assert_eq!(value["auth"]["method"], "jwt");
        assert_eq!(value["auth"]["scheme"], "bearer");
        assert_eq!(value["crate_ident"], "my_api");
    }
}
