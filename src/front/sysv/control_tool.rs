//! A daemon a tool starts: the start action runs a program that the stop action runs again to
//! end what it left running — `zmpkg.pl start` … `zmpkg.pl stop`, `thin start --all DIR` …
//! `thin stop --all DIR`, `ifplugd -i IF` … `ifplugd -k -i IF`. The program returns, and the
//! processes it forked keep running: the script's start is not a one-shot step.
//!
//! The rule reads the calls, not a list of names: a start call of program P (not a helper that
//! only prints or tests) and a stop call of the same P (after the shell's expansions; for an
//! interpreter run as `ruby P`, `perl P`, the script P it runs), where the stop call says
//! `stop` or passes a kill flag (`-k`, `--kill`) and the start call does neither. What the
//! program is on the host (a compiled executable, or a script and its interpreter from its `#!`
//! line) is named in the finding.

use super::shell::{Call, Interp};
use crate::host::Host;

/// Interpreters that run the script named as their first argument.
const INTERPRETERS: &[&str] = &[
    "ruby", "perl", "python", "python3", "sh", "bash", "dash", "php", "node",
];

/// A tool the start action runs to start a daemon, and the stop call that ends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolStart {
    /// The tool's path (the script an interpreter runs, for `ruby /usr/bin/thin start`).
    pub tool: String,
    /// The start call, readable, and its line.
    pub start: (String, u32),
    /// The stop call, readable, and its line.
    pub stop: (String, u32),
    /// What the tool is on the host: "a compiled executable", "a Ruby script (#!/usr/bin/ruby)".
    pub kind: String,
}

/// The tool that starts the daemon, when the calls show one (see the module documentation).
#[must_use]
pub fn find(
    start_calls: &[Call],
    stop_calls: &[Call],
    interp: &Interp,
    host: &Host,
) -> Option<ToolStart> {
    for c in start_calls {
        let Some(tool) = tool_of(c, interp) else {
            continue;
        };
        // A call whose status is tested asks something (`ifplugd -c`: is it running?).
        if says_stop(c) || c.tested || super::is_harmless(base(&tool)) || c.function.is_some() {
            continue;
        }
        let Some(s) = stop_calls
            .iter()
            .find(|s| tool_of(s, interp).as_deref() == Some(tool.as_str()) && says_stop(s))
        else {
            continue;
        };
        return Some(ToolStart {
            kind: kind_on_host(&tool, host),
            tool,
            start: (shown(c, interp), c.line),
            stop: (shown(s, interp), s.line),
        });
    }
    None
}

/// A call's words with the host's values where the reading knows them; a loop's word is
/// written as what the loop goes over (`<each of $INTERFACES>`).
fn shown(c: &Call, interp: &Interp) -> String {
    let mut text = c
        .args
        .iter()
        .map(|a| interp.resolve(a).unwrap_or_else(|| a.display()))
        .collect::<Vec<_>>()
        .join(" ");
    for l in &interp.instance_loops {
        text = text.replace(&l.token, &format!("<each of {}>", l.pattern));
    }
    text
}

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// The program a call runs (its words as the host's values give them): its first word, or for
/// an interpreter the script after it.
fn tool_of(c: &Call, interp: &Interp) -> Option<String> {
    let first = interp.resolve(c.args.first()?)?;
    let b = base(&first);
    let interpreter = INTERPRETERS
        .iter()
        .any(|i| b == *i || b.strip_prefix(i).is_some_and(is_version));
    if interpreter {
        let script = interp.resolve(c.args.get(1)?)?;
        return script.starts_with('/').then_some(script);
    }
    Some(first)
}

/// `3.1`, `5.36`, `3`: an interpreter's version suffix (`ruby3.1`).
fn is_version(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// The call says `stop` (the word `stop` or `force-stop`, not an option such as mdadm's
/// `--stop`) or passes a kill flag (`-k`, `--kill`).
fn says_stop(c: &Call) -> bool {
    c.args
        .iter()
        .skip(1)
        .filter_map(|a| a.literal())
        .any(|w| matches!(w.as_str(), "stop" | "force-stop" | "-k" | "--kill"))
}

/// What the tool is on the host, for the report.
fn kind_on_host(tool: &str, host: &Host) -> String {
    let Ok(bytes) = host.read(tool) else {
        return format!("not on {}", host.label());
    };
    if bytes.starts_with(b"\x7fELF") {
        return "a compiled executable".to_string();
    }
    if let Some(rest) = bytes.strip_prefix(b"#!") {
        let line: String = String::from_utf8_lossy(rest)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        return format!("a script (#!{line})");
    }
    "a file that is neither a compiled executable nor a #! script".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front::sysv::shell::{self, Interp};

    fn calls(script: &str, action: &str) -> Vec<Call> {
        let host: &'static Host = Box::leak(Box::new(Host::at(std::path::Path::new(
            "/nonexistent-root",
        ))));
        let program: &'static brush_parser::ast::Program =
            Box::leak(Box::new(shell::parse(script).unwrap()));
        let mut i = Interp::new(host, "/etc/init.d/x", vec![action.to_string()]);
        i.run_top(program);
        i.run_action(action)
    }

    fn found(script: &str) -> Option<ToolStart> {
        let host: &'static Host = Box::leak(Box::new(Host::at(std::path::Path::new(
            "/nonexistent-root",
        ))));
        let program: &'static brush_parser::ast::Program =
            Box::leak(Box::new(shell::parse(script).unwrap()));
        let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
        i.run_top(program);
        find(&calls(script, "start"), &calls(script, "stop"), &i, host)
    }

    #[test]
    fn a_program_the_stop_runs_again_with_stop_or_a_kill_flag_is_a_tool() {
        let t = found("C=/usr/bin/zmpkg.pl\ncase \"$1\" in\n start) mkdir -p /run/zm; $C start ;;\n stop) $C stop ;;\nesac\n").unwrap();
        assert_eq!(t.tool, "/usr/bin/zmpkg.pl");
        assert_eq!(t.start, ("/usr/bin/zmpkg.pl start".to_string(), 3));
        assert_eq!(t.stop, ("/usr/bin/zmpkg.pl stop".to_string(), 4));
        let t = found("D=/usr/sbin/plugd\ncase \"$1\" in\n start) for i in $L; do $D -c -i $i || $D -i $i; done ;;\n stop) for i in $L; do $D -k -i $i; done ;;\nesac\n").unwrap();
        assert_eq!(t.tool, "/usr/sbin/plugd");
        assert_eq!(t.start.0, "/usr/sbin/plugd -i $i");
        assert_eq!(t.stop.0, "/usr/sbin/plugd -k -i $i");
        let t = found("case \"$1\" in\n start) /usr/bin/ruby3.1 /usr/bin/thin start --all /etc/thin ;;\n stop) /usr/bin/ruby3.1 /usr/bin/thin stop --all /etc/thin ;;\nesac\n").unwrap();
        assert_eq!(t.tool, "/usr/bin/thin");
    }

    #[test]
    fn setup_commands_and_undo_commands_are_not_tools() {
        // Another program to undo (a one-shot setup).
        assert_eq!(
            found(
                "case \"$1\" in\n start) /sbin/quotaon -a ;;\n stop) /sbin/quotaoff -a ;;\nesac\n"
            ),
            None
        );
        // The same program without a stop word or kill flag, or with a `--stop` option.
        assert_eq!(
            found(
                "case \"$1\" in\n start) /sbin/ipvsadm -R ;;\n stop) /sbin/ipvsadm -C ;;\nesac\n"
            ),
            None
        );
        assert_eq!(
            found(
                "case \"$1\" in\n start) /sbin/mdadm --assemble --scan ;;\n stop) /sbin/mdadm --stop --scan ;;\nesac\n"
            ),
            None
        );
    }
}
