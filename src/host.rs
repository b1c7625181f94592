//! The host whose definitions are converted: the real filesystem, or a copy of a host mounted
//! at `--root DIR`.
//!
//! Every absolute path taken from an input (sourced files, users and homes, executables on
//! `PATH`, installed units, the time zone) is resolved through [`Host`], so that under `--root`
//! nothing of the machine running the conversion leaks in. Symbolic links inside the tree are
//! followed relative to the root, never out of it. Paths written into units stay the host's
//! own (`/etc/…`).

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// One `/etc/passwd` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
    pub shell: String,
}

/// A host filesystem, optionally mounted under a root directory.
#[derive(Debug, Default)]
pub struct Host {
    root: Option<PathBuf>,
    users: OnceLock<BTreeMap<String, User>>,
    zone: OnceLock<Option<jiff::tz::TimeZone>>,
    /// Host paths already resolved under the root (a whole-host run asks for the same shell,
    /// `PATH` entries and files thousands of times).
    resolved: std::sync::Mutex<std::collections::HashMap<String, PathBuf>>,
    /// Directory listings already read (every init script looks through the same `rc?.d`
    /// directories).
    listings: std::sync::Mutex<std::collections::HashMap<String, Vec<String>>>,
    /// The `rc?.d` links of the host, indexed once per run.
    rc: OnceLock<RcIndex>,
    /// The host's installed early-boot units, indexed once per run.
    early: OnceLock<EarlyIndex>,
    /// The entry names of directories probed for files (unit directories, `PATH` entries,
    /// `/etc/init.d`, `/etc/default`): one listing each per run answers every probe for a
    /// file that is not there without a system call.
    entries: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<HashSet<String>>>>,
    /// Answers already found: (`exists` 0 or `is_executable` 1, host path) → yes or no.
    facts: std::sync::Mutex<std::collections::HashMap<(u8, String), bool>>,
    /// File-system calls made so far ([`Host::operations`]).
    ops: AtomicU64,
}

/// One `rc?.d` link of a script ([`RcIndex::of`]): `/etc/rc2.d/S20ssh` is runlevel `2`, a
/// start link, priority 20.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RcLink {
    /// The runlevel, as its place in [`RC_LEVELS`] ([`RcLink::level`]): a script has a link
    /// in most of the eight directories, 130,000 links on a large host.
    level: u8,
    pub start: bool,
    pub priority: u32,
}

impl RcLink {
    /// The runlevel of the link directory: `S`, `0`–`6`.
    #[must_use]
    pub fn level(&self) -> &'static str {
        RC_LEVELS
            .get(usize::from(self.level))
            .copied()
            .unwrap_or("")
    }
}

/// Every `rc?.d` link of a host, read once: Debian's `/etc/rcN.d` and RHEL's
/// `/etc/rc.d/rcN.d` (often the same directory through a link), without duplicates.
#[derive(Debug, Default)]
pub struct RcIndex {
    by_script: BTreeMap<String, Vec<RcLink>>,
    /// A list derived from the index by its first user ([`RcIndex::shared_units`]).
    shared: OnceLock<std::sync::Arc<crate::ir::PriorityUnits>>,
}

impl RcIndex {
    /// The links to the init script file `script` (`ssh`, `hwclock.sh`), in runlevel order.
    #[must_use]
    pub fn of(&self, script: &str) -> &[RcLink] {
        self.by_script.get(script).map_or(&[], Vec::as_slice)
    }

    /// The start priority of `script`: the highest priority of its start links in runlevels
    /// 1–5 (systemd-sysv-generator's `sysv_start_priority`); `None` without such a link.
    #[must_use]
    pub fn start_priority(&self, script: &str) -> Option<u32> {
        self.of(script)
            .iter()
            .filter(|l| l.start && is_up_level(l.level()))
            .map(|l| l.priority)
            .max()
    }

    /// The list `build` derives from this index, built on first use and then shared (the SysV
    /// frontend's units by start priority, one list for every script of a run).
    pub fn shared_units(
        &self,
        build: impl FnOnce(&Self) -> crate::ir::PriorityUnits,
    ) -> std::sync::Arc<crate::ir::PriorityUnits> {
        self.shared
            .get_or_init(|| std::sync::Arc::new(build(self)))
            .clone()
    }

    /// The scripts with a start link in runlevels 1–5 whose [`RcIndex::start_priority`] (the
    /// highest of those links, as systemd-sysv-generator takes it) is in `range`, by priority,
    /// then name. Found each time from the links (its one user builds its list once per run).
    #[must_use]
    pub fn by_start_priority(&self, range: impl std::ops::RangeBounds<u32>) -> Vec<(u32, &str)> {
        let mut out: Vec<(u32, &str)> = self
            .by_script
            .keys()
            .filter_map(|s| self.start_priority(s).map(|p| (p, s.as_str())))
            .filter(|(p, _)| range.contains(p))
            .collect();
        // Stable: the names are in order already.
        out.sort_by_key(|(p, _)| *p);
        out
    }
}

/// The host's installed units that are part of early boot ([`Host::early_index`]): services
/// with `DefaultDependencies=no` ordered `Before=sysinit.target`, by the units they order
/// themselves `After=` (a unit after one of those and after `sysinit.target` makes a cycle).
/// Drop-ins are not read.
#[derive(Debug, Default)]
pub struct EarlyIndex {
    /// Unit name ordered after → the early units (host paths) that order themselves after it.
    after: BTreeMap<String, Vec<String>>,
}

impl EarlyIndex {
    /// The installed early-boot units (host paths) that start after `unit`, sorted.
    #[must_use]
    pub fn ordered_after(&self, unit: &str) -> &[String] {
        self.after.get(unit).map_or(&[], Vec::as_slice)
    }

    /// Reads one unit file's text: whether it has `DefaultDependencies=no`, is ordered
    /// `Before=sysinit.target`, and which
    /// units it orders itself `After=` (the `[Unit]` section only; later assignments add, an
    /// empty one resets, as systemd reads lists).
    fn add(&mut self, path: &str, text: &str) {
        let mut section = "";
        let mut default_deps = true;
        let mut before_sysinit = false;
        let mut after: Vec<String> = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                section = line;
                continue;
            }
            if section != "[Unit]" || line.starts_with(['#', ';']) {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "DefaultDependencies" => {
                    default_deps = !matches!(value, "no" | "false" | "0" | "off");
                }
                "Before" => {
                    before_sysinit |= value.split_whitespace().any(|u| u == "sysinit.target");
                }
                "After" if value.is_empty() => after.clear(),
                "After" => after.extend(value.split_whitespace().map(str::to_string)),
                _ => {}
            }
        }
        if default_deps || !before_sysinit {
            return;
        }
        for unit in after {
            let list = self.after.entry(unit).or_default();
            if !list.iter().any(|p| p == path) {
                list.push(path.to_string());
                list.sort();
            }
        }
    }
}

/// The host's unit directories, highest precedence first.
pub const UNIT_DIRS: [&str; 4] = [
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];

/// The runlevels whose link directories are read, in order.
pub const RC_LEVELS: [&str; 8] = ["S", "0", "1", "2", "3", "4", "5", "6"];

/// Runlevels 1–5, whose start links give a script its start priority.
fn is_up_level(level: &str) -> bool {
    matches!(level, "1" | "2" | "3" | "4" | "5")
}

impl Host {
    /// The machine's own filesystem.
    #[must_use]
    pub fn real() -> Self {
        Host::default()
    }

    /// A host mounted at `root`.
    #[must_use]
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Host {
            root: Some(root.into()),
            ..Host::default()
        }
    }

    /// The same host, with its time zone given instead of read from `/etc/localtime`.
    #[must_use]
    pub fn with_time_zone(self, zone: jiff::tz::TimeZone) -> Self {
        let _ = self.zone.set(Some(zone));
        self
    }

    /// The mount point, when this is not the real filesystem.
    #[must_use]
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// How findings name this host: "the host tree (--root)" or "this machine". It never
    /// includes the mount point, so a report does not depend on where a host copy is mounted.
    #[must_use]
    pub fn label(&self) -> &'static str {
        if self.root.is_some() {
            "the host tree (--root)"
        } else {
            "this machine"
        }
    }

    /// The local path of the host path `host_path`, following symbolic links inside the root
    /// (an absolute link target is taken relative to the root). Without a root, the path itself.
    #[must_use]
    pub fn local(&self, host_path: &str) -> PathBuf {
        let Some(root) = &self.root else {
            return PathBuf::from(host_path);
        };
        if let Some(p) = self
            .resolved
            .lock()
            .ok()
            .and_then(|c| c.get(host_path).cloned())
        {
            return p;
        }
        let normal =
            host_path.starts_with('/') && !host_path.split('/').any(|c| c == ".." || c == ".");
        let split = host_path
            .trim_end_matches('/')
            .rsplit_once('/')
            .filter(|(_, name)| !name.is_empty());
        let local = match split {
            // The parent is resolved (and cached) once; only the last component is looked at here.
            Some((parent, name)) if normal => {
                let candidate = self
                    .local(if parent.is_empty() { "/" } else { parent })
                    .join(name);
                self.count();
                if candidate
                    .symlink_metadata()
                    .is_ok_and(|m| m.file_type().is_symlink())
                {
                    self.resolve(root, host_path)
                } else {
                    candidate
                }
            }
            _ => self.resolve(root, host_path),
        };
        if let Ok(mut cache) = self.resolved.lock() {
            cache.insert(host_path.to_string(), local.clone());
        }
        local
    }

    fn resolve(&self, root: &Path, host_path: &str) -> PathBuf {
        let mut resolved = PathBuf::from("/");
        let mut pending: Vec<String> = Path::new(host_path)
            .components()
            .rev()
            .filter_map(component_name)
            .collect();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                resolved.pop();
                continue;
            }
            let candidate = resolved.join(&part);
            let local = root.join(candidate.strip_prefix("/").unwrap_or(&candidate));
            self.count();
            match std::fs::read_link(&local) {
                Ok(target) if hops < 40 => {
                    hops += 1;
                    if target.is_absolute() {
                        resolved = PathBuf::from("/");
                    }
                    pending.extend(target.components().rev().filter_map(component_name));
                }
                _ => resolved = candidate,
            }
        }
        root.join(resolved.strip_prefix("/").unwrap_or(&resolved))
    }

    /// Reads the host file `host_path`.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn read(&self, host_path: &str) -> io::Result<Vec<u8>> {
        let local = self.local(host_path);
        self.count();
        std::fs::read(local)
    }

    /// Every `rc?.d` link of the host, read on first use (one pass over the link directories
    /// per run, however many scripts ask).
    #[must_use]
    pub fn rc_index(&self) -> &RcIndex {
        self.rc.get_or_init(|| {
            let mut index = RcIndex::default();
            for (number, level) in (0u8..).zip(RC_LEVELS) {
                // Read, not kept: the index is all the run asks of these directories (on a
                // whole host, one entry per script in each).
                let mut names: std::collections::BTreeSet<String> =
                    std::collections::BTreeSet::new();
                names.extend(self.read_dir_names(&format!("/etc/rc{level}.d")));
                names.extend(self.read_dir_names(&format!("/etc/rc.d/rc{level}.d")));
                for entry in names {
                    let b = entry.as_bytes();
                    if b.len() > 3
                        && (b[0] == b'S' || b[0] == b'K')
                        && b[1].is_ascii_digit()
                        && b[2].is_ascii_digit()
                    {
                        let link = RcLink {
                            level: number,
                            start: b[0] == b'S',
                            priority: entry[1..3].parse().unwrap_or(0),
                        };
                        let script = &entry[3..];
                        match index.by_script.get_mut(script) {
                            Some(links) => links.push(link),
                            None => {
                                index.by_script.insert(script.to_string(), vec![link]);
                            }
                        }
                    }
                }
            }
            index
        })
    }

    /// The host's installed early-boot units ([`EarlyIndex`]), read on first use: one pass over
    /// the unit directories per run, a unit name found in a higher-precedence directory
    /// shadowing the same name further down (`/etc` over `/usr/lib`).
    #[must_use]
    pub fn early_index(&self) -> &EarlyIndex {
        self.early.get_or_init(|| {
            let mut index = EarlyIndex::default();
            let mut seen: HashSet<String> = HashSet::new();
            for dir in UNIT_DIRS {
                for name in self.read_dir_names(dir) {
                    if !name.ends_with(".service") || !seen.insert(name.clone()) {
                        continue;
                    }
                    let path = format!("{dir}/{name}");
                    if let Ok(bytes) = self.read(&path) {
                        index.add(&path, &String::from_utf8_lossy(&bytes));
                    }
                }
            }
            index
        })
    }

    /// The entry names of the host directory `host_path`, sorted; empty when it cannot be read.
    #[must_use]
    pub fn list_dir(&self, host_path: &str) -> Vec<String> {
        if let Some(names) = self
            .listings
            .lock()
            .ok()
            .and_then(|cache| cache.get(host_path).cloned())
        {
            return names;
        }
        let names = self.read_dir_names(host_path);
        if let Ok(mut cache) = self.listings.lock() {
            cache.insert(host_path.to_string(), names.clone());
        }
        names
    }

    /// The entry names of the host directory `host_path`, sorted, read now and not kept; empty
    /// when it cannot be read.
    fn read_dir_names(&self, host_path: &str) -> Vec<String> {
        let local = self.local(host_path);
        self.count();
        let mut names: Vec<String> = std::fs::read_dir(local)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Where the host's symbolic link `host_path` points, as written in the link.
    #[must_use]
    pub fn link_target(&self, host_path: &str) -> Option<String> {
        let (parent, name) = host_path.rsplit_once('/')?;
        let local = self
            .local(if parent.is_empty() { "/" } else { parent })
            .join(name);
        self.count();
        std::fs::read_link(local)
            .ok()
            .map(|t| t.to_string_lossy().into_owned())
    }

    /// Whether the host path exists (as a file or directory).
    #[must_use]
    pub fn exists(&self, host_path: &str) -> bool {
        self.fact(0, host_path, || {
            if self.absent(host_path) {
                return false;
            }
            let local = self.local(host_path);
            self.count();
            local.exists()
        })
    }

    /// `find()`'s answer for `host_path`, found once per run.
    fn fact(&self, kind: u8, host_path: &str, find: impl FnOnce() -> bool) -> bool {
        let key = (kind, host_path.to_string());
        if let Some(known) = self.facts.lock().ok().and_then(|f| f.get(&key).copied()) {
            return known;
        }
        let answer = find();
        if let Ok(mut f) = self.facts.lock() {
            f.insert(key, answer);
        }
        answer
    }

    /// The number of file-system calls this host has made (stat, open, readlink, readdir):
    /// what a run costs the host, however fast the machine.
    #[must_use]
    pub fn operations(&self) -> u64 {
        self.ops.load(Ordering::Relaxed)
    }

    fn count(&self) {
        self.ops.fetch_add(1, Ordering::Relaxed);
    }

    /// Forgets the answers found so far (resolved paths, directory listings, `exists` and
    /// `is_executable`), not the indexes (users, `rc?.d` links): asked again, each is found
    /// again, the same while the host is. A run in two passes calls this once the first is
    /// over, when only the few inputs read again still ask.
    pub fn forget_answers(&self) {
        fn clear<T: Default>(m: &std::sync::Mutex<T>) {
            let mut held = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *held = T::default();
        }
        clear(&self.resolved);
        clear(&self.listings);
        clear(&self.entries);
        clear(&self.facts);
    }

    /// Whether the listing of `host_path`'s directory (read once per run) shows nothing of
    /// that name there. `false` when unsure (a path with `.` or `..`, an unreadable directory).
    fn absent(&self, host_path: &str) -> bool {
        let Some((parent, name)) = host_path.rsplit_once('/') else {
            return false;
        };
        if !host_path.starts_with('/')
            || name.is_empty()
            || name == "."
            || name == ".."
            || parent.split('/').any(|c| c == "." || c == "..")
        {
            return false;
        }
        let parent = if parent.is_empty() { "/" } else { parent };
        self.absent_in(parent, name)
    }

    /// [`Host::absent`] of `parent/name`, for a `parent` and `name` it has checked (an absolute
    /// directory without `.` or `..`, a name that is none of them nor empty, without `/`).
    fn absent_in(&self, parent: &str, name: &str) -> bool {
        let cached = self
            .entries
            .lock()
            .ok()
            .and_then(|c| c.get(parent).cloned());
        let names = match cached {
            Some(names) => names,
            None => {
                let local = self.local(parent);
                self.count();
                let rd = match std::fs::read_dir(local) {
                    Ok(rd) => rd,
                    // Missing, or not a directory: then nothing is below it either.
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                        ) =>
                    {
                        if let Ok(mut c) = self.entries.lock() {
                            c.insert(parent.to_string(), std::sync::Arc::new(HashSet::new()));
                        }
                        return true;
                    }
                    // Unreadable (a directory that can be searched, not listed): look.
                    Err(_) => return false,
                };
                let names: std::sync::Arc<HashSet<String>> = std::sync::Arc::new(
                    rd.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect(),
                );
                if let Ok(mut c) = self.entries.lock() {
                    c.insert(parent.to_string(), names.clone());
                }
                names
            }
        };
        !names.contains(name)
    }

    /// Whether the host path is a regular file with an execute bit.
    #[must_use]
    pub fn is_executable(&self, host_path: &str) -> bool {
        use std::os::unix::fs::PermissionsExt;
        self.fact(1, host_path, || {
            if self.absent(host_path) {
                return false;
            }
            let local = self.local(host_path);
            self.count();
            std::fs::metadata(local)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    }

    /// The users of `/etc/passwd`, read once.
    fn users(&self) -> &BTreeMap<String, User> {
        self.users.get_or_init(|| {
            let text = self
                .read("/etc/passwd")
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            text.lines()
                .filter_map(parse_passwd_line)
                .map(|u| (u.name.clone(), u))
                .collect()
        })
    }

    /// The user called `name`, when the host's `/etc/passwd` lists it.
    #[must_use]
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users().get(name)
    }

    /// Looks `command` up on the colon-separated `path` inside the host, as a shell would; an
    /// absolute or relative path is checked as it is. Returns the host path found.
    #[must_use]
    pub fn which(&self, command: &str, path: &str) -> Option<String> {
        if command.contains('/') {
            return self.is_executable(command).then(|| command.to_string());
        }
        path.split(':')
            .filter(|dir| dir.starts_with('/'))
            .map(|dir| format!("{}/{command}", dir.trim_end_matches('/')))
            .find(|candidate| self.is_executable(candidate))
    }

    /// The path of an installed unit called `name` in the host's unit directories.
    #[must_use]
    pub fn installed_unit(&self, name: &str) -> Option<String> {
        // A plain name is looked up in each directory's listing before its path is made.
        let plain = !name.is_empty() && name != "." && name != ".." && !name.contains('/');
        UNIT_DIRS
            .iter()
            .filter(|dir| !(plain && self.absent_in(dir, name)))
            .map(|dir| format!("{dir}/{name}"))
            .find(|p| {
                if !plain && self.absent(p) {
                    return false;
                }
                // The entry itself: a mask is a link to /dev/null, which a copied tree lacks.
                let (parent, file) = p.rsplit_once('/').unwrap_or(("/", p));
                let local = self.local(parent).join(file);
                self.count();
                local.symlink_metadata().is_ok()
            })
    }

    /// The host's time zone: `/etc/localtime` under the root (its link target names the zone),
    /// or the machine's own zone without a root. `None` when it cannot be determined.
    #[must_use]
    pub fn time_zone(&self) -> Option<jiff::tz::TimeZone> {
        self.zone
            .get_or_init(|| {
                if self.root.is_none() {
                    return jiff::tz::TimeZone::try_system().ok();
                }
                let local = self.local("/etc/localtime");
                let data = std::fs::read(&local).ok()?;
                let name = std::fs::read_link(self.root.as_ref()?.join("etc/localtime"))
                    .ok()
                    .and_then(|t| {
                        t.to_str()
                            .and_then(|s| s.split("zoneinfo/").nth(1))
                            .map(str::to_string)
                    })
                    .unwrap_or_else(|| "localtime".to_string());
                jiff::tz::TimeZone::tzif(&name, &data).ok()
            })
            .clone()
    }
}

fn component_name(c: Component<'_>) -> Option<String> {
    match c {
        Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
        Component::ParentDir => Some("..".to_string()),
        _ => None,
    }
}

fn parse_passwd_line(line: &str) -> Option<User> {
    let f: Vec<&str> = line.split(':').collect();
    if f.len() < 7 || f[0].is_empty() || f[0].starts_with('#') {
        return None;
    }
    Some(User {
        name: f[0].to_string(),
        uid: f[2].parse().ok()?,
        gid: f[3].parse().ok()?,
        home: f[5].to_string(),
        shell: f[6].to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rc_index_reads_debian_and_rhel_link_directories_once_without_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["etc/rc2.d", "etc/rc.d/rc2.d", "etc/rc0.d"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for l in [
            "etc/rc2.d/S20ssh",
            "etc/rc.d/rc2.d/S20ssh",
            "etc/rc.d/rc2.d/S10net",
            "etc/rc0.d/K01ssh",
            "etc/rc2.d/README",
        ] {
            std::fs::write(root.join(l), "").unwrap();
        }
        let host = Host::at(root);
        let ssh: Vec<(&str, bool, u32)> = host
            .rc_index()
            .of("ssh")
            .iter()
            .map(|l| (l.level(), l.start, l.priority))
            .collect();
        assert_eq!(ssh, [("0", false, 1), ("2", true, 20)]);
        let starts: Vec<(u32, &str)> = host.rc_index().by_start_priority(..);
        assert_eq!(starts, [(10, "net"), (20, "ssh")]);
        assert_eq!(host.rc_index().start_priority("ssh"), Some(20));
        assert!(host.rc_index().of("README").is_empty());
    }

    #[test]
    fn the_early_index_holds_early_units_by_what_they_start_after() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in [
            "etc/systemd/system",
            "lib/systemd/system/sysinit.target.wants",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let files = [
            // Early: no default dependencies, before sysinit.target.
            (
                "lib/systemd/system/utmp.service",
                "[Unit]\nDefaultDependencies=no\nAfter=local-fs.target a.service\nBefore=sysinit.target\n",
            ),
            // Shadowed by /etc's copy, which is not early.
            (
                "lib/systemd/system/shadowed.service",
                "[Unit]\nDefaultDependencies=no\nAfter=b.service\nBefore=sysinit.target\n",
            ),
            (
                "etc/systemd/system/shadowed.service",
                "[Unit]\nAfter=b.service\n",
            ),
            // Default dependencies: ordered after sysinit.target itself, no cycle.
            (
                "lib/systemd/system/late.service",
                "[Unit]\nAfter=c.service\nBefore=sysinit.target\n",
            ),
            // After= reset by an empty assignment; only [Unit] counts.
            (
                "lib/systemd/system/reset.service",
                "[Unit]\nDefaultDependencies=no\nAfter=x.service\nAfter=\nAfter=d.service\nBefore=sysinit.target\n[Service]\nAfter=e.service\n",
            ),
            // Wanted by sysinit.target without Before=: not ordered before it, no cycle.
            (
                "lib/systemd/system/wanted.service",
                "[Unit]\nDefaultDependencies=no\nAfter=f.service\n",
            ),
        ];
        for (path, text) in files {
            std::fs::write(root.join(path), text).unwrap();
        }
        std::os::unix::fs::symlink(
            "../wanted.service",
            root.join("lib/systemd/system/sysinit.target.wants/wanted.service"),
        )
        .unwrap();
        let host = Host::at(root);
        let index = host.early_index();
        assert_eq!(
            index.ordered_after("a.service"),
            ["/lib/systemd/system/utmp.service"]
        );
        assert!(index.ordered_after("b.service").is_empty());
        assert!(index.ordered_after("c.service").is_empty());
        assert_eq!(
            index.ordered_after("d.service"),
            ["/lib/systemd/system/reset.service"]
        );
        assert!(index.ordered_after("f.service").is_empty());
        assert!(index.ordered_after("x.service").is_empty());
        assert!(index.ordered_after("e.service").is_empty());
    }

    #[test]
    fn probes_for_absent_files_cost_one_listing_per_directory() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("usr/bin")).unwrap();
        std::fs::create_dir_all(root.join("lib/systemd/system")).unwrap();
        std::fs::write(root.join("usr/bin/tool"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(
            root.join("usr/bin/tool"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        std::fs::write(root.join("lib/systemd/system/ssh.service"), "").unwrap();
        let host = Host::at(root);
        let path = "/usr/local/bin:/usr/bin:/bin";
        assert_eq!(host.which("tool", path).as_deref(), Some("/usr/bin/tool"));
        assert!(host.installed_unit("ssh.service").is_some());
        assert_eq!(host.which("none", path), None);
        let before = host.operations();
        for i in 0..200 {
            assert_eq!(host.which(&format!("missing{i}"), path), None);
            assert_eq!(host.installed_unit(&format!("missing{i}.service")), None);
            assert_eq!(host.which("tool", path).as_deref(), Some("/usr/bin/tool"));
        }
        assert_eq!(
            host.operations(),
            before,
            "every answer came from the listings"
        );
    }

    #[test]
    fn links_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(
            root.join("etc/passwd"),
            "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n",
        )
        .unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("etc/pw")).unwrap();
        std::os::unix::fs::symlink("../../../../../etc/passwd", root.join("etc/up")).unwrap();
        let host = Host::at(root);
        assert_eq!(host.local("/etc/pw"), root.join("etc/passwd"));
        assert_eq!(host.local("/etc/up"), root.join("etc/passwd"));
        assert_eq!(host.local("/../../etc/passwd"), root.join("etc/passwd"));
        assert_eq!(
            host.user("alice").map(|u| u.home.as_str()),
            Some("/home/alice")
        );
        assert!(host.user("root").is_none());
    }
}
