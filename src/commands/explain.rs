//! `systemdify explain`: one crontab schedule's `OnCalendar=` lines and next fire times.

use super::{dialect, zone};
use crate::cli::{ExplainArgs, Streams};

/// Runs the command; returns the exit code.
pub fn run(args: &ExplainArgs, io: &mut Streams<'_>) -> i32 {
    let zone = match args.tz.as_deref().map(zone) {
        Some(Ok(z)) => z,
        Some(Err(e)) => {
            let _ = writeln!(io.stderr, "systemdify: {e}");
            return 2;
        }
        None => jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC),
    };
    let base = match &args.base_time {
        Some(t) => match t.parse::<jiff::Timestamp>() {
            Ok(ts) => ts,
            Err(e) => {
                let _ = writeln!(io.stderr, "systemdify: --base-time {t}: {e}");
                return 2;
            }
        },
        None => jiff::Timestamp::now(),
    };
    let options = crate::explain::Options {
        count: args.count,
        zone,
        base,
        dialect: dialect(args.dialect),
    };
    match crate::explain::explain(&args.schedule, &options) {
        Ok(text) => {
            let _ = write!(io.stdout, "{text}");
            0
        }
        Err((column, message)) => {
            let _ = writeln!(io.stderr, "schedule:1:{column}: error: {message}");
            let _ = writeln!(io.stderr, "  {}", args.schedule);
            let _ = writeln!(
                io.stderr,
                "  {}^",
                " ".repeat(column.saturating_sub(1) as usize)
            );
            1
        }
    }
}
