//! The three renderings of a [`Report`]: plain text, Markdown and JSON.

use super::{Report, ReportItem, StaleFile, View};
use std::fmt::Write as _;

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
/// time, the same bytes).
///
/// # Errors
/// The items could not be read back.
pub fn render_view(report: &dyn View, format: ReportFormat) -> std::io::Result<String> {
    match format {
        ReportFormat::Text => text(report),
        ReportFormat::Markdown => markdown(report),
        ReportFormat::Json => json(report),
    }
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
/// The items could not be read back.
pub fn text(report: &dyn View) -> std::io::Result<String> {
    let mut out = String::new();
    report.each_item(&mut |item| {
        let _ = write!(
            out,
            "{} {}: {}",
            location(item),
            item.source.name,
            item.status.as_str()
        );
        if !item.units.is_empty() {
            let _ = write!(out, " -> {}", item.units.join(", "));
        }
        out.push('\n');
        for f in &item.findings {
            let _ = writeln!(out, "  {}[{}]: {}", f.level.as_str(), f.code, f.message);
            if !f.help.is_empty() {
                let _ = writeln!(out, "    help: {}", f.help);
            }
        }
    })?;
    let wrapped = wrapped_by_reason(report)?;
    if !wrapped.is_empty() {
        out.push_str("wrapped init scripts, by reason:\n");
        for (reason, names) in &wrapped {
            let _ = writeln!(out, "  {reason} ({}): {}", names.len(), names.join(", "));
        }
    }
    for e in report.errors() {
        let _ = writeln!(out, "{e}");
    }
    for s in report.stale() {
        let _ = writeln!(out, "stale: {}: {}", s.path, stale_state(s));
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    Ok(out)
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
/// The items could not be read back.
pub fn markdown(report: &dyn View) -> std::io::Result<String> {
    let s = report.summary();
    let mut out = String::from("# Migration report\n\n");
    out.push_str(
        "| inputs | items | units | translated | approximated | wrapped | skipped | errors |\n",
    );
    out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
        s.inputs, s.items, s.units, s.translated, s.approximated, s.wrapped, s.skipped, s.errors
    );
    if !report.is_empty() {
        out.push_str("## Items\n\n| source | name | status | units | findings |\n| --- | --- | --- | --- | --- |\n");
        report.each_item(&mut |item| {
            let codes: Vec<String> = item
                .findings
                .iter()
                .map(|f| format!("`{}`", f.code))
                .collect();
            let units: Vec<String> = item.units.iter().map(|u| format!("`{u}`")).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                md_escape(&location(item)),
                md_escape(&item.source.name),
                item.status.as_str(),
                units.join(" "),
                codes.join(" ")
            );
        })?;
        out.push('\n');
    }
    let wrapped = wrapped_by_reason(report)?;
    if !wrapped.is_empty() {
        out.push_str("## Wrapped init scripts, by reason\n\n| reason | scripts |\n| --- | --- |\n");
        for (reason, names) in &wrapped {
            let names: Vec<String> = names.iter().map(|n| md_escape(n)).collect();
            let _ = writeln!(out, "| {} | {} |", md_escape(reason), names.join(", "));
        }
        out.push('\n');
    }
    // Each item with findings, then the heading above them when there was one.
    let mut findings = String::new();
    report.each_item(&mut |item| {
        if item.findings.is_empty() {
            return;
        }
        let _ = writeln!(
            findings,
            "\n### `{}` {}\n",
            md_escape(&location(item)),
            md_escape(&item.source.name)
        );
        for f in &item.findings {
            let _ = writeln!(
                findings,
                "- **{}** `{}`: {}",
                f.level.as_str(),
                f.code,
                md_escape(&f.message)
            );
            if !f.help.is_empty() {
                let _ = writeln!(findings, "  - what to do: {}", md_escape(&f.help));
            }
        }
    })?;
    if !findings.is_empty() {
        out.push_str("## Findings\n");
        out.push_str(&findings);
        out.push('\n');
    }
    if !report.errors().is_empty() {
        out.push_str("## Errors\n\n");
        for e in report.errors() {
            let _ = writeln!(out, "- `{}`", md_escape(&e.to_string()));
        }
        out.push('\n');
    }
    if !report.stale().is_empty() {
        out.push_str("## Stale files in the output directory\n\n");
        for s in report.stale() {
            let _ = writeln!(out, "- `{}`: {}", md_escape(&s.path), stale_state(s));
        }
        out.push('\n');
    }
    Ok(out)
}

/// The JSON report of the contract, pretty-printed with a trailing newline.
///
/// # Errors
/// The items could not be read back.
pub fn json(report: &dyn View) -> std::io::Result<String> {
    struct Json<'a>(&'a dyn View);
    impl serde::Serialize for Json<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            super::serialize_view(self.0, s)
        }
    }
    let mut s = serde_json::to_string_pretty(&Json(report)).map_err(std::io::Error::other)?;
    s.push('\n');
    Ok(s)
}
