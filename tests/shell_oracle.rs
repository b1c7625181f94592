//! The static shell reader against a real shell: for assignments built from parameter
//! expansions (`${A:-x}`, `${A##*/}`, `${A%.*}`, `${A:+x}`, `${0##*/}`, quoting, concatenation),
//! the value our interpreter gives must be the one `/bin/sh` prints. Init scripts are never run
//! by the tool; here only these generated assignment snippets are.

use systemdify::front::sysv::shell::{Interp, parse};
use systemdify::host::Host;

const BASES: &[&str] = &[
    "/usr/sbin/foo-daemon",
    "foo.bar.baz",
    "S01apache-htcacheclean",
    "a b  c",
    "",
    "-x --y=1",
];

const EXPRESSIONS: &[&str] = &[
    "$A",
    "${A}",
    "\"$A\"",
    "${A:-dflt}",
    "${A-dflt}",
    "${U:-dflt}",
    "${U-dflt}",
    "${A:+alt}",
    "${U:+alt}",
    "${A##*/}",
    "${A#*/}",
    "${A#*.}",
    "${A##*.}",
    "${A%.*}",
    "${A%%.*}",
    "${A%/*}",
    "${A##[KS][0-9][0-9]}",
    "${A#[!a-z]}",
    "${0##*/}",
    "${0%.sh}",
    "\"pre${A}post\"",
    "\"$A$A\"",
    "'lit $A'",
    "\"\\$A\"",
    "\"${A:-$U}x\"",
    "\"${U:-${A}}\"",
    "${#A}",
    "${#U}",
];

fn sh(script: &str) -> Option<String> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("/etc/init.d/food.sh")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn parameter_expansions_match_the_shell() {
    if sh("true").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "/bin/sh is required in CI"
        );
        eprintln!("skipping: no /bin/sh");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let host = Host::at(dir.path());
    let mut failures = Vec::new();
    let mut checked = 0;
    for base in BASES {
        for expr in EXPRESSIONS {
            for (assign, name) in [
                (format!("B={expr}"), "B"),
                (format!(": ${{C:={expr}}}"), "C"),
            ] {
                // `${C:=…}` only takes unquoted words in its default.
                if name == "C" && (expr.contains('"') || expr.contains('\'')) {
                    continue;
                }
                let script = format!("A='{base}'\n{assign}\n");
                let expected = sh(&format!("{script}printf '%s' \"${name}\"")).unwrap();
                let program = parse(&script).unwrap();
                let mut interp = Interp::new(&host, "/etc/init.d/food.sh", vec!["start".into()]);
                interp.run_top(&program);
                let ours = interp.value(name);
                checked += 1;
                if ours.as_deref() != Some(expected.as_str()) {
                    failures.push(format!(
                        "A='{base}'; {assign}: sh gives {expected:?}, we give {ours:?}"
                    ));
                }
            }
        }
    }
    assert!(checked > 200, "only {checked} cases");
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
