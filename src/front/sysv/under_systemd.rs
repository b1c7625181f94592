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

#[cfg(test)]
mod tests {
    use super::stays_in_foreground;

    #[test]
    fn sshd_by_path_or_name_and_nothing_else() {
        assert!(stays_in_foreground("/usr/sbin/sshd").is_some());
        assert!(stays_in_foreground("sshd").is_some());
        assert!(stays_in_foreground("/usr/sbin/named").is_none());
        assert!(stays_in_foreground("/usr/sbin/sshd-session").is_none());
    }
}
