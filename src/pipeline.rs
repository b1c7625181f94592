//! The pipeline: inputs → frontends → names → systemd backend → files and report.

use crate::back::systemd::{self, OutputFile};
use crate::front::{self, Input};
use crate::host::Host;
use crate::ir::{Body, Item};
use crate::report::{InputError, Level, Report, ReportItem, Status};

/// Everything `convert` needs besides the inputs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub front: front::Options,
    pub back: systemd::Options,
    /// Send every output to the journal, also where the source named a log file
    /// (`--log-to-journal`).
    pub journal: bool,
    /// Worker threads over the inputs and items (`--jobs`); 0 and 1 both mean one. The output
    /// is the same whatever the number.
    pub jobs: usize,
    /// Called between the two passes of [`crate::two_pass::convert`] (tests change an input
    /// there, to see that the second pass notices).
    #[doc(hidden)]
    pub between_passes: Option<fn()>,
}

/// The result of a run: the files to write (in a deterministic order) and the report.
#[derive(Debug, Clone)]
pub struct Conversion {
    pub files: Vec<OutputFile>,
    pub report: Report,
}

/// One input of a run: its bytes in hand, or a host file that the worker converting it reads
/// (and drops once parsed, so that a whole host is never held in memory at once).
#[derive(Debug, Clone)]
pub enum Source {
    Read(Input),
    /// The host file `host_path`, named `display` in the report.
    Host {
        display: String,
        host_path: String,
    },
}

impl Source {
    pub(crate) fn display(&self) -> &str {
        match self {
            Source::Read(i) => &i.display,
            Source::Host { display, .. } => display,
        }
    }

    pub(crate) fn host_path(&self) -> Option<&str> {
        match self {
            Source::Read(i) => i.host_path.as_deref(),
            Source::Host { host_path, .. } => Some(host_path),
        }
    }

    /// The input, read from `host` when it was not read yet (and not kept).
    pub(crate) fn input(&self, host: &Host) -> std::borrow::Cow<'_, Input> {
        match self {
            Source::Read(i) => std::borrow::Cow::Borrowed(i),
            Source::Host { display, host_path } => std::borrow::Cow::Owned(Input {
                data: host
                    .read(host_path)
                    .map_err(|e| format!("cannot read: {e}")),
                display: display.clone(),
                host_path: Some(host_path.clone()),
            }),
        }
    }

    /// The input, read from `host` when it was not read yet.
    fn into_input(self, host: &Host) -> Input {
        match self {
            Source::Read(i) => i,
            Source::Host { display, host_path } => Input {
                data: host
                    .read(&host_path)
                    .map_err(|e| format!("cannot read: {e}")),
                display,
                host_path: Some(host_path),
            },
        }
    }
}

/// Converts `inputs` read from `host`. Never fails: what cannot be read or parsed becomes an
/// error item in the report.
#[must_use]
pub fn convert(inputs: &[Input], host: &Host, options: &Options) -> Conversion {
    convert_sources(
        inputs.iter().cloned().map(Source::Read).collect(),
        host,
        options,
    )
}

/// [`convert`] for inputs that may still have to be read, each read by the worker that
/// converts it ([`Options::jobs`] of them).
#[must_use]
pub fn convert_sources(inputs: Vec<Source>, host: &Host, options: &Options) -> Conversion {
    let input_count = inputs.len();
    let (unique, host_path_of) = unique_inputs(inputs);
    let parsed = crate::workers::map_in_order(unique, options.jobs, |source| {
        let input = source.into_input(host);
        front::parse_input(&input, host, &options.front)
    });
    let mut items: Vec<Item> = front::finish(parsed, host, &options.front);
    let host_paths: Vec<String> = items
        .iter()
        .map(|i| {
            host_path_of
                .get(i.origin.file.as_str())
                .map_or_else(|| i.origin.file.clone(), |p| (*p).to_string())
        })
        .collect();
    if options.journal {
        items.iter_mut().for_each(logs_to_journal);
    }
    let names = crate::naming::assign(&mut items, &host_paths, host);
    let keys: Vec<crate::naming::Key> = items.iter().map(crate::naming::Key::of).collect();
    {
        let resolver = crate::naming::Resolver::new(&keys, &names);
        items.iter_mut().for_each(|i| resolver.resolve(i));
    }
    drop(keys);
    let lowered = crate::workers::map_in_order(
        items.into_iter().zip(names).collect(),
        options.jobs,
        |(item, name)| lower(item, name, options),
    );
    let mut files: Vec<OutputFile> = Vec::new();
    let mut report_items = Vec::with_capacity(lowered.len());
    let mut errors = Vec::new();
    let mut mail = false;
    for l in lowered {
        files.extend(l.files);
        errors.extend(l.error);
        mail |= l.mail;
        report_items.push(l.report);
    }
    if mail {
        match systemd::mail_helper() {
            Ok(f) => files.push(f),
            Err(e) => errors.push(InputError {
                file: systemd::MAIL_UNIT.to_string(),
                line: None,
                column: None,
                message: e.to_string(),
            }),
        }
    }
    Conversion {
        files,
        report: Report::new(input_count, report_items, errors),
    }
}

/// The inputs of a run without a host file named twice (`a ./a` is converted once), and the
/// host path of each input by its display (every item names its input's display as its file).
pub(crate) fn unique_inputs(
    inputs: Vec<Source>,
) -> (Vec<Source>, std::collections::BTreeMap<String, String>) {
    let unique = unique_sources(inputs);
    let host_path_of = unique
        .iter()
        .map(|i| {
            (
                i.display().to_string(),
                i.host_path().unwrap_or(i.display()).to_string(),
            )
        })
        .collect();
    (unique, host_path_of)
}

/// The inputs of a run without a host file named twice (`a ./a` is converted once).
pub(crate) fn unique_sources(inputs: Vec<Source>) -> Vec<Source> {
    let mut seen = std::collections::BTreeSet::new();
    inputs
        .into_iter()
        .filter(|i| match i.host_path() {
            Some(p) => seen.insert(crate::naming::normalize_path(p)),
            None => true,
        })
        .collect()
}

/// One item lowered: its files, its report entry, its error, whether it mails.
pub(crate) struct Lowered {
    pub(crate) files: Vec<OutputFile>,
    pub(crate) report: ReportItem,
    pub(crate) error: Option<InputError>,
    pub(crate) mail: bool,
}

/// Lowers one named item to its units (an error item to its error).
pub(crate) fn lower(item: Item, name: Option<String>, options: &Options) -> Lowered {
    let mut findings = item.findings;
    let mut units = Vec::new();
    let mut files = Vec::new();
    let mut error = None;
    let mut mail = false;
    // `# Converted from FILE:LINE` of every unit of the item.
    let source = match item.origin.line {
        Some(l) => format!("{}:{l}", item.origin.file),
        None => item.origin.file.clone(),
    };
    // A unit the writer refused: an error of the item, at its line.
    let unwritable = |message: String| InputError {
        file: item.origin.file.clone(),
        line: item.origin.line,
        column: None,
        message,
    };
    let status = match (&item.body, name) {
        (Body::Unit(def), Some(base)) => {
            match systemd::write_units(def, &base, &source, &options.back) {
                Ok(lowered) => {
                    mail = def.service.mail.is_some();
                    files = lowered.files;
                    units = lowered.units;
                    findings.extend(lowered.findings);
                    if matches!(def.service.kind, crate::ir::ServiceKind::Script { .. }) {
                        Status::Wrapped
                    } else if findings.iter().any(|f| f.level != Level::Note) {
                        Status::Approximated
                    } else {
                        Status::Translated
                    }
                }
                Err(e) => {
                    error = Some(unwritable(e.to_string()));
                    Status::Error
                }
            }
        }
        (Body::Target(target), Some(base)) => match systemd::write_target(target, &base, &source) {
            Ok(lowered) => {
                files = lowered.files;
                units = lowered.units;
                findings.extend(lowered.findings);
                if findings.iter().any(|f| f.level != Level::Note) {
                    Status::Approximated
                } else {
                    Status::Translated
                }
            }
            Err(e) => {
                error = Some(unwritable(e.to_string()));
                Status::Error
            }
        },
        (Body::Error(e), _) => {
            error = Some(InputError {
                file: item.origin.file.clone(),
                line: e.line,
                column: e.column,
                message: e.message.clone(),
            });
            Status::Error
        }
        _ => Status::Skipped,
    };
    // The files are held until the whole run is written, the report entry until the report is:
    // without the slack their texts grew.
    files.iter_mut().for_each(|f| f.contents.shrink_to_fit());
    for f in &mut findings {
        if let std::borrow::Cow::Owned(help) = &mut f.help {
            help.shrink_to_fit();
        }
    }
    findings.shrink_to_fit();
    units.iter_mut().for_each(String::shrink_to_fit);
    units.shrink_to_fit();
    Lowered {
        files,
        report: ReportItem {
            source: crate::report::Source {
                format: item.origin.format,
                file: item.origin.file,
                line: item.origin.line,
                name: item.name,
            },
            status,
            units,
            findings,
        },
        error,
        mail,
    }
}

/// `--log-to-journal`: every log file a unit would append to becomes the journal (the same rule
/// for every frontend), with a `log-to-journal` note naming the files.
pub(crate) fn logs_to_journal(item: &mut Item) {
    use crate::ir::Output;
    let Body::Unit(def) = &mut item.body else {
        return;
    };
    let mut moved: Vec<String> = Vec::new();
    let mut to_journal = |o: &mut Option<Output>| {
        if let Some(Output::Append(path) | Output::Truncate(path)) = o {
            if !moved.contains(path) {
                moved.push(path.clone());
            }
            *o = Some(Output::Journal);
        }
    };
    let svc = &mut def.service;
    to_journal(&mut svc.logging.stdout);
    to_journal(&mut svc.logging.stderr);
    if let crate::ir::Instances::Set(set) = &mut svc.instances {
        for i in &mut set.instances {
            to_journal(&mut i.stdout);
            to_journal(&mut i.stderr);
        }
    }
    // The journal is the default for standard output, and standard error follows it.
    if svc.logging.stdout == Some(Output::Journal) {
        svc.logging.stdout = None;
    }
    if svc.logging.stderr == Some(Output::Journal) && svc.logging.stdout.is_none() {
        svc.logging.stderr = None;
    }
    if !moved.is_empty() {
        item.findings.push(crate::finding::Finding::note(
            crate::finding::Code::LogToJournal,
            format!(
                "--log-to-journal: output the source wrote to {} goes to the journal",
                moved.join(", ")
            ),
            "read it with journalctl -u UNIT; point log shippers at the journal",
        ));
    }
}
