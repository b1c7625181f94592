//! Inputs a legacy host may hold that must never become a unit meaning something else: file
//! names that inject directives, values longer than systemd reads or the kernel passes, control
//! characters and bytes that are not UTF-8. Each is an error item for that entry (exit 1) while
//! the other entries still convert; nothing injected ever reaches a unit.

use std::path::Path;

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::run;

fn write(path: &Path, contents: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

const SCRIPT: &str = "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: good\n# Default-Start: 2 3 4 5\n# Default-Stop: 0 1 6\n# Short-Description: a good daemon\n### END INIT INFO\ncase \"$1\" in\n  start) start-stop-daemon --start --exec /usr/sbin/gooddaemon ;;\n  stop) start-stop-daemon --stop --exec /usr/sbin/gooddaemon ;;\nesac\n";

#[test]
fn an_init_script_whose_name_injects_directives_is_an_error_not_a_unit() {
    let root = tempfile::tempdir().unwrap();
    let evil = "x\n[Service]\nExecStartPre=touch pwned";
    write(
        &root.path().join("etc/init.d").join(evil),
        SCRIPT.as_bytes(),
    );
    write(&root.path().join("etc/init.d/good"), SCRIPT.as_bytes());
    let r = root.path().to_str().unwrap();
    let evil_path = format!("/etc/init.d/{evil}");
    let (code, out, err) = run(&["convert", "--root", r, &evil_path, "/etc/init.d/good"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        !out.contains("pwned"),
        "injected text reached a unit:\n{out}"
    );
    assert!(
        err.contains("cannot write SourcePath=") && err.contains("line break"),
        "{err}"
    );
    assert!(
        out.contains("# ==> good.service <=="),
        "the other input converts"
    );
}

#[test]
fn a_five_megabyte_command_is_an_error_item_and_the_other_lines_convert() {
    let dir = tempfile::tempdir().unwrap();
    let crontab = dir.path().join("crontab");
    let mut text = String::from("0 1 * * * root /bin/ok\n");
    text.push_str("0 2 * * * root /bin/echo ");
    text.push_str(&"a".repeat(5 * 1024 * 1024));
    text.push('\n');
    write(&crontab, text.as_bytes());
    let report = dir.path().join("r.json");
    let (code, out, err) = run(&[
        "convert",
        "--system",
        crontab.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("ExecStart=/bin/sh -c \"/bin/ok\"") || out.contains("/bin/ok"));
    assert!(
        !out.contains(&"a".repeat(1000)),
        "the long line reached a unit"
    );
    assert!(err.contains(":2: error: cannot write ExecStart="), "{err}");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let statuses: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.len(), 2);
    assert_ne!(statuses[0], "error");
    assert_eq!(statuses[1], "error");
    assert_eq!(json["errors"][0]["line"], 2);
}

#[test]
fn an_argument_longer_than_the_kernel_passes_is_an_error_item() {
    let dir = tempfile::tempdir().unwrap();
    let crontab = dir.path().join("crontab");
    // 200 KiB in one shell line: under systemd's line limit, over MAX_ARG_STRLEN.
    let text = format!("0 2 * * * root /bin/echo {}\n", "b".repeat(200 * 1024));
    write(&crontab, text.as_bytes());
    let (code, out, err) = run(&["convert", "--system", crontab.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("the kernel passes at most 131071 bytes"),
        "{err}"
    );
}

#[test]
fn bytes_that_are_not_utf8_in_a_command_are_an_error_not_a_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let crontab = dir.path().join("crontab");
    write(
        &crontab,
        b"0 1 * * * root /bin/ok\n0 2 * * * root /usr/local/bin/caf\xe9\n",
    );
    let (code, out, err) = run(&["convert", "--system", crontab.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(
        !out.contains('\u{fffd}'),
        "a replacement character reached a unit"
    );
    assert!(
        err.contains(":2: error:") && err.contains("not valid UTF-8"),
        "{err}"
    );
    assert!(out.contains("/bin/ok"));
}

#[test]
fn control_characters_in_a_command_are_escaped_as_systemd_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let crontab = dir.path().join("crontab");
    write(&crontab, b"0 1 * * * root /bin/echo a\x01b\x1b[31m\n");
    let (code, out, err) = run(&["convert", "--system", crontab.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(r#""/bin/echo a\x01b\x1b[31m""#), "{out}");
}

#[test]
fn a_long_description_is_shortened() {
    let root = tempfile::tempdir().unwrap();
    let long = "very ".repeat(300);
    let script = SCRIPT.replace("a good daemon", &long);
    write(&root.path().join("etc/init.d/good"), script.as_bytes());
    let (code, out, err) = run(&[
        "convert",
        "--root",
        root.path().to_str().unwrap(),
        "/etc/init.d/good",
    ]);
    assert_eq!(code, 0, "{err}");
    let line = out.lines().find(|l| l.starts_with("Description=")).unwrap();
    assert!(line.chars().count() <= 220 && line.ends_with('…'), "{line}");
}
