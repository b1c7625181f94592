//! The migration report: one model, rendered as text, Markdown or JSON.
//!
//! Every [`Code`] is documented in `MIGRATION.md` (a test enforces it) with the reason and what
//! to do by hand.

pub mod render;

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
