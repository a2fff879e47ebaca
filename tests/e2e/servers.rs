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
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::outcome::succeeded;

/// A kind of server a generated project's tests use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Postgres,
    Mysql,
    Redis,
}

impl Service {
    /// The variable naming an external server.
    pub fn variable(self) -> &'static str {
        match self {
            Self::Postgres => "APIGEN_E2E_POSTGRES_URL",
            Self::Mysql => "APIGEN_E2E_MYSQL_URL",
            Self::Redis => "REDIS_URL",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Postgres => "PostgreSQL",
            Self::Mysql => "MariaDB",
            Self::Redis => "Redis",
        }
    }

    /// The Debian/Ubuntu package holding the server's programs.
    fn package(self) -> &'static str {
        match self {
            Self::Postgres => "postgresql",
            Self::Mysql => "mariadb-server",
            Self::Redis => "redis-server",
        }
    }

    /// The URL of `service`'s throwaway server on `port`: an existing
    /// database on it, with a user that may create others.
    fn url(self, port: u16) -> String {
        match self {
            Self::Postgres => format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            Self::Mysql => format!("mysql://root@127.0.0.1:{port}/mysql"),
            Self::Redis => format!("redis://127.0.0.1:{port}"),
        }
    }

    /// The URL the run uses, started with the first call (see [`url`]).
    fn slot(self) -> &'static OnceLock<Result<String, String>> {
        static POSTGRES: OnceLock<Result<String, String>> = OnceLock::new();
        static MYSQL: OnceLock<Result<String, String>> = OnceLock::new();
        static REDIS: OnceLock<Result<String, String>> = OnceLock::new();
        match self {
            Self::Postgres => &POSTGRES,
            Self::Mysql => &MYSQL,
            Self::Redis => &REDIS,
        }
    }
}

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
    service
        .slot()
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
        let user = ServerUser::for_this_process()?;
        user.own(dir)?;
        let port = free_port();
        let launch = match service {
            Service::Postgres => postgres(&user, dir, port)?,
            Service::Mysql => mariadb(&user, dir, port)?,
            Service::Redis => redis(&user, dir, port)?,
        };
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

/// How a server runs: its command, the signal that stops it quickly, and
/// what its log says once it accepts connections.
struct Launch {
    command: Command,
    stop_signal: &'static str,
    ready: &'static str,
}

/// A PostgreSQL cluster in `dir`, user `postgres` trusted on 127.0.0.1.
fn postgres(user: &ServerUser, dir: &Path, port: u16) -> Result<Launch, String> {
    let data = dir.join("data");
    run(user
        .command(&program(Service::Postgres, "initdb")?, dir)
        .arg("--pgdata")
        .arg(&data)
        .args(["--username=postgres", "--auth=trust", "--no-sync"])
        .args(["--encoding=UTF8", "--locale=C"]))?;
    let mut command = user.command(&program(Service::Postgres, "postgres")?, dir);
    command
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-k"])
        .arg(dir)
        .args(["-c", "listen_addresses=127.0.0.1"])
        // Throwaway data: nothing is worth a disk flush.
        .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
        .args(["-c", "full_page_writes=off"]);
    Ok(Launch {
        command,
        // Fast shutdown: sessions are cut, not waited for.
        stop_signal: "INT",
        ready: "ready to accept connections",
    })
}

/// A MariaDB in `dir`, `root` without a password (on 127.0.0.1 and localhost).
fn mariadb(user: &ServerUser, dir: &Path, port: u16) -> Result<Launch, String> {
    let data = format!("--datadir={}", dir.join("data").display());
    run(user
        .command(&program(Service::Mysql, "mariadb-install-db")?, dir)
        .args(["--no-defaults", &data])
        .args(["--auth-root-authentication-method=normal", "--skip-test-db"]))?;
    let mut command = user.command(&program(Service::Mysql, "mariadbd")?, dir);
    command
        .args(["--no-defaults", &data])
        .arg(format!("--socket={}", dir.join("mariadbd.sock").display()))
        .arg(format!("--pid-file={}", dir.join("mariadbd.pid").display()))
        .arg(format!("--port={port}"))
        .args(["--bind-address=127.0.0.1", "--skip-log-bin"])
        // As Debian's and the official image's configuration have it.
        .args([
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci",
        ])
        .arg("--innodb-flush-log-at-trx-commit=0");
    Ok(Launch {
        command,
        stop_signal: "TERM",
        ready: "ready for connections",
    })
}

/// A Redis that keeps nothing on disk.
fn redis(user: &ServerUser, dir: &Path, port: u16) -> Result<Launch, String> {
    let mut command = user.command(&program(Service::Redis, "redis-server")?, dir);
    command
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--dir"])
        .arg(dir);
    Ok(Launch {
        command,
        stop_signal: "TERM",
        ready: "Ready to accept connections",
    })
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

/// Runs a set-up command to its end; its output on failure.
fn run(command: &mut Command) -> Result<(), String> {
    let step = format!("{command:?}");
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("step '{step}' could not start: {e}"))?;
    succeeded(&step, &output)
}

/// Where `name` is: on `PATH`, or where Debian installs it outside a user's
/// `PATH` (PostgreSQL's versioned folders, `/usr/sbin`); else a message
/// naming the package to install, or the variable to set instead.
fn program(service: Service, name: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut folders: Vec<PathBuf> = std::env::split_paths(&path).collect();
    folders.push("/usr/sbin".into());
    // The newest PostgreSQL first.
    let mut versioned: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .collect();
    versioned.sort_by_key(|bin| {
        let version = bin.parent().and_then(Path::file_name).unwrap_or_default();
        std::cmp::Reverse(version.to_string_lossy().parse::<u32>().unwrap_or(0))
    });
    folders.extend(versioned);
    folders
        .iter()
        .map(|folder| folder.join(name))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| missing(service, name))
}

/// The failure of a server whose program `program` is not installed.
fn missing(service: Service, program: &str) -> String {
    format!(
        "`{program}` was not found (on PATH, in /usr/sbin or /usr/lib/postgresql/*/bin): \
         install the `{package}` package (`apt-get install {package}`) so the tests \
         start a throwaway {name} server, or set {variable} to a running one",
        name = service.name(),
        package = service.package(),
        variable = service.variable(),
    )
}

/// Who the throwaway servers run as: this process, or, as root (which
/// PostgreSQL and MariaDB refuse), `nobody`.
enum ServerUser {
    Same,
    Nobody { uid: u32, gid: u32 },
}

impl ServerUser {
    fn for_this_process() -> Result<Self, String> {
        // `/proc/self` belongs to the effective user.
        let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
        if !root {
            return Ok(Self::Same);
        }
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        let ids = passwd.lines().find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            match fields.as_slice() {
                ["nobody", _, uid, gid, ..] => Some((uid.parse().ok()?, gid.parse().ok()?)),
                _ => None,
            }
        });
        let (uid, gid) =
            ids.ok_or("running as root, the throwaway servers need the user `nobody`")?;
        Ok(Self::Nobody { uid, gid })
    }

    /// Hands `folder` to the servers' user.
    fn own(&self, folder: &Path) -> Result<(), String> {
        match self {
            Self::Same => Ok(()),
            Self::Nobody { uid, gid } => std::os::unix::fs::chown(folder, Some(*uid), Some(*gid))
                .map_err(|e| format!("cannot give {} to nobody: {e}", folder.display())),
        }
    }

    /// `program`, to run as this user in `folder` (which it can enter).
    fn command(&self, program: &Path, folder: &Path) -> Command {
        let mut command = match self {
            Self::Same => Command::new(program),
            Self::Nobody { uid, gid } => {
                let mut command = Command::new("setpriv");
                command
                    .arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .args(["--clear-groups", "--"])
                    .arg(program);
                command
            }
        };
        command.current_dir(folder);
        command
    }
}
