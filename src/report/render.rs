//! The three renderings of a [`Report`]: plain text, Markdown and JSON.

use super::{Report, ReportItem, StaleFile, View};
use std::io::{self, Write};

/// Which rendering to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Markdown,
    Json,
}

impl ReportFormat {
    /// The format a report path asks for by its extension: `.json`, `.md`/`.markdown`, else text.
    #[must_use]
    pub fn from_path(path: &std::path::Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => ReportFormat::Json,
            Some("md" | "markdown") => ReportFormat::Markdown,
            _ => ReportFormat::Text,
        }
    }
}

/// Renders `report` in `format`. Output always ends with a newline.
#[must_use]
pub fn render(report: &Report, format: ReportFormat) -> String {
    // A report in memory is always read.
    render_view(report, format).unwrap_or_else(|e| format!("{e}\n"))
}

/// [`render`] of any [`View`] (a report whose items are in a spill file: read back one at a
/// time, the same bytes), into memory.
///
/// # Errors
/// The items could not be read back.
pub fn render_view(report: &dyn View, format: ReportFormat) -> io::Result<String> {
    let mut out = Vec::new();
    write_view(report, format, &mut out)?;
    String::from_utf8(out).map_err(io::Error::other)
}

/// Writes the rendering of `report` in `format` to `out` as it goes (through a buffer of 64
/// KiB: `out` sees few, large writes), never holding it whole: the same bytes as
/// [`render_view`].
///
/// # Errors
/// The items could not be read back, or writing to `out` failed.
pub fn write_view(report: &dyn View, format: ReportFormat, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    match format {
        ReportFormat::Text => text(report, &mut out)?,
        ReportFormat::Markdown => markdown(report, &mut out)?,
        ReportFormat::Json => json(report, &mut out)?,
    }
    out.flush()
}

/// Runs `f` on every item of `report` until one fails: the first error, of reading the items
/// or of `f`.
fn try_each_item(
    report: &dyn View,
    f: &mut dyn FnMut(&ReportItem) -> io::Result<()>,
) -> io::Result<()> {
    let mut failed = None;
    report.each_item(&mut |item| {
        if failed.is_none()
            && let Err(e) = f(item)
        {
            failed = Some(e);
        }
    })?;
    failed.map_or(Ok(()), Err)
}

fn location(item: &ReportItem) -> String {
    match item.source.line {
        Some(line) => format!("{}:{line}", item.source.file),
        None => item.source.file.clone(),
    }
}

/// One block per item: `file:line name: status -> units`, then its findings with help.
///
/// # Errors
/// The items could not be read back, or writing to `out` failed.
pub fn text(report: &dyn View, out: &mut dyn Write) -> io::Result<()> {
    try_each_item(report, &mut |item| {
        write!(
            out,
            "{} {}: {}",
            location(item),
            item.source.name,
            item.status.as_str()
        )?;
        if !item.units.is_empty() {
            write!(out, " -> {}", item.units.join(", "))?;
        }
        writeln!(out)?;
        for f in &item.findings {
            writeln!(out, "  {}[{}]: {}", f.level.as_str(), f.code, f.message)?;
            if !f.help.is_empty() {
                writeln!(out, "    help: {}", f.help)?;
            }
        }
        Ok(())
    })?;
    let wrapped = wrapped_by_reason(report)?;
    if !wrapped.is_empty() {
        writeln!(out, "wrapped init scripts, by reason:")?;
        for (reason, names) in &wrapped {
            writeln!(out, "  {reason} ({}): {}", names.len(), names.join(", "))?;
        }
    }
    for e in report.errors() {
        writeln!(out, "{e}")?;
    }
    for s in report.stale() {
        writeln!(out, "stale: {}: {}", s.path, stale_state(s))?;
    }
    writeln!(out, "{}", summary_line(report))
}

/// The scripts kept as wrappers, grouped by the reason their `sysv-wrapped` finding gives in
/// parentheses (`kept as a wrapper around the script (REASON): …`), reasons in order.
///
/// # Errors
/// The items could not be read back.
pub fn wrapped_by_reason(report: &dyn View) -> std::io::Result<Vec<(String, Vec<String>)>> {
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    report.each_item(&mut |item| {
        for f in item
            .findings
            .iter()
            .filter(|f| f.code == crate::finding::Code::SysvWrapped)
        {
            let reason = f
                .message
                .split_once(" (")
                .and_then(|(_, r)| r.split_once("):"))
                .map_or("other", |(r, _)| r);
            groups
                .entry(reason.to_string())
                .or_default()
                .push(item.source.name.clone());
        }
    })?;
    Ok(groups.into_iter().collect())
}

/// What became of a stale file, for the text and Markdown reports and standard error.
#[must_use]
pub fn stale_state(s: &StaleFile) -> &'static str {
    match (s.edited, s.removed) {
        (true, _) => {
            "no longer produced, but edited since systemdify wrote it: kept, even with --prune (remove it by hand)"
        }
        (false, true) => "written by an earlier run, no longer produced: removed (--prune)",
        (false, false) => {
            "written by an earlier run, no longer produced: kept (--prune removes it)"
        }
    }
}

/// A one-line summary, as printed to standard error when no `--report` is asked for.
#[must_use]
pub fn summary_line(report: &dyn View) -> String {
    let s = report.summary();
    let (dropped, approximated) = report.level_counts();
    format!(
        "{} input(s), {} item(s): {} translated, {} approximated, {} wrapped, {} skipped, {} error(s); {} unit(s); findings: {} dropped, {} approximated",
        s.inputs,
        s.items,
        s.translated,
        s.approximated,
        s.wrapped,
        s.skipped,
        s.errors,
        s.units,
        dropped,
        approximated
    )
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A summary table, an item table, then the findings of each item with their help.
///
/// # Errors
/// The items could not be read back, or writing to `out` failed.
pub fn markdown(report: &dyn View, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary();
    out.write_all(b"# Migration report\n\n")?;
    out.write_all(
        b"| inputs | items | units | translated | approximated | wrapped | skipped | errors |\n",
    )?;
    out.write_all(b"| --- | --- | --- | --- | --- | --- | --- | --- |\n")?;
    writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
        s.inputs, s.items, s.units, s.translated, s.approximated, s.wrapped, s.skipped, s.errors
    )?;
    if !report.is_empty() {
        out.write_all(b"## Items\n\n| source | name | status | units | findings |\n| --- | --- | --- | --- | --- |\n")?;
        try_each_item(report, &mut |item| {
            let codes: Vec<String> = item
                .findings
                .iter()
                .map(|f| format!("`{}`", f.code))
                .collect();
            let units: Vec<String> = item.units.iter().map(|u| format!("`{u}`")).collect();
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                md_escape(&location(item)),
                md_escape(&item.source.name),
                item.status.as_str(),
                units.join(" "),
                codes.join(" ")
            )
        })?;
        writeln!(out)?;
    }
    let wrapped = wrapped_by_reason(report)?;
    if !wrapped.is_empty() {
        out.write_all(
            b"## Wrapped init scripts, by reason\n\n| reason | scripts |\n| --- | --- |\n",
        )?;
        for (reason, names) in &wrapped {
            let names: Vec<String> = names.iter().map(|n| md_escape(n)).collect();
            writeln!(out, "| {} | {} |", md_escape(reason), names.join(", "))?;
        }
        writeln!(out)?;
    }
    // Each item with findings, the section's heading before the first one.
    let mut any = false;
    try_each_item(report, &mut |item| {
        if item.findings.is_empty() {
            return Ok(());
        }
        if !any {
            out.write_all(b"## Findings\n")?;
            any = true;
        }
        writeln!(
            out,
            "\n### `{}` {}\n",
            md_escape(&location(item)),
            md_escape(&item.source.name)
        )?;
        for f in &item.findings {
            writeln!(
                out,
                "- **{}** `{}`: {}",
                f.level.as_str(),
                f.code,
                md_escape(&f.message)
            )?;
            if !f.help.is_empty() {
                writeln!(out, "  - what to do: {}", md_escape(&f.help))?;
            }
        }
        Ok(())
    })?;
    if any {
        writeln!(out)?;
    }
    if !report.errors().is_empty() {
        out.write_all(b"## Errors\n\n")?;
        for e in report.errors() {
            writeln!(out, "- `{}`", md_escape(&e.to_string()))?;
        }
        writeln!(out)?;
    }
    if !report.stale().is_empty() {
        out.write_all(b"## Stale files in the output directory\n\n")?;
        for s in report.stale() {
            writeln!(out, "- `{}`: {}", md_escape(&s.path), stale_state(s))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The JSON report of the contract, pretty-printed with a trailing newline, written to `out`
/// as it is serialized (the items read back one at a time).
///
/// # Errors
/// The items could not be read back, or writing to `out` failed.
pub fn json(report: &dyn View, out: &mut dyn Write) -> io::Result<()> {
    struct Json<'a>(&'a dyn View);
    impl serde::Serialize for Json<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            super::serialize_view(self.0, s)
        }
    }
    serde_json::to_writer_pretty(&mut *out, &Json(report)).map_err(io::Error::from)?;
    writeln!(out)
}
