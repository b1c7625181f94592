//! The stand-in daemon of the live tests. The harness compiles this file on its own with `rustc`
//! (static, std only) and copies the binary into the container at every path a unit or a legacy
//! script runs; the test crate also includes it as a module so that fmt and clippy see it.
//!
//! On start it writes what it was given — argv, environment, working directory, credentials,
//! umask, limits, nice value, where its standard streams point, and (in `exit` mode) its standard
//! input — to `/var/lib/live-recorder/<nanos>-<pid>.rec`, one `name hex-bytes` line per item.
//! Then it does what `/etc/live-recorder.conf` says for its own path (`PATH MODE [OPTION…]`):
//! - `exit` (default): exit 0, like a cron job's program;
//! - `sleep`: stay in the foreground until SIGTERM, SIGINT or SIGQUIT, like a `--no-detach` daemon
//!   (or exit, a crash, once `/var/lib/live-recorder/crash/<its pid>` exists: with the code it
//!   holds, 1 when empty);
//! - `fork`: fork, the parent exits 0 and the child (in a new session) writes the pid file and
//!   sleeps, like a classic forking daemon (the parent writes the child's pid first). `pidfile=PATH` names the file, `pidfile-after=FLAG`
//!   takes it from the argument after FLAG.
//!
//! A `sleep` or `fork` daemon ended by a signal writes its number to
//! `/var/lib/live-recorder/<pid>.sig`, then exits 0 (or, while
//! `/etc/live-recorder.die-by-signal` exists, dies of the signal).
//!
//!   `foreground-if-daemonized` (OpenSSH's sshd): when the parent is PID 1, the process leads
//!   its session and has no terminal (how systemd starts a service), it does not fork but writes
//!   the pid file itself and stays in the foreground. `user-after=FLAG` (named's `-u bind`): the
//!   child switches to the user named after FLAG (uid and gid from `/etc/passwd`) and then
//!   writes the pid file itself; when it cannot, it exits 1, and so does the parent.
//!
//! Options for every mode: `exit-if=ARG` exits 0 at once (after recording) when ARG is one of the
//! arguments (a daemon's `-t` configuration test); `fail-if=ARG` exits 1 the same way (a client's
//! `-c` check that finds nothing connected); `say=TEXT` prints TEXT on standard output;
//! `ends-on=N` makes signal N (1, 10 or 12, otherwise ignored) end a `sleep` or `fork` daemon
//! like SIGTERM.

use std::io::{Read, Write};

unsafe extern "C" {
    fn fork() -> i32;
    fn setsid() -> i32;
    fn getpid() -> i32;
    fn signal(sig: i32, handler: usize) -> usize;
    fn _exit(code: i32) -> !;
    fn dup2(old: i32, new: i32) -> i32;
    fn raise(sig: i32) -> i32;
    fn getppid() -> i32;
    fn getsid(pid: i32) -> i32;
    fn setuid(uid: u32) -> i32;
    fn setgid(gid: u32) -> i32;
    fn setgroups(size: usize, list: *const u32) -> i32;
}

/// uid and gid of `name` in /etc/passwd.
fn passwd_ids(name: &str) -> Option<(u32, u32)> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.first() == Some(&name) && f.len() > 3)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
            .flatten()
    })
}

/// Whether this process already is a daemon, as OpenSSH's `daemonized()` decides it.
fn daemonized() -> bool {
    let tty = std::fs::File::open("/dev/tty").is_ok();
    !tty && unsafe { getppid() } == 1 && unsafe { getsid(0) } == unsafe { getpid() }
}

const RECORDS: &str = "/var/lib/live-recorder";
const CONFIG: &str = "/etc/live-recorder.conf";

/// A stopped `sleep` daemon leaves `<pid>.sig` with the number of the signal that ended it,
/// then exits 0, or dies of the signal while `/etc/live-recorder.die-by-signal` exists.
extern "C" fn leave(sig: i32) {
    let pid = unsafe { getpid() };
    let _ = std::fs::write(format!("{RECORDS}/{pid}.sig"), sig.to_string());
    if std::path::Path::new("/etc/live-recorder.die-by-signal").exists() {
        // Blocked while this handler runs: delivered, with the default action, on return.
        unsafe {
            signal(sig, 0);
            raise(sig);
        }
        return;
    }
    unsafe { _exit(0) }
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

fn item(out: &mut String, name: &str, data: &[u8]) {
    out.push_str(name);
    out.push(' ');
    out.push_str(&hex(data));
    out.push('\n');
}

fn link(path: &str) -> Vec<u8> {
    std::fs::read_link(path)
        .map(|p| p.into_os_string().into_encoded_bytes())
        .unwrap_or_default()
}

/// Writes the record of this process; `stdin` only for modes that end (a daemon's standard
/// input may never reach end of file).
fn record(mode: &str, stdin: Option<&[u8]>) {
    let mut out = String::new();
    for f in ["cmdline", "environ", "status", "limits", "stat"] {
        item(
            &mut out,
            f,
            &std::fs::read(format!("/proc/self/{f}")).unwrap_or_default(),
        );
    }
    item(&mut out, "cwd", &link("/proc/self/cwd"));
    item(&mut out, "exe", &link("/proc/self/exe"));
    for n in 0..3 {
        item(
            &mut out,
            &format!("fd{n}"),
            &link(&format!("/proc/self/fd/{n}")),
        );
    }
    item(&mut out, "mode", mode.as_bytes());
    if let Some(data) = stdin {
        item(&mut out, "stdin", data);
    }
    let pid = unsafe { getpid() };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp = format!("{RECORDS}/.{nanos}-{pid}.tmp");
    let done = format!("{RECORDS}/{nanos}-{pid}.rec");
    if std::fs::write(&tmp, out).is_ok() {
        let _ = std::fs::rename(&tmp, &done);
    } else {
        eprintln!("live-recorder: cannot write {tmp}");
    }
}

fn sleep_forever(ends_on: &[i32]) -> ! {
    unsafe {
        // SIGTERM, SIGINT, SIGQUIT end it cleanly (no core file); SIGHUP, SIGUSR1, SIGUSR2
        // (reloads) are ignored, unless `ends-on=N` names one (atop ends on SIGUSR2).
        for sig in [15, 2, 3] {
            signal(sig, leave as *const () as usize);
        }
        for sig in [1, 10, 12] {
            if ends_on.contains(&sig) {
                signal(sig, leave as *const () as usize);
            } else {
                signal(sig, 1);
            }
        }
    }
    // A crash on demand: once `crash/<pid>` exists under the records, exit with the code it
    // holds (1 when empty).
    let crash = format!("{RECORDS}/crash/{}", std::process::id());
    loop {
        std::thread::sleep(std::time::Duration::from_millis(100));
        if let Ok(text) = std::fs::read_to_string(&crash) {
            unsafe { _exit(text.trim().parse().unwrap_or(1)) }
        }
    }
}

pub fn main() {
    let exe = String::from_utf8_lossy(&link("/proc/self/exe")).into_owned();
    let args: Vec<String> = std::env::args().collect();
    let config = std::fs::read_to_string(CONFIG).unwrap_or_default();
    let words: Vec<&str> = config
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.first() == Some(&exe.as_str()))
        .unwrap_or_default();
    let mode = words.get(1).copied().unwrap_or("exit");
    let option = |key: &str| -> Vec<&str> {
        words
            .iter()
            .skip(2)
            .filter_map(|w| w.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
            .collect()
    };
    for text in option("say") {
        println!("{text}");
    }
    let ends_on: Vec<i32> = option("ends-on")
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect();
    let config_test = option("exit-if")
        .iter()
        .any(|a| args[1..].iter().any(|x| x == a));
    let check_fails = option("fail-if")
        .iter()
        .any(|a| args[1..].iter().any(|x| x == a));
    if check_fails {
        record("fail-if", Some(&[]));
        let _ = std::io::stdout().flush();
        std::process::exit(1);
    }
    if mode == "exit" || config_test {
        let mut input = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut input);
        record(if config_test { "exit-if" } else { mode }, Some(&input));
        let _ = std::io::stdout().flush();
        return;
    }
    if mode == "fork" {
        let pidfile = option("pidfile")
            .first()
            .map(|s| s.to_string())
            .or_else(|| {
                let flag = option("pidfile-after").first().copied()?;
                let at = args.iter().position(|a| a == flag)?;
                args.get(at + 1).cloned()
            });
        let _ = std::io::stdout().flush();
        if words.contains(&"foreground-if-daemonized") && daemonized() {
            if let Some(p) = &pidfile {
                let _ = std::fs::write(p, format!("{}\n", unsafe { getpid() }));
            }
            record(mode, None);
            sleep_forever(&ends_on);
        }
        let drop_to = option("user-after").first().and_then(|flag| {
            let at = args.iter().position(|a| a == flag)?;
            passwd_ids(args.get(at + 1)?)
        });
        if drop_to.is_some()
            && let Some(p) = &pidfile
        {
            let _ = std::fs::remove_file(p);
        }
        let child = unsafe { fork() };
        if child != 0 {
            // The pid file is there before the parent exits, as systemd's Type=forking and
            // start-stop-daemon expect of a well-behaved daemon.
            if drop_to.is_some() {
                // The child writes it, as its user: wait for it.
                let p = pidfile.unwrap_or_default();
                for _ in 0..50 {
                    if std::path::Path::new(&p).exists() {
                        unsafe { _exit(0) }
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                unsafe { _exit(1) }
            }
            if let Some(p) = pidfile
                && let Err(e) = std::fs::write(&p, format!("{child}\n"))
            {
                eprintln!("live-recorder: cannot write pid file {p}: {e}");
            }
            unsafe { _exit(0) }
        }
        unsafe { setsid() };
        if let Some((uid, gid)) = drop_to {
            let ok = unsafe { setgroups(1, &gid) == 0 && setgid(gid) == 0 && setuid(uid) == 0 };
            if !ok {
                eprintln!("live-recorder: cannot switch to uid {uid}");
                unsafe { _exit(1) }
            }
            let me = unsafe { getpid() };
            if let Some(p) = &pidfile
                && let Err(e) = std::fs::write(p, format!("{me}\n"))
            {
                eprintln!("live-recorder: cannot write pid file {p} as uid {uid}: {e}");
                unsafe { _exit(1) }
            }
        }
        record(mode, None);
        // A forking daemon lets go of the terminal or pipe it was started from.
        if let Ok(null) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
        {
            use std::os::fd::AsRawFd;
            for n in 0..3 {
                unsafe { dup2(null.as_raw_fd(), n) };
            }
        }
        sleep_forever(&ends_on);
    }
    record(mode, None);
    sleep_forever(&ends_on);
}
