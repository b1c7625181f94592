//! supervisord, differential: supervisord itself (supervisor 4.3.0, the oracle's version, from
//! its wheel) runs each corpus configuration in the container as Debian's `supervisor.service`
//! runs it (`supervisord -n -c CONF`, a service of the container's PID 1, `KillMode=process`),
//! and our units, converted from the same configuration, run in the same container. For every
//! program process (a stand-in at each command path records what it was given) the argv,
//! uid/gid/groups, working directory, umask, limits and environment of supervisord's child must
//! equal those of our unit's main process, less what each side adds itself. Then each side stops
//! its processes (the stop signal must arrive), and each side's processes are killed with SIGTERM
//! from outside: both must restart the same ones, as `autorestart` says.
//!
//! The wheel is fetched on the host (`pip download`, checked against its SHA-256) into the live
//! cache and unpacked into the container's `dist-packages`: the container has no network.
//! supervisor 4.3.0 needs no `pkg_resources` on Python ≥ 3.8 (it uses `importlib.metadata`).
//! Event listeners are not compared here: supervisord talks to them over their standard streams
//! (READY/RESULT), a protocol the stand-in does not speak, and our side has no listener process.
//! `listeners.rs` runs superlance's real `crashmail` and `fatalmailbatch` against our hooks.

use crate::compare::{self, Diff, Known, Rule, judge};
use crate::corpus;
use crate::harness::{self, Container, Proc};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const WHEEL: &str = "supervisor-4.3.0-py2.py3-none-any.whl";
const WHEEL_SHA256: &str = "0bcb763fddafba410f35cbde226aa7f8514b9fb82eb05a0c85f6588d1c13f8db";
/// Debian's supervisor package ships these two scripts; the interpreter is named by version
/// so that a case may put a stand-in at `/usr/bin/python3`.
const SUPERVISORD: &str = "#!/usr/bin/python3.11\nimport sys\nfrom supervisor.supervisord import main\nsys.exit(main())\n";
const SUPERVISORCTL: &str = "#!/usr/bin/python3.11\nimport sys\nfrom supervisor.supervisorctl import main\nsys.exit(main())\n";

struct Case {
    case: &'static str,
    /// The configuration supervisord is started with (`-c`).
    conf: &'static str,
    /// For a fragment (no `[supervisord]` section, read by the converter as an included file
    /// with every `[supervisord]` setting at its default): the main configuration written at
    /// `conf` that includes it.
    main: Option<&'static str>,
    /// Shell run inside first (directories a package would have created).
    setup: &'static str,
    /// supervisord daemonizes (nodaemon=false, a RHEL layout): started as EPEL's unit starts it,
    /// `supervisord -c CONF` with `Type=forking`, instead of Debian's `-n`.
    forking: bool,
    /// Options for supervisord beyond `-n -c CONF`, with the reason in a comment.
    args: &'static [&'static str],
    /// Why supervisord does not run this configuration at all (what it must say instead).
    refused: Option<(&'static str, &'static str)>,
    /// The longest `startsecs` of the case: a process killed sooner is a failed start, which
    /// supervisord retries whatever `autorestart` says.
    startsecs: u64,
    /// Known differences, per argv[0..2] joined by a space ("" for every process).
    known: &'static [(&'static str, Known)],
    /// Programs (argv joined) that only one side runs, with the reason.
    one_side: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        case: "broken-sections",
        conf: "/etc/supervisor/supervisord.conf",
        main: None,
        setup: "",
        forking: false,
        args: &[],
        refused: Some((
            "supervisor's parser stops at the first bad section (here `[program:many-without-num]` \
             … in file order), so supervisord starts nothing; the converter translates the good \
             sections and reports the others as errors",
            "Error:",
        )),
        startsecs: 1,
        known: &[],
        one_side: &[],
    },
    Case {
        case: "conf-d-laravel-alone",
        conf: "/etc/live-supervisord.conf",
        main: Some(
            "[supervisord]\n\n[include]\nfiles = /etc/supervisor/conf.d/laravel-worker.conf\n",
        ),
        setup: "",
        forking: false,
        args: &[],
        refused: None,
        startsecs: 1,
        known: &[],
        one_side: &[],
    },
    Case {
        case: "debian-django-celery",
        conf: "/etc/supervisor/supervisord.conf",
        main: None,
        setup: "",
        forking: false,
        args: &[],
        refused: None,
        startsecs: 10,
        known: &[],
        one_side: &[],
    },
    Case {
        case: "inherited-settings",
        conf: "/etc/supervisor/supervisord.conf",
        main: None,
        // supervisord drops to user=deploy before it opens its own log, which defaults to
        // $CWD/supervisord.log: from Debian's unit (cwd /) it cannot start at all. The host
        // this configuration comes from gives deploy its childlogdir; the legacy side puts
        // supervisord's own log there (-l), which changes nothing its children see.
        setup: "chown deploy:deploy /var/log/apps",
        forking: false,
        args: &["-l", "/var/log/apps/supervisord.log"],
        refused: None,
        startsecs: 5,
        known: &[],
        one_side: &[(
            "/usr/bin/redis-server --port 6380",
            "reported (supervisord-user-switch): supervisord runs as deploy and cannot switch to \
             user=redis, so the program never starts under supervisord (\"Can't drop privilege \
             as nonroot user\"); the unit runs it as redis",
        )],
    },
    Case {
        case: "options-tour",
        conf: "/etc/supervisor/supervisord.conf",
        main: None,
        setup: "",
        forking: false,
        args: &[],
        refused: None,
        startsecs: 1,
        known: &[],
        one_side: &[],
    },
    Case {
        case: "rhel-php-fcgi-listeners",
        conf: "/etc/supervisord.conf",
        main: None,
        // The package's socket directory, and the /etc/hosts every Debian host has (the
        // container root has none): `socket=tcp://LocalHost:9002` is resolved by supervisord.
        setup: "mkdir -p /run/supervisor && printf '127.0.0.1\\tlocalhost\\n::1\\tlocalhost \
                ip6-localhost ip6-loopback\\n' > /etc/hosts",
        forking: true,
        args: &[],
        refused: None,
        startsecs: 1,
        known: &[],
        one_side: &[],
    },
];

/// The supervisor wheel in the live cache, downloaded once and checked.
pub fn wheel() -> Result<PathBuf, String> {
    cached_wheel(WHEEL, WHEEL_SHA256, "supervisor==4.3.0")
}

/// A wheel (`file`, pinned by `requirement`) in the live cache, downloaded once with `pip
/// download --no-deps` and checked against its SHA-256.
pub fn cached_wheel(file: &str, sha256: &str, requirement: &str) -> Result<PathBuf, String> {
    let dir = harness::cache_dir().join("wheels");
    let path = dir.join(file);
    let sha = |p: &PathBuf| -> Option<String> {
        let out = Command::new("sha256sum").arg(p).output().ok()?;
        Some(
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .next()?
                .to_string(),
        )
    };
    if path.is_file() && sha(&path).as_deref() == Some(sha256) {
        return Ok(path);
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let tmp = dir.join(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    // The oracle venv .ci/run builds has pip even where the host has none on PATH.
    let pip = ["pip3", "pip", "/tmp/systemdify-oracle/bin/pip"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or(format!("no pip on the host to download {requirement}"))?;
    let out = Command::new("timeout")
        .args(["300", pip, "download", "-q", "--no-deps", requirement, "-d"])
        .arg(&tmp)
        .output()
        .map_err(|e| format!("pip download: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pip download {requirement}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let got = tmp.join(file);
    if sha(&got).as_deref() != Some(sha256) {
        return Err(format!("{}: not the expected SHA-256", got.display()));
    }
    std::fs::rename(&got, &path).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(path)
}

pub fn install_supervisor(c: &Container, wheel: &PathBuf) {
    c.write(
        &format!("/tmp/{WHEEL}"),
        &std::fs::read(wheel).unwrap(),
        0o644,
    );
    c.sh_ok(&format!(
        "python3.11 -m zipfile -e /tmp/{WHEEL} /usr/local/lib/python3.11/dist-packages && rm /tmp/{WHEEL}"
    ));
    c.write("/usr/bin/supervisord", SUPERVISORD.as_bytes(), 0o755);
    c.write("/usr/bin/supervisorctl", SUPERVISORCTL.as_bytes(), 0o755);
    let v =
        c.sh_ok("python3.11 -c 'import importlib.metadata as m; print(m.version(\"supervisor\"))'");
    assert_eq!(v.trim(), "4.3.0", "supervisor in the container");
}

/// supervisord raises its own open-files limit to `minfds` and refuses to start when it cannot.
/// In the container nothing can raise a hard limit above the one the host gave the test
/// (nspawn drops CAP_SYS_RESOURCE), so a `minfds` above it is lowered to it in the container's
/// copy; our unit's `LimitNOFILE=minfds:…` is clamped to the same by systemd. On a host,
/// supervisord (root) and systemd both get the full value.
fn lower_minfds(c: &Container, conf: &str) {
    let hard: u64 = c.sh_ok("ulimit -Hn").trim().parse().unwrap_or(u64::MAX);
    let text = String::from_utf8_lossy(&c.read(conf).unwrap_or_default()).into_owned();
    let mut changed = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let Some((k, v)) = l.split_once('=') else {
                return l.to_string();
            };
            let n: Option<u64> = v.split(';').next().and_then(|v| v.trim().parse().ok());
            match n {
                Some(n) if k.trim() == "minfds" && n > hard => {
                    changed = true;
                    eprintln!(
                        "    minfds={n} lowered to {hard} for supervisord: the container cannot \
                         raise the hard limit of open files above the host's"
                    );
                    format!("minfds={hard}")
                }
                _ => l.to_string(),
            }
        })
        .collect();
    if changed {
        c.write(conf, (lines.join("\n") + "\n").as_bytes(), 0o644);
    }
}

/// The program units of the report: services that are neither templates nor run by a timer
/// (a health check) nor `OnFailure=` handlers (crashmail).
fn program_units(conv: &corpus::Converted) -> Vec<String> {
    let mut out = Vec::new();
    for item in conv.all_items().iter().filter(|i| i.runs()) {
        for u in &item.units {
            let Some(stem) = u.strip_suffix(".service") else {
                continue;
            };
            if stem.ends_with('@') || item.units.contains(&format!("{stem}.timer")) {
                continue;
            }
            out.push(u.clone());
        }
    }
    out
}

/// The program paths: the first word of each program unit's ExecStart=, less its prefixes
/// (`@` when argv[0] is given separately).
fn program_paths(conv: &corpus::Converted, units: &[String]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for u in units {
        let text = unit_text(conv, u);
        let exec = text
            .lines()
            .find_map(|l| l.strip_prefix("ExecStart="))
            .unwrap_or_else(|| panic!("{u} has no ExecStart="));
        let program = exec.split_whitespace().next().unwrap();
        out.insert(
            program
                .trim_start_matches(['-', '@', ':', '+', '!'])
                .to_string(),
        );
    }
    out.into_iter().collect()
}

/// A unit's text with its drop-ins (instances: the template's and the instance's).
fn unit_text(conv: &corpus::Converted, unit: &str) -> String {
    let template = unit
        .split_once('@')
        .map(|(a, b)| format!("{a}@.{}", b.rsplit_once('.').unwrap().1));
    let mut text = match &template {
        Some(t) if !conv.units.join(unit).exists() => conv.unit(t),
        _ => conv.unit(unit),
    };
    let dropins = conv.units.join(format!("{unit}.d"));
    if let Ok(rd) = std::fs::read_dir(dropins) {
        let mut files: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            text.push('\n');
            text.push_str(&std::fs::read_to_string(f).unwrap());
        }
    }
    text
}

/// Waits until `want` processes run at `paths`, each recorded, and the set is stable.
fn settle(c: &Container, paths: &[String], want: usize) -> Vec<Proc> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last: Vec<u32> = Vec::new();
    let mut pids = Vec::new();
    while Instant::now() < deadline {
        pids = c.pids_of(paths);
        let recorded: BTreeSet<u32> = c.records().iter().map(|r| r.pid).collect();
        if pids.len() >= want && pids.iter().all(|p| recorded.contains(p)) && pids == last {
            break;
        }
        last = pids.clone();
        std::thread::sleep(Duration::from_millis(100));
    }
    let recs = c.records();
    pids.iter()
        .filter_map(|p| c.process(*p))
        .map(|mut p| {
            if let Some(r) = recs.iter().rev().find(|r| r.pid == p.pid) {
                p.fds = r.fds.clone();
            }
            p
        })
        .collect()
}

fn gone(c: &Container, paths: &[String], secs: u64) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if c.pids_of(paths).is_empty() {
            return Vec::new();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    c.pids_of(paths)
}

/// The signal each of `pids` was ended with (0: none recorded).
fn signals(c: &Container, pids: &[u32]) -> BTreeMap<u32, i32> {
    pids.iter()
        .map(|p| {
            let s = c
                .read(&format!("{}/{p}.sig", harness::RECORDS))
                .and_then(|b| String::from_utf8_lossy(&b).trim().parse().ok())
                .unwrap_or(0);
            (*p, s)
        })
        .collect()
}

fn signal_number(name: &str) -> i32 {
    match name.trim_start_matches("SIG") {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "KILL" => 9,
        "USR1" => 10,
        "USR2" => 12,
        _ => 15,
    }
}

/// Pairs processes: the executable and the arguments after argv[0] (so that an argv[0] that
/// differs shows as an `argv` difference of a pair, not as two unpaired processes).
fn argv_key(p: &Proc) -> String {
    let mut v = vec![p.exe.as_str()];
    v.extend(p.argv.iter().skip(1).map(String::as_str));
    v.join(" ")
}

/// After SIGTERM to every process: how many processes with each argv run again (new pids).
fn restarted(c: &Container, paths: &[String], before: &[Proc]) -> BTreeMap<String, usize> {
    let old: BTreeSet<u32> = before.iter().map(|p| p.pid).collect();
    let mut want: BTreeMap<String, usize> = BTreeMap::new();
    for p in before {
        *want.entry(argv_key(p)).or_default() += 1;
        c.sh(&format!("kill -TERM {}", p.pid));
    }
    // supervisord looks at its children once a second, systemd's RestartSec= is 100 ms: 6 s
    // leave room for a loaded machine; done early once every process is back.
    let deadline = Instant::now() + Duration::from_secs(6);
    loop {
        let mut out: BTreeMap<String, usize> = want.keys().map(|k| (k.clone(), 0)).collect();
        for pid in c.pids_of(paths) {
            if old.contains(&pid) {
                continue;
            }
            if let Some(p) = c.process(pid) {
                *out.entry(argv_key(&p)).or_default() += 1;
            }
        }
        if out == want || Instant::now() > deadline {
            return out;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn rules(user: bool) -> Vec<Rule> {
    vec![
        Rule {
            reason: "supervisord sets SUPERVISOR_ENABLED, SUPERVISOR_PROCESS_NAME, \
                     SUPERVISOR_GROUP_NAME (and SUPERVISOR_SERVER_URL with a control socket) \
                     for its children",
            applies: Box::new(|d: &Diff| {
                d.key.starts_with("env:SUPERVISOR_") && compare::unset(&d.ours)
            }),
        },
        Rule {
            reason: "each side's own systemd service: supervisord's children inherit its \
                     INVOCATION_ID and SYSTEMD_EXEC_PID, our units get their own",
            applies: Box::new(|d: &Diff| {
                ["env:INVOCATION_ID", "env:SYSTEMD_EXEC_PID"].contains(&d.key.as_str())
            }),
        },
        Rule {
            reason: "systemd sets it when the output goes to the journal (supervisord's \
                     children write to its pipes)",
            applies: Box::new(|d: &Diff| {
                d.key == "env:JOURNAL_STREAM" && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "systemd sets HOME, USER, LOGNAME (and SHELL) for a service with User=; \
                     supervisord's user= switches only the ids",
            applies: Box::new(move |d: &Diff| {
                user && ["env:HOME", "env:USER", "env:LOGNAME", "env:SHELL"]
                    .contains(&d.key.as_str())
                    && compare::unset(&d.theirs)
            }),
        },
        Rule {
            reason: "supervisord's children write into its pipes (it copies them to the log \
                     files or discards them); a unit's streams go to the journal, a file or \
                     /dev/null directly",
            applies: Box::new(|d: &Diff| (d.key == "fd1" || d.key == "fd2") && d.theirs == "pipe"),
        },
        Rule {
            reason: "supervisord gives each child a pipe on standard input (for supervisorctl's \
                     sendProcessStdin and `fg`); a unit's standard input is /dev/null",
            applies: Box::new(|d: &Diff| {
                d.key == "fd0" && d.theirs == "pipe" && d.ours == "/dev/null"
            }),
        },
    ]
}

fn describe(p: &Proc) -> String {
    format!(
        "pid {} argv {:?} uid {:?} gid {:?} groups {:?} cwd {} umask {} fds {:?}",
        p.pid, p.argv, p.uid, p.gid, p.groups, p.cwd, p.umask, p.fds
    )
}

fn run_case(name: &str) {
    let case = CASES.iter().find(|c| c.case == name).expect("a case entry");
    let Some(env) = harness::env() else {
        return;
    };
    let wheel = match wheel() {
        Ok(w) => w,
        Err(why) => {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "supervisor 4.3.0 unavailable, and CI=true makes that a failure: {why}"
            );
            eprintln!("skipping live test: {why}");
            return;
        }
    };
    let dir = corpus::case_dir("supervisord", name);
    let conv = corpus::convert("supervisord", name);
    let units = program_units(&conv);
    let paths = program_paths(&conv, &units);
    let mut fail: Vec<String> = Vec::new();
    let c = Container::boot(env, &format!("sup-{name}"), Duration::from_secs(400));
    eprintln!(
        "supervisord/{name}: booted {} in {:.2} s",
        c.name, c.boot_secs
    );
    // supervisord's %(host_node_name)s is the running host's name: the one the converter was
    // given (--hostname, else the tree's /etc/hostname).
    let args = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    let words: Vec<&str> = args.lines().map(str::trim).collect();
    let hostname = match words.iter().position(|w| *w == "--hostname") {
        Some(i) => words.get(i + 1).unwrap_or(&"").to_string(),
        None => std::fs::read_to_string(dir.join("root/etc/hostname")).unwrap_or_default(),
    };
    if !hostname.trim().is_empty() {
        c.sh_ok(&format!(
            "python3.11 -c 'import socket,sys; socket.sethostname(sys.argv[1])' '{}'",
            hostname.trim()
        ));
    }
    corpus::install_host_tree(&c, "supervisord", name);
    if !case.setup.is_empty() {
        c.sh_ok(case.setup);
    }
    for p in &paths {
        c.stand_in(p, "sleep");
    }
    install_supervisor(&c, &wheel);
    if let Some(main) = case.main {
        c.write(case.conf, main.as_bytes(), 0o644);
    }
    lower_minfds(&c, case.conf);
    c.install_units(&conv.units);

    let has_ctl = std::fs::read_to_string(dir.join("root").join(case.conf.trim_start_matches('/')))
        .unwrap_or_default()
        .contains("[unix_http_server]");
    let sup = Supervisord {
        c: &c,
        case,
        env_file: std::fs::read_to_string(dir.join("env")).unwrap_or_default(),
        has_ctl,
        paths: &paths,
        want: units.len(),
    };

    if let Some((why, says)) = case.refused {
        let (unit, _) = sup.start();
        std::thread::sleep(Duration::from_secs(2));
        let state = c.show(&unit, &["ActiveState", "Result"]);
        let log = sup.log();
        let started = c.pids_of(&paths);
        eprintln!("    supervisord refuses: {state:?} {}", log.trim());
        eprintln!("    KNOWN: {why}");
        if state.get("ActiveState").map(String::as_str) == Some("active")
            || !log.contains(says)
            || !started.is_empty()
        {
            fail.push(format!(
                "{name}: supervisord was expected to refuse the configuration ({why}), but: \
                 {state:?}, {started:?} started, log: {log}"
            ));
        }
        let (ours, _) = start_units(&c, &units, &paths, &mut fail);
        eprintln!(
            "    ours: {} process(es) of {} unit(s)",
            ours.len(),
            units.len()
        );
        if ours.len() != units.len() {
            fail.push(format!(
                "{name}: {} units started {} processes",
                units.len(),
                ours.len()
            ));
        }
        stop_units(&c, &units, &paths, &mut fail);
        assert!(fail.is_empty(), "supervisord/{name}:\n{}", fail.join("\n"));
        return;
    }

    // supervisord: what its children are given, then the signal each gets when it stops.
    let (unit, theirs) = sup.start();
    eprintln!("    supervisord: {} process(es)", theirs.len());
    for p in &theirs {
        eprintln!("      {}", describe(p));
    }
    if theirs.is_empty() {
        fail.push(format!(
            "{name}: supervisord started nothing:\n{}",
            sup.log()
        ));
    }
    let their_sockets = stdin_sockets(&c, &theirs);
    sup.stop(&unit, &mut fail);
    let their_sigs = signals(&c, &theirs.iter().map(|p| p.pid).collect::<Vec<_>>());

    // Ours, the same.
    let (ours, unit_of) = start_units(&c, &units, &paths, &mut fail);
    eprintln!(
        "    ours: {} process(es) of {} unit(s)",
        ours.len(),
        units.len()
    );
    for p in &ours {
        eprintln!(
            "      {} {}",
            unit_of.get(&p.pid).map_or("?", |s| s),
            describe(p)
        );
        if !unit_of.contains_key(&p.pid) {
            fail.push(format!("{name}: {} is no unit's MainPID", describe(p)));
        }
    }
    let our_sockets = stdin_sockets(&c, &ours);
    stop_units(&c, &units, &paths, &mut fail);
    let our_sigs = signals(&c, &ours.iter().map(|p| p.pid).collect::<Vec<_>>());

    // Compare, paired by argv (sorted: instances with the same argv pair in any order).
    let by_argv = |v: &[Proc]| -> BTreeMap<String, Vec<Proc>> {
        let mut m: BTreeMap<String, Vec<Proc>> = BTreeMap::new();
        for p in v {
            m.entry(argv_key(p)).or_default().push(p.clone());
        }
        m
    };
    let (t_map, o_map) = (by_argv(&theirs), by_argv(&ours));
    let keys: BTreeSet<&String> = t_map.keys().chain(o_map.keys()).collect();
    let mut compared = 0;
    let mut seen_known = BTreeSet::new();
    for k in keys {
        let (t, o) = (
            t_map.get(k).cloned().unwrap_or_default(),
            o_map.get(k).cloned().unwrap_or_default(),
        );
        if t.len() != o.len() {
            if let Some((_, why)) = case.one_side.iter().find(|(a, _)| a == k) {
                eprintln!(
                    "    KNOWN {k}: supervisord {} process(es), ours {} — {why}",
                    t.len(),
                    o.len()
                );
                seen_known.insert(k.to_string());
            } else {
                fail.push(format!(
                    "{name}: `{k}`: supervisord runs {} process(es), our units {}",
                    t.len(),
                    o.len()
                ));
            }
        }
        for (tp, op) in t.iter().zip(&o) {
            compared += 1;
            let unit = unit_of.get(&op.pid).cloned().unwrap_or_default();
            let text = unit_text(&conv, &unit);
            let user = text.lines().any(|l| l.starts_with("User="));
            let known: Vec<Known> = case
                .known
                .iter()
                .filter(|(a, _)| a.is_empty() || k.starts_with(a))
                .map(|(_, kn)| *kn)
                .collect();
            let v = judge(compare::differences(tp, op), &rules(user), &known);
            eprintln!("    {unit}: {k}");
            for (d, why) in &v.accepted {
                eprintln!("      accepted {d} — {why}");
            }
            for (d, why) in &v.known {
                eprintln!("      KNOWN {d} — {why}");
                seen_known.insert(d.key.clone());
            }
            for d in &v.unexplained {
                fail.push(format!("{name}: {unit} ({k}): {d}"));
            }
            // A fcgi program's socket: the same address, listening, on fd 0.
            let (ts, os) = (their_sockets.get(&tp.pid), our_sockets.get(&op.pid));
            if ts.is_some() || os.is_some() {
                eprintln!("      fd0: supervisord's child {ts:?}, ours {os:?}");
                if ts != os {
                    fail.push(format!(
                        "{name}: {unit} ({k}): fd0 socket {ts:?}, ours {os:?}"
                    ));
                }
            }
            // The stop signal: stopsignal= there, KillSignal= here.
            let want = text
                .lines()
                .filter_map(|l| l.strip_prefix("KillSignal="))
                .next_back()
                .map_or(15, signal_number);
            let (ts, os) = (their_sigs[&tp.pid], our_sigs[&op.pid]);
            eprintln!(
                "      stop: supervisord's child got signal {ts}, ours {os} (KillSignal {want})"
            );
            if ts != os || os != want {
                fail.push(format!(
                    "{name}: {unit} ({k}): stop signal: supervisord's child got {ts}, ours {os}"
                ));
            }
        }
    }
    for (_, kn) in case.known {
        if !seen_known.contains(kn.key) {
            fail.push(format!(
                "{name}: known `{}` no longer shows ({})",
                kn.key, kn.reason
            ));
        }
    }
    for (k, why) in case.one_side {
        if !seen_known.contains(*k) {
            fail.push(format!("{name}: `{k}` now runs on both sides ({why})"));
        }
    }

    // SIGTERM from outside, both ways a program takes it: handled (it exits 0) and not
    // handled (it dies of the signal). Restarted or not as autorestart/exitcodes say.
    let startsecs = Duration::from_secs(case.startsecs + 1);
    for dies in [false, true] {
        let how = if dies {
            "dies of SIGTERM"
        } else {
            "exits 0 on SIGTERM"
        };
        c.sh_ok(&format!(
            "{} {DIE_FLAG}",
            if dies { "touch" } else { "rm -f" }
        ));
        let (unit, theirs) = sup.start();
        std::thread::sleep(startsecs);
        let their_restarts = restarted(&c, &paths, &theirs);
        sup.stop(&unit, &mut fail);
        let (ours, _) = start_units(&c, &units, &paths, &mut fail);
        std::thread::sleep(startsecs);
        let our_restarts = restarted(&c, &paths, &ours);
        stop_units(&c, &units, &paths, &mut fail);
        for (k, n) in &their_restarts {
            let o = our_restarts.get(k).copied().unwrap_or(0);
            eprintln!("    {how}: `{k}`: supervisord restarted {n}, systemd {o}");
            if *n != o && !case.one_side.iter().any(|(a, _)| a == k) {
                fail.push(format!(
                    "{name}: a program that {how}: supervisord restarted {n} `{k}`, systemd {o}"
                ));
            }
        }
    }
    c.sh_ok(&format!("rm -f {DIE_FLAG}"));
    eprintln!("supervisord/{name}: {compared} process pair(s) compared");
    assert!(
        fail.is_empty(),
        "supervisord/{name}: {} problem(s):\n{}",
        fail.len(),
        fail.join("\n")
    );
}

/// What the socket on each process's standard input is bound to: `unix PATH` or
/// `tcp HEXADDR:PORT state` (from the container's /proc/net; state 0A is listening), a unix
/// socket's file with its owner and mode.
fn stdin_sockets(c: &Container, procs: &[Proc]) -> BTreeMap<u32, String> {
    let mut out = BTreeMap::new();
    for p in procs {
        let r = c.sh(&format!(
            "ino=$(readlink /proc/{}/fd/0 | sed -n 's/^socket:\\[\\([0-9]*\\)\\]$/\\1/p'); \
             [ -n \"$ino\" ] || exit 0; \
             awk -v i=\"$ino\" '$7 == i {{print \"unix \" $8}}' /proc/net/unix; \
             awk -v i=\"$ino\" '$10 == i {{print \"tcp \" $2 \" \" $4}}' /proc/net/tcp /proc/net/tcp6",
            p.pid
        ));
        let mut s = r.stdout.trim().to_string();
        // A unix socket's owner and mode (socket_owner=, socket_mode=; SocketUser= …).
        if let Some(path) = s.strip_prefix("unix ") {
            let st = c.sh(&format!("stat -c '%U:%G %a' '{path}'"));
            s = format!("{s} {}", st.stdout.trim());
        }
        if !s.is_empty() {
            out.insert(p.pid, s);
        }
    }
    out
}

/// While this file exists, a stand-in dies of the stop signal instead of exiting 0.
const DIE_FLAG: &str = "/etc/live-recorder.die-by-signal";

/// supervisord as a service of the container's PID 1, with the host environment of the case's
/// --env-file (the one the converter expanded %(ENV_x)s from).
struct Supervisord<'a> {
    c: &'a Container,
    case: &'a Case,
    env_file: String,
    has_ctl: bool,
    paths: &'a [String],
    want: usize,
}

impl Supervisord<'_> {
    /// Starts it (and, with a control socket, the autostart=false programs by hand); returns
    /// the transient unit and the program processes once they settle.
    fn start(&self) -> (String, Vec<Proc>) {
        static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let unit = format!(
            "live-supervisord-{}.service",
            RUN.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let mut argv: Vec<String> = [
            "systemd-run",
            "--quiet",
            "--collect",
            "-p",
            "KillMode=process",
            "-p",
            "StandardOutput=file:/var/log/live-supervisord.log",
            "-p",
            "StandardError=inherit",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        argv.push(format!("--unit={unit}"));
        argv.push(format!(
            "--service-type={}",
            if self.case.forking { "forking" } else { "exec" }
        ));

        for l in self.env_file.lines().filter(|l| l.contains('=')) {
            argv.push(format!("--setenv={}", l.trim()));
        }
        argv.push("/usr/bin/supervisord".into());
        if !self.case.forking {
            argv.push("-n".into());
        }
        argv.extend(["-c", self.case.conf].map(String::from));
        argv.extend(self.case.args.iter().map(|a| a.to_string()));
        let argv_ref: Vec<&str> = argv.iter().map(String::as_str).collect();
        self.c.clear_records();
        self.c.sh(&format!("rm -f {}/*.sig", harness::RECORDS));
        let r = self.c.exec(&argv_ref, None);
        assert!(
            r.ok() || self.case.refused.is_some(),
            "starting supervisord: {}",
            r.stderr
        );
        if self.case.refused.is_some() {
            return (unit, Vec::new());
        }
        let mut procs = settle(self.c, self.paths, 1);
        if self.has_ctl {
            let r = self
                .c
                .sh(&format!("supervisorctl -c {} start all", self.case.conf));
            eprintln!(
                "    supervisorctl start all: {:?} {}",
                r.code,
                r.stdout.trim()
            );
            procs = settle(self.c, self.paths, self.want);
        }
        (unit, procs)
    }

    /// Stops it as its unit does (SIGTERM to supervisord, which stops every program).
    fn stop(&self, unit: &str, fail: &mut Vec<String>) {
        if self.case.forking {
            // EPEL's unit has no PIDFile=, so systemd guesses the main pid of the forked
            // supervisord and may guess none (then `stop` signals nothing); PIDFile= would put
            // PIDFILE into every child's environment. The pid file of the configuration is
            // used instead, as supervisorctl shutdown would.
            self.c.sh(
                "kill -TERM $(cat /run/supervisord.pid) && while [ -e /run/supervisord.pid ]; \
                     do sleep 0.1; done",
            );
        }
        let r = self.c.systemctl(&["stop", unit]);
        let left = gone(self.c, self.paths, 20);
        // A collected unit (its supervisord already ended) is no more loaded: nothing to stop.
        if !left.is_empty() || !(r.ok() || r.stderr.contains("not loaded")) {
            fail.push(format!("stopping supervisord left {left:?}: {}", r.stderr));
        }
    }

    fn log(&self) -> String {
        String::from_utf8_lossy(
            &self
                .c
                .read("/var/log/live-supervisord.log")
                .unwrap_or_default(),
        )
        .into_owned()
    }
}

/// Starts every program unit; returns the processes and the unit of each main pid.
fn start_units(
    c: &Container,
    units: &[String],
    paths: &[String],
    fail: &mut Vec<String>,
) -> (Vec<Proc>, BTreeMap<u32, String>) {
    c.clear_records();
    c.sh(&format!("rm -f {}/*.sig", harness::RECORDS));
    let mut unit_of = BTreeMap::new();
    for u in units {
        // Every round starts afresh: the start limit counts the rounds' starts too.
        c.systemctl(&["reset-failed", u]);
        let r = c.systemctl(&["start", u]);
        let shown = c.show(u, &["ActiveState", "MainPID"]);
        if !r.ok() || shown.get("ActiveState").map(String::as_str) != Some("active") {
            fail.push(format!(
                "systemctl start {u}: {:?} {shown:?} {}\n{}",
                r.code,
                r.stderr,
                c.journal(u)
            ));
        }
        if let Some(pid) = shown.get("MainPID").and_then(|p| p.parse().ok()) {
            unit_of.insert(pid, u.clone());
        }
    }
    (settle(c, paths, units.len()), unit_of)
}

/// Stops the program units and every socket unit (it would keep supervisord from binding).
fn stop_units(c: &Container, units: &[String], paths: &[String], fail: &mut Vec<String>) {
    for u in units {
        c.systemctl(&["stop", u]);
    }
    c.sh("systemctl stop --no-block $(systemctl list-units --plain --no-legend --all '*.socket' \
          | awk '$1 !~ /^(systemd|dbus)/ {print $1}') 2>/dev/null; systemctl stop \
          $(systemctl list-units --plain --no-legend --all '*.socket' | awk '$1 !~ /^(systemd|dbus)/ {print $1}') \
          2>/dev/null; true");
    let left = gone(c, paths, 20);
    if !left.is_empty() {
        fail.push(format!("stopping our units left {left:?}"));
    }
}

#[test]
fn supervisord_every_case_has_a_test() {
    let tested: Vec<&str> = CASES.iter().map(|c| c.case).collect();
    assert_eq!(
        corpus::cases("supervisord"),
        tested,
        "add a live test for each new supervisord corpus case"
    );
}

#[test]
fn supervisord_broken_sections() {
    run_case("broken-sections");
}

#[test]
fn supervisord_conf_d_laravel_alone() {
    run_case("conf-d-laravel-alone");
}

#[test]
fn supervisord_debian_django_celery() {
    run_case("debian-django-celery");
}

#[test]
fn supervisord_inherited_settings() {
    run_case("inherited-settings");
}

#[test]
fn supervisord_options_tour() {
    run_case("options-tour");
}

#[test]
fn supervisord_rhel_php_fcgi_listeners() {
    run_case("rhel-php-fcgi-listeners");
}
