//! `systemdify convert`: the named files, or standard input.

use super::{emit, host_input, host_path, pipeline_options, rooted_input};
use crate::cli::{ConvertArgs, FromArg, Streams};
use crate::front::{self, cron};
use crate::host::Host;
use crate::input_path::Mount;
use crate::ir::Format;
use crate::pipeline;

/// Runs the command; returns the exit code.
pub fn run(args: &ConvertArgs, io: &mut Streams<'_>) -> i32 {
    let from = match args.from {
        FromArg::Auto => front::From::Auto,
        FromArg::Cron => front::From::Only(Format::Cron),
        FromArg::Anacron => front::From::Only(Format::Anacron),
        FromArg::Pm2 => front::From::Only(Format::Pm2),
        FromArg::Supervisord => front::From::Only(Format::Supervisord),
        FromArg::Sysv => front::From::Only(Format::Sysv),
    };
    if args.inputs.iter().any(|i| i == "-") && from == front::From::Auto {
        let _ = writeln!(
            io.stderr,
            "systemdify: reading standard input (`-`) needs --from FORMAT"
        );
        return 2;
    }
    if args.inputs.iter().filter(|i| *i == "-").count() > 1 {
        let _ = writeln!(io.stderr, "systemdify: `-` may be given only once");
        return 2;
    }
    let cwd = std::env::current_dir().ok();
    let mount = match &args.root {
        Some(r) if !r.is_dir() => {
            let _ = writeln!(
                io.stderr,
                "systemdify: --root {}: not a directory",
                r.display()
            );
            return 2;
        }
        Some(r) => match Mount::new(r, cwd.as_deref()) {
            Ok(m) => Some(m),
            Err(e) => {
                let _ = writeln!(io.stderr, "systemdify: {e}");
                return 2;
            }
        },
        None => None,
    };
    let mut host = match &mount {
        Some(m) => Host::at(m.dir()),
        None => Host::real(),
    };
    if let Some(tz) = &args.timezone {
        match super::zone(tz) {
            Ok(z) => host = host.with_time_zone(z),
            Err(e) => {
                let _ = writeln!(io.stderr, "systemdify: {e}");
                return 2;
            }
        }
    }
    let table = match (&args.system, &args.user) {
        (true, _) => cron::Table::System,
        (false, Some(u)) => cron::Table::User(Some(u.clone())),
        (false, None) => cron::Table::Infer,
    };
    let mut options = match pipeline_options(from, table, args.dialect, &args.common) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(io.stderr, "systemdify: {e}");
            return 2;
        }
    };
    options.front.pm2.user.clone_from(&args.user);
    if args.inputs.iter().any(|i| i == "-") {
        options.front.cron.invoker = invoker();
    }
    // A named file that could be read is read again by the worker that converts it (its bytes
    // dropped here), so that a run never holds every input at once; standard input and what
    // could not be read (the error already worded) are kept as they are.
    let keep_or_reread = |input: front::Input| match (&input.data, input.host_path.clone()) {
        (Ok(_), Some(host_path)) => pipeline::Source::Host {
            display: input.display,
            host_path,
        },
        _ => pipeline::Source::Read(input),
    };
    let inputs: Vec<pipeline::Source> = args
        .inputs
        .iter()
        .map(|name| {
            if name == "-" {
                let mut buf = Vec::new();
                let data = io
                    .stdin
                    .read_to_end(&mut buf)
                    .map(|_| buf)
                    .map_err(|e| format!("cannot read standard input: {e}"));
                return front::Input {
                    display: "-".to_string(),
                    host_path: None,
                    data,
                };
            }
            match &mount {
                Some(m) => {
                    let (input, hint) = rooted_input(&host, m, name, cwd.as_deref());
                    if let Some(hint) = hint {
                        let _ = writeln!(io.stderr, "systemdify: {hint}");
                    }
                    input
                }
                None => host_input(&host, name.clone(), host_path(name)),
            }
        })
        .map(keep_or_reread)
        .collect();
    match super::convert(inputs, &host, &options, &args.common) {
        Ok((report, units)) => {
            // The host's facts and indexes are not needed to write.
            drop(host);
            emit(report, units, &args.common, Vec::new(), io)
        }
        Err(e) => {
            let _ = writeln!(io.stderr, "systemdify: {e}");
            1
        }
    }
}

/// The user running systemdify: the real uid of this process (from `/proc/self/status`, as
/// `crontab -l` uses `getuid()`), named by this machine's own `/etc/passwd` — never the
/// `--root` tree's, and never `$USER`, which any caller can set. `None` without `/proc`.
fn invoker() -> Option<cron::Invoker> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = real_uid(&status)?;
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    Some(cron::Invoker {
        uid,
        name: passwd_name(&passwd, uid),
    })
}

/// The real uid in the text of `/proc/PID/status` (`Uid:` real, effective, saved, fs).
fn real_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next())
        .and_then(|uid| uid.parse().ok())
}

/// The first name `/etc/passwd` (its text) gives to `uid`.
fn passwd_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() >= 3 && !fields[0].is_empty() && fields[2].parse() == Ok(uid))
            .then(|| fields[0].to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_uid_is_the_first_of_the_status_line() {
        let status =
            "Name:\tsystemdify\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n";
        assert_eq!(real_uid(status), Some(1000));
        assert_eq!(real_uid("Name:\tx\n"), None);
    }

    #[test]
    fn a_uid_is_named_by_its_first_passwd_entry() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n";
        assert_eq!(passwd_name(passwd, 0).as_deref(), Some("root"));
        assert_eq!(passwd_name(passwd, 1000).as_deref(), Some("alice"));
        assert_eq!(passwd_name(passwd, 1001), None);
    }
}
