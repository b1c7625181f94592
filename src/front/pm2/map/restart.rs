//! PM2's restart policy (`lib/God.js` `handleExit`) on the service:
//!
//! | PM2 | systemd |
//! |---|---|
//! | `autorestart` (default true) | `Restart=always`; `false`: `Restart=no` |
//! | `restart_delay` ms | `RestartSec=` (rounded up to seconds) |
//! | `exp_backoff_restart_delay` ms | `RestartSec=` the first delay; the growth (×1.5 up to 15 s) needs `RestartSteps=`/`RestartMaxDelaySec=` of systemd 254, not written for 252 (`pm2-exp-backoff`) |
//! | `max_restarts` (16) + `min_uptime` (1000 ms) | `StartLimitBurst=max_restarts`, `StartLimitIntervalSec=` max_restarts × min_uptime; set by the file: `pm2-restart-limit`; `max_restarts: 0`: `Restart=no` |
//! | `stop_exit_codes` | `RestartPreventExitStatus=` and `SuccessExitStatus=`: PM2 marks the app `stopped` (not `errored`) and does not restart it; with 0 listed, every fatal signal too (PM2 reads a death by a signal as exit code 0) |
//!
//! PM2 gives up after `max_restarts` exits each less than `min_uptime` after its start, while
//! the app is younger than `max_restarts × min_uptime`; then the app is `errored`. systemd
//! refuses the start after `StartLimitBurst=` starts within `StartLimitIntervalSec=`, however
//! long each run lasted — the same count of starts, in the same window, approximated.

use serde_json::Value;

use super::super::js;
use super::seconds;
use crate::finding::{Code, Finding};
use crate::ir::{ExitStatus, Restart, Service, StartLimit};

/// PM2's defaults (`lib/God.js`).
const MAX_RESTARTS: f64 = 16.0;
const MIN_UPTIME_MS: f64 = 1000.0;

fn number(env: &serde_json::Map<String, Value>, key: &str) -> Option<f64> {
    match env.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => js::string_to_number(s),
        _ => None,
    }
}

/// Sets `service.restart`, `start_limit` and the exit statuses from PM2's resolved object;
/// returns the findings.
pub fn apply(
    env: &serde_json::Map<String, Value>,
    autorestart: bool,
    service: &mut Service,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let max_restarts = number(env, "max_restarts");
    let min_uptime = number(env, "min_uptime");
    if !autorestart {
        service.restart = Restart::No;
        return findings;
    }
    if max_restarts.is_some_and(|m| m < 1.0) {
        // unstable_restarts (0) >= max_restarts (0) at the first exit: errored, never restarted.
        findings.push(Finding::note(
            Code::Pm2RestartLimit,
            "max_restarts 0: PM2 never restarts the app, so neither does the unit (Restart=no)",
            "nothing to do",
        ));
        service.restart = Restart::No;
        return findings;
    }
    let mut delay = number(env, "restart_delay").map(seconds).filter(|s| *s > 0);
    if let Some(first) = number(env, "exp_backoff_restart_delay") {
        delay = Some(seconds(first).max(1));
        findings.push(Finding::approximated(
            Code::Pm2ExpBackoff,
            format!(
                "exp_backoff_restart_delay {}: PM2 waits {} ms before the first restart and 1.5 times longer before each next one, up to 15 s; systemd 252 has no growing delay (RestartSteps=/RestartMaxDelaySec= are systemd 254), so every restart waits RestartSec={}",
                js::number_to_string(first),
                js::number_to_string(first),
                seconds(first).max(1)
            ),
            "on systemd 254 or later add RestartSteps=10 and RestartMaxDelaySec=15 in a drop-in",
        ));
    }
    service.restart = Restart::Always { delay_sec: delay };
    let burst = max_restarts.unwrap_or(MAX_RESTARTS);
    let uptime = min_uptime.unwrap_or(MIN_UPTIME_MS);
    service.start_limit = Some(StartLimit {
        burst: burst.min(f64::from(u32::MAX)) as u32,
        interval_sec: seconds(burst * uptime).max(1),
    });
    if max_restarts.is_some() || min_uptime.is_some() {
        findings.push(Finding::approximated(
            Code::Pm2RestartLimit,
            format!(
                "max_restarts {} / min_uptime {} ms: PM2 stops restarting after {} exits each within min_uptime of its start, while the app is younger than {} ms; the unit refuses the start after {} starts within {} s, however long each run lasted",
                js::number_to_string(burst),
                js::number_to_string(uptime),
                js::number_to_string(burst),
                js::number_to_string(burst * uptime),
                js::number_to_string(burst),
                seconds(burst * uptime).max(1)
            ),
            "systemctl reset-failed NAME.service lets it start again, as pm2 restart does after errored",
        ));
    }
    let codes: Vec<Value> = match env.get("stop_exit_codes") {
        Some(Value::Array(a)) => a.clone(),
        Some(v @ (Value::Number(_) | Value::String(_))) => vec![v.clone()],
        _ => Vec::new(),
    };
    let mut statuses = Vec::new();
    for c in &codes {
        match js::parse_int(c).and_then(|n| u8::try_from(n).ok()) {
            Some(n) => {
                let s = ExitStatus::Code(n);
                if !statuses.contains(&s) {
                    statuses.push(s);
                }
            }
            None => findings.push(Finding::dropped(
                Code::Pm2StopExitCodes,
                format!("stop_exit_codes {c}: not an exit status 0–255, which an exit never has"),
                "nothing to do",
            )),
        }
    }
    // PM2 takes a death by a signal as exit code 0 (God.js: `handleExit(clu, code || 0, signal)`):
    // with 0 listed, an app a signal killed is not restarted either, and is `stopped`.
    if statuses.contains(&ExitStatus::Code(0)) {
        statuses.extend(
            FATAL_SIGNALS
                .iter()
                .map(|s| ExitStatus::Signal((*s).to_string())),
        );
    }
    service.success_exit_status = statuses
        .iter()
        .filter(|s| **s != ExitStatus::Code(0))
        .cloned()
        .collect();
    service.restart_prevent_exit_status = statuses;
    findings
}

/// The signals a process can die of on Linux (`kill -l` 1–31 less those that stop or are
/// ignored by default: STOP, TSTP, TTIN, TTOU, CONT, CHLD, URG, WINCH), as systemd names them.
const FATAL_SIGNALS: &[&str] = &[
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "XCPU", "XFSZ", "VTALRM", "PROF", "IO", "PWR", "SYS",
];

/// `wait_ready` (`listen_timeout`) and `shutdown_with_message`: reported, never converted —
/// the unit stays `Type=exec` (never `Type=notify`, which the app does not speak) and stops the
/// app with `SIGINT`.
#[must_use]
pub fn start_and_stop(env: &serde_json::Map<String, Value>) -> Vec<Finding> {
    let mut findings = Vec::new();
    if env.get("wait_ready") == Some(&Value::Bool(true)) {
        let timeout = number(env, "listen_timeout").unwrap_or(3000.0);
        findings.push(Finding::approximated(
            Code::Pm2WaitReady,
            format!(
                "wait_ready: PM2 counts the app online when it sends process.send('ready') (or after listen_timeout {} ms); the unit is Type=exec, started as soon as the program runs",
                js::number_to_string(timeout)
            ),
            "units ordered After= this one may start before the app is ready; if the app can call sd_notify(READY=1), set Type=notify in a drop-in",
        ));
    } else if let Some(t) = number(env, "listen_timeout") {
        findings.push(Finding::note(
            Code::Pm2WaitReady,
            format!(
                "listen_timeout {} ms without wait_ready: PM2 uses it only in cluster reloads; nothing in the unit",
                js::number_to_string(t)
            ),
            "nothing to do",
        ));
    }
    if env.get("shutdown_with_message") == Some(&Value::Bool(true)) {
        findings.push(Finding::dropped(
            Code::Pm2ShutdownMessage,
            "shutdown_with_message: PM2 stops the app with an IPC message 'shutdown'; systemd has no IPC channel to the app and sends SIGINT (KillSignal=SIGINT)",
            "make the app shut down on SIGINT as it does on the 'shutdown' message",
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Command;
    use serde_json::json;

    fn run(v: Value, autorestart: bool) -> (Service, Vec<Code>) {
        let mut s = Service::oneshot(String::new(), Command::Argv(vec!["/bin/true".into()]));
        let f = apply(v.as_object().unwrap(), autorestart, &mut s);
        (s, f.iter().map(|f| f.code).collect())
    }

    #[test]
    fn wait_ready_and_shutdown_message_are_reported() {
        let codes = |v: Value| -> Vec<Code> {
            start_and_stop(v.as_object().unwrap())
                .iter()
                .map(|f| f.code)
                .collect()
        };
        assert!(codes(json!({"wait_ready": false})).is_empty());
        assert_eq!(
            codes(
                json!({"wait_ready": true, "listen_timeout": 8000, "shutdown_with_message": true})
            ),
            vec![Code::Pm2WaitReady, Code::Pm2ShutdownMessage]
        );
        let f = start_and_stop(
            json!({"wait_ready": true, "listen_timeout": 8000})
                .as_object()
                .unwrap(),
        );
        assert!(f[0].message.contains("listen_timeout 8000 ms"));
    }

    #[test]
    fn defaults_are_pm2s_limit() {
        let (s, codes) = run(json!({}), true);
        assert_eq!(s.restart, Restart::Always { delay_sec: None });
        assert_eq!(
            s.start_limit,
            Some(StartLimit {
                burst: 16,
                interval_sec: 16
            })
        );
        assert!(codes.is_empty());
        let (s, _) = run(json!({"max_restarts": 10}), false);
        assert_eq!(s.restart, Restart::No);
        assert_eq!(s.start_limit, None);
    }

    #[test]
    fn limit_delay_and_backoff() {
        let (s, codes) = run(
            json!({"max_restarts": 5, "min_uptime": 5000, "restart_delay": 2500}),
            true,
        );
        assert_eq!(
            s.start_limit,
            Some(StartLimit {
                burst: 5,
                interval_sec: 25
            })
        );
        assert_eq!(s.restart, Restart::Always { delay_sec: Some(3) });
        assert_eq!(codes, vec![Code::Pm2RestartLimit]);
        let (s, codes) = run(
            json!({"exp_backoff_restart_delay": 100, "restart_delay": 9000}),
            true,
        );
        assert_eq!(s.restart, Restart::Always { delay_sec: Some(1) });
        assert_eq!(codes, vec![Code::Pm2ExpBackoff]);
        let (s, _) = run(json!({"max_restarts": 0}), true);
        assert_eq!(s.restart, Restart::No);
    }

    #[test]
    fn stop_exit_codes_prevent_the_restart_and_count_as_success() {
        let (s, codes) = run(json!({"stop_exit_codes": [0, "3", 3, 300]}), true);
        assert_eq!(
            s.restart_prevent_exit_status[..2],
            [ExitStatus::Code(0), ExitStatus::Code(3)]
        );
        assert_eq!(s.success_exit_status[0], ExitStatus::Code(3));
        assert_eq!(codes, vec![Code::Pm2StopExitCodes]);
        // 0 listed: PM2 reads a death by a signal as exit code 0, so none restarts either.
        let (s, _) = run(json!({"stop_exit_codes": 0}), true);
        assert_eq!(s.restart_prevent_exit_status[0], ExitStatus::Code(0));
        for sig in ["KILL", "TERM", "SEGV"] {
            let sig = ExitStatus::Signal(sig.to_string());
            assert!(s.restart_prevent_exit_status.contains(&sig), "{sig:?}");
            assert!(s.success_exit_status.contains(&sig), "{sig:?}");
        }
        let (s, _) = run(json!({"stop_exit_codes": [3]}), true);
        assert_eq!(s.restart_prevent_exit_status, vec![ExitStatus::Code(3)]);
    }
}
