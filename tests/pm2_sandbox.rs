//! The PM2 reader's JavaScript sandbox: runaway configurations end with an error naming the
//! limit or the refusal, for that file only; what the shim gives a configuration is fixed.

#![cfg(feature = "js")]

use std::time::Duration;

use systemdify::front::pm2::{self, Limits, Options};
use systemdify::host::Host;

/// A host tree with `files` (host path → content); returns the temporary root.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let local = dir.path().join(path.trim_start_matches('/'));
        std::fs::create_dir_all(local.parent().unwrap()).unwrap();
        std::fs::write(&local, text).unwrap();
    }
    dir
}

fn low_limits() -> Options {
    Options {
        limits: Limits {
            time: Duration::from_millis(200),
            memory: 16 * 1024 * 1024,
            stack: 256 * 1024,
        },
        user: Some("root".into()),
        ..Options::default()
    }
}

/// Reads `path` from a tree holding `files` plus a script `/srv/app/a.js`.
fn read(files: &[(&str, &str)], path: &str, options: &Options) -> pm2::FileRead {
    let mut all = vec![
        ("/srv/app/a.js", "console.log(1)\n"),
        ("/usr/bin/node", "#!/bin/sh\n"),
    ];
    all.extend_from_slice(files);
    let dir = tree(&all);
    let host = Host::at(dir.path());
    let text = all.iter().find(|(p, _)| *p == path).unwrap().1;
    let r = pm2::read(path, path, text, &host, options);
    drop(dir);
    r
}

fn error_of(r: &pm2::FileRead) -> String {
    r.error
        .as_ref()
        .map(|e| e.message.clone())
        .unwrap_or_else(|| panic!("no error: {r:?}"))
}

const GOOD: &str = "module.exports = { apps: [{ name: 'a', script: './a.js' }] };\n";

#[test]
fn an_endless_loop_ends_at_the_time_limit() {
    let r = read(
        &[("/srv/app/ecosystem.config.js", "while (true) {}\n")],
        "/srv/app/ecosystem.config.js",
        &low_limits(),
    );
    let e = r.error.clone().unwrap();
    assert_eq!(e.limit, Some("time"), "{e:?}");
    assert!(e.message.contains("time limit of 200 ms"), "{}", e.message);
}

#[test]
fn unbounded_allocation_ends_at_the_memory_limit() {
    let r = read(
        &[(
            "/srv/app/ecosystem.config.js",
            "const a = []; while (true) { a.push('x'.repeat(1024) + a.length); }\n",
        )],
        "/srv/app/ecosystem.config.js",
        &Options {
            limits: Limits {
                time: Duration::from_secs(20),
                ..low_limits().limits
            },
            ..low_limits()
        },
    );
    let e = r.error.clone().unwrap();
    assert_eq!(e.limit, Some("memory"), "{e:?}");
    assert!(
        e.message.contains("memory limit of 16777216 bytes"),
        "{}",
        e.message
    );
}

#[test]
fn endless_recursion_ends_at_the_stack_limit() {
    let r = read(
        &[(
            "/srv/app/ecosystem.config.js",
            "function f(n) { return f(n + 1) + 1; }\nmodule.exports = f(0);\n",
        )],
        "/srv/app/ecosystem.config.js",
        &low_limits(),
    );
    let e = r.error.clone().unwrap();
    assert_eq!(e.limit, Some("stack"), "{e:?}");
    assert!(
        e.message.contains("stack limit of 262144 bytes"),
        "{}",
        e.message
    );
}

#[test]
fn reads_outside_the_directory_are_refused() {
    for code in [
        "const fs = require('fs');\nmodule.exports = { apps: [{ name: fs.readFileSync('/etc/shadow', 'utf8'), script: 'a.js' }] };\n",
        "module.exports = require('../../x');\n",
        "require('dotenv').config({ path: '/etc/shadow' });\nmodule.exports = {};\n",
    ] {
        let r = read(
            &[
                ("/srv/app/ecosystem.config.js", code),
                ("/etc/shadow", "root:x:1::::::\n"),
                ("/x.js", "module.exports = 1;\n"),
            ],
            "/srv/app/ecosystem.config.js",
            &low_limits(),
        );
        let e = error_of(&r);
        assert!(
            e.starts_with("sandbox: read refused:")
                && e.contains("outside the configuration's directory /srv/app"),
            "{e}"
        );
        assert!(!e.contains("root:x"), "{e}");
    }
}

#[test]
fn sockets_processes_and_writes_are_refused() {
    for (code, want) in [
        (
            "const net = require('net');\nnet.connect(80, 'example.com');\n",
            "sandbox: network refused: module \"net\"",
        ),
        (
            "require('http').get('http://example.com/');\n",
            "sandbox: network refused: module \"http\"",
        ),
        (
            "typeof fetch === 'undefined' || fetch('http://example.com');\nrequire('child_process').execSync('id');\n",
            "sandbox: process refused",
        ),
        (
            "require('fs').writeFileSync('/srv/app/x', 'y');\n",
            "sandbox: write refused: fs.writeFileSync()",
        ),
        (
            "require('left-pad');\n",
            "sandbox: module refused: require(\"left-pad\")",
        ),
    ] {
        let r = read(
            &[("/srv/app/ecosystem.config.js", code)],
            "/srv/app/ecosystem.config.js",
            &low_limits(),
        );
        let e = error_of(&r);
        assert!(e.starts_with(want), "{code}: {e}");
        assert!(
            r.error.as_ref().unwrap().line.is_some(),
            "{code}: no line: {r:?}"
        );
    }
}

#[test]
fn a_good_file_converts_with_the_same_limits() {
    let r = read(
        &[("/srv/app/ecosystem.config.js", GOOD)],
        "/srv/app/ecosystem.config.js",
        &low_limits(),
    );
    assert!(r.error.is_none(), "{r:?}");
    let app = r.apps[0].result.as_ref().unwrap();
    assert_eq!(app.script, "/srv/app/a.js");
    assert_eq!(app.cwd, "/srv/app");
}

#[test]
fn the_shim_gives_fixed_facts_and_reports_what_was_read() {
    let code = r#"
const path = require('path');
const os = require('os');
require('dotenv').config();
const common = require('./common');
module.exports = {
  apps: [{
    name: path.basename(__dirname) + '-' + os.cpus().length,
    script: path.join(__dirname, 'a.js'),
    args: process.argv.slice(2).join(' '),
    env: { NOW: Date.now(), TODAY: new Date().toISOString(), RANDOM: Math.random(), PORT: process.env.PORT || 3000, FROM_DOTENV: process.env.DB_PASSWORD, HOME_DIR: os.homedir(), CWD: process.cwd(), ...common },
  }],
};
"#;
    let files = [
        ("/srv/app/ecosystem.config.js", code),
        (
            "/srv/app/.env",
            "DB_PASSWORD='s3cret'\n# comment\nexport OTHER=x # trailing\n",
        ),
        (
            "/srv/app/common.js",
            "module.exports = { SHARED: 'yes' };\n",
        ),
    ];
    let options = Options {
        cpus: Some(4),
        env: vec![("PORT".into(), "8080".into())],
        ..low_limits()
    };
    let r = read(&files, "/srv/app/ecosystem.config.js", &options);
    assert!(r.error.is_none(), "{r:?}");
    let app = r.apps[0].result.as_ref().unwrap();
    assert_eq!(app.name, "app-4");
    assert_eq!(app.args, ["start", "ecosystem.config.js"]);
    let env: std::collections::BTreeMap<_, _> = app.env.iter().cloned().collect();
    assert_eq!(env["PORT"], "8080");
    assert_eq!(env["FROM_DOTENV"], "s3cret");
    assert_eq!(
        env["DB_PASSWORD"], "s3cret",
        "dotenv reaches every app's environment"
    );
    assert_eq!(env["OTHER"], "x");
    assert_eq!(env["HOME_DIR"], "/root");
    assert_eq!(env["CWD"], "/srv/app");
    assert_eq!(env["SHARED"], "yes");
    assert_eq!(env["NOW"], "946684800000");
    assert_eq!(env["TODAY"], "2000-01-01T00:00:00.000Z");
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(
        codes.contains(&"pm2-env-read") && codes.contains(&"pm2-env-set"),
        "{codes:?}"
    );
    let read_note = r
        .findings
        .iter()
        .find(|f| f.code.as_str() == "pm2-env-read")
        .unwrap();
    assert!(
        read_note.message.contains("`PORT` (set)"),
        "{}",
        read_note.message
    );
    // Deterministic.
    let again = read(&files, "/srv/app/ecosystem.config.js", &options);
    assert_eq!(r, again);
}

#[test]
fn es_modules_and_export_default() {
    let code = "import path from 'path';\nimport { join } from 'node:path';\nexport default { apps: [{ name: 'm', script: join(import.meta.dirname, 'a.js'), cwd: path.dirname(import.meta.filename) }] };\n";
    let r = read(
        &[("/srv/app/ecosystem.config.mjs", code)],
        "/srv/app/ecosystem.config.mjs",
        &low_limits(),
    );
    assert!(r.error.is_none(), "{r:?}");
    let app = r.apps[0].result.as_ref().unwrap();
    assert_eq!(app.script, "/srv/app/a.js");
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["pm2-export-default", "pm2-esm-node"]);
    let named = "export const apps = [{ name: 'n', script: 'a.js' }];\n";
    let r = read(
        &[("/srv/app/ecosystem.config.mjs", named)],
        "/srv/app/ecosystem.config.mjs",
        &low_limits(),
    );
    assert_eq!(r.apps[0].result.as_ref().unwrap().name, "n");
}

#[test]
fn syntax_errors_have_a_line_and_column() {
    let r = read(
        &[(
            "/srv/app/ecosystem.config.js",
            "module.exports = {\n  apps: [\n    { name: 'a' script: 'a.js' }\n  ]\n};\n",
        )],
        "/srv/app/ecosystem.config.js",
        &low_limits(),
    );
    let e = r.error.clone().unwrap();
    assert_eq!(e.line, Some(3), "{e:?}");
    assert!(e.column.is_some(), "{e:?}");
}

#[test]
fn json_is_an_expression_as_pm2_evaluates_it() {
    let json = "{\n  // comment\n  apps: [{ name: 'j', script: 'a.js', instances: 1 + 1, },],\n}\n";
    let r = read(
        &[("/srv/app/ecosystem.json", json)],
        "/srv/app/ecosystem.json",
        &low_limits(),
    );
    assert!(r.error.is_none(), "{r:?}");
    assert_eq!(r.apps[0].result.as_ref().unwrap().instances.count(), 2);
}

#[test]
fn a_runaway_file_is_an_error_and_the_other_inputs_convert() {
    let dir = tree(&[
        ("/srv/bad/ecosystem.config.js", "for (;;) {}\n"),
        (
            "/srv/good/ecosystem.config.js",
            "module.exports = { apps: [{ name: 'good', script: 'a.js' }] };\n",
        ),
        ("/srv/good/a.js", "\n"),
        ("/usr/bin/node", "#!/bin/sh\n"),
    ]);
    let root = dir.path().to_string_lossy().to_string();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        [
            "systemdify",
            "convert",
            "--root",
            &root,
            "--eval-timeout",
            "200",
            "/srv/bad/ecosystem.config.js",
            "/srv/good/ecosystem.config.js",
        ],
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut out,
            stderr: &mut err,
        },
    );
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("/srv/bad/ecosystem.config.js: error: evaluation ran longer than the time limit of 200 ms (--eval-timeout)"), "{err}");
    assert!(out.contains("# ==> good.service <=="), "{out}");
}

#[test]
fn standard_input_reads_no_files() {
    let dir = tree(&[("/etc/hostname", "secret-host\n")]);
    let host = Host::at(dir.path());
    let code = "{ apps: [{ name: 's', script: '/bin/true', env: { X: __sd_require('/')('fs').readFileSync('/etc/hostname') } }] }";
    let r = pm2::read("-", "-", code, &host, &low_limits());
    let e = error_of(&r);
    assert!(
        e.contains("comes from standard input, so the sandbox reads no files"),
        "{e}"
    );
    assert!(!e.contains("secret-host"), "{e}");
}

#[test]
fn an_unclosed_brace_is_located_at_the_end_of_the_file_not_past_it() {
    let r = read(
        &[(
            "/srv/app/ecosystem.config.js",
            "module.exports = {\n  apps: [{ name: 'a', script: './a.js' }]\n",
        )],
        "/srv/app/ecosystem.config.js",
        &Options::default(),
    );
    let e = r.error.clone().unwrap();
    assert_eq!((e.line, e.column), (Some(2), Some(42)), "{e:?}");
}
