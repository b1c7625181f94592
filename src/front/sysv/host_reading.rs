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
}

/// The findings for `readings` (none when empty), in a fixed order.
#[must_use]
pub fn findings(readings: &[Reading]) -> Vec<Finding> {
    let mut out = Vec::new();
    let chains: Vec<String> = readings
        .iter()
        .filter_map(|r| match r {
            Reading::FileChain { line, tests } => {
                let decided = tests.iter().find(|(_, _, holds)| *holds).map_or_else(
                    || "no test held, so no branch runs".to_string(),
                    |(test, file, _)| format!("`{test}` holds ({file} is on the host)"),
                );
                let failed: Vec<String> = tests
                    .iter()
                    .take_while(|(_, _, holds)| !*holds)
                    .map(|(_, file, _)| file.clone())
                    .collect();
                let before = if failed.is_empty() {
                    String::new()
                } else {
                    format!(" after {} (not on the host)", failed.join(", "))
                };
                Some(format!("line {line}: {decided}{before}"))
            }
            _ => None,
        })
        .collect();
    if !chains.is_empty() {
        out.push(Finding::approximated(
            Code::SysvHostFileTest,
            format!(
                "the script chooses which helper files to source by testing which exist; the host tree decided it: {}",
                chains.join("; ")
            ),
            "convert the script on (or with --root of) the host it runs on: another host may have other helper files",
        ));
    }
    let empty: Vec<String> = readings
        .iter()
        .filter_map(|r| match r {
            Reading::EmptySource { word, line } => Some(format!("`. {word}` (line {line})")),
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
                    "the loop over `run-parts --list {dir}` (line {line}) was read once per file it lists on the host (names of letters, digits, `_` and `-` only, regular files, in byte order): {listed}"
                ),
                format!("after adding or removing files in {dir}, convert the script again"),
            ));
        }
    }
    let evals: Vec<String> = readings
        .iter()
        .filter_map(|r| match r {
            Reading::Eval { line, text, fixed } if fixed.is_empty() => {
                Some(format!("line {line}: `{text}`"))
            }
            Reading::Eval { line, text, fixed } => Some(format!(
                "line {line}: `{text}` (with the host's value of {}, fixed in the unit)",
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
