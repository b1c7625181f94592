//! SysV init scripts → native services, or a wrapper unit when that is not safe.
//!
//! A script is read statically ([`shell`]): its headers ([`header`]) give the description,
//! ordering and runlevels; its `start` action gives the daemon's command line and how it
//! detaches ([`launch`]); `stop` and `reload` give the stop signal, timeout and reload signal.
//!
//! Mapping (script → unit):
//! - `/etc/init.d/NAME` → `NAME.service` (`.sh` dropped), `SourcePath=` the script.
//! - `Short-Description` (else `# description:`, else `Description`) → `Description=`.
//! - `Required-Start`/`Should-Start`/`X-Start-After` → `After=` (facilities per
//!   [`facility::translate`]); a `Required-Start` service that exists on the host → `Wants=` too;
//!   `$network` → `Wants=network-online.target`; `X-Start-Before` → `Before=`; `Provides` names
//!   → `Alias=`, provided `$facilities` → `Before=`+`Wants=` of their target.
//! - `rc?.d` `S` links (else `Default-Start`, else `# chkconfig:` runlevels) → `WantedBy=`.
//! - An installed early-boot unit (`DefaultDependencies=no`, `Before=sysinit.target`) ordered
//!   `After=` the service → an early-boot unit: `DefaultDependencies=no`, `After=` early units
//!   only, `Before=sysinit.target` (`sysv-early-ordering`).
//! - `start-stop-daemon --start --exec/--startas P … -- ARGS` → `ExecStart=P ARGS`;
//!   `--background` → `Type=exec`, otherwise `Type=forking` + `PIDFile=` (`--pidfile`);
//!   `--chuid u:g` → `User=`/`Group=`, `--chdir` → `WorkingDirectory=`, `--nicelevel` →
//!   `Nice=`, `--umask` → `UMask=`, `--iosched`/`--procsched` → `IOScheduling*=`/
//!   `CPUScheduling*=`, `--output` → `StandardOutput=`/`StandardError=append:`.
//! - `start_daemon -p F P ARGS`, RHEL `daemon --user U --pidfile F P ARGS`, `$DAEMON ARGS` →
//!   the same, `Type=forking`.
//! - `mkdir`/`install -d`/`chown`/`chmod` of `/run/X` → `RuntimeDirectory=X`, of `/var/log/X` →
//!   `LogsDirectory=X` (`…DirectoryMode=` for the script's mode); given to another owner than
//!   the unit's user (or to the user the daemon switches to with `-u`) →
//!   `ExecStartPre=/usr/bin/install -d -m M -o U -g G DIR`; a second call of the daemon in
//!   `start` (a configuration test) → `ExecStartPre=`; `ulimit` → `Limit*=`;
//!   `test -x $DAEMON || exit 0` → `ConditionFileIsExecutable=`, `[ -f|-e|-r|-d|-s PATH ] ||
//!   exit 0` → `ConditionPathExists=`/`ConditionPathIsDirectory=`/`ConditionFileNotEmpty=`.
//! - A daemon known to stay in the foreground under systemd (`sshd`) → `Type=exec`.
//! - A start inside undecided `if` tests ([`start_condition`]): "already running?" checks
//!   dropped, on/off switches → enablement (a switch the defaults file leaves unset: not
//!   enabled), file tests that must hold → `Condition…=` (`sysv-start-condition`), other tests
//!   named (`sysv-undecided-test`). A program put in the background by its path is the daemon.
//! - `--pidfile F` the stop action never signals through → no `PIDFile=`
//!   (`sysv-pidfile-check-only`); a pid file directly in `/run` for a daemon started as another
//!   user → no `PIDFile=` (`sysv-pidfile-unwritable`).
//! - A tool the start runs and the stop runs again with `stop` or a kill flag, under conditions
//!   or in loops ([`control_tool`]) → the shell action below as `Type=forking`
//!   (`sysv-tool-daemon`).
//! - A script that starts no daemon and runs commands under conditions or in loops →
//!   `Type=oneshot` with the script's own text for each action in `/bin/sh -c` (the shell
//!   and options of its `#!` line: `/bin/bash -c`, `set -e` first; [`interpreter`])
//!   ([`shell_action`], `sysv-shell-action`).
//! - `stop`: `--retry SIG/N/…`, `--signal`, `killproc` → `KillSignal=`, `TimeoutStopSec=`.
//! - `reload`: a signal → `ExecReload=/bin/kill -SIG ${MAINPID}`; a command → that command.
//! - A sourced `/etc/default/NAME` or `/etc/sysconfig/NAME` → `EnvironmentFile=-…`; variables
//!   it may set stay `$VAR` references in the command line, with the script's own value as
//!   `Environment=` before the file; a file value referring to other variables is resolved on
//!   the host and written into the command line; a variable assigned only on paths the host
//!   does not decide keeps the script wrapped.

mod control_tool;
mod daemon;
mod daemon_script;
mod exit_status;
pub mod facility;
pub mod header;
pub mod host_reading;
mod install;
mod instance_settings;
mod interpreter;
pub mod launch;
pub mod logger;
pub mod parse;
pub mod shell;
mod shell_action;
mod start_condition;
mod start_time;
pub mod tokenize;
mod under_systemd;
mod unit_set;

use crate::finding::{Code, Finding};
use crate::host::Host;
use crate::ir::{Body, Command, Definition, Format, Item, Origin, Service};
use daemon::{StartPlan, pick_launch};
use shell::{Call, Interp, Part, SourceKind, is_toggle};

/// Backup and editor leftovers systemd-sysv-generator skipped, and files that are not scripts.
const IGNORED_SUFFIXES: [&str; 10] = [
    ".dpkg-old",
    ".dpkg-new",
    ".dpkg-dist",
    ".dpkg-bak",
    ".swp",
    ".rpmsave",
    ".rpmnew",
    ".bak",
    ".old",
    ".new",
];

/// Commands in an action that only print, test or read: they change nothing the unit needs.
pub(super) const HARMLESS: &[&str] = &[
    "log_daemon_msg",
    "log_end_msg",
    "log_progress_msg",
    "log_warning_msg",
    "log_failure_msg",
    "log_success_msg",
    "log_action_msg",
    "log_action_begin_msg",
    "log_action_end_msg",
    "log_action_cont_msg",
    "log_begin_msg",
    "vlog_end_msg",
    "vlog_daemon_msg",
    "echo",
    "printf",
    "true",
    "false",
    ":",
    "test",
    "[",
    "sleep",
    "status_of_proc",
    "pidofproc",
    "pidof",
    "pgrep",
    "success",
    "failure",
    "passed",
    "warning",
    "checkpid",
    "set",
    "unset",
    "shift",
    "wait",
    "cat",
    "grep",
    "egrep",
    "head",
    "tail",
    "cut",
    "tr",
    "awk",
    "basename",
    "dirname",
    "id",
    "getent",
    "readlink",
    "which",
    "command",
    "type",
    "wc",
    "logger",
    "plymouth",
    "continue",
    "break",
    "read",
    "init_is_upstart",
];

/// Whether a command (a name or a path) only prints, tests or reads: [`HARMLESS`] or an LSB
/// `log_*` helper.
pub(super) fn is_harmless(command: &str) -> bool {
    let base = command.rsplit('/').next().unwrap_or(command);
    HARMLESS.contains(&base) || base.starts_with("log_")
}

/// The actions every init script has and systemctl covers.
const STANDARD_ACTIONS: &[&str] = &[
    "start",
    "stop",
    "restart",
    "force-reload",
    "reload",
    "status",
    "try-restart",
    "condrestart",
    "force-stop",
    "*",
];

/// The kind of reason a script stays wrapped, for the report's grouping: the words of
/// [`Conversion::native`]'s and [`Conversion::unit_set`]'s explanations sorted into the groups
/// MIGRATION.md names under `sysv-wrapped`.
#[must_use]
pub fn wrap_reason(why: &str) -> &'static str {
    const GROUPS: &[(&str, &[&str])] = &[
        (
            "commands under conditions",
            &["under conditions", "relative to the directory"],
        ),
        (
            "values only known at run time",
            &[
                "only known at run time",
                "only be known by running",
                "assigns only on some paths",
                "cannot compute",
            ],
        ),
        (
            "shell code this tool does not follow",
            &[
                "shell function",
                "shell builtin",
                "sources ",
                "calls `",
                "the script's own path",
            ],
        ),
        (
            "several daemons or loops",
            &[
                "different programs",
                "in a loop",
                "runs the daemon",
                "times (",
                "with run-parts",
            ],
        ),
        (
            "no daemon found",
            &[
                "starts no program",
                "no `case",
                "only runs configuration tests",
                "several commands",
            ],
        ),
    ];
    GROUPS
        .iter()
        .find(|(_, words)| words.iter().any(|w| why.contains(w)))
        .map_or("other", |(group, _)| group)
}

/// The programs the start action (`starting`, its calls and the top level's) passes the pid
/// file that the stop or reload action kills by (`x -p $PIDFILE` and ``kill `cat $PIDFILE` ``):
/// daemons, each writing its own.
fn pid_file_writers<'c>(
    interp: &Interp,
    stopping: &[&Call],
    starting: impl Iterator<Item = &'c Call>,
) -> Vec<String> {
    let killed: Vec<String> = stopping
        .iter()
        .filter(|c| c.program().as_deref() == Some("kill"))
        .flat_map(|c| c.args.iter().filter_map(|a| killed_pid_file(a, interp)))
        .collect();
    let mut out: Vec<String> = Vec::new();
    for call in starting {
        let Some(program) = call.args.first().and_then(|a| interp.resolve(a)) else {
            continue;
        };
        if call.function.is_none()
            && program.starts_with('/')
            && !out.contains(&program)
            && call.args[1..]
                .iter()
                .filter_map(|a| interp.resolve(a))
                .any(|a| killed.contains(&a))
        {
            out.push(program);
        }
    }
    out
}

/// The pid file a `kill` argument reads its process from: ``kill `cat FILE` `` or `kill
/// $(cat "$PIDFILE")`, with the file's path on this host.
fn killed_pid_file(arg: &shell::Arg, interp: &Interp) -> Option<String> {
    let shell::Arg::Field(parts) = arg else {
        return None;
    };
    let [Part::Unknown(text)] = parts.as_slice() else {
        return None;
    };
    let inner = text
        .strip_prefix('`')
        .and_then(|t| t.strip_suffix('`'))
        .or_else(|| text.strip_prefix("$(").and_then(|t| t.strip_suffix(')')))?;
    let [cat, file] = inner.split_whitespace().collect::<Vec<_>>()[..] else {
        return None;
    };
    if cat != "cat" {
        return None;
    }
    let file = file.trim_matches('"');
    let path = match file.strip_prefix('$') {
        Some(name) => interp.value(name.trim_start_matches('{').trim_end_matches('}'))?,
        None => file.to_string(),
    };
    path.starts_with('/').then_some(path)
}

/// The name of the unit for a script path: its file name with `.sh` dropped.
#[must_use]
pub fn unit_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".sh").unwrap_or(name).to_string()
}

fn finding_skipped(origin: Origin, name: &str, f: Finding) -> Vec<Item> {
    vec![Item::skipped(origin, name, f)]
}

/// Converts one init script. `display` names it in the report, `host_path` is its path on the
/// host (for `SourcePath=`, enablement and the defaults files).
#[must_use]
pub fn parse_init_script(
    display: &str,
    host_path: Option<&str>,
    text: &str,
    host: &Host,
) -> Vec<Item> {
    let path = host_path.unwrap_or(display);
    let file_name = path.rsplit('/').next().unwrap_or(path).to_string();
    let head = header::parse(text);
    // From standard input the script's name is its first `Provides:` name.
    let name = match host_path {
        Some(_) => unit_stem(path),
        None => head
            .provides
            .iter()
            .find(|p| !p.starts_with('$'))
            .cloned()
            .unwrap_or_else(|| "init-script".to_string()),
    };
    let origin = Origin {
        format: Some(Format::Sysv),
        file: display.to_string(),
        line: None,
    };
    if IGNORED_SUFFIXES.iter().any(|s| file_name.ends_with(s))
        || file_name.ends_with('~')
        || file_name.starts_with('.')
        || matches!(file_name.as_str(), "README" | "skeleton" | "functions")
    {
        return finding_skipped(
            origin,
            &name,
            Finding::note(
                Code::SysvNotAScript,
                format!(
                    "`{file_name}` is a backup, an example or a helper library, not a service script"
                ),
                "nothing to convert; systemd-sysv-generator ignored it too",
            ),
        );
    }
    if host_path.is_some() && host.exists(path) && !host.is_executable(path) {
        return finding_skipped(
            origin,
            &name,
            Finding::note(
                Code::SysvNotExecutable,
                format!("{path} is not executable, so init never ran it"),
                "nothing to convert; make it executable and convert again if it should run",
            ),
        );
    }
    if let Some(what) = facility::superseded(&name) {
        return finding_skipped(
            origin,
            &name,
            Finding::note(
                Code::SysvSuperseded,
                format!("systemd does this script's job itself: {what}"),
                "no unit needed; check that the replacement is configured the way the script was",
            ),
        );
    }
    let mut own_names = vec![name.clone()];
    own_names.extend(
        head.provides
            .iter()
            .filter(|p| !p.starts_with('$'))
            .cloned(),
    );
    if let Some(skip) = native_unit(host, &own_names) {
        return finding_skipped(origin, &name, skip);
    }
    let program = match shell::parse(text) {
        Ok(p) => p,
        Err(e) => {
            let mut origin = origin;
            origin.line = Some(e.line);
            return vec![Item::error(origin, name, Some(e.column), e.message)];
        }
    };
    if !text.starts_with("#!") && !head.lsb && head.chkconfig.is_none() {
        return vec![Item::error(
            Origin {
                line: Some(1),
                ..origin
            },
            name,
            Some(1),
            "this is not an init script: no `#!` line, no LSB header, no `# chkconfig:` line"
                .to_string(),
        )];
    }
    let mut conv = Conversion {
        host,
        framework_pid_file: None,
        // A script from standard input is taken to live where init scripts do.
        path: match host_path {
            Some(p) => p.to_string(),
            None => format!("/etc/init.d/{name}"),
        },
        name: name.clone(),
        head,
        findings: Vec::new(),
        clean_environment: std::cell::Cell::new(false),
        members: Vec::new(),
        template: std::cell::Cell::new(false),
        interpreter: interpreter::of(text),
    };
    // Only for a script that names its daemon (`DAEMON=`…): then the library's commands can be
    // told apart into the daemon's start and the rest; otherwise they stay the script's to run.
    let names_daemon = conv.head.processname.is_some()
        || text.lines().any(|l| {
            let l = l.trim_start();
            [
                "DAEMON=",
                "DAEMON_PATH=",
                "exec=",
                "prog=",
                "BINARY=",
                "BIN=",
            ]
            .iter()
            .any(|v| l.starts_with(v))
        });
    let libraries = if names_daemon {
        libraries(&program, host)
    } else {
        Vec::new()
    };
    let body = conv.convert(&program, text, &libraries);
    let identity = format!("sysv\0{path}");
    let mut item = Item {
        origin,
        name: name.clone(),
        unit_stem: name,
        identity,
        body: Body::Skipped,
        findings: Vec::new(),
    };
    match body {
        Ok(def) => item.body = Body::Unit(Box::new(def)),
        Err(why) => item.findings.push(why),
    }
    item.findings.splice(0..0, conv.findings);
    let mut items = vec![item];
    for m in conv.members {
        items.push(Item {
            origin: items[0].origin.clone(),
            name: m
                .program
                .rsplit('/')
                .next()
                .unwrap_or(&m.program)
                .to_string(),
            unit_stem: m.stem.clone(),
            identity: format!("sysv\0{path}\0{}", m.stem),
            body: Body::Unit(Box::new(m.definition)),
            findings: m.findings,
        });
    }
    items
}

/// The shell libraries the script sources at its top level by a literal path (`.
/// /usr/share/bacula-common/common-functions.init`) that the host has and that are neither
/// settings (`/etc/…`) nor the helper libraries this tool knows (LSB's `init-functions`, RHEL's
/// `functions`, `/lib/init/vars.sh`, `init-d-script`), parsed: their functions are followed
/// where the script calls them.
fn libraries(
    program: &brush_parser::ast::Program,
    host: &Host,
) -> Vec<(String, brush_parser::ast::Program)> {
    use brush_parser::ast;
    /// The literal paths of `. PATH`/`source PATH` in `list`, also inside `if` branches and
    /// brace groups (`if [ -r LIB ]; then . LIB; fi`), not in functions or loops.
    fn sourced(list: &ast::CompoundList, out: &mut Vec<String>) {
        for item in &list.0 {
            let ao = &item.0;
            let pipelines =
                std::iter::once(&ao.first).chain(ao.additional.iter().map(|a| match a {
                    ast::AndOr::And(p) | ast::AndOr::Or(p) => p,
                }));
            for p in pipelines {
                for c in &p.seq {
                    match c {
                        ast::Command::Simple(sc) => {
                            let Some(w) = &sc.word_or_name else { continue };
                            if !matches!(w.value.as_str(), "." | "source") {
                                continue;
                            }
                            if let Some(path) =
                                sc.suffix
                                    .iter()
                                    .flat_map(|x| x.0.iter())
                                    .find_map(|i| match i {
                                        ast::CommandPrefixOrSuffixItem::Word(w) => {
                                            Some(shell::unquote(&w.value))
                                        }
                                        _ => None,
                                    })
                            {
                                out.push(path);
                            }
                        }
                        ast::Command::Compound(ast::CompoundCommand::IfClause(i), _) => {
                            sourced(&i.then, out);
                            for e in i.elses.iter().flatten() {
                                sourced(&e.body, out);
                            }
                        }
                        ast::Command::Compound(ast::CompoundCommand::BraceGroup(b), _) => {
                            sourced(&b.list, out);
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    let mut paths = Vec::new();
    for cc in &program.complete_commands {
        sourced(cc, &mut paths);
    }
    let mut out: Vec<(String, ast::Program)> = Vec::new();
    for path in paths {
        let known = path.ends_with("/lsb/init-functions")
            || path.ends_with("/lib/init/vars.sh")
            || path.ends_with("init.d/functions")
            || path.ends_with("/lib/init/init-d-script");
        if !path.starts_with('/')
            || path.starts_with("/etc/")
            || path.contains(['$', '`', '*'])
            || known
            || out.iter().any(|(p, _)| *p == path)
        {
            continue;
        }
        if let Ok(bytes) = host.read(&path)
            && let Ok(library) = shell::parse(&String::from_utf8_lossy(&bytes))
        {
            out.push((path, library));
        }
    }
    out
}

/// A native unit already installed for one of the script's names: it is skipped.
fn native_unit(host: &Host, names: &[String]) -> Option<Finding> {
    for n in names {
        let unit = format!("{n}.service");
        let Some(path) = host.installed_unit(&unit) else {
            continue;
        };
        if host.link_target(&path).as_deref() == Some("/dev/null") {
            return Some(Finding::note(
                Code::SysvMasked,
                format!(
                    "{unit} is masked on the host ({path} → /dev/null): the package says this script must not run under systemd"
                ),
                "no unit needed",
            ));
        }
        return Some(Finding::note(
            Code::SysvNativeUnit,
            format!("the host already has a native unit for this daemon: {path}"),
            "no unit needed; compare its settings with the script's /etc/default file",
        ));
    }
    None
}

/// Whether the `Debug` text of `svc` holds [`shell::INSTANCE`] (a per-configuration loop's
/// placeholder left in the unit). The run's shared list of prioritized scripts
/// ([`crate::ir::Ordering::by_priority`], thousands of names on a large host) is not written
/// out for each script: its text holds the marker exactly when one of its names does (see
/// [`crate::ir::PriorityUnits::names_contain`]), and without it in place the rest of the text
/// is what it was around it (`None` where it stood, next to no capital letter).
fn holds_instance(svc: &mut Service) -> bool {
    let by_priority = svc.ordering.by_priority.take();
    let found = format!("{svc:?}").contains(shell::INSTANCE)
        || by_priority
            .as_ref()
            .is_some_and(|p| p.units.names_contain(shell::INSTANCE));
    svc.ordering.by_priority = by_priority;
    found
}

/// What reading a script's actions found.
struct Analysis<'a> {
    interp: Interp<'a>,
    framework: bool,
    stop: Vec<Call>,
    reload: Option<Vec<Call>>,
    plan: StartPlan,
}

impl Analysis<'_> {
    fn decided_uses_defaults(&self) -> bool {
        !self.interp.decided.is_empty()
    }
}

struct Conversion<'h> {
    host: &'h Host,
    /// The pid file `/lib/init/init-d-script` assumes when the script names none: used only to
    /// find the process, never promised by the daemon.
    framework_pid_file: Option<String>,
    path: String,
    name: String,
    head: header::Header,
    findings: Vec<Finding>,
    /// The start command runs behind `env -i`: the daemon sees none of the variables the
    /// script exported, only the wrapper's own assignments.
    clean_environment: std::cell::Cell<bool>,
    /// The daemons of a unit set (a script that starts several), each its own item.
    members: Vec<unit_set::Member>,
    /// The daemon being read is started once per configuration: a template's command line.
    template: std::cell::Cell<bool>,
    /// The shell the script's `#!` line names, with the line, or why it names none this tool
    /// runs the script's text with.
    interpreter: Result<(interpreter::Interpreter, String), String>,
}

impl<'h> Conversion<'h> {
    /// Runs the script's top level and actions and sorts the start action's commands.
    fn analyse<'a>(
        &mut self,
        program: &'a brush_parser::ast::Program,
        text: &str,
        decide_defaults: bool,
        libraries: &'a [(String, brush_parser::ast::Program)],
    ) -> Analysis<'a>
    where
        'h: 'a,
    {
        let mut interp = Interp::new(self.host, &self.path, vec!["start".to_string()]);
        interp.decide_defaults = decide_defaults;
        for (path, library) in libraries {
            interp.add_library(path, library);
        }
        interp.run_top(program);
        let framework = text
            .lines()
            .next()
            .is_some_and(|l| l.contains("init-d-script"))
            || interp
                .sourced
                .iter()
                .any(|s| s.kind == SourceKind::InitDScript);
        if framework {
            self.init_d_script_defaults(&mut interp);
        }
        let top_calls = std::mem::take(&mut interp.calls);
        let (start_calls, stop, reload) = if framework {
            self.framework_actions(&mut interp)
        } else {
            // Each action is a run of its own (`/etc/init.d/x stop` does not see what `start`
            // assigned); the unit's commands read the variables as `start` leaves them.
            let before = interp.env.clone();
            let start = interp.run_action("start");
            let decided_by_start = interp.decided.len();
            let after_start = std::mem::replace(&mut interp.env, before.clone());
            let stop = interp.run_action("stop");
            interp.env = before;
            // What reload does on the likely path through tests this reading cannot decide
            // (openvpn's: HUP, unless the configuration drops privileges, then a restart).
            let reload = interp
                .case
                .filter(|c| shell::has_arm(c, "reload"))
                .map(|_| {
                    let mut calls = interp.run_action("reload");
                    if calls
                        .iter()
                        .any(|c| c.unlikely.is_none() && c.program().is_some())
                    {
                        calls.retain(|c| c.unlikely.is_none());
                    }
                    calls
                });
            interp.env = after_start;
            // Settings decide which commands the start action runs: tests in the other
            // actions do not count.
            interp.decided.truncate(decided_by_start);
            (start, stop, reload)
        };
        let stopping: Vec<&Call> = stop.iter().chain(reload.iter().flatten()).collect();
        let mut daemons = self.daemon_names(&interp);
        for d in pid_file_writers(&interp, &stopping, top_calls.iter().chain(&start_calls)) {
            if !daemons.contains(&d) {
                daemons.push(d);
            }
        }
        let mut plan = StartPlan::default();
        for call in top_calls.iter().chain(&start_calls) {
            self.sort_start_call(call, &interp, &daemons, &mut plan);
        }
        // Nothing the names read as the daemon: the programs the stop and reload actions name.
        if plan.launches.is_empty() {
            let named: Vec<String> = self
                .stopped_daemons(&interp, &stopping)
                .into_iter()
                .filter(|d| !daemons.contains(d))
                .collect();
            if !named.is_empty() {
                let daemons: Vec<String> = daemons.into_iter().chain(named).collect();
                plan = StartPlan::default();
                for call in top_calls.iter().chain(&start_calls) {
                    self.sort_start_call(call, &interp, &daemons, &mut plan);
                }
            }
        }
        plan.take_likely_path();
        Analysis {
            interp,
            framework,
            stop,
            reload,
            plan,
        }
    }

    fn convert(
        &mut self,
        program: &brush_parser::ast::Program,
        text: &str,
        libraries: &[(String, brush_parser::ast::Program)],
    ) -> Result<Definition, Finding> {
        // First with settings from the defaults file deciding between alternative start
        // commands; when that leaves no single way to start the daemon (a setting switched it
        // off on this host), again without.
        let first = self.analyse(program, text, true, libraries);
        let (a, decided) = if (first.decided_uses_defaults()
            || !first.interp.unset_switches.is_empty())
            && (first.plan.launches.is_empty() || pick_launch(&first.plan.launches).is_err())
        {
            (self.analyse(program, text, false, libraries), Some(first))
        } else {
            (first, None)
        };
        let Analysis {
            interp,
            framework,
            stop: stop_calls,
            reload: reload_calls,
            plan,
        } = &a;
        let framework = *framework;
        if interp.case.is_none()
            && !framework
            && let Some(line) = interp.early_exit
        {
            return Err(Finding::note(
                Code::SysvNoOp,
                format!(
                    "the script exits at {} before doing anything",
                    shell::place(line)
                ),
                "nothing to convert",
            ));
        }
        // A switch the host's defaults file leaves unset, with which the script starts
        // nothing on this host: the unit is not enabled.
        let off_on_host = decided
            .as_ref()
            .filter(|d| d.plan.launches.is_empty() && !plan.launches.is_empty());
        let unset_off = off_on_host
            .and_then(|d| d.interp.unset_switches.first())
            .map(|v| {
                let file = interp
                    .sourced
                    .iter()
                    .find(|s| s.kind == SourceKind::Defaults)
                    .map_or_else(|| "the defaults file".to_string(), |s| s.path.clone());
                format!("{v} unset in {file}")
            })
            // A setting of the host's that makes the start action exit before it starts
            // anything (`AUTOSTART="none"`): the unit is not enabled.
            .or_else(|| {
                let d = off_on_host?;
                let line = d.interp.decided_exit?;
                let mut vars: Vec<String> = d
                    .interp
                    .decided
                    .iter()
                    .map(|(v, l)| {
                        format!("{v}={} (line {l})", d.interp.value(v).unwrap_or_default())
                    })
                    .collect();
                vars.dedup();
                Some(format!(
                    "{}, with which its start action exits at line {line},",
                    vars.join(", ")
                ))
            });
        let launched: Vec<u32> = plan
            .launches
            .iter()
            .filter_map(|l| l.as_ref().ok().map(|s| s.line))
            .collect();
        let switched_off = self.toggle_findings(interp, &launched).or(unset_off);
        let activation = self.activation(switched_off.as_deref());
        let mut svc = Service::oneshot(
            self.head
                .summary()
                .map_or_else(|| self.name.clone(), str::to_string),
            Command::Argv(vec![self.path.clone(), "start".to_string()]),
        );
        svc.source_path = self.path.starts_with('/').then(|| self.path.clone());
        self.ordering(&mut svc);
        self.early_boot(&mut svc);
        self.header_findings();
        if let Some(case) = interp.case {
            self.action_findings(&shell::actions(case));
        }
        if !interp.decided.is_empty() {
            let mut vars: Vec<String> = interp
                .decided
                .iter()
                .map(|(v, l)| {
                    format!(
                        "{v}={} ({})",
                        interp.value(v).unwrap_or_default(),
                        shell::place(*l)
                    )
                })
                .collect();
            vars.dedup();
            self.findings.push(Finding::approximated(
                Code::SysvDefaultsChoice,
                format!("settings from the host's defaults file decided which commands the start action runs: {}", vars.join(", ")),
                "if those settings change, convert the script again (the unit does not re-read them to choose other commands)",
            ));
        }
        // With the host's settings the script starts several daemons (a setting chose a second
        // one): a unit set, even if without the settings one of them looks like a fallback.
        let several_on_host = decided
            .as_ref()
            .is_some_and(|d| unit_set::applies(d) && pick_launch(&d.plan.launches).is_err());
        let native = if several_on_host {
            // Why the host's reading has no single daemon: the reason when no unit set applies.
            Err(decided
                .as_ref()
                .and_then(|d| pick_launch(&d.plan.launches).err())
                .unwrap_or_default())
        } else {
            self.native(
                interp,
                &mut svc,
                plan,
                stop_calls,
                reload_calls.as_deref(),
                framework,
            )
            .and_then(|()| {
                // One daemon: a per-configuration loop's configuration left in its unit would
                // be a placeholder, never a value (a loop that builds options, read as one).
                if holds_instance(&mut svc) {
                    Err("its command line is built in a loop over several configurations, so its arguments are only known at run time".to_string())
                } else {
                    Ok(())
                }
            })
        };
        let mut in_shell = false;
        let native = match native {
            // A one-shot script whose commands are under conditions or in loops: run as the
            // script runs them, in a shell.
            Err(why) if plan.launches.is_empty() && why.contains("under conditions") => {
                in_shell = true;
                self.shell_oneshot(
                    program,
                    &mut svc,
                    interp,
                    plan,
                    stop_calls,
                    reload_calls.is_some(),
                )
            }
            Err(_) if unit_set::applies(&a) => {
                let group = svc.clone();
                self.findings
                    .retain(|f| !matches!(f.code, Code::SysvRuntimeDirectory | Code::SysvPidfile));
                match self.unit_set(&a, decided.as_ref(), &group) {
                    Ok(members) => {
                        let dirs = unit_set::shared_dirs(plan, &members);
                        self.group(&mut svc, &members, dirs);
                        self.members = members;
                        Ok(())
                    }
                    Err(why) => Err(why),
                }
            }
            other => other,
        };
        in_shell &= native.is_ok();
        if in_shell {
            // The shell runs the script's own test of its switch at each start.
            self.findings
                .retain(|f| !matches!(f.code, Code::SysvToggle | Code::SysvStartGate));
        }
        match native {
            Ok(()) => {
                self.findings
                    .extend(host_reading::findings(&interp.readings));
                if !in_shell {
                    self.launcher_finding(&svc);
                }
            }
            Err(why) => {
                // The script runs its own tests of its settings.
                self.findings.retain(|f| f.code != Code::SysvStartGate);
                self.wrap(&mut svc, reload_calls.is_some());
                self.findings.push(Finding::approximated(
                    Code::SysvWrapped,
                    format!(
                        "kept as a wrapper around the script ({}): {why}",
                        wrap_reason(&why)
                    ),
                    "the unit runs the script's start/stop actions as systemd-sysv-generator did; read the script and write ExecStart= for the daemon by hand to get supervision",
                ));
            }
        }
        if reload_calls.is_none() {
            self.findings.push(Finding::note(
                Code::SysvReloadRestarts,
                format!(
                    "the script has no reload action (`{} reload` did not reload anything either), so the unit has no ExecReload= and `systemctl reload {}` fails with \"Job type reload is not applicable\"",
                    self.path, self.name
                ),
                "use `systemctl restart` to apply new settings (`systemctl force-reload` restarts it too when it is running, as it cannot be reloaded); add ExecReload= only if the daemon has a real reload",
            ));
        }
        // A shell running the script's text reads the defaults file itself.
        if self.members.is_empty() && !in_shell {
            self.environment(interp, &mut svc);
        }
        let mut executable = interp.exec_conditions.clone();
        for p in std::mem::take(&mut svc.conditions.file_is_executable) {
            if !executable.contains(&p) {
                executable.push(p);
            }
        }
        svc.conditions.file_is_executable = executable;
        self.guards(interp, &mut svc);
        Ok(Definition {
            service: svc,
            activation,
            socket: None,
        })
    }

    /// Reports a daemon program that is a shell script handing over to another program
    /// ([`daemon_script::hands_over_to`]): the unit runs the launcher, as the script did.
    fn launcher_finding(&mut self, svc: &Service) {
        let program = match &svc.command {
            Command::Argv(argv) => argv.first(),
            Command::Named { program, .. } | Command::Expand { program, .. } => Some(program),
            Command::Shell { .. } | Command::Restart(_) => None,
        };
        let Some(program) = program else { return };
        if let Some((real, line)) = daemon_script::hands_over_to(self.host, program) {
            self.findings.push(Finding::note(
                Code::SysvDaemonLauncher,
                format!(
                    "{program}, the program the script starts, is a shell script that hands over to {real} (`exec`, line {line} of {program}); the unit runs {program}, as the script did, so the options it builds are the daemon's"
                ),
                format!(
                    "nothing to do; a unit of the package's own may run {real} directly with the options {program} builds: compare them before replacing one with the other"
                ),
            ));
        }
    }

    /// The names of the daemon: `$DAEMON`, RHEL `$prog`/`$exec`, `# processname:`.
    fn daemon_names(&self, interp: &Interp) -> Vec<String> {
        let mut out: Vec<String> = ["DAEMON", "DAEMON_PATH", "exec", "prog", "BINARY", "BIN"]
            .iter()
            .filter_map(|v| interp.value(v))
            .filter(|v| !v.is_empty())
            .collect();
        out.extend(self.head.processname.iter().cloned());
        out
    }

    /// The daemons the stop and reload actions name, for a start action in which
    /// [`Self::daemon_names`] finds none: the programs they stop or signal by path
    /// (`start-stop-daemon --stop --exec /usr/sbin/x`, `killproc /usr/sbin/x`), whatever the
    /// variable naming them is called (`HTPCOM`).
    fn stopped_daemons(&self, interp: &Interp, stopping: &[&Call]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for call in stopping.iter().copied() {
            if launch::stop(call, interp).is_none() {
                continue;
            }
            for target in launch::stop_targets(call, interp) {
                if target.starts_with('/')
                    && std::path::Path::new(&target)
                        .extension()
                        .is_none_or(|e| e != "pid")
                    && self.host.is_executable(&target)
                    && !out.contains(&target)
                {
                    out.push(target);
                }
            }
        }
        out
    }

    /// What `/lib/init/init-d-script` sets around the script: `NAME`, `PIDFILE` and
    /// `/etc/default/$NAME`.
    fn init_d_script_defaults(&mut self, interp: &mut Interp) {
        let daemon = interp.value("DAEMON").unwrap_or_default();
        if interp.value("NAME").is_none_or(|n| n.is_empty()) {
            let base = daemon.rsplit('/').next().unwrap_or("").to_string();
            interp.set("NAME", vec![Part::Lit(base)]);
        }
        let name = interp.value("NAME").unwrap_or_default();
        if interp.value("COMMAND_NAME").is_none_or(|n| n.is_empty()) {
            interp.set("COMMAND_NAME", vec![Part::Lit(name.clone())]);
        }
        match interp.value("PIDFILE").as_deref() {
            Some("none") => interp.set("PIDFILE", Vec::new()),
            Some(p) if !p.is_empty() => {}
            _ => {
                let default = format!("/var/run/{name}.pid");
                self.framework_pid_file = Some(default.clone());
                interp.set("PIDFILE", vec![Part::Lit(default)]);
            }
        }
        interp.source_file(&format!("/etc/default/{name}"), 0);
        if daemon != "none" && !daemon.is_empty() {
            interp.exec_conditions.push(daemon);
        }
    }

    /// What `/lib/init/init-d-script` runs for start, stop and reload: `call do_start` (the
    /// script's `do_start_override` or `do_start`, else the framework's: `call
    /// do_start_prepare`, `call do_start_cmd`, `call do_start_cleanup`), likewise for stop, and
    /// `do_reload` (`do_reload_cmd` under the wrapper, or `RELOAD_SIGNAL`). The framework's own
    /// `do_start_cmd`, `do_stop_cmd` and `do_reload_signal` are given as the commands they run,
    /// so that a script's hook calling them is followed.
    fn framework_actions(
        &mut self,
        interp: &mut Interp,
    ) -> (Vec<Call>, Vec<Call>, Option<Vec<Call>>) {
        let pid = if interp.value("PIDFILE").is_some_and(|p| !p.is_empty()) {
            "--pidfile $PIDFILE "
        } else {
            ""
        };
        let start_cmd = format!(
            "start-stop-daemon --start --quiet {pid}--name $COMMAND_NAME --exec $DAEMON $START_ARGS -- $DAEMON_ARGS"
        );
        let stop_cmd =
            "start-stop-daemon --stop --quiet --retry=TERM/0/CONT/30/KILL/5 --exec $DAEMON"
                .to_string();
        let signal_cmd =
            "start-stop-daemon --stop --signal $RELOAD_SIGNAL --quiet --exec $DAEMON".to_string();
        interp.framework = true;
        interp.declare_functions("/lib/init/init-d-script", shell::INIT_D_SCRIPT_FUNCTIONS);
        interp
            .builtins
            .insert("do_start_cmd".to_string(), vec![start_cmd.clone()]);
        interp
            .builtins
            .insert("do_stop_cmd".to_string(), vec![stop_cmd.clone()]);
        interp
            .builtins
            .insert("do_reload_signal".to_string(), vec![signal_cmd.clone()]);
        // `call NAME`: the script's `NAME_override`, else its `NAME`.
        let call = |interp: &mut Interp, name: &str| {
            interp
                .run_function(&format!("{name}_override"))
                .or_else(|| interp.run_function(name))
        };
        let phases = |interp: &mut Interp, action: &str, default: &str| {
            if let Some(calls) = call(interp, &format!("do_{action}")) {
                return calls;
            }
            let mut calls = call(interp, &format!("do_{action}_prepare")).unwrap_or_default();
            calls.extend(
                call(interp, &format!("do_{action}_cmd"))
                    .unwrap_or_else(|| vec![interp.synthesize(default, 0)]),
            );
            calls.extend(call(interp, &format!("do_{action}_cleanup")).unwrap_or_default());
            calls
        };
        // Each action is a run of its own (`/etc/init.d/x stop` does not see what `start`
        // assigned); the unit's commands read the variables as `start` leaves them.
        let before = interp.env.clone();
        let start = phases(interp, "start", &start_cmd);
        let decided_by_start = interp.decided.len();
        let after_start = std::mem::replace(&mut interp.env, before.clone());
        let stop = phases(interp, "stop", &stop_cmd);
        interp.env = before;
        let reload = if let Some(calls) = interp
            .run_function("do_reload_override")
            .or_else(|| interp.run_function("do_reload"))
        {
            Some(calls)
        } else if let Some(calls) = call(interp, "do_reload_cmd") {
            let mut all = call(interp, "do_reload_prepare").unwrap_or_default();
            all.extend(calls);
            all.extend(call(interp, "do_reload_cleanup").unwrap_or_default());
            Some(all)
        } else if interp.value("RELOAD_SIGNAL").is_some_and(|s| !s.is_empty()) {
            Some(vec![interp.synthesize(&signal_cmd, 0)])
        } else {
            None
        };
        interp.env = after_start;
        interp.decided.truncate(decided_by_start);
        (start, stop, reload)
    }

    /// The script's own guards (`[ -f CONF ] || exit 0` before the actions) as conditions:
    /// `-f`/`-e`/`-r` → `ConditionPathExists=`, `-d` → `ConditionPathIsDirectory=`, `-s` →
    /// `ConditionFileNotEmpty=`. systemd then skips the start as the script did, without a
    /// failure.
    fn guards(&mut self, interp: &Interp, svc: &mut Service) {
        let mut written = Vec::new();
        for (flag, path, line) in &interp.path_guards {
            let (list, directive) = match flag {
                'd' => (
                    &mut svc.conditions.path_is_directory,
                    "ConditionPathIsDirectory",
                ),
                's' => (&mut svc.conditions.file_not_empty, "ConditionFileNotEmpty"),
                _ => (&mut svc.conditions.path_exists, "ConditionPathExists"),
            };
            if list.contains(path) {
                continue;
            }
            list.push(path.clone());
            written.push(format!(
                "`[ -{flag} {path} ]` ({}) → {directive}={path}",
                shell::place(*line)
            ));
        }
        if !written.is_empty() {
            self.findings.push(Finding::note(
                Code::SysvGuard,
                format!(
                    "the script ends without starting anything when a file test fails; the unit has the same conditions: {}",
                    written.join("; ")
                ),
                "nothing to do; `systemctl status` shows a skipped start as \"condition failed\"",
            ));
        }
    }

    fn header_findings(&mut self) {
        if self.head.interactive {
            self.findings.push(Finding::approximated(
                Code::SysvInteractive,
                "X-Interactive: true — the script may ask for input on the console at boot (a passphrase, …); a unit has no terminal",
                "use systemd-ask-password in the start command, or StandardInput=tty with TTYPath= if it really must prompt",
            ));
        }
        if !self.head.lsb {
            self.findings.push(Finding::note(
                Code::SysvNoLsbHeader,
                "no LSB header: ordering comes from the rc?.d priorities and runlevels from # chkconfig:",
                "check the After=/Before= lines against what the service really needs",
            ));
        }
    }

    fn action_findings(&mut self, actions: &[String]) {
        let custom: Vec<&str> = actions
            .iter()
            .map(String::as_str)
            .filter(|a| !STANDARD_ACTIONS.contains(a))
            .collect();
        if !custom.is_empty() {
            let mut custom = custom;
            custom.dedup();
            self.findings.push(Finding::dropped(
                Code::SysvCustomAction,
                format!("the script has actions systemctl does not: {}", custom.join(", ")),
                format!("keep the script around to run them by hand (`{} ACTION`), or write small oneshot units for them", self.path),
            ));
        }
        if actions.iter().any(|a| a == "status") {
            self.findings.push(Finding::note(
                Code::SysvStatus,
                "the script's status action is replaced by `systemctl status`",
                "nothing to do; scripts that parse its output need `systemctl is-active` instead",
            ));
        }
    }

    /// Reports on/off switches and the start gates before the daemon's start (`launched`:
    /// the lines of its start commands); returns `NAME=value in FILE` (or the gate) for one
    /// that is off on the host.
    fn toggle_findings(&mut self, interp: &Interp, launched: &[u32]) -> Option<String> {
        let mut off = None;
        let mut seen: Vec<&str> = Vec::new();
        for t in &interp.tested {
            if !is_toggle(&t.name) || t.setting || seen.contains(&t.name.as_str()) {
                continue;
            }
            seen.push(&t.name);
            let value = interp.value(&t.name);
            let from = interp
                .sourced
                .iter()
                .find(|s| s.assigns.contains(&t.name))
                .map_or_else(|| "the script".to_string(), |s| s.path.clone());
            let negative = {
                let n = t.name.to_ascii_uppercase();
                n.starts_with("DISABLE") || n.starts_with("NO_")
            };
            let v = value.as_deref().unwrap_or("").to_ascii_lowercase();
            let is_off = if negative {
                matches!(v.as_str(), "yes" | "true" | "1")
            } else {
                matches!(v.as_str(), "no" | "false" | "0" | "off")
            };
            if is_off && off.is_none() {
                off = Some(format!(
                    "{}={} in {from}",
                    t.name,
                    value.clone().unwrap_or_default()
                ));
            }
            self.findings.push(Finding::dropped(
                Code::SysvToggle,
                format!(
                    "the script only starts when ${} allows it ({}; {} in {from}); the unit has no such switch",
                    t.name,
                    shell::place(t.line),
                    value.map_or_else(|| "unset".to_string(), |v| format!("`{v}`"))
                ),
                "enable or disable the unit instead (systemctl enable/disable), and remove the variable from the defaults file",
            ));
        }
        // A string test of other settings that ends the start with success: a switch too.
        for g in &interp.gates {
            if g.vars
                .iter()
                .any(|v| seen.contains(&v.as_str()) || is_toggle(v))
                || g.after.iter().any(|l| launched.contains(l))
            {
                continue;
            }
            let values: Vec<String> = g
                .vars
                .iter()
                .map(|v| {
                    let from = interp
                        .sourced
                        .iter()
                        .find(|s| s.assigns.contains(v))
                        .map_or_else(|| "the script".to_string(), |s| s.path.clone());
                    let value = interp
                        .value(v)
                        .map_or_else(|| "unset".to_string(), |x| format!("`{x}`"));
                    format!("${v} is {value} in {from}")
                })
                .collect();
            let host = match g.passes {
                Some(true) => "with them the start goes on",
                Some(false) => {
                    "with them the script starts nothing, so the unit is not enabled at boot"
                }
                None => "the reading cannot tell which way it goes",
            };
            if g.passes == Some(false) && off.is_none() {
                off = Some(format!("`{}` fails ({})", g.test, values.join(", ")));
            }
            self.findings.push(Finding::dropped(
                Code::SysvStartGate,
                format!(
                    "the script only starts when `{}` lets it go on (line {}; else it exits with success having started nothing); {}: {host}; the unit has no such switch",
                    g.test,
                    g.line,
                    values.join(", ")
                ),
                "enable or disable the unit instead (systemctl enable/disable), and set the variable in the defaults file to the value that starts",
            ));
        }
        off
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Restart, ServiceKind, SourceError};

    #[test]
    fn the_instance_marker_is_found_where_the_whole_debug_text_has_it() {
        use crate::ir::{PriorityOrder, PriorityUnits};
        let marker = shell::INSTANCE;
        let units = |names: &[&str]| {
            std::sync::Arc::new(PriorityUnits::new(
                names
                    .iter()
                    .map(|n| (n.to_string(), format!("{n}.service"), 20)),
            ))
        };
        let marked = format!("x{marker}");
        let cases: Vec<(Vec<String>, Option<Vec<&str>>)> = vec![
            (vec!["/usr/sbin/d".into()], None),
            (
                vec!["/usr/sbin/d".into(), format!("--conf=/etc/d/{marker}a")],
                None,
            ),
            (vec!["/usr/sbin/d".into()], Some(vec!["alpha", "beta"])),
            (vec!["/usr/sbin/d".into()], Some(vec!["alpha", &marked])),
            (vec![format!("/usr/sbin/{marker}")], Some(vec!["alpha"])),
        ];
        for (argv, prioritized) in cases {
            let mut svc = Service::oneshot("d".to_string(), Command::Argv(argv));
            svc.ordering.by_priority = prioritized.map(|names| PriorityOrder {
                units: units(&names),
                priority: 30,
            });
            let whole = format!("{svc:?}").contains(marker);
            assert_eq!(holds_instance(&mut svc), whole, "{svc:?}");
            // Put back as it was.
            assert_eq!(format!("{svc:?}").contains(marker), whole);
        }
    }

    fn convert(script: &str) -> Item {
        let dir = tempfile::tempdir().unwrap();
        let host = Host::at(dir.path());
        let mut items =
            parse_init_script("/etc/init.d/food", Some("/etc/init.d/food"), script, &host);
        assert_eq!(items.len(), 1);
        items.remove(0)
    }

    /// [`convert`] on a host tree holding `executables` (absolute paths).
    fn convert_with(script: &str, executables: &[&str]) -> Item {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        for e in executables {
            let path = dir.path().join(e.trim_start_matches('/'));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let host = Host::at(dir.path());
        let mut items =
            parse_init_script("/etc/init.d/food", Some("/etc/init.d/food"), script, &host);
        assert_eq!(items.len(), 1);
        items.remove(0)
    }

    fn service(item: &Item) -> &Service {
        match &item.body {
            Body::Unit(d) => &d.service,
            other => panic!("no unit: {other:?} {:?}", item.findings),
        }
    }

    const HEAD: &str = "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: food\n# Required-Start: $network $syslog\n# Default-Start: 2 3 4 5\n# Short-Description: Food daemon\n### END INIT INFO\n";

    #[test]
    fn a_string_test_of_a_setting_before_the_start_is_a_gate_and_one_after_it_is_not() {
        let script = |arm: &str| {
            format!(
                "{HEAD}MODE=inetd\n[ -r /etc/default/food ] && . /etc/default/food\ncase \"$1\" in\n start)\n{arm}\n ;;\n stop) start-stop-daemon --stop --pidfile /run/food.pid ;;\nesac\n"
            )
        };
        let start = "  start-stop-daemon --start --pidfile /run/food.pid --exec /usr/sbin/food";
        let gate = "  test \"$MODE\" = standalone || exit 0";
        let before = convert_with(&script(&format!("{gate}\n{start}")), &["/usr/sbin/food"]);
        let f = before
            .findings
            .iter()
            .find(|f| f.code == Code::SysvStartGate)
            .unwrap();
        assert!(
            f.message.contains("$MODE is `inetd` in the script")
                && f.message.contains("the script starts nothing"),
            "{}",
            f.message
        );
        // After the daemon started, it only skips what follows (a message, a helper).
        let after = convert_with(
            &script(&format!("{start}\n{gate}\n  echo standalone")),
            &["/usr/sbin/food"],
        );
        assert!(
            !after.findings.iter().any(|f| f.code == Code::SysvStartGate),
            "{:?}",
            after.findings
        );
        assert_eq!(programs(service(&after)), ["/usr/sbin/food"]);
    }

    #[test]
    fn a_ps_check_after_and_in_an_if_test_is_an_already_running_guard() {
        let item = convert_with(
            &format!(
                "{HEAD}DAEMON=/usr/sbin/food\nPIDFILE=/run/food.pid\ncase \"$1\" in\nstart)\n\tif [ -e $PIDFILE ] && ps -p `cat $PIDFILE` | grep 'food$' > /dev/null\n\tthen\n\t\t:\n\telse\n\t\tstart-stop-daemon --start --pidfile $PIDFILE --exec $DAEMON\n\tfi\n\t;;\nstop)\n\tstart-stop-daemon --stop --pidfile $PIDFILE\n\t;;\nesac\n"
            ),
            &["/usr/sbin/food"],
        );
        assert!(
            item.findings
                .iter()
                .any(|f| f.code == Code::SysvRunningGuard),
            "{:?}",
            item.findings
        );
        assert!(!item.findings.iter().any(|f| f.code == Code::SysvWrapped));
        assert_eq!(programs(service(&item)), ["/usr/sbin/food"]);
    }

    #[test]
    fn a_control_program_behind_env_i_sees_only_the_wrappers_variables() {
        // Found by the live differential: the script exports these, but `env -i` drops them
        // before the control program (and the daemon it starts) runs.
        let item = convert(&format!(
            "{HEAD}FOOD_CONF=/etc/food\nexport FOOD_CONF\nENV=\"env -i LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin\"\ncase \"$1\" in\n  start) $ENV /usr/sbin/foodctl start ;;\n  stop) $ENV /usr/sbin/foodctl stop ;;\nesac\n"
        ));
        let env: Vec<&str> = service(&item)
            .exec
            .environment
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(env, ["LANG"], "{:?}", item.findings);
    }

    #[test]
    fn exported_variables_reach_a_daemon_started_without_env_i() {
        let item = convert(&format!(
            "{HEAD}FOOD_CONF=/etc/food\nexport FOOD_CONF\ncase \"$1\" in\n  start) /usr/sbin/foodctl start ;;\n  stop) /usr/sbin/foodctl stop ;;\nesac\n"
        ));
        let env: Vec<&str> = service(&item)
            .exec
            .environment
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(env, ["FOOD_CONF"], "{:?}", item.findings);
    }

    #[test]
    fn background_daemon_becomes_type_exec_with_its_arguments() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\nARGS=\"-c /etc/food.conf\"\ncase \"$1\" in\n start) start-stop-daemon --start --background --make-pidfile --pidfile /run/food.pid --chuid food --exec $DAEMON -- --foreground $ARGS ;;\n stop) start-stop-daemon --stop --retry=INT/15/KILL/5 --pidfile /run/food.pid ;;\nesac\n"
        ));
        let svc = service(&item);
        assert_eq!(svc.kind, ServiceKind::Exec);
        assert_eq!(
            svc.command,
            Command::Argv(
                ["/usr/sbin/food", "--foreground", "-c", "/etc/food.conf"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(svc.exec.user.as_deref(), Some("food"));
        assert_eq!(svc.stop.signal.as_deref(), Some("INT"));
        assert_eq!(svc.stop.timeout_sec, Some(15));
        assert_eq!(svc.ordering.wants, ["network-online.target"]);
    }

    #[test]
    fn forking_daemon_keeps_its_pid_file_and_reload_signal() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --quiet --pidfile /run/food.pid --exec /usr/sbin/food ;;\n reload) start-stop-daemon --stop --signal USR1 --pidfile /run/food.pid ;;\nesac\n"
        ));
        let svc = service(&item);
        assert_eq!(
            svc.kind,
            ServiceKind::Forking {
                pid_file: Some("/run/food.pid".into())
            }
        );
        assert!(
            matches!(svc.reload.last(), Some(Command::Expand { program, .. }) if program == "/bin/kill")
        );
    }

    /// The items of `script` as /etc/init.d/food on a host tree holding `files`.
    fn items_on(script: &str, files: &[(&str, &str)]) -> Vec<Item> {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        parse_init_script(
            "/etc/init.d/food",
            Some("/etc/init.d/food"),
            script,
            &Host::at(dir.path()),
        )
    }

    /// The instance names of a per-configuration template (the second item).
    fn instance_names(items: &[Item]) -> Vec<String> {
        assert_eq!(items.len(), 2, "{:?}", items[0].findings);
        match &service(&items[1]).instances {
            crate::ir::Instances::Set(set) => {
                set.instances.iter().map(|i| i.name.clone()).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn one_daemon_per_line_of_a_list_file_is_a_template_with_one_instance_per_line() {
        let list = ("/etc/food/nets", "# boot these\noffice\n\n  lab\n");
        // `while read … < FILE`: every line is a network, blank ones name none; a comment line
        // the script does not filter keeps it wrapped.
        let redirect = format!(
            "{HEAD}case \"$1\" in\n start) while read net args; do start-stop-daemon --start --exec /usr/sbin/food -- -n $net; done < /etc/food/nets ;;\nesac\n"
        );
        let plain = ("/etc/food/nets", "office\n\nlab\n");
        assert_eq!(
            instance_names(&items_on(&redirect, &[plain])),
            ["office", "lab"]
        );
        // Per-line arguments would differ between instances: not a template.
        let args = items_on(&redirect, &[("/etc/food/nets", "office -d\n")]);
        assert!(args[0].findings.iter().any(|f| f.code == Code::SysvWrapped));
        let commented = items_on(&redirect, &[list]);
        assert!(
            commented[0]
                .findings
                .iter()
                .any(|f| f.code == Code::SysvWrapped),
            "{:?}",
            commented[0].findings
        );
        // `grep -v '^#' FILE | while read`: the comments are filtered out.
        let grep = format!(
            "{HEAD}case \"$1\" in\n start) grep -v '^#' /etc/food/nets | while read net args; do start-stop-daemon --start --exec /usr/sbin/food -- -n $net; done ;;\nesac\n"
        );
        let found = items_on(&grep, &[list]);
        assert_eq!(instance_names(&found), ["office", "lab"]);
        assert!(
            found[1]
                .findings
                .iter()
                .any(|f| f.code == Code::SysvPerListLine)
        );
        // `for X in $(cat FILE)`: every word.
        let cat = format!(
            "{HEAD}case \"$1\" in\n start) for net in $(cat /etc/food/nets); do start-stop-daemon --start --exec /usr/sbin/food -- -n $net; done ;;\nesac\n"
        );
        assert_eq!(instance_names(&items_on(&cat, &[plain])), ["office", "lab"]);
        // No file: the template alone.
        assert!(instance_names(&items_on(&grep, &[])).is_empty());
    }

    #[test]
    fn one_daemon_per_word_of_a_setting_is_a_template_and_a_loop_building_options_is_not() {
        let script = format!(
            "{HEAD}[ -r /etc/default/food ] && . /etc/default/food\ncase \"$1\" in\n start) for i in $INTERFACES; do start-stop-daemon --start --pidfile /run/food-$i.pid --exec /usr/sbin/food -- -i $i; done ;;\nesac\n"
        );
        let found = items_on(
            &script,
            &[("/etc/default/food", "INTERFACES=\"eth0 wlan0\"\n")],
        );
        assert_eq!(instance_names(&found), ["eth0", "wlan0"]);
        assert!(
            found[1]
                .findings
                .iter()
                .any(|f| f.code == Code::SysvPerSettingWord)
        );
        assert!(
            instance_names(&items_on(
                &script,
                &[("/etc/default/food", "INTERFACES=\n")]
            ))
            .is_empty()
        );
        // The loop only collects options for one daemon: its value is the run's, never `%I`.
        let options = format!(
            "{HEAD}[ -r /etc/default/food ] && . /etc/default/food\ncase \"$1\" in\n start) opts=\n  for i in $INTERFACES; do opts=\"$opts -i $i\"; done\n  start-stop-daemon --start --exec /usr/sbin/food -- $opts ;;\nesac\n"
        );
        let one = items_on(
            &options,
            &[("/etc/default/food", "INTERFACES=\"eth0 wlan0\"\n")],
        );
        assert_eq!(one.len(), 1);
        assert!(
            one[0].findings.iter().any(|f| f.code == Code::SysvWrapped),
            "{:?}",
            one[0].findings
        );
        assert!(!format!("{:?}", one[0].body).contains(shell::INSTANCE));
    }

    #[test]
    fn one_daemon_per_config_file_is_a_template_with_one_instance_per_file() {
        let script = format!(
            "{HEAD}case \"$1\" in\n start) mkdir -p /run/food\n  for c in /etc/food/*.conf; do start-stop-daemon --start --exec /usr/sbin/food -- -c $c; done ;;\nesac\n"
        );
        let items = |files: &[(&str, &str)]| {
            let dir = tempfile::tempdir().unwrap();
            for (path, text) in files {
                let p = dir.path().join(path.trim_start_matches('/'));
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
            parse_init_script(
                "/etc/init.d/food",
                Some("/etc/init.d/food"),
                &script,
                &Host::at(dir.path()),
            )
        };
        let found = items(&[("/etc/food/a-b.conf", ""), ("/etc/food/main.conf", "")]);
        assert_eq!(found.len(), 2, "{:?}", found[0].findings);
        let group = service(&found[0]);
        let instances = |svc: &Service| -> Vec<String> {
            svc.ordering
                .wants
                .iter()
                .filter(|w| w.contains('@'))
                .cloned()
                .collect()
        };
        assert_eq!(
            instances(group),
            ["food@a\\x2db.service", "food@main.service"]
        );
        assert_eq!(group.exec.runtime_directories, ["food"]);
        let template = service(&found[1]);
        assert_eq!(found[1].unit_stem, "food");
        let crate::ir::Instances::Set(set) = &template.instances else {
            panic!("{:?}", template.instances)
        };
        let names: Vec<&str> = set.instances.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["a-b", "main"]);
        let Command::Expand { program, args, .. } = &template.command else {
            panic!("{:?}", template.command)
        };
        assert_eq!(program, "/usr/sbin/food");
        assert_eq!(
            args[1],
            crate::ir::Word::Parts(vec![
                crate::ir::WordPart::Text("/etc/food/".into()),
                crate::ir::WordPart::InstanceName,
                crate::ir::WordPart::Text(".conf".into()),
            ])
        );
        // No configuration on the host: the template alone, with a note.
        let none = items(&[]);
        assert_eq!(none.len(), 2);
        assert!(instances(service(&none[0])).is_empty());
        assert!(none[1].findings.iter().any(
            |f| f.code == Code::SysvPerConfiguration && f.message.contains("only the template")
        ));
    }

    #[test]
    fn a_loop_over_anything_but_a_directory_of_configurations_is_wrapped() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) for c in $(food-list --enabled); do start-stop-daemon --start --exec /usr/sbin/food -- -c $c; done ;;\nesac\n"
        ));
        let svc = service(&item);
        assert!(matches!(svc.kind, ServiceKind::Script { lsb: true, .. }));
        assert!(item.findings.iter().any(|f| f.code == Code::SysvWrapped));
    }

    #[test]
    fn early_boot_scripts_systemd_replaced_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let host = Host::at(dir.path());
        let items = parse_init_script(
            "/etc/init.d/procps",
            Some("/etc/init.d/procps"),
            HEAD,
            &host,
        );
        assert!(matches!(items[0].body, Body::Skipped));
        assert_eq!(items[0].findings[0].code, Code::SysvSuperseded);
    }

    #[test]
    fn syntax_errors_are_located() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) if true; then echo ;;\nesac\n"
        ));
        assert!(matches!(
            item.body,
            Body::Error(SourceError {
                line: Some(_),
                column: Some(_),
                ..
            })
        ));
    }

    fn stdout_of(item: &Item) -> Option<&crate::ir::Output> {
        service(item).logging.stdout.as_ref()
    }

    #[test]
    fn a_relative_log_file_is_found_in_the_directory_the_script_changed_to() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\ncase \"$1\" in\n start) cd /srv/food\n  $DAEMON --foreground >> logs/../logs/./food.log 2>&1 &\n  ;;\nesac\n"
        ));
        let append = crate::ir::Output::Append("/srv/food/logs/food.log".into());
        assert_eq!(stdout_of(&item), Some(&append));
        assert_eq!(service(&item).logging.stderr.as_ref(), Some(&append));
    }

    #[test]
    fn start_stop_daemon_put_in_the_background_by_the_shell_runs_in_the_foreground() {
        // armagetronad-dedicated: `start-stop-daemon … --exec $DAEMON >$LOGFILE &`.
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --chuid games --pidfile /run/food.pid --exec /usr/sbin/food >/var/log/food.log &\n  ;;\nesac\n"
        ));
        let svc = service(&item);
        assert_eq!(svc.kind, ServiceKind::Exec);
        assert_eq!(
            svc.logging.stdout,
            Some(crate::ir::Output::Truncate("/var/log/food.log".into()))
        );
        // Standard error was the console's, not the file's.
        assert_eq!(svc.logging.stderr, Some(crate::ir::Output::Journal));
        assert!(item.findings.iter().any(|f| f.code == Code::SysvPidfile));
    }

    #[test]
    fn a_relative_log_file_in_an_unknown_directory_is_dropped_with_a_finding() {
        // The shell opens `>>` in its own directory, which nothing here names
        // (start-stop-daemon's --chdir only applies to the daemon, after the shell opened it).
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --chdir /srv/food --pidfile /run/food.pid --exec /usr/sbin/food >> logs/food.log 2>&1 ;;\nesac\n"
        ));
        assert_eq!(stdout_of(&item), None);
        assert_eq!(service(&item).logging.stderr, None);
        let f = item
            .findings
            .iter()
            .find(|f| f.code == Code::SysvRelativeOutput)
            .expect("a finding");
        assert_eq!(f.level, crate::finding::Level::Dropped);
        assert!(f.message.contains("logs/food.log"), "{}", f.message);
    }

    #[test]
    fn a_relative_output_option_is_dropped_as_start_stop_daemon_refuses_it() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --background --chdir /srv/food --output food.log --exec /usr/sbin/food ;;\nesac\n"
        ));
        assert_eq!(stdout_of(&item), None);
        assert!(
            item.findings
                .iter()
                .any(|f| f.code == Code::SysvRelativeOutput
                    && f.message.contains("--output food.log"))
        );
    }

    #[test]
    fn a_relative_program_is_found_in_the_directory_the_script_changed_to() {
        let item = convert(&format!(
            "{HEAD}DAEMON=./bin/food\ncase \"$1\" in\n start) cd /opt/food\n  $DAEMON --config ./food.conf &\n  ;;\nesac\n"
        ));
        assert_eq!(
            service(&item).command,
            Command::Named {
                program: "/opt/food/bin/food".into(),
                argv: vec!["./bin/food".into(), "--config".into(), "./food.conf".into()]
            },
            "the shell passes argv[0] as the script wrote it"
        );
        assert_eq!(
            service(&item).exec.working_dir,
            Some(crate::ir::WorkingDir::Path("/opt/food".into()))
        );
    }

    #[test]
    fn a_relative_program_in_an_unknown_directory_wraps_the_script() {
        let item = convert(&format!(
            "{HEAD}DAEMON=bin/food\ncase \"$1\" in\n start) $DAEMON & ;;\nesac\n"
        ));
        assert!(matches!(service(&item).kind, ServiceKind::Script { .. }));
        let why = &item
            .findings
            .iter()
            .find(|f| f.code == Code::SysvWrapped)
            .unwrap()
            .message;
        assert!(why.contains("`bin/food`"), "{why}");
    }

    #[test]
    fn a_relative_command_of_a_oneshot_unit_is_found_in_the_scripts_cd() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) cd /opt/food\n  ./bin/food-load --all ;;\nesac\n"
        ));
        assert_eq!(
            service(&item).command,
            Command::Named {
                program: "/opt/food/bin/food-load".into(),
                argv: vec!["./bin/food-load".into(), "--all".into()]
            }
        );
        assert_eq!(
            service(&item).exec.working_dir,
            Some(crate::ir::WorkingDir::Path("/opt/food".into()))
        );
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) ./bin/food-load ;;\nesac\n"
        ));
        assert!(matches!(service(&item).kind, ServiceKind::Script { .. }));
    }

    /// A shell, `env` and `start-stop-daemon --exec/--startas` pass the program word as the
    /// script wrote it as argv[0] (dpkg 1.21's start-stop-daemon: `*--argv = startas`).
    #[test]
    fn argv0_is_the_program_word_as_the_script_wrote_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("usr/sbin");
        std::fs::create_dir_all(&bin).unwrap();
        for name in ["food-load", "food"] {
            std::fs::write(bin.join(name), "").unwrap();
            std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755))
                .unwrap();
        }
        let host = Host::at(dir.path());
        let convert = |script: String| {
            let mut items =
                parse_init_script("/etc/init.d/food", Some("/etc/init.d/food"), &script, &host);
            service(&items.remove(0)).command.clone()
        };
        for line in ["food-load --all", "env LANG=C food-load --all"] {
            assert_eq!(
                convert(format!("{HEAD}case \"$1\" in\n start) {line} ;;\nesac\n")),
                Command::Named {
                    program: "/usr/sbin/food-load".into(),
                    argv: vec!["food-load".into(), "--all".into()]
                },
                "{line}"
            );
        }
        assert_eq!(
            convert(format!(
                "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --chdir /usr --startas ./sbin/food --name food -- -f ;;\nesac\n"
            )),
            Command::Named {
                program: "/usr/sbin/food".into(),
                argv: vec!["./sbin/food".into(), "-f".into()]
            }
        );
        assert_eq!(
            convert(format!(
                "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --exec /usr/sbin/food -- -f ;;\nesac\n"
            )),
            Command::Argv(vec!["/usr/sbin/food".into(), "-f".into()]),
            "an absolute program is argv[0] itself"
        );
    }

    #[test]
    fn a_relative_cd_is_no_working_directory() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\ncase \"$1\" in\n start) cd food\n  $DAEMON >> food.log ;;\nesac\n"
        ));
        assert_eq!(service(&item).exec.working_dir, None);
        assert_eq!(stdout_of(&item), None);
    }

    fn reload_note(item: &Item) -> &Finding {
        item.findings
            .iter()
            .find(|f| f.code == Code::SysvReloadRestarts)
            .expect("a sysv-reload-restarts finding")
    }

    #[test]
    fn a_script_whose_usage_arm_catches_reload_has_no_reload_action() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --pidfile /run/food.pid --exec /usr/sbin/food ;;\n stop) start-stop-daemon --stop --pidfile /run/food.pid ;;\n restart|force-reload) $0 stop; $0 start ;;\n *) echo \"Usage: $0 {{start|stop|restart|force-reload}}\" >&2; exit 1 ;;\nesac\n"
        ));
        assert!(service(&item).reload.is_empty());
        let f = reload_note(&item);
        assert_eq!(
            f.message,
            "the script has no reload action (`/etc/init.d/food reload` did not reload anything either), so the unit has no ExecReload= and `systemctl reload food` fails with \"Job type reload is not applicable\""
        );
        assert!(f.help.contains("systemctl restart"), "{}", f.help);
    }

    #[test]
    fn a_script_without_any_reload_arm_says_so_too() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --pidfile /run/food.pid --exec /usr/sbin/food ;;\nesac\n"
        ));
        assert!(service(&item).reload.is_empty());
        assert!(
            reload_note(&item)
                .message
                .starts_with("the script has no reload action")
        );
    }

    #[test]
    fn a_wrapped_script_without_reload_gets_no_exec_reload_of_its_usage_message() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) for c in $(food-list --enabled); do start-stop-daemon --start --exec /usr/sbin/food -- -c $c; done ;;\n *) echo usage; exit 1 ;;\nesac\n"
        ));
        assert!(matches!(
            service(&item).kind,
            crate::ir::ServiceKind::Script { .. }
        ));
        assert!(service(&item).reload.is_empty());
        assert!(
            reload_note(&item)
                .message
                .starts_with("the script has no reload action")
        );
    }

    #[test]
    fn a_reload_arm_that_restarts_keeps_its_own_wording() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --pidfile /run/food.pid --exec /usr/sbin/food ;;\n restart|reload) $0 stop; $0 start ;;\nesac\n"
        ));
        // `$0 stop; $0 start` is a restart: never ExecReload=/etc/init.d/food stop.
        assert!(
            service(&item).reload.is_empty(),
            "{:?}",
            service(&item).reload
        );
        assert!(
            reload_note(&item)
                .message
                .starts_with("the reload action does not signal")
        );
    }

    /// Converts `script` at /etc/init.d/food on a host holding `files` (path, text).
    fn convert_on(script: &str, files: &[(&str, &str)]) -> Item {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let host = Host::at(dir.path());
        let mut items =
            parse_init_script("/etc/init.d/food", Some("/etc/init.d/food"), script, &host);
        items.remove(0)
    }

    #[test]
    fn options_added_by_tests_of_other_settings_are_decided_by_the_hosts_settings() {
        let script = format!(
            "{HEAD}DAEMON=/usr/sbin/food\n. /etc/food.conf\nARGS=\"-r $root\"\ntest \"$host\" != \"\" && ARGS=\"$ARGS -n $host\"\ntest \"$port\" != \"\" && ARGS=\"$ARGS -p $port\"\ncase \"$1\" in\n start) start-stop-daemon --start --background --exec $DAEMON -- $ARGS ;;\nesac\n"
        );
        let item = convert_on(
            &script,
            &[("/etc/food.conf", "root=/srv\nhost=\nport=8000\n")],
        );
        let svc = service(&item);
        assert!(!matches!(svc.kind, ServiceKind::Script { .. }));
        let command = format!("{:?}", svc.command);
        assert!(
            command.contains("\"-p\"") && command.contains("\"-r\"") && !command.contains("\"-n\""),
            "{command}"
        );
        let f = item
            .findings
            .iter()
            .find(|f| f.code == Code::SysvDefaultsChoice)
            .expect("a sysv-defaults-choice finding");
        assert!(f.message.contains("host="), "{}", f.message);
        // A test of the setting it assigns stays a default for when the file leaves it empty.
        let script = format!(
            "{HEAD}DAEMON=/usr/sbin/food\n. /etc/food.conf\n[ -z \"$OPTS\" ] && OPTS=\"-q\"\ncase \"$1\" in\n start) start-stop-daemon --start --background --exec $DAEMON -- $OPTS ;;\nesac\n"
        );
        let item = convert_on(&script, &[("/etc/food.conf", "OPTS=\n")]);
        assert!(
            !item
                .findings
                .iter()
                .any(|f| f.code == Code::SysvDefaultsChoice && f.message.contains("OPTS")),
            "{:?}",
            item.findings
        );
    }

    /// Every command line of the unit: ExecStartPre=, ExecStart=, ExecStop=, ExecReload=.
    fn programs(svc: &Service) -> Vec<String> {
        let program = |c: &Command| match c {
            Command::Argv(a) => a.first().cloned().unwrap_or_default(),
            Command::Named { program, .. } | Command::Expand { program, .. } => program.clone(),
            other => format!("{other:?}"),
        };
        svc.pre
            .iter()
            .chain(std::iter::once(&svc.command))
            .chain(svc.stop.command.iter())
            .chain(svc.reload.iter())
            .map(program)
            .collect()
    }

    fn wrapped_because(item: &Item) -> &str {
        assert!(
            matches!(service(item).kind, ServiceKind::Script { .. }),
            "not wrapped: {:?}",
            service(item)
        );
        &item
            .findings
            .iter()
            .find(|f| f.code == Code::SysvWrapped)
            .expect("sysv-wrapped")
            .message
    }

    /// A mail daemon's script in the courier style: settings, helper functions, and a `start)`
    /// that calls them.
    const MAIL_HELPERS: &str = "prefix=/usr\nsbindir=${prefix}/sbin\ndaemonscript=${sbindir}/food\nrundir=/var/run/food\npidfile=${rundir}/pid\n. /lib/lsb/init-functions\nmake_rundir()\n{\n\tif [ ! -d \"$rundir\" ]; then\n\t\tmkdir -m 0775 $rundir\n\tfi\n}\ndo_start_cmd()\n{\n\tmake_rundir\n\tstart-stop-daemon --start --quiet --pidfile $pidfile --exec $daemonscript -- -p $pidfile\n}\ndo_stop_cmd()\n{\n\tstart-stop-daemon --stop --quiet --retry 10 --pidfile $pidfile\n}\n";

    #[test]
    fn helper_functions_called_from_start_are_inlined() {
        let item = convert(&format!(
            "{HEAD}{MAIL_HELPERS}case \"$1\" in\nstart)\n\tlog_daemon_msg \"Starting\" food\n\tdo_start_cmd\n\tlog_end_msg 0\n\t;;\nstop)\n\tdo_stop_cmd\n\t;;\nesac\nexit 0\n"
        ));
        let svc = service(&item);
        assert_eq!(programs(svc), ["/usr/sbin/food"]);
        assert_eq!(
            svc.kind,
            ServiceKind::Forking {
                pid_file: Some("/run/food/pid".into())
            }
        );
        assert_eq!(svc.stop.timeout_sec, Some(10));
    }

    #[test]
    fn a_helper_function_from_a_sourced_file_is_never_a_command() {
        // The helpers live in the package's own shell library, which this reading does not
        // follow for a script that names no daemon: the script is wrapped, naming the function.
        let item = convert_on(
            &format!(
                "{HEAD}. /usr/share/food/init-helpers\ncase \"$1\" in\nstart)\n\tdo_start_cmd\n\t;;\nstop)\n\tdo_stop_cmd\n\t;;\nreload)\n\tdo_reload_cmd\n\t;;\nesac\n"
            ),
            &[(
                "/usr/share/food/init-helpers",
                "do_start_cmd() { /usr/sbin/food-setup; /usr/sbin/food; }\ndo_stop_cmd() { killall food; }\ndo_reload_cmd() { killall -HUP food; }\n",
            )],
        );
        let why = wrapped_because(&item);
        assert!(why.contains("`do_start_cmd`"), "{why}");
        assert!(why.contains("/usr/share/food/init-helpers"), "{why}");
        // With `DAEMON=` its commands are followed, the function names are never programs.
        let item = convert_on(
            &format!(
                "{HEAD}DAEMON=/usr/sbin/food\n. /usr/share/food/init-helpers\ncase \"$1\" in\nstart)\n\tdo_start_cmd\n\t;;\nstop)\n\tdo_stop_cmd\n\t;;\nreload)\n\tdo_reload_cmd\n\t;;\nesac\n"
            ),
            &[(
                "/usr/share/food/init-helpers",
                "do_start_cmd() { /usr/sbin/food-setup; $DAEMON; }\ndo_stop_cmd() { killall food; }\ndo_reload_cmd() { killall -HUP food; }\n",
            )],
        );
        let progs = programs(service(&item));
        assert!(progs.iter().any(|p| p == "/usr/sbin/food"), "{progs:?}");
        assert!(!progs.iter().any(|p| p.starts_with("do_")), "{progs:?}");
    }

    #[test]
    fn a_function_defined_where_start_never_goes_is_never_a_command() {
        // `do_start_cmd` only exists once `setup` has run, which `start` never calls.
        let item = convert(&format!(
            "{HEAD}setup() {{\n\tdo_start_cmd() {{ /usr/sbin/food; }}\n}}\ncase \"$1\" in\nstart)\n\tdo_start_cmd\n\t;;\nstop)\n\tkillall food\n\t;;\nesac\n"
        ));
        let why = wrapped_because(&item);
        assert!(why.contains("`do_start_cmd` (line 13)"), "{why}");
        assert!(
            !programs(service(&item))
                .iter()
                .any(|p| p.starts_with("do_"))
        );
    }

    #[test]
    fn a_function_that_calls_itself_is_never_a_command() {
        let item = convert(&format!(
            "{HEAD}start_it() {{ /usr/sbin/food-prepare; start_it; }}\ncase \"$1\" in\nstart)\n\tstart_it\n\t;;\nesac\n"
        ));
        let why = wrapped_because(&item);
        assert!(why.contains("`start_it`"), "{why}");
        assert!(!programs(service(&item)).iter().any(|p| p == "start_it"));
    }

    #[test]
    fn the_init_d_script_frameworks_own_functions_are_followed() {
        // do_start_override calls the framework's do_start_cmd; do_stop_cmd is the script's
        // own (it replaces the framework's).
        let item = convert(
            "#!/bin/sh /lib/init/init-d-script\n### BEGIN INIT INFO\n# Provides: food\n# Default-Start: 2 3 4 5\n### END INIT INFO\nDAEMON=/usr/sbin/food\nPIDFILE=/run/food.pid\ndo_start_override() {\n\tmkdir -p /run/food\n\tdo_start_cmd\n}\ndo_stop_cmd() {\n\tstart-stop-daemon --stop --quiet --retry=INT/20/KILL/5 --pidfile $PIDFILE\n}\n",
        );
        let svc = service(&item);
        assert_eq!(programs(svc), ["/usr/sbin/food"]);
        assert_eq!(svc.stop.signal.as_deref(), Some("INT"));
        assert_eq!(svc.stop.timeout_sec, Some(20));
        assert_eq!(svc.exec.runtime_directories, ["food"]);
    }

    #[test]
    fn init_d_script_call_runs_the_override_or_the_function() {
        let item = convert(
            "#!/bin/sh /lib/init/init-d-script\n### BEGIN INIT INFO\n# Provides: food\n### END INIT INFO\nDAEMON=/usr/sbin/food\ndo_start_override() {\n\tcall do_start_cmd\n}\ndo_start_cmd_override() {\n\tstart-stop-daemon --start --background --exec $DAEMON -- --foreground\n}\n",
        );
        let svc = service(&item);
        assert_eq!(svc.kind, ServiceKind::Exec);
        assert_eq!(
            svc.command,
            Command::Argv(vec!["/usr/sbin/food".into(), "--foreground".into()])
        );
    }

    #[test]
    fn rhel_action_runs_its_command() {
        // `action MESSAGE COMMAND` of /etc/rc.d/init.d/functions: the command is what runs.
        let item = convert(&format!(
            "{HEAD}. /etc/rc.d/init.d/functions\ncase \"$1\" in\nstart)\n\taction \"Loading food tables: \" /usr/sbin/food-load -a\n\t;;\nstop)\n\taction \"Flushing food tables: \" /usr/sbin/food-load -F\n\t;;\nesac\n"
        ));
        let svc = service(&item);
        assert_eq!(
            svc.command,
            Command::Argv(vec!["/usr/sbin/food-load".into(), "-a".into()])
        );
        assert_eq!(
            svc.stop.command,
            Some(Command::Argv(vec![
                "/usr/sbin/food-load".into(),
                "-F".into()
            ]))
        );
    }

    #[test]
    fn a_control_programs_stop_through_start_stop_daemon_becomes_exec_stop() {
        // courier's scripts: start and stop both through `start-stop-daemon --start`, with the
        // verb put before the options; each action sees only its own assignment.
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/foodctl\nARGS=-q\ncase \"$1\" in\nstart)\n\tARGS=\"start $ARGS\"\n\tstart-stop-daemon --start --exec $DAEMON -- $ARGS\n\t;;\nstop)\n\tARGS=\"stop $ARGS\"\n\tstart-stop-daemon --start --exec $DAEMON -- $ARGS\n\t;;\nesac\n"
        ));
        let svc = service(&item);
        assert_eq!(
            svc.command,
            Command::Argv(vec![
                "/usr/sbin/foodctl".into(),
                "start".into(),
                "-q".into()
            ])
        );
        assert_eq!(
            svc.stop.command,
            Some(Command::Argv(vec![
                "/usr/sbin/foodctl".into(),
                "stop".into(),
                "-q".into()
            ]))
        );
        assert!(
            item.findings
                .iter()
                .any(|f| f.code == Code::SysvControlTool)
        );
    }

    #[test]
    fn a_control_program_named_by_a_variable_starts_and_stops_with_its_cleanup_dropped() {
        // strongswan's ipsec script: `$STARTER start` … `$STARTER stop`, then the pid file
        // removed and the key daemon killed; the defaults file the script reads is missing.
        let item = convert_with(
            &format!(
                "{HEAD}STARTER=/usr/sbin/foodctl\nPIDFILE=/run/food.pid\n[ -r /etc/default/food ] && . /etc/default/food\ncase \"$1\" in\nstart)\n\t$STARTER start || exit 2\n\t;;\nstop)\n\t$STARTER stop\n\tstart-stop-daemon --stop --quiet --pidfile $PIDFILE\n\trm -f $PIDFILE\n\tkillall -9 food\n\t;;\nesac\n"
            ),
            &["/usr/sbin/foodctl"],
        );
        let svc = service(&item);
        assert_eq!(
            svc.command,
            Command::Argv(vec!["/usr/sbin/foodctl".into(), "start".into()])
        );
        assert_eq!(
            svc.stop.command,
            Some(Command::Argv(vec![
                "/usr/sbin/foodctl".into(),
                "stop".into()
            ]))
        );
        assert_eq!(svc.kind, ServiceKind::Forking { pid_file: None });
        let dropped = item
            .findings
            .iter()
            .filter(|f| f.code == Code::SysvStopStep)
            .count();
        assert_eq!(dropped, 3);
        // Without the control program's stop, several stop commands still wrap the script.
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\nstart)\n\t/usr/sbin/foodctl start\n\t;;\nstop)\n\trm -f /run/food.pid\n\tkillall -9 food\n\t;;\nesac\n"
        ));
        assert!(matches!(service(&item).kind, ServiceKind::Script { .. }));
    }

    #[test]
    fn a_stop_of_another_program_or_under_a_condition_is_no_exec_stop() {
        for stop in [
            "\t/usr/sbin/otherctl stop\n",
            "\t[ -e /run/food.pid ] && /usr/sbin/foodctl stop\n",
            "\t/usr/sbin/foodctl reload\n",
        ] {
            let item = convert(&format!(
                "{HEAD}case \"$1\" in\nstart)\n\tstart-stop-daemon --start --exec /usr/sbin/foodctl -- start\n\t;;\nstop)\n{stop}\t;;\nesac\n"
            ));
            assert_eq!(service(&item).stop.command, None, "{stop}");
        }
    }

    #[test]
    fn a_setting_computed_by_a_command_that_the_defaults_file_may_replace_wraps() {
        // postsrsd: SRS_DOMAIN=`postconf -h mydomain || true`, then `[ -r /etc/default/x ] &&
        // . /etc/default/x`, missing here: the unit would read only the file's value.
        let item = convert(&format!(
            "{HEAD}D=`postconf -h mydomain || true`\n[ -r /etc/default/food ] && . /etc/default/food\ncase \"$1\" in\nstart)\n\tstart-stop-daemon --start --exec /usr/sbin/food -- -d \"$D\"\n\t;;\nesac\n"
        ));
        assert!(matches!(service(&item).kind, ServiceKind::Script { .. }));
        let why = item
            .findings
            .iter()
            .find(|f| f.code == Code::SysvWrapped)
            .map(|f| f.message.to_string())
            .unwrap_or_default();
        assert!(why.contains("$D") && why.contains("postconf"), "{why}");
    }

    #[test]
    fn exec_runs_its_command() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\ncase \"$1\" in\nstart)\n\texec $DAEMON --foreground &\n\t;;\nesac\n"
        ));
        assert_eq!(
            service(&item).command,
            Command::Argv(vec!["/usr/sbin/food".into(), "--foreground".into()])
        );
        assert_eq!(service(&item).kind, ServiceKind::Exec);
    }

    #[test]
    fn a_shell_builtin_is_never_a_command_of_a_oneshot_unit() {
        // `eval` of a text only a run knows (a known text is read as its command:
        // host_reading's tests).
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\nstart)\n\teval $(/usr/sbin/food-args --all)\n\t;;\nesac\n"
        ));
        let why = wrapped_because(&item);
        assert!(why.contains("`eval $(/usr/sbin/food-args --all)`"), "{why}");
        assert!(why.contains("shell builtin"), "{why}");
    }

    #[test]
    fn a_starter_never_runs_a_shell_function_as_its_program() {
        let item = convert(&format!(
            "{HEAD}. /lib/lsb/init-functions\nfood_run() {{ /usr/sbin/food -c /etc/food.conf; }}\ncase \"$1\" in\nstart)\n\tstart_daemon -p /run/food.pid food_run\n\t;;\nesac\n"
        ));
        let why = wrapped_because(&item);
        assert!(why.contains("`food_run`, a shell function"), "{why}");
    }

    #[test]
    fn a_library_function_is_never_a_command_of_a_oneshot_unit() {
        // No daemon is started (the setup tool is not $DAEMON), so commands would be taken as
        // they are: `killproc` is a function of /lib/lsb/init-functions, not a program.
        let item = convert(&format!(
            "{HEAD}. /lib/lsb/init-functions\ncase \"$1\" in\nstart)\n\t/usr/sbin/food-setup --load\n\t;;\nstop)\n\tkillproc /usr/sbin/food-setup\n\t;;\nesac\n"
        ));
        let why = wrapped_because(&item);
        assert!(why.contains("`killproc /usr/sbin/food-setup`"), "{why}");
        assert!(why.contains("/lib/lsb/init-functions"), "{why}");
    }

    #[test]
    fn a_daemon_that_drops_privileges_itself_gets_its_run_directory() {
        // `named -u bind` writes its pid file as bind: RuntimeDirectory= (root's, reset before
        // every command) would not let it.
        let item = convert_on(
            &format!(
                "{HEAD}DAEMON=/usr/sbin/food\n. /etc/default/food\ncase \"$1\" in\n start) mkdir -p /run/food\n  start-stop-daemon --start --pidfile /run/food/food.pid --exec $DAEMON -- $OPTIONS ;;\n stop) start-stop-daemon --stop --pidfile /run/food/food.pid ;;\nesac\n"
            ),
            &[("/etc/default/food", "OPTIONS=\"-u food\"\n")],
        );
        let svc = service(&item);
        assert!(svc.exec.runtime_directories.is_empty());
        assert_eq!(
            svc.pre,
            [Command::Argv(
                ["/usr/bin/install", "-d", "-o", "food", "/run/food"]
                    .map(String::from)
                    .to_vec()
            )]
        );
        assert!(
            item.findings
                .iter()
                .any(|f| f.code == Code::SysvPreparedDirectory)
        );
    }

    #[test]
    fn a_run_directory_owned_like_the_unit_is_a_runtime_directory_with_its_mode() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\ncase \"$1\" in\n start) install -d -o food -g food -m 0750 /run/food\n  start-stop-daemon --start --chuid food --background --exec $DAEMON ;;\nesac\n"
        ));
        let svc = service(&item);
        assert_eq!(svc.exec.runtime_directories, ["food"]);
        assert_eq!(svc.exec.runtime_directory_mode, Some(0o750));
        assert!(svc.pre.is_empty(), "{:?}", svc.pre);
    }

    #[test]
    fn an_owner_only_known_at_run_time_wraps_the_script() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\nOWNER=$(stat -c %U /etc/food.conf)\ncase \"$1\" in\n start) mkdir -p /run/food\n  chown $OWNER /run/food\n  start-stop-daemon --start --pidfile /run/food/pid --exec $DAEMON ;;\nesac\n"
        ));
        let why = wrapped_because(&item);
        assert!(why.contains("owner only known at run time"), "{why}");
    }

    #[test]
    fn a_log_directory_becomes_logs_directory() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\ncase \"$1\" in\n start) mkdir -p /var/log/food\n  chown food:food /var/log/food\n  start-stop-daemon --start --background --chuid food:food --exec $DAEMON ;;\nesac\n"
        ));
        let svc = service(&item);
        assert_eq!(svc.exec.logs_directories, ["food"]);
        assert!(svc.pre.is_empty());
    }

    #[test]
    fn file_guards_become_conditions() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\n[ -f /etc/food.conf ] || exit 0\n[ ! -d /etc/food.d ] && exit 0\ntest -s /etc/food.list || exit 0\ncase \"$1\" in\n start) start-stop-daemon --start --background --exec $DAEMON ;;\nesac\n"
        ));
        let c = &service(&item).conditions;
        assert_eq!(c.path_exists, ["/etc/food.conf"]);
        assert_eq!(c.path_is_directory, ["/etc/food.d"]);
        assert_eq!(c.file_not_empty, ["/etc/food.list"]);
    }

    #[test]
    fn a_defaults_value_referring_to_another_is_resolved() {
        let item = convert_on(
            &format!(
                "{HEAD}DAEMON=/usr/sbin/food\n. /etc/default/food\ncase \"$1\" in\n start) start-stop-daemon --start --background --exec $DAEMON -- -p $SOCKET $OPTS ;;\nesac\n"
            ),
            &[(
                "/etc/default/food",
                "RUNDIR=/run/food\nSOCKET=local:$RUNDIR/food.sock\nOPTS=\"-v\"\n",
            )],
        );
        let svc = service(&item);
        let Command::Expand { args, .. } = &svc.command else {
            panic!("{:?}", svc.command)
        };
        assert_eq!(
            args[..2],
            [
                crate::ir::Word::Parts(vec![crate::ir::WordPart::Text("-p".into())]),
                crate::ir::Word::Parts(vec![crate::ir::WordPart::Text(
                    "local:/run/food/food.sock".into()
                )]),
            ]
        );
        assert_eq!(args[2], crate::ir::Word::Split("OPTS".into()));
        assert!(
            item.findings
                .iter()
                .any(|f| f.code == Code::SysvResolvedValue)
        );
    }

    #[test]
    fn the_daemon_is_the_program_the_stop_action_names_whatever_its_variable() {
        // htpdate's: the program sits in `CMD`, the stop action kills by the pid file the
        // daemon is told to write.
        let by_pid_file = convert_with(
            &format!(
                "{HEAD}CMD=/usr/sbin/clockd\nPIDFILE=/run/clockd.pid\ncase \"$1\" in\n start) $CMD -D -i $PIDFILE ;;\n stop) kill `cat $PIDFILE` ;;\nesac\n"
            ),
            &["/usr/sbin/clockd"],
        );
        assert_eq!(
            service(&by_pid_file).command,
            Command::Argv(
                ["/usr/sbin/clockd", "-D", "-i", "/run/clockd.pid"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert!(
            !by_pid_file
                .findings
                .iter()
                .any(|f| f.code == Code::SysvWrapped)
        );
        // Or the path its stop or reload action signals (`--exec`).
        let by_path = convert_with(
            &format!(
                "{HEAD}CMD=/usr/sbin/clockd\ncase \"$1\" in\n start) $CMD -D ;;\n stop) start-stop-daemon --stop --exec $CMD ;;\nesac\n"
            ),
            &["/usr/sbin/clockd"],
        );
        assert!(
            !by_path.findings.iter().any(|f| f.code == Code::SysvWrapped),
            "{:?}",
            by_path.findings
        );
        // Two programs run directly, each writing the pid file the stop action kills: both are
        // daemons, still wrapped, and the reason names them.
        let two = convert_with(
            &format!(
                "{HEAD}case \"$1\" in\n start) /usr/bin/q -p /run/q.pid; /usr/bin/r -P /run/r.pid ;;\n stop) kill `cat /run/r.pid`; kill `cat /run/q.pid` ;;\nesac\n"
            ),
            &["/usr/bin/q", "/usr/bin/r"],
        );
        let why = two
            .findings
            .iter()
            .find(|f| f.code == Code::SysvWrapped)
            .map(|f| f.message.to_string())
            .unwrap_or_default();
        assert!(
            why.contains("2 different programs directly") && why.contains("/usr/bin/q at line"),
            "{why}"
        );
    }

    #[test]
    fn a_daemon_handed_to_a_launcher_this_tool_does_not_read_is_wrapped_naming_it() {
        let item = convert_with(
            &format!(
                "{HEAD}DAEMON=/usr/sbin/cgid\nARGS=\"-P /run/cgid.pid\"\ncase \"$1\" in\n start) env -i PATH=/bin /usr/bin/spawn-fcgi $ARGS -s /run/cgid.sock -- $DAEMON -f ;;\nesac\n"
            ),
            &["/usr/sbin/cgid", "/usr/bin/spawn-fcgi"],
        );
        let why = item
            .findings
            .iter()
            .find(|f| f.code == Code::SysvWrapped)
            .map(|f| f.message.to_string())
            .unwrap_or_default();
        assert!(
            why.contains("hands the daemon /usr/sbin/cgid to `/usr/bin/spawn-fcgi` (line 11)"),
            "{why}"
        );
    }

    #[test]
    fn a_monitor_gives_way_to_its_daemon_in_the_foreground() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --pidfile /run/collectd.pid --exec /usr/sbin/collectdmon -- -P /run/collectd.pid -c /opt/collectd/sbin/collectd -- -C /etc/collectd.conf ;;\nesac\n"
        ));
        let svc = service(&item);
        assert_eq!(svc.kind, ServiceKind::Exec);
        assert_eq!(svc.restart, Restart::Always { delay_sec: None });
        assert_eq!(
            svc.command,
            Command::Argv(
                [
                    "/opt/collectd/sbin/collectd",
                    "-C",
                    "/etc/collectd.conf",
                    "-f"
                ]
                .map(String::from)
                .to_vec()
            )
        );
        assert!(item.findings.iter().any(|f| f.code == Code::SysvForeground));
    }

    #[test]
    fn a_monitor_with_an_option_this_tool_does_not_know_is_kept() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --pidfile /run/collectd.pid --exec /usr/sbin/collectdmon -- -Z -- -C /etc/collectd.conf ;;\nesac\n"
        ));
        let svc = service(&item);
        let Command::Argv(argv) = &svc.command else {
            panic!("{:?}", svc.command)
        };
        assert_eq!(argv[0], "/usr/sbin/collectdmon");
        assert_eq!(svc.restart, Restart::No);
    }

    #[test]
    fn a_control_tool_gives_way_to_the_daemon_it_starts() {
        let tools = ["/usr/bin/fail2ban-client", "/usr/bin/fail2ban-server"];
        let item = convert_with(
            &format!(
                "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --exec /usr/bin/fail2ban-client -- -c /etc/f2b start ;;\nesac\n"
            ),
            &tools,
        );
        let svc = service(&item);
        assert_eq!(svc.kind, ServiceKind::Exec);
        assert_eq!(
            svc.command,
            Command::Argv(
                ["/usr/bin/fail2ban-server", "-c", "/etc/f2b", "-f", "start"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert!(item.findings.iter().any(|f| f.code == Code::SysvForeground));
        // Any other command of the tool is not a start of the daemon.
        let item = convert_with(
            &format!(
                "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --exec /usr/bin/fail2ban-client -- reload ;;\nesac\n"
            ),
            &tools,
        );
        let Command::Argv(argv) = &service(&item).command else {
            panic!("{:?}", service(&item).command)
        };
        assert_eq!(argv[0], "/usr/bin/fail2ban-client");
        // A daemon the host does not have: the tool is kept.
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --exec /usr/bin/fail2ban-client -- start ;;\nesac\n"
        ));
        let Command::Argv(argv) = &service(&item).command else {
            panic!("{:?}", service(&item).command)
        };
        assert_eq!(argv[0], "/usr/bin/fail2ban-client");
    }

    #[test]
    fn sshd_is_not_forking_under_systemd() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) start-stop-daemon --start --pidfile /run/sshd.pid --exec /usr/sbin/sshd ;;\nesac\n"
        ));
        assert_eq!(service(&item).kind, ServiceKind::Exec);
        assert!(item.findings.iter().any(|f| f.code == Code::SysvForeground));
    }

    #[test]
    fn options_assigned_only_under_a_run_time_test_take_the_likely_path_and_name_the_other() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\nARGS=\ncase \"$1\" in\n start) if [ -e /run/food.dhcp ]; then ARGS=\"-c /run/food.dhcp\"; fi\n  start-stop-daemon --start --background --exec $DAEMON -- $ARGS ;;\nesac\n"
        ));
        assert!(!matches!(service(&item).kind, ServiceKind::Script { .. }));
        let f = item
            .findings
            .iter()
            .find(|f| f.code == Code::SysvUndecidedTest)
            .expect("a sysv-undecided-test finding");
        assert!(f.message.contains("[ -e /run/food.dhcp ]"), "{}", f.message);
        assert!(f.message.contains("`-c /run/food.dhcp`"), "{}", f.message);
    }

    #[test]
    fn options_gathered_in_a_loop_over_a_run_time_listing_still_wrap_the_script() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\nARGS=\nfor m in $(ls /run/food); do ARGS=\"$ARGS -m $m\"; done\ncase \"$1\" in\n start) start-stop-daemon --start --background --exec $DAEMON -- $ARGS ;;\nesac\n"
        ));
        let why = wrapped_because(&item);
        assert!(why.contains("$ARGS"), "{why}");
    }

    #[test]
    fn a_fallback_for_a_computed_value_is_taken_and_reported() {
        let item = convert(&format!(
            "{HEAD}DAEMON=/usr/sbin/food\nPID=$(awk '/pid/ {{print $2}}' /etc/food.conf)\nif [ -z \"$PID\" ]; then\n  PID=/run/food.pid\nfi\ncase \"$1\" in\n start) start-stop-daemon --start --pidfile $PID --exec $DAEMON ;;\nesac\n"
        ));
        assert_eq!(
            service(&item).kind,
            ServiceKind::Forking {
                pid_file: Some("/run/food.pid".into())
            }
        );
        assert!(
            item.findings
                .iter()
                .any(|f| f.code == Code::SysvResolvedValue)
        );
    }

    #[test]
    fn wrap_reasons_are_grouped() {
        for (why, group) in [
            (
                "`$(cat x)` can only be known by running the script",
                "values only known at run time",
            ),
            (
                "its start action runs `a b` (line 3) under conditions, in a loop, in the background or in a pipeline, which only the script can express",
                "commands under conditions",
            ),
            (
                "its start action starts 2 different programs (lines 3, 4)",
                "several daemons or loops",
            ),
            (
                "its start action calls `f` (line 3), a shell function of /x that this tool does not follow",
                "shell code this tool does not follow",
            ),
            ("its start action starts no program", "no daemon found"),
            ("something new", "other"),
        ] {
            assert_eq!(wrap_reason(why), group, "{why}");
        }
    }

    #[test]
    fn unit_stems_drop_sh() {
        assert_eq!(unit_stem("/etc/init.d/hostname.sh"), "hostname");
        assert_eq!(unit_stem("/etc/init.d/ssh"), "ssh");
    }

    #[test]
    fn a_switch_the_defaults_file_leaves_unset_keeps_the_unit_disabled_and_native() {
        let script = "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: food\n# Default-Start: 2 3 4 5\n### END INIT INFO\nDAEMON=/usr/sbin/food\n[ -r /etc/default/food ] && . /etc/default/food\ncase \"$1\" in\n start)\n  if test \"$FOOD_ENABLED\" = 1; then\n   start-stop-daemon --start --pidfile /run/food.pid --exec $DAEMON -- -d\n  else\n   echo disabled; exit 0\n  fi ;;\n stop) start-stop-daemon --stop --pidfile /run/food.pid ;;\nesac\n";
        let item = convert_on(
            script,
            &[
                ("/etc/default/food", "#FOOD_ENABLED=1\n"),
                ("/etc/rc2.d/S01food", ""),
            ],
        );
        let svc = service(&item);
        assert_eq!(
            svc.command,
            Command::Argv(vec!["/usr/sbin/food".into(), "-d".into()])
        );
        let Body::Unit(d) = &item.body else {
            panic!("no unit")
        };
        assert!(
            matches!(
                d.activation,
                crate::ir::Activation::Boot {
                    enabled: Some(false),
                    ..
                }
            ),
            "{:?}",
            d.activation
        );
        assert!(item.findings.iter().any(|f| {
            f.code == Code::SysvDisabled
                && f.message
                    .contains("FOOD_ENABLED unset in /etc/default/food")
        }));
    }

    #[test]
    fn a_pid_file_the_stop_never_reads_is_a_check_only() {
        let script = "#!/bin/sh\nDAEMON=/usr/sbin/food\nP=/run/food\ncase \"$1\" in\n start) start-stop-daemon --start --pidfile $P/food --exec $DAEMON ;;\n stop) for p in food food_helper; do start-stop-daemon --stop --pidfile $P/$p.pid; done ;;\nesac\n";
        let item = convert_on(script, &[]);
        let svc = service(&item);
        assert_eq!(svc.kind, ServiceKind::Forking { pid_file: None });
        assert!(
            item.findings
                .iter()
                .any(|f| f.code == Code::SysvPidfileCheckOnly),
            "{:?}",
            item.findings
        );
        // A daemon told to write the file (`-p FILE`) keeps it.
        let script = "#!/bin/sh\nDAEMON=/usr/sbin/food\ncase \"$1\" in\n start) start-stop-daemon --start --pidfile /run/food.pid --exec $DAEMON -- -p /run/food.pid ;;\n stop) start-stop-daemon --stop --pidfile $(mktemp) ;;\nesac\n";
        let svc = service(&convert_on(script, &[])).clone();
        assert_eq!(
            svc.kind,
            ServiceKind::Forking {
                pid_file: Some("/run/food.pid".into())
            }
        );
    }

    #[test]
    fn toggles() {
        for t in [
            "ENABLED",
            "RUN",
            "RSYNC_ENABLE",
            "START_DAEMON",
            "SPAMD_ENABLED",
        ] {
            assert!(is_toggle(t), "{t}");
        }
        for t in ["START_ARGS", "DAEMON", "PIDFILE", "DAEMON_OPTS"] {
            assert!(!is_toggle(t), "{t}");
        }
    }

    /// The shell text of a one-shot script runs under the shell of its `#!` line, with the
    /// options it sets; another program keeps the script wrapped, naming the line.
    #[test]
    fn a_shell_action_runs_with_the_shell_and_options_of_the_hash_bang_line() {
        let body = "### BEGIN INIT INFO\n# Provides: food\n# Default-Start: 2 3 4 5\n### END INIT INFO\ncase \"$1\" in\nstart)\n\tfor q in /sys/block/*/queue/scheduler; do\n\t\t[[ -w $q ]] && /usr/sbin/tune \"$q\"\n\tdone\n\t;;\nesac\n";
        let run = |line: &str| convert_with(&format!("{line}\n{body}"), &["/usr/sbin/tune"]);
        let text = |item: &Item| match &service(item).command {
            Command::Shell { shell, script } => (shell.clone(), script.clone()),
            other => panic!("not a shell: {other:?}"),
        };
        let (shell, script) = text(&run("#!/bin/bash"));
        assert_eq!(shell, "/bin/bash");
        assert!(script.starts_with("set -- start\n"), "{script}");
        let (shell, script) = text(&run("#!/bin/sh -e"));
        assert_eq!(shell, "/bin/sh");
        assert!(script.starts_with("set -e\nset -- start\n"), "{script}");
        let item = run("#!/bin/sh");
        assert_eq!(text(&item), ("/bin/sh".to_string(), text(&item).1));
        assert!(!text(&item).1.contains("set -e"));
        let wrapped = run("#!/bin/ksh");
        let why = &wrapped
            .findings
            .iter()
            .find(|f| f.code == Code::SysvWrapped)
            .unwrap()
            .message;
        assert!(why.contains("`#!/bin/ksh`"), "{why}");
    }

    /// A file sourced by a name made with a variable nothing read sets is one only a run
    /// knows, named as written, not the path the empty value gives.
    #[test]
    fn a_sourced_name_with_an_unset_variable_is_named_as_written() {
        let item = convert(&format!(
            "{HEAD}. $APP_SHARE/lib/helpers.sh\ncase \"$1\" in\n start) start-stop-daemon --start --exec /usr/sbin/food ;;\nesac\n"
        ));
        let why = &item
            .findings
            .iter()
            .find(|f| f.code == Code::SysvWrapped)
            .unwrap()
            .message;
        assert!(
            why.contains("sources $APP_SHARE/lib/helpers.sh (line 8)"),
            "{why}"
        );
        assert!(
            why.contains("nothing this tool reads sets $APP_SHARE"),
            "{why}"
        );
    }
}
