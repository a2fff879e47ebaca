//! Command-line interface: every question apigen asks has a flag.

use std::convert::Infallible;
use std::path::PathBuf;

use clap::builder::EnumValueParser;
use clap::{Arg, ArgAction, ArgMatches, Args, FromArgMatches, Parser, Subcommand};

use crate::spec::{Asker, Choice, ProjectSpec, Writes};
use crate::vcs::Vcs;

#[derive(Debug, Parser)]
#[command(name = "apigen", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new, ready-to-run API project at PATH
    New(NewArgs),
    /// Add to the project in the current folder (made by `apigen new`)
    #[command(subcommand)]
    Add(AddCommand),
    /// Bring the project in the current folder up to this apigen's templates,
    /// keeping your edits (a three-way merge); change answers with their flags
    Update(UpdateArgs),
    /// Take out of the project in the current folder what `apigen add` put in
    #[command(subcommand)]
    Remove(RemoveCommand),
    /// Your own templates in place of apigen's: eject, list, snapshot-test
    #[command(subcommand)]
    Templates(TemplatesCommand),
}

/// Where every `templates` command looks, told once in each one's help.
const OVERRIDES_HELP: &str = "Overrides are files named as apigen's templates are under templates/\n\
    (project/README.md.tera, resource/src/models/resource.rs.tera, auth/jwt/readme.tera),\n\
    each replacing apigen's. The folder: --templates DIR, else the project's\n\
    .apigen/templates when run in a project, else $APIGEN_TEMPLATES.\n\
    `apigen new --templates DIR` renders with a folder and keeps a copy in the project's\n\
    .apigen/templates; `apigen add`, `update` and `remove` always use that copy.";

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Copy apigen's templates into the overrides folder, to edit them there
    Eject(TemplatesEjectArgs),
    /// List apigen's templates and which are overridden
    List(TemplatesListArgs),
    /// Render apigen's snapshot presets with the overrides and compare them with the
    /// snapshots kept in the folder's snapshots/ (insta's format)
    Check(TemplatesCheckArgs),
}

#[derive(Debug, Args)]
#[command(after_help = format!("{OVERRIDES_HELP}\n\
    Example: apigen templates eject project/README.md.tera auth/jwt"))]
pub struct TemplatesEjectArgs {
    /// Templates to copy, as `apigen templates list` names them, or a folder of them
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,

    /// The overrides folder
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = OVERRIDES_HELP)]
pub struct TemplatesListArgs {
    /// Only the overridden templates
    #[arg(long)]
    pub overridden: bool,

    /// The overrides folder
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = format!("{OVERRIDES_HELP}\n\
    Every file of a preset that the overrides change is compared with\n\
    snapshots/<preset>@<path>.snap in the folder; a new or different one is written\n\
    beside it as .snap.new (review: `cargo insta review --include-hidden` in a project,\n\
    whose snapshots are under the hidden .apigen/; or diff them) and the check\n\
    fails, listing them, as it does for a .snap no override changes any more.\n\
    --accept writes them as the snapshots instead (and deletes obsolete ones)."))]
pub struct TemplatesCheckArgs {
    /// Write the rendered outputs as the snapshots, and succeed
    #[arg(long, alias = "update")]
    pub accept: bool,

    /// Only this preset (e.g. rest-jwt-sqlite-url, add-products)
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,

    /// The overrides folder
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RemoveCommand {
    /// A resource added with `apigen add resource`: its files (unless you edited
    /// them), the lines it added to shared files, and its table (a new migration)
    Resource(RemoveResourceArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "The same merge as `apigen update`, with the resource gone: a file of the\n\
    resource you never edited is removed, one you edited is kept and listed; the lines it\n\
    added to shared files are taken out (your other edits stay). Its migration stays\n\
    (migrations are never rewritten) and a new one drops its table.\n\
    Example: apigen remove resource products --dry-run"
)]
pub struct RemoveResourceArgs {
    /// The resource, as `apigen add resource` named it (plural, e.g. products)
    pub name: String,

    /// Show the plan and a diff of each file that would change, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Remove it even though git lists uncommitted changes in the project
    #[arg(long)]
    pub allow_dirty: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "apigen keeps what it generated last time in .apigen/base. A file you never\n\
    edited is replaced by what apigen generates now; one you edited is merged line by\n\
    line, and where both changed the same lines it is written with <<<<<<< markers and\n\
    listed. Files you deleted stay deleted; migrations are never rewritten; .env is\n\
    never touched (compare it with .env.example).\n\
    An answer flag re-renders the project with that answer and merges the same way:\n\
    `apigen update --cache redis`. --db cannot change (the data and migrations are\n\
    written for the database the project has).\n\
    Your template overrides in .apigen/templates render it (`apigen templates --help`);\n\
    update never writes them: change them there, then update to merge the result.\n\
    Example: apigen update --dry-run"
)]
pub struct UpdateArgs {
    /// One flag per question (`--cache`, `--auth`, …): a new answer; the
    /// recorded one where absent.
    #[command(flatten)]
    pub choices: ChoiceFlags,

    /// Show the plan and a diff of each file that would change, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Update even though git lists uncommitted changes in the project
    #[arg(long)]
    pub allow_dirty: bool,
}

#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// A CRUD resource: model, migration, queries, routes, docs and tests
    Resource(ResourceArgs),
    /// A new API version: it starts with the newest version's routes, which it deprecates
    Version(VersionArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "The new version starts as a copy of the newest one's routes (fn vN() in\n\
    src/routers/mod.rs); change it freely. The newest version is deprecated: its responses\n\
    carry Deprecation, Sunset and a successor Link, and it answers until its sunset.\n\
    Not available with --versioning none.\n\
    Example: apigen add version v2 --sunset 2027-06-30"
)]
pub struct VersionArgs {
    /// The new version: `v` and the number after the newest version's, e.g. v2
    pub name: String,

    /// The version it replaces answers until this day (YYYY-MM-DD, UTC, after today);
    /// default: 180 days from today
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub sunset: Option<String>,

    /// Show a diff of each changed file, and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Field types: string, text, int, bigint, float, decimal, bool, uuid, date, datetime, json.\n\
    A trailing ? makes a field optional; modifiers :unique and :index add constraints.\n\
    Example: apigen add resource products --fields \"title:string,price:decimal,sku:string:unique,note:text?\""
)]
pub struct ResourceArgs {
    /// Plural resource noun in snake_case, e.g. orders or order_items
    pub name: String,

    /// Comma-separated fields, each name:type[?][:unique][:index]; asked for when omitted
    #[arg(long)]
    pub fields: Option<String>,

    /// Rows belong to the user who creates them; nobody else can read or change them
    #[arg(long)]
    pub owned: bool,

    /// Who may create, change and delete its rows (not with --owned or --auth none);
    /// default: admin where accounts register themselves (jwt, session), any with api-key
    #[arg(long, value_enum, value_name = "WHO")]
    pub writes: Option<Writes>,

    /// Writes need a recent MFA code (step-up) from callers whose account has MFA
    /// (jwt, session), or a recent multi-factor sign-in at the identity provider
    /// (oauth2); with --owned or --writes admin
    #[arg(long)]
    pub step_up: bool,

    /// The API version to add it to, e.g. v2 (default: the newest); other versions are unchanged
    #[arg(long, value_name = "vK")]
    pub version: Option<String>,

    /// Never prompt (then --fields is required)
    #[arg(short, long)]
    pub yes: bool,

    /// Show the new files and a diff of each changed file, and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Without a terminal (or with --yes, or CI set) apigen never prompts:\n\
    flags decide, defaults fill in the rest (rest, jwt, sqlite, url)."
)]
pub struct NewArgs {
    /// Folder to create; its last component is the crate name unless --name is given
    pub path: PathBuf,

    /// Crate name (defaults to the folder's name)
    #[arg(long)]
    pub name: Option<String>,

    /// One flag per question (`--protocol`, `--auth`, …).
    #[command(flatten)]
    pub choices: ChoiceFlags,

    /// Version control for the new project
    #[arg(long, value_enum, default_value = "git")]
    pub vcs: Vcs,

    /// Never prompt: use flags and defaults
    #[arg(short, long)]
    pub yes: bool,

    /// Print the files that would be written, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Allow a non-empty target folder (existing files are never overwritten)
    #[arg(long)]
    pub force: bool,

    /// A folder of template overrides (default: $APIGEN_TEMPLATES); the project
    /// keeps a copy in .apigen/templates, which its later commands use
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// The flags of the questions, one per question of [`ProjectSpec::ask`],
/// each declared from its choice ([`Choice::FLAG`], [`Choice::FLAG_HELP`],
/// the values and their help): a new question brings its flag.
#[derive(Clone, Debug)]
pub struct ChoiceFlags(ArgMatches);

impl ChoiceFlags {
    /// The values given to `C`'s flag, in the order given; none when absent.
    pub fn values<C: Choice>(&self) -> Vec<C> {
        self.0
            .get_many::<C>(flag_id::<C>())
            .map(|values| values.copied().collect())
            .unwrap_or_default()
    }
}

/// The id and long name of `C`'s flag (`auth` for `--auth`).
fn flag_id<C: Choice>() -> &'static str {
    C::FLAG.trim_start_matches('-')
}

/// Declares each question's flag, answering with the defaults.
struct Declare(Vec<Arg>);

impl Declare {
    fn flag<C: Choice>(&mut self, action: ArgAction) -> Arg {
        let id = flag_id::<C>();
        Arg::new(id)
            .long(id)
            .value_name(id.to_uppercase())
            .help(C::FLAG_HELP)
            .value_parser(EnumValueParser::<C>::new())
            .action(action)
    }
}

impl Asker for Declare {
    type Error = Infallible;

    fn one<C: Choice>(&mut self, default: C) -> Result<C, Infallible> {
        let arg = self.flag::<C>(ArgAction::Set);
        self.0.push(arg);
        Ok(default)
    }

    fn many<C: Choice>(&mut self, defaults: &[C]) -> Result<Vec<C>, Infallible> {
        let arg = self.flag::<C>(ArgAction::Append).value_delimiter(',');
        self.0.push(arg);
        Ok(defaults.to_vec())
    }
}

impl Args for ChoiceFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let mut declare = Declare(Vec::new());
        let Ok(_) = ProjectSpec::ask("", &mut declare);
        cmd.args(declare.0)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for ChoiceFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(Self(matches.clone()))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0 = matches.clone();
        Ok(())
    }
}
