//! What the static reading of a script took from the host tree or from the shell's own rules
//! where the script's text alone leaves a value open, and the findings that say so.
//!
//! Each [`Reading`] is recorded by the interpreter ([`super::shell::Interp::readings`]) where
//! it happens; [`findings`] turns them into the report's words, one finding per kind.

use crate::finding::{Code, Finding};

/// One decision the reading made from the host or the shell's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// An `if`/`elif` chain whose branches source helper files, decided by file tests on the
    /// host tree: the test that held (or `None`: none did), and the tests before it that
    /// failed, each with its file.
    FileChain {
        line: u32,
        /// `(test, file, holds)` for each test read, in order.
        tests: Vec<(String, String, bool)>,
        /// The chain chooses where a program is installed (`-x` tests whose branches only
        /// assign or exit: `if [ -x /usr/bin/x ]; then DIR=/usr/bin; elif [ -x
        /// /usr/local/bin/x ]; …`), not which helpers to source.
        programs: bool,
    },
    /// `. $VAR` with a variable the script never sets: the shell sources nothing (dash's `.`
    /// without an operand does nothing; bash prints an error and goes on).
    EmptySource { word: String, line: u32 },
    /// `basename WORD` of a value the reading knows (`basename "$0"`: the script's own name).
    Basename { text: String, value: String },
    /// `for X in $(run-parts --list DIR)`: the entries of the host directory run-parts lists.
    RunParts {
        dir: String,
        line: u32,
        entries: Vec<String>,
    },
    /// `eval WORDS` whose text is known on the host: the command it runs, re-read.
    Eval {
        line: u32,
        text: String,
        /// Settings from a defaults file whose host value was put in the text: a later value
        /// is not seen.
        fixed: Vec<String>,
    },
    /// `` `TEST && echo WORDS` `` in a command line: what it prints on this host.
    TestEcho { text: String, value: String },
    /// A file test of the script's own path (`[ -h $0 ]`: is the script run through a link?),
    /// decided on the script the reading has: `holds` is the test's outcome.
    ScriptPathTest {
        line: u32,
        text: String,
        path: String,
        holds: bool,
    },
}

/// The `sysv-script-path` finding: `$0` taken as `path` (the script's own path), and `how`
/// the unit relies on that.
#[must_use]
pub fn script_path_finding(path: &str, how: &str) -> Finding {
    let name = path.rsplit('/').next().unwrap_or(path);
    Finding::note(
        Code::SysvScriptPath,
        format!(
            "$0, the script's own path, is {path}: the path systemd-sysv-generator's unit (`ExecStart={path} start`), `service {name} start` and `{path} start` all run it by (only sysvinit's rc runs it by another, an rc?.d link such as /etc/rc2.d/S01{name}); {how}"
        ),
        "none; if the script is run by another path (a link of another name), convert that path",
    )
}

/// The findings for `readings` (none when empty), in a fixed order.
#[must_use]
pub fn findings(readings: &[Reading]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (programs, what, other) in [
        (
            false,
            "which helper files to source by testing which exist",
            "other helper files",
        ),
        (
            true,
            "values by testing which programs are installed",
            "other programs installed",
        ),
    ] {
        file_chains(readings, programs, what, other, &mut out);
    }
    let empty: Vec<String> = readings
        .iter()
        .filter_map(|r| match r {
            Reading::EmptySource { word, line } => {
                Some(format!("`. {word}` ({})", super::shell::place(*line)))
            }
            _ => None,
        })
        .collect();
    if !empty.is_empty() {
        out.push(Finding::note(
            Code::SysvEmptySource,
            format!(
                "{} sources nothing: the variable is never set, so a guarding `[ -f ]` has one argument and holds, and `.` gets no file name (dash, Debian's /bin/sh, does nothing; bash prints an error and goes on)",
                empty.join(", ")
            ),
            "none; if a settings file was meant, set the variable in the script",
        ));
    }
    let computed: Vec<String> = readings
        .iter()
        .filter_map(|r| match r {
            Reading::Basename { text, value } if value.is_empty() => {
                Some(format!("{text} is empty"))
            }
            Reading::Basename { text, value } => Some(format!("{text} is {value}")),
            Reading::TestEcho { text, value } if value.is_empty() => {
                Some(format!("{text} prints nothing"))
            }
            Reading::TestEcho { text, value } => Some(format!("{text} prints {value}")),
            _ => None,
        })
        .collect();
    if !computed.is_empty() {
        out.push(Finding::note(
            Code::SysvComputedValue,
            format!(
                "values the script computes when it runs were computed as the shell would from what the reading knows (the script's path as systemd-sysv-generator runs it, its own values, the host's settings): {}",
                computed.join(", ")
            ),
            "none; where a setting chose an option, sysv-defaults-choice names it",
        ));
    }
    let tests: Vec<(String, String)> = readings
        .iter()
        .filter_map(|r| match r {
            Reading::ScriptPathTest {
                line,
                text,
                path,
                holds,
            } => Some((
                path.clone(),
                format!(
                    "`{text}` (line {line}) {} for it",
                    if *holds { "holds" } else { "fails" }
                ),
            )),
            _ => None,
        })
        .collect();
    if let Some((path, _)) = tests.first() {
        out.push(script_path_finding(
            path,
            &format!(
                "the reading decided the script's tests of it on the script itself on the host: {}",
                tests
                    .iter()
                    .map(|(_, t)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    for r in readings {
        if let Reading::RunParts { dir, line, entries } = r {
            let listed = if entries.is_empty() {
                "none, so the loop runs no time".to_string()
            } else {
                entries.join(", ")
            };
            out.push(Finding::approximated(
                Code::SysvRunPartsLoop,
                format!(
                    "the loop over `run-parts --list {dir}` ({}) was read once per file it lists on the host (names of letters, digits, `_` and `-` only, regular files, in byte order): {listed}",
                    super::shell::place(*line)
                ),
                format!("after adding or removing files in {dir}, convert the script again"),
            ));
        }
    }
    let evals: Vec<String> = readings
        .iter()
        .filter_map(|r| match r {
            Reading::Eval { line, text, fixed } if fixed.is_empty() => {
                Some(format!("{}: `{text}`", super::shell::place(*line)))
            }
            Reading::Eval { line, text, fixed } => Some(format!(
                "{}: `{text}` (with the host's value of {}, fixed in the unit)",
                super::shell::place(*line),
                fixed.join(", ")
            )),
            _ => None,
        })
        .collect();
    if !evals.is_empty() {
        out.push(Finding::approximated(
            Code::SysvEval,
            format!(
                "`eval` runs a command line the script builds; its text on this host was read as the command it runs: {}",
                evals.join("; ")
            ),
            "check the unit's command line; after changing a setting fixed in it, convert the script again",
        ));
    }
    out
}

/// The [`Reading::FileChain`] finding for the chains of one kind (`programs` or helpers):
/// `what` the script chooses, and what `other` hosts may have.
fn file_chains(
    readings: &[Reading],
    programs: bool,
    what: &str,
    other: &str,
    out: &mut Vec<Finding>,
) {
    let chains: Vec<String> = readings
        .iter()
        .filter_map(|r| match r {
            Reading::FileChain {
                line,
                tests,
                programs: p,
            } if *p == programs => {
                let decided = tests.iter().find(|(_, _, holds)| *holds).map_or_else(
                    || "no test held, so no branch runs".to_string(),
                    |(test, file, _)| format!("`{test}` holds on the host tree ({file})"),
                );
                let failed: Vec<String> = tests
                    .iter()
                    .take_while(|(_, _, holds)| !*holds)
                    .map(|(test, _, _)| format!("`{test}`"))
                    .collect();
                let before = if failed.is_empty() {
                    String::new()
                } else {
                    format!(", after {} failed", failed.join(", "))
                };
                Some(format!("{}: {decided}{before}", super::shell::place(*line)))
            }
            _ => None,
        })
        .collect();
    if !chains.is_empty() {
        out.push(Finding::approximated(
            Code::SysvHostFileTest,
            format!(
                "the script chooses {what}; the host tree decided it: {}",
                chains.join("; ")
            ),
            format!("convert the script on (or with --root of) the host it runs on: another host may have {other}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::shell::{Arg, Interp, parse};
    use super::*;
    use crate::host::Host;
    use std::path::Path;

    /// The start action's commands (each as its argument list) and the readings, for `script`
    /// read on the host tree at `root`.
    fn read(root: &Path, script: &str) -> (Vec<Vec<String>>, Vec<Reading>) {
        let host = Host::at(root);
        let program = parse(script).unwrap();
        let mut i = Interp::new(&host, "/etc/init.d/demo", vec!["start".into()]);
        i.run_top(&program);
        let calls = i
            .run_action("start")
            .iter()
            .map(|c| c.args.iter().map(Arg::display).collect())
            .collect();
        (calls, i.readings.clone())
    }

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    const CHAIN: &str = "if test -f /etc/init.d/functions; then\n  t=rh\n  . /etc/init.d/functions\nelif test -f /lib/lsb/init-functions; then\n  t=lsb\n  . /lib/lsb/init-functions\nelif test -f /etc/gentoo-release; then\n  t=gentoo\n  . /sbin/functions.sh\nelse\n  t=none\nfi\ncase \"$1\" in\n  start) /usr/sbin/d --$t ;;\nesac\n";

    #[test]
    fn a_helper_library_chain_takes_the_branch_of_the_library_the_host_has() {
        let host = tree(&[("/lib/lsb/init-functions", "# lsb\n")]);
        let (calls, readings) = read(host.path(), CHAIN);
        assert_eq!(calls, vec![vec!["/usr/sbin/d", "--lsb"]]);
        assert_eq!(
            readings,
            vec![Reading::FileChain {
                line: 1,
                tests: vec![
                    (
                        "test -f /etc/init.d/functions".into(),
                        "/etc/init.d/functions".into(),
                        false
                    ),
                    (
                        "test -f /lib/lsb/init-functions".into(),
                        "/lib/lsb/init-functions".into(),
                        true
                    ),
                ],
                programs: false,
            }]
        );
        // Without any: the `else`, and the finding says no test held.
        let bare = tree(&[]);
        let (calls, readings) = read(bare.path(), CHAIN);
        assert_eq!(calls, vec![vec!["/usr/sbin/d", "--none"]]);
        let f = findings(&readings);
        assert_eq!(f[0].code, Code::SysvHostFileTest);
        assert!(f[0].message.contains("no test held"), "{}", f[0].message);
    }

    /// pure-ftpd's idiom: the suffix of the name the script is run by chooses the daemon.
    const OWN_NAME: &str = "if [ -h $0 ]; then\n  ME=`/bin/readlink $0`\nelse\n  ME=$0\nfi\nSUFFIX=`basename $ME | sed -ne 's/^demo-\\(.*\\)/\\1/p'`\nif [ \"$SUFFIX\" ]; then\n  DAEMON=/usr/sbin/demo-$SUFFIX\nelse\n  DAEMON=/usr/sbin/demo\nfi\ncase \"$1\" in\n  start) $DAEMON -n ;;\nesac\n";

    #[test]
    fn a_file_test_of_the_scripts_own_path_is_decided_on_the_script() {
        let host = tree(&[("/etc/init.d/demo", OWN_NAME)]);
        let (calls, readings) = read(host.path(), OWN_NAME);
        assert_eq!(calls, vec![vec!["/usr/sbin/demo", "-n"]]);
        assert!(readings.contains(&Reading::ScriptPathTest {
            line: 1,
            text: "[ -h $0 ]".into(),
            path: "/etc/init.d/demo".into(),
            holds: false,
        }));
        let f = findings(&readings);
        let own = f.iter().find(|f| f.code == Code::SysvScriptPath).unwrap();
        assert!(
            own.message.contains("is /etc/init.d/demo")
                && own.message.contains("`[ -h $0 ]` (line 1) fails for it"),
            "{}",
            own.message
        );
        let computed = f
            .iter()
            .find(|f| f.code == Code::SysvComputedValue)
            .unwrap();
        assert!(
            computed.message.contains("is empty"),
            "{}",
            computed.message
        );
        // Run through a link, the test holds and readlink's answer is run time's.
        let linked = tempfile::tempdir().unwrap();
        let dir = linked.path().join("etc/init.d");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("demo-ldap"), OWN_NAME).unwrap();
        std::os::unix::fs::symlink("demo-ldap", dir.join("demo")).unwrap();
        let (_, readings) = read(linked.path(), OWN_NAME);
        assert!(
            readings
                .iter()
                .any(|r| matches!(r, Reading::ScriptPathTest { holds: true, .. }))
        );
    }

    #[test]
    fn a_settings_file_chain_stays_undecided() {
        // Settings, not a helper library: the admin may create the file later.
        let script = "if [ -f /etc/demo.conf ]; then\n  . /etc/demo.conf\nfi\ncase \"$1\" in\n  start) /usr/sbin/d ;;\nesac\n";
        let (_, readings) = read(tree(&[]).path(), script);
        assert!(readings.is_empty(), "{readings:?}");
    }

    #[test]
    fn an_unset_variable_sources_nothing_but_a_quoted_empty_name_is_not_known() {
        let script = "if [ -f $DEFAULT ]; then\n  . $DEFAULT\nfi\ncase \"$1\" in\n  start) /usr/sbin/d ;;\nesac\n";
        let host = Host::at(Path::new("/nonexistent-root"));
        let program = parse(script).unwrap();
        let mut i = Interp::new(&host, "/etc/init.d/demo", vec!["start".into()]);
        i.run_top(&program);
        assert!(i.sourced.is_empty(), "{:?}", i.sourced);
        assert_eq!(
            i.readings,
            vec![Reading::EmptySource {
                word: "$DEFAULT".into(),
                line: 2
            }]
        );
        // `. "$X"`: dash ends the script ("not found"), so it stays an unknown file.
        let program = parse(". \"$X\"\ncase \"$1\" in\n  start) /usr/sbin/d ;;\nesac\n").unwrap();
        let mut i = Interp::new(&host, "/etc/init.d/demo", vec!["start".into()]);
        i.run_top(&program);
        assert_eq!(i.sourced.len(), 1);
        assert!(!i.sourced[0].present);
    }

    #[test]
    fn basename_of_the_scripts_path_is_its_name() {
        let script = "NAME=`basename \"$0\"`\nALSO=$(basename /etc/init.d/demo.sh .sh)\nTRIM=${0##*/}\ncase \"$1\" in\n  start) /usr/sbin/d -n $NAME -a $ALSO -t $TRIM ;;\nesac\n";
        let (calls, readings) = read(tree(&[]).path(), script);
        assert_eq!(
            calls,
            vec![vec![
                "/usr/sbin/d",
                "-n",
                "demo",
                "-a",
                "demo",
                "-t",
                "demo"
            ]]
        );
        assert!(readings.contains(&Reading::Basename {
            text: "`basename \"$0\"`".into(),
            value: "demo".into()
        }));
    }

    #[test]
    fn a_run_parts_loop_reads_the_files_run_parts_lists_in_its_order() {
        let host = tree(&[
            ("/etc/default/d.d/20-b", "B=2\n"),
            ("/etc/default/d.d/10_a", "A=1\n"),
            ("/etc/default/d.d/Z9", "Z=1\n"),
            ("/etc/default/d.d/local.conf", "A=bad\n"),
            ("/etc/default/d.d/10_a~", "A=bad\n"),
            ("/etc/default/d.d/sub/x", "A=bad\n"),
        ]);
        let script = "A=0\nB=0\nZ=0\nfor s in $(run-parts --list /etc/default/d.d); do\n  . \"$s\"\ndone\ncase \"$1\" in\n  start) /usr/sbin/d $A $B $Z ;;\nesac\n";
        let (_, readings) = read(host.path(), script);
        assert_eq!(
            readings,
            vec![Reading::RunParts {
                dir: "/etc/default/d.d".into(),
                line: 4,
                entries: vec![
                    "/etc/default/d.d/10_a".into(),
                    "/etc/default/d.d/20-b".into(),
                    "/etc/default/d.d/Z9".into(),
                ],
            }]
        );
        // An empty directory: the body is not read at all.
        let empty = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(empty.path().join("etc/default/d.d")).unwrap();
        let script = "for s in `run-parts --list /etc/default/d.d`; do\n  . /nowhere/$s\ndone\ncase \"$1\" in\n  start) /usr/sbin/d ;;\nesac\n";
        let host = Host::at(empty.path());
        let program = parse(script).unwrap();
        let mut i = Interp::new(&host, "/etc/init.d/demo", vec!["start".into()]);
        i.run_top(&program);
        assert!(i.sourced.is_empty());
        assert!(
            matches!(&i.readings[..], [Reading::RunParts { entries, .. }] if entries.is_empty())
        );
    }

    #[test]
    fn eval_of_a_known_text_is_read_as_the_command_it_runs() {
        let host = tree(&[("/etc/default/demo", "OPTS=\"-d '/etc/a b' -x\"\n")]);
        let script = "P=/run/d.pid\n. /etc/default/demo\ncase \"$1\" in\n  start) eval \"start_daemon -p '$P' '/usr/sbin/d' $OPTS\" ;;\nesac\n";
        let (calls, readings) = read(host.path(), script);
        assert_eq!(
            calls,
            vec![vec![
                "start_daemon",
                "-p",
                "/run/d.pid",
                "/usr/sbin/d",
                "-d",
                "/etc/a b",
                "-x"
            ]]
        );
        assert!(
            matches!(&readings[..], [Reading::Eval { line: 4, fixed, .. }] if fixed == &["OPTS".to_string()])
        );
        // `$(echo …)`: echo's words, read again.
        let script = "A=\"-u 'www data'\"\ncase \"$1\" in\n  start) eval $(echo env -i /usr/bin/spawn $A -- /usr/sbin/d) ;;\nesac\n";
        let (calls, _) = read(tree(&[]).path(), script);
        assert_eq!(
            calls,
            vec![vec![
                "env",
                "-i",
                "/usr/bin/spawn",
                "-u",
                "www data",
                "--",
                "/usr/sbin/d"
            ]]
        );
        // A text only a run knows: eval stays.
        let script = "case \"$1\" in\n  start) eval $(echo /usr/sbin/d $(date)) ;;\nesac\n";
        let (calls, readings) = read(tree(&[]).path(), script);
        assert_eq!(calls[0][0], "eval");
        assert!(readings.is_empty());
    }

    #[test]
    fn backquoted_tests_print_the_options_the_hosts_settings_choose() {
        let host = tree(&[("/etc/default/demo", "X=-\nR=yes\n")]);
        let script = ". /etc/default/demo\nS=/var/spool/d\ncase \"$1\" in\n  start) /usr/sbin/d `[ -n \"$S\" ] && echo \"-z $S\"` `[ \"$R\" = yes ] && echo -r` `[ \"$H\" = yes ] && echo -H` \"`[ -n \"$X\" ] && ( [ \"$X\" = - ] && echo -X || echo -x$X )`\" \"`[ -n \"$U\" ] && echo -U`\" -p ;;\nesac\n";
        let (calls, _) = read(host.path(), script);
        // The quoted empty substitution is an empty argument, as the shell passes it.
        assert_eq!(
            calls,
            vec![vec![
                "/usr/sbin/d",
                "-z",
                "/var/spool/d",
                "-r",
                "-X",
                "",
                "-p"
            ]]
        );
    }
}
