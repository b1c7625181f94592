//! Options with no systemd equivalent, each reported by name rather than dropped silently:
//!
//! - `log_date_format` (or `time: true`): PM2 prefixes each log line with a timestamp; the
//!   journal stamps every line itself, an `append:` file gets none (`pm2-log-options`).
//! - `log_file` (PM2's combined stdout+stderr file) at a path of its own: not written
//!   (`pm2-log-options`); at PM2's default place (`PM2_HOME/logs`) the journal is that log.
//! - `pid_file` outside `PM2_HOME/pids`: PM2 writes the app's PID there; systemd tracks the
//!   main process itself and writes no file (`pm2-log-options`).
//! - `merge_logs`: one log file for all instances instead of one per instance; the units of a
//!   template share the template's `StandardOutput=`, so they are merged anyway (`note`).
//! - PM2.io and PM2's own monitoring keys (`io`, `km_link`, `pmx`, `automation`, `trace`,
//!   `disable_trace`, `v8`, `event_loop_inspector`, `deep_monitoring`, `vizion`,
//!   `post_update`) set to other than PM2's defaults: they configure PM2 Plus / Keymetrics and
//!   PM2's in-process agent, which do not run under systemd (`pm2-io`).

use serde_json::Value;

use super::super::app::App;
use crate::finding::{Code, Finding};

/// PM2.io / monitoring keys.
pub const PM2_IO: &[&str] = &[
    "io",
    "km_link",
    "pmx",
    "automation",
    "trace",
    "disable_trace",
    "v8",
    "event_loop_inspector",
    "deep_monitoring",
    "vizion",
    "post_update",
];

/// Whether `v` is PM2's default for `k` (its schema's default).
#[must_use]
pub fn is_default(k: &str, v: &Value) -> bool {
    use super::super::schema::{D, key};
    match (key(k).and_then(|key| key.default), v) {
        (Some(D::Bool(b)), Value::Bool(x)) => b == *x,
        (Some(D::Num(n)), Value::Number(x)) => x.as_f64() == Some(n),
        (Some(D::Str(s)), Value::String(x)) => s == x,
        (_, Value::Null) => true,
        // Not in the schema: PM2 sets it itself, false unless linked to PM2.io.
        (None, Value::Bool(false)) if k == "km_link" => true,
        _ => false,
    }
}

/// The findings for the app's log options and PM2.io keys; `pm2_home` is PM2's home directory.
#[must_use]
pub fn findings(app: &App, pm2_home: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut logs = Vec::new();
    if let Some(f) = app.pm2_env.get("log_date_format").filter(|v| !v.is_null()) {
        logs.push(format!(
            "log_date_format {f}: PM2 prefixes each line with a timestamp; the journal stamps every line itself (journalctl -o short-iso), an append: file gets no timestamps"
        ));
    }
    let home = pm2_home.trim_end_matches('/');
    // PM2's own directories: `PM2_HOME/logs`, `PM2_HOME/pids` (any `…/.pm2/` when a dump does
    // not say its PM2_HOME).
    let own = |p: &str, dir: &str| {
        (!home.is_empty() && p.starts_with(&format!("{home}/{dir}/")))
            || p.contains(&format!("/.pm2/{dir}/"))
    };
    // The combined log at PM2's default place: the journal holds both streams together.
    if let Some(p) = app.combined_log.as_ref().filter(|p| !own(p, "logs")) {
        logs.push(format!(
            "log_file {p}: PM2's combined stdout and stderr file is not written"
        ));
    }
    if let Some(Value::String(p)) = app.pm2_env.get("pm_pid_path")
        && !own(p, "pids")
    {
        logs.push(format!(
            "pid_file {p}: PM2 writes the app's PID there; systemd tracks the main process itself and writes no PID file"
        ));
    }
    if !logs.is_empty() {
        out.push(Finding::approximated(
            Code::Pm2LogOptions,
            logs.join("; "),
            "read the logs with journalctl -u NAME; anything that read the PID file can use systemctl show -P MainPID NAME",
        ));
    }
    if app.pm2_env.get("merge_logs") == Some(&Value::Bool(true)) && app.instances.count() > 1 {
        out.push(Finding::note(
            Code::Pm2LogOptions,
            "merge_logs: the instances write to one log, as the template's units do",
            "nothing to do",
        ));
    }
    let io: Vec<String> = PM2_IO
        .iter()
        .filter_map(|k| {
            let v = app.pm2_env.get(*k)?;
            (!is_default(k, v)).then(|| format!("`{k}: {v}`"))
        })
        .collect();
    if !io.is_empty() {
        out.push(Finding::note(
            Code::Pm2Io,
            format!(
                "PM2.io and PM2 monitoring keys have no meaning without PM2: {}",
                io.join(", ")
            ),
            "monitor the unit with your own tools (systemctl status, the journal, a metrics exporter)",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app(env: Value) -> App {
        App::from_resolved(env.as_object().unwrap().clone(), 2)
    }

    #[test]
    fn logs_and_pid_file() {
        let a = app(json!({
            "log_date_format": "YYYY-MM-DD",
            "pm_log_path": "/var/log/all.log",
            "pm_pid_path": "/run/app.pid",
        }));
        let f = findings(&a, "/root/.pm2");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("log_date_format \"YYYY-MM-DD\""));
        assert!(f[0].message.contains("log_file /var/log/all.log"));
        assert!(f[0].message.contains("pid_file /run/app.pid"));
        let quiet = app(
            json!({"pm_pid_path": "/root/.pm2/pids/a-0.pid", "pm_log_path": "/root/.pm2/logs/a.log", "pmx": true, "km_link": false}),
        );
        assert!(findings(&quiet, "/root/.pm2").is_empty());
    }

    #[test]
    fn pm2_io_keys_off_their_defaults() {
        let a = app(json!({"io": {"machine_name": "x"}, "automation": false}));
        let f = findings(&a, "/root/.pm2");
        assert_eq!(
            f.iter().map(|f| f.code).collect::<Vec<_>>(),
            vec![Code::Pm2Io]
        );
        assert!(f[0].message.contains("`io: {\"machine_name\":\"x\"}`"));
        assert!(f[0].message.contains("`automation: false`"));
    }
}
