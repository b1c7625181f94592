//! One action of a script that starts no daemon, run by its shell's `-c` as the script runs it
//! (the shell of its `#!` line, [`super::interpreter`]: `/bin/sh`, `/bin/bash`): for
//! one-shot setup scripts whose commands are under conditions or in loops over values only the
//! running system knows (a `cpufreq-set` per CPU of `/proc/stat`, `modprobe` of the modules not
//! yet loaded, `echo idle` into every array's `sync_action`). No unit directive expresses a loop,
//! and the script's own commands are the substance, so the unit runs exactly them, as
//! `/etc/init.d/NAME ACTION` would:
//!
//! - `set -- ACTION`, so `$1` is what init passed;
//! - the script's top level before its dispatching `case`, as written, in order (its
//!   assignments, `set -e`, sourcing `/lib/lsb/init-functions` and its defaults file, its
//!   guards), with only those of its function definitions that the text calls;
//! - the action's `case` arm, as written;
//! - the top level after the `case` (`exit 0`).
//!
//! The defaults file is read by the shell when the unit starts, as the script reads it. A
//! function of a library the host does not have, or `$0` (the script's own path, which the
//! shell is not), keeps the script wrapped, with the reason.

use super::shell::{self, Interp};
use crate::host::Host;
use brush_parser::ast;

/// What runs in the shell, and the lines of the script it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellAction {
    /// The text for `sh -c`, one command per line.
    pub script: String,
    /// The line of the action's `case` arm.
    pub arm_line: u32,
    /// The top level's lines before and after the `case` (first, last), when it has any.
    pub top_lines: Option<(u32, u32)>,
    /// The script's functions the text defines, with their lines.
    pub functions: Vec<(String, u32)>,
    /// Where the text uses `$0` (the script's own path), as the report says them (`its
    /// `start` arm (line 12)`, `the top level (line 24)`, `check (line 40)`); when not empty,
    /// the shell is given the script's path as its `$0`.
    pub own_path: Vec<String>,
}

/// Whether shell text expands `$0` (`$0`, `"$0"`, `${0}`, `${0##*/}`, …), outside single
/// quotes (awk's `'{print $0}'` is awk's) and not escaped (`\$0`).
fn uses_own_path(text: &str) -> bool {
    let b = text.as_bytes();
    let (mut i, mut double) = (0, false);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'\'' if !double => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'"' => double = !double,
            b'$' if b.get(i + 1) == Some(&b'0')
                || (b.get(i + 1) == Some(&b'{') && b.get(i + 2) == Some(&b'0')) =>
            {
                return true;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// The shell text of `action` of `program` (the script at `path` on `host`), or why it cannot
/// be written.
///
/// # Errors
/// A sentence saying why only the script can run the action (see the module documentation).
pub fn shell_action(
    program: &ast::Program,
    host: &Host,
    path: &str,
    action: &str,
) -> Result<ShellAction, String> {
    let mut interp = Interp::new(host, path, vec![action.to_string()]);
    interp.decide_defaults = true;
    interp.run_top(program);
    let case = interp
        .case
        .ok_or_else(|| "no `case \"$1\"` with the action was found".to_string())?;
    let arm =
        shell::arm_for(case, action).ok_or_else(|| format!("the script has no {action} action"))?;
    let body = arm
        .cmd
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let items: Vec<&ast::CompoundListItem> = program
        .complete_commands
        .iter()
        .flat_map(|l| &l.0)
        .collect();
    let at = items
        .iter()
        .position(|i| is_the_case(i, case))
        .ok_or_else(|| "its `case \"$1\"` is not at the script's top level".to_string())?;
    // The top level as written; function definitions held back until known to be called.
    let mut top: Vec<Top> = Vec::new();
    let mut top_lines: Option<(u32, u32)> = None;
    for (i, item) in items.iter().enumerate() {
        if i == at {
            top.push(Top::Arm);
            continue;
        }
        let line = line_of_and_or(&item.0);
        top_lines = Some(top_lines.map_or((line, line), |(a, b)| (a.min(line), b.max(line))));
        if let Some(name) = function_name(item) {
            top.push(Top::Function(name, item, std::cell::OnceCell::new()));
        } else {
            top.push(Top::Text(item_text(item)));
        }
    }
    // The functions the text calls, and those they call.
    let mut called: Vec<String> = Vec::new();
    let mut pending: Vec<String> = words(&body);
    for t in &top {
        if let Top::Text(text) = t {
            pending.extend(words(text));
        }
    }
    while let Some(w) = pending.pop() {
        if called.contains(&w) {
            continue;
        }
        let Some(file) = interp.function_of(&w) else {
            continue;
        };
        if file != path {
            // A library the text sources defines it: a helper library of the distribution
            // (LSB's `init-functions`, which every Debian host has), or one on the host.
            let helper = interp
                .sourced
                .iter()
                .any(|s| s.path == file && s.kind == shell::SourceKind::Library);
            if helper || host.exists(file) {
                continue;
            }
            return Err(format!(
                "its {action} action calls `{w}`, a shell function of {file}, which is not on {}",
                host.label()
            ));
        }
        called.push(w.clone());
        for t in &top {
            if let Top::Function(name, item, text) = t
                && *name == w
            {
                pending.extend(words(text.get_or_init(|| item_text(item))));
            }
        }
    }
    let mut text = vec![format!("set -- {action}")];
    let mut functions = Vec::new();
    for t in &top {
        match t {
            Top::Arm => text.push(body.clone()),
            Top::Text(t) => text.push(t.clone()),
            Top::Function(name, item, t) if called.contains(name) => {
                text.push(t.get_or_init(|| item_text(item)).clone());
                if !functions.iter().any(|(n, _): &(String, u32)| n == name) {
                    functions.push((name.clone(), interp.function_line(name).unwrap_or(0)));
                }
            }
            Top::Function(..) => {}
        }
    }
    let script = text
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    // `$0`: the path the script is run by, `/etc/init.d/NAME` in every documented way of
    // running it; the unit's shell is given it as its `$0`, and the places that use it are said.
    let mut own_path = Vec::new();
    if uses_own_path(&body) {
        own_path.push(format!(
            "its `{action}` arm (line {})",
            line_of_case_item(arm)
        ));
    }
    for (item, t) in items.iter().zip(&top) {
        match t {
            Top::Text(text) if uses_own_path(text) => {
                own_path.push(format!("the top level (line {})", line_of_and_or(&item.0)));
            }
            Top::Function(name, _, text)
                if called.contains(name) && text.get().is_some_and(|t| uses_own_path(t)) =>
            {
                own_path.push(format!(
                    "{name} (line {})",
                    interp.function_line(name).unwrap_or(0)
                ));
            }
            _ => {}
        }
    }
    Ok(ShellAction {
        script,
        arm_line: line_of_case_item(arm),
        top_lines,
        functions,
        own_path,
    })
}

/// One top-level item of the script, in order.
enum Top<'p> {
    /// The dispatching `case`, replaced by the action's arm.
    Arm,
    /// A function definition: its name, the item, and its text once a called function's text
    /// is needed (most functions of a script are never called by the one action).
    Function(
        String,
        &'p ast::CompoundListItem,
        std::cell::OnceCell<String>,
    ),
    Text(String),
}

/// The name of the function a top-level item defines.
fn function_name(item: &ast::CompoundListItem) -> Option<String> {
    if !item.0.additional.is_empty() {
        return None;
    }
    match item.0.first.seq.as_slice() {
        [ast::Command::Function(f)] => Some(f.fname.value.clone()),
        _ => None,
    }
}

/// A top-level item as shell text, with `&` when the script runs it in the background.
fn item_text(item: &ast::CompoundListItem) -> String {
    let text = item.0.to_string();
    if matches!(item.1, ast::SeparatorOperator::Async) {
        format!("{} &", text.trim_end())
    } else {
        text
    }
}

/// Whether the top-level item is the dispatching `case`.
fn is_the_case(item: &ast::CompoundListItem, case: &ast::CaseClauseCommand) -> bool {
    item.0.additional.is_empty()
        && matches!(
            item.0.first.seq.as_slice(),
            [ast::Command::Compound(ast::CompoundCommand::CaseClause(c), _)] if std::ptr::eq(c, case)
        )
}

fn line_of_and_or(ao: &ast::AndOrList) -> u32 {
    use brush_parser::ast::SourceLocation;
    ao.location()
        .map_or(0, |s| u32::try_from(s.start.line).unwrap_or(0))
}

fn line_of_case_item(item: &ast::CaseItem) -> u32 {
    use brush_parser::ast::SourceLocation;
    item.patterns
        .first()
        .and_then(SourceLocation::location)
        .map_or(0, |s| u32::try_from(s.start.line).unwrap_or(0))
}

/// The identifiers of `text` (candidate function names).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// Programs that leave a process running after they return: a daemon started this way is not
/// a one-shot setup step, and a shell action would leave it unsupervised in the unit's cgroup.
const LAUNCHERS: &[&str] = &[
    "start_daemon",
    "daemon",
    "startproc",
    "nohup",
    "setsid",
    "daemonize",
];

/// Programs a stop action ends processes with: a script that stops this way started a process
/// that kept running.
const KILLERS: &[&str] = &["kill", "killall", "pkill", "killproc"];

/// Whether `text` (an action's shell text) starts a process that outlives it, and how: a
/// launcher ([`LAUNCHERS`], `start-stop-daemon --start`), a command put in the background with
/// `&` (also inside a quoted `su -c "… &"`), or a stop action (`calls`, as the reading resolved
/// them) that ends processes ([`KILLERS`], `start-stop-daemon --stop`). `None` when none of
/// these shows.
pub fn long_running(text: &str, calls: &[shell::Call], daemon: &str) -> Option<String> {
    let tokens = brush_parser::tokenize_str(text).ok()?;
    let mut words: Vec<&str> = Vec::new();
    // The pipeline before an `&`, as written (redirections and pipes kept).
    let mut pipeline: Vec<String> = Vec::new();
    // After a redirection operator, the next word is its target (`2>&1`, `>/dev/null`).
    let mut glue = false;
    for t in &tokens {
        match t {
            brush_parser::Token::Operator(op, _) if op == "&" => {
                let shown = pipeline.join(" ");
                return Some(if shown.is_empty() || shown.len() > 160 {
                    "a command in the background (`&`)".to_string()
                } else {
                    format!("a command in the background (`{shown} &`)")
                });
            }
            brush_parser::Token::Word(w, _) => {
                words.push(w);
                match pipeline.last_mut() {
                    Some(last) if glue => last.push_str(w),
                    _ => pipeline.push(w.clone()),
                }
                glue = false;
            }
            brush_parser::Token::Operator(op, _) if op == "|" => {
                pipeline.push(op.clone());
                glue = false;
            }
            brush_parser::Token::Operator(op, _)
                if matches!(op.as_str(), ">" | ">>" | "<" | ">&" | "<&" | ">|" | "&>") =>
            {
                // A descriptor number written before it (`2>&1`) is part of it.
                match pipeline.last_mut() {
                    Some(last) if last.chars().all(|c| c.is_ascii_digit()) => last.push_str(op),
                    _ => pipeline.push(op.clone()),
                }
                glue = true;
            }
            brush_parser::Token::Operator(..) => {
                pipeline.clear();
                glue = false;
            }
        }
    }
    for (at, w) in words.iter().enumerate() {
        let bare = w.trim_matches(|c| c == '"' || c == '\'');
        let base = bare.rsplit('/').next().unwrap_or(bare);
        if LAUNCHERS.contains(&base) {
            return Some(format!("`{base}`"));
        }
        if (w.starts_with('"') || w.starts_with('\''))
            && bare.trim_end().ends_with('&')
            && !bare.trim_end().ends_with("&&")
        {
            // `su -c "… &" - USER`: a login shell of USER runs it (its profile, its PATH, the
            // PAM session), which User= alone does not reproduce.
            let su = at >= 2
                && words[at - 1] == "-c"
                && words[..at - 1]
                    .iter()
                    .rev()
                    .find(|x| !x.starts_with('-'))
                    .is_some_and(|x| x.rsplit('/').next() == Some("su"));
            if su {
                let login = words[..at]
                    .iter()
                    .chain(&words[at + 1..])
                    .any(|x| matches!(*x, "-" | "-l" | "--login"));
                let user = words[at + 1..]
                    .iter()
                    .find(|x| !x.starts_with('-'))
                    .map_or("root", |u| u);
                return Some(format!(
                    "a command in the background (`{bare}`) inside `su -c`, run by {} of {user} (with its own environment, PATH and PAM session, which User= does not reproduce exactly)",
                    if login { "a login shell" } else { "the shell" }
                ));
            }
            return Some(format!("a command in the background (`{bare}`)"));
        }
    }
    let ssd = words
        .iter()
        .any(|w| w.rsplit('/').next() == Some("start-stop-daemon"));
    if ssd && words.iter().any(|w| *w == "--start" || *w == "-S") {
        return Some("`start-stop-daemon --start`".to_string());
    }
    let _ = daemon;
    calls
        .iter()
        .filter_map(|c| {
            let p = c.program()?;
            let base = p.rsplit('/').next().unwrap_or(&p).to_string();
            let args = c.display();
            let kills = KILLERS.contains(&base.as_str())
                || (base == "start-stop-daemon"
                    && args.split_whitespace().any(|w| w == "--stop" || w == "-K"));
            kills.then(|| format!("its stop action ends processes with `{base}`"))
        })
        .next()
}

/// `run-parts [--arg=A …] DIR` among `calls` (the start action's) where a script of DIR on
/// `host` starts a process that outlives it ([`long_running`]: jabberd2's
/// `component.d/10router`, each a small init script running `start-stop-daemon --start`): the
/// daemons are started by files the unit's text does not show, and would run unsupervised in
/// a one-shot unit, so the reason it stays wrapped. run-parts runs the executables whose names
/// are made of letters, digits, `_` and `-` only.
fn run_parts_daemon(calls: &[shell::Call], host: &Host) -> Option<String> {
    calls.iter().find_map(|c| {
        let argv = super::daemon::literal_command(c)?;
        if argv.first()?.rsplit('/').next() != Some("run-parts") {
            return None;
        }
        let dir = argv.iter().skip(1).rfind(|a| !a.starts_with('-'))?;
        if !dir.starts_with('/') {
            return None;
        }
        host.list_dir(dir).into_iter().find_map(|name| {
            let runs = !name.is_empty()
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-');
            let file = format!("{dir}/{name}");
            if !runs || !host.is_executable(&file) {
                return None;
            }
            let text = String::from_utf8_lossy(&host.read(&file).ok()?).into_owned();
            let how = long_running(&text, &[], "")?;
            Some(format!(
                "its start action runs the scripts of {dir} with run-parts ({}), and {file} starts a program that keeps running ({how}), which in a one-shot unit would run unsupervised: only the script can express it",
                shell::place(c.line)
            ))
        })
    })
}

impl super::Conversion<'_> {
    /// A one-shot script whose commands run under conditions or in loops: `Type=oneshot`,
    /// `RemainAfterExit=yes`, `ExecStart=SHELL -c` with the start action ([`shell_action`]; the
    /// shell and options of the script's `#!` line, [`super::interpreter`];
    /// `/bin/true` when it runs nothing but printing), `ExecStop=` likewise for a stop action
    /// that does something, `ExecReload=` for a reload action; reported as `sysv-shell-action`.
    ///
    /// # Errors
    /// Why an action cannot be run this way.
    pub(super) fn shell_oneshot(
        &mut self,
        program: &ast::Program,
        svc: &mut crate::ir::Service,
        interp: &Interp,
        plan: &super::daemon::StartPlan,
        stop_calls: &[shell::Call],
        reload: bool,
    ) -> Result<(), String> {
        use crate::ir::{Command, ServiceKind};
        let acts = |c: &shell::Call| {
            c.program()
                .is_none_or(|p: String| !super::is_harmless(&p) && p != "exit" && p != "return")
        };
        let starts = plan.checks.iter().chain(&plan.other).any(acts);
        let stops = stop_calls.iter().any(acts);
        // The shell the script's `#!` line names, with the options it sets; `SHELL -c TEXT
        // PATH` where the text uses `$0`: the shell's `$0` is PATH, the script's own path, as
        // when systemd-sysv-generator's unit (or `service NAME`) runs `/etc/init.d/NAME ACTION`.
        let (interpreter, line) = self.interpreter.clone()?;
        let runs = interpreter.described(&line);
        let path = self.path.clone();
        let shell = |a: &ShellAction| {
            if a.own_path.is_empty() {
                Command::Shell {
                    shell: interpreter.shell.clone(),
                    script: interpreter.text(&a.script),
                }
            } else {
                Command::Argv(vec![
                    interpreter.shell.clone(),
                    "-c".to_string(),
                    interpreter.text(&a.script),
                    path.clone(),
                ])
            }
        };
        let mut ran = Vec::new();
        // The start action as the shell would run it: `/bin/true` only when it calls nothing
        // (no function of the script, no command the reading counts as acting).
        let start_text = shell_action(program, self.host, &self.path, "start").ok();
        let calls: Vec<shell::Call> = stop_calls.to_vec();
        // A tool that starts a daemon and that the stop action runs again to end it: the
        // shell's text runs as Type=forking, so systemd follows what the tool leaves running.
        let start_calls: Vec<shell::Call> =
            plan.checks.iter().chain(&plan.other).cloned().collect();
        let tool = super::control_tool::find(&start_calls, stop_calls, interp, self.host);
        if tool.is_none()
            && let Some(a) = &start_text
            && let Some(how) = long_running(&a.script, &calls, &self.name)
        {
            return Err(format!(
                "its start action starts a program that keeps running ({how}) under conditions or in a loop, which only the script can express"
            ));
        }
        if tool.is_none()
            && let Some(why) = run_parts_daemon(&start_calls, self.host)
        {
            return Err(why);
        }
        let start = match start_text {
            Some(a) if starts || !a.functions.is_empty() => {
                let c = shell(&a);
                ran.push(("start", a));
                c
            }
            _ if starts => {
                let a = shell_action(program, self.host, &self.path, "start")?;
                let c = shell(&a);
                ran.push(("start", a));
                c
            }
            _ => Command::Argv(vec!["/bin/true".to_string()]),
        };
        let stop = if stops {
            let a = shell_action(program, self.host, &self.path, "stop")?;
            let c = shell(&a);
            ran.push(("stop", a));
            Some(c)
        } else {
            None
        };
        let reload = if reload && starts {
            shell_action(program, self.host, &self.path, "reload")
                .ok()
                .map(|a| {
                    let c = shell(&a);
                    ran.push(("reload", a));
                    c
                })
        } else {
            None
        };
        if ran.is_empty() {
            return Err("its start action starts no program this tool recognises".to_string());
        }
        svc.pre.clear();
        svc.command = start;
        svc.kind = if tool.is_some() {
            ServiceKind::Forking { pid_file: None }
        } else {
            ServiceKind::Oneshot {
                remain_after_exit: true,
            }
        };
        svc.stop.command = stop;
        svc.reload = reload.into_iter().collect();
        svc.exec.limits.clone_from(&plan.limits);
        svc.exec.umask = plan.umask;
        let described: Vec<String> = ran
            .iter()
            .map(|(action, a)| {
                let mut parts = vec![format!("its `{action}` arm (line {})", a.arm_line)];
                if let Some((first, last)) = a.top_lines {
                    parts.push(format!("the top level (lines {first}-{last})"));
                }
                if !a.functions.is_empty() {
                    parts.push(format!(
                        "the functions {}",
                        a.functions
                            .iter()
                            .map(|(n, l)| format!("{n} ({})", super::shell::place(*l)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                format!("{action}: {}", parts.join(", "))
            })
            .collect();
        let own: Vec<String> = ran
            .iter()
            .filter(|(_, a)| !a.own_path.is_empty())
            .map(|(action, a)| format!("{action}: {}", a.own_path.join(", ")))
            .collect();
        if !own.is_empty() {
            self.findings.push(super::host_reading::script_path_finding(
                &self.path,
                &format!(
                    "the unit's shell is given it as its $0 (`/bin/sh -c TEXT {}`), where the text uses it — {}",
                    self.path,
                    own.join("; ")
                ),
            ));
        }
        if let Some(t) = &tool {
            self.findings.push(crate::finding::Finding::approximated(
                crate::finding::Code::SysvToolDaemon,
                format!(
                    "its start action runs `{}` ({}), and its stop action runs `{}` ({}) to end what that left running: {} ({}) starts a daemon and returns; the unit runs the script's own text with {} as Type=forking, so systemd follows the processes the tool leaves (no PIDFile=: the main process is guessed when one is left, and the unit ends when they all have) — {}",
                    t.start.0,
                    super::shell::place(t.start.1),
                    t.stop.0,
                    super::shell::place(t.stop.1),
                    t.tool,
                    t.kind,
                    runs,
                    described.join("; ")
                ),
                "if the daemon can run in the foreground, run it directly in ExecStart= for better supervision; if the tool writes a pid file, add PIDFile=",
            ));
            return Ok(());
        }
        self.findings.push(crate::finding::Finding::approximated(
            crate::finding::Code::SysvShellAction,
            format!(
                "the script starts no daemon, and its commands run under conditions or in loops over values only the running system knows, so the unit runs the script's own text with {runs} (no supervision of what it starts; the defaults file is read at each start, as the script reads it) — {}",
                described.join("; ")
            ),
            "nothing to do; to get supervision or plain directives, rewrite the commands as ExecStart= lines by hand",
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_parts_over_scripts_that_start_daemons_is_named() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let parts = dir.path().join("etc/x/parts.d");
        std::fs::create_dir_all(&parts).unwrap();
        let write = |name: &str, text: &str| {
            let p = parts.join(name);
            std::fs::write(&p, text).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        // Not run by run-parts (a dot in the name), or only setting something up.
        write("00setup", "#!/bin/sh\nmkdir -p /run/x\n");
        write(
            "05x.dpkg-old",
            "#!/bin/sh\nstart-stop-daemon --start --exec /usr/sbin/old\n",
        );
        let host = Host::at(dir.path());
        let script =
            "#!/bin/sh\ncase \"$1\" in\n start) run-parts --arg=start /etc/x/parts.d ;;\nesac\n";
        let program = shell::parse(script).unwrap();
        let calls = |host: &Host| {
            let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
            i.run_top(&program);
            i.run_action("start")
        };
        assert_eq!(run_parts_daemon(&calls(&host), &host), None);
        write(
            "10hub",
            "#!/bin/sh\nstart-stop-daemon --start --background --exec /usr/sbin/hub\n",
        );
        // A new reading of the tree (a host's answers are kept).
        let host = Host::at(dir.path());
        let why = run_parts_daemon(&calls(&host), &host).unwrap();
        assert!(why.contains("/etc/x/parts.d/10hub starts a program that keeps running (`start-stop-daemon --start`)"), "{why}");
        assert!(why.contains("with run-parts (line 3)"), "{why}");
    }

    fn action(script: &str, action: &str) -> Result<ShellAction, String> {
        let program = shell::parse(script).unwrap();
        shell_action(&program, &Host::real(), "/etc/init.d/x", action)
    }

    #[test]
    fn the_action_runs_with_the_top_level_and_only_the_functions_it_calls() {
        let script = "#!/bin/sh\nset -e\nLIST=\"a b\"\nused() { echo \"$1\"; helper; }\nhelper() { :; }\nunused() { rm -rf /; }\n[ -x /bin/sh ] || exit 0\ncase \"$1\" in\n start)\n  for i in $LIST; do used $i; done\n  ;;\n stop)\n  unused\n  ;;\nesac\nexit 0\n";
        let a = action(script, "start").unwrap();
        assert_eq!(
            a.script,
            "set -- start\nset -e\nLIST=\"a b\"\nused () \n{ \n    echo \"$1\";\n    helper\n}\nhelper () \n{ \n    :\n}\n[ -x /bin/sh ] || exit 0\nfor i in $LIST;\ndo\n    used $i\ndone\nexit 0"
        );
        assert_eq!(a.arm_line, 9);
        assert_eq!(a.top_lines, Some((2, 16)));
        assert_eq!(
            a.functions
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>(),
            ["used", "helper"]
        );
        assert!(
            action(script, "stop")
                .unwrap()
                .script
                .contains("unused () ")
        );
        assert!(action(script, "reload").is_err());
    }

    #[test]
    fn the_places_that_use_the_scripts_own_path_are_said() {
        let own = "#!/bin/sh\nSELF=$(basename \"$0\")\nmsg() { echo \"$0: $1\"; }\nquiet() { awk '{print $0}' /dev/null; }\ncase \"$1\" in\n start) for i in 1 2; do $0 one $i; done; msg hi; quiet ;;\n stop) quiet ;;\nesac\n";
        let a = action(own, "start").unwrap();
        assert_eq!(
            a.own_path,
            [
                "its `start` arm (line 6)",
                "the top level (line 2)",
                "msg (line 3)"
            ]
        );
        assert!(a.script.contains("$0 one $i"));
        // awk's `$0` inside single quotes is not the shell's.
        let b = action(own, "stop").unwrap();
        assert_eq!(b.own_path, ["the top level (line 2)"]);
        let none =
            "#!/bin/sh\ncase \"$1\" in\n start) awk '{print $0}' /dev/null; echo \\$0 ;;\nesac\n";
        assert!(action(none, "start").unwrap().own_path.is_empty());
    }

    #[test]
    fn the_own_path_is_read_as_the_shell_reads_it() {
        for (text, uses) in [
            ("echo $0", true),
            ("echo \"$0: failed\"", true),
            ("x=${0##*/}", true),
            ("echo \"${0}\"", true),
            ("awk '{ print $0 }'", false),
            ("echo \"it's\" '$0' \\$0", false),
            ("echo \"'$0'\"", true),
            ("echo $1 $10", false),
        ] {
            assert_eq!(uses_own_path(text), uses, "{text}");
        }
    }

    #[test]
    fn an_action_that_starts_a_daemon_is_long_running_and_a_setup_step_is_not() {
        let none: &[shell::Call] = &[];
        // A daemon started under a test, with start-stop-daemon or a launcher.
        let ssd =
            "if [ \"$retval\" = 0 ]; then\n start-stop-daemon --start --quiet --exec $DAEMON\nfi";
        assert!(
            long_running(ssd, none, "x")
                .unwrap()
                .contains("start-stop-daemon")
        );
        assert!(long_running("nohup /usr/bin/helper >/dev/null 2>&1", none, "x").is_some());
        // Put in the background, also inside su -c's quoted command.
        assert!(
            long_running("/usr/share/x/daily &", none, "x")
                .unwrap()
                .contains('&')
        );
        assert_eq!(
            long_running(
                "su -c \"$DAEMON -n 2>&1 </dev/null | logger &\" - postgres",
                none,
                "x"
            )
            .unwrap(),
            "a command in the background (`$DAEMON -n 2>&1 </dev/null | logger &`) inside `su -c`, run by a login shell of postgres (with its own environment, PATH and PAM session, which User= does not reproduce exactly)"
        );
        // The pipeline put in the background, as written.
        assert_eq!(
            long_running(
                "sanity; /usr/bin/dbd_safe \"$@\" 2>&1 >/dev/null | $LOG &\nwait_up",
                none,
                "x"
            )
            .unwrap(),
            "a command in the background (`/usr/bin/dbd_safe \"$@\" 2>&1 >/dev/null | $LOG &`)"
        );
        // Redirections and lists are not the background.
        assert!(
            long_running(
                "modprobe -q ipmi_si 2>&1 >/dev/null && echo ok || true",
                none,
                "x"
            )
            .is_none()
        );
        assert!(
            long_running(
                "for c in $CPUS; do cpufreq-set --cpu $c -g ondemand; done",
                none,
                "x"
            )
            .is_none()
        );
        // start-stop-daemon only to stop, in a setup script's stop action, is not a start.
        assert!(long_running("start-stop-daemon --stop --pidfile /run/x.pid", none, "x").is_none());
    }
}
