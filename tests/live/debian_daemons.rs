//! Real Debian daemons, differential: a second container root (the cached root plus 18
//! real Debian 12 packages whose init scripts start daemons that run without hardware or a
//! network beyond loopback, installed by mmdebstrap with their maintainer scripts, built once
//! in the live cache, never committed) holds each package's own `/etc/init.d` script, defaults
//! file, configuration and system users. Every script is converted by the built binary
//! (`systemdify convert --from sysv --root <that root>`: the converter reads the container's
//! own files); then, in one container per script, `/etc/init.d/NAME start` runs as init would
//! run it (see `sysv.rs`), the whole set of processes it leaves (its cgroup) is read from
//! `/proc`, `/etc/init.d/NAME stop` must end all of them; then our units are installed,
//! `systemctl start NAME.service` (a unit set's or a wrapper's too) must start the same set of
//! processes (argv, executable, user, groups, working directory, umask, nice value, limits,
//! capabilities, standard streams, environment — less what systemd adds, the rules of
//! `sysv.rs`) and `systemctl stop NAME.service` must end every one.
//!
//! The root (recipe below): the packages' own units are moved aside to
//! `/var/lib/systemdify-live/units-aside` (the converter would otherwise skip the scripts, and
//! they would start at boot), the links enabling or aliasing them are removed, and
//! systemd-sysv-generator is masked (`/etc/systemd/system-generators/systemd-sysv-generator`
//! → `/dev/null`), so no script starts at boot; mmdebstrap's `policy-rc.d` kept the maintainer
//! scripts from starting them at build time. Four packages need what an operator writes
//! first: rsync (`/etc/rsyncd.conf` with one read-only module on loopback, `RSYNC_ENABLE=true`),
//! haproxy (a frontend on 127.0.0.1:8080: the shipped configuration has none), openbsd-inetd (one
//! service enabled: its internal echo) and saslauthd (`START=yes`).
//!
//! Every difference is printed with its reason: accepted (a rule of `sysv.rs`: what systemd
//! adds), known (listed per script below with why; the test fails when it no longer shows) or
//! unexplained (the test fails).

use crate::compare::{self, Diff, Known, Rule, judge};
use crate::harness::{self, Container, Proc};
use crate::sysv;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Packages installed into the root beyond the cached root's (nginx-common, which ships
/// nginx's script, comes with nginx; cron is in the cached root already).
const INSTALL: &[&str] = &[
    "at",
    "bind9",
    "dnsmasq",
    "dovecot-core",
    "haproxy",
    "lighttpd",
    "memcached",
    "nginx",
    "nullmailer",
    "openbsd-inetd",
    "opendkim",
    "openssh-server",
    "privoxy",
    "redis-server",
    "rsync",
    "sasl2-bin",
    "tftpd-hpa",
    "vsftpd",
];

/// Bump when the steps below change their meaning (part of the cache key, with the hooks).
const RECIPE: &str = "debian daemons v1: no recommends, own units aside, sysv generator masked, \
                      rsyncd.conf and RSYNC_ENABLE=true, haproxy frontend on loopback, inetd echo, \
                      saslauthd START=yes";

/// Where the packages' own units are moved (the converter reads no unit directory there).
const ASIDE: &str = "/var/lib/systemdify-live/units-aside";

/// What an operator writes for rsync's daemon: one read-only module, on loopback.
const RSYNCD_CONF: &str = "# /etc/rsyncd.conf: one read-only module, on loopback\n\
                           address = 127.0.0.1\n\
                           pid file = /run/rsyncd.pid\n\
                           \n\
                           [srv]\n\
                           \tpath = /srv\n\
                           \tread only = yes\n";

/// A frontend for haproxy (the shipped haproxy.cfg has only `global` and `defaults`).
const HAPROXY_FRONTEND: &str = "\nfrontend live\n\tbind 127.0.0.1:8080\n\tdefault_backend live\n\n\
                                backend live\n\tserver local 127.0.0.1:8081\n";

struct Daemon {
    /// `/etc/init.d/NAME`.
    script: &'static str,
    /// The package that ships the script (and the units moved aside).
    package: &'static str,
    /// Why the script's own stop leaves processes behind (a legacy bug the unit does not
    /// have); the test fails when it no longer does.
    legacy_stop_fails: Option<&'static str>,
    /// Why our unit ends `failed` after `systemctl stop` (a translation gap); the test fails
    /// when it ends `inactive`.
    stop_fails: Option<&'static str>,
    known: &'static [Known],
}

const DAEMONS: &[Daemon] = &[
    Daemon {
        script: "atd",
        package: "at",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "cron",
        package: "cron",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "dnsmasq",
        package: "dnsmasq",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "dovecot",
        package: "dovecot-core",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "haproxy",
        package: "haproxy",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "lighttpd",
        package: "lighttpd",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "memcached",
        package: "memcached",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "named",
        package: "bind9",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "nginx",
        package: "nginx-common",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "nullmailer",
        package: "nullmailer",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "openbsd-inetd",
        package: "openbsd-inetd",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "opendkim",
        package: "opendkim",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "privoxy",
        package: "privoxy",
        legacy_stop_fails: None,
        stop_fails: Some(
            "privoxy exits with status 15 on SIGTERM, which systemd counts as a failure: the \
             package's own unit says SuccessExitStatus=15, ours has no such line (the script \
             ignores the daemon's exit status; nothing in it tells a converter)",
        ),
        known: &[],
    },
    Daemon {
        script: "redis-server",
        package: "redis-server",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "rsync",
        package: "rsync",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "saslauthd",
        package: "sasl2-bin",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "ssh",
        package: "openssh-server",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "tftpd-hpa",
        package: "tftpd-hpa",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
    Daemon {
        script: "vsftpd",
        package: "vsftpd",
        legacy_stop_fails: None,
        stop_fails: None,
        known: &[],
    },
];

/// Scripts of the cached root that start no daemon of their own here (the system's D-Bus,
/// boot-time one-shots, anacron's run at boot): not compared.
const NOT_DAEMONS: &[&str] = &["anacron", "dbus", "hwclock.sh", "procps"];

/// The customize hooks of the root (after the cached root's), `$1` being the root.
fn hooks() -> Vec<String> {
    let owners: Vec<&str> = DAEMONS.iter().map(|d| d.package).collect();
    vec![
        // The packages' own units (both /lib and /usr/lib layouts), and every link to them
        // (enablement, aliases such as sshd.service or bind9.service), out of systemd's sight.
        format!(
            "mkdir -p \"$1{ASIDE}\" && for p in {}; do chroot \"$1\" dpkg -L $p; done \
             | grep -E '^(/usr)?/lib/systemd/system/[^/]+$' | sort -u | while read -r f; do \
             if [ -e \"$1$f\" ] || [ -L \"$1$f\" ]; then mv \"$1$f\" \"$1{ASIDE}/\"; fi; done; \
             find \"$1/etc/systemd/system\" -type l | while read -r l; do \
             t=$(basename \"$(readlink \"$l\")\"); \
             if [ -e \"$1{ASIDE}/$t\" ]; then rm -f \"$l\"; fi; done",
            owners.join(" ")
        ),
        // No wrapper of systemd-sysv-generator starts a script at boot.
        "mkdir -p \"$1/etc/systemd/system-generators\" && ln -sf /dev/null \
         \"$1/etc/systemd/system-generators/systemd-sysv-generator\""
            .to_string(),
        // logrotate's daily run would call the scripts' rotate actions.
        "chroot \"$1\" systemctl mask logrotate.timer".to_string(),
        format!(
            "sed -i 's/^RSYNC_ENABLE=false/RSYNC_ENABLE=true/' \"$1/etc/default/rsync\" && \
             printf '%s' '{RSYNCD_CONF}' > \"$1/etc/rsyncd.conf\""
        ),
        // inetd starts only with a service enabled: its own echo service, as an operator
        // would enable one.
        "printf 'echo\\tstream\\ttcp\\tnowait\\troot\\tinternal\\n' >> \"$1/etc/inetd.conf\""
            .to_string(),
        // saslauthd starts only with START=yes, as its script says ("edit /etc/default/saslauthd
        // and set START=yes"); bookworm's defaults file has no such line.
        "printf '\\n# Start saslauthd.\\nSTART=yes\\n' >> \"$1/etc/default/saslauthd\"".to_string(),
        format!(
            "printf '{}' >> \"$1/etc/haproxy/haproxy.cfg\"",
            HAPROXY_FRONTEND.replace('\n', "\\n").replace('\t', "\\t")
        ),
    ]
}

/// The environment with the daemons' root, prepared once per test process.
fn env() -> Option<&'static harness::Env> {
    static ENV: OnceLock<Result<harness::Env, String>> = OnceLock::new();
    let base = harness::env()?;
    let r = ENV.get_or_init(|| {
        let hooks = hooks();
        let hooks: Vec<&str> = hooks.iter().map(String::as_str).collect();
        let started = Instant::now();
        let e = harness::env_with_packages(
            base,
            INSTALL,
            &hooks,
            &["--aptopt=APT::Install-Recommends \"false\""],
            RECIPE,
        )?;
        eprintln!(
            "debian daemons: root {} ({}, {:.1} s)",
            e.rootfs.display(),
            if e.built_rootfs {
                "built now"
            } else {
                "cached"
            },
            started.elapsed().as_secs_f64()
        );
        Ok(e)
    });
    match r {
        Ok(e) => Some(e),
        Err(why) => {
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "the Debian daemons' root cannot be built, and CI=true makes that a failure: {why}"
            );
            eprintln!("skipping the Debian daemons: {why}");
            None
        }
    }
}

/// Every daemon's script, converted at once by the built binary from the root.
struct Conversion {
    units: PathBuf,
    report: serde_json::Value,
}

impl Conversion {
    fn items(&self, script: &str) -> Vec<&serde_json::Value> {
        let file = format!("/etc/init.d/{script}");
        self.report["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["source"]["format"] == "sysv" && i["source"]["file"] == file.as_str())
            .collect()
    }

    /// The units the script's items name.
    fn units_of(&self, script: &str) -> Vec<String> {
        self.items(script)
            .iter()
            .flat_map(|i| i["units"].as_array().cloned().unwrap_or_default())
            .filter_map(|u| u.as_str().map(String::from))
            .collect()
    }

    fn unit(&self, name: &str) -> String {
        std::fs::read_to_string(self.units.join(name)).unwrap_or_default()
    }
}

fn conversion(env: &harness::Env) -> &'static Conversion {
    static CONV: OnceLock<Conversion> = OnceLock::new();
    CONV.get_or_init(|| {
        let live = Path::new(env!("CARGO_TARGET_TMPDIR")).join("live");
        // Conversions of earlier test processes (named by their pid) go.
        for e in std::fs::read_dir(&live).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix("debian-daemons-")
                && !Path::new(&format!("/proc/{pid}")).exists()
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        let dir = live.join(format!("debian-daemons-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let units = dir.join("units");
        let report = dir.join("report.json");
        let out = Command::new(env!("CARGO_BIN_EXE_systemdify"))
            .args(["convert", "--from", "sysv", "--root"])
            .arg(&env.rootfs)
            .arg("-o")
            .arg(&units)
            .arg("--report")
            .arg(&report)
            .args(DAEMONS.iter().map(|d| format!("/etc/init.d/{}", d.script)))
            .output()
            .expect("running systemdify");
        assert!(
            out.status.code() == Some(0),
            "systemdify convert: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let report = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        Conversion { units, report }
    })
}

/// Processes inside by the unit whose cgroup holds them: `(pid, unit)`.
fn units_of_processes(c: &Container) -> Vec<(u32, String)> {
    let out = c
        .sh("grep -H '' /proc/[0-9]*/cgroup 2>/dev/null; true")
        .stdout;
    let mut seen = BTreeMap::new();
    for line in out.lines() {
        // /proc/PID/cgroup:ID:CONTROLLERS:/system.slice/x.service
        let Some(rest) = line.strip_prefix("/proc/") else {
            continue;
        };
        let Some((pid, rest)) = rest.split_once("/cgroup:") else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let path = rest.splitn(3, ':').nth(2).unwrap_or("");
        if let Some(unit) = path.rsplit('/').next().filter(|u| u.ends_with(".service")) {
            seen.entry(pid).or_insert_with(|| unit.to_string());
        }
    }
    seen.into_iter().collect()
}

/// The processes in the cgroups of `units` (an instance counts as its template's), once the
/// set has stayed the same over three looks (daemons fork, their parents exit).
fn settle(c: &Container, units: &BTreeSet<String>) -> Vec<Proc> {
    let of_units = |u: &str| {
        units.contains(u)
            || u.split_once('@')
                .is_some_and(|(stem, _)| units.contains(&format!("{stem}@.service")))
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last: Vec<u32> = Vec::new();
    let mut same = 0;
    while Instant::now() < deadline {
        let pids: Vec<u32> = units_of_processes(c)
            .into_iter()
            .filter(|(_, u)| of_units(u))
            .map(|(p, _)| p)
            .collect();
        if pids == last && !pids.is_empty() {
            same += 1;
            if same >= 3 {
                break;
            }
        } else {
            same = 0;
        }
        last = pids;
        std::thread::sleep(Duration::from_millis(250));
    }
    last.iter().filter_map(|p| c.process(*p)).collect()
}

/// Waits until none of `pids` runs; kills what is left after 15 s and says so.
fn gone(c: &Container, pids: &[u32]) -> Result<(), String> {
    let alive = || -> Vec<u32> {
        pids.iter()
            .copied()
            .filter(|p| c.process(*p).is_some())
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if alive().is_empty() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let left = alive();
    for p in &left {
        c.sh(&format!("kill -KILL {p}"));
    }
    Err(format!("still running after stop: pids {left:?}"))
}

/// Runs `/etc/init.d/SCRIPT ACTION` as init would (see `sysv::LEGACY` and
/// `Container::run_as_init`), as the transient unit `unit`, whose cgroup keeps what it leaves.
fn legacy(c: &Container, script: &str, action: &str, unit: &str) -> (Option<i32>, String) {
    c.run_as_init_unit(
        &format!("{} /etc/init.d/{script} {action}", sysv::LEGACY),
        unit,
        false,
    )
}

/// Pairs the script's processes with the unit's: by executable, then, within one executable,
/// equal argv and user first and the rest in order of argv; what is left over on either side
/// is returned apart.
fn pair<'a>(
    theirs: &'a [Proc],
    ours: &'a [Proc],
) -> (Vec<(&'a Proc, &'a Proc)>, Vec<&'a Proc>, Vec<&'a Proc>) {
    let by_exe = |ps: &'a [Proc]| {
        let mut m: BTreeMap<&str, Vec<&'a Proc>> = BTreeMap::new();
        for p in ps {
            m.entry(p.exe.as_str()).or_default().push(p);
        }
        for v in m.values_mut() {
            v.sort_by_key(|p| (p.argv.clone(), p.uid.clone()));
        }
        m
    };
    let (mut t, mut o) = (by_exe(theirs), by_exe(ours));
    let (mut pairs, mut only_t, mut only_o) = (Vec::new(), Vec::new(), Vec::new());
    let exes: BTreeSet<&str> = t.keys().chain(o.keys()).copied().collect();
    for exe in exes {
        let mut ts = t.remove(exe).unwrap_or_default();
        let mut os = o.remove(exe).unwrap_or_default();
        ts.retain(|tp| {
            match os
                .iter()
                .position(|op| op.argv == tp.argv && op.uid == tp.uid)
            {
                Some(i) => {
                    pairs.push((*tp, os.remove(i)));
                    false
                }
                None => true,
            }
        });
        let n = ts.len().min(os.len());
        pairs.extend(ts.drain(..n).zip(os.drain(..n)));
        only_t.extend(ts);
        only_o.extend(os);
    }
    (pairs, only_t, only_o)
}

/// The hard limit of the unit's `LimitNOFILE=` (`N`, `SOFT:HARD`; `infinity` as `u64::MAX`).
fn limit_nofile(unit_text: &str) -> Option<u64> {
    let v = unit_text
        .lines()
        .filter_map(|l| l.strip_prefix("LimitNOFILE="))
        .next_back()?;
    let hard = v.rsplit(':').next()?.trim();
    if hard == "infinity" {
        Some(u64::MAX)
    } else {
        hard.parse().ok()
    }
}

/// The process wrote its title over its argv (nginx's "nginx: master process …", sshd's
/// "sshd: … [listener]", redis's "… 127.0.0.1:6379"): one argument holding spaces.
fn rewritten(p: &Proc) -> bool {
    p.argv.len() == 1 && p.argv[0].contains(' ')
}

fn describe(p: &Proc) -> String {
    format!(
        "pid {} exe {} argv {:?} uid {:?} gid {:?} groups {:?} cwd {} umask {} nice {} env {:?}",
        p.pid,
        p.exe,
        p.argv,
        p.uid,
        p.gid,
        p.groups,
        p.cwd,
        p.umask,
        p.nice,
        p.env.keys().collect::<Vec<_>>()
    )
}

/// Runs one script both ways in one container; returns the failures.
fn check(env: &harness::Env, d: &Daemon) -> Vec<String> {
    let conv = conversion(env);
    let mut fail = Vec::new();
    let items = conv.items(d.script);
    let Some(first) = items.first() else {
        return vec![format!("/etc/init.d/{}: not in the report", d.script)];
    };
    let status = first["status"].as_str().unwrap_or("").to_string();
    let wrapped = status == "wrapped";
    if !["translated", "approximated", "wrapped"].contains(&status.as_str()) {
        return vec![format!(
            "/etc/init.d/{}: {status}: {}",
            d.script, first["findings"]
        )];
    }
    let unit = format!("{}.service", d.script);
    let units: BTreeSet<String> = conv.units_of(d.script).into_iter().collect();
    if !units.contains(&unit) {
        fail.push(format!(
            "/etc/init.d/{}: no {unit} among {units:?}",
            d.script
        ));
    }
    let unit_text: String = units.iter().map(|u| conv.unit(u)).collect();
    eprintln!(
        "--- /etc/init.d/{} ({}, {status}) as {}",
        d.script,
        d.package,
        units.iter().cloned().collect::<Vec<_>>().join(" ")
    );

    let c = Container::boot(
        env,
        &format!("daemon-{}", d.script),
        Duration::from_secs(300),
    );
    let limits = c.sh("grep 'open files' /proc/1/limits").stdout;
    // "Max open files 20000 20000 files": PID 1's hard limit, the most anything inside gets.
    let pid1_hard: Option<u64> = limits
        .split_whitespace()
        .nth(4)
        .and_then(|h| h.parse().ok());
    eprintln!(
        "    booted {} in {:.2} s; PID 1: {}",
        c.name,
        c.boot_secs,
        limits.split_whitespace().collect::<Vec<_>>().join(" ")
    );

    // The legacy side.
    let start_unit = "live-legacy-start.service".to_string();
    let (code, log) = legacy(&c, d.script, "start", &start_unit);
    let theirs = settle(&c, &BTreeSet::from([start_unit.clone()]));
    eprintln!(
        "    legacy start: exit {code:?}, {} process(es)",
        theirs.len()
    );
    for p in &theirs {
        eprintln!("      {}", describe(p));
    }
    if code != Some(0) || theirs.is_empty() {
        fail.push(format!(
            "/etc/init.d/{}: legacy start exit {code:?}, {} process(es):\n{log}",
            d.script,
            theirs.len()
        ));
    }
    let (code, log) = legacy(&c, d.script, "stop", "live-legacy-stop.service");
    let pids: Vec<u32> = theirs.iter().map(|p| p.pid).collect();
    match (gone(&c, &pids), d.legacy_stop_fails) {
        (Err(e), None) => fail.push(format!(
            "/etc/init.d/{}: legacy stop (exit {code:?}): {e}\n{log}",
            d.script
        )),
        (Err(_), Some(why)) => eprintln!("    KNOWN legacy stop fails (exit {code:?}): {why}"),
        (Ok(()), Some(why)) => fail.push(format!(
            "/etc/init.d/{}: the legacy stop works now, though listed as failing ({why}): \
             update the test",
            d.script
        )),
        (Ok(()), None) => eprintln!("    legacy stop: exit {code:?}, every process gone"),
    }

    // Ours.
    c.install_units(&conv.units);
    let r = c.systemctl(&["start", &unit]);
    let ours = settle(&c, &units);
    let shown = c.show(&unit, &["ActiveState", "SubState", "Result", "MainPID"]);
    eprintln!("    ours start: {shown:?}, {} process(es)", ours.len());
    for p in &ours {
        eprintln!("      {}", describe(p));
    }
    if !r.ok() || shown.get("ActiveState").map(String::as_str) != Some("active") || ours.is_empty()
    {
        let journal: String = units.iter().map(|u| c.journal(u)).collect();
        fail.push(format!(
            "/etc/init.d/{}: systemctl start {unit}: {:?} {shown:?}, {} process(es)\n{}\n{journal}",
            d.script,
            r.code,
            ours.len(),
            r.stderr,
        ));
    }
    if !wrapped {
        // Every service of the set with a main process runs one of the daemons.
        for u in &units {
            let main: u32 = c
                .show(u, &["MainPID"])
                .get("MainPID")
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            let oneshot = conv.unit(u).contains("\nType=oneshot\n");
            if !oneshot && !ours.iter().any(|p| p.pid == main) {
                fail.push(format!(
                    "/etc/init.d/{}: MainPID {main} of {u} is not one of its processes",
                    d.script
                ));
            }
        }
    }
    let r = c.systemctl(&["stop", &unit]);
    let pids: Vec<u32> = ours.iter().map(|p| p.pid).collect();
    if let Err(e) = gone(&c, &pids) {
        fail.push(format!(
            "/etc/init.d/{}: systemctl stop {unit}: {e} {}",
            d.script, r.stderr
        ));
    }
    let after = c.show(&unit, &["ActiveState", "Result"]);
    let inactive = after.get("ActiveState").map(String::as_str) == Some("inactive");
    match (inactive, d.stop_fails) {
        (false, None) => fail.push(format!(
            "/etc/init.d/{}: after stop: {after:?}\n{}",
            d.script,
            c.journal(&unit)
        )),
        (false, Some(why)) => eprintln!("    KNOWN after stop {after:?}: {why}"),
        (true, Some(why)) => fail.push(format!(
            "/etc/init.d/{}: the unit stops cleanly now, though listed as failing ({why}): \
             update the test",
            d.script
        )),
        (true, None) => eprintln!("    ours stop: every process gone, {after:?}"),
    }

    // The script's output to syslog through logger: ours must give the journal the same
    // identity (compared with what the legacy side's logger logged, when it logged anything).
    let loggers = sysv::loggers_to_journal(&theirs, &unit_text);
    if !loggers.is_empty() {
        fail.extend(
            sysv::syslog_identity(&c, &unit_text, &units, &start_unit)
                .into_iter()
                .map(|e| format!("/etc/init.d/{}: {e}", d.script)),
        );
    }

    // Compare the two sets.
    let (pairs, only_theirs, only_ours) = pair(&theirs, &ours);
    let mut diffs: Vec<Vec<Diff>> = pairs
        .iter()
        .map(|(t, o)| compare::differences(t, o))
        .collect();
    let unmatched: Vec<Diff> = only_theirs
        .iter()
        .map(|p| Diff {
            key: format!("process:{}", p.exe),
            theirs: format!("{:?}", p.argv),
            ours: "(none)".into(),
        })
        .chain(only_ours.iter().map(|p| Diff {
            key: format!("process:{}", p.exe),
            theirs: "(none)".into(),
            ours: format!("{:?}", p.argv),
        }))
        .collect();
    diffs.push(unmatched);
    let env_names = sysv::unit_env_names(&c, &unit_text);
    let mut seen_known = BTreeSet::new();
    let mut equal = 0;
    for (n, ds) in diffs.into_iter().enumerate() {
        let is_pair = n < pairs.len();
        let mut rules = sysv::rules(&unit_text, env_names.clone());
        if is_pair && rewritten(pairs[n].0) && rewritten(pairs[n].1) {
            rules.push(Rule {
                reason: "the daemon wrote its process title over its command line and \
                         environment (setproctitle), so /proc/PID/environ no longer holds the \
                         environment it was started with: not comparable",
                applies: Box::new(|d: &Diff| d.key.starts_with("env:")),
            });
        }
        if let (Some(hard), Some(wanted)) = (pid1_hard, limit_nofile(&unit_text))
            && wanted > hard
        {
            let capped = format!("{hard} {hard}");
            rules.push(Rule {
                reason: "the container, not the unit: LimitNOFILE= asks more than the \
                         container's hard limit (PID 1's, printed above), which nothing \
                         inside can raise (nspawn drops CAP_SYS_RESOURCE): systemd sets the \
                         closest it can, the script's `ulimit -n` fails and the daemon \
                         chooses its own (redis: maxclients + 32). On a host both get \
                         the script's value",
                applies: Box::new(move |d: &Diff| {
                    d.key == "limit:Max open files" && d.ours == capped
                }),
            });
        }
        rules.extend(sysv::logger_rules(&loggers, is_pair.then(|| pairs[n].0)));
        let v = judge(ds, &rules, d.known);
        for (diff, why) in &v.accepted {
            eprintln!("      accepted {diff} — {why}");
        }
        for (diff, why) in &v.known {
            eprintln!("      KNOWN {diff} — {why}");
            seen_known.insert(diff.key.clone());
        }
        for diff in &v.unexplained {
            fail.push(format!("/etc/init.d/{}: {diff}", d.script));
        }
        if is_pair && v.known.is_empty() && v.unexplained.is_empty() {
            equal += 1;
        }
    }
    for k in d.known {
        if !seen_known.contains(k.key) && !theirs.is_empty() {
            fail.push(format!(
                "/etc/init.d/{}: the known difference `{}` ({}) no longer shows: remove it",
                d.script, k.key, k.reason
            ));
        }
    }
    eprintln!(
        "    /etc/init.d/{}: {status}; {equal} of {} process pair(s) the same (accepted \
         differences aside), {} only the script's, {} only the unit's",
        d.script,
        pairs.len(),
        only_theirs.len(),
        only_ours.len()
    );
    fail
}

fn run(script: &str) {
    let Some(env) = env() else {
        return;
    };
    let d = DAEMONS
        .iter()
        .find(|d| d.script == script)
        .expect("a listed daemon");
    let started = Instant::now();
    let fail = check(env, d);
    eprintln!(
        "    /etc/init.d/{script}: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        fail.is_empty(),
        "debian daemon {script}: {} problem(s):\n{}",
        fail.len(),
        fail.join("\n")
    );
}

/// Every init script of the root is a listed daemon or listed as none.
#[test]
fn debian_daemons_every_script_is_listed() {
    let Some(env) = env() else {
        return;
    };
    let mut found: Vec<String> = std::fs::read_dir(env.rootfs.join("etc/init.d"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README" && !n.starts_with('.'))
        .collect();
    found.sort();
    let mut listed: Vec<String> = DAEMONS
        .iter()
        .map(|d| d.script)
        .chain(NOT_DAEMONS.iter().copied())
        .map(String::from)
        .collect();
    listed.sort();
    assert_eq!(found, listed, "list each init script of the root");
    let conv = conversion(env);
    let native = DAEMONS
        .iter()
        .filter(|d| {
            conv.items(d.script).first().is_some_and(|i| {
                ["translated", "approximated"].contains(&i["status"].as_str().unwrap_or(""))
            })
        })
        .count();
    eprintln!(
        "debian daemons: {} scripts, {} packages installed (cron from the cached root), {native} native",
        DAEMONS.len(),
        INSTALL.len()
    );
}

macro_rules! daemon_tests {
    ($($name:ident => $script:literal,)*) => {
        $(
            #[test]
            fn $name() {
                run($script);
            }
        )*
    };
}

daemon_tests! {
    debian_daemon_atd => "atd",
    debian_daemon_cron => "cron",
    debian_daemon_dnsmasq => "dnsmasq",
    debian_daemon_dovecot => "dovecot",
    debian_daemon_haproxy => "haproxy",
    debian_daemon_lighttpd => "lighttpd",
    debian_daemon_memcached => "memcached",
    debian_daemon_named => "named",
    debian_daemon_nginx => "nginx",
    debian_daemon_nullmailer => "nullmailer",
    debian_daemon_openbsd_inetd => "openbsd-inetd",
    debian_daemon_opendkim => "opendkim",
    debian_daemon_privoxy => "privoxy",
    debian_daemon_redis_server => "redis-server",
    debian_daemon_rsync => "rsync",
    debian_daemon_saslauthd => "saslauthd",
    debian_daemon_ssh => "ssh",
    debian_daemon_tftpd_hpa => "tftpd-hpa",
    debian_daemon_vsftpd => "vsftpd",
}
