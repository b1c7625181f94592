//! The cron family: crontabs (system and per-user), `/etc/anacrontab`, and the periodic
//! directories they run.
//!
//! Mapping of a crontab job line (Debian cron / cronie):
//! - schedule → `OnCalendar=` (two lines when cron ORs the day fields), `AccuracySec=1s`, no
//!   persistence; `@reboot` → `OnBootSec=1min`.
//! - user column or spool owner → `User=`; `HOME` → `WorkingDirectory=` (default `~`).
//! - command → `ExecStart=$SHELL -c '…'`; text after `%` → `StandardInput=data`.
//! - `SHELL`, `PATH` (cron's defaults `/bin/sh`, `/usr/bin:/bin` when unset) and every other
//!   variable → `Environment=`; `CRON_TZ` (cronie) → the zone of `OnCalendar=`; `RANDOM_DELAY`
//!   (cronie) → `RandomizedDelaySec=`; `MAILTO`/`MAILFROM` → a finding, or a mail hook with `--mail`.
//! - `Type=oneshot`, `KillMode=process` (cron never kills a job's background children).

pub mod anacron;
pub mod command;
pub mod periodic;
pub mod schedule;

use crate::finding::{Code, Finding};
use crate::fire_times;
use crate::host::Host;
use crate::ir::{
    Activation, Body, CalendarEvent, Command, Definition, EnvVar, Format, Item, MailHook, Origin,
    Service, Stdin, Timer, WorkingDir,
};
use schedule::{Dialect, Spec};

/// How a crontab's lines are laid out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Table {
    /// Decide from the path, else from the lines (the contract's rules).
    #[default]
    Infer,
    /// `/etc/crontab` and `cron.d` style: a user column after the schedule.
    System,
    /// A per-user crontab owned by the named user (`None`: owner unknown).
    User(Option<String>),
}

/// What to emit for the periodic directories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Periodic {
    /// One unit per directory, running `run-parts` (keeps order and serial execution).
    #[default]
    RunParts,
    /// One unit per script in the directory.
    PerScript,
}

/// What becomes of a periodic directory given as an input that no line of the run runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoneDirectory {
    /// Converted on the schedule its name implies (`convert /etc/cron.daily`: the user asked).
    #[default]
    Implied,
    /// Skipped: nothing on the host runs it (`scan` sees every crontab and the anacrontab).
    Skipped,
}

/// The user running systemdify, as the process's real uid and its name in the machine's
/// `/etc/passwd` (`None` when it has none there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoker {
    pub uid: u32,
    pub name: Option<String>,
}

impl Invoker {
    /// How `User=` names this user: the name, else the numeric uid (systemd accepts both).
    #[must_use]
    pub fn user(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.uid.to_string())
    }
}

/// Options of the cron family.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub table: Table,
    pub dialect: Dialect,
    /// Emit mail hooks for `MAILTO` instead of a `cron-mailto` finding.
    pub mail: bool,
    pub periodic: Periodic,
    pub lone_directory: LoneDirectory,
    /// The user running systemdify: the owner of a crontab read from standard input when
    /// neither `--user` nor `--system` says otherwise (`crontab -l | systemdify convert -`).
    pub invoker: Option<Invoker>,
}

/// Years over which daylight-saving exposure is checked (fixed, so output does not depend on
/// the date of the run).
const DST_YEARS: (i16, i16) = (2025, 2035);

/// Cron's own defaults for a job's environment (Vixie `pathnames.h`).
const DEFAULT_SHELL: &str = "/bin/sh";
const DEFAULT_PATH: &str = "/usr/bin:/bin";

/// Parses a `NAME = value` environment line as Vixie cron's `load_env` does: blanks around
/// `=` allowed, matching quotes around the name or value removed. `None` when the line is not
/// an assignment.
#[must_use]
pub fn env_assignment(line: &str) -> Option<(String, String)> {
    let t = line.trim_start();
    let (name, after) = if let Some(q) = t.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = t[1..].find(q)? + 1;
        (t[1..end].to_string(), &t[end + 1..])
    } else {
        let end = t.find(['=', ' ', '\t'])?;
        (t[..end].to_string(), &t[end..])
    };
    if name.is_empty() {
        return None;
    }
    let value = after.trim_start().strip_prefix('=')?.trim();
    let value = match value.chars().next() {
        Some(q @ ('"' | '\'')) if value.len() >= 2 && value.ends_with(q) => {
            &value[1..value.len() - 1]
        }
        _ => value,
    };
    Some((name, value.to_string()))
}

/// The crontab's environment as assigned so far: names in first-assignment order, last value wins.
#[derive(Debug, Clone, Default)]
pub struct Env(Vec<(String, String)>);

impl Env {
    pub fn set(&mut self, name: String, value: String) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn iter(&self) -> impl Iterator<Item = &(String, String)> {
        self.0.iter()
    }
}

/// Where a crontab sits, for naming and format decisions.
struct Place<'a> {
    host_path: Option<&'a str>,
}

impl Place<'_> {
    fn file_name(&self) -> Option<&str> {
        self.host_path
            .and_then(|p| p.rsplit('/').next())
            .filter(|n| !n.is_empty())
    }
    fn parent_dir(&self) -> Option<&str> {
        let p = self.host_path?;
        let (dir, _) = p.rsplit_once('/')?;
        Some(dir)
    }
    fn is_system(&self) -> bool {
        self.host_path == Some("/etc/crontab")
            || self
                .parent_dir()
                .is_some_and(|d| d.ends_with("/cron.d") || d == "cron.d")
    }
    fn spool_user(&self) -> Option<&str> {
        let dir = self.parent_dir()?;
        (dir.ends_with("/var/spool/cron/crontabs")
            || dir.ends_with("/var/spool/cron/tabs")
            || dir.ends_with("/var/spool/cron"))
        .then(|| self.file_name())
        .flatten()
    }
}

/// Why Debian's cron ignores a file in `/etc/cron.d` (run-parts naming rules), if it does.
#[must_use]
pub fn ignored_cron_d_name(name: &str) -> Option<&'static str> {
    if name.starts_with('.') {
        Some("its name starts with a dot")
    } else if name.ends_with('~') || name.contains(".dpkg-") || name.ends_with(".dpkg") {
        Some("it is a backup or dpkg leftover")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Some("its name has characters other than letters, digits, `_` and `-`")
    } else {
        None
    }
}

/// One environment/job line after classification.
enum Line<'a> {
    Blank,
    Env(String, String),
    Job(&'a str),
}

fn classify(line: &str) -> Line<'_> {
    let t = line.trim_start();
    if t.is_empty() || t.starts_with('#') {
        return Line::Blank;
    }
    // A job line starts with a field or `@`; an assignment's name never holds blanks.
    if let Some((name, value)) = env_assignment(line)
        && !t.starts_with('@')
        && !t.starts_with(|c: char| c.is_ascii_digit() || c == '*')
    {
        return Line::Env(name, value);
    }
    Line::Job(line)
}

/// How a job line's user token looks, for format inference.
#[derive(PartialEq, Eq)]
enum Looks {
    System,
    User,
    Unsure,
}

fn looks(host: &Host, rest: &str) -> Looks {
    let mut words = rest.split_whitespace();
    let first = words.next().unwrap_or("");
    if words.next().is_none() {
        return Looks::User;
    }
    if host.user(first).is_some() || first == "root" {
        return Looks::System;
    }
    let valid_user = first
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$'));
    if !valid_user
        || host
            .which(first, "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
            .is_some()
    {
        Looks::User
    } else {
        Looks::Unsure
    }
}

/// Converts one crontab. `display` names the file in the report; `host_path` is its path on
/// the host (used for format and naming decisions), `None` for standard input.
#[must_use]
pub fn parse_crontab(
    display: &str,
    host_path: Option<&str>,
    text: &str,
    host: &Host,
    options: &Options,
) -> Vec<Item> {
    let place = Place { host_path };
    let file_origin = || Origin {
        format: Some(Format::Cron),
        file: display.to_string(),
        line: None,
    };
    let file_name = place.file_name().unwrap_or("crontab");
    if place.parent_dir().is_some_and(|d| d.ends_with("/cron.d"))
        && let Some(why) = place.file_name().and_then(ignored_cron_d_name)
    {
        return vec![Item::skipped(
            file_origin(),
            file_name,
            Finding::note(
                Code::CronIgnoredFile,
                format!("Debian's cron ignores this file: {why}"),
                "nothing ran from it; rename it (letters, digits, `_`, `-` only) if its jobs were meant to run, and convert again",
            ),
        )];
    }
    // Findings about the whole file, given to each of its jobs.
    let mut file_notes = Vec::new();
    let table = match &options.table {
        Table::System => Table::System,
        Table::User(u) => Table::User(u.clone()),
        Table::Infer if place.is_system() => Table::System,
        Table::Infer if place.spool_user().is_some() => {
            Table::User(place.spool_user().map(str::to_string))
        }
        Table::Infer if host_path.is_none() => match &options.invoker {
            Some(me) => {
                let uid = me.uid;
                let who = match &me.name {
                    Some(name) => format!("{name} (uid {uid})"),
                    None => format!("uid {uid} (it has no name in this machine's /etc/passwd)"),
                };
                file_notes.push(Finding::note(
                    Code::CronStdinUser,
                    format!("standard input is read as the crontab of {who}, the user running systemdify, as `crontab -l` lists its own user's crontab"),
                    "if it is another user's crontab, convert again with --user NAME (or --system for a crontab with a user column)",
                ));
                Table::User(Some(me.user()))
            }
            None => Table::User(None),
        },
        Table::Infer => {
            let verdicts: Vec<(Looks, &str)> = text
                .lines()
                .filter_map(|l| match classify(l) {
                    Line::Job(j) => schedule::parse_job(j, options.dialect).ok().map(|job| {
                        let first = job.rest.split_whitespace().next().unwrap_or("");
                        (looks(host, job.rest), first)
                    }),
                    _ => None,
                })
                .collect();
            let help = "if that is wrong, convert again with --system, or --user NAME (the crontab's owner)";
            if verdicts.iter().all(|v| v.0 == Looks::System) && !verdicts.is_empty() {
                let mut users: Vec<String> = Vec::new();
                for (_, user) in &verdicts {
                    let shown = format!("`{user}`");
                    if !users.contains(&shown) {
                        users.push(shown);
                    }
                }
                file_notes.push(Finding::note(
                    Code::CronFormatInferred,
                    format!("read as a system crontab (a user column after the schedule), as neither its path nor an option says which: in every job line the word after the schedule is a user of the host ({})", users.join(", ")),
                    help,
                ));
                Table::System
            } else if verdicts.iter().all(|v| v.0 == Looks::User) {
                file_notes.push(Finding::note(
                    Code::CronFormatInferred,
                    "read as a user's crontab (no user column), as neither its path nor an option says which: in no job line is the word after the schedule a user of the host",
                    help,
                ));
                Table::User(None)
            } else {
                return vec![Item::error(
                    file_origin(),
                    file_name,
                    None,
                    "cannot tell whether this is a system crontab (with a user column) or a user's crontab; pass --system or --user NAME".to_string(),
                )];
            }
        }
    };
    let stem_prefix = match &table {
        Table::System if host_path == Some("/etc/crontab") => "crontab".to_string(),
        Table::System => place.file_name().unwrap_or("crontab").to_string(),
        Table::User(Some(u)) => format!("cron-{u}"),
        Table::User(None) | Table::Infer => "cron".to_string(),
    };
    let ends = line_ends(text, options.dialect);
    file_notes.extend(ends.whole_file.iter().cloned());
    let mut env = Env::default();
    let mut items: Vec<Item> = Vec::new();
    // The first line Debian's cron cannot read (its whole file is then ignored), and the
    // assignment it misreads, if that is the reason.
    let mut broken: Option<(u32, Option<String>)> = None;
    for (idx, raw) in text.split('\n').enumerate() {
        let line_no = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        match classify(line) {
            Line::Blank => {}
            Line::Env(name, value) => {
                let empty = line
                    .split_once('=')
                    .is_some_and(|(_, v)| v.trim().is_empty());
                if empty && options.dialect == Dialect::Debian && broken.is_none() {
                    broken = Some((line_no, Some(line.trim().to_string())));
                }
                env.set(name, value);
            }
            Line::Job(job_text) => {
                let origin = Origin {
                    format: Some(Format::Cron),
                    file: display.to_string(),
                    line: Some(line_no),
                };
                let ctx = JobContext {
                    origin,
                    file_notes: &file_notes,
                    stem_prefix: &stem_prefix,
                    table: &table,
                    env: &env,
                    host,
                    options,
                };
                let mut item = job_item(&ctx, job_text);
                if matches!(item.body, Body::Error(_)) {
                    if options.dialect == Dialect::Debian && broken.is_none() {
                        broken = Some((line_no, None));
                    }
                } else {
                    if raw.ends_with('\r') {
                        item.findings.push(carriage_return(raw));
                    }
                    if Some(line_no) == ends.last_line_ignored {
                        item.findings.push(Finding::approximated(
                            Code::CronNoFinalNewline,
                            "cronie ignored this line: it is the file's last and does not end in a newline (cronie logged \"missing newline before EOF\"), so the job never ran; the timer runs it",
                            "check that the job should run at all; end the file with a newline if it stays in use",
                        ));
                    }
                }
                items.push(item);
            }
        }
    }
    if let Some((line_no, assignment)) = broken {
        let (message, help) = match assignment {
            Some(a) => (
                format!("Debian's cron ignored this whole file: line {line_no} (`{a}`) has nothing after `=`, which Debian's cron does not read as an assignment but as a broken job line (\"Syntax error, this crontab file will be ignored\"), so none of its jobs ran; the timer runs this one, with the variable empty"),
                format!("check that the jobs should run at all; for an empty value write `{}\"\"`, which both Debian's cron and cronie read as empty", a.trim_end_matches([' ', '\t'])),
            ),
            None => (
                format!("Debian's cron ignored this whole file: line {line_no} is not a job it can read (\"Syntax error, this crontab file will be ignored\"), so none of its jobs ran; the timer runs this one"),
                "check that the jobs should run at all; fix or remove the broken line if the file stays in use".to_string(),
            ),
        };
        for item in &mut items {
            if matches!(item.body, Body::Unit(_)) {
                item.findings.push(Finding::approximated(
                    Code::CronFileIgnored,
                    message.clone(),
                    help.clone(),
                ));
            }
        }
    }
    if items.is_empty() {
        items.push(Item::skipped(
            file_origin(),
            file_name,
            Finding::note(
                Code::CronEmpty,
                "this crontab has no job lines (only comments, blank lines or variables)",
                "nothing to convert",
            ),
        ));
    }
    items
}

/// What the dialect's cron does with the file's line endings.
struct LineEnds {
    /// Findings for every job when cron ignored the whole file (Debian: a last line without
    /// newline, or a line holding only a carriage return).
    whole_file: Vec<Finding>,
    /// The line cron ignored on its own (cronie: the last one, without newline).
    last_line_ignored: Option<u32>,
}

/// How Debian cron and cronie treat a missing final newline and DOS line endings. Both read
/// a line up to `\n`; a comment or blank last line without one is harmless. Debian's
/// `load_user` then drops the whole file ("Missing newline before EOF, this crontab file will
/// be ignored"), cronie only that line. A line holding only `\r` is no blank line to either
/// (`skip_comments` skips spaces and tabs only): cronie logs it as a bad entry, Debian's
/// `load_user` drops the whole file on that syntax error.
fn line_ends(text: &str, dialect: Dialect) -> LineEnds {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut ends = LineEnds {
        whole_file: Vec::new(),
        last_line_ignored: None,
    };
    let last = lines.len();
    let unterminated = lines
        .last()
        .is_some_and(|l| !matches!(classify(l.strip_suffix('\r').unwrap_or(l)), Line::Blank));
    if unterminated {
        match dialect {
            Dialect::Debian => ends.whole_file.push(Finding::approximated(
                Code::CronNoFinalNewline,
                format!("Debian's cron ignored this whole file: its last line (line {last}) does not end in a newline, so cron logged \"Missing newline before EOF, this crontab file will be ignored\" and ran none of its jobs; the timer runs this one"),
                "check that the jobs should run at all: under cron they never did (`crontab` refuses such a file, so it was written by hand or by a tool)",
            )),
            Dialect::Cronie => ends.last_line_ignored = u32::try_from(last).ok(),
        }
    }
    let blank_cr = lines
        .iter()
        .position(|l| l.trim_start_matches([' ', '\t']) == "\r");
    if let (Dialect::Debian, Some(i)) = (dialect, blank_cr) {
        ends.whole_file.push(Finding::approximated(
            Code::CronCrlf,
            format!("Debian's cron ignored this whole file: line {} holds only a carriage return (a blank line with a DOS line ending), which cron reads as a broken job line (\"Syntax error, this crontab file will be ignored\"), so none of its jobs ran; the timer runs this one", i + 1),
            "check that the jobs should run at all; convert the file to Unix line endings (`dos2unix`) if it stays in use",
        ));
    }
    ends
}

/// The finding for a job line (`raw`, its carriage return included) that ends in a carriage
/// return: cron keeps it as the last character of the command, or of its standard input
/// after a `%`.
fn carriage_return(raw: &str) -> Finding {
    let job_text = raw.trim_end_matches('\r');
    let into_stdin = command::split_percent(raw).stdin.is_some();
    let message = if into_stdin {
        "this line ends in a carriage return (a DOS line ending): cron kept it as part of the job's standard input (the text after `%`), which ended in `\\r` and a newline; the unit's standard input ends without it".to_string()
    } else {
        let words: Vec<&str> = job_text.split_whitespace().collect();
        let last = words.last().copied().unwrap_or("");
        format!(
            "this line ends in a carriage return (a DOS line ending): cron kept it as the last character of the command, so the shell read `{last}\\r` (for a program name: not found; for an argument: a stray character); the unit runs the command without it"
        )
    };
    Finding::approximated(
        Code::CronCrlf,
        message,
        "convert the file to Unix line endings (`dos2unix`); the job may never have worked under cron",
    )
}

/// The periodic directory a converted item runs with `run-parts`, if any.
pub(crate) fn periodic_of(item: &Item) -> Option<String> {
    let Body::Unit(def) = &item.body else {
        return None;
    };
    let Command::Shell { script, .. } = &def.service.command else {
        return None;
    };
    periodic::run_parts_dir(script).map(str::to_string)
}

struct JobContext<'a> {
    origin: Origin,
    /// Findings about the whole file, reported with every job converted from it.
    file_notes: &'a [Finding],
    stem_prefix: &'a str,
    table: &'a Table,
    env: &'a Env,
    host: &'a Host,
    options: &'a Options,
}

/// Joins a stem prefix and a job name, without repeating the prefix.
#[must_use]
pub fn stem(prefix: &str, name: &str) -> String {
    if name.is_empty() || name == prefix {
        prefix.to_string()
    } else {
        format!("{prefix}-{name}")
    }
}

fn job_item(ctx: &JobContext<'_>, text: &str) -> Item {
    let options = ctx.options;
    let job = match schedule::parse_job(text, options.dialect) {
        Ok(job) => job,
        Err(e) => return Item::error(ctx.origin.clone(), "job", Some(e.column), e.message),
    };
    let (user, command) = match ctx.table {
        Table::System => {
            let rest = job.rest;
            let user_end = rest.find([' ', '\t']).unwrap_or(rest.len());
            let cmd = rest[user_end..].trim_start_matches([' ', '\t']);
            if cmd.is_empty() {
                return Item::error(
                    ctx.origin.clone(),
                    "job",
                    Some(job.rest_column + u32::try_from(rest.chars().count()).unwrap_or(0)),
                    "missing command after the user column (this is a system crontab: schedule, user, command)".to_string(),
                );
            }
            (Some(rest[..user_end].to_string()), cmd)
        }
        Table::User(u) => (u.clone(), job.rest),
        Table::Infer => (None, job.rest),
    };
    let split = command::split_percent(command);
    let name = {
        let n = command::job_name(&split.script);
        if n.is_empty() { "job".to_string() } else { n }
    };
    let mut findings = ctx.file_notes.to_vec();
    let periodic_dir = periodic::run_parts_dir(&split.script);
    let unit_stem = match periodic_dir {
        Some(dir) => periodic::dir_stem(dir),
        None => stem(ctx.stem_prefix, &name),
    };
    let identity = format!(
        "{}\u{0}{}\u{0}{}",
        job.schedule,
        user.as_deref().unwrap_or(""),
        command
    );
    let mut item = Item {
        origin: ctx.origin.clone(),
        name: periodic_dir.map_or(name.clone(), |d| {
            d.rsplit('/').next().unwrap_or(d).to_string()
        }),
        unit_stem,
        identity,
        body: Body::Skipped,
        findings: Vec::new(),
    };
    if let Some(guard) = command::systemd_guard(&split.script) {
        item.findings.push(Finding::note(
            Code::CronSuperseded,
            format!("the job does nothing on a systemd host (`{guard}`); its package ships a native unit for this work"),
            "nothing to convert; check that the package's own .timer/.service is enabled",
        ));
        return item;
    }
    if let Some(dir) = periodic_dir
        && command::anacron_guard(&split.script)
        && ctx.host.is_executable("/usr/sbin/anacron")
    {
        item.findings.push(Finding::note(
            Code::CronPeriodicLine,
            format!("anacron is installed on this host, so this line does nothing; /etc/anacrontab runs {dir}"),
            "convert /etc/anacrontab to get the units for this directory",
        ));
        return item;
    }
    // The job's environment, as cron builds it.
    let env = ctx.env;
    let mut vars: Vec<EnvVar> = Vec::new();
    if env.get("SHELL").is_none() {
        vars.push(EnvVar::new("SHELL", DEFAULT_SHELL));
    }
    if env.get("PATH").is_none() {
        vars.push(EnvVar::new("PATH", DEFAULT_PATH));
    }
    let mut zone = None;
    let mut random_delay = None;
    for (name, value) in env.iter() {
        match name.as_str() {
            "LOGNAME" | "USER" => {
                findings.push(Finding::note(
                    Code::CronDialectVariable,
                    format!("{name}={value} is ignored: cron sets {name} to the job's owner, and so does User="),
                    "nothing to do",
                ));
                continue;
            }
            "CRON_TZ" => match options.dialect {
                Dialect::Cronie if jiff::tz::TimeZone::get(value).is_ok() => {
                    zone = Some(value.clone());
                    findings.push(Finding::note(
                        Code::CronTz,
                        format!("CRON_TZ={value}: the schedule is read in {value}, as cronie does"),
                        "nothing to do",
                    ));
                }
                Dialect::Cronie => findings.push(Finding::approximated(
                    Code::CronTz,
                    format!("CRON_TZ={value} names no time zone known here; the schedule uses the host's zone"),
                    "check the zone name (an IANA name such as Europe/Berlin) and add it to OnCalendar= by hand",
                )),
                Dialect::Debian => findings.push(Finding::note(
                    Code::CronTzIgnored,
                    format!("CRON_TZ={value} is only an environment variable for Debian's cron: the schedule stays in the host's zone"),
                    "if this crontab came from a cronie host, convert with --dialect cronie to read the schedule in that zone",
                )),
            },
            "TZ" => findings.push(Finding::note(
                Code::CronTzEnv,
                format!("TZ={value} is passed to the command only; cron reads schedules in its own zone, and so does the timer"),
                "to schedule in that zone, add it to the OnCalendar= lines (e.g. `*-*-* 04:30:00 Europe/Berlin`)",
            )),
            "RANDOM_DELAY" if options.dialect == Dialect::Cronie => {
                if let Ok(minutes) = value.trim().parse::<u64>() {
                    random_delay = Some(minutes.min(1440) * 60);
                    findings.push(Finding::approximated(
                        Code::CronRandomDelay,
                        format!("RANDOM_DELAY={value}: each start is delayed by up to {value} minute(s); cronie used one random factor for all jobs per daemon start, systemd draws a stable delay per unit"),
                        "nothing to do unless jobs relied on running in the same order",
                    ));
                }
            }
            "RANDOM_DELAY" | "MLS_LEVEL" | "XDG_SESSION_CLASS" | "CRON_CORRECT_DST" => {
                findings.push(Finding::note(
                    Code::CronDialectVariable,
                    format!("{name} means something to cronie only; under Debian's cron it is just an environment variable"),
                    "if this crontab came from a cronie host, convert with --dialect cronie",
                ));
            }
            _ => {}
        }
        vars.push(EnvVar::new(name.clone(), value.clone()));
    }
    let shell = env.get("SHELL").unwrap_or(DEFAULT_SHELL).to_string();
    let path = env.get("PATH").unwrap_or(DEFAULT_PATH);

    let mut service = Service::oneshot(
        description(&split.script),
        Command::Shell {
            shell: shell.clone(),
            script: split.script.clone(),
        },
    );
    service.exec.environment = vars;
    service.exec.user.clone_from(&user);
    service.exec.working_dir = Some(
        env.get("HOME")
            .map_or(WorkingDir::Home, |h| WorkingDir::Path(h.to_string())),
    );
    service.exec.keep_children = true;
    if let Some(data) = split.stdin {
        service.exec.stdin = Stdin::Data(data);
    }

    match &user {
        Some(u) if ctx.host.user(u).is_none() && u != "root" => findings.push(Finding::note(
            Code::UserNotFound,
            format!("user `{u}` does not exist on {}", ctx.host.label()),
            "create the user on the target host, or the service fails to start",
        )),
        None => findings.push(Finding::note(
            Code::CronNoUser,
            "the crontab's owner is unknown, so no User= is written and the job runs as root",
            "pass --user NAME (the owner of the crontab) and convert again",
        )),
        _ => {}
    }
    findings.extend(missing_executables(&shell, &split.script, path, ctx.host));
    if job.no_log {
        findings.push(Finding::dropped(
            Code::CronNoLog,
            "cronie's `-` prefix (do not log this job's runs to syslog) has no systemd equivalent; starts and ends are logged to the journal",
            "nothing to do unless the log volume matters; `LogLevelMax=` on the service silences the job's own output too",
        ));
    }
    let (hook, mail_finding) = mail(
        ctx.env,
        ctx.host,
        options,
        &split.script,
        Daemon::Cron,
        user.as_deref(),
    );
    service.mail = hook;
    findings.extend(mail_finding);

    let activation = match &job.spec {
        Spec::Reboot => {
            findings.push(Finding::approximated(
                Code::CronReboot,
                "@reboot: cron ran this when the cron daemon started at boot; the timer starts it one minute after boot",
                "enable the timer (`systemctl enable NAME.timer`) but do not start it now: starting it runs the job at once",
            ));
            Timer {
                boot_delay: Some(60),
                accuracy_sec: 1,
                ..Timer::default()
            }
        }
        Spec::Calendar(fields) => {
            let events = fields.events(zone.as_deref());
            if job.schedule == "@weekly" {
                findings.push(Finding::note(
                    Code::CronWeekly,
                    "cron's @weekly is Sunday 00:00; systemd's `weekly` would be Monday, so it is written as `Sun *-*-* 00:00:00`",
                    "nothing to do",
                ));
            }
            calendar_findings(
                ctx,
                (&job.schedule, fields),
                &events,
                zone.as_deref(),
                &mut findings,
            );
            if fields.randomized {
                findings.push(Finding::approximated(
                    Code::CronRandomRange,
                    "a `~` range: cronie draws a new random value each time it loads the crontab; the value was drawn once, here, and is fixed in OnCalendar=",
                    "nothing to do unless the spread across hosts matters; use RandomizedDelaySec= for a delay drawn by systemd",
                ));
            }
            Timer {
                calendar: events,
                random_delay,
                fixed_random_delay: random_delay.is_some(),
                accuracy_sec: 1,
                ..Timer::default()
            }
        }
    };
    if let Some(dir) = periodic_dir {
        findings.push(Finding::note(
            Code::PeriodicRunParts,
            format!("runs the scripts in {dir} one after another with run-parts, as cron did"),
            "convert with --periodic per-script for one unit per script",
        ));
    }
    item.findings = findings;
    item.body = Body::Unit(Box::new(Definition {
        service,
        activation: Activation::Timer(activation),
        socket: None,
    }));
    item
}

/// A `command-not-found` finding for the shell and for every program the script runs that
/// the host lacks: absolute paths as written, bare names on the job's `PATH`. A program the
/// script tests for before running it (`test -x X && X`) is reported as such.
pub(crate) fn missing_executables(
    shell: &str,
    script: &str,
    path: &str,
    host: &Host,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if host.which(shell, path).is_none() {
        findings.push(Finding::note(
            Code::CommandNotFound,
            format!("the shell `{shell}` was not found on {}", host.label()),
            "install it on the target, or set SHELL in the crontab",
        ));
    }
    let runs = command::runs(script);
    for program in &runs.commands {
        let (found, where_) = if program.starts_with('/') {
            (host.is_executable(program), String::new())
        } else if program.contains('/') {
            // Relative to the job's working directory: not checked.
            continue;
        } else {
            (
                host.which(program, path).is_some(),
                format!(" on PATH={path}"),
            )
        };
        if found {
            continue;
        }
        let guarded = runs.tested.iter().any(|t| t == program);
        let message = if guarded {
            format!(
                "`{program}` was not found{where_} on {}; the job tests for it before running it, so there it does nothing",
                host.label()
            )
        } else {
            format!("`{program}` was not found{where_} on {}", host.label())
        };
        let help = if program.starts_with('/') {
            "install it on the target host, or fix the path in ExecStart="
        } else {
            "install it on the target host, or add its directory to PATH in the table"
        };
        findings.push(Finding::note(Code::CommandNotFound, message, help));
    }
    findings
}

/// A description for a command: its text, shortened.
fn description(script: &str) -> String {
    let one: String = script.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 120 {
        format!("{}…", one.chars().take(119).collect::<String>())
    } else {
        one
    }
}

/// Which daemon ran a job: the words of its findings and its rules for mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Daemon {
    Cron,
    Anacron,
}

impl Daemon {
    fn name(self) -> &'static str {
        match self {
            Daemon::Cron => "cron",
            Daemon::Anacron => "anacron",
        }
    }
    /// How to write "send no mail" in this daemon's table: cron removes matching quotes
    /// (Debian's cron even requires them: `MAILTO=` alone is no assignment there), anacron
    /// keeps them, so only `MAILTO=` is empty.
    fn no_mail(self) -> &'static str {
        match self {
            Daemon::Cron => "MAILTO=\"\"",
            Daemon::Anacron => "MAILTO=",
        }
    }
}

/// Cron's and anacron's mail: any output of a run is mailed to `MAILTO`, else to the owner of
/// the table (`None`: unknown). With `--mail` the hook to add to the service; otherwise the
/// finding to report, unless nothing was ever mailed.
pub(crate) fn mail(
    env: &Env,
    host: &Host,
    options: &Options,
    script: &str,
    daemon: Daemon,
    owner: Option<&str>,
) -> (Option<MailHook>, Option<Finding>) {
    let tool = daemon.name();
    let mailto = env.get("MAILTO");
    if mailto == Some("") || command::output_discarded(script) {
        return (None, None);
    }
    let shown = match (mailto, owner) {
        (Some(to), _) if to.starts_with(['"', '\'']) => format!("`{to}`"),
        (Some(to), _) | (None, Some(to)) => to.to_string(),
        (None, None) => "the crontab's owner".to_string(),
    };
    // Without a known owner the job runs as root (no User=), so a hook mails root.
    let recipient = mailto.or(owner).unwrap_or("root").to_string();
    if options.mail {
        let hook = MailHook {
            to: recipient,
            from: env.get("MAILFROM").map(str::to_string),
        };
        let note = Finding::note(
            Code::CronMailHook,
            format!(
                "output is mailed to {shown} by systemdify-cron-mail@.service when the run printed anything, as {tool} did"
            ),
            "the target needs /usr/sbin/sendmail; the mail helper reads the run's output from the journal",
        );
        return (Some(hook), Some(note));
    }
    if !host.is_executable("/usr/sbin/sendmail") && host.root().is_some() {
        return (
            None,
            Some(Finding::note(
                Code::CronNoMta,
                format!(
                    "{tool} would mail any output to {shown}, but the host has no /usr/sbin/sendmail, so {tool} discarded it; the journal keeps it now"
                ),
                "nothing to do; read the output with `journalctl -u NAME.service`",
            )),
        );
    }
    (
        None,
        Some(Finding::dropped(
            Code::CronMailto,
            format!(
                "{tool} mailed any output of this job to {shown}; the converted job's output goes to the journal and is not mailed"
            ),
            format!(
                "convert with --mail to get a mail hook (OnSuccess=/OnFailure=) that mails non-empty output, or set {} if the mail was unwanted",
                daemon.no_mail()
            ),
        )),
    )
}

fn calendar_findings(
    ctx: &JobContext<'_>,
    (text, fields): (&str, &schedule::Fields),
    events: &[CalendarEvent],
    zone: Option<&str>,
    findings: &mut Vec<Finding>,
) {
    if let Some(finding) = star_rule_finding(text, fields) {
        findings.push(finding);
    }
    if events.len() == 2 {
        let week =
            fields.days.count_ones() == 7 && (fields.days >> fields.days.trailing_zeros()) == 0x7f;
        let help = if week {
            "if the intent was \"the first <weekday> of the month\" (days 1-7 AND that weekday), cron never did that: write one OnCalendar= line such as `Mon *-*-01..07 09:00:00` by hand"
        } else {
            "nothing to do: this is how cron reads it"
        };
        findings.push(Finding::note(
            Code::CronDomDowOr,
            "both day-of-month and day-of-week are restricted, so cron runs the job when either matches: two OnCalendar= lines",
            help,
        ));
    }
    if never_fires(fields) {
        findings.push(Finding::note(
            Code::CronNeverFires,
            "no date matches this schedule (such as 30 February), so cron never ran it and the timer never elapses",
            "fix the schedule or drop the job",
        ));
    }
    let tz = match zone {
        Some(z) => jiff::tz::TimeZone::get(z).ok(),
        None => ctx.host.time_zone(),
    };
    if let Some(tz) = tz {
        let (gap, fold) = fire_times::dst_exposure(events, &tz, DST_YEARS.0, DST_YEARS.1);
        let wildcard = fields.minute_star || fields.hour_star;
        let name = tz.iana_name().unwrap_or("the host's zone").to_string();
        if gap && !wildcard {
            findings.push(Finding::approximated(
                Code::CronDst,
                format!("on the day clocks go forward in {name}, a run falls in the skipped hour: cron ran it right after the jump, systemd skips it that day"),
                "move the job out of the skipped hour (e.g. 03:30 instead of 02:30), or schedule it in UTC (`OnCalendar=… UTC`)",
            ));
        }
        if fold && wildcard {
            findings.push(Finding::approximated(
                Code::CronDst,
                format!("on the day clocks go back in {name}, cron ran this job in both passes of the repeated hour; systemd runs only the first pass"),
                "schedule it in UTC (`OnCalendar=… UTC`) if every pass matters",
            ));
        }
    }
    if fields.minutes.count_ones() > 1 || (fields.hours.count_ones() == 24 && !fields.days_ored()) {
        findings.push(Finding::note(
            Code::CronOverlap,
            "cron started a new run even while the previous one was still going; a timer never starts a second run of an active service",
            "nothing to do unless runs can take longer than the interval and must overlap",
        ));
    }
}

/// The note for Vixie's `*` rule, when it changes the meaning: a day field that starts with
/// `*` without being `*` itself (`*/2`) makes cron AND the two day fields, where POSIX (and
/// busybox) OR two restricted fields — and the two readings give different days.
fn star_rule_finding(text: &str, fields: &schedule::Fields) -> Option<Finding> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [_, _, dom, _, dow] = words.as_slice() else {
        return None;
    };
    let all_days = fields.days == 0xffff_fffe && fields.weekdays == 0x7f;
    if !(fields.day_star || fields.weekday_star) || *dom == "*" || *dow == "*" || all_days {
        return None;
    }
    let (name, field) = if fields.day_star {
        ("day-of-month", dom)
    } else {
        ("day-of-week", dow)
    };
    Some(Finding::note(
        Code::CronDomDowAnd,
        format!(
            "the {name} field `{field}` starts with `*`, so cron (Vixie's rule, kept by Debian cron and cronie) runs the job only on days that match both day fields (`{dom}` and `{dow}`), not on days that match either, as POSIX reads two restricted fields; the timer does the same"
        ),
        "nothing to do if that is what was meant; for either day, write the field without the leading `*` (such as `1-31/2` for `*/2`)",
    ))
}

/// Whether the day-of-month and month sets allow no date at all (and the days are not ORed
/// with weekdays, which always match some date).
fn never_fires(fields: &schedule::Fields) -> bool {
    if fields.days_ored() && fields.weekdays != 0x7f {
        return false;
    }
    const DAYS_IN: [u32; 13] = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    !(1..=12u32).any(|m| {
        fields.months & (1 << m) != 0
            && (1..=DAYS_IN[m as usize]).any(|d| fields.days & (1 << d) != 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lines_like_vixie() {
        assert_eq!(
            env_assignment("MAILTO=root"),
            Some(("MAILTO".into(), "root".into()))
        );
        assert_eq!(
            env_assignment("  PATH = /usr/bin:/bin  "),
            Some(("PATH".into(), "/usr/bin:/bin".into()))
        );
        assert_eq!(
            env_assignment("MAILTO=\"\""),
            Some(("MAILTO".into(), String::new()))
        );
        assert_eq!(env_assignment("X='a b'"), Some(("X".into(), "a b".into())));
        assert_eq!(env_assignment("* * * * * cmd"), None);
    }

    #[test]
    fn cron_d_names_debian_ignores() {
        assert!(ignored_cron_d_name("php").is_none());
        assert!(ignored_cron_d_name("e2scrub_all").is_none());
        assert!(ignored_cron_d_name("php.dpkg-old").is_some());
        assert!(ignored_cron_d_name("backup.sh").is_some());
        assert!(ignored_cron_d_name(".placeholder").is_some());
    }
}
