//! What an init script's actions do to its daemon, turned into the service: the start
//! command and how it detaches, preparation steps, stop signal and timeout, reload, the
//! environment from defaults files, and the wrapper when none of that can be read safely.

use super::launch::{self, Start};
use super::shell::{Arg, Call, Interp, Part, SourceKind};
use super::{Conversion, is_harmless};
use crate::finding::{Code, Finding};
use crate::ir::{
    Command, EnvFile, EnvVar, Limit, Output, Resource, Service, ServiceKind, Word, WordPart,
    WorkingDir,
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
        function: None,
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

/// What the `start` action does, sorted.
#[derive(Default)]
pub(super) struct StartPlan {
    pub(super) launches: Vec<Result<Start, String>>,
    /// Calls of the daemon besides the launch (configuration tests).
    pub(super) checks: Vec<Call>,
    pub(super) runtime_dirs: Vec<String>,
    /// `user[:group]` the script gave those directories.
    pub(super) runtime_owner: Option<String>,
    pub(super) limits: Vec<Limit>,
    pub(super) umask: Option<u32>,
    pub(super) workdir: Option<String>,
    pub(super) lock_files: bool,
    /// Other commands that change something.
    pub(super) other: Vec<Call>,
    /// Calls of shell functions of the script (or of files it sources, or of its framework)
    /// that the reading could not inline: what they run is unknown.
    pub(super) functions: Vec<Call>,
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
                            WordPart::Var(_) | WordPart::Instance => String::new(),
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

pub(super) fn vars_of(cmd: &Command, out: &mut Vec<String>) {
    if let Command::Expand { args, .. } = cmd {
        for w in args {
            match w {
                Word::Split(v) => out.push(v.clone()),
                Word::Parts(p) => out.extend(p.iter().filter_map(|x| match x {
                    WordPart::Var(v) => Some(v.clone()),
                    WordPart::Text(_) | WordPart::Instance => None,
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
            plan.launches.push(start);
            return;
        }
        // Other start-stop-daemon calls (`--stop`, `--status`, `--start --test`) only probe.
        if base == "start-stop-daemon" {
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
                for t in &targets {
                    if let Some(d) = is_run_dir(t)
                        && !plan.runtime_dirs.contains(&d)
                    {
                        plan.runtime_dirs.push(d);
                    }
                }
                // Who should own it: `chown U[:G] DIR`, `install -o U -g G DIR`.
                let owner = match base.as_str() {
                    "chown" => targets.first().map(|o| (*o).clone()),
                    "install" => {
                        let at = |flag: &str| {
                            words
                                .iter()
                                .position(|w| w == flag)
                                .and_then(|i| words.get(i + 1))
                                .cloned()
                        };
                        match (at("-o"), at("-g")) {
                            (Some(u), Some(g)) => Some(format!("{u}:{g}")),
                            (Some(u), None) => Some(u),
                            (None, Some(g)) => Some(format!(":{g}")),
                            (None, None) => None,
                        }
                    }
                    _ => None,
                };
                if let Some(o) = owner.filter(|o| !o.starts_with("root") && !o.starts_with('-')) {
                    plan.runtime_owner = Some(o);
                }
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
        if is_harmless(&base) || base == "kill" && words.get(1).map(String::as_str) == Some("-0") {
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
            return Err(format!(
                "it sources {} (line {}), which is not on the host, so its functions and settings are unknown",
                s.path, s.line
            ));
        }
        if let Some(c) = plan.functions.first() {
            return Err(function_reason(c, &self.path, "start"));
        }
        if plan.launches.is_empty() {
            return self.oneshot(svc, plan, stop_calls, reload_calls);
        }
        let (start, checks, stray) = pick_launch(&plan.launches)?;
        if start.in_loop {
            return Err(format!(
                "it starts {} in a loop ({}), once per configuration",
                start.program,
                super::shell::place(start.line)
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
        svc.command = exec_command(&program, &written, &start.args)?;
        let mut runtime_dirs = plan.runtime_dirs.clone();
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
                .filter(|p| p.starts_with('/'))
                .filter(|p| self.framework_pid_file.as_ref().is_none_or(|f| f != p))
                // systemd rewrites /var/run to /run itself, with a warning.
                .map(|p| match p.strip_prefix("/var/run/") {
                    Some(rest) => format!("/run/{rest}"),
                    None => p,
                });
            // A pid file in its own directory under /run: that directory must exist at start.
            if let Some(dir) = pid_file
                .as_deref()
                .and_then(|p| p.rsplit_once('/'))
                .and_then(|(d, _)| is_run_dir(d))
                && !runtime_dirs.contains(&dir)
            {
                runtime_dirs.push(dir);
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
        if let Some((file, errors)) = start.redirect.as_ref().filter(|_| start.keeps_output) {
            // The shell opens the file in its own directory, before the starter runs (so
            // start-stop-daemon's --chdir does not count).
            match absolute_in(file, shell_dir.as_deref()) {
                Some(path) => {
                    svc.logging.stdout = Some(Output::Append(path.clone()));
                    if *errors {
                        svc.logging.stderr = Some(Output::Append(path));
                    }
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
        for u in &start.unmapped {
            self.findings.push(Finding::dropped(
                Code::SysvUnmappedOption,
                format!("{} option `{u}` is not translated", start.tool),
                "set the equivalent by hand (RootDirectory= for --chroot) after checking what the daemon needs inside it",
            ));
        }
        if !runtime_dirs.is_empty() {
            self.findings.push(Finding::note(
                Code::SysvRuntimeDirectory,
                format!("the daemon needs /run/{} at start (the script created it, or its pid file lives there); RuntimeDirectory= creates it, owned by User=, and removes it at stop", runtime_dirs.join(", /run/")),
                "nothing to do unless other programs expect the directory to survive a stop (then add RuntimeDirectoryPreserve=yes)",
            ));
            // Without User= systemd creates it for root: give it to the owner the script chose.
            if let Some(owner) = plan
                .runtime_owner
                .as_ref()
                .filter(|_| svc.exec.user.is_none())
            {
                let mut argv = vec!["/bin/chown".to_string(), owner.clone()];
                argv.extend(runtime_dirs.iter().map(|d| format!("/run/{d}")));
                svc.pre.insert(0, Command::Argv(argv));
            }
        }
        svc.exec.runtime_directories = runtime_dirs;
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
        self.stop(interp, svc, stop_calls);
        if let Some(calls) = reload_calls {
            self.reload(interp, svc, calls, &program, &start);
        }
        Ok(())
    }

    /// A script that starts no daemon but runs commands once: `Type=oneshot`,
    /// `RemainAfterExit=yes`, the stop action's commands as `ExecStop=`.
    pub(super) fn oneshot(
        &mut self,
        svc: &mut Service,
        plan: &StartPlan,
        stop_calls: &[Call],
        reload_calls: Option<&[Call]>,
    ) -> Result<(), String> {
        let steps: Vec<&Call> = plan.checks.iter().chain(&plan.other).collect();
        let mut commands = Vec::new();
        let shell_dir = plan.workdir.clone().filter(|d| d.starts_with('/'));
        for c in steps {
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
        let mut stops = Vec::new();
        for c in stop_calls {
            let program = c.program().unwrap_or_default();
            if is_harmless(&program) || program.ends_with("start-stop-daemon") {
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

    pub(super) fn stop(&mut self, interp: &Interp, svc: &mut Service, calls: &[Call]) {
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
        for call in signal_first.chain(calls.iter()) {
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
            if name == "PATH" || used.contains(name) || self.clean_environment.get() {
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
}
