//! supervisord configurations, read as supervisor 4.3 reads them.
//!
//! [`resolve`] gives the [`Resolved`] view: every process supervisord would run, with its
//! group, command split into argv as supervisord splits it at spawn time, merged environment,
//! restart and stop settings and log files, plus the groups, fcgi sockets, event listener pools
//! and the `[supervisord]` settings that programs inherit. The mapping to units is a separate
//! step that starts from this view.
//!
//! How it is read, in supervisor's order (`ServerOptions.read_config`):
//! 1. The file, with [`ini`] (CPython's `RawConfigParser` as supervisor configures it).
//! 2. `[include] files=`: space-separated globs relative to the file's directory, each
//!    pattern's matches sorted, read into the same parser; after each file `%(here)s` becomes
//!    that file's directory. An `[include]` inside an included file is ignored, as supervisor
//!    does (reported). A file without a `[supervisord]` section (a `conf.d` file converted on its
//!    own) is read as supervisord would read it when included: no includes of its own, every
//!    `[supervisord]` setting at its default.
//! 3. `[supervisord]`, then `[group:x]`, `[program:x]`, `[eventlistener:x]`, `[fcgi-program:x]`
//!    with supervisor's expansions (Python `%` formatting: `%(program_name)s`,
//!    `%(process_num)02d`, `%(group_name)s`, `%(host_node_name)s`, `%(here)s`, `%(numprocs)d`,
//!    `%(ENV_X)s`) and value checks.
//!
//! Where supervisor stops at the first error in the whole configuration, this reader makes the
//! error one of the section at fault and reads on as if that section were absent (a group
//! naming a program in error is then in error too, and its other programs are their own
//! groups). The oracle test checks exactly that against supervisor by deleting each failing
//! section and running supervisor again.
//!
//! `%(ENV_X)s` values come from [`Options::env`] (`--env-file`) over [`base_environment`]
//! (what supervisord's environment is when systemd starts it), never from the environment of
//! the process running the conversion. Each value taken from there, and the host name, is
//! listed in [`Resolved::baked`].
//!
//! Host checks supervisor makes while parsing (users exist, log file directories exist,
//! `[supervisord] directory`/`childlogdir` exist) are made on the [`Host`](crate::host::Host), relative paths
//! against `/` (supervisord's working directory under systemd).

pub mod datatypes;
pub mod format;
pub mod glob;
pub mod ini;
pub mod lex;
pub mod map;
mod resolve;

use serde::Serialize;

pub use datatypes::{Autorestart, Signal};
pub use ini::{Location, Python};
pub use resolve::resolve;

use crate::finding::Finding;

/// The systemd manager's default `PATH` for services as Debian 12's systemd 252 sets it
/// (`systemd-path search-binaries-default`; the same PATH the SysV frontend assumes).
pub const SYSTEMD_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The environment supervisord gets when systemd starts it as Debian's `supervisor.service`
/// does (no `User=`, no `Environment=`): `PATH` only. `%(ENV_X)s` sees these variables and
/// those of [`Options::env`], which win.
#[must_use]
pub fn base_environment() -> Vec<(String, String)> {
    vec![("PATH".to_string(), SYSTEMD_PATH.to_string())]
}

/// Converts one supervisord configuration (`display` names it in the report, `host_path` is its
/// path on the host, for includes and `%(here)s`): [`resolve`], then [`map::items`].
#[must_use]
pub fn parse_config(
    display: &str,
    host_path: Option<&str>,
    text: &str,
    host: &crate::host::Host,
    options: &Options,
) -> Vec<crate::ir::Item> {
    let resolved = resolve(display, host_path.unwrap_or(display), text, host, options);
    map::items(&resolved, text, host, options)
}

/// Whether `text` has a line that supervisor reads as the header of a section only supervisord
/// configurations have (`[supervisord]`, `[program:x]`, `[group:x]`, `[eventlistener:x]`,
/// `[fcgi-program:x]`), for `--from auto`. Lines end as supervisor's reading ends them (`\n`,
/// `\r\n` or a lone `\r`), and a header may be followed by text (`[supervisord] ; main`), which
/// supervisor ignores.
#[must_use]
pub fn has_section_header(text: &str) -> bool {
    text.split(['\n', '\r']).any(|l| {
        let t = l.trim_matches(ini::is_py_space);
        [
            "[supervisord]",
            "[program:",
            "[group:",
            "[eventlistener:",
            "[fcgi-program:",
        ]
        .iter()
        .any(|h| t.starts_with(h))
    })
}

/// What the reader needs beyond the files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `%(host_node_name)s` (`--hostname`); otherwise the host's `/etc/hostname`.
    pub hostname: Option<String>,
    /// supervisord's own environment beyond [`base_environment`] (`--env-file`), in order.
    pub env: Vec<(String, String)>,
    /// The CPython version that runs supervisord on the host (they read a few lines
    /// differently).
    pub python: ini::Python,
}

/// The resolved configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    /// The host path of the file read first.
    pub file: String,
    /// The file has no `[supervisord]` section and was read as an included file.
    pub fragment: bool,
    /// Every file read, in order, the first one first.
    pub files: Vec<String>,
    pub supervisord: Supervisord,
    /// Process groups in supervisor's order: by priority, then name.
    pub groups: Vec<Group>,
    /// Sections (or lines before any section) that could not be read.
    pub errors: Vec<SectionError>,
    /// What the operator should know about the reading (ignored sections, includes, …).
    pub notices: Vec<Notice>,
    /// Values baked in from outside the configuration: `ENV_` names and the host name.
    pub baked: Vec<Baked>,
}

impl Resolved {
    /// Every process, group by group.
    pub fn processes(&self) -> impl Iterator<Item = &Process> {
        self.groups.iter().flat_map(|g| g.processes.iter())
    }
}

/// The `[supervisord]` settings programs inherit (defaults when the section is absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Supervisord {
    /// Where the section starts, when there is one.
    pub at: Option<Location>,
    /// `user=` as written (supervisord switches to it before spawning anything).
    pub user: Option<String>,
    pub uid: Option<u32>,
    pub directory: Option<String>,
    pub umask: i64,
    pub minfds: i64,
    pub minprocs: i64,
    pub childlogdir: String,
    pub nodaemon: bool,
    pub identifier: String,
    pub logfile: String,
    pub pidfile: String,
    /// `environment=`, in order.
    pub environment: Vec<(String, String)>,
}

impl Default for Supervisord {
    fn default() -> Self {
        Supervisord {
            at: None,
            user: None,
            uid: None,
            directory: None,
            umask: 0o22,
            minfds: 1024,
            minprocs: 200,
            childlogdir: "/tmp".into(),
            nodaemon: false,
            identifier: "supervisor".into(),
            logfile: "supervisord.log".into(),
            pidfile: "supervisord.pid".into(),
            environment: Vec::new(),
        }
    }
}

/// A process group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub name: String,
    /// The section it comes from (`program:web`, `group:site`, …).
    pub section: String,
    pub at: Location,
    pub priority: i64,
    pub kind: GroupKind,
    /// In supervisor's order (each program's processes by priority then name).
    pub processes: Vec<Process>,
}

/// What kind of section made a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum GroupKind {
    /// `[program:x]` on its own.
    Program,
    /// `[group:x] programs=…`.
    Group { programs: Vec<String> },
    /// `[eventlistener:x]`.
    EventListener {
        /// Event type names, sorted.
        events: Vec<String>,
        buffer_size: i64,
        result_handler: String,
    },
    /// `[fcgi-program:x]`.
    FastCgi { socket: Socket },
}

/// An fcgi-program's socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Socket {
    /// `unix:///path` (normalized) or `tcp://host:port` (host lowercased).
    pub url: String,
    pub backlog: Option<i64>,
    /// Unix sockets: the mode (default 0o700) and owner (uid, gid) supervisor sets.
    pub mode: Option<i64>,
    pub owner: Option<(u32, Option<u32>)>,
}

/// Where a log stream goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFile {
    /// `AUTO`: a file supervisord creates in `childlogdir`.
    Auto,
    /// `NONE`/`OFF` (and the deprecated `syslog` value, which also sets `syslog`).
    None,
    /// A path, `~` expanded.
    Path(String),
}

/// One stream's log settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Log {
    pub logfile: LogFile,
    pub maxbytes: i64,
    pub backups: i64,
    pub syslog: bool,
    pub capture_maxbytes: i64,
    pub events_enabled: bool,
}

/// One process supervisord would run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Process {
    /// `process_name` expanded.
    pub name: String,
    pub group: String,
    /// The name in the section header (`web` of `[program:web]`).
    pub program: String,
    pub section: String,
    pub at: Location,
    pub process_num: i64,
    pub numprocs: i64,
    /// `command` expanded, as supervisor keeps it.
    pub command: String,
    /// The command split as supervisord splits it when it spawns the process, or the error it
    /// would then log.
    pub argv: Result<Vec<String>, String>,
    pub directory: Option<String>,
    /// `user=` as written, and the uid it names on the host.
    pub user: Option<String>,
    pub uid: Option<u32>,
    pub umask: Option<i64>,
    pub priority: i64,
    pub autostart: bool,
    pub autorestart: Autorestart,
    pub exitcodes: Vec<i64>,
    pub startsecs: i64,
    pub startretries: i64,
    pub stopsignal: Signal,
    pub stopwaitsecs: i64,
    pub stopasgroup: bool,
    pub killasgroup: bool,
    pub redirect_stderr: bool,
    pub stdout: Log,
    pub stderr: Log,
    /// `[supervisord] environment` with the program's own over it (program values win).
    pub environment: Vec<(String, String)>,
    /// `serverurl`, `None` for `AUTO`.
    pub serverurl: Option<String>,
}

impl Serialize for Signal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
    }
}

impl Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// A section (or a line outside any section) that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionError {
    /// The section name as written; `None` for a line before the first section header.
    pub section: Option<String>,
    pub at: Location,
    pub message: String,
}

impl std::fmt::Display for SectionError {
    /// `file:line:col: error: [section] message`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.section {
            Some(s) => write!(f, "{}: error: [{s}] {}", self.at, self.message),
            None => write!(f, "{}: error: {}", self.at, self.message),
        }
    }
}

/// A finding about the reading, with the section and place it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub section: Option<String>,
    pub at: Option<Location>,
    pub finding: Finding,
}

/// Where a baked-in value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BakedFrom {
    /// `--env-file`.
    EnvFile,
    /// [`base_environment`].
    Base,
    /// `--hostname`.
    HostnameOption,
    /// The host's `/etc/hostname`.
    HostnameFile,
}

/// A value from outside the configuration written into it: `%(ENV_X)s` (`name` is `X`) or
/// `%(host_node_name)s` (`name` is `host_node_name`), per section that uses it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Baked {
    pub section: String,
    pub name: String,
    pub from: BakedFrom,
}

impl Resolved {
    /// One finding per section and baked-in value: `supervisord-env-baked` for each
    /// `%(ENV_X)s` taken from supervisord's environment (`--env-file` or the base), and
    /// `supervisord-hostname-baked` for `%(host_node_name)s`. Values are never printed.
    #[must_use]
    pub fn baked_findings(&self, section: &str) -> Vec<Finding> {
        self.baked
            .iter()
            .filter(|b| b.section == section)
            .map(|b| match b.from {
                BakedFrom::EnvFile | BakedFrom::Base => Finding::note(
                    crate::finding::Code::SupervisordEnvBaked,
                    format!(
                        "%(ENV_{})s is replaced by the value of {} in {}",
                        b.name,
                        b.name,
                        if b.from == BakedFrom::EnvFile {
                            "--env-file"
                        } else {
                            "the environment systemd gives supervisord"
                        }
                    ),
                    "check that the value is the one supervisord had on the host; the converted unit no longer reads it at start",
                ),
                BakedFrom::HostnameOption | BakedFrom::HostnameFile => Finding::note(
                    crate::finding::Code::SupervisordHostnameBaked,
                    format!(
                        "%(host_node_name)s is replaced by the host name from {}",
                        if b.from == BakedFrom::HostnameOption {
                            "--hostname"
                        } else {
                            "the host's /etc/hostname"
                        }
                    ),
                    "convert again on (or for) each host with its own name",
                ),
            })
            .collect()
    }
}
