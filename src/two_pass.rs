//! A run into an output directory without holding the run in memory: what a run holds is each
//! item's name key and where its report entry is, and each written file's name, mode and hash,
//! never every item's IR, report entry or every file's text at once.
//!
//! - Pass 1 reads and parses every input (on [`Options::jobs`] workers), names its items as
//!   they would be named were the run only this input (their stems made valid, shadowing
//!   installed units avoided, references answered in their own file), lowers them and renders
//!   their files into the run's [spill file](crate::spill) and their report entries into a
//!   second one ([`crate::report::spilled`]), keeping of each item its [`Key`], the names it
//!   was rendered with and where its entry is, and of each input the SHA-256 of its
//!   bytes. The inputs [`front::finish`] joins across the run (periodic directories and the
//!   crontab lines that run them, few and small) keep their items whole instead.
//! - The naming pass ([`naming::assign_keys`]) and the [`Resolver`] run on the keys.
//! - Pass 2 lowers the items kept whole, and reads and parses again each input one of whose
//!   items was named otherwise (a collision between items, a reference answered by another
//!   input): its bytes and its items' keys must be those of pass 1 (an input changed between
//!   the passes is an error of the run, never a silent difference). Every other input's files
//!   are final as pass 1 rendered them: it is parsed once.
//!
//! The files are then checked and written by [`crate::output::Plan`] from the spill file, each
//! read back when it is written, its hash checked again.

use crate::back::systemd::{self, OutputFile};
use crate::finding::Finding;
use crate::front::{self, Parsed};
use crate::host::Host;
use crate::ir::{Item, RefKind};
use crate::naming::{self, Key, Resolver};
use crate::pipeline::{Options, Source, logs_to_journal, lower, unique_sources};
use crate::report::InputError;
use crate::report::spilled::{Entry, SpilledReport};
use crate::spill::{self, Spill, Spilled};
use sha2::{Digest, Sha256};

/// One file of a run, rendered into the spill file.
#[derive(Debug, Clone)]
pub struct SpilledFile {
    /// Relative to the output directory.
    pub path: String,
    pub mode: u32,
    pub at: Spilled,
}

/// A run rendered: its files in the spill file (in a deterministic order), then the file made
/// once the passes are over (the mail helper) in memory, and the report.
#[derive(Debug)]
pub struct Staged {
    pub files: Vec<SpilledFile>,
    pub kept: Vec<OutputFile>,
    pub spill: spill::Reader,
    /// Its items' entries in a spill file of their own.
    pub report: SpilledReport,
}

/// Why a run could not be rendered. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// An input read in pass 2 is not the one read in pass 1.
    #[error(
        "{0} changed while it was converted (read twice, {1}); nothing written: convert it again"
    )]
    Changed(String, &'static str),
    #[error("temporary file: {0}; nothing written")]
    Spill(std::io::Error),
}

/// One item lowered, its files in the spill file and its report entry in the report's.
struct Done {
    files: Vec<SpilledFile>,
    entry: Entry,
    error: Option<Box<InputError>>,
    mail: bool,
}

/// The two spill files of a run: the files' texts, the report's entries.
struct Spills {
    files: Spill,
    report: Spill,
}

/// An item of pass 1, lowered with the names it would have alone.
struct Provisional {
    done: Done,
    /// Its own name.
    name: Option<String>,
    /// Each reference it made (stem, kind) and the name it was answered with.
    refs: Vec<(String, RefKind, String)>,
}

/// What pass 1 keeps of one input.
enum First {
    /// Lowered: its items' keys, the SHA-256 of its bytes and its provisional items.
    Lowered(Vec<Key>, [u8; 32], Vec<Provisional>),
    /// Its items as [`front::finish`] gave them (joined across the run), not lowered yet.
    Whole(Vec<Item>),
    /// Parsed, to be joined across the run by [`front::finish`].
    Join(Parsed),
}

/// The SHA-256 of what reading an input gave (its bytes, or why it could not be read).
fn digest(input: &front::Input) -> [u8; 32] {
    let mut h = Sha256::new();
    match &input.data {
        Ok(bytes) => {
            h.update(b"ok\0");
            h.update(bytes);
        }
        Err(e) => {
            h.update(b"error\0");
            h.update(e.as_bytes());
        }
    }
    h.finalize().into()
}

/// Lowers `item` under `name` (its references resolved already) and puts its files and its
/// report entry into `spills`.
fn lower_into(
    item: Item,
    name: Option<String>,
    options: &Options,
    spills: &Spills,
) -> Result<Done, RunError> {
    let l = lower(item, name, options);
    let entry = Entry::put(&l.report, &spills.report).map_err(RunError::Spill)?;
    drop(l.report);
    let mut files = Vec::with_capacity(l.files.len());
    for f in l.files {
        let at = spills
            .files
            .put(f.contents.as_bytes())
            .map_err(RunError::Spill)?;
        files.push(SpilledFile {
            path: f.path,
            mode: f.mode,
            at,
        });
    }
    Ok(Done {
        files,
        entry,
        error: l.error.map(Box::new),
        mail: l.mail,
    })
}

/// Pass 1 of one input whose items are final as parsed: each named as it would be alone,
/// lowered and rendered.
fn provisional(
    items: Vec<Item>,
    keys: &[Key],
    host: &Host,
    options: &Options,
    spills: &Spills,
) -> Result<Vec<Provisional>, RunError> {
    let wanted: Vec<(Option<String>, Option<Finding>)> =
        keys.iter().map(|k| naming::wanted(k, host)).collect();
    let names: Vec<Option<String>> = wanted.iter().map(|(n, _)| n.clone()).collect();
    let resolver = Resolver::new(keys, &names);
    let mut out = Vec::with_capacity(items.len());
    for ((mut item, (name, shadow)), key) in items.into_iter().zip(wanted).zip(keys) {
        if options.journal {
            logs_to_journal(&mut item);
        }
        item.findings.extend(shadow);
        let mut refs = Vec::new();
        naming::for_each_ref(&mut item, |r| {
            let answer = resolver.answer(&r.stem, r.kind, &key.file);
            refs.push((
                std::mem::replace(&mut r.stem, answer.clone()),
                r.kind,
                answer,
            ));
        });
        let done = lower_into(item, name.clone(), options, spills)?;
        out.push(Provisional { done, name, refs });
    }
    Ok(out)
}

/// Lowers `items` (the `start`th of the run onwards) under the run's names.
fn finally(
    items: Vec<Item>,
    start: usize,
    run: &Run<'_>,
    options: &Options,
    spills: &Spills,
) -> Result<Vec<Done>, RunError> {
    let mut out = Vec::with_capacity(items.len());
    for (n, mut item) in items.into_iter().enumerate() {
        let g = start + n;
        if options.journal {
            logs_to_journal(&mut item);
        }
        item.findings.extend(run.added[g].iter().cloned());
        run.resolver.resolve(&mut item);
        out.push(lower_into(item, run.names[g].clone(), options, spills)?);
    }
    Ok(out)
}

/// What the naming pass decided for the run's items.
struct Run<'a> {
    names: &'a [Option<String>],
    added: &'a [Vec<Finding>],
    resolver: &'a Resolver<'a>,
}

/// Converts `inputs` read from `host` into files in a spill file and a report (see the
/// [module](self)). The files, report and errors are the same as
/// [`crate::pipeline::convert_sources`]'s, byte for byte.
///
/// # Errors
/// An input read twice changed between the passes, or the spill file could not be written.
pub fn convert(inputs: Vec<Source>, host: &Host, options: &Options) -> Result<Staged, RunError> {
    let input_count = inputs.len();
    let unique = unique_sources(inputs);
    let spills = Spills {
        files: Spill::new().map_err(RunError::Spill)?,
        report: Spill::new().map_err(RunError::Spill)?,
    };
    // Pass 1. A supervisord configuration with its includes can hold a thousand items at
    // once: converted first, while the run's keys, provisional items and the host's answers are
    // still few (the results stay in input order).
    let firsts: Vec<Result<First, RunError>> = crate::workers::map_in_order_first(
        unique.iter().collect(),
        options.jobs,
        |source: &&Source| front::reads_includes(source.host_path()),
        |source: &Source| {
            let input = source.input(host);
            let parsed = front::parse_input(&input, host, &options.front);
            if front::needs_finish(&parsed) {
                return Ok(First::Join(parsed));
            }
            let hash = digest(&input);
            drop(input);
            let keys: Vec<Key> = parsed.1.iter().map(Key::of).collect();
            let items = provisional(parsed.1, &keys, host, options, &spills)?;
            Ok(First::Lowered(keys, hash, items))
        },
    );
    let mut slots: Vec<Option<First>> = Vec::with_capacity(firsts.len());
    let mut joined: Vec<(usize, Parsed)> = Vec::new();
    for (i, first) in firsts.into_iter().enumerate() {
        match first? {
            First::Join(p) => {
                joined.push((i, p));
                slots.push(None);
            }
            other => slots.push(Some(other)),
        }
    }
    for (i, item) in front::finish_tagged(joined, host, &options.front) {
        match &mut slots[i] {
            Some(First::Whole(items)) => items.push(item),
            slot => *slot = Some(First::Whole(vec![item])),
        }
    }
    let mut slots: Vec<First> = slots
        .into_iter()
        .map(|s| s.unwrap_or(First::Whole(Vec::new())))
        .collect();
    // Pass 1 is over: the host's answers and what its parses freed go before the naming pass
    // allocates.
    host.forget_answers();
    crate::memory::release_free();
    // Naming, over every item's key in run order.
    let mut keys: Vec<Key> = Vec::new();
    let mut starts: Vec<usize> = Vec::with_capacity(slots.len());
    for slot in &mut slots {
        starts.push(keys.len());
        match slot {
            // Moved: pass 2 compares an input read again with the run's keys.
            First::Lowered(k, _, _) => keys.append(k),
            First::Whole(items) => keys.extend(items.iter().map(Key::of)),
            First::Join(_) => {}
        }
    }
    // The host path of each item's input (every item names its input's display as its file),
    // borrowed from the inputs.
    let host_path_of: std::collections::HashMap<&str, &str> = unique
        .iter()
        .map(|s| (s.display(), s.host_path().unwrap_or(s.display())))
        .collect();
    let host_paths: Vec<&str> = keys
        .iter()
        .map(|k| {
            host_path_of
                .get(k.file.as_str())
                .copied()
                .unwrap_or(k.file.as_str())
        })
        .collect();
    drop(host_path_of);
    let (names, naming_findings) = naming::assign_keys(&keys, &host_paths, host);
    drop(host_paths);
    let resolver = Resolver::new(&keys, &names);
    let mut added: Vec<Vec<Finding>> = vec![Vec::new(); keys.len()];
    for (i, f) in naming_findings {
        added[i].push(f);
    }
    let run = Run {
        names: &names,
        added: &added,
        resolver: &resolver,
    };
    if let Some(hook) = options.between_passes {
        hook();
    }
    // Pass 2: what pass 1 named otherwise than the run does, and what it kept whole.
    let work: Vec<(usize, &Source, First)> = slots
        .into_iter()
        .zip(&unique)
        .enumerate()
        .map(|(i, (slot, source))| (i, source, slot))
        .collect();
    let second = |(i, source, slot): (usize, &Source, First)| -> Result<Vec<Done>, RunError> {
        match slot {
            First::Whole(items) => finally(items, starts[i], &run, options, &spills),
            First::Join(_) => Ok(Vec::new()), // none is left: every one was joined above
            First::Lowered(_, hash, items) => {
                let want = &keys[starts[i]..starts[i] + items.len()];
                let settled = items.iter().enumerate().all(|(n, p)| {
                    let g = starts[i] + n;
                    p.name == names[g]
                        && p.refs.iter().all(|(stem, kind, answer)| {
                            resolver.answer(stem, *kind, &keys[g].file) == *answer
                        })
                });
                if settled {
                    return Ok(items.into_iter().map(|p| p.done).collect());
                }
                drop(items);
                let input = source.input(host);
                if digest(&input) != hash {
                    return Err(RunError::Changed(
                        source.display().to_string(),
                        "different bytes",
                    ));
                }
                let (_, again) = front::parse_input(&input, host, &options.front);
                drop(input);
                if again.len() != want.len()
                    || again.iter().zip(want).any(|(a, k)| Key::of(a) != *k)
                {
                    return Err(RunError::Changed(
                        source.display().to_string(),
                        "different items",
                    ));
                }
                finally(again, starts[i], &run, options, &spills)
            }
        }
    };
    let lowered: Vec<Vec<Done>> = crate::workers::map_in_order(work, options.jobs, second)
        .into_iter()
        .collect::<Result<_, _>>()?;
    // Held until the run is written: allocated once, at its size.
    let mut files = Vec::with_capacity(lowered.iter().flatten().map(|d| d.files.len()).sum());
    let mut kept = Vec::new();
    let mut entries = Vec::with_capacity(keys.len());
    let mut errors = Vec::new();
    let mut mail = false;
    for per_input in lowered {
        for d in per_input {
            files.extend(d.files);
            errors.extend(d.error.map(|e| *e));
            mail |= d.mail;
            entries.push(d.entry);
        }
    }
    if mail {
        match systemd::mail_helper() {
            Ok(f) => kept.push(f),
            Err(e) => errors.push(InputError {
                file: systemd::MAIL_UNIT.to_string(),
                line: None,
                column: None,
                message: e.to_string(),
            }),
        }
    }
    // What the naming pass decided is no longer needed: freed before the summary is read.
    drop(resolver);
    drop((names, added, keys, starts));
    let report = spills.report.finish().map_err(RunError::Spill)?;
    Ok(Staged {
        files,
        kept,
        spill: spills.files.finish().map_err(RunError::Spill)?,
        report: SpilledReport::new(input_count, entries, report, errors)
            .map_err(RunError::Spill)?,
    })
}
