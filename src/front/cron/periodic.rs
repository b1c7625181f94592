//! The periodic directories `/etc/cron.{hourly,daily,weekly,monthly,yearly}`, run by
//! `run-parts` from `/etc/crontab` or `/etc/anacrontab`.
//!
//! By default the directory stays one unit that runs `run-parts` (same order, one script
//! after another); with `--periodic per-script` each script that `run-parts` would run becomes
//! its own unit with the directory's schedule.
//!
//! A directory is also an input of its own ([`directory`]): it then runs on the schedule its
//! name implies, the line of Debian's `/etc/crontab` for it. When a crontab or anacrontab line
//! of the same run also runs it, the line's item is the directory's ([`merge`]).

use super::{LoneDirectory, Options, Periodic, Table};
use crate::finding::{Code, Finding};
use crate::host::Host;
use crate::ir::{Body, Command, Item};
use std::collections::BTreeMap;

/// The periodic directories, each with the schedule of the line of Debian's `/etc/crontab`
/// (cron-daemon-common) that runs it and how that reads. Debian has no line for
/// `cron.yearly`: it gets `cron.monthly`'s time, in January.
const PERIODS: [(&str, &str, &str); 5] = [
    ("hourly", "17 * * * *", "every hour at minute 17"),
    ("daily", "25 6 * * *", "every day at 06:25"),
    ("weekly", "47 6 * * 7", "every Sunday at 06:47"),
    (
        "monthly",
        "52 6 1 * *",
        "on the 1st of every month at 06:52",
    ),
    ("yearly", "52 6 1 1 *", "on 1 January at 06:52"),
];

/// The `PATH` of Debian's `/etc/crontab`.
const DEBIAN_PATH: &str = "/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin";

/// The entry of [`PERIODS`] for a host path naming a periodic directory (`/etc/cron.daily`).
fn period(dir: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let name = dir.trim_end_matches('/').strip_prefix("/etc/cron.")?;
    PERIODS.iter().find(|(p, _, _)| *p == name)
}

/// Whether the host path names one of the periodic directories `/etc/cron.{hourly,…,yearly}`.
#[must_use]
pub fn is_periodic_dir(host_path: &str) -> bool {
    period(host_path).is_some()
}

/// Converts the periodic directory `dir` given as an input of its own: one item (named after the
/// directory, no line) running `run-parts` on the schedule of Debian's `/etc/crontab` line for
/// it, with its `SHELL` and `PATH`, as root. `--periodic per-script` splits it later, as it
/// does a line's item.
#[must_use]
pub fn directory(display: &str, dir: &str, host: &Host, options: &Options) -> Vec<Item> {
    let dir = dir.trim_end_matches('/');
    let Some((_, schedule, when)) = period(dir) else {
        return Vec::new();
    };
    let line = format!("{schedule} root cd / && run-parts --report {dir}");
    let text = format!("SHELL=/bin/sh\nPATH={DEBIAN_PATH}\n{line}\n");
    let lines = Options {
        table: Table::System,
        periodic: Periodic::RunParts,
        ..options.clone()
    };
    let mut items = super::parse_crontab(display, None, &text, host, &lines);
    for item in &mut items {
        item.origin.line = None;
        item.findings.insert(
            0,
            Finding::note(
                Code::PeriodicDirectory,
                format!("no crontab or anacrontab line of this run runs {dir}, so it runs {when}, as Debian's /etc/crontab runs it (`{line}`)"),
                "if the host ran it at another time (anacron, cronie's /etc/cron.d/0hourly, an edited /etc/crontab), convert it together with the file that runs it: that line's schedule is used then",
            ),
        );
    }
    items
}

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
            return is_periodic_dir(base).then_some(base);
        }
    }
    None
}

/// The absolute directory a shell line changes into right before it runs `run-parts`
/// (`cd / && run-parts …`, Debian's `test -x … || { cd / && run-parts …; }`), when that is
/// plain to see.
#[must_use]
pub fn cd_before_run_parts(script: &str) -> Option<&str> {
    let at = script.find("run-parts")?;
    let before = script[..at].trim_end();
    let before = before
        .strip_suffix("&&")
        .or_else(|| before.strip_suffix(';'))?
        .trim_end();
    let (head, dir) = before.rsplit_once([' ', '\t'])?;
    let head = head.trim_end();
    let cd_word = head.strip_suffix("cd")?;
    let starts_command =
        cd_word.is_empty() || cd_word.ends_with([' ', '\t', '{', '(', ';', '&', '|']);
    let plain = dir.starts_with('/') && !dir.contains(['$', '`', '\'', '"', '\\', '*', '?', '~']);
    (starts_command && plain).then_some(dir)
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

/// Makes a periodic directory given as an input and a line of another input that runs it one
/// item: the line's. `inputs` holds each input's items, with the host path of the directory
/// when the input was one. The line wins because its schedule is how the host ran the
/// directory; the directory's own is only what its name implies. Every line that runs it gets
/// a note naming the lines, in (file, line) order, so the result does not depend on the order
/// of the inputs. A directory that no line runs stays its own item, or with
/// [`LoneDirectory::Skipped`] (`scan`, which reads every file that could run it) is skipped.
#[must_use]
pub fn merge(inputs: Vec<(Option<String>, Vec<Item>)>, lone: LoneDirectory) -> Vec<Item> {
    let tagged = inputs
        .into_iter()
        .map(|(dir, items)| ((), dir, items))
        .collect();
    merge_tagged(tagged, lone)
        .into_iter()
        .map(|((), item)| item)
        .collect()
}

/// [`merge`] of inputs each with a tag (its place in the run), which every item keeps.
#[must_use]
pub fn merge_tagged<T: Copy>(
    inputs: Vec<(T, Option<String>, Vec<Item>)>,
    lone: LoneDirectory,
) -> Vec<(T, Item)> {
    let mut lines: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in inputs
        .iter()
        .filter(|(_, dir, _)| dir.is_none())
        .flat_map(|(_, _, items)| items)
    {
        if let Some(dir) = super::periodic_of(item) {
            let at = match item.origin.line {
                Some(l) => format!("{}:{l}", item.origin.file),
                None => item.origin.file.clone(),
            };
            lines.entry(dir).or_default().push(at);
        }
    }
    for at in lines.values_mut() {
        at.sort();
        at.dedup();
    }
    let mut merged: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (tag, dir, items) in inputs {
        let unparsed = items.iter().any(|i| matches!(i.body, Body::Error(_)));
        match dir {
            Some(dir) if !unparsed && lines.contains_key(dir.trim_end_matches('/')) => {
                let display = items
                    .first()
                    .map(|i| i.origin.file.clone())
                    .unwrap_or_default();
                merged.insert(dir.trim_end_matches('/').to_string(), display);
            }
            Some(dir) if !unparsed && lone == LoneDirectory::Skipped => {
                out.extend(items.into_iter().map(|item| (tag, unused(item, &dir))));
            }
            _ => out.extend(items.into_iter().map(|item| (tag, item))),
        }
    }
    for (_, item) in &mut out {
        let Some(dir) = super::periodic_of(item) else {
            continue;
        };
        let (Some(given), Some(at)) = (merged.get(&dir), lines.get(&dir)) else {
            continue;
        };
        let (runs, which) = match at.as_slice() {
            [one] => (format!("{one} runs it"), "that line's".to_string()),
            many => (
                format!("{} run it", many.join(", ")),
                "each line's".to_string(),
            ),
        };
        item.findings.push(Finding::note(
            Code::PeriodicDirectoryMerged,
            format!("{given} was given as an input too; {runs}, so it is converted once, as this item, on {which} schedule rather than on the one the directory's name implies"),
            "nothing to do; convert the directory alone to get the schedule its name implies",
        ));
    }
    out
}

/// A directory's item made a skipped one: nothing on the host runs the directory.
fn unused(mut item: Item, dir: &str) -> Item {
    let dir = dir.trim_end_matches('/');
    item.body = Body::Skipped;
    item.findings = vec![Finding::note(
        Code::PeriodicDirectoryUnused,
        format!(
            "no crontab or anacrontab line on this host runs {dir}, so its scripts did not run; nothing is converted"
        ),
        format!(
            "if something else ran them (a systemd-cron timer, a custom job), convert the directory with `systemdify convert {dir}` (with `--root DIR` for a copy of a host) to get a timer on the schedule its name implies"
        ),
    )];
    item
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
    // `cd / && run-parts DIR`: run-parts changes no directory, so every script ran where the
    // line's `cd` went.
    let cd = match &def.service.command {
        Command::Shell { script, .. } => cd_before_run_parts(script),
        _ => None,
    };
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
            if let Some(d) = cd {
                def.service.exec.working_dir = Some(crate::ir::WorkingDir::Path(d.to_string()));
            }
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
    fn the_directory_a_line_changes_into_before_run_parts() {
        assert_eq!(
            cd_before_run_parts("cd / && run-parts --report /etc/cron.daily"),
            Some("/")
        );
        assert_eq!(
            cd_before_run_parts(
                "test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }"
            ),
            Some("/")
        );
        assert_eq!(
            cd_before_run_parts("cd /srv/x; run-parts /etc/cron.hourly"),
            Some("/srv/x")
        );
        assert_eq!(cd_before_run_parts("run-parts /etc/cron.hourly"), None);
        assert_eq!(
            cd_before_run_parts("cd $HOME && run-parts /etc/cron.daily"),
            None
        );
        assert_eq!(
            cd_before_run_parts("abcd / && run-parts /etc/cron.daily"),
            None
        );
    }

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
