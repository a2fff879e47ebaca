//! The Kubernetes manifests of a project with a database server (`deploy/k8s/`),
//! checked against the Kubernetes API's own schemas, strictly (an unknown field is
//! an error), by `kubernetes-validate` from PyPI, which carries the schemas of each
//! Kubernetes release. The first run installs it into a virtual environment in
//! cargo's target folder (it needs python3 with `venv` and the PyPI registry);
//! later runs reuse it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use apigen::new::project_files;
use apigen::overrides::Overrides;
use apigen::render::{RenderedFile, Secrets};
use apigen::spec::{Auth, Cache, Database, ProjectSpec, Protocol};

/// The validator, pinned: its schemas are those of Kubernetes [`KUBERNETES`].
const VALIDATOR: &str = "kubernetes-validate==1.37.0";
const KUBERNETES: &str = "1.37.0";

/// The manifests a project with a database server gets.
const MANIFESTS: [&str; 6] = ["deployment", "service", "configmap", "secret", "hpa", "pdb"];

/// `kubernetes-validate`, installed once per target folder.
fn validator() -> &'static Path {
    static VALIDATOR_BIN: OnceLock<PathBuf> = OnceLock::new();
    VALIDATOR_BIN.get_or_init(|| {
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kubernetes-validate-1.37.0");
        let bin = venv.join("bin/kubernetes-validate");
        if !bin.exists() {
            run(
                Command::new("python3").arg("-m").arg("venv").arg(&venv),
                "python3 -m venv (on Debian or Ubuntu: apt-get install python3-venv)",
            );
            run(
                Command::new(venv.join("bin/pip")).args(["install", "--quiet", VALIDATOR]),
                "pip install kubernetes-validate (it needs the PyPI registry)",
            );
        }
        bin
    })
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("{what}: {err}"));
    assert!(
        output.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What apigen generates for `spec`.
fn generated(spec: &ProjectSpec) -> Vec<RenderedFile> {
    let secrets = Secrets {
        jwt_secret: "0".repeat(64),
        metrics_token: "0".repeat(64),
    };
    project_files(spec, &secrets, &Overrides::none()).unwrap()
}

/// `spec`'s manifests, written into a fresh folder.
fn manifests(spec: &ProjectSpec) -> (tempfile::TempDir, Vec<PathBuf>) {
    let files = generated(spec);
    let dir = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    for name in MANIFESTS {
        let path = format!("deploy/k8s/{name}.yaml");
        let file = files
            .iter()
            .find(|file| file.path == Path::new(&path))
            .unwrap_or_else(|| panic!("{} has no {path}", spec.name));
        let target = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&target, &file.contents).unwrap();
        written.push(target);
    }
    (dir, written)
}

/// What the validator says of `files`: whether all passed, and its output.
fn validate(files: &[PathBuf]) -> (bool, String) {
    let output = Command::new(validator())
        .args(["--strict", "--kubernetes-version", KUBERNETES])
        .args(files)
        .output()
        .expect("kubernetes-validate runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn spec(name: &str, change: impl FnOnce(&mut ProjectSpec)) -> ProjectSpec {
    let mut spec = ProjectSpec::with_defaults(name);
    change(&mut spec);
    spec
}

#[test]
fn every_manifest_matches_the_kubernetes_schemas() {
    let specs = [
        spec("billing_api", |s| s.db = Database::Postgres),
        spec("shop", |s| {
            s.db = Database::Mysql;
            s.cache = Cache::Redis;
            s.auth = Auth::Oauth2;
            s.protocols = vec![Protocol::Rest, Protocol::Graphql];
        }),
        spec("desk", |s| {
            s.db = Database::Postgres;
            s.auth = Auth::Session;
        }),
    ];
    for spec in &specs {
        let (_dir, files) = manifests(spec);
        let (passed, output) = validate(&files);
        assert!(passed, "{}: {output}", spec.name);
        assert_eq!(
            output.matches(" passed ").count(),
            MANIFESTS.len(),
            "{output}"
        );
    }
}

/// The check itself: a field the Deployment does not have is refused.
#[test]
fn a_manifest_with_an_unknown_field_is_refused() {
    let (_dir, files) = manifests(&spec("billing_api", |s| s.db = Database::Postgres));
    let deployment = &files[0];
    let text = std::fs::read_to_string(deployment).unwrap();
    std::fs::write(deployment, text.replace("  replicas: 2", "  replicaz: 2")).unwrap();
    let (passed, output) = validate(&files[..1]);
    assert!(!passed, "{output}");
    assert!(output.contains("replicaz"), "{output}");
}

/// The Deployment's probes are the server's routes, and its grace period outlasts
/// the pause before SIGTERM plus the server's drain (`SHUTDOWN_DRAIN_SECONDS`).
#[test]
fn probes_and_grace_period_fit_the_server() {
    let spec = spec("billing_api", |s| s.db = Database::Postgres);
    let (_dir, files) = manifests(&spec);
    let deployment = std::fs::read_to_string(&files[0]).unwrap();
    for probe in ["path: /health", "path: /ready"] {
        assert!(deployment.contains(probe), "{probe}");
    }
    let number_after = |text: &str, key: &str| -> u32 {
        let rest = &text[text.find(key).unwrap_or_else(|| panic!("no {key}")) + key.len()..];
        let digits: String = rest
            .trim_start_matches([':', '=', ' ', '"'])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits
            .parse()
            .unwrap_or_else(|_| panic!("{key}: not a number"))
    };
    let grace = number_after(&deployment, "terminationGracePeriodSeconds:");
    let pause = number_after(&deployment, "seconds:");
    let configmap = std::fs::read_to_string(&files[2]).unwrap();
    let drain = number_after(&configmap, "SHUTDOWN_DRAIN_SECONDS:");
    assert!(
        grace > pause + drain,
        "grace {grace} ≤ pause {pause} + drain {drain}"
    );
}

/// SQLite and `--db none` run one instance: no manifests for several.
#[test]
fn a_single_instance_project_has_no_manifests() {
    for db in [Database::Sqlite, Database::None] {
        let files = generated(&spec("solo", |s| s.db = db));
        assert!(!files.iter().any(|file| file.path.starts_with("deploy")));
    }
}
