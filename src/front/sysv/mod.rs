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
//! - `start-stop-daemon --start --exec/--startas P … -- ARGS` → `ExecStart=P ARGS`;
//!   `--background` → `Type=exec`, otherwise `Type=forking` + `PIDFile=` (`--pidfile`);
//!   `--chuid u:g` → `User=`/`Group=`, `--chdir` → `WorkingDirectory=`, `--nicelevel` →
//!   `Nice=`, `--umask` → `UMask=`, `--iosched`/`--procsched` → `IOScheduling*=`/
//!   `CPUScheduling*=`, `--output` → `StandardOutput=`/`StandardError=append:`.
//! - `start_daemon -p F P ARGS`, RHEL `daemon --user U --pidfile F P ARGS`, `$DAEMON ARGS` →
//!   the same, `Type=forking`.
//! - `mkdir`/`install -d`/`chown`/`chmod` of `/run/X` → `RuntimeDirectory=X`; a second call of
//!   the daemon in `start` (a configuration test) → `ExecStartPre=`; `ulimit` → `Limit*=`;
//!   `test -x $DAEMON || exit 0` → `ConditionFileIsExecutable=`.
//! - `stop`: `--retry SIG/N/…`, `--signal`, `killproc` → `KillSignal=`, `TimeoutStopSec=`.
//! - `reload`: a signal → `ExecReload=/bin/kill -SIG ${MAINPID}`; a command → that command.
//! - A sourced `/etc/default/NAME` or `/etc/sysconfig/NAME` → `EnvironmentFile=-…`; variables
//!   it may set stay `$VAR` references in the command line, with the script's own value as
//!   `Environment=` before the file.

pub mod facility;
pub mod header;
pub mod launch;
pub mod shell;

use crate::host::Host;
use crate::ir::{
    Activation, Body, Command, Definition, EnvFile, EnvVar, Format, Item, Limit, Origin, Output,
    Resource, Service, ServiceKind, Word, WordPart, WorkingDir,
};
use crate::report::{Code, Finding};
use launch::Start;
use shell::{Arg, Call, Interp, Part, SourceKind, is_toggle};

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
const HARMLESS: &[&str] = &[
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
];

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

/// Arguments that make a daemon check its configuration and exit.
const TEST_FLAGS: &[&str] = &[
    "-t",
    "-tt",
    "-T",
    "--test",
    "--configtest",
    "configtest",
    "--check",
    "--check-config",
    "-k",
];

/// Chooses the call that starts the daemon among the start action's launches: the one
/// `start-stop-daemon`/`start_daemon`/`daemon` call (identical ones count once), else the one
/// direct call of the daemon that is not a configuration test (preferring calls whose status
/// is not tested). Returns it, the direct calls that are configuration tests, and the other
/// direct calls; or why no single launch can be chosen.
#[allow(clippy::type_complexity)]
fn pick_launch(
    launches: &[Result<Start, String>],
) -> Result<(Start, Vec<Call>, Vec<Call>), String> {
    let empty = Start {
        program: String::new(),
        args: Vec::new(),
        tool: "",
        background: false,
        make_pidfile: false,
        pid_file: None,
        user: None,
        group: None,
        chdir: None,
        nice: None,
        umask: None,
        iosched: None,
        procsched: None,
        output: None,
        notify: false,
        unmapped: Vec::new(),
        core_limit: None,
        line: 0,
        in_loop: false,
        tested: false,
        conditional: false,
    };
    if launches.is_empty() {
        return Ok((empty, Vec::new(), Vec::new()));
    }
    let as_call = |s: &Start| Call {
        args: std::iter::once(Arg::Field(vec![Part::Lit(s.program.clone())]))
            .chain(s.args.iter().cloned())
            .collect(),
        line: s.line,
        column: 1,
        in_loop: s.in_loop,
        background: s.background,
        piped: false,
        conditional: false,
        tested: s.tested,
        redirected: false,
    };
    let mut tools: Vec<&Start> = Vec::new();
    let mut direct: Vec<&Start> = Vec::new();
    for l in launches {
        match l {
            Ok(s) if s.tool == "a direct call" => direct.push(s),
            Ok(s) => {
                if !tools
                    .iter()
                    .any(|t| t.program == s.program && t.args == s.args && t.pid_file == s.pid_file)
                {
                    tools.push(s);
                }
            }
            Err(_) => {}
        }
    }
    let is_test = |s: &Start| {
        s.args.iter().any(|a| {
            a.literal()
                .is_some_and(|w| TEST_FLAGS.contains(&w.as_str()))
        })
    };
    let (tests, others): (Vec<&Start>, Vec<&Start>) = direct.into_iter().partition(|s| is_test(s));
    let checks: Vec<Call> = tests.iter().map(|s| as_call(s)).collect();
    // Several starters where only one runs unconditionally: that one (the others are
    // fallbacks on failure paths).
    if tools.len() > 1 {
        let unconditional: Vec<&Start> = tools.iter().copied().filter(|s| !s.conditional).collect();
        if let [one] = unconditional.as_slice() {
            let stray = tools
                .iter()
                .filter(|s| !std::ptr::eq(**s, *one))
                .map(|s| as_call(s))
                .chain(others.iter().map(|s| as_call(s)))
                .collect();
            return Ok(((*one).clone(), checks, stray));
        }
    }
    match tools.as_slice() {
        [one] => {
            return Ok((
                (*one).clone(),
                checks,
                others.iter().map(|s| as_call(s)).collect(),
            ));
        }
        [] => {}
        many => {
            return Err(format!(
                "its start action starts {} different programs (lines {})",
                many.len(),
                many.iter()
                    .map(|s| s.line.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if let Some(Err(why)) = launches.iter().find(|l| l.is_err()) {
        return Err(why.clone());
    }
    let untested: Vec<&Start> = others.iter().copied().filter(|s| !s.tested).collect();
    let chosen = match (untested.as_slice(), others.as_slice()) {
        ([one], _) | ([], [one]) => *one,
        ([], []) => {
            return Err("its start action only runs configuration tests".to_string());
        }
        _ => {
            return Err(format!(
                "its start action runs the daemon {} times (lines {})",
                others.len(),
                others
                    .iter()
                    .map(|s| s.line.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    };
    let stray = others
        .iter()
        .filter(|s| !std::ptr::eq(**s, chosen))
        .map(|s| as_call(s))
        .collect();
    Ok((chosen.clone(), checks, stray))
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
    let name = unit_stem(path);
    let origin = Origin {
        format: Format::Sysv,
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
    let head = header::parse(text);
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
        path: path.to_string(),
        name: name.clone(),
        head,
        findings: Vec::new(),
    };
    let body = conv.convert(&program, text);
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
    vec![item]
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
    path: String,
    name: String,
    head: header::Header,
    findings: Vec<Finding>,
}

/// What the `start` action does, sorted.
#[derive(Default)]
struct StartPlan {
    launches: Vec<Result<Start, String>>,
    /// Calls of the daemon besides the launch (configuration tests).
    checks: Vec<Call>,
    runtime_dirs: Vec<String>,
    limits: Vec<Limit>,
    umask: Option<u32>,
    workdir: Option<String>,
    lock_files: bool,
    /// Other commands that change something.
    other: Vec<Call>,
}

fn is_run_dir(p: &str) -> Option<String> {
    let rest = p
        .strip_prefix("/run/")
        .or_else(|| p.strip_prefix("/var/run/"))?;
    let rest = rest.trim_end_matches('/');
    (!rest.is_empty() && !rest.contains("..") && !rest.ends_with(".pid")).then(|| rest.to_string())
}

fn ulimit_resource(flag: char) -> Option<Resource> {
    Some(match flag {
        'n' => Resource::Nofile,
        'c' => Resource::Core,
        'l' => Resource::Memlock,
        'u' => Resource::Nproc,
        's' => Resource::Stack,
        'v' => Resource::As,
        'f' => Resource::Fsize,
        't' => Resource::Cpu,
        'd' => Resource::Data,
        'm' => Resource::Rss,
        'q' => Resource::Msgqueue,
        'e' => Resource::Nice,
        'r' => Resource::Rtprio,
        'i' => Resource::Sigpending,
        'x' => Resource::Locks,
        _ => return None,
    })
}

fn literal_command(call: &Call) -> Option<Vec<String>> {
    call.args.iter().map(Arg::literal).collect()
}

/// An `Exec*=` command from expanded arguments: literal words as they are, variables as
/// references systemd substitutes.
fn exec_command(program: &str, args: &[Arg]) -> Result<Command, String> {
    let mut words = Vec::new();
    for a in args {
        match a {
            Arg::Split(v) => words.push(Word::Split(v.clone())),
            Arg::Field(parts) => {
                let mut out = Vec::new();
                for p in parts {
                    match p {
                        Part::Lit(s) => out.push(WordPart::Text(s.clone())),
                        Part::Var(v) => out.push(WordPart::Var(v.clone())),
                        Part::Unknown(u) => {
                            return Err(format!("`{u}` can only be known by running the script"));
                        }
                    }
                }
                words.push(Word::Parts(out));
            }
        }
    }
    if words
        .iter()
        .all(|w| matches!(w, Word::Parts(p) if p.iter().all(|x| matches!(x, WordPart::Text(_)))))
    {
        let mut argv = vec![program.to_string()];
        for w in words {
            if let Word::Parts(p) = w {
                argv.push(
                    p.into_iter()
                        .map(|x| match x {
                            WordPart::Text(t) => t,
                            WordPart::Var(_) => String::new(),
                        })
                        .collect(),
                );
            }
        }
        return Ok(Command::Argv(argv));
    }
    Ok(Command::Expand {
        program: program.to_string(),
        args: words,
    })
}

fn vars_of(cmd: &Command, out: &mut Vec<String>) {
    if let Command::Expand { args, .. } = cmd {
        for w in args {
            match w {
                Word::Split(v) => out.push(v.clone()),
                Word::Parts(p) => out.extend(p.iter().filter_map(|x| match x {
                    WordPart::Var(v) => Some(v.clone()),
                    WordPart::Text(_) => None,
                })),
            }
        }
    }
}

impl<'h> Conversion<'h> {
    /// Runs the script's top level and actions and sorts the start action's commands.
    fn analyse<'a>(
        &mut self,
        program: &'a brush_parser::ast::Program,
        text: &str,
        decide_defaults: bool,
    ) -> Analysis<'a>
    where
        'h: 'a,
    {
        let mut interp = Interp::new(self.host, &self.path, vec!["start".to_string()]);
        interp.decide_defaults = decide_defaults;
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
            let start = interp.run_action("start");
            let stop = interp.run_action("stop");
            let reload = interp
                .case
                .and_then(|c| shell::arm_for(c, "reload"))
                .map(|_| interp.run_action("reload"));
            (start, stop, reload)
        };
        let daemons = self.daemon_names(&interp);
        let mut plan = StartPlan::default();
        for call in top_calls.iter().chain(&start_calls) {
            self.sort_start_call(call, &interp, &daemons, &mut plan);
        }
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
    ) -> Result<Definition, Finding> {
        // First with settings from the defaults file deciding between alternative start
        // commands; when that leaves no single way to start the daemon (a setting switched it
        // off on this host), again without.
        let mut a = self.analyse(program, text, true);
        if a.decided_uses_defaults()
            && (a.plan.launches.is_empty() || pick_launch(&a.plan.launches).is_err())
        {
            a = self.analyse(program, text, false);
        }
        let Analysis {
            interp,
            framework,
            stop: stop_calls,
            reload: reload_calls,
            plan,
        } = a;
        if interp.case.is_none()
            && !framework
            && let Some(line) = interp.early_exit
        {
            return Err(Finding::note(
                Code::SysvNoOp,
                format!("the script exits at line {line} before doing anything"),
                "nothing to convert",
            ));
        }
        let activation = self.activation();
        let mut svc = Service::oneshot(
            self.head
                .summary()
                .map_or_else(|| self.name.clone(), str::to_string),
            Command::Argv(vec![self.path.clone(), "start".to_string()]),
        );
        svc.source_path = Some(self.path.clone());
        self.ordering(&mut svc);
        self.header_findings();
        if let Some(case) = interp.case {
            self.action_findings(&shell::actions(case));
        }
        self.toggle_findings(&interp);
        if !interp.decided.is_empty() {
            let mut vars: Vec<String> = interp
                .decided
                .iter()
                .map(|(v, l)| format!("{v}={} (line {l})", interp.value(v).unwrap_or_default()))
                .collect();
            vars.dedup();
            self.findings.push(Finding::approximated(
                Code::SysvDefaultsChoice,
                format!("the start command was chosen by the host's defaults file: {}", vars.join(", ")),
                "if that setting changes, convert the script again (the unit does not re-read it to pick a different command)",
            ));
        }
        let native = self.native(
            &interp,
            &mut svc,
            &plan,
            &stop_calls,
            reload_calls.as_deref(),
            framework,
        );
        match native {
            Ok(()) => {}
            Err(why) => {
                self.wrap(&mut svc, &interp, reload_calls.is_some());
                self.findings.push(Finding::approximated(
                    Code::SysvWrapped,
                    format!("kept as a wrapper around the script: {why}"),
                    "the unit runs the script's start/stop actions as systemd-sysv-generator did; read the script and write ExecStart= for the daemon by hand to get supervision",
                ));
            }
        }
        self.environment(&interp, &mut svc);
        svc.conditions.file_is_executable = interp.exec_conditions.clone();
        Ok(Definition {
            service: svc,
            activation,
        })
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
            _ => interp.set("PIDFILE", vec![Part::Lit(format!("/var/run/{name}.pid"))]),
        }
        interp.source_file(&format!("/etc/default/{name}"), 0);
        if daemon != "none" && !daemon.is_empty() {
            interp.exec_conditions.push(daemon);
        }
    }

    fn framework_actions(
        &mut self,
        interp: &mut Interp,
    ) -> (Vec<Call>, Vec<Call>, Option<Vec<Call>>) {
        let mut start = Vec::new();
        if let Some(calls) = interp.run_function("do_start_override") {
            start = calls;
        } else {
            if let Some(calls) = interp.run_function("do_start_prepare") {
                start.extend(calls);
            }
            if let Some(calls) = interp.run_function("do_start_cmd_override") {
                start.extend(calls);
            } else {
                let pid = if interp.value("PIDFILE").is_some_and(|p| !p.is_empty()) {
                    "--pidfile $PIDFILE "
                } else {
                    ""
                };
                start.push(interp.synthesize(
                    &format!("start-stop-daemon --start --quiet {pid}--name $COMMAND_NAME --exec $DAEMON $START_ARGS -- $DAEMON_ARGS"),
                    0,
                ));
            }
        }
        let stop = interp.run_function("do_stop_override").unwrap_or_else(|| {
            vec![interp.synthesize(
                "start-stop-daemon --stop --quiet --retry=TERM/0/CONT/30/KILL/5 --exec $DAEMON",
                0,
            )]
        });
        let reload = if let Some(calls) = interp
            .run_function("do_reload_override")
            .or_else(|| interp.run_function("do_reload"))
        {
            Some(calls)
        } else if interp.value("RELOAD_SIGNAL").is_some_and(|s| !s.is_empty()) {
            Some(vec![interp.synthesize(
                "start-stop-daemon --stop --signal $RELOAD_SIGNAL --quiet --exec $DAEMON",
                0,
            )])
        } else {
            None
        };
        (start, stop, reload)
    }

    fn sort_start_call(
        &mut self,
        call: &Call,
        interp: &Interp,
        daemons: &[String],
        plan: &mut StartPlan,
    ) {
        let Some(program) = call.program() else {
            if call.args.first().is_some_and(Arg::unknown) {
                plan.other.push(call.clone());
            } else if let Some(first) = call.args.first() {
                // `$DAEMON` from a defaults file as the command: resolve it.
                if let Some(p) = interp.resolve(first) {
                    let mut c = call.clone();
                    c.args[0] = Arg::Field(vec![Part::Lit(p)]);
                    return self.sort_start_call(&c, interp, daemons, plan);
                }
                plan.other.push(call.clone());
            }
            return;
        };
        let base = program.rsplit('/').next().unwrap_or(&program).to_string();
        if let Some(start) = launch::start(call, interp, daemons) {
            plan.launches.push(start);
            return;
        }
        if launch::is_ssd(call, "--stop")
            || launch::is_ssd(call, "--status")
            || base == "start-stop-daemon"
        {
            return;
        }
        let words: Vec<String> = call
            .args
            .iter()
            .map(|a| interp.resolve(a).unwrap_or_default())
            .collect();
        let targets: Vec<&String> = words[1..].iter().filter(|w| !w.starts_with('-')).collect();
        if words.iter().any(|w| w.contains("/var/lock/subsys"))
            && matches!(base.as_str(), "touch" | "rm")
        {
            plan.lock_files = true;
            return;
        }
        match base.as_str() {
            "mkdir" | "install" | "chown" | "chmod" | "chgrp"
                if targets.iter().any(|t| is_run_dir(t).is_some()) =>
            {
                for t in targets {
                    if let Some(d) = is_run_dir(t)
                        && !plan.runtime_dirs.contains(&d)
                    {
                        plan.runtime_dirs.push(d);
                    }
                }
                return;
            }
            "ulimit" => {
                let mut i = 1;
                let mut resource = None;
                while i < words.len() {
                    let w = &words[i];
                    if let Some(flags) = w.strip_prefix('-') {
                        for f in flags.chars() {
                            if let Some(r) = ulimit_resource(f) {
                                resource = Some(r);
                            }
                        }
                    } else if let Some(r) = resource {
                        let value = if w == "unlimited" {
                            "infinity".to_string()
                        } else {
                            w.clone()
                        };
                        plan.limits.retain(|l| l.resource != r);
                        plan.limits.push(Limit { resource: r, value });
                    }
                    i += 1;
                }
                return;
            }
            "umask" => {
                plan.umask = words.get(1).and_then(|m| u32::from_str_radix(m, 8).ok());
                return;
            }
            "cd" => {
                plan.workdir = words.get(1).cloned();
                return;
            }
            "rm" if words.iter().any(|w| w.ends_with(".pid")) => return,
            _ => {}
        }
        if HARMLESS.contains(&base.as_str())
            || base.starts_with("log_")
            || base == "kill" && words.get(1).map(String::as_str) == Some("-0")
        {
            return;
        }
        // `eval` of a message helper (`eval log_action_begin_msg "…"`).
        if base == "eval"
            && words
                .get(1)
                .is_some_and(|w| HARMLESS.contains(&w.as_str()) || w.starts_with("log_"))
        {
            return;
        }
        if daemons
            .iter()
            .any(|d| *d == program || d.rsplit('/').next() == Some(base.as_str()))
        {
            plan.checks.push(call.clone());
            return;
        }
        plan.other.push(call.clone());
    }

    /// Fills `svc` from the script's actions, or says why that is not safe.
    #[allow(clippy::too_many_lines)]
    fn native(
        &mut self,
        interp: &Interp,
        svc: &mut Service,
        plan: &StartPlan,
        stop_calls: &[Call],
        reload_calls: Option<&[Call]>,
        framework: bool,
    ) -> Result<(), String> {
        if interp.case.is_none() && !framework {
            return Err("no `case \"$1\"` with a `start)` branch was found".to_string());
        }
        if let Some(s) = interp
            .sourced
            .iter()
            .find(|s| s.kind == SourceKind::Other && !s.present)
        {
            return Err(format!(
                "it sources {} (line {}), which is not on the host, so its functions and settings are unknown",
                s.path, s.line
            ));
        }
        let (start, checks, stray) = pick_launch(&plan.launches)?;
        if plan.launches.is_empty() {
            return self.oneshot(svc, plan, stop_calls);
        }
        let start = start.clone();
        if start.in_loop {
            return Err(format!(
                "it starts {} in a loop (line {}), once per configuration",
                start.program, start.line
            ));
        }
        let mut plan_checks: Vec<Call> = plan.checks.clone();
        plan_checks.extend(checks);
        let mut plan_other: Vec<Call> = plan.other.clone();
        plan_other.extend(stray);
        // The program: an absolute path, or looked up on the host's PATH.
        let mut program = start.program.clone();
        if !program.starts_with('/') {
            match self.host.which(
                &program,
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ) {
                Some(p) => program = p,
                None => self.findings.push(Finding::note(
                    Code::CommandNotFound,
                    format!("`{program}` was not found on {}", self.host.label()),
                    "install it on the target host, or write its absolute path in ExecStart=",
                )),
            }
        } else if !self.host.is_executable(&program) {
            self.findings.push(Finding::note(
                Code::CommandNotFound,
                format!("`{program}` was not found on {}", self.host.label()),
                "install it on the target host, or fix the path in ExecStart=",
            ));
        }
        svc.command = exec_command(&program, &start.args)?;
        svc.kind = if start.notify {
            ServiceKind::Notify
        } else if start.background {
            if start.make_pidfile || start.pid_file.is_some() {
                self.findings.push(Finding::note(
                    Code::SysvPidfile,
                    format!("{} put the program in the background and kept a pid file; systemd tracks the process itself", start.tool),
                    "nothing to do; tools that read the old pid file need `systemctl show -P MainPID` instead",
                ));
            }
            ServiceKind::Exec
        } else {
            let pid_file = start
                .pid_file
                .clone()
                .or_else(|| self.head.pidfile.clone())
                .filter(|p| p.starts_with('/'));
            ServiceKind::Forking { pid_file }
        };
        svc.exec.user.clone_from(&start.user);
        svc.exec.group.clone_from(&start.group);
        if let Some(u) = &start.user
            && self.host.user(u).is_none()
            && u.parse::<u32>().is_err()
        {
            self.findings.push(Finding::note(
                Code::UserNotFound,
                format!("user `{u}` does not exist on {}", self.host.label()),
                "create the user on the target host before starting the unit",
            ));
        }
        svc.exec.working_dir = start
            .chdir
            .clone()
            .or_else(|| plan.workdir.clone())
            .filter(|d| d != "/")
            .map(WorkingDir::Path);
        svc.exec.nice = start.nice;
        svc.exec.umask = start.umask.or(plan.umask);
        svc.exec.io_scheduling.clone_from(&start.iosched);
        svc.exec.cpu_scheduling.clone_from(&start.procsched);
        svc.exec.limits.clone_from(&plan.limits);
        if let Some(core) = &start.core_limit
            && !svc.exec.limits.iter().any(|l| l.resource == Resource::Core)
        {
            let value = if core == "unlimited" {
                "infinity".to_string()
            } else {
                core.clone()
            };
            svc.exec.limits.push(Limit {
                resource: Resource::Core,
                value: format!("{value}:infinity"),
            });
        }
        if let Some(out) = &start.output {
            svc.logging.stdout = Some(Output::Append(out.clone()));
            svc.logging.stderr = Some(Output::Append(out.clone()));
        }
        for u in &start.unmapped {
            self.findings.push(Finding::dropped(
                Code::SysvUnmappedOption,
                format!("{} option `{u}` is not translated", start.tool),
                "set the equivalent by hand (RootDirectory= for --chroot) after checking what the daemon needs inside it",
            ));
        }
        svc.exec.runtime_directories.clone_from(&plan.runtime_dirs);
        if !plan.runtime_dirs.is_empty() {
            self.findings.push(Finding::note(
                Code::SysvRuntimeDirectory,
                format!("the start action created /run/{}; RuntimeDirectory= does that (owned by User=, removed at stop)", plan.runtime_dirs.join(", /run/")),
                "nothing to do unless other programs expect the directory to survive a stop (then add RuntimeDirectoryPreserve=yes)",
            ));
        }
        for check in &plan_checks {
            let Some(p) = check.program() else { continue };
            let p = if p.starts_with('/') {
                p
            } else {
                program.clone()
            };
            if let Ok(cmd) = exec_command(&p, &check.args[1..]) {
                svc.pre.push(cmd);
                self.findings.push(Finding::note(
                    Code::SysvConfigTest,
                    format!(
                        "`{}` (line {}) runs before the daemon starts: ExecStartPre=",
                        check.display(),
                        check.line
                    ),
                    "nothing to do; a failing check stops the start as it did in the script",
                ));
            }
        }
        if plan.lock_files {
            self.findings.push(Finding::note(
                Code::SysvLockFile,
                "the script kept a /var/lock/subsys lock file; systemd tracks the service state itself",
                "nothing to do",
            ));
        }
        for call in &plan_other {
            self.findings.push(Finding::dropped(
                Code::SysvStartStep,
                format!(
                    "start also runs `{}` (line {}), which is not translated",
                    call.display(),
                    call.line
                ),
                "if the daemon needs it, add it as ExecStartPre= (prefix `+` to run it as root)",
            ));
        }
        self.stop(interp, svc, stop_calls);
        if let Some(calls) = reload_calls {
            self.reload(interp, svc, calls, &program, &start);
        }
        Ok(())
    }

    /// A script that starts no daemon but runs commands once: `Type=oneshot`,
    /// `RemainAfterExit=yes`, the stop action's commands as `ExecStop=`.
    fn oneshot(
        &mut self,
        svc: &mut Service,
        plan: &StartPlan,
        stop_calls: &[Call],
    ) -> Result<(), String> {
        let steps: Vec<&Call> = plan.checks.iter().chain(&plan.other).collect();
        let mut commands = Vec::new();
        for c in &steps {
            if c.conditional || c.in_loop || c.background || c.piped || c.redirected {
                return Err(format!(
                    "its start action runs `{}` (line {}) under conditions, in a loop or a pipeline, which only the script can express",
                    c.display(),
                    c.line
                ));
            }
            let Some(argv) = literal_command(c) else {
                return Err(format!(
                    "`{}` (line {}) is only known at run time",
                    c.display(),
                    c.line
                ));
            };
            commands.push(Command::Argv(argv));
        }
        let mut stops = Vec::new();
        for c in stop_calls {
            let base = c.program().unwrap_or_default();
            let base = base.rsplit('/').next().unwrap_or("");
            if HARMLESS.contains(&base) || base.starts_with("log_") || base == "start-stop-daemon" {
                continue;
            }
            if c.conditional || c.in_loop || c.piped {
                return Err(format!(
                    "its stop action runs `{}` (line {}) under conditions",
                    c.display(),
                    c.line
                ));
            }
            let Some(argv) = literal_command(c) else {
                return Err(format!(
                    "`{}` (line {}) is only known at run time",
                    c.display(),
                    c.line
                ));
            };
            stops.push(Command::Argv(argv));
        }
        if stops.len() > 1 {
            return Err("its stop action runs several commands".to_string());
        }
        if commands.is_empty() && stops.is_empty() {
            return Err("its start action starts no program this tool recognises".to_string());
        }
        // Work done only at stop (shutdown scripts): the unit is started as a no-op so that
        // stopping it runs the work.
        let last = commands
            .pop()
            .unwrap_or_else(|| Command::Argv(vec!["/bin/true".to_string()]));
        svc.pre = commands;
        svc.command = last;
        svc.kind = ServiceKind::Oneshot {
            remain_after_exit: true,
        };
        svc.stop.command = stops.pop();
        svc.exec.limits.clone_from(&plan.limits);
        svc.exec.umask = plan.umask;
        Ok(())
    }

    fn stop(&mut self, interp: &Interp, svc: &mut Service, calls: &[Call]) {
        let mut planned = false;
        for call in calls {
            if let Some(plan) = launch::stop(call, interp) {
                if planned {
                    continue;
                }
                planned = true;
                if plan.signal.as_deref() != Some("TERM") {
                    svc.stop.signal.clone_from(&plan.signal);
                }
                svc.stop.timeout_sec = plan.timeout.filter(|t| *t > 0);
                if !plan.extra_signals.is_empty() {
                    self.findings.push(Finding::approximated(
                        Code::SysvStopSchedule,
                        format!("the stop schedule also sends SIG{} before SIGKILL; systemd sends one signal, then SIGKILL after TimeoutStopSec=", plan.extra_signals.join(", SIG")),
                        "if the daemon needs the second signal, add ExecStop=/bin/kill -SIGNAL $MAINPID with a sleep",
                    ));
                }
                continue;
            }
            let base = call.program().unwrap_or_default();
            let base = base.rsplit('/').next().unwrap_or("").to_string();
            if HARMLESS.contains(&base.as_str())
                || base.starts_with("log_")
                || base == "eval"
                || base == "rm"
                || launch::is_ssd(call, "--status")
            {
                continue;
            }
            self.findings.push(Finding::dropped(
                Code::SysvStopStep,
                format!(
                    "stop also runs `{}` (line {}), which is not translated",
                    call.display(),
                    call.line
                ),
                "systemd stops the daemon by signal; if this step matters, add it as ExecStopPost=",
            ));
        }
    }

    fn reload(
        &mut self,
        interp: &Interp,
        svc: &mut Service,
        calls: &[Call],
        program: &str,
        start: &Start,
    ) {
        // A signal anywhere in the action wins over commands (which are often checks).
        let signal_first = calls
            .iter()
            .filter(|c| launch::stop(c, interp).is_some_and(|p| p.signal.is_some()));
        for call in signal_first.chain(calls.iter()) {
            if let Some(plan) = launch::stop(call, interp) {
                if let Some(sig) = plan.signal {
                    svc.reload = Some(Command::Expand {
                        program: "/bin/kill".to_string(),
                        args: vec![
                            Word::Parts(vec![WordPart::Text(format!("-{sig}"))]),
                            Word::Parts(vec![WordPart::Var("MAINPID".to_string())]),
                        ],
                    });
                    return;
                }
                continue;
            }
            if launch::start(call, interp, &[]).is_some() {
                continue;
            }
            let Some(p) = call.program() else { continue };
            let base = p.rsplit('/').next().unwrap_or("");
            if HARMLESS.contains(&base) || base.starts_with("log_") {
                continue;
            }
            if call.args.iter().any(|a| {
                a.literal()
                    .is_some_and(|w| TEST_FLAGS.contains(&w.as_str()))
            }) {
                continue;
            }
            let path = if p == start.program {
                program.to_string()
            } else {
                p.clone()
            };
            if (p.starts_with('/') || path.starts_with('/'))
                && let Ok(cmd) = exec_command(&path, &call.args[1..])
            {
                svc.reload = Some(cmd);
                return;
            }
        }
        self.findings.push(Finding::note(
            Code::SysvReloadRestarts,
            "the reload action restarts the daemon (or does something this tool cannot read); no ExecReload= written",
            "`systemctl restart` does the same; add ExecReload= if the daemon has a real reload",
        ));
    }

    fn wrap(&mut self, svc: &mut Service, interp: &Interp, has_reload: bool) {
        let path = self.path.clone();
        svc.command = Command::Argv(vec![path.clone(), "start".to_string()]);
        svc.pre.clear();
        svc.stop = crate::ir::Stop {
            signal: None,
            timeout_sec: Some(300),
            command: Some(Command::Argv(vec![path.clone(), "stop".to_string()])),
        };
        svc.start_timeout_sec = Some(300);
        svc.reload = has_reload.then(|| Command::Argv(vec![path.clone(), "reload".to_string()]));
        svc.kind = ServiceKind::Script {
            pid_file: self.head.pidfile.clone().filter(|p| p.starts_with('/')),
            lsb: self.head.lsb,
        };
        svc.exec = crate::ir::ExecContext::default();
        svc.logging = crate::ir::Logging::default();
        // The script reads its own defaults file; nothing else to pass.
        let _ = interp;
        self.findings.retain(|f| {
            !matches!(
                f.code,
                Code::SysvStartStep
                    | Code::SysvStopStep
                    | Code::SysvConfigTest
                    | Code::SysvRuntimeDirectory
                    | Code::SysvPidfile
                    | Code::SysvReloadRestarts
                    | Code::SysvLockFile
                    | Code::SysvStopSchedule
                    | Code::SysvUnmappedOption
                    | Code::CommandNotFound
                    | Code::UserNotFound
            )
        });
    }

    /// `EnvironmentFile=` for sourced defaults, `Environment=` for the script's own values of
    /// the variables the command reads from them, and exported variables.
    fn environment(&mut self, interp: &Interp, svc: &mut Service) {
        if matches!(svc.kind, ServiceKind::Script { .. }) {
            return;
        }
        let mut used = Vec::new();
        vars_of(&svc.command, &mut used);
        for c in svc.pre.iter().chain(svc.reload.iter()) {
            vars_of(c, &mut used);
        }
        used.retain(|v| v != "MAINPID");
        used.sort();
        used.dedup();
        for v in &used {
            let default = interp
                .env
                .get(v)
                .and_then(|b| b.script_default.clone())
                .or_else(|| interp.var_defaults.get(v).cloned());
            if let Some(parts) = default {
                let text = Arg::Field(parts).literal();
                if let Some(t) = text.filter(|t| !t.is_empty()) {
                    svc.exec.environment.push(EnvVar::new(v.clone(), t));
                }
            }
        }
        for name in &interp.exported {
            if name == "PATH" || used.contains(name) {
                continue;
            }
            if let Some(b) = interp.env.get(name)
                && !b.overridable
                && let Some(v) = interp.value(name)
            {
                svc.exec.environment.push(EnvVar::new(name.clone(), v));
            }
        }
        for s in &interp.sourced {
            if s.kind != SourceKind::Defaults {
                continue;
            }
            if svc.exec.environment_files.iter().any(|f| f.path == s.path) {
                continue;
            }
            svc.exec.environment_files.push(EnvFile {
                path: s.path.clone(),
                optional: true,
            });
            if !s.shell_lines.is_empty() {
                self.findings.push(Finding::approximated(
                    Code::SysvDefaultsShell,
                    format!(
                        "{} has shell code EnvironmentFile= does not run (line {})",
                        s.path,
                        s.shell_lines
                            .iter()
                            .map(u32::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "rewrite those lines as plain NAME=value assignments (no $VAR, no commands, no export)",
                ));
            }
        }
        let missing: Vec<&str> = used
            .iter()
            .filter(|v| !svc.exec.environment.iter().any(|e| &e.name == *v))
            .filter(|v| !interp.sourced.iter().any(|s| s.assigns.contains(v)))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() && interp.defaults_absent {
            self.findings.push(Finding::note(
                Code::SysvDefaultsMissing,
                format!(
                    "the command line reads ${} from a defaults file that is not on {}",
                    missing.join(", $"),
                    self.host.label()
                ),
                "nothing to do when the defaults file is installed with the unit; the values stay empty otherwise, as in the script",
            ));
        }
    }

    fn activation(&mut self) -> Activation {
        let links = self.rc_links();
        let mut levels: Vec<String> = links
            .iter()
            .filter(|(_, start, _)| *start)
            .map(|(l, _, _)| l.clone())
            .collect();
        let enabled = if links.is_empty() {
            None
        } else {
            Some(
                links
                    .iter()
                    .any(|(l, start, _)| *start && l != "0" && l != "6"),
            )
        };
        let from_links = !levels.is_empty();
        if levels.is_empty() {
            levels.clone_from(&self.head.default_start);
        }
        if levels.is_empty()
            && let Some(c) = &self.head.chkconfig
        {
            levels.clone_from(&c.runlevels);
        }
        let mut wanted_by: Vec<String> = Vec::new();
        for l in &levels {
            if let Some(t) = facility::runlevel_target(l)
                && !wanted_by.iter().any(|w| w == t)
            {
                wanted_by.push(t.to_string());
            }
        }
        if wanted_by.iter().any(|t| t == "sysinit.target") {
            self.findings.push(Finding::approximated(
                Code::SysvEarlyBoot,
                "the script ran in early boot (runlevel S); the unit is wanted by sysinit.target but, with default dependencies, starts after it",
                "if it must run before other early-boot units, add DefaultDependencies=no and explicit ordering",
            ));
        }
        let source = if from_links {
            "its rc?.d links"
        } else if !self.head.default_start.is_empty() {
            "Default-Start"
        } else {
            "# chkconfig:"
        };
        match enabled {
            Some(true) => self.findings.push(Finding::note(
                Code::SysvEnabled,
                format!(
                    "enabled at boot on the host (S links in runlevels {})",
                    levels.join(" ")
                ),
                format!("enable the unit: systemctl enable {}.service", self.name),
            )),
            Some(false) => self.findings.push(Finding::note(
                Code::SysvDisabled,
                "disabled on the host (only K links in its rc?.d directories)",
                format!(
                    "leave the unit disabled; WantedBy= comes from {source} for when it is enabled"
                ),
            )),
            None => {}
        }
        let aliases: Vec<String> = self
            .head
            .provides
            .iter()
            .filter(|p| !p.starts_with('$') && **p != self.name)
            .map(|p| format!("{}.service", crate::naming::sanitize(p)))
            .collect();
        if wanted_by.is_empty() && aliases.is_empty() {
            return Activation::Manual;
        }
        Activation::Boot {
            wanted_by,
            aliases,
            enabled,
        }
    }

    /// `(runlevel, is a start link, priority)` for every `rc?.d` link to this script.
    fn rc_links(&self) -> Vec<(String, bool, u32)> {
        let file = self.path.rsplit('/').next().unwrap_or("").to_string();
        let mut out = Vec::new();
        for level in ["S", "0", "1", "2", "3", "4", "5", "6"] {
            for dir in [
                format!("/etc/rc{level}.d"),
                format!("/etc/rc.d/rc{level}.d"),
            ] {
                for entry in self.host.list_dir(&dir) {
                    let b = entry.as_bytes();
                    if b.len() > 3
                        && (b[0] == b'S' || b[0] == b'K')
                        && b[1].is_ascii_digit()
                        && b[2].is_ascii_digit()
                        && entry[3..] == file
                    {
                        out.push((
                            level.to_string(),
                            b[0] == b'S',
                            entry[1..3].parse().unwrap_or(0),
                        ));
                    }
                }
            }
        }
        out
    }

    fn ordering(&mut self, svc: &mut Service) {
        let h = self.head.clone();
        let mut own: Vec<String> = vec![self.name.clone()];
        own.extend(h.provides.iter().filter(|p| !p.starts_with('$')).cloned());
        let mut missing = Vec::new();
        let add = |list: &mut Vec<String>, unit: String| {
            if !list.contains(&unit) {
                list.push(unit);
            }
        };
        for (names, required) in [
            (&h.required_start, true),
            (&h.should_start, false),
            (&h.start_after, false),
        ] {
            for n in names {
                match facility::translate(n, &own) {
                    facility::Dep::Unit(u) => {
                        if u == "network-online.target"
                            || (required && u.ends_with(".service") && self.exists(&u))
                        {
                            add(&mut svc.ordering.wants, u.clone());
                        }
                        add(&mut svc.ordering.after, u);
                    }
                    facility::Dep::Missing(m) => missing.push(m),
                    facility::Dep::Implied | facility::Dep::Itself => {}
                }
            }
        }
        for n in &h.start_before {
            match facility::translate(n, &own) {
                facility::Dep::Unit(u) => add(&mut svc.ordering.before, u),
                facility::Dep::Missing(m) => missing.push(m),
                _ => {}
            }
        }
        for p in h.provides.iter().filter(|p| p.starts_with('$')) {
            let targets: Vec<String> = if p == "$network" {
                vec![
                    "network.target".to_string(),
                    "network-online.target".to_string(),
                ]
            } else {
                match facility::translate(p, &[]) {
                    facility::Dep::Unit(u) => vec![u],
                    _ => Vec::new(),
                }
            };
            for t in targets {
                add(&mut svc.ordering.before, t.clone());
                add(&mut svc.ordering.wants, t);
            }
        }
        // Scripts without an LSB header were ordered by their S priority.
        if !h.lsb {
            let links = self.rc_links();
            if let Some(mine) = links.iter().filter(|l| l.1).map(|l| l.2).max() {
                for (before, other) in self.priority_neighbours(mine) {
                    let unit = format!("{}.service", crate::naming::sanitize(&other));
                    if before {
                        add(&mut svc.ordering.before, unit);
                    } else {
                        add(&mut svc.ordering.after, unit);
                    }
                }
            }
        }
        if !missing.is_empty() {
            missing.sort();
            missing.dedup();
            self.findings.push(Finding::note(
                Code::SysvMissingDependency,
                format!("{} exist(s) on no systemd host; not written", missing.join(", ")),
                "nothing to do unless the service really needs something they stood for; then add After=/Wants= on the real unit",
            ));
        }
        if h.required_stop
            .iter()
            .chain(&h.should_stop)
            .chain(&h.stop_after)
            .any(|n| !h.required_start.contains(n) && !h.should_start.contains(n))
        {
            self.findings.push(Finding::note(
                Code::SysvStopOrder,
                "the header orders stopping differently from starting (Required-Stop, Should-Stop or X-Stop-After); systemd stops units in the reverse of their start order",
                "nothing to do in most cases; add Before=/After= if the stop order really matters",
            ));
        }
    }

    /// Other scripts linked in rc1–5 with a lower (`false`) or higher (`true`) S priority.
    fn priority_neighbours(&self, mine: u32) -> Vec<(bool, String)> {
        let file = self.path.rsplit('/').next().unwrap_or("").to_string();
        let mut out: Vec<(bool, String)> = Vec::new();
        for level in ["1", "2", "3", "4", "5"] {
            for entry in self.host.list_dir(&format!("/etc/rc{level}.d")) {
                let b = entry.as_bytes();
                if b.len() > 3 && b[0] == b'S' && b[1].is_ascii_digit() && b[2].is_ascii_digit() {
                    let other = &entry[3..];
                    let prio: u32 = entry[1..3].parse().unwrap_or(0);
                    if other == file || prio == mine {
                        continue;
                    }
                    let stem = unit_stem(other);
                    if facility::superseded(&stem).is_some() {
                        continue;
                    }
                    let pair = (prio > mine, stem);
                    if !out.contains(&pair) {
                        out.push(pair);
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// Whether a unit exists on the host: installed, or an init script that becomes it.
    fn exists(&self, unit: &str) -> bool {
        let stem = unit.trim_end_matches(".service");
        self.host.installed_unit(unit).is_some()
            || self.host.exists(&format!("/etc/init.d/{stem}"))
            || self.host.exists(&format!("/etc/init.d/{stem}.sh"))
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

    fn toggle_findings(&mut self, interp: &Interp) {
        let mut seen: Vec<&str> = Vec::new();
        for t in &interp.tested {
            if !is_toggle(&t.name) || seen.contains(&t.name.as_str()) {
                continue;
            }
            seen.push(&t.name);
            let value = interp.value(&t.name);
            let from = interp
                .sourced
                .iter()
                .find(|s| s.assigns.contains(&t.name))
                .map_or_else(|| "the script".to_string(), |s| s.path.clone());
            self.findings.push(Finding::dropped(
                Code::SysvToggle,
                format!(
                    "the script only starts when ${} allows it (line {}; {} in {from}); the unit has no such switch",
                    t.name,
                    t.line,
                    value.map_or_else(|| "unset".to_string(), |v| format!("`{v}`"))
                ),
                "enable or disable the unit instead (systemctl enable/disable), and remove the variable from the defaults file",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::SourceError;

    fn convert(script: &str) -> Item {
        let dir = tempfile::tempdir().unwrap();
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
            matches!(&svc.reload, Some(Command::Expand { program, .. }) if program == "/bin/kill")
        );
    }

    #[test]
    fn one_daemon_per_config_file_is_wrapped_and_says_why() {
        let item = convert(&format!(
            "{HEAD}case \"$1\" in\n start) for c in /etc/food/*.conf; do start-stop-daemon --start --exec /usr/sbin/food -- -c $c; done ;;\nesac\n"
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

    #[test]
    fn unit_stems_drop_sh() {
        assert_eq!(unit_stem("/etc/init.d/hostname.sh"), "hostname");
        assert_eq!(unit_stem("/etc/init.d/ssh"), "ssh");
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
}
