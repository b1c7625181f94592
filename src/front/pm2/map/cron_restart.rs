//! `cron_restart` (alias `cron`) → a timer, `NAME-cron-restart.timer`, and the oneshot it starts,
//! `NAME-cron-restart.service`, which runs `systemctl restart` of the app's unit
//! (`NAME.service`, or `NAME.target` for an app with several instances).
//!
//! PM2 7.0.4 hands the pattern to croner 4.1.97 (`lib/Worker.js` `registerCron`), which reads
//! it differently from cron in places; the unit follows what PM2 does, and says so:
//!
//! - Five fields are read with the cron frontend's schedule reader
//!   ([`crate::front::cron::schedule`]), so lists, ranges, steps and names mean what they mean
//!   in a crontab, and the calendar events come from the same code as a crontab line's.
//! - Day of month and day of week: cron runs the job when *either* matches if both are
//!   restricted; croner 4.1.97 requires *both* (it finds the next matching day of the month,
//!   then steps on to a matching weekday). The timer follows PM2: both must match
//!   (`pm2-cron-days-and`).
//! - A sixth, leading field is croner's seconds: `0` is exact; another single second is written
//!   at second 0 of the same minute (`pm2-cron-seconds`); a list, range, step or `*` (several
//!   restarts a minute) is not converted.
//! - `@` words: PM2 refuses them (croner 4 has none), and the reader already refuses the file.
//! - croner's own syntax (`L`, `?` = the time `pm2 start` ran, which the file does not say) and
//!   anything the cron reader refuses: not converted (`pm2-cron-unsupported`).
//! - unset, `0` or `'0'`: PM2 registers no cron, and no timer is written.

use serde_json::Value;

use crate::finding::{Code, Finding};
use crate::front::cron::schedule::{self, Dialect, Spec};
use crate::ir::Timer;

/// What an app's `cron_restart` becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Unset, `0` or `'0'`: PM2 registers no cron job.
    Off,
    /// A timer, with what the reading found.
    Timer {
        timer: Timer,
        findings: Vec<Finding>,
    },
    /// Not converted; the finding says why.
    Refused(Finding),
}

fn refused(pattern: &str, why: &str) -> Schedule {
    Schedule::Refused(Finding::dropped(
        Code::Pm2CronUnsupported,
        format!("cron_restart `{pattern}` is not converted: {why}"),
        "write a timer by hand (OnCalendar=, checked with systemd-analyze calendar) whose service runs systemctl restart of the app's unit",
    ))
}

/// Reads `cron_restart` as PM2 7.0.4 does (see the module documentation).
#[must_use]
pub fn read(value: Option<&Value>) -> Schedule {
    let pattern = match value {
        None | Some(Value::Null | Value::Bool(false)) => return Schedule::Off,
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => return Schedule::Off,
        Some(Value::String(s)) if s.is_empty() || s == "0" => return Schedule::Off,
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return refused(
                &other.to_string(),
                "croner takes only a string, so PM2 registers no cron job for it",
            );
        }
    };
    let parts: Vec<&str> = pattern.split_whitespace().collect();
    let mut findings = Vec::new();
    let fields: &[&str] = match parts.len() {
        5 => &parts,
        6 => {
            let seconds = parts[0];
            match seconds.parse::<u8>() {
                Ok(0) if seconds.bytes().all(|b| b.is_ascii_digit()) => {}
                Ok(s) if s < 60 && seconds.bytes().all(|b| b.is_ascii_digit()) => {
                    findings.push(Finding::approximated(
                        Code::Pm2CronSeconds,
                        format!(
                            "cron_restart `{pattern}` restarts at second {s} of the minute (croner's sixth, leading field); the timer restarts at second 0 of the same minute, {s} s earlier"
                        ),
                        "nothing to do unless the seconds matter; then set OnCalendar= with the seconds in a drop-in",
                    ));
                }
                _ => {
                    return refused(
                        &pattern,
                        &format!(
                            "its seconds field `{seconds}` restarts the app several times a minute (or is not a second 0–59)"
                        ),
                    );
                }
            }
            &parts[1..]
        }
        _ => {
            return refused(
                &pattern,
                "croner wants five or six fields, so PM2 refuses the app",
            );
        }
    };
    if fields.iter().any(|f| f.contains('?')) {
        return refused(
            &pattern,
            "croner replaces `?` with the field's value at the moment `pm2 start` ran, which the file does not say",
        );
    }
    if fields[2].eq_ignore_ascii_case("L") {
        return refused(&pattern, "croner's `L` (the last day of the month)");
    }
    let job = match schedule::parse_schedule(&fields.join(" "), Dialect::Debian) {
        Ok(job) => job,
        Err(e) => return refused(&pattern, &e.message),
    };
    let Spec::Calendar(mut parsed) = job.spec else {
        return refused(&pattern, "it is not a calendar schedule");
    };
    if parsed.days_ored() {
        findings.push(Finding::approximated(
            Code::Pm2CronDaysAnd,
            format!(
                "cron_restart `{pattern}` restricts both the day of the month and the day of the week: cron would restart when either matches, but PM2's croner 4.1.97 restarts only on days matching both, and the timer does as PM2 does"
            ),
            "nothing to do if PM2's behaviour is what was meant; for cron's either-or, write two OnCalendar= lines",
        ));
        // Vixie's star flag: one day field counted as unrestricted makes the events an AND.
        parsed.day_star = true;
    }
    Schedule::Timer {
        timer: Timer {
            calendar: parsed.events(None),
            accuracy_sec: 1,
            ..Timer::default()
        },
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn timer(v: Value) -> (Timer, Vec<Code>) {
        match read(Some(&v)) {
            Schedule::Timer { timer, findings } => {
                (timer, findings.iter().map(|f| f.code).collect())
            }
            other => panic!("{v}: {other:?}"),
        }
    }

    fn refused_code(v: Value) -> Code {
        match read(Some(&v)) {
            Schedule::Refused(f) => f.code,
            other => panic!("{v}: {other:?}"),
        }
    }

    #[test]
    fn off_as_pm2_reads_it() {
        for v in [json!(0), json!("0"), json!(""), json!(false), Value::Null] {
            assert_eq!(read(Some(&v)), Schedule::Off, "{v}");
        }
        assert_eq!(read(None), Schedule::Off);
    }

    #[test]
    fn five_fields_as_cron_reads_them() {
        let (t, codes) = timer(json!("0 3 * * *"));
        assert!(codes.is_empty());
        assert_eq!(t.calendar.len(), 1);
        assert_eq!(t.calendar[0].hours, Some(1 << 3));
        assert_eq!(t.calendar[0].minutes, Some(1));
        assert_eq!(t.calendar[0].days, None);
        let (t, _) = timer(json!("*/15 * * * MON-fri"));
        assert_eq!(t.calendar[0].minutes, Some(1 | 1 << 15 | 1 << 30 | 1 << 45));
        assert_eq!(t.calendar[0].weekdays, Some(0b1_1111));
    }

    #[test]
    fn both_day_fields_are_anded_as_croner_does() {
        let (t, codes) = timer(json!("0 0 13 * 5"));
        assert_eq!(codes, vec![Code::Pm2CronDaysAnd]);
        assert_eq!(t.calendar.len(), 1, "one event: the 13th that is a Friday");
        assert_eq!(t.calendar[0].days, Some(1 << 13));
        assert_eq!(t.calendar[0].weekdays, Some(1 << 4));
    }

    #[test]
    fn seconds_field() {
        let (t, codes) = timer(json!("0 30 4 * * *"));
        assert!(codes.is_empty());
        assert_eq!(t.calendar[0].hours, Some(1 << 4));
        let (t, codes) = timer(json!("30 0 */6 * * *"));
        assert_eq!(codes, vec![Code::Pm2CronSeconds]);
        assert_eq!(t.calendar[0].hours, Some(1 | 1 << 6 | 1 << 12 | 1 << 18));
        assert_eq!(
            refused_code(json!("*/10 * * * * *")),
            Code::Pm2CronUnsupported
        );
        assert_eq!(
            refused_code(json!("61 * * * * *")),
            Code::Pm2CronUnsupported
        );
    }

    #[test]
    fn croner_syntax_and_bad_patterns_are_refused() {
        for p in [
            "0 0 L * *",
            "? * * * *",
            "0 0 * * 5#2",
            "@weekly",
            "1 2 3",
            "0 0 32 * *",
        ] {
            assert_eq!(refused_code(json!(p)), Code::Pm2CronUnsupported, "{p}");
        }
        assert_eq!(refused_code(json!(5)), Code::Pm2CronUnsupported);
    }
}
