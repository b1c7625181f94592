//! The intermediate representation every frontend lowers into.
//!
//! An [`Item`] is one source definition — a crontab line, an anacrontab line, a periodic
//! directory, a supervisord `[program:x]`, a PM2 app, an init script — together with what it
//! *means*: a [`Service`] (what runs, as whom, how) and its [`Activation`] (when it runs).
//! Nothing here is spelled the way systemd spells it; the backend decides the directives.
//!
//! Unit sets, for every frontend: a template with named instances and what differs per
//! instance ([`Instances::Set`], optionally with a target wanting the instances), a group of
//! other items' units ([`Body::Target`], members `PartOf=` it through
//! [`Ordering::part_of`]), a listening socket passed to the service ([`Definition::socket`]),
//! failure handlers ([`Ordering::on_failure`]). References to other items are [`UnitRef`]s by
//! the stem those items asked for; the pipeline resolves them after naming.
//!
//! Each type lists how the legacy formats spell it, so a frontend author can see where their
//! option lands.

use crate::finding::Finding;

/// Which frontend read an item (`source.format` in the report; the `--from` value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// crontabs, `cron.d`, spools, periodic directories.
    Cron,
    /// `/etc/anacrontab`.
    Anacron,
    /// PM2 ecosystem files and `dump.pm2`.
    Pm2,
    /// supervisord configuration.
    Supervisord,
    /// SysV init scripts.
    Sysv,
}

impl Format {
    /// The `--from` spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Cron => "cron",
            Format::Anacron => "anacron",
            Format::Pm2 => "pm2",
            Format::Supervisord => "supervisord",
            Format::Sysv => "sysv",
        }
    }
}

/// Where a definition came from: the format that read it (`None` for an input whose format was
/// never decided: missing, unreadable, or unclassifiable under `--from auto`), the file as the
/// user named it (or the host path under `scan`/`--root`) and the 1-based line where it starts,
/// when the format has lines.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    pub format: Option<Format>,
    pub file: String,
    pub line: Option<u32>,
}

/// One source definition and everything the frontend learned about it.
#[derive(Debug, Clone)]
pub struct Item {
    pub origin: Origin,
    /// The entry's name in the legacy tool (job, program, app, script).
    pub name: String,
    /// The unit name the frontend would like, without suffix (`sysstat-debian-sa1`). The
    /// naming pass makes it valid and unique.
    pub unit_stem: String,
    /// A fingerprint of the definition's content, used to tell apart items whose stems collide
    /// without depending on line numbers.
    pub identity: String,
    pub body: Body,
    pub findings: Vec<Finding>,
}

impl Item {
    /// An entry or file that could not be parsed: `column` is 1-based, `None` when unknown; the
    /// line is the origin's.
    #[must_use]
    pub fn error(
        origin: Origin,
        name: impl Into<String>,
        column: Option<u32>,
        message: String,
    ) -> Self {
        let line = origin.line;
        Item {
            origin,
            name: name.into(),
            unit_stem: String::new(),
            identity: String::new(),
            body: Body::Error(SourceError {
                line,
                column,
                message,
            }),
            findings: Vec::new(),
        }
    }

    /// An entry with nothing to emit; `why` says so in the report.
    #[must_use]
    pub fn skipped(origin: Origin, name: impl Into<String>, why: Finding) -> Self {
        Item {
            origin,
            name: name.into(),
            unit_stem: String::new(),
            identity: String::new(),
            body: Body::Skipped,
            findings: vec![why],
        }
    }
}

/// What an item turned into.
#[derive(Debug, Clone)]
pub enum Body {
    /// A unit to write.
    Unit(Box<Definition>),
    /// Nothing to emit; a finding says why.
    Skipped,
    /// The entry (or the whole file) could not be parsed.
    Error(SourceError),
    /// A group of other items' units (`[group:x]`): a `.target` that wants them.
    Target(Box<Target>),
}

/// A `.target` that groups units of other items: it wants every member, and each member is
/// `PartOf=` it, so starting, stopping or restarting the target does so to all of them.
///
/// supervisord `[group:x] programs=a,b` → `x.target` wanting `a.service`, `b.service` (or
/// `a.target` for a program with several processes); PM2 and SysV multi-daemon scripts reuse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub description: String,
    pub members: Vec<UnitRef>,
    /// Started at boot (`[Install] WantedBy=`), or only by hand.
    pub activation: Activation,
}

/// A unit of another item of the same input, named by the stem that item asked for
/// ([`Item::unit_stem`]); the pipeline rewrites it to the name the naming pass gave that item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRef {
    pub stem: String,
    pub kind: RefKind,
}

/// Which of an item's units a [`UnitRef`] means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// `STEM.service` (a single process).
    Service,
    /// `STEM.target` (the target of an item with several instances, or a group).
    Target,
    /// `STEM@%n.service`: an instance of a handler template, per unit that starts it
    /// (`OnFailure=`).
    Handler,
}

impl UnitRef {
    /// The unit's file name.
    #[must_use]
    pub fn unit_name(&self) -> String {
        match self.kind {
            RefKind::Service => format!("{}.service", self.stem),
            RefKind::Target => format!("{}.target", self.stem),
            RefKind::Handler => format!("{}@%n.service", self.stem),
        }
    }
}

/// A parse or read error, located in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

/// A service and what starts it.
#[derive(Debug, Clone)]
pub struct Definition {
    pub service: Service,
    pub activation: Activation,
    /// A listening socket the service is given (supervisord `[fcgi-program:x]`): a
    /// `.socket` unit named like the service.
    pub socket: Option<Socket>,
}

/// A listening socket created for a service and passed to it (`.socket` + `Sockets=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Socket {
    pub listen: Listen,
    /// Owner and group of a Unix socket file (names or numeric ids).
    pub user: Option<String>,
    pub group: Option<String>,
    /// Mode of a Unix socket file.
    pub mode: Option<u32>,
    pub backlog: Option<u32>,
    /// The service gets the listening socket as its standard input (FastCGI, inetd's `wait`
    /// style) rather than through `$LISTEN_FDS`.
    pub as_stdin: bool,
}

/// What a socket listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    /// A Unix stream socket at a path.
    Unix(String),
    /// A TCP address: `ADDRESS:PORT` with a numeric address, or a port on every address.
    Tcp { address: Option<String>, port: u16 },
}

/// When a service runs.
///
/// crontab: a schedule or `@reboot` → [`Activation::Timer`]. anacrontab: period →
/// [`Activation::Timer`] with persistence. supervisord `autostart`, PM2 apps, SysV
/// `Default-Start` → [`Activation::Boot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activation {
    /// Started at boot by the named targets and kept running (`[Install] WantedBy=`).
    Boot {
        wanted_by: Vec<String>,
        aliases: Vec<String>,
        /// Whether the legacy system started it at boot (SysV `rc?.d` `S` links); `None` when
        /// the source does not say.
        enabled: Option<bool>,
    },
    /// Installed but started only by hand or by another unit.
    Manual,
    /// Started by a timer.
    Timer(Timer),
    /// Started when a watched path changes: a `.path` unit named like the service.
    Path(PathWatch),
}

/// A `.path` unit: the service starts whenever one of the paths changes (`PathChanged=`: a
/// file written and closed, or an entry of a directory created, removed or renamed; not
/// recursive). PM2 `watch` uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathWatch {
    /// Absolute paths.
    pub changed: Vec<String>,
}

/// A timer: calendar events (any one of them elapsing starts the service), a delay after boot,
/// and how exact and how forgiving it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timer {
    /// Several events are ORed: the service starts whenever any of them elapses.
    pub calendar: Vec<CalendarEvent>,
    /// Start this many seconds after boot (`@reboot`).
    pub boot_delay: Option<u64>,
    /// Run a missed elapse at the next opportunity (anacron's catch-up).
    pub persistent: bool,
    /// Delay each elapse by a random amount up to this many seconds.
    pub random_delay: Option<u64>,
    /// Keep the random delay stable per machine and unit instead of redrawing it.
    pub fixed_random_delay: bool,
    /// How late the timer may elapse, in seconds (cron fires within the minute).
    pub accuracy_sec: u64,
}

/// One calendar event: the instants whose fields are all in the given sets. An empty `Option`
/// means "any value". Seconds are always 0 (no legacy format schedules below the minute).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CalendarEvent {
    /// Days of the week, bit 0 = Monday … bit 6 = Sunday.
    pub weekdays: Option<u8>,
    /// Months, bit 1 = January … bit 12 = December.
    pub months: Option<u16>,
    /// Days of the month, bit 1 … bit 31.
    pub days: Option<u32>,
    /// Hours, bit 0 … bit 23.
    pub hours: Option<u32>,
    /// Minutes, bit 0 … bit 59.
    pub minutes: Option<u64>,
    /// IANA zone the fields are read in; `None` means the host's zone.
    pub zone: Option<String>,
}

/// What runs and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub description: String,
    pub command: Command,
    /// Commands run before the main one; a failing one stops the start.
    pub pre: Vec<Command>,
    /// Commands run in order to reload (a failing one stops the reload).
    pub reload: Vec<Command>,
    pub kind: ServiceKind,
    pub exec: ExecContext,
    pub restart: Restart,
    pub stop: Stop,
    pub logging: Logging,
    pub ordering: Ordering,
    pub conditions: Conditions,
    /// Mail the run's output to a recipient when there was some (cron's `MAILTO`, with `--mail`).
    pub mail: Option<MailHook>,
    pub instances: Instances,
    /// The file the unit was generated from, as the host names it (SysV scripts: `SourcePath=`).
    pub source_path: Option<String>,
    /// How long starting may take, in seconds; `None` keeps systemd's default.
    pub start_timeout_sec: Option<u64>,
    /// Exit statuses that count as success besides 0 (`SuccessExitStatus=`).
    pub success_exit_status: Vec<ExitStatus>,
    /// Exit statuses that restart the service whatever [`Restart`] says
    /// (`RestartForceExitStatus=`).
    pub restart_force_exit_status: Vec<ExitStatus>,
    /// Exit statuses that never restart the service whatever [`Restart`] says
    /// (`RestartPreventExitStatus=`; PM2 `stop_exit_codes`).
    pub restart_prevent_exit_status: Vec<ExitStatus>,
    /// Give up restarting after `burst` starts within `interval_sec` seconds.
    pub start_limit: Option<StartLimit>,
    /// Restart the service when a periodic check of it fails (superlance `httpok`).
    pub health_check: Option<HealthCheck>,
    /// Commands run after each unexpected exit of the main process, restarted or not
    /// (superlance `crashmail`).
    pub crash_hooks: Vec<CrashHook>,
}

/// A command run each time the main process ends the way supervisord calls "exited
/// unexpectedly" (its `PROCESS_STATE_EXITED` event with `expected=0`), whether or not the unit
/// restarts: with an exit status not in `expected`, or killed by any signal; after running at
/// least `min_runtime_sec` (an earlier end is a failed start, supervisord's `BACKOFF`); and
/// not because the unit was being stopped or restarted. The command runs as root and gets the
/// unit's name as one more argument, and systemd's `SERVICE_RESULT`, `EXIT_CODE` and
/// `EXIT_STATUS` in its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrashHook {
    /// The listener's command, one list shared by every program it watches.
    pub command: std::sync::Arc<[String]>,
    /// supervisord's `exitcodes`.
    pub expected: Vec<u8>,
    /// supervisord's `startsecs`.
    pub min_runtime_sec: u64,
}

/// A periodic HTTP check: every `interval_sec` seconds the URL is fetched, and the service is
/// restarted unless the answer has status `status` (and holds `body`, when given) within
/// `timeout_sec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    pub url: String,
    pub interval_sec: u64,
    pub timeout_sec: u64,
    pub status: u16,
    pub body: Option<String>,
}

/// How a process ended: an exit code, or death by a signal (name without `SIG`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExitStatus {
    Code(u8),
    Signal(String),
}

/// A start rate limit (`StartLimitBurst=`, `StartLimitIntervalSec=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartLimit {
    pub burst: u32,
    pub interval_sec: u64,
}

/// A command: an argument vector run directly, or a script line run by a shell.
///
/// crontab and anacrontab commands are shell lines (`$SHELL -c line`); supervisord `command=`
/// and PM2 `script`+`args` are argument vectors; SysV daemons are argument vectors whose
/// words may name variables from an environment file ([`Command::Expand`]).
///
/// The program is what systemd executes (an absolute path, or a name systemd looks up); the
/// argument vector's first word, argv\[0\], is the program unless the source passed another
/// one (supervisord and a shell pass the name as written, `php` or `./bin/statsd`, after
/// finding the file): then [`Command::Named`] or [`Command::Expand`]'s `argv0` hold it. Build
/// with [`Command::exec`], which keeps argv\[0\] separate only when it differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The program, then its arguments; argv\[0\] is the program.
    Argv(Vec<String>),
    /// `program` run with exactly `argv`, whose first word differs from `program`
    /// (`ExecStart=@PROGRAM ARGV0 ARGS…`).
    Named {
        program: String,
        argv: Vec<String>,
    },
    Shell {
        shell: String,
        script: String,
    },
    /// An argument vector whose words (after the program, which is always literal) may refer
    /// to environment variables that systemd substitutes at start. `argv0`, when set, is the
    /// literal argv\[0\] the program gets instead of `program` (never equal to it).
    Expand {
        program: String,
        argv0: Option<String>,
        args: Vec<Word>,
    },
    /// `systemctl restart` of a unit of another item of the same input (PM2's `cron_restart`
    /// and `watch` restarters): the pipeline resolves the reference to the name the naming pass
    /// gave that unit, so a renamed app is still the one restarted; the backend writes
    /// `ExecStart=systemctl restart NAME`.
    Restart(UnitRef),
}

impl Command {
    /// `program` run with the argument vector `argv` (argv\[0\] first): [`Command::Argv`] when
    /// argv\[0\] is the program or missing, else [`Command::Named`].
    #[must_use]
    pub fn exec(program: String, mut argv: Vec<String>) -> Self {
        match argv.first() {
            Some(first) if *first != program => Command::Named { program, argv },
            Some(_) => Command::Argv(argv),
            None => {
                argv.push(program);
                Command::Argv(argv)
            }
        }
    }

    /// The file systemd executes (for a shell line, the shell).
    #[must_use]
    pub fn program(&self) -> &str {
        match self {
            Command::Argv(argv) => argv.first().map_or("", String::as_str),
            Command::Named { program, .. } | Command::Expand { program, .. } => program,
            Command::Shell { shell, .. } => shell,
            Command::Restart(_) => "systemctl",
        }
    }

    /// The argv\[0\] the program gets when it is not the program path.
    #[must_use]
    pub fn argv0(&self) -> Option<&str> {
        match self {
            Command::Named { argv, .. } => argv.first().map(String::as_str),
            Command::Expand { argv0, .. } => argv0.as_deref(),
            Command::Argv(_) | Command::Shell { .. } | Command::Restart(_) => None,
        }
    }
}

/// One word of a [`Command::Expand`] line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// Literal text and `${NAME}` references, concatenated into exactly one argument.
    Parts(Vec<WordPart>),
    /// The variable's value split at whitespace into zero or more arguments (an unquoted
    /// `$NAME` in the shell).
    Split(String),
}

/// A piece of a [`Word::Parts`] word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordPart {
    Text(String),
    Var(String),
    /// The instance string of a template's instance (`%i`): supervisord's `%(process_num)d`.
    Instance,
    /// The instance string unescaped (`%I`): a SysV script's per-configuration loop, whose
    /// instance names a configuration file.
    InstanceName,
}

/// How systemd knows the service is up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceKind {
    /// Runs to completion (cron jobs; init scripts that only do work once).
    Oneshot { remain_after_exit: bool },
    /// Up as soon as the process is forked.
    Simple,
    /// Up once the executable has been exec'd.
    Exec,
    /// The process forks a daemon and exits; the daemon's PID may be in a file.
    Forking { pid_file: Option<String> },
    /// The process reports readiness with `sd_notify`.
    Notify,
    /// A legacy init script run as it is (`script start`): it starts daemons and exits; no main
    /// process is known unless a pid file names it, and the script's own `stop` action stops
    /// them. `lsb` scripts may exit 5 (not installed) or 6 (not configured) without failing.
    Script { pid_file: Option<String>, lsb: bool },
}

/// The process's execution environment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecContext {
    pub user: Option<String>,
    pub group: Option<String>,
    pub working_dir: Option<WorkingDir>,
    /// Variables in order; a later one with the same name wins.
    pub environment: Vec<EnvVar>,
    pub environment_files: Vec<EnvFile>,
    pub umask: Option<u32>,
    pub nice: Option<i32>,
    pub limits: Vec<Limit>,
    /// The most memory the service may use, in bytes, before the kernel kills it
    /// (`MemoryMax=`, with `MemorySwapMax=0` so that it is killed rather than swapped out;
    /// superlance `memmon`).
    pub memory_max: Option<u64>,
    pub stdin: Stdin,
    /// Leave processes the command started in the background running when it exits
    /// (cron never kills a job's children).
    pub keep_children: bool,
    /// Directories under `/run` created for the service, owned by its user (names relative to
    /// `/run`).
    pub runtime_directories: Vec<String>,
    /// Directories under `/var/log` created for the service, owned by its user (names relative
    /// to `/var/log`; `LogsDirectory=`). Unlike runtime directories they survive a stop.
    pub logs_directories: Vec<String>,
    /// The mode of the runtime directories (`RuntimeDirectoryMode=`); `None` is systemd's 0755.
    pub runtime_directory_mode: Option<u32>,
    /// The mode of the logs directories (`LogsDirectoryMode=`); `None` is systemd's 0755.
    pub logs_directory_mode: Option<u32>,
    /// I/O scheduling class (`realtime`, `best-effort`, `idle`) and priority 0–7.
    pub io_scheduling: Option<(String, Option<u8>)>,
    /// CPU scheduling policy (`other`, `batch`, `idle`, `fifo`, `rr`) and priority.
    pub cpu_scheduling: Option<(String, Option<u32>)>,
}

/// `WorkingDirectory=`: the user's home (`~`), or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkingDir {
    Home,
    Path(String),
}

/// One environment variable. `secret` marks values that must not land in a world-readable unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    pub secret: bool,
}

impl EnvVar {
    /// A variable, marked secret when its name looks like it holds a password, token or key.
    #[must_use]
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        let secret = looks_secret(&name);
        EnvVar {
            name,
            value: value.into(),
            secret,
        }
    }
}

/// Whether systemd accepts `name` as an environment variable name (`Environment=`,
/// `EnvironmentFile=`): letters, digits and `_`, not starting with a digit. The frontends use it
/// to decide what can become a variable at all; the backend refuses anything else.
#[must_use]
pub fn env_name_is_valid(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether a variable name looks like it holds a credential (`DB_PASSWORD`, `API_TOKEN`,
/// `AWS_SECRET_ACCESS_KEY`, `PRIVATE_KEY`, …).
#[must_use]
pub fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    const WORDS: [&str; 9] = [
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "SECRET",
        "TOKEN",
        "CREDENTIAL",
        "APIKEY",
        "PRIVATE",
        "AUTH",
    ];
    if WORDS.iter().any(|w| upper.contains(w)) {
        return true;
    }
    upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|part| part == "KEY" || part == "PASS" || part == "PWD")
        && upper != "PWD"
}

/// An environment file read at start; `optional` ones may be missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFile {
    pub path: EnvFilePath,
    pub optional: bool,
}

impl EnvFile {
    /// The file at `path`, the same for every instance.
    #[must_use]
    pub fn fixed(path: impl Into<String>, optional: bool) -> Self {
        EnvFile {
            path: EnvFilePath::Fixed(path.into()),
            optional,
        }
    }

    /// The path when it is the same for every instance.
    #[must_use]
    pub fn fixed_path(&self) -> Option<&str> {
        match &self.path {
            EnvFilePath::Fixed(p) => Some(p),
            EnvFilePath::PerInstance { .. } => None,
        }
    }
}

/// Which file an [`EnvFile`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvFilePath {
    /// One file for the unit (every instance of a template reads the same).
    Fixed(String),
    /// A file named after the template's instance: `before`, the unescaped instance name
    /// (`%I`), `after` (`/etc/arpwatch/` + `eth0` + `.iface`). Only a template can have one.
    PerInstance { before: String, after: String },
}

/// A resource limit (`ulimit`, supervisord `minfds`, …) as systemd's `Limit<NAME>=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub resource: Resource,
    /// `1024`, `infinity`, or `soft:hard`.
    pub value: String,
}

/// A resource `setrlimit(2)` knows, as systemd names it after `Limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resource {
    Cpu,
    Fsize,
    Data,
    Stack,
    Core,
    Rss,
    Nofile,
    As,
    Nproc,
    Memlock,
    Locks,
    Sigpending,
    Msgqueue,
    Nice,
    Rtprio,
    Rttime,
}

impl Resource {
    /// The `Limit…=` directive for this resource.
    #[must_use]
    pub fn directive(self) -> &'static str {
        match self {
            Resource::Cpu => "LimitCPU",
            Resource::Fsize => "LimitFSIZE",
            Resource::Data => "LimitDATA",
            Resource::Stack => "LimitSTACK",
            Resource::Core => "LimitCORE",
            Resource::Rss => "LimitRSS",
            Resource::Nofile => "LimitNOFILE",
            Resource::As => "LimitAS",
            Resource::Nproc => "LimitNPROC",
            Resource::Memlock => "LimitMEMLOCK",
            Resource::Locks => "LimitLOCKS",
            Resource::Sigpending => "LimitSIGPENDING",
            Resource::Msgqueue => "LimitMSGQUEUE",
            Resource::Nice => "LimitNICE",
            Resource::Rtprio => "LimitRTPRIO",
            Resource::Rttime => "LimitRTTIME",
        }
    }
}

/// Standard input of the process.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Stdin {
    #[default]
    Null,
    /// Fixed bytes (cron's text after `%`).
    Data(Vec<u8>),
}

/// Restart policy. crontab: none. supervisord `autorestart=true|false|unexpected`, PM2
/// `autorestart`; systemd `Restart=`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Restart {
    #[default]
    No,
    OnFailure {
        delay_sec: Option<u64>,
    },
    Always {
        delay_sec: Option<u64>,
    },
}

/// How the service is stopped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stop {
    /// Signal name without `SIG` (`TERM`, `INT`, `QUIT`).
    pub signal: Option<String>,
    pub timeout_sec: Option<u64>,
    /// Command to run instead of sending a signal.
    pub command: Option<Command>,
    /// Which processes the stop signal and the final `SIGKILL` reach; `None` keeps systemd's
    /// default (every process of the service, both times).
    pub scope: Option<StopScope>,
}

/// Which processes stopping signals (`KillMode=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopScope {
    /// The stop signal and the final kill reach every process (`control-group`).
    All,
    /// The stop signal reaches the main process only; the final kill every process (`mixed`).
    MainThenAll,
    /// Only the main process, both times (`process`).
    Main,
}

/// Where output goes. `None` keeps systemd's default (the journal).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Logging {
    pub stdout: Option<Output>,
    pub stderr: Option<Output>,
    /// Identifier for journal lines (the syslog tag; systemd's default is the process name).
    pub identifier: Option<String>,
    /// The syslog identity of the output's lines beyond the identifier (a daemon's output
    /// piped into `logger -p FACILITY.LEVEL`); `None` keeps systemd's defaults (`daemon`,
    /// `info`, a `<N>` prefix read as the line's level).
    pub syslog: Option<Syslog>,
}

/// A syslog priority for the lines of a service's output: what `logger -p` gives every line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syslog {
    pub facility: SyslogFacility,
    pub level: SyslogLevel,
    /// A line starting `<N>` sets its own level (`logger --prio-prefix`; systemd's
    /// `SyslogLevelPrefix=`, on by default). Off, the prefix is part of the message.
    pub level_prefix: bool,
}

/// A syslog facility (RFC 5424 numbering; `kern` is not one a program can log to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SyslogFacility {
    User,
    Mail,
    Daemon,
    Auth,
    Syslog,
    Lpr,
    News,
    Uucp,
    Cron,
    Authpriv,
    Ftp,
    /// `local0` … `local7`.
    Local(u8),
}

impl SyslogFacility {
    /// The facility of a name as syslog.h spells it (`security` is the old `auth`), or of its
    /// number (the code, 0–23, not shifted); `kern` (0) is none a program can use.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        let f = match name.to_ascii_lowercase().as_str() {
            "user" => Self::User,
            "mail" => Self::Mail,
            "daemon" => Self::Daemon,
            "auth" | "security" => Self::Auth,
            "syslog" => Self::Syslog,
            "lpr" => Self::Lpr,
            "news" => Self::News,
            "uucp" => Self::Uucp,
            "cron" => Self::Cron,
            "authpriv" => Self::Authpriv,
            "ftp" => Self::Ftp,
            n => {
                let local = n.strip_prefix("local")?;
                let k: u8 = local.parse().ok().filter(|k| *k < 8 && local.len() == 1)?;
                Self::Local(k)
            }
        };
        Some(f)
    }

    /// The facility of a code (1 user … 11 ftp, 16–23 local0–7); 0 (`kern`) and the codes
    /// syslog.h does not name are none.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            1 => Self::User,
            2 => Self::Mail,
            3 => Self::Daemon,
            4 => Self::Auth,
            5 => Self::Syslog,
            6 => Self::Lpr,
            7 => Self::News,
            8 => Self::Uucp,
            9 => Self::Cron,
            10 => Self::Authpriv,
            11 => Self::Ftp,
            16..=23 => Self::Local(code - 16),
            _ => return None,
        })
    }

    /// The code (`SYSLOG_FACILITY=` in the journal).
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Self::User => 1,
            Self::Mail => 2,
            Self::Daemon => 3,
            Self::Auth => 4,
            Self::Syslog => 5,
            Self::Lpr => 6,
            Self::News => 7,
            Self::Uucp => 8,
            Self::Cron => 9,
            Self::Authpriv => 10,
            Self::Ftp => 11,
            Self::Local(k) => 16 + k,
        }
    }
}

/// A syslog level, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SyslogLevel {
    Emerg,
    Alert,
    Crit,
    Err,
    Warning,
    Notice,
    Info,
    Debug,
}

impl SyslogLevel {
    /// The level of a name as syslog.h spells it, old aliases too (`panic`, `error`, `warn`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "emerg" | "panic" => Self::Emerg,
            "alert" => Self::Alert,
            "crit" => Self::Crit,
            "err" | "error" => Self::Err,
            "warning" | "warn" => Self::Warning,
            "notice" => Self::Notice,
            "info" => Self::Info,
            "debug" => Self::Debug,
            _ => return None,
        })
    }

    /// The level of a code, 0 (`emerg`) to 7 (`debug`).
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        [
            Self::Emerg,
            Self::Alert,
            Self::Crit,
            Self::Err,
            Self::Warning,
            Self::Notice,
            Self::Info,
            Self::Debug,
        ]
        .get(usize::from(code))
        .copied()
    }
}

/// An output destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Journal,
    Null,
    /// Append to a file.
    Append(String),
    /// Empty the file when the unit starts, then write to it (`truncate:`, systemd 248): what
    /// a shell's `>FILE` does.
    Truncate(String),
}

/// Dependencies and ordering against other units.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ordering {
    pub after: Vec<String>,
    pub before: Vec<String>,
    pub wants: Vec<String>,
    pub requires: Vec<String>,
    /// Start after these units of other items (supervisord `priority`: lower ones first). One
    /// list may be shared by many items (every program of a priority level).
    pub after_items: RefList,
    /// Start these units of other items with this one (`Wants=`; the service of a SysV script
    /// that starts several daemons wants the service of each).
    pub wants_items: Vec<UnitRef>,
    /// Groups this item belongs to (`PartOf=`: stopped and restarted with them). For an item
    /// with an instance target, the target is the member.
    pub part_of: Vec<UnitRef>,
    /// Units whose reload reloads this one too (`ReloadPropagatedFrom=`: the daemons of a
    /// SysV script's unit set, so `systemctl reload NAME` reloads each).
    pub reload_with: Vec<UnitRef>,
    /// Handlers started each time the service fails (`OnFailure=`; supervisord event listeners
    /// such as superlance `crashmail`).
    pub on_failure: Vec<UnitRef>,
    /// Start after every unit of lower start priority and before every one of higher (a SysV
    /// script without an LSB header, as systemd-sysv-generator orders it): `After=` and
    /// `Before=` after [`Ordering::after`] and [`Ordering::before`], each unit once. Held as
    /// the run's shared list, expanded only when the unit is written.
    pub by_priority: Option<PriorityOrder>,
    /// Part of early boot: without systemd's default dependencies (`DefaultDependencies=no`,
    /// so not ordered after `sysinit.target` and `basic.target`), still stopped at shutdown
    /// (`Conflicts=` and `Before=shutdown.target`, the two default dependencies kept). The
    /// rest of its ordering is [`Ordering::after`]/[`Ordering::before`].
    pub early_boot: bool,
}

/// References to other items' units, one list shared by every item that holds the same one
/// (supervisord: every program of one priority level starts after the same programs).
/// Reading it copies nothing; changing it ([`RefList::push`], [`RefList::iter_mut`], as the
/// naming pass does when it answers the references) gives the item its own copy first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefList(std::sync::Arc<Vec<UnitRef>>);

impl RefList {
    /// Appends a reference (to this item's own copy).
    pub fn push(&mut self, r: UnitRef) {
        std::sync::Arc::make_mut(&mut self.0).push(r);
    }

    /// The references, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, UnitRef> {
        self.0.iter()
    }

    /// The references of this item's own copy, to change.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, UnitRef> {
        std::sync::Arc::make_mut(&mut self.0).iter_mut()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl From<Vec<UnitRef>> for RefList {
    fn from(refs: Vec<UnitRef>) -> Self {
        RefList(std::sync::Arc::new(refs))
    }
}

/// [`Ordering::by_priority`]: every prioritized init script of the host and this item's own
/// start priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityOrder {
    /// Every script with a start priority; one list shared by every item of a run.
    pub units: std::sync::Arc<PriorityUnits>,
    pub priority: u32,
}

/// The units of the init scripts with a start priority, by stem then priority: each one's unit
/// name and priority, and which stem it is (the entries of one stem are next to each other).
/// The names are held one after the other in one string, not one allocation each (18,600
/// scripts on a large host, one list per run).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PriorityUnits {
    /// The unit names, one after the other.
    names: String,
    /// Per entry: where its name ends in `names`, the number of its stem (counted from 0 in
    /// order), its priority.
    entries: Vec<(usize, u32, u32)>,
}

impl PriorityUnits {
    /// Whether one of the unit names holds `word`; for a word of capital letters only, the
    /// same as whether this list's `Debug` text holds it (`Debug` writes such letters as they
    /// are and makes none of an escape, and the names are one string in it), without writing
    /// that text out.
    #[must_use]
    pub fn names_contain(&self, word: &str) -> bool {
        self.names.contains(word)
    }

    /// How many entries the list holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list holds no entry.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The list of `(stem, unit, priority)` entries, given sorted by stem then priority.
    pub fn new<S: AsRef<str>, U: AsRef<str>>(
        sorted: impl IntoIterator<Item = (S, U, u32)>,
    ) -> Self {
        let mut out = PriorityUnits::default();
        let mut last: Option<S> = None;
        let mut stem_no = 0u32;
        for (stem, unit, p) in sorted {
            if let Some(prev) = &last
                && prev.as_ref() != stem.as_ref()
            {
                stem_no += 1;
            }
            last = Some(stem);
            out.names.push_str(unit.as_ref());
            out.entries.push((out.names.len(), stem_no, p));
        }
        out.names.shrink_to_fit();
        out.entries.shrink_to_fit();
        out
    }

    /// `(stem number, unit, priority)` of every entry, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str, u32)> {
        let mut start = 0;
        self.entries.iter().map(move |&(end, stem, p)| {
            let unit = self.names.get(start..end).unwrap_or("");
            start = end;
            (stem, unit, p)
        })
    }
}

impl PriorityOrder {
    /// The units to start after (`false`: a script of lower priority) then before (`true`:
    /// higher), each pass by stem and each stem once; the same priority orders nothing.
    pub fn neighbours(&self) -> impl Iterator<Item = (bool, &str)> {
        let mine = self.priority;
        let pass = move |before: bool| {
            let mut last: Option<u32> = None;
            self.units.iter().filter_map(move |(stem, unit, p)| {
                let side = if before { p > mine } else { p < mine };
                if !side || last == Some(stem) {
                    return None;
                }
                last = Some(stem);
                Some((before, unit))
            })
        };
        pass(false).chain(pass(true))
    }
}

/// Conditions checked before starting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conditions {
    /// Only start on AC power (anacron's default on Debian).
    pub ac_power: bool,
    /// Only start when these files exist and are executable (an init script's
    /// `test -x $DAEMON || exit 0`).
    pub file_is_executable: Vec<String>,
    /// Only start when these paths exist (an init script's `[ -f CONF ] || exit 0`).
    pub path_exists: Vec<String>,
    /// Only start when these paths do not exist (an init script's `if [ -e FILE ]; then exit
    /// 0; fi`): `ConditionPathExists=!FILE`.
    pub path_absent: Vec<String>,
    /// Only start when these are directories (`[ -d DIR ] || exit 0`).
    pub path_is_directory: Vec<String>,
    /// Only start when these files exist and are not empty (`[ -s FILE ] || exit 0`).
    pub file_not_empty: Vec<String>,
    /// Only start when these directories hold at least one entry (a script that exits when
    /// its configuration directory is empty).
    pub directory_not_empty: Vec<String>,
    /// Only start when the kernel command line has (`true`) or lacks (`false`) each word (an
    /// init script's `grep -qw text /proc/cmdline`).
    pub kernel_command_line: Vec<(KernelWord, bool)>,
}

/// A word of the kernel command line as `ConditionKernelCommandLine=` tests it: `NAME` (the
/// argument `NAME` or `NAME=…`) or `NAME=VALUE` (that argument exactly); NAME and VALUE of
/// ASCII letters, digits, `_`, `-` and `.`, NAME not starting with `-` or `!`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelWord(String);

impl KernelWord {
    /// `None` for anything but the form above.
    #[must_use]
    pub fn new(word: &str) -> Option<KernelWord> {
        let plain = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        };
        let (name, value) = word.split_once('=').unwrap_or((word, ""));
        (!name.is_empty() && !name.starts_with('-') && plain(name) && plain(value))
            .then(|| KernelWord(word.to_string()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Mail a run's output, cron-style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailHook {
    /// Recipient (`MAILTO`), or the job's owner.
    pub to: String,
    /// Sender (`MAILFROM`), when set.
    pub from: Option<String>,
}

/// How many copies run. supervisord `numprocs`, PM2 `instances`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Instances {
    #[default]
    One,
    /// A template started as instances `0` … `n-1`, all alike.
    Count(u32),
    /// A template and its named instances, each with what differs for it; optionally a
    /// `BASE.target` that wants every instance, which are `PartOf=` it (supervisord
    /// `numprocs`: `systemctl start BASE.target` is `supervisorctl start BASE:*`).
    Set(InstanceSet),
}

/// The instances of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSet {
    pub instances: Vec<Instance>,
    /// Write `BASE.target` wanting every instance.
    pub target: bool,
}

/// One instance of a template: its instance string (`%i`, the text between `@` and
/// `.service`) and the settings that differ from the template, which go into its drop-in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Instance {
    pub name: String,
    /// Replaces the template's command.
    pub command: Option<Command>,
    /// Added over the template's variables (the same name wins).
    pub environment: Vec<EnvVar>,
    pub working_dir: Option<WorkingDir>,
    pub stdout: Option<Output>,
    pub stderr: Option<Output>,
    /// Restart this instance alone when a periodic check of it fails (superlance `httpok`
    /// naming one process of a `numprocs` program).
    pub health_check: Option<HealthCheck>,
}

impl Service {
    /// A service that runs `command` once with default settings.
    #[must_use]
    pub fn oneshot(description: String, command: Command) -> Self {
        Service {
            description,
            command,
            pre: Vec::new(),
            reload: Vec::new(),
            kind: ServiceKind::Oneshot {
                remain_after_exit: false,
            },
            exec: ExecContext::default(),
            restart: Restart::No,
            stop: Stop::default(),
            logging: Logging::default(),
            ordering: Ordering::default(),
            conditions: Conditions::default(),
            mail: None,
            instances: Instances::One,
            source_path: None,
            start_timeout_sec: None,
            success_exit_status: Vec::new(),
            restart_force_exit_status: Vec::new(),
            restart_prevent_exit_status: Vec::new(),
            start_limit: None,
            health_check: None,
            crash_hooks: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PriorityOrder, PriorityUnits, RefKind, RefList, UnitRef, looks_secret};

    #[test]
    fn a_shared_ref_list_is_copied_only_for_the_item_that_changes_it() {
        let r = |stem: &str| UnitRef {
            stem: stem.to_string(),
            kind: RefKind::Service,
        };
        let level: RefList = vec![r("a"), r("b")].into();
        let mut mine = level.clone();
        let theirs = level.clone();
        mine.iter_mut().for_each(|u| u.stem.push_str("-1"));
        mine.push(r("c"));
        let stems = |l: &RefList| l.iter().map(|u| u.stem.clone()).collect::<Vec<_>>();
        assert_eq!(stems(&mine), ["a-1", "b-1", "c"]);
        assert_eq!(stems(&theirs), ["a", "b"]);
        assert_eq!(stems(&level), ["a", "b"]);
        assert_eq!((mine.len(), theirs.len()), (3, 2));
    }

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "API_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "SSH_KEY",
            "mysql_pwd",
            "GITHUB_AUTH",
        ] {
            assert!(looks_secret(n), "{n}");
        }
        for n in ["PATH", "HOME", "MAILTO", "KEYBOARD", "PWD", "SHELL", "LANG"] {
            assert!(!looks_secret(n), "{n}");
        }
    }

    #[test]
    fn priority_neighbours_are_each_stem_once_lower_ones_first_the_same_priority_none() {
        let unit = |stem: &'static str, p: u32| (stem, format!("{stem}.service"), p);
        // `ssh` and `ssh.sh` are one stem: at 10 and 40 it is both before and after 20.
        let order = PriorityOrder {
            units: PriorityUnits::new(vec![
                unit("a", 30),
                unit("b", 10),
                unit("c", 20),
                unit("d", 5),
                unit("d", 8),
                unit("ssh", 10),
                unit("ssh", 40),
            ])
            .into(),
            priority: 20,
        };
        let got: Vec<(bool, &str)> = order.neighbours().collect();
        assert_eq!(
            got,
            [
                (false, "b.service"),
                (false, "d.service"),
                (false, "ssh.service"),
                (true, "a.service"),
                (true, "ssh.service"),
            ]
        );
    }
}
