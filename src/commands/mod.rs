//! The bodies of the commands: each turns parsed arguments ([`crate::cli`]) into library calls
//! and writes only to the streams it is given. What `convert` and `scan` share lives here.

pub mod convert;
pub mod explain;
pub mod scan;

use crate::back::systemd;
use crate::cli::{
    CommonArgs, DialectArg, EvalArg, PeriodicArg, PythonArg, ReportFormatArg, Streams,
};
use crate::front::{self, cron};
use crate::host::Host;
use crate::input_path;
use crate::output;
use crate::pipeline;
use crate::report::render::{self, ReportFormat};
use crate::report::{RunReport, View};

/// `--env-file`: `NAME=VALUE` lines; blank lines and `#` comments skipped, an `export ` prefix
/// and one pair of quotes around the whole value removed.
///
/// # Errors
/// The file cannot be read, or a line is not an assignment (its number is named).
pub fn read_env_file(path: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("--env-file {}: {e}", path.display()))?;
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let t = t.strip_prefix("export ").unwrap_or(t);
        let Some((name, value)) = t.split_once('=') else {
            return Err(format!(
                "--env-file {}:{}: not a NAME=VALUE line",
                path.display(),
                i + 1
            ));
        };
        let name = name.trim();
        if !crate::ir::env_name_is_valid(name) {
            return Err(format!(
                "--env-file {}:{}: `{name}` is not a variable name",
                path.display(),
                i + 1
            ));
        }
        let value = value.trim();
        let value = [('"', '"'), ('\'', '\'')]
            .iter()
            .find_map(|(a, b)| value.strip_prefix(*a).and_then(|v| v.strip_suffix(*b)))
            .unwrap_or(value);
        out.retain(|(n, _)| n != name);
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

/// The conversion options `convert` and `scan` share.
///
/// # Errors
/// `--env-file` cannot be read (a usage error).
pub(crate) fn pipeline_options(
    from: front::From,
    table: cron::Table,
    dialect_arg: DialectArg,
    common: &CommonArgs,
) -> Result<pipeline::Options, String> {
    let env = match &common.env_file {
        Some(p) => read_env_file(p)?,
        None => Vec::new(),
    };
    Ok(pipeline::Options {
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
                lone_directory: cron::LoneDirectory::Implied,
                invoker: None,
            },
            supervisord: front::supervisord::Options {
                hostname: common.hostname.clone(),
                env: env.clone(),
                python: match common.supervisor_python {
                    PythonArg::Py39 => front::supervisord::Python::Py39,
                    PythonArg::Py312 => front::supervisord::Python::Py310,
                    PythonArg::Py313 => front::supervisord::Python::Py313,
                },
            },
            pm2: front::pm2::Options {
                eval: match common.pm2_eval {
                    EvalArg::Quickjs => front::pm2::Engine::Quickjs,
                    EvalArg::Node => front::pm2::Engine::Node,
                    EvalArg::None => front::pm2::Engine::None,
                },
                limits: front::pm2::Limits {
                    time: std::time::Duration::from_millis(common.eval_timeout),
                    memory: common.eval_memory,
                    stack: common.eval_stack,
                },
                env_name: common.pm2_env.clone(),
                env: env.clone(),
                cwd: common.cwd.clone(),
                cpus: common.cpus,
                user: None,
                keep_env: common.keep_env.clone(),
                hostname: common.hostname.clone(),
            },
        },
        back: systemd::Options {
            env_dir: common.env_dir.clone(),
        },
        journal: common.log_to_journal,
        jobs: common.jobs.unwrap_or_else(crate::workers::default_jobs),
        between_passes: None,
    })
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

/// The files of a run: in memory ([`pipeline::convert_sources`]; printed or written), or in
/// the spill file of a run in two passes ([`crate::two_pass::convert`]; only written into an
/// output directory).
pub(crate) enum Units {
    Kept(Vec<systemd::OutputFile>),
    Staged {
        files: Vec<crate::two_pass::SpilledFile>,
        kept: Vec<systemd::OutputFile>,
        spill: crate::spill::Reader,
    },
}

impl Units {
    /// The files' paths, in the order they are written.
    pub(crate) fn paths(&self) -> Vec<&str> {
        match self {
            Units::Kept(files) => files.iter().map(|f| f.path.as_str()).collect(),
            Units::Staged { files, kept, .. } => files
                .iter()
                .map(|f| f.path.as_str())
                .chain(kept.iter().map(|f| f.path.as_str()))
                .collect(),
        }
    }
}

/// Converts `inputs`: in two passes ([`crate::two_pass`], memory flat in the size of the run)
/// when the files go into an output directory, else in one (the files are printed).
///
/// # Errors
/// A run in two passes failed (an input changed between the passes, the spill file).
pub(crate) fn convert(
    inputs: Vec<pipeline::Source>,
    host: &Host,
    options: &pipeline::Options,
    how: &CommonArgs,
) -> Result<(RunReport, Units), crate::two_pass::RunError> {
    if how.output_dir.is_some() {
        let staged = crate::two_pass::convert(inputs, host, options)?;
        let units = Units::Staged {
            files: staged.files,
            kept: staged.kept,
            spill: staged.spill,
        };
        Ok((RunReport::Spilled(staged.report), units))
    } else {
        let c = pipeline::convert_sources(inputs, host, options);
        Ok((RunReport::Held(c.report), Units::Kept(c.files)))
    }
}

/// Writes the units (output directory or standard output; `extra` files such as apply.sh only
/// into a directory) and the report, prints errors, and returns the exit code. Every target is
/// checked before anything is written, and the files, the report and the manifest are written
/// as one transaction ([`output::Plan`]).
pub(crate) fn emit(
    mut report: RunReport,
    units: Units,
    how: &CommonArgs,
    extra: Vec<systemd::OutputFile>,
    io: &mut Streams<'_>,
) -> i32 {
    for e in report.errors() {
        let _ = writeln!(io.stderr, "{e}");
    }
    let (mut files, staged) = match units {
        Units::Kept(files) => (files, None),
        Units::Staged { files, kept, spill } => (kept, Some((files, spill))),
    };
    if how.output_dir.is_some() {
        files.extend(extra);
    }
    let report_file = how.report.as_deref().filter(|p| p.as_os_str() != "-");
    let mut plan = if how.output_dir.is_some() || report_file.is_some() {
        let opts = output::Options {
            force: how.force,
            prune: how.prune,
        };
        // Into a directory the plan takes the files; the report only: they are printed.
        let planned = if how.output_dir.is_some() {
            std::mem::take(&mut files)
        } else {
            Vec::new()
        };
        let planned = match (staged, how.output_dir.as_deref()) {
            (Some((spilled, spill)), Some(dir)) => {
                output::Plan::of_staged(dir, spilled, planned, spill, report_file, &opts)
            }
            (_, dir) => output::Plan::of_files(dir, planned, report_file, &opts),
        };
        match planned {
            Ok(plan) => Some(plan),
            Err(e) => {
                let _ = writeln!(io.stderr, "systemdify: {e}");
                return 1;
            }
        }
    } else {
        None
    };
    if let Some(plan) = &plan {
        report.set_stale(plan.stale().to_vec());
    }
    // Rendered as it goes into a text of its own (a private temporary file past a few MiB),
    // never whole in memory: a whole host's JSON report is tens of MB.
    let mut text = match how.report.as_ref().map(|path| {
        let format = match how.report_format {
            Some(ReportFormatArg::Json) => ReportFormat::Json,
            Some(ReportFormatArg::Markdown) => ReportFormat::Markdown,
            Some(ReportFormatArg::Text) => ReportFormat::Text,
            None => ReportFormat::from_path(path),
        };
        let mut out = crate::scratch::Writer::new();
        render::write_view(&report, format, &mut out).and_then(|()| out.finish())
    }) {
        None => None,
        Some(Ok(text)) => Some(text),
        Some(Err(e)) => {
            let _ = writeln!(io.stderr, "systemdify: the report: {e}; nothing written");
            return 1;
        }
    };
    // Into its file, the report goes into the plan; `--report -` keeps it for standard output.
    if let (Some(plan), Some(_)) = (&mut plan, report_file)
        && let Some(text) = text.take()
        && let Err(e) = plan.report_text(text)
    {
        let _ = writeln!(io.stderr, "systemdify: {e}");
        return 1;
    }
    if how.output_dir.is_none()
        && let Err(e) = output::print(&files, io.stdout)
    {
        let _ = writeln!(
            io.stderr,
            "systemdify: cannot write to standard output: {e}"
        );
        return 1;
    }
    if let Some(plan) = plan {
        match plan.commit(&mut output::NoFaults) {
            Ok(w) => {
                if !w.unchanged.is_empty() {
                    let _ = writeln!(
                        io.stderr,
                        "systemdify: {} file(s) already up to date",
                        w.unchanged.len()
                    );
                }
                for l in &w.leftovers {
                    let _ = writeln!(
                        io.stderr,
                        "systemdify: {l}: left by an interrupted run, possibly a file's only old copy: check it, then remove it"
                    );
                }
                if let Some(dir) = &how.output_dir {
                    for s in &w.stale {
                        let _ = writeln!(
                            io.stderr,
                            "systemdify: stale: {}: {}",
                            dir.join(&s.path).display(),
                            render::stale_state(s)
                        );
                    }
                }
            }
            Err(e) => {
                let _ = writeln!(io.stderr, "systemdify: {e}");
                return 1;
            }
        }
    }
    match (&text, report_file) {
        (Some(text), _) => {
            if let Err(e) = text.copy_to(io.stdout) {
                let _ = writeln!(
                    io.stderr,
                    "systemdify: cannot write to standard output: {e}"
                );
                return 1;
            }
        }
        (None, None) => {
            let _ = writeln!(io.stderr, "systemdify: {}", render::summary_line(&report));
        }
        (None, Some(_)) => {}
    }
    if !report.errors().is_empty() {
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

/// An input named on the command line under `--root`: `typed` in any of the forms
/// [`input_path::Mount::host_path`] accepts, named in the report by its host path. When it
/// cannot be read, the report says so in host paths only, and the second value, for standard
/// error, names the file of the copy that was looked for.
pub(crate) fn rooted_input(
    host: &Host,
    mount: &input_path::Mount,
    typed: &str,
    cwd: Option<&std::path::Path>,
) -> (front::Input, Option<String>) {
    let (host_path, as_host_path) = match mount.host_path(typed, cwd) {
        Ok(p) => p,
        Err(message) => {
            let input = front::Input {
                display: typed.to_string(),
                host_path: None,
                data: Err(message),
            };
            return (input, None);
        }
    };
    let local = host.local(&host_path);
    let mut hint = None;
    // A directory is read by the frontends (the periodic directories), not here.
    let data = std::fs::read(&local).map_err(|e| {
        if local.is_dir() {
            return "this is a directory".to_string();
        }
        let mut more = format!("{host_path}: looked for {} in the copy", local.display());
        // A shell glob such as /etc/cron.d/* is expanded on this machine, not in the copy.
        if as_host_path && std::path::Path::new(&host_path).exists() && !local.exists() {
            let parent = host_path.rsplit_once('/').map_or("", |(d, _)| d);
            more.push_str(&format!(
                "; {host_path} exists on this machine, not in the copy: a shell expands a glob such as {parent}/* here, so write {}{parent}/* to convert the copy's files",
                mount.display()
            ));
        }
        hint = Some(more);
        format!("cannot read from the host tree: {e}")
    });
    let input = front::Input {
        display: host_path.clone(),
        host_path: Some(host_path),
        data,
    };
    (input, hint)
}

/// The host path of an input named on the command line without `--root`: relative to the
/// working directory.
pub(crate) fn host_path(name: &str) -> String {
    let path = std::path::Path::new(name);
    let absolute = if path.is_absolute() {
        input_path::normalize(path)
    } else {
        match std::env::current_dir() {
            Ok(d) => input_path::normalize(&d.join(path)),
            Err(_) => return name.to_string(),
        }
    };
    absolute.to_string_lossy().into_owned()
}
