//! The migration report: one model, rendered as text, Markdown or JSON.
//!
//! Every [`Code`] is documented in `MIGRATION.md` (a test enforces it) with the reason and what
//! to do by hand.

pub mod render;
pub mod spilled;

pub use crate::finding::{Code, Finding, Level};
use crate::ir::Format;
use serde::Serialize;

/// What happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Translated,
    Approximated,
    Wrapped,
    Skipped,
    Error,
}

impl Status {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Translated => "translated",
            Status::Approximated => "approximated",
            Status::Wrapped => "wrapped",
            Status::Skipped => "skipped",
            Status::Error => "error",
        }
    }
}

/// `source` of a report item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// `null` for an input whose format was never decided.
    pub format: Option<Format>,
    pub file: String,
    pub line: Option<u32>,
    pub name: String,
}

/// One source definition in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportItem {
    pub source: Source,
    pub status: Status,
    pub units: Vec<String>,
    pub findings: Vec<Finding>,
}

/// An input that could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for InputError {
    /// `file:line:col: error: message`, leaving out what is unknown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": error: {}", self.message)
    }
}

/// Counts over the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    pub inputs: usize,
    pub items: usize,
    pub units: usize,
    pub translated: usize,
    pub approximated: usize,
    pub wrapped: usize,
    pub skipped: usize,
    pub errors: usize,
}

/// A file an earlier run wrote into the output directory (its manifest says so) that this run
/// no longer produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaleFile {
    /// Relative to the output directory.
    pub path: String,
    /// Its content differs from what was written: the operator's now, never removed.
    pub edited: bool,
    /// Removed by this run (`--prune`).
    pub removed: bool,
}

/// The whole migration report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub version: u32,
    pub items: Vec<ReportItem>,
    pub errors: Vec<InputError>,
    pub summary: Summary,
    /// Stale files in the output directory (not in the JSON when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<StaleFile>,
}

impl Report {
    /// A report over `inputs` input files with the given items and errors; the summary is
    /// computed here so it always agrees with the items.
    #[must_use]
    pub fn new(inputs: usize, items: Vec<ReportItem>, errors: Vec<InputError>) -> Self {
        let mut summary = Summary {
            inputs,
            items: items.len(),
            ..Summary::default()
        };
        let mut units = std::collections::BTreeSet::new();
        for item in &items {
            units.extend(item.units.iter().cloned());
            match item.status {
                Status::Translated => summary.translated += 1,
                Status::Approximated => summary.approximated += 1,
                Status::Wrapped => summary.wrapped += 1,
                Status::Skipped => summary.skipped += 1,
                Status::Error => {}
            }
        }
        summary.units = units.len();
        summary.errors = errors.len();
        Report {
            version: 1,
            items,
            errors,
            summary,
            stale: Vec::new(),
        }
    }

    /// Whether any finding has level `dropped` (what `--strict` checks).
    #[must_use]
    pub fn has_dropped(&self) -> bool {
        self.items
            .iter()
            .flat_map(|i| &i.findings)
            .any(|f| f.level == Level::Dropped)
    }
}

/// What the renderings, the summary line and `apply.sh` read of a report, wherever its items
/// are: in memory ([`Report`]) or in a spill file ([`spilled::SpilledReport`]).
pub trait View {
    fn summary(&self) -> &Summary;
    fn errors(&self) -> &[InputError];
    fn stale(&self) -> &[StaleFile];
    /// Sets the stale files (known once the output directory was looked at).
    fn set_stale(&mut self, stale: Vec<StaleFile>);
    /// How many items.
    fn len(&self) -> usize;
    /// Whether there is no item.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Calls `f` on every item, in order.
    ///
    /// # Errors
    /// The items could not be read back (a spilled report).
    fn each_item(&self, f: &mut dyn FnMut(&ReportItem)) -> std::io::Result<()>;
    /// How many findings of all items have level `dropped`, and how many `approximated`.
    fn level_counts(&self) -> (usize, usize);
    /// Whether any finding has level `dropped` (what `--strict` checks).
    fn has_dropped(&self) -> bool {
        self.level_counts().0 > 0
    }
}

impl View for Report {
    fn summary(&self) -> &Summary {
        &self.summary
    }

    fn errors(&self) -> &[InputError] {
        &self.errors
    }

    fn stale(&self) -> &[StaleFile] {
        &self.stale
    }

    fn set_stale(&mut self, stale: Vec<StaleFile>) {
        self.stale = stale;
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn each_item(&self, f: &mut dyn FnMut(&ReportItem)) -> std::io::Result<()> {
        self.items.iter().for_each(f);
        Ok(())
    }

    fn level_counts(&self) -> (usize, usize) {
        let findings = || self.items.iter().flat_map(|i| &i.findings);
        (
            findings().filter(|f| f.level == Level::Dropped).count(),
            findings()
                .filter(|f| f.level == Level::Approximated)
                .count(),
        )
    }
}

/// Serializes any [`View`] as [`Report`]'s derived `Serialize` does (the JSON report's
/// fields, in order), reading the items one at a time.
///
/// # Errors
/// The serializer's, or the items could not be read back.
pub fn serialize_view<V: View + ?Sized, S: serde::Serializer>(
    view: &V,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::{Error, SerializeSeq, SerializeStruct};
    struct Items<'a, V: ?Sized>(&'a V);
    impl<V: View + ?Sized> Serialize for Items<'_, V> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.0.len()))?;
            let mut failed = None;
            self.0
                .each_item(&mut |item| {
                    if failed.is_none()
                        && let Err(e) = seq.serialize_element(item)
                    {
                        failed = Some(e);
                    }
                })
                .map_err(S::Error::custom)?;
            if let Some(e) = failed {
                return Err(e);
            }
            seq.end()
        }
    }
    let stale = !view.stale().is_empty();
    let mut st = s.serialize_struct("Report", 4 + usize::from(stale))?;
    st.serialize_field("version", &1u32)?;
    st.serialize_field("items", &Items(view))?;
    st.serialize_field("errors", view.errors())?;
    st.serialize_field("summary", view.summary())?;
    if stale {
        st.serialize_field("stale", view.stale())?;
    } else {
        st.skip_field("stale")?;
    }
    st.end()
}

/// A run's report: held ([`Report`], a run in one pass) or spilled (a run in two passes).
#[derive(Debug)]
pub enum RunReport {
    Held(Report),
    Spilled(spilled::SpilledReport),
}

impl RunReport {
    fn view(&self) -> &dyn View {
        match self {
            RunReport::Held(r) => r,
            RunReport::Spilled(r) => r,
        }
    }

    fn view_mut(&mut self) -> &mut dyn View {
        match self {
            RunReport::Held(r) => r,
            RunReport::Spilled(r) => r,
        }
    }
}

impl View for RunReport {
    fn summary(&self) -> &Summary {
        self.view().summary()
    }

    fn errors(&self) -> &[InputError] {
        self.view().errors()
    }

    fn stale(&self) -> &[StaleFile] {
        self.view().stale()
    }

    fn set_stale(&mut self, stale: Vec<StaleFile>) {
        self.view_mut().set_stale(stale);
    }

    fn len(&self) -> usize {
        self.view().len()
    }

    fn each_item(&self, f: &mut dyn FnMut(&ReportItem)) -> std::io::Result<()> {
        self.view().each_item(f)
    }

    fn level_counts(&self) -> (usize, usize) {
        self.view().level_counts()
    }
}

impl Serialize for RunReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_view(self, s)
    }
}
