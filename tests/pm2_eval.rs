//! The PM2 reader's engines agree: `--eval node` (a local node in a new network namespace)
//! reads every corpus ecosystem file into the same apps as the QuickJS sandbox, and
//! `--eval none` reads literal files and refuses the others with a clear error. Needs `node`
//! and `unshare` (util-linux) on PATH and the right to create a network namespace (root), as CI
//! has them (`.ci/run`).

#![cfg(feature = "js")]

use std::path::{Path, PathBuf};

use systemdify::front::pm2::{self, Engine, Options};
use systemdify::host::Host;

fn line(case: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(case.join(name))
        .ok()
        .map(|s| s.trim().to_string())
}

fn read(case: &Path, eval: Engine) -> pm2::FileRead {
    let input = line(case, "input").unwrap();
    let host = Host::at(case.join("root"));
    let text = String::from_utf8(host.read(&input).unwrap()).unwrap();
    let env = std::fs::read_to_string(case.join("env"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let options = Options {
        eval,
        env_name: line(case, "env-name"),
        env,
        cwd: line(case, "cwd"),
        cpus: Some(4),
        ..Options::default()
    };
    pm2::read(&input, &input, &text, &host, &options)
}

fn node_loads_esm() -> bool {
    std::process::Command::new("node")
        .args(["-e", "const [a, b] = process.versions.node.split('.').map(Number); process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)"])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn node_and_quickjs_read_the_same_apps() {
    let version = pm2::node::version().expect("`node` on PATH (the test needs it)");
    let esm = node_loads_esm();
    let mut cases: Vec<PathBuf> = std::fs::read_dir("corpus/pm2")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input").is_file())
        .collect();
    cases.sort();
    let mut compared = 0;
    for case in &cases {
        let input = line(case, "input").unwrap();
        let text =
            std::fs::read_to_string(case.join("root").join(input.trim_start_matches('/'))).unwrap();
        // YAML is not evaluated; `require('dotenv')` needs the package, which only PM2's
        // oracle jail provides; `.mjs` needs Node ≥ 20.19 / 22.12; a template is refused before.
        if input.ends_with(".yml")
            || input.ends_with(".j2")
            || text.contains("require('dotenv')")
            || (input.ends_with(".mjs") && !esm)
        {
            continue;
        }
        let quick = read(case, Engine::Quickjs);
        let node = read(case, Engine::Node);
        let name = case.display();
        assert!(
            node.engine.starts_with("node v") || node.error.is_some(),
            "{name}: {node:?}"
        );
        match (&quick.error, &node.error) {
            (None, None) => {
                let q: Vec<_> = quick
                    .apps
                    .iter()
                    .map(|a| (&a.name, a.result.as_ref().map(|x| &x.pm2_env)))
                    .collect();
                let n: Vec<_> = node
                    .apps
                    .iter()
                    .map(|a| (&a.name, a.result.as_ref().map(|x| &x.pm2_env)))
                    .collect();
                assert_eq!(q, n, "{name} (node {version})");
                compared += 1;
            }
            (Some(_), Some(_)) => {}
            _ if quick
                .findings
                .iter()
                .any(|f| f.code.as_str() == "pm2-bare-json") => {}
            (q, n) => panic!("{name}: quickjs {q:?}, node {n:?}"),
        }
    }
    assert!(compared >= 10, "only {compared} cases compared");
}

#[test]
fn node_has_no_network() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("srv/ecosystem.config.js");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    // A connection attempt fails at once without a network (no interface but lo, down).
    let code = "const os = require('os');\nmodule.exports = { apps: [{ name: Object.keys(os.networkInterfaces()).join('+') || 'none', script: 'x' }] };\n";
    std::fs::write(&file, code).unwrap();
    let host = Host::at(dir.path());
    let r = pm2::read(
        "/srv/ecosystem.config.js",
        "/srv/ecosystem.config.js",
        code,
        &host,
        &Options {
            eval: Engine::Node,
            ..Options::default()
        },
    );
    assert!(r.error.is_none(), "{r:?}");
    let name = &r.apps[0].name;
    assert!(name == "none" || name == "lo", "node saw interfaces {name}");
}

#[test]
fn eval_none_reads_literals_and_refuses_code() {
    let case = Path::new("corpus/pm2/json5-json");
    let none = read(case, Engine::None);
    // JSON5 literals read; the file's `'…' + (1 + 2)` expression is code.
    match &none.error {
        Some(e) => assert!(
            e.message.contains("--eval none reads literals only") && e.line.is_some(),
            "{e:?}"
        ),
        None => panic!("an expression was read without evaluation: {none:?}"),
    }
    let case = Path::new("corpus/pm2/process-yml");
    let none = read(case, Engine::None);
    let quick = read(case, Engine::Quickjs);
    assert_eq!(none.apps, quick.apps);
    let case = Path::new("corpus/pm2/python-worker");
    let none = read(case, Engine::None);
    assert!(
        none.error.is_none() || none.error.as_ref().unwrap().message.contains("--eval none"),
        "{none:?}"
    );
}
