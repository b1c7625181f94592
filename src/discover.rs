//! Discovery for `scan`: every legacy definition on a host (or a copy mounted with `--root`).

use crate::host::Host;

/// The host paths `scan` converts, in a stable order: `/etc/crontab`, `/etc/cron.d/*`, the
/// per-user spools (`/var/spool/cron/crontabs/*` on Debian, `/var/spool/cron/*` on cronie),
/// `/etc/anacrontab`, the periodic directories `/etc/cron.{hourly,daily,weekly,monthly,yearly}`
/// `/etc/init.d/*` (their `rc?.d` links and `/etc/default` files are read while
/// converting), and supervisord's main configuration, `/etc/supervisor/supervisord.conf`
/// (Debian) or `/etc/supervisord.conf` (RHEL), whose includes are read with it. A periodic directory is converted through the crontab or anacrontab line that
/// runs it, and skipped when none does.
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
        if dir == "/etc/init.d" {
            if file("/etc/anacrontab") {
                out.push("/etc/anacrontab".to_string());
            }
            for period in ["hourly", "daily", "weekly", "monthly", "yearly"] {
                let path = format!("/etc/cron.{period}");
                if host.local(&path).is_dir() {
                    out.push(path);
                }
            }
        }
        for name in host.list_dir(dir) {
            let path = format!("{dir}/{name}");
            if file(&path) {
                out.push(path);
            }
        }
    }
    for conf in ["/etc/supervisor/supervisord.conf", "/etc/supervisord.conf"] {
        if file(conf) {
            out.push(conf.to_string());
        }
    }
    for dump in pm2_dumps(host) {
        out.push(dump);
    }
    out
}

/// PM2's `dump.pm2` files (`pm2 save`): `/root/.pm2/dump.pm2`, `/home/*/.pm2/dump.pm2`, and
/// `HOME/.pm2/dump.pm2` for every home the host's `/etc/passwd` lists; each once, sorted.
fn pm2_dumps(host: &Host) -> Vec<String> {
    let mut homes: Vec<String> = vec!["/root".to_string()];
    homes.extend(
        host.list_dir("/home")
            .into_iter()
            .map(|u| format!("/home/{u}")),
    );
    let passwd =
        String::from_utf8_lossy(&host.read("/etc/passwd").unwrap_or_default()).into_owned();
    homes.extend(
        passwd
            .lines()
            .filter_map(|l| l.split(':').nth(5))
            .filter(|h| h.starts_with('/') && *h != "/")
            .map(|h| h.trim_end_matches('/').to_string()),
    );
    let mut dumps: Vec<String> = homes
        .into_iter()
        .map(|h| format!("{h}/.pm2/dump.pm2"))
        .filter(|p| host.local(p).is_file())
        .collect();
    dumps.sort();
    dumps.dedup();
    dumps
}
