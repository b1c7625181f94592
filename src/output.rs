//! Writing the converted files: to standard output with headers, or into an output directory as
//! one transaction — all or nothing.
//!
//! [`Plan::new`] looks at every target before anything is written: a directory where a file
//! goes, a file where a directory goes, a report in a missing directory, files with other
//! content (refused without `--force`). It reads the directory's [manifest](crate::manifest) to
//! find the files an earlier run wrote that this one no longer produces (stale; removed with
//! `--prune` only while they still hold what was written). [`Plan::commit`] then stages every
//! new file beside its target (`.PID.N.systemdify-tmp`), and only when all are staged renames them
//! into place, keeping a hard link to each replaced file. When any step fails, every change is
//! undone: replaced files come back, created files and directories go, no temporary file stays.
//! Files are not fsync'ed one by one (that cost ~0.5 ms per file, 2 s for a 1,000-file host).

use crate::back::systemd::OutputFile;
use crate::manifest::{self, Digest, Entry, Manifest};
use crate::report::StaleFile;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

pub use crate::manifest::FILE_NAME as MANIFEST;

/// Why files could not be written. Whatever the error, the file system is as it was before.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to overwrite {} file(s) with different content (use --force): {}; nothing written", .0.len(), .0.join(", "))]
    Exists(Vec<String>),
    #[error("unsafe output path `{0}`")]
    UnsafePath(String),
    #[error("{}; nothing written", .0.join("; "))]
    InTheWay(Vec<String>),
    #[error("{path}: cannot read the manifest: {message}; nothing written (repair or remove it)")]
    Manifest { path: String, message: String },
    #[error("{path}: {source}; nothing written (every change undone)")]
    Io { path: String, source: io::Error },
    #[error("{path}: {source}; undoing the changes failed too: {}", .undo.join("; "))]
    UndoFailed {
        path: String,
        source: io::Error,
        undo: Vec<String>,
    },
}

/// Writes every file to `out` as `# ==> PATH <==`, the contents, and an empty line. Files with
/// mode 0600 (secrets) are never printed.
///
/// # Errors
/// When `out` fails.
pub fn print(files: &[OutputFile], out: &mut dyn Write) -> io::Result<()> {
    for f in files.iter().filter(|f| f.mode & 0o077 != 0) {
        writeln!(out, "# ==> {} <==", f.path)?;
        out.write_all(f.contents.as_bytes())?;
        writeln!(out)?;
    }
    Ok(())
}

/// The local path of `rel` under `dir`, refusing anything that could leave `dir`.
fn target(dir: &Path, rel: &str) -> Result<PathBuf, WriteError> {
    let p = Path::new(rel);
    if rel.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(WriteError::UnsafePath(rel.to_string()));
    }
    Ok(dir.join(p))
}

/// `path` made absolute against the working directory, `.` and `..` resolved by name.
fn lexical_absolute(path: &Path) -> io::Result<PathBuf> {
    let mut out = PathBuf::new();
    for c in std::path::absolute(path)?.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// How to write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Replace files that hold other content.
    pub force: bool,
    /// Remove stale files that still hold what the manifest recorded.
    pub prune: bool,
}

/// What a commit did (the manifest itself not counted).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Created or replaced.
    pub written: Vec<String>,
    /// Already holding the new content; not touched.
    pub unchanged: Vec<String>,
    pub stale: Vec<StaleFile>,
    /// Old contents an interrupted run moved aside (`.PID.N.old.systemdify-tmp`), kept for the
    /// operator to check: possibly the only copy.
    pub leftovers: Vec<String>,
}

/// One change to the file system, shown to the [`Hook`] before it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// Creating a directory.
    CreateDir(&'a Path),
    /// Writing the temporary file for this target (already created, still empty).
    Stage(&'a Path),
    /// Keeping a hard link to this file before it is replaced. When that fails (a file system
    /// without hard links), the file is moved aside instead: [`Step::MoveAside`].
    Link(&'a Path),
    /// Moving this file aside before it is replaced, where it cannot be linked.
    MoveAside(&'a Path),
    /// Renaming the staged file onto this target.
    Rename(&'a Path),
    /// Moving this stale file aside (`--prune`).
    Remove(&'a Path),
}

/// Called before each change a commit makes; an error is taken as that change failing (tests
/// inject failures this way). Undoing and the clean-up after the last rename are not shown.
pub trait Hook {
    /// # Errors
    /// The failure to simulate.
    fn before(&mut self, step: &Step<'_>) -> io::Result<()>;
}

/// The [`Hook`] that lets every step happen.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFaults;

impl Hook for NoFaults {
    fn before(&mut self, _step: &Step<'_>) -> io::Result<()> {
        Ok(())
    }
}

/// What is at a target path now.
#[derive(Debug)]
enum Existing {
    Missing,
    /// A regular file: the SHA-256 of its contents (never the contents: a run holds one copy
    /// of each new file, not of each old one too) and its mode.
    File {
        sha256: Digest,
        mode: u32,
    },
}

/// Where a target is, and whether the manifest records it. A file of the output directory is
/// named by its path there, which is its manifest key: held once, its local path joined when
/// it is needed (a whole host has tens of thousands of files).
#[derive(Debug)]
enum Place {
    /// `name` inside the output directory.
    InDir,
    /// The report: its own path, and its manifest key when the output directory records it.
    Own { path: PathBuf, key: Option<String> },
}

/// One file to write.
#[derive(Debug)]
struct Target {
    /// As messages and [`Written`] name it: relative to the output directory, else as given.
    name: String,
    place: Place,
    contents: Contents,
    /// SHA-256 of `contents`, computed once (the checks and the manifest use it).
    sha256: Digest,
    mode: u32,
    existing: Existing,
    /// Other content may be replaced without `--force`.
    ours: bool,
}

impl Target {
    /// Its path in the manifest, when the manifest records it.
    fn key(&self) -> Option<&str> {
        match &self.place {
            Place::InDir => Some(&self.name),
            Place::Own { key, .. } => key.as_deref(),
        }
    }

    /// Its local path (`dir`: the plan's output directory).
    fn path(&self, dir: Option<&Path>) -> std::borrow::Cow<'_, Path> {
        match (&self.place, dir) {
            (Place::Own { path, .. }, _) => std::borrow::Cow::Borrowed(path.as_path()),
            (Place::InDir, Some(dir)) => std::borrow::Cow::Owned(dir.join(&self.name)),
            (Place::InDir, None) => std::borrow::Cow::Borrowed(Path::new(&self.name)),
        }
    }

    fn unchanged(&self) -> bool {
        matches!(&self.existing, Existing::File { sha256, mode } if *sha256 == self.sha256 && *mode == self.mode)
    }

    fn conflicts(&self) -> bool {
        matches!(&self.existing, Existing::File { sha256, .. } if *sha256 != self.sha256 && !self.ours)
    }
}

/// A file's contents: in memory, in the run's spill file (read back when it is written), or
/// a text of its own streamed out as it was rendered (the report).
#[derive(Debug)]
enum Contents {
    Bytes(Vec<u8>),
    Spilled(crate::spill::Spilled),
    Text(crate::scratch::Text),
}

/// The report's place in a plan.
#[derive(Debug)]
struct ReportSlot {
    name: String,
    path: PathBuf,
    /// Its manifest key when an output directory records it.
    key: Option<String>,
    existing: Existing,
    ours: bool,
}

/// Everything one run will write, checked; nothing written yet.
#[derive(Debug)]
pub struct Plan {
    dir: Option<PathBuf>,
    targets: Vec<Target>,
    report: Option<ReportSlot>,
    /// The manifest's entries besides the targets: stale files kept.
    kept: BTreeMap<String, Entry>,
    manifest_existing: Existing,
    stale: Vec<StaleFile>,
    prune: Vec<PathBuf>,
    dirs: BTreeSet<PathBuf>,
    /// Staged files an interrupted run left in the directories written into: removed.
    garbage: Vec<PathBuf>,
    /// Old contents an interrupted run moved aside there: named, kept.
    leftovers: Vec<String>,
    force: bool,
    /// Where the [`Contents::Spilled`] files are.
    spill: Option<crate::spill::Reader>,
    /// When the output directory does not exist yet (and its parent does): the fresh sibling
    /// directory everything inside it is written into, renamed into place last, at once.
    fresh: Option<PathBuf>,
}

/// What a plan learnt of the file system while checking targets: each directory looked at
/// once (`stat`ed, and listed when files go into it), so that checking a target in a known
/// directory costs no system call unless a file of that name is there.
#[derive(Debug, Default)]
struct Probe {
    /// Directories by whether they are one (`Some(true)`), something else (`Some(false)`) or
    /// missing (`None`).
    dirs: HashMap<PathBuf, Option<bool>>,
    /// The entry names of the directories files go into (`None`: it could not be listed).
    listings: HashMap<PathBuf, Option<HashSet<OsString>>>,
}

impl Probe {
    fn dir_state(&mut self, d: &Path) -> Option<bool> {
        if let Some(state) = self.dirs.get(d) {
            return *state;
        }
        let state = std::fs::metadata(d).ok().map(|m| m.is_dir());
        self.dirs.insert(d.to_path_buf(), state);
        state
    }

    /// Collects the missing directories above `path` into `dirs`; `problems` gets a line when
    /// the nearest existing one is not a directory.
    fn ancestors(&mut self, path: &Path, dirs: &mut BTreeSet<PathBuf>, problems: &mut Vec<String>) {
        let mut missing = Vec::new();
        let mut p = path.parent();
        while let Some(d) = p.filter(|d| !d.as_os_str().is_empty()) {
            match self.dir_state(d) {
                Some(true) => break,
                Some(false) => {
                    let line = format!("{} is not a directory", d.display());
                    if !problems.contains(&line) {
                        problems.push(line);
                    }
                    return;
                }
                None => {
                    if dirs.contains(d) {
                        break; // its ancestors were collected with it
                    }
                    missing.push(d.to_path_buf());
                }
            }
            p = d.parent();
        }
        dirs.extend(missing);
    }

    /// Whether the directory listing of `path`'s parent says there is nothing at `path`.
    fn surely_missing(&mut self, path: &Path) -> bool {
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return false;
        };
        if self.dirs.get(parent) == Some(&None) {
            return true;
        }
        if !self.listings.contains_key(parent) {
            let names = std::fs::read_dir(parent)
                .ok()
                .map(|rd| rd.flatten().map(|e| e.file_name()).collect());
            self.listings.insert(parent.to_path_buf(), names);
        }
        matches!(self.listings.get(parent), Some(Some(names)) if !names.contains(name))
    }

    /// What is at `path`; `problems` gets a line when it is not a regular file (or a link to
    /// one). `listed`: look in the parent's listing first (the directories files go into).
    fn look(
        &mut self,
        path: &Path,
        name: &str,
        listed: bool,
        problems: &mut Vec<String>,
    ) -> Result<(Existing, Option<Vec<u8>>), WriteError> {
        if listed && self.surely_missing(path) {
            return Ok((Existing::Missing, None));
        }
        look(path, name, problems)
    }
}

/// What is at `path`, with its contents when it is a regular file; `problems` gets a line when
/// it is not a regular file (or a link to one).
fn look(
    path: &Path,
    name: &str,
    problems: &mut Vec<String>,
) -> Result<(Existing, Option<Vec<u8>>), WriteError> {
    use std::os::unix::fs::PermissionsExt;
    let io_err = |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A dangling symbolic link is replaced like a missing file.
            Ok((Existing::Missing, None))
        }
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            // An ancestor is a file: `ancestors` says so.
            Ok((Existing::Missing, None))
        }
        Err(e) => Err(io_err(e)),
        Ok(m) if m.is_dir() => {
            problems.push(format!("{name} is a directory"));
            Ok((Existing::Missing, None))
        }
        Ok(m) if !m.is_file() => {
            problems.push(format!("{name} is not a regular file"));
            Ok((Existing::Missing, None))
        }
        Ok(m) => {
            let contents = std::fs::read(path).map_err(io_err)?;
            Ok((
                Existing::File {
                    sha256: manifest::digest(&contents),
                    mode: m.permissions().mode() & 0o7777,
                },
                Some(contents),
            ))
        }
    }
}

impl Plan {
    /// Checks `files` (relative to `dir`) and the report path, reads `dir`'s manifest and finds
    /// the stale files. Without `dir`, only the report is planned.
    ///
    /// # Errors
    /// [`WriteError::InTheWay`] listing every path that cannot be written, or
    /// [`WriteError::Exists`] listing the files with other content (without `--force`), a
    /// manifest that cannot be read, an unsafe path.
    pub fn new(
        dir: Option<&Path>,
        files: &[OutputFile],
        report: Option<&Path>,
        opts: &Options,
    ) -> Result<Self, WriteError> {
        Self::of_files(dir, files.to_vec(), report, opts)
    }

    /// [`Plan::new`] taking the files: their contents are moved into the plan, not copied.
    ///
    /// # Errors
    /// As [`Plan::new`].
    pub fn of_files(
        dir: Option<&Path>,
        files: Vec<OutputFile>,
        report: Option<&Path>,
        opts: &Options,
    ) -> Result<Self, WriteError> {
        let files = files.into_iter().map(|f| {
            let contents = f.contents.into_bytes();
            (
                f.path,
                f.mode,
                manifest::digest(&contents),
                Contents::Bytes(contents),
            )
        });
        Self::build(dir, files, None, report, opts)
    }

    /// [`Plan::of_files`] for a run rendered in two passes ([`crate::two_pass`]): `spilled`
    /// are in `spill` (read back one at a time when written), then `kept` in memory.
    ///
    /// # Errors
    /// As [`Plan::new`].
    pub fn of_staged(
        dir: &Path,
        spilled: Vec<crate::two_pass::SpilledFile>,
        kept: Vec<OutputFile>,
        spill: crate::spill::Reader,
        report: Option<&Path>,
        opts: &Options,
    ) -> Result<Self, WriteError> {
        let files = spilled
            .into_iter()
            .map(|f| (f.path, f.mode, f.at.sha256(), Contents::Spilled(f.at)))
            .chain(kept.into_iter().map(|f| {
                let contents = f.contents.into_bytes();
                (
                    f.path,
                    f.mode,
                    manifest::digest(&contents),
                    Contents::Bytes(contents),
                )
            }));
        Self::build(Some(dir), files, Some(spill), report, opts)
    }

    fn build(
        dir: Option<&Path>,
        files: impl Iterator<Item = (String, u32, Digest, Contents)>,
        spill: Option<crate::spill::Reader>,
        report: Option<&Path>,
        opts: &Options,
    ) -> Result<Self, WriteError> {
        let mut problems = Vec::new();
        let mut dirs = BTreeSet::new();
        let mut probe = Probe::default();
        let mut plan = Plan {
            dir: dir.map(Path::to_path_buf),
            targets: Vec::new(),
            report: None,
            kept: BTreeMap::new(),
            manifest_existing: Existing::Missing,
            stale: Vec::new(),
            prune: Vec::new(),
            dirs: BTreeSet::new(),
            garbage: Vec::new(),
            leftovers: Vec::new(),
            force: opts.force,
            spill,
            fresh: None,
        };
        let mut old = Manifest::default();
        if let Some(dir) = dir {
            let path = dir.join(MANIFEST);
            probe.ancestors(&path, &mut dirs, &mut problems);
            let (existing, contents) =
                probe.look(&path, &path.display().to_string(), true, &mut problems)?;
            plan.manifest_existing = existing;
            if let Some(contents) = &contents {
                old = std::str::from_utf8(contents)
                    .map_err(|_| "not UTF-8".to_string())
                    .and_then(Manifest::parse)
                    .map_err(|message| WriteError::Manifest {
                        path: path.display().to_string(),
                        message,
                    })?;
            }
            for (rel, mode, sha256, contents) in files {
                if rel == MANIFEST {
                    return Err(WriteError::UnsafePath(rel));
                }
                let path = target(dir, &rel)?;
                probe.ancestors(&path, &mut dirs, &mut problems);
                let (existing, _) =
                    probe.look(&path, &path.display().to_string(), true, &mut problems)?;
                plan.targets.push(Target {
                    name: rel,
                    place: Place::InDir,
                    sha256,
                    contents,
                    mode,
                    existing,
                    ours: opts.force,
                });
            }
        }
        if let Some(report) = report {
            plan.report =
                Some(plan.report_slot(report, &old, &mut probe, &mut dirs, &mut problems)?);
        }
        if let Some(dir) = dir {
            plan.find_stale(dir, &old, opts.prune)?;
        }
        if !problems.is_empty() {
            return Err(WriteError::InTheWay(problems));
        }
        let conflicts: Vec<String> = plan
            .targets
            .iter()
            .filter(|t| t.conflicts())
            .map(|t| t.name.clone())
            .collect();
        if !conflicts.is_empty() {
            return Err(WriteError::Exists(conflicts));
        }
        // A new output directory is written whole beside its place and renamed into it: no
        // file in it needs a temporary name of its own. rename(2) replaces nothing there but
        // an empty directory (made meanwhile): a file, a link or a non-empty directory that
        // appeared makes it fail, and the run is undone.
        if let Some(dir) = dir
            && dirs.contains(dir)
            && dir
                .parent()
                .is_none_or(|p| p.as_os_str().is_empty() || !dirs.contains(p))
            && let Some(name) = dir.file_name()
        {
            let mut tmp_name = OsString::from(".");
            tmp_name.push(name);
            tmp_name.push(format!(".{}.systemdify-tmp", std::process::id()));
            plan.fresh = Some(dir.with_file_name(tmp_name));
        }
        plan.dirs = dirs;
        plan.find_leftovers(&probe);
        Ok(plan)
    }

    fn report_slot(
        &self,
        report: &Path,
        old: &Manifest,
        probe: &mut Probe,
        dirs: &mut BTreeSet<PathBuf>,
        problems: &mut Vec<String>,
    ) -> Result<ReportSlot, WriteError> {
        let name = report.display().to_string();
        let io_err = |source| WriteError::Io {
            path: name.clone(),
            source,
        };
        let abs = lexical_absolute(report).map_err(io_err)?;
        let inside = match &self.dir {
            Some(dir) => abs
                .strip_prefix(lexical_absolute(dir).map_err(io_err)?)
                .ok()
                .map(Path::to_path_buf),
            None => None,
        };
        let key = match &inside {
            Some(rel) if rel.as_os_str().is_empty() => {
                problems.push(format!("--report {name} is the output directory"));
                None
            }
            Some(rel) => {
                let rel = rel.to_string_lossy().into_owned();
                if rel == MANIFEST {
                    problems.push(format!("--report {name} would replace the manifest"));
                } else if self.targets.iter().any(|t| t.name == rel) {
                    problems.push(format!("--report {name} would replace the unit file {rel}"));
                }
                // Inside the output directory the report's directories are created like the units'.
                probe.ancestors(report, dirs, problems);
                Some(rel)
            }
            None => {
                match abs.parent() {
                    Some(parent) if !parent.is_dir() => problems.push(format!(
                        "--report {name}: directory {} does not exist",
                        parent.display()
                    )),
                    _ => {}
                }
                // Recorded by its absolute path in the output directory's manifest.
                self.dir
                    .as_ref()
                    .and_then(|_| abs.to_str().map(String::from))
            }
        };
        let (existing, _) = look(report, &name, problems)?;
        let ours = self.force
            || match (&key, &existing) {
                (Some(k), Existing::File { sha256, .. }) => {
                    old.entries.get(k).is_some_and(|e| e.sha256 == *sha256)
                }
                _ => false,
            };
        Ok(ReportSlot {
            name,
            path: report.to_path_buf(),
            key,
            existing,
            ours,
        })
    }

    /// The manifest's files inside `dir` that this run does not write.
    fn find_stale(&mut self, dir: &Path, old: &Manifest, prune: bool) -> Result<(), WriteError> {
        let wanted: BTreeSet<&str> = self
            .targets
            .iter()
            .map(|t| t.name.as_str())
            .chain(self.report.as_ref().and_then(|r| r.key.as_deref()))
            .collect();
        for (rel, entry) in &old.entries {
            if rel.starts_with('/') || wanted.contains(rel.as_str()) {
                continue;
            }
            let path = target(dir, rel).map_err(|_| WriteError::Manifest {
                path: dir.join(MANIFEST).display().to_string(),
                message: format!("unsafe path `{rel}`"),
            })?;
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue; // gone already
            };
            if !meta.is_file() {
                continue; // not the file that was written
            }
            let contents = std::fs::read(&path).map_err(|source| WriteError::Io {
                path: path.display().to_string(),
                source,
            })?;
            let edited = manifest::digest(&contents) != entry.sha256;
            let removed = prune && !edited;
            if removed {
                self.prune.push(path);
            } else {
                self.kept.insert(rel.clone(), entry.clone());
            }
            self.stale.push(StaleFile {
                path: rel.clone(),
                edited,
                removed,
            });
        }
        Ok(())
    }

    /// Temporary files of an interrupted run in the directories this run writes into.
    fn find_leftovers(&mut self, probe: &Probe) {
        let dirs: BTreeSet<PathBuf> = self
            .targets
            .iter()
            .filter_map(|t| t.path(self.dir.as_deref()).parent().map(Path::to_path_buf))
            .collect();
        for d in &dirs {
            let d = d.as_path();
            // The listing the checks made, else the directory read now.
            let names: Vec<OsString> = match probe.listings.get(d) {
                Some(Some(names)) => names.iter().cloned().collect(),
                Some(None) => continue,
                None => match std::fs::read_dir(d) {
                    Ok(entries) => entries.flatten().map(|e| e.file_name()).collect(),
                    Err(_) => continue,
                },
            };
            let mut found: Vec<(PathBuf, bool)> = names
                .iter()
                .filter_map(|n| Some((d.join(n), temporary(n.to_str()?)?)))
                .collect();
            found.sort();
            for (path, aside) in found {
                if aside {
                    self.leftovers.push(path.display().to_string());
                } else {
                    self.garbage.push(path);
                }
            }
        }
    }

    /// The files an earlier run wrote into the output directory that this run does not.
    #[must_use]
    pub fn stale(&self) -> &[StaleFile] {
        &self.stale
    }

    /// Gives the report its contents (it depends on [`Plan::stale`]).
    ///
    /// # Errors
    /// [`WriteError::Exists`] when the report would replace other content without `--force`
    /// that the manifest does not record as this tool's. Nothing is written either way.
    pub fn report(&mut self, text: String) -> Result<(), WriteError> {
        self.report_text(crate::scratch::Text::from(text.into_bytes()))
    }

    /// [`Plan::report`] of a text streamed as it was rendered ([`crate::scratch`]): copied
    /// into the report's staged file when the plan is committed, never held whole.
    ///
    /// # Errors
    /// As [`Plan::report`].
    pub fn report_text(&mut self, text: crate::scratch::Text) -> Result<(), WriteError> {
        let Some(slot) = self.report.take() else {
            return Ok(());
        };
        let t = Target {
            name: slot.name,
            place: Place::Own {
                path: slot.path,
                key: slot.key,
            },
            sha256: text.sha256(),
            contents: Contents::Text(text),
            mode: 0o644,
            existing: slot.existing,
            ours: slot.ours,
        };
        if t.conflicts() {
            return Err(WriteError::Exists(vec![t.name]));
        }
        self.targets.push(t);
        Ok(())
    }

    /// Writes everything planned (the report once [`Plan::report`] gave it), and the manifest.
    ///
    /// # Errors
    /// The step that failed, after undoing every change.
    pub fn commit(mut self, hook: &mut dyn Hook) -> Result<Written, WriteError> {
        // The manifest's entries: the kept ones and the targets', by path (a target's over a
        // kept one of the same path), borrowed.
        let kept = std::mem::take(&mut self.kept);
        let target_entries: Vec<(&str, Entry)> = self
            .targets
            .iter()
            .filter_map(|t| {
                let entry = Entry {
                    sha256: t.sha256,
                    mode: t.mode,
                };
                t.key().map(|k| (k, entry))
            })
            .collect();
        let mut entries: Vec<(&str, &Entry)> = kept
            .iter()
            .map(|(p, e)| (p.as_str(), e))
            .chain(target_entries.iter().map(|(p, e)| (*p, e)))
            .collect();
        // Stable: of equal paths the target's comes last, and is the one kept.
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let mut deduped: Vec<(&str, &Entry)> = Vec::with_capacity(entries.len());
        for e in entries {
            match deduped.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => deduped.push(e),
            }
        }
        let manifest_text = self
            .dir
            .is_some()
            .then(|| manifest::render_sorted(deduped.into_iter()));
        drop(target_entries);
        drop(kept);
        let mut written = Written {
            stale: std::mem::take(&mut self.stale),
            leftovers: std::mem::take(&mut self.leftovers),
            ..Written::default()
        };
        for t in &self.targets {
            if t.unchanged() {
                written.unchanged.push(t.name.clone());
            } else {
                written.written.push(t.name.clone());
            }
        }
        if let (Some(dir), Some(text)) = (&self.dir, manifest_text) {
            let contents = text.into_bytes();
            self.targets.push(Target {
                name: MANIFEST.to_string(),
                place: Place::Own {
                    path: dir.join(MANIFEST),
                    key: None,
                },
                sha256: manifest::digest(&contents),
                contents: Contents::Bytes(contents),
                mode: 0o644,
                existing: std::mem::replace(&mut self.manifest_existing, Existing::Missing),
                ours: true,
            });
        }
        let mut tx = Transaction::default();
        match tx.run(&self, hook) {
            Ok(()) => {
                tx.finish(&self);
                Ok(written)
            }
            Err((path, source)) => {
                let undo = tx.undo();
                if undo.is_empty() {
                    Err(WriteError::Io { path, source })
                } else {
                    Err(WriteError::UndoFailed { path, source, undo })
                }
            }
        }
    }
}

/// Writes `files` under `dir` (created if missing) as one transaction, without a report.
///
/// # Errors
/// As [`Plan::new`] and [`Plan::commit`].
pub fn write_dir(dir: &Path, files: &[OutputFile], opts: &Options) -> Result<Written, WriteError> {
    Plan::new(Some(dir), files, None, opts)?.commit(&mut NoFaults)
}

/// A change made so far, and how to take it back.
#[derive(Debug)]
enum Undo {
    /// A directory created: removed.
    Dir(PathBuf),
    /// A staged file: removed (gone already once renamed into place).
    Tmp(PathBuf),
    /// A hard link to a file not yet replaced: removed.
    Link(PathBuf),
    /// The old file moved to `aside` (or linked there and replaced): renamed back.
    Aside { aside: PathBuf, target: PathBuf },
    /// A file that did not exist: removed.
    Created(PathBuf),
    /// The fresh directory a new output directory is written into: removed with everything in
    /// it.
    Tree(PathBuf),
}

#[derive(Debug, Default)]
struct Transaction {
    log: Vec<Undo>,
}

/// `.PID.N.systemdify-tmp` beside `path` (`what`: `.old`, `.pruned` for old contents): short, so
/// that a 255-byte unit name still has one, and never the name an interrupted run left.
fn temp_name(path: &Path, n: usize, what: &str) -> PathBuf {
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let pid = PID.get_or_init(std::process::id);
    path.with_file_name(format!(".{pid}.{n}{what}.systemdify-tmp"))
}

/// This process's umask (from `/proc/self/status`: reading it with umask(2) would change it
/// for a moment), read once; `None` where it cannot be read.
fn umask() -> Option<u32> {
    static MASK: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *MASK.get_or_init(|| {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let value = status.lines().find_map(|l| l.strip_prefix("Umask:"))?;
        u32::from_str_radix(value.trim(), 8).ok()
    })
}

/// Whether `name` is a temporary file of a run, and whether it holds old contents.
fn temporary(name: &str) -> Option<bool> {
    let middle = name.strip_prefix('.')?.strip_suffix(".systemdify-tmp")?;
    let mut parts = middle.split('.');
    let numbers = parts
        .by_ref()
        .take(2)
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if numbers.count() != 2 {
        return None;
    }
    match parts.next() {
        None => Some(false),
        Some("old" | "pruned") if parts.next().is_none() => Some(true),
        Some(_) => None,
    }
}

impl Transaction {
    fn run(&mut self, plan: &Plan, hook: &mut dyn Hook) -> Result<(), (String, io::Error)> {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let fail = |p: &Path| {
            let p = p.display().to_string();
            move |e| (p, e)
        };
        // A new output directory: what goes into it is written at once into its fresh
        // sibling, under the files' own names.
        let fresh = plan.fresh.as_deref().zip(plan.dir.as_deref());
        let place = |p: &Path| -> Option<PathBuf> {
            let (tmp, dir) = fresh?;
            p.strip_prefix(dir).ok().map(|rel| tmp.join(rel))
        };
        // Parents before children: a shorter path sorts first among its own descendants.
        for d in &plan.dirs {
            hook.before(&Step::CreateDir(d)).map_err(fail(d))?;
            let at = place(d);
            match std::fs::create_dir(at.as_deref().unwrap_or(d)) {
                Ok(()) => match at {
                    Some(tmp) if fresh.is_some_and(|(t, _)| t == tmp) => {
                        self.log.push(Undo::Tree(tmp));
                    }
                    Some(_) => {} // inside the fresh directory: removed with it
                    None => self.log.push(Undo::Dir(d.clone())),
                },
                Err(e)
                    if e.kind() == io::ErrorKind::AlreadyExists && at.is_none() && d.is_dir() => {}
                Err(e) => return Err(fail(d)(e)),
            }
        }
        let todo: Vec<(usize, &Target)> = plan
            .targets
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.unchanged())
            .collect();
        // The spilled files' texts, one at a time.
        let mut buf = Vec::new();
        for &(i, t) in &todo {
            let path = t.path(plan.dir.as_deref());
            let at = place(&path);
            let tmp = at.clone().unwrap_or_else(|| temp_name(&path, i, ""));
            // A directory that cannot be written into shows here, before any file is replaced.
            // Created with its mode; a file of that name left by an earlier process of the
            // same id is truncated instead, and its mode set.
            let open = |new: bool| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(new)
                    .create(!new)
                    .truncate(!new)
                    .mode(t.mode)
                    .open(&tmp)
            };
            let (file, created) = match open(true) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => (open(false), false),
                other => (other, true),
            };
            let mut file = file.map_err(fail(path.parent().unwrap_or(&path)))?;
            if at.is_none() {
                self.log.push(Undo::Tmp(tmp.clone()));
            }
            hook.before(&Step::Stage(&path)).map_err(fail(&path))?;
            match (&t.contents, &plan.spill) {
                (Contents::Bytes(b), _) => file.write_all(b),
                (Contents::Text(text), _) => text.copy_to(&mut file),
                (Contents::Spilled(at), Some(spill)) => {
                    spill.read(at, &mut buf).and_then(|()| file.write_all(&buf))
                }
                (Contents::Spilled(_), None) => Err(io::Error::other(
                    "internal error: a spilled file without its spill file",
                )),
            }
            .map_err(fail(&path))?;
            // The mode was set at creation, less the umask: only bits it took are set again.
            if !created || umask().is_none_or(|mask| t.mode & mask != 0) {
                file.set_permissions(std::fs::Permissions::from_mode(t.mode))
                    .map_err(fail(&path))?;
            }
        }
        for (i, path) in plan.prune.iter().enumerate() {
            hook.before(&Step::Remove(path)).map_err(fail(path))?;
            let aside = temp_name(path, i, ".pruned");
            std::fs::rename(path, &aside).map_err(fail(path))?;
            self.log.push(Undo::Aside {
                aside,
                target: path.clone(),
            });
        }
        for &(i, t) in &todo {
            let path = t.path(plan.dir.as_deref());
            if place(&path).is_some() {
                continue;
            }
            let tmp = temp_name(&path, i, "");
            let old = matches!(t.existing, Existing::File { .. });
            let mut aside = None;
            if old {
                let backup = temp_name(&path, i, ".old");
                let linked = hook
                    .before(&Step::Link(&path))
                    .and_then(|()| std::fs::hard_link(&path, &backup));
                if linked.is_ok() {
                    self.log.push(Undo::Link(backup.clone()));
                } else {
                    // A file system without hard links: move it aside instead.
                    hook.before(&Step::MoveAside(&path)).map_err(fail(&path))?;
                    std::fs::rename(&path, &backup).map_err(fail(&path))?;
                    self.log.push(Undo::Aside {
                        aside: backup.clone(),
                        target: path.to_path_buf(),
                    });
                }
                aside = Some(backup);
            }
            hook.before(&Step::Rename(&path)).map_err(fail(&path))?;
            std::fs::rename(&tmp, &path).map_err(fail(&path))?;
            match aside {
                Some(aside) => {
                    if let Some(last @ Undo::Link(_)) = self.log.last_mut() {
                        *last = Undo::Aside {
                            aside,
                            target: path.to_path_buf(),
                        };
                    }
                }
                None => self.log.push(Undo::Created(path.to_path_buf())),
            }
        }
        // Last, the new output directory comes into place whole.
        if let Some((tmp, dir)) = fresh {
            hook.before(&Step::Rename(dir)).map_err(fail(dir))?;
            std::fs::rename(tmp, dir).map_err(fail(dir))?;
        }
        Ok(())
    }

    /// Takes back every change, newest first; returns what could not be taken back.
    fn undo(&mut self) -> Vec<String> {
        let mut failed = Vec::new();
        let mut note = |what: String, r: io::Result<()>| match r {
            Err(e) if e.kind() != io::ErrorKind::NotFound => failed.push(format!("{what}: {e}")),
            _ => {}
        };
        while let Some(u) = self.log.pop() {
            match u {
                Undo::Dir(d) => note(
                    format!("remove directory {}", d.display()),
                    std::fs::remove_dir(&d),
                ),
                Undo::Tmp(p) | Undo::Link(p) | Undo::Created(p) => {
                    note(format!("remove {}", p.display()), std::fs::remove_file(&p));
                }
                Undo::Aside { aside, target } => note(
                    format!("restore {} from {}", target.display(), aside.display()),
                    std::fs::rename(&aside, &target),
                ),
                Undo::Tree(d) => note(
                    format!("remove directory {}", d.display()),
                    std::fs::remove_dir_all(&d),
                ),
            }
        }
        failed
    }

    /// After the last rename: drops the old copies and the directories pruning emptied.
    fn finish(&mut self, plan: &Plan) {
        for u in self.log.drain(..) {
            if let Undo::Aside { aside, .. } = u {
                let _ = std::fs::remove_file(aside);
            }
        }
        for path in &plan.garbage {
            let _ = std::fs::remove_file(path);
        }
        let Some(dir) = &plan.dir else { return };
        for path in &plan.prune {
            let mut p = path.parent();
            while let Some(d) = p.filter(|d| *d != dir.as_path() && d.starts_with(dir)) {
                if std::fs::remove_dir(d).is_err() {
                    break;
                }
                p = d.parent();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn temporary_names_are_recognised() {
        let made = super::temp_name(std::path::Path::new("d/x.service"), 3, ".old");
        let name = made.file_name().unwrap().to_str().unwrap();
        assert_eq!(super::temporary(name), Some(true));
        assert_eq!(super::temporary(".12.0.systemdify-tmp"), Some(false));
        assert_eq!(super::temporary(".12.0.pruned.systemdify-tmp"), Some(true));
        for other in [
            ".0.systemdify-tmp",
            ".a.0.systemdify-tmp",
            ".1.2.new.systemdify-tmp",
            "x.systemdify-tmp",
            ".1.2.old.old.systemdify-tmp",
        ] {
            assert_eq!(super::temporary(other), None, "{other}");
        }
    }
}
