//! The supervisord reader against supervisor 4.3.0 itself.
//!
//! Every case directory under `corpus/supervisord/` and `tests/fixtures/supervisord/` holds a
//! host tree, the configuration to read (`input`), optionally `env` (`--env-file`) and
//! `hostname` (`--hostname`), and `oracle.json`: what `tests/oracle/supervisor_oracle.py` got
//! from supervisor's own parser. This test resolves the same configuration with
//! `systemdify::front::supervisord::resolve` and requires the same process groups in the same
//! order, every process with every field equal, the same `[supervisord]` settings, the same
//! files read, and errors for the same sections.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use systemdify::front::supervisord::{
    self, GroupKind, LogFile, Options, Process, Resolved, Supervisord,
};
use systemdify::host::Host;

/// How many case directories there are at least (a lost directory must not pass silently).
const MIN_CASES: usize = 8;

fn cases() -> Vec<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["corpus/supervisord", "tests/fixtures/supervisord"] {
        let Ok(entries) = std::fs::read_dir(repo.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().join("input").is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

fn resolve_case(case: &Path) -> Resolved {
    let root = case.join("root");
    let host = Host::at(&root);
    let input = std::fs::read_to_string(case.join("input")).unwrap();
    let input = input.trim();
    let mut options = Options::default();
    if let Ok(h) = std::fs::read_to_string(case.join("hostname")) {
        options.hostname = Some(h.trim().to_string());
    }
    if let Ok(env) = std::fs::read_to_string(case.join("env")) {
        for line in env
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let (k, v) = line.split_once('=').unwrap();
            options.env.push((k.to_string(), v.to_string()));
        }
    }
    let text = String::from_utf8_lossy(&host.read(input).unwrap()).into_owned();
    supervisord::resolve(input, input, &text, &host, &options)
}

fn sorted_pairs(env: &[(String, String)]) -> Value {
    let mut env = env.to_vec();
    env.sort();
    json!(env)
}

fn log_json(l: &supervisord::Log) -> Value {
    json!({
        "logfile": match &l.logfile {
            LogFile::Auto => json!("auto"),
            LogFile::None => json!("none"),
            LogFile::Path(p) => json!({ "path": p }),
        },
        "maxbytes": l.maxbytes,
        "backups": l.backups,
        "syslog": l.syslog,
        "capture_maxbytes": l.capture_maxbytes,
        "events_enabled": l.events_enabled,
    })
}

fn process_json(p: &Process) -> Value {
    json!({
        "name": p.name,
        "program": p.program,
        "process_num": p.process_num,
        "command": p.command,
        "argv": match &p.argv {
            Ok(a) => json!({ "ok": a }),
            Err(e) => json!({ "err": e }),
        },
        "directory": p.directory,
        "uid": p.uid,
        "umask": p.umask,
        "priority": p.priority,
        "autostart": p.autostart,
        "autorestart": p.autorestart,
        "exitcodes": p.exitcodes,
        "startsecs": p.startsecs,
        "startretries": p.startretries,
        "stopsignal": p.stopsignal.name,
        "stopwaitsecs": p.stopwaitsecs,
        "stopasgroup": p.stopasgroup,
        "killasgroup": p.killasgroup,
        "redirect_stderr": p.redirect_stderr,
        "stdout": log_json(&p.stdout),
        "stderr": log_json(&p.stderr),
        "environment": sorted_pairs(&p.environment),
        "serverurl": p.serverurl,
    })
}

fn supervisord_json(s: &Supervisord) -> Value {
    json!({
        "user": s.user,
        "directory": s.directory,
        "umask": s.umask,
        "minfds": s.minfds,
        "minprocs": s.minprocs,
        "childlogdir": s.childlogdir,
        "nodaemon": s.nodaemon,
        "identifier": s.identifier,
        "environment": sorted_pairs(&s.environment),
    })
}

fn kind_json(k: &GroupKind) -> Value {
    match k {
        GroupKind::Program | GroupKind::Group { .. } => json!({ "type": "program-or-group" }),
        GroupKind::EventListener {
            events,
            buffer_size,
            ..
        } => json!({ "type": "event-listener", "events": events, "buffer_size": buffer_size }),
        GroupKind::FastCgi { socket } => json!({
            "type": "fast-cgi",
            "socket": {
                "url": socket.url,
                "backlog": socket.backlog,
                "mode": socket.mode,
                "owner": socket.owner.map(|(u, g)| json!([u, g])),
            }
        }),
    }
}

/// The sections with errors, and the (file, line) of errors outside any section.
fn error_places(
    errors: impl Iterator<Item = (Option<String>, Option<(String, u64)>)>,
) -> Vec<String> {
    let mut out: Vec<String> = errors
        .map(|(section, place)| match section {
            Some(s) => format!("[{s}]"),
            None => {
                let (f, l) = place.unwrap_or_default();
                format!("{f}:{l}")
            }
        })
        .collect();
    out.sort();
    out
}

/// What was compared.
#[derive(Default)]
struct Tally {
    processes: usize,
    fields: usize,
    errors: usize,
    failures: Vec<String>,
}

/// Compares supervisor's resolution (`oracle`) with ours, adding every difference to `tally`.
fn compare(name: &str, oracle: &Value, ours: &Resolved, tally: &mut Tally) {
    let check = |tally: &mut Tally, what: String, expected: &Value, got: &Value| {
        if expected != got {
            tally.failures.push(format!(
                "{name}: {what}:\n  supervisor: {expected}\n  systemdify: {got}"
            ));
        }
    };
    check(
        tally,
        "fragment".into(),
        &oracle["fragment"],
        &json!(ours.fragment),
    );
    check(
        tally,
        "files read".into(),
        &oracle["files"],
        &json!(ours.files),
    );
    check(
        tally,
        "[supervisord]".into(),
        &oracle["supervisord"],
        &supervisord_json(&ours.supervisord),
    );
    let expected_errors = error_places(oracle["errors"].as_array().unwrap().iter().map(|e| {
        (
            e["section"].as_str().map(str::to_string),
            e["line"]
                .as_u64()
                .map(|l| (e["file"].as_str().unwrap().to_string(), l)),
        )
    }));
    let got_errors = error_places(ours.errors.iter().map(|e| {
        (
            e.section.clone(),
            Some((e.at.file.clone(), e.at.line as u64)),
        )
    }));
    tally.errors += expected_errors.len();
    check(
        tally,
        "sections in error".into(),
        &json!(expected_errors),
        &json!(got_errors),
    );
    let groups = oracle["groups"].as_array().unwrap();
    check(
        tally,
        "groups in order".into(),
        &json!(groups.iter().map(|g| &g["name"]).collect::<Vec<_>>()),
        &json!(ours.groups.iter().map(|g| &g.name).collect::<Vec<_>>()),
    );
    for (eg, og) in groups.iter().zip(&ours.groups) {
        let gname = &og.name;
        check(
            tally,
            format!("group {gname} priority"),
            &eg["priority"],
            &json!(og.priority),
        );
        check(
            tally,
            format!("group {gname} kind"),
            &eg["kind"],
            &kind_json(&og.kind),
        );
        let eps = eg["processes"].as_array().unwrap();
        check(
            tally,
            format!("group {gname} processes"),
            &json!(eps.iter().map(|p| &p["name"]).collect::<Vec<_>>()),
            &json!(og.processes.iter().map(|p| &p.name).collect::<Vec<_>>()),
        );
        for (ep, op) in eps.iter().zip(&og.processes) {
            tally.processes += 1;
            let got = process_json(op);
            for (field, expected) in ep.as_object().unwrap() {
                tally.fields += 1;
                check(
                    tally,
                    format!("{gname}:{} {field}", op.name),
                    expected,
                    got.get(field).unwrap_or(&Value::Null),
                );
            }
        }
    }
}

#[test]
fn every_process_on_every_field_is_what_supervisor_resolves() {
    let cases = cases();
    assert!(cases.len() >= MIN_CASES, "the oracle cases are missing");
    let mut tally = Tally::default();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let oracle: Value = serde_json::from_str(
            &std::fs::read_to_string(case.join("oracle.json")).unwrap_or_else(|_| {
                panic!("{name}: no oracle.json; run tests/oracle/supervisor_oracle.py")
            }),
        )
        .unwrap();
        compare(&name, &oracle, &resolve_case(case), &mut tally);
    }
    eprintln!(
        "supervisor oracle: {} cases, {} processes, {} fields, {} sections in error compared; {} differences",
        cases.len(),
        tally.processes,
        tally.fields,
        tally.errors,
        tally.failures.len()
    );
    assert!(tally.failures.is_empty(), "{}", tally.failures.join("\n"));
}

#[test]
fn generated_configurations_resolve_as_supervisor_resolves_them() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/supervisord-generated-oracle.json"
    );
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let options = Options {
        hostname: None,
        python: supervisord::Python::default(),
        env: fixture["setup"]["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect(),
    };
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 300);
    let mut tally = Tally::default();
    let mut with_includes = 0;
    for (i, case) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let files = case["files"].as_object().unwrap();
        with_includes += usize::from(files.len() > 1);
        for (file, text) in fixture["setup"]["root"]
            .as_object()
            .unwrap()
            .iter()
            .chain(files)
        {
            let p = root.join(file.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text.as_str().unwrap()).unwrap();
        }
        let host = Host::at(root);
        let main = files["/etc/supervisord.conf"].as_str().unwrap();
        let ours = supervisord::resolve(
            "/etc/supervisord.conf",
            "/etc/supervisord.conf",
            main,
            &host,
            &options,
        );
        let shown: String = files
            .iter()
            .map(|(f, t)| format!("--- {f}\n{}", t.as_str().unwrap()))
            .collect();
        compare(
            &format!("case {i}:\n{shown}"),
            &case["result"],
            &ours,
            &mut tally,
        );
    }
    assert!(
        with_includes > 50,
        "too few generated configurations with includes"
    );
    eprintln!(
        "generated: 300 configurations, {} processes, {} fields, {} sections in error compared; {} differences",
        tally.processes,
        tally.fields,
        tally.errors,
        tally.failures.len()
    );
    assert!(tally.failures.is_empty(), "{}", tally.failures.join("\n"));
}
