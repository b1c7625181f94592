//! A report whose items are in a spill file ([`crate::spill`]) instead of memory: a run in two
//! passes ([`crate::two_pass`]) puts each item's entry there as it is lowered, holding per item
//! only where the entry is and what the summary counts, and reads the entries back one at a
//! time, in the run's order, when the report, the summary or `apply.sh` needs them. Rendered,
//! it is byte for byte the [`Report`](super::Report) of the same items.
//!
//! An entry is kept in a compact binary form (lengths as little-endian `u32`, codes by their
//! index in [`Code::ALL`]), private to this module and to one run.

use super::{InputError, Level, ReportItem, Source, StaleFile, Status, Summary, View};
use crate::finding::{Code, Finding, Text};
use crate::ir::Format;
use crate::spill::{self, Spill, Spilled};
use std::io;

/// One item's entry: where it is in the spill file, and what the summary counts of it.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    at: Spilled,
    status: Status,
    dropped: u32,
    approximated: u32,
}

impl Entry {
    /// Puts `item` into `spill`.
    ///
    /// # Errors
    /// Writing to the spill file failed.
    pub fn put(item: &ReportItem, spill: &Spill) -> io::Result<Self> {
        let mut buf = Vec::with_capacity(256);
        encode(item, &mut buf);
        let count = |level: Level| {
            u32::try_from(item.findings.iter().filter(|f| f.level == level).count())
                .unwrap_or(u32::MAX)
        };
        Ok(Entry {
            at: spill.put(&buf)?,
            status: item.status,
            dropped: count(Level::Dropped),
            approximated: count(Level::Approximated),
        })
    }
}

/// A run's report, its items in a spill file.
#[derive(Debug)]
pub struct SpilledReport {
    entries: Vec<Entry>,
    texts: spill::Reader,
    errors: Vec<InputError>,
    summary: Summary,
    stale: Vec<StaleFile>,
    dropped: usize,
    approximated: usize,
}

impl SpilledReport {
    /// The report over `inputs` input files of the items at `entries` in `texts` (in run
    /// order) and `errors`; the summary is computed here, as [`super::Report::new`] does.
    ///
    /// # Errors
    /// An entry cannot be read back.
    pub fn new(
        inputs: usize,
        entries: Vec<Entry>,
        texts: spill::Reader,
        errors: Vec<InputError>,
    ) -> io::Result<Self> {
        let mut summary = Summary {
            inputs,
            items: entries.len(),
            errors: errors.len(),
            ..Summary::default()
        };
        let (mut dropped, mut approximated) = (0, 0);
        for e in &entries {
            match e.status {
                Status::Translated => summary.translated += 1,
                Status::Approximated => summary.approximated += 1,
                Status::Wrapped => summary.wrapped += 1,
                Status::Skipped => summary.skipped += 1,
                Status::Error => {}
            }
            dropped += e.dropped as usize;
            approximated += e.approximated as usize;
        }
        let mut report = SpilledReport {
            entries,
            texts,
            errors,
            summary,
            stale: Vec::new(),
            dropped,
            approximated,
        };
        // The distinct unit names, counted once: only the names are decoded.
        let mut units: std::collections::HashSet<Box<str>> = std::collections::HashSet::new();
        let mut buf = Vec::new();
        for e in &report.entries {
            report.texts.read(&e.at, &mut buf)?;
            Decoder::new(&buf).units(|u| {
                if !units.contains(u) {
                    units.insert(u.into());
                }
            })?;
        }
        report.summary.units = units.len();
        Ok(report)
    }
}

impl View for SpilledReport {
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
        self.entries.len()
    }

    fn each_item(&self, f: &mut dyn FnMut(&ReportItem)) -> io::Result<()> {
        let mut buf = Vec::new();
        for e in &self.entries {
            self.texts.read(&e.at, &mut buf)?;
            f(&Decoder::new(&buf).item()?);
        }
        Ok(())
    }

    fn level_counts(&self) -> (usize, usize) {
        (self.dropped, self.approximated)
    }
}

impl serde::Serialize for SpilledReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        super::serialize_view(self, s)
    }
}

fn put_u32(buf: &mut Vec<u8>, n: u32) {
    buf.extend_from_slice(&n.to_le_bytes());
}

fn put_len(buf: &mut Vec<u8>, n: usize) {
    put_u32(buf, u32::try_from(n).unwrap_or(u32::MAX));
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    put_len(buf, s.len());
    buf.extend_from_slice(s.as_bytes());
}

const FORMATS: [Format; 5] = [
    Format::Cron,
    Format::Anacron,
    Format::Pm2,
    Format::Supervisord,
    Format::Sysv,
];
const STATUSES: [Status; 5] = [
    Status::Translated,
    Status::Approximated,
    Status::Wrapped,
    Status::Skipped,
    Status::Error,
];
const LEVELS: [Level; 3] = [Level::Note, Level::Approximated, Level::Dropped];

fn index_of<T: PartialEq>(all: &[T], x: &T) -> u8 {
    all.iter()
        .position(|a| a == x)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

/// The entry of `item`: units first, so that they can be read without the rest.
fn encode(item: &ReportItem, buf: &mut Vec<u8>) {
    put_len(buf, item.units.len());
    for u in &item.units {
        put_str(buf, u);
    }
    buf.push(item.source.format.map_or(0, |f| index_of(&FORMATS, &f) + 1));
    put_str(buf, &item.source.file);
    put_u32(buf, item.source.line.map_or(0, |l| l.saturating_add(1)));
    put_str(buf, &item.source.name);
    buf.push(index_of(&STATUSES, &item.status));
    put_len(buf, item.findings.len());
    for f in &item.findings {
        // Code::ALL lists the codes in declaration order: a code's index is its discriminant.
        buf.extend_from_slice(&(f.code as u16).to_le_bytes());
        buf.push(index_of(&LEVELS, &f.level));
        put_str(buf, &f.message);
        put_str(buf, &f.help);
    }
}

fn corrupt() -> io::Error {
    io::Error::other("internal error: a report entry read back from the temporary file is not one")
}

/// Reads an entry [`encode`] wrote.
struct Decoder<'a> {
    rest: &'a [u8],
}

impl<'a> Decoder<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Decoder { rest: bytes }
    }

    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if self.rest.len() < n {
            return Err(corrupt());
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    fn byte(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> io::Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn str(&mut self) -> io::Result<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| corrupt())
    }

    fn pick<T: Copy>(&mut self, all: &[T]) -> io::Result<T> {
        all.get(usize::from(self.byte()?))
            .copied()
            .ok_or_else(corrupt)
    }

    /// Calls `f` on each unit name (the start of the entry).
    fn units(&mut self, mut f: impl FnMut(&str)) -> io::Result<()> {
        for _ in 0..self.u32()? {
            f(self.str()?);
        }
        Ok(())
    }

    fn item(&mut self) -> io::Result<ReportItem> {
        let mut units = Vec::new();
        self.units(|u| units.push(u.to_string()))?;
        let format = match self.byte()? {
            0 => None,
            n => Some(*FORMATS.get(usize::from(n - 1)).ok_or_else(corrupt)?),
        };
        let file = self.str()?.to_string();
        let line = self.u32()?.checked_sub(1);
        let name = self.str()?.to_string();
        let status = self.pick(&STATUSES)?;
        let n = self.u32()? as usize;
        let mut findings = Vec::with_capacity(n.min(self.rest.len()));
        for _ in 0..n {
            let b = self.take(2)?;
            let code = *Code::ALL
                .get(usize::from(u16::from_le_bytes([b[0], b[1]])))
                .ok_or_else(corrupt)?;
            let level = self.pick(&LEVELS)?;
            let message = Text::from(self.str()?);
            let help = self.str()?.to_string();
            findings.push(Finding::new(code, level, message, help));
        }
        if !self.rest.is_empty() {
            return Err(corrupt());
        }
        Ok(ReportItem {
            source: Source {
                format,
                file,
                line,
                name,
            },
            status,
            units,
            findings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_come_back_as_they_were_put() {
        let item = |n: u32, findings: Vec<Finding>| ReportItem {
            source: Source {
                format: n.is_multiple_of(2).then_some(Format::Supervisord),
                file: format!("/etc/f{n}"),
                line: n.checked_sub(1),
                name: format!("näme {n}"),
            },
            status: STATUSES[n as usize % 5],
            units: (0..n).map(|u| format!("u{u}.service")).collect(),
            findings,
        };
        let items = vec![
            item(0, Vec::new()),
            item(1, vec![Finding::dropped(Code::Pm2Deploy, "gone", "")]),
            item(
                2,
                vec![
                    Finding::note(Code::CronMailto, "first", "help"),
                    Finding::approximated(Code::SysvStartShell, String::from("x\0y"), "h"),
                ],
            ),
        ];
        let spill = Spill::new().unwrap();
        let entries: Vec<Entry> = items
            .iter()
            .map(|i| Entry::put(i, &spill).unwrap())
            .collect();
        let report = SpilledReport::new(3, entries, spill.finish().unwrap(), Vec::new()).unwrap();
        let mut back = Vec::new();
        report.each_item(&mut |i| back.push(i.clone())).unwrap();
        assert_eq!(back, items);
        let held = super::super::Report::new(3, items, Vec::new());
        assert_eq!(report.summary, held.summary);
        assert_eq!(report.level_counts(), (1, 1));
        assert_eq!(
            serde_json::to_string_pretty(&report).unwrap(),
            serde_json::to_string_pretty(&held).unwrap()
        );
    }

    #[test]
    fn a_truncated_entry_is_an_error() {
        let item = ReportItem {
            source: Source {
                format: None,
                file: "f".into(),
                line: None,
                name: "n".into(),
            },
            status: Status::Skipped,
            units: vec!["a.service".into()],
            findings: vec![Finding::note(Code::CronMailto, "m", "h")],
        };
        let mut buf = Vec::new();
        encode(&item, &mut buf);
        assert_eq!(Decoder::new(&buf).item().unwrap(), item);
        for cut in 0..buf.len() {
            assert!(Decoder::new(&buf[..cut]).item().is_err(), "{cut}");
        }
    }
}
