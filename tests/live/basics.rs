//! The harness itself: systemd is PID 1 inside, the host is left alone, and the figures.

use crate::harness::{self, Container};
use std::time::{Duration, Instant};

/// What nspawn or the harness could leave in the host's /run: nspawn's state directories and
/// anything named after the harness.
fn host_run_traces() -> Vec<String> {
    let mut v = Vec::new();
    for dir in [
        "/run/systemd/nspawn",
        "/run/systemd/machines",
        "/run/systemdify-live",
    ] {
        if let Ok(rd) = std::fs::read_dir(dir) {
            v.push(dir.to_string());
            v.extend(rd.flatten().map(|e| e.path().display().to_string()));
        }
    }
    if let Ok(rd) = std::fs::read_dir("/run") {
        v.extend(
            rd.flatten()
                .map(|e| e.path().display().to_string())
                .filter(|p| p.contains("sdl-") || p.contains("live")),
        );
    }
    v.sort();
    v
}

#[test]
fn systemd_runs_as_pid_1_and_the_host_is_left_alone() {
    let Some(env) = harness::env() else {
        return;
    };
    eprintln!(
        "live: prepared in {:.1} s ({}); root {}",
        env.prepare_secs,
        if env.built_rootfs {
            "container root built now"
        } else {
            "cached container root"
        },
        env.rootfs.display()
    );
    let host_run = host_run_traces();
    let host_devnull = std::fs::metadata("/dev/null")
        .map(|m| {
            use std::os::unix::fs::MetadataExt;
            (m.uid(), m.gid(), m.mode())
        })
        .ok();
    let started = Instant::now();
    let c = Container::boot(env, "basics", Duration::from_secs(60));
    let comm = c.sh_ok("cat /proc/1/comm");
    assert_eq!(comm.trim(), "systemd");
    let state = c.systemctl(&["is-system-running"]).stdout;
    assert!(
        ["running", "degraded"].contains(&state.trim()),
        "state {state}"
    );
    // A unit that runs as another user, in a directory, with a umask and a limit.
    c.stand_in("/usr/sbin/probed", "sleep");
    c.write(
        "/etc/systemd/system/probe.service",
        b"[Service]\nUser=nobody\nWorkingDirectory=/tmp\nUMask=0027\nLimitNOFILE=777\n\
          Environment=PROBE=1\nExecStart=/usr/sbin/probed one two\n",
        0o644,
    );
    c.daemon_reload();
    assert!(c.systemctl(&["start", "probe.service"]).ok());
    let main: u32 = c.show("probe.service", &["MainPID"])["MainPID"]
        .parse()
        .unwrap();
    let p = c.process(main).expect("the service's process");
    assert_eq!(p.argv, ["/usr/sbin/probed", "one", "two"]);
    assert_eq!(p.uid[0], 65534);
    assert_eq!(p.cwd, "/tmp");
    assert_eq!(p.umask, "0027");
    assert_eq!(p.limits["Max open files"], "777 777");
    assert_eq!(p.env.get("PROBE").map(String::as_str), Some("1"));
    let cycle = started.elapsed().as_secs_f64();
    eprintln!(
        "live: boot to `running` {:.2} s; boot, install, start, inspect {cycle:.2} s",
        c.boot_secs
    );
    drop(c);
    // The container kept its state in its own /run and made its own /dev.
    assert_eq!(host_run_traces(), host_run, "the host's /run changed");
    let devnull = std::fs::metadata("/dev/null")
        .map(|m| {
            use std::os::unix::fs::MetadataExt;
            (m.uid(), m.gid(), m.mode())
        })
        .ok();
    assert_eq!(devnull, host_devnull, "the host's /dev/null changed");
}
