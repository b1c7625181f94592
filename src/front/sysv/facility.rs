//! LSB facilities and script names → systemd units, and the early-boot scripts whose job
//! systemd does itself.
//!
//! The table follows systemd-sysv-generator (`sysv_translate_facility`) and then does better
//! where it wrote units that exist on no systemd host: those are reported instead.

/// What a name in a dependency header means on a systemd host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dep {
    /// A unit to order against.
    Unit(String),
    /// Covered by systemd's default dependencies (`$local_fs`, `$syslog`): nothing to write.
    Implied,
    /// A name that exists on no systemd host; reported, not written.
    Missing(String),
    /// The script's own name.
    Itself,
}

/// The target a facility maps to, as the generator decided it.
fn facility_target(name: &str) -> Option<&'static str> {
    Some(match name {
        "network" => "network-online.target",
        "named" => "nss-lookup.target",
        "portmap" => "rpcbind.target",
        "remote_fs" => "remote-fs.target",
        "time" => "time-sync.target",
        _ => return None,
    })
}

/// Debian early-boot scripts (rcS) that systemd replaced; as dependencies they mean nothing on
/// a systemd host, and as scripts they are skipped. Each with what does the job now.
pub const SUPERSEDED: &[(&str, &str)] = &[
    (
        "rc.local",
        "rc-local.service (systemd-rc-local-generator; removed in systemd v260 — move /etc/rc.local's commands into a oneshot unit)",
    ),
    ("rc", "systemd itself (runlevel switching)"),
    ("rcS", "systemd itself (early boot)"),
    ("urandom", "systemd-random-seed.service"),
    ("kmod", "systemd-modules-load.service (/etc/modules-load.d)"),
    ("module-init-tools", "systemd-modules-load.service"),
    ("procps", "systemd-sysctl.service (/etc/sysctl.d)"),
    (
        "hostname",
        "systemd (PID 1 sets the host name from /etc/hostname)",
    ),
    ("hwclock", "systemd-timedated and the kernel's RTC handling"),
    ("mountall", "local-fs.target (fstab → mount units)"),
    ("mountall-bootclean", "systemd-tmpfiles-setup.service"),
    ("mountnfs", "remote-fs.target (fstab → mount units)"),
    ("mountnfs-bootclean", "systemd-tmpfiles-setup.service"),
    ("mountkernfs", "systemd's built-in API file system mounts"),
    ("mountdevsubfs", "systemd's built-in API file system mounts"),
    ("checkroot", "systemd-fsck-root.service"),
    ("checkroot-bootclean", "systemd-tmpfiles-setup.service"),
    ("checkfs", "systemd-fsck@.service"),
    ("bootlogs", "systemd-journald.service"),
    (
        "bootmisc",
        "systemd-tmpfiles-setup.service and systemd-update-utmp.service",
    ),
    ("brightness", "systemd-backlight@.service"),
    ("cryptdisks", "systemd-cryptsetup-generator (/etc/crypttab)"),
    (
        "cryptdisks-early",
        "systemd-cryptsetup-generator (/etc/crypttab)",
    ),
    (
        "mtab",
        "systemd (/etc/mtab is a symlink to /proc/self/mounts)",
    ),
    ("killprocs", "systemd's shutdown logic"),
    ("sendsigs", "systemd's shutdown logic"),
    ("umountfs", "systemd's shutdown logic (umount.target)"),
    ("umountnfs", "systemd's shutdown logic (umount.target)"),
    ("umountroot", "systemd-shutdown"),
    ("halt", "systemd's poweroff.target"),
    ("reboot", "systemd's reboot.target"),
    ("single", "rescue.target"),
    ("rmnologin", "systemd-user-sessions.service"),
    ("motd", "pam_motd / the update-motd framework"),
    ("udev", "systemd-udevd.service (part of systemd)"),
    ("udev-finish", "systemd-udev-trigger.service"),
    (
        "keyboard-setup",
        "keyboard-setup.service or systemd-vconsole-setup.service",
    ),
    (
        "console-setup",
        "console-setup.service or systemd-vconsole-setup.service",
    ),
    (
        "lvm2",
        "lvm2-monitor.service and the lvm2 activation generator",
    ),
    (
        "networking",
        "networking.service (ifupdown) or systemd-networkd",
    ),
    (
        "sudo",
        "nothing: sudo's time stamps live on /run, a tmpfs emptied at every boot",
    ),
    ("x11-common", "systemd-tmpfiles (/tmp/.X11-unix)"),
];

/// What supersedes the script called `name` (`.sh` already stripped), if systemd does its job.
#[must_use]
pub fn superseded(name: &str) -> Option<&'static str> {
    SUPERSEDED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, what)| *what)
}

/// Names (facilities or scripts) with no counterpart on any systemd host.
fn missing_everywhere(name: &str) -> bool {
    matches!(
        name,
        "$all" | "$x-display-manager" | "$x-font-server" | "$mail-transport-agent"
    ) || (!name.starts_with('$')
        && superseded(name).is_some()
        && !matches!(name, "udev" | "networking" | "lvm2" | "rc.local"))
}

/// Whether `name` (without `$`) is one of the LSB facilities systemd-sysv-generator knows.
#[must_use]
pub fn is_facility(name: &str) -> bool {
    let n = name.trim_start_matches('$');
    facility_target(n).is_some() || matches!(n, "local_fs" | "syslog")
}

/// Maps one dependency name from an LSB header. `own` is the script's unit stem (its own name
/// and the names it provides are dropped).
#[must_use]
pub fn translate(name: &str, own: &[String]) -> Dep {
    let bare = name.trim_end_matches(".sh");
    if own.iter().any(|o| o == bare) {
        return Dep::Itself;
    }
    if missing_everywhere(bare) {
        return Dep::Missing(name.to_string());
    }
    // The generator reads the well-known facilities with or without their `$`.
    let facility = bare
        .strip_prefix('$')
        .or_else(|| is_facility(bare).then_some(bare));
    if let Some(f) = facility {
        return match f {
            "local_fs" | "syslog" => Dep::Implied,
            _ => match facility_target(f) {
                Some(t) => Dep::Unit(t.to_string()),
                // Any other `$x` is a target the generator wrote as `x.target`; keep it (a
                // package may ship one), unless it is one of the well-known missing ones.
                None => Dep::Unit(format!("{f}.target")),
            },
        };
    }
    Dep::Unit(format!("{bare}.service"))
}

/// The targets a runlevel starts on a systemd host (generator: rc1 → rescue, rc2–4 →
/// multi-user, rc5 → graphical; `S` is early boot → sysinit).
#[must_use]
pub fn runlevel_target(level: &str) -> Option<&'static str> {
    Some(match level {
        "1" => "rescue.target",
        "2" | "3" | "4" => "multi-user.target",
        "5" => "graphical.target",
        "S" | "s" => "sysinit.target",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facilities_map_like_the_generator_or_are_reported() {
        let own = vec!["ssh".to_string(), "sshd".to_string()];
        assert_eq!(
            translate("$network", &own),
            Dep::Unit("network-online.target".into())
        );
        assert_eq!(translate("$syslog", &own), Dep::Implied);
        assert_eq!(translate("$all", &own), Dep::Missing("$all".into()));
        assert_eq!(
            translate("mountkernfs", &own),
            Dep::Missing("mountkernfs".into())
        );
        assert_eq!(translate("sshd", &own), Dep::Itself);
        assert_eq!(
            translate("autofs", &own),
            Dep::Unit("autofs.service".into())
        );
        assert_eq!(
            translate("$mytarget", &own),
            Dep::Unit("mytarget.target".into())
        );
    }
}
