//! Unit names: valid, stable, unique across a run, and never shadowing a unit installed on the
//! target.
//!
//! A name is a pure function of the item's host path and content, never of how the path was
//! typed, the order of the inputs or line numbers: editing an unrelated line, reordering the
//! command line or adding an input that wants no existing name renames nothing. When several
//! items want the same name, the claimants are ranked by (host path, content) — an init script
//! keeps its own name, the first by that rank — and each other claimant gets a short hash of its
//! host path and content appended; identical definitions in one file are then numbered by line.
//! Every rename is reported.

use crate::finding::{Code, Finding};
use crate::front::cron::schedule::fnv1a;
use crate::host::Host;
use crate::ir::{Body, Item};
use std::collections::{BTreeMap, BTreeSet};

/// Makes `stem` a valid unit-name prefix: characters outside `[A-Za-z0-9:_.-]` become `_`,
/// no leading `.` or `-`, at most 200 characters, never empty.
#[must_use]
pub fn sanitize(stem: &str) -> String {
    let mut s: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    while s.starts_with(['.', '-']) {
        s.remove(0);
    }
    s.truncate(200);
    while s.ends_with(['.', '-']) {
        s.pop();
    }
    if s.is_empty() { "job".to_string() } else { s }
}

/// `path` normalized lexically ([`crate::input_path::normalize`]): `/etc/./cron.d//x` and
/// `/etc/cron.d/x` are the same host file.
#[must_use]
pub fn normalize_path(path: &str) -> String {
    crate::input_path::normalize(std::path::Path::new(path))
        .to_string_lossy()
        .into_owned()
}

/// Assigns a unit base name to every item that produces units (`None` for the others),
/// adding a finding to each renamed item. `host_paths[i]` is the host path of the input that
/// item `i` came from (normalized here), which ranks and suffixes colliding names.
pub fn assign(items: &mut [Item], host_paths: &[String], host: &Host) -> Vec<Option<String>> {
    let host_paths: Vec<String> = host_paths.iter().map(|p| normalize_path(p)).collect();
    let mut wanted: Vec<Option<String>> = items
        .iter()
        .map(|i| matches!(i.body, Body::Unit(_) | Body::Target(_)).then(|| sanitize(&i.unit_stem)))
        .collect();
    // Names that would shadow an installed unit (under --root) get a suffix.
    if host.root().is_some() {
        for (item, name) in items.iter_mut().zip(wanted.iter_mut()) {
            let Some(n) = name else { continue };
            if let Some(existing) = [".service", ".timer"]
                .iter()
                .find_map(|s| host.installed_unit(&format!("{n}{s}")))
            {
                let renamed = format!("{n}-{}", item.origin.format.map_or("unit", |f| f.as_str()));
                item.findings.push(Finding::note(
                    Code::UnitNameShadows,
                    format!("`{n}` would shadow {existing} installed on the host; named `{renamed}` instead"),
                    "if the installed unit already does this job, disable the converted one",
                ));
                *n = renamed;
            }
        }
    }
    // A template (`x@.service`) and a plain unit (`x.service`) of the same stem do not
    // collide: a SysV script's own service and its per-configuration template share it.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, n) in wanted.iter().enumerate() {
        if let Some(n) = n {
            let template = matches!(&items[i].body, Body::Unit(d)
                if items[i].origin.format == Some(crate::ir::Format::Sysv)
                    && !matches!(d.service.instances, crate::ir::Instances::One));
            let key = if template { format!("{n}@") } else { n.clone() };
            groups.entry(key).or_default().push(i);
        }
    }
    let mut taken: BTreeSet<String> = groups.keys().cloned().collect();
    let rank = |i: usize| {
        (
            host_paths[i].as_str(),
            items[i].identity.as_str(),
            items[i].origin.line,
        )
    };
    let mut renames: Vec<(usize, String, usize, String)> = Vec::new();
    for (key, mut members) in groups {
        if members.len() < 2 {
            continue;
        }
        let name = key.strip_suffix('@').unwrap_or(&key).to_string();
        members.sort_by(|&a, &b| rank(a).cmp(&rank(b)));
        // An init script keeps its own name (`systemctl start NAME` must go on working); of
        // two scripts wanting it (`foo`, `foo.sh`) the first by host path keeps it.
        let keeper = members
            .iter()
            .copied()
            .find(|&i| items[i].origin.format == Some(crate::ir::Format::Sysv));
        if keeper.is_none() {
            taken.remove(&key);
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for &i in members.iter().filter(|&&i| Some(i) != keeper) {
            let hash = format!(
                "{:06x}",
                fnv1a(&format!("{}\u{0}{}", host_paths[i], items[i].identity)) & 0xff_ffff
            );
            let mut candidate = format!("{name}-{hash}");
            let count = seen.entry(candidate.clone()).or_insert(0);
            *count += 1;
            if *count > 1 {
                candidate = format!("{candidate}-{count}");
            }
            while taken.contains(&candidate) {
                candidate.push('x');
            }
            taken.insert(candidate.clone());
            renames.push((i, name.clone(), members.len(), candidate));
        }
    }
    for (i, name, claimants, candidate) in renames {
        items[i].findings.push(Finding::note(
            Code::UnitNameCollision,
            format!("{claimants} definitions want the name `{name}`; this one is `{candidate}`"),
            "rename by hand if you prefer; the suffix is derived from the definition's host path and content and stays stable",
        ));
        wanted[i] = Some(candidate);
    }
    wanted
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn sanitized_names_stay_inside_the_directory() {
        assert_eq!(sanitize("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(sanitize("a b@c"), "a_b_c");
        assert_eq!(sanitize(""), "job");
        assert_eq!(sanitize("cron-daily"), "cron-daily");
    }
}
