//! Discovery for `scan`: every legacy definition on a host (or a copy mounted with `--root`).

use crate::host::Host;

/// The host paths `scan` converts, in a stable order: `/etc/crontab`, `/etc/cron.d/*`, the
/// per-user spools (`/var/spool/cron/crontabs/*` on Debian, `/var/spool/cron/*` on cronie),
/// `/etc/anacrontab` and `/etc/init.d/*` (their `rc?.d` links and `/etc/default` files are read
/// while converting). The periodic directories come in through the `/etc/crontab` and
/// anacrontab lines that run them.
#[must_use]
pub fn discover(host: &Host) -> Vec<String> {
    let mut out = Vec::new();
    let file = |p: &str| host.local(p).is_file();
    if file("/etc/crontab") {
        out.push("/etc/crontab".to_string());
    }
    for dir in [
        "/etc/cron.d",
        "/var/spool/cron/crontabs",
        "/var/spool/cron",
        "/etc/init.d",
    ] {
        if dir == "/etc/init.d" && file("/etc/anacrontab") {
            out.push("/etc/anacrontab".to_string());
        }
        for name in host.list_dir(dir) {
            let path = format!("{dir}/{name}");
            if file(&path) {
                out.push(path);
            }
        }
    }
    out
}
