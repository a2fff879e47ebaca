//! The variables resource templates see (see docs/templates.md), computed
//! from the project, the resource name and its fields.

use serde::Serialize;

use crate::error::Result;
use crate::project::ApiVersion;
use crate::project_vars::ProjectVars;
use crate::resource::api;
use crate::resource::dialect::{self, Column};
use crate::resource::fields::{Field, FieldType};
use crate::resource::grpc;
use crate::resource::naming::ResourceName;
use crate::spec::{ProjectSpec, Versioning, Writes};

/// Who may read and write a resource's rows, as `apigen add resource` was asked.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Access {
    /// Rows belong to the user who created them; others never see them.
    pub owned: bool,
    /// Who may write the rows of a resource every caller shares (`admin`,
    /// `any`); absent for `--owned` resources and with `--auth none`.
    pub writes: Option<Writes>,
    /// `--step-up`: writes need a recent MFA verification (`auth::mfa::require_step_up`).
    pub step_up: bool,
}

#[derive(Serialize)]
pub struct ResourceVars<'a> {
    /// The project's variables, as project templates see them, except that
    /// `api_prefix` and `route_prefix` are those of the resource's version.
    #[serde(flatten)]
    pub project: ProjectVars<'a>,
    /// The API version the resource is added to; absent with `versioning = "none"`.
    pub version: Option<VersionVars>,
    pub resource: &'a ResourceName,
    /// Who may read and write its rows: `owned`, `writes`, `step_up`.
    #[serde(flatten)]
    pub access: Access,
    pub fields: Vec<FieldVars>,
    /// `YYYYMMDDHHMMSS`, the prefix of the migration's file name.
    pub migration_version: String,
    /// Whether any field is optional (PATCH then tells null from absent).
    pub has_optional: bool,
    /// Fields the generated tests single out, when the resource has one.
    pub tests: TestFields,
}

/// The API version a resource is added to, as its templates see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionVars {
    /// `v2`.
    pub name: String,
    /// `2`, as `Accept-Version` names it.
    pub number: String,
    /// It is v1.
    pub first: bool,
    /// It is the project's newest version.
    pub newest: bool,
    /// Where its OpenAPI document is served: `/openapi/v2.json`.
    pub document: String,
    /// The marker its routes are listed at in `src/routers/mod.rs`.
    pub routes_anchor: String,
}

impl VersionVars {
    /// `version` of a project whose newest version is `newest`.
    pub fn new(version: ApiVersion, newest: ApiVersion) -> Self {
        Self {
            name: version.to_string(),
            number: version.number().to_string(),
            first: version.is_first(),
            newest: version == newest,
            document: format!("/openapi/{version}.json"),
            routes_anchor: version.routes_anchor(),
        }
    }
}

/// One field, spelled out for each place it appears in generated code.
#[derive(Serialize)]
pub struct FieldVars {
    pub name: String,
    pub kind: FieldType,
    pub optional: bool,
    pub unique: bool,
    pub index: bool,
    /// In request and response bodies, `Option<…>` when optional.
    pub rust_type: String,
    /// In PATCH bodies: `Option<…>`, `Option<Option<…>>` when optional.
    pub patch_type: String,
    /// In the `FromRow` struct.
    pub row_type: String,
    /// Column type with its constraint, e.g. `TEXT NOT NULL`.
    pub sql_type: String,
    /// Expression binding `input.<name>` as a query parameter.
    pub to_db: String,
    /// Expression turning `row.<name>` into the API value.
    pub from_db: String,
    /// `ORDER BY` expression; absent when the field cannot be sorted.
    pub sort_sql: Option<String>,
    /// `validator` rule, if any.
    pub validate: Option<&'static str>,
    /// OpenAPI `value_type` override for bodies and for PATCH bodies.
    pub schema_type: Option<String>,
    pub patch_schema_type: Option<String>,
    /// The whole `#[schema(…)]` of request bodies (POST/PUT, PATCH): the
    /// `value_type` override and the rules the server enforces.
    pub input_schema: Option<String>,
    pub patch_schema: Option<String>,
    /// JSON example for the OpenAPI document.
    pub example: &'static str,
    /// Rust expression for the `n`-th test value.
    pub sample: String,
    /// Rust expression for a value that fails validation, if any.
    pub invalid_sample: Option<&'static str>,
    /// The gRPC side (see `resource/grpc.rs`): the protobuf type, what the
    /// `.proto` comment says of a string's content, the expressions reading a
    /// request message and writing a response message, and test values.
    pub proto_type: String,
    pub proto_comment: Option<&'static str>,
    pub from_proto: String,
    pub to_proto: String,
    pub proto_sample: String,
    pub proto_invalid_sample: Option<String>,
}

/// The names of fields that particular generated tests use.
#[derive(Serialize)]
pub struct TestFields {
    /// A field with a validation rule (a 422 with a field error).
    pub invalid: Option<String>,
    /// A unique field (a 409).
    pub unique: Option<String>,
    /// A required field (a 422 when missing).
    pub required: Option<String>,
    /// A field whose JSON type can be wrong (every type but json).
    pub typed: Option<String>,
    /// An optional field (PATCH with null clears it).
    pub optional: Option<String>,
    /// A sortable field whose test values increase.
    pub sorted: Option<String>,
}

impl<'a> ResourceVars<'a> {
    pub fn new(
        project: &'a ProjectSpec,
        resource: &'a ResourceName,
        fields: &[Field],
        access: Access,
        migration_version: String,
        version: Option<VersionVars>,
    ) -> Result<Self> {
        let fields = fields
            .iter()
            .map(|f| FieldVars::new(f, dialect::column(project.db, f.kind)))
            .collect::<Vec<_>>();
        let mut project_vars = ProjectVars::new(project);
        if let Some(version) = &version {
            let prefix = format!("/{}", version.name);
            if project.versioning == Versioning::Url {
                project_vars.api_prefix.clone_from(&prefix);
            }
            project_vars.route_prefix = prefix;
        }
        Ok(Self {
            project: project_vars,
            version,
            resource,
            access,
            has_optional: fields.iter().any(|f| f.optional),
            tests: TestFields::pick(&fields),
            fields,
            migration_version,
        })
    }
}

impl FieldVars {
    fn new(field: &Field, column: Column) -> Self {
        let optional = field.optional;
        let wrap = |t: &str| {
            if optional {
                format!("Option<{t}>")
            } else {
                t.to_owned()
            }
        };
        let rust_type = wrap(api::rust_type(field.kind));
        let schema_type = api::schema_type(field.kind);
        let rules = api::schema_rules(field.kind);
        let input_schema = join_schema(schema_type.map(wrap), rules);
        let patch_schema = join_schema(schema_type.map(|t| format!("Option<{t}>")), rules);
        let not_null = if optional { "" } else { " NOT NULL" };
        Self {
            name: field.name.clone(),
            kind: field.kind,
            optional,
            unique: field.unique,
            index: field.index,
            patch_type: format!("Option<{rust_type}>"),
            rust_type,
            row_type: wrap(column.row_type),
            sql_type: format!("{}{not_null}", column.sql_type),
            to_db: convert(column.to_db, &format!("input.{}", field.name), optional),
            from_db: convert(column.from_db, &format!("row.{}", field.name), optional),
            sort_sql: column.sort.map(|s| s.replace("{}", &field.name)),
            validate: api::validation(field.kind),
            schema_type: schema_type.map(wrap),
            patch_schema_type: schema_type.map(|t| format!("Option<{t}>")),
            input_schema,
            patch_schema,
            example: api::example(field.kind),
            sample: api::sample(field.kind, &field.name),
            invalid_sample: api::invalid_sample(field.kind),
            proto_type: grpc::proto_type(field.kind, optional),
            proto_comment: grpc::proto_comment(field.kind),
            from_proto: grpc::from_proto(field.kind, &field.name, optional),
            to_proto: grpc::to_proto(field.kind, &field.name, optional),
            proto_sample: grpc::sample(field.kind, &field.name, optional),
            proto_invalid_sample: grpc::invalid_sample(field.kind, optional),
        }
    }
}

/// `value_type = T, rules`, either part absent; `None` when both are.
fn join_schema(value_type: Option<String>, rules: Option<&str>) -> Option<String> {
    let value_type = value_type.map(|t| format!("value_type = {t}"));
    let parts: Vec<String> = value_type
        .into_iter()
        .chain(rules.map(str::to_owned))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Applies a conversion template (`{}` = the value) to `value`, through
/// `Option::map` when the field is optional. A trailing `?` becomes
/// `.transpose()?`; a bare constructor `Path({})` is passed by name.
fn convert(template: &str, value: &str, optional: bool) -> String {
    if template == "{}" {
        return value.to_owned();
    }
    if !optional {
        return template.replace("{}", value);
    }
    if let Some(function) = template.strip_suffix("({})") {
        return format!("{value}.map({function})");
    }
    match template.strip_suffix('?') {
        Some(fallible) => format!(
            "{value}.map(|v| {}).transpose()?",
            fallible.replace("{}", "v")
        ),
        None => format!("{value}.map(|v| {})", template.replace("{}", "v")),
    }
}

impl TestFields {
    fn pick(fields: &[FieldVars]) -> Self {
        let first = |keep: &dyn Fn(&FieldVars) -> bool| {
            fields.iter().find(|f| keep(f)).map(|f| f.name.clone())
        };
        Self {
            invalid: first(&|f| f.invalid_sample.is_some()),
            unique: first(&|f| f.unique),
            required: first(&|f| !f.optional),
            typed: first(&|f| f.kind != FieldType::Json),
            optional: first(&|f| f.optional),
            sorted: first(&|f| f.sort_sql.is_some() && api::samples_increase(f.kind)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_go_through_option_map_when_optional() {
        assert_eq!(convert("{}", "row.a", true), "row.a");
        assert_eq!(convert("{}.parse()?", "row.a", false), "row.a.parse()?");
        assert_eq!(
            convert("{}.parse()?", "row.a", true),
            "row.a.map(|v| v.parse()).transpose()?"
        );
        assert_eq!(
            convert("sqlx::types::Json({})", "input.a", true),
            "input.a.map(sqlx::types::Json)"
        );
        assert_eq!(convert("{}.0", "row.a", true), "row.a.map(|v| v.0)");
    }

    #[test]
    fn request_schemas_join_the_type_override_and_the_rules() {
        let decimal = join_schema(Some("String".into()), Some("pattern = \"x\""));
        assert_eq!(
            decimal.as_deref(),
            Some("value_type = String, pattern = \"x\"")
        );
        assert_eq!(
            join_schema(None, Some("max_length = 1")).as_deref(),
            Some("max_length = 1")
        );
        assert_eq!(join_schema(None, None), None);
    }
}
