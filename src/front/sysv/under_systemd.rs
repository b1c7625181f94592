//! What known daemons do when systemd starts them, where that differs from what they do when an
//! init script starts them: the script alone cannot tell.

/// A daemon that detaches when an init script starts it, but stays in the foreground when its
/// parent is PID 1, it leads its own session and it has no controlling terminal — which is how
/// systemd starts every service. A `Type=forking` unit for it waits for a fork that never
/// comes and the start times out.
pub(super) struct StaysInForeground {
    /// The executable's file name.
    pub program: &'static str,
    /// Why, in the daemon's own terms.
    pub why: &'static str,
}

/// The daemons known to stay in the foreground under systemd.
const STAYS_IN_FOREGROUND: &[StaysInForeground] = &[StaysInForeground {
    program: "sshd",
    why: "OpenSSH's sshd does not detach when it is already a daemon: parent PID 1, session leader, no terminal (`daemonized()` in sshd.c)",
}];

/// The entry for `program` (a path or a name) when it stays in the foreground under systemd.
pub(super) fn stays_in_foreground(program: &str) -> Option<&'static StaysInForeground> {
    let base = program.rsplit('/').next().unwrap_or(program);
    STAYS_IN_FOREGROUND.iter().find(|d| d.program == base)
}

/// A monitor that an init script starts in place of the daemon: it runs the daemon in the
/// foreground as its child and starts it again when it ends. Under systemd, systemd is that
/// monitor: the unit runs the daemon itself, in the foreground, with `Restart=always`.
pub(super) struct Monitor {
    /// The monitor's file name.
    pub program: &'static str,
    /// The daemon it runs, when its path option does not name another one: looked up next to
    /// the monitor, then on `PATH`.
    pub daemon: &'static str,
    /// The monitor's option naming the daemon's path.
    pub path_option: &'static str,
    /// The monitor's options that take a value (the path option among them); any other option
    /// before `--` makes the call one this table does not read.
    pub valued_options: &'static [&'static str],
    /// What the monitor adds to the daemon's arguments (the ones after `--`) to keep it in the
    /// foreground.
    pub foreground: &'static [&'static str],
    /// Why, in the monitor's own terms.
    pub why: &'static str,
}

/// The monitors known.
const MONITORS: &[Monitor] = &[Monitor {
    program: "collectdmon",
    daemon: "collectd",
    path_option: "-c",
    valued_options: &["-c", "-P"],
    foreground: &["-f"],
    why: "collectdmon starts collectd with the options after `--` and `-f` (do not fork), and starts it again when it terminates, unless collectdmon was told to shut it down (collectdmon(1); src/collectdmon.c)",
}];

/// The entry for `program` (a path or a name) when it is a monitor of its daemon.
pub(super) fn monitor(program: &str) -> Option<&'static Monitor> {
    let base = program.rsplit('/').next().unwrap_or(program);
    MONITORS.iter().find(|m| m.program == base)
}

/// A control tool whose start command starts the daemon in the background and exits: under
/// systemd the unit runs the daemon itself, with the same options and its foreground option.
pub(super) struct Controller {
    /// The control tool's file name.
    pub program: &'static str,
    /// The tool's start command: the call's last argument.
    pub command: &'static str,
    /// The daemon it starts: looked up next to the tool, then on `PATH`.
    pub daemon: &'static str,
    /// The daemon's option that keeps it in the foreground, written before the command.
    pub foreground: &'static [&'static str],
    /// Why, in the daemon's own terms.
    pub why: &'static str,
}

/// The control tools known.
const CONTROLLERS: &[Controller] = &[Controller {
    program: "fail2ban-client",
    command: "start",
    daemon: "fail2ban-server",
    foreground: &["-f"],
    why: "`fail2ban-client start` starts fail2ban-server in the background (-b, its default) and exits; fail2ban-server takes the same options and the same start command and stays in the foreground with -f (fail2ban-client(1), fail2ban-server(1); fail2ban's own files/fail2ban.service.in runs `fail2ban-server -xf start`)",
}];

/// The entry for `program` (a path or a name) when it is a control tool that starts its daemon.
pub(super) fn controller(program: &str) -> Option<&'static Controller> {
    let base = program.rsplit('/').next().unwrap_or(program);
    CONTROLLERS.iter().find(|c| c.program == base)
}

#[cfg(test)]
mod tests {
    use super::{controller, monitor, stays_in_foreground};

    #[test]
    fn fail2ban_client_starts_fail2ban_server() {
        let c = controller("/usr/bin/fail2ban-client").expect("fail2ban-client");
        assert_eq!(c.daemon, "fail2ban-server");
        assert_eq!(c.command, "start");
        assert!(controller("/usr/bin/fail2ban-server").is_none());
    }

    #[test]
    fn collectdmon_is_a_monitor_and_collectd_is_not() {
        let m = monitor("/usr/sbin/collectdmon").expect("collectdmon");
        assert_eq!(m.daemon, "collectd");
        assert_eq!(m.foreground, &["-f"]);
        assert!(monitor("/usr/sbin/collectd").is_none());
        assert!(monitor("sshd").is_none());
    }

    #[test]
    fn sshd_by_path_or_name_and_nothing_else() {
        assert!(stays_in_foreground("/usr/sbin/sshd").is_some());
        assert!(stays_in_foreground("sshd").is_some());
        assert!(stays_in_foreground("/usr/sbin/named").is_none());
        assert!(stays_in_foreground("/usr/sbin/sshd-session").is_none());
    }
}
