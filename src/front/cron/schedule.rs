//! The schedule of a crontab job line: the five fields or an `@` word, read exactly as Vixie
//! cron (Debian) and cronie read them, and lowered to calendar events.
//!
//! - Lists, ranges and steps; `*/n` starts at the field's minimum; `N/step` without a range is
//!   rejected (Vixie and cronie both refuse it).
//! - Month and weekday names, three letters, any case; Sunday is 0 or 7.
//! - Day-of-month and day-of-week both restricted means either matches (OR) — unless one of
//!   the two fields *starts with* `*` (Vixie's `DOM_STAR`/`DOW_STAR`), then both must match.
//! - cronie's `a~b` (a random value drawn once, when the crontab is loaded) under
//!   [`Dialect::Cronie`].

use crate::ir::CalendarEvent;
use pest::Parser;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "grammars/crontab.pest"]
struct CrontabParser;

/// Which cron implementation's reading to follow where they disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Debian's Vixie cron 3.0pl1.
    #[default]
    Debian,
    /// cronie (RHEL, Fedora).
    Cronie,
}

/// The five fields as value sets, with Vixie's star flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub minutes: u64,
    pub hours: u32,
    pub days: u32,
    pub months: u16,
    /// Cron numbering: bit 0 = Sunday … bit 6 = Saturday.
    pub weekdays: u8,
    pub minute_star: bool,
    pub hour_star: bool,
    pub day_star: bool,
    pub weekday_star: bool,
    /// A cronie `~` value was drawn.
    pub randomized: bool,
}

/// When a job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// `@reboot`.
    Reboot,
    /// Five fields (or an `@` word other than `@reboot`).
    Calendar(Fields),
}

/// A job line split into its schedule and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobLine<'a> {
    /// cronie's `-` prefix was present.
    pub no_log: bool,
    pub spec: Spec,
    /// The schedule as written (`30 4 1,15 * 5`, `@weekly`).
    pub schedule: String,
    /// The text after the schedule and its blanks.
    pub rest: &'a str,
    /// 1-based column where `rest` starts.
    pub rest_column: u32,
}

/// A problem in a job line, at a 1-based column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub column: u32,
    pub message: String,
}

struct FieldDef {
    name: &'static str,
    lo: u32,
    hi: u32,
    names: &'static [&'static str],
}

const MINUTE: FieldDef = FieldDef {
    name: "minute",
    lo: 0,
    hi: 59,
    names: &[],
};
const HOUR: FieldDef = FieldDef {
    name: "hour",
    lo: 0,
    hi: 23,
    names: &[],
};
const DAY: FieldDef = FieldDef {
    name: "day-of-month",
    lo: 1,
    hi: 31,
    names: &[],
};
const MONTH: FieldDef = FieldDef {
    name: "month",
    lo: 1,
    hi: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
};
const WEEKDAY: FieldDef = FieldDef {
    name: "day-of-week",
    lo: 0,
    hi: 7,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};

fn column(line: &str, byte: usize) -> u32 {
    u32::try_from(line[..byte.min(line.len())].chars().count() + 1).unwrap_or(u32::MAX)
}

/// A small deterministic generator for cronie's `~` draws, seeded from the line's text so the
/// same line always draws the same values.
struct Draw(u64);

impl Draw {
    fn next_in(&mut self, lo: u32, hi: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let span = u64::from(hi - lo + 1);
        lo + u32::try_from((self.0 >> 33) % span).unwrap_or(0)
    }
}

/// FNV-1a, for stable seeds and fingerprints.
#[must_use]
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Splits a job line into schedule and rest, checking every value.
///
/// # Errors
/// A [`LineError`] naming the column and what is wrong.
pub fn parse_job(line: &str, dialect: Dialect) -> Result<JobLine<'_>, LineError> {
    let pairs = CrontabParser::parse(Rule::job, line).map_err(|e| {
        let pos = match e.location {
            pest::error::InputLocation::Pos(p) | pest::error::InputLocation::Span((p, _)) => p,
        };
        let message = if pos >= line.trim_end().len() {
            "the line ends before its command: a job needs five time fields (or an @ word) and a command".to_string()
        } else {
            let c = line[pos..].chars().next().unwrap_or(' ');
            format!(
                "unexpected `{c}` in the schedule: a field is a number, a name, `*`, a range `a-b`, a step `/n` or a comma list"
            )
        };
        LineError { column: column(line, pos), message }
    })?;
    let mut draw = Draw(fnv1a(line));
    let mut no_log = false;
    let mut spec = None;
    let mut schedule = String::new();
    let mut rest = "";
    let mut rest_column = 1;
    for pair in pairs.flatten() {
        match pair.as_rule() {
            Rule::no_log => {
                if dialect == Dialect::Debian {
                    return Err(LineError {
                        column: column(line, pair.as_span().start()),
                        message: "a `-` before the schedule is cronie syntax (do not log the job); Debian cron rejects it — use --dialect cronie".to_string(),
                    });
                }
                no_log = true;
            }
            Rule::nickname => {
                schedule = pair.as_str().to_string();
                spec = Some(nickname(pair.as_str()).ok_or_else(|| LineError {
                    column: column(line, pair.as_span().start()),
                    message: format!(
                        "unknown schedule word `{}`: cron knows @reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly (lower case)",
                        pair.as_str()
                    ),
                })?);
            }
            Rule::fields => {
                schedule = pair
                    .as_str()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let fields: Vec<_> = pair.into_inner().collect();
                let defs = [&MINUTE, &HOUR, &DAY, &MONTH, &WEEKDAY];
                let mut sets = [0u64; 5];
                let mut stars = [false; 5];
                let mut randomized = false;
                for (i, (field, def)) in fields.into_iter().zip(defs).enumerate() {
                    stars[i] = field.as_str().starts_with('*');
                    let (bits, rnd) = field_set(line, field, def, dialect, &mut draw)?;
                    sets[i] = bits;
                    randomized |= rnd;
                }
                // Sunday as 7 is Sunday as 0.
                if sets[4] & (1 << 7) != 0 {
                    sets[4] = (sets[4] | 1) & 0x7f;
                }
                spec = Some(Spec::Calendar(Fields {
                    minutes: sets[0],
                    hours: u32::try_from(sets[1]).unwrap_or(0),
                    days: u32::try_from(sets[2]).unwrap_or(0),
                    months: u16::try_from(sets[3]).unwrap_or(0),
                    weekdays: u8::try_from(sets[4]).unwrap_or(0),
                    minute_star: stars[0],
                    hour_star: stars[1],
                    day_star: stars[2],
                    weekday_star: stars[4],
                    randomized,
                }));
            }
            Rule::rest => {
                rest = pair.as_str();
                rest_column = column(line, pair.as_span().start());
            }
            _ => {}
        }
    }
    let spec = spec.ok_or(LineError {
        column: 1,
        message: "no schedule".to_string(),
    })?;
    Ok(JobLine {
        no_log,
        spec,
        schedule,
        rest,
        rest_column,
    })
}

/// Reads a schedule on its own, as `explain` takes it: exactly five fields or one `@` word,
/// blanks around allowed. Errors are located in `text` as given (1-based columns), never in
/// anything added to it.
///
/// # Errors
/// A [`LineError`] when the schedule is empty, has another number of fields, or does not
/// parse.
pub fn parse_schedule(text: &str, dialect: Dialect) -> Result<JobLine<'static>, LineError> {
    let body = text
        .trim_start_matches([' ', '\t'])
        .trim_end_matches([' ', '\t']);
    let lead = text.len() - text.trim_start_matches([' ', '\t']).len();
    let col = |byte_in_body: usize| column(text, lead + byte_in_body);
    if body.is_empty() {
        return Err(LineError {
            column: 1,
            message: "the schedule is empty: give five fields (minute hour day-of-month month day-of-week, such as `30 4 * * *`) or an @ word (`@daily`)".to_string(),
        });
    }
    let words: Vec<(usize, &str)> = body
        .split([' ', '\t'])
        .scan(0usize, |at, w| {
            let start = *at;
            *at += w.len() + 1;
            Some((start, w))
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    let nickname = words[0].1.trim_start_matches('-').starts_with('@');
    let wanted = if nickname { 1 } else { 5 };
    if let Some((start, extra)) = words.get(wanted) {
        let message = if nickname {
            format!(
                "an @ word is the whole schedule, but `{extra}` follows `{}`",
                words[0].1
            )
        } else {
            format!(
                "a schedule has exactly five fields (minute hour day-of-month month day-of-week); `{extra}` is a sixth (cron has no seconds or year field)"
            )
        };
        return Err(LineError {
            column: col(*start),
            message,
        });
    }
    if words.len() < wanted {
        let missing = ["minute", "hour", "day-of-month", "month", "day-of-week"][words.len()];
        return Err(LineError {
            column: col(body.len()),
            message: format!(
                "a schedule has five fields (minute hour day-of-month month day-of-week) or is one @ word; this one has {}, so the {missing} field is missing",
                words.len()
            ),
        });
    }
    let line = format!("{body} :");
    let job = parse_job(&line, dialect).map_err(|e| {
        // The appended command is never the user's mistake: at most, point at the end.
        let at = body
            .char_indices()
            .nth(e.column.saturating_sub(1) as usize)
            .map_or(body.len(), |(byte, _)| byte);
        LineError {
            column: col(at),
            message: e.message,
        }
    })?;
    Ok(JobLine {
        no_log: job.no_log,
        spec: job.spec,
        schedule: job.schedule,
        rest: "",
        rest_column: column(text, lead + body.len()),
    })
}

fn nickname(word: &str) -> Option<Spec> {
    let (minutes, hours, days, months, weekdays, hour_star, day_star, weekday_star) = match word {
        "@reboot" => return Some(Spec::Reboot),
        "@yearly" | "@annually" => (1, 1, 1 << 1, 1 << 1, 0x7f, false, false, true),
        "@monthly" => (1, 1, 1 << 1, 0x1ffe, 0x7f, false, false, true),
        "@weekly" => (1, 1, 0xffff_fffe, 0x1ffe, 1, false, true, false),
        "@daily" | "@midnight" => (1, 1, 0xffff_fffe, 0x1ffe, 0x7f, false, true, true),
        "@hourly" => (1, 0x00ff_ffff, 0xffff_fffe, 0x1ffe, 0x7f, true, true, true),
        _ => return None,
    };
    Some(Spec::Calendar(Fields {
        minutes,
        hours,
        days,
        months,
        weekdays,
        minute_star: false,
        hour_star,
        day_star,
        weekday_star,
        randomized: false,
    }))
}

fn value_of(
    line: &str,
    pair: &pest::iterators::Pair<'_, Rule>,
    def: &FieldDef,
) -> Result<u32, LineError> {
    let text = pair.as_str();
    let err = |message: String| LineError {
        column: column(line, pair.as_span().start()),
        message,
    };
    let value = if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u32>().map_err(|_| {
            err(format!(
                "`{text}` is out of range for the {} field",
                def.name
            ))
        })?
    } else {
        let lower = text.to_ascii_lowercase();
        let idx = def.names.iter().position(|n| *n == lower).ok_or_else(|| {
            if def.names.is_empty() {
                err(format!(
                    "the {} field takes numbers, not `{text}`",
                    def.name
                ))
            } else {
                err(format!(
                    "`{text}` is not a {} name: use the first three letters ({})",
                    def.name,
                    def.names.join(", ")
                ))
            }
        })?;
        u32::try_from(idx).unwrap_or(0) + def.lo
    };
    if value < def.lo || value > def.hi {
        return Err(err(format!(
            "{value} is out of range for the {} field ({}-{})",
            def.name, def.lo, def.hi
        )));
    }
    Ok(value)
}

/// The value set of one field, and whether a cronie `~` value was drawn.
fn field_set(
    line: &str,
    field: pest::iterators::Pair<'_, Rule>,
    def: &FieldDef,
    dialect: Dialect,
    draw: &mut Draw,
) -> Result<(u64, bool), LineError> {
    let mut bits = 0u64;
    let mut randomized = false;
    for item in field.into_inner() {
        let item_start = item.as_span().start();
        let mut parts = item.into_inner();
        let Some(base) = parts.next() else { continue };
        let step = match parts.next() {
            Some(step) => {
                let num = step.into_inner().next();
                let n = num
                    .as_ref()
                    .and_then(|n| n.as_str().parse::<u32>().ok())
                    .unwrap_or(0);
                if n == 0 {
                    return Err(LineError {
                        column: column(line, item_start),
                        message: format!("a step must be at least 1 in the {} field", def.name),
                    });
                }
                Some(n)
            }
            None => None,
        };
        let (lo, hi) = match base.as_rule() {
            Rule::star => (def.lo, def.hi),
            Rule::range => {
                let mut vals = base.clone().into_inner();
                let (Some(a), Some(b)) = (vals.next(), vals.next()) else {
                    continue;
                };
                let (a_val, b_val) = (value_of(line, &a, def)?, value_of(line, &b, def)?);
                if a_val > b_val {
                    return Err(LineError {
                        column: column(line, base.as_span().start()),
                        message: format!(
                            "range `{}` runs backwards; cron rejects it (write it as a list)",
                            base.as_str()
                        ),
                    });
                }
                (a_val, b_val)
            }
            Rule::random => {
                if dialect == Dialect::Debian {
                    return Err(LineError {
                        column: column(line, base.as_span().start()),
                        message: "`~` (a random value) is cronie syntax that Debian cron rejects — use --dialect cronie"
                            .to_string(),
                    });
                }
                let text = base.as_str();
                let (a, b) = text.split_once('~').unwrap_or(("", ""));
                let mut vals = base.clone().into_inner();
                let a_val = if a.is_empty() {
                    def.lo
                } else {
                    vals.next()
                        .map_or(Ok(def.lo), |p| value_of(line, &p, def))?
                };
                let b_val = if b.is_empty() {
                    def.hi
                } else {
                    vals.next()
                        .map_or(Ok(def.hi), |p| value_of(line, &p, def))?
                };
                if a_val > b_val || step.is_some() {
                    return Err(LineError {
                        column: column(line, base.as_span().start()),
                        message: format!("`{text}` is not a valid random range"),
                    });
                }
                randomized = true;
                let v = draw.next_in(a_val, b_val);
                (v, v)
            }
            _ => {
                let v = value_of(line, &base, def)?;
                if step.is_some() {
                    return Err(LineError {
                        column: column(line, item_start),
                        message: format!(
                            "`{}` has a step but no range; Vixie cron and cronie reject it — write `{v}-{}/{}` or `*/{}`",
                            base.as_str(),
                            def.hi,
                            step.unwrap_or(1),
                            step.unwrap_or(1)
                        ),
                    });
                }
                (v, v)
            }
        };
        let step = step.unwrap_or(1);
        let mut v = lo;
        while v <= hi {
            bits |= 1u64 << v;
            v += step;
        }
    }
    Ok((bits, randomized))
}

const FULL_MINUTES: u64 = (1 << 60) - 1;
const FULL_HOURS: u32 = (1 << 24) - 1;
const FULL_DAYS: u32 = 0xffff_fffe;
const FULL_MONTHS: u16 = 0x1ffe;
const FULL_WEEKDAYS: u8 = 0x7f;

/// Cron weekday bits (bit 0 = Sunday) to IR weekday bits (bit 0 = Monday).
fn ir_weekdays(cron: u8) -> u8 {
    (0..7)
        .filter(|d| cron & (1 << d) != 0)
        .fold(0, |acc, d| acc | (1 << ((d + 6) % 7)))
}

impl Fields {
    /// Whether both day fields are restricted and neither starts with `*`, so that cron runs the
    /// job when *either* matches.
    #[must_use]
    pub fn days_ored(&self) -> bool {
        !self.day_star && !self.weekday_star
    }

    /// Calendar events that fire exactly when cron runs the job: one event, or two (days of the
    /// month OR days of the week) when cron ORs the day fields.
    #[must_use]
    pub fn events(&self, zone: Option<&str>) -> Vec<CalendarEvent> {
        let base = CalendarEvent {
            weekdays: None,
            months: (self.months != FULL_MONTHS).then_some(self.months),
            days: None,
            hours: (self.hours != FULL_HOURS).then_some(self.hours),
            minutes: (self.minutes != FULL_MINUTES).then_some(self.minutes),
            zone: zone.map(str::to_string),
        };
        let days = (self.days != FULL_DAYS).then_some(self.days);
        let weekdays = (self.weekdays != FULL_WEEKDAYS).then_some(ir_weekdays(self.weekdays));
        if !self.days_ored() {
            return vec![CalendarEvent {
                days,
                weekdays,
                ..base
            }];
        }
        match (days, weekdays) {
            // One side allows every day: the union is every day.
            (None, _) | (_, None) => vec![base],
            (Some(d), Some(w)) => vec![
                CalendarEvent {
                    days: Some(d),
                    ..base.clone()
                },
                CalendarEvent {
                    weekdays: Some(w),
                    ..base
                },
            ],
        }
    }
}
