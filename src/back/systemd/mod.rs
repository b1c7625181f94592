//! The systemd backend: turns a [`Definition`] into unit files.
//!
//! Mapping (IR → directive):
//! - `Service.command` → `ExecStart=` (a shell line as `SHELL -c LINE`); `pre` → `ExecStartPre=`;
//!   `reload` → `ExecReload=`; `stop.command` → `ExecStop=`.
//! - `ServiceKind` → `Type=` (+ `RemainAfterExit=`, `PIDFile=`); `Script` → the wrapper block
//!   systemd-sysv-generator wrote (`Type=forking`, `GuessMainPID=no`, `KillMode=process`, …).
//! - `source_path` → `SourcePath=`; `start_timeout_sec` → `TimeoutStartSec=`.
//! - `ExecContext` → `User=`, `Group=`, `WorkingDirectory=`, `Environment=` (secrets go to an
//!   environment file instead), `EnvironmentFile=`, `UMask=`, `Nice=`, `Limit*=`,
//!   `StandardInput=data` + `StandardInputData=`, `KillMode=process` when children must survive,
//!   `RuntimeDirectory=`, `IOScheduling*=`, `CPUScheduling*=`.
//! - `Restart` → `Restart=`/`RestartSec=`; `Stop` → `KillSignal=`/`TimeoutStopSec=`.
//! - `Logging` → `StandardOutput=`/`StandardError=`/`SyslogIdentifier=`; `Logging.syslog` →
//!   `SyslogFacility=`/`SyslogLevel=` (+ `SyslogLevelPrefix=no` when a `<N>` prefix is text).
//! - `Ordering` → `Wants=`/`Requires=`/`After=`/`Before=`; `Conditions` → `Condition*=`;
//!   `Ordering.early_boot` → `DefaultDependencies=no` + `Conflicts=`/`Before=shutdown.target`.
//! - `mail` → `OnFailure=`/`OnSuccess=` on the [`MAIL_UNIT`] template.
//! - `Ordering.part_of` → `PartOf=`; `after_items` → `After=`; `wants_items` → `Wants=`; `start_limit` →
//!   `StartLimitBurst=`/`StartLimitIntervalSec=`; `success_exit_status` →
//!   `SuccessExitStatus=`; `restart_force_exit_status` → `RestartForceExitStatus=`;
//!   `restart_prevent_exit_status` → `RestartPreventExitStatus=`;
//!   `Stop.scope` → `KillMode=`.
//! - `Instances::Set` → `BASE@.service`, a drop-in `BASE@I.service.d/instance.conf` per
//!   instance with what differs, and `BASE.target` wanting the instances (`PartOf=` it).
//! - `Body::Target` → `BASE.target` wanting its members ([`write_target`]).
//! - `health_check` → `BASE-healthcheck.service` (curl, `systemctl restart` on failure) and
//!   `BASE-healthcheck.timer` (`OnActiveSec=`/`OnUnitActiveSec=` the interval); an instance's
//!   own `health_check` → `BASE-N-healthcheck.*` restarting `BASE@N.service`.
//! - `crash_hooks` → `ExecStopPost=-+/bin/sh -c TEST sh %n …` (the test: `CRASH_TEST`).
//! - `Definition.socket` → `BASE.socket` (`ListenStream=`, `SocketUser=`, `SocketGroup=`,
//!   `SocketMode=`, `Backlog=`, `Service=` the first instance of a template), and on the
//!   service `Sockets=`, `Requires=`/`After=` it, `StandardInput=socket` when it is passed as
//!   standard input.
//! - `Activation::Timer` → a `.timer` (`OnCalendar=`, `OnBootSec=`, `AccuracySec=`,
//!   `RandomizedDelaySec=`, `FixedRandomDelay=`, `Persistent=`) wanted by `timers.target`;
//!   `Activation::Path` → a `.path` (`PathChanged=` per path) wanted by `paths.target`;
//!   `Activation::Boot` → `[Install] WantedBy=`/`Alias=` on the service.

pub mod escape;
pub mod on_calendar;
pub mod unit;

use crate::finding::{Code, Finding};
use crate::ir::{
    Activation, Command, Definition, Instances, Output, Restart, ServiceKind, Stdin, StopScope,
    SyslogFacility, SyslogLevel, Target, UnitRef, WorkingDir,
};
pub use unit::Unwritable;
use unit::{InstallSection, Kind, ServiceSection, TimerSection, UnitFile, UnitSection};

/// The mail helper template shared by every job that mails its output (`--mail`).
pub const MAIL_UNIT: &str = "systemdify-cron-mail@.service";

/// Backend settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Where environment files with secrets are installed on the target (`--env-dir`).
    pub env_dir: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            env_dir: "/etc/systemdify/env".to_string(),
        }
    }
}

/// A file to write, relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: String,
    /// File mode: 0o644 for units, 0o600 for environment files with secrets.
    pub mode: u32,
}

/// What one item lowers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lowered {
    pub files: Vec<OutputFile>,
    /// Unit file names, for the report (helpers included).
    pub units: Vec<String>,
    pub findings: Vec<Finding>,
}

/// The longest single argument the kernel passes to `exec` (`MAX_ARG_STRLEN`, 32 pages,
/// including the terminating NUL).
pub const MAX_ARG_STRLEN: usize = 32 * 4096;

/// The `Exec*=` value for `cmd` (`directive` names it in an error).
///
/// # Errors
/// [`Unwritable`] when one argument is longer than the kernel passes to a program: such a unit
/// would load but never start.
fn command_line(directive: &'static str, cmd: &Command) -> Result<String, Unwritable> {
    let literal_args: Vec<&str> = match cmd {
        Command::Argv(argv) => argv.iter().map(String::as_str).collect(),
        Command::Named { program, argv } => std::iter::once(program.as_str())
            .chain(argv.iter().map(String::as_str))
            .collect(),
        Command::Shell { shell, script } => vec![shell.as_str(), script.as_str()],
        // A unit name: checked when the name was given (unit-name characters only).
        Command::Restart(_) => Vec::new(),
        Command::Expand {
            program,
            argv0,
            args,
        } => std::iter::once(program.as_str())
            .chain(argv0.as_deref())
            .chain(args.iter().flat_map(|w| {
                match w {
                    crate::ir::Word::Parts(parts) => parts
                        .iter()
                        .filter_map(|p| match p {
                            crate::ir::WordPart::Text(t) => Some(t.as_str()),
                            crate::ir::WordPart::Var(_)
                            | crate::ir::WordPart::Instance
                            | crate::ir::WordPart::InstanceName => None,
                        })
                        .collect::<Vec<_>>(),
                    crate::ir::Word::Split(_) => Vec::new(),
                }
            }))
            .collect(),
    };
    if let Some(reason) = literal_args.first().and_then(|p| bad_program(p)) {
        return Err(Unwritable { directive, reason });
    }
    if matches!(cmd, Command::Named { argv, .. } if argv.is_empty()) {
        return Err(Unwritable {
            directive,
            reason: "the argument vector is empty: the program would get no argv[0]".to_string(),
        });
    }
    if literal_args.iter().any(|a| a.contains('\0')) {
        return Err(Unwritable {
            directive,
            reason: "an argument holds a NUL byte, which no program can be given".to_string(),
        });
    }
    if let Some(long) = literal_args.iter().find(|a| a.len() >= MAX_ARG_STRLEN) {
        return Err(Unwritable {
            directive,
            reason: format!(
                "one argument is {} bytes; the kernel passes at most {} bytes per argument to a program, so the unit could never start",
                long.len(),
                MAX_ARG_STRLEN - 1
            ),
        });
    }
    Ok(match cmd {
        Command::Argv(argv) => escape::exec_line(argv),
        Command::Named { program, argv } => escape::exec_named(program, argv),
        Command::Shell { shell, script } => {
            escape::exec_line(&[shell.clone(), "-c".to_string(), script.clone()])
        }
        Command::Expand {
            program,
            argv0,
            args,
        } => escape::exec_expand(program, argv0.as_deref(), args),
        Command::Restart(unit) => escape::exec_line(&[
            "systemctl".to_string(),
            "restart".to_string(),
            unit.unit_name(),
        ]),
    })
}

/// Why systemd 252 would not run `program` as the executable of an `Exec*=` line (or would
/// read part of it as a prefix such as `-`, "ignore failure"), if it would not.
fn bad_program(program: &str) -> Option<String> {
    let why = if program.is_empty() {
        "the program name is empty"
    } else if program.starts_with(['-', '@', ':', '+', '!']) {
        "the program name starts with a character systemd reads as an Exec prefix (-@:+!)"
    } else if program
        .chars()
        .any(|c| c.is_control() || matches!(c, '"' | '\'' | '\\'))
    {
        "the program name holds quotes, backslashes or control characters, which systemd refuses"
    } else if program.ends_with('/') {
        "the program path ends in /"
    } else if program.starts_with('$') || program.contains("${") || program.contains("$$") {
        "the program name holds `$$` or `${`: systemd substitutes variables in the argv[0] it passes but not in the path it runs, so the program would see another name"
    } else if program.starts_with('/') {
        if program.len() >= 4096 || program.split('/').any(|c| c.len() > 255) {
            "the program path is longer than a path may be"
        } else {
            return None;
        }
    } else if program.contains('/') || program == "." || program == ".." || program.len() > 255 {
        "the program is neither an absolute path nor a plain name systemd looks up"
    } else {
        return None;
    };
    Some(format!("{why}: `{}`", program.escape_debug()))
}

/// The shell test of a [`crate::ir::CrashHook`], run by `ExecStopPost=` with the unit's name,
/// the least run time in microseconds and the expected exit statuses as `$1`–`$3`, then the
/// hook's command. It runs the command (with the unit's name appended) only when: no job is
/// queued for the unit (a `systemctl stop` or `restart` has one; an exit on its own, restarted
/// or not, has none), the main process exited with a status not in the list or was killed
/// (`$EXIT_CODE` `killed`/`dumped`; supervisord expects no death by a signal), and it had run
/// at least the least run time (`ExecMainStartTimestampMonotonic` to
/// `ExecMainExitTimestampMonotonic`). Checked in systemd 252 by the live test
/// `supervisord_crash_and_fatal_mail`.
const CRASH_TEST: &str = r#"u=$1 least=$2 ok=" $3 "; shift 3
[ -z "$(systemctl show -P Job "$u")" ] || exit 0
case "$EXIT_CODE" in exited) case "$ok" in *" $EXIT_STATUS "*) exit 0 ;; esac ;; killed|dumped) ;; *) exit 0 ;; esac
start=$(systemctl show -P ExecMainStartTimestampMonotonic "$u")
end=$(systemctl show -P ExecMainExitTimestampMonotonic "$u")
[ "$((${end:-0} - ${start:-0}))" -ge "$least" ] || exit 0
exec "$@" "$u""#;

/// `ExecStopPost=-+/bin/sh -c TEST sh %n LEAST EXPECTED COMMAND…` for a crash hook: run with
/// full privileges (`+`) after every end of the main process, [`CRASH_TEST`] deciding; a
/// failing hook (no `sendmail`) is ignored (`-`), so it never changes the unit's result and
/// with it whether systemd restarts the unit.
///
/// # Errors
/// [`Unwritable`] when the hook's command could not be run (see [`command_line`]).
fn crash_hook_line(hook: &crate::ir::CrashHook) -> Result<String, Unwritable> {
    // The same checks as any command line.
    command_line("ExecStopPost", &Command::Argv(hook.command.to_vec()))?;
    let expected: Vec<String> = hook.expected.iter().map(u8::to_string).collect();
    let mut line = format!(
        "-+{} sh %n {} {}",
        escape::exec_line(&[
            "/bin/sh".to_string(),
            "-c".to_string(),
            CRASH_TEST.to_string()
        ]),
        hook.min_runtime_sec.saturating_mul(1_000_000),
        escape::exec_arg(&expected.join(" ")),
    );
    for word in hook.command.iter() {
        line.push(' ');
        line.push_str(&escape::exec_arg(word));
    }
    Ok(line)
}

fn command_lines(directive: &'static str, cmds: &[Command]) -> Result<Vec<String>, Unwritable> {
    cmds.iter().map(|c| command_line(directive, c)).collect()
}

fn output(o: &Output) -> String {
    match o {
        Output::Journal => "journal".to_string(),
        Output::Null => "null".to_string(),
        Output::Append(path) => format!("append:{}", escape::path(path)),
        Output::Truncate(path) => format!("truncate:{}", escape::path(path)),
    }
}

/// The `SyslogFacility=` name of a facility (systemd.exec(5): syslog.h's names).
fn facility(f: SyslogFacility) -> String {
    match f {
        SyslogFacility::User => "user".to_string(),
        SyslogFacility::Mail => "mail".to_string(),
        SyslogFacility::Daemon => "daemon".to_string(),
        SyslogFacility::Auth => "auth".to_string(),
        SyslogFacility::Syslog => "syslog".to_string(),
        SyslogFacility::Lpr => "lpr".to_string(),
        SyslogFacility::News => "news".to_string(),
        SyslogFacility::Uucp => "uucp".to_string(),
        SyslogFacility::Cron => "cron".to_string(),
        SyslogFacility::Authpriv => "authpriv".to_string(),
        SyslogFacility::Ftp => "ftp".to_string(),
        SyslogFacility::Local(k) => format!("local{k}"),
    }
}

/// The `SyslogLevel=` name of a level.
fn level(l: SyslogLevel) -> &'static str {
    match l {
        SyslogLevel::Emerg => "emerg",
        SyslogLevel::Alert => "alert",
        SyslogLevel::Crit => "crit",
        SyslogLevel::Err => "err",
        SyslogLevel::Warning => "warning",
        SyslogLevel::Notice => "notice",
        SyslogLevel::Info => "info",
        SyslogLevel::Debug => "debug",
    }
}

fn env_file_installed(unit_file: &str, options: &Options) -> String {
    format!("{}/{unit_file}.env", options.env_dir.trim_end_matches('/'))
}

/// The `Environment=` values for `vars` of `unit_file`; secrets go to `env/UNIT.env` (added to
/// `lowered` with a finding), invalid names are dropped with a finding.
fn environment(
    vars: &[crate::ir::EnvVar],
    unit_file: &str,
    source: &str,
    options: &Options,
    lowered: &mut Lowered,
) -> Result<Vec<String>, Unwritable> {
    let mut lines = Vec::new();
    let mut secrets = Vec::new();
    for var in vars {
        if !escape::env_name_is_valid(&var.name) {
            lowered.findings.push(Finding::dropped(
                Code::EnvInvalid,
                format!("environment variable name `{}` is not valid for systemd", var.name),
                "systemd only accepts names of letters, digits and `_` not starting with a digit; rename the variable in the command or set it inside a wrapper script",
            ));
        } else if var.value.contains('\0') {
            return Err(Unwritable {
                directive: "Environment",
                reason: format!(
                    "the value of `{}` holds a NUL byte, which no environment can hold",
                    var.name
                ),
            });
        } else if var.secret {
            secrets.push(var);
        } else {
            lines.push(escape::environment(&var.name, &var.value));
        }
    }
    if !secrets.is_empty() {
        let installed = env_file_installed(unit_file, options);
        let mut contents =
            unit::comment(&format!("Secrets for {unit_file}, converted from {source}"));
        contents.push('\n');
        for var in &secrets {
            contents.push_str(&escape::env_file_line(&var.name, &var.value));
            contents.push('\n');
        }
        lowered.files.push(OutputFile {
            path: format!("env/{unit_file}.env"),
            contents,
            mode: 0o600,
        });
        let names: Vec<&str> = secrets.iter().map(|v| v.name.as_str()).collect();
        lowered.findings.push(Finding::note(
            Code::SecretEnvFile,
            format!(
                "{} look(s) like a secret; written to env/{unit_file}.env (mode 0600) instead of the unit",
                names.join(", ")
            ),
            format!("install that file as {installed} with mode 0600, owned by root"),
        ));
    }
    Ok(lines)
}

fn exit_statuses(list: &[crate::ir::ExitStatus]) -> Vec<String> {
    list.iter()
        .map(|e| match e {
            crate::ir::ExitStatus::Code(c) => c.to_string(),
            crate::ir::ExitStatus::Signal(sig) => format!("SIG{sig}"),
        })
        .collect()
}

/// Lowers a group ([`Target`]) to `base.target`: `Wants=` every member (whose references the
/// pipeline has resolved), `[Install] WantedBy=` from its activation.
///
/// # Errors
/// [`Unwritable`] when a member is not a unit name systemd reads.
pub fn write_target(target: &Target, base: &str, source: &str) -> Result<Lowered, Unwritable> {
    let name = format!("{base}.target");
    let mut install = InstallSection::default();
    if let Activation::Boot {
        wanted_by, aliases, ..
    } = &target.activation
    {
        install.wanted_by.clone_from(wanted_by);
        install.alias.clone_from(aliases);
    }
    let file = UnitFile {
        comments: vec![format!("Converted from {source}")],
        unit: UnitSection {
            description: Some(escape::text(&target.description)),
            wants: target.members.iter().map(UnitRef::unit_name).collect(),
            ..UnitSection::default()
        },
        kind: Kind::Target,
        install,
    };
    Ok(Lowered {
        files: vec![OutputFile {
            path: name.clone(),
            contents: file.render()?,
            mode: 0o644,
        }],
        units: vec![name],
        findings: Vec::new(),
    })
}

/// Lowers `def` to unit files named after `base` (`base.service`, `base.timer`, or
/// `base@.service` for several instances). `source` is the `# Converted from` location.
///
/// # Errors
/// [`Unwritable`] when a value cannot be written so that systemd reads exactly it (see
/// [`unit::check`]): the item becomes an error, never a unit that means something else.
pub fn write_units(
    def: &Definition,
    base: &str,
    source: &str,
    options: &Options,
) -> Result<Lowered, Unwritable> {
    let mut lowered = Lowered::default();
    let svc = &def.service;
    let template = !matches!(svc.instances, Instances::One);
    let instance_target = matches!(&svc.instances, Instances::Set(set) if set.target);
    let service_name = if template {
        format!("{base}@.service")
    } else {
        format!("{base}.service")
    };

    let mut unit = UnitSection {
        description: Some(escape::text(&svc.description)),
        ..UnitSection::default()
    };
    unit.wants.clone_from(&svc.ordering.wants);
    unit.wants
        .extend(svc.ordering.wants_items.iter().map(UnitRef::unit_name));
    unit.requires.clone_from(&svc.ordering.requires);
    unit.after.clone_from(&svc.ordering.after);
    unit.before.clone_from(&svc.ordering.before);
    if let Some(order) = &svc.ordering.by_priority {
        // Thousands of names for a script without a header on a large host: hashed cheaply.
        let mut listed = crate::fnv::FnvHashSet::<&str>::with_capacity_and_hasher(
            svc.ordering.after.len() + svc.ordering.before.len() + order.units.len(),
            Default::default(),
        );
        listed.extend(
            svc.ordering
                .after
                .iter()
                .chain(&svc.ordering.before)
                .map(String::as_str),
        );
        for (before, other) in order.neighbours() {
            if listed.insert(other) {
                if before {
                    unit.before.push(other.to_string());
                } else {
                    unit.after.push(other.to_string());
                }
            }
        }
    }
    unit.after
        .extend(svc.ordering.after_items.iter().map(UnitRef::unit_name));
    if svc.ordering.early_boot {
        unit.default_dependencies = Some(false);
        for list in [&mut unit.conflicts, &mut unit.before] {
            if !list.iter().any(|u| u == "shutdown.target") {
                list.push("shutdown.target".to_string());
            }
        }
    }
    let group_part_of: Vec<String> = svc
        .ordering
        .part_of
        .iter()
        .map(UnitRef::unit_name)
        .collect();
    if instance_target {
        unit.part_of.push(format!("{base}.target"));
    } else {
        unit.part_of.clone_from(&group_part_of);
    }
    unit.reload_propagated_from = svc
        .ordering
        .reload_with
        .iter()
        .map(UnitRef::unit_name)
        .collect();
    if let Some(limit) = svc.start_limit {
        unit.start_limit_burst = Some(limit.burst);
        unit.start_limit_interval_sec = Some(limit.interval_sec);
    }
    if svc.conditions.ac_power {
        unit.condition_ac_power = Some(true);
    }
    unit.condition_file_is_executable = svc
        .conditions
        .file_is_executable
        .iter()
        .map(|p| escape::path(p))
        .collect();
    let paths = |v: &[String]| v.iter().map(|p| escape::path(p)).collect::<Vec<_>>();
    unit.condition_path_exists = paths(&svc.conditions.path_exists);
    unit.condition_path_exists.extend(
        svc.conditions
            .path_absent
            .iter()
            .map(|p| format!("!{}", escape::path(p))),
    );
    unit.condition_path_is_directory = paths(&svc.conditions.path_is_directory);
    unit.condition_file_not_empty = paths(&svc.conditions.file_not_empty);
    unit.condition_directory_not_empty = paths(&svc.conditions.directory_not_empty);
    // A `KernelWord` holds no character the unit file or specifiers read.
    unit.condition_kernel_command_line = svc
        .conditions
        .kernel_command_line
        .iter()
        .map(|(w, present)| format!("{}{}", if *present { "" } else { "!" }, w.as_str()))
        .collect();
    unit.source_path = svc.source_path.as_deref().map(escape::path);
    unit.on_failure
        .extend(svc.ordering.on_failure.iter().map(UnitRef::unit_name));
    if svc.mail.is_some() {
        let hook = MAIL_UNIT.replace("@.", "@%n.");
        unit.on_failure.push(hook.clone());
        unit.on_success.push(hook);
    }

    let mut s = ServiceSection::default();
    match &svc.kind {
        ServiceKind::Oneshot { remain_after_exit } => {
            s.kind = Some("oneshot");
            if *remain_after_exit {
                s.remain_after_exit = Some(true);
            }
        }
        ServiceKind::Simple => s.kind = Some("simple"),
        ServiceKind::Exec => s.kind = Some("exec"),
        ServiceKind::Forking { pid_file } => {
            s.kind = Some("forking");
            s.pid_file = pid_file.as_deref().map(escape::path);
        }
        ServiceKind::Notify => s.kind = Some("notify"),
        ServiceKind::Script { pid_file, lsb } => {
            // As systemd-sysv-generator wrote it: the script forks daemons and exits.
            s.kind = Some("forking");
            s.guess_main_pid = Some(false);
            s.remain_after_exit = Some(pid_file.is_none());
            s.pid_file = pid_file.as_deref().map(escape::path);
            s.kill_mode = Some("process");
            s.ignore_sigpipe = Some(false);
            if *lsb {
                s.success_exit_status = vec!["5".to_string(), "6".to_string()];
            }
        }
    }
    let ctx = &svc.exec;
    s.user = ctx.user.as_deref().map(escape::path);
    s.group = ctx.group.as_deref().map(escape::path);
    s.working_directory = ctx.working_dir.as_ref().map(|w| match w {
        WorkingDir::Home => "~".to_string(),
        WorkingDir::Path(p) => escape::path(p),
    });
    s.environment = environment(
        &ctx.environment,
        &service_name,
        source,
        options,
        &mut lowered,
    )?;
    for f in &ctx.environment_files {
        if !template && matches!(f.path, crate::ir::EnvFilePath::PerInstance { .. }) {
            return Err(Unwritable {
                directive: "EnvironmentFile",
                reason: "a file named after the instance, in a unit that is not a template"
                    .to_string(),
            });
        }
        let p = escape::env_file_path(&f.path);
        s.environment_file
            .push(if f.optional { format!("-{p}") } else { p });
    }
    if let Some(installed) = lowered.files.iter().find_map(|f| {
        (f.path == format!("env/{service_name}.env"))
            .then(|| env_file_installed(&service_name, options))
    }) {
        s.environment_file.push(escape::path(&installed));
    }
    s.umask = ctx.umask.map(|m| format!("{m:04o}"));
    s.runtime_directory = ctx
        .runtime_directories
        .iter()
        .map(|d| escape::path(d))
        .collect();
    s.runtime_directory_mode = ctx.runtime_directory_mode.map(|m| format!("{m:04o}"));
    s.logs_directory_mode = ctx.logs_directory_mode.map(|m| format!("{m:04o}"));
    s.logs_directory = ctx
        .logs_directories
        .iter()
        .map(|d| escape::path(d))
        .collect();
    if let Some((class, prio)) = &ctx.io_scheduling {
        s.io_scheduling_class = Some(class.clone());
        s.io_scheduling_priority = *prio;
    }
    if let Some((policy, prio)) = &ctx.cpu_scheduling {
        s.cpu_scheduling_policy = Some(policy.clone());
        s.cpu_scheduling_priority = *prio;
    }
    s.nice = ctx.nice;
    s.memory_max = ctx.memory_max;
    s.limits = ctx
        .limits
        .iter()
        .map(|l| (l.resource, l.value.clone()))
        .collect();
    if let Some(sock) = &def.socket {
        let name = format!("{base}.socket");
        s.sockets.push(name.clone());
        unit.requires.push(name.clone());
        unit.after.push(name);
        if sock.as_stdin {
            s.standard_input = Some("socket");
        }
    }
    if let Stdin::Data(data) = &ctx.stdin {
        s.standard_input = Some("data");
        s.standard_input_data = Some(escape::base64(data));
    }
    s.standard_output = svc.logging.stdout.as_ref().map(output);
    if s.standard_input == Some("socket") && s.standard_output.is_none() {
        // Standard output would inherit the socket.
        s.standard_output = Some("journal".to_string());
    }
    s.standard_error = svc.logging.stderr.as_ref().map(output);
    s.syslog_identifier = svc.logging.identifier.as_deref().map(escape::text);
    if let Some(sys) = &svc.logging.syslog {
        s.syslog_facility = Some(facility(sys.facility));
        s.syslog_level = Some(level(sys.level));
        s.syslog_level_prefix = (!sys.level_prefix).then_some(false);
    }
    s.exec_start_pre = command_lines("ExecStartPre", &svc.pre)?;
    // Instances that each have their own command: the template has none (`x@other` would run
    // one of theirs).
    let own_commands = matches!(&svc.instances, Instances::Set(set)
        if !set.instances.is_empty() && set.instances.iter().all(|i| i.command.is_some()));
    if !own_commands {
        s.exec_start = vec![command_line("ExecStart", &svc.command)?];
    }
    s.exec_reload = command_lines("ExecReload", &svc.reload)?;
    s.exec_stop = command_lines("ExecStop", svc.stop.command.as_slice())?;
    s.exec_stop_post = svc
        .crash_hooks
        .iter()
        .map(crash_hook_line)
        .collect::<Result<_, _>>()?;
    if ctx.keep_children {
        s.kill_mode = Some("process");
    }
    if let Some(scope) = svc.stop.scope {
        s.kill_mode = Some(match scope {
            StopScope::All => "control-group",
            StopScope::MainThenAll => "mixed",
            StopScope::Main => "process",
        });
    }
    if !svc.success_exit_status.is_empty() {
        s.success_exit_status = exit_statuses(&svc.success_exit_status);
    }
    s.restart_force_exit_status = exit_statuses(&svc.restart_force_exit_status);
    s.restart_prevent_exit_status = exit_statuses(&svc.restart_prevent_exit_status);
    s.kill_signal = svc.stop.signal.as_ref().map(|sig| format!("SIG{sig}"));
    s.timeout_stop_sec = svc.stop.timeout_sec;
    s.timeout_start_sec = svc.start_timeout_sec;
    match svc.restart {
        Restart::No => {}
        Restart::OnFailure { delay_sec } => {
            s.restart = Some("on-failure");
            s.restart_sec = delay_sec;
        }
        Restart::Always { delay_sec } => {
            s.restart = Some("always");
            s.restart_sec = delay_sec;
        }
    }

    let mut install = InstallSection::default();
    let mut timer_file = None;
    match &def.activation {
        Activation::Boot {
            wanted_by, aliases, ..
        } => {
            install.wanted_by.clone_from(wanted_by);
            install.alias.clone_from(aliases);
        }
        Activation::Manual => {}
        Activation::Timer(t) => {
            let timer = TimerSection {
                on_calendar: t.calendar.iter().map(on_calendar::expression).collect(),
                on_active_sec: None,
                on_unit_active_sec: None,
                on_boot_sec: t.boot_delay,
                accuracy_sec: Some(t.accuracy_sec),
                randomized_delay_sec: t.random_delay,
                fixed_random_delay: t.fixed_random_delay.then_some(true),
                persistent: t.persistent.then_some(true),
            };
            timer_file = Some(UnitFile {
                comments: vec![format!("Converted from {source}")],
                unit: UnitSection {
                    description: Some(escape::text(&format!("Timer for {}", svc.description))),
                    ..UnitSection::default()
                },
                kind: Kind::Timer(timer),
                install: InstallSection {
                    wanted_by: vec!["timers.target".to_string()],
                    alias: Vec::new(),
                },
            });
        }
        Activation::Path(p) => {
            timer_file = Some(UnitFile {
                comments: vec![format!("Converted from {source}")],
                unit: UnitSection {
                    description: Some(escape::text(&format!("Watch for {}", svc.description))),
                    ..UnitSection::default()
                },
                kind: Kind::Path(unit::PathSection {
                    path_changed: p.changed.iter().map(|c| escape::path(c)).collect(),
                }),
                install: InstallSection {
                    wanted_by: vec!["paths.target".to_string()],
                    alias: Vec::new(),
                },
            });
        }
    }

    let service = UnitFile {
        comments: vec![format!("Converted from {source}")],
        unit,
        kind: Kind::Service(Box::new(s)),
        install,
    };
    lowered.files.insert(
        0,
        OutputFile {
            path: service_name.clone(),
            contents: service.render()?,
            mode: 0o644,
        },
    );
    lowered.units.push(service_name.clone());
    match &svc.instances {
        Instances::One => {}
        Instances::Count(n) => lowered
            .units
            .extend((0..*n).map(|i| format!("{base}@{i}.service"))),
        Instances::Set(set) => {
            let names = instances(
                set,
                base,
                source,
                options,
                !own_commands,
                &mut lowered.files,
                &mut lowered.findings,
            )?;
            lowered.units.extend(names);
            // An instance's own check: `BASE-N-healthcheck.service`/`.timer`.
            for inst in &set.instances {
                if let Some(check) = &inst.health_check {
                    let unit = format!("{base}@{}.service", escape::unit_instance(&inst.name));
                    let stem = format!("{base}-{}", escape::unit_instance(&inst.name));
                    health_check(check, &stem, &unit, source, &mut lowered)?;
                }
            }
            if set.target {
                let target = Target {
                    description: svc.description.clone(),
                    members: Vec::new(),
                    activation: def.activation.clone(),
                };
                let mut file = UnitFile {
                    comments: vec![format!("Converted from {source}")],
                    unit: UnitSection {
                        description: Some(escape::text(&target.description)),
                        wants: set
                            .instances
                            .iter()
                            .map(|i| format!("{base}@{}.service", escape::unit_instance(&i.name)))
                            .collect(),
                        // A target PartOf= another target is ordered after it by systemd
                        // (PartOf= adds the default target ordering), which with the group's
                        // own Wants= ordering is a cycle once a program is After= this one.
                        // Before= the group keeps the order the group's Wants= implies.
                        before: group_part_of.clone(),
                        part_of: group_part_of.clone(),
                        ..UnitSection::default()
                    },
                    kind: Kind::Target,
                    install: InstallSection::default(),
                };
                if let Activation::Boot { wanted_by, .. } = &def.activation {
                    file.install.wanted_by.clone_from(wanted_by);
                }
                let name = format!("{base}.target");
                lowered.files.push(OutputFile {
                    path: name.clone(),
                    contents: file.render()?,
                    mode: 0o644,
                });
                lowered.units.push(name);
            }
        }
    }
    if let Some(sock) = &def.socket {
        let first_instance = match &svc.instances {
            Instances::One => None,
            Instances::Count(_) => Some(format!("{base}@0.service")),
            Instances::Set(set) => set
                .instances
                .first()
                .map(|i| format!("{base}@{}.service", escape::unit_instance(&i.name))),
        };
        let name = format!("{base}.socket");
        let file = UnitFile {
            comments: vec![format!("Converted from {source}")],
            unit: UnitSection {
                description: Some(escape::text(&format!("Socket of {}", svc.description))),
                ..UnitSection::default()
            },
            kind: Kind::Socket(unit::SocketSection {
                listen_stream: vec![match &sock.listen {
                    crate::ir::Listen::Unix(path) => escape::path(path),
                    crate::ir::Listen::Tcp {
                        address: Some(a),
                        port,
                    } if a.contains(':') => format!("[{a}]:{port}"),
                    crate::ir::Listen::Tcp {
                        address: Some(a),
                        port,
                    } => format!("{a}:{port}"),
                    crate::ir::Listen::Tcp {
                        address: None,
                        port,
                    } => port.to_string(),
                }],
                socket_user: sock.user.as_deref().map(escape::path),
                socket_group: sock.group.as_deref().map(escape::path),
                socket_mode: sock.mode.map(|m| format!("{m:04o}")),
                backlog: sock.backlog,
                service: first_instance,
            }),
            install: InstallSection {
                wanted_by: vec!["sockets.target".to_string()],
                alias: Vec::new(),
            },
        };
        lowered.files.push(OutputFile {
            path: name.clone(),
            contents: file.render()?,
            mode: 0o644,
        });
        lowered.units.push(name);
    }
    if let Some(check) = &svc.health_check {
        health_check(check, base, &service_name, source, &mut lowered)?;
    }
    if let Some(t) = timer_file {
        let suffix = if matches!(def.activation, Activation::Path(_)) {
            "path"
        } else {
            "timer"
        };
        let name = format!("{base}.{suffix}");
        lowered.files.insert(
            1,
            OutputFile {
                path: name.clone(),
                contents: t.render()?,
                mode: 0o644,
            },
        );
        lowered.units.push(name);
    }
    if svc.mail.is_some() {
        lowered.units.push(MAIL_UNIT.to_string());
    }
    Ok(lowered)
}

/// `BASE-healthcheck.service` and its `.timer`: every `interval_sec` the URL is fetched with
/// curl, and `unit` restarted unless the status (and body) is the expected one.
fn health_check(
    check: &crate::ir::HealthCheck,
    base: &str,
    unit: &str,
    source: &str,
    lowered: &mut Lowered,
) -> Result<(), Unwritable> {
    let mut script = String::from(
        "out=\"$(curl -s -o - -w \"\\n%{http_code}\" --max-time \"$TIMEOUT\" \"$URL\")\"\n[ \"$(printf \"%s\" \"$out\" | tail -n 1)\" = \"$STATUS\" ] || exec systemctl restart \"$1\"\n",
    );
    if check.body.is_some() {
        script.push_str(
            "printf \"%s\" \"$out\" | grep -qF -- \"$BODY\" || exec systemctl restart \"$1\"\n",
        );
    }
    let mut s = ServiceSection {
        kind: Some("oneshot"),
        exec_start: vec![escape::exec_line(&[
            "/bin/sh".to_string(),
            "-c".to_string(),
            script,
            "healthcheck".to_string(),
            unit.to_string(),
        ])],
        ..ServiceSection::default()
    };
    s.environment = vec![
        escape::environment("URL", &check.url),
        escape::environment("TIMEOUT", &check.timeout_sec.to_string()),
        escape::environment("STATUS", &check.status.to_string()),
    ];
    if let Some(body) = &check.body {
        s.environment.push(escape::environment("BODY", body));
    }
    let name = format!("{base}-healthcheck");
    let service = UnitFile {
        comments: vec![format!("Converted from {source}")],
        unit: UnitSection {
            description: Some(escape::text(&format!(
                "Check {unit} over HTTP, restart it when it fails"
            ))),
            after: vec![unit.to_string()],
            ..UnitSection::default()
        },
        kind: Kind::Service(Box::new(s)),
        install: InstallSection::default(),
    };
    let timer = UnitFile {
        comments: vec![format!("Converted from {source}")],
        unit: UnitSection {
            description: Some(escape::text(&format!(
                "Check {unit} every {}s",
                check.interval_sec
            ))),
            ..UnitSection::default()
        },
        kind: Kind::Timer(TimerSection {
            on_active_sec: Some(check.interval_sec),
            on_unit_active_sec: Some(check.interval_sec),
            ..TimerSection::default()
        }),
        install: InstallSection {
            wanted_by: vec!["timers.target".to_string()],
            alias: Vec::new(),
        },
    };
    for (suffix, file) in [("service", service), ("timer", timer)] {
        let path = format!("{name}.{suffix}");
        lowered.files.push(OutputFile {
            path: path.clone(),
            contents: file.render()?,
            mode: 0o644,
        });
        lowered.units.push(path);
    }
    Ok(())
}

/// The instances of a template `base@.service`: each one's unit name, and a drop-in
/// `base@NAME.service.d/instance.conf` for one with settings of its own (a command of its own
/// replaces the template's, when it has one, after an empty `ExecStart=`).
fn instances(
    set: &crate::ir::InstanceSet,
    base: &str,
    source: &str,
    options: &Options,
    template_has_command: bool,
    files: &mut Vec<OutputFile>,
    findings: &mut Vec<Finding>,
) -> Result<Vec<String>, Unwritable> {
    let mut names = Vec::new();
    for inst in &set.instances {
        let name = format!("{base}@{}.service", escape::unit_instance(&inst.name));
        let mut s = ServiceSection::default();
        let mut scratch = Lowered::default();
        s.environment = environment(&inst.environment, &name, source, options, &mut scratch)?;
        if !scratch.files.is_empty() {
            s.environment_file
                .push(escape::path(&env_file_installed(&name, options)));
        }
        files.append(&mut scratch.files);
        findings.append(&mut scratch.findings);
        if let Some(cmd) = &inst.command {
            s.reset_exec_start = template_has_command;
            s.exec_start = vec![command_line("ExecStart", cmd)?];
        }
        s.working_directory = inst.working_dir.as_ref().map(|w| match w {
            WorkingDir::Home => "~".to_string(),
            WorkingDir::Path(p) => escape::path(p),
        });
        s.standard_output = inst.stdout.as_ref().map(output);
        s.standard_error = inst.stderr.as_ref().map(output);
        if s != ServiceSection::default() {
            let dropin = UnitFile {
                comments: vec![format!("Converted from {source}: what differs for {name}")],
                unit: UnitSection::default(),
                kind: Kind::Service(Box::new(s)),
                install: InstallSection::default(),
            };
            files.push(OutputFile {
                path: format!("{name}.d/instance.conf"),
                contents: dropin.render()?,
                mode: 0o644,
            });
        }
        names.push(name);
    }
    Ok(names)
}

/// The mail helper template (`systemdify-cron-mail@.service`): started by `OnFailure=`/
/// `OnSuccess=` of a job (`%i` is the job's unit name), it reads that run's output from the
/// journal and, only when there was some, mails it like cron did: to the job's `MAILTO` (else its
/// `User=`), from `MAILFROM` when set, subject `Cron <user@host> description`.
///
/// # Errors
/// Never in practice (the helper is a constant); [`Unwritable`] if the writer ever refused it.
pub fn mail_helper() -> Result<OutputFile, Unwritable> {
    let script = r#"unit="$1"
inv="${MONITOR_INVOCATION_ID:-$(systemctl show -P InvocationID "$unit")}"
out="$(journalctl -q --no-pager -o cat _SYSTEMD_INVOCATION_ID="$inv")"
[ -n "$out" ] || exit 0
env="$(systemctl show -P Environment "$unit" | tr " " "\n")"
to="$(printf "%s\n" "$env" | sed -n "s/^MAILTO=//p" | tail -n 1)"
from="$(printf "%s\n" "$env" | sed -n "s/^MAILFROM=//p" | tail -n 1)"
user="$(systemctl show -P User "$unit")"
[ -n "$user" ] || user=root
[ -n "$to" ] || to="$user"
[ -n "$from" ] || from="$user"
desc="$(systemctl show -P Description "$unit")"
{ printf "From: %s\nTo: %s\nSubject: Cron <%s@%s> %s\n\n" "$from" "$to" "$user" "$(uname -n)" "$desc"; printf "%s\n" "$out"; } | /usr/sbin/sendmail -i -t"#;
    let unit = UnitFile {
        comments: vec![
            "Generated by systemdify: mails a converted cron job's output, as cron did".to_string(),
        ],
        unit: UnitSection {
            description: Some("Mail the output of %i like cron did".to_string()),
            ..UnitSection::default()
        },
        kind: Kind::Service(Box::new(ServiceSection {
            kind: Some("oneshot"),
            exec_start: vec![
                escape::exec_line(&[
                    "/bin/sh".to_string(),
                    "-c".to_string(),
                    script.to_string(),
                    "systemdify-cron-mail".to_string(),
                ]) + " %i",
            ],
            ..ServiceSection::default()
        })),
        install: InstallSection::default(),
    };
    Ok(OutputFile {
        path: MAIL_UNIT.to_string(),
        contents: unit.render()?,
        mode: 0o644,
    })
}
