//! The core of PM2's mapping, rule by rule (MIGRATION.md, "PM2 — conversion (core)").

#![cfg(feature = "js")]

use std::collections::BTreeMap;
use std::path::Path;

fn write(root: &Path, path: &str, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let local = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(local.parent().unwrap()).unwrap();
    std::fs::write(&local, text).unwrap();
    std::fs::set_permissions(&local, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Converts `/srv/app/ecosystem.config.js` holding `config` on a small host; returns the files
/// written (relative path → content; with `--report` in `extra`, the report as `report.json`)
/// and the exit code.
fn convert(config: &str, extra: &[&str]) -> (i32, BTreeMap<String, String>) {
    convert_beside(config, extra, &[])
}

/// As [`convert`], on a host where the units `installed` (file names) are already installed in
/// /lib/systemd/system.
fn convert_beside(
    config: &str,
    extra: &[&str],
    installed: &[&str],
) -> (i32, BTreeMap<String, String>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    write(
        &root,
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\nweb:x:1001:1001::/home/web:/bin/sh\n",
        0o644,
    );
    write(&root, "/etc/group", "root:x:0:\nweb:x:1001:\n", 0o644);
    for b in ["/usr/bin/node", "/usr/bin/python3", "/srv/app/bin/tool"] {
        write(&root, b, "#!/bin/sh\n", 0o755);
    }
    write(&root, "/srv/app/server.js", "\n", 0o644);
    write(&root, "/srv/app/worker.py", "\n", 0o644);
    write(&root, "/srv/app/ecosystem.config.js", config, 0o644);
    for unit in installed {
        write(
            &root,
            &format!("/lib/systemd/system/{unit}"),
            "[Service]\nExecStart=/bin/true\n",
            0o644,
        );
    }
    let out = dir.path().join("out");
    let mut args = vec![
        "systemdify".to_string(),
        "convert".into(),
        "--root".into(),
        root.to_string_lossy().into(),
        "-o".into(),
        out.to_string_lossy().into(),
    ];
    // `--report` alone: the report is written beside `out` and returned as `report.json`.
    for a in extra {
        args.push(a.to_string());
        if *a == "--report" {
            args.push(dir.path().join("report.json").to_string_lossy().into());
        }
    }
    args.push("/srv/app/ecosystem.config.js".into());
    let (mut o, mut e) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        args,
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut o,
            stderr: &mut e,
        },
    );
    let mut files = BTreeMap::new();
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.ends_with(".systemdify-manifest") {
                let rel = p.strip_prefix(&out).unwrap().to_string_lossy().to_string();
                files.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    files.insert("stderr".into(), String::from_utf8(e).unwrap());
    if let Ok(report) = std::fs::read_to_string(dir.path().join("report.json")) {
        files.insert("report.json".into(), report);
    }
    (code, files)
}

#[test]
fn exec_start_cwd_user_environment_and_secrets() {
    let (code, f) = convert(
        "module.exports = { apps: [{ name: 'api', script: 'server.js', node_args: '--max-old-space-size=128', args: '--port 80 \"a b\"', user: 'web', env: { NODE_ENV: 'production', DB_PASSWORD: 'hunter2' } }] };",
        &["--cpus", "4"],
    );
    assert_eq!(code, 0, "{}", f["stderr"]);
    let unit = &f["api.service"];
    assert!(unit.contains("ExecStart=/usr/bin/node --max-old-space-size=128 /srv/app/server.js --port 80 \"a b\"\n"), "{unit}");
    assert!(
        unit.contains("WorkingDirectory=/srv/app\n")
            && unit.contains("User=web\n")
            && unit.contains("Group=web\n"),
        "{unit}"
    );
    assert!(
        unit.contains("Environment=\"NODE_ENV=production\"")
            && unit.contains("Environment=\"NODE_APP_INSTANCE=0\""),
        "{unit}"
    );
    assert!(
        !unit.contains("hunter2") && !unit.contains("PM2_HOME") && !unit.contains("PATH="),
        "{unit}"
    );
    assert!(f["env/api.service.env"].contains("DB_PASSWORD='hunter2'"));
    assert!(
        unit.contains("KillSignal=SIGINT\n")
            && unit.contains("TimeoutStopSec=2s\n")
            && unit.contains("Restart=always\n"),
        "{unit}"
    );
}

#[test]
fn user_names_who_ran_pm2_when_the_app_does_not() {
    let config = "module.exports = { apps: [{ name: 'a', script: 'server.js' }, { name: 'b', script: 'server.js', user: 'root' }] };";
    let (code, f) = convert(config, &["--user", "web"]);
    assert_eq!(code, 1, "{}", f["stderr"]);
    assert!(f["a.service"].contains("User=web\n"), "{}", f["a.service"]);
    // PM2 run as web cannot switch to another user: b is an error, as in PM2.
    assert!(
        f["stderr"].contains("error: To use UID and GID please run PM2 as root"),
        "{}",
        f["stderr"]
    );
    let (code, f) = convert(config, &[]);
    assert_eq!(code, 0, "{}", f["stderr"]);
    assert!(!f["a.service"].contains("User="), "{}", f["a.service"]);
    assert!(f["b.service"].contains("User=root\n"), "{}", f["b.service"]);
}

#[test]
fn instances_become_a_template_with_a_target() {
    let (code, f) = convert(
        "module.exports = { apps: [{ name: 'web', script: 'server.js', instances: 'max', exec_mode: 'cluster', increment_var: 'PORT', env: { PORT: 8000 } }] };",
        &["--cpus", "3"],
    );
    assert_eq!(code, 0, "{}", f["stderr"]);
    assert!(f.contains_key("web@.service") && !f.contains_key("web.service"));
    for i in 0..3 {
        let dropin = &f[&format!("web@{i}.service.d/instance.conf")];
        assert!(
            dropin.contains(&format!("Environment=\"NODE_APP_INSTANCE={i}\"")),
            "{dropin}"
        );
        assert!(
            dropin.contains(&format!("Environment=\"PORT={}\"", 8000 + i)),
            "{dropin}"
        );
    }
    assert!(f["web.target"].contains("Wants=web@0.service web@1.service web@2.service\n"));
    assert!(!f.contains_key("web@3.service.d/instance.conf"));
}

#[test]
fn interpreters_restart_logs_and_autostart() {
    let (code, f) = convert(
        "module.exports = { apps: [
           { name: 'py', script: 'worker.py', autorestart: false, out_file: '/var/log/py.log', error_file: '/dev/null' },
           { name: 'tool', script: 'bin/tool', interpreter: 'none', restart_delay: 1500, autostart: false, max_memory_restart: '100M', treekill: false },
         ] };",
        &[],
    );
    assert_eq!(code, 0, "{}", f["stderr"]);
    let py = &f["py.service"];
    assert!(
        // PM2 spawns `python3` by name: argv[0] stays as it does.
        py.contains("ExecStart=@/usr/bin/python3 python3 /srv/app/worker.py\n"),
        "{py}"
    );
    assert!(py.contains("Environment=\"PYTHONUNBUFFERED=1\""), "{py}");
    assert!(!py.contains("Restart=always"), "{py}");
    assert!(
        py.contains("StandardOutput=append:/var/log/py.log\n")
            && py.contains("StandardError=null\n"),
        "{py}"
    );
    let tool = &f["tool.service"];
    assert!(tool.contains("ExecStart=/srv/app/bin/tool\n"), "{tool}");
    assert!(
        tool.contains("RestartSec=2\n")
            && tool.contains("MemoryMax=104857600\n")
            && tool.contains("KillMode=process\n"),
        "{tool}"
    );
    // PM2's default log files are the journal: nothing written for them.
    assert!(!tool.contains("StandardOutput="), "{tool}");
    // autostart: false: installed, not wanted by the file's target.
    assert!(f["stderr"].contains("3 unit(s)"), "{}", f["stderr"]);
    assert!(
        f["pm2-app.target"].contains("Wants=py.service\n"),
        "{}",
        f["pm2-app.target"]
    );
}

#[test]
fn cron_restart_becomes_a_timer_restarting_the_app_or_its_target() {
    let (code, f) = convert(
        "module.exports = { apps: [{ name: 'one', script: 'server.js', cron_restart: '0 0 13 * 5' }, { name: 'many', script: 'server.js', instances: 2, cron: '0 30 4 * * *' }, { name: 'odd', script: 'server.js', cron_restart: '0 0 L * *' }] };",
        &["--report"],
    );
    assert_eq!(code, 0, "{}", f["stderr"]);
    let timer = &f["one-cron-restart.timer"];
    // croner ANDs both day fields: Friday the 13th, one event (cron would write two).
    assert!(
        timer.contains("OnCalendar=Fri *-*-13 00:00:00\n")
            && timer.matches("OnCalendar=").count() == 1,
        "{timer}"
    );
    assert!(timer.contains("WantedBy=timers.target\n"), "{timer}");
    assert!(
        f["one-cron-restart.service"].contains("Type=oneshot\n")
            && f["one-cron-restart.service"].contains("ExecStart=systemctl restart one.service\n"),
        "{}",
        f["one-cron-restart.service"]
    );
    // Several instances: the target restarts them all; croner's seconds field `0` is exact.
    assert!(
        f["many-cron-restart.service"].contains("ExecStart=systemctl restart many.target\n"),
        "{}",
        f["many-cron-restart.service"]
    );
    assert!(f["many-cron-restart.timer"].contains("OnCalendar=*-*-* 04:30:00\n"));
    // croner's `L`: no timer, reported on the app.
    assert!(!f.keys().any(|k| k.starts_with("odd-cron-restart")));
    let report = &f["report.json"];
    assert!(
        report.contains("pm2-cron-days-and") && report.contains("pm2-cron-unsupported"),
        "{report}"
    );
    assert!(!report.contains("`cron_restart: "), "{report}");
}

#[test]
fn a_renamed_app_is_the_one_its_timer_restarts() {
    // `ticker.service` is installed on the host: the app gets another name, and the restart
    // oneshot names that one, not the installed unit.
    let (code, f) = convert_beside(
        "module.exports = { apps: [{ name: 'ticker', script: 'server.js', cron_restart: '0 3 * * *' }] };",
        &[],
        &["ticker.service"],
    );
    assert_eq!(code, 0, "{}", f["stderr"]);
    assert!(!f.contains_key("ticker.service"), "{:?}", f.keys());
    let app = f
        .keys()
        .find(|k| k.starts_with("ticker") && k.ends_with(".service") && !k.contains("cron"))
        .expect("the app's service")
        .clone();
    let restarter = f
        .iter()
        .find(|(k, _)| k.contains("cron-restart") && k.ends_with(".service"))
        .map(|(_, v)| v.clone())
        .expect("the restart oneshot");
    assert!(
        restarter.contains(&format!("ExecStart=systemctl restart {app}\n")),
        "{app}:\n{restarter}"
    );
}

#[test]
fn watch_becomes_a_path_unit_restarting_the_app() {
    let (code, f) = convert(
        "module.exports = { apps: [{ name: 'dev', script: 'server.js', watch: ['bin', '/etc/app.conf', '*.js'], ignore_watch: ['node_modules'] }, { name: 'all', script: 'server.js', instances: 2, watch: true }] };",
        &["--report"],
    );
    assert_eq!(code, 0, "{}", f["stderr"]);
    let path = &f["dev-watch.path"];
    assert!(
        path.contains("[Path]\nPathChanged=/srv/app/bin\nPathChanged=/etc/app.conf\n\n"),
        "{path}"
    );
    assert!(path.contains("WantedBy=paths.target\n"), "{path}");
    assert!(
        f["dev-watch.service"].contains("ExecStart=systemctl restart dev.service\n"),
        "{}",
        f["dev-watch.service"]
    );
    assert!(f["all-watch.path"].contains("PathChanged=/srv/app\n"));
    assert!(f["all-watch.service"].contains("ExecStart=systemctl restart all.target\n"));
    let report = &f["report.json"];
    assert!(
        report.contains("\"pm2-watch\"")
            && report.contains("`*.js`")
            && report.contains("`node_modules`"),
        "{report}"
    );
    assert!(
        !report.contains("`watch: ") && !report.contains("`ignore_watch: "),
        "{report}"
    );
}

#[test]
fn restart_policy_limits_backoff_and_stop_exit_codes() {
    let (code, f) = convert(
        "module.exports = { apps: [{ name: 'a', script: 'server.js', max_restarts: 5, min_uptime: '3s', stop_exit_codes: [0, 2], exp_backoff_restart_delay: 1500, wait_ready: true, shutdown_with_message: true }, { name: 'b', script: 'server.js' }] };",
        &["--report"],
    );
    assert_eq!(code, 0, "{}", f["stderr"]);
    let a = &f["a.service"];
    for line in [
        "StartLimitBurst=5\n",
        "StartLimitIntervalSec=15s\n",
        // 0 listed: a death by any signal is PM2's exit code 0, so the signals follow.
        "RestartPreventExitStatus=0 2 SIGHUP SIGINT ",
        " SIGKILL ",
        "SuccessExitStatus=2 SIGHUP ",
        "RestartSec=2\n",
        "Restart=always\n",
        "Type=exec\n",
        "KillSignal=SIGINT\n",
    ] {
        assert!(a.contains(line), "{line} in {a}");
    }
    // PM2's own defaults, 16 unstable restarts in 16 s, hold without the options too.
    let b = &f["b.service"];
    assert!(
        b.contains("StartLimitBurst=16\n") && b.contains("StartLimitIntervalSec=16s\n"),
        "{b}"
    );
    let report = &f["report.json"];
    for c in [
        "pm2-restart-limit",
        "pm2-exp-backoff",
        "pm2-wait-ready",
        "pm2-shutdown-message",
    ] {
        assert!(report.contains(&format!("\"{c}\"")), "{c}: {report}");
    }
    assert!(!report.contains("not converted yet"), "{report}");
}

#[test]
fn the_files_apps_are_one_target_named_after_its_directory() {
    let (code, f) = convert(
        "module.exports = { apps: [{ name: 'web', script: 'server.js', instances: 2 }, { name: 'job', script: 'server.js' }, { name: 'later', script: 'server.js', autostart: false }] };",
        &[],
    );
    assert_eq!(code, 0, "{}", f["stderr"]);
    let t = &f["pm2-app.target"];
    // The target wants what PM2 starts; `later` (autostart: false) is only PartOf= it.
    assert!(t.contains("Wants=web.target job.service\n"), "{t}");
    assert!(t.contains("WantedBy=multi-user.target\n"), "{t}");
    for unit in ["web.target", "job.service", "later.service"] {
        assert!(
            f[unit].contains("PartOf=pm2-app.target\n"),
            "{unit}: {}",
            f[unit]
        );
    }
}
