//! `dump.pm2` (written by `pm2 save`): one resolved `pm2_env` per running instance, regrouped
//! into one app per name, with the login-shell environment of whoever ran `pm2 start` dropped.
//!
//! Each entry's `env` is that shell's whole environment plus PM2's own keys, and every env key
//! is repeated at the entry's top level. The app keeps: PM2's schema keys, the `env_*` blocks
//! and the resolved `pm_*` paths of the first instance (the one with the lowest
//! `NODE_APP_INSTANCE`); its `instances` is the number of entries. From `env` it drops
//! [`dropped`] keys (unless `--keep-env` matches them), each reported by name.

use serde_json::{Map, Value};

use super::schema;

/// Login-shell and terminal keys a dump's `env` carries from whoever ran `pm2 start`; every
/// name here, and every name starting with a [`DROPPED_PREFIXES`] entry, is dropped.
pub const DROPPED_KEYS: &[&str] = &[
    "SHELL",
    "PWD",
    "OLDPWD",
    "SHLVL",
    "_",
    "TERM",
    "TERM_PROGRAM",
    "TERM_PROGRAM_VERSION",
    "COLORTERM",
    "LS_COLORS",
    "LSCOLORS",
    "LESSOPEN",
    "LESSCLOSE",
    "MAIL",
    "MOTD_SHOWN",
    "HISTSIZE",
    "HISTFILESIZE",
    "HISTCONTROL",
    "PS1",
    "PS2",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "DBUS_SESSION_BUS_ADDRESS",
    "TMUX",
    "TMUX_PANE",
    "STY",
    "WINDOW",
    "NODE_APP_INSTANCE",
    "unique_id",
];

/// Prefixes of dropped keys: `SSH_*`, `XDG_*`, `SUDO_*`, `LC_TERMINAL*`, PM2's `PM2_*`, `pm_*`,
/// `axm_*`.
pub const DROPPED_PREFIXES: &[&str] = &[
    "SSH_",
    "XDG_",
    "SUDO_",
    "LC_TERMINAL",
    "PM2_",
    "pm_",
    "axm_",
];

/// The resolved keys of an entry kept beside the schema keys.
const RESOLVED_KEYS: &[&str] = &[
    "pm_exec_path",
    "pm_cwd",
    "pm_out_log_path",
    "pm_err_log_path",
    "pm_log_path",
    "pm_pid_path",
    "env",
    "status",
];

/// Whether a `--keep-env` pattern (`*` matches any run of characters) matches `name`.
#[must_use]
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((b'*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

/// Why a dump `env` key is dropped (`None`: kept). `app` is the entry's name.
#[must_use]
pub fn dropped(name: &str, app: &str, keep: &[String]) -> Option<&'static str> {
    if keep.iter().any(|p| pattern_matches(p, name)) {
        return None;
    }
    if name == app {
        return Some("the module configuration PM2 names after the app");
    }
    if DROPPED_KEYS.contains(&name) {
        return Some(if name == "NODE_APP_INSTANCE" || name == "unique_id" {
            "set by PM2 per process"
        } else {
            "a login-shell key of whoever ran pm2 start"
        });
    }
    DROPPED_PREFIXES
        .iter()
        .find(|p| name.starts_with(**p))
        .map(|p| {
            if ["PM2_", "pm_", "axm_"].contains(p) {
                "PM2's own"
            } else {
                "a login-shell key of whoever ran pm2 start"
            }
        })
}

/// One app regrouped from a dump.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpApp {
    /// The entry of the first instance, cleaned: schema keys, `env_*`, resolved `pm_*` paths,
    /// `env` without dropped keys; `instances` the number of entries.
    pub pm2_env: Map<String, Value>,
    /// Index of the first entry in the dump.
    pub index: usize,
    /// Dropped env keys with the reason, sorted by name.
    pub dropped: Vec<(String, &'static str)>,
    /// `status: stopped`.
    pub stopped: bool,
}

/// Regroups the dump's entries (an array) by `name`, in order of first appearance.
///
/// # Errors
/// The dump is not an array of objects with names.
pub fn regroup(value: &Value, keep: &[String]) -> Result<Vec<DumpApp>, String> {
    let Value::Array(entries) = value else {
        return Err("a dump.pm2 is an array of process entries; this is not an array".into());
    };
    type Entries<'a> = Vec<(usize, &'a Map<String, Value>)>;
    let mut groups: Vec<(String, Entries<'_>)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let Value::Object(entry) = e else {
            return Err(format!("entry {i} of the dump is not an object"));
        };
        let name = entry
            .get("name")
            .map(super::js::to_string)
            .unwrap_or_default();
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push((i, entry)),
            None => groups.push((name, vec![(i, entry)])),
        }
    }
    let mut apps = Vec::new();
    for (name, list) in groups {
        let instance = |e: &Map<String, Value>| {
            e.get("NODE_APP_INSTANCE")
                .and_then(Value::as_i64)
                .unwrap_or(i64::MAX)
        };
        let &(index, first) = list
            .iter()
            .min_by_key(|(i, e)| (instance(e), *i))
            .unwrap_or(&list[0]);
        let mut out = Map::new();
        for (k, v) in first {
            let keep_key = schema::key(k).is_some()
                || k.strip_prefix("env_")
                    .is_some_and(|r| !r.contains(char::is_whitespace))
                || RESOLVED_KEYS.contains(&k.as_str());
            if keep_key && k != "env" {
                out.insert(k.clone(), v.clone());
            }
        }
        let mut env = Map::new();
        let mut dropped_keys = Vec::new();
        if let Some(Value::Object(e)) = first.get("env") {
            for (k, v) in e {
                match dropped(k, &name, keep) {
                    Some(why) => dropped_keys.push((k.clone(), why)),
                    None => {
                        env.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        dropped_keys.sort();
        out.insert("env".into(), Value::Object(env));
        out.insert("instances".into(), Value::from(list.len()));
        let stopped = first.get("status").and_then(Value::as_str) == Some("stopped");
        apps.push(DumpApp {
            pm2_env: out,
            index,
            dropped: dropped_keys,
            stopped,
        });
    }
    Ok(apps)
}

/// The user a dump at `host_path` belongs to: `U` for `/home/U/.pm2/dump.pm2`, `root` for
/// `/root/.pm2/dump.pm2`.
#[must_use]
pub fn owner(host_path: &str) -> Option<String> {
    let dir = host_path.strip_suffix("/.pm2/dump.pm2")?;
    if dir == "/root" {
        return Some("root".into());
    }
    let user = dir.strip_prefix("/home/")?;
    (!user.is_empty() && !user.contains('/')).then(|| user.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn regroups_and_drops() {
        let dump = json!([
            {"name": "api", "NODE_APP_INSTANCE": 0, "pm_exec_path": "/srv/api.js", "exec_mode": "cluster_mode",
             "env": {"NODE_ENV": "production", "SHELL": "/bin/bash", "SSH_TTY": "/dev/pts/0", "PM2_HOME": "/h/.pm2",
                     "api": "{}", "unique_id": "x", "API_KEY": "s", "PATH": "/usr/bin"}, "SHELL": "/bin/bash", "status": "online",
             "pm_uptime": 1, "axm_monitor": {}},
            {"name": "worker", "NODE_APP_INSTANCE": 0, "env": {}, "status": "stopped"},
            {"name": "api", "NODE_APP_INSTANCE": 1, "env": {}}
        ]);
        let apps = regroup(&dump, &["SSH_*".into()]).unwrap();
        assert_eq!(apps.len(), 2);
        let api = &apps[0];
        assert_eq!(api.pm2_env["instances"], json!(2));
        assert_eq!(
            api.pm2_env["env"],
            json!({"NODE_ENV": "production", "SSH_TTY": "/dev/pts/0", "API_KEY": "s", "PATH": "/usr/bin"})
        );
        assert!(!api.pm2_env.contains_key("SHELL") && !api.pm2_env.contains_key("pm_uptime"));
        let names: Vec<&str> = api.dropped.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["PM2_HOME", "SHELL", "api", "unique_id"]);
        assert!(apps[1].stopped);
        assert_eq!(
            owner("/home/deploy/.pm2/dump.pm2").as_deref(),
            Some("deploy")
        );
        assert_eq!(owner("/root/.pm2/dump.pm2").as_deref(), Some("root"));
        assert_eq!(owner("/srv/dump.pm2"), None);
    }
}
