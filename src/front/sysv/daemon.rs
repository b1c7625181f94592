//! What an init script's actions do to its daemon, turned into the service: the start
//! command and how it detaches, preparation steps, stop signal and timeout, reload, the
//! environment from defaults files, and the wrapper when none of that can be read safely.

use super::launch::{self, Start};
use super::shell::{Arg, Call, Interp, Part, SourceKind};
use super::{Conversion, is_harmless};
use crate::finding::{Code, Finding};
use crate::host::Host;
use crate::ir::{
    Command, EnvFile, EnvVar, Limit, Output, Resource, Restart, Service, ServiceKind, Word,
    WordPart, WorkingDir,
};

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
pub(super) fn pick_launch(
    launches: &[Result<Start, String>],
) -> Result<(Start, Vec<Call>, Vec<Call>), String> {
    if launches.is_empty() {
        return Err("its start action starts no program".to_string());
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
        output: None,
        logger: None,
        function: None,
        uncertain: s.uncertain.clone(),
        captured: false,
        uncertain_pid_file: s.uncertain_pid_file.clone(),
        cond_depth: s.cond_depth,
        unlikely: s.unlikely.clone(),
        under: s.under.clone(),
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
    // Several starters where only one runs on every path this reading could not decide:
    // that one (the others are fallbacks on failure paths, `… || start-stop-daemon …`). A
    // starter in a branch the host's settings chose is not a fallback.
    if tools.len() > 1 {
        let least = tools.iter().map(|s| s.cond_depth).min().unwrap_or(0);
        let unconditional: Vec<&Start> = tools
            .iter()
            .copied()
            .filter(|s| s.cond_depth == least)
            .collect();
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
                "its start action starts {} different programs ({})",
                many.len(),
                super::shell::places(&many.iter().map(|s| s.line).collect::<Vec<_>>())
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
        _ if others.iter().any(|s| s.program != others[0].program) => {
            // Two daemons run directly (a multiplexor and its filter), each writing the pid
            // file the stop action kills: a unit set is made of starters' daemons only.
            return Err(format!(
                "its start action starts {} different programs directly, not through a starter ({})",
                others.len(),
                others
                    .iter()
                    .map(|s| format!("{} at {}", s.program, super::shell::place(s.line)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        _ => {
            return Err(format!(
                "its start action runs the daemon {} times ({})",
                others.len(),
                super::shell::places(&others.iter().map(|s| s.line).collect::<Vec<_>>())
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

/// What the `start` action does, sorted.
#[derive(Default)]
pub(super) struct StartPlan {
    pub(super) launches: Vec<Result<Start, String>>,
    /// Calls of the daemon besides the launch (configuration tests).
    pub(super) checks: Vec<Call>,
    /// Directories the script creates or gives an owner or mode, under `/run` or `/var/log`.
    pub(super) dirs: Vec<PreparedDir>,
    /// `chown`/`install -o` of such a directory whose owner is only known at run time.
    pub(super) lost_owner: Option<Call>,
    /// "Already running?" checks before the start (`start-stop-daemon --start --test`,
    /// `status_of_proc`, `pidof`, `kill -0 $PID`), by line: systemd does that itself.
    pub(super) running_guards: Vec<u32>,
    pub(super) limits: Vec<Limit>,
    pub(super) umask: Option<u32>,
    pub(super) workdir: Option<String>,
    pub(super) lock_files: bool,
    /// Other commands that change something.
    pub(super) other: Vec<Call>,
    /// Calls of shell functions of the script (or of files it sources, or of its framework)
    /// that the reading could not inline: what they run is unknown.
    pub(super) functions: Vec<Call>,
    /// Launches off the likely path through undecided tests when the likely path has its own
    /// ([`Call::unlikely`]): reported, not started.
    pub(super) set_aside: Vec<Aside>,
    /// Launch calls off the likely path that cannot be read (`$SUPERVISOR` unset here).
    pub(super) unlikely_failed: Vec<(Call, String)>,
}

/// A launch off the likely path ([`StartPlan::set_aside`]).
#[derive(Debug, Clone)]
pub(super) struct Aside {
    /// The test that leads to it, its line, and whether it succeeds there.
    pub(super) test: (String, u32, bool),
    /// The command, readable.
    pub(super) command: String,
    pub(super) line: u32,
}

impl StartPlan {
    /// Sets aside the launches off the likely path when the likely path launches too.
    pub(super) fn take_likely_path(&mut self) {
        let likely = self
            .launches
            .iter()
            .any(|l| matches!(l, Ok(s) if s.unlikely.is_none() && s.tool != "a direct call"));
        let failed = std::mem::take(&mut self.unlikely_failed);
        if !likely {
            self.launches
                .extend(failed.into_iter().map(|(_, why)| Err(why)));
            return;
        }
        let (aside, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.launches)
            .into_iter()
            // Direct calls of the daemon on other paths are configuration checks on failure
            // paths as often as starts: they stay for [`pick_launch`] to sort.
            .partition(|l| matches!(l, Ok(s) if s.unlikely.is_some() && s.tool != "a direct call"));
        self.launches = keep;
        for s in aside.into_iter().filter_map(Result::ok) {
            if let Some(test) = s.unlikely.clone() {
                self.set_aside.push(Aside {
                    test,
                    command: std::iter::once(s.program.clone())
                        .chain(s.args.iter().map(Arg::display))
                        .collect::<Vec<_>>()
                        .join(" "),
                    line: s.line,
                });
            }
        }
        for (c, _) in failed {
            if let Some(test) = c.unlikely.clone() {
                self.set_aside.push(Aside {
                    test,
                    command: c.display(),
                    line: c.line,
                });
            }
        }
    }
}

/// Whether `file` is one of the helper libraries whose functions are commands with a known
/// meaning (`start_daemon`, `killproc`, `log_*`, …), not code of the script's own.
fn is_library(file: &str) -> bool {
    file.ends_with("/lsb/init-functions") || file.ends_with("init.d/functions")
}

/// Why a call of a function that is not inlined keeps the script wrapped.
fn function_reason(c: &Call, script: &str, action: &str) -> String {
    let name = c.program().unwrap_or_default();
    match c.function.as_deref() {
        Some(f) if f == script => format!(
            "its {action} action calls the shell function `{name}` ({}) before the script defines it, or where it calls itself, so what it runs is not known",
            super::shell::place(c.line)
        ),
        Some(f) => format!(
            "its {action} action calls `{name}` ({}), a shell function of {f} that this tool does not follow",
            super::shell::place(c.line)
        ),
        None => format!("`{name}` is not a shell function"),
    }
}

/// Where a directory the script prepares lives: the tree systemd creates it in for the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DirBase {
    /// `/run` (`/var/run`): `RuntimeDirectory=`.
    Run,
    /// `/var/log`: `LogsDirectory=`.
    Log,
}

impl DirBase {
    /// The tree `path` lies in, when it is a directory below `/run`, `/var/run` or `/var/log`.
    pub(super) fn of(path: &str) -> Option<DirBase> {
        if is_run_dir(path).is_some() {
            Some(DirBase::Run)
        } else {
            let rest = path.strip_prefix("/var/log/")?.trim_end_matches('/');
            (!rest.is_empty() && !rest.contains("..") && !rest.ends_with(".log"))
                .then_some(DirBase::Log)
        }
    }

    /// `path` relative to the tree's root.
    fn relative(self, path: &str) -> String {
        match self {
            DirBase::Run => is_run_dir(path).unwrap_or_default(),
            DirBase::Log => path
                .strip_prefix("/var/log/")
                .unwrap_or(path)
                .trim_end_matches('/')
                .to_string(),
        }
    }

    fn root(self) -> &'static str {
        match self {
            DirBase::Run => "/run",
            DirBase::Log => "/var/log",
        }
    }
}

/// A directory the start action creates, with the owner and mode it gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PreparedDir {
    pub(super) base: DirBase,
    /// Relative to the tree's root.
    pub(super) rel: String,
    pub(super) user: Option<String>,
    pub(super) group: Option<String>,
    pub(super) mode: Option<u32>,
    /// An owner the script computes at start with commands that only read
    /// ([`super::start_time::reader_substitution`]): `sh` text that gives it, run by
    /// `ExecStartPre=` after the directory is created.
    pub(super) computed_owner: Option<ComputedOwner>,
}

/// `chown "$(grep … CONF | sed …)" DIR`, as `sh` runs it at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ComputedOwner {
    /// `NAME=value; ` for the script's variables the substitution reads.
    pub(super) assignments: String,
    /// `chown` or `chgrp`, then the owner word.
    pub(super) command: String,
    /// The substitutions, as the script wrote them (for the report).
    pub(super) computed: Vec<String>,
}

impl PreparedDir {
    fn path(&self) -> String {
        format!("{}/{}", self.base.root(), self.rel)
    }
}

/// `user:group` as the report shows a directory's owner.
fn owner_text(d: &PreparedDir) -> String {
    match (&d.user, &d.group) {
        (Some(u), Some(g)) => format!("{u}:{g}"),
        (Some(u), None) => u.clone(),
        (None, Some(g)) => format!("group {g}"),
        (None, None) => "root".to_string(),
    }
}

/// The user a daemon switches to by itself, from its own options (`-u bind`, `--user=bind`).
fn drops_to(args: &[String]) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-u" || a == "--user" {
            return it
                .next()
                .filter(|u| !u.is_empty() && !u.starts_with('-'))
                .cloned();
        }
        if let Some(u) = a.strip_prefix("--user=") {
            return Some(u.to_string()).filter(|u| !u.is_empty());
        }
    }
    None
}

pub(super) fn is_run_dir(p: &str) -> Option<String> {
    let rest = p
        .strip_prefix("/run/")
        .or_else(|| p.strip_prefix("/var/run/"))?;
    let rest = rest.trim_end_matches('/');
    (!rest.is_empty() && !rest.contains("..") && !rest.ends_with(".pid")).then(|| rest.to_string())
}

pub(super) fn ulimit_resource(flag: char) -> Option<Resource> {
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

/// `path` as an absolute, normalized path: as it is when absolute, else inside `dir` (an
/// absolute directory) when known. `.` and `..` are resolved by their names, as systemd wants
/// normalized paths.
pub(super) fn absolute_in(path: &str, dir: Option<&str>) -> Option<String> {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", dir.filter(|d| d.starts_with('/'))?)
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in joined.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    (!parts.is_empty()).then(|| format!("/{}", parts.join("/")))
}

pub(super) fn literal_command(call: &Call) -> Option<Vec<String>> {
    call.args.iter().map(Arg::literal).collect()
}

impl Conversion<'_> {
    /// `env [-i] [-u NAME] [NAME=VALUE…] PROGRAM ARGS` → `PROGRAM ARGS`; the assignments other
    /// than `PATH` go to `svc`'s environment when given. With `-i` the program sees only those
    /// assignments, so the variables the script exported are dropped from `svc`'s environment;
    /// `-u NAME` drops NAME. A program without a `/` is looked up on the host (on the `PATH` the
    /// call set). argv\[0\] stays the name as written, as the shell (and `env`) pass it.
    fn unwrap_env(&self, cmd: Command, svc: Option<&mut Service>) -> Command {
        let Command::Argv(argv) = cmd else {
            return cmd;
        };
        let mut path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string();
        let mut rest: &[String] = &argv;
        let mut vars = Vec::new();
        let mut ignore_environment = false;
        let mut unset: Vec<String> = Vec::new();
        if argv
            .first()
            .is_some_and(|p| p == "env" || p.ends_with("/env"))
        {
            let mut i = 1;
            while let Some(w) = argv.get(i) {
                if w == "-i" || w == "-" || w == "--ignore-environment" {
                    ignore_environment = true;
                    i += 1;
                } else if w == "-u" {
                    unset.extend(argv.get(i + 1).cloned());
                    i += 2;
                } else if let Some((n, v)) = w.split_once('=')
                    && crate::ir::env_name_is_valid(n)
                {
                    if n == "PATH" {
                        path = v.to_string();
                    } else {
                        vars.push(EnvVar::new(n, v));
                    }
                    i += 1;
                } else {
                    break;
                }
            }
            rest = &argv[i.min(argv.len())..];
        }
        let Some(program) = rest.first() else {
            return Command::Argv(argv);
        };
        let program = if program.contains('/') {
            program.clone()
        } else {
            self.host
                .which(program, &path)
                .unwrap_or_else(|| program.clone())
        };
        if let Some(svc) = svc {
            if ignore_environment {
                svc.exec.environment.clear();
                self.clean_environment.set(true);
            }
            svc.exec.environment.retain(|e| !unset.contains(&e.name));
            for v in vars {
                if !svc.exec.environment.iter().any(|e| e.name == v.name) {
                    svc.exec.environment.push(v);
                }
            }
        }
        Command::exec(program, rest.to_vec())
    }
}

/// Shell builtins that are no programs (a unit cannot run them without a shell).
const SHELL_BUILTINS: &[&str] = &[
    "eval", "exec", "trap", "alias", "unalias", "hash", "getopts", "let", "local", "typeset",
    "declare", "readonly", "export", "source", ".", "cd", "pushd", "popd", "ulimit", "umask",
    "shopt", "jobs", "fg", "bg", "disown", "builtin", "times", "[[", "return", "exit",
];

/// A command of a script that starts no daemon, as it is: only when it runs on every path
/// (not under a condition, in a loop or a pipeline, nor `also_refuse`), its words are known,
/// and it is a program (not a shell function or builtin).
fn plain_command(c: &Call, action: &str, also_refuse: bool) -> Result<Command, String> {
    if c.function.is_none()
        && c.program()
            .is_some_and(|p| SHELL_BUILTINS.contains(&p.as_str()))
    {
        return Err(format!(
            "its {action} action runs `{}` ({}), a shell builtin, not a program a unit can run",
            c.display(),
            super::shell::place(c.line)
        ));
    }
    if let Some(file) = &c.function {
        return Err(format!(
            "its {action} action runs `{}` ({}), a shell function of {file}, not a program a unit can run",
            c.display(),
            super::shell::place(c.line)
        ));
    }
    if c.conditional || c.in_loop || c.piped || also_refuse {
        return Err(format!(
            "its {action} action runs `{}` ({}) under conditions, in a loop, in the background or in a pipeline, which only the script can express",
            c.display(),
            super::shell::place(c.line)
        ));
    }
    // `X=a` or `X=b` by tests this reading cannot decide: which command runs is the run's.
    if let Some(v) = c.uncertain.first() {
        return Err(format!(
            "its {action} action runs `{}` ({}), which expands ${v}, a value the script assigns only on some paths (tests this tool cannot decide on this host), so its arguments are only known at run time",
            c.display(),
            super::shell::place(c.line)
        ));
    }
    literal_command(c).map(Command::Argv).ok_or_else(|| {
        format!(
            "`{}` ({}) is only known at run time",
            c.display(),
            super::shell::place(c.line)
        )
    })
}

/// An `Exec*=` command from expanded arguments: literal words as they are, variables as
/// references systemd substitutes. `program` is the file to run, `written` the program word as
/// the script wrote it, which becomes argv\[0\] (a shell, `start-stop-daemon --exec/--startas`
/// and the distributions' `start_daemon`/`daemon` all pass it as written).
/// The daemon a monitor's call runs and its arguments under systemd: the path its path option
/// names (else the daemon's name next to the monitor, else on `PATH`), and the arguments after
/// `--` with the monitor's foreground options. `None` when an argument before `--` is not known
/// or not an option the monitor takes.
fn monitored_daemon(
    m: &super::under_systemd::Monitor,
    program: &str,
    args: &[Arg],
    host: &Host,
) -> Option<(String, Vec<Arg>)> {
    let split = args
        .iter()
        .position(|a| a.literal().as_deref() == Some("--"))
        .unwrap_or(args.len());
    let mut named = None;
    let mut own = args[..split].iter();
    while let Some(a) = own.next() {
        let word = a.literal()?;
        if !m.valued_options.contains(&word.as_str()) {
            return None;
        }
        let value = own.next()?.literal()?;
        if word == m.path_option {
            named = Some(value);
        }
    }
    let name = named.unwrap_or_else(|| m.daemon.to_string());
    let daemon = if name.starts_with('/') {
        name
    } else {
        beside_or_on_path(&name, program, host)?
    };
    let mut out: Vec<Arg> = args.get(split + 1..).unwrap_or_default().to_vec();
    out.extend(
        m.foreground
            .iter()
            .map(|f| Arg::Field(vec![Part::Lit((*f).to_string())])),
    );
    Some((daemon, out))
}

/// The daemon a control tool's start call starts and its arguments under systemd: the tool's
/// arguments with the daemon's foreground options before the start command. `None` unless the
/// call's last argument is the start command.
fn controlled_daemon(
    c: &super::under_systemd::Controller,
    program: &str,
    args: &[Arg],
    host: &Host,
) -> Option<(String, Vec<Arg>)> {
    let (last, options) = args.split_last()?;
    if last.literal().as_deref() != Some(c.command) {
        return None;
    }
    let daemon = beside_or_on_path(c.daemon, program, host)?;
    let mut out = options.to_vec();
    out.extend(
        c.foreground
            .iter()
            .map(|f| Arg::Field(vec![Part::Lit((*f).to_string())])),
    );
    out.push(last.clone());
    Some((daemon, out))
}

/// `name` in the directory of `program` when it is executable there, else on `PATH`.
fn beside_or_on_path(name: &str, program: &str, host: &Host) -> Option<String> {
    let beside = program
        .rsplit_once('/')
        .map(|(dir, _)| format!("{dir}/{name}"))
        .filter(|p| !name.contains('/') && host.is_executable(p));
    match beside {
        Some(p) => Some(p),
        None => host.which(
            name,
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ),
    }
}

/// `chown OWNER DIR…`/`chgrp GROUP DIR…` whose owner word (the first operand) is computed by
/// commands that only read ([`super::start_time::reader_substitution`]), and whose other
/// operands are known: the `sh` text that gives the owner at start.
fn computed_owner(call: &Call, interp: &Interp, base: &str) -> Option<ComputedOwner> {
    let mut operands = call.args[1..].iter().filter(|a| {
        interp
            .resolve(a)
            .is_none_or(|v| !v.starts_with('-') || v.is_empty())
    });
    let owner = operands.next()?;
    // Known directories, not a per-configuration template's (`%I` is no shell text).
    if operands.any(|a| {
        interp
            .resolve(a)
            .is_none_or(|d| d.contains(super::shell::INSTANCE))
    }) {
        return None;
    }
    let mut assignments = Vec::new();
    let word = super::start_time::shell_word(owner, interp, &mut assignments)?;
    let Arg::Field(parts) = owner else {
        return None;
    };
    let computed: Vec<String> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Unknown(u) => Some(u.clone()),
            _ => None,
        })
        .collect();
    if computed.is_empty() {
        return None;
    }
    // One owner word, as the script's `chown "$USER"` gives it.
    let word = if word.starts_with('"') {
        word
    } else {
        format!("\"{word}\"")
    };
    Some(ComputedOwner {
        assignments: assignments
            .iter()
            .map(|(n, v)| format!("{n}={}; ", super::start_time::quote(v)))
            .collect(),
        command: format!("{base} {word}"),
        computed,
    })
}

pub(super) fn exec_command(program: &str, written: &str, args: &[Arg]) -> Result<Command, String> {
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
        let mut argv = vec![written.to_string()];
        for w in words {
            if let Word::Parts(p) = w {
                argv.push(
                    p.into_iter()
                        .map(|x| match x {
                            WordPart::Text(t) => t,
                            WordPart::Var(_) | WordPart::Instance | WordPart::InstanceName => {
                                String::new()
                            }
                        })
                        .collect(),
                );
            }
        }
        return Ok(Command::exec(program.to_string(), argv));
    }
    Ok(Command::Expand {
        program: program.to_string(),
        argv0: (written != program).then(|| written.to_string()),
        args: words,
    })
}

/// `cmd` with the variables in `values` replaced by their text: a `${NAME}` inside a word by
/// the value, an unquoted `$NAME` by the value's words. A command left with no references is an
/// argument vector.
fn substitute(cmd: &Command, values: &[(String, String)]) -> Command {
    let Command::Expand {
        program,
        argv0,
        args,
    } = cmd
    else {
        return cmd.clone();
    };
    let value = |n: &str| values.iter().find(|(v, _)| v == n).map(|(_, t)| t.clone());
    let mut words = Vec::new();
    for w in args {
        match w {
            Word::Split(n) => match value(n) {
                Some(t) => words.extend(
                    t.split_whitespace()
                        .map(|x| Word::Parts(vec![WordPart::Text(x.to_string())])),
                ),
                None => words.push(w.clone()),
            },
            Word::Parts(parts) => words.push(Word::Parts(
                parts
                    .iter()
                    .map(|p| match p {
                        WordPart::Var(n) => value(n).map_or_else(|| p.clone(), WordPart::Text),
                        other => other.clone(),
                    })
                    .collect(),
            )),
        }
    }
    let literal: Option<Vec<String>> = words
        .iter()
        .map(|w| match w {
            Word::Parts(p) => p
                .iter()
                .map(|x| match x {
                    WordPart::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(|v| v.concat()),
            Word::Split(_) => None,
        })
        .collect();
    match literal {
        Some(a) => Command::exec(
            program.clone(),
            std::iter::once(argv0.clone().unwrap_or_else(|| program.clone()))
                .chain(a)
                .collect(),
        ),
        None => Command::Expand {
            program: program.clone(),
            argv0: argv0.clone(),
            args: words,
        },
    }
}

/// `call` with its program word, when a variable gives it (`$STARTER start`), replaced by the
/// variable's value on the host, as the daemon's program is: an absolute path only.
fn program_resolved(call: &Call, interp: &Interp) -> Call {
    let mut call = call.clone();
    if let Some(first) = call.args.first()
        && first.literal().is_none()
        && !first.unknown()
        && let Some(p) = interp.resolve(first).filter(|p| p.starts_with('/'))
    {
        call.args[0] = Arg::Field(vec![Part::Lit(p)]);
    }
    call
}

/// Words a control program takes to stop its daemon.
const STOP_VERBS: &[&str] = &["stop", "graceful-stop", "shutdown"];

/// `call` in the stop action asks the control program that `start` ran as `CTL start …`
/// (the unit's `ExecStart=`) to stop: `CTL stop …` run directly, or through
/// `start-stop-daemon --start --exec CTL -- stop …` (the init-d-script override of courier's
/// scripts), on every path of the action. The command for `ExecStop=`, with the arguments as
/// written (variables as references systemd substitutes, as in `ExecStart=`).
fn control_stop(call: &Call, interp: &Interp, svc: &Service, start: &Start) -> Option<Command> {
    if call.conditional || call.in_loop || call.piped || call.background || call.function.is_some()
    {
        return None;
    }
    let first = |args: &[Arg]| args.first().and_then(Arg::literal);
    if first(&start.args).as_deref() != Some("start") || svc.command.program() != start.program {
        return None;
    }
    let (written, args) = match launch::start(call, interp, &[]) {
        Some(Ok(s)) if s.program == start.program && !s.background => {
            (s.program.clone(), s.args.clone())
        }
        Some(_) => return None,
        None if call.args.first().and_then(|a| interp.resolve(a)).as_deref()
            == Some(start.program.as_str()) =>
        {
            (start.program.clone(), call.args[1..].to_vec())
        }
        None => return None,
    };
    if !first(&args).is_some_and(|w| STOP_VERBS.contains(&w.as_str())) {
        return None;
    }
    exec_command(&start.program, &written, &args).ok()
}

pub(super) fn vars_of(cmd: &Command, out: &mut Vec<String>) {
    if let Command::Expand { args, .. } = cmd {
        for w in args {
            match w {
                Word::Split(v) => out.push(v.clone()),
                Word::Parts(p) => out.extend(p.iter().filter_map(|x| match x {
                    WordPart::Var(v) => Some(v.clone()),
                    WordPart::Text(_) | WordPart::Instance | WordPart::InstanceName => None,
                })),
            }
        }
    }
}

impl Conversion<'_> {
    pub(super) fn sort_start_call(
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
                    c.function = interp.function_of(&p).map(str::to_string);
                    c.args[0] = Arg::Field(vec![Part::Lit(p)]);
                    return self.sort_start_call(&c, interp, daemons, plan);
                }
                plan.other.push(call.clone());
            }
            return;
        };
        let base = program.rsplit('/').next().unwrap_or(&program).to_string();
        if let Some(start) = launch::start(call, interp, daemons) {
            match start {
                Err(why) if call.unlikely.is_some() => {
                    plan.unlikely_failed.push((call.clone(), why));
                }
                start => plan.launches.push(start),
            }
            return;
        }
        // Other start-stop-daemon calls (`--stop`, `--status`, `--start --test`) only probe.
        if base == "start-stop-daemon" {
            if launch::is_ssd(call, "--test") || launch::is_ssd(call, "--status") {
                plan.running_guards.push(call.line);
            }
            return;
        }
        // `ps -p PID`/`ps -C NAME` as a test (`if … && ps -p `cat $PIDFILE` | grep …`): the
        // same question.
        // Before the daemon is started only: after it, `ps` checks that it did start.
        let ps_test = base == "ps"
            && call.tested
            && plan.launches.is_empty()
            && call
                .args
                .iter()
                .filter_map(Arg::literal)
                .any(|a| matches!(a.as_str(), "-p" | "-C" | "--pid"));
        if ps_test || super::start_condition::RUNNING_CHECKS.contains(&base.as_str()) {
            plan.running_guards.push(call.line);
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
                if targets.iter().any(|t| DirBase::of(t).is_some())
                    && (base != "install"
                        || words.iter().any(|w| w == "-d" || w == "--directory")) =>
            {
                let at = |flag: &str| {
                    words
                        .iter()
                        .position(|w| w == flag)
                        .and_then(|i| words.get(i + 1))
                        .cloned()
                };
                // Who should own it and how: `chown U[:G] DIR`, `chgrp G DIR`, `chmod M DIR`,
                // `install -d -o U -g G -m M DIR`, `mkdir -m M DIR`.
                let (mut user, mut group, mut mode) = (None, None, None);
                let mut lost = false;
                let mut dirs: Vec<&String> = targets.clone();
                if dirs.is_empty() {
                    return;
                }
                match base.as_str() {
                    "chown" | "chgrp" => {
                        let spec = dirs.remove(0).clone();
                        let (u, g) = if base == "chgrp" {
                            (String::new(), spec)
                        } else {
                            match spec.split_once([':', '.']) {
                                Some((u, g)) => (u.to_string(), g.to_string()),
                                None => (spec, String::new()),
                            }
                        };
                        lost = u.is_empty() && g.is_empty();
                        user = Some(u).filter(|u| !u.is_empty());
                        group = Some(g).filter(|g| !g.is_empty());
                    }
                    "chmod" => mode = u32::from_str_radix(dirs.remove(0), 8).ok(),
                    _ => {
                        if base == "install" {
                            user = at("-o").or_else(|| at("--owner"));
                            group = at("-g").or_else(|| at("--group"));
                            lost = [at("-o"), at("-g")].iter().flatten().any(String::is_empty);
                        }
                        mode = at("-m")
                            .or_else(|| at("--mode"))
                            .and_then(|m| u32::from_str_radix(&m, 8).ok());
                    }
                }
                // An owner word that is not fully known (`chown $U:$G` with both unset here).
                let unknown_owner = matches!(base.as_str(), "chown" | "chgrp" | "install")
                    && call.args.iter().any(|a| interp.resolve(a).is_none());
                // `chown "$(grep … CONF | sed …)" DIR`: computed at start, as the script did.
                // Only outside tests this reading cannot decide: under one (smstools' `if !
                // dpkg-statoverride --list DIR`) the other path gives the directory another owner.
                let computed = (unknown_owner
                    && call.cond_depth == 0
                    && matches!(base.as_str(), "chown" | "chgrp"))
                .then(|| computed_owner(call, interp, &base))
                .flatten();
                if (lost || unknown_owner) && computed.is_none() && plan.lost_owner.is_none() {
                    plan.lost_owner = Some(call.clone());
                }
                for t in dirs {
                    let Some(base) = DirBase::of(t) else { continue };
                    let rel = base.relative(t);
                    let d = match plan
                        .dirs
                        .iter_mut()
                        .find(|d| d.base == base && d.rel == rel)
                    {
                        Some(d) => d,
                        None => {
                            plan.dirs.push(PreparedDir {
                                base,
                                rel,
                                user: None,
                                group: None,
                                mode: None,
                                computed_owner: None,
                            });
                            plan.dirs.last_mut().expect("just pushed")
                        }
                    };
                    if user.is_some() {
                        d.user.clone_from(&user);
                    }
                    if group.is_some() {
                        d.group.clone_from(&group);
                    }
                    if mode.is_some() {
                        d.mode = mode;
                    }
                    if computed.is_some() {
                        d.computed_owner.clone_from(&computed);
                        (d.user, d.group) = (None, None);
                    }
                }
                return;
            }
            // `if [ "$ENABLE_COREFILES" = 1 ]; then ulimit -c unlimited; fi` with a test this
            // reading leaves open: the limit holds on some paths only, so the unit does not
            // set it (reported as a dropped step). `[ -n "$ULIMIT" ] && ulimit $ULIMIT` sets
            // the value the setting gives, and a value the script computes on some paths
            // (tor's from /proc/sys/fs/file-max) the likely path's.
            "ulimit"
                if call.cond_depth > 0
                    && call.uncertain.is_empty()
                    && call.args.iter().all(|a| a.literal().is_some()) =>
            {
                plan.other.push(call.clone());
                return;
            }
            "ulimit" => {
                // `ulimit $ULIMIT` with `-n 8192` in a defaults file: split the value.
                let words: Vec<String> = words
                    .iter()
                    .flat_map(|w| w.split_whitespace().map(str::to_string))
                    .collect();
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
                    } else if let Some(r) = resource
                        .filter(|_| w == "unlimited" || w.chars().all(|c| c.is_ascii_digit()))
                    {
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
        if base == "kill" && words.get(1).map(String::as_str) == Some("-0") {
            plan.running_guards.push(call.line);
            return;
        }
        if is_harmless(&base) {
            return;
        }
        // `U=$(grep … CONF | sed …)`: only its output counts, where the value is used.
        if call.captured && super::start_time::reads_only(&words) {
            return;
        }
        // `eval` of a message helper (`eval log_action_begin_msg "…"`).
        if base == "eval" && words.get(1).is_some_and(|w| is_harmless(w)) {
            return;
        }
        // A function of the script's own code that was not inlined: what it runs is unknown.
        // (Other functions of the helper libraries are commands with a known meaning.)
        if call.function.as_deref().is_some_and(|f| !is_library(f)) {
            plan.functions.push(call.clone());
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

    /// The start command expands variables that `if` tests this reading cannot decide give
    /// one of several values: when every one of them has a likely value with its alternatives
    /// known ([`super::shell::Binding::alternatives`]), the unit takes the likely path and a
    /// `sysv-undecided-test` finding names each test and the value it would give instead;
    /// otherwise the command line is only known at run time.
    fn undecided_tests(&mut self, interp: &Interp, start: &Start) -> Result<(), String> {
        let mut lines: Vec<String> = Vec::new();
        for v in &start.uncertain {
            // As the start command reads it (after the action another path's value may be
            // left).
            let alternatives = interp
                .binding_at(start.line, v)
                .map(|b| b.alternatives.as_slice())
                .unwrap_or_default();
            if alternatives.is_empty() && interp.loop_built.contains(v) {
                return Err(format!(
                    "the command line it starts ({}) expands ${v}, which a loop over several configurations builds (once per word, line or file), so its arguments are only known at run time",
                    super::shell::place(start.line)
                ));
            }
            if alternatives.is_empty() {
                return Err(format!(
                    "the command line it starts ({}) expands ${v}, which the script assigns only on some paths (tests this tool cannot decide on this host), so its arguments are only known at run time",
                    super::shell::place(start.line)
                ));
            }
            // A setting the defaults file may change stays `$NAME`, as the unit reads it.
            let taken = interp
                .binding_at(start.line, v)
                .map(|b| {
                    if b.overridable {
                        shell_text(&[Part::Var(v.clone())])
                    } else {
                        shell_text(&b.value)
                    }
                })
                .unwrap_or_default();
            let others: Vec<String> = alternatives
                .iter()
                .map(|a| {
                    format!(
                        "when `{}` ({}) {}, it is `{}`",
                        a.test,
                        super::shell::place(a.line),
                        if a.holds { "succeeds" } else { "fails" },
                        shell_text(&a.value).trim()
                    )
                })
                .collect();
            let line = format!("${v} is taken as `{}`; {}", taken.trim(), others.join("; "));
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        if !lines.is_empty() {
            // A per-configuration loop's configuration reads as the instance, `%I`.
            let mut text = lines.join(". ");
            for l in &interp.instance_loops {
                text = text.replace(&l.token, "%I");
            }
            self.findings.push(Finding::approximated(
                Code::SysvUndecidedTest,
                format!(
                    "the command line it starts ({}) depends on tests this tool cannot decide on this host (a command's exit status, a file only a run creates); the unit takes the likely path (file tests by the host tree, the rest as failing): {text}",
                    super::shell::place(start.line),
                ),
                "check each test on the target host; where it goes the other way, edit ExecStart= to the value given",
            ));
        }
        Ok(())
    }

    /// The undecided `if` tests the start sits under ([`super::start_condition`]): file
    /// tests that must hold → `Condition…=` (`sysv-start-condition`); running checks and
    /// switches are reported elsewhere.
    ///
    /// # Errors
    /// The first test no directive expresses.
    fn start_conditions(
        &mut self,
        interp: &Interp,
        start: &Start,
        answered: &[u32],
        svc: &mut Service,
    ) -> Result<(), String> {
        use super::start_condition::{Verdict, classify};
        let mut written = Vec::new();
        let mut kernel = Vec::new();
        let mut open = Vec::new();
        for (test, line, holds) in &start.under {
            let verdict = match classify(test, *line, *holds, answered, interp) {
                Ok(v) => v,
                Err(why) => {
                    open.push(why);
                    continue;
                }
            };
            // A status test's conditions are the tests deciding the command's status.
            let (through, verdicts) = match verdict {
                Verdict::Status {
                    command,
                    line: at,
                    verdicts,
                } => (
                    format!(
                        " (the exit status of `{command}`, {})",
                        super::shell::place(at)
                    ),
                    verdicts,
                ),
                other => (String::new(), vec![other]),
            };
            for verdict in verdicts {
                match verdict {
                    Verdict::Condition { flag, path } => {
                        let (list, directive) = match flag {
                            'd' => (
                                &mut svc.conditions.path_is_directory,
                                "ConditionPathIsDirectory",
                            ),
                            's' => (&mut svc.conditions.file_not_empty, "ConditionFileNotEmpty"),
                            'x' => (
                                &mut svc.conditions.file_is_executable,
                                "ConditionFileIsExecutable",
                            ),
                            _ => (&mut svc.conditions.path_exists, "ConditionPathExists"),
                        };
                        if !list.contains(&path) {
                            list.push(path.clone());
                        }
                        written.push(format!(
                            "`{test}` ({}){through} → {directive}={path}",
                            super::shell::place(*line)
                        ));
                    }
                    Verdict::Absent { path } => {
                        if !svc.conditions.path_absent.contains(&path) {
                            svc.conditions.path_absent.push(path.clone());
                        }
                        written.push(format!(
                            "`{test}` ({}){through} → ConditionPathExists=!{path}",
                            super::shell::place(*line)
                        ));
                    }
                    Verdict::KernelCommandLine {
                        word,
                        present,
                        whole_words,
                    } => {
                        let entry = (word.clone(), present);
                        if !svc.conditions.kernel_command_line.contains(&entry) {
                            svc.conditions.kernel_command_line.push(entry);
                        }
                        kernel.push(format!(
                            "`{test}` ({}){through} → ConditionKernelCommandLine={}{}{}",
                            super::shell::place(*line),
                            if present { "" } else { "!" },
                            word.as_str(),
                            if whole_words {
                                ""
                            } else {
                                " (grep without -w also matched the word inside a longer argument)"
                            }
                        ));
                    }
                    Verdict::Answered | Verdict::Status { .. } => {}
                }
            }
        }
        if !kernel.is_empty() {
            self.findings.push(Finding::approximated(
                Code::SysvKernelCommandLine,
                format!(
                    "the start action starts the daemon only by what the kernel command line holds; the unit tests it with systemd's own rule, which differs from grep's: it matches a whole argument, or the name of a `NAME=value` one, where grep also matched the word between dots, dashes or after `=` inside an argument (`x.WORD`, `WORD-y`, `a=WORD`): {}",
                    kernel.join("; ")
                ),
                "nothing to do unless the kernel command line holds the word inside another argument; `systemctl status` shows a skipped start as \"condition failed\"",
            ));
        }
        if !written.is_empty() {
            self.findings.push(Finding::note(
                Code::SysvStartCondition,
                format!(
                    "the start action starts the daemon only when a file test holds; the unit has the same conditions: {}",
                    written.join("; ")
                ),
                "nothing to do; `systemctl status` shows a skipped start as \"condition failed\"",
            ));
        }
        if !open.is_empty() {
            self.findings.push(Finding::approximated(
                Code::SysvUndecidedTest,
                format!(
                    "{}; the unit starts the daemon whatever the test gives",
                    open.join("; ")
                ),
                "check each test on the target host; where it keeps the daemon from starting there, disable the unit or add a Condition…= line by hand",
            ));
        }
        Ok(())
    }

    /// Fills `svc` from the script's actions, or says why that is not safe.
    #[allow(clippy::too_many_lines)]
    pub(super) fn native(
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
            // A name only a run gives (`. $1` in a function a loop calls with a computed list's
            // words) is not a missing file.
            let unset: Vec<String> = super::shell::referenced_vars(&s.path)
                .into_iter()
                .filter(|v| !interp.env.contains_key(v.as_str()))
                .map(|v| format!("${v}"))
                .collect();
            let why = if !unset.is_empty() {
                format!(
                    "a file whose name only a run knows: nothing this tool reads sets {} (the script's caller does, or a command's output it evaluates)",
                    unset.join(", ")
                )
            } else if s.path.contains(['$', '`']) {
                "a file whose name only a run knows (computed, or passed in by a caller)"
                    .to_string()
            } else {
                "which is not on the host".to_string()
            };
            return Err(format!(
                "it sources {} ({}), {why}, so its functions and settings are unknown",
                s.path,
                super::shell::place(s.line)
            ));
        }
        if let Some(c) = plan.functions.first() {
            return Err(function_reason(c, &self.path, "start"));
        }
        if plan.launches.is_empty() {
            if let Some(why) = self.unknown_launcher(interp, plan) {
                return Err(why);
            }
            return self.oneshot(interp, svc, plan, stop_calls, reload_calls);
        }
        let (start, checks, stray) = pick_launch(&plan.launches)?;
        let chosen = std::iter::once(start.program.clone())
            .chain(start.args.iter().map(Arg::display))
            .collect::<Vec<_>>()
            .join(" ");
        for other in &plan.set_aside {
            if other.command == chosen {
                continue;
            }
            let (test, line, holds) = &other.test;
            let command = &other.command;
            self.findings.push(Finding::approximated(
                Code::SysvUndecidedTest,
                format!(
                    "the start action starts the daemon on another path too: when `{test}` ({}) {}, it runs `{command}` ({}) instead; this tool cannot decide that test on this host and the unit takes the likely path (file tests by the host tree, the rest as failing)",
                    super::shell::place(*line),
                    if *holds { "succeeds" } else { "fails" },
                    super::shell::place(other.line)
                ),
                "check the test on the target host; where it goes the other way, edit ExecStart= to that command",
            ));
        }
        if start.in_loop && !self.template.get() {
            return Err(format!(
                "it starts {} in a loop ({}), once per configuration",
                start.program,
                super::shell::place(start.line)
            ));
        }
        self.undecided_tests(interp, &start)?;
        // Tests answered elsewhere: running checks (dropped) and the daemon's configuration
        // tests (ExecStartPre=, which fail the start as the script's test kept it from starting).
        let answered: Vec<u32> = plan
            .running_guards
            .iter()
            .copied()
            .chain(checks.iter().chain(&plan.checks).map(|c| c.line))
            .collect();
        self.start_conditions(interp, &start, &answered, svc)?;
        let assumed: Vec<String> = interp
            .assumed
            .iter()
            // Only those the start command uses.
            .filter(|(_, v)| {
                !v.is_empty()
                    && (start.pid_file.as_deref() == Some(v.as_str())
                        || start
                            .args
                            .iter()
                            .any(|a| interp.resolve(a).is_some_and(|t| t.contains(v.as_str()))))
            })
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        if !assumed.is_empty() {
            self.findings.push(Finding::approximated(
                Code::SysvResolvedValue,
                format!(
                    "the script computes {} at run time (from a command's output) and falls back to a fixed value when that is empty; the unit uses the fallback: {}",
                    assumed
                        .iter()
                        .map(|a| format!("${}", a.split('=').next().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    assumed.join(", ")
                ),
                "check that the value is right for this host (for a pid file: what the daemon's configuration says)",
            ));
        }
        for (subst, file, value) in &interp.sourced_values {
            self.findings.push(Finding::approximated(
                Code::SysvResolvedValue,
                format!(
                    "`{subst}` is read from {file} on {}: `{value}` (the file assigns it once, unconditionally, to plain text)",
                    self.host.label()
                ),
                "if you change that file later, convert the script again or edit the unit",
            ));
        }
        for (subst, value) in &interp.function_outputs {
            self.findings.push(Finding::approximated(
                Code::SysvResolvedValue,
                format!(
                    "`{subst}` is the output of a function of the script that only prints; on {} it prints {}",
                    self.host.label(),
                    if value.is_empty() { "nothing".to_string() } else { format!("`{value}`") }
                ),
                "if the settings it prints change, convert the script again or edit the unit",
            ));
        }
        let mut plan_checks: Vec<Call> = plan.checks.clone();
        plan_checks.extend(checks);
        let mut plan_other: Vec<Call> = plan.other.clone();
        plan_other.extend(stray);
        // The shell's own directory (`cd DIR` in the script), when it is an absolute path.
        let shell_dir = plan.workdir.clone().filter(|d| d.starts_with('/'));
        // The program: an absolute path, a relative one inside the directory it runs from
        // (start-stop-daemon runs it after its --chdir), or looked up on the host's PATH.
        let written = start.program.clone();
        let mut program = start.program.clone();
        if !program.starts_with('/') && program.contains('/') {
            let dir = if start.tool == "start-stop-daemon" {
                start
                    .chdir
                    .clone()
                    .filter(|d| d.starts_with('/'))
                    .or_else(|| shell_dir.clone())
            } else {
                shell_dir.clone()
            };
            program = absolute_in(&program, dir.as_deref()).ok_or_else(|| {
                format!(
                    "it starts `{program}` ({}), a path relative to the directory the script runs in, which the script does not set with `cd`",
                    super::shell::place(start.line)
                )
            })?;
        }
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
        let mut written = written;
        let mut args = start.args.clone();
        // A shell script on the host that only prepares and then `exec`s another program with
        // its arguments: the unit runs that program.
        if let Some(w) = self
            .host
            .read(&program)
            .ok()
            .and_then(|b| super::shell::exec_wrapper(&String::from_utf8_lossy(&b)))
            .filter(|w| self.host.is_executable(&w.target))
        {
            let guards = if w.guards.is_empty() {
                String::new()
            } else {
                format!(
                    "; its tests that end it without running {} are not kept: {}",
                    w.target,
                    w.guards
                        .iter()
                        .map(|g| format!("`{g}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            self.findings.push(Finding::approximated(
                Code::SysvExecWrapper,
                format!(
                    "{program} is a shell script that replaces itself with {} (`exec {} \"$@\"`); the unit runs {} with the script's arguments{guards}",
                    w.target, w.target, w.target
                ),
                "check that the tests listed hold where the unit should run (the toggle of a defaults file is the unit's enablement now)",
            ));
            program.clone_from(&w.target);
            written.clone_from(&w.target);
        }
        // A monitor that runs the daemon as its child: the unit runs the daemon itself.
        let monitored = super::under_systemd::monitor(&program).and_then(|m| {
            let (daemon, daemon_args) = monitored_daemon(m, &program, &start.args, self.host)?;
            Some((m, daemon, daemon_args))
        });
        // A control tool that starts the daemon in the background: the unit runs the daemon.
        let controlled = super::under_systemd::controller(&program).and_then(|c| {
            let (daemon, daemon_args) = controlled_daemon(c, &program, &start.args, self.host)?;
            Some((c, daemon, daemon_args))
        });
        if let Some((c, daemon, daemon_args)) = &controlled {
            self.findings.push(Finding::note(
                Code::SysvForeground,
                format!(
                    "the script starts {program} `{}`, a control tool that starts {daemon} in the background: {}; under systemd the unit runs {daemon} itself in the foreground",
                    c.command, c.why
                ),
                "nothing to do; systemd supervises the daemon process itself",
            ));
            program.clone_from(daemon);
            written.clone_from(daemon);
            args.clone_from(daemon_args);
        }
        if let Some((m, daemon, daemon_args)) = &monitored {
            self.findings.push(Finding::note(
                Code::SysvForeground,
                format!(
                    "the script starts {program}, a monitor that runs {daemon} and starts it again when it ends: {}; under systemd the unit runs {daemon} itself in the foreground, with Restart=always, and the monitor's pid file is not kept",
                    m.why
                ),
                "nothing to do; systemd supervises and restarts the daemon itself",
            ));
            program.clone_from(daemon);
            written.clone_from(daemon);
            args.clone_from(daemon_args);
            svc.restart = Restart::Always { delay_sec: None };
        }
        svc.command = match exec_command(&program, &written, &args) {
            Ok(c) => c,
            // `-P $(ip route … | awk …)`: computed at each start, by `sh`, as the script did.
            Err(why) => {
                let Some((script, computed)) = (written == program)
                    .then(|| super::start_time::start_script(&program, &args, interp))
                    .flatten()
                else {
                    return Err(why);
                };
                self.findings.push(Finding::approximated(
                    Code::SysvStartShell,
                    format!(
                        "the command line holds what the script computes when it starts the daemon, with commands that only read the system: {}; the unit computes it at each start too, running the command line with `/bin/sh -c 'exec …'`",
                        computed
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "nothing to do; if the value should be fixed, write it into ExecStart= instead",
                ));
                Command::Shell {
                    shell: "/bin/sh".to_string(),
                    script,
                }
            }
        };
        let mut dirs = plan.dirs.clone();
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
        } else if monitored.is_some() || controlled.is_some() {
            ServiceKind::Exec
        } else if let Some(known) = super::under_systemd::stays_in_foreground(&program) {
            self.findings.push(Finding::note(
                Code::SysvForeground,
                format!(
                    "{program} detaches when the script starts it, but not when systemd does: {}; Type=exec, not Type=forking",
                    known.why
                ),
                "nothing to do; systemd supervises the daemon process itself",
            ));
            ServiceKind::Exec
        } else {
            // The stop action signals through pid files, none of them the one the start
            // names: start-stop-daemon only checked that file for a running copy, and the
            // daemon writes another (psad's `--pidfile $PIDDIR/$NAME`, stopped through
            // `$PIDDIR/$process.pid`).
            let stop_files: Vec<Option<String>> = stop_calls
                .iter()
                .filter_map(|c| launch::stop_pid_file(c, interp))
                .collect();
            let normal = |p: &str| match p.strip_prefix("/var/run/") {
                Some(rest) => format!("/run/{rest}"),
                None => p.to_string(),
            };
            // A per-configuration loop's word in the stop's file stands for any name
            // (`for i in $PIDPREFIX*.pid`): it matches as a glob's `*`.
            let matches = |f: &str, p: &str| {
                let mut pattern = normal(f);
                for l in &interp.instance_loops {
                    pattern = pattern.replace(&l.token, "*");
                }
                super::shell::glob_match(&pattern, &normal(p))
            };
            // The daemon is told to write it (`-p "$PIDFILE"`): its file whatever the stop reads.
            let in_args = |p: &str| {
                start
                    .args
                    .iter()
                    .filter_map(|a| interp.resolve(a))
                    .any(|a| normal(&a).contains(&normal(p)))
            };
            let check_only = !start.make_pidfile
                && !stop_files.is_empty()
                && start.pid_file.as_deref().is_some_and(|p| {
                    !in_args(p)
                        && !stop_files
                            .iter()
                            .any(|f| f.as_deref().is_some_and(|f| matches(f, p)))
                });
            if check_only && let Some(p) = &start.pid_file {
                self.findings.push(Finding::approximated(
                    Code::SysvPidfileCheckOnly,
                    format!(
                        "{} checks {p} for a running copy, but the stop action signals through {}, never that file: the daemon is not known to write it, so the unit has no PIDFile=: systemd takes the process the daemon leaves running when it detaches as the main one",
                        start.tool,
                        stop_files
                            .iter()
                            .map(|f| f.clone().unwrap_or_else(|| "a file only a run names".to_string()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "nothing to do for a daemon that leaves one process; otherwise set PIDFile= to the file the daemon writes",
                ));
            }
            let pid_file = start
                .pid_file
                .clone()
                .filter(|_| !check_only)
                .or_else(|| self.head.pidfile.clone())
                .filter(|p| p.starts_with('/'))
                .filter(|p| self.framework_pid_file.as_ref().is_none_or(|f| f != p))
                // systemd rewrites /var/run to /run itself, with a warning.
                .map(|p| match p.strip_prefix("/var/run/") {
                    Some(rest) => format!("/run/{rest}"),
                    None => p,
                });
            // The daemon runs as another user from its first instruction (User=): a file
            // directly in /run, root's directory, is one it cannot create (coturn's
            // turnserver, `-c turnserver` and /var/run/turnserver.pid), and systemd would wait
            // for it until the start times out.
            let pid_file = match (pid_file, start.user.as_deref()) {
                (Some(p), Some(u))
                    if u != "root"
                        && u != "0"
                        && p.rsplit_once('/').is_some_and(|(d, _)| d == "/run") =>
                {
                    self.findings.push(Finding::approximated(
                        Code::SysvPidfileUnwritable,
                        format!(
                            "{} starts the daemon as {u} with the pid file {p}, directly in /run, which only root may write: under User={u} the daemon cannot create it, so the unit has no PIDFile= (systemd takes the process the daemon leaves running when it detaches as the main one)",
                            start.tool
                        ),
                        "nothing to do for a daemon that leaves one process; otherwise move its pid file into a directory of its own (RuntimeDirectory=) and set PIDFile= there",
                    ));
                    None
                }
                (p, _) => p,
            };
            // A pid file in its own directory under /run: that directory must exist at start.
            if let Some(dir) = pid_file
                .as_deref()
                .and_then(|p| p.rsplit_once('/'))
                .and_then(|(d, _)| is_run_dir(d))
                && !dirs.iter().any(|d| d.base == DirBase::Run && d.rel == dir)
            {
                dirs.push(PreparedDir {
                    base: DirBase::Run,
                    rel: dir,
                    user: None,
                    group: None,
                    mode: None,
                    computed_owner: None,
                });
            }
            if !start.uncertain_pid_file.is_empty() {
                self.findings.push(Finding::approximated(
                    Code::SysvPidfileUnknown,
                    format!(
                        "the pid file {} checks (${}) is one the script computes on some paths only (from a command's output, a file it reads, a fallback), so the unit has no PIDFile=: systemd takes the process the daemon leaves running when it detaches as the main one",
                        start.tool,
                        start.uncertain_pid_file.join(", $")
                    ),
                    "nothing to do for a daemon that leaves one process; otherwise set PIDFile= to the file the configuration names",
                ));
            }
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
            .filter(|d| d.starts_with('/'))
            .or_else(|| shell_dir.clone())
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
        if let Some((file, errors, truncates)) =
            start.redirect.as_ref().filter(|_| start.keeps_output)
        {
            // The shell opens the file in its own directory, before the starter runs (so
            // start-stop-daemon's --chdir does not count); `>` empties it at each start.
            let to = |p: String| {
                if *truncates {
                    Output::Truncate(p)
                } else {
                    Output::Append(p)
                }
            };
            match absolute_in(file, shell_dir.as_deref()) {
                Some(path) => {
                    svc.logging.stdout = Some(to(path.clone()));
                    // Standard error stays where the script's was (the console, under init;
                    // the journal under systemd), not systemd's default of following stdout.
                    svc.logging.stderr = Some(if *errors { to(path) } else { Output::Journal });
                }
                None => self.findings.push(Finding::dropped(
                    Code::SysvRelativeOutput,
                    format!(
                        "the start command's output goes to `{file}` ({}), a path relative to the directory the script runs in, which the script does not set with `cd`; the output goes to the journal instead",
                        super::shell::place(start.line)
                    ),
                    "add StandardOutput=append:/ABSOLUTE/PATH (and StandardError=) if the log file is still wanted",
                )),
            }
        }
        if let Some(out) = &start.output {
            if out.starts_with('/') {
                svc.logging.stdout = Some(Output::Append(out.clone()));
                svc.logging.stderr = Some(Output::Append(out.clone()));
            } else {
                self.findings.push(Finding::dropped(
                    Code::SysvRelativeOutput,
                    format!(
                        "start-stop-daemon refuses `--output {out}` ({}): the file must be an absolute path, so the script's start failed; the output goes to the journal instead",
                        super::shell::place(start.line)
                    ),
                    "add StandardOutput=append:/ABSOLUTE/PATH (and StandardError=) if a log file is wanted",
                ));
            }
        }
        if let Some(pipe) = start
            .logger
            .as_ref()
            .filter(|_| start.keeps_output && svc.logging.stdout.is_none())
        {
            let finding = super::logger::map(pipe, start.line, interp, &mut svc.logging);
            self.findings.push(finding);
        }
        for u in &start.unmapped {
            self.findings.push(Finding::dropped(
                Code::SysvUnmappedOption,
                format!("{} option `{u}` is not translated", start.tool),
                "set the equivalent by hand (RootDirectory= for --chroot) after checking what the daemon needs inside it",
            ));
        }
        // An owner computed at start is given by `ExecStartPre=`, which runs as `User=`.
        if start.user.is_some()
            && let Some(d) = plan.dirs.iter().find(|d| d.computed_owner.is_some())
        {
            return Err(format!(
                "it gives {} an owner only known at run time while the daemon runs as {}",
                d.path(),
                start.user.as_deref().unwrap_or_default()
            ));
        }
        if let Some(c) = &plan.lost_owner {
            return Err(format!(
                "it gives a directory an owner only known at run time: `{}` ({})",
                c.display(),
                super::shell::place(c.line)
            ));
        }
        let resolved_args: Vec<String> = start
            .args
            .iter()
            .flat_map(|a| {
                let v = interp.resolve(a).unwrap_or_default();
                match a {
                    Arg::Split(_) => v.split_whitespace().map(str::to_string).collect(),
                    Arg::Field(_) => vec![v],
                }
            })
            .collect();
        self.directories(svc, dirs, drops_to(&resolved_args));
        for check in &plan_checks {
            let Some(written) = check.program() else {
                continue;
            };
            let p = if written.starts_with('/') {
                written.clone()
            } else {
                program.clone()
            };
            if let Ok(cmd) = exec_command(&p, &written, &check.args[1..]) {
                svc.pre.push(cmd);
                self.findings.push(Finding::note(
                    Code::SysvConfigTest,
                    format!(
                        "`{}` ({}) runs before the daemon starts: ExecStartPre=",
                        check.display(),
                        super::shell::place(check.line)
                    ),
                    "nothing to do; a failing check stops the start as it did in the script",
                ));
            }
        }
        if !plan.running_guards.is_empty() {
            let mut lines = plan.running_guards.clone();
            lines.sort_unstable();
            lines.dedup();
            self.findings.push(Finding::note(
                Code::SysvRunningGuard,
                format!(
                    "the start action first checks whether the daemon is already running ({}); dropped: systemd does not start a unit that is already active",
                    super::shell::places(&lines)
                ),
                "nothing to do",
            ));
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
                    "start also runs `{}` ({}), which is not translated",
                    call.display(),
                    super::shell::place(call.line)
                ),
                "if the daemon needs it, add it as ExecStartPre= (prefix `+` to run it as root)",
            ));
        }
        self.stop(interp, svc, stop_calls, Some(&start));
        if let Some(calls) = reload_calls {
            self.reload(interp, svc, calls, &program, &start);
        }
        self.resolve_file_values(interp, svc)
    }

    /// Variables of the command lines whose value in a defaults file refers to other variables
    /// (`SOCKET=local:$RUNDIR/x.sock`): `EnvironmentFile=` does not expand them, so the value
    /// the shell computes on this host is written into the command line instead. A value only
    /// running the script could compute keeps the script wrapped.
    fn resolve_file_values(&mut self, interp: &Interp, svc: &mut Service) -> Result<(), String> {
        let mut used = Vec::new();
        vars_of(&svc.command, &mut used);
        for c in svc.pre.iter().chain(&svc.reload).chain(&svc.stop.command) {
            vars_of(c, &mut used);
        }
        used.sort();
        used.dedup();
        // `SRS_DOMAIN=`postconf -h mydomain`` before `[ -r /etc/default/x ] && . …` that does
        // not set it: the command line gets what the command prints, which the unit (reading
        // `$SRS_DOMAIN` from the defaults file) would not have.
        for v in &used {
            let Some(b) = interp.env.get(v.as_str()) else {
                continue;
            };
            let Some(computed) = b.script_default.iter().flatten().find_map(|p| match p {
                Part::Unknown(u) => Some(u),
                _ => None,
            }) else {
                continue;
            };
            let set_by_file = interp
                .sourced
                .iter()
                .any(|s| s.present && s.kind == SourceKind::Defaults && s.assigns.contains(v));
            if b.overridable && !set_by_file {
                return Err(format!(
                    "the command line expands ${v}, which the script sets to what {computed} gives when it runs, unless the defaults file sets it (on the host it does not), so its value is only known at run time"
                ));
            }
        }
        let mut resolved: Vec<(String, String)> = Vec::new();
        let mut unset = Vec::new();
        for v in &used {
            let Some(b) = interp.env.get(v.as_str()) else {
                continue;
            };
            let from_file = interp
                .sourced
                .iter()
                .find(|s| s.present && s.kind == SourceKind::Defaults && s.assigns.contains(v));
            let plain = b.value.iter().all(|p| matches!(p, Part::Lit(_)));
            let (Some(file), true, false) = (from_file, b.overridable, plain) else {
                continue;
            };
            match interp.value_unset_empty(v, &mut unset) {
                Some(value) => resolved.push((v.clone(), value)),
                None => {
                    return Err(format!(
                        "{} sets ${v} to a value that refers to other variables or commands, which EnvironmentFile= does not expand and this tool cannot compute",
                        file.path
                    ));
                }
            }
        }
        if resolved.is_empty() {
            return Ok(());
        }
        svc.command = substitute(&svc.command, &resolved);
        for c in svc
            .pre
            .iter_mut()
            .chain(svc.reload.iter_mut())
            .chain(svc.stop.command.iter_mut())
        {
            *c = substitute(c, &resolved);
        }
        self.findings.push(Finding::approximated(
            Code::SysvResolvedValue,
            format!(
                "the defaults file's {} refer to other variables, which EnvironmentFile= does not expand; their values on {} are written into the command line{}",
                resolved
                    .iter()
                    .map(|(n, v)| format!("{n}={v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.host.label(),
                if unset.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({} set by nothing the script reads, so empty, as the shell expands {})",
                        unset.iter().map(|u| format!("${u}")).collect::<Vec<_>>().join(", "),
                        if unset.len() == 1 { "it" } else { "them" }
                    )
                }
            ),
            "if you change these settings in the defaults file, convert the script again (or edit ExecStart=)",
        ));
        Ok(())
    }

    /// The directories the daemon needs: `RuntimeDirectory=`/`LogsDirectory=` when systemd's
    /// owner (`User=`/`Group=`, else root) and mode (0755) are the ones the script gave them;
    /// otherwise `ExecStartPre=/usr/bin/install -d -m M -o U -g G DIR`, since systemd gives
    /// its directories to `User=` again before every command (a `chown` after it is undone).
    /// A daemon that drops privileges itself (`-u USER`) gets its runtime directories owned by
    /// that user when the script names no owner.
    pub(super) fn directories(
        &mut self,
        svc: &mut Service,
        dirs: Vec<PreparedDir>,
        drops: Option<String>,
    ) {
        let mut runtime = Vec::new();
        let mut logs = Vec::new();
        let (mut runtime_mode, mut logs_mode) = (None, None);
        let mut prepared = Vec::new();
        for mut d in dirs {
            if let Some(owner) = &d.computed_owner {
                let mut install = "/usr/bin/install -d".to_string();
                if let Some(m) = d.mode {
                    install.push_str(&format!(" -m {m:04o}"));
                }
                let path = super::start_time::quote(&d.path());
                let script = format!(
                    "{}{install} {path} && {} {path}",
                    owner.assignments, owner.command
                );
                self.findings.push(Finding::approximated(
                    Code::SysvStartShell,
                    format!(
                        "the script gives {} an owner it computes at start with commands that only read the system ({}); ExecStartPre= creates the directory and gives it that owner at each start too, with `/bin/sh -c` (RuntimeDirectory= would give it to the unit's user instead); it is not removed at stop",
                        d.path(),
                        owner
                            .computed
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "nothing to do; a tmpfiles.d entry with the owner written out can create it at boot instead",
                ));
                prepared.push((
                    d.clone(),
                    Command::Shell {
                        shell: "/bin/sh".to_string(),
                        script,
                    },
                ));
                continue;
            }
            if d.user.is_none()
                && d.group.is_none()
                && d.base == DirBase::Run
                && svc.exec.user.is_none()
                && let Some(u) = &drops
            {
                d.user = Some(u.clone());
            }
            let unit_user = svc.exec.user.as_deref().unwrap_or("root");
            let unit_group = svc
                .exec
                .group
                .as_deref()
                .or(svc.exec.user.as_deref())
                .unwrap_or("root");
            let same_user = d
                .user
                .as_deref()
                .is_none_or(|u| u == unit_user || (u == "0" && unit_user == "root"));
            let same_group = d
                .group
                .as_deref()
                .is_none_or(|g| g == unit_group || (g == "0" && unit_group == "root"));
            // One mode for all of a tree's directories (`RuntimeDirectoryMode=`).
            let (mode_slot, taken) = match d.base {
                DirBase::Run => (&mut runtime_mode, &runtime),
                DirBase::Log => (&mut logs_mode, &logs),
            };
            let wanted = d.mode.filter(|m| *m != 0o755);
            let same_mode = match (wanted, *mode_slot) {
                (None, None) => true,
                (None, Some(_)) => false,
                (Some(_), None) => taken.is_empty(),
                (Some(m), Some(n)) => m == n,
            };
            if same_user && same_group && same_mode && wanted.is_some() {
                *mode_slot = wanted;
            }
            // Under User= the command cannot give a directory to another owner: systemd's is
            // the closest.
            if (same_user && same_group && same_mode) || svc.exec.user.is_some() {
                match d.base {
                    DirBase::Run => runtime.push(d.rel.clone()),
                    DirBase::Log => logs.push(d.rel.clone()),
                }
                if !(same_user && same_group && same_mode) {
                    self.findings.push(Finding::approximated(
                        Code::SysvPreparedDirectory,
                        format!("the script gives {} to {}{} but the unit runs as {unit_user}: systemd creates it owned by User= with mode 0755", d.path(), owner_text(&d), d.mode.map(|m| format!(" mode {m:04o}")).unwrap_or_default()),
                        "if other users need access, add RuntimeDirectoryMode=/LogsDirectoryMode= or a tmpfiles.d entry",
                    ));
                }
                continue;
            }
            let mut argv = vec!["/usr/bin/install".to_string(), "-d".to_string()];
            if let Some(m) = d.mode {
                argv.extend(["-m".to_string(), format!("{m:04o}")]);
            }
            if let Some(u) = &d.user {
                argv.extend(["-o".to_string(), u.clone()]);
            }
            if let Some(g) = &d.group {
                argv.extend(["-g".to_string(), g.clone()]);
            }
            argv.push(d.path());
            prepared.push((d, Command::Argv(argv)));
        }
        if !runtime.is_empty() {
            self.findings.push(Finding::note(
                Code::SysvRuntimeDirectory,
                format!("the daemon needs /run/{} at start (the script created it, or its pid file lives there); RuntimeDirectory= creates it, owned by User=, and removes it at stop", runtime.join(", /run/")),
                "nothing to do unless other programs expect the directory to survive a stop (then add RuntimeDirectoryPreserve=yes)",
            ));
        }
        if !logs.is_empty() {
            self.findings.push(Finding::note(
                Code::SysvLogsDirectory,
                format!("the script creates /var/log/{} for the daemon's logs; LogsDirectory= creates it, owned by User=", logs.join(", /var/log/")),
                "nothing to do",
            ));
        }
        for (i, (d, cmd)) in prepared.into_iter().enumerate() {
            if d.computed_owner.is_some() {
                svc.pre.insert(i, cmd);
                continue;
            }
            self.findings.push(Finding::note(
                Code::SysvPreparedDirectory,
                format!(
                    "the script gives {} to {}{}, not to the user the unit starts as, so ExecStartPre= creates it as the script did (RuntimeDirectory=/LogsDirectory= would give it back to the unit's user before every command); it is not removed at stop",
                    d.path(),
                    owner_text(&d),
                    d.mode.map(|m| format!(" with mode {m:04o}")).unwrap_or_default()
                ),
                "nothing to do; a tmpfiles.d entry can create it at boot instead",
            ));
            svc.pre.insert(i, cmd);
        }
        svc.exec.runtime_directories = runtime;
        svc.exec.logs_directories = logs;
        svc.exec.runtime_directory_mode = runtime_mode;
        svc.exec.logs_directory_mode = logs_mode;
    }

    /// A start command that hands the daemon's path to another program after its `--`
    /// (`spawn-fcgi … -- /usr/sbin/fcgiwrap`, behind `env -i …` or not): a launcher this tool
    /// does not read, so what the daemon runs with (its socket, user, children) is only the
    /// launcher's to say. The reason to wrap, naming both; `None` when no start command does
    /// that.
    fn unknown_launcher(&self, interp: &Interp, plan: &StartPlan) -> Option<String> {
        let daemons: Vec<String> = self
            .daemon_names(interp)
            .into_iter()
            .filter(|d| d.starts_with('/'))
            .collect();
        plan.other.iter().find_map(|c| {
            let words: Vec<String> = c
                .args
                .iter()
                .map(|a| interp.resolve(a).unwrap_or_default())
                .collect();
            // `env [-i] [NAME=VALUE…]` before the launcher.
            let mut at = 0;
            if words.first().is_some_and(|w| w == "env" || w.ends_with("/env")) {
                at = 1;
                while words
                    .get(at)
                    .is_some_and(|w| w.starts_with('-') || w.contains('='))
                {
                    at += 1;
                }
            }
            let launcher = words.get(at)?;
            // After the launcher's `--` (an interpreter running the daemon's script,
            // `ruby /usr/bin/thin start`, is no launcher).
            let dashes = words[at + 1..].iter().position(|w| w == "--")? + at + 1;
            let daemon = words[dashes + 1..].iter().find(|w| daemons.contains(w))?;
            (!daemons.contains(launcher)).then(|| {
                format!(
                    "its start action hands the daemon {daemon} to `{launcher}` ({}), a launcher this tool does not translate (what it gives the daemon, such as a socket, a user or several children, is only known to it)",
                    super::shell::place(c.line)
                )
            })
        })
    }

    /// A script that starts no daemon but runs commands once: `Type=oneshot`,
    /// `RemainAfterExit=yes`, the stop action's commands as `ExecStop=`. A program named by a
    /// variable (`$STARTER start`) is its value on the host, as for a daemon. A control program
    /// (`CTL start` … `CTL stop`) gives `Type=forking`; the stop action's removal of files and
    /// killing of what is left (`rm -f $PIDFILE`, `killall -9 $CHARON`) after `CTL stop` is
    /// what systemd does itself when it ends the service's processes, reported as dropped.
    pub(super) fn oneshot(
        &mut self,
        interp: &Interp,
        svc: &mut Service,
        plan: &StartPlan,
        stop_calls: &[Call],
        reload_calls: Option<&[Call]>,
    ) -> Result<(), String> {
        let steps: Vec<Call> = plan
            .checks
            .iter()
            .chain(&plan.other)
            .map(|c| program_resolved(c, interp))
            .collect();
        let stop_calls: Vec<Call> = stop_calls
            .iter()
            .map(|c| program_resolved(c, interp))
            .collect();
        let reload_calls: Option<Vec<Call>> =
            reload_calls.map(|cs| cs.iter().map(|c| program_resolved(c, interp)).collect());
        let reload_calls = reload_calls.as_deref();
        let mut commands = Vec::new();
        let shell_dir = plan.workdir.clone().filter(|d| d.starts_with('/'));
        for c in &steps {
            let cmd = plain_command(c, "start", c.background || c.redirected)?;
            let cmd = match self.unwrap_env(cmd, Some(svc)) {
                // `./bin/tool` runs in the shell's directory (and gets argv[0] `./bin/tool`).
                Command::Argv(a) if a[0].contains('/') && !a[0].starts_with('/') => {
                    let path = absolute_in(&a[0], shell_dir.as_deref()).ok_or_else(|| {
                        format!(
                            "its start action runs `{}` ({}), a path relative to the directory the script runs in, which the script does not set with `cd`",
                            a[0],
                            super::shell::place(c.line)
                        )
                    })?;
                    Command::exec(path, a)
                }
                other => other,
            };
            commands.push(cmd);
        }
        let stop_calls: Vec<&Call> = stop_calls
            .iter()
            .filter(|c| !is_harmless(&c.program().unwrap_or_default()))
            .collect();
        // `CTL start` … `CTL stop`: what else the stop action does after `CTL stop` to
        // files and leftover processes is systemd's own end of the service.
        let started = commands.last().and_then(|c: &Command| match c {
            Command::Argv(a) if a.len() >= 2 && a.last().is_some_and(|w| w == "start") => {
                Some(a[0].clone())
            }
            _ => None,
        });
        let control_stop = |c: &Call| {
            started.is_some()
                && c.program() == started
                && c.args.len() == 2
                && c.args[1]
                    .literal()
                    .is_some_and(|w| STOP_VERBS.contains(&w.as_str()))
        };
        let has_control_stop = stop_calls.iter().any(|c| control_stop(c));
        let mut stops = Vec::new();
        for c in stop_calls {
            let base = c.program().unwrap_or_default();
            let base = base.rsplit('/').next().unwrap_or_default();
            let ssd = base == "start-stop-daemon";
            if has_control_stop
                && !control_stop(c)
                && (ssd || matches!(base, "rm" | "kill" | "killall" | "pkill"))
            {
                self.findings.push(Finding::dropped(
                    Code::SysvStopStep,
                    format!(
                        "stop also runs `{}` ({}) after the control program's stop; not translated: systemd ends what is left of the service itself (SIGTERM, then SIGKILL after TimeoutStopSec=) and the pid file goes with the process",
                        c.display(),
                        super::shell::place(c.line)
                    ),
                    "if the service leaves processes or files that must go at once, add ExecStopPost=",
                ));
                continue;
            }
            if ssd {
                continue;
            }
            let cmd = plain_command(c, "stop", false)?;
            stops.push(self.unwrap_env(cmd, None));
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
        // `CTL start` … `CTL stop`: a control program that starts a daemon and returns.
        let argv_of = |c: &Command| match c {
            Command::Argv(a) | Command::Named { argv: a, .. } => Some(a.clone()),
            _ => None,
        };
        let control = match (argv_of(&last), stops.first().and_then(argv_of)) {
            (Some(a), Some(b)) => {
                a.len() >= 2
                    && b.len() >= 2
                    && last.program() == stops[0].program()
                    && a.last().is_some_and(|w| w == "start")
                    && b.last().is_some_and(|w| w.contains("stop"))
            }
            _ => false,
        };
        svc.pre = commands;
        svc.command = last;
        svc.kind = if control {
            self.findings.push(Finding::note(
                Code::SysvControlTool,
                "the script runs the daemon through its control program (`… start`, `… stop`); the unit does the same with Type=forking, so systemd follows the daemon it leaves running",
                "if the daemon can run in the foreground, run it directly in ExecStart= for better supervision",
            ));
            ServiceKind::Forking { pid_file: None }
        } else {
            ServiceKind::Oneshot {
                remain_after_exit: true,
            }
        };
        svc.stop.command = stops.pop();
        // A reload that runs one plain command (a control tool's `graceful`) keeps it.
        if let Some(calls) = reload_calls {
            let commands: Vec<Command> = calls
                .iter()
                .filter(|c| !is_harmless(&c.program().unwrap_or_default()))
                .filter(|c| !self.runs_itself(c) && c.function.is_none())
                .filter_map(literal_command)
                .map(|argv| self.unwrap_env(Command::Argv(argv), None))
                // Configuration tests before the reload are the control program's business.
                .filter(|c| {
                    !argv_of(c)
                        .is_some_and(|a| a.iter().skip(1).any(|w| TEST_FLAGS.contains(&w.as_str())))
                })
                .collect();
            if let [one] = commands.as_slice() {
                svc.reload = vec![one.clone()];
            } else {
                self.findings.push(Finding::note(
                    Code::SysvReloadRestarts,
                    "the reload action does not run one command this tool can read; no ExecReload= written, so `systemctl reload` fails where the script's reload worked",
                    "`systemctl restart` restarts it; add ExecReload= by hand if the service has a real reload",
                ));
            }
        }
        svc.exec.limits.clone_from(&plan.limits);
        svc.exec.umask = plan.umask;
        svc.exec.working_dir = shell_dir.filter(|d| d != "/").map(WorkingDir::Path);
        Ok(())
    }

    /// The stop action: the first signal and schedule of the calls that stop the daemon
    /// (`start-stop-daemon --stop`, `killproc`, `kill`) as `KillSignal=`/`TimeoutStopSec=`;
    /// the control program `start` ran, asked to stop (`CTL stop …`, or `start-stop-daemon
    /// --start --exec CTL -- stop …`), as `ExecStop=` ([`Self::control_stop`]); every other
    /// command reported as not translated.
    pub(super) fn stop(
        &mut self,
        interp: &Interp,
        svc: &mut Service,
        calls: &[Call],
        start: Option<&Start>,
    ) {
        let mut planned = false;
        for call in calls {
            if svc.stop.command.is_none()
                && let Some(start) = start
                && let Some(cmd) = control_stop(call, interp, svc, start)
            {
                self.findings.push(Finding::note(
                    Code::SysvControlTool,
                    format!(
                        "the script starts its daemon with `{} start` and stops it with `{}` ({}): ExecStop= runs that command, and systemd then ends what is left of the service",
                        start.program,
                        call.display(),
                        super::shell::place(call.line)
                    ),
                    "nothing to do",
                ));
                svc.stop.command = Some(cmd);
                continue;
            }
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
            let program = call.program().unwrap_or_default();
            let base = program.rsplit('/').next().unwrap_or("");
            if is_harmless(base)
                || base == "eval"
                || base == "rm"
                || launch::is_ssd(call, "--status")
            {
                continue;
            }
            self.findings.push(Finding::dropped(
                Code::SysvStopStep,
                format!(
                    "stop also runs `{}` ({}), which is not translated",
                    call.display(),
                    super::shell::place(call.line)
                ),
                "systemd stops the daemon by signal; if this step matters, add it as ExecStopPost=",
            ));
        }
    }

    pub(super) fn reload(
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
        // Commands on every path before those under conditions (a check's `$(ifconfig -a)`).
        let ordered = calls
            .iter()
            .filter(|c| !c.conditional)
            .chain(calls.iter().filter(|c| c.conditional));
        for call in signal_first.chain(ordered) {
            if let Some(plan) = launch::stop(call, interp) {
                if let Some(sig) = plan.signal {
                    // Configuration tests of the daemon before the signal stay in front of it:
                    // a broken configuration is not loaded.
                    let start_base = start.program.rsplit('/').next().unwrap_or("");
                    for c in calls.iter().take_while(|c| !std::ptr::eq(*c, call)) {
                        let Some(p) = c.program() else { continue };
                        let tests = c.args.iter().any(|a| {
                            a.literal()
                                .is_some_and(|w| TEST_FLAGS.contains(&w.as_str()))
                        });
                        if tests
                            && p.rsplit('/').next() == Some(start_base)
                            && let Ok(cmd) = exec_command(program, &p, &c.args[1..])
                        {
                            svc.reload.push(cmd);
                        }
                    }
                    svc.reload.push(Command::Expand {
                        program: "/bin/kill".to_string(),
                        argv0: None,
                        args: vec![
                            Word::Parts(vec![WordPart::Text(format!("-{sig}"))]),
                            Word::Split("MAINPID".to_string()),
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
            if is_harmless(&p) || self.runs_itself(call) || call.function.is_some() {
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
                && let Ok(cmd) = exec_command(&path, &p, &call.args[1..])
            {
                svc.reload = vec![cmd];
                return;
            }
        }
        self.findings.push(Finding::note(
            Code::SysvReloadRestarts,
            "the reload action does not signal the daemon or run a reload command (it restarts it, does nothing, or does something this tool cannot read); no ExecReload= written, so `systemctl reload` fails",
            "`systemctl restart` does the same; add ExecReload= if the daemon has a real reload",
        ));
    }

    /// Whether `call` runs this script again (`$0 stop`, `/etc/init.d/NAME start`,
    /// `service NAME restart`, `invoke-rc.d NAME restart`): a restart, not a command of its own.
    fn runs_itself(&self, call: &Call) -> bool {
        let Some(p) = call.program() else {
            return false;
        };
        let base = p.rsplit('/').next().unwrap_or(&p);
        if p == self.path || (p.contains("/init.d/") && super::unit_stem(&p) == self.name) {
            return true;
        }
        matches!(base, "service" | "invoke-rc.d")
            && call.args.get(1).and_then(Arg::literal).as_deref() == Some(self.name.as_str())
    }

    pub(super) fn wrap(&mut self, svc: &mut Service, has_reload: bool) {
        let path = self.path.clone();
        svc.command = Command::Argv(vec![path.clone(), "start".to_string()]);
        svc.pre.clear();
        svc.stop = crate::ir::Stop {
            signal: None,
            timeout_sec: Some(300),
            command: Some(Command::Argv(vec![path.clone(), "stop".to_string()])),
            scope: None,
        };
        svc.start_timeout_sec = Some(300);
        svc.reload = if has_reload {
            vec![Command::Argv(vec![path.clone(), "reload".to_string()])]
        } else {
            Vec::new()
        };
        svc.kind = ServiceKind::Script {
            pid_file: self.head.pidfile.clone().filter(|p| p.starts_with('/')),
            lsb: self.head.lsb,
        };
        svc.exec = crate::ir::ExecContext::default();
        svc.logging = crate::ir::Logging::default();
        // The script reads its own defaults file; nothing else to pass.
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
                    | Code::SysvDefaultsChoice
                    | Code::SysvRelativeOutput
                    | Code::SysvResolvedValue
                    | Code::SysvForeground
                    | Code::SysvPreparedDirectory
                    | Code::SysvLogsDirectory
                    | Code::SysvRunningGuard
                    | Code::SysvUndecidedTest
                    | Code::SysvExecWrapper
            )
        });
    }

    /// `EnvironmentFile=` for sourced defaults, `Environment=` for the script's own values of
    /// the variables the command reads from them, and exported variables.
    pub(super) fn environment(&mut self, interp: &Interp, svc: &mut Service) {
        if matches!(svc.kind, ServiceKind::Script { .. }) {
            return;
        }
        let mut used = Vec::new();
        vars_of(&svc.command, &mut used);
        for c in svc.pre.iter().chain(&svc.reload).chain(&svc.stop.command) {
            vars_of(c, &mut used);
        }
        used.retain(|v| v != "MAINPID");
        used.sort();
        used.dedup();
        for v in &used {
            let default = interp
                .env
                .get(v.as_str())
                .and_then(|b| b.script_default.clone())
                .or_else(|| interp.var_defaults.get(v).cloned());
            if let Some(parts) = default {
                // `${CONFIG:-/etc/bacula/$NAME.conf}`: the default's own variables as the
                // script has them (systemd does not expand inside Environment=).
                let text = interp.resolve(&Arg::Field(parts));
                if let Some(t) = text.filter(|t| !t.is_empty()) {
                    svc.exec.environment.push(EnvVar::new(v.clone(), t));
                }
            }
        }
        for name in &interp.exported {
            if name == "PATH" || used.contains(name) || self.clean_environment.get() {
                continue;
            }
            if let Some(b) = interp.env.get(name.as_str())
                && !b.overridable
                && let Some(v) = interp.value(name)
            {
                svc.exec.environment.push(EnvVar::new(name.clone(), v));
            }
        }
        for s in &interp.sourced {
            if !matches!(s.kind, SourceKind::Defaults | SourceKind::Instance) {
                continue;
            }
            // A file per configuration: `%I` where the loop puts the configuration's name.
            let path = match s.kind {
                SourceKind::Instance => interp
                    .instance_loops
                    .iter()
                    .find_map(|l| super::instance_settings::per_instance_path(&s.path, &l.token)),
                _ => None,
            }
            .unwrap_or_else(|| crate::ir::EnvFilePath::Fixed(s.path.clone()));
            if svc.exec.environment_files.iter().any(|f| f.path == path) {
                continue;
            }
            // Only the service's own settings: a file named after it, or one that sets (or,
            // missing here, may set) a variable its commands read. RHEL's
            // /etc/sysconfig/network and the like are not passed on.
            let base = s.path.rsplit('/').next().unwrap_or("");
            let own = base == self.name
                || ["NAME", "prog"]
                    .iter()
                    .any(|v| interp.value(v).as_deref() == Some(base));
            let feeds = if s.present {
                s.assigns.iter().any(|a| used.contains(a))
            } else {
                !used.is_empty()
            };
            if !own && !feeds {
                continue;
            }
            svc.exec.environment_files.push(EnvFile {
                path,
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
}

/// A value as the shell writes it, for messages: literal text as it is, a variable as `$NAME`
/// (`${NAME}` only where a name character follows), anything only a run knows as written.
fn shell_text(parts: &[Part]) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        match p {
            Part::Lit(s) => out.push_str(s),
            Part::Unknown(u) => out.push_str(u),
            Part::Var(v) => {
                let glued = match parts.get(i + 1) {
                    Some(Part::Lit(next)) => next
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_'),
                    _ => false,
                };
                if glued {
                    out.push_str(&format!("${{{v}}}"));
                } else {
                    out.push('$');
                    out.push_str(v);
                }
            }
        }
    }
    out
}
