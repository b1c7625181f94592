//! `watch` → `NAME-watch.path` (`PathChanged=` per watched path) and the oneshot it starts,
//! `NAME-watch.service`, which runs `systemctl restart` of the app's unit.
//!
//! PM2 7.0.4 (`lib/Watcher.js`) watches with chokidar: `watch: true` (or `[]`) is the app's
//! `pm_cwd`, other paths are read relative to it, directories are watched recursively,
//! `ignore_watch` (default: dot files and `node_modules`) are globs left out, and the restart
//! waits `watch_delay` ms. `PathChanged=` is not recursive (a listed directory triggers on its
//! own entries only) and has no ignore list, no delay and no globs: approximated and reported
//! (`pm2-watch`); a glob in `watch` is left out (`pm2-watch`).

use serde_json::{Map, Value};

use super::super::js;
use crate::finding::{Code, Finding};
use crate::ir::PathWatch;

/// What an app's `watch` options become: the paths to watch (none: no `.path` unit) and the
/// findings about what `PathChanged=` does not do.
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    pub watch: Option<PathWatch>,
    pub findings: Vec<Finding>,
}

fn absolute(cwd: &str, p: &str) -> String {
    let p = p.trim_end_matches('/');
    let p = p.strip_prefix("./").unwrap_or(p);
    if p.starts_with('/') {
        p.to_string()
    } else if p.is_empty() || p == "." {
        cwd.to_string()
    } else {
        format!("{}/{p}", cwd.trim_end_matches('/'))
    }
}

fn listed(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().map(js::to_string).collect(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// Reads `watch`, `ignore_watch`, `watch_delay` and `watch_options` of PM2's resolved object.
#[must_use]
pub fn read(pm2_env: &Map<String, Value>, cwd: &str) -> Watch {
    let written = match pm2_env.get("watch") {
        None | Some(Value::Null | Value::Bool(false)) => {
            return Watch {
                watch: None,
                findings: Vec::new(),
            };
        }
        Some(Value::Bool(true)) => vec![cwd.to_string()],
        Some(v) => {
            let l = listed(Some(v));
            if l.is_empty() {
                vec![cwd.to_string()]
            } else {
                l
            }
        }
    };
    let mut findings = Vec::new();
    let (globs, paths): (Vec<String>, Vec<String>) = written
        .into_iter()
        .partition(|p| p.contains(['*', '?', '[', '{']));
    if !globs.is_empty() {
        findings.push(Finding::dropped(
            Code::Pm2Watch,
            format!(
                "watch globs {} are not watched: PathChanged= takes plain paths",
                globs.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ")
            ),
            "list the files or directories themselves in a drop-in of NAME-watch.path (PathChanged=)",
        ));
    }
    let changed: Vec<String> = paths.iter().map(|p| absolute(cwd, p)).collect();
    if changed.is_empty() {
        return Watch {
            watch: None,
            findings,
        };
    }
    let ignore = listed(pm2_env.get("ignore_watch"));
    let ignored = if ignore.is_empty() {
        "PM2's default ignore list (dot files, node_modules)".to_string()
    } else {
        format!(
            "ignore_watch {}",
            ignore
                .iter()
                .map(|g| format!("`{g}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut message = format!(
        "watch: PM2 restarts the app on any change below {} (recursively, chokidar) except {ignored}; NAME-watch.path (PathChanged=) restarts it when a listed file is written or an entry directly inside a listed directory is created, removed or renamed: changes deeper down are not seen, and nothing is ignored",
        changed
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(delay) = pm2_env
        .get("watch_delay")
        .and_then(Value::as_f64)
        .filter(|d| *d > 0.0)
    {
        message.push_str(&format!(
            "; PM2 waits watch_delay {} ms before restarting, systemd restarts at once",
            js::number_to_string(delay)
        ));
    }
    if let Some(options) = pm2_env.get("watch_options").filter(|o| !o.is_null()) {
        message.push_str(&format!(
            "; watch_options {options} are chokidar's and have no equivalent"
        ));
    }
    findings.push(Finding::approximated(
        Code::Pm2Watch,
        message,
        "list the subdirectories that matter in a drop-in of NAME-watch.path (one PathChanged= each); watch is a development feature, NAME-watch.path is not enabled by apply.sh: systemctl enable --now NAME-watch.path where wanted",
    ));
    Watch {
        watch: Some(PathWatch { changed }),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn off_unless_set() {
        for v in [json!({}), json!({"watch": false}), json!({"watch": null})] {
            assert_eq!(read(&env(v.clone()), "/srv/app").watch, None, "{v}");
            assert!(read(&env(v), "/srv/app").findings.is_empty());
        }
    }

    #[test]
    fn true_or_empty_is_the_cwd() {
        for v in [json!({"watch": true}), json!({"watch": []})] {
            let w = read(&env(v), "/srv/app");
            assert_eq!(w.watch.unwrap().changed, vec!["/srv/app".to_string()]);
            assert!(w.findings[0].message.contains("PM2's default ignore list"));
        }
    }

    #[test]
    fn paths_relative_to_the_cwd_globs_left_out() {
        let w = read(
            &env(
                json!({"watch": ["src", "./config/", "/etc/app.conf", "lib/*.js"], "ignore_watch": ["node_modules"], "watch_delay": 1000}),
            ),
            "/srv/app",
        );
        assert_eq!(
            w.watch.unwrap().changed,
            vec!["/srv/app/src", "/srv/app/config", "/etc/app.conf"]
        );
        assert_eq!(w.findings.len(), 2);
        assert!(w.findings[0].message.contains("`lib/*.js`"));
        assert!(w.findings[1].message.contains("`node_modules`"));
        assert!(w.findings[1].message.contains("watch_delay 1000 ms"));
        let only_globs = read(&env(json!({"watch": ["**/*.js"]})), "/srv/app");
        assert_eq!(only_globs.watch, None);
        assert_eq!(only_globs.findings.len(), 1);
    }
}
