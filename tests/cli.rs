//! The command line as users drive it: exit codes, overwrite refusal, secrets, stdin.

use std::path::Path;

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::run_with_stdin as run;

#[test]
fn one_line_from_stdin_as_a_users_crontab() {
    let (code, out, err) = run(
        &["convert", "--from", "cron", "--user", "alice", "-"],
        "30 4 1,15 * 5 /usr/local/bin/backup\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# ==> cron-alice-backup.service <=="));
    assert!(out.contains("OnCalendar=*-*-01,15 04:30:00\nOnCalendar=Fri *-*-* 04:30:00\n"));
    assert!(out.contains("User=alice\n"));
}

#[test]
fn stdin_needs_from() {
    assert_eq!(run(&["convert", "-"], "").0, 2);
}

#[test]
fn bad_option_is_a_usage_error() {
    assert_eq!(run(&["convert", "--bogus", "x"], "").0, 2);
}

#[test]
fn bad_line_is_located_and_others_still_convert() {
    let (code, out, err) = run(
        &["convert", "--from", "cron", "--user", "bob", "-"],
        "0 0 * * * /bin/ok\n5/15 * * * * /bin/bad\n",
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("-:2:1: error: `5` has a step but no range"),
        "{err}"
    );
    assert!(out.contains("cron-bob-ok.service"));
}

#[test]
fn strict_exits_3_on_dropped_findings() {
    let (code, _, _) = run(
        &[
            "convert", "--strict", "--from", "cron", "--user", "bob", "-",
        ],
        "MAILTO=bob\n0 0 * * * /bin/true\n",
    );
    assert_eq!(code, 3);
}

#[test]
fn template_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("crontab.j2");
    std::fs::write(&p, "{{ minute }} * * * * root /bin/true\n").unwrap();
    let report = dir.path().join("r.json");
    let (code, _, _) = run(
        &[
            "convert",
            p.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(
        std::fs::read_to_string(report)
            .unwrap()
            .contains("\"template-input\"")
    );
}

#[test]
fn output_dir_refuses_to_overwrite_then_forces_and_reruns_are_no_ops() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("units");
    let o = out.to_str().unwrap();
    let input = "DB_PASSWORD=hunter2\n0 1 * * * /usr/bin/dump\n";
    assert_eq!(
        run(
            &["convert", "--from", "cron", "--user", "u", "-o", o, "-"],
            input
        )
        .0,
        0
    );
    let env = out.join("env/cron-u-dump.service.env");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&env).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let unit = std::fs::read_to_string(out.join("cron-u-dump.service")).unwrap();
    assert!(
        !unit.contains("hunter2")
            && unit.contains("EnvironmentFile=/etc/systemdify/env/cron-u-dump.service.env")
    );
    // Same input again: nothing to do.
    assert_eq!(
        run(
            &["convert", "--from", "cron", "--user", "u", "-o", o, "-"],
            input
        )
        .0,
        0
    );
    // Different content: refused without --force, nothing written.
    let changed = "DB_PASSWORD=hunter2\n0 2 * * * /usr/bin/dump\n";
    let (code, _, err) = run(
        &["convert", "--from", "cron", "--user", "u", "-o", o, "-"],
        changed,
    );
    assert_eq!(code, 1);
    assert!(err.contains("cron-u-dump.timer"), "{err}");
    assert!(
        std::fs::read_to_string(out.join("cron-u-dump.timer"))
            .unwrap()
            .contains("01:00:00")
    );
    assert_eq!(
        run(
            &[
                "convert", "--force", "--from", "cron", "--user", "u", "-o", o, "-"
            ],
            changed
        )
        .0,
        0
    );
    assert!(
        std::fs::read_to_string(out.join("cron-u-dump.timer"))
            .unwrap()
            .contains("02:00:00")
    );
}

#[test]
fn secrets_are_never_printed() {
    let (_, out, _) = run(
        &["convert", "--from", "cron", "--user", "u", "-"],
        "API_TOKEN=abc123\n0 1 * * * /usr/bin/x\n",
    );
    assert!(!out.contains("abc123"));
}

#[test]
fn explain_lists_fire_times_and_findings() {
    let (code, out, _) = run(
        &[
            "explain",
            "--tz",
            "UTC",
            "--base-time",
            "2025-01-01T00:00:30Z",
            "--count",
            "3",
            "@weekly",
        ],
        "",
    );
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().take(4).collect::<Vec<_>>(),
        [
            "OnCalendar=Sun *-*-* 00:00:00",
            "Sun 2025-01-05 00:00:00 UTC",
            "Sun 2025-01-12 00:00:00 UTC",
            "Sun 2025-01-19 00:00:00 UTC"
        ]
    );
    assert!(out.contains("[cron-weekly]"));
    let (code, _, err) = run(&["explain", "5/15 * * * *"], "");
    assert_eq!(code, 1);
    assert!(err.starts_with("schedule:1:1: error:"));
}

#[test]
fn completions_and_man_pages() {
    let (code, out, _) = run(&["completions", "bash"], "");
    assert_eq!(code, 0);
    assert!(out.contains("systemdify"));
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(&["man", dir.path().to_str().unwrap()], "").0, 0);
    assert!(Path::new(&dir.path().join("systemdify.1")).exists());
}

#[test]
fn scan_converts_a_host_tree_and_writes_apply_and_rollback_scripts() {
    let host = tempfile::tempdir().unwrap();
    let root = host.path();
    for d in ["etc/cron.d", "etc/init.d", "etc/rc2.d", "usr/sbin"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(root.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    std::fs::write(
        root.join("etc/cron.d/cleanup"),
        "15 3 * * * root /usr/sbin/tidy\n",
    )
    .unwrap();
    std::fs::write(
        root.join("etc/init.d/food"),
        "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: food\n# Default-Start: 2 3 4 5\n### END INIT INFO\ncase \"$1\" in\n start) start-stop-daemon --start --background --exec /usr/sbin/food ;;\nesac\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../init.d/food", root.join("etc/rc2.d/S01food")).unwrap();
    for f in ["etc/init.d/food", "usr/sbin/food", "usr/sbin/tidy"] {
        use std::os::unix::fs::PermissionsExt;
        if !root.join(f).exists() {
            std::fs::write(root.join(f), "#!/bin/sh\n").unwrap();
        }
        std::fs::set_permissions(root.join(f), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let units = out.path().join("units");
    let (code, _, err) = run(
        &[
            "scan",
            "--root",
            root.to_str().unwrap(),
            "-o",
            units.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 file(s) to convert"), "{err}");
    for f in ["cleanup-tidy.service", "cleanup-tidy.timer", "food.service"] {
        assert!(units.join(f).is_file(), "{f} missing");
    }
    let apply = std::fs::read_to_string(units.join("apply.sh")).unwrap();
    assert!(
        apply.contains("systemctl enable 'cleanup-tidy.timer'"),
        "{apply}"
    );
    assert!(apply.contains("systemctl enable 'food.service'"), "{apply}");
    let rollback = std::fs::read_to_string(units.join("rollback.sh")).unwrap();
    assert!(rollback.contains("rm -f '/etc/systemd/system/food.service'"));
    for script in ["apply.sh", "rollback.sh"] {
        let ok = std::process::Command::new("sh")
            .arg("-n")
            .arg(units.join(script))
            .status()
            .unwrap()
            .success();
        assert!(ok, "{script} is not valid sh");
    }
}

#[test]
fn an_init_script_keeps_its_name_when_another_item_wants_it() {
    let host = tempfile::tempdir().unwrap();
    let root = host.path();
    std::fs::create_dir_all(root.join("etc/init.d")).unwrap();
    let script = "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: backup\n# Default-Start: 2 3 4 5\n### END INIT INFO\ncase \"$1\" in start) /usr/bin/backup-now ;; esac\n";
    for name in ["backup", "backup.sh"] {
        let p = root.join("etc/init.d").join(name);
        std::fs::write(&p, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (code, out, err) = run(
        &[
            "convert",
            "--root",
            root.to_str().unwrap(),
            "/etc/init.d/backup.sh",
            "/etc/init.d/backup",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("# ==> backup.service <==\n# Converted from /etc/init.d/backup\n"),
        "{out}"
    );
    assert!(out.contains("# Converted from /etc/init.d/backup.sh\n"));
    assert_eq!(out.matches("# ==> backup.service <==").count(), 1);
}
