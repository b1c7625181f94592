//! The undecided `if` tests a daemon's start sits under ([`super::shell::Call::under`]), and
//! what each becomes in the unit: the script starts the daemon only on some paths, and a native
//! unit starts it on all of them unless every test on the way is one systemd answers itself or
//! a directive expresses.
//!
//! Mapping (test on the way to the start → unit):
//! - an "already running?" check (the test's line runs `pidof`, `ps -p`, `pidofproc`,
//!   `status_of_proc`, `start-stop-daemon --status`/`--test`, `kill -0`: a call the reading
//!   sorted as a running guard) → dropped (`sysv-running-guard`: systemd does not start an
//!   active unit);
//! - an on/off switch (`test "$X_ENABLED" = 1`) → the unit's enablement (`sysv-toggle`);
//! - `init_is_upstart` → answered: it fails under systemd, and the start goes on;
//! - a file test that must hold, `[ -f|-e|-r PATH ]` → `ConditionPathExists=PATH`, `-d` →
//!   `ConditionPathIsDirectory=`, `-s` → `ConditionFileNotEmpty=`, `-x` →
//!   `ConditionFileIsExecutable=` (`sysv-start-condition`); one that must fail, `[ -f|-e|-r
//!   PATH ]` → `ConditionPathExists=!PATH` (sshd's `/etc/ssh/sshd_not_to_be_run`);
//! - a test of an exit status (`cmd; if [ "$?" = 1 ]`, `retval=$?` then `[ "$retval" = 0 ]`,
//!   [`super::exit_status`]): the tests that decide the command's status, each read as above
//!   (a file test that must hold → its condition; a pid file test → a running check): when all
//!   are answered or conditions, the conditions (`sysv-start-condition`);
//! - a `grep` of `/proc/cmdline` for one word → `ConditionKernelCommandLine=` ([`kernel_word`]);
//! - anything else (a function's or command's exit status no file test decides, a value only a
//!   run computes, a file test that must fail): no directive says it; the unit starts the
//!   daemon on every path and `sysv-undecided-test` names the test.

use super::shell::{Interp, is_toggle, referenced_vars};

/// What one test on the way to the start becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// systemd answers it itself, or another finding reports it (a guard, a switch).
    Answered,
    /// A `Condition…=` directive: its file-test flag and path.
    Condition { flag: char, path: String },
    /// `ConditionPathExists=!PATH`: an existence test (`-e`, `-f`, `-r`) that must fail.
    Absent { path: String },
    /// A test of the exit status of `command` (at `line`): what the tests deciding that
    /// status become.
    Status {
        command: String,
        line: u32,
        verdicts: Vec<Verdict>,
    },
    /// `ConditionKernelCommandLine=`: the word the kernel command line must have (`present`)
    /// or lack; `whole_words`: the script's grep had `-w`. Never exactly the script's test
    /// ([`kernel_word`]): reported.
    KernelCommandLine {
        word: crate::ir::KernelWord,
        present: bool,
        whole_words: bool,
    },
}

/// Reads `test` (as written, at `line`; `holds`: whether it succeeds on the way to the start)
/// against what the reading found: `guard_lines` are the lines of the start action's
/// "already running?" checks.
///
/// # Errors
/// The sentence naming a test no directive expresses.
pub fn classify(
    test: &str,
    line: u32,
    holds: bool,
    guard_lines: &[u32],
    interp: &Interp,
) -> Result<Verdict, String> {
    if guard_lines.contains(&line) || is_running_check(test, guard_lines, interp) {
        return Ok(Verdict::Answered);
    }
    if referenced_vars(test).iter().any(|v| is_toggle(v)) {
        return Ok(Verdict::Answered);
    }
    // `init_is_upstart` (lsb-base's init-functions) fails under any init but upstart: the
    // start goes on under systemd, as the unit does.
    if test.split_whitespace().next() == Some("init_is_upstart") {
        return Ok(Verdict::Answered);
    }
    if let Some((negated, flag, word)) = file_test(test)
        && holds != negated
        && let Some(path) = resolve(&word, interp)
    {
        return Ok(Verdict::Condition { flag, path });
    }
    if let Some((negated, 'e', word)) = file_test(test)
        && holds == negated
        && let Some(path) = resolve(&word, interp)
    {
        return Ok(Verdict::Absent { path });
    }
    if let Some((command, command_line)) = interp.status_tests.get(&line)
        && let Some(c) = super::exit_status::comparison(test)
    {
        if is_running_check(command, guard_lines, interp) {
            return Ok(Verdict::Answered);
        }
        if let Some(tests) =
            super::exit_status::needed_tests(command, c.number, holds == c.equal, interp)
            && let Ok(verdicts) = tests
                .iter()
                .map(|(t, h)| classify(t, *command_line, *h, guard_lines, interp))
                .collect::<Result<Vec<_>, _>>()
        {
            return Ok(Verdict::Status {
                command: command.clone(),
                line: *command_line,
                verdicts,
            });
        }
    }
    if let Some((word, matched, whole_words)) = kernel_word(test) {
        return Ok(Verdict::KernelCommandLine {
            word,
            present: matched == holds,
            whole_words,
        });
    }
    Err(format!(
        "its start action starts the daemon only when `{}` ({}) {}, a test this tool cannot decide on this host and no unit condition expresses",
        plain_braces(test),
        super::shell::place(line),
        if holds { "succeeds" } else { "fails" }
    ))
}

/// `test` with `${NAME}` written `$NAME` (the same expansion; a report's words never show a
/// brace pair that looks like a placeholder left unfilled).
fn plain_braces(test: &str) -> String {
    let mut out = String::new();
    let mut rest = test;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && after[name.len()..].starts_with('}') {
            out.push('$');
            out.push_str(&name);
            rest = &after[name.len() + 1..];
        } else {
            out.push_str("${");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Programs whose exit status or output says whether a process runs.
pub(super) const RUNNING_CHECKS: &[&str] =
    &["pidof", "pgrep", "pidofproc", "status_of_proc", "checkpid"];

/// Whether `test` asks "already running?": it runs a process lookup ([`RUNNING_CHECKS`], `ps`,
/// `kill -0`, `start-stop-daemon --status`), tests a pid file (`[ -f $PIDFILE ]`, a path ending
/// in `.pid`), tests whether a variable named for a process id is set (`[ -n "$pid" ]` after
/// `pid=$(pidofproc …)`), or calls a function of the script whose body holds one of
/// `guard_lines` (the start action's running checks, as the reading sorted them).
fn is_running_check(test: &str, guard_lines: &[u32], interp: &Interp) -> bool {
    let words: Vec<&str> = test
        .split(|c: char| c.is_whitespace() || matches!(c, '`' | '(' | ')' | '"' | ';' | '|'))
        .filter(|w| !w.is_empty())
        .collect();
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    if words
        .iter()
        .any(|w| RUNNING_CHECKS.contains(&base(w).as_str()))
        || words.windows(2).any(|p| {
            (base(p[0]) == "ps" && p[1].starts_with('-'))
                || (p[0] == "kill" && p[1] == "-0")
                // start-stop-daemon's probe: signal 0 to the process.
                || (matches!(p[0], "--signal" | "-s") && p[1] == "0")
                // The script's own status action (`$0 status`, `/etc/init.d/NAME status`).
                || ((p[0] == "$0" || p[0].starts_with("/etc/init.d/")) && p[1] == "status")
        })
        || words.contains(&"--status")
        || words.contains(&"--signal=0")
    {
        return true;
    }
    if let Some((_, _, word)) = file_test(test) {
        let bare = word.trim_matches('"');
        let named_pid = referenced_vars(bare)
            .iter()
            .any(|v| v.to_ascii_uppercase().contains("PID"));
        let path = resolve(bare, interp);
        if named_pid || path.is_some_and(|p| p.ends_with(".pid")) {
            return true;
        }
    }
    // `pid=$(pidofproc …)` then `[ -n "$pid" ]`: a test of whether a variable named for a
    // process id (not a pid file's path) is set.
    if let ["-n" | "-z", word] = words
        .iter()
        .copied()
        .filter(|w| !matches!(*w, "[" | "]" | "test" | "!"))
        .collect::<Vec<_>>()
        .as_slice()
        && referenced_vars(word).iter().any(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("pid") && !v.contains("file")
        })
    {
        return true;
    }
    // `if is_running; then` / `if ! is_running; then`: a function holding a running check.
    let called: Vec<&str> = words.iter().copied().filter(|w| *w != "!").collect();
    if let [name] = called.as_slice()
        && let Some((first, last)) = interp.function_lines(name)
    {
        return guard_lines.iter().any(|l| (first..=last).contains(l));
    }
    false
}

/// `grep -q[ws] WORD /proc/cmdline` (options `-q`, `-w`, `-s`, `-F`, alone or together; WORD
/// letters, digits, `_`, `-`, `.` with `-F`, optionally one `=` with a value): the word, that
/// the test holds when the word is there, and whether grep had `-w`. systemd's
/// `ConditionKernelCommandLine=` is not quite the same test: it matches a whole argument or (without `=`) the name of one
/// (`WORD=value`); `grep -w` also matches the word inside an argument between other
/// characters than letters, digits and `_` (`x.WORD`, `WORD-y`, `a=WORD`), and `grep` without
/// `-w` any text that holds it: not exact, reported.
fn kernel_word(test: &str) -> Option<(crate::ir::KernelWord, bool, bool)> {
    let words: Vec<&str> = test.split_whitespace().collect();
    let (negated, words) = match words.split_first() {
        Some((&"!", rest)) => (true, rest),
        _ => (false, words.as_slice()),
    };
    let [grep, options @ .., pattern, file] = words else {
        return None;
    };
    if !matches!(*grep, "grep" | "/bin/grep" | "/usr/bin/grep") || *file != "/proc/cmdline" {
        return None;
    }
    let mut quiet = false;
    let mut whole_words = false;
    let mut fixed = false;
    for o in options {
        let letters = o.strip_prefix('-')?;
        for l in letters.chars() {
            match l {
                'q' => quiet = true,
                'w' => whole_words = true,
                's' => {}
                'F' => fixed = true,
                _ => return None,
            }
        }
    }
    let pattern = pattern.trim_matches(|c| c == '"' || c == '\'');
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || (fixed && c == '.');
    let (name, value) = pattern.split_once('=').unwrap_or((pattern, ""));
    if !quiet
        || name.is_empty()
        || !name.chars().all(plain)
        || !value.chars().all(plain)
        || name.starts_with('-')
    {
        return None;
    }
    let word = crate::ir::KernelWord::new(pattern)?;
    Some((word, !negated, whole_words))
}

/// `[ [!] -F WORD ]` or `test [!] -F WORD` (one test, no `-a`/`-o`, `&&`, `||`): whether it
/// is negated, the flag and the word as written.
fn file_test(test: &str) -> Option<(bool, char, String)> {
    let mut words: Vec<&str> = test.split_whitespace().collect();
    let mut negated = false;
    if words.first() == Some(&"!") {
        negated = true;
        words.remove(0);
    }
    let mut words = super::exit_status::test_operands(words)?;
    if words.first() == Some(&"!") {
        negated = !negated;
        words.remove(0);
    }
    let [flag, word] = words.as_slice() else {
        return None;
    };
    let flag = match *flag {
        "-f" | "-e" | "-r" => 'e',
        "-d" => 'd',
        "-s" => 's',
        "-x" => 'x',
        _ => return None,
    };
    Some((negated, flag, (*word).to_string()))
}

/// The path `word` names on every run: plain text, or one variable the script set to plain
/// text (`"$CONF"`); `None` for anything else.
fn resolve(word: &str, interp: &Interp) -> Option<String> {
    let bare = word.trim_matches('"');
    if bare.contains(['\'', '`', '*', '?', '[']) {
        return None;
    }
    let path = if let Some(v) = bare.strip_prefix('$') {
        let name = v.trim_start_matches('{').trim_end_matches('}');
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let b = interp.env.get(name)?;
        if b.uncertain || b.overridable {
            return None;
        }
        interp.value(name)?
    } else if bare.contains('$') {
        return None;
    } else {
        bare.to_string()
    };
    path.starts_with('/').then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Host;

    fn verdict(test: &str, holds: bool, guards: &[u32]) -> Result<Verdict, String> {
        let host = Host::real();
        let program = super::super::shell::parse("CONF=/etc/x/x.conf\n").unwrap();
        let mut interp = Interp::new(&host, "/etc/init.d/x", vec!["start".to_string()]);
        interp.run_top(&program);
        classify(test, 7, holds, guards, &interp)
    }

    #[test]
    fn a_running_check_on_the_tests_line_is_answered_by_systemd() {
        assert_eq!(
            verdict("[ -e $PIDFILE ] && ps -p `cat $PIDFILE`", false, &[7]),
            Ok(Verdict::Answered)
        );
    }

    #[test]
    fn a_process_lookup_or_a_pid_file_test_is_a_running_check() {
        for test in [
            "[ \"`pidof food`\" = \"\" ]",
            "[ -f $PID_FILE ]",
            "[ -e /run/food.pid ]",
            "! kill -0 $(cat /run/x) 2>/dev/null",
            "$0 status > /dev/null",
            "start-stop-daemon --stop --signal 0 --quiet --pidfile $P --exec $DAEMON",
        ] {
            assert_eq!(verdict(test, false, &[]), Ok(Verdict::Answered), "{test}");
        }
    }

    #[test]
    fn an_existence_test_that_must_fail_is_a_negated_condition() {
        assert_eq!(
            verdict("[ -e /etc/ssh/sshd_not_to_be_run ]", false, &[]),
            Ok(Verdict::Absent {
                path: "/etc/ssh/sshd_not_to_be_run".to_string()
            })
        );
        assert_eq!(
            verdict("[ ! -f \"$CONF\" ]", true, &[]),
            Ok(Verdict::Absent {
                path: "/etc/x/x.conf".to_string()
            })
        );
        // A directory that must be missing has no exact directive: named, not written.
        assert!(verdict("[ -d /etc/x/off ]", false, &[]).is_err());
    }

    #[test]
    fn a_set_process_id_is_a_running_check() {
        assert_eq!(
            verdict("[ -n \"$pid\" ]", false, &[]),
            Ok(Verdict::Answered)
        );
        assert_eq!(
            verdict("test -z $MAINPID", true, &[]),
            Ok(Verdict::Answered)
        );
        // A pid file's path being set says nothing about a process.
        assert!(verdict("[ -n \"$PIDFILE\" ]", false, &[]).is_err());
    }

    #[test]
    fn the_upstart_check_goes_on_under_systemd() {
        assert_eq!(
            verdict("init_is_upstart 2> /dev/null", false, &[]),
            Ok(Verdict::Answered)
        );
    }

    #[test]
    fn a_switch_is_the_units_enablement() {
        assert_eq!(
            verdict("test \"$X_ENABLED\" = 1", true, &[]),
            Ok(Verdict::Answered)
        );
    }

    #[test]
    fn a_file_test_that_must_hold_is_a_condition() {
        assert_eq!(
            verdict("[ -f \"$CONF\" ]", true, &[]),
            Ok(Verdict::Condition {
                flag: 'e',
                path: "/etc/x/x.conf".to_string()
            })
        );
        assert_eq!(
            verdict("[ ! -s /etc/x/list ]", false, &[]),
            Ok(Verdict::Condition {
                flag: 's',
                path: "/etc/x/list".to_string()
            })
        );
        assert_eq!(
            verdict("test -d /srv/x", true, &[]),
            Ok(Verdict::Condition {
                flag: 'd',
                path: "/srv/x".to_string()
            })
        );
    }

    #[test]
    fn a_grep_of_the_kernel_command_line_is_its_condition() {
        let word = |w: &str| crate::ir::KernelWord::new(w).unwrap();
        // Started when the word is missing.
        assert_eq!(
            verdict("grep -wqs text /proc/cmdline", false, &[]),
            Ok(Verdict::KernelCommandLine {
                word: word("text"),
                present: false,
                whole_words: true
            })
        );
        assert_eq!(
            verdict("! grep -q splash=quiet /proc/cmdline", false, &[]),
            Ok(Verdict::KernelCommandLine {
                word: word("splash=quiet"),
                present: true,
                whole_words: false
            })
        );
        // Not a word systemd can test, another file, output not quiet: undecided.
        for test in [
            "grep -qw 'te.t' /proc/cmdline",
            "grep -q text /proc/cmdline2",
            "grep -w text /proc/cmdline",
            "grep -qE 'a|b' /proc/cmdline",
        ] {
            assert!(verdict(test, false, &[]).is_err(), "{test}");
        }
        assert!(crate::ir::KernelWord::new("-x").is_none());
        assert!(crate::ir::KernelWord::new("a b").is_none());
        assert!(crate::ir::KernelWord::new("a%b").is_none());
    }

    #[test]
    fn a_status_test_is_read_through_the_command_it_tests() {
        let host = Host::real();
        let program = super::super::shell::parse(
            "check() {\n\tr=0\n\tif [ ! -f /etc/x/x.conf ]; then\n\t\tr=6\n\tfi\n\treturn $r\n}\ncase \"$1\" in\nstart)\n\tcheck\n\tr=$?\n\tif [ \"$r\" = 0 ]; then\n\t\t/usr/sbin/x\n\tfi\n\t;;\nesac\n",
        )
        .unwrap();
        let mut interp = Interp::new(&host, "/etc/init.d/x", vec!["start".to_string()]);
        interp.run_top(&program);
        interp.run_action("start");
        assert_eq!(
            interp.status_tests.get(&12),
            Some(&("check".to_string(), 10))
        );
        assert_eq!(
            classify("[ \"$r\" = 0 ]", 12, true, &[], &interp),
            Ok(Verdict::Status {
                command: "check".to_string(),
                line: 10,
                verdicts: vec![Verdict::Condition {
                    flag: 'e',
                    path: "/etc/x/x.conf".to_string()
                }]
            })
        );
        // The other way round (started when the check fails): the file must be missing.
        assert_eq!(
            classify("[ \"$r\" = 0 ]", 12, false, &[], &interp),
            Ok(Verdict::Status {
                command: "check".to_string(),
                line: 10,
                verdicts: vec![Verdict::Absent {
                    path: "/etc/x/x.conf".to_string()
                }]
            })
        );
    }

    #[test]
    fn a_directory_that_must_be_missing_or_a_status_keeps_the_script() {
        let why = verdict("[ -d /etc/x/disabled ]", false, &[]).unwrap_err();
        assert!(
            why.contains("`[ -d /etc/x/disabled ]` (line 7) fails"),
            "{why}"
        );
        let why = verdict("[ \"$?\" = 1 ]", false, &[]).unwrap_err();
        assert!(why.contains("no unit condition expresses"), "{why}");
        assert!(verdict("[ -f $UNSET ]", true, &[]).is_err());
        let why = verdict("nbd -c \"${dev}\" > /dev/null", false, &[]).unwrap_err();
        assert!(why.contains("`nbd -c \"$dev\" > /dev/null`"), "{why}");
        assert_eq!(plain_braces("${a}${b:-x}$c"), "$a${b:-x}$c");
    }
}
