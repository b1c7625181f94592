//! `front::sysv::tokenize` against brush-parser's own tokenizer: the same tokens (kind, text,
//! start and end positions) wherever brush's succeeds, and `None` wherever brush's fails.
//!
//! Over every text file of `corpus/` and `tests/` and prefixes of each (which end inside
//! quotes, expansions and here-documents: brush's error paths), over the init scripts and the
//! files they source in the benchmark's caches when this machine has them (never committed),
//! and over generated shell-like texts.

use brush_parser::{Token, TokenizerOptions};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use systemdify::front::sysv::tokenize::{Refusal, tokenize};

/// A token as plain data, to compare: brush's `Token` has no `PartialEq` outside its tests.
type Flat = (bool, String, [usize; 3], [usize; 3]);

fn flat(tokens: &[Token]) -> Vec<Flat> {
    tokens
        .iter()
        .map(|t| {
            let l = t.location();
            (
                matches!(t, Token::Operator(..)),
                t.to_str().to_string(),
                [l.start.index, l.start.line, l.start.column],
                [l.end.index, l.end.line, l.end.column],
            )
        })
        .collect()
}

/// What brush gives for `text`: its tokens, `None` for an error. A panic in brush (none seen)
/// counts as an error: `shell::parse` then falls back to brush, which panics the same way.
fn brush(text: &str) -> Option<Vec<Flat>> {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info
                .location()
                .is_some_and(|l| l.file().contains("brush-parser"))
            {
                default(info);
            }
        }));
    });
    let owned = text.to_string();
    std::panic::catch_unwind(move || {
        brush_parser::uncached_tokenize_str(&owned, &TokenizerOptions::default())
            .ok()
            .map(|t| flat(&t))
    })
    .ok()
    .flatten()
}

/// `Err` with a description where the two tokenizers differ on `text`.
fn compare(text: &str) -> Result<(), String> {
    let ours = match tokenize(text) {
        Ok(t) => Some(flat(&t)),
        // brush would not return: nothing to compare with.
        Err(Refusal::Endless { .. }) => return Ok(()),
        Err(Refusal::Fails) => None,
    };
    let theirs = brush(text);
    if theirs == ours {
        return Ok(());
    }
    let describe = |t: &Option<Vec<Flat>>| match t {
        None => "an error".to_string(),
        Some(t) => format!("{} tokens", t.len()),
    };
    let first = match (&theirs, &ours) {
        (Some(a), Some(b)) => a
            .iter()
            .zip(b)
            .position(|(x, y)| x != y)
            .map(|i| {
                format!(
                    "; first difference at token {i}: brush {:?}, ours {:?}",
                    a[i], b[i]
                )
            })
            .unwrap_or_default(),
        _ => String::new(),
    };
    Err(format!(
        "brush gives {}, ours {}{first}",
        describe(&theirs),
        describe(&ours)
    ))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::path);
    for e in entries {
        let path = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n == "target" || n == ".git")
            {
                continue;
            }
            walk(&path, out);
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

/// The text of `path` as `shell::parse` would be given it, when it is small enough to matter.
fn text_of(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    (bytes.len() <= 1 << 20).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

/// Up to `n` prefixes of `text`, cut at character boundaries spread over it.
fn prefixes(text: &str, n: usize) -> Vec<&str> {
    let len = text.len();
    (1..=n)
        .filter_map(|k| {
            let mut cut = len * k / (n + 1);
            while cut > 0 && !text.is_char_boundary(cut) {
                cut -= 1;
            }
            (cut > 0).then(|| &text[..cut])
        })
        .collect()
}

fn check_files(files: &[PathBuf], cuts: usize) -> (usize, Vec<String>) {
    let mut texts = 0;
    let mut failures = Vec::new();
    for path in files {
        let Some(text) = text_of(path) else { continue };
        for (i, t) in std::iter::once(text.as_str())
            .chain(prefixes(&text, cuts))
            .enumerate()
        {
            texts += 1;
            if let Err(e) = compare(t) {
                let what = if i == 0 {
                    "whole".to_string()
                } else {
                    format!("prefix of {} bytes", t.len())
                };
                failures.push(format!("{} ({what}): {e}", path.display()));
            }
        }
    }
    (texts, failures)
}

#[test]
fn same_tokens_over_the_repository_texts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("corpus"), &mut files);
    walk(&root.join("tests"), &mut files);
    assert!(files.len() > 100, "corpus and tests not found");
    let (texts, failures) = check_files(&files, 12);
    assert!(
        failures.is_empty(),
        "{} of {texts} texts differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Init scripts and what they source, from the benchmark's package cache and the held-out
/// sets' trees, where this machine has them (skipped otherwise: never committed).
#[test]
fn same_tokens_over_cached_init_scripts() {
    let mut roots: Vec<PathBuf> = vec![PathBuf::from(
        std::env::var_os("BENCH_CACHE").unwrap_or_else(|| "/var/tmp/systemdify-bench".into()),
    )];
    if let Ok(work) = std::fs::read_dir("/work") {
        let mut sets: Vec<PathBuf> = work
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with("cache-sysvsets") || n.starts_with("cache-heldout")
                })
            })
            .collect();
        sets.sort();
        roots.extend(sets);
    }
    let mut files = Vec::new();
    for r in &roots {
        walk(r, &mut files);
    }
    let shellish: Vec<PathBuf> = files
        .into_iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            [
                "/init.d/",
                "/default/",
                "/sysconfig/",
                "/lsb/",
                "/lib/init/",
                "/rc.d/",
            ]
            .iter()
            .any(|d| s.contains(d))
                || std::fs::read(p).is_ok_and(|b| {
                    b.starts_with(b"#!") && {
                        let first = b.split(|&c| c == b'\n').next().unwrap_or_default();
                        first.ends_with(b"sh") || first.windows(3).any(|w| w == b"sh ")
                    }
                })
        })
        .collect();
    if shellish.is_empty() {
        eprintln!("no cached init scripts on this machine: skipped");
        return;
    }
    let (texts, failures) = check_files(&shellish, 4);
    eprintln!("{} files, {texts} texts compared", shellish.len());
    assert!(
        failures.is_empty(),
        "{} of {texts} texts differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Pieces of shell that the tokenizer treats specially, to be strung together at random.
const PIECES: &[&str] = &[
    "echo",
    "a",
    "x=1",
    "VAR",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "'",
    "\"",
    "$'",
    "\\",
    "\\\n",
    "\\'",
    "\\\"",
    "\\$",
    "$",
    "$1",
    "$@",
    "${",
    "}",
    "${x:-y}",
    "${#x}",
    "$(",
    ")",
    "$((",
    "))",
    "((",
    "(",
    "$[",
    "]",
    "`",
    "\\`",
    "#",
    "# comment",
    "<<",
    "<<-",
    "<<EOF",
    "<<-EOF",
    "<<'EOF'",
    "<<\"E\"OF",
    "EOF",
    "\tEOF",
    "E\\OF",
    "<<<",
    "&",
    "&&",
    "|",
    "||",
    "|&",
    ";",
    ";;",
    ";;&",
    ";&",
    "<",
    ">",
    ">>",
    ">|",
    "<&",
    ">&",
    "<>",
    "&>",
    "&>>",
    "2>&1",
    "<(",
    ">(",
    "@(",
    "!(",
    "+(",
    "*(",
    "?(",
    "a|b",
    "[[",
    "]]",
    "-eq",
    "case",
    "esac",
    "in",
    "if",
    "then",
    "fi",
    "{",
    "é",
    "日本",
    "\r",
    "=",
    "~",
    "*",
    "?",
    "[a-z]",
    "!",
    // Whole constructs, so that texts get past their first quote.
    "'a b'",
    "\"a $x\"",
    "$(echo a)",
    "`echo a`",
    "${x:-\"y\"}",
    "$((1<<2))",
    "((i++))",
    "@(a|b)",
    "[[ $a == b* ]]",
    "case $1 in a) ;; esac",
    "f() { :; }",
    "$'\\n'",
    "<<<\"$x\"",
    "2>/dev/null",
    "x=(a b)",
    "for i in 1 2; do :; done",
    "\"$(cat <<E\nx\nE\n)\"",
];

/// A shell-like text: pieces, sometimes inside a here-document's lines or a `$( )`.
fn shellish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(PIECES).prop_map(str::to_string),
            1 => prop::collection::vec(prop::sample::select(PIECES), 0..6)
                .prop_map(|p| format!("cat <<EOF\n{}\nEOF\n", p.concat())),
            1 => prop::collection::vec(prop::sample::select(PIECES), 0..6)
                .prop_map(|p| format!("x=$(cat <<-'E'\n\t{}\n\tE\n)", p.concat())),
            1 => prop::collection::vec(prop::sample::select(PIECES), 0..6)
                .prop_map(|p| format!("\"$( {} )\" ", p.concat())),
            1 => "[ -~\t\n]{0,12}",
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    // `PROPTEST_CASES` runs more (or fewer) cases than the 4,000 of a test run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(4000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn same_tokens_over_generated_texts(text in shellish()) {
        if let Err(e) = compare(&text) {
            return Err(TestCaseError::fail(format!("{text:?}: {e}")));
        }
    }
}
