//! Differential test against the real `systemd-sysv-generator` (systemd ≤ 259): for every
//! `corpus/sysv/<case>/`, the generator is run on the case's init scripts and rc links, and our
//! units in `expected/` must keep all of its ordering and install information.
//!
//! Setup (as in systemd's own `test/sysv-generator-test.py`): the executable files of the
//! case's `etc/init.d` (or RHEL's `etc/rc.d/init.d`) are copied into a temporary `init.d`; the
//! links of `etc/rcN.d` and RHEL's `etc/rc.d/rcN.d` are recreated as `rcnd/rcN.d/<link>` →
//! `../init.d/<script>`; the generator runs with `SYSTEMD_SYSVINIT_PATH`,
//! `SYSTEMD_SYSVRCND_PATH` and `SYSTEMD_UNIT_PATH` (an empty directory, so no native unit
//! hides a script) and three output directories.
//!
//! Checks, for every unit the generator wrote whose script our report did not skip (or reject
//! as an error — then there is no unit of ours to compare):
//! - our unit of the same name exists;
//! - every `After=`/`Before=`/`Wants=` unit of the generator is in ours, except names our
//!   report lists in a `sysv-missing-dependency` finding of that item (or as not kept in its
//!   `sysv-early-ordering` finding: an early-boot unit), `Before=X.target` when
//!   ours has `WantedBy=X.target` (a target is ordered after the units it wants), and an
//!   ordering the other unit of the pair states (the generator's `A Before=B` is kept by our
//!   `B After=A`, and the reverse); `Requires=` counts for `Wants=`;
//! - every `<target>.wants/<unit>` link → `WantedBy=<target>` in ours;
//! - every alias link `<alias>.service` → `Alias=<alias>.service` in ours.
//!
//! Without the generator binary (systemd ≥ 260 removed it) the test prints why and passes.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const GENERATOR_PATHS: [&str; 2] = [
    "/lib/systemd/system-generators/systemd-sysv-generator",
    "/usr/lib/systemd/system-generators/systemd-sysv-generator",
];

// ---------------------------------------------------------------------------------------------
// A tiny unit-file reader: section → key → every value, lists split on whitespace.

#[derive(Debug, Default)]
struct UnitFile {
    values: BTreeMap<(String, String), Vec<String>>,
}

impl UnitFile {
    fn parse(text: &str) -> Self {
        let mut out = Self::default();
        let mut section = String::new();
        let mut pending = String::new();
        for raw in text.lines() {
            let line = raw.trim();
            if pending.is_empty() && (line.is_empty() || line.starts_with(['#', ';'])) {
                continue;
            }
            if let Some(cont) = line.strip_suffix('\\') {
                pending.push_str(cont);
                pending.push(' ');
                continue;
            }
            let full = std::mem::take(&mut pending) + line;
            if full.starts_with('[') && full.ends_with(']') {
                section = full[1..full.len() - 1].to_string();
                continue;
            }
            if let Some((k, v)) = full.split_once('=') {
                out.values
                    .entry((section.clone(), k.trim().to_string()))
                    .or_default()
                    .push(v.trim().to_string());
            }
        }
        out
    }

    /// Every word of every `key=` line in `section`.
    fn list(&self, section: &str, key: &str) -> BTreeSet<String> {
        self.values
            .get(&(section.to_string(), key.to_string()))
            .into_iter()
            .flatten()
            .flat_map(|v| v.split_whitespace().map(str::to_string))
            .collect()
    }

    fn first(&self, section: &str, key: &str) -> Option<&str> {
        self.values
            .get(&(section.to_string(), key.to_string()))
            .and_then(|v| v.first())
            .map(String::as_str)
    }
}

// ---------------------------------------------------------------------------------------------
// A tiny JSON reader, enough for report.json.

#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            _ => &[],
        }
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn parse(text: &str) -> Result<Json, String> {
        let mut p = JsonParser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("trailing data at byte {}", p.i));
        }
        Ok(v)
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected `{}` at byte {}", c as char, self.i))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.s.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut m = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(m));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.eat(b':')?;
                    m.push((k, self.value()?));
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(m));
                        }
                        _ => return Err(format!("bad object at byte {}", self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Arr(a));
                }
                loop {
                    a.push(self.value()?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(a));
                        }
                        _ => return Err(format!("bad array at byte {}", self.i)),
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') if self.s[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Json::Bool(true))
            }
            Some(b'f') if self.s[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Json::Bool(false))
            }
            Some(b'n') if self.s[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Json::Null)
            }
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_digit() || b"+-.eE".contains(&self.s[self.i]))
                {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
                t.parse().map(Json::Num).map_err(|e| format!("{t}: {e}"))
            }
            _ => Err(format!("unexpected input at byte {}", self.i)),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if self.s.get(self.i) != Some(&b'"') {
            return Err(format!("expected a string at byte {}", self.i));
        }
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err("unterminated string".into());
            };
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        return Err("unterminated escape".into());
                    };
                    self.i += 1;
                    let ch = match e {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xD800..0xDC00).contains(&code)
                                && self.s[self.i..].starts_with(b"\\u")
                            {
                                self.i += 2;
                                let low = self.hex4()?;
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            }
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        other => other as char,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let h = self.s.get(self.i..self.i + 4).ok_or("short \\u escape")?;
        self.i += 4;
        u32::from_str_radix(std::str::from_utf8(h).map_err(|e| e.to_string())?, 16)
            .map_err(|e| e.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Running the generator.

/// What the generator wrote: unit files by name, `<target>.wants` entries, and aliases
/// (alias name → unit name).
#[derive(Debug, Default)]
struct Generated {
    units: BTreeMap<String, UnitFile>,
    wants: BTreeMap<String, BTreeSet<String>>,
    aliases: BTreeMap<String, String>,
}

fn is_executable_file(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o100 != 0)
}

/// The directories of the case's root that hold init scripts and rcN.d links.
fn init_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in ["etc/init.d", "etc/rc.d/init.d"] {
        let p = root.join(d);
        if p.is_dir() {
            let canon = p.canonicalize().unwrap_or(p);
            if !out.contains(&canon) {
                out.push(canon);
            }
        }
    }
    out
}

fn run_generator(generator: &Path, root: &Path) -> Result<Generated, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let t = tmp.path();
    let init_d = t.join("init.d");
    let rcnd = t.join("rcnd");
    let units = t.join("units");
    let outs = [t.join("normal"), t.join("early"), t.join("late")];
    for d in [&init_d, &rcnd, &units].into_iter().chain(&outs) {
        std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
    }
    for dir in init_dirs(root) {
        for e in std::fs::read_dir(&dir)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            let p = e.path();
            if is_executable_file(&p) {
                let dest = init_d.join(e.file_name());
                std::fs::copy(&p, &dest).map_err(|e| format!("{}: {e}", p.display()))?;
            }
        }
    }
    for level in ["0", "1", "2", "3", "4", "5", "6", "S"] {
        let dest_dir = rcnd.join(format!("rc{level}.d"));
        for src in [
            root.join(format!("etc/rc{level}.d")),
            root.join(format!("etc/rc.d/rc{level}.d")),
        ] {
            let Ok(rd) = std::fs::read_dir(&src) else {
                continue;
            };
            std::fs::create_dir_all(&dest_dir).map_err(|e| e.to_string())?;
            for e in rd.flatten() {
                let link = e.file_name().to_string_lossy().into_owned();
                // The script the link names: its target's file name, else the name after S##/K##.
                let script = std::fs::read_link(e.path())
                    .ok()
                    .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .or_else(|| link.get(3..).map(str::to_string))
                    .unwrap_or_default();
                let dest = dest_dir.join(&link);
                if !dest.exists() && dest.symlink_metadata().is_err() {
                    std::os::unix::fs::symlink(format!("../init.d/{script}"), &dest)
                        .map_err(|e| format!("{}: {e}", dest.display()))?;
                }
            }
        }
    }
    let out = Command::new(generator)
        .args(&outs)
        .env("SYSTEMD_LOG_LEVEL", "debug")
        .env("SYSTEMD_LOG_TARGET", "console")
        .env("SYSTEMD_SYSVINIT_PATH", &init_d)
        .env("SYSTEMD_SYSVRCND_PATH", &rcnd)
        .env("SYSTEMD_UNIT_PATH", &units)
        .output()
        .map_err(|e| format!("running {}: {e}", generator.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed ({}):\n{}",
            generator.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut g = Generated::default();
    for dir in &outs {
        for e in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let p = e.path();
            let meta = p.symlink_metadata().map_err(|e| e.to_string())?;
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&p).map_err(|e| e.to_string())?;
                let unit = target
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                g.aliases.insert(name, unit);
            } else if meta.is_dir() {
                if let Some(target) = name.strip_suffix(".wants") {
                    for w in std::fs::read_dir(&p).map_err(|e| e.to_string())?.flatten() {
                        g.wants
                            .entry(target.to_string())
                            .or_default()
                            .insert(w.file_name().to_string_lossy().into_owned());
                    }
                }
            } else if meta.is_file() {
                let text = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
                g.units.insert(name, UnitFile::parse(&text));
            }
        }
    }
    Ok(g)
}

// ---------------------------------------------------------------------------------------------
// Our side.

/// One item of our report, by the file name of its script.
#[derive(Debug)]
struct OurItem {
    status: String,
    /// Unit names the `sysv-missing-dependency` finding says were not written, in the
    /// generator's spelling (`$x-display-manager` → `x-display-manager.target`).
    missing: BTreeSet<String>,
}

/// The generator's unit for a dependency name of an LSB header (`sysv_translate_facility`).
fn generator_unit(name: &str) -> String {
    let name = name.trim_matches('"');
    if let Some(f) = name.strip_prefix('$') {
        return match f {
            "network" => "network-online.target".into(),
            "named" => "nss-lookup.target".into(),
            "portmap" => "rpcbind.target".into(),
            "remote_fs" => "remote-fs.target".into(),
            "time" => "time-sync.target".into(),
            other => format!("{other}.target"),
        };
    }
    format!("{}.service", name.strip_suffix(".sh").unwrap_or(name))
}

fn read_report(path: &Path) -> Result<BTreeMap<String, OurItem>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json = JsonParser::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BTreeMap::new();
    for item in json.get("items").map(Json::arr).unwrap_or_default() {
        let file = item
            .get("source")
            .and_then(|s| s.get("file"))
            .and_then(Json::str)
            .unwrap_or_default();
        let script = file.rsplit('/').next().unwrap_or(file).to_string();
        let status = item
            .get("status")
            .and_then(Json::str)
            .unwrap_or_default()
            .to_string();
        let mut missing = BTreeSet::new();
        for f in item.get("findings").map(Json::arr).unwrap_or_default() {
            // An early-boot unit cannot be ordered after what comes after early boot: the
            // finding lists each ordering it did not keep (`not kept: After=remote-fs.target`).
            if f.get("code").and_then(Json::str) == Some("sysv-early-ordering") {
                let msg = f.get("message").and_then(Json::str).unwrap_or_default();
                if let Some((_, kept)) = msg.split_once("not kept: ") {
                    for d in kept.split(", ") {
                        if let Some((_, unit)) = d.split_once('=') {
                            missing.insert(unit.to_string());
                        }
                    }
                }
                continue;
            }
            if f.get("code").and_then(Json::str) != Some("sysv-missing-dependency") {
                continue;
            }
            let msg = f.get("message").and_then(Json::str).unwrap_or_default();
            let names = msg.split(" exist(s)").next().unwrap_or_default();
            for n in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                missing.insert(generator_unit(n));
            }
        }
        // A unit set is several items of one script: the first is the script's own service.
        out.entry(script).or_insert(OurItem { status, missing });
    }
    Ok(out)
}

fn our_units(expected: &Path) -> BTreeMap<String, UnitFile> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(expected).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if (name.ends_with(".service") || name.ends_with(".target"))
            && let Ok(text) = std::fs::read_to_string(e.path())
        {
            out.insert(name, UnitFile::parse(&text));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The comparison.

fn compare_case(case: &Path, g: &Generated, violations: &mut Vec<String>) -> Result<(), String> {
    let name = case
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(case)
        .display()
        .to_string();
    let expected = case.join("expected");
    let report = read_report(&expected.join("report.json"))?;
    let ours = our_units(&expected);
    for (unit, gen_unit) in &g.units {
        let script = gen_unit
            .first("Unit", "SourcePath")
            .and_then(|p| p.rsplit('/').next())
            .unwrap_or_default()
            .to_string();
        let Some(item) = report.get(&script) else {
            violations.push(format!(
                "{name}: the generator made {unit} from {script}, which the case does not convert (add it to args)"
            ));
            continue;
        };
        if item.status == "skipped" || item.status == "error" {
            continue;
        }
        let Some(mine) = ours.get(unit) else {
            violations.push(format!(
                "{name}: the generator wrote {unit} for {script}; our report says `{}` but there is no expected/{unit}",
                item.status
            ));
            continue;
        };
        let my_after = mine.list("Unit", "After");
        let my_before = mine.list("Unit", "Before");
        let mut my_wants = mine.list("Unit", "Wants");
        my_wants.extend(mine.list("Unit", "Requires"));
        let wanted_by = mine.list("Install", "WantedBy");
        let aliases = mine.list("Install", "Alias");
        let other_side = |other: &str, key: &str| {
            ours.get(other)
                .is_some_and(|u| u.list("Unit", key).contains(unit))
        };
        let missing_note = |dep: &str| item.missing.contains(dep);
        for dep in gen_unit.list("Unit", "After") {
            if !my_after.contains(&dep) && !missing_note(&dep) && !other_side(&dep, "Before") {
                violations.push(format!(
                    "{name}: {unit}: generator has After={dep}; ours has no After={dep} (nor {dep} Before={unit}, nor a sysv-missing-dependency note naming it)"
                ));
            }
        }
        for dep in gen_unit.list("Unit", "Before") {
            let target_wants = dep.ends_with(".target") && wanted_by.contains(&dep);
            if !my_before.contains(&dep)
                && !target_wants
                && !missing_note(&dep)
                && !other_side(&dep, "After")
            {
                violations.push(format!(
                    "{name}: {unit}: generator has Before={dep}; ours has no Before={dep} (nor {dep} After={unit}, nor WantedBy= of that target, nor a sysv-missing-dependency note naming it)"
                ));
            }
        }
        for dep in gen_unit.list("Unit", "Wants") {
            if !my_wants.contains(&dep) && !missing_note(&dep) {
                violations.push(format!(
                    "{name}: {unit}: generator has Wants={dep}; ours does not"
                ));
            }
        }
        for (target, members) in &g.wants {
            if members.contains(unit) && !wanted_by.contains(target) {
                violations.push(format!(
                    "{name}: {unit}: generator links it into {target}.wants; ours has no WantedBy={target} (WantedBy={})",
                    wanted_by.iter().cloned().collect::<Vec<_>>().join(" ")
                ));
            }
        }
        for (alias, target) in &g.aliases {
            if target == unit && !aliases.contains(alias) {
                violations.push(format!(
                    "{name}: {unit}: generator made the alias {alias}; ours has no Alias={alias}"
                ));
            }
        }
    }
    Ok(())
}

fn sysv_cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/sysv");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("root").is_dir() && p.join("expected").is_dir())
        .collect();
    out.sort();
    out
}

#[test]
fn units_keep_the_generators_ordering_and_install_information() {
    let Some(generator) = GENERATOR_PATHS
        .iter()
        .map(Path::new)
        .find(|p| is_executable_file(p))
    else {
        eprintln!(
            "skipping: systemd-sysv-generator not found (looked in {}); systemd ≥ 260 no longer ships it",
            GENERATOR_PATHS.join(", ")
        );
        return;
    };
    let cases = sysv_cases();
    assert!(!cases.is_empty(), "no corpus/sysv cases found");
    let mut violations = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let g = match run_generator(generator, &case.join("root")) {
            Ok(g) => g,
            Err(e) => {
                violations.push(format!("{}: {e}", case.display()));
                continue;
            }
        };
        compared += g.units.len();
        eprintln!(
            "{}: generator wrote {} unit(s) ({}), {} wants link(s), {} alias(es)",
            case.file_name().unwrap_or_default().to_string_lossy(),
            g.units.len(),
            g.units.keys().cloned().collect::<Vec<_>>().join(" "),
            g.wants.values().map(BTreeSet::len).sum::<usize>(),
            g.aliases.len()
        );
        if let Err(e) = compare_case(case, &g, &mut violations) {
            violations.push(e);
        }
    }
    assert!(compared > 0, "the generator wrote no units for any case");
    assert!(
        violations.is_empty(),
        "{} difference(s) from systemd-sysv-generator:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[test]
fn the_readers_read() {
    let u = UnitFile::parse(
        "# c\n[Unit]\nAfter=a.service b.target\nAfter=c.service\nBefore=x\\\n y\n[Install]\nWantedBy=multi-user.target\n",
    );
    assert_eq!(
        u.list("Unit", "After").into_iter().collect::<Vec<_>>(),
        ["a.service", "b.target", "c.service"]
    );
    assert_eq!(u.list("Unit", "Before").len(), 2);
    assert!(u.list("Install", "WantedBy").contains("multi-user.target"));
    let j = JsonParser::parse(r#"{"a": [1, -2.5e1, true, null, "x\"\u00e9\n"], "b": {}}"#).unwrap();
    assert_eq!(
        j.get("a").map(Json::arr).unwrap()[4],
        Json::Str("x\"é\n".into())
    );
    assert_eq!(j.get("a").map(Json::arr).unwrap()[1], Json::Num(-25.0));
    assert_eq!(
        generator_unit("$x-display-manager"),
        "x-display-manager.target"
    );
    assert_eq!(generator_unit("mountkernfs.sh"), "mountkernfs.service");
}
