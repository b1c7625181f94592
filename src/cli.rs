//! The command line: clap's definitions of every command and option, and [`run`], which parses
//! and hands over to [`crate::commands`]. Writes only to the streams it is given; returns the
//! exit code.

use crate::commands;
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

  # A PM2 ecosystem file, as `pm2 start ecosystem.config.js --env production` would run it
  systemdify convert --env production --env-file pm2.env /srv/api/ecosystem.config.js

  # What does a schedule mean, and when does it fire?
  systemdify explain '0 4 1,15 * 5'

  # After removing a crontab line: remove the units it had (unedited ones only)
  systemdify convert --root /mnt/host /etc/crontab -o units --prune

Writing into -o DIR is all or nothing: every target is checked first, and a failure midway
undoes every change. DIR/.systemdify-manifest records what was written, so a later run lists
the files it no longer produces (stale) and --prune removes them.

Exit codes: 0 converted, 1 some input could not be read or parsed, 2 usage error,
3 --strict and something was dropped.";

const SCAN_EXAMPLES: &str = "\
Examples:
  # Everything on a copy of a host: units, apply.sh, rollback.sh and a Markdown report
  systemdify scan --root /mnt/oldhost -o units --report units/report.md

  # This machine, units on standard output and a summary on standard error
  systemdify scan

It reads /etc/crontab, /etc/cron.d, the cron spools, /etc/anacrontab, /etc/init.d (with their
rc?.d links and /etc/default files), /etc/supervisor/supervisord.conf or /etc/supervisord.conf
(with their includes) and PM2's dump.pm2 files (/root/.pm2, /home/*/.pm2 and every home in
/etc/passwd). apply.sh installs and enables the units but starts nothing;
rollback.sh removes them again. A later scan into the same directory lists the units it no
longer produces (the host changed); --prune removes those still as written.

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
    /// Read crontabs as NAME's own crontab (no user column); jobs run as NAME. PM2 ecosystem
    /// files: the user who ran `pm2 start` (apps without `uid` run as NAME).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Which cron to follow where Debian cron and cronie disagree.
    #[arg(long, value_enum, default_value = "debian")]
    pub dialect: DialectArg,
    /// Read the inputs as files of a host mounted at DIR (users, PATH, time zone, installed units too);
    /// name them inside DIR (DIR/etc/crontab) or as the host does (/etc/crontab).
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
    ///
    /// All or nothing: every target is checked first (a directory in the way, a missing report
    /// directory, other content without --force), then everything is written or, when a step
    /// fails, every change is undone. DIR/.systemdify-manifest records each file written
    /// (SHA-256, mode, path), so the next run lists the files it no longer produces as stale.
    #[arg(short, long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Write the migration report to PATH (.json, .md, else text).
    ///
    /// Replaces a file with other content only with --force, or when the manifest records it as
    /// written by the previous run and unedited since. Its directory must exist, unless it lies
    /// inside the output directory.
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
    /// Report format, instead of deciding from the --report extension.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub report_format: Option<ReportFormatArg>,
    /// Overwrite files in the output directory that have other content.
    #[arg(long)]
    pub force: bool,
    /// Remove stale files: those the manifest says an earlier run wrote, that this run no
    /// longer produces.
    ///
    /// Only files that still hold exactly what was written; one edited since is kept and
    /// reported. Without --prune stale files are only listed (report and standard error).
    #[arg(long, requires = "output_dir")]
    pub prune: bool,
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
    /// Send all output to the journal, also where the source names a log file (by default a
    /// log file named in the source is appended to, so log shippers and logrotate keep working).
    #[arg(long)]
    pub log_to_journal: bool,
    /// supervisord: the host name `%(host_node_name)s` stands for; PM2: what `os.hostname()`
    /// returns (default: the host's /etc/hostname).
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,
    /// supervisord's environment on the host, or the environment `pm2 start` ran with:
    /// `NAME=VALUE` lines (`#` comments). supervisord: for `%(ENV_NAME)s` and what programs
    /// inherit; PM2: the file's `process.env` and what PM2 copies into every app. Never the
    /// environment of the shell running systemdify.
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// Worker threads over the inputs (default: the number of processors). The output is
    /// byte-identical whatever N is.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(usize))]
    pub jobs: Option<usize>,
    /// PM2: how JavaScript ecosystem files (and `.json`, which PM2 evaluates) are read.
    ///
    /// `quickjs` (the default) evaluates them in an embedded sandbox: no network, no writes, no
    /// reads outside the file's directory, `process.env` from --env-file only, limits below.
    /// `node` loads them with a local node (full fidelity) in a new network namespace
    /// (`unshare --net`, needs root or user namespaces); use it only on files you trust.
    /// `none` evaluates nothing: JSON, JSON5, YAML and literal `module.exports = {…}` only.
    #[arg(
        long = "eval",
        value_enum,
        value_name = "ENGINE",
        default_value = "quickjs"
    )]
    pub pm2_eval: EvalArg,
    /// PM2: the sandbox's time limit per file, in milliseconds (PM2's own `vm` timeout).
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub eval_timeout: u64,
    /// PM2: the sandbox's memory limit per file, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub eval_memory: usize,
    /// PM2: the sandbox's stack limit, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub eval_stack: usize,
    /// PM2: `pm2 start --env NAME`: `env_NAME` (and `deploy.NAME.env`) over each app's `env`.
    #[arg(long = "env", value_name = "NAME")]
    pub pm2_env: Option<String>,
    /// PM2: the directory `pm2 start` ran in, which relative and missing `cwd`s resolve
    /// against (default: the file's directory, reported).
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<String>,
    /// PM2: the target host's CPU count, for `instances: "max"`, `0` and negative counts
    /// (default 2, reported; never this machine's count).
    #[arg(long, value_name = "N")]
    pub cpus: Option<u32>,
    /// PM2 dump.pm2: keep environment variables matching PATTERN (`*` wildcards) that are
    /// otherwise dropped as the login shell's or PM2's own; repeatable.
    #[arg(long, value_name = "PATTERN")]
    pub keep_env: Vec<String>,
    /// supervisord: the CPython version that runs it on the host (they read a few lines differently).
    #[arg(long, value_enum, value_name = "VERSION", default_value = "3.12")]
    pub supervisor_python: PythonArg,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EvalArg {
    /// The embedded QuickJS sandbox.
    Quickjs,
    /// A local node in a new network namespace.
    Node,
    /// No evaluation: literals only.
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PythonArg {
    /// CPython 3.9 and older (RHEL 9).
    #[value(name = "3.9")]
    Py39,
    /// CPython 3.10 to 3.12 (Debian 12, Ubuntu 22.04/24.04).
    #[value(name = "3.12")]
    Py312,
    /// CPython 3.13 and newer (Debian 13).
    #[value(name = "3.13")]
    Py313,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The host to scan: a mounted copy of its filesystem (default: this machine).
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
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
        Commands::Convert(args) => commands::convert::run(&args, io),
        Commands::Scan(args) => commands::scan::run(&args, io),
        Commands::Explain(args) => commands::explain::run(&args, io),
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

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
