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
use crate::ir::{Body, Item, RefKind};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// What the naming pass and the reference resolution need of one item: a run keeps this for
/// every item between its passes, not the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub file: String,
    pub line: Option<u32>,
    pub format: Option<crate::ir::Format>,
    pub stem: String,
    pub identity: String,
    /// The kind of reference the item answers; `None`: it produces no unit.
    pub answers: Option<RefKind>,
    /// A SysV script's template (`x@.service`): it does not collide with `x.service`.
    pub template: bool,
}

impl Key {
    /// The key of `item`.
    #[must_use]
    pub fn of(item: &Item) -> Self {
        use crate::ir::Instances;
        // A group or an item with an instance target is a `.target`, a template without
        // instances a handler, anything else a `.service`.
        let answers = match &item.body {
            Body::Target(_) => Some(RefKind::Target),
            Body::Unit(def) => Some(match &def.service.instances {
                Instances::Set(set) if set.target => RefKind::Target,
                Instances::Count(0) => RefKind::Handler,
                _ => RefKind::Service,
            }),
            _ => None,
        };
        let template = matches!(&item.body, Body::Unit(d)
            if item.origin.format == Some(crate::ir::Format::Sysv)
                && !matches!(d.service.instances, Instances::One));
        Key {
            file: item.origin.file.clone(),
            line: item.origin.line,
            format: item.origin.format,
            stem: item.unit_stem.clone(),
            identity: item.identity.clone(),
            answers,
            template,
        }
    }
}

/// Assigns a unit base name to every item that produces units (`None` for the others),
/// adding a finding to each renamed item. `host_paths[i]` is the host path of the input that
/// item `i` came from (normalized here), which ranks and suffixes colliding names.
pub fn assign(items: &mut [Item], host_paths: &[String], host: &Host) -> Vec<Option<String>> {
    let keys: Vec<Key> = items.iter().map(Key::of).collect();
    let (names, findings) = assign_keys(&keys, host_paths, host);
    for (i, f) in findings {
        items[i].findings.push(f);
    }
    names
}

/// The name an item of `key` wants before any collision is resolved, with the finding that
/// says it was changed: its stem made valid, with a suffix when that would shadow a unit
/// installed on the host (under `--root`). `None` for an item without units.
#[must_use]
pub fn wanted(key: &Key, host: &Host) -> (Option<String>, Option<Finding>) {
    if key.answers.is_none() {
        return (None, None);
    }
    let name = sanitize(&key.stem);
    match shadowing(key, &name, host) {
        Some((renamed, finding)) => (Some(renamed), Some(finding)),
        None => (Some(name), None),
    }
}

/// The name `n` is changed to, and the finding saying so, when it would shadow an installed
/// unit (under `--root`).
fn shadowing(key: &Key, n: &str, host: &Host) -> Option<(String, Finding)> {
    host.root()?;
    let existing = [".service", ".timer"]
        .iter()
        .find_map(|s| host.installed_unit(&format!("{n}{s}")))?;
    let renamed = format!("{n}-{}", key.format.map_or("unit", |f| f.as_str()));
    let finding = Finding::note(
        Code::UnitNameShadows,
        format!("`{n}` would shadow {existing} installed on the host; named `{renamed}` instead"),
        "if the installed unit already does this job, disable the converted one",
    );
    Some((renamed, finding))
}

/// [`assign`] over the items' [`Key`]s: the names, and the findings to add to item `i`, in
/// order.
#[must_use]
pub fn assign_keys<P: AsRef<str>>(
    keys: &[Key],
    host_paths: &[P],
    host: &Host,
) -> (Vec<Option<String>>, Vec<(usize, Finding)>) {
    let mut findings = Vec::new();
    let mut wanted: Vec<Option<String>> = keys
        .iter()
        .map(|k| k.answers.is_some().then(|| sanitize(&k.stem)))
        .collect();
    // Names that would shadow an installed unit (under --root) get a suffix.
    for (i, (key, name)) in keys.iter().zip(wanted.iter_mut()).enumerate() {
        if let Some((renamed, finding)) = name.as_deref().and_then(|n| shadowing(key, n, host)) {
            findings.push((i, finding));
            *name = Some(renamed);
        }
    }
    // A template (`x@.service`) and a plain unit (`x.service`) of the same stem do not
    // collide: a SysV script's own service and its per-configuration template share it.
    // Borrowed from `wanted` (a whole host has tens of thousands of names); only a
    // template's key (`x@`) is made.
    let mut groups: BTreeMap<Cow<'_, str>, Vec<usize>> = BTreeMap::new();
    for (i, n) in wanted.iter().enumerate() {
        if let Some(n) = n {
            let key = if keys[i].template {
                Cow::Owned(format!("{n}@"))
            } else {
                Cow::Borrowed(n.as_str())
            };
            groups.entry(key).or_default().push(i);
        }
    }
    let mut taken: BTreeSet<Cow<'_, str>> = groups.keys().cloned().collect();
    let mut renames: Vec<(usize, String, usize, String)> = Vec::new();
    for (key, mut members) in groups {
        if members.len() < 2 {
            continue;
        }
        // Normalized only for the items that collide (on a whole host, a few of them).
        let path: HashMap<usize, String> = members
            .iter()
            .map(|&i| (i, normalize_path(host_paths[i].as_ref())))
            .collect();
        let rank = |i: usize| (path[&i].as_str(), keys[i].identity.as_str(), keys[i].line);
        let name = key.strip_suffix('@').unwrap_or(key.as_ref()).to_string();
        members.sort_by(|&a, &b| rank(a).cmp(&rank(b)));
        // An init script keeps its own name (`systemctl start NAME` must go on working); of
        // two scripts wanting it (`foo`, `foo.sh`) the first by host path keeps it.
        let keeper = members
            .iter()
            .copied()
            .find(|&i| keys[i].format == Some(crate::ir::Format::Sysv));
        if keeper.is_none() {
            taken.remove(key.as_ref());
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for &i in members.iter().filter(|&&i| Some(i) != keeper) {
            let hash = format!(
                "{:06x}",
                fnv1a(&format!("{}\u{0}{}", path[&i], keys[i].identity)) & 0xff_ffff
            );
            let mut candidate = format!("{name}-{hash}");
            let count = seen.entry(candidate.clone()).or_insert(0);
            *count += 1;
            if *count > 1 {
                candidate = format!("{candidate}-{count}");
            }
            while taken.contains(candidate.as_str()) {
                candidate.push('x');
            }
            taken.insert(Cow::Owned(candidate.clone()));
            renames.push((i, name.clone(), members.len(), candidate));
        }
    }
    for (i, name, claimants, candidate) in renames {
        findings.push((i, Finding::note(
            Code::UnitNameCollision,
            format!("{claimants} definitions want the name `{name}`; this one is `{candidate}`"),
            "rename by hand if you prefer; the suffix is derived from the definition's host path and content and stays stable",
        )));
        wanted[i] = Some(candidate);
    }
    (wanted, findings)
}

/// Rewrites every [`crate::ir::UnitRef`] (a unit of another item of the same input, by the
/// stem that item asked for) to the name the naming pass gave that item: the name of the
/// first item of the same file answering that stem and kind, else of the file that comes first
/// among the run's items, else the stem made valid.
#[derive(Debug, Default)]
pub struct Resolver<'a> {
    /// (stem, kind, file) → the name of that file's first item answering it.
    given: HashMap<(&'a str, RefKind, &'a str), &'a str>,
    /// (stem, kind) → the name given by the file that comes first among the run's items.
    earliest: HashMap<(&'a str, RefKind), &'a str>,
}

impl<'a> Resolver<'a> {
    /// The resolver of a run's items (their keys and names, in run order), borrowing them.
    #[must_use]
    pub fn new(keys: &'a [Key], names: &'a [Option<String>]) -> Self {
        let mut given: HashMap<(&str, RefKind, &str), &str> = HashMap::new();
        // The first answer in run order comes from the file whose first item comes first:
        // a reference not answered in its own file is answered by that file.
        let mut first_pos: HashMap<&str, usize> = HashMap::new();
        for (i, key) in keys.iter().enumerate() {
            first_pos.entry(key.file.as_str()).or_insert(i);
        }
        let mut earliest: HashMap<(&str, RefKind), (usize, &str)> = HashMap::new();
        for (key, name) in keys.iter().zip(names) {
            let (Some(name), Some(kind)) = (name, key.answers) else {
                continue;
            };
            let entry = given.entry((key.stem.as_str(), kind, key.file.as_str()));
            if let std::collections::hash_map::Entry::Vacant(v) = entry {
                v.insert(name.as_str());
                let pos = first_pos
                    .get(key.file.as_str())
                    .copied()
                    .unwrap_or(usize::MAX);
                match earliest.entry((key.stem.as_str(), kind)) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert((pos, name.as_str()));
                    }
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        if pos < e.get().0 {
                            e.insert((pos, name.as_str()));
                        }
                    }
                }
            }
        }
        drop(first_pos);
        let earliest = earliest.into_iter().map(|(k, (_, n))| (k, n)).collect();
        Resolver { given, earliest }
    }

    /// The name a reference from `file` to `stem` (of `kind`) resolves to.
    #[must_use]
    pub fn answer(&self, stem: &str, kind: RefKind, file: &str) -> String {
        self.given
            .get(&(stem, kind, file))
            .or_else(|| self.earliest.get(&(stem, kind)))
            .map_or_else(|| sanitize(stem), |n| (*n).to_string())
    }

    /// Rewrites the references of `item`.
    pub fn resolve(&self, item: &mut Item) {
        let file = item.origin.file.clone();
        for_each_ref(item, |r| r.stem = self.answer(&r.stem, r.kind, &file));
    }
}

/// Calls `f` on every reference of `item` to a unit of another item, in a fixed order.
pub fn for_each_ref(item: &mut Item, mut f: impl FnMut(&mut crate::ir::UnitRef)) {
    match &mut item.body {
        Body::Unit(def) => {
            let o = &mut def.service.ordering;
            o.after_items
                .iter_mut()
                .chain(o.wants_items.iter_mut())
                .chain(o.part_of.iter_mut())
                .chain(o.on_failure.iter_mut())
                .for_each(&mut f);
            if let crate::ir::Command::Restart(r) = &mut def.service.command {
                f(r);
            }
        }
        Body::Target(t) => t.members.iter_mut().for_each(f),
        _ => {}
    }
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
