//! From parsed sections to the resolved view, following supervisor 4.3's `read_config`,
//! `process_groups_from_parser` and `_processes_from_section` statement by statement (the
//! comments name the Python they follow where it is not obvious).

use std::collections::{BTreeMap, BTreeSet};

use super::datatypes as dt;
use super::format::{self, FormatError, Val};
use super::glob;
use super::ini::{self, Ini, Location};
use super::lex;
use super::{
    Baked, BakedFrom, Group, GroupKind, Log, LogFile, Notice, Options, Process, Resolved,
    SectionError, Socket, Supervisord, base_environment,
};
use crate::finding::{Code, Finding};
use crate::host::Host;

/// An error inside one section: where (the value at fault, or the header) and why.
struct Fault {
    at: Option<Location>,
    message: String,
}

type R<T> = Result<T, Fault>;

/// The most processes one program section may ask for (supervisor sets no limit).
pub const MAX_NUMPROCS: i64 = 10_000;

fn fault(at: Option<&Location>, message: impl Into<String>) -> Fault {
    Fault {
        at: at.cloned(),
        message: message.into(),
    }
}

/// A value read from the parser (or a default), and where it was written.
struct Got {
    text: String,
    at: Option<Location>,
}

#[derive(Clone)]
struct PwEntry {
    name: String,
    uid: u32,
    gid: u32,
    home: String,
}

fn read_db(host: &Host, path: &str) -> Vec<Vec<String>> {
    let text = host
        .read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split(':').map(str::to_string).collect())
        .collect()
}

struct Reader<'a> {
    host: &'a Host,
    ini: Ini,
    /// The directory of the first file (`self.here` in supervisor).
    here: String,
    hostname: Option<(String, BakedFrom)>,
    /// supervisord's environment (`ENV_` names without the prefix): value and, for values
    /// from outside the configuration, where they came from.
    environ: BTreeMap<String, (String, Option<BakedFrom>)>,
    /// The environment variables of supervisord's own process (for `~`): base and env file.
    process_env: BTreeMap<String, String>,
    passwd: Vec<PwEntry>,
    groups_db: Vec<(String, u32)>,
    errors: Vec<SectionError>,
    failed: BTreeSet<String>,
    notices: Vec<Notice>,
    baked: BTreeSet<Baked>,
    /// Where the first file is read from (its locations name it so).
    first_file: String,
}

/// Reads the supervisord configuration `text` (the file `host_path` on `host`; `display` names
/// it in locations and messages), with its includes, and resolves every process.
///
/// `host_path` should be absolute (a relative one is taken relative to `/`). Errors never stop
/// the reading: each is one of [`Resolved::errors`], for the section at fault, and the other
/// sections are still resolved.
#[must_use]
pub fn resolve(
    display: &str,
    host_path: &str,
    text: &str,
    host: &Host,
    options: &Options,
) -> Resolved {
    let abs = if host_path.starts_with('/') {
        dt::normpath(host_path)
    } else {
        dt::normpath(&format!("/{host_path}"))
    };
    let here = dirname(&abs);
    let hostname = match &options.hostname {
        Some(h) => Some((h.clone(), BakedFrom::HostnameOption)),
        None => host
            .read("/etc/hostname")
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .filter(|h| !h.is_empty())
            .map(|h| (h, BakedFrom::HostnameFile)),
    };
    let mut environ = BTreeMap::new();
    let mut process_env = BTreeMap::new();
    for (k, v) in base_environment() {
        environ.insert(k.clone(), (v.clone(), Some(BakedFrom::Base)));
        process_env.insert(k, v);
    }
    for (k, v) in &options.env {
        environ.insert(k.clone(), (v.clone(), Some(BakedFrom::EnvFile)));
        process_env.insert(k.clone(), v.clone());
    }
    let passwd = read_db(host, "/etc/passwd")
        .into_iter()
        .filter(|f| f.len() >= 6)
        .filter_map(|f| {
            Some(PwEntry {
                name: f[0].clone(),
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                home: f[5].clone(),
            })
        })
        .collect();
    let groups_db = read_db(host, "/etc/group")
        .into_iter()
        .filter(|f| f.len() >= 3)
        .filter_map(|f| Some((f[0].clone(), f[2].parse().ok()?)))
        .collect();
    let mut r = Reader {
        host,
        ini: Ini::for_python(options.python),
        here,
        hostname,
        environ,
        process_env,
        passwd,
        groups_db,
        errors: Vec::new(),
        failed: BTreeSet::new(),
        notices: Vec::new(),
        baked: BTreeSet::new(),
        first_file: display.to_string(),
    };
    r.run(text, &abs)
}

fn dirname(p: &str) -> String {
    match p.rfind('/') {
        Some(0) => "/".into(),
        Some(i) => p[..i].trim_end_matches('/').to_string(),
        None => String::new(),
    }
}

fn note(code: Code, message: String, help: impl Into<std::borrow::Cow<'static, str>>) -> Finding {
    Finding::note(code, message, help)
}

impl Reader<'_> {
    fn run(&mut self, text: &str, abs: &str) -> Resolved {
        self.ini.read(text, &self.first_file.clone());
        let fragment = !self.ini.has_section("supervisord");
        let all_names: Vec<(String, Location)> = self
            .ini
            .sections()
            .map(|s| (s.name.clone(), s.header.clone()))
            .collect();
        self.take_line_errors();
        let mut files = vec![self.first_file.clone()];
        if fragment {
            self.notices.push(Notice {
                section: None,
                at: None,
                finding: note(
                    Code::SupervisordFragment,
                    "this file has no [supervisord] section: it is read as supervisord reads a file it includes, with every [supervisord] setting at its default".into(),
                    "convert the main configuration (/etc/supervisor/supervisord.conf or /etc/supervisord.conf) to have its [supervisord] settings and includes applied",
                ),
            });
            if let Some(s) = self.ini.section("include") {
                self.notices.push(Notice {
                    section: Some("include".into()),
                    at: Some(s.header.clone()),
                    finding: note(
                        Code::SupervisordNestedInclude,
                        "[include] in a file without [supervisord] is ignored, as supervisord ignores [include] in an included file".into(),
                        "name the files it would include on the command line, or convert the main configuration",
                    ),
                });
            }
            self.ini.expand_here(&self.here.clone());
        } else if self.ini.has_section("include") && !self.failed.contains("include") {
            self.includes(abs, &mut files);
        }
        for name in self.failed.clone() {
            self.ini.remove_section(&name);
        }
        let supervisord = self.supervisord_section();
        for (k, v) in &supervisord.environment {
            self.environ.insert(k.clone(), (v.clone(), None));
        }
        self.rpcinterfaces();
        let mut groups = self.groups();
        groups.sort_by(|a, b| {
            a.priority
                .cmp(&b.priority)
                .then_with(|| a.name.cmp(&b.name))
        });
        for g in &mut groups {
            for p in &mut g.processes {
                let mut env = supervisord.environment.clone();
                for (k, v) in std::mem::take(&mut p.environment) {
                    set_pair(&mut env, k, v);
                }
                p.environment = env;
            }
        }
        self.servers();
        self.ignored_sections(&all_names);
        let mut notices = Vec::new();
        for n in std::mem::take(&mut self.notices) {
            if !notices.contains(&n) {
                notices.push(n);
            }
        }
        Resolved {
            file: self.first_file.clone(),
            fragment,
            files,
            supervisord,
            groups,
            errors: std::mem::take(&mut self.errors),
            notices,
            baked: std::mem::take(&mut self.baked).into_iter().collect(),
        }
    }

    /// Records an error for `section` (once) and marks it absent.
    fn fail(&mut self, section: &str, f: Fault) {
        if !self.failed.insert(section.to_string()) {
            return;
        }
        let at =
            f.at.or_else(|| self.ini.section(section).map(|s| s.header.clone()))
                .unwrap_or(Location {
                    file: self.first_file.clone(),
                    line: 1,
                    column: 1,
                });
        self.errors.push(SectionError {
            section: Some(section.to_string()),
            at,
            message: f.message,
        });
    }

    fn take_line_errors(&mut self) {
        for e in std::mem::take(&mut self.ini.errors) {
            match e.section {
                Some(s) => self.fail(
                    &s,
                    fault(
                        Some(&e.at),
                        format!(
                            "this line is neither a [section] header nor key = value: {:?}",
                            e.line
                        ),
                    ),
                ),
                None => self.errors.push(SectionError {
                    section: None,
                    at: e.at,
                    message: format!(
                        "this line comes before the first [section] header: {:?}",
                        e.line
                    ),
                }),
            }
        }
    }

    /// `[include] files=` (supervisor: `read_config`, the `has_section('include')` branch).
    fn includes(&mut self, abs: &str, files: &mut Vec<String>) {
        self.ini.expand_here(&self.here.clone());
        let header = self.ini.section("include").map(|s| s.header.clone());
        let Some(value) = self.ini.get("include", "files").cloned() else {
            self.fail(
                "include",
                fault(
                    header.as_ref(),
                    ".ini file has [include] section, but no files setting",
                ),
            );
            return;
        };
        let mut table = vec![("here".to_string(), Val::Str(self.here.clone()))];
        if let Some((h, _)) = &self.hostname {
            table.push(("host_node_name".into(), Val::Str(h.clone())));
        }
        let expanded = match self.expand("include", "files", &value.text, &table, Some(&value.at)) {
            Ok(e) => e,
            Err(f) => return self.fail("include", f),
        };
        let base = dirname(abs);
        for pattern in expanded.split(ini::is_py_space).filter(|p| !p.is_empty()) {
            let pattern = glob::join(&base, pattern);
            let mut matched = glob::glob(self.host, &pattern);
            matched.sort();
            if matched.is_empty() {
                self.notices.push(Notice {
                    section: Some("include".into()),
                    at: Some(value.at.clone()),
                    finding: note(
                        Code::SupervisordIncludeNoMatch,
                        format!("no file matches the include pattern {pattern}"),
                        "check the pattern; supervisord only warns about it",
                    ),
                });
                continue;
            }
            for file in matched {
                let text = match self.host.read(&file) {
                    Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                    Err(e) => {
                        self.notices.push(Notice {
                            section: Some("include".into()),
                            at: Some(value.at.clone()),
                            finding: note(
                                Code::SupervisordIncludeUnreadable,
                                format!("{file} matches the include pattern but cannot be read ({e}); supervisord skips it silently"),
                                "remove it or make it a readable file",
                            ),
                        });
                        continue;
                    }
                };
                let mut probe = Ini::for_python(self.ini.python());
                probe.read(&text, &file);
                if let Some(s) = probe.section("include") {
                    self.notices.push(Notice {
                        section: Some("include".into()),
                        at: Some(s.header.clone()),
                        finding: note(
                            Code::SupervisordNestedInclude,
                            format!("[include] in the included file {file} is ignored, as supervisord ignores it"),
                            "move its patterns into the [include] section of the main configuration if they are needed",
                        ),
                    });
                }
                self.ini.read(&text, &file);
                files.push(file.clone());
                self.take_line_errors();
                let dir = dt::normpath(&dirname(&file));
                self.ini.expand_here(&dir);
            }
        }
    }

    /// Expands `text` (the value of `section.option`) with `table` over supervisord's
    /// environment, recording what was baked in.
    fn expand(
        &mut self,
        section: &str,
        option: &str,
        text: &str,
        table: &[(String, Val)],
        at: Option<&Location>,
    ) -> R<String> {
        let mut used = Vec::new();
        let environ = &self.environ;
        let lookup = |name: &str| -> Option<Val> {
            if let Some((_, v)) = table.iter().rev().find(|(k, _)| k == name) {
                return Some(v.clone());
            }
            name.strip_prefix("ENV_")
                .and_then(|k| environ.get(k))
                .map(|(v, _)| Val::Str(v.clone()))
        };
        let result = format::expand(text, &lookup, &mut |n| used.push(n.to_string()));
        for name in used {
            if table.iter().any(|(k, _)| *k == name) {
                if name == "host_node_name"
                    && let Some((_, from)) = &self.hostname
                {
                    self.baked.insert(Baked {
                        section: section.to_string(),
                        name,
                        from: *from,
                    });
                }
                continue;
            }
            if let Some(var) = name.strip_prefix("ENV_")
                && let Some((_, Some(from))) = self.environ.get(var)
            {
                self.baked.insert(Baked {
                    section: section.to_string(),
                    name: var.to_string(),
                    from: *from,
                });
            }
        }
        result.map_err(|e| {
            let message = match e {
                FormatError::Unknown(name) if name == "host_node_name" && self.hostname.is_none() => format!(
                    "{option} uses %(host_node_name)s, but the host name is unknown (no /etc/hostname on the host): give it with --hostname NAME"
                ),
                FormatError::Unknown(name) if name.starts_with("ENV_") => format!(
                    "{option} = {text:?} uses %({name})s, but supervisord's environment has no {var}: give it in --env-file (the environment systemd gives supervisord has only {base})",
                    var = &name[4..],
                    base = base_environment().iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", "),
                ),
                FormatError::Unknown(name) => {
                    let mut names: Vec<String> = table.iter().map(|(k, _)| k.clone()).collect();
                    names.extend(self.environ.keys().map(|k| format!("ENV_{k}")));
                    names.sort();
                    names.dedup();
                    format!(
                        "{option} = {text:?} contains %({name})s, which cannot be expanded; available names: {}",
                        names.join(", ")
                    )
                }
                FormatError::Bad(why) => format!(
                    "{option} = {text:?} is badly formatted: {why} (a literal % is written %%)"
                ),
            };
            fault(at, message)
        })
    }

    /// `parser.saneget(section, option, default, expansions=table)`: the value (or `default`),
    /// expanded unless `table` is `None`.
    fn get(
        &mut self,
        section: &str,
        option: &str,
        default: Option<&str>,
        table: Option<&[(String, Val)]>,
    ) -> R<Option<Got>> {
        let Some(v) = self.ini.get(section, option).cloned() else {
            return Ok(default.map(|d| Got {
                text: d.to_string(),
                at: None,
            }));
        };
        let text = match table {
            Some(t) => self.expand(section, option, &v.text, t, Some(&v.at))?,
            None => v.text,
        };
        Ok(Some(Got {
            text,
            at: Some(v.at),
        }))
    }

    /// [`Reader::get`] with a default: the value, or `default` (not expanded) when unset.
    fn get_or(
        &mut self,
        section: &str,
        option: &str,
        default: &str,
        table: Option<&[(String, Val)]>,
    ) -> R<Got> {
        Ok(self
            .get(section, option, None, table)?
            .unwrap_or_else(|| Got {
                text: default.to_string(),
                at: None,
            }))
    }

    /// [`Reader::get`] with a default, converted by `conv`; a conversion error names the value.
    fn conv<T>(
        &mut self,
        section: &str,
        option: &str,
        default: &str,
        table: &[(String, Val)],
        conv: impl Fn(&str) -> Result<T, String>,
    ) -> R<T> {
        let got = self.get_or(section, option, default, Some(table))?;
        conv(&got.text).map_err(|m| fault(got.at.as_ref(), format!("{option}: {m}")))
    }

    fn expanduser(&self, path: &str) -> String {
        if !path.starts_with('~') {
            return path.to_string();
        }
        let i = path[1..].find('/').map_or(path.len(), |i| i + 1);
        let home = if i == 1 {
            self.process_env.get("HOME").cloned().or_else(|| {
                self.passwd
                    .iter()
                    .find(|p| p.uid == 0)
                    .map(|p| p.home.clone())
            })
        } else {
            self.passwd
                .iter()
                .find(|p| p.name == path[1..i])
                .map(|p| p.home.clone())
        };
        let Some(home) = home else {
            return path.to_string();
        };
        let out = format!("{}{}", home.trim_end_matches('/'), &path[i..]);
        if out.is_empty() { "/".into() } else { out }
    }

    fn is_dir(&self, path: &str) -> bool {
        self.host.local(&glob::join("/", path)).is_dir()
    }

    /// `existing_dirpath`.
    fn existing_dirpath(&self, v: &str) -> Result<String, String> {
        let nv = self.expanduser(v);
        let dir = dirname(&nv);
        if dir.is_empty() || self.is_dir(&dir) {
            Ok(nv)
        } else {
            Err(format!(
                "the directory named as part of the path {v} does not exist on {}",
                self.host.label()
            ))
        }
    }

    /// `existing_directory`.
    fn existing_directory(&self, v: &str) -> Result<String, String> {
        let nv = self.expanduser(v);
        if self.is_dir(&nv) {
            Ok(nv)
        } else {
            Err(format!(
                "{v} is not an existing directory on {}",
                self.host.label()
            ))
        }
    }

    /// `name_to_uid`.
    fn uid(&self, name: &str) -> Result<u32, String> {
        match dt::integer(name) {
            Ok(n) => u32::try_from(n)
                .ok()
                .filter(|&u| self.passwd.iter().any(|p| p.uid == u))
                .ok_or_else(|| format!("Invalid user id {name} (not in the host's /etc/passwd)")),
            Err(_) => self
                .passwd
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.uid)
                .ok_or_else(|| format!("Invalid user name {name} (not in the host's /etc/passwd)")),
        }
    }

    fn gid_for_uid(&self, uid: u32) -> Option<u32> {
        self.passwd.iter().find(|p| p.uid == uid).map(|p| p.gid)
    }

    /// `name_to_gid`.
    fn gid(&self, name: &str) -> Result<u32, String> {
        match dt::integer(name) {
            Ok(n) => u32::try_from(n)
                .ok()
                .filter(|&g| self.groups_db.iter().any(|(_, id)| *id == g))
                .ok_or_else(|| format!("Invalid group id {name}")),
            Err(_) => self
                .groups_db
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, g)| *g)
                .ok_or_else(|| format!("Invalid group name {name}")),
        }
    }

    /// `colon_separated_user_group`.
    fn user_group(&self, arg: &str) -> Result<(u32, Option<u32>), String> {
        let bad = || format!("Invalid user:group definition {arg}");
        match arg.split_once(':') {
            None => Ok((self.uid(arg).map_err(|_| bad())?, None)),
            Some((u, g)) => Ok((
                self.uid(u).map_err(|_| bad())?,
                Some(self.gid(g).map_err(|_| bad())?),
            )),
        }
    }

    /// `[supervisord]` (supervisor: `read_config` from `minfds` on, and `realize`'s user check).
    /// In error, the defaults (with `[DEFAULT]`) are used.
    fn supervisord_section(&mut self) -> Supervisord {
        let at = self.ini.section("supervisord").map(|s| s.header.clone());
        match self.read_supervisord() {
            Ok(s) => Supervisord { at, ..s },
            Err(f) => {
                self.fail("supervisord", f);
                self.ini.remove_section("supervisord");
                self.read_supervisord().unwrap_or_default()
            }
        }
    }

    fn read_supervisord(&mut self) -> R<Supervisord> {
        const S: &str = "supervisord";
        // Without the section (a fragment, or one in error) supervisor would still see [DEFAULT].
        let present = self.ini.has_section(S);
        let t = vec![("here".to_string(), Val::Str(self.here.clone()))];
        let get_opt = |r: &mut Self, opt: &str, default: Option<&str>| -> R<Option<Got>> {
            if present {
                r.get(S, opt, default, Some(&t))
            } else {
                match r.ini.default_value(opt).cloned() {
                    Some(v) => {
                        let text = r.expand(S, opt, &v.text, &t, Some(&v.at))?;
                        Ok(Some(Got {
                            text,
                            at: Some(v.at),
                        }))
                    }
                    None => Ok(default.map(|d| Got {
                        text: d.into(),
                        at: None,
                    })),
                }
            }
        };
        let get = |r: &mut Self, opt: &str, default: &str| -> R<Got> {
            Ok(get_opt(r, opt, None)?.unwrap_or_else(|| Got {
                text: default.to_string(),
                at: None,
            }))
        };
        fn check<T>(g: &Got, opt: &str, c: impl Fn(&str) -> Result<T, String>) -> R<T> {
            c(&g.text).map_err(|m| fault(g.at.as_ref(), format!("{opt}: {m}")))
        }
        let mut s = Supervisord::default();
        let g = get(self, "minfds", "1024")?;
        s.minfds = check(&g, "minfds", dt::integer)?;
        let g = get(self, "minprocs", "200")?;
        s.minprocs = check(&g, "minprocs", dt::integer)?;
        if let Some(g) = get_opt(self, "directory", None)? {
            s.directory = Some(check(&g, "directory", |v| self.existing_directory(v))?);
        }
        let user = get_opt(self, "user", None)?;
        s.user = user.as_ref().map(|g| g.text.clone());
        let g = get(self, "umask", "022")?;
        s.umask = check(&g, "umask", dt::octal)?;
        let g = get(self, "logfile", "supervisord.log")?;
        s.logfile = check(&g, "logfile", |v| self.existing_dirpath(v))?;
        let g = get(self, "logfile_maxbytes", "50MB")?;
        check(&g, "logfile_maxbytes", dt::byte_size)?;
        let g = get(self, "logfile_backups", "10")?;
        check(&g, "logfile_backups", dt::integer)?;
        let g = get(self, "loglevel", "info")?;
        check(&g, "loglevel", |v| {
            let l = v.to_lowercase();
            [
                "critical", "error", "warn", "info", "debug", "trace", "blather",
            ]
            .contains(&l.as_str())
            .then_some(())
            .ok_or_else(|| format!("bad logging level name '{v}'"))
        })?;
        let g = get(self, "pidfile", "supervisord.pid")?;
        s.pidfile = check(&g, "pidfile", |v| self.existing_dirpath(v))?;
        s.identifier = get(self, "identifier", "supervisor")?.text;
        let g = get(self, "nodaemon", "false")?;
        s.nodaemon = check(&g, "nodaemon", dt::boolean)?;
        let g = get(self, "silent", "false")?;
        check(&g, "silent", dt::boolean)?;
        // The default (tempfile.gettempdir()) always exists; a value given is checked.
        if let Some(g) = get_opt(self, "childlogdir", None)? {
            s.childlogdir = check(&g, "childlogdir", |v| self.existing_directory(v))?;
        }
        for opt in ["nocleanup", "strip_ansi"] {
            let g = get(self, opt, "false")?;
            check(&g, opt, dt::boolean)?;
        }
        let g = get(self, "environment", "")?;
        // supervisor expands this value a second time, with the host name too.
        let mut t2 = t.clone();
        if let Some((h, _)) = &self.hostname {
            t2.push(("host_node_name".into(), Val::Str(h.clone())));
        }
        let twice = self.expand(S, "environment", &g.text, &t2, g.at.as_ref())?;
        s.environment = lex::key_value_pairs(&twice)
            .map_err(|m| fault(g.at.as_ref(), format!("environment: {m}")))?;
        if let Some(u) = &user {
            s.uid = Some(
                self.uid(&u.text)
                    .map_err(|m| fault(u.at.as_ref(), format!("user: {m}")))?,
            );
        }
        Ok(s)
    }

    /// `[rpcinterface:x]` (supervisor: `get_plugins`): each needs its factory; every value is
    /// expanded. Whether the factory can be imported is not checked.
    fn rpcinterfaces(&mut self) {
        let names: Vec<String> = self
            .ini
            .sections()
            .map(|s| s.name.clone())
            .filter(|n| n.starts_with("rpcinterface:"))
            .collect();
        for name in names {
            if let Err(f) = self.rpcinterface(&name) {
                self.fail(&name, f);
            }
        }
    }

    fn rpcinterface(&mut self, name: &str) -> R<()> {
        let key = "supervisor.rpcinterface_factory";
        if self.get(name, key, None, Some(&[]))?.is_none() {
            let header = self.ini.section(name).map(|s| s.header.clone());
            return Err(fault(header.as_ref(), format!("does not specify a {key}")));
        }
        for (k, _) in self.ini.items(name) {
            self.get(name, &k, None, Some(&[]))?;
        }
        Ok(())
    }

    fn section_names(&self, prefix: &str) -> Vec<String> {
        self.ini
            .sections()
            .map(|s| s.name.clone())
            .filter(|n| n.starts_with(prefix))
            .collect()
    }

    /// Where `section` starts (the first file's start if it is gone).
    fn header(&self, section: &str) -> Location {
        self.ini.section(section).map_or_else(
            || Location {
                file: self.first_file.clone(),
                line: 1,
                column: 1,
            },
            |s| s.header.clone(),
        )
    }

    /// `process_groups_from_parser`.
    fn groups(&mut self) -> Vec<Group> {
        let mut groups = Vec::new();
        let mut exclude: BTreeSet<String> = BTreeSet::new();
        for section in self.section_names("group:") {
            match self.group(&section) {
                Ok((g, members)) => {
                    exclude.extend(members);
                    groups.push(g);
                }
                Err(f) => self.fail(&section, f),
            }
        }
        for section in self.section_names("program:") {
            if exclude.contains(&section) || self.failed.contains(&section) {
                continue;
            }
            match self.program_group(&section) {
                Ok(g) => groups.push(g),
                Err(f) => self.fail(&section, f),
            }
        }
        for section in self.section_names("eventlistener:") {
            match self.listener_group(&section) {
                Ok(g) => groups.push(g),
                Err(f) => self.fail(&section, f),
            }
        }
        for section in self.section_names("fcgi-program:") {
            if exclude.contains(&section) || self.failed.contains(&section) {
                continue;
            }
            match self.fcgi_group(&section) {
                Ok(g) => groups.push(g),
                Err(f) => self.fail(&section, f),
            }
        }
        groups
    }

    fn here_table(&self) -> Vec<(String, Val)> {
        vec![("here".to_string(), Val::Str(self.here.clone()))]
    }

    /// A `[group:x]`, and the sections of its members.
    fn group(&mut self, section: &str) -> R<(Group, Vec<String>)> {
        let at = self.header(section);
        let name = dt::process_or_group_name(&section["group:".len()..])
            .map_err(|m| fault(Some(&at), m))?;
        let t = self.here_table();
        let programs_got = self.get(section, "programs", None, Some(&t))?;
        let programs_at = programs_got.as_ref().and_then(|g| g.at.clone());
        let programs = programs_got
            .map(|g| dt::strings(&g.text))
            .unwrap_or_default();
        let priority = self.conv(section, "priority", "999", &t, dt::integer)?;
        let mut processes = Vec::new();
        let mut members = Vec::new();
        for program in &programs {
            let ps = format!("program:{program}");
            let fs = format!("fcgi-program:{program}");
            let (has_p, has_f) = (self.ini.has_section(&ps), self.ini.has_section(&fs));
            let member = match (has_p, has_f) {
                (true, true) => {
                    return Err(fault(
                        programs_at.as_ref(),
                        format!(
                            "programs: {program} is ambiguous (it exists as program and fcgi-program)"
                        ),
                    ));
                }
                (true, false) => ps,
                (false, true) => fs,
                (false, false) => {
                    let why = if self.failed.contains(&ps) || self.failed.contains(&fs) {
                        "which is in error"
                    } else {
                        "which is not defined"
                    };
                    return Err(fault(
                        programs_at.as_ref(),
                        format!("programs: names program {program}, {why}"),
                    ));
                }
            };
            match self.processes(&member, &name) {
                Ok(ps) => processes.extend(ps),
                Err(f) => {
                    self.fail(&member, f);
                    self.ini.remove_section(&member);
                    return Err(fault(
                        programs_at.as_ref(),
                        format!("programs: names program {program}, which is in error"),
                    ));
                }
            }
            members.push(member);
        }
        Ok((
            Group {
                name,
                section: section.to_string(),
                at,
                priority,
                kind: GroupKind::Group { programs },
                processes,
            },
            members,
        ))
    }

    fn program_group(&mut self, section: &str) -> R<Group> {
        let at = self.header(section);
        let name = dt::process_or_group_name(&section["program:".len()..])
            .map_err(|m| fault(Some(&at), m))?;
        let t = self.here_table();
        let priority = self.conv(section, "priority", "999", &t, dt::integer)?;
        let processes = self.processes(section, &name)?;
        Ok(Group {
            name,
            section: section.to_string(),
            at,
            priority,
            kind: GroupKind::Program,
            processes,
        })
    }

    fn listener_group(&mut self, section: &str) -> R<Group> {
        let at = self.header(section);
        // supervisor neither strips nor checks the pool name.
        let name = section["eventlistener:".len()..].to_string();
        let t = self.here_table();
        let priority = self.conv(section, "priority", "-1", &t, dt::integer)?;
        let buffer_size = self.conv(section, "buffer_size", "10", &t, dt::integer)?;
        if buffer_size < 1 {
            return Err(fault(
                Some(&at),
                format!("invalid buffer_size ({buffer_size}): it must be at least 1"),
            ));
        }
        let result_handler = self
            .get_or(
                section,
                "result_handler",
                "supervisor.dispatchers:default_handler",
                Some(&t),
            )?
            .text;
        let events_got = self.get_or(section, "events", "", Some(&t))?;
        let events: BTreeSet<String> = dt::strings(&events_got.text)
            .iter()
            .map(|e| e.to_uppercase())
            .collect();
        if events.is_empty() {
            return Err(fault(
                Some(&at),
                "an event listener requires an events= line".to_string(),
            ));
        }
        for e in &events {
            if !dt::EVENT_TYPES.contains(&e.as_str()) {
                return Err(fault(
                    events_got.at.as_ref(),
                    format!("events: unknown event type {e}"),
                ));
            }
        }
        let rs = self.conv(section, "redirect_stderr", "false", &t, dt::boolean)?;
        if rs {
            return Err(fault(
                self.ini.get(section, "redirect_stderr").map(|v| &v.at),
                "redirect_stderr=true is not allowed in an event listener: it would interfere with the event listener protocol",
            ));
        }
        let processes = self.processes(section, &name)?;
        Ok(Group {
            name,
            section: section.to_string(),
            at,
            priority,
            kind: GroupKind::EventListener {
                events: events.into_iter().collect(),
                buffer_size,
                result_handler,
            },
            processes,
        })
    }

    fn fcgi_group(&mut self, section: &str) -> R<Group> {
        let at = self.header(section);
        let name = dt::process_or_group_name(&section["fcgi-program:".len()..])
            .map_err(|m| fault(Some(&at), m))?;
        let t = self.here_table();
        let priority = self.conv(section, "priority", "999", &t, dt::integer)?;
        let proc_uid = match self.get(section, "user", None, Some(&t))? {
            None => None,
            Some(g) => Some(
                self.uid(&g.text)
                    .map_err(|m| fault(g.at.as_ref(), format!("user: {m}")))?,
            ),
        };
        let backlog = match self.get(section, "socket_backlog", None, Some(&t))? {
            None => None,
            Some(g) => {
                let n = dt::integer(&g.text)
                    .map_err(|m| fault(g.at.as_ref(), format!("socket_backlog: {m}")))?;
                if !(1..=65535).contains(&n) {
                    return Err(fault(
                        g.at.as_ref(),
                        format!("Invalid socket_backlog value {n}"),
                    ));
                }
                Some(n)
            }
        };
        let owner = match self.get(section, "socket_owner", None, Some(&t))? {
            None => None,
            Some(g) => Some(self.user_group(&g.text).map_err(|_| {
                fault(
                    g.at.as_ref(),
                    format!("Invalid socket_owner value {}", g.text),
                )
            })?),
        };
        let mode = match self.get(section, "socket_mode", None, Some(&t))? {
            None => None,
            Some(g) => Some(dt::octal(&g.text).map_err(|_| {
                fault(
                    g.at.as_ref(),
                    format!("Invalid socket_mode value {}", g.text),
                )
            })?),
        };
        let mut st = t.clone();
        st.push(("program_name".into(), Val::Str(name.clone())));
        let sock = self.get(section, "socket", None, Some(&st))?;
        let Some(sock) = sock.filter(|g| !g.text.is_empty()) else {
            return Err(fault(
                Some(&at),
                "an fcgi-program requires a socket= line".to_string(),
            ));
        };
        let socket = self
            .fcgi_socket(&sock.text, proc_uid, owner, mode, backlog)
            .map_err(|m| fault(sock.at.as_ref(), format!("socket: {m}")))?;
        let processes = self.processes(section, &name)?;
        Ok(Group {
            name,
            section: section.to_string(),
            at,
            priority,
            kind: GroupKind::FastCgi { socket },
            processes,
        })
    }

    /// `parse_fcgi_socket` (supervisord runs as root: uid 0).
    fn fcgi_socket(
        &self,
        sock: &str,
        proc_uid: Option<u32>,
        owner: Option<(u32, Option<u32>)>,
        mode: Option<i64>,
        backlog: Option<i64>,
    ) -> Result<Socket, String> {
        if let Some(path) = sock.strip_prefix("unix://") {
            if !path.starts_with('/') {
                return Err(format!("Unix socket path {path} is not an absolute path"));
            }
            let path = dt::normpath(&self.expanduser(path));
            let owner = owner.or_else(|| {
                proc_uid
                    .filter(|&u| u != 0)
                    .map(|u| (u, self.gid_for_uid(u)))
            });
            return Ok(Socket {
                url: format!("unix://{path}"),
                backlog,
                mode: Some(mode.unwrap_or(0o700)),
                owner,
            });
        }
        if owner.is_some() || mode.is_some() {
            return Err(
                "socket_owner and socket_mode params should only be used with a Unix domain socket"
                    .into(),
            );
        }
        // tcp://([^\s:]+):(\d+)$
        let bad = || format!("Bad socket format {sock}");
        let rest = sock.strip_prefix("tcp://").ok_or_else(bad)?;
        let (host, port) = rest.split_once(':').ok_or_else(bad)?;
        if host.is_empty()
            || host.chars().any(ini::is_py_space)
            || port.is_empty()
            || !port.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let port: i64 = port.parse().map_err(|_| bad())?;
        if !(1..=65535).contains(&port) {
            return Err(format!("{port} is above upper bound (65535)"));
        }
        Ok(Socket {
            url: format!("tcp://{}:{port}", host.to_lowercase()),
            backlog,
            mode: None,
            owner: None,
        })
    }

    /// `_processes_from_section`: the processes of one program section, sorted by priority
    /// then name.
    #[allow(clippy::too_many_lines)]
    fn processes(&mut self, section: &str, group_name: &str) -> R<Vec<Process>> {
        let at = self.header(section);
        let program = section.split_once(':').map_or("", |(_, n)| n);
        let program_name = dt::process_or_group_name(program).map_err(|m| fault(Some(&at), m))?;
        let mut common = vec![
            ("here".to_string(), Val::Str(self.here.clone())),
            ("program_name".to_string(), Val::Str(program_name.clone())),
            ("group_name".to_string(), Val::Str(group_name.to_string())),
        ];
        if let Some((h, _)) = &self.hostname {
            common.push(("host_node_name".into(), Val::Str(h.clone())));
        }
        let c = &common;
        let priority = self.conv(section, "priority", "999", c, dt::integer)?;
        let autostart = self.conv(section, "autostart", "true", c, dt::boolean)?;
        let autorestart = self.conv(section, "autorestart", "unexpected", c, dt::autorestart)?;
        let startsecs = self.conv(section, "startsecs", "1", c, dt::integer)?;
        let startretries = self.conv(section, "startretries", "3", c, dt::integer)?;
        let stopsignal = self.conv(section, "stopsignal", "TERM", c, dt::signal)?;
        let stopwaitsecs = self.conv(section, "stopwaitsecs", "10", c, dt::integer)?;
        let stopasgroup = self.conv(section, "stopasgroup", "false", c, dt::boolean)?;
        let killasgroup = self.conv(
            section,
            "killasgroup",
            if stopasgroup { "true" } else { "false" },
            c,
            dt::boolean,
        )?;
        let exitcodes = self.conv(section, "exitcodes", "0", c, dt::exitcodes)?;
        let redirect_stderr = self.conv(section, "redirect_stderr", "false", c, dt::boolean)?;
        let numprocs = self.conv(section, "numprocs", "1", c, dt::integer)?;
        let numprocs_start = self.conv(section, "numprocs_start", "0", c, dt::integer)?;
        let environment_str = self.get_or(section, "environment", "", None)?;
        let stdout_cmax = self.conv(section, "stdout_capture_maxbytes", "0", c, dt::byte_size)?;
        let stdout_events = self.conv(section, "stdout_events_enabled", "false", c, dt::boolean)?;
        let stderr_cmax = self.conv(section, "stderr_capture_maxbytes", "0", c, dt::byte_size)?;
        let stderr_events = self.conv(section, "stderr_events_enabled", "false", c, dt::boolean)?;
        let serverurl = self
            .get(section, "serverurl", None, Some(c))?
            .map(|g| g.text)
            .filter(|u| !ini::strip(u).eq_ignore_ascii_case("AUTO"));
        let user = self.get(section, "user", None, Some(c))?;
        let uid = match &user {
            None => None,
            Some(g) => Some(
                self.uid(&g.text)
                    .map_err(|m| fault(g.at.as_ref(), format!("user: {m}")))?,
            ),
        };
        let umask = match self.get(section, "umask", None, Some(c))? {
            None => None,
            Some(g) => {
                Some(dt::octal(&g.text).map_err(|m| fault(g.at.as_ref(), format!("umask: {m}")))?)
            }
        };
        let pn = self.get_or(section, "process_name", "%(program_name)s", None)?;
        let process_name =
            dt::process_or_group_name(&pn.text).map_err(|m| fault(pn.at.as_ref(), m))?;
        if numprocs > 1 && !process_name.contains("%(process_num)") {
            return Err(fault(
                pn.at.as_ref().or(Some(&at)),
                "%(process_num) must be present within process_name when numprocs > 1",
            ));
        }
        if numprocs > MAX_NUMPROCS {
            return Err(fault(
                self.ini.get(section, "numprocs").map(|v| &v.at),
                format!(
                    "numprocs={numprocs} is more than systemdify reads ({MAX_NUMPROCS} processes per program)"
                ),
            ));
        }
        if stopasgroup && !killasgroup {
            return Err(fault(
                self.ini.get(section, "killasgroup").map(|v| &v.at),
                "Cannot set stopasgroup=true and killasgroup=false",
            ));
        }
        let mut out = Vec::new();
        // ENV_ names a program's environment added; supervisor keeps them (in the same dict)
        // from one process_num to the next, under supervisord's own.
        let mut persisted: Vec<(String, Val)> = Vec::new();
        let end = numprocs_start.saturating_add(numprocs.max(0));
        for process_num in numprocs_start..end {
            let mut table = common.clone();
            table.push(("process_num".into(), Val::Int(process_num)));
            table.push(("numprocs".into(), Val::Int(numprocs)));
            for (k, v) in &persisted {
                let var = &k[4..];
                if !self.environ.contains_key(var) {
                    table.push((k.clone(), v.clone()));
                }
            }
            let env_text = self.expand(
                section,
                "environment",
                &environment_str.text,
                &table,
                environment_str.at.as_ref(),
            )?;
            let environment = lex::key_value_pairs(&env_text)
                .map_err(|m| fault(environment_str.at.as_ref(), format!("environment: {m}")))?;
            for (k, v) in &environment {
                let entry = (format!("ENV_{k}"), Val::Str(v.clone()));
                persisted.retain(|(pk, _)| *pk != entry.0);
                persisted.push(entry.clone());
                table.push(entry);
            }
            let t = &table;
            let directory = self
                .get(section, "directory", None, Some(t))?
                .map(|g| g.text);
            let stdout = self.log(section, "stdout", t, stdout_cmax, stdout_events)?;
            let mut stderr = self.log(section, "stderr", t, stderr_cmax, stderr_events)?;
            if redirect_stderr {
                if matches!(stderr.logfile, LogFile::Path(_)) {
                    self.notices.push(Notice {
                        section: Some(section.to_string()),
                        at: self.ini.get(section, "stderr_logfile").map(|v| v.at.clone()),
                        finding: note(
                            Code::SupervisordStderrLogfileIgnored,
                            "redirect_stderr=true and stderr_logfile is set: supervisord ignores stderr_logfile".into(),
                            "remove stderr_logfile or redirect_stderr",
                        ),
                    });
                }
                stderr.logfile = LogFile::None;
            }
            let Some(command) = self.get(section, "command", None, Some(t))? else {
                return Err(fault(
                    Some(&at),
                    "no command= (supervisor requires one)".to_string(),
                ));
            };
            let name = self.expand(section, "process_name", &process_name, t, pn.at.as_ref())?;
            out.push(Process {
                name,
                group: group_name.to_string(),
                program: program_name.clone(),
                section: section.to_string(),
                at: at.clone(),
                process_num,
                numprocs,
                argv: lex::split(&command.text),
                command: command.text,
                directory,
                user: user.as_ref().map(|g| g.text.clone()),
                uid,
                umask,
                priority,
                autostart,
                autorestart,
                exitcodes: exitcodes.clone(),
                startsecs,
                startretries,
                stopsignal,
                stopwaitsecs,
                stopasgroup,
                killasgroup,
                redirect_stderr,
                stdout,
                stderr,
                environment,
                serverurl: serverurl.clone(),
            });
        }
        out.sort_by(|a, b| {
            a.priority
                .cmp(&b.priority)
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(out)
    }

    /// One stream's log settings of one process.
    fn log(
        &mut self,
        section: &str,
        stream: &str,
        t: &[(String, Val)],
        capture_maxbytes: i64,
        events_enabled: bool,
    ) -> R<Log> {
        let key = format!("{stream}_logfile");
        let mut syslog_name = false;
        let logfile = match self.get(section, &key, None, Some(t))? {
            None => LogFile::Auto,
            Some(g) => {
                // supervisor expands the value a second time.
                let v = self.expand(section, &key, &g.text, t, g.at.as_ref())?;
                match v.to_lowercase().as_str() {
                    "none" | "off" => LogFile::None,
                    "auto" => LogFile::Auto,
                    "syslog" => {
                        syslog_name = true;
                        LogFile::None
                    }
                    _ => LogFile::Path(
                        self.existing_dirpath(&v)
                            .map_err(|m| fault(g.at.as_ref(), format!("{key}: {m}")))?,
                    ),
                }
            }
        };
        let backups = self.conv(section, &format!("{key}_backups"), "10", t, dt::integer)?;
        let maxbytes = self.conv(
            section,
            &format!("{key}_maxbytes"),
            "50MB",
            t,
            dt::byte_size,
        )?;
        let mut syslog = self.conv(
            section,
            &format!("{stream}_syslog"),
            "false",
            t,
            dt::boolean,
        )?;
        if syslog_name {
            syslog = true;
            self.notices.push(Notice {
                section: Some(section.to_string()),
                at: self.ini.get(section, &key).map(|v| v.at.clone()),
                finding: note(
                    Code::SupervisordSyslogLogfile,
                    format!("{key}=syslog is deprecated: supervisord reads it as {stream}_syslog=true and no log file"),
                    format!("write {stream}_syslog=true instead"),
                ),
            });
        }
        if logfile == LogFile::Auto && maxbytes == 0 {
            self.notices.push(Notice {
                section: Some(section.to_string()),
                at: self.ini.get(section, &key).map(|v| v.at.clone()),
                finding: note(
                    Code::SupervisordAutoLogUnbounded,
                    format!("{key} is AUTO with {key}_maxbytes=0: supervisord never rotates it"),
                    "set a maximum size, or let the journal keep the output",
                ),
            });
        }
        Ok(Log {
            logfile,
            maxbytes,
            backups,
            syslog,
            capture_maxbytes,
            events_enabled,
        })
    }

    /// `server_configs_from_parser`: the checks supervisor makes on `[inet_http_server]` and
    /// `[unix_http_server]`.
    fn servers(&mut self) {
        for prefix in ["inet_http_server", "unix_http_server"] {
            for section in self.section_names(prefix) {
                if let Err(f) = self.server(&section, prefix == "inet_http_server") {
                    self.fail(&section, f);
                }
            }
        }
    }

    fn server(&mut self, section: &str, inet: bool) -> R<()> {
        let at = self.header(section);
        let credentials = |r: &mut Self| -> R<()> {
            let u = r.get(section, "username", None, Some(&[]))?;
            let p = r.get(section, "password", None, Some(&[]))?;
            if u.is_some() != p.is_some() {
                return Err(fault(
                    Some(&at),
                    "incomplete authentication: give both username and password, or neither",
                ));
            }
            Ok(())
        };
        if inet {
            credentials(self)?;
            let Some(port) = self.get(section, "port", None, Some(&[]))? else {
                return Err(fault(Some(&at), "no port= value".to_string()));
            };
            let bad = |m: String| fault(port.at.as_ref(), format!("port: {m}"));
            let p = port
                .text
                .rsplit_once(':')
                .map_or(port.text.as_str(), |(_, p)| p);
            if p.is_empty() {
                return Err(bad(format!("no port number specified in '{}'", port.text)));
            }
            let n = dt::integer(p).map_err(bad)?;
            if !(1..=65535).contains(&n) {
                return Err(bad(format!("{n} is not a valid port number")));
            }
            return Ok(());
        }
        let t = self.here_table();
        if self.get(section, "file", None, Some(&t))?.is_none() {
            return Err(fault(Some(&at), "no file= value".to_string()));
        }
        credentials(self)?;
        if let Some(g) = self.get(section, "chown", None, Some(&[]))? {
            self.user_group(&g.text)
                .map_err(|_| fault(g.at.as_ref(), format!("Invalid sockchown value {}", g.text)))?;
        }
        if let Some(g) = self.get(section, "chmod", None, Some(&[]))? {
            dt::octal(&g.text)
                .map_err(|_| fault(g.at.as_ref(), format!("Invalid chmod value {}", g.text)))?;
        }
        Ok(())
    }

    /// Sections supervisor never reads: reported, with a word on case for near misses.
    fn ignored_sections(&mut self, all: &[(String, Location)]) {
        const EXACT: &[&str] = &["supervisord", "include", "supervisorctl"];
        const PREFIX: &[&str] = &[
            "program:",
            "group:",
            "eventlistener:",
            "fcgi-program:",
            "rpcinterface:",
            "ctlplugin:",
            "inet_http_server",
            "unix_http_server",
        ];
        let known = |n: &str| EXACT.contains(&n) || PREFIX.iter().any(|p| n.starts_with(p));
        for (name, at) in all {
            if known(name) {
                continue;
            }
            let lower = name.to_lowercase();
            let message = if known(&lower) {
                format!(
                    "[{name}] is ignored: section names are case-sensitive and supervisor reads only [{lower}]"
                )
            } else {
                format!("[{name}] is not a section supervisor reads; it is ignored")
            };
            self.notices.push(Notice {
                section: Some(name.clone()),
                at: Some(at.clone()),
                finding: note(
                    Code::SupervisordIgnoredSection,
                    message,
                    "rename the section if it was meant to be read; supervisord itself never ran it",
                ),
            });
        }
    }
}

fn set_pair(env: &mut Vec<(String, String)>, k: String, v: String) {
    match env.iter_mut().find(|(ek, _)| *ek == k) {
        Some((_, ev)) => *ev = v,
        None => env.push((k, v)),
    }
}
