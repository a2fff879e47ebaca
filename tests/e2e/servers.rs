//! The servers the generated projects' tests run against: PostgreSQL,
//! MariaDB (for `--db mysql`) and Redis (for `--cache redis`).
//!
//! A server's variable (`APIGEN_E2E_POSTGRES_URL`, `APIGEN_E2E_MYSQL_URL`,
//! `REDIS_URL`), when set, points at an external server, used as it is.
//! Otherwise the first combination that needs the server starts a throwaway
//! one: a fresh data folder in a temporary folder, a free port on 127.0.0.1,
//! shared by every later combination of the run and stopped, its folder
//! removed, by [`stop_all`] at the end of the run. Where its programs are
//! missing, the failure names the Debian package that has them.
//!
//! PostgreSQL and MariaDB refuse to run as root: as root, every throwaway
//! server runs as `nobody` (through `setpriv`), which owns its folder.
//!
//! Each server runs under a small shell script, its lifeline, that stops it
//! when the script's standard input closes. The test process holds the only
//! writing end: [`stop_all`] closes it, and so does the end of the process
//! however it ends (a panic, `process::exit`, Ctrl-C, a kill), so no server
//! outlives the run (a killed run leaves its folders in the temporary folder).

use std::fs::File;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub use launch::Service;

#[path = "launch.rs"]
mod launch;

/// The URL of `service` for this run: its variable's value when set, else a
/// throwaway server's, started by the first call. A server that could not
/// start fails every call with the same message.
pub fn url(service: Service) -> Result<String, String> {
    // An empty variable counts as unset.
    if let Some(url) = std::env::var(service.variable())
        .ok()
        .filter(|u| !u.is_empty())
    {
        return Ok(url);
    }
    slot(service)
        .get_or_init(|| {
            let server = Throwaway::start(service)?;
            let url = server.url.clone();
            started()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(server);
            Ok(url)
        })
        .clone()
}

/// Where the URL `service` gets in this run is kept.
fn slot(service: Service) -> &'static OnceLock<Result<String, String>> {
    static POSTGRES: OnceLock<Result<String, String>> = OnceLock::new();
    static MYSQL: OnceLock<Result<String, String>> = OnceLock::new();
    static REDIS: OnceLock<Result<String, String>> = OnceLock::new();
    match service {
        Service::Postgres => &POSTGRES,
        Service::Mysql => &MYSQL,
        Service::Redis => &REDIS,
    }
}

/// Stops every throwaway server started so far and removes its folder: at
/// the end of the run, as their URLs stay cached.
pub fn stop_all() {
    let servers = std::mem::take(&mut *started().lock().unwrap_or_else(|e| e.into_inner()));
    drop(servers);
}

fn started() -> &'static Mutex<Vec<Throwaway>> {
    static STARTED: Mutex<Vec<Throwaway>> = Mutex::new(Vec::new());
    &STARTED
}

/// A free TCP port on 127.0.0.1 (free when asked: the caller binds it soon).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

/// `sh -c LIFELINE sh SIGNAL SERVER…`: runs the server until the script's
/// standard input closes, then stops it with SIGNAL; ends when the server does.
const LIFELINE: &str = r#"
sig=$1; shift
exec 3<&0 </dev/null   # the lifeline, on fd 3; the server gets none of it
"$@" 3<&- &
server=$!
# Ctrl-C also ends the test process, which closes the lifeline: the server
# then gets its own stop signal, and this script stays to wait for it.
trap '' INT
{ read -r _ <&3; kill -s "$sig" "$server"; } 2>/dev/null &
watcher=$!
wait "$server"
status=$?
kill "$watcher" 2>/dev/null   # a server that ended by itself needs no stop
exit "$status"
"#;

/// How long a server may take to say it is ready on a busy machine.
const PATIENCE: Duration = Duration::from_secs(120);

/// A running throwaway server. Dropping it stops the server, then removes
/// its folder.
struct Throwaway {
    url: String,
    /// `sh -c LIFELINE`, its standard input the server's lifeline.
    lifeline: Child,
    /// Declared last: removed once the server is stopped.
    _folder: TempDir,
}

impl Throwaway {
    fn start(service: Service) -> Result<Self, String> {
        let folder = tempfile::Builder::new()
            .prefix(&format!("apigen-e2e-{}-", service.package()))
            .tempdir()
            .map_err(|e| format!("{}: cannot create a temporary folder: {e}", service.name()))?;
        let dir = folder.path();
        let port = free_port();
        let launch = launch::prepare(service, dir, port)?;
        let log = dir.join("server.log");
        let lifeline = spawn_with_lifeline(launch.stop_signal, &launch.command, &log)?;
        let mut throwaway = Self {
            url: service.url(port),
            lifeline,
            _folder: folder,
        };
        throwaway.wait_until_ready(&log, launch.ready)?;
        eprintln!(
            "e2e: started a throwaway {} server at {} (set {} to use another)",
            service.name(),
            throwaway.url,
            service.variable()
        );
        Ok(throwaway)
    }

    /// Waits for the server's log to say `ready`; a server that exits or
    /// stays silent fails with its log.
    fn wait_until_ready(&mut self, log: &Path, ready: &str) -> Result<(), String> {
        let start = Instant::now();
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if text.contains(ready) {
                return Ok(());
            }
            let exited = self.lifeline.try_wait().ok().flatten();
            if exited.is_some() || start.elapsed() > PATIENCE {
                let why = exited.map_or(format!("not ready in {PATIENCE:?}"), |s| s.to_string());
                return Err(format!(
                    "the server for {} failed ({why}):\n{text}",
                    self.url
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        // Closing the lifeline stops the server.
        drop(self.lifeline.stdin.take());
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if !matches!(self.lifeline.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!(
            "e2e: the server for {} did not stop in {PATIENCE:?}",
            self.url
        );
        let _ = self.lifeline.kill();
        let _ = self.lifeline.wait();
    }
}

/// Starts `server` under [`LIFELINE`], its output in `log`.
fn spawn_with_lifeline(signal: &str, server: &Command, log: &Path) -> Result<Child, String> {
    let output = File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let errors = output.try_clone().map_err(|e| e.to_string())?;
    let mut sh = Command::new("sh");
    if let Some(folder) = server.get_current_dir() {
        sh.current_dir(folder);
    }
    sh.args(["-c", LIFELINE, "sh", signal])
        .arg(server.get_program())
        .args(server.get_args())
        .stdin(Stdio::piped())
        .stdout(output)
        .stderr(errors)
        .spawn()
        .map_err(|e| format!("cannot start sh: {e}"))
}
