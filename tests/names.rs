//! Names that stay put: a unit's name is a pure function of its definition's host path and
//! content — never of how the path was typed, of the order of the inputs, or of inputs that want
//! other names — so re-running into the same output directory never installs a job twice.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Runs `convert ARGS` and returns every printed file by name.
fn convert(args: &[&str]) -> BTreeMap<String, String> {
    let mut argv = vec!["systemdify", "convert"];
    argv.extend_from_slice(args);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        argv,
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut out,
            stderr: &mut err,
        },
    );
    let err = String::from_utf8(err).unwrap();
    assert_eq!(code, 0, "{err}");
    let mut files = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in String::from_utf8(out).unwrap().split_inclusive('\n') {
        if let Some(name) = line
            .strip_prefix("# ==> ")
            .and_then(|l| l.strip_suffix(" <==\n"))
        {
            files.extend(current.take());
            current = Some((name.to_string(), String::new()));
        } else if let Some((_, text)) = &mut current {
            text.push_str(line);
        }
    }
    files.extend(current);
    files
}

fn names(files: &BTreeMap<String, String>) -> Vec<String> {
    files.keys().cloned().collect()
}

/// Two cron.d files of the same name on two hosts' copies, holding the same job: both want
/// the same unit name.
fn two_colliding_files() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("hosta/etc/cron.d/backup");
    let b = dir.path().join("hostb/etc/cron.d/backup");
    for p in [&a, &b] {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "30 2 * * * root /usr/local/bin/backup --all\n").unwrap();
    }
    (dir, a, b)
}

/// `path` relative to the current directory, spelled with `..` as a shell user would.
fn relative(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap();
    let ups = cwd.components().count() - 1;
    format!(
        "{}{}",
        "../".repeat(ups),
        path.strip_prefix("/").unwrap().display()
    )
}

#[test]
fn names_do_not_depend_on_how_the_path_was_typed() {
    let (_dir, a, b) = two_colliding_files();
    let absolute = names(&convert(&[a.to_str().unwrap(), b.to_str().unwrap()]));
    assert_eq!(absolute.len(), 4, "{absolute:?}");
    assert!(
        absolute.iter().all(|n| n.starts_with("backup-")),
        "{absolute:?}"
    );
    let dotted = a
        .parent()
        .unwrap()
        .join(".")
        .join("..")
        .join("cron.d//backup");
    for spelling in [relative(&a), dotted.to_str().unwrap().to_string()] {
        let typed = names(&convert(&[&spelling, b.to_str().unwrap()]));
        assert_eq!(typed, absolute, "typed as {spelling}");
    }
}

#[test]
fn names_do_not_depend_on_the_order_of_the_inputs() {
    let (_dir, a, b) = two_colliding_files();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    assert_eq!(
        convert(&[a, b]),
        convert(&[b, a]),
        "same files, same contents"
    );
}

#[test]
fn an_input_that_wants_no_existing_name_renames_nothing() {
    let (dir, a, b) = two_colliding_files();
    let other = dir.path().join("hostc/etc/cron.d/sysstat");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::write(
        &other,
        "5-55/10 * * * * root /usr/lib/sysstat/debian-sa1 1 1\n",
    )
    .unwrap();
    let (a, b, other) = (
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        other.to_str().unwrap(),
    );
    let before = convert(&[a, b]);
    let after = convert(&[other, a, b]);
    for (name, text) in &before {
        assert_eq!(after.get(name), Some(text), "{name} changed");
    }
    assert_eq!(after.len(), before.len() + 2);
}

#[test]
fn the_same_file_named_twice_is_converted_once() {
    let (_dir, a, _b) = two_colliding_files();
    let once = convert(&[a.to_str().unwrap()]);
    let twice = convert(&[a.to_str().unwrap(), &relative(&a)]);
    assert_eq!(names(&twice), names(&once));
    assert_eq!(names(&once), ["backup.service", "backup.timer"]);
}

#[test]
fn of_two_init_scripts_wanting_one_name_the_first_by_host_path_keeps_it() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let init = root.path().join("etc/init.d");
    std::fs::create_dir_all(&init).unwrap();
    for (file, daemon) in [
        ("foo", "/usr/sbin/food"),
        ("foo.sh", "/usr/sbin/foo-legacy"),
    ] {
        let p = init.join(file);
        std::fs::write(
            &p,
            format!("#!/bin/sh\ncase \"$1\" in\n  start) start-stop-daemon --start --exec {daemon} ;;\n  stop) start-stop-daemon --stop --exec {daemon} ;;\nesac\n"),
        )
        .unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let r = root.path().to_str().unwrap();
    let one = convert(&["--root", r, "/etc/init.d/foo.sh", "/etc/init.d/foo"]);
    let other = convert(&["--root", r, "/etc/init.d/foo", "/etc/init.d/foo.sh"]);
    assert_eq!(one, other);
    assert!(one["foo.service"].contains("/usr/sbin/food"), "{one:?}");
}
