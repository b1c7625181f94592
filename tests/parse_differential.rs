//! `front::sysv::parse` against brush-parser's own parser over the same tokens: where ours
//! gives a program, brush gives the same one (their `Debug` texts, which hold every node, word
//! and source position, are equal); where brush fails, ours refuses.
//!
//! Over every text file of `corpus/` and `tests/` and prefixes of each (which end inside
//! lists, compound commands and here-documents: brush's error paths), over the init scripts
//! and the files they source in the benchmark's caches when this machine has them (never
//! committed), and over generated texts: pieces strung at random, and scripts built from a
//! small grammar. Ours refusing a text brush parses is allowed (`shell::parse` then runs
//! brush's parser) but counted: it must stay rare on real scripts and generated ones.

use brush_parser::{ParserOptions, Token};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::path::{Path, PathBuf};
use systemdify::front::sysv::parse::parse;
use systemdify::front::sysv::tokenize::tokenize;

/// What brush's parser gives for `tokens`: the `Debug` text of its program, `None` for an
/// error. A panic in brush (a too large file descriptor number) counts as an error:
/// `shell::parse` then falls back to brush, which panics the same way.
fn brush(tokens: &[Token]) -> Option<String> {
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
    let owned = tokens.to_vec();
    std::panic::catch_unwind(move || {
        brush_parser::parse_tokens(&owned, &ParserOptions::default())
            .ok()
            .map(|p| format!("{p:?}"))
    })
    .ok()
    .flatten()
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    /// Texts both parsers read, to the same program.
    same: usize,
    /// Texts brush reads and ours leaves to it.
    refused: usize,
    /// Texts brush rejects (ours refuses them too).
    errors: usize,
    /// Texts our tokenizer leaves to brush's (the parser is not reached).
    untokenized: usize,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.same += o.same;
        self.refused += o.refused;
        self.errors += o.errors;
        self.untokenized += o.untokenized;
    }
}

/// Compares both parsers on `text`: `Err` with a description where they differ.
fn compare(text: &str) -> Result<Tally, String> {
    let Ok(tokens) = tokenize(text) else {
        return Ok(Tally {
            untokenized: 1,
            ..Tally::default()
        });
    };
    let ours = parse(&tokens).map(|p| format!("{p:?}"));
    let theirs = brush(&tokens);
    match (ours, theirs) {
        (None, None) => Ok(Tally {
            errors: 1,
            ..Tally::default()
        }),
        (None, Some(_)) => Ok(Tally {
            refused: 1,
            ..Tally::default()
        }),
        (Some(_), None) => Err("brush fails, ours gives a program".to_string()),
        (Some(a), Some(b)) if a == b => Ok(Tally {
            same: 1,
            ..Tally::default()
        }),
        (Some(_), Some(_)) => {
            // Pretty texts, to show where.
            let a = format!("{:#?}", parse(&tokens));
            let b = format!(
                "{:#?}",
                brush_parser::parse_tokens(&tokens, &ParserOptions::default()).ok()
            );
            let line = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            let around = |t: &str| {
                t.lines()
                    .skip(line.saturating_sub(6))
                    .take(10)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            Err(format!(
                "programs differ at Debug line {line}:\n--- brush\n{}\n--- ours\n{}",
                around(&b),
                around(&a)
            ))
        }
    }
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

/// Up to `n` prefixes of `text`, cut at line ends spread over it (a script cut at a line is
/// still mostly tokens, and its open constructs are the parser's error paths).
fn prefixes(text: &str, n: usize) -> Vec<&str> {
    let len = text.len();
    (1..=n)
        .filter_map(|k| {
            let mut cut = len * k / (n + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let cut = text[..cut].rfind('\n')?;
            (cut > 0).then(|| &text[..cut])
        })
        .collect()
}

/// Compares the whole of each file and (with `cuts`) prefixes of it: the tally of the whole
/// files, the tally of every text, the failures.
fn check_files(files: &[PathBuf], cuts: usize) -> (Tally, Tally, Vec<String>) {
    let mut whole = Tally::default();
    let mut all = Tally::default();
    let mut failures = Vec::new();
    for path in files {
        let Some(text) = text_of(path) else { continue };
        for (i, t) in std::iter::once(text.as_str())
            .chain(prefixes(&text, cuts))
            .enumerate()
        {
            match compare(t) {
                Ok(tally) => {
                    all.add(tally);
                    if i == 0 {
                        whole.add(tally);
                        if tally.refused > 0 && whole.refused <= 10 {
                            eprintln!("left to brush: {}", path.display());
                        }
                    }
                }
                Err(e) => {
                    let what = if i == 0 {
                        "whole".to_string()
                    } else {
                        format!("prefix of {} bytes", t.len())
                    };
                    failures.push(format!("{} ({what}): {e}", path.display()));
                }
            }
        }
    }
    (whole, all, failures)
}

fn shell_like(path: &Path) -> bool {
    let s = path.to_string_lossy();
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
        || std::fs::read(path).is_ok_and(|b| {
            b.starts_with(b"#!") && {
                let first = b.split(|&c| c == b'\n').next().unwrap_or_default();
                first.ends_with(b"sh") || first.windows(3).any(|w| w == b"sh ")
            }
        })
}

#[test]
fn same_programs_over_the_repository_texts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("corpus"), &mut files);
    walk(&root.join("tests"), &mut files);
    assert!(files.len() > 100, "corpus and tests not found");
    let (_, all, failures) = check_files(&files, 8);
    eprintln!("{} files: {all:?}", files.len());
    assert!(
        failures.is_empty(),
        "{} texts differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The shell scripts among them: the corpus's init scripts and the tests' scripts.
    let scripts: Vec<PathBuf> = files.into_iter().filter(|p| shell_like(p)).collect();
    let (whole, _, _) = check_files(&scripts, 0);
    eprintln!("{} shell scripts: {whole:?}", scripts.len());
    assert!(
        whole.refused * 20 <= whole.same + whole.refused,
        "ours leaves more than 1 in 20 of the scripts brush reads to brush: {whole:?}"
    );
}

/// Init scripts and what they source, from the benchmark's package cache and the held-out
/// sets' trees, where this machine has them (skipped otherwise: never committed).
#[test]
fn same_programs_over_cached_init_scripts() {
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
    let scripts: Vec<PathBuf> = files.into_iter().filter(|p| shell_like(p)).collect();
    if scripts.is_empty() {
        eprintln!("no cached init scripts on this machine: skipped");
        return;
    }
    let (whole, all, failures) = check_files(&scripts, 4);
    eprintln!(
        "{} files: whole files {whole:?}; with prefixes {all:?}",
        scripts.len()
    );
    assert!(
        failures.is_empty(),
        "{} texts differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        whole.refused * 20 <= whole.same + whole.refused,
        "ours leaves more than 1 in 20 of the scripts brush reads to brush: {whole:?}"
    );
}

/// Pieces of shell that the parser treats specially, to be strung together at random.
const PIECES: &[&str] = &[
    "echo",
    "a",
    "x=1",
    "x+=2",
    "x=",
    "a[1]=b",
    " ",
    "\n",
    "\n\n",
    ";",
    ";;",
    ";;&",
    ";&",
    "&",
    "&&",
    "||",
    "|",
    "|&",
    "(",
    ")",
    "((",
    "))",
    "{",
    "}",
    "!",
    "time",
    "-p",
    "if",
    "then",
    "elif",
    "else",
    "fi",
    "for",
    "in",
    "do",
    "done",
    "while",
    "until",
    "case",
    "esac",
    "select",
    "coproc",
    "function",
    "f()",
    "[[",
    "]]",
    "-eq",
    "==",
    "=~",
    "-n",
    "-f",
    "<",
    ">",
    ">>",
    "<&",
    ">&",
    "<>",
    ">|",
    "&>",
    "&>>",
    "<<<",
    "2>&1",
    "2>",
    "9",
    "<(",
    ">(",
    "=(",
    "x=(",
    "\"q\"",
    "'q'",
    "$x",
    "$(a)",
    "#c\n",
    "<<E\nbody\nE\n",
    "<<-'E'\n\tb\n\tE\n",
];

/// Whole constructs, each valid on its own, for the grammar below to nest.
fn script(depth: u32) -> BoxedStrategy<String> {
    // Reserved words among them are arguments after a command's name, and end a command of
    // assignments only (then mostly an error).
    let word = prop_oneof![
        8 => prop::sample::select(vec![
            "a", "b", "echo", "x=1", "y=", "z+=a", "\"$x\"", "'w'", "$(c d)", "2", "-n", "=",
            "--", "a=b=c", "arr=(1 2)", "[k]=v", "a[1]", "b[2]=", "{a,b}",
        ]),
        1 => prop::sample::select(vec!["in", "do", "fi", "}", "then", "!", "{", "esac", "]]"]),
    ]
    .prop_map(str::to_string);
    let redirect = prop::sample::select(vec![
        ">/dev/null",
        "2>&1",
        "2> f",
        "< in",
        ">> log",
        "&>/dev/null",
        "<<< \"$s\"",
        "<&0",
        ">|f",
        "<>f",
        "1>&-",
        "< <(cmd)",
        "<<EOF\nline $x\nEOF\n",
        "<<-'E'\n\tq\n\tE\n",
    ])
    .prop_map(str::to_string);
    let first = prop::sample::select(vec![
        "echo",
        "a",
        "x=1",
        "y=",
        "z+=a",
        "\"$x\"",
        "$(c d)",
        "arr=(1 2)",
        "m[$i]=v",
        "m[k]+=w",
        "m[\"q\"]=v",
        ">/dev/null",
        "2>&1",
        "[k]=v",
        "time",
        "f",
        "a=b=c",
    ])
    .prop_map(str::to_string);
    let simple = (
        first,
        prop::collection::vec(prop_oneof![3 => word.clone(), 1 => redirect.clone()], 0..4),
        prop_oneof![
            12 => Just(""),
            2 => Just(" arr=(a\nb [1]=c)"),
            2 => Just(" <(ls)"),
            1 => Just(" x=("),
        ],
    )
        .prop_map(|(first, parts, extra)| {
            let mut s = first;
            for p in parts {
                s.push(' ');
                s.push_str(&p);
            }
            s.push_str(extra);
            s
        })
        .boxed();
    if depth == 0 {
        return simple;
    }
    let inner = script(depth - 1);
    let list = prop::collection::vec(
        (
            inner.clone(),
            prop::sample::select(vec![
                "\n", "; ", " & ", " && ", " || ", " | ", " |& ", ";\n",
            ]),
        ),
        1..4,
    )
    .prop_map(|items| {
        let mut s = String::new();
        for (i, (c, sep)) in items.iter().enumerate() {
            s.push_str(c);
            if i + 1 < items.len() {
                s.push_str(sep);
            }
        }
        s
    })
    .boxed();
    let test = prop::sample::select(vec![
        "[[ -f /x ]]",
        "[[ $a == b* && ! -d $c ]]",
        "[[ ( a || b ) && c ]]",
        "[[ $x =~ ^(a|b)+$ ]]",
        "[[ $x =~ '^a' ]]",
        "[[ a < b ]]",
        "[[ -n ]]",
        "[[ !\n]]",
        "[[ a\n|| b ]]",
    ])
    .prop_map(str::to_string);
    let arith = prop::sample::select(vec![
        "((i++))",
        "(( (a+1) * 2 ))",
        "((a) )",
        "for ((i=0; i<3; i++)); do :; done",
        "for (( ; ; )) { b; }",
        "( (a) )",
    ])
    .prop_map(str::to_string);
    prop_oneof![
        4 => simple,
        1 => test,
        1 => arith,
        1 => (list.clone(), prop::sample::select(vec!["\n", "; ", " & ", ";\n\n", " &\n"]))
            .prop_map(|(l, end)| format!("{{ {l}{end}}}")),
        1 => list.clone().prop_map(|l| format!("( {l} )")),
        1 => (list.clone(), list.clone(), prop::option::of(list.clone()), any::<bool>())
            .prop_map(|(c, t, e, elif)| match e {
                Some(e) if elif => format!("if {c}; then {t}\nelif {c}; then {e}\nfi"),
                Some(e) => format!("if {c}\nthen\n{t}\nelse {e}; fi"),
                None => format!("if {c}; then {t}; fi"),
            }),
        1 => (list.clone(), any::<bool>()).prop_map(|(b, w)| if w {
            format!("while {b}; do {b}; done")
        } else {
            format!("until {b}\ndo\n{b}\ndone")
        }),
        1 => (list.clone(), prop::sample::select(vec!["for i in a b; do", "for i\ndo", "for i; do", "for i in\ndo"]))
            .prop_map(|(b, head)| format!("{head} {b}; done")),
        1 => (prop::collection::vec((prop::sample::select(vec!["a)", "(b|c)", "*) ", "esac)", "x |y)"]),
            prop::option::of(list.clone()), prop::sample::select(vec![";;", ";;", ";;", ";&", ";;&", ""])), 0..4))
            .prop_map(|items| {
                let mut s = "case $1 in\n".to_string();
                for (p, l, end) in items {
                    s.push_str(p);
                    if let Some(l) = l { s.push(' '); s.push_str(&l); }
                    s.push_str(end);
                    s.push('\n');
                }
                s.push_str("esac");
                s
            }),
        1 => (list.clone(), prop::sample::select(vec!["f() ", "function g ", "function h() ", "k()\n"]), prop::option::of(redirect))
            .prop_map(|(b, head, r)| format!("{head}{{ {b}\n}}{}", r.map(|r| format!(" {r}")).unwrap_or_default())),
        1 => list.clone().prop_map(|l| format!("! {l}")),
        1 => list.prop_map(|l| format!("time -p {l}")),
    ]
    .boxed()
}

/// A script of the grammar, sometimes with a token's worth of damage (a piece dropped in).
fn generated() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(script(2), 1..4),
        prop::sample::select(vec![false, false, false, true]),
        prop::sample::select(PIECES),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(parts, damaged, piece, at)| {
            let mut s = parts.join("\n");
            if damaged {
                let mut cut = at.index(s.len() + 1);
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                s.insert_str(cut, piece);
            }
            s
        })
}

/// Pieces strung together at random: mostly errors, so brush's error paths.
fn strung() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::sample::select(PIECES).prop_map(str::to_string),
            1 => Just(" ".to_string()),
        ],
        0..30,
    )
    .prop_map(|v| v.join(" "))
}

/// Over a fixed series of generated scripts: the same programs wherever ours gives one, and
/// ours giving one for most of those brush reads.
#[test]
fn generated_scripts_mostly_parse_here() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = generated();
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for _ in 0..3000 {
        let text = strategy.new_tree(&mut runner).expect("a value").current();
        match compare(&text) {
            Ok(t) => {
                if std::env::var_os("SHOW_ERRORS").is_some() && (t.errors > 0 || t.refused > 0) {
                    eprintln!(
                        "{}: {text:?}",
                        if t.errors > 0 { "error" } else { "refused" }
                    );
                }
                tally.add(t);
            }
            Err(e) => failures.push(format!("{text:?}: {e}")),
        }
    }
    eprintln!("generated scripts: {tally:?}");
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures[..failures.len().min(5)].join("\n\n")
    );
    assert!(
        tally.same > 2 * tally.refused,
        "ours leaves too many of the scripts brush reads to brush: {tally:?}"
    );
}

proptest! {
    // `PROPTEST_CASES` runs more (or fewer) cases than the 3,000 of a test run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn same_programs_over_generated_scripts(text in generated()) {
        if let Err(e) = compare(&text) {
            return Err(TestCaseError::fail(format!("{text:?}: {e}")));
        }
    }

    #[test]
    fn same_programs_over_strung_pieces(text in strung()) {
        if let Err(e) = compare(&text) {
            return Err(TestCaseError::fail(format!("{text:?}: {e}")));
        }
    }
}
