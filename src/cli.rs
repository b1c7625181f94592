//! The command line: argument parsing (clap) and the mapping of flags to library options.
//! [`run`] writes only to the streams it is given and returns the exit code.

use crate::back::systemd;
use crate::convert;
use crate::front::{self, cron};
use crate::host::Host;
use crate::ir::Format;
use crate::output;
use crate::report::render::{self, ReportFormat};
use crate::scan;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;

const ABOUT: &str = "Convert crontabs, anacrontab and other legacy process definitions into native systemd units, \
with a report of everything that did not translate exactly.";

const EXAMPLES: &str = "\
Examples:
  # Convert a cron.d file and look at the units on standard output
  systemdify convert examples/cron.d/backup

  # Convert a copy of a host's crontabs into a directory, with a JSON report
  systemdify convert --root /mnt/host /etc/crontab /etc/cron.d/sysstat -o units --report report.json

  # One line from standard input, as alice's crontab
  echo '30 4 1,15 * 5 /usr/local/bin/backup' | systemdify convert --from cron --user alice -

  # An init script: a native service when its start action can be read, else a wrapper
  systemdify convert --root /mnt/host /etc/init.d/nginx

  # What does a schedule mean, and when does it fire?
  systemdify explain '0 4 1,15 * 5'

Exit codes: 0 converted, 1 some input could not be read or parsed, 2 usage error,
3 --strict and something was dropped.";

const SCAN_EXAMPLES: &str = "\
Examples:
  # Everything on a copy of a host: units, apply.sh, rollback.sh and a Markdown report
  systemdify scan --root /mnt/oldhost -o units --report units/report.md

  # This machine, units on standard output and a summary on standard error
  systemdify scan

It reads /etc/crontab, /etc/cron.d, the cron spools, /etc/anacrontab and /etc/init.d (with their
rc?.d links and /etc/default files). apply.sh installs and enables the units but starts nothing;
rollback.sh removes them again.

Exit codes: 0 converted, 1 some input could not be read or parsed, 2 usage error,
3 --strict and something was dropped.";

/// systemdify: legacy process definitions → systemd units.
#[derive(Debug, Parser)]
#[command(name = "systemdify", version, about = ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Convert the named files into units and a migration report.
    #[command(after_help = EXAMPLES)]
    Convert(ConvertArgs),
    /// Find and convert every legacy definition on a host (or a copy mounted at --root).
    #[command(after_help = SCAN_EXAMPLES)]
    Scan(ScanArgs),
    /// Explain one crontab schedule: OnCalendar= lines, next fire times, findings.
    #[command(
        after_help = "Examples:\n  systemdify explain '0 4 1,15 * 5'\n  systemdify explain --tz Europe/Berlin --count 3 '30 2 * * *'\n  systemdify explain @weekly"
    )]
    Explain(ExplainArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  systemdify completions bash > /etc/bash_completion.d/systemdify"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Write man pages (systemdify.1 and one per command) into a directory.
    #[command(after_help = "Example:\n  systemdify man /usr/local/share/man/man1")]
    Man {
        /// Directory to write the pages into (created if missing).
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FromArg {
    Auto,
    Cron,
    Anacron,
    Pm2,
    Supervisord,
    Sysv,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DialectArg {
    /// Debian's Vixie cron (the default).
    Debian,
    /// cronie (RHEL, Fedora): CRON_TZ, RANDOM_DELAY, `~` ranges and the `-` prefix apply.
    Cronie,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PeriodicArg {
    /// One unit per directory running run-parts (order and serial runs kept).
    RunParts,
    /// One unit per script in the directory.
    PerScript,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormatArg {
    Json,
    Markdown,
    Text,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Files to convert; `-` reads standard input (then --from is required).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<String>,
    /// Input format; `auto` decides from the file's name and content.
    #[arg(long, value_enum, default_value = "auto")]
    pub from: FromArg,
    /// Read crontabs in the system format (a user column after the schedule).
    #[arg(long, conflicts_with = "user")]
    pub system: bool,
    /// Read crontabs as NAME's own crontab (no user column); jobs run as NAME.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Which cron to follow where Debian cron and cronie disagree.
    #[arg(long, value_enum, default_value = "debian")]
    pub dialect: DialectArg,
    /// Read the inputs as files of a host mounted at DIR (users, PATH, time zone, installed units too).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The host's time zone for DST findings (default: the host's /etc/localtime).
    #[arg(long, value_name = "ZONE")]
    pub timezone: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options `convert` and `scan` share: where results go and how crontabs read.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Write units into DIR instead of printing them (scan: also apply.sh and rollback.sh).
    #[arg(short, long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Write the migration report to PATH (.json, .md, else text).
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
    /// Report format, instead of deciding from the --report extension.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub report_format: Option<ReportFormatArg>,
    /// Overwrite files in the output directory that have other content.
    #[arg(long)]
    pub force: bool,
    /// Exit with 3 when anything was dropped.
    #[arg(long)]
    pub strict: bool,
    /// Mail a job's output like cron did (OnSuccess=/OnFailure= hook units) instead of reporting MAILTO as dropped.
    #[arg(long)]
    pub mail: bool,
    /// What the periodic directories (/etc/cron.daily, …) become.
    #[arg(long, value_enum, default_value = "run-parts")]
    pub periodic: PeriodicArg,
    /// Where environment files with secrets are installed on the target.
    #[arg(long, value_name = "DIR", default_value = "/etc/systemdify/env")]
    pub env_dir: String,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The host to scan: a mounted copy of its filesystem (default: this machine).
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// Worker threads (accepted for scripts; a whole host converts in well under a second on one).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Which cron to follow where Debian cron and cronie disagree.
    #[arg(long, value_enum, default_value = "debian")]
    pub dialect: DialectArg,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Five fields or an @ word, quoted: '30 4 1,15 * 5'.
    pub schedule: String,
    /// How many fire times to list.
    #[arg(long, default_value_t = 10)]
    pub count: usize,
    /// Time zone to list fire times in (default: the machine's).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// List fire times after this instant (RFC 3339, e.g. 2025-01-01T00:00:00Z) instead of now.
    #[arg(long, value_name = "TIME")]
    pub base_time: Option<String>,
    /// Which cron to follow where Debian cron and cronie disagree.
    #[arg(long, value_enum, default_value = "debian")]
    pub dialect: DialectArg,
}

/// The standard streams of a run.
pub struct Streams<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
}

/// Runs the command line `args` (program name first) and returns the exit code.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    io: &mut Streams<'_>,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            let text = e.render().to_string();
            if code == 0 {
                let _ = write!(io.stdout, "{text}");
            } else {
                let _ = write!(io.stderr, "{text}");
            }
            return code;
        }
    };
    match cli.command {
        Commands::Convert(args) => run_convert(&args, io),
        Commands::Scan(args) => run_scan(&args, io),
        Commands::Explain(args) => run_explain(&args, io),
        Commands::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "systemdify", io.stdout);
            0
        }
        Commands::Man { dir } => match std::fs::create_dir_all(&dir)
            .and_then(|()| clap_mangen::generate_to(Cli::command(), &dir))
        {
            Ok(()) => 0,
            Err(e) => {
                let _ = writeln!(io.stderr, "systemdify: {}: {e}", dir.display());
                1
            }
        },
    }
}

/// The conversion options `convert` and `scan` share.
fn pipeline_options(
    from: front::From,
    table: cron::Table,
    dialect_arg: DialectArg,
    common: &CommonArgs,
) -> convert::Options {
    convert::Options {
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
            },
        },
        back: systemd::Options {
            env_dir: common.env_dir.clone(),
        },
    }
}

fn dialect(d: DialectArg) -> cron::schedule::Dialect {
    match d {
        DialectArg::Debian => cron::schedule::Dialect::Debian,
        DialectArg::Cronie => cron::schedule::Dialect::Cronie,
    }
}

fn zone(name: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(name).map_err(|e| format!("unknown time zone `{name}`: {e}"))
}

fn run_convert(args: &ConvertArgs, io: &mut Streams<'_>) -> i32 {
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
    let mut host = match &args.root {
        Some(r) if !r.is_dir() => {
            let _ = writeln!(
                io.stderr,
                "systemdify: --root {}: not a directory",
                r.display()
            );
            return 2;
        }
        Some(r) => Host::at(r),
        None => Host::real(),
    };
    if let Some(tz) = &args.timezone {
        match zone(tz) {
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
    let options = pipeline_options(from, table, args.dialect, &args.common);
    let inputs: Vec<front::Input> = args
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
            host_input(&host, name.clone(), host_path(name, args.root.is_some()))
        })
        .collect();
    let conversion = convert::convert(&inputs, &host, &options);
    emit(&conversion, &args.common, Vec::new(), io)
}

/// Writes the units (output directory or standard output; `extra` files such as apply.sh only
/// into a directory) and the report, prints errors, and returns the exit code.
fn emit(
    conversion: &convert::Conversion,
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

fn run_scan(args: &ScanArgs, io: &mut Streams<'_>) -> i32 {
    if !args.root.is_dir() {
        let _ = writeln!(
            io.stderr,
            "systemdify: --root {}: not a directory",
            args.root.display()
        );
        return 2;
    }
    let host = if args.root == std::path::Path::new("/") {
        Host::real()
    } else {
        Host::at(&args.root)
    };
    let paths = scan::discover(&host);
    let _ = writeln!(
        io.stderr,
        "systemdify: scanning {}: {} file(s) to convert",
        args.root.display(),
        paths.len()
    );
    let options = pipeline_options(
        front::From::Auto,
        cron::Table::Infer,
        args.dialect,
        &args.common,
    );
    let inputs: Vec<front::Input> = paths
        .iter()
        .map(|p| host_input(&host, p.clone(), p.clone()))
        .collect();
    let conversion = convert::convert(&inputs, &host, &options);
    let extra = scan::scripts(&conversion.report, &conversion.files, &args.common.env_dir);
    emit(&conversion, &args.common, extra, io)
}

/// The input at `host_path` on `host`, named `display` in the report.
fn host_input(host: &Host, display: String, host_path: String) -> front::Input {
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
fn host_path(name: &str, rooted: bool) -> String {
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

fn run_explain(args: &ExplainArgs, io: &mut Streams<'_>) -> i32 {
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

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
