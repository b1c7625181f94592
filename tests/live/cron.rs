//! Cron and anacron, differential: for every corpus case, the real cron (and anacron) of the
//! container runs the case's crontabs, then our timers run the converted services; the program
//! each job runs (a recorder at its path) must see the same argv, user, groups, working
//! directory, umask, environment and standard input, and every timer must fire once.
//!
//! Schedules are moved, not waited for: in the crontabs each converted entry gets `* * * * *`
//! (cron runs it at the next minute; the other entries are commented out, so nothing else
//! fires), anacron runs with `-f -n -d` (every job now), and each `.timer` gets one `OnCalendar=`
//! six seconds ahead, without `RandomizedDelaySec=`. When a job runs is proven by the calendar
//! tests and the cron oracle; what runs is proven here.
//!
//! All cases run at once (one container each), so that they share the wait for cron's minute.

use crate::compare::{self, Diff, Known, Rule, judge};
use crate::corpus::{self, Item};
use crate::harness::{self, Container, Proc};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

struct Case {
    format: &'static str,
    case: &'static str,
    /// Programs the jobs run, replaced by the recorder (mode and options, see `recorder.rs`).
    stand_ins: &'static [(&'static str, &'static str)],
    /// Shell run inside before the jobs: host fixtures the corpus tree does not carry.
    setup: &'static str,
    /// Why the legacy tool runs none of the case's jobs (a reported difference): then only our
    /// side runs, and the test fails if the legacy side starts running them.
    legacy_runs_nothing: Option<&'static str>,
    known: &'static [Known],
}

const CASES: &[Case] = &[
    Case {
        format: "anacron",
        case: "cronie",
        stand_ins: &[("/usr/bin/run-parts", "exit")],
        setup: "",
        legacy_runs_nothing: None,
        known: &[],
    },
    Case {
        format: "anacron",
        case: "debian",
        stand_ins: &[
            ("/usr/bin/run-parts", "exit"),
            ("/usr/local/sbin/backup", "exit"),
        ],
        setup: "",
        legacy_runs_nothing: None,
        known: &[],
    },
    Case {
        format: "cron",
        case: "bad-lines",
        stand_ins: &[("/usr/bin/still-converted", "exit")],
        setup: "",
        legacy_runs_nothing: None,
        known: &[],
    },
    Case {
        format: "cron",
        case: "cron-d-stats",
        stand_ins: &[
            ("/usr/lib/statcollect/stat-collect", "exit"),
            ("/usr/lib/statcollect/stat-summary", "exit"),
        ],
        setup: "",
        legacy_runs_nothing: None,
        known: &[],
    },
    Case {
        format: "cron",
        case: "cronie",
        stand_ins: &[
            ("/srv/deploy/bin/morning-sync", "exit"),
            ("/srv/deploy/bin/heartbeat", "exit"),
            ("/srv/deploy/bin/cleanup", "exit"),
        ],
        setup: "",
        legacy_runs_nothing: None,
        known: &[],
    },
    Case {
        format: "cron",
        case: "debian-crontab",
        stand_ins: &[("/usr/bin/run-parts", "exit")],
        setup: "",
        legacy_runs_nothing: None,
        known: &[],
    },
    Case {
        format: "cron",
        case: "dos-line-endings",
        stand_ins: &[("/usr/local/bin/report", "exit")],
        setup: "",
        legacy_runs_nothing: Some(
            "Debian's cron ignores the whole file: it has a CR-only line and no newline at \
             the end (reported: cron-crlf, cron-no-final-newline); the units run every job, \
             without the CRs",
        ),
        known: &[],
    },
    Case {
        format: "cron",
        case: "dst-berlin",
        stand_ins: &[
            ("/usr/local/sbin/nightly-export", "exit"),
            ("/usr/local/sbin/poll-queue", "exit"),
            ("/usr/local/sbin/vacuum", "exit"),
        ],
        setup: "",
        legacy_runs_nothing: None,
        known: &[],
    },
    Case {
        format: "cron",
        case: "mail-and-per-script",
        // The periodic scripts stay real: they exec these programs.
        stand_ins: &[
            ("/usr/sbin/logrotate", "exit"),
            ("/usr/bin/man-index", "exit"),
            (
                "/usr/local/bin/check-disks",
                "exit say=check-disks:all-fine",
            ),
            ("/usr/sbin/sendmail", "exit"),
        ],
        setup: "",
        legacy_runs_nothing: None,
        known: &[Known {
            key: "env:OLDPWD",
            reason: "cron's shell did `cd /` from the home directory and set OLDPWD; the \
                         per-script units run no shell and no cd",
        }],
    },
    Case {
        format: "cron",
        case: "periodic-dirs",
        // The periodic scripts stay real: they exec these programs.
        stand_ins: &[
            ("/usr/sbin/logrotate", "exit"),
            ("/usr/bin/man-index", "exit"),
        ],
        setup: "",
        legacy_runs_nothing: None,
        known: &[],
    },
    Case {
        format: "cron",
        case: "periodic-merged",
        stand_ins: &[
            ("/usr/sbin/logrotate", "exit"),
            ("/usr/bin/man-index", "exit"),
            ("/usr/local/bin/check-disks", "exit"),
        ],
        setup: "",
        legacy_runs_nothing: None,
        known: &[],
    },
    Case {
        format: "cron",
        case: "systemd-guards",
        stand_ins: &[("/usr/bin/php", "exit")],
        // The package that ships the job would have created its log file.
        setup: "install -o www-data -g www-data -m 0644 /dev/null /var/log/poller-error.log",
        legacy_runs_nothing: None,
        known: &[],
    },
    Case {
        format: "cron",
        case: "user-spool",
        stand_ins: &[
            ("/home/alice/bin/backup.sh", "exit"),
            ("/home/alice/bin/report.sh", "exit"),
            ("/home/alice/bin/rotate", "exit"),
            ("/usr/bin/find", "exit"),
            ("/usr/bin/mail", "exit"),
        ],
        setup: "",
        legacy_runs_nothing: None,
        known: &[],
    },
];

const SENDMAIL: &str = "/usr/sbin/sendmail";

fn is_assignment(line: &str) -> bool {
    let t = line.trim_start();
    let name: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && t[name.len()..].trim_start().starts_with('=')
}

/// The lines of a file with their line ends (`\n`; a `\r` before it stays in the line, and a
/// last line without `\n` stays without), so that a rewrite keeps what cron would read.
fn lines_with_ends(text: &str) -> impl Iterator<Item = (u64, &str, &str)> {
    text.split_inclusive('\n').enumerate().map(|(n, l)| {
        let (body, end) = match l.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (l, ""),
        };
        (n as u64 + 1, body, end)
    })
}

/// The crontab with every converted entry (by line number) running every minute and every
/// other entry commented out; comments, blank lines, assignments, line ends (CRs) and a
/// missing final newline stay as they are.
fn rewrite_crontab(text: &str, converted: &BTreeSet<u64>) -> String {
    let mut out = String::new();
    for (n, line, end) in lines_with_ends(text) {
        let t = line.trim_start();
        if t.trim().is_empty() || t.starts_with('#') || is_assignment(line) {
            out.push_str(line);
        } else if converted.contains(&n) {
            let fields = if t.starts_with('@') { 1 } else { 5 };
            let mut rest = t;
            for _ in 0..fields {
                rest = rest.trim_start();
                let end = rest.find([' ', '\t']).unwrap_or(rest.len());
                rest = &rest[end..];
            }
            out.push_str("* * * * * ");
            out.push_str(rest.trim_start());
        } else {
            out.push_str("# not converted: ");
            out.push_str(line);
        }
        out.push_str(end);
    }
    out
}

/// The anacrontab for `anacron -f -n`: unconverted jobs commented out, and the cronie
/// variables that decide only *when* (START_HOURS_RANGE, RANDOM_DELAY) dropped, since
/// Debian's anacron would refuse to run outside the hours range.
fn rewrite_anacrontab(text: &str, converted: &BTreeSet<u64>) -> String {
    let mut out = String::new();
    for (n, line, end) in lines_with_ends(text) {
        let t = line.trim_start();
        if t.starts_with("START_HOURS_RANGE") || t.starts_with("RANDOM_DELAY") {
            out.push_str("# when, not what: ");
            out.push_str(line);
        } else if t.trim().is_empty()
            || t.starts_with('#')
            || is_assignment(line)
            || converted.contains(&n)
        {
            out.push_str(line);
        } else {
            out.push_str("# not converted: ");
            out.push_str(line);
        }
        out.push_str(end);
    }
    out
}

/// The timer with one `OnCalendar=` at `when` (UTC) instead of its schedule.
pub(crate) fn move_timer(text: &str, when: &str) -> String {
    let mut out = String::new();
    let mut placed = false;
    for line in text.lines() {
        if line.starts_with("OnCalendar=") {
            if !placed {
                out.push_str(&format!("OnCalendar={when} UTC\n"));
                placed = true;
            }
            continue;
        }
        if line.starts_with("RandomizedDelaySec=") || line.starts_with("FixedRandomDelay=") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    assert!(placed, "timer without OnCalendar=:\n{text}");
    out
}

fn rules(format: &str) -> Vec<Rule> {
    let anacron = format == "anacron";
    vec![
        Rule {
            reason: "anacron hands its own environment on, which has no HOME or LOGNAME when \
                     init starts it (cron's 0anacron on cronie hosts gives root's); systemd \
                     sets root's for User=root, as the Debian anacrontab does by hand",
            applies: Box::new(move |d: &Diff| {
                anacron
                    && compare::unset(&d.theirs)
                    && (d.key == "env:HOME" && d.ours == "/root"
                        || d.key == "env:LOGNAME" && d.ours == "root")
            }),
        },
        Rule {
            reason: "systemd sets it for every service",
            applies: Box::new(|d: &Diff| {
                ["env:INVOCATION_ID", "env:SYSTEMD_EXEC_PID"].contains(&d.key.as_str())
                    && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "systemd sets it when the output goes to the journal",
            applies: Box::new(|d: &Diff| {
                d.key == "env:JOURNAL_STREAM" && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "systemd passes the system locale, C.UTF-8 where none is configured; cron \
                     passes what pam_env reads from /etc/default/locale, which this container \
                     lacks (on a configured host both give the host's locale)",
            applies: Box::new(|d: &Diff| {
                d.key == "env:LANG" && compare::unset(&d.theirs) && d.ours == "C.UTF-8"
            }),
        },
        Rule {
            reason: "cron and anacron collect the output in a temporary file to mail it; \
                     systemd sends it to the journal (the --mail hook mails it from there)",
            applies: Box::new(|d: &Diff| {
                (d.key == "fd1" || d.key == "fd2")
                    && d.ours == "socket"
                    && (d.theirs == "pipe"
                        || d.theirs.starts_with("/tmp/") && d.theirs.ends_with(" (deleted)"))
            }),
        },
        Rule {
            reason: "systemd sets them for a service that a timer started",
            applies: Box::new(|d: &Diff| {
                [
                    "env:TRIGGER_UNIT",
                    "env:TRIGGER_TIMER_REALTIME_USEC",
                    "env:TRIGGER_TIMER_MONOTONIC_USEC",
                ]
                .contains(&d.key.as_str())
                    && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "systemd sets USER for a service with User=; Debian's cron sets LOGNAME \
                     only (harmless: a job that reads $USER now finds it)",
            applies: Box::new(|d: &Diff| d.key == "env:USER" && compare::unset(&d.theirs)),
        },
        Rule {
            reason: "for root, systemd keeps PID 1's empty supplementary group list; cron's \
                     initgroups() lists root's primary group 0 again (gid 0 either way)",
            applies: Box::new(|d: &Diff| d.key == "groups" && d.theirs == "[0]" && d.ours == "[]"),
        },
        Rule {
            reason: "an anacrontab without PATH leaves the job anacron's own PATH, which depends \
                     on how anacron was started; systemd's PATH holds every directory of it",
            applies: Box::new(|d: &Diff| {
                d.key == "env:PATH"
                    && d.ours == compare::SYSTEMD_PATH
                    && compare::path_dirs(&d.theirs).is_subset(&compare::path_dirs(&d.ours))
            }),
        },
        Rule {
            reason: "cron feeds standard input through a pipe (empty without `%`); systemd gives \
                     /dev/null or the data itself — the bytes are compared as `stdin`",
            applies: Box::new(|d: &Diff| d.key == "fd0" && d.theirs == "pipe"),
        },
    ]
}

fn describe(p: &Proc) -> String {
    format!(
        "argv {:?} uid {:?} groups {:?} cwd {} umask {} stdin {:?}",
        p.argv,
        p.uid,
        p.groups,
        p.cwd,
        p.umask,
        p.stdin
            .as_ref()
            .map(|s| String::from_utf8_lossy(s).into_owned())
    )
}

/// Waits until records stop coming (`quiet` after the last), at most `limit`; keeps those of
/// the first minute (a job that cron ran a second time is left out).
fn collect(c: &Container, expect_any: bool, quiet: Duration, limit: Duration) -> Vec<Proc> {
    let start = Instant::now();
    let mut last_count = 0;
    let mut last_change = Instant::now();
    loop {
        let n = c.records().len();
        if n != last_count {
            last_count = n;
            last_change = Instant::now();
        }
        let settled = (n > 0 || !expect_any) && last_change.elapsed() >= quiet;
        if settled || start.elapsed() > limit {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let recs = c.records();
    let first = recs.iter().map(|r| r.when).min().unwrap_or(0);
    recs.into_iter()
        .filter(|r| r.when < first + 30_000_000_000)
        .collect()
}

struct Mail {
    argv: Vec<String>,
    headers: BTreeMap<String, String>,
    body: String,
}

fn mails(recs: &[Proc]) -> Vec<Mail> {
    recs.iter()
        .filter(|r| r.exe == SENDMAIL)
        .map(|r| {
            let text = String::from_utf8_lossy(r.stdin.as_deref().unwrap_or(b"")).into_owned();
            let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
            let headers = head
                .lines()
                .filter_map(|l| l.split_once(": "))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Mail {
                argv: r.argv.clone(),
                headers,
                body: body.trim().to_string(),
            }
        })
        .collect()
}

fn run(env: &harness::Env, case: &Case) -> Vec<String> {
    let mut fail = Vec::new();
    let name = format!("{}/{}", case.format, case.case);
    let conv = corpus::convert(case.format, case.case);
    let items: Vec<Item> = conv
        .all_items()
        .into_iter()
        .filter(|i| i.runs() && (i.format == "cron" || i.format == "anacron"))
        .collect();
    let timers: Vec<String> = items
        .iter()
        .flat_map(|i| i.units.iter().filter(|u| u.ends_with(".timer")).cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if timers.is_empty() {
        return vec![format!("{name}: no timer was converted")];
    }
    let c = Container::boot(
        env,
        &format!("cron-{}", case.case),
        Duration::from_secs(300),
    );
    let root = corpus::case_dir(case.format, case.case).join("root");
    corpus::install_host_tree(&c, case.format, case.case);
    let anacron_jobs = items.iter().any(|i| i.format == "anacron");
    if !anacron_jobs && !root.join("usr/sbin/anacron").exists() {
        // The host has no anacron: the Debian crontab's `test -x /usr/sbin/anacron ||` runs
        // the periodic directories from cron.
        c.sh_ok("rm -f /usr/sbin/anacron");
    }
    for (path, mode) in case.stand_ins {
        c.stand_in(path, mode);
    }
    if !case.setup.is_empty() {
        c.sh_ok(case.setup);
    }

    // The legacy side: the case's crontabs and nothing else.
    let mut lines: BTreeMap<(String, String), BTreeSet<u64>> = BTreeMap::new();
    for i in &items {
        if let Some(l) = i.line {
            lines
                .entry((i.format.clone(), i.file.clone()))
                .or_default()
                .insert(l);
        }
    }
    c.sh_ok("rm -f /etc/cron.d/* /var/spool/cron/crontabs/* && : > /etc/crontab");
    let none = BTreeSet::new();
    let mut crontabs = Vec::new();
    for sub in ["etc/crontab", "etc/cron.d", "var/spool/cron/crontabs"] {
        let p = root.join(sub);
        if p.is_file() {
            crontabs.push(p);
        } else if let Ok(rd) = std::fs::read_dir(&p) {
            crontabs.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_file()));
        }
    }
    let mut has_cron = false;
    for p in &crontabs {
        let host = format!("/{}", p.strip_prefix(&root).unwrap().display());
        let text = std::fs::read_to_string(p).unwrap();
        let conv_lines = lines.get(&("cron".into(), host.clone())).unwrap_or(&none);
        has_cron |= !conv_lines.is_empty();
        let new = rewrite_crontab(&text, conv_lines);
        if let Some(user) = host.strip_prefix("/var/spool/cron/crontabs/") {
            c.write(&host, new.as_bytes(), 0o600);
            c.sh_ok(&format!("chown '{user}:crontab' '{host}'"));
        } else {
            c.write(&host, new.as_bytes(), 0o644);
        }
    }
    // A periodic directory converted on its own: cron runs it from Debian's /etc/crontab line.
    let dirs: Vec<&str> = items
        .iter()
        .filter(|i| i.format == "cron" && i.line.is_none() && i.file.starts_with("/etc/cron."))
        .map(|i| i.file.trim_end_matches('/'))
        .collect();
    if !dirs.is_empty() {
        let mut text =
            String::from_utf8_lossy(&c.read("/etc/crontab").unwrap_or_default()).into_owned();
        text.push_str(
            "# Debian's lines for the periodic directories\nSHELL=/bin/sh\n\
             PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n",
        );
        for d in &dirs {
            if d.ends_with("hourly") {
                text.push_str(&format!("* * * * * root cd / && run-parts --report {d}\n"));
            } else {
                text.push_str(&format!(
                    "* * * * * root test -x /usr/sbin/anacron || {{ cd / && run-parts --report {d}; }}\n"
                ));
            }
        }
        c.write("/etc/crontab", text.as_bytes(), 0o644);
        has_cron = true;
    }
    let anacrontab = lines.get(&("anacron".into(), "/etc/anacrontab".into()));
    if let Some(conv_lines) = anacrontab {
        let text = std::fs::read_to_string(root.join("etc/anacrontab")).unwrap();
        c.write(
            "/etc/anacrontab",
            rewrite_anacrontab(&text, conv_lines).as_bytes(),
            0o644,
        );
    }
    c.clear_records();
    let mut theirs = Vec::new();
    if has_cron {
        let r = c.systemctl(&["start", "cron.service"]);
        assert!(r.ok(), "{name}: starting cron: {}", r.stderr);
        // The first batch comes at the next minute; cron is stopped before the one after.
        if case.legacy_runs_nothing.is_some() {
            // Nothing to wait for but the minute itself.
            let second: u64 = c.sh_ok("date +%S").trim().parse().unwrap_or(0);
            std::thread::sleep(Duration::from_secs(60 - second.min(59) + 4));
            theirs.extend(c.records());
            eprintln!("{name}: cron's journal:\n{}", c.journal("cron.service"));
        } else {
            theirs.extend(collect(
                &c,
                true,
                Duration::from_secs(3),
                Duration::from_secs(80),
            ));
        }
        c.systemctl(&["stop", "cron.service"]);
    }
    if anacrontab.is_some() {
        // As /etc/init.d/anacron starts it (from sysvinit's rc), in the foreground, all
        // jobs now.
        let (code, log) = c.run_as_init(
            "cd / && umask 022 && exec env -i PATH=/sbin:/usr/sbin:/bin:/usr/bin \
             /usr/sbin/anacron -d -f -n",
        );
        if code != Some(0) {
            fail.push(format!("{name}: anacron exit {code:?}: {log}"));
        }
        let seen: BTreeSet<u128> = theirs.iter().map(|p| p.when).collect();
        theirs.extend(
            collect(&c, true, Duration::from_secs(1), Duration::from_secs(10))
                .into_iter()
                .filter(|p| !seen.contains(&p.when)),
        );
    }

    // Ours: every timer moved a few seconds ahead.
    c.clear_records();
    c.install_units(&conv.units);
    let when = c
        .sh_ok("date -u -d '+6 sec' '+%Y-%m-%d %H:%M:%S'")
        .trim()
        .to_string();
    for t in &timers {
        c.write(
            &format!("/etc/systemd/system/{t}"),
            move_timer(&conv.unit(t), &when).as_bytes(),
            0o644,
        );
    }
    c.daemon_reload();
    let mut start = vec!["start"];
    start.extend(timers.iter().map(String::as_str));
    let r = c.systemctl(&start);
    if !r.ok() {
        fail.push(format!("{name}: starting the timers: {}", r.stderr));
    }
    for t in &timers {
        let next = c.show(t, &["NextElapseUSecRealtime"]);
        if next
            .get("NextElapseUSecRealtime")
            .is_none_or(|v| v.is_empty())
        {
            fail.push(format!(
                "{name}: {t} has nothing to wait for ({next:?}): the time it was moved to \
                 ({when} UTC) passed before it was started"
            ));
        }
    }
    let services: Vec<String> = timers
        .iter()
        .map(|t| {
            conv.unit(t)
                .lines()
                .find_map(|l| l.strip_prefix("Unit=").map(String::from))
                .unwrap_or_else(|| t.replace(".timer", ".service"))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(40);
    let props = [
        "ActiveState",
        "Result",
        "ExecMainStatus",
        "ExecMainExitTimestampMonotonic",
    ];
    let mut shown = BTreeMap::new();
    while Instant::now() < deadline {
        shown = services
            .iter()
            .map(|s| (s.clone(), c.show(s, &props)))
            .collect::<BTreeMap<_, _>>();
        let done = shown.values().all(|m| {
            m.get("ExecMainExitTimestampMonotonic")
                .is_some_and(|t| t != "0")
                && m.get("ActiveState")
                    .is_some_and(|a| a == "inactive" || a == "failed")
        });
        if done {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    // The mail hooks run after the jobs.
    let mut ours = collect(&c, true, Duration::from_secs(2), Duration::from_secs(20));
    let deadline = Instant::now() + Duration::from_secs(20);
    while mails(&ours).len() < mails(&theirs).len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        ours = c.records();
    }
    for (s, m) in &shown {
        if m.get("Result").map(String::as_str) != Some("success")
            || m.get("ExecMainExitTimestampMonotonic")
                .is_none_or(|t| t == "0")
        {
            fail.push(format!(
                "{name}: {s} did not run to success: {m:?}\n{}",
                c.journal(s)
            ));
        }
    }
    for t in &timers {
        let m = c.show(t, &["LastTriggerUSec", "NextElapseUSecRealtime"]);
        let fired = m
            .get("LastTriggerUSec")
            .is_some_and(|v| !v.is_empty() && v != "n/a");
        let again = m
            .get("NextElapseUSecRealtime")
            .is_some_and(|v| !v.is_empty() && v != "0");
        if !fired || again {
            fail.push(format!("{name}: {t} should have fired once: {m:?}"));
        }
    }

    // Compare the jobs' programs.
    let key = |p: &Proc| (p.exe.clone(), p.argv.clone(), p.stdin.clone());
    let mut t_jobs: Vec<Proc> = theirs
        .iter()
        .filter(|p| p.exe != SENDMAIL)
        .cloned()
        .collect();
    let mut o_jobs: Vec<Proc> = ours.iter().filter(|p| p.exe != SENDMAIL).cloned().collect();
    t_jobs.sort_by_key(key);
    o_jobs.sort_by_key(key);
    eprintln!(
        "{name}: {} timer(s); legacy ran {}, ours {}",
        timers.len(),
        t_jobs.len(),
        o_jobs.len()
    );
    if let Some(why) = case.legacy_runs_nothing {
        if !t_jobs.is_empty() {
            fail.push(format!(
                "{name}: listed as running nothing under the legacy tool ({why}), but it ran {:?}: update the test",
                t_jobs.iter().map(|p| &p.argv).collect::<Vec<_>>()
            ));
        } else {
            eprintln!("  KNOWN {name}: the legacy side ran nothing — {why}");
        }
        if o_jobs.len() != timers.len() {
            fail.push(format!(
                "{name}: {} timer(s) ran {} program(s)",
                timers.len(),
                o_jobs.len()
            ));
        }
        for o in &o_jobs {
            eprintln!("  {name}: {}", describe(o));
            if o.argv.iter().any(|a| a.contains('\r'))
                || o.stdin.as_ref().is_some_and(|s| s.contains(&b'\r'))
            {
                fail.push(format!("{name}: a CR reached the job: {}", describe(o)));
            }
        }
        return fail;
    }
    if t_jobs.len() != o_jobs.len() || o_jobs.len() < timers.len() {
        fail.push(format!(
            "{name}: the legacy side ran {} program(s), ours {} (timers: {})\n legacy: {:#?}\n ours: {:#?}",
            t_jobs.len(),
            o_jobs.len(),
            timers.len(),
            t_jobs.iter().map(describe).collect::<Vec<_>>(),
            o_jobs.iter().map(describe).collect::<Vec<_>>()
        ));
    }
    let rules = rules(case.format);
    let mut seen_known = BTreeSet::new();
    for (t, o) in t_jobs.iter().zip(&o_jobs) {
        eprintln!("  {name}: {}", describe(o));
        let v = judge(compare::differences(t, o), &rules, case.known);
        for (d, why) in &v.accepted {
            eprintln!("      accepted {d} — {why}");
        }
        for (d, why) in &v.known {
            eprintln!("      KNOWN {d} — {why}");
            seen_known.insert(d.key.clone());
        }
        for d in &v.unexplained {
            fail.push(format!("{name}: {:?}: {d}", o.argv));
        }
    }
    for k in case.known {
        if !seen_known.contains(k.key) {
            fail.push(format!(
                "{name}: the known difference `{}` ({}) no longer shows: remove it from the list",
                k.key, k.reason
            ));
        }
    }

    // Mail: the same message to the same people.
    let (tm, om) = (mails(&theirs), mails(&ours));
    if case.stand_ins.iter().any(|(p, _)| *p == SENDMAIL) {
        eprintln!("{name}: cron sent {} mail(s), ours {}", tm.len(), om.len());
        if tm.len() != om.len() || tm.is_empty() {
            fail.push(format!(
                "{name}: cron sent {} mail(s), ours {}",
                tm.len(),
                om.len()
            ));
        }
        for (t, o) in tm.iter().zip(&om) {
            eprintln!(
                "  cron's mail: {:?} {:?}\n  ours: {:?} {:?}",
                t.argv, t.headers, o.argv, o.headers
            );
            // cron names the recipient on sendmail's command line, our hook in To: (-t).
            let t_to = t.argv.last().cloned().unwrap_or_default();
            let o_to = o.headers.get("To").cloned().unwrap_or_default();
            if t_to != o_to {
                fail.push(format!(
                    "{name}: mail to {t_to:?} by cron, to {o_to:?} by ours"
                ));
            }
            if t.body != o.body {
                fail.push(format!(
                    "{name}: mail body {:?} by cron, {:?} by ours",
                    t.body, o.body
                ));
            }
            if t.headers.get("Subject") != o.headers.get("Subject") {
                fail.push(format!(
                    "{name}: subject {:?} by cron, {:?} by ours",
                    t.headers.get("Subject"),
                    o.headers.get("Subject")
                ));
            }
        }
    }
    fail
}

#[test]
fn cron_every_case_has_a_test() {
    let mut corpus: Vec<(String, String)> = Vec::new();
    for f in ["anacron", "cron"] {
        corpus.extend(corpus::cases(f).into_iter().map(|c| (f.to_string(), c)));
    }
    let tested: Vec<(String, String)> = CASES
        .iter()
        .map(|c| (c.format.to_string(), c.case.to_string()))
        .collect();
    assert_eq!(
        corpus, tested,
        "add each new cron/anacron corpus case to CASES"
    );
}

#[test]
fn cron_timers_fire_and_run_what_cron_runs() {
    let Some(env) = harness::env() else {
        return;
    };
    let started = Instant::now();
    let results: Vec<(String, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = CASES
            .iter()
            .map(|case| (case, s.spawn(move || run(env, case))))
            .collect();
        handles
            .into_iter()
            .map(|(case, h)| {
                let name = format!("{}/{}", case.format, case.case);
                match h.join() {
                    Ok(f) => (name, f),
                    Err(e) => {
                        let msg = e
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        (name.clone(), vec![format!("{name}: panicked: {msg}")])
                    }
                }
            })
            .collect()
    });
    eprintln!(
        "cron/anacron: {} case(s) in {:.1} s",
        results.len(),
        started.elapsed().as_secs_f64()
    );
    let failures: Vec<String> = results.into_iter().flat_map(|(_, f)| f).collect();
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
