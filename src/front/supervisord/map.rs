//! From the [`Resolved`] view to items: what each supervisord section becomes in systemd.
//!
//! Option → IR (→ directive, written by the backend):
//! - `[program:x]` with one process → one item, unit `PROCESS.service` (the `process_name`
//!   expansion, without the group's name); `numprocs > 1` → one item with a template
//!   `PROGRAM@.service`, instances `PROGRAM@N.service` (N the plain decimal `process_num`) and
//!   `PROGRAM.target` wanting them ([`Instances::Set`]); a command differing only by the plain
//!   `process_num` is one command with `%i`; what else differs per process (command,
//!   environment, directory, log files) goes into each instance's drop-in.
//! - `[group:x] programs=…` → an item with `x.target` ([`Body::Target`]) wanting its members;
//!   members are `PartOf=` it.
//! - `command` → `ExecStart=` (argv as supervisord splits it; the program found on the `PATH` of
//!   the program's environment, else kept as written with `command-not-found`); always
//!   `Type=exec` (supervisord forks and execs, and never waits for readiness).
//! - `user` (else `[supervisord] user`) → `User=` (the primary group and supplementary groups
//!   follow, as supervisord's `setgid`/`initgroups`); `directory` → `WorkingDirectory=`;
//!   `umask` → `UMask=`; `[supervisord] directory`/`umask` only when supervisord daemonizes
//!   ([`daemonizes`]).
//! - `environment` (over `[supervisord] environment` and `--env-file`, which supervisord's
//!   children inherit) → `Environment=`; secret-looking names → the 0600 environment file.
//! - `[supervisord] minfds`/`minprocs` → `LimitNOFILE=`/`LimitNPROC=` only where they raise
//!   what systemd gives (supervisord only raises its limits).
//! - `autostart` → `[Install] WantedBy=multi-user.target`, enabled or not.
//! - `autorestart=true` → `Restart=always`; `false` → no restart; `unexpected` →
//!   `Restart=on-failure` with `exitcodes` other than 0 in `SuccessExitStatus=`, and in
//!   `RestartForceExitStatus=` 0 (when not listed) and the signals systemd counts as clean.
//! - `startsecs`/`startretries` → `StartLimitBurst=`/`StartLimitIntervalSec=` (approximated).
//! - `stopsignal` → `KillSignal=`; `stopwaitsecs` → `TimeoutStopSec=`; `stopasgroup` →
//!   `KillMode=control-group`, otherwise `KillMode=mixed`.
//! - `stdout_logfile`/`stderr_logfile`: a path → `append:PATH`, `AUTO` → the journal, `NONE` →
//!   `null`; `redirect_stderr` → standard error follows standard output.
//! - `priority` (the group's, then the program's) → `After=` the programs of the next lower
//!   priority of the same configuration.
//! - `[fcgi-program:x]` → its program's units plus `NAME.socket` (`socket=unix://PATH` →
//!   `ListenStream=PATH`, `tcp://HOST:PORT` → `ListenStream=ADDRESS:PORT`; `socket_owner` →
//!   `SocketUser=`/`SocketGroup=`, `socket_mode` → `SocketMode=`, `socket_backlog` →
//!   `Backlog=`), passed to every process as standard input (`StandardInput=socket`), as
//!   supervisord passes it on file descriptor 0.
//! - `[eventlistener:x]`: superlance `crashmail` (`-m TO`, `-o HEADER`; crashmail 2.0 ignores
//!   `-p`/`-a` and watches every program) → on every program `ExecStopPost=` a mail after each
//!   exit supervisord calls unexpected ([`crate::ir::CrashHook`]: `exitcodes`, `startsecs`),
//!   restarted or not — `OnFailure=` would never fire for a unit that restarts (systemd 252,
//!   live test); `fatalmailbatch` → a handler template `x@.service` that mails `systemctl
//!   status`, in `OnFailure=x@%n.service` of every program: systemd starts it once the unit gave
//!   up (start limit hit ≈ supervisord's FATAL);
//!   `memmon -p NAME=SIZE`/`-g GROUP=SIZE`/`-a SIZE` → `MemoryMax=` on those programs (with a
//!   restart); `httpok -p NAME URL` → a `-healthcheck` timer and service that fetch URL every
//!   `TICK_N` and restart the program unless the status (`-c`, 200) and body (`-b`) match within
//!   `-t` seconds (for a `numprocs` program, one pair per instance whose process it names); any other listener → skipped with a `dropped` finding;
//!   `[unix_http_server]`, `[inet_http_server]`, `[supervisorctl]`, `[rpcinterface:x]` → a
//!   note each (systemctl replaces supervisorctl; the XML-RPC API has no equivalent).

use std::collections::BTreeMap;

use super::{Autorestart, Group, GroupKind, Log, LogFile, Options, Process, Resolved};
use crate::finding::{Code, Finding};
use crate::front::cron::schedule::fnv1a;
use crate::host::Host;
use crate::ir::{
    Activation, Body, Command, Definition, EnvVar, ExitStatus, Instance, InstanceSet, Instances,
    Item, Limit, Listen, Origin, Output, RefKind, Resource, Restart, Service, ServiceKind,
    StartLimit, StopScope, Target, UnitRef, WorkingDir,
};

/// The soft `RLIMIT_NOFILE` systemd gives services (and so supervisord): 1024, hard 524288.
pub const SYSTEMD_NOFILE: (i64, i64) = (1024, 524_288);

/// The `RLIMIT_NPROC` a system service gets by default is the kernel's (half of `threads-max`),
/// host-dependent; it is at least this much on any machine with 1 GiB of memory, so `minprocs`
/// up to it never raises anything.
pub const NPROC_FLOOR: i64 = 4096;

/// Signals systemd counts as a clean exit, which supervisord's `autorestart=unexpected`
/// restarts on (a death by any signal is unexpected to supervisord).
pub const CLEAN_SIGNALS: [&str; 4] = ["HUP", "INT", "TERM", "PIPE"];

/// Whether supervisord daemonizes on this host, and why: `nodaemon=true` in the configuration,
/// or the host's installed `supervisor.service`/`supervisord.service` starting it with `-n`
/// (Debian), decide no; otherwise it daemonizes (RHEL's unit, `Type=forking`). Only a
/// daemonizing supervisord applies `[supervisord] directory` and `umask`.
#[must_use]
pub fn daemonizes(resolved: &Resolved, host: &Host) -> (bool, String) {
    if resolved.supervisord.nodaemon {
        return (false, "nodaemon=true".to_string());
    }
    for name in ["supervisor.service", "supervisord.service"] {
        let Some(path) = host.installed_unit(name) else {
            continue;
        };
        let text = host
            .read(&path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let exec = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("ExecStart="))
            .next_back()
            .unwrap_or("");
        let foreground = exec
            .split_whitespace()
            .any(|w| w == "-n" || w == "--nodaemon");
        return (
            !foreground,
            if foreground {
                format!("{path} starts supervisord with -n")
            } else {
                format!("{path} starts supervisord without -n")
            },
        );
    }
    (
        true,
        "nodaemon is false and no supervisor unit is installed on the host".to_string(),
    )
}

/// The items of a resolved configuration.
#[must_use]
pub fn items(resolved: &Resolved, text: &str, host: &Host, options: &Options) -> Vec<Item> {
    let mut out = Vec::new();
    let mut by_section: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    let mut file_notes: Vec<Finding> = Vec::new();
    for n in &resolved.notices {
        match &n.section {
            Some(s) => by_section
                .entry(s.clone())
                .or_default()
                .push(n.finding.clone()),
            None => file_notes.push(n.finding.clone()),
        }
    }
    for e in &resolved.errors {
        let origin = Origin {
            format: Some(crate::ir::Format::Supervisord),
            file: e.at.file.clone(),
            line: u32::try_from(e.at.line).ok(),
        };
        let name = e.section.as_deref().map_or_else(
            || file_name(&e.at.file),
            |s| s.split_once(':').map_or(s, |(_, n)| n).to_string(),
        );
        let message = match &e.section {
            Some(s) => format!("[{s}] {}", e.message),
            None => e.message.clone(),
        };
        out.push(Item::error(
            origin,
            name,
            u32::try_from(e.at.column).ok(),
            message,
        ));
    }
    let (daemon, why) = daemonizes(resolved, host);
    let cx = Context {
        resolved,
        host,
        options,
        daemon,
        why,
    };
    // Priority levels of every program, for After=.
    // (group priority, program priority): supervisord starts groups in priority order.
    let mut programs: Vec<((i64, i64), UnitRef)> = Vec::new();
    let mut program_items: Vec<(usize, (i64, i64))> = Vec::new();
    // What the listeners' hooks need of each program item.
    let mut facts: BTreeMap<usize, Facts> = BTreeMap::new();
    let mut hooks: Vec<Hook> = Vec::new();
    // The group of each program item, for listeners that watch a group (`memmon -g`).
    let mut group_of: BTreeMap<usize, String> = BTreeMap::new();
    for group in &resolved.groups {
        match &group.kind {
            GroupKind::Program | GroupKind::Group { .. } => {
                let mut members = Vec::new();
                for procs in programs_of(group) {
                    let part_of = match &group.kind {
                        GroupKind::Group { .. } => vec![UnitRef {
                            stem: group.name.clone(),
                            kind: RefKind::Target,
                        }],
                        _ => Vec::new(),
                    };
                    let mut item = cx.program(&procs, part_of);
                    if let Some(f) = by_section.remove(&procs[0].section) {
                        item.findings.extend(f);
                    }
                    if let Body::Unit(def) = &item.body {
                        let r = UnitRef {
                            stem: item.unit_stem.clone(),
                            kind: if matches!(def.service.instances, Instances::Set(_)) {
                                RefKind::Target
                            } else {
                                RefKind::Service
                            },
                        };
                        members.push((r.clone(), procs[0].autostart));
                        programs.push(((group.priority, procs[0].priority), r));
                        program_items.push((out.len(), (group.priority, procs[0].priority)));
                        group_of.insert(out.len(), group.name.clone());
                        facts.insert(out.len(), Facts::of(&procs));
                    }
                    out.push(item);
                }
                if let GroupKind::Group { .. } = group.kind {
                    let mut item = group_item(group, members);
                    if let Some(f) = by_section.remove(&group.section) {
                        item.findings.extend(f);
                    }
                    out.push(item);
                }
            }
            GroupKind::FastCgi { socket } => {
                for procs in programs_of(group) {
                    let mut item = cx.program(&procs, Vec::new());
                    item.name.clone_from(&group.name);
                    item.findings
                        .extend(by_section.remove(&group.section).unwrap_or_default());
                    if let Body::Unit(def) = &mut item.body {
                        let (sock, findings) = cx.socket(socket);
                        def.socket = Some(sock);
                        item.findings.extend(findings);
                        let r = UnitRef {
                            stem: item.unit_stem.clone(),
                            kind: if matches!(def.service.instances, Instances::Set(_)) {
                                RefKind::Target
                            } else {
                                RefKind::Service
                            },
                        };
                        programs.push(((group.priority, procs[0].priority), r));
                        program_items.push((out.len(), (group.priority, procs[0].priority)));
                        group_of.insert(out.len(), group.name.clone());
                        facts.insert(out.len(), Facts::of(&procs));
                    }
                    out.push(item);
                }
            }
            GroupKind::EventListener { events, .. } => {
                let mut item = listener(group, events, &mut hooks, host);
                item.findings
                    .extend(resolved.baked_findings(&group.section));
                item.findings
                    .extend(by_section.remove(&group.section).unwrap_or_default());
                out.push(item);
            }
        }
    }
    // A listener's finding is the same text on every program alike (crashmail watches them
    // all): held once.
    let mut texts: std::collections::HashSet<crate::finding::Text> =
        std::collections::HashSet::new();
    for (index, _) in &program_items {
        let group = group_of.get(index).cloned().unwrap_or_default();
        let f = facts.get(index).cloned().unwrap_or_default();
        let item = &mut out[*index];
        let before = item.findings.len();
        apply_hooks(item, &group, &f, &hooks);
        for finding in &mut item.findings[before..] {
            match texts.get(&finding.message) {
                Some(t) => finding.message = t.clone(),
                None => {
                    texts.insert(finding.message.clone());
                }
            }
        }
    }
    // supervisord starts groups in priority order: each program after those of the next lower
    // priority. One list per level, shared by the programs of the next higher one, and one
    // finding text per level.
    let mut levels: Vec<(i64, i64)> = programs.iter().map(|(p, _)| *p).collect();
    levels.sort_unstable();
    levels.dedup();
    let mut per_level: Vec<Vec<UnitRef>> = vec![Vec::new(); levels.len()];
    for (p, r) in programs {
        if let Ok(pos) = levels.binary_search(&p) {
            per_level[pos].push(r);
        }
    }
    let per_level: Vec<crate::ir::RefList> = per_level.into_iter().map(Into::into).collect();
    let mut notes: Vec<Option<crate::finding::Text>> = vec![None; levels.len()];
    for (index, priority) in program_items {
        let Ok(pos) = levels.binary_search(&priority) else {
            continue;
        };
        if pos == 0 {
            continue;
        }
        let lower = levels[pos - 1];
        let item = &mut out[index];
        if let Body::Unit(def) = &mut item.body {
            def.service.ordering.after_items = per_level[pos - 1].clone();
            let message = notes[pos]
                .get_or_insert_with(|| {
                    format!(
                        "priority {}: starts after the programs of priority {}, as supervisord starts them in that order (it does not wait for them to be ready either)",
                        show(priority),
                        show(lower)
                    )
                    .into()
                })
                .clone();
            item.findings.push(Finding::note(
                Code::SupervisordPriority,
                message,
                "if the program needs another one to be ready, add Requires= and make that one report readiness",
            ));
        }
    }
    for (section, findings) in by_section {
        let at = resolved_section_line(text, &section);
        let origin = Origin {
            format: Some(crate::ir::Format::Supervisord),
            file: resolved.file_display(),
            line: at,
        };
        let mut it = findings.into_iter();
        if let Some(first) = it.next() {
            let mut item = Item::skipped(origin, section.clone(), first);
            item.findings.extend(it);
            out.push(item);
        }
    }
    out.extend(control_sections(resolved, text, options));
    // In reading order: file by file as supervisord read them, then by line.
    let rank = |i: &Item| {
        (
            resolved
                .files
                .iter()
                .position(|f| *f == i.origin.file)
                .unwrap_or(usize::MAX),
            i.origin.line,
        )
    };
    out.sort_by_key(rank);
    if !file_notes.is_empty() {
        for item in &mut out {
            item.findings.splice(0..0, file_notes.iter().cloned());
        }
        if out.is_empty() {
            let origin = Origin {
                format: Some(crate::ir::Format::Supervisord),
                file: resolved.file_display(),
                line: None,
            };
            let mut it = file_notes.into_iter();
            if let Some(first) = it.next() {
                let mut item = Item::skipped(origin, file_name(&resolved.file), first);
                item.findings.extend(it);
                out.push(item);
            }
        }
    }
    // Every item of the file is held until each is lowered (1,200 programs with 100 listener
    // findings each on a whole host): without the slack their findings grew.
    for item in &mut out {
        item.findings.shrink_to_fit();
    }
    out
}

/// A start-order key as the finding shows it: the program's priority, and its group's when
/// that differs.
fn show((group, program): (i64, i64)) -> String {
    if group == program {
        program.to_string()
    } else {
        format!("{program} (group {group})")
    }
}

fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// The line of `[section]` in the first file, when it is there.
fn resolved_section_line(text: &str, section: &str) -> Option<u32> {
    let header = format!("[{section}]");
    text.lines()
        .position(|l| l.trim_end() == header)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// `[unix_http_server]`, `[inet_http_server]`, `[supervisorctl]`, `[rpcinterface:x]` of the
/// first file: a note each.
fn control_sections(resolved: &Resolved, text: &str, options: &Options) -> Vec<Item> {
    let mut ini = super::ini::Ini::for_python(options.python);
    ini.read(text, &resolved.file_display());
    ini.sections()
        .filter(|s| {
            matches!(
                s.name.as_str(),
                "unix_http_server" | "inet_http_server" | "supervisorctl"
            ) || s.name.starts_with("rpcinterface:")
        })
        .map(|s| {
            let origin = Origin {
                format: Some(crate::ir::Format::Supervisord),
                file: s.header.file.clone(),
                line: u32::try_from(s.header.line).ok(),
            };
            let (message, help) = if s.name == "supervisorctl" {
                (
                    "[supervisorctl] configures the control client; systemctl replaces it",
                    "supervisorctl start|stop|restart|status X → systemctl start|stop|restart|status X.service (a group or numprocs program: X.target); supervisorctl tail → journalctl -u X",
                )
            } else {
                (
                    "the XML-RPC control interface has no systemd equivalent and is not converted",
                    "scripts that call supervisord over XML-RPC must use systemctl or the systemd D-Bus API instead",
                )
            };
            Item::skipped(
                origin,
                s.name.clone(),
                Finding::note(
                    Code::SupervisordControlInterface,
                    format!("[{}]: {message}", s.name),
                    help,
                ),
            )
        })
        .collect()
}

impl Resolved {
    /// The first file as locations name it.
    fn file_display(&self) -> String {
        self.files
            .first()
            .cloned()
            .unwrap_or_else(|| self.file.clone())
    }
}

fn origin_of(group: &Group) -> Origin {
    Origin {
        format: Some(crate::ir::Format::Supervisord),
        file: group.at.file.clone(),
        line: u32::try_from(group.at.line).ok(),
    }
}

/// A group's processes, program by program, in supervisor's order.
fn programs_of(group: &Group) -> Vec<Vec<Process>> {
    let mut order: Vec<String> = Vec::new();
    let mut by: BTreeMap<String, Vec<Process>> = BTreeMap::new();
    for p in &group.processes {
        if !order.contains(&p.section) {
            order.push(p.section.clone());
        }
        by.entry(p.section.clone()).or_default().push(p.clone());
    }
    order.into_iter().filter_map(|s| by.remove(&s)).collect()
}

fn group_item(group: &Group, members: Vec<(UnitRef, bool)>) -> Item {
    let all_autostart = members.iter().all(|(_, a)| *a);
    let names: Vec<String> = members.iter().map(|(r, _)| r.stem.clone()).collect();
    let mut findings = Vec::new();
    if !all_autostart {
        findings.push(Finding::note(
            Code::SupervisordAutostartOff,
            format!(
                "[{}] has members with autostart=false, so its target is not started at boot (the members with autostart=true are)",
                group.section
            ),
            "start the whole group by hand with systemctl start on the target",
        ));
    }
    Item {
        origin: origin_of(group),
        name: group.name.clone(),
        unit_stem: group.name.clone(),
        identity: format!("group:{}:{}", group.name, names.join(",")),
        body: Body::Target(Box::new(Target {
            description: format!("supervisord group {}", group.name),
            members: members.into_iter().map(|(r, _)| r).collect(),
            activation: Activation::Boot {
                wanted_by: if all_autostart {
                    vec!["multi-user.target".to_string()]
                } else {
                    Vec::new()
                },
                aliases: Vec::new(),
                enabled: Some(all_autostart),
            },
        })),
        findings,
    }
}

struct Context<'a> {
    resolved: &'a Resolved,
    host: &'a Host,
    options: &'a Options,
    daemon: bool,
    why: String,
}

/// What one process becomes, before the instances of a program are compared.
struct One {
    service: Service,
    findings: Vec<Finding>,
}

impl Context<'_> {
    /// The item of one `[program:x]` (all its processes).
    fn program(&self, procs: &[Process], part_of: Vec<UnitRef>) -> Item {
        let first = &procs[0];
        let origin = Origin {
            format: Some(crate::ir::Format::Supervisord),
            file: first.at.file.clone(),
            line: u32::try_from(first.at.line).ok(),
        };
        let mut ones = Vec::new();
        for p in procs {
            match self.process(p) {
                Ok(one) => ones.push(one),
                Err(message) => {
                    return Item::error(origin, first.program.clone(), None, message);
                }
            }
        }
        // Values baked into the section, and into [supervisord] settings programs inherit.
        let mut findings = self.resolved.baked_findings(&first.section);
        for f in self.resolved.baked_findings("supervisord") {
            if !findings.contains(&f) {
                findings.push(f);
            }
        }
        let single = procs.len() == 1 && first.numprocs == 1;
        let (mut service, stem) = if single {
            let one = ones.remove(0);
            findings.extend(one.findings);
            (one.service, first.name.clone())
        } else {
            let (svc, f) = template(procs, ones);
            findings.extend(f);
            (svc, first.program.clone())
        };
        service.ordering.part_of = part_of;
        let activation = Activation::Boot {
            wanted_by: vec!["multi-user.target".to_string()],
            aliases: Vec::new(),
            enabled: Some(first.autostart),
        };
        if !first.autostart {
            findings.push(Finding::note(
                Code::SupervisordAutostartOff,
                "autostart=false: the unit is installed but not enabled, so it does not start at boot",
                "start it by hand with systemctl start; enable it to start it at boot",
            ));
        }
        findings.dedup();
        Item {
            origin,
            name: first.program.clone(),
            unit_stem: stem,
            identity: format!(
                "{:016x}",
                fnv1a(&format!("{}\u{0}{}", first.section, first.command))
            ),
            body: Body::Unit(Box::new(Definition {
                service,
                activation,
                socket: None,
            })),
            findings,
        }
    }

    /// One process as a service.
    fn process(&self, p: &Process) -> Result<One, String> {
        let sup = &self.resolved.supervisord;
        let mut findings = Vec::new();
        let argv = p
            .argv
            .clone()
            .map_err(|e| format!("[{}] command `{}` cannot be run: {e}", p.section, p.command))?;
        let mut environment: Vec<(String, String)> = self.options.env.clone();
        for (k, v) in &p.environment {
            environment.retain(|(n, _)| n != k);
            environment.push((k.clone(), v.clone()));
        }
        let cwd = p.directory.clone().or_else(|| {
            if self.daemon {
                sup.directory.clone()
            } else {
                None
            }
        });
        if p.directory.is_none() && sup.directory.is_some() {
            findings.push(Finding::note(
                Code::SupervisordDaemonize,
                format!(
                    "[supervisord] directory={} {} ({})",
                    sup.directory.as_deref().unwrap_or(""),
                    if self.daemon {
                        "is the program's working directory, as supervisord daemonizes"
                    } else {
                        "does not apply: supervisord runs in the foreground, so the program starts in /"
                    },
                    self.why
                ),
                "check how supervisord is started on the host; set WorkingDirectory= by hand if the assumption is wrong",
            ));
        }
        let umask = p.umask.or_else(|| self.daemon.then_some(sup.umask));
        if p.umask.is_none() && sup.umask != 0o22 {
            findings.push(Finding::note(
                Code::SupervisordDaemonize,
                format!(
                    "[supervisord] umask={:03o} {} ({})",
                    sup.umask,
                    if self.daemon {
                        "is the program's umask, as supervisord daemonizes"
                    } else {
                        "does not apply: supervisord runs in the foreground with the umask systemd gives it (022)"
                    },
                    self.why
                ),
                "check how supervisord is started on the host; set UMask= by hand if the assumption is wrong",
            ));
        }
        let command = self.executable(argv, &environment, cwd.as_deref(), &mut findings);
        let mut service = Service::oneshot(format!("supervisord program {}", p.name), command);
        service.kind = ServiceKind::Exec;
        let ctx = &mut service.exec;
        ctx.user = p.user.clone().or_else(|| sup.user.clone());
        if let (Some(own), Some(daemon_user)) = (&p.user, &sup.user)
            && own != daemon_user
            && daemon_user != "root"
            && sup.uid != Some(0)
        {
            findings.push(Finding::approximated(
                Code::SupervisordUserSwitch,
                format!(
                    "supervisord runs as {daemon_user} ([supervisord] user=) and cannot switch to user={own}: under supervisord the program never started (\"Can't drop privilege as nonroot user\"); the unit runs it as {own}"
                ),
                "check that the program is meant to run at all, and as which user",
            ));
        }
        if ctx.user.as_deref() == Some("nobody") {
            findings.push(Finding::note(
                Code::SupervisordUserNobody,
                "the program runs as nobody; User=nobody is written as the source says, and systemd warns that it is not safe (files of nobody are shared with every other such service)",
                "prefer DynamicUser=yes, or a dedicated system user",
            ));
        }
        ctx.working_dir = cwd.map(WorkingDir::Path);
        ctx.umask = umask
            .filter(|m| *m != 0o22)
            .and_then(|m| u32::try_from(m).ok());
        ctx.environment = environment
            .into_iter()
            .map(|(k, v)| EnvVar::new(k, v))
            .collect();
        if sup.minfds > SYSTEMD_NOFILE.0 {
            ctx.limits.push(Limit {
                resource: Resource::Nofile,
                value: format!("{}:{}", sup.minfds, sup.minfds.max(SYSTEMD_NOFILE.1)),
            });
            findings.push(Finding::note(
                Code::SupervisordLimits,
                format!(
                    "minfds={} raises the open-file limit supervisord's children had (systemd gives {}:{})",
                    sup.minfds, SYSTEMD_NOFILE.0, SYSTEMD_NOFILE.1
                ),
                "keep LimitNOFILE= only if the program needs that many files",
            ));
        }
        if sup.minprocs > NPROC_FLOOR {
            ctx.limits.push(Limit {
                resource: Resource::Nproc,
                value: sup.minprocs.to_string(),
            });
            findings.push(Finding::note(
                Code::SupervisordLimits,
                format!(
                    "minprocs={} may raise the process limit supervisord's children had (the kernel's default depends on the host's memory)",
                    sup.minprocs
                ),
                "compare with `ulimit -u` on the host; remove LimitNPROC= if it lowers it",
            ));
        }
        self.restart(p, &mut service, &mut findings);
        self.stop(p, &mut service, &mut findings);
        logging(p, &mut service, &mut findings);
        if let Some(url) = &p.serverurl {
            findings.push(Finding::dropped(
                Code::SupervisordServerUrl,
                format!("serverurl={url} only set SUPERVISOR_SERVER_URL for the program; there is no supervisord to talk to"),
                "remove the program's use of supervisord's XML-RPC API",
            ));
        }
        Ok(One { service, findings })
    }

    /// `argv` with its program found as supervisord finds it: a name on the `PATH` of the
    /// program's environment (else supervisord's), a path with `/` relative to the working
    /// directory. argv\[0\] stays as written (supervisord execs the file it found with the
    /// command's own words), so a program found elsewhere than its first word names is a
    /// [`Command::Named`] (`ExecStart=@/usr/bin/php php …`).
    fn executable(
        &self,
        argv: Vec<String>,
        env: &[(String, String)],
        cwd: Option<&str>,
        findings: &mut Vec<Finding>,
    ) -> Command {
        let Some(program) = argv.first().cloned() else {
            return Command::Argv(argv);
        };
        let path = env
            .iter()
            .rev()
            .find(|(k, _)| k == "PATH")
            .map_or(super::SYSTEMD_PATH, |(_, v)| v.as_str());
        let found = if program.contains('/') {
            let abs = if program.starts_with('/') {
                program.clone()
            } else {
                super::datatypes::normpath(&format!("{}/{program}", cwd.unwrap_or("/")))
            };
            self.host.is_executable(&abs).then_some(abs)
        } else {
            self.host.which(&program, path)
        };
        match found {
            Some(abs) => return Command::exec(abs, argv),
            None => {
                let where_ = if program.contains('/') {
                    String::new()
                } else {
                    format!(" on PATH={path}")
                };
                findings.push(Finding::note(
                    Code::CommandNotFound,
                    format!("`{program}` was not found{where_} on {}", self.host.label()),
                    "install it on the target host, or fix the path in command=",
                ));
            }
        }
        Command::Argv(argv)
    }

    /// An fcgi-program's socket: supervisord creates it and passes it to every process as file
    /// descriptor 0.
    fn socket(&self, socket: &super::Socket) -> (crate::ir::Socket, Vec<Finding>) {
        let mut findings = Vec::new();
        let listen = if let Some(path) = socket.url.strip_prefix("unix://") {
            Listen::Unix(path.to_string())
        } else {
            let hostport = socket.url.strip_prefix("tcp://").unwrap_or(&socket.url);
            let (host, port) = hostport.rsplit_once(':').unwrap_or(("", hostport));
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let port = port.parse().unwrap_or(0);
            let address = if host.parse::<std::net::IpAddr>().is_ok() {
                Some(host.to_string())
            } else if host == "localhost" {
                Some("127.0.0.1".to_string())
            } else {
                if !host.is_empty() && host != "*" {
                    findings.push(Finding::approximated(
                        Code::SupervisordFcgi,
                        format!("the socket's host `{host}` is a name; systemd listens on numeric addresses only, so the socket listens on port {port} of every address"),
                        "write the address the name resolves to on the host into ListenStream=",
                    ));
                }
                None
            };
            Listen::Tcp { address, port }
        };
        let unix = matches!(listen, Listen::Unix(_));
        let (user, group) = match socket.owner {
            Some((uid, gid)) if unix => (
                Some(self.account("/etc/passwd", uid)),
                gid.map(|g| self.account("/etc/group", g)),
            ),
            _ => (None, None),
        };
        findings.push(Finding::note(
            Code::SupervisordFcgi,
            format!(
                "[fcgi-program] socket {}: a .socket unit listens and every process gets the listening socket as standard input (file descriptor 0), as supervisord passed it",
                socket.url
            ),
            "systemctl start the .socket (enabled with sockets.target); the services start with it",
        ));
        (
            crate::ir::Socket {
                listen,
                user,
                group,
                mode: socket
                    .mode
                    .filter(|_| unix)
                    .and_then(|m| u32::try_from(m).ok()),
                backlog: socket.backlog.and_then(|b| u32::try_from(b).ok()),
                as_stdin: true,
            },
            findings,
        )
    }

    /// The name of `id` in the host's `/etc/passwd` or `/etc/group`, else the number.
    fn account(&self, db: &str, id: u32) -> String {
        let text = self
            .host
            .read(db)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() >= 3 && f[2].parse::<u32>().ok() == Some(id)).then(|| f[0].to_string())
            })
            .next()
            .unwrap_or_else(|| id.to_string())
    }

    fn restart(&self, p: &Process, service: &mut Service, findings: &mut Vec<Finding>) {
        match p.autorestart {
            Autorestart::False => {}
            Autorestart::True => service.restart = Restart::Always { delay_sec: None },
            Autorestart::Unexpected => {
                service.restart = Restart::OnFailure { delay_sec: None };
                let mut codes: Vec<u8> = p
                    .exitcodes
                    .iter()
                    .filter_map(|c| u8::try_from(*c).ok())
                    .collect();
                codes.sort_unstable();
                codes.dedup();
                service.success_exit_status = codes
                    .iter()
                    .filter(|c| **c != 0)
                    .map(|c| ExitStatus::Code(*c))
                    .collect();
                if !codes.contains(&0) {
                    service.restart_force_exit_status.push(ExitStatus::Code(0));
                }
                service.restart_force_exit_status.extend(
                    CLEAN_SIGNALS
                        .iter()
                        .map(|s| ExitStatus::Signal((*s).to_string())),
                );
            }
        }
        if p.autorestart != Autorestart::False || p.startretries > 0 {
            let retries = u32::try_from(p.startretries.clamp(0, 1000)).unwrap_or(0);
            let secs = u64::try_from(p.startsecs.max(1)).unwrap_or(1);
            let backoff: u64 = (1..=u64::from(retries)).sum();
            service.start_limit = Some(StartLimit {
                burst: retries + 1,
                interval_sec: secs * u64::from(retries + 1) + backoff,
            });
            findings.push(Finding::note(
                Code::SupervisordStartLimit,
                format!(
                    "startsecs={} startretries={}: supervisord counts a process that exits within startsecs as a failed start and gives up after startretries of them in a row; systemd counts every start, so it gives up after {} starts within {}s",
                    p.startsecs,
                    p.startretries,
                    retries + 1,
                    secs * u64::from(retries + 1) + backoff
                ),
                "adjust StartLimitBurst= and StartLimitIntervalSec= if the program restarts often by design",
            ));
            if p.autorestart == Autorestart::False && p.startretries > 0 {
                findings.push(Finding::approximated(
                    Code::SupervisordStartLimit,
                    "autorestart=false: supervisord would still retry a start that failed within startsecs; the unit does not restart at all",
                    "add Restart=on-failure if the retries mattered",
                ));
            }
        }
    }

    fn stop(&self, p: &Process, service: &mut Service, findings: &mut Vec<Finding>) {
        let sig = p.stopsignal.name.trim_start_matches("SIG");
        if sig != "TERM" {
            service.stop.signal = Some(sig.to_string());
        }
        service.stop.timeout_sec = u64::try_from(p.stopwaitsecs).ok();
        if p.stopasgroup {
            service.stop.scope = Some(StopScope::All);
        } else {
            service.stop.scope = Some(StopScope::MainThenAll);
            if !p.killasgroup {
                findings.push(Finding::note(
                    Code::SupervisordStopChildren,
                    "supervisord signals only the program's own process and leaves its children running after the final SIGKILL; the unit (KillMode=mixed) also sends the stop signal to the program only, but kills every process left when the stop times out or the program exits",
                    "if children must outlive a stop, set KillMode=process",
                ));
            }
        }
    }
}

fn output_of(log: &Log) -> Output {
    match &log.logfile {
        LogFile::Auto => Output::Journal,
        LogFile::None => Output::Null,
        LogFile::Path(p) => Output::Append(p.clone()),
    }
}

fn logging(p: &Process, service: &mut Service, findings: &mut Vec<Finding>) {
    let stdout = output_of(&p.stdout);
    service.logging.stdout = (stdout != Output::Journal).then(|| stdout.clone());
    if !p.redirect_stderr {
        let stderr = output_of(&p.stderr);
        // Standard error follows standard output unless told otherwise.
        service.logging.stderr = (stderr != stdout).then_some(stderr);
    }
    let streams: &[(&str, &Log)] = if p.redirect_stderr {
        &[("stdout", &p.stdout)]
    } else {
        &[("stdout", &p.stdout), ("stderr", &p.stderr)]
    };
    for (name, log) in streams {
        match &log.logfile {
            LogFile::Path(path) if log.maxbytes > 0 => findings.push(Finding::approximated(
                Code::SupervisordLogRotation,
                format!(
                    "{name}_logfile={path} is appended to; supervisord rotated it at {} bytes keeping {} backups, systemd never rotates it",
                    log.maxbytes, log.backups
                ),
                "add a logrotate rule for the file (copytruncate is not needed: systemd reopens nothing, so use it or restart the unit after rotating)",
            )),
            LogFile::Auto => findings.push(Finding::note(
                Code::SupervisordLogJournal,
                format!("{name}_logfile=AUTO (a file supervisord kept in childlogdir) is the journal"),
                "read it with journalctl -u UNIT; journald's own limits (SystemMaxUse=) replace the log's maxbytes and backups",
            )),
            _ => {}
        }
        if log.syslog {
            findings.push(Finding::note(
                Code::SupervisordLogSyslog,
                format!("{name}_syslog=true: journald forwards to syslog when ForwardToSyslog= is on (or rsyslog reads the journal)"),
                "check that the host's syslog still receives the lines, tagged with the program's name",
            ));
        }
        if log.capture_maxbytes > 0 || log.events_enabled {
            findings.push(Finding::dropped(
                Code::SupervisordLogEvents,
                format!("{name}_capture_maxbytes / {name}_events_enabled emitted supervisor events for event listeners; systemd has none"),
                "replace the listener that consumed them (see supervisord-event-listener)",
            ));
        }
    }
}

/// The pieces of `values[k]` around the occurrences of its process number (as a whole number,
/// no digit beside it) that make every
/// other value when that number is replaced by each process's (a subset of the occurrences:
/// `worker0@web-01` is `worker%i@web-01`); `None` when no subset does.
fn instance_pieces(values: &[&str], nums: &[String], k: usize) -> Option<Vec<String>> {
    // Only a whole number: a digit beside it would make `%i` wrong for other instance
    // numbers (`%(process_num)02d` is `0%i` only below 10).
    let v = values[k].as_bytes();
    let at: Vec<usize> = values[k]
        .match_indices(nums[k].as_str())
        .map(|(i, _)| i)
        .filter(|&i| {
            let end = i + nums[k].len();
            (i == 0 || !v[i - 1].is_ascii_digit()) && v.get(end).is_none_or(|b| !b.is_ascii_digit())
        })
        .collect();
    if at.is_empty() || at.len() > 8 {
        return None;
    }
    (1u32..(1 << at.len())).find_map(|mask| {
        let mut pieces = Vec::new();
        let mut from = 0;
        for (bit, &i) in at.iter().enumerate() {
            if mask & (1 << bit) != 0 && i >= from {
                pieces.push(values[k][from..i].to_string());
                from = i + nums[k].len();
            }
        }
        pieces.push(values[k][from..].to_string());
        values
            .iter()
            .zip(nums)
            .all(|(v, n)| *v == pieces.join(n.as_str()))
            .then_some(pieces)
    })
}

/// One command for every process, with the process number as `%i`, when the processes'
/// commands differ only by their plain decimal `process_num` (each argument is tried with the
/// number of every process as the one to replace, so a digit that merely happens to be there
/// in one of them does not decide).
fn instance_command(procs: &[Process], services: &[Service]) -> Option<Command> {
    let commands: Vec<(&str, &Vec<String>)> = services
        .iter()
        .map(|s| match &s.command {
            Command::Argv(a) => Some((a.first()?.as_str(), a)),
            Command::Named { program, argv } => Some((program.as_str(), argv)),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let argvs: Vec<&Vec<String>> = commands.iter().map(|(_, a)| *a).collect();
    let nums: Vec<String> = procs.iter().map(|p| p.process_num.to_string()).collect();
    let (program, first) = *commands.first()?;
    if commands
        .iter()
        .any(|(p, a)| *p != program || a.len() != first.len() || a.first() != first.first())
    {
        return None;
    }
    let mut args = Vec::new();
    for pos in 1..first.len() {
        let values: Vec<&str> = argvs.iter().map(|a| a[pos].as_str()).collect();
        if values.iter().all(|v| *v == values[0]) {
            args.push(crate::ir::Word::Parts(vec![crate::ir::WordPart::Text(
                values[0].to_string(),
            )]));
            continue;
        }
        let pieces = (0..values.len()).find_map(|k| instance_pieces(&values, &nums, k))?;
        let mut parts = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                parts.push(crate::ir::WordPart::Instance);
            }
            if !piece.is_empty() {
                parts.push(crate::ir::WordPart::Text((*piece).to_string()));
            }
        }
        args.push(crate::ir::Word::Parts(parts));
    }
    let argv0 = first.first()?;
    Some(Command::Expand {
        program: program.to_string(),
        argv0: (argv0 != program).then(|| argv0.clone()),
        args,
    })
}

/// The template of a program's processes: what is the same for all of them, and per instance
/// what differs (command, environment, working directory, log files).
fn template(procs: &[Process], ones: Vec<One>) -> (Service, Vec<Finding>) {
    let mut findings: Vec<Finding> = Vec::new();
    for one in &ones {
        for f in &one.findings {
            if !findings.contains(f) {
                findings.push(f.clone());
            }
        }
    }
    let services: Vec<Service> = ones.into_iter().map(|o| o.service).collect();
    let base = services[0].clone();
    let same = |get: &dyn Fn(&Service) -> String| services.iter().all(|s| get(s) == get(&base));
    let command_same = same(&|s| format!("{:?}", s.command));
    let dir_same = same(&|s| format!("{:?}", s.exec.working_dir));
    let stdout_same = same(&|s| format!("{:?}", s.logging.stdout));
    let stderr_same = same(&|s| format!("{:?}", s.logging.stderr));
    let common_env: Vec<EnvVar> = base
        .exec
        .environment
        .iter()
        .filter(|v| services.iter().all(|s| s.exec.environment.contains(v)))
        .cloned()
        .collect();
    let mut template = base.clone();
    template.description = format!("supervisord program {}", procs[0].program);
    // Commands that differ only by the process number (`%(process_num)d`) are one template
    // command with `%i`; any other difference goes into the drop-ins.
    let generic = if command_same {
        None
    } else {
        instance_command(procs, &services)
    };
    let command_same = command_same || generic.is_some();
    if let Some(cmd) = generic {
        template.command = cmd;
    }
    template.exec.environment.clone_from(&common_env);
    if !dir_same {
        template.exec.working_dir = None;
    }
    if !stdout_same {
        template.logging.stdout = None;
    }
    if !stderr_same {
        template.logging.stderr = None;
    }
    let instances = procs
        .iter()
        .zip(&services)
        .map(|(p, s)| Instance {
            name: p.process_num.to_string(),
            command: (!command_same).then(|| s.command.clone()),
            environment: s
                .exec
                .environment
                .iter()
                .filter(|v| !common_env.contains(v))
                .cloned()
                .collect(),
            working_dir: if dir_same {
                None
            } else {
                s.exec.working_dir.clone()
            },
            health_check: None,
            stdout: if stdout_same {
                None
            } else {
                Some(s.logging.stdout.clone().unwrap_or(Output::Journal))
            },
            stderr: if stderr_same {
                None
            } else {
                s.logging
                    .stderr
                    .clone()
                    .or_else(|| s.logging.stdout.clone())
            },
        })
        .collect();
    // Anything else that differs per process cannot be said in a drop-in here.
    let neutral = |s: &Service| {
        let mut s = s.clone();
        s.description.clear();
        s.command = Command::Argv(Vec::new());
        s.exec.environment.clear();
        s.exec.working_dir = None;
        s.logging = crate::ir::Logging::default();
        s
    };
    if services.iter().any(|s| neutral(s) != neutral(&base)) {
        findings.push(Finding::approximated(
            Code::SupervisordPerProcess,
            format!(
                "[{}] expands to settings that differ between its processes beyond the command, environment, directory and logs; every instance gets those of process {}",
                procs[0].section, procs[0].process_num
            ),
            "write the differing settings into the instances' drop-ins by hand",
        ));
    }
    template.instances = Instances::Set(InstanceSet {
        instances,
        target: true,
    });
    findings.push(Finding::note(
        Code::SupervisordNumprocs,
        format!(
            "numprocs={}: a template with one instance per process and {}.target wanting them (systemctl start {}.target is supervisorctl start {}:*)",
            procs[0].numprocs, procs[0].program, procs[0].program, procs[0].group
        ),
        "the instance string is the process number; what differs per process is in each instance's drop-in",
    ));
    (template, findings)
}

/// What a well-known event listener does to the programs it watches.
#[derive(Debug, Clone)]
enum Effect {
    /// `OnFailure=` a handler template (superlance `fatalmailbatch`).
    OnFailure(String),
    /// A command after each unexpected exit (superlance `crashmail`).
    OnCrash(std::sync::Arc<[String]>),
    /// `MemoryMax=` (superlance `memmon`), in bytes.
    MemoryMax(u64),
    /// A health-check timer that restarts the program (superlance `httpok`).
    HealthCheck(crate::ir::HealthCheck),
}

/// A listener's effect and the programs it applies to (`None`: every program).
#[derive(Debug, Clone)]
struct Hook {
    listener: String,
    programs: Option<Vec<String>>,
    effect: Effect,
}

/// What the listeners' hooks need of a program: its `exitcodes` and `startsecs` (what a crash
/// is), and each process's name with its `process_num` (the instance it is).
#[derive(Debug, Clone, Default)]
struct Facts {
    exitcodes: Vec<i64>,
    startsecs: i64,
    processes: Vec<(String, String)>,
}

impl Facts {
    fn of(procs: &[Process]) -> Self {
        Facts {
            exitcodes: procs[0].exitcodes.clone(),
            startsecs: procs[0].startsecs,
            processes: procs
                .iter()
                .map(|p| (p.name.clone(), p.process_num.to_string()))
                .collect(),
        }
    }
}

/// Applies the listeners' hooks to a program item (`facts` of its processes).
fn apply_hooks(item: &mut Item, group: &str, facts: &Facts, hooks: &[Hook]) {
    let Body::Unit(def) = &mut item.body else {
        return;
    };
    for hook in hooks {
        let applies = match &hook.programs {
            None => true,
            // `NAME` (a program or process), `GROUP:NAME`, `GROUP:*`.
            Some(names) => names.iter().any(|n| match n.split_once(':') {
                Some((g, p)) => g == group && (p == "*" || p == item.name || p == item.unit_stem),
                None => *n == item.name || *n == item.unit_stem,
            }),
        };
        // The instances whose process the hook names (`NAME` or `GROUP:NAME` of a process).
        let named: Vec<String> = match &hook.programs {
            Some(names) if matches!(def.service.instances, Instances::Set(_)) => facts
                .processes
                .iter()
                .filter(|(process, _)| {
                    names.iter().any(|n| match n.split_once(':') {
                        Some((g, p)) => g == group && p == process,
                        None => n == process,
                    })
                })
                .map(|(_, instance)| instance.clone())
                .collect(),
            _ => Vec::new(),
        };
        let one_process = !applies && !named.is_empty();
        let health_check = matches!(hook.effect, Effect::HealthCheck(_));
        if !(applies || one_process && health_check) {
            if one_process {
                item.findings.push(Finding::dropped(
                    Code::SupervisordEventListener,
                    format!(
                        "the event listener {} names processes of this program ({}), not the program: not applied, as systemd would apply it to every instance",
                        hook.listener,
                        named.join(", ")
                    ),
                    "apply it by hand in the instances' drop-ins",
                ));
            }
            continue;
        }
        match &hook.effect {
            Effect::OnFailure(stem) => {
                def.service.ordering.on_failure.push(UnitRef {
                    stem: stem.clone(),
                    kind: RefKind::Handler,
                });
                item.findings.push(Finding::approximated(
                    Code::SupervisordEventListener,
                    format!(
                        "the event listener {} is OnFailure={stem}@%n.service here: systemd starts it once the unit gave up (the start limit hit after the restarts, or a failure without Restart=), not on a failure it restarts from",
                        hook.listener
                    ),
                    "check that the handler's mail arrives (it uses /usr/sbin/sendmail)",
                ));
            }
            Effect::OnCrash(command) => {
                let (exitcodes, startsecs) = (&facts.exitcodes, facts.startsecs);
                def.service.crash_hooks.push(crate::ir::CrashHook {
                    command: std::sync::Arc::clone(command),
                    expected: exitcodes
                        .iter()
                        .filter_map(|c| u8::try_from(*c).ok())
                        .collect(),
                    min_runtime_sec: u64::try_from(startsecs).unwrap_or(0),
                });
                item.findings.push(Finding::approximated(
                    Code::SupervisordEventListener,
                    format!(
                        "the event listener {} is ExecStopPost= here: after each end of the program that supervisord calls unexpected (an exit status not in exitcodes={}, or death by any signal, after running startsecs={startsecs}s, and not by a stop or restart), restarted or not, it mails through /usr/sbin/sendmail; the restart waits for the mail to be handed over",
                        hook.listener,
                        exitcodes.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                    ),
                    "check that the mail arrives (it uses /usr/sbin/sendmail -t -i)",
                ));
            }
            Effect::HealthCheck(check) => {
                if let Instances::Set(set) = &mut def.service.instances {
                    // The processes it names, else (it names the program) every one.
                    let mut checked = Vec::new();
                    for inst in &mut set.instances {
                        if !one_process || named.contains(&inst.name) {
                            inst.health_check = Some(check.clone());
                            checked.push(format!("{}@{}.service", item.unit_stem, inst.name));
                        }
                    }
                    if !checked.is_empty() {
                        item.findings.push(Finding::approximated(
                            Code::SupervisordEventListener,
                            format!(
                                "the event listener {} is a timer here: every {}s curl fetches {} and {} is restarted unless the status is {} within {}s (httpok also waited for the process to be RUNNING and could mail)",
                                hook.listener,
                                check.interval_sec,
                                check.url,
                                checked.join(", "),
                                check.status,
                                check.timeout_sec
                            ),
                            "install curl on the host; enable the -healthcheck.timer",
                        ));
                    }
                    continue;
                }
                def.service.health_check = Some(check.clone());
                item.findings.push(Finding::approximated(
                    Code::SupervisordEventListener,
                    format!(
                        "the event listener {} is a timer here: every {}s curl fetches {} and the unit is restarted unless the status is {}{} within {}s (httpok also waited for the program to be RUNNING and could mail)",
                        hook.listener,
                        check.interval_sec,
                        check.url,
                        check.status,
                        check.body.as_ref().map_or(String::new(), |b| format!(" and the body holds `{b}`")),
                        check.timeout_sec
                    ),
                    "install curl on the host; enable the -healthcheck.timer",
                ));
            }
            Effect::MemoryMax(bytes) => {
                def.service.exec.memory_max = Some(*bytes);
                if def.service.restart == Restart::No {
                    def.service.restart = Restart::OnFailure { delay_sec: None };
                }
                item.findings.push(Finding::approximated(
                    Code::SupervisordEventListener,
                    format!(
                        "the event listener {} restarted the program when its memory exceeded {bytes} bytes: MemoryMax={bytes} (with MemorySwapMax=0, so that it is not swapped out instead) makes the kernel kill it there, and Restart= starts it again (memmon measured every TICK and restarted it gracefully; the limit counts every process of the unit, and page cache too)",
                        hook.listener
                    ),
                    "leave headroom in MemoryMax= or use MemoryHigh= to throttle first",
                ));
            }
        }
    }
}

/// The last argument that is not an option or an option's value.
fn positional(argv: &[String], with_value: &str) -> Option<String> {
    let mut out = None;
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if let Some(short) = a
            .strip_prefix('-')
            .filter(|s| !s.is_empty() && !s.starts_with('-'))
        {
            if let Some(pos) = short.find(|c| with_value.contains(c))
                && pos + 1 == short.len()
            {
                i += 1;
            }
        } else if !a.starts_with("--") {
            out = Some(a.clone());
        }
        i += 1;
    }
    out
}

/// superlance's byte sizes: a number with an optional `KB`, `MB` or `GB` (powers of 1024).
fn superlance_size(s: &str) -> Option<u64> {
    let upper = s.trim().to_ascii_uppercase();
    for (suffix, m) in [("KB", 1u64 << 10), ("MB", 1 << 20), ("GB", 1 << 30)] {
        if let Some(n) = upper.strip_suffix(suffix) {
            return n.trim().parse::<u64>().ok()?.checked_mul(m);
        }
    }
    upper.parse().ok()
}

/// Short and long options of a superlance command line, in order: (`p`, value) or
/// (`program`, value); flags get an empty value.
fn options_of(
    argv: &[String],
    with_value: &str,
    long_with_value: &[&str],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if let Some(long) = a.strip_prefix("--") {
            match long.split_once('=') {
                Some((k, v)) => out.push((k.to_string(), v.to_string())),
                None if long_with_value.contains(&long) => {
                    out.push((
                        long.to_string(),
                        argv.get(i + 1).cloned().unwrap_or_default(),
                    ));
                    i += 1;
                }
                None => out.push((long.to_string(), String::new())),
            }
        } else if let Some(short) = a.strip_prefix('-') {
            for (at, c) in short.char_indices() {
                if with_value.contains(c) {
                    let rest = &short[at + c.len_utf8()..];
                    let v = if rest.is_empty() {
                        i += 1;
                        argv.get(i).cloned().unwrap_or_default()
                    } else {
                        rest.to_string()
                    };
                    out.push((c.to_string(), v));
                    break;
                }
                out.push((c.to_string(), String::new()));
            }
        }
        i += 1;
    }
    out
}

/// The mail of superlance `fatalmailbatch`, as the handler's shell script, run by `OnFailure=`
/// with `MONITOR_*` from systemd and `TO`, `SUBJECT`, `FROM` from its environment: only when the unit
/// gave up (its state is failed, or the start limit was hit; a unit that fails and restarts
/// starts no `OnFailure=`).
const FATAL_MAIL: &str = r#"unit="$MONITOR_UNIT"
case "$MONITOR_SERVICE_RESULT" in start-limit-hit) ;; *) [ "$(systemctl show -P ActiveState "$unit")" = failed ] || exit 0 ;; esac
{ [ -z "$FROM" ] || printf "From: %s\n" "$FROM"; printf "To: %s\nSubject: %s %s: %s %s %s\n\n" "$TO" "$SUBJECT" "$unit" "$MONITOR_SERVICE_RESULT" "$MONITOR_EXIT_CODE" "$MONITOR_EXIT_STATUS"; systemctl status --no-pager -n 30 "$unit"; } | /usr/sbin/sendmail -t -i"#;

/// The mail of superlance `crashmail`, a shell script run by a [`crate::ir::CrashHook`] with
/// the recipient, crashmail's optional subject header (`-o`) and the unit's name as `$1`–`$3`
/// and systemd's `EXIT_CODE`/`EXIT_STATUS`: `To:`, `Subject: [HEADER:] UNIT crashed`, what ended
/// it and `systemctl status`, through `sendmail -t -i` as crashmail sends it.
const CRASH_MAIL: &str = r#"subject="$3 crashed at $(date)"; [ -z "$2" ] || subject="$2: $subject"
{ printf "To: %s\nSubject: %s\n\n%s exited unexpectedly (%s %s, pid %s)\n\n" "$1" "$subject" "$3" "$EXIT_CODE" "$EXIT_STATUS" "$(systemctl show -P ExecMainPID "$3")"; systemctl status --no-pager -n 30 "$3"; } | /usr/sbin/sendmail -t -i"#;

/// An `[eventlistener:x]`: superlance `crashmail`/`fatalmailbatch` become a mail handler
/// template started by `OnFailure=` of the programs they watch, `memmon -p NAME=SIZE` becomes
/// `MemoryMax=` on them; any other listener is dropped with what to do.
fn listener(group: &Group, events: &[String], hooks: &mut Vec<Hook>, host: &Host) -> Item {
    let p = group.processes.first();
    let argv = p.and_then(|p| p.argv.clone().ok()).unwrap_or_default();
    let tool = argv
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_string())
        .unwrap_or_default();
    let listener = format!("[{}]", group.section);
    let dropped = |what: String, help: &'static str| {
        Item::skipped(
            origin_of(group),
            group.name.clone(),
            Finding::dropped(Code::SupervisordEventListener, what, help),
        )
    };
    match tool.as_str() {
        "crashmail" => {
            let opts = options_of(&argv, "pmos", &[]);
            let get = |key: &str| {
                opts.iter()
                    .filter(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .collect::<Vec<_>>()
            };
            let Some(to) = get("m").pop() else {
                return dropped(
                    format!("{listener} (`crashmail`) names no recipient"),
                    "give the handler a recipient by hand",
                );
            };
            let header = get("o").pop().unwrap_or_default();
            hooks.push(Hook {
                listener: listener.clone(),
                // crashmail 2.0 reads -p and -a but mails about every process that exits
                // unexpectedly; so does the conversion.
                programs: None,
                effect: Effect::OnCrash(std::sync::Arc::from([
                    "/bin/sh".to_string(),
                    "-c".to_string(),
                    CRASH_MAIL.to_string(),
                    "sh".to_string(),
                    to,
                    header,
                ])),
            });
            let mut item = Item::skipped(
                origin_of(group),
                group.name.clone(),
                Finding::approximated(
                    Code::SupervisordEventListener,
                    format!(
                        "{listener} (`crashmail`, events {}) is ExecStopPost= on every program (see their findings): a mail through /usr/sbin/sendmail after each unexpected exit; it runs no process of its own",
                        events.join(",")
                    ),
                    "check that /usr/sbin/sendmail works on the host",
                ),
            );
            if opts.iter().any(|(k, _)| k == "p") {
                item.findings.push(Finding::approximated(
                    Code::SupervisordEventListener,
                    format!("{listener}: crashmail 2.0 ignores -p (it mails about every program that exits unexpectedly); so does the conversion"),
                    "remove the ExecStopPost= line from the programs you want no mail about",
                ));
            }
            if opts.iter().any(|(k, _)| k == "s") {
                item.findings.push(Finding::dropped(
                    Code::SupervisordEventListener,
                    format!("{listener}: the mail program given (-s) is not used; the mail goes through /usr/sbin/sendmail -t -i"),
                    "edit the ExecStopPost= lines if mail must go another way",
                ));
            }
            item
        }
        "fatalmailbatch" => {
            let opts = options_of(
                &argv,
                "itfsHeup",
                &[
                    "toEmail",
                    "fromEmail",
                    "subject",
                    "interval",
                    "smtpHost",
                    "userName",
                    "password",
                    "tickEvent",
                ],
            );
            // optparse: `-t`/`--toEmail` …, the last one wins.
            let get = |short: &str, long: &str| {
                opts.iter()
                    .filter(|(k, _)| k == short || k == long)
                    .map(|(_, v)| v.clone())
                    .next_back()
            };
            let Some(to) = get("t", "toEmail") else {
                return dropped(
                    format!("{listener} (`fatalmailbatch`) names no recipient"),
                    "give the handler a recipient by hand",
                );
            };
            let subject = get("s", "subject")
                .unwrap_or_else(|| "Fatal start alert from supervisord".to_string());
            hooks.push(Hook {
                listener: listener.clone(),
                programs: None,
                effect: Effect::OnFailure(group.name.clone()),
            });
            let mut service = Service::oneshot(
                format!(
                    "Mail about a unit that gave up (supervisord event listener {})",
                    group.name
                ),
                Command::Shell {
                    shell: "/bin/sh".to_string(),
                    script: FATAL_MAIL.to_string(),
                },
            );
            service.exec.environment = vec![EnvVar::new("TO", to), EnvVar::new("SUBJECT", subject)];
            if let Some(from) = get("f", "fromEmail") {
                service.exec.environment.push(EnvVar::new("FROM", from));
            }
            service.instances = Instances::Count(0);
            let mut findings = vec![Finding::approximated(
                Code::SupervisordEventListener,
                format!(
                    "{listener} (`fatalmailbatch`, events {}) is a mail handler template started by OnFailure= of every program: it mails `systemctl status` of the unit once it gave up restarting (the start limit hit, supervisord's FATAL), one mail per unit at once instead of a batch per interval",
                    events.join(",")
                ),
                "check that /usr/sbin/sendmail works on the host",
            )];
            if opts.iter().any(|(k, _)| k == "H" || k == "smtpHost") {
                findings.push(Finding::dropped(
                    Code::SupervisordEventListener,
                    format!("{listener}: the SMTP host given is not used; the handler runs /usr/sbin/sendmail"),
                    "edit the handler's ExecStart= if mail must go another way",
                ));
            }
            Item {
                origin: origin_of(group),
                name: group.name.clone(),
                unit_stem: group.name.clone(),
                identity: format!("listener:{}:{}", group.name, argv.join(" ")),
                body: Body::Unit(Box::new(Definition {
                    service,
                    activation: Activation::Manual,
                    socket: None,
                })),
                findings,
            }
        }
        "memmon" => {
            let opts = options_of(
                &argv,
                "pgasm",
                &[
                    "program",
                    "group",
                    "any",
                    "sendmail_program",
                    "email",
                    "uptime",
                    "name",
                ],
            );
            let mut limits: Vec<(Option<Vec<String>>, u64)> = Vec::new();
            for (k, v) in &opts {
                let (names, size) = match k.as_str() {
                    "p" | "program" | "g" | "group" => match v.rsplit_once('=') {
                        Some((n, size)) => {
                            let n = if matches!(k.as_str(), "g" | "group") {
                                format!("{n}:*")
                            } else {
                                n.to_string()
                            };
                            (Some(vec![n]), size)
                        }
                        None => continue,
                    },
                    "a" | "any" => (None, v.as_str()),
                    _ => continue,
                };
                if let Some(bytes) = superlance_size(size) {
                    limits.push((names, bytes));
                }
            }
            if limits.is_empty() {
                return dropped(
                    format!("{listener} (`memmon`) sets no memory limit this conversion can read"),
                    "set MemoryMax= on the programs it watched",
                );
            }
            for (programs, bytes) in limits {
                hooks.push(Hook {
                    listener: listener.clone(),
                    programs,
                    effect: Effect::MemoryMax(bytes),
                });
            }
            let mut item = Item::skipped(
                origin_of(group),
                group.name.clone(),
                Finding::approximated(
                    Code::SupervisordEventListener,
                    format!(
                        "{listener} (`memmon`) is MemoryMax= on the programs it watched (see their findings); it runs no process of its own"
                    ),
                    "nothing to install for the listener itself",
                ),
            );
            if opts.iter().any(|(k, _)| k == "m" || k == "email") {
                item.findings.push(Finding::dropped(
                    Code::SupervisordEventListener,
                    format!("{listener}: memmon's mail on a restart is not converted"),
                    "add OnFailure= with a mail handler to the programs if the mail mattered",
                ));
            }
            item
        }
        "httpok" => {
            let opts = options_of(&argv, "ptcbsmgd", &[]);
            let url = positional(&argv, "ptcbsmgd");
            let interval = events
                .iter()
                .filter_map(|e| e.strip_prefix("TICK_")?.parse::<u64>().ok())
                .min();
            let (Some(url), Some(interval)) = (url, interval) else {
                return dropped(
                    format!(
                        "{listener} (`httpok`) has no URL or no TICK_ event this conversion can read"
                    ),
                    "write a timer running `curl -fsS URL || systemctl restart UNIT`, or use the program's own watchdog (WatchdogSec=)",
                );
            };
            let get = |k: &str| {
                opts.iter()
                    .rev()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.clone())
            };
            let programs = if opts.iter().any(|(k, _)| k == "a") {
                None
            } else {
                Some(
                    opts.iter()
                        .filter(|(k, _)| k == "p")
                        .map(|(_, v)| v.clone())
                        .collect(),
                )
            };
            hooks.push(Hook {
                listener: listener.clone(),
                programs,
                effect: Effect::HealthCheck(crate::ir::HealthCheck {
                    url: url.clone(),
                    interval_sec: interval,
                    timeout_sec: get("t").and_then(|t| t.parse().ok()).unwrap_or(10),
                    status: get("c").and_then(|c| c.parse().ok()).unwrap_or(200),
                    body: get("b"),
                }),
            });
            let mut item = Item::skipped(
                origin_of(group),
                group.name.clone(),
                Finding::approximated(
                    Code::SupervisordEventListener,
                    format!(
                        "{listener} (`httpok` {url}) is a health-check timer on the programs it watched (see their findings); it runs no process of its own"
                    ),
                    "nothing to install for the listener itself",
                ),
            );
            if host.which("curl", super::SYSTEMD_PATH).is_none() {
                item.findings.push(Finding::note(
                    Code::CommandNotFound,
                    format!("`curl` (the health check's client) was not found on PATH={} on {}", super::SYSTEMD_PATH, host.label()),
                    "install curl on the target host, or every check fails and restarts the program",
                ));
            }
            if opts
                .iter()
                .any(|(k, _)| matches!(k.as_str(), "m" | "g" | "d"))
            {
                item.findings.push(Finding::dropped(
                    Code::SupervisordEventListener,
                    format!("{listener}: httpok's mail and core dump (-m, -g, -d) on a restart are not converted"),
                    "add OnFailure= with a mail handler if the mail mattered",
                ));
            }
            item
        }
        _ => dropped(
            format!(
                "the event listener {listener} (`{}`, events {}) is not converted: systemd sends no supervisor events",
                p.map_or("", |p| p.command.as_str()),
                events.join(",")
            ),
            "replace it with a systemd feature: OnFailure= for crash handling, MemoryMax= for memory, a timer with a health check for liveness",
        ),
    }
}
