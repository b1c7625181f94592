//! The periodic directories `/etc/cron.{hourly,daily,weekly,monthly,yearly}`, run by
//! `run-parts` from `/etc/crontab` or `/etc/anacrontab`.
//!
//! By default the directory stays one unit that runs `run-parts` (same order, one script
//! after another); with `--periodic per-script` each script that `run-parts` would run becomes
//! its own unit with the directory's schedule.

use crate::finding::{Code, Finding};
use crate::host::Host;
use crate::ir::{Body, Command, Item};

/// The directory a script runs with `run-parts`, when it names one of the periodic directories.
#[must_use]
pub fn run_parts_dir(script: &str) -> Option<&str> {
    let mut words = script
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '(' | ')' | '{' | '}' | '&' | '|'));
    while let Some(w) = words.next() {
        if w == "run-parts" || w.ends_with("/run-parts") {
            let dir = words
                .by_ref()
                .find(|a| !a.is_empty() && !a.starts_with('-'))?;
            let base = dir.trim_end_matches('/');
            return ["hourly", "daily", "weekly", "monthly", "yearly"]
                .iter()
                .any(|p| base == format!("/etc/cron.{p}"))
                .then_some(base);
        }
    }
    None
}

/// The unit stem of a periodic directory: `/etc/cron.daily` → `cron-daily`.
#[must_use]
pub fn dir_stem(dir: &str) -> String {
    dir.rsplit('/').next().unwrap_or(dir).replace('.', "-")
}

/// Whether Debian's `run-parts` runs a file of this name (`^[A-Za-z0-9_-]+$`).
#[must_use]
pub fn run_parts_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// One file in a periodic directory and why `run-parts` (or we) would not run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub name: String,
    pub skip: Option<String>,
}

/// The files of `dir` on the host in `run-parts` order, each with a reason to skip it, if any.
#[must_use]
pub fn scripts(host: &Host, dir: &str) -> Vec<Script> {
    let Ok(entries) = std::fs::read_dir(host.local(dir)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let path = format!("{dir}/{name}");
            let skip = if !run_parts_name(&name) {
                Some("run-parts ignores it: its name has characters other than letters, digits, `_` and `-`".to_string())
            } else if !host.is_executable(&path) {
                Some("run-parts ignores it: it is not an executable file".to_string())
            } else if let Some(unit) = host.installed_unit(&format!("{name}.timer")) {
                Some(format!("a native timer does this work: {unit}"))
            } else if host.read(&path).is_ok_and(|b| exits_under_systemd(&String::from_utf8_lossy(&b))) {
                Some("it exits at once on a systemd host (`[ -d /run/systemd/system ] && exit 0`); a native timer does its work".to_string())
            } else {
                None
            };
            Script { name, skip }
        })
        .collect()
}

/// Whether a script starts by exiting when systemd runs the host (Debian's `apt-compat`, `dpkg`).
fn exits_under_systemd(text: &str) -> bool {
    let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    squeezed.contains("if [ -d /run/systemd/system ]; then exit 0; fi")
        || squeezed.contains("[ -d /run/systemd/system ] && exit 0")
        || squeezed.contains("if [ -d /run/systemd/system ]; then exit 0 fi")
}

/// Splits an item that runs `run-parts DIR` into one item per script of the directory, each
/// running the script directly with the same schedule and settings.
#[must_use]
pub fn per_script(item: Item, dir: &str, host: &Host) -> Vec<Item> {
    let Body::Unit(def) = &item.body else {
        return vec![item];
    };
    let scripts = scripts(host, dir);
    if scripts.is_empty() {
        let mut item = item;
        item.body = Body::Skipped;
        item.findings = vec![Finding::note(
            Code::PeriodicSkippedScript,
            format!("{dir} is empty or missing on this host; run-parts had nothing to run"),
            "nothing to convert",
        )];
        return vec![item];
    }
    let base_findings: Vec<Finding> = item
        .findings
        .iter()
        .filter(|f| f.code != Code::PeriodicRunParts)
        .cloned()
        .collect();
    let stem = dir_stem(dir);
    scripts
        .into_iter()
        .map(|script| {
            let path = format!("{dir}/{}", script.name);
            let mut out = Item {
                origin: item.origin.clone(),
                name: path.clone(),
                unit_stem: format!("{stem}-{}", script.name),
                identity: format!("{}\u{0}{}", item.identity, script.name),
                body: Body::Skipped,
                findings: Vec::new(),
            };
            if let Some(why) = script.skip {
                out.findings.push(Finding::note(Code::PeriodicSkippedScript, format!("{path} is not converted: {why}"), "nothing to convert"));
                return out;
            }
            let mut def = def.clone();
            def.service.command = Command::Argv(vec![path.clone()]);
            def.service.description = path.clone();
            out.findings.clone_from(&base_findings);
            out.findings.push(Finding::approximated(
                Code::PeriodicRunParts,
                format!("{path} has its own timer: the scripts of {dir} now start at the same time instead of one after another in name order"),
                "if a script depends on another having run first, add After= between their services, or convert without --periodic per-script",
            ));
            out.body = Body::Unit(def);
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_directory() {
        assert_eq!(
            run_parts_dir(
                "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )"
            ),
            Some("/etc/cron.daily")
        );
        assert_eq!(
            run_parts_dir(
                "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.weekly; }"
            ),
            Some("/etc/cron.weekly")
        );
        assert_eq!(
            run_parts_dir("cd / && run-parts --report /etc/cron.hourly"),
            Some("/etc/cron.hourly")
        );
        assert_eq!(run_parts_dir("run-parts /srv/jobs"), None);
        assert_eq!(dir_stem("/etc/cron.daily"), "cron-daily");
    }
}
