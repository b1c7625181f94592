//! Writing results: all or nothing, the manifest of the output directory, stale files and
//! `--prune`, the report as a target like the units.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::run_with_stdin as run;

/// `convert --from cron --user u -o OUT [extra…] -` on `crontab`.
fn convert(out: &Path, extra: &[&str], crontab: &str) -> (i32, String, String) {
    let mut args = vec![
        "convert",
        "--from",
        "cron",
        "--user",
        "u",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.push("-");
    run(&args, crontab)
}

/// Every entry under `dir` (itself included as ""): files with their contents and mode,
/// directories and symbolic links marked as such.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        let mode = meta.permissions().mode() & 0o7777;
        if meta.is_dir() {
            out.insert(rel, format!("dir {mode:o}"));
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            out.insert(rel, format!("file {mode:o}\n{text}"));
        }
    }
    out
}

/// Inode and modification time of every file under `dir`.
fn stamps(dir: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    let mut out = BTreeMap::new();
    for rel in tree(dir).keys() {
        let path = if rel.is_empty() {
            dir.to_path_buf()
        } else {
            dir.join(rel)
        };
        let m = std::fs::symlink_metadata(path).unwrap();
        out.insert(rel.clone(), (m.ino(), m.mtime(), m.mtime_nsec()));
    }
    out
}

fn no_temporary_files(dir: &Path) {
    let left: Vec<String> = tree(dir)
        .into_keys()
        .filter(|p| p.contains(".systemdify-tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

const TWO_JOBS: &str = "0 1 * * * /usr/bin/alpha\n0 2 * * * /usr/bin/beta\n";

#[test]
fn a_directory_where_a_unit_goes_is_found_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    std::fs::create_dir_all(out.join("cron-u-beta.timer")).unwrap();
    let before = tree(&out);
    let (code, _, err) = convert(&out, &["--force"], TWO_JOBS);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cron-u-beta.timer"), "{err}");
    assert!(err.contains("is a directory"), "{err}");
    assert_eq!(tree(&out), before, "something was written");
}

#[test]
fn a_file_where_a_directory_goes_is_found_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("env"), "not a directory\n").unwrap();
    let before = tree(&out);
    let (code, _, err) = convert(&out, &[], "DB_PASSWORD=hunter2\n0 1 * * * /usr/bin/dump\n");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("env") && err.contains("not a directory"),
        "{err}"
    );
    assert_eq!(tree(&out), before, "something was written");
}

#[test]
fn a_report_in_a_missing_directory_is_found_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    let report = tmp.path().join("no/such/dir/report.json");
    let (code, _, err) = convert(&out, &["--report", report.to_str().unwrap()], TWO_JOBS);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no/such/dir"), "{err}");
    assert!(!out.exists(), "the output directory was created");

    // Without -o the units would go to standard output: nothing is printed either.
    let (code, stdout, err) = run(
        &[
            "convert",
            "--from",
            "cron",
            "--user",
            "u",
            "--report",
            report.to_str().unwrap(),
            "-",
        ],
        TWO_JOBS,
    );
    assert_eq!(code, 1, "{err}");
    assert!(stdout.is_empty(), "{stdout}");
}

#[test]
fn an_unrelated_report_file_is_replaced_only_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    let report = tmp.path().join("report.json");
    std::fs::write(&report, "my own notes\n").unwrap();
    let r = report.to_str().unwrap();
    let (code, _, err) = convert(&out, &["--report", r], TWO_JOBS);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("report.json") && err.contains("--force"),
        "{err}"
    );
    assert!(
        !out.exists(),
        "units were written although the report was refused"
    );
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "my own notes\n");

    // The same without -o.
    let (code, stdout, err) = run(
        &[
            "convert", "--from", "cron", "--user", "u", "--report", r, "-",
        ],
        TWO_JOBS,
    );
    assert_eq!(code, 1, "{err}");
    assert!(stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "my own notes\n");

    let (code, _, err) = convert(&out, &["--report", r, "--force"], TWO_JOBS);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("\"version\": 1")
    );
}

#[test]
fn the_report_of_the_previous_run_is_replaced_without_force_unless_edited_since() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    for report in [tmp.path().join("report.json"), out.join("report.md")] {
        let r = report.to_str().unwrap();
        let (code, _, err) = convert(&out, &["--report", r], "0 1 * * * /usr/bin/alpha\n");
        assert_eq!(code, 0, "{err}");
        // A new line: a new unit and another report, which this tool wrote last time.
        let (code, _, err) = convert(&out, &["--report", r], TWO_JOBS);
        assert_eq!(code, 0, "{err}");
        assert!(std::fs::read_to_string(&report).unwrap().contains("beta"));
        // Edited by hand since: refused, and nothing else written.
        std::fs::write(&report, "reviewed, see ticket 42\n").unwrap();
        let before = tree(&out);
        let three = format!("{TWO_JOBS}0 3 * * * /usr/bin/gamma\n");
        let (code, _, err) = convert(&out, &["--report", r], &three);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("report") && err.contains("--force"), "{err}");
        assert_eq!(tree(&out), before);
        assert_eq!(
            std::fs::read_to_string(&report).unwrap(),
            "reviewed, see ticket 42\n"
        );
        std::fs::remove_dir_all(&out).unwrap();
    }
}

#[test]
fn a_rerun_with_unchanged_input_changes_no_file_the_report_included() {
    let input = "DB_PASSWORD=hunter2\n0 1 * * * /usr/bin/alpha\n0 2 * * * /usr/bin/beta\n";
    for inside in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("units");
        let report = if inside {
            out.join("report.md")
        } else {
            tmp.path().join("report.json")
        };
        let args = ["--report", report.to_str().unwrap()];
        let (code, _, err) = convert(&out, &args, input);
        assert_eq!(code, 0, "{err}");
        // Back-date everything, so a rewrite shows even within the clock's resolution.
        let past = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        for path in tree(tmp.path()).keys().map(|k| tmp.path().join(k)) {
            if path.is_file() {
                std::fs::File::options()
                    .write(true)
                    .open(&path)
                    .unwrap()
                    .set_modified(past)
                    .unwrap();
            }
        }
        let before = stamps(tmp.path());
        let (code, _, err) = convert(&out, &args, input);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("already up to date"), "{err}");
        assert_eq!(stamps(tmp.path()), before, "a file was rewritten");
    }
}

#[test]
fn the_manifest_lists_every_file_written_with_its_sha256_and_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    let report = out.join("report.json");
    let (code, _, err) = convert(
        &out,
        &["--report", report.to_str().unwrap()],
        "DB_PASSWORD=hunter2\n0 1 * * * /usr/bin/alpha\n",
    );
    assert_eq!(code, 0, "{err}");
    let manifest = std::fs::read_to_string(out.join(".systemdify-manifest")).unwrap();
    let lines: Vec<&str> = manifest.lines().filter(|l| !l.starts_with('#')).collect();
    let paths: Vec<&str> = lines
        .iter()
        .map(|l| l.splitn(3, ' ').nth(2).unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "cron-u-alpha.service",
            "cron-u-alpha.timer",
            "env/cron-u-alpha.service.env",
            "report.json"
        ]
    );
    for line in lines {
        let mut fields = line.splitn(3, ' ');
        let (hash, mode, path) = (
            fields.next().unwrap(),
            fields.next().unwrap(),
            fields.next().unwrap(),
        );
        let sum = std::process::Command::new("sha256sum")
            .arg(out.join(path))
            .output()
            .unwrap();
        let sum = String::from_utf8(sum.stdout).unwrap();
        assert_eq!(sum.split(' ').next().unwrap(), hash, "{path}");
        let actual = std::fs::metadata(out.join(path))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, format!("{actual:04o}"), "{path}");
    }
}

#[test]
fn units_a_previous_run_wrote_and_this_one_does_not_are_listed_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    let report = tmp.path().join("report.json");
    let r = report.to_str().unwrap();
    assert_eq!(convert(&out, &["--report", r], TWO_JOBS).0, 0);
    let (code, _, err) = convert(&out, &["--report", r], "0 1 * * * /usr/bin/alpha\n");
    assert_eq!(code, 0, "{err}");
    for unit in ["cron-u-beta.service", "cron-u-beta.timer"] {
        assert!(
            err.lines()
                .any(|l| l.contains("stale") && l.contains(unit) && l.contains("--prune")),
            "{err}"
        );
        assert!(
            out.join(unit).is_file(),
            "{unit} was removed without --prune"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(
        json["stale"],
        serde_json::json!([
            {"path": "cron-u-beta.service", "edited": false, "removed": false},
            {"path": "cron-u-beta.timer", "edited": false, "removed": false}
        ])
    );
    // Still known as stale on the next run.
    let (code, _, err) = convert(&out, &["--report", r], "0 1 * * * /usr/bin/alpha\n");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("cron-u-beta.timer"), "{err}");
}

#[test]
fn prune_removes_stale_files_only_while_they_hold_what_was_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    let three = "0 1 * * * /usr/bin/alpha\nAPI_TOKEN=x\n0 2 * * * /usr/bin/beta\n0 3 * * * /usr/bin/gamma\n";
    assert_eq!(convert(&out, &[], three).0, 0);
    assert!(out.join("env/cron-u-beta.service.env").is_file());
    let edited = out.join("cron-u-gamma.service");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("# tuned by hand\n");
    std::fs::write(&edited, &text).unwrap();

    let report = tmp.path().join("report.json");
    let (code, _, err) = convert(
        &out,
        &["--prune", "--report", report.to_str().unwrap()],
        "0 1 * * * /usr/bin/alpha\n",
    );
    assert_eq!(code, 0, "{err}");
    for gone in [
        "cron-u-beta.service",
        "cron-u-beta.timer",
        "cron-u-gamma.timer",
        "env/cron-u-beta.service.env",
        "env",
    ] {
        assert!(!out.join(gone).exists(), "{gone} was not pruned");
    }
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), text);
    assert!(
        err.lines().any(|l| l.contains("cron-u-gamma.service")
            && l.contains("edited")
            && l.contains("kept")),
        "{err}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert!(
        json["stale"].as_array().unwrap().contains(
            &serde_json::json!({"path": "cron-u-gamma.service", "edited": true, "removed": false})
        ),
        "{json}"
    );
    assert!(
        json["stale"].as_array().unwrap().contains(
            &serde_json::json!({"path": "cron-u-beta.timer", "edited": false, "removed": true})
        ),
        "{json}"
    );
    let manifest = std::fs::read_to_string(out.join(".systemdify-manifest")).unwrap();
    assert!(!manifest.contains("beta"), "{manifest}");
    assert!(manifest.contains("cron-u-gamma.service"), "{manifest}");
    no_temporary_files(&out);
}

#[test]
fn prune_works_for_scan_too() {
    let host = tempfile::tempdir().unwrap();
    let root = host.path();
    std::fs::create_dir_all(root.join("etc/cron.d")).unwrap();
    std::fs::write(root.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    std::fs::write(root.join("etc/cron.d/a"), "1 1 * * * root /bin/one\n").unwrap();
    std::fs::write(root.join("etc/cron.d/b"), "2 2 * * * root /bin/two\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let units = out.path().join("units");
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--root",
            root.to_str().unwrap(),
            "-o",
            units.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run(&args, "")
    };
    assert_eq!(scan(&[]).0, 0);
    assert!(units.join("b-two.timer").is_file());
    std::fs::remove_file(root.join("etc/cron.d/b")).unwrap();
    // apply.sh changes with the units it installs: --force, and --prune for b's units.
    let (code, _, err) = scan(&["--force", "--prune"]);
    assert_eq!(code, 0, "{err}");
    assert!(!units.join("b-two.timer").exists());
    assert!(units.join("a-one.timer").is_file());
    assert!(
        !std::fs::read_to_string(units.join("apply.sh"))
            .unwrap()
            .contains("b-two")
    );
}

#[test]
fn the_report_may_not_overwrite_a_unit_or_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    for name in ["cron-u-alpha.timer", ".systemdify-manifest"] {
        let report = out.join(name);
        let (code, _, err) = convert(&out, &["--report", report.to_str().unwrap()], TWO_JOBS);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(name), "{err}");
        assert!(!out.exists());
    }
}

#[test]
fn a_unit_name_of_250_characters_is_written() {
    // The longest names systemd accepts are 255 bytes; the temporary file beside it must fit too.
    let tmp = tempfile::tempdir().unwrap();
    let name = format!("{}.service", "a".repeat(242));
    let files = vec![systemdify::back::systemd::OutputFile {
        path: name.clone(),
        contents: "[Service]\n".into(),
        mode: 0o644,
    }];
    let written =
        systemdify::output::write_dir(tmp.path(), &files, &systemdify::output::Options::default())
            .unwrap();
    assert_eq!(written.written, std::slice::from_ref(&name));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(&name)).unwrap(),
        "[Service]\n"
    );
    no_temporary_files(tmp.path());
}

/// Fails the `n`th change to the file system, counts them all and remembers which failed.
struct FailAt {
    n: usize,
    seen: usize,
    failed: Option<String>,
}

impl FailAt {
    fn new(n: usize) -> Self {
        FailAt {
            n,
            seen: 0,
            failed: None,
        }
    }
}

impl systemdify::output::Hook for FailAt {
    fn before(&mut self, step: &systemdify::output::Step<'_>) -> std::io::Result<()> {
        self.seen += 1;
        if self.seen == self.n {
            self.failed = Some(format!("{step:?}"));
            Err(std::io::Error::other("injected: no space left on device"))
        } else {
            Ok(())
        }
    }
}

fn file(path: &str, contents: &str, mode: u32) -> systemdify::back::systemd::OutputFile {
    systemdify::back::systemd::OutputFile {
        path: path.into(),
        contents: contents.into(),
        mode,
    }
}

#[test]
fn a_failure_at_any_step_restores_the_output_directory_exactly() {
    use systemdify::output::{self, Options};
    let first = vec![
        file("a.service", "a 1\n", 0o644),
        file("b.service", "b 1\n", 0o644),
        file("old.service", "old\n", 0o644),
        file("old.service.d/x.conf", "x\n", 0o644),
    ];
    let second = vec![
        file("a.service", "a 1\n", 0o644),
        file("b.service", "b 2\n", 0o644),
        file("c.service", "c 2\n", 0o644),
        file("c.service.d/y.conf", "y\n", 0o644),
        file("env/c.service.env", "TOKEN=t\n", 0o600),
    ];
    let opts = Options {
        force: true,
        prune: true,
    };
    let setup = |dir: &Path| -> PathBuf {
        let out = dir.join("units");
        output::write_dir(&out, &first, &Options::default()).unwrap();
        out
    };
    // How many steps a successful run takes, and what it leaves.
    let tmp = tempfile::tempdir().unwrap();
    let out = setup(tmp.path());
    let mut count = FailAt::new(0);
    let plan = output::Plan::new(Some(&out), &second, None, &opts).unwrap();
    plan.commit(&mut count).unwrap();
    let after = tree(&out);
    assert!(!after.contains_key("old.service") && after.contains_key("c.service.d/y.conf"));
    assert!(count.seen >= 8, "only {} steps", count.seen);

    let mut moved_aside = 0;
    for n in 1..=count.seen {
        let tmp = tempfile::tempdir().unwrap();
        let out = setup(tmp.path());
        let before = tree(&out);
        let plan = output::Plan::new(Some(&out), &second, None, &opts).unwrap();
        let mut hook = FailAt::new(n);
        let result = plan.commit(&mut hook);
        let step = hook.failed.unwrap();
        if step.starts_with("Link(") {
            // As on a file system without hard links: the old file is moved aside instead.
            assert!(result.is_ok(), "step {n} {step}: {result:?}");
            assert_eq!(tree(&out), after, "step {n} {step}");
            moved_aside += 1;
            continue;
        }
        let err = result.expect_err("the injected failure was not reported");
        assert!(
            err.to_string().contains("injected"),
            "step {n} {step}: {err}"
        );
        assert_eq!(
            tree(&out),
            before,
            "step {n} {step} of {} left changes",
            count.seen
        );
    }
    // b.service and the manifest are replaced.
    assert_eq!(moved_aside, 2);

    // Without hard links at all, a failure at any later step still restores everything.
    struct NoLinks(FailAt);
    impl systemdify::output::Hook for NoLinks {
        fn before(&mut self, step: &systemdify::output::Step<'_>) -> std::io::Result<()> {
            if matches!(step, systemdify::output::Step::Link(_)) {
                return Err(std::io::Error::other("hard links not supported"));
            }
            self.0.before(step)
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = setup(tmp.path());
    let mut count = NoLinks(FailAt::new(0));
    output::Plan::new(Some(&out), &second, None, &opts)
        .unwrap()
        .commit(&mut count)
        .unwrap();
    assert_eq!(tree(&out), after);
    for n in 1..=count.0.seen {
        let tmp = tempfile::tempdir().unwrap();
        let out = setup(tmp.path());
        let before = tree(&out);
        let plan = output::Plan::new(Some(&out), &second, None, &opts).unwrap();
        let mut hook = NoLinks(FailAt::new(n));
        let err = plan.commit(&mut hook).expect_err("not reported");
        let step = hook.0.failed.unwrap();
        assert!(
            err.to_string().contains("injected"),
            "step {n} {step}: {err}"
        );
        assert_eq!(tree(&out), before, "step {n} {step} left changes");
    }
}

#[test]
fn a_full_file_system_midway_leaves_the_previous_run_in_place() {
    // A real failure that root cannot override: a 64 KiB tmpfs in a private mount namespace.
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let small = tmp.path().join("small");
    std::fs::write(&small, "0 1 * * * /usr/bin/alpha\n").unwrap();
    let big = tmp.path().join("big");
    let mut lines = String::from("0 1 * * * /usr/bin/alpha\n");
    for i in 0..400 {
        lines.push_str(&format!(
            "{} {} * * * /usr/bin/job{i} --with a long argument list\n",
            i % 60,
            i % 24
        ));
    }
    std::fs::write(&big, lines).unwrap();
    let bin = env!("CARGO_BIN_EXE_systemdify");
    let script = format!(
        "set -u; mount -t tmpfs -o size=64k tmpfs {m} || exit 99
         {bin} convert --from cron --user u -o {m}/units {small} || exit 98
         find {m} -printf '%P %s %m\\n' | sort > {t}/before
         {bin} convert --force --from cron --user u -o {m}/units {big} 2> {t}/err; echo $? > {t}/code
         find {m} -printf '%P %s %m\\n' | sort > {t}/after
         cat {m}/units/cron-u-alpha.timer > {t}/timer",
        m = mnt.display(),
        t = tmp.path().display(),
        small = small.display(),
        big = big.display(),
    );
    let status = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
        .status()
        .expect("unshare (util-linux) is needed for this test");
    assert!(
        status.success(),
        "setting up the small file system failed: {status}"
    );
    let read = |name: &str| std::fs::read_to_string(tmp.path().join(name)).unwrap();
    assert_eq!(read("code").trim(), "1", "{}", read("err"));
    assert!(
        read("err").contains("No space left on device"),
        "{}",
        read("err")
    );
    assert_eq!(read("after"), read("before"));
    assert!(!read("after").contains("systemdify-tmp"));
    assert!(read("timer").contains("01:00:00"));
}

#[test]
fn prune_needs_an_output_directory_and_the_help_explains_it() {
    let (code, _, err) = run(&["convert", "--prune", "--from", "cron", "-"], TWO_JOBS);
    assert_eq!(code, 2, "{err}");
    let (code, help, _) = run(&["convert", "--help"], "");
    assert_eq!(code, 0);
    for words in [".systemdify-manifest", "--prune", "All or nothing", "stale"] {
        assert!(help.contains(words), "--help does not mention {words}");
    }
}

#[test]
fn an_output_directory_that_cannot_be_written_into_writes_nothing() {
    // Root may write into any directory, but not into a read-only file system.
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let input = tmp.path().join("crontab");
    std::fs::write(&input, TWO_JOBS).unwrap();
    let report = tmp.path().join("report.json");
    let bin = env!("CARGO_BIN_EXE_systemdify");
    let script = format!(
        "set -u; mount -t tmpfs tmpfs {m} || exit 99
         mkdir {m}/units && echo 'old' > {m}/units/cron-u-alpha.service || exit 98
         mount -o remount,ro {m} || exit 97
         find {m} -printf '%P %s %m\\n' | sort > {t}/before
         {bin} convert --force --from cron --user u -o {m}/units --report {r} {i} 2> {t}/err1; echo $? > {t}/code1
         {bin} convert --from cron --user u -o {m}/new --report {r} {i} 2> {t}/err2; echo $? > {t}/code2
         find {m} -printf '%P %s %m\\n' | sort > {t}/after",
        m = mnt.display(),
        t = tmp.path().display(),
        r = report.display(),
        i = input.display(),
    );
    let status = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
        .status()
        .expect("unshare (util-linux) is needed for this test");
    assert!(
        status.success(),
        "setting up the file system failed: {status}"
    );
    let read = |name: &str| std::fs::read_to_string(tmp.path().join(name)).unwrap();
    for (code, err, dir) in [
        ("code1", "err1", "/mnt/units"),
        ("code2", "err2", "/mnt/new"),
    ] {
        assert_eq!(read(code).trim(), "1", "{}", read(err));
        assert!(read(err).contains("Read-only file system"), "{}", read(err));
        assert!(read(err).contains(&format!("{dir}:")), "{}", read(err));
        assert!(read(err).contains("nothing written"), "{}", read(err));
    }
    assert!(read("before").contains("units/cron-u-alpha.service 4 644\n"));
    assert_eq!(read("after"), read("before"));
    assert!(
        !report.exists(),
        "the report was written although the units were not"
    );
}

#[test]
fn a_failure_removes_the_directories_it_created_the_output_directory_included() {
    use systemdify::output::{self, Options};
    let files = vec![
        file("a.service", "a\n", 0o644),
        file("a.service.d/x.conf", "x\n", 0o644),
        file("env/a.service.env", "TOKEN=t\n", 0o600),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut count = FailAt::new(0);
    output::Plan::new(
        Some(&tmp.path().join("a/b/units")),
        &files,
        None,
        &Options::default(),
    )
    .unwrap()
    .commit(&mut count)
    .unwrap();
    assert!(tmp.path().join("a/b/units/a.service.d/x.conf").is_file());
    for n in 1..=count.seen {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("a/b/units");
        let plan = output::Plan::new(Some(&out), &files, None, &Options::default()).unwrap();
        let mut hook = FailAt::new(n);
        assert!(plan.commit(&mut hook).is_err(), "step {n}");
        assert_eq!(
            tree(tmp.path()).into_keys().collect::<Vec<_>>(),
            [""],
            "step {n} {:?}",
            hook.failed
        );
    }
}

#[test]
fn an_output_directory_that_is_a_file_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    std::fs::write(&out, "a file\n").unwrap();
    let (code, _, err) = convert(&out, &[], TWO_JOBS);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("units is not a directory"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "a file\n");
}

#[test]
fn temporary_files_an_interrupted_run_left_are_removed_or_named() {
    // A run killed midway (SIGKILL, power loss) cannot clean up; the next one does.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    assert_eq!(convert(&out, &[], TWO_JOBS).0, 0);
    std::fs::write(out.join(".4242.7.systemdify-tmp"), "half a unit").unwrap();
    std::fs::write(
        out.join(".4242.3.old.systemdify-tmp"),
        "a unit's previous content",
    )
    .unwrap();
    let (code, _, err) = convert(&out, &[], TWO_JOBS);
    assert_eq!(code, 0, "{err}");
    assert!(
        !out.join(".4242.7.systemdify-tmp").exists(),
        "staged leftover kept"
    );
    // What may be the only copy of a file's old content is kept, and named.
    assert!(out.join(".4242.3.old.systemdify-tmp").exists());
    assert!(
        err.lines()
            .any(|l| l.contains(".4242.3.old.systemdify-tmp") && l.contains("interrupted")),
        "{err}"
    );
}

#[test]
fn a_new_output_directory_comes_into_place_whole_or_not_at_all() {
    use systemdify::output::{self, Options};
    let files = vec![
        file("a.service", "a\n", 0o644),
        file("a.service.d/x.conf", "x\n", 0o644),
        file("env/a.service.env", "TOKEN=t\n", 0o600),
        file("run.sh", "#!/bin/sh\n", 0o755),
    ];
    // A report outside the new directory is written with it, in the same transaction.
    let write = |parent: &Path, hook: &mut dyn output::Hook| {
        let out = parent.join("units");
        let report = parent.join("report.json");
        let mut plan =
            output::Plan::new(Some(&out), &files, Some(&report), &Options::default()).unwrap();
        plan.report("{}\n".to_string()).unwrap();
        plan.commit(hook)
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut count = FailAt::new(0);
    write(tmp.path(), &mut count).unwrap();
    let done = tree(tmp.path());
    assert_eq!(done["units/env/a.service.env"], "file 600\nTOKEN=t\n");
    assert_eq!(done["units/run.sh"], "file 755\n#!/bin/sh\n");
    assert_eq!(done["report.json"], "file 644\n{}\n");
    assert!(done.contains_key("units/.systemdify-manifest"));
    // Each file is staged and the directory renamed once; no file has a rename of its own
    // but the report outside it.
    let mut renames = Vec::new();
    struct Steps<'a>(&'a mut Vec<String>);
    impl output::Hook for Steps<'_> {
        fn before(&mut self, step: &output::Step<'_>) -> std::io::Result<()> {
            if let output::Step::Rename(p) = step {
                self.0
                    .push(p.file_name().unwrap().to_string_lossy().into_owned());
            }
            Ok(())
        }
    }
    let again = tempfile::tempdir().unwrap();
    write(again.path(), &mut Steps(&mut renames)).unwrap();
    assert_eq!(renames, ["report.json", "units"]);
    // The same tree (the manifest names the report by its absolute path, so only its place).
    let unmanifested = |t: BTreeMap<String, String>| {
        t.into_iter()
            .map(|(k, v)| {
                if k.ends_with("manifest") {
                    (k, String::new())
                } else {
                    (k, v)
                }
            })
            .collect::<BTreeMap<_, _>>()
    };
    assert_eq!(unmanifested(tree(again.path())), unmanifested(done));
    for n in 1..=count.seen {
        let tmp = tempfile::tempdir().unwrap();
        let mut hook = FailAt::new(n);
        let err = write(tmp.path(), &mut hook).expect_err("the injected failure was not reported");
        assert!(err.to_string().contains("injected"), "step {n}: {err}");
        assert_eq!(
            tree(tmp.path()),
            BTreeMap::from([(String::new(), tree(tmp.path())[""].clone())]),
            "step {n} {:?} left changes",
            hook.failed
        );
    }
}

#[test]
fn a_dangling_link_where_the_output_directory_goes_is_not_replaced() {
    use systemdify::output::{self, Options};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), &out).unwrap();
    let files = vec![file("a.service", "a\n", 0o644)];
    let result = output::write_dir(&out, &files, &Options::default());
    assert!(result.is_err(), "{result:?}");
    assert!(
        std::fs::symlink_metadata(&out)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!tmp.path().join("nowhere").exists());
}

#[test]
fn a_report_streamed_past_what_is_held_in_memory_is_written_whole_and_recorded() {
    use std::io::Write;
    use systemdify::output::{self, Options};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("units");
    let report = out.join("report.json");
    // More than the scratch text holds in memory: it goes through its private file.
    let mut expected = Vec::new();
    let mut text = systemdify::scratch::Writer::new_in(tmp.path());
    for i in 0..200_000 {
        let line = format!(
            "{{\"item\": {i}, \"padding\": \"{}\"}}\n",
            "p".repeat(i % 50)
        );
        text.write_all(line.as_bytes()).unwrap();
        expected.extend_from_slice(line.as_bytes());
    }
    assert!(expected.len() > systemdify::spill::IN_MEMORY);
    let files = vec![file("a.service", "a\n", 0o644)];
    let mut plan =
        output::Plan::new(Some(&out), &files, Some(&report), &Options::default()).unwrap();
    plan.report_text(text.finish().unwrap()).unwrap();
    plan.commit(&mut output::NoFaults).unwrap();
    assert!(
        std::fs::read(&report).unwrap() == expected,
        "the report differs"
    );
    // The manifest records its hash: a second run with the same report changes nothing.
    let manifest = std::fs::read_to_string(out.join(".systemdify-manifest")).unwrap();
    assert!(
        manifest.contains(&systemdify::manifest::sha256(&expected)),
        "{manifest}"
    );
    // Nothing is left in the temporary directory but the output.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["units"]);
}
