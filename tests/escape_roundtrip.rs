//! Round-trip tests for `systemdify::back::systemd::escape`.
//!
//! The writer must produce `ExecStart=` / `Environment=` values that systemd 252 parses back to
//! exactly the strings we meant. These tests check that three ways:
//!
//! 1. against an independent model of systemd's parser ([`model`] below, written from
//!    systemd.service(5) "COMMAND LINES", systemd.syntax(7) "Quoting", systemd.unit(5)
//!    "Specifiers" and the v252 sources of `config_parse_exec()`, `config_parse_environ()`,
//!    `extract_first_word()`, `cunescape_one()`, `specifier_printf()` and `replace_env_argv()`),
//!    with proptest;
//! 2. against the real `systemd-escape` for the instance-name escapes;
//! 3. against the real unit-file parser, through `systemd-analyze verify` (no parse warnings) and
//!    through the unit dump `systemd-analyze verify` prints at debug log level (the parsed argv
//!    and environment, compared with what we meant).
//!
//! Tests that need systemd binaries are skipped with a note when the binary is missing, unless
//! the `CI` environment variable is set, in which case they fail.
//!
//! The program path (argv[0]) is special: systemd expands specifiers in it but no variables
//! (systemd.service(5): "the first argument (i.e. the program to execute) may not be a
//! variable"), so `exec_line` must not double `$` there; yet the *argv[0]* systemd passes is the
//! same word, and it does go through variable substitution. A program path holding `$$` or a
//! `${…}` can therefore not be written so that both come out right; see
//! `argv0_with_dollar_dollar_or_braces`, ignored.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::path::Path;
use std::process::Command;
use systemdify::back::systemd::escape::{
    env_name_is_valid, environment, exec_arg, exec_line, exec_named, path_instance, unit_instance,
};

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

#[path = "support/systemd_model.rs"]
mod model;

#[test]
fn model_self_test() {
    model::self_test();
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Characters that are special to some layer (unit-file reader, word splitting, quoting,
/// escapes, specifiers, variables, command separators) or to Rust's idea of whitespace and
/// control characters.
const TRICKY: &[char] = &[
    ' ', '\t', '\n', '\r', '\x0b', '\x0c', '\x01', '\x1b', '\x7f', '"', '\'', '\\', '%', '$', ';',
    '{', '}', '#', '=', '@', '-', ':', '+', '!', '/', '*', '`', 'x', 'n', '0', '\u{85}', '\u{a0}',
    '\u{2028}', '\u{feff}', 'é', '€', '😀',
];

/// Any char except NUL (which no argv, environment value or command-line argument can hold).
fn arb_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::sample::select(TRICKY),
        3 => proptest::char::range('a', 'z'),
        2 => any::<char>().prop_map(|c| if c == '\0' { '\u{1}' } else { c }),
    ]
}

/// An arbitrary string (no NUL), biased towards the interesting shapes.
fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::collection::vec(arb_char(), 0..16).prop_map(|v| v.into_iter().collect()),
        1 => proptest::sample::select(vec![
            "", ";", "\\;", "\";\"", "%%", "$$", "$HOME", "${HOME}", "%n", " ", " lead",
            "trail ", "\\", "a\\", "\"", "'", "-", "@", "--flag=1 2", "\\x41",
        ])
        .prop_map(String::from),
        1 => (arb_string_leaf(), arb_string_leaf()).prop_map(|(a, b)| format!(" {a};{b}\\ ")),
    ]
}

fn arb_string_leaf() -> impl Strategy<Value = String> {
    proptest::collection::vec(arb_char(), 0..6).prop_map(|v| v.into_iter().collect())
}

/// A program path systemd can execute: absolute, normalized, without the characters
/// `string_is_safe()` refuses (quotes, backslash, control characters) and without `$$` or `${`
/// (see `argv0_with_dollar_dollar_or_braces`). It may hold spaces, `%`, `$`, `;`, braces and
/// non-ASCII.
fn arb_program() -> impl Strategy<Value = String> {
    let component_char = prop_oneof![
        5 => proptest::char::range('a', 'z'),
        3 => proptest::sample::select(&[
            ' ', '%', '$', '{', '}', ';', '.', '-', '_', '@', ':', '+', '!', '#', '=', '\u{a0}',
            'é', '€', '😀',
        ][..]),
    ];
    let component = proptest::collection::vec(component_char, 1..10)
        .prop_map(|v| v.into_iter().collect::<String>())
        .prop_filter("not . or ..", |c| c != "." && c != "..");
    proptest::collection::vec(component, 1..4)
        .prop_map(|parts| format!("/{}", parts.join("/")))
        .prop_filter("no $$ or ${", |p| !p.contains("$$") && !p.contains("${"))
}

fn arb_argv() -> impl Strategy<Value = Vec<String>> {
    (arb_program(), proptest::collection::vec(arb_string(), 0..5)).prop_map(|(p, rest)| {
        let mut argv = vec![p];
        argv.extend(rest);
        argv
    })
}

fn arb_env_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,15}"
}

/// Deterministic samples of a strategy (for the tests that spawn systemd binaries).
fn samples<S: Strategy>(strategy: S, n: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("strategy").current())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Round trips through the model
// ---------------------------------------------------------------------------------------------

fn check_exec_roundtrip(argv: &[String]) -> Result<(), String> {
    let line = exec_line(argv);
    model::check_unit_file_value(&line).map_err(|e| format!("{e}: {line:?}"))?;
    let commands = model::parse_exec(&line).map_err(|e| format!("{e}: {line:?}"))?;
    let [command] = commands.as_slice() else {
        return Err(format!("{} commands from {line:?}", commands.len()));
    };
    if !command.prefixes.is_empty() {
        return Err(format!("prefix {:?} in {line:?}", command.prefixes));
    }
    if command.argv != argv {
        return Err(format!(
            "argv mismatch for {line:?}\n  meant:  {argv:?}\n  parsed: {:?}",
            command.argv
        ));
    }
    if command.path != argv[0] {
        return Err(format!(
            "executable mismatch for {line:?}: meant {:?}, systemd runs {:?}",
            argv[0], command.path
        ));
    }
    Ok(())
}

/// `exec_named(program, argv)` is read back as `program` run with exactly `argv`.
fn check_named_roundtrip(program: &str, argv: &[String]) -> Result<(), String> {
    let line = exec_named(program, argv);
    model::check_unit_file_value(&line).map_err(|e| format!("{e}: {line:?}"))?;
    let commands = model::parse_exec(&line).map_err(|e| format!("{e}: {line:?}"))?;
    let [command] = commands.as_slice() else {
        return Err(format!("{} commands from {line:?}", commands.len()));
    };
    if command.prefixes != "@" || command.path != program || command.argv != argv {
        return Err(format!(
            "{line:?} is read as {command:?}, meant {program:?} with argv {argv:?}"
        ));
    }
    Ok(())
}

fn check_environment_roundtrip(name: &str, value: &str) -> Result<(), String> {
    let rendered = environment(name, value);
    model::check_unit_file_value(&rendered).map_err(|e| format!("{e}: {rendered:?}"))?;
    let parsed = model::parse_environment(&rendered).map_err(|e| format!("{e}: {rendered:?}"))?;
    if parsed != [(name.to_string(), value.to_string())] {
        return Err(format!(
            "environment mismatch for {rendered:?}: meant {name}={value:?}, parsed {parsed:?}"
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn exec_line_roundtrips_through_the_model(argv in arb_argv()) {
        if let Err(e) = check_exec_roundtrip(&argv) {
            prop_assert!(false, "{}", e);
        }
    }

    /// `@PROGRAM ARGV0 …`: argv[0] is a word like any argument, whatever it holds.
    #[test]
    fn exec_named_roundtrips_through_the_model(
        program in arb_program(),
        argv in proptest::collection::vec(arb_string(), 1..5),
    ) {
        if let Err(e) = check_named_roundtrip(&program, &argv) {
            prop_assert!(false, "{}", e);
        }
    }

    /// Every argument position after the program, one argument at a time (also shows each
    /// `exec_arg` is a self-contained word).
    #[test]
    fn exec_arg_is_one_word(arg in arb_string()) {
        let argv = vec!["/bin/true".to_string(), arg.clone(), "end".to_string()];
        if let Err(e) = check_exec_roundtrip(&argv) {
            prop_assert!(false, "{} (exec_arg gave {:?})", e, exec_arg(&arg));
        }
    }

    #[test]
    fn environment_roundtrips_through_the_model(name in arb_env_name(), value in arb_string()) {
        prop_assume!(env_name_is_valid(&name));
        if let Err(e) = check_environment_roundtrip(&name, &value) {
            prop_assert!(false, "{}", e);
        }
    }

    /// Several assignments on one `Environment=` line stay separate.
    #[test]
    fn environment_assignments_join(values in proptest::collection::vec(arb_string(), 1..4)) {
        let line = values
            .iter()
            .enumerate()
            .map(|(i, v)| environment(&format!("V{i}"), v))
            .collect::<Vec<_>>()
            .join(" ");
        let parsed = model::parse_environment(&line);
        let meant: Vec<(String, String)> =
            values.iter().enumerate().map(|(i, v)| (format!("V{i}"), v.clone())).collect();
        prop_assert_eq!(parsed, Ok(meant), "line {:?}", line);
    }
}

#[test]
fn hand_picked_exec_lines() {
    let cases: &[&[&str]] = &[
        &["/bin/sh", "-c", "date +%F >> /var/log/x 2>&1; echo $HOME"],
        &["/bin/true", ""],
        &["/bin/true", ";"],
        &["/bin/true", ";", ";"],
        &["/bin/true", "\\;"],
        &["/bin/true", "a;"],
        &["/bin/true", " "],
        &["/bin/true", " lead", "trail "],
        &["/bin/true", "\\"],
        &["/bin/true", "ends with backslash\\"],
        &["/bin/true", "\"", "'", "\"'\""],
        &["/bin/true", "%", "%%", "%n", "%%n"],
        &["/bin/true", "$", "$$", "$HOME", "${HOME}", "$1"],
        &["/bin/true", "line\nbreak", "cr\r", "tab\t", "\x01\x1b\x7f"],
        &["/bin/true", "\u{85}", "\u{a0}", "\u{2028}", "é€😀"],
        &["/bin/true", "\\x41", "\\101", "\\u00e9", "\\s"],
        &["/usr/local/bin/my prog"],
        &["/opt/100%/run"],
        &["/opt/a;b/run", "-"],
        &["/opt/a$b/run", "$b"],
        &["/opt/$/x$", "$"],
        &["/opt/{}/$x%y", "{}"],
        &["/bin//true"],
    ];
    let mut failures = Vec::new();
    for case in cases {
        let argv: Vec<String> = case.iter().map(|s| s.to_string()).collect();
        if let Err(e) = check_exec_roundtrip(&argv) {
            // `/bin//true`: systemd runs the simplified path, argv[0] keeps what we wrote.
            if argv[0] == "/bin//true" && e.contains("executable mismatch") {
                continue;
            }
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hand_picked_environment() {
    for value in [
        "", " ", "a b", "\"", "'", "\\", "a\\", "50%", "%n", "$HOME", "${X}", "$$", "\n", "\t",
        "\x01", "é", "a=b", ";", "#",
    ] {
        check_environment_roundtrip("X", value).unwrap();
    }
}

/// Residual limitation of writing the program path as the first word: systemd executes the
/// path with `$$` and `${…}` untouched but passes argv[0] through variable substitution, so for
/// `/opt/a$$b/run` the program runs with argv[0] = `/opt/a$b/run`, and for `/opt/${X}/run`
/// argv[0] becomes `/opt//run` (X unset). Writing `@PATH ARGV0` (with `$` doubled only in the
/// second word) would get both right.
#[test]
#[ignore = "exec_line: argv[0] holding `$$` or `${` reaches the program changed"]
fn argv0_with_dollar_dollar_or_braces() {
    for program in ["/opt/a$$b/run", "/opt/${X}/run"] {
        check_exec_roundtrip(&[program.to_string()]).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Real systemd binaries
// ---------------------------------------------------------------------------------------------

/// Whether `binary` can be run; if not, skips (prints a note) or, under `CI`, fails.
fn have_binary(binary: &str) -> bool {
    let found = Command::new(binary).arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{binary} is required when CI is set (apt-get install systemd)"
        );
        eprintln!("note: {binary} not found, skipping (set CI=1 to make this a failure)");
    }
    found
}

fn systemd_escape(args: &[&str], input: &str) -> Result<String, String> {
    let out = Command::new("systemd-escape")
        .args(args)
        .arg("--")
        .arg(input)
        .output()
        .expect("run systemd-escape");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let stdout = String::from_utf8(out.stdout).expect("systemd-escape output is ASCII");
    Ok(stdout
        .strip_suffix('\n')
        .expect("newline-terminated")
        .to_string())
}

/// `unit_instance` / `path_instance` against `systemd-escape` / `systemd-escape --path`.
///
/// What systemd-escape 252 refuses or warns about (measured):
/// - plain mode refuses nothing we can pass: even the empty string is accepted (it prints an
///   empty line, exit 0), so "" is compared like any other string. NUL cannot be passed on a
///   command line, so no generated string holds one.
/// - `--path` fails for paths that are not normalized after simplification (a `..` component:
///   "Input '/a/../b' is not a normalized file system path"), and only *warns* (exit 0) for
///   relative paths and the empty string. We therefore compare absolute paths without `..`;
///   duplicate and trailing slashes are included, both sides drop them.
#[test]
fn instance_escaping_matches_systemd_escape() {
    if !have_binary("systemd-escape") {
        return;
    }
    let mut inputs: Vec<String> = [
        "", ".hidden", "a-b", "a/b", "é", "a b$%\\x", "@", ":", "-", "/", "//x//", "_.:", "..",
        "a.b", "\t\n", "😀",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    inputs.extend(samples(arb_string(), 300));
    let mut mismatches = Vec::new();
    for s in &inputs {
        let want = systemd_escape(&[], s).unwrap_or_else(|e| panic!("systemd-escape {s:?}: {e}"));
        let got = unit_instance(s);
        if got != want {
            mismatches.push(format!(
                "unit_instance({s:?}) = {got:?}, systemd-escape: {want:?}"
            ));
        }
    }

    let component = proptest::collection::vec(arb_char(), 1..8)
        .prop_map(|v| v.into_iter().collect::<String>())
        .prop_filter("no / . ..", |c| !c.contains('/') && c != "." && c != "..");
    let path = (
        proptest::collection::vec(component, 0..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(parts, double, trailing)| {
            let sep = if double { "//" } else { "/" };
            let mut p = format!("/{}", parts.join(sep));
            if trailing && !parts.is_empty() {
                p.push('/');
            }
            p
        });
    let mut paths: Vec<String> = ["/", "/.hidden", "/a-b/c", "/var/lib//x/", "/é/ü", "/a/.b"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    paths.extend(samples(path, 150));
    for p in &paths {
        let want = systemd_escape(&["--path"], p)
            .unwrap_or_else(|e| panic!("systemd-escape --path {p:?}: {e}"));
        let got = path_instance(p);
        if got != want {
            mismatches.push(format!(
                "path_instance({p:?}) = {got:?}, systemd-escape --path: {want:?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// A oneshot service with one `ExecStart=` per argv and one `Environment=` per value.
fn unit_file(argvs: &[Vec<String>], env_values: &[String]) -> String {
    let mut unit =
        String::from("[Unit]\nDescription=escape round trip\n\n[Service]\nType=oneshot\n");
    for (i, v) in env_values.iter().enumerate() {
        unit.push_str(&format!(
            "Environment={}\n",
            environment(&format!("V{i}"), v)
        ));
    }
    for argv in argvs {
        unit.push_str(&format!("ExecStart={}\n", exec_line(argv)));
    }
    unit
}

/// ~50 argvs (program fixed to `/bin/true`, which `verify` checks exists) and ~50 environment
/// values: a few hand-picked ones, the rest generated deterministically.
fn verify_inputs() -> (Vec<Vec<String>>, Vec<String>) {
    let fixed: &[&[&str]] = &[
        &[";", "a", ";", "\\;", "\";\""],
        &["", " ", " lead", "trail ", "\\", "a\\"],
        &["$", "$$", "$HOME", "${HOME}", "%", "%n", "%%"],
        &[
            "\n",
            "\r",
            "\t",
            "\x01\x1b\x7f",
            "\u{85}\u{a0}\u{2028}",
            "é€😀",
        ],
        &["\"", "'", "\"'\"", "\\x41", "\\101", "\\s"],
    ];
    let mut argvs: Vec<Vec<String>> = fixed
        .iter()
        .map(|rest| rest.iter().map(|s| s.to_string()).collect())
        .collect();
    argvs.extend(samples(proptest::collection::vec(arb_string(), 0..6), 45));
    for argv in &mut argvs {
        argv.insert(0, "/bin/true".to_string());
    }
    let mut env_values: Vec<String> = [
        "", " ", "a b", "\"", "'", "\\", "a\\", "50%", "%n", "$HOME", "${X}", "\n", "\x01",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    env_values.extend(samples(arb_string(), 40));
    (argvs, env_values)
}

/// Runs `systemd-analyze verify --man=no FILE`.
///
/// How it behaves here (systemd 252, measured in a container where systemd is not PID 1 and no
/// bus is running): `verify` needs neither. It starts a private manager in test mode
/// (`MANAGER_TEST_RUN_MINIMAL`), loads the file plus the units it depends on from the usual
/// unit directories, and exits. Exit status is 1 only for *fatal* problems (e.g. an `Exec*=`
/// whose specifiers cannot be resolved: "Unit configuration has fatal error"); mere parse
/// warnings ("Ignoring unknown escape sequences", "Invalid environment assignment, ignoring",
/// "Unbalanced quoting") leave it at 0, so stderr must be checked too. It also checks that each
/// `ExecStart=` program exists, hence `/bin/true`.
///
/// Flags: `--man=no` skips checking `Documentation=` man pages (slow, and absent in minimal
/// images); `--generators` stays at its default (off). Environment: `SYSTEMD_LOG_LEVEL` is forced
/// to `info` so that warnings are printed whatever the caller's environment says (at `debug` the
/// tool also dumps the loaded units to stdout, which `systemd_parses_our_lines_back` uses),
/// `SYSTEMD_LOG_COLOR=0` and `SYSTEMD_LOG_LOCATION=0` keep messages plain, `SYSTEMD_PAGER=cat`
/// avoids a pager.
fn systemd_analyze_verify(unit_path: &Path, log_level: &str) -> std::process::Output {
    Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(unit_path)
        .env("SYSTEMD_LOG_LEVEL", log_level)
        .env("SYSTEMD_LOG_COLOR", "0")
        .env("SYSTEMD_LOG_LOCATION", "0")
        .env("SYSTEMD_PAGER", "cat")
        .output()
        .expect("run systemd-analyze")
}

fn write_unit(dir: &Path, contents: &str) -> std::path::PathBuf {
    let path = dir.join("systemdify-escape-roundtrip.service");
    std::fs::write(&path, contents).expect("write unit");
    path
}

#[test]
fn systemd_analyze_verify_accepts_our_lines() {
    if !have_binary("systemd-analyze") {
        return;
    }
    let (argvs, env_values) = verify_inputs();
    let dir = tempfile::tempdir().expect("tempdir");
    let unit = unit_file(&argvs, &env_values);
    let path = write_unit(dir.path(), &unit);
    let out = systemd_analyze_verify(&path, "info");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let about_our_file: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(&*path.to_string_lossy()) || l.contains(&name))
        .collect();
    assert!(
        out.status.success() && about_our_file.is_empty(),
        "systemd-analyze verify: {}\n{}\n--- unit ---\n{unit}",
        out.status,
        stderr
    );
}

/// The program path as systemd executes it: `systemd-analyze verify` fails ("Command … is not
/// executable") when the first `ExecStart=` program does not exist, so programs with awkward
/// names are created in a temporary directory and each is checked in a unit of its own (only a
/// unit's first command is checked).
#[test]
fn systemd_analyze_verify_finds_our_program_paths() {
    if !have_binary("systemd-analyze") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("bin dir");
    std::fs::create_dir(&bin).unwrap();
    let mut failures = Vec::new();
    for name in [
        "plain",
        "a$b",
        "dollar$",
        "$lead",
        "100%",
        "50%%",
        "semi;colon",
        ";",
        "sp ace",
        "é€😀",
        "@at",
        ":colon",
        "+plus",
        "-dash",
        "!bang",
        "{}",
        "#hash",
        "a=b",
        "x\u{a0}y",
    ] {
        let program = bin.join(name);
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let program = program.to_str().unwrap().to_string();
        let argv = vec![program.clone(), "arg".to_string()];
        let unit = unit_file(std::slice::from_ref(&argv), &[]);
        let path = write_unit(dir.path(), &unit);
        let out = systemd_analyze_verify(&path, "info");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() || stderr.contains("systemdify-escape-roundtrip") {
            failures.push(format!("{program:?}: {}\n{stderr}{unit}", out.status));
        }
        if let Err(e) = check_exec_roundtrip(&argv) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Undoes `quote_command_line(argv, SHELL_ESCAPE_EMPTY)`, the format of "Command Line:" in the
/// unit dump: words separated by one space; a word needing quotes is in `"…"` where `\` escapes
/// `\ " $ \``, control characters are C escapes (`\n`, `\t`, … or octal `\NNN`).
fn unquote_command_line(s: &str) -> Vec<Vec<u8>> {
    let b = s.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let mut w = Vec::new();
        if b[i] == b'"' {
            i += 1;
            while b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                    match b[i] {
                        b'a' => w.push(0x07),
                        b'b' => w.push(0x08),
                        b'f' => w.push(0x0c),
                        b'n' => w.push(b'\n'),
                        b'r' => w.push(b'\r'),
                        b't' => w.push(b'\t'),
                        b'v' => w.push(0x0b),
                        d @ b'0'..=b'7' => {
                            let oct = |x: u8| u32::from(x - b'0');
                            let v = (oct(d) << 6) | (oct(b[i + 1]) << 3) | oct(b[i + 2]);
                            w.push(v as u8);
                            i += 2;
                        }
                        other => w.push(other),
                    }
                } else {
                    w.push(b[i]);
                }
                i += 1;
            }
            i += 1;
        } else {
            while i < b.len() && b[i] != b' ' {
                w.push(b[i]);
                i += 1;
            }
        }
        words.push(w);
        assert!(
            i >= b.len() || b[i] == b' ',
            "unexpected dump format: {s:?}"
        );
        i += 1;
    }
    words
}

/// The strongest check: systemd's own parser. At debug log level `systemd-analyze verify` dumps
/// each loaded unit to stdout, including every `Exec*=` command's argv ("Command Line: …", before
/// run-time variable substitution, which we apply with the model) and the `Environment=` list
/// ("Environment: NAME=value", raw, hence values with a newline are left out here).
#[test]
fn systemd_parses_our_lines_back() {
    if !have_binary("systemd-analyze") {
        return;
    }
    let (argvs, env_values) = verify_inputs();
    let env_values: Vec<String> = env_values
        .into_iter()
        .filter(|v| !v.contains('\n'))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let unit = unit_file(&argvs, &env_values);
    let path = write_unit(dir.path(), &unit);
    let out = systemd_analyze_verify(&path, "debug");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();

    // Our unit's dump starts at "-> Unit systemdify-escape-roundtrip.service:".
    let start = stdout
        .find("-> Unit systemdify-escape-roundtrip.service:")
        .unwrap_or_else(|| {
            panic!("no unit dump on stdout (format changed?):\n{stdout}");
        });
    let dump = &stdout[start..];
    let dump = match dump[1..].find("-> Unit ") {
        Some(end) => &dump[..end + 1],
        None => dump,
    };

    let parsed_argvs: Vec<Vec<String>> = dump
        .split('\n')
        .filter_map(|l| l.trim_start_matches('\t').strip_prefix("Command Line: "))
        .map(|l| {
            unquote_command_line(l)
                .into_iter()
                .map(|w| {
                    let w = model::replace_env_word(&w).expect("no variables in our argv");
                    String::from_utf8(w).expect("UTF-8")
                })
                .collect()
        })
        .collect();
    assert_eq!(parsed_argvs.len(), argvs.len(), "dump:\n{dump}");
    for (meant, parsed) in argvs.iter().zip(&parsed_argvs) {
        assert_eq!(meant, parsed, "ExecStart={}", exec_line(meant));
    }

    let parsed_env: Vec<&str> = dump
        .split('\n')
        .filter_map(|l| l.trim_start_matches('\t').strip_prefix("Environment: "))
        .collect();
    let meant_env: Vec<String> = env_values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("V{i}={v}"))
        .collect();
    assert_eq!(parsed_env, meant_env, "dump:\n{dump}");
}

/// `@/bin/true ARGV0 …` lines through systemd's own parser: the dump's "Command Line:" is the
/// argv the program gets, argv[0] included, and must be what we meant, for argv[0] values that
/// are special to some layer (empty, `;`, `$`, `%`, quotes, spaces, a leading `-` or `@`). The
/// dump does not show the path; the model's round trip checks it.
#[test]
fn systemd_parses_named_lines_back() {
    if !have_binary("systemd-analyze") {
        return;
    }
    let (argvs, _) = verify_inputs();
    let mut named: Vec<Vec<String>> = [
        "",
        ";",
        "$",
        "$$",
        "$HOME",
        "${HOME}",
        "%n",
        "%%",
        "a b",
        "\"",
        "'",
        "\\",
        "-dash",
        "@at",
        "php",
        "./bin/statsd",
    ]
    .iter()
    .map(|a| vec![a.to_string(), "arg".to_string()])
    .collect();
    // The generated argument vectors, with their own first argument as argv[0].
    named.extend(
        argvs
            .into_iter()
            .map(|a| a[1..].to_vec())
            .filter(|a| !a.is_empty()),
    );
    let mut unit =
        String::from("[Unit]\nDescription=escape round trip\n\n[Service]\nType=oneshot\n");
    for argv in &named {
        unit.push_str(&format!("ExecStart={}\n", exec_named("/bin/true", argv)));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_unit(dir.path(), &unit);
    let out = systemd_analyze_verify(&path, "info");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("systemdify-escape-roundtrip"),
        "{stderr}\n{unit}"
    );
    let out = systemd_analyze_verify(&path, "debug");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let start = stdout
        .find("-> Unit systemdify-escape-roundtrip.service:")
        .expect("no unit dump on stdout");
    let dump = &stdout[start..];
    let dump = match dump[1..].find("-> Unit ") {
        Some(end) => &dump[..end + 1],
        None => dump,
    };
    let lines: Vec<&str> = dump
        .split('\n')
        .map(|l| l.trim_start_matches('\t'))
        .collect();
    let parsed: Vec<Vec<String>> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("Command Line: "))
        .map(|l| {
            unquote_command_line(l)
                .into_iter()
                .map(|w| {
                    let w = model::replace_env_word(&w).expect("no variables in our argv");
                    String::from_utf8(w).expect("UTF-8")
                })
                .collect()
        })
        .collect();
    assert_eq!(parsed.len(), named.len(), "dump:\n{dump}");
    for (meant, got) in named.iter().zip(&parsed) {
        assert_eq!(meant, got, "ExecStart={}", exec_named("/bin/true", meant));
    }
}
