//! The bodies of the commands: each turns parsed arguments ([`crate::cli`]) into library calls
//! and writes only to the streams it is given. What `convert` and `scan` share lives here.

pub mod convert;
pub mod explain;
pub mod scan;

use crate::back::systemd;
use crate::cli::{CommonArgs, DialectArg, PeriodicArg, ReportFormatArg, Streams};
use crate::front::{self, cron};
use crate::host::Host;
use crate::output;
use crate::pipeline;
use crate::report::render::{self, ReportFormat};

/// The conversion options `convert` and `scan` share.
pub(crate) fn pipeline_options(
    from: front::From,
    table: cron::Table,
    dialect_arg: DialectArg,
    common: &CommonArgs,
) -> pipeline::Options {
    pipeline::Options {
        front: front::Options {
            from,
            cron: cron::Options {
                table,
                dialect: dialect(dialect_arg),
                mail: common.mail,
                periodic: match common.periodic {
                    PeriodicArg::RunParts => cron::Periodic::RunParts,
                    PeriodicArg::PerScript => cron::Periodic::PerScript,
                },
                invoker: None,
            },
        },
        back: systemd::Options {
            env_dir: common.env_dir.clone(),
        },
    }
}

pub(crate) fn dialect(d: DialectArg) -> cron::schedule::Dialect {
    match d {
        DialectArg::Debian => cron::schedule::Dialect::Debian,
        DialectArg::Cronie => cron::schedule::Dialect::Cronie,
    }
}

pub(crate) fn zone(name: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(name).map_err(|e| format!("unknown time zone `{name}`: {e}"))
}

/// Writes the units (output directory or standard output; `extra` files such as apply.sh only
/// into a directory) and the report, prints errors, and returns the exit code.
pub(crate) fn emit(
    conversion: &pipeline::Conversion,
    how: &CommonArgs,
    extra: Vec<systemd::OutputFile>,
    io: &mut Streams<'_>,
) -> i32 {
    let report = &conversion.report;
    for e in &report.errors {
        let _ = writeln!(io.stderr, "{e}");
    }
    match &how.output_dir {
        Some(dir) => {
            let mut files = conversion.files.clone();
            files.extend(extra);
            match output::write_dir(dir, &files, how.force) {
                Ok(w) => {
                    if !w.unchanged.is_empty() {
                        let _ = writeln!(
                            io.stderr,
                            "systemdify: {} file(s) already up to date",
                            w.unchanged.len()
                        );
                    }
                }
                Err(e) => {
                    let _ = writeln!(io.stderr, "systemdify: {e}");
                    return 1;
                }
            }
        }
        None => {
            if let Err(e) = output::print(&conversion.files, io.stdout) {
                let _ = writeln!(
                    io.stderr,
                    "systemdify: cannot write to standard output: {e}"
                );
                return 1;
            }
        }
    }
    match &how.report {
        Some(path) => {
            let format = match how.report_format {
                Some(ReportFormatArg::Json) => ReportFormat::Json,
                Some(ReportFormatArg::Markdown) => ReportFormat::Markdown,
                Some(ReportFormatArg::Text) => ReportFormat::Text,
                None => ReportFormat::from_path(path),
            };
            let text = render::render(report, format);
            let written = if path.as_os_str() == "-" {
                io.stdout.write_all(text.as_bytes())
            } else {
                std::fs::write(path, text)
            };
            if let Err(e) = written {
                let _ = writeln!(io.stderr, "systemdify: {}: {e}", path.display());
                return 1;
            }
        }
        None => {
            let _ = writeln!(io.stderr, "systemdify: {}", render::summary_line(report));
        }
    }
    if !report.errors.is_empty() {
        1
    } else if how.strict && report.has_dropped() {
        3
    } else {
        0
    }
}

/// The input at `host_path` on `host`, named `display` in the report.
pub(crate) fn host_input(host: &Host, display: String, host_path: String) -> front::Input {
    let data = host
        .read(&host_path)
        .map_err(|e| format!("cannot read: {e}"));
    front::Input {
        display,
        host_path: Some(host_path),
        data,
    }
}

/// The host path of an input named on the command line: under `--root` a relative name is
/// taken from the host's `/`, without it relative to the working directory.
pub(crate) fn host_path(name: &str, rooted: bool) -> String {
    if name.starts_with('/') || !rooted {
        if !rooted && !name.starts_with('/') {
            return std::env::current_dir()
                .map(|d| d.join(name).to_string_lossy().into_owned())
                .unwrap_or_else(|_| name.to_string());
        }
        return name.to_string();
    }
    format!("/{name}")
}
