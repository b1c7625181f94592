//! A run into an output directory in two passes ([`systemdify::two_pass`]) gives what one pass
//! gives, byte for byte, and an input read again in the second pass that is not what the first
//! pass read is an error of the run, never a silent difference.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use systemdify::host::Host;
use systemdify::pipeline::{self, Source};
use systemdify::two_pass;

/// A host whose inputs exercise every path of the two passes: cron jobs whose names collide
/// (read again), a periodic directory run by `/etc/crontab` (kept whole), an init script, a
/// supervisord group whose members are referred to by name, a unit name shadowing an installed
/// unit.
fn host(root: &Path) -> Vec<String> {
    for d in [
        "etc/cron.d",
        "etc/cron.daily",
        "etc/init.d",
        "etc/supervisor/conf.d",
        "lib/systemd/system",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    let files = [
        (
            "etc/cron.d/backup",
            "SHELL=/bin/sh\n0 1 * * * root /usr/bin/backup --full\n0 2 * * * root /usr/bin/backup --full\n30 3 * * * root /usr/bin/rotate\n",
        ),
        ("etc/cron.d/cron", "*/5 * * * * root /usr/bin/cron-check\n"),
        (
            "etc/crontab",
            "SHELL=/bin/sh\n25 6 * * * root test -x /usr/sbin/anacron || run-parts --report /etc/cron.daily\n",
        ),
        (
            "etc/cron.daily/logrotate",
            "#!/bin/sh\nexec /usr/sbin/logrotate /etc/logrotate.conf\n",
        ),
        (
            "etc/init.d/pastebin",
            "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: pastebin\n# Required-Start: $network\n# Required-Stop: $network\n# Default-Start: 2 3 4 5\n# Default-Stop: 0 1 6\n# Short-Description: pastebin\n### END INIT INFO\nDAEMON=/usr/bin/pastebind\ncase \"$1\" in\n  start) start-stop-daemon --start --exec $DAEMON -- --port 8090 ;;\n  stop) start-stop-daemon --stop --exec $DAEMON ;;\nesac\n",
        ),
        (
            "etc/supervisor/supervisord.conf",
            "[supervisord]\n\n[include]\nfiles = /etc/supervisor/conf.d/*.conf\n",
        ),
        (
            "etc/supervisor/conf.d/web.conf",
            "[program:web]\ncommand=/usr/bin/web\n\n[program:worker]\ncommand=/usr/bin/worker\n\n[group:site]\nprograms=web,worker\n",
        ),
        ("lib/systemd/system/backup-rotate.service", "[Service]\n"),
    ];
    for (path, text) in files {
        std::fs::write(root.join(path), text).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    for f in ["etc/cron.daily/logrotate", "etc/init.d/pastebin"] {
        std::fs::set_permissions(root.join(f), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    [
        "/etc/crontab",
        "/etc/cron.d/backup",
        "/etc/cron.d/cron",
        "/etc/cron.daily",
        "/etc/init.d/pastebin",
        "/etc/supervisor/supervisord.conf",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn sources(paths: &[String]) -> Vec<Source> {
    paths
        .iter()
        .map(|p| Source::Host {
            display: p.clone(),
            host_path: p.clone(),
        })
        .collect()
}

fn options(jobs: usize) -> pipeline::Options {
    let mut o = pipeline::Options {
        jobs,
        journal: true,
        ..pipeline::Options::default()
    };
    o.front.cron.lone_directory = systemdify::front::cron::LoneDirectory::Skipped;
    o
}

#[test]
fn two_passes_give_the_files_and_report_of_one() {
    let dir = tempfile::tempdir().unwrap();
    let paths = host(dir.path());
    let host = Host::at(dir.path());
    for jobs in [1, 2] {
        let one = pipeline::convert_sources(sources(&paths), &host, &options(jobs));
        let two = two_pass::convert(sources(&paths), &host, &options(jobs)).unwrap();
        let mut buf = Vec::new();
        let mut got = Vec::new();
        for f in &two.files {
            two.spill.read(&f.at, &mut buf).unwrap();
            got.push((
                f.path.clone(),
                f.mode,
                String::from_utf8(buf.clone()).unwrap(),
            ));
        }
        got.extend(
            two.kept
                .iter()
                .map(|f| (f.path.clone(), f.mode, f.contents.clone())),
        );
        let want: Vec<(String, u32, String)> = one
            .files
            .iter()
            .map(|f| (f.path.clone(), f.mode, f.contents.clone()))
            .collect();
        assert_eq!(got, want, "{jobs} jobs");
        assert_eq!(
            serde_json::to_string(&two.report).unwrap(),
            serde_json::to_string(&one.report).unwrap()
        );
        // The host exercises what it means to: renamed names, a merged directory, a shadowed
        // installed unit, references between items.
        let text = serde_json::to_string(&one.report).unwrap();
        for code in [
            "unit-name-collision",
            "periodic-directory-merged",
            "unit-name-shadows",
        ] {
            assert!(text.contains(code), "no {code} in {text}");
        }
        assert!(want.iter().any(|(p, _, _)| p == "site.target"), "{want:?}");
    }
}

/// The input the hook below changes.
static CHANGED: OnceLock<PathBuf> = OnceLock::new();

fn change_the_input() {
    let path = CHANGED.get().unwrap();
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str("# edited between the passes\n");
    std::fs::write(path, text).unwrap();
}

#[test]
fn an_input_changed_between_the_passes_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let paths = host(dir.path());
    let host = Host::at(dir.path());
    // Its two jobs want the same name: its items are named otherwise than pass 1 named them
    // alone, so pass 2 reads it again.
    CHANGED.set(dir.path().join("etc/cron.d/backup")).unwrap();
    let mut opts = options(2);
    opts.between_passes = Some(change_the_input);
    let err = two_pass::convert(sources(&paths), &host, &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "/etc/cron.d/backup changed while it was converted (read twice, different bytes); nothing written: convert it again"
    );
}
