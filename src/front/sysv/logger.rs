//! A daemon's output sent through `logger` (util-linux 2.38): `CMD > >(logger …) 2>&1` (bash
//! process substitution) or `CMD 2>&1 | logger …`. logger reads standard input line by line
//! and logs each line to the system log with its tag and priority; the unit gets the same
//! syslog identity for the lines it gives the journal.
//!
//! Mapping (logger option → directive):
//! - `-t TAG`/`--tag TAG` → `SyslogIdentifier=TAG`; without it logger tags with the login
//!   name, else the name of its effective user: `root` for a script init runs.
//! - `-p FACILITY.LEVEL`/`--priority` (names or numbers, `user.notice` by default) →
//!   `SyslogFacility=`/`SyslogLevel=`.
//! - No `--prio-prefix` → `SyslogLevelPrefix=no` (logger keeps a `<N>` at a line's start as
//!   text); with it, systemd's default reads the prefix (a level only: reported).
//! - `-i`/`--id` (logger's PID in each line), `-s`/`--stderr` (a copy on standard error),
//!   `--id=ID`, `-e`, and the options choosing another destination or message format (`-n`,
//!   `-u`, `-d`, `-T`, `-P`, `--rfc5424`, …) have no directive: reported.

use super::shell::{Arg, Interp, place};
use crate::finding::{Code, Finding};
use crate::ir::{Logging, Syslog, SyslogFacility, SyslogLevel};

/// How a start command's output reaches `logger`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggerPipe {
    /// logger's words after its name, expanded; `None` when the command holding logger is
    /// more than one plain `logger …` (a loop reading lines, a pipeline in the substitution).
    pub args: Option<Vec<Arg>>,
    /// Standard error goes there too (`2>&1` after the redirection, or before the `|`).
    pub errors: bool,
    /// `> >(logger …)` rather than `| logger …`.
    pub substitution: bool,
}

/// What a `logger` command line says about the lines it logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tagging {
    /// The tag (`-t`), or `None` for logger's default (the user name).
    pub tag: Option<String>,
    pub syslog: Syslog,
    /// `-i`/`--id` without a value: logger's PID in every line.
    pub pid: bool,
    /// What logger does that no directive expresses, one phrase each.
    pub unexpressed: Vec<String>,
}

/// Gives `logging` the syslog identity `logger` gave the start command's output (the command
/// at `line`) and says what changes; a logger line this reading cannot follow leaves
/// `logging` as it is and says so.
pub(super) fn map(pipe: &LoggerPipe, line: u32, interp: &Interp, logging: &mut Logging) -> Finding {
    let how = if pipe.substitution {
        "a process substitution"
    } else {
        "a pipe"
    };
    let streams = if pipe.errors {
        "standard output and error"
    } else {
        "standard output"
    };
    let words: Option<Vec<String>> = pipe
        .args
        .as_ref()
        .and_then(|args| args.iter().map(|a| interp.resolve(a)).collect());
    let read = match &words {
        None if pipe.args.is_none() => Err(
            "logger runs inside a longer command (a loop, a pipeline), not as `logger …` alone"
                .to_string(),
        ),
        None => Err("logger's arguments are known only at run time".to_string()),
        Some(w) => self::read(w),
    };
    let t = match read {
        Ok(t) => t,
        Err(why) => {
            return Finding::dropped(
                Code::SysvOutputToLogger,
                format!(
                    "the daemon's {streams} went through `logger` ({}, {how}), which this reading cannot follow: {why}; the unit sends the output to the journal with systemd's defaults (the program's name, facility daemon, level info)",
                    place(line)
                ),
                "set SyslogIdentifier=, SyslogFacility= and SyslogLevel= to what the script's logger gave the lines",
            );
        }
    };
    let shown = words.unwrap_or_default().join(" ");
    let identifier = t.tag.clone().unwrap_or_else(|| "root".to_string());
    let mut notes: Vec<String> = Vec::new();
    if t.tag.is_none() {
        notes.push(
            "logger had no `-t`, so it tagged the lines with the login name, else its own user's: `root` for a script init runs (the name of whoever ran the script from a login shell otherwise); the unit's identifier is `root`"
   .to_string(),
        );
    }
    if t.pid {
        notes.push(
            "`-i` put logger's PID in every line; the journal records the daemon's PID (_PID=), and forwarded lines carry that"
   .to_string(),
        );
    }
    if !pipe.errors {
        notes.push(
            "the daemon's standard error did not go to logger but wherever the script's own went; the unit's goes to the journal with the same identifier"
   .to_string(),
        );
    }
    notes.extend(t.unexpressed.iter().cloned());
    let prefix = if t.syslog.level_prefix {
        ""
    } else {
        ", SyslogLevelPrefix=no (logger kept a leading `<N>` as text)"
    };
    let message = format!(
        "the daemon's {streams} went through `logger {shown}` ({}, {how}), which logs each line to syslog as `{identifier}` with {}; the unit sends the output to the journal with SyslogIdentifier={identifier}, SyslogFacility= and SyslogLevel= the same{prefix}: journald keeps each line with SYSLOG_IDENTIFIER={identifier}, SYSLOG_FACILITY={} and PRIORITY={}, and a syslog daemon gets it with that facility and level when journald forwards to it (ForwardToSyslog=) or it reads the journal{}",
        place(line),
        describe(&t.syslog),
        t.syslog.facility.code(),
        t.syslog.level as u8,
        if notes.is_empty() {
            String::new()
        } else {
            format!("; {}", notes.join("; "))
        }
    );
    logging.identifier = Some(identifier);
    logging.syslog = Some(t.syslog);
    let hint = "read the lines with `journalctl -t IDENTIFIER`; check that the syslog daemon gets the journal's messages if its rules (by facility or tag) mattered";
    if notes.is_empty() {
        Finding::note(Code::SysvOutputToLogger, message, hint)
    } else {
        Finding::approximated(Code::SysvOutputToLogger, message, hint)
    }
}

/// Reads logger's arguments (after its name) as getopt_long reads them. Errors say why the
/// line is not one logger reads the daemon's output with (a message argument, an unknown
/// option, a priority logger refuses).
pub fn read(args: &[String]) -> Result<Tagging, String> {
    let mut t = Tagging {
        tag: None,
        syslog: Syslog {
            facility: SyslogFacility::User,
            level: SyslogLevel::Notice,
            level_prefix: false,
        },
        pid: false,
        unexpressed: Vec::new(),
    };
    let mut i = 0;
    let value = |i: &mut usize, inline: &str, name: &str| -> Result<String, String> {
        if inline.is_empty() {
            *i += 1;
            args.get(*i)
                .cloned()
                .ok_or_else(|| format!("logger's `{name}` has no value"))
        } else {
            Ok(inline.to_string())
        }
    };
    while let Some(a) = args.get(i) {
        if a == "--" {
            if i + 1 < args.len() {
                return Err(message_given());
            }
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            let take = |i: &mut usize| -> Result<String, String> {
                match inline {
                    Some(v) => Ok(v.to_string()),
                    None => {
                        *i += 1;
                        args.get(*i)
                            .cloned()
                            .ok_or_else(|| format!("logger's `--{name}` has no value"))
                    }
                }
            };
            match name {
                "tag" => t.tag = Some(take(&mut i)?),
                "priority" => {
                    let p = take(&mut i)?;
                    (t.syslog.facility, t.syslog.level) = priority(&p)?;
                }
                "id" => match inline {
                    None => t.pid = true,
                    Some(id) => t.unexpressed.push(format!(
                        "`--id={id}` puts that number in every line as the PID; the journal \
            records the daemon's own"
                    )),
                },
                "stderr" => t.unexpressed.push(stderr_copy()),
                "prio-prefix" => {
                    t.syslog.level_prefix = true;
                    t.unexpressed.push(
                        "`--prio-prefix` also took a facility from a line's `<N>` prefix; \
                         systemd reads only a level prefix (`<0>` to `<7>`), a larger one \
                         stays in the line"
                            .to_string(),
                    );
                }
                "skip-empty" => t.unexpressed.push(skip_empty()),
                "no-act" => t
                    .unexpressed
                    .push("`--no-act` logs nothing; the journal keeps every line".to_string()),
                "size" | "server" | "port" | "socket" | "file" | "msgid" | "sd-id" | "sd-param" => {
                    let v = take(&mut i)?;
                    t.unexpressed.push(elsewhere(&format!("--{name} {v}")));
                }
                "tcp" | "udp" | "rfc3164" | "rfc5424" | "octet-count" | "socket-errors"
                | "journald" => t.unexpressed.push(elsewhere(a)),
                _ => return Err(format!("logger has no option `{a}`")),
            }
        } else if let Some(cluster) = a.strip_prefix('-').filter(|c| !c.is_empty()) {
            for (at, c) in cluster.char_indices() {
                let rest = &cluster[at + c.len_utf8()..];
                match c {
                    'i' => t.pid = true,
                    's' => t.unexpressed.push(stderr_copy()),
                    'e' => t.unexpressed.push(skip_empty()),
                    'd' | 'T' => t.unexpressed.push(elsewhere(&format!("-{c}"))),
                    't' => {
                        t.tag = Some(value(&mut i, rest, "-t")?);
                        break;
                    }
                    'p' => {
                        let p = value(&mut i, rest, "-p")?;
                        (t.syslog.facility, t.syslog.level) = priority(&p)?;
                        break;
                    }
                    'f' | 'S' | 'u' | 'n' | 'P' => {
                        let v = value(&mut i, rest, &format!("-{c}"))?;
                        t.unexpressed.push(elsewhere(&format!("-{c} {v}")));
                        break;
                    }
                    _ => return Err(format!("logger has no option `-{c}`")),
                }
            }
        } else {
            return Err(message_given());
        }
        i += 1;
    }
    Ok(t)
}

fn message_given() -> String {
    "logger is given a message to log, so it never reads the daemon's output".to_string()
}

fn stderr_copy() -> String {
    "`-s` also copied every line to the script's standard error (the console of whoever ran \
     it); the unit's lines go to the journal only"
        .to_string()
}

fn skip_empty() -> String {
    "`-e` skipped empty lines; the journal keeps them".to_string()
}

fn elsewhere(option: &str) -> String {
    format!(
        "`{option}` chose another destination or message format than the local system log; \
         the lines go to the journal"
    )
}

/// The facility and level of logger's `-p` value, as util-linux 2.38 reads it: `LEVEL` or
/// `FACILITY.LEVEL`, each a name (any case, syslog.h's aliases too) or a number — a level
/// 0–7, a facility as syslog.h encodes it (its code times 8: `16` is `mail`); no facility
/// means `user`, and `kern` becomes `user` (logger refuses it to programs). Level `none`
/// is syslog.h's "no priority" marker, which logger masks to 0 (`emerg`).
pub fn priority(spec: &str) -> Result<(SyslogFacility, SyslogLevel), String> {
    let (facility, level) = match spec.split_once('.') {
        Some((f, l)) => {
            let facility = if f.eq_ignore_ascii_case("kern") || f == "0" {
                SyslogFacility::User
            } else if f.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
                f.parse::<u16>()
                    .ok()
                    .filter(|n| n % 8 == 0)
                    .and_then(|n| u8::try_from(n / 8).ok())
                    .and_then(SyslogFacility::from_code)
                    .ok_or_else(|| format!("logger refuses the facility `{f}` (`-p {spec}`)"))?
            } else {
                SyslogFacility::from_name(f)
                    .ok_or_else(|| format!("logger refuses the facility `{f}` (`-p {spec}`)"))?
            };
            (facility, l)
        }
        None => (SyslogFacility::User, spec),
    };
    let parsed = if level.eq_ignore_ascii_case("none") {
        Some(SyslogLevel::Emerg)
    } else if level.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        level.parse::<u8>().ok().and_then(SyslogLevel::from_code)
    } else {
        SyslogLevel::from_name(level)
    };
    let level =
        parsed.ok_or_else(|| format!("logger refuses the level `{level}` (`-p {spec}`)"))?;
    Ok((facility, level))
}

/// The phrase for an identity in findings: `SyslogFacility=mail, SyslogLevel=notice`.
#[must_use]
pub fn describe(s: &Syslog) -> String {
    format!(
        "facility {} and level {}",
        facility_name(s.facility),
        level_name(s.level)
    )
}

fn facility_name(f: SyslogFacility) -> String {
    match f {
        SyslogFacility::Local(k) => format!("local{k}"),
        other => format!("{other:?}").to_ascii_lowercase(),
    }
}

fn level_name(l: SyslogLevel) -> String {
    format!("{l:?}").to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Level;
    use crate::host::Host;
    use crate::ir::{Body, Item, Service};

    const HEAD: &str = "#!/bin/bash\n### BEGIN INIT INFO\n# Provides: food\n# Default-Start: 2 3 4 5\n# Short-Description: Food daemon\n### END INIT INFO\nDAEMON=/usr/sbin/food\n";

    fn convert(start: &str) -> Item {
        let dir = tempfile::tempdir().unwrap();
        let host = Host::at(dir.path());
        let script = format!(
            "{HEAD}case \"$1\" in\n start)\n  {start}\n  ;;\n stop) killproc $DAEMON ;;\nesac\n"
        );
        let mut items = super::super::parse_init_script(
            "/etc/init.d/food",
            Some("/etc/init.d/food"),
            &script,
            &host,
        );
        assert_eq!(items.len(), 1);
        items.remove(0)
    }

    fn service(item: &Item) -> &Service {
        match &item.body {
            Body::Unit(d) => &d.service,
            other => panic!("no unit: {other:?} {:?}", item.findings),
        }
    }

    fn finding(item: &Item) -> &Finding {
        item.findings
            .iter()
            .find(|f| f.code == Code::SysvOutputToLogger)
            .unwrap_or_else(|| panic!("no sysv-output-to-logger: {:?}", item.findings))
    }

    #[test]
    fn process_substitution_with_both_streams() {
        let item = convert(
            "start-stop-daemon --start --no-close --background --make-pidfile --pidfile /run/food.pid --exec $DAEMON > >(logger --priority=16.5 --tag=food) 2>&1",
        );
        let l = &service(&item).logging;
        assert_eq!(l.identifier.as_deref(), Some("food"));
        assert_eq!(
            l.syslog,
            Some(Syslog {
                facility: SyslogFacility::Mail,
                level: SyslogLevel::Notice,
                level_prefix: false,
            })
        );
        let f = finding(&item);
        assert_eq!(f.level, Level::Note);
        assert!(
            f.message.contains("standard output and error"),
            "{}",
            f.message
        );
    }

    #[test]
    fn stderr_duplicated_before_the_substitution_stays_out() {
        // `2>&1` first: standard error goes where standard output went before.
        let item = convert("$DAEMON --foreground 2>&1 > >(logger -t food) &");
        assert_eq!(service(&item).logging.identifier.as_deref(), Some("food"));
        let f = finding(&item);
        assert_eq!(f.level, Level::Approximated);
        assert!(
            f.message.contains("standard error did not go"),
            "{}",
            f.message
        );
    }

    #[test]
    fn bash_pipe_of_both_streams_is_read_as_2_to_1_then_pipe() {
        // brush-parser turns `|&` into `2>&1 |`, as bash does.
        let item = convert("$DAEMON --foreground |& logger -t food -p local3.info &");
        let l = &service(&item).logging;
        assert_eq!(l.identifier.as_deref(), Some("food"));
        assert_eq!(l.syslog.map(|s| s.facility), Some(SyslogFacility::Local(3)));
        let f = finding(&item);
        assert_eq!(f.level, Level::Note);
        assert!(
            f.message.contains("standard output and error"),
            "{}",
            f.message
        );
    }

    #[test]
    fn both_streams_into_a_substitution_is_a_located_syntax_error() {
        // `&> >(logger …)` is bash that brush-parser 0.4 does not parse: an error item at the
        // redirection, never a unit that silently loses logger.
        let item = convert("$DAEMON --foreground &> >(logger -t food) &");
        assert!(matches!(item.body, Body::Error(_)), "{:?}", item.body);
    }

    #[test]
    fn rhel_daemon_piped_into_logger() {
        let item =
            convert("daemon --user food $DAEMON -d 2>&1 | /usr/bin/logger -p daemon.err -t food");
        let l = &service(&item).logging;
        assert_eq!(l.identifier.as_deref(), Some("food"));
        assert_eq!(l.syslog.map(|s| s.level), Some(SyslogLevel::Err));
        assert_eq!(service(&item).exec.user.as_deref(), Some("food"));
    }

    #[test]
    fn a_tag_known_only_at_run_time_keeps_the_defaults_and_is_reported() {
        let item = convert("$DAEMON --foreground 2>&1 | logger -t \"$(hostname)-food\" &");
        assert_eq!(service(&item).logging.identifier, None);
        assert_eq!(service(&item).logging.syslog, None);
        let f = finding(&item);
        assert_eq!(f.level, Level::Dropped);
        assert!(f.message.contains("run time"), "{}", f.message);
    }

    #[test]
    fn a_log_file_before_the_pipe_is_no_logger() {
        let item = convert("$DAEMON --foreground >> /var/log/food.log | logger -t food &");
        assert!(service(&item).logging.identifier.is_none());
        assert!(
            item.findings
                .iter()
                .all(|f| f.code != Code::SysvOutputToLogger)
        );
    }

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn priority_names_numbers_and_defaults() {
        use SyslogFacility as F;
        use SyslogLevel as L;
        assert_eq!(priority("mail.notice"), Ok((F::Mail, L::Notice)));
        assert_eq!(priority("MAIL.Warn"), Ok((F::Mail, L::Warning)));
        assert_eq!(priority("local7.debug"), Ok((F::Local(7), L::Debug)));
        assert_eq!(priority("err"), Ok((F::User, L::Err)));
        assert_eq!(priority("5"), Ok((F::User, L::Notice)));
        assert_eq!(priority("16.5"), Ok((F::Mail, L::Notice)));
        assert_eq!(priority("128.3"), Ok((F::Local(0), L::Err)));
        assert_eq!(priority("kern.err"), Ok((F::User, L::Err)));
        assert_eq!(priority("security.panic"), Ok((F::Auth, L::Emerg)));
        assert_eq!(priority("user.none"), Ok((F::User, L::Emerg)));
        assert_eq!(priority("daemon.error"), Ok((F::Daemon, L::Err)));
    }

    #[test]
    fn priorities_logger_refuses() {
        // As logger 2.38.1 answers: "unknown facility name" / "unknown priority name".
        for bad in [
            "2.5",
            "21",
            "mail",
            "mail.",
            ".err",
            "134",
            "daemon.13",
            "local8.info",
            "17.1",
        ] {
            assert!(priority(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_tag_priority_and_flags() {
        let t = read(&words("-p mail.notice -t nullmailer")).unwrap();
        assert_eq!(t.tag.as_deref(), Some("nullmailer"));
        assert_eq!(t.syslog.facility, SyslogFacility::Mail);
        assert_eq!(t.syslog.level, SyslogLevel::Notice);
        assert!(!t.syslog.level_prefix && !t.pid && t.unexpressed.is_empty());

        let t = read(&words("-it myd --priority=local3.info")).unwrap();
        assert_eq!(t.tag.as_deref(), Some("myd"));
        assert!(t.pid);
        assert_eq!(t.syslog.facility, SyslogFacility::Local(3));

        let t = read(&words("--tag=x --id -s --prio-prefix")).unwrap();
        assert_eq!(t.tag.as_deref(), Some("x"));
        assert!(t.pid && t.syslog.level_prefix);
        assert_eq!(t.unexpressed.len(), 2);

        let t = read(&words("-tdaemon -pdaemon.err --id=42 -n loghost")).unwrap();
        assert_eq!(t.tag.as_deref(), Some("daemon"));
        assert_eq!(t.syslog.level, SyslogLevel::Err);
        assert_eq!(t.unexpressed.len(), 2);

        let t = read(&[]).unwrap();
        assert_eq!(t.tag, None);
        assert_eq!(
            (t.syslog.facility, t.syslog.level),
            (SyslogFacility::User, SyslogLevel::Notice)
        );
    }

    #[test]
    fn refuses_what_logger_would_not_read_stdin_with() {
        assert!(read(&words("-t x started")).is_err());
        assert!(read(&words("-t x -- started")).is_err());
        assert!(read(&words("-x")).is_err());
        assert!(read(&words("--bogus")).is_err());
        assert!(read(&words("-t")).is_err());
        assert!(read(&words("-p mail")).is_err());
    }
}
