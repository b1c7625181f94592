//! `convert --root DIR` takes an input path in every form a user (or a shell glob) writes it:
//! inside the copy (`DIR/etc/cron.d/x`), as the host's own path (`/etc/cron.d/x`), or relative
//! to the current directory when that lies inside `DIR`. Whichever form, units and report name
//! the host path, byte for byte the same. Anything else is an error for that input.
//!
//! These tests run the binary, because a relative path depends on the current directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const ENTROPYD: &str = "#!/bin/sh
if [ true != \"$INIT_D_SCRIPT_SOURCED\" ] ; then
    set \"$0\" \"$@\"; INIT_D_SCRIPT_SOURCED=true . /lib/init/init-d-script
fi
### BEGIN INIT INFO
# Provides:          entropyd
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: hardware entropy feeder
### END INIT INFO
DESC=\"hardware entropy feeder\"
DAEMON=/usr/sbin/entropyd
";

/// A scratch directory holding a host copy at `copy/`: one `/etc/cron.d` file and a passwd.
struct Scratch {
    _dir: tempfile::TempDir,
    base: PathBuf,
}

impl Scratch {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // The scratch directory itself may sit behind a symbolic link (/tmp on some systems).
        let base = dir.path().canonicalize().unwrap();
        let copy = base.join("copy");
        std::fs::create_dir_all(copy.join("etc/cron.d")).unwrap();
        std::fs::write(copy.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
        std::fs::write(
            copy.join("etc/cron.d/backup"),
            "MAILTO=\"\"\n30 2 * * * root /usr/local/bin/backup --all\n",
        )
        .unwrap();
        std::fs::write(
            copy.join("etc/cron.d/rotate"),
            "MAILTO=\"\"\n0 4 * * 0 root /usr/sbin/logrotate /etc/logrotate.conf\n",
        )
        .unwrap();
        std::fs::create_dir_all(copy.join("etc/init.d")).unwrap();
        let script = copy.join("etc/init.d/entropyd");
        std::fs::write(&script, ENTROPYD).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        Scratch { _dir: dir, base }
    }

    fn copy(&self) -> PathBuf {
        self.base.join("copy")
    }

    /// Runs `systemdify convert ARGS -o OUT --report OUT.json` in `cwd`; returns the exit code,
    /// standard error and every file written (the report as `report.json`).
    fn convert(&self, cwd: &Path, args: &[&str]) -> (i32, String, BTreeMap<String, String>) {
        let out = self.base.join(format!(
            "out-{}",
            std::fs::read_dir(&self.base).unwrap().count()
        ));
        let report = PathBuf::from(format!("{}.json", out.display()));
        let o = Command::new(env!("CARGO_BIN_EXE_systemdify"))
            .current_dir(cwd)
            .arg("convert")
            .args(args)
            .arg("-o")
            .arg(&out)
            .arg("--report")
            .arg(&report)
            .output()
            .unwrap();
        let mut files = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(&out) {
            // The manifest names this run's temporary report path; the units are what matter.
            for e in entries
                .flatten()
                .filter(|e| e.file_name() != ".systemdify-manifest")
            {
                files.insert(
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).unwrap(),
                );
            }
        }
        if let Ok(r) = std::fs::read_to_string(&report) {
            files.insert("report.json".to_string(), r);
        }
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8(o.stderr).unwrap(),
            files,
        )
    }
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn every_spelling_of_an_input_gives_the_same_units_and_report() {
    let t = Scratch::new();
    let copy = s(&t.copy());
    let inside = format!("{copy}/etc/cron.d/backup");
    let (code, err, expected) = t.convert(
        &t.base,
        &[
            "--root",
            &copy,
            "/etc/cron.d/backup",
            "/etc/init.d/entropyd",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let service = &expected["backup.service"];
    assert!(
        service.starts_with("# Converted from /etc/cron.d/backup:2\n"),
        "{service}"
    );
    assert!(
        expected["report.json"].contains("\"file\": \"/etc/cron.d/backup\""),
        "{}",
        expected["report.json"]
    );
    let script = &expected["entropyd.service"];
    assert!(
        script.starts_with("# Converted from /etc/init.d/entropyd\n")
            && script.contains("\nSourcePath=/etc/init.d/entropyd\n"),
        "{script}"
    );
    assert!(!expected["report.json"].contains(&copy));
    std::os::unix::fs::symlink(t.copy(), t.base.join("link")).unwrap();
    let link = s(&t.base.join("link"));
    let forms: Vec<(PathBuf, Vec<String>)> = vec![
        // The path inside the copy, as a shell glob gives it.
        (
            t.base.clone(),
            vec!["--root".into(), copy.clone(), inside.clone()],
        ),
        // DIR with a trailing slash, the input with `.`, `..` and doubled slashes.
        (
            t.base.clone(),
            vec![
                "--root".into(),
                format!("{copy}/"),
                format!("{copy}//etc/./cron.d/../cron.d/backup"),
            ],
        ),
        // DIR relative, the input relative to the current directory.
        (
            t.base.clone(),
            vec![
                "--root".into(),
                "./copy".into(),
                "copy/etc/cron.d/backup".into(),
            ],
        ),
        (
            t.copy().join("etc"),
            vec!["--root".into(), "..".into(), "cron.d/backup".into()],
        ),
        // DIR through a symbolic link, the input through the real path, and the other way.
        (
            t.base.clone(),
            vec!["--root".into(), link.clone(), inside.clone()],
        ),
        (
            t.base.clone(),
            vec![
                "--root".into(),
                copy.clone(),
                format!("{link}/etc/cron.d/backup"),
            ],
        ),
        // A host path given relative to nothing but the host's `/` is still a host path.
        (
            t.base.clone(),
            vec!["--root".into(), link.clone(), "/etc/cron.d/backup".into()],
        ),
    ];
    for (cwd, mut args) in forms {
        // The init script, in the same form as the crontab.
        let script = args[2].replace("cron.d/backup", "init.d/entropyd");
        args.push(script);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, err, files) = t.convert(&cwd, &args);
        assert_eq!(code, 0, "{args:?} in {}: {err}", cwd.display());
        assert_eq!(files, expected, "{args:?} in {}", cwd.display());
    }
}

#[test]
fn a_glob_inside_the_copy_converts_every_file() {
    let t = Scratch::new();
    let copy = s(&t.copy());
    let (code, err, files) = t.convert(
        &t.base,
        &[
            "--root",
            &copy,
            &format!("{copy}/etc/cron.d/backup"),
            &format!("{copy}/etc/cron.d/rotate"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(files.contains_key("backup.timer"));
    assert!(
        files["rotate-logrotate.service"].starts_with("# Converted from /etc/cron.d/rotate:2\n")
    );
    assert!(!files["report.json"].contains(&copy));
}

#[test]
fn a_relative_path_outside_the_copy_is_an_error_naming_what_was_tried() {
    let t = Scratch::new();
    let copy = s(&t.copy());
    // `etc/cron.d/backup` from the scratch directory is not inside the copy.
    let (code, err, files) = t.convert(
        &t.base,
        &["--root", "copy", "etc/cron.d/backup", "/etc/cron.d/rotate"],
    );
    assert_eq!(code, 1, "{err}");
    let tried = format!("{}/etc/cron.d/backup", s(&t.base));
    assert!(err.contains(&tried), "{err}");
    assert!(err.contains(&format!("{copy}/etc/cron.d/backup")), "{err}");
    assert!(
        err.contains("/etc/cron.d/backup (the host's path)"),
        "{err}"
    );
    // The other input still converts.
    assert!(files.contains_key("rotate-logrotate.service"), "{files:?}");
    assert!(files["report.json"].contains("\"status\": \"error\""));
}

#[test]
fn a_host_path_missing_from_the_copy_names_the_file_looked_for() {
    let t = Scratch::new();
    let copy = s(&t.copy());
    let (code, err, files) = t.convert(&t.base, &["--root", &copy, "/etc/cron.d/nothere"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("{copy}/etc/cron.d/nothere")), "{err}");
    let report = &files["report.json"];
    assert!(
        report.contains("\"file\": \"/etc/cron.d/nothere\""),
        "{report}"
    );
    // The report names host paths only, whatever the mount point.
    assert!(!report.contains(&copy), "{report}");
}

#[test]
fn a_host_path_that_only_this_machine_has_points_at_the_glob_to_write() {
    // /etc/hosts exists on every machine that runs the tests, and not in the copy: as if a
    // shell had expanded /etc/* here instead of in the copy.
    assert!(Path::new("/etc/hosts").exists());
    let t = Scratch::new();
    let copy = s(&t.copy());
    let (code, err, _) = t.convert(&t.base, &["--root", &copy, "/etc/hosts"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("write {copy}/etc/*")), "{err}");
}

#[test]
fn the_root_directory_itself_is_not_an_input() {
    let t = Scratch::new();
    let copy = s(&t.copy());
    let (code, err, _) = t.convert(&t.base, &["--root", &copy, &format!("{copy}/")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is the --root directory itself"), "{err}");
    assert!(err.contains(&format!("scan --root {copy}")), "{err}");
}

#[test]
fn without_root_the_report_names_the_path_as_given() {
    let t = Scratch::new();
    let (code, err, files) = t.convert(&t.copy(), &["etc/cron.d/backup"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        files["report.json"].contains("\"file\": \"etc/cron.d/backup\""),
        "{}",
        files["report.json"]
    );
}

#[test]
fn a_link_inside_the_copy_is_followed_inside_the_copy() {
    let t = Scratch::new();
    let copy = s(&t.copy());
    // An absolute link means the host's /srv/jobs, which this machine does not have.
    std::fs::create_dir_all(t.copy().join("srv/jobs")).unwrap();
    std::fs::write(
        t.copy().join("srv/jobs/nightly"),
        "MAILTO=\"\"\n5 1 * * * root /usr/local/bin/nightly\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/srv/jobs/nightly", t.copy().join("etc/cron.d/nightly")).unwrap();
    let (code, err, files) = t.convert(
        &t.base,
        &["--root", &copy, &format!("{copy}/etc/cron.d/nightly")],
    );
    assert_eq!(code, 0, "{err}");
    let service = &files["nightly.service"];
    assert!(
        service.starts_with("# Converted from /etc/cron.d/nightly:2\n"),
        "{service}"
    );
}
