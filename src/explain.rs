//! `systemdify explain`: one crontab schedule as `OnCalendar=` lines, its next fire times and
//! its findings.

use crate::back::systemd::on_calendar::expression;
use crate::finding::Code;
use crate::front::cron::{self, schedule::Dialect};
use crate::host::Host;
use crate::ir::{Activation, Body};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::fmt::Write as _;

/// What to explain and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub count: usize,
    pub zone: TimeZone,
    /// Fire times are listed strictly after this instant.
    pub base: Timestamp,
    pub dialect: Dialect,
}

/// Codes that describe the schedule itself (the rest concern commands and users).
const SCHEDULE_CODES: [Code; 9] = [
    Code::CronDomDowOr,
    Code::CronDomDowAnd,
    Code::CronWeekly,
    Code::CronDst,
    Code::CronNeverFires,
    Code::CronReboot,
    Code::CronRandomRange,
    Code::CronOverlap,
    Code::CronTz,
];

/// The explanation of `schedule` (five fields or an `@` word): `OnCalendar=` lines, the next
/// fire times as `Www YYYY-MM-DD HH:MM:SS ZONE`, then findings.
///
/// With a `count` of 0 no fire times are listed (not even "never fires").
///
/// # Errors
/// `(column, message)` when the schedule is empty, has other than five fields or one `@` word,
/// or does not parse; the 1-based column is in `schedule` as given.
pub fn explain(schedule: &str, options: &Options) -> Result<String, (u32, String)> {
    let parsed = cron::schedule::parse_schedule(schedule, options.dialect)
        .map_err(|e| (e.column, e.message))?;
    let schedule = parsed.schedule;
    let line = format!("{schedule} root :");
    let host = Host::real().with_time_zone(options.zone.clone());
    let cron_options = cron::Options {
        table: cron::Table::System,
        dialect: options.dialect,
        ..cron::Options::default()
    };
    let items = cron::parse_crontab(
        "schedule",
        None,
        &format!("MAILTO=\"\"\n{line}\n"),
        &host,
        &cron_options,
    );
    let Some(item) = items.into_iter().find(|i| matches!(i.body, Body::Unit(_))) else {
        return Err((1, "not a schedule".to_string()));
    };
    let Body::Unit(def) = &item.body else {
        return Err((1, "not a schedule".to_string()));
    };
    let Activation::Timer(timer) = &def.activation else {
        return Err((1, "not a schedule".to_string()));
    };
    let mut out = String::new();
    for event in &timer.calendar {
        let _ = writeln!(out, "OnCalendar={}", expression(event));
    }
    if let Some(delay) = timer.boot_delay {
        let _ = writeln!(
            out,
            "OnBootSec={}",
            crate::back::systemd::unit::seconds(delay)
        );
    }
    if !timer.calendar.is_empty() {
        let times = crate::fire_times::next_elapses(
            &timer.calendar,
            &options.zone,
            options.base,
            options.count,
            366 * 30,
        );
        if times.is_empty() && options.count > 0 {
            out.push_str("(never fires)\n");
        }
        for t in times {
            let _ = writeln!(out, "{}", t.strftime("%a %Y-%m-%d %H:%M:%S %Z"));
        }
    }
    for f in item
        .findings
        .iter()
        .filter(|f| SCHEDULE_CODES.contains(&f.code))
    {
        let _ = writeln!(out, "{}[{}]: {}", f.level.as_str(), f.code, f.message);
        if !f.help.is_empty() {
            let _ = writeln!(out, "  help: {}", f.help);
        }
    }
    Ok(out)
}
