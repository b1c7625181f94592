//! What the supervisord reader says beyond what supervisor resolves (the oracle test covers
//! that): where each error is, what it says, what the operator is told, and where `ENV_`
//! values and the host name come from.

use std::path::Path;

use systemdify::finding::Code;
use systemdify::front::supervisord::{self, BakedFrom, Options, Resolved};
use systemdify::host::Host;

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn resolve_in(root: &Path, path: &str, options: &Options) -> Resolved {
    let host = Host::at(root);
    let text = String::from_utf8(host.read(path).unwrap()).unwrap();
    supervisord::resolve(path, path, &text, &host, options)
}

fn corpus(case: &str) -> Resolved {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/supervisord")
        .join(case);
    let input = std::fs::read_to_string(dir.join("input")).unwrap();
    let mut options = Options::default();
    if let Ok(env) = std::fs::read_to_string(dir.join("env")) {
        for line in env.lines() {
            let (k, v) = line.split_once('=').unwrap();
            options.env.push((k.into(), v.into()));
        }
    }
    resolve_in(&dir.join("root"), input.trim(), &options)
}

fn codes(r: &Resolved) -> Vec<(Code, Option<String>)> {
    r.notices
        .iter()
        .map(|n| (n.finding.code, n.section.clone()))
        .collect()
}

#[test]
fn errors_name_the_file_line_and_column_of_the_value_at_fault() {
    let r = corpus("broken-sections");
    let shown: Vec<String> = r.errors.iter().map(ToString::to_string).collect();
    let has = |s: &str| shown.iter().any(|e| e == s);
    assert!(
        has(
            "/etc/supervisor/supervisord.conf:12:9: error: [program:stray-percent] command = \"/usr/local/bin/report --threshold 90% --mail ops\" is badly formatted: unsupported format character 'm' (0x6d) at index 40 (a literal % is written %%)"
        ),
        "{shown:#?}"
    );
    assert!(
        has(
            "/etc/supervisor/supervisord.conf:27:13: error: [program:bad-env] environment: Unexpected end of key/value pairs in value 'MAIL=ops@example.com'"
        ),
        "{shown:#?}"
    );
    assert!(
        has(
            "/etc/supervisor/supervisord.conf:23:6: error: [program:no-such-user] user: Invalid user name deploy (not in the host's /etc/passwd)"
        ),
        "{shown:#?}"
    );
    assert!(
        has(
            "/etc/supervisor/conf.d/bad-lines.conf:3:1: error: [program:has-bad-line] this line is neither a [section] header nor key = value: \"this line has no delimiter\""
        ),
        "{shown:#?}"
    );
    assert!(
        has(
            "/etc/supervisor/conf.d/headless.conf:1:1: error: this line comes before the first [section] header: \"command=/usr/local/bin/orphan\""
        ),
        "{shown:#?}"
    );
    assert!(
        has(
            "/etc/supervisor/supervisord.conf:46:10: error: [group:pair] programs: names program not-defined, which is not defined"
        ),
        "{shown:#?}"
    );
    assert!(
        shown.iter().any(|e| e.starts_with("/etc/supervisor/supervisord.conf:15:9: error: [program:unknown-env] command = \"/usr/local/bin/app --token %(ENV_APP_TOKEN)s\" uses %(ENV_APP_TOKEN)s, but supervisord's environment has no APP_TOKEN: give it in --env-file")),
        "{shown:#?}"
    );
    // The sections around the broken ones are still read.
    let names: Vec<&str> = r.processes().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["after-headless", "fine-in-include", "ok-after", "ok-before"]
    );
}

#[test]
fn the_operator_is_told_what_supervisor_silently_skips() {
    let r = corpus("broken-sections");
    let c = codes(&r);
    assert!(c.contains(&(
        Code::SupervisordIgnoredSection,
        Some("Program:capitalised".into())
    )));
    let ignored = r
        .notices
        .iter()
        .find(|n| n.finding.code == Code::SupervisordIgnoredSection)
        .unwrap();
    assert!(ignored.finding.message.contains("case-sensitive"));
    assert!(c.contains(&(Code::SupervisordNestedInclude, Some("include".into()))));
    let no_match = r
        .notices
        .iter()
        .find(|n| n.finding.code == Code::SupervisordIncludeNoMatch)
        .unwrap();
    assert!(
        no_match
            .finding
            .message
            .ends_with("/etc/supervisor/extra/*.conf")
    );
    assert!(!r.fragment);
}

#[test]
fn a_conf_d_file_on_its_own_is_read_as_an_included_file() {
    let r = corpus("conf-d-laravel-alone");
    assert!(r.fragment);
    let c = codes(&r);
    assert!(c.contains(&(Code::SupervisordFragment, None)));
    assert!(c.contains(&(Code::SupervisordNestedInclude, Some("include".into()))));
    assert_eq!(r.files, ["/etc/supervisor/conf.d/laravel-worker.conf"]);
    assert_eq!(r.processes().count(), 9);
    let first = r
        .processes()
        .find(|p| p.name == "laravel-worker_01")
        .unwrap();
    assert_eq!(first.process_num, 1);
    assert_eq!(first.group, "laravel-worker");
    assert_eq!(first.uid, Some(1000));
    // No --hostname here: the host's /etc/hostname names it.
    assert!(
        first
            .argv
            .as_ref()
            .unwrap()
            .contains(&"--name=queue-host-1".to_string())
    );
    let baked = r.baked.iter().find(|b| b.name == "host_node_name").unwrap();
    assert_eq!(baked.from, BakedFrom::HostnameFile);
}

#[test]
fn env_values_come_from_the_env_file_and_the_systemd_base_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    write(
        root,
        "/etc/supervisord.conf",
        "[supervisord]\n\n[program:a]\ncommand=/bin/a %(ENV_TOKEN)s %(ENV_PATH)s\n\n[program:b]\ncommand=/bin/b %(ENV_HOME)s\n",
    );
    // HOME is set in the environment running the tests: it must not be seen.
    assert!(std::env::var_os("HOME").is_some() || std::env::var_os("PATH").is_some());
    let options = Options {
        hostname: Some("h".into()),
        env: vec![("TOKEN".into(), "t0ken".into())],
        ..Options::default()
    };
    let r = resolve_in(root, "/etc/supervisord.conf", &options);
    let a = r.processes().find(|p| p.name == "a").unwrap();
    assert_eq!(
        a.argv.as_ref().unwrap(),
        &["/bin/a", "t0ken", supervisord::SYSTEMD_PATH]
    );
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].section.as_deref(), Some("program:b"));
    assert!(r.errors[0].message.contains("has no HOME"));
    let findings = r.baked_findings("program:a");
    assert_eq!(findings.len(), 2);
    assert!(findings.iter().all(|f| f.code == Code::SupervisordEnvBaked));
    assert!(findings.iter().all(|f| !f.message.contains("t0ken")));
}

#[test]
fn an_unknown_host_name_is_an_error_that_says_how_to_give_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    write(
        root,
        "/etc/supervisord.conf",
        "[supervisord]\n[program:a]\ncommand=/bin/a --node %(host_node_name)s\n",
    );
    let r = resolve_in(root, "/etc/supervisord.conf", &Options::default());
    assert_eq!(r.errors.len(), 1);
    assert!(
        r.errors[0].message.contains("--hostname NAME"),
        "{}",
        r.errors[0]
    );
    let named = Options {
        hostname: Some("web-3".into()),
        ..Options::default()
    };
    let r = resolve_in(root, "/etc/supervisord.conf", &named);
    assert!(r.errors.is_empty());
    assert_eq!(
        r.processes().next().unwrap().argv.as_ref().unwrap(),
        &["/bin/a", "--node", "web-3"]
    );
    assert_eq!(r.baked[0].from, BakedFrom::HostnameOption);
}

#[test]
fn includes_resolve_inside_the_host_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    write(
        root,
        "/etc/supervisor/supervisord.conf",
        "[supervisord]\n[include]\nfiles = /etc/supervisor/conf.d/*.conf\n",
    );
    write(
        root,
        "/etc/supervisor/conf.d/x.conf",
        "[program:x]\ncommand=/bin/x\ndirectory=%(here)s\n",
    );
    let r = resolve_in(
        root,
        "/etc/supervisor/supervisord.conf",
        &Options::default(),
    );
    assert_eq!(
        r.files,
        [
            "/etc/supervisor/supervisord.conf",
            "/etc/supervisor/conf.d/x.conf"
        ]
    );
    let x = r.processes().next().unwrap();
    assert_eq!(x.directory.as_deref(), Some("/etc/supervisor/conf.d"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Whatever the text, reading it returns (errors are values, never panics).
    #[test]
    fn any_text_reads_without_panicking(
        text in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::prelude::Just("[supervisord]\n".to_string()),
                proptest::prelude::Just("[program:x]\n".to_string()),
                proptest::prelude::Just("[group:g]\nprograms=x,y\n".to_string()),
                proptest::prelude::Just("[fcgi-program:y]\nsocket=unix:///run/y.sock\n".to_string()),
                proptest::prelude::Just("[eventlistener:e]\nevents=TICK_5\n".to_string()),
                proptest::prelude::Just("[include]\nfiles=*.conf\n".to_string()),
                proptest::prelude::Just("numprocs=3\n".to_string()),
                proptest::prelude::Just("process_name=%(process_num)d\n".to_string()),
                "[a-z_]{1,12}[=:][ -~]{0,30}\n",
                "\\PC{0,40}\n",
                "[ \t]{1,3}[ -~]{0,20}\n",
            ],
            0..24,
        )
    ) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
        let host = Host::at(dir.path());
        let text = text.concat();
        let r = supervisord::resolve("/etc/supervisord.conf", "/etc/supervisord.conf", &text, &host, &Options::default());
        for e in &r.errors {
            proptest::prop_assert!(e.at.line >= 1);
        }
    }
}
