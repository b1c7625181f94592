//! The periodic directories `/etc/cron.{hourly,daily,weekly,monthly,yearly}` are inputs of their
//! own: `convert /etc/cron.daily` converts the directory as the periodic frontend does, on the
//! schedule its name implies (Debian's `/etc/crontab`). A directory that a crontab or anacrontab
//! line given in the same run also runs is one item, the line's, whatever the input order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::run;

/// A host copy with the periodic directories of a Debian host.
fn host() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("host");
    let write = |path: &str, text: &str, mode: u32| {
        let p = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    write("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0o644);
    write("/bin/sh", "", 0o755);
    write("/bin/run-parts", "", 0o755);
    write("/usr/sbin/sendmail", "", 0o755);
    write(
        "/etc/cron.daily/logrotate",
        "#!/bin/sh\n/usr/sbin/logrotate /etc/logrotate.conf\n",
        0o755,
    );
    write(
        "/etc/cron.daily/man-db",
        "#!/bin/sh\nmandb --quiet\n",
        0o755,
    );
    write("/etc/cron.daily/.placeholder", "", 0o644);
    write("/etc/cron.hourly/.placeholder", "", 0o644);
    write("/etc/cron.weekly/man-db", "#!/bin/sh\nmandb\n", 0o755);
    write("/etc/cron.monthly/.placeholder", "", 0o644);
    write("/etc/cron.yearly/.placeholder", "", 0o644);
    write("/etc/cron.d/.placeholder", "", 0o644);
    (dir, root)
}

/// `convert --root ROOT ARGS -o OUT --report OUT/report.json`: exit code, standard error, and
/// every file written by name.
fn convert(root: &Path, args: &[&str]) -> (i32, String, BTreeMap<String, String>) {
    let out = tempfile::tempdir().unwrap();
    let units = out.path().join("units");
    let report = out.path().join("report.json");
    let mut argv = vec![
        "convert",
        "--root",
        root.to_str().unwrap(),
        "-o",
        units.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ];
    argv.extend_from_slice(args);
    let (code, _, err) = run(&argv);
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(&units).into_iter().flatten().flatten() {
        // The manifest names this run's temporary report path; the units are what matter.
        if e.file_name() == ".systemdify-manifest" {
            continue;
        }
        files.insert(
            e.file_name().to_string_lossy().into_owned(),
            std::fs::read_to_string(e.path()).unwrap_or_default(),
        );
    }
    files.insert(
        "report.json".to_string(),
        std::fs::read_to_string(&report).unwrap(),
    );
    (code, err, files)
}

fn report(files: &BTreeMap<String, String>) -> serde_json::Value {
    serde_json::from_str(&files["report.json"]).unwrap()
}

fn codes(item: &serde_json::Value) -> Vec<String> {
    item["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_periodic_directory_given_alone_runs_on_the_schedule_its_name_implies() {
    let (_t, root) = host();
    let (code, err, files) = convert(&root, &["/etc/cron.daily"]);
    assert_eq!(code, 0, "{err}");
    let service = &files["cron-daily.service"];
    assert!(
        service.starts_with("# Converted from /etc/cron.daily\n"),
        "{service}"
    );
    assert!(
        service.contains("\nExecStart=/bin/sh -c \"cd / && run-parts --report /etc/cron.daily\"\n"),
        "{service}"
    );
    assert!(service.contains("\nUser=root\n"), "{service}");
    // As Debian's /etc/crontab runs it: `25 6 * * * root cd / && run-parts --report /etc/cron.daily`.
    assert!(
        files["cron-daily.timer"].contains("\nOnCalendar=*-*-* 06:25:00\n"),
        "{}",
        files["cron-daily.timer"]
    );
    let r = report(&files);
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{r:#}");
    let source = &items[0]["source"];
    assert_eq!(source["format"], "cron");
    assert_eq!(source["file"], "/etc/cron.daily");
    assert_eq!(source["line"], serde_json::Value::Null);
    assert_eq!(source["name"], "cron.daily");
    assert!(
        codes(&items[0]).contains(&"periodic-directory".to_string()),
        "{r:#}"
    );
}

#[test]
fn every_periodic_directory_has_its_schedule() {
    let (_t, root) = host();
    let (code, err, files) = convert(
        &root,
        &[
            "/etc/cron.hourly",
            "/etc/cron.weekly",
            "/etc/cron.monthly",
            "/etc/cron.yearly",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for (unit, calendar) in [
        ("cron-hourly.timer", "*-*-* *:17:00"),
        ("cron-weekly.timer", "Sun *-*-* 06:47:00"),
        ("cron-monthly.timer", "*-*-01 06:52:00"),
        ("cron-yearly.timer", "*-01-01 06:52:00"),
    ] {
        assert!(
            files[unit].contains(&format!("\nOnCalendar={calendar}\n")),
            "{unit}: {}",
            files[unit]
        );
    }
}

#[test]
fn a_directory_per_script_gives_one_unit_per_script() {
    let (_t, root) = host();
    let (code, err, files) = convert(&root, &["--periodic", "per-script", "/etc/cron.daily"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        files["cron-daily-logrotate.service"].contains("\nExecStart=/etc/cron.daily/logrotate\n"),
        "{files:?}"
    );
    assert!(files.contains_key("cron-daily-man-db.timer"));
    assert!(!files.contains_key("cron-daily.service"));
    let r = report(&files);
    for item in r["items"].as_array().unwrap() {
        assert_eq!(item["source"]["file"], "/etc/cron.daily", "{r:#}");
    }
}

#[test]
fn the_directory_path_inside_the_copy_is_the_same_input() {
    let (_t, root) = host();
    let (_, _, expected) = convert(&root, &["/etc/cron.daily"]);
    let inside = format!("{}/etc/cron.daily/", root.display());
    let (code, err, files) = convert(&root, &[&inside]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(files, expected);
}

#[test]
fn another_directory_is_an_error_for_that_input() {
    let (_t, root) = host();
    let (code, err, files) = convert(&root, &["/etc/cron.d", "/etc/cron.daily"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("/etc/cron.d: error: this is a directory"),
        "{err}"
    );
    assert!(err.contains("/etc/cron.d/*"), "{err}");
    assert!(files.contains_key("cron-daily.service"), "{files:?}");
}

/// Writes `text` at the host path `path` of the copy.
fn put(root: &Path, path: &str, text: &str) {
    let p = root.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const CRONTAB: &str = "SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin
17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly
30 5\t* * *\troot\tcd / && run-parts --report /etc/cron.daily
";

/// The items of the report whose units include `unit`.
fn items_with<'a>(r: &'a serde_json::Value, unit: &str) -> Vec<&'a serde_json::Value> {
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["units"].as_array().unwrap().iter().any(|u| u == unit))
        .collect()
}

#[test]
fn a_directory_that_a_given_crontab_line_runs_is_one_item_whatever_the_order() {
    let (_t, root) = host();
    put(&root, "/etc/crontab", CRONTAB);
    let (code, err, files) = convert(&root, &["/etc/crontab", "/etc/cron.daily"]);
    assert_eq!(code, 0, "{err}");
    let (code, err, reversed) = convert(&root, &["/etc/cron.daily", "/etc/crontab"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(files, reversed);
    // One unit pair for the directory, on the line's schedule, not two colliding ones.
    assert_eq!(
        files.keys().filter(|k| k.starts_with("cron-daily")).count(),
        2,
        "{:?}",
        files.keys()
    );
    assert!(files["cron-daily.timer"].contains("\nOnCalendar=*-*-* 05:30:00\n"));
    assert!(files["cron-daily.service"].starts_with("# Converted from /etc/crontab:4\n"));
    let r = report(&files);
    let daily = items_with(&r, "cron-daily.service");
    assert_eq!(daily.len(), 1, "{r:#}");
    assert_eq!(daily[0]["source"]["file"], "/etc/crontab");
    assert_eq!(daily[0]["source"]["line"], 4);
    let found = codes(daily[0]);
    assert!(
        found.contains(&"periodic-directory-merged".to_string()),
        "{found:?}"
    );
    assert!(
        !found.contains(&"periodic-directory".to_string()),
        "{found:?}"
    );
    assert_eq!(r["items"].as_array().unwrap().len(), 2, "{r:#}");
    // A line that runs a directory not given as an input says nothing about it.
    let hourly = items_with(&r, "cron-hourly.service");
    assert!(!codes(hourly[0]).contains(&"periodic-directory-merged".to_string()));
}

#[test]
fn a_directory_that_an_anacrontab_line_runs_is_that_lines_item() {
    let (_t, root) = host();
    put(
        &root,
        "/etc/anacrontab",
        "SHELL=/bin/sh\n7\t10\tcron.weekly\trun-parts --report /etc/cron.weekly\n",
    );
    let (code, err, files) = convert(&root, &["/etc/cron.weekly", "/etc/anacrontab"]);
    assert_eq!(code, 0, "{err}");
    let r = report(&files);
    let weekly = items_with(&r, "cron-weekly.service");
    assert_eq!(weekly.len(), 1, "{r:#}");
    assert_eq!(weekly[0]["source"]["format"], "anacron");
    assert!(codes(weekly[0]).contains(&"periodic-directory-merged".to_string()));
    assert!(files["cron-weekly.timer"].contains("\nPersistent=yes\n"));
    assert_eq!(r["items"].as_array().unwrap().len(), 1, "{r:#}");
}

#[test]
fn per_script_a_merged_directory_gives_each_script_once() {
    let (_t, root) = host();
    put(&root, "/etc/crontab", CRONTAB);
    let args = [
        "--periodic",
        "per-script",
        "/etc/cron.daily",
        "/etc/crontab",
    ];
    let (code, err, files) = convert(&root, &args);
    assert_eq!(code, 0, "{err}");
    let units: Vec<&String> = files
        .keys()
        .filter(|k| k.starts_with("cron-daily"))
        .collect();
    assert_eq!(
        units,
        [
            "cron-daily-logrotate.service",
            "cron-daily-logrotate.timer",
            "cron-daily-man-db.service",
            "cron-daily-man-db.timer"
        ],
        "{:?}",
        files.keys()
    );
    assert!(files["cron-daily-man-db.timer"].contains("\nOnCalendar=*-*-* 05:30:00\n"));
    let r = report(&files);
    for unit in ["cron-daily-logrotate.service", "cron-daily-man-db.service"] {
        let items = items_with(&r, unit);
        assert_eq!(items.len(), 1, "{r:#}");
        assert_eq!(items[0]["source"]["file"], "/etc/crontab");
        assert!(codes(items[0]).contains(&"periodic-directory-merged".to_string()));
    }
}

#[test]
fn a_line_that_leaves_the_directory_to_anacron_does_not_take_it() {
    let (_t, root) = host();
    put(
        &root,
        "/etc/crontab",
        "25 6\t* * *\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }\n",
    );
    put(&root, "/usr/sbin/anacron", "");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        root.join("usr/sbin/anacron"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let (code, err, files) = convert(&root, &["/etc/crontab", "/etc/cron.daily"]);
    assert_eq!(code, 0, "{err}");
    let r = report(&files);
    let daily = items_with(&r, "cron-daily.service");
    assert_eq!(daily.len(), 1, "{r:#}");
    assert_eq!(daily[0]["source"]["file"], "/etc/cron.daily");
    assert!(codes(daily[0]).contains(&"periodic-directory".to_string()));
}

/// `scan --root ROOT -o OUT --report OUT/report.json`: exit code, standard error, the report.
fn scan(root: &Path) -> (i32, String, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let units = out.path().join("units");
    let report = out.path().join("report.json");
    let (code, _, err) = run(&[
        "scan",
        "--root",
        root.to_str().unwrap(),
        "-o",
        units.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let r = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    (code, err, r)
}

#[test]
fn scan_finds_the_directories_and_a_line_that_runs_one_is_its_item() {
    let (_t, root) = host();
    put(&root, "/etc/crontab", CRONTAB);
    let (code, err, r) = scan(&root);
    assert_eq!(code, 0, "{err}");
    let daily = items_with(&r, "cron-daily.service");
    assert_eq!(daily.len(), 1, "{r:#}");
    assert_eq!(daily[0]["source"]["file"], "/etc/crontab");
    let found = codes(daily[0]);
    assert!(
        found.contains(&"periodic-directory-merged".to_string()),
        "{found:?}"
    );
    // No second item for a directory that a line runs.
    let of_dir = |dir: &str| {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["source"]["file"] == dir)
            .count()
    };
    assert_eq!(of_dir("/etc/cron.daily"), 0, "{r:#}");
    assert_eq!(of_dir("/etc/cron.hourly"), 0, "{r:#}");
}

#[test]
fn scan_skips_a_directory_that_nothing_on_the_host_runs() {
    let (_t, root) = host();
    put(&root, "/etc/crontab", CRONTAB);
    let (code, err, r) = scan(&root);
    assert_eq!(code, 0, "{err}");
    let weekly: Vec<&serde_json::Value> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["source"]["file"] == "/etc/cron.weekly")
        .collect();
    assert_eq!(weekly.len(), 1, "{r:#}");
    assert_eq!(weekly[0]["status"], "skipped");
    assert_eq!(weekly[0]["units"].as_array().unwrap().len(), 0);
    assert!(codes(weekly[0]).contains(&"periodic-directory-unused".to_string()));
    let help = weekly[0]["findings"][0]["help"].as_str().unwrap();
    assert!(
        help.contains("systemdify convert /etc/cron.weekly"),
        "the help names the directory: {help}"
    );
}

#[test]
fn a_copys_periodic_directory_without_root_points_at_root() {
    let (_t, root) = host();
    let dir = format!("{}/etc/cron.daily", root.display());
    let (code, _, err) = run(&["convert", &dir]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "convert its periodic directory with --root {}",
            root.display()
        )),
        "{err}"
    );
}

#[test]
fn a_periodic_directory_is_cron_input() {
    let (_t, root) = host();
    let (code, err, files) = convert(&root, &["--from", "sysv", "/etc/cron.daily"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--from cron"), "{err}");
    assert!(!files.contains_key("cron-daily.service"));
}
