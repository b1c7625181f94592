//! The three renderings of a [`Report`]: plain text, Markdown and JSON.

use super::{Level, Report, ReportItem, StaleFile};
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
#[must_use]
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for item in &report.items {
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
    }
    let wrapped = wrapped_by_reason(report);
    if !wrapped.is_empty() {
        out.push_str("wrapped init scripts, by reason:\n");
        for (reason, names) in &wrapped {
            let _ = writeln!(out, "  {reason} ({}): {}", names.len(), names.join(", "));
        }
    }
    for e in &report.errors {
        let _ = writeln!(out, "{e}");
    }
    for s in &report.stale {
        let _ = writeln!(out, "stale: {}: {}", s.path, stale_state(s));
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// The scripts kept as wrappers, grouped by the reason their `sysv-wrapped` finding gives in
/// parentheses (`kept as a wrapper around the script (REASON): …`), reasons in order.
#[must_use]
pub fn wrapped_by_reason(report: &Report) -> Vec<(String, Vec<String>)> {
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for item in &report.items {
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
    }
    groups.into_iter().collect()
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
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let dropped = report
        .items
        .iter()
        .flat_map(|i| &i.findings)
        .filter(|f| f.level == Level::Dropped)
        .count();
    let approximated = report
        .items
        .iter()
        .flat_map(|i| &i.findings)
        .filter(|f| f.level == Level::Approximated)
        .count();
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
#[must_use]
pub fn markdown(report: &Report) -> String {
    let s = &report.summary;
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
    if !report.items.is_empty() {
        out.push_str("## Items\n\n| source | name | status | units | findings |\n| --- | --- | --- | --- | --- |\n");
        for item in &report.items {
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
        }
        out.push('\n');
    }
    let wrapped = wrapped_by_reason(report);
    if !wrapped.is_empty() {
        out.push_str("## Wrapped init scripts, by reason\n\n| reason | scripts |\n| --- | --- |\n");
        for (reason, names) in &wrapped {
            let names: Vec<String> = names.iter().map(|n| md_escape(n)).collect();
            let _ = writeln!(out, "| {} | {} |", md_escape(reason), names.join(", "));
        }
        out.push('\n');
    }
    let with_findings: Vec<&ReportItem> = report
        .items
        .iter()
        .filter(|i| !i.findings.is_empty())
        .collect();
    if !with_findings.is_empty() {
        out.push_str("## Findings\n");
        for item in with_findings {
            let _ = writeln!(
                out,
                "\n### `{}` {}\n",
                md_escape(&location(item)),
                md_escape(&item.source.name)
            );
            for f in &item.findings {
                let _ = writeln!(
                    out,
                    "- **{}** `{}`: {}",
                    f.level.as_str(),
                    f.code,
                    md_escape(&f.message)
                );
                if !f.help.is_empty() {
                    let _ = writeln!(out, "  - what to do: {}", md_escape(&f.help));
                }
            }
        }
        out.push('\n');
    }
    if !report.errors.is_empty() {
        out.push_str("## Errors\n\n");
        for e in &report.errors {
            let _ = writeln!(out, "- `{}`", md_escape(&e.to_string()));
        }
        out.push('\n');
    }
    if !report.stale.is_empty() {
        out.push_str("## Stale files in the output directory\n\n");
        for s in &report.stale {
            let _ = writeln!(out, "- `{}`: {}", md_escape(&s.path), stale_state(s));
        }
        out.push('\n');
    }
    out
}

/// The JSON report of the contract, pretty-printed with a trailing newline.
#[must_use]
pub fn json(report: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
