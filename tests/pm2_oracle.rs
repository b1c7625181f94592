//! The PM2 reader against PM2 7.0.4 itself: for every case under `corpus/pm2/`, the apps we
//! resolve equal the apps PM2 sends its daemon (`oracle.json`, written by
//! `tests/oracle/pm2/pm2_oracle.js`; format in `tests/oracle/pm2/README.md`), field by field,
//! for every field the fixture holds.
//!
//! What each side adds, and is therefore not compared:
//! - PM2's side: `NODE_PATH` in `env` (the oracle's jail adds it for `require('dotenv')`);
//!   `<NODE>` stands for the node running PM2, which for us is `node` found on the case's `PATH`;
//!   `<PM2>` for PM2's package directory, for us [`pm2::PM2_PACKAGE_DIR`].
//! - A file that does not parse is refused by both; QuickJS and V8 word the syntax error
//!   differently, so only the refusal is compared.
//! - A `dump.pm2`: the fixture holds each entry as parsed (one per instance); we regroup them
//!   into one app per name, keeping the first instance's schema keys and resolved paths, and
//!   drop documented `env` keys. So for a dump: `instances` is the number of entries, every key
//!   we keep equals the entry's, every `env` key we keep equals the entry's `env`, and every key
//!   of the entry's `env` we do not keep is reported as dropped.
//!
//! A case PM2 refuses (`errors` not empty, no apps) must be refused by us with the same message
//! for the same app, except an `export default` module, which we read and report
//! (`pm2-export-default`), and a bare JSON object saved as `.config.js`, which we read as a
//! `.json` file (`pm2-bare-json`).

#![cfg(feature = "js")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use systemdify::front::pm2::{self, Options};
use systemdify::host::Host;

fn cases(dir: &str) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("oracle.json").is_file())
        .collect();
    cases.sort();
    cases
}

fn line(case: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(case.join(name))
        .ok()
        .map(|s| s.trim().to_string())
}

/// The case's `env` file as `--env-file` reads it.
fn env_file(case: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(case.join("env")) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn read_case(case: &Path) -> (pm2::FileRead, Value) {
    let oracle: Value =
        serde_json::from_str(&std::fs::read_to_string(case.join("oracle.json")).unwrap()).unwrap();
    let input = line(case, "input").unwrap();
    let host = Host::at(case.join("root"));
    let text = String::from_utf8(host.read(&input).unwrap()).unwrap();
    let options = Options {
        env_name: line(case, "env-name"),
        env: env_file(case),
        cwd: line(case, "cwd"),
        cpus: oracle["cpus"].as_u64().map(|n| n as u32),
        ..Options::default()
    };
    (pm2::read(&input, &input, &text, &host, &options), oracle)
}

/// `<NODE>` in the fixture stands for our node path.
fn placeholders(v: &Value, node: &str) -> Value {
    match v {
        Value::String(s) => Value::String(
            s.replace("<NODE>", node)
                .replace("<PM2>", pm2::PM2_PACKAGE_DIR),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| placeholders(x, node)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), placeholders(x, node)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn compare_app(
    case: &str,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
    node: &str,
    diffs: &mut Vec<String>,
) {
    let theirs = placeholders(&Value::Object(theirs.clone()), node);
    let theirs = theirs.as_object().unwrap();
    let name = theirs.get("name").cloned().unwrap_or_default();
    let keys: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    for k in keys {
        let (a, b) = (ours.get(k), theirs.get(k));
        if k == "env" {
            let empty = Map::new();
            let ea = a.and_then(Value::as_object).unwrap_or(&empty);
            let eb = b.and_then(Value::as_object).unwrap_or(&empty);
            let env_keys: BTreeSet<&String> = ea
                .keys()
                .chain(eb.keys())
                .filter(|k| *k != "NODE_PATH")
                .collect();
            for e in env_keys {
                if ea.get(e) != eb.get(e) {
                    diffs.push(format!(
                        "{case} {name} env.{e}: ours {:?}, PM2 {:?}",
                        ea.get(e),
                        eb.get(e)
                    ));
                }
            }
        } else if a != b {
            diffs.push(format!("{case} {name} {k}: ours {a:?}, PM2 {b:?}"));
        }
    }
}

fn compare_dump(case: &str, read: &pm2::FileRead, oracle: &Value, diffs: &mut Vec<String>) {
    let entries = oracle["apps"].as_array().unwrap();
    let mut names: Vec<String> = Vec::new();
    for e in entries {
        let n = e["name"].as_str().unwrap().to_string();
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let ours: Vec<&pm2::AppRead> = read.apps.iter().collect();
    if ours.len() != names.len() {
        diffs.push(format!(
            "{case}: {} apps, PM2's dump has {}",
            ours.len(),
            names.len()
        ));
        return;
    }
    for (app, name) in ours.iter().zip(&names) {
        let app = app.result.as_ref().unwrap();
        let group: Vec<&Value> = entries
            .iter()
            .filter(|e| e["name"] == *name.as_str())
            .collect();
        let first = group
            .iter()
            .min_by_key(|e| e["NODE_APP_INSTANCE"].as_i64().unwrap_or(i64::MAX))
            .unwrap()
            .as_object()
            .unwrap();
        if app.name != *name {
            diffs.push(format!("{case}: app {} where PM2 has {name}", app.name));
        }
        if app.instances.count() as usize != group.len() {
            diffs.push(format!(
                "{case} {name}: {} instances, PM2 {}",
                app.instances.count(),
                group.len()
            ));
        }
        for (k, v) in &app.pm2_env {
            if k == "env" || k == "instances" {
                continue;
            }
            if first.get(k) != Some(v) {
                diffs.push(format!(
                    "{case} {name} {k}: ours {v:?}, dump {:?}",
                    first.get(k)
                ));
            }
        }
        let ours_env = app.pm2_env["env"].as_object().unwrap();
        let dump_env = first["env"].as_object().unwrap();
        let dropped_note = app_findings_text(read, name);
        for (k, v) in dump_env {
            match ours_env.get(k) {
                Some(o) if o == v => {}
                Some(o) => diffs.push(format!("{case} {name} env.{k}: ours {o:?}, dump {v:?}")),
                None if dropped_note.contains(&format!("`{k}`")) => {}
                None => diffs.push(format!(
                    "{case} {name} env.{k} missing and not reported as dropped"
                )),
            }
        }
        for k in ours_env.keys() {
            if !dump_env.contains_key(k) {
                diffs.push(format!("{case} {name} env.{k}: not in the dump"));
            }
        }
    }
}

fn app_findings_text(read: &pm2::FileRead, name: &str) -> String {
    read.apps
        .iter()
        .filter(|a| a.name == name)
        .flat_map(|a| a.findings.iter())
        .filter(|f| f.code.as_str() == "pm2-dump-env-dropped")
        .map(|f| f.message.to_string())
        .collect()
}

#[test]
fn resolved_apps_equal_pm2s() {
    let cases = cases("corpus/pm2");
    assert!(
        cases.len() >= 15,
        "the corpus has {} PM2 cases",
        cases.len()
    );
    let diffs = compare(&cases);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// Real PM2 files as npm packages ship them, fetched and read by PM2 with
/// `scripts/fetch-pm2-samples.sh` (not in CI: it needs the npm registry), then
/// `cargo test --test pm2_oracle -- --ignored`.
#[test]
#[ignore = "needs scripts/fetch-pm2-samples.sh first"]
fn real_samples_equal_pm2s() {
    let work = std::env::var("PM2_SAMPLES_DIR").unwrap_or_else(|_| {
        let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into());
        format!("{tmp}/systemdify-pm2-samples")
    });
    let cases = cases(&format!("{work}/samples"));
    assert!(
        !cases.is_empty(),
        "no samples in {work}/samples: run scripts/fetch-pm2-samples.sh"
    );
    let diffs = compare(&cases);
    assert!(
        diffs.is_empty(),
        "{} samples, {} differences:\n{}",
        cases.len(),
        diffs.len(),
        diffs.join("\n")
    );
}

/// Every difference between our reading and PM2's fixture, case by case.
fn compare(cases: &[PathBuf]) -> Vec<String> {
    let mut diffs = Vec::new();
    for case in cases {
        let name = case.to_string_lossy().to_string();
        let (read, oracle) = read_case(case);
        let errors: Vec<String> = oracle["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap_or_default().to_string())
            .collect();
        if read.file_type == pm2::FileType::Dump {
            compare_dump(&name, &read, &oracle, &mut diffs);
            continue;
        }
        let node = Host::at(case.join("root"))
            .which(
                "node",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            )
            .unwrap_or_else(|| "/usr/bin/node".into());
        if !errors.is_empty() {
            let ours: Vec<String> = read
                .error
                .iter()
                .map(|e| e.message.clone())
                .chain(
                    read.apps
                        .iter()
                        .filter_map(|a| a.result.as_ref().err().cloned()),
                )
                .collect();
            let export_default = read
                .findings
                .iter()
                .any(|f| f.code.as_str() == "pm2-export-default");
            let bare_json = read
                .findings
                .iter()
                .any(|f| f.code.as_str() == "pm2-bare-json");
            // A file that does not parse: both refuse it (the engines word syntax errors
            // differently).
            let both_refuse_file =
                read.error.is_some() && oracle["apps"].as_array().is_some_and(Vec::is_empty);
            let matched = both_refuse_file
                || errors.iter().all(|e| {
                    ours.iter()
                        .any(|o| o.contains(e.as_str()) || e.contains(o.as_str()))
                });
            let lenient = (export_default && errors == ["No script path - aborting"])
                || (bare_json && errors.iter().all(|e| e.starts_with("Unexpected token")));
            if !(matched || lenient) {
                diffs.push(format!(
                    "{name}: PM2 refuses with {errors:?}, ours: {ours:?}"
                ));
            }
            // The apps PM2 still started ("Script not found" refuses only its app).
            let theirs = oracle["apps"].as_array().unwrap();
            let accepted: Vec<&pm2::App> = read
                .apps
                .iter()
                .filter_map(|a| a.result.as_ref().ok())
                .collect();
            if !theirs.is_empty() {
                if accepted.len() == theirs.len() {
                    for (o, t) in accepted.iter().zip(theirs) {
                        compare_app(&name, &o.pm2_env, t.as_object().unwrap(), &node, &mut diffs);
                    }
                } else {
                    diffs.push(format!(
                        "{name}: {} apps accepted, PM2 {}",
                        accepted.len(),
                        theirs.len()
                    ));
                }
            }
            continue;
        }
        if let Some(e) = &read.error {
            diffs.push(format!("{name}: ours fails: {e:?}"));
            continue;
        }
        let theirs = oracle["apps"].as_array().unwrap();
        let ours: Vec<&pm2::App> = read
            .apps
            .iter()
            .filter_map(|a| a.result.as_ref().ok())
            .collect();
        for a in &read.apps {
            if let Err(e) = &a.result {
                diffs.push(format!("{name} {}: ours fails: {e}", a.name));
            }
        }
        if ours.len() != theirs.len() {
            diffs.push(format!("{name}: {} apps, PM2 {}", ours.len(), theirs.len()));
            continue;
        }
        for (o, t) in ours.iter().zip(theirs) {
            compare_app(&name, &o.pm2_env, t.as_object().unwrap(), &node, &mut diffs);
        }
    }
    diffs
}
