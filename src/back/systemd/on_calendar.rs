//! Rendering a [`CalendarEvent`] as a systemd calendar expression (`OnCalendar=` value).
//!
//! Shape: `[Weekdays ]*-MONTHS-DAYS HOURS:MINUTES:00[ Zone]`. A full set is `*`; three or more
//! consecutive values are `a..b`; anything else is a list. The repetition syntax (`00/7`) is
//! never written: systemd 252 reports "Infinite loop in calendar calculation" for some of those
//! expressions in zones with daylight saving (found by the differential test).
//! Weekday ranges never wrap (systemd rejects `Sat..Mon`).

use crate::ir::CalendarEvent;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The values set in `bits` between `lo` and `hi` inclusive.
fn values(bits: u64, lo: u32, hi: u32) -> Vec<u32> {
    (lo..=hi).filter(|v| bits & (1u64 << v) != 0).collect()
}

/// Renders one numeric field. `full` is the set meaning "any", rendered `*`.
fn numeric(bits: Option<u64>, lo: u32, hi: u32) -> String {
    let Some(bits) = bits else {
        return "*".to_string();
    };
    let vals = values(bits, lo, hi);
    if vals.len() == (hi - lo + 1) as usize {
        return "*".to_string();
    }
    runs(&vals, |v| format!("{v:02}"))
}

/// Comma list with runs of three or more consecutive values written `a..b`.
fn runs(vals: &[u32], show: impl Fn(u32) -> String) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < vals.len() {
        let mut j = i;
        while j + 1 < vals.len() && vals[j + 1] == vals[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(format!("{}..{}", show(vals[i]), show(vals[j])));
        } else {
            for v in &vals[i..=j] {
                parts.push(show(*v));
            }
        }
        i = j + 1;
    }
    parts.join(",")
}

/// The weekday prefix (with its trailing space), empty when every day is allowed.
fn weekdays(bits: Option<u8>) -> String {
    let Some(bits) = bits else {
        return String::new();
    };
    let vals = values(u64::from(bits), 0, 6);
    if vals.len() == 7 {
        return String::new();
    }
    format!("{} ", runs(&vals, |v| WEEKDAYS[v as usize].to_string()))
}

/// The `OnCalendar=` expression for `event`.
#[must_use]
pub fn expression(event: &CalendarEvent) -> String {
    let mut s = weekdays(event.weekdays);
    s.push_str("*-");
    s.push_str(&numeric(event.months.map(u64::from), 1, 12));
    s.push('-');
    s.push_str(&numeric(event.days.map(u64::from), 1, 31));
    s.push(' ');
    s.push_str(&numeric(event.hours.map(u64::from), 0, 23));
    s.push(':');
    s.push_str(&numeric(event.minutes, 0, 59));
    s.push_str(":00");
    if let Some(zone) = &event.zone {
        s.push(' ');
        s.push_str(zone);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(vals: &[u32]) -> u64 {
        vals.iter().fold(0, |acc, v| acc | (1u64 << v))
    }

    #[test]
    fn fields() {
        let ev = CalendarEvent {
            weekdays: Some(0b001_1111),
            hours: Some(bits(&[9, 13, 17]) as u32),
            minutes: Some(bits(&[0, 20, 40])),
            ..CalendarEvent::default()
        };
        assert_eq!(expression(&ev), "Mon..Fri *-*-* 09,13,17:00,20,40:00");
    }

    #[test]
    fn steps_and_runs() {
        let ev = CalendarEvent {
            days: Some(bits(&(1..=31).step_by(2).collect::<Vec<_>>()) as u32),
            hours: Some(bits(&[0]) as u32),
            minutes: Some(bits(&[0])),
            weekdays: Some(0b100_1000),
            ..CalendarEvent::default()
        };
        assert_eq!(
            expression(&ev),
            "Thu,Sun *-*-01,03,05,07,09,11,13,15,17,19,21,23,25,27,29,31 00:00:00"
        );
        let ev = CalendarEvent {
            weekdays: Some(0b111_1000),
            minutes: Some(bits(&[5])),
            ..CalendarEvent::default()
        };
        assert_eq!(expression(&ev), "Thu..Sun *-*-* *:05:00");
    }
}
