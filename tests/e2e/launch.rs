//! How each throwaway server is installed in its folder and run: its data
//! folder made, its command, as a user it accepts, and where its programs are.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

    /// How people call it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Postgres => "PostgreSQL",
            Self::Mysql => "MariaDB",
            Self::Redis => "Redis",
        }
    }

    /// The Debian/Ubuntu package holding the server's programs.
    pub fn package(self) -> &'static str {
        match self {
            Self::Postgres => "postgresql",
            Self::Mysql => "mariadb-server",
            Self::Redis => "redis-server",
        }
    }

    /// The URL of its throwaway server on `port`: an existing
    /// database on it, with a user that may create others.
    pub fn url(self, port: u16) -> String {
        match self {
            Self::Postgres => format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            Self::Mysql => format!("mysql://root@127.0.0.1:{port}/mysql"),
            Self::Redis => format!("redis://127.0.0.1:{port}"),
        }
    }
}

/// How a server runs: its command, the signal that stops it quickly, and
/// what its log says once it accepts connections.
pub struct Launch {
    pub command: Command,
    pub stop_signal: &'static str,
    pub ready: &'static str,
}

/// Makes `service`'s data folder in `dir`, owned by the user the server
/// runs as, and the command serving it on `port`.
pub fn prepare(service: Service, dir: &Path, port: u16) -> Result<Launch, String> {
    let user = ServerUser::for_this_process()?;
    user.own(dir)?;
    match service {
        Service::Postgres => postgres(&user, dir, port),
        Service::Mysql => mariadb(&user, dir, port),
        Service::Redis => redis(&user, dir, port),
    }
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
