//! supervisord's crash and fatal mail, live: supervisord (supervisor 4.3.0) with superlance
//! 2.0.0's real `crashmail` and `fatalmailbatch`, then our units converted from the same
//! configuration, in the container's systemd 252. A `sendmail` stand-in and an SMTP sink
//! (`fatalmailbatch` talks SMTP to localhost) keep every mail. The programs are shell
//! scripts that count their runs:
//!
//! - `crasher` exits 1 after 2 s on its first two runs (longer than `startsecs=1`: supervisord's
//!   `EXITED`, unexpected), then runs until it is killed from outside with SIGTERM (unexpected
//!   too: supervisord expects no death by a signal) and restarted;
//! - `steady` exits 0 after 2 s on its first two runs (expected: no mail), then runs;
//! - `flapper` exits 1 at once, always: supervisord gives up after `startretries=2` (FATAL, no
//!   `EXITED` event) and systemd after its start limit.
//!
//! Each side must mail exactly three crashes of `crasher` (two exits, one SIGTERM), none of the
//! others, and one "gave up" mail about `flapper`; our `OnFailure=` handler must never start for
//! `crasher`, which restarts (systemd 252 starts `OnFailure=` only when the unit ends up failed).

use crate::harness::{self, Container};
use crate::supervisord::{cached_wheel, install_supervisor, wheel};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const SUPERLANCE: &str = "superlance-2.0.0-py2.py3-none-any.whl";
const SUPERLANCE_SHA256: &str = "7826dca1f272ad3cd2302a4e8d71c6573614367a713b1273ba6af230a5019d29";

const CONF: &str = "/etc/supervisor/supervisord.conf";

/// A configuration as a Debian host would have it, listeners from superlance's README.
const CONFIG: &str = r#"[unix_http_server]
file=/run/live-supervisor.sock

[supervisord]
logfile=/var/log/live-supervisord-own.log

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix:///run/live-supervisor.sock

[program:crasher]
command=/usr/local/bin/crasher
autorestart=true
startsecs=1
startretries=5

[program:steady]
command=/usr/local/bin/steady
autorestart=true
startsecs=1

[program:flapper]
command=/usr/local/bin/flapper
autorestart=true
startsecs=1
startretries=2

[eventlistener:crashmail]
command=/usr/local/bin/crashmail -a -m ops@example.com -o "[live]"
events=PROCESS_STATE_EXITED

; The container resolves no `localhost`: the SMTP sink's address is given.
[eventlistener:fatalmail]
command=/usr/local/bin/fatalmailbatch --toEmail=ops@example.com --fromEmail=supervisor@example.com --smtpHost=127.0.0.1 --subject="gave up" --interval=0.05 --tickEvent=TICK_5
events=PROCESS_STATE,TICK_5
stderr_logfile=/var/log/live-fatalmail.err
"#;

const MAILS: &str = "/var/lib/live-mail";

/// A program that counts its runs in `MAILS/NAME.runs`, writes its pid to `MAILS/NAME.pid` and
/// ends with `EXIT` after 2 s on its first two runs, then sleeps (as `sleep TAG`, so it can be
/// told apart).
fn program(name: &str, exit: u8, tag: u32) -> String {
    format!(
        "#!/bin/sh\nn=$(cat {MAILS}/{name}.runs 2>/dev/null || echo 0); n=$((n + 1))\n\
         echo $n > {MAILS}/{name}.runs\necho $$ > {MAILS}/{name}.pid\nsleep 2\n\
         [ $n -le 2 ] && exit {exit}\nexec sleep {tag}\n"
    )
}

const FLAPPER: &str = "#!/bin/sh\nexit 1\n";

/// Keeps each mail `sendmail -t -i` is given as one file, its arguments on the first line.
const SENDMAIL: &str = "#!/bin/sh\nf=/var/lib/live-mail/mail.$(date +%s%N).$$\n\
                        { echo \"ARGS: $*\"; cat; } > \"$f.tmp\" && mv \"$f.tmp\" \"$f\"\n";

/// An SMTP server on 127.0.0.1:25 keeping each message as one file (Python 3.11 still has
/// `smtpd`).
const SMTP_SINK: &str = r#"import asyncore, os, time, warnings
warnings.simplefilter("ignore")
import smtpd
class Sink(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kw):
        p = "/var/lib/live-mail/smtp.%d" % time.time_ns()
        with open(p + ".tmp", "wb") as f:
            f.write(("RCPT: %s\n" % " ".join(rcpttos)).encode() + data)
        os.rename(p + ".tmp", p)
Sink(("127.0.0.1", 25), None, decode_data=False)
asyncore.loop()
"#;

fn launcher(module: &str) -> String {
    format!(
        "#!/usr/bin/python3.11\nimport sys\nfrom superlance.{module} import main\nsys.exit(main())\n"
    )
}

/// One mail as kept: its headers (name lower-cased) and its body.
#[derive(Debug, Clone)]
struct Mail {
    headers: BTreeMap<String, String>,
    body: String,
}

fn mails(c: &Container, prefix: &str) -> Vec<Mail> {
    let list = c.sh(&format!(
        "ls {MAILS} | grep '^{prefix}\\.' | grep -v tmp$ | sort"
    ));
    list.stdout
        .lines()
        .map(|f| {
            let text =
                String::from_utf8_lossy(&c.read(&format!("{MAILS}/{f}")).unwrap_or_default())
                    .into_owned();
            let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
            let headers = head
                .lines()
                .filter_map(|l| l.split_once(": "))
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                .collect();
            Mail {
                headers,
                body: body.to_string(),
            }
        })
        .collect()
}

fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("    gave up waiting for {what}");
    done()
}

fn runs(c: &Container, name: &str) -> u32 {
    String::from_utf8_lossy(&c.read(&format!("{MAILS}/{name}.runs")).unwrap_or_default())
        .trim()
        .parse()
        .unwrap_or(0)
}

/// What one side did: the crash mails (sendmail) and the gave-up mails (SMTP for
/// fatalmailbatch, sendmail from our handler), in order.
struct Side {
    crash: Vec<Mail>,
    fatal: Vec<Mail>,
    runs: BTreeMap<&'static str, u32>,
}

/// Runs the scenario once the side's programs are started: wait for `crasher`'s third run,
/// kill it with SIGTERM, wait for its fourth run and for the gave-up mail, then `stop`.
fn scenario(c: &Container, fatal_prefix: &str, stop: &dyn Fn()) -> Side {
    let running = |n: u32| {
        move || {
            runs(c, "crasher") >= n
                && c.sh(&format!(
                    "tr '\\0' ' ' < /proc/$(cat {MAILS}/crasher.pid)/cmdline | grep -q '^sleep 1001'"
                ))
                .ok()
        }
    };
    wait_for("crasher's third run", 30, running(3));
    c.sh_ok(&format!("kill -TERM $(cat {MAILS}/crasher.pid)"));
    wait_for("crasher's fourth run", 20, running(4));
    wait_for("the gave-up mail", 30, || {
        if fatal_prefix == "smtp" {
            !mails(c, "smtp").is_empty()
        } else {
            !fatal_mails(c).is_empty()
        }
    });
    // Room for a mail that should not come (steady's exits, flapper's starts, a late one).
    std::thread::sleep(Duration::from_secs(2));
    stop();
    std::thread::sleep(Duration::from_secs(1));
    let all = mails(c, "mail");
    let (fatal_sendmail, crash): (Vec<Mail>, Vec<Mail>) = all.into_iter().partition(|m| {
        m.headers
            .get("subject")
            .is_some_and(|s| s.starts_with("gave up"))
    });
    let fatal = if fatal_prefix == "smtp" {
        mails(c, "smtp")
    } else {
        fatal_sendmail
    };
    Side {
        crash,
        fatal,
        runs: ["crasher", "steady"]
            .into_iter()
            .map(|n| (n, runs(c, n)))
            .collect(),
    }
}

/// Our gave-up mails so far (sendmail, subject "gave up …").
fn fatal_mails(c: &Container) -> Vec<Mail> {
    mails(c, "mail")
        .into_iter()
        .filter(|m| {
            m.headers
                .get("subject")
                .is_some_and(|s| s.starts_with("gave up"))
        })
        .collect()
}

fn reset(c: &Container) {
    c.sh_ok(&format!("rm -rf {MAILS} && mkdir -p {MAILS}"));
}

/// Converts `config` as it sits on a host with `programs` in /usr/local/bin.
fn convert(config: &str, programs: &[&str]) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let conf = root.join(CONF.trim_start_matches('/'));
    std::fs::create_dir_all(conf.parent().unwrap()).unwrap();
    std::fs::write(&conf, config).unwrap();
    // The log files' directory (supervisor refuses a log path in a missing directory).
    std::fs::create_dir_all(root.join("var/log")).unwrap();
    let bin = root.join("usr/local/bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in programs {
        std::fs::write(bin.join(name), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let units = tmp.path().join("units");
    let report = tmp.path().join("report.json");
    let args: Vec<String> = [
        "systemdify",
        "convert",
        "--root",
        root.to_str().unwrap(),
        "-o",
        units.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        CONF,
    ]
    .map(String::from)
    .to_vec();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        args,
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut stdout,
            stderr: &mut stderr,
        },
    );
    assert_eq!(
        code,
        0,
        "convert: exit {code}\n{}",
        String::from_utf8_lossy(&stderr)
    );
    tmp
}

fn subjects(mails: &[Mail]) -> Vec<String> {
    mails
        .iter()
        .map(|m| m.headers.get("subject").cloned().unwrap_or_default())
        .collect()
}

/// A container with supervisor 4.3.0 and superlance 2.0.0 (its `crashmail`, `fatalmailbatch`
/// and `memmon` on /usr/local/bin); `None` (the test skips) when the wheels cannot be had
/// outside CI.
fn prepare(env: &harness::Env, label: &str) -> Option<Container> {
    let wheels = wheel().and_then(|s| {
        cached_wheel(SUPERLANCE, SUPERLANCE_SHA256, "superlance==2.0.0").map(|l| (s, l))
    });
    let (supervisor, superlance) = match wheels {
        Ok(w) => w,
        Err(why) => {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "supervisor/superlance unavailable, and CI=true makes that a failure: {why}"
            );
            eprintln!("skipping live test: {why}");
            return None;
        }
    };
    let c = Container::boot(env, label, Duration::from_secs(300));
    install_supervisor(&c, &supervisor);
    c.write(
        &format!("/tmp/{SUPERLANCE}"),
        &std::fs::read(&superlance).unwrap(),
        0o644,
    );
    c.sh_ok(&format!(
        "python3.11 -m zipfile -e /tmp/{SUPERLANCE} /usr/local/lib/python3.11/dist-packages && rm /tmp/{SUPERLANCE}"
    ));
    for tool in ["crashmail", "fatalmailbatch", "memmon"] {
        c.write(
            &format!("/usr/local/bin/{tool}"),
            launcher(tool).as_bytes(),
            0o755,
        );
    }
    Some(c)
}

#[test]
fn supervisord_crash_and_fatal_mail() {
    let Some(env) = harness::env() else {
        return;
    };
    let Some(c) = prepare(env, "sup-listeners") else {
        return;
    };
    let tmp = convert(
        CONFIG,
        &[
            "crasher",
            "steady",
            "flapper",
            "crashmail",
            "fatalmailbatch",
        ],
    );
    c.write(CONF, CONFIG.as_bytes(), 0o644);
    c.write(
        "/usr/local/bin/crasher",
        program("crasher", 1, 1001).as_bytes(),
        0o755,
    );
    c.write(
        "/usr/local/bin/steady",
        program("steady", 0, 1002).as_bytes(),
        0o755,
    );
    c.write("/usr/local/bin/flapper", FLAPPER.as_bytes(), 0o755);
    c.write("/usr/sbin/sendmail", SENDMAIL.as_bytes(), 0o755);
    c.write(
        "/usr/local/lib/live-smtp-sink.py",
        SMTP_SINK.as_bytes(),
        0o644,
    );
    c.sh_ok(
        "systemd-run --quiet --unit=live-smtp-sink python3.11 /usr/local/lib/live-smtp-sink.py",
    );
    let mut fail: Vec<String> = Vec::new();

    // supervisord, as Debian's unit runs it.
    reset(&c);
    c.sh_ok(&format!(
        "systemd-run --quiet --collect --unit=live-supervisord -p KillMode=process \
         -p StandardOutput=file:/var/log/live-supervisord.log -p StandardError=inherit \
         /usr/bin/supervisord -n -c {CONF}"
    ));
    let theirs = scenario(&c, "smtp", &|| {
        c.systemctl(&["stop", "live-supervisord.service"]);
    });
    let log = String::from_utf8_lossy(
        &c.read("/var/log/live-supervisord-own.log")
            .unwrap_or_default(),
    )
    .into_owned();
    eprintln!("supervisord's log:\n{log}");
    eprintln!(
        "fatalmailbatch's standard error:\n{}\nthe SMTP sink's journal:\n{}",
        String::from_utf8_lossy(&c.read("/var/log/live-fatalmail.err").unwrap_or_default()),
        c.journal("live-smtp-sink.service")
    );

    // Ours.
    reset(&c);
    c.install_units(&tmp.path().join("units"));
    for u in ["crasher.service", "steady.service", "flapper.service"] {
        c.systemctl(&["start", u]);
    }
    let units = ["crasher.service", "steady.service", "flapper.service"];
    let ours = scenario(&c, "mail", &|| {
        for u in units {
            c.systemctl(&["stop", u]);
        }
    });
    // Which OnFailure= handlers systemd started, once per start.
    let handlers = c.sh(
        "journalctl --no-pager -q -o cat -u 'fatalmail@*' | sed -n 's/^Starting \\(fatalmail@[^ ]*\\).*/\\1/p'",
    );
    eprintln!(
        "flapper.service's journal:\n{}\nfatalmail@flapper.service.service's journal:\n{}",
        c.journal("flapper.service"),
        c.journal("fatalmail@flapper.service.service")
    );
    let crasher_log = c.journal("crasher.service");
    eprintln!("crasher.service's journal:\n{crasher_log}");
    let stop_posts = crasher_log
        .lines()
        .filter(|l| l.contains("Scheduled restart job"))
        .count();

    for (side, s) in [("supervisord", &theirs), ("ours", &ours)] {
        eprintln!(
            "{side}: runs {:?}; crash mails {:?}; gave-up mails {:?}",
            s.runs,
            subjects(&s.crash),
            subjects(&s.fatal)
        );
        for m in s.crash.iter().chain(&s.fatal) {
            eprintln!(
                "  --- {:?}\n{}",
                m.headers,
                m.body.lines().take(3).collect::<Vec<_>>().join("\n")
            );
        }
        let crash_to: Vec<&str> = s
            .crash
            .iter()
            .map(|m| m.headers.get("to").map_or("", String::as_str))
            .collect();
        if crash_to != ["ops@example.com"; 3] {
            fail.push(format!(
                "{side}: {} crash mail(s) to {crash_to:?}, meant 3 to ops@example.com (two exits 1 and one SIGTERM of crasher)",
                s.crash.len()
            ));
        }
        if !subjects(&s.crash)
            .iter()
            .all(|x| x.starts_with("[live]: crasher"))
        {
            fail.push(format!(
                "{side}: crash mail subjects {:?}, meant `[live]: crasher … crashed at …`",
                subjects(&s.crash)
            ));
        }
        let fatal_to: Vec<&str> = s
            .fatal
            .iter()
            .map(|m| m.headers.get("to").map_or("", String::as_str))
            .collect();
        let about_flapper = s.fatal.iter().all(|m| {
            m.body.contains("flapper")
                || m.headers
                    .get("subject")
                    .is_some_and(|x| x.contains("flapper"))
        });
        if fatal_to != ["ops@example.com"] || !about_flapper {
            fail.push(format!(
                "{side}: gave-up mails {:?} to {fatal_to:?}, meant one about flapper to ops@example.com",
                subjects(&s.fatal)
            ));
        }
        if s.runs.get("crasher") != Some(&4) || s.runs.get("steady") != Some(&3) {
            fail.push(format!(
                "{side}: runs {:?}, meant crasher 4 (two exits 1, one SIGTERM) and steady 3",
                s.runs
            ));
        }
    }
    if ours
        .fatal
        .iter()
        .any(|m| m.headers.get("from").map(String::as_str) != Some("supervisor@example.com"))
    {
        fail.push("ours: the gave-up mail is not from --fromEmail".to_string());
    }
    // OnFailure= started the handler once, for flapper: never for crasher, which restarted.
    let handlers: Vec<&str> = handlers.stdout.lines().collect();
    eprintln!(
        "ours: OnFailure= handlers started {handlers:?}; crasher.service restarted {stop_posts} time(s) by Restart="
    );
    if handlers != ["fatalmail@flapper.service.service"] {
        fail.push(format!(
            "ours: OnFailure= handlers {handlers:?}, meant fatalmail@flapper.service.service only"
        ));
    }
    let units_text = std::fs::read_to_string(tmp.path().join("units/crasher.service")).unwrap();
    eprintln!("crasher.service:\n{units_text}");
    assert!(fail.is_empty(), "{}", fail.join("\n"));
}

/// superlance `memmon -p hog=64MB` → `MemoryMax=64M` with a restart: a program that allocates
/// 128 MiB on its first run is restarted on both sides (memmon: RSS above the limit at a
/// `TICK_5`, through supervisord's API; ours: the kernel's OOM kill at `MemoryMax=`, then
/// `Restart=on-failure`, which the conversion adds as the program had `autorestart=false`); the
/// second run stays. The container has no `ps`, which memmon reads the RSS with: a stand-in
/// answers `ps -orss= -p PID` from /proc. Our side's kill needs the memory controller in the
/// container, which only a cgroup v2 host delegates: on a v1 (hybrid) host only what systemd
/// read is checked (and a v2 host without it in the container fails).
#[test]
fn supervisord_memmon_restart() {
    let Some(env) = harness::env() else {
        return;
    };
    let Some(c) = prepare(env, "sup-memmon") else {
        return;
    };
    let config = "[unix_http_server]\nfile=/run/live-supervisor.sock\n\n[supervisord]\n\
        logfile=/var/log/live-supervisord-own.log\n\n[rpcinterface:supervisor]\n\
        supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n\
        [supervisorctl]\nserverurl=unix:///run/live-supervisor.sock\n\n[program:hog]\n\
        command=/usr/local/bin/hog\nautorestart=false\nstartsecs=1\n\n[eventlistener:memmon]\n\
        command=/usr/local/bin/memmon -p hog=64MB\nevents=TICK_5\n";
    let tmp = convert(config, &["hog", "memmon"]);
    let unit = std::fs::read_to_string(tmp.path().join("units/hog.service")).unwrap();
    eprintln!("hog.service:\n{unit}");
    let hog = format!(
        "#!/usr/bin/python3.11\nimport os, time\np = '{MAILS}/hog.runs'\n\
         n = int(open(p).read()) + 1 if os.path.exists(p) else 1\nopen(p, 'w').write(str(n))\n\
         if n == 1:\n    b = bytearray(128 << 20)\n    for i in range(0, len(b), 4096):\n        b[i] = 1\n\
         while True:\n    time.sleep(1)\n"
    );
    c.write(CONF, config.as_bytes(), 0o644);
    c.write("/usr/local/bin/hog", hog.as_bytes(), 0o755);
    c.write(
        "/usr/bin/ps",
        b"#!/bin/sh\n# ps -orss= -p PID: the resident size in KiB, as memmon reads it\n\
          awk '/^VmRSS:/ {print $2}' /proc/$3/status\n",
        0o755,
    );
    let mut fail = Vec::new();

    reset(&c);
    c.sh_ok(&format!(
        "systemd-run --quiet --collect --unit=live-supervisord -p KillMode=process \
         -p StandardOutput=file:/var/log/live-supervisord.log -p StandardError=inherit \
         /usr/bin/supervisord -n -c {CONF}"
    ));
    let theirs = wait_for("supervisord's memmon restart", 30, || runs(&c, "hog") >= 2);
    std::thread::sleep(Duration::from_secs(6));
    let their_runs = runs(&c, "hog");
    c.systemctl(&["stop", "live-supervisord.service"]);
    let log = String::from_utf8_lossy(
        &c.read("/var/log/live-supervisord-own.log")
            .unwrap_or_default(),
    )
    .into_owned();
    eprintln!("supervisord's log:\n{log}");

    // MemoryMax= needs the memory controller in the container's cgroup: nspawn delegates it on
    // a cgroup v2 host; a v1 (hybrid) host keeps it, and then only supervisord's side can be
    // checked here.
    let controllers = c.sh("cat /sys/fs/cgroup/cgroup.controllers").stdout;
    if !controllers.split_whitespace().any(|w| w == "memory") {
        let host_v2 = std::fs::read_to_string("/sys/fs/cgroup/cgroup.controllers")
            .is_ok_and(|t| t.split_whitespace().any(|w| w == "memory"));
        assert!(
            !host_v2,
            "the host has the cgroup v2 memory controller, the container not ({controllers:?})"
        );
        eprintln!(
            "memmon: supervisord ran hog {their_runs} time(s); systemd's kill and restart at the limit NOT CHECKED: this \
             host has cgroup v1 (hybrid), so the container's systemd has no memory controller \
             and MemoryMax= has no effect in it"
        );
        assert!(
            theirs && their_runs == 2,
            "supervisord ran hog {their_runs} time(s), meant 2 (memmon's restart)"
        );
        // What systemd read, at least.
        c.install_units(&tmp.path().join("units"));
        let shown = c.show("hog.service", &["MemoryMax", "MemorySwapMax", "Restart"]);
        eprintln!("hog.service as systemd read it: {shown:?}");
        assert_eq!(
            [
                &shown["MemoryMax"],
                &shown["MemorySwapMax"],
                &shown["Restart"]
            ],
            ["67108864", "0", "on-failure"]
        );
        return;
    }
    reset(&c);
    c.install_units(&tmp.path().join("units"));
    c.systemctl(&["start", "hog.service"]);
    let ours = wait_for("systemd's restart", 30, || runs(&c, "hog") >= 2);
    std::thread::sleep(Duration::from_secs(3));
    let our_runs = runs(&c, "hog");
    let shown = c.show(
        "hog.service",
        &["MemoryMax", "NRestarts", "ActiveState", "SubState"],
    );
    let journal = c.journal("hog.service");
    c.systemctl(&["stop", "hog.service"]);
    eprintln!("hog.service: {shown:?}\n{journal}");
    eprintln!("memmon: supervisord ran hog {their_runs} time(s), systemd {our_runs}");
    if !theirs || their_runs != 2 {
        fail.push(format!(
            "supervisord ran hog {their_runs} time(s), meant 2 (memmon's restart)"
        ));
    }
    if !ours || our_runs != 2 || shown.get("NRestarts").map(String::as_str) != Some("1") {
        fail.push(format!(
            "systemd ran hog {our_runs} time(s) ({shown:?}), meant 2: one restart"
        ));
    }
    if shown.get("MemoryMax").map(String::as_str) != Some("67108864") {
        fail.push(format!(
            "MemoryMax is {:?}, meant 64 MiB",
            shown.get("MemoryMax")
        ));
    }
    if !journal.contains("oom") && !journal.contains("OOM") {
        fail.push("the journal shows no OOM kill".to_string());
    }
    assert!(fail.is_empty(), "{}", fail.join("\n"));
}
