//! A SysV conversion does not depend on where a line sits, only on what the shell reads: every
//! init script of the corpus converts to the same items when a comment line is inserted where it
//! leaves the script's commands unchanged (the parse is the same but for line numbers).
//!
//! The items are compared with their line numbers taken out (findings say `line N`, origins
//! hold the line), so a decision that compares line numbers, or that a cache keyed by position
//! carries from one reading into another, shows as a difference.

use systemdify::front::sysv::{parse_init_script, shell};
use systemdify::host::Host;

/// `line 12`, `(line 12)`, `line: Some(12)`, `lines 3` … with the numbers replaced by `N`.
fn without_line_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("line") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let mut tail = &from[4..];
        out.push_str("line");
        if let Some(t) = tail.strip_prefix('s') {
            out.push('s');
            tail = t;
        }
        let seps = tail.len() - tail.trim_start_matches([' ', ':', '(', '=']).len();
        out.push_str(&tail[..seps]);
        tail = &tail[seps..];
        if let Some(t) = tail.strip_prefix("Some(") {
            out.push_str("Some(");
            tail = t;
        }
        let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push('N');
        }
        tail = &tail[digits..];
        // A range: `lines 12-28`.
        if digits > 0
            && let Some(t) = tail.strip_prefix('-')
        {
            let to = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if to > 0 {
                out.push_str("-N");
                tail = &t[to..];
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

fn scripts() -> Vec<(std::path::PathBuf, String)> {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/sysv");
    let mut out = Vec::new();
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        let dir = case.join("root/etc/init.d");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            out.push((case.join("root"), format!("/etc/init.d/{name}")));
        }
    }
    out
}

#[test]
fn inserting_a_comment_line_changes_no_sysv_conversion() {
    let mut compared = 0;
    let mut failures = Vec::new();
    for (root, path) in scripts() {
        let file = root.join(path.trim_start_matches('/'));
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        if file.is_dir() || file.is_symlink() {
            continue;
        }
        let Ok(program) = shell::parse(&text) else {
            continue;
        };
        let shape = program.to_string();
        let host = Host::at(&root);
        let convert = |t: &str| {
            without_line_numbers(&format!(
                "{:?}",
                parse_init_script(&path, Some(&path), t, &host)
            ))
        };
        let base = convert(&text);
        let lines: Vec<&str> = text.split('\n').collect();
        let case_at = lines
            .iter()
            .position(|l| l.trim_start().starts_with("case "))
            .unwrap_or(lines.len() / 2);
        let mut points = vec![1, lines.len() / 3, lines.len() / 2, case_at];
        points.sort_unstable();
        points.dedup();
        for at in points {
            if at == 0 || at >= lines.len() {
                continue;
            }
            let mut shifted: Vec<&str> = lines.clone();
            shifted.insert(at, "# a comment line that moves every line after it");
            let shifted = shifted.join("\n");
            // Only where the shell reads the same commands (not inside a here-document, a
            // quoted string or a continued line).
            if shell::parse(&shifted).map(|p| p.to_string()).ok().as_ref() != Some(&shape) {
                continue;
            }
            compared += 1;
            let moved = convert(&shifted);
            if moved != base {
                let at_diff = base
                    .chars()
                    .zip(moved.chars())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                let from = at_diff.saturating_sub(120);
                failures.push(format!(
                    "{} ({path}): a comment inserted before line {} changes the conversion:\n  before: …{}…\n  after:  …{}…",
                    root.display(),
                    at + 1,
                    base.chars().skip(from).take(300).collect::<String>(),
                    moved.chars().skip(from).take(300).collect::<String>(),
                ));
            }
        }
    }
    assert!(compared > 100, "only {compared} shifted scripts compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn line_numbers_are_taken_out_and_nothing_else() {
    assert_eq!(
        without_line_numbers("runs `x` (line 12) at line 3, line: Some(40), 8080 lines 7-19"),
        "runs `x` (line N) at line N, line: Some(N), 8080 lines N-N"
    );
}
