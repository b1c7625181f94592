//! `/etc/anacrontab`: `period delay job-identifier command`, plus `VAR=VALUE` lines
//! (`START_HOURS_RANGE`, `RANDOM_DELAY`, `SHELL`, `PATH`, `MAILTO`, …).
//!
//! anacron runs a job when its period (in days, or `@daily`/`@weekly`/`@monthly`/`@yearly`)
//! has passed since its last run, `delay` minutes after anacron starts. Mapping:
//! - period → `OnCalendar=` at the daily start time (`START_HOURS_RANGE`'s first hour, else
//!   07:30, when Debian's `anacron.timer` first runs anacron) plus `delay` minutes, with
//!   `Persistent=true` so a run missed while the machine was off happens at the next boot.
//! - `RANDOM_DELAY` → `RandomizedDelaySec=` (a new draw each run, as anacron does).
//! - command → `ExecStart=$SHELL -c '…'` (no `%` processing), `User=root`.

use super::schedule::Dialect;
use super::{Daemon, Env, Options, periodic};
use crate::finding::{Code, Finding};
use crate::host::Host;
use crate::ir::{
    Activation, Body, CalendarEvent, Command, Definition, EnvVar, Format, Item, Origin, Service,
    Timer,
};

/// A period as anacron reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Days(u32),
    Monthly,
    Yearly,
}

fn parse_period(word: &str) -> Option<Period> {
    match word {
        "@daily" => Some(Period::Days(1)),
        "@weekly" => Some(Period::Days(7)),
        "@monthly" => Some(Period::Monthly),
        "@yearly" | "@annually" => Some(Period::Yearly),
        w => w.parse::<u32>().ok().filter(|d| *d > 0).map(Period::Days),
    }
}

/// One line as anacron reads it (`read_tab_line`).
struct LogicalLine {
    /// 1-based number of its first physical line.
    number: u32,
    text: String,
    /// Its last physical line ended in a carriage return (left out of `text`).
    cr: bool,
    /// Debian's anacron removed backslashes other than those joining lines.
    backslashes_dropped: bool,
}

/// The lines of an anacrontab as anacron reads them: a backslash right before a newline joins
/// the two lines with a space; Debian's anacron 2.3 drops every other backslash as well,
/// cronie's keeps them. A carriage return after the backslash ends the line.
fn logical_lines(text: &str, dialect: Dialect) -> Vec<LogicalLine> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    let mut finish = |number: u32, acc: String, cr: bool| {
        let (text, backslashes_dropped) = match dialect {
            Dialect::Debian if acc.contains('\\') => (acc.replace('\\', ""), true),
            _ => (acc, false),
        };
        out.push(LogicalLine {
            number,
            text,
            cr,
            backslashes_dropped,
        });
    };
    for (i, raw) in text.split('\n').enumerate() {
        let no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (start, mut acc) = pending.take().unwrap_or((no, String::new()));
        if let Some(body) = raw.strip_suffix('\\') {
            acc.push_str(body);
            acc.push(' ');
            pending = Some((start, acc));
        } else {
            acc.push_str(raw.strip_suffix('\r').unwrap_or(raw));
            finish(start, acc, raw.ends_with('\r'));
        }
    }
    if let Some((start, acc)) = pending {
        finish(start, acc, false);
    }
    out
}

/// anacron reads a line up to `\n`: a DOS line ending leaves a carriage return at the end of
/// the command, or of a variable's value. `vars` names the variables set so far whose line
/// ended so.
fn carriage_returns(line: &str, cr: bool, vars: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let help = "convert /etc/anacrontab to Unix line endings (`dos2unix`); the job may never have worked under anacron";
    if cr {
        let last = line.split_whitespace().last().unwrap_or("");
        findings.push(Finding::approximated(
            Code::CronCrlf,
            format!("this line ends in a carriage return (a DOS line ending): anacron kept it as the last character of the command, so the shell read `{last}\\r`; the unit runs the command without it"),
            help,
        ));
    }
    if !vars.is_empty() {
        findings.push(Finding::approximated(
            Code::CronCrlf,
            format!("the lines setting {} end in a carriage return (a DOS line ending): anacron kept it as the last character of the value; the unit sets the value without it", vars.join(", ")),
            help,
        ));
    }
    findings
}

/// Converts an anacrontab.
#[must_use]
pub fn parse_anacrontab(display: &str, text: &str, host: &Host, options: &Options) -> Vec<Item> {
    let mut env = Env::default();
    let mut items = Vec::new();
    let mut cr_vars: Vec<String> = Vec::new();
    for logical in logical_lines(text, options.dialect) {
        let (line_no, line, cr) = (logical.number, logical.text, logical.cr);
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let origin = Origin {
            format: Some(Format::Anacron),
            file: display.to_string(),
            line: Some(line_no),
        };
        let mut words = t.split_whitespace();
        let first = words.next().unwrap_or("");
        if parse_period(first).is_none()
            && let Some((name, value)) = t.split_once('=')
            && !name.trim().is_empty()
            && !name.trim().contains(char::is_whitespace)
        {
            let name = name.trim().to_string();
            cr_vars.retain(|v| *v != name);
            if cr {
                cr_vars.push(name.clone());
            }
            env.set(name, value.to_string());
            continue;
        }
        let mut item = job(origin, &line, &env, host, options);
        if !matches!(item.body, Body::Error(_)) {
            item.findings.extend(carriage_returns(&line, cr, &cr_vars));
            if logical.backslashes_dropped {
                let (_, command) = fields(&line, 3);
                item.findings.push(Finding::note(
                    Code::AnacronBackslash,
                    format!("Debian's anacron removes every backslash from its lines, so the command ran as `{command}`; the unit runs it the same way"),
                    "if the backslashes were meant, the job never worked as written under Debian's anacron: rewrite the command without them (or move it into a script) and convert again",
                ));
            }
        }
        items.push(item);
    }
    items
}

fn error(origin: Origin, column: usize, message: String) -> Item {
    Item::error(
        origin,
        "job",
        Some(u32::try_from(column).unwrap_or(1)),
        message,
    )
}

/// Byte offset of the `n`-th whitespace-separated word and the rest of the line after it.
fn fields(line: &str, n: usize) -> (Vec<(usize, &str)>, &str) {
    let mut out = Vec::new();
    let mut rest = line;
    let mut offset = 0;
    for _ in 0..n {
        let trimmed = rest.trim_start_matches([' ', '\t']);
        offset += rest.len() - trimmed.len();
        if trimmed.is_empty() {
            break;
        }
        let end = trimmed.find([' ', '\t']).unwrap_or(trimmed.len());
        out.push((offset, &trimmed[..end]));
        offset += end;
        rest = &trimmed[end..];
    }
    (out, rest.trim_start_matches([' ', '\t']))
}

/// anacron takes everything after `=` as the value, quotes included (cron would remove a
/// matching pair): one finding per such value, which the unit keeps as anacron did.
fn quote_findings(env: &Env) -> Vec<Finding> {
    env.iter()
        .filter(|(_, v)| {
            v.len() >= 2 && (v.starts_with('"') || v.starts_with('\'')) && v.ends_with(&v[..1])
        })
        .map(|(name, value)| {
            if name == "MAILTO" && value.len() == 2 {
                Finding::note(
                    Code::AnacronQuotes,
                    format!("anacron keeps quotes: MAILTO={value} is the two-character address `{value}`, not an empty one, so it does not turn anacron's mail off"),
                    "to send no mail, write `MAILTO=` (nothing after `=`) in /etc/anacrontab and convert again",
                )
            } else {
                Finding::note(
                    Code::AnacronQuotes,
                    format!("anacron keeps quotes: {name} is `{value}`, quotes included (cron would remove them); the unit sets it the same way"),
                    format!("if the quotes are not meant to be part of the value, remove them from /etc/anacrontab (`{name}={}`) and convert again", &value[1..value.len() - 1]),
                )
            }
        })
        .collect()
}

fn job(origin: Origin, line: &str, env: &Env, host: &Host, options: &Options) -> Item {
    let col = |byte: usize| line[..byte].chars().count() + 1;
    let (words, command) = fields(line, 3);
    if words.len() < 3 || command.is_empty() {
        return error(
            origin,
            col(line.trim_end().len()),
            "an anacrontab job needs a period, a delay, a job identifier and a command".to_string(),
        );
    }
    let (pcol, pword) = words[0];
    let Some(period) = parse_period(pword) else {
        return error(
            origin,
            col(pcol),
            format!(
                "`{pword}` is not a period: use a number of days, @daily, @weekly, @monthly or @yearly"
            ),
        );
    };
    let (dcol, dword) = words[1];
    let Ok(delay) = dword.parse::<u32>() else {
        return error(
            origin,
            col(dcol),
            format!("`{dword}` is not a delay in minutes"),
        );
    };
    let (icol, id) = words[2];
    if id.contains('/') {
        return error(
            origin,
            col(icol),
            format!("job identifier `{id}` may not contain `/`"),
        );
    }

    let mut findings = Vec::new();
    let (start_hour, start_minute, range_end) =
        match env.get("START_HOURS_RANGE").and_then(|r| r.split_once('-')) {
            Some((a, b)) => match (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
                (Ok(a), Ok(b)) if a < 24 && b <= 24 && a < b => (a, 0, Some(b)),
                _ => (7, 30, None),
            },
            None => (7, 30, None),
        };
    let total = start_hour * 60 + start_minute + delay;
    let (hour, minute) = ((total / 60) % 24, total % 60);
    let mut event = CalendarEvent {
        hours: Some(1 << hour),
        minutes: Some(1 << minute),
        ..CalendarEvent::default()
    };
    let exact = |f: &mut Vec<Finding>, what: String| {
        f.push(Finding::approximated(
            Code::AnacronPeriod,
            format!("anacron ran this job when {pword} day(s) had passed since its last run; the timer runs it {what}"),
            "pick the calendar that suits the job; systemd cannot count days since the last run across reboots",
        ));
    };
    match period {
        Period::Days(1) => {}
        Period::Days(7) => {
            event.weekdays = Some(1);
            exact(
                &mut findings,
                format!("every Monday at {hour:02}:{minute:02}"),
            );
        }
        Period::Monthly => event.days = Some(1 << 1),
        Period::Yearly => {
            event.days = Some(1 << 1);
            event.months = Some(1 << 1);
        }
        Period::Days(n @ 28..=31) => {
            event.days = Some(1 << 1);
            exact(
                &mut findings,
                format!("on the 1st of every month (every {n} days is not expressible)"),
            );
        }
        Period::Days(n) if n < 28 => {
            event.days = Some(
                (1..=31)
                    .step_by(n as usize)
                    .fold(0, |acc, d| acc | (1 << d)),
            );
            exact(
                &mut findings,
                format!(
                    "on days 1, {}, … of each month, restarting every month",
                    1 + n
                ),
            );
        }
        Period::Days(n) => {
            let months = ((n + 15) / 30).clamp(1, 12);
            event.days = Some(1 << 1);
            event.months = Some(
                (1..=12)
                    .step_by(months as usize)
                    .fold(0, |acc, m| acc | (1 << m)),
            );
            exact(
                &mut findings,
                format!("on the 1st of every {months} month(s)"),
            );
        }
    }
    if delay > 0 {
        findings.push(Finding::approximated(
            Code::AnacronDelay,
            format!("after downtime anacron waited {delay} minute(s) after boot before running the job; a persistent timer runs a missed job at once when the machine is back"),
            "add `ExecStartPre=/bin/sleep` by hand if the job must not run right at boot",
        ));
    }
    if let Some(end) = range_end {
        findings.push(Finding::approximated(
            Code::AnacronHoursRange,
            format!("START_HOURS_RANGE: anacron only started jobs between {start_hour}:00 and {end}:00; a run missed while the machine was off happens at boot, whatever the hour"),
            "if the hour matters, drop Persistent=true from the timer and accept that missed runs are skipped",
        ));
    }
    findings.extend(quote_findings(env));
    let random_delay = env
        .get("RANDOM_DELAY")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|m| *m > 0)
        .map(|m| m * 60);

    let shell = env.get("SHELL").unwrap_or("/bin/sh").to_string();
    // Without PATH in the table the unit runs with systemd's own PATH.
    let path = env
        .get("PATH")
        .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    findings.extend(super::missing_executables(&shell, command, path, host));
    let mut service = Service::oneshot(
        command.to_string(),
        Command::Shell {
            shell,
            script: command.to_string(),
        },
    );
    service.exec.user = Some("root".to_string());
    service.exec.keep_children = true;
    service.exec.environment = env
        .iter()
        .filter(|(n, _)| n != "START_HOURS_RANGE" && n != "RANDOM_DELAY")
        .map(|(n, v)| EnvVar::new(n.clone(), v.clone()))
        .collect();
    let (hook, mail_finding) =
        super::mail(env, host, options, command, Daemon::Anacron, Some("root"));
    service.mail = hook;
    findings.extend(mail_finding);
    let periodic_dir = periodic::run_parts_dir(command);
    if let Some(dir) = periodic_dir {
        findings.push(Finding::note(
            Code::PeriodicRunParts,
            format!("runs the scripts in {dir} one after another with run-parts, as anacron did"),
            "convert with --periodic per-script for one unit per script",
        ));
    }
    let timer = Timer {
        calendar: vec![event],
        persistent: true,
        random_delay,
        accuracy_sec: 1,
        ..Timer::default()
    };
    Item {
        origin,
        name: id.to_string(),
        unit_stem: periodic_dir.map_or_else(|| format!("anacron-{id}"), periodic::dir_stem),
        identity: format!("{pword}\u{0}{delay}\u{0}{id}\u{0}{command}"),
        body: Body::Unit(Box::new(Definition {
            service,
            activation: Activation::Timer(timer),
            socket: None,
        })),
        findings,
    }
}
