//! The corpus: `corpus/<format>/<case>/` holds a host tree `root/`, the command-line arguments
//! in `args` (one per line; `--root` and `-o` are added), and `expected/` with every file the run
//! writes, `report.json`, and `stderr` (errors and summary, with the exit code on its last line).
//!
//! `cargo test --test corpus` compares; `BLESS=1 cargo test --test corpus` rewrites `expected/`.
//! `CORPUS=name` runs only cases whose path contains `name`.

#[path = "support/corpus_args.rs"]
mod corpus_args;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name() == Some(std::ffi::OsStr::new(systemdify::output::MANIFEST)) {
                // The output directory's bookkeeping (hashes of the files beside it): checked
                // in tests/writing.rs, left out here so a unit's change shows only once.
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Runs one case and returns every produced file by name.
fn run_case(case: &Path) -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    let units = tmp.path().join("units");
    let report = tmp.path().join("report.json");
    let args = corpus_args::corpus_argv(case, &units, &report);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        args,
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut stdout,
            stderr: &mut stderr,
        },
    );
    let mut out = files_under(&units);
    if let Ok(r) = std::fs::read(&report) {
        out.insert("report.json".into(), r);
    }
    let root = case.join("root").to_string_lossy().into_owned();
    let mut err = String::from_utf8_lossy(&stderr).replace(&root, "ROOT");
    err.push_str(&format!("exit code: {code}\n"));
    out.insert("stderr".into(), err.into_bytes());
    out
}

fn cases() -> Vec<PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut out = Vec::new();
    for format in std::fs::read_dir(&corpus).unwrap().flatten() {
        for case in std::fs::read_dir(format.path()).unwrap().flatten() {
            if case.path().join("args").is_file() {
                out.push(case.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn corpus() {
    let bless = std::env::var_os("BLESS").is_some();
    let filter = std::env::var("CORPUS").ok();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases() {
        if filter
            .as_deref()
            .is_some_and(|f| !case.to_string_lossy().contains(f))
        {
            continue;
        }
        ran += 1;
        let actual = run_case(&case);
        // Output must not depend on where the checkout lives (CI clones elsewhere).
        let checkout = env!("CARGO_MANIFEST_DIR");
        for (file, data) in &actual {
            if String::from_utf8_lossy(data).contains(checkout) {
                failures.push(format!(
                    "{}: {file} names the checkout directory {checkout}",
                    case.display()
                ));
            }
        }
        // A message never shows a placeholder that format! was meant to fill (`{dir}`).
        if let Some(report) = actual.get("report.json") {
            let text = String::from_utf8_lossy(report);
            for (i, _) in text.match_indices('{') {
                let rest = &text[i + 1..];
                let ident = rest
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                    .unwrap_or(rest.len());
                if ident > 0 && rest[ident..].starts_with('}') {
                    failures.push(format!(
                        "{}: report.json holds the unfilled placeholder {{{}}}",
                        case.display(),
                        &rest[..ident]
                    ));
                }
            }
        }
        let expected_dir = case.join("expected");
        if bless {
            let _ = std::fs::remove_dir_all(&expected_dir);
            for (name, data) in &actual {
                let p = expected_dir.join(name);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, data).unwrap();
            }
            continue;
        }
        let expected = files_under(&expected_dir);
        let name = case
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .display()
            .to_string();
        for (file, data) in &actual {
            match expected.get(file) {
                None => failures.push(format!("{name}: unexpected new file {file}")),
                Some(e) if e != data => failures.push(format!(
                    "{name}: {file} differs\n--- expected\n{}\n--- actual\n{}",
                    String::from_utf8_lossy(e),
                    String::from_utf8_lossy(data)
                )),
                _ => {}
            }
        }
        for file in expected.keys().filter(|f| !actual.contains_key(*f)) {
            failures.push(format!("{name}: expected file {file} was not produced"));
        }
    }
    assert!(ran > 0, "no corpus cases found");
    assert!(
        failures.is_empty(),
        "{} difference(s); rerun with BLESS=1 to accept:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs the same case twice: byte-identical output.
#[test]
fn output_is_deterministic() {
    for case in cases() {
        assert_eq!(run_case(&case), run_case(&case), "{}", case.display());
    }
}

/// Every expected unit passes `systemd-analyze verify` (commands missing here are tolerated).
#[test]
fn corpus_units_verify() {
    if std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "systemd-analyze is required in CI"
        );
        eprintln!("skipping: systemd-analyze not installed");
        return;
    }
    let mut failures = Vec::new();
    for case in cases() {
        let dir = case.join("expected");
        let units: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.flatten().map(|e| e.path()).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy().into_owned();
                (n.ends_with(".service")
                    || n.ends_with(".timer")
                    || n.ends_with(".target")
                    || n.ends_with(".socket"))
                    && !n.contains("@.")
            })
            .collect();
        if units.is_empty() {
            continue;
        }
        // Verify a copy where templates are also present as one instance, so OnSuccess=/OnFailure= resolve.
        let tmp = tempfile::tempdir().unwrap();
        for f in std::fs::read_dir(&dir).unwrap().flatten() {
            let n = f.file_name().to_string_lossy().into_owned();
            if [".service", ".timer", ".target", ".socket"]
                .iter()
                .any(|s| n.ends_with(s))
            {
                std::fs::copy(f.path(), tmp.path().join(&n)).unwrap();
            } else if n.ends_with(".service.d") && f.path().is_dir() {
                // Per-instance drop-ins: verified as part of their instance.
                std::fs::create_dir_all(tmp.path().join(&n)).unwrap();
                for d in std::fs::read_dir(f.path()).unwrap().flatten() {
                    std::fs::copy(d.path(), tmp.path().join(&n).join(d.file_name())).unwrap();
                }
            }
        }
        // Templates are verified as one instance of themselves (`x@verify.service`).
        let mut instances = Vec::new();
        for f in std::fs::read_dir(&dir).unwrap().flatten() {
            let n = f.file_name().to_string_lossy().into_owned();
            if let Some(stem) = n.strip_suffix("@.service") {
                // Instances with drop-ins are verified as themselves (the template with the
                // drop-in, found on SYSTEMD_UNIT_PATH); others as `x@verify.service`.
                let own: Vec<String> = std::fs::read_dir(&dir)
                    .unwrap()
                    .flatten()
                    .filter_map(|d| {
                        let d = d.file_name().to_string_lossy().into_owned();
                        let instance = d.strip_suffix(".d")?;
                        (instance.starts_with(&format!("{stem}@"))
                            && instance.ends_with(".service"))
                        .then(|| instance.to_string())
                    })
                    .collect();
                if own.is_empty() {
                    let instance = format!("{stem}@verify.service");
                    std::fs::copy(f.path(), tmp.path().join(&instance)).unwrap();
                    instances.push(instance);
                } else {
                    instances.extend(own);
                }
            }
        }
        let mut cmd = std::process::Command::new("systemd-analyze");
        cmd.arg("verify")
            .arg("--man=no")
            .env("SYSTEMD_UNIT_PATH", format!("{}:", tmp.path().display()));
        for u in &units {
            cmd.arg(tmp.path().join(u.file_name().unwrap()));
        }
        for i in &instances {
            cmd.arg(tmp.path().join(i));
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let problems: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.contains("Command ") || !l.contains("is not executable"))
            .filter(|l| !l.contains("No such file or directory") && !l.trim().is_empty())
            .collect();
        if !out.status.success() && !problems.is_empty() || !problems.is_empty() {
            failures.push(format!("{}:\n{}", case.display(), problems.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "systemd-analyze verify complained:\n{}",
        failures.join("\n\n")
    );
}
