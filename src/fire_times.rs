//! Evaluating calendar events the way systemd's timers do, for `explain` and the DST analysis.
//!
//! systemd matches an event against the local wall clock of its zone: a local time that does
//! not exist (the spring-forward gap) never elapses, and a local time that exists twice (the
//! repeated autumn hour) elapses once, at its first occurrence. Several events are ORed.

use crate::ir::CalendarEvent;
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ZonedDateTime as Zoned};

/// Monday = bit 0 … Sunday = bit 6, as in [`CalendarEvent::weekdays`].
fn weekday_bit(w: Weekday) -> u8 {
    1 << (w.to_monday_zero_offset() as u8)
}

/// Whether `event` allows the local date `d` (weekday, month and day of month).
#[must_use]
pub fn date_matches(event: &CalendarEvent, d: Date) -> bool {
    let month_ok = event.months.is_none_or(|m| m & (1 << d.month()) != 0);
    let day_ok = event.days.is_none_or(|m| m & (1 << d.day()) != 0);
    let weekday_ok = event
        .weekdays
        .is_none_or(|m| m & weekday_bit(d.weekday()) != 0);
    month_ok && day_ok && weekday_ok
}

/// Whether `event` allows the local time `hour:minute`.
#[must_use]
pub fn time_matches(event: &CalendarEvent, hour: i8, minute: i8) -> bool {
    event.hours.is_none_or(|m| m & (1 << hour) != 0)
        && event.minutes.is_none_or(|m| m & (1 << minute) != 0)
}

/// Whether any of `events` matches the local wall-clock minute `dt`.
#[must_use]
pub fn matches(events: &[CalendarEvent], dt: DateTime) -> bool {
    events
        .iter()
        .any(|e| date_matches(e, dt.date()) && time_matches(e, dt.hour(), dt.minute()))
}

fn minutes_of(event: &CalendarEvent) -> impl Iterator<Item = (i8, i8)> + '_ {
    (0..24i8)
        .filter(move |h| event.hours.is_none_or(|m| m & (1 << h) != 0))
        .flat_map(move |h| {
            (0..60i8)
                .filter(move |mi| event.minutes.is_none_or(|m| m & (1 << mi) != 0))
                .map(move |mi| (h, mi))
        })
}

/// The first `count` instants strictly after `after` at which a timer with `events` elapses in
/// `zone` (an event's own zone wins), as systemd computes them. Looks at most `horizon_days`
/// local days ahead, so an impossible date (`*-02-30`) gives an empty list.
#[must_use]
pub fn next_elapses(
    events: &[CalendarEvent],
    zone: &TimeZone,
    after: Timestamp,
    count: usize,
    horizon_days: i32,
) -> Vec<Zoned> {
    let zones: Vec<TimeZone> = events
        .iter()
        .map(|e| {
            e.zone
                .as_deref()
                .and_then(|z| TimeZone::get(z).ok())
                .unwrap_or_else(|| zone.clone())
        })
        .collect();
    let mut found: Vec<Zoned> = Vec::new();
    if count == 0 {
        return found;
    }
    // Start a day early so that zones behind `zone` are covered.
    let Ok(start) = after.to_zoned_datetime(zone.clone()).date().yesterday() else {
        return found;
    };
    let mut day = start;
    for _ in 0..horizon_days {
        for (event, tz) in events.iter().zip(&zones) {
            if !date_matches(event, day) {
                continue;
            }
            for (h, m) in minutes_of(event) {
                let dt = day.at(h, m, 0, 0);
                let ts = match tz.to_ambiguous_timestamp(dt).offset() {
                    AmbiguousOffset::Unambiguous { offset }
                    | AmbiguousOffset::Fold { before: offset, .. } => offset.to_timestamp(dt),
                    AmbiguousOffset::Gap { .. } => continue,
                };
                if let Ok(ts) = ts
                    && ts > after
                {
                    found.push(ts.to_zoned_datetime(tz.clone()));
                }
            }
        }
        // Enough once `count` instants lie before the end of the day just scanned, in any zone.
        if found.len() >= count {
            found.sort_by_key(Zoned::timestamp);
            found.dedup_by_key(|z| z.timestamp());
            if let Some(last) = found.get(count - 1)
                && last.date() < day
            {
                break;
            }
        }
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    found.sort_by_key(Zoned::timestamp);
    found.dedup_by_key(|z| z.timestamp());
    found.truncate(count);
    found
}

/// A daylight-saving change of a zone: the local dates and wall-clock windows it affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Local wall clock just before the change (in the old offset).
    pub from: DateTime,
    /// Local wall clock just after the change (in the new offset).
    pub to: DateTime,
}

impl Transition {
    /// Clocks jump forward: local times in `[from, to)` do not exist.
    #[must_use]
    pub fn is_gap(&self) -> bool {
        self.to > self.from
    }
}

/// The offset changes of `zone` between the years `from_year` and `to_year` (inclusive).
#[must_use]
pub fn transitions(zone: &TimeZone, from_year: i16, to_year: i16) -> Vec<Transition> {
    let Ok(start) =
        Date::new(from_year, 1, 1).and_then(|d| d.at(0, 0, 0, 0).to_zoned_datetime(zone.clone()))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut before = zone.to_offset(start.timestamp());
    for t in zone.following(start.timestamp()) {
        let ts = t.timestamp();
        let after = t.offset();
        let from = before.to_datetime(ts);
        if from.year() > to_year {
            break;
        }
        if after != before {
            out.push(Transition {
                from,
                to: after.to_datetime(ts),
            });
        }
        before = after;
    }
    out
}

/// Which daylight-saving effects a schedule meets in `zone` over the years given: whether it
/// has runs in a spring-forward gap and whether it has runs in a repeated autumn hour.
#[must_use]
pub fn dst_exposure(
    events: &[CalendarEvent],
    zone: &TimeZone,
    from_year: i16,
    to_year: i16,
) -> (bool, bool) {
    let mut gap = false;
    let mut fold = false;
    for t in transitions(zone, from_year, to_year) {
        let (lo, hi) = if t.is_gap() {
            (t.from, t.to)
        } else {
            (t.to, t.from)
        };
        let mut dt = lo;
        while dt < hi {
            if matches(events, dt) {
                if t.is_gap() {
                    gap = true;
                } else {
                    fold = true;
                }
                break;
            }
            match dt.checked_add(jiff::Span::new().minutes(1)) {
                Ok(next) => dt = next,
                Err(_) => break,
            }
        }
    }
    (gap, fold)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(hours: &[u32], minutes: &[u32]) -> CalendarEvent {
        CalendarEvent {
            hours: Some(hours.iter().fold(0, |a, h| a | (1 << h))),
            minutes: Some(minutes.iter().fold(0, |a, m| a | (1u64 << m))),
            ..CalendarEvent::default()
        }
    }

    #[test]
    fn spring_gap_is_skipped_like_systemd() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let after: Timestamp = "2025-03-28T12:00:00Z".parse().unwrap();
        let got: Vec<String> = next_elapses(&[ev(&[2], &[30])], &tz, after, 3, 400)
            .iter()
            .map(|z| z.strftime("%F %T %Z").to_string())
            .collect();
        assert_eq!(
            got,
            [
                "2025-03-29 02:30:00 CET",
                "2025-03-31 02:30:00 CEST",
                "2025-04-01 02:30:00 CEST"
            ]
        );
    }

    #[test]
    fn repeated_hour_runs_once() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let after: Timestamp = "2025-10-25T23:10:00Z".parse().unwrap();
        let all_hours: Vec<u32> = (0..24).collect();
        let got: Vec<String> = next_elapses(&[ev(&all_hours, &[0, 30])], &tz, after, 5, 400)
            .iter()
            .map(|z| z.strftime("%H:%M %Z").to_string())
            .collect();
        assert_eq!(
            got,
            [
                "01:30 CEST",
                "02:00 CEST",
                "02:30 CEST",
                "03:00 CET",
                "03:30 CET"
            ]
        );
    }

    #[test]
    fn exposure() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(
            dst_exposure(&[ev(&[2], &[30])], &tz, 2025, 2026),
            (true, true)
        );
        assert_eq!(
            dst_exposure(&[ev(&[4], &[30])], &tz, 2025, 2026),
            (false, false)
        );
        assert_eq!(
            dst_exposure(&[ev(&[2], &[30])], &TimeZone::UTC, 2025, 2026),
            (false, false)
        );
    }
}
