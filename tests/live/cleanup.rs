//! Nothing outlives a live test: not when it fails, not when its guard never runs.

use crate::harness::{self, Container};
use std::time::{Duration, Instant};

/// A test that fails (panics) with a booted container, a running service and a process started
/// from outside (as the legacy side starts daemons) leaves no container, process, cgroup or
/// mount behind.
#[test]
fn a_failing_test_leaves_nothing_behind() {
    let Some(env) = harness::env() else {
        return;
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let failing = std::thread::spawn(move || {
        let c = Container::boot(env, "failing-test", Duration::from_secs(120));
        c.stand_in("/usr/sbin/leftoverd", "sleep");
        c.stand_in("/usr/sbin/detachedd", "fork");
        c.write(
            "/etc/systemd/system/leftoverd.service",
            b"[Service]\nExecStart=/usr/sbin/leftoverd\n",
            0o644,
        );
        c.daemon_reload();
        assert!(c.systemctl(&["start", "leftoverd.service"]).ok());
        let (code, _) = c.run_as_init("/usr/sbin/detachedd");
        assert_eq!(code, Some(0));
        c.sh_ok("setsid /usr/sbin/leftoverd >/dev/null 2>&1 < /dev/null &");
        let traces = c.traces();
        // The check sees a running container, so it would see one left behind.
        let seen = traces.left();
        assert!(
            seen.iter().any(|l| l.contains("cgroup")) && seen.iter().any(|l| l.contains("process")),
            "the leftover check does not see a running container: {seen:?}"
        );
        tx.send(traces).unwrap();
        panic!("a live test fails with its container running");
    });
    assert!(failing.join().is_err(), "the failing test did not fail");
    let traces = rx.recv().expect("the failing test booted its container");
    let left = traces.left();
    assert!(
        left.is_empty(),
        "left behind by {}:\n{}",
        traces.name,
        left.join("\n")
    );
}

/// When a test process dies without running its guards (SIGKILL), the `timeout` cap still ends
/// the container; its empty cgroups are what the next run sweeps.
#[test]
fn the_cap_ends_a_container_whose_guard_never_ran() {
    let Some(env) = harness::env() else {
        return;
    };
    let c = Container::boot(env, "unguarded", Duration::from_secs(10));
    let traces = c.traces();
    std::mem::forget(c);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut left = traces.left();
    while Instant::now() < deadline {
        left = traces.left();
        if left.iter().all(|l| l.starts_with("cgroup ")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    traces.remove_cgroups();
    assert!(
        left.iter().all(|l| l.starts_with("cgroup ")),
        "the cap did not end {}:\n{}",
        traces.name,
        left.join("\n")
    );
    let left = traces.left();
    assert!(left.is_empty(), "{}", left.join("\n"));
}
