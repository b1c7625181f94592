//! Scripts that start several daemons → a unit set: one native service per daemon, and the
//! script's own `NAME.service`, a oneshot that stays active and wants them, so that
//! `systemctl start NAME` and `service NAME stop` keep working.
//!
//! Mapping (script → units):
//! - each `start-stop-daemon --start`/`start_daemon`/`daemon` call of `start` → a member
//!   service named after its program (`/usr/sbin/clamd` → `clamd.service`; the script's own
//!   name or a name taken twice becomes `NAME-PROGRAM`), translated like a one-daemon script:
//!   its own user, pid file, type, run directories; the stop calls that name it (`--exec`,
//!   `--pidfile`, `--name`) give its stop signal and timeout, the reload calls that name it its
//!   `ExecReload=`;
//! - `NAME.service`: `Type=oneshot`, `RemainAfterExit=yes`, `ExecStart=/bin/true`, `Wants=` every
//!   member the script starts on this host, the script's ordering and `[Install]`;
//! - every member: `PartOf=NAME.service` (stopped and restarted with it), `After=` the member
//!   started before it in the script, `[Install] WantedBy=NAME.service`;
//! - a daemon the host's defaults file switches off (the start action skips it with this
//!   host's settings) → a member that `NAME.service` does not want, reported with the setting;
//!   `systemctl enable MEMBER` turns it on.

use super::daemon::{DirBase, PreparedDir, StartPlan, is_run_dir, pick_launch};
use super::launch::{self, Start};
use super::shell::Call;
use super::{Analysis, Conversion};
use crate::finding::{Code, Finding};
use crate::ir::{Activation, Definition, RefKind, Service, UnitRef};

/// One daemon of a unit set.
pub(super) struct Member {
    /// The unit stem it asks for.
    pub(super) stem: String,
    /// The program, for the report's `source.name`.
    pub(super) program: String,
    pub(super) definition: Definition,
    pub(super) findings: Vec<Finding>,
}

/// The distinct daemons a start plan launches with a starter (`start-stop-daemon`,
/// `start_daemon`, `daemon`), in the script's order; `None` when it is not several of them, or
/// when something else starts a process (then a one-daemon reading or the wrapper applies).
fn daemons(plan: &StartPlan) -> Option<Vec<Start>> {
    let mut out: Vec<Start> = Vec::new();
    for l in &plan.launches {
        let s = l.as_ref().ok()?;
        if s.tool == "a direct call" {
            continue;
        }
        if !out
            .iter()
            .any(|t| t.program == s.program && t.pid_file == s.pid_file)
        {
            out.push(s.clone());
        }
    }
    (out.len() > 1).then_some(out)
}

/// The unit stem of daemon `i` of `starts`: its program's name (`clamd`), else — when that is
/// the script's own name or another daemon's too — its pid file's (`/run/exim4/eximqr.pid` →
/// `eximqr`), else `NAME-PROGRAM` (`NAME-PROGRAM-N`); never one of `taken`.
fn member_stem(name: &str, starts: &[Start], i: usize, taken: &[String]) -> String {
    let base = |s: &Start| {
        s.program
            .rsplit('/')
            .next()
            .unwrap_or(&s.program)
            .to_string()
    };
    let pid = |s: &Start| {
        s.pid_file.as_ref().and_then(|p| {
            let f = p.rsplit('/').next()?;
            let f = f.strip_suffix(".pid").unwrap_or(f);
            (!f.is_empty()).then(|| f.to_string())
        })
    };
    let s = &starts[i];
    let b = base(s);
    let free = |c: &str| c != name && !taken.iter().any(|t| t == c);
    if free(&b) && starts.iter().filter(|t| base(t) == b).count() == 1 {
        return b;
    }
    if let Some(p) = pid(s)
        && free(&p)
        && starts
            .iter()
            .filter(|t| pid(t).as_deref() == Some(p.as_str()))
            .count()
            == 1
    {
        return p;
    }
    let plain = format!("{name}-{b}");
    if free(&plain) {
        return plain;
    }
    let mut n = 2;
    loop {
        let c = format!("{name}-{b}-{n}");
        if free(&c) {
            return c;
        }
        n += 1;
    }
}

/// The directories of a unit set: those the start action prepares, and the run directories
/// of the members' pid files.
pub(super) fn shared_dirs(plan: &StartPlan, members: &[Member]) -> Vec<PreparedDir> {
    let mut dirs = plan.dirs.clone();
    for m in members {
        if let crate::ir::ServiceKind::Forking { pid_file: Some(p) } = &m.definition.service.kind
            && let Some(d) = p.rsplit_once('/').and_then(|(d, _)| is_run_dir(d))
            && !dirs.iter().any(|x| x.base == DirBase::Run && x.rel == d)
        {
            dirs.push(PreparedDir {
                base: DirBase::Run,
                rel: d,
                user: None,
                group: None,
                mode: None,
            });
        }
    }
    dirs
}

/// Whether the start action starts several daemons with starters (the unit-set reading).
pub(super) fn applies(plan: &StartPlan) -> bool {
    daemons(plan).is_some()
}

/// Whether a stop or signal call names the daemon `s` (its program, pid file or process name).
fn names(call: &Call, interp: &super::shell::Interp, s: &Start) -> bool {
    let base = s.program.rsplit('/').next().unwrap_or(&s.program);
    launch::stop_targets(call, interp)
        .iter()
        .any(|t| *t == s.program || s.pid_file.as_deref() == Some(t.as_str()) || t == base)
}

impl Conversion<'_> {
    /// Makes `svc` the script's own service of a unit set: a oneshot that stays active and
    /// wants the members the script starts on this host.
    pub(super) fn group(
        &mut self,
        svc: &mut Service,
        members: &[Member],
        dirs: Vec<super::daemon::PreparedDir>,
    ) {
        svc.command = crate::ir::Command::Argv(vec!["/bin/true".to_string()]);
        svc.pre.clear();
        svc.reload.clear();
        svc.kind = crate::ir::ServiceKind::Oneshot {
            remain_after_exit: true,
        };
        svc.exec = crate::ir::ExecContext::default();
        svc.stop = crate::ir::Stop::default();
        // The run directories the daemons share (the script's own and their pid files'),
        // made before any of them starts and kept while the set runs.
        self.directories(svc, dirs, None);
        let wanted: Vec<&Member> = members
            .iter()
            .filter(|m| {
                matches!(
                    m.definition.activation,
                    Activation::Boot {
                        enabled: Some(true),
                        ..
                    }
                )
            })
            .collect();
        svc.ordering.wants_items = wanted
            .iter()
            .map(|m| UnitRef {
                stem: m.stem.clone(),
                kind: RefKind::Service,
            })
            .collect();
        let off: Vec<String> = members
            .iter()
            .filter(|m| !wanted.iter().any(|w| w.stem == m.stem))
            .map(|m| format!("{}.service", m.stem))
            .collect();
        self.findings.push(Finding::note(
            Code::SysvUnitSet,
            format!(
                "the script starts {} daemons: one service each ({}); {}.service starts {} (Wants=), and stopping or restarting it does so to all (they are PartOf= it){}",
                members.len(),
                members
                    .iter()
                    .map(|m| format!("{}.service runs {}", m.stem, m.program))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.name,
                if off.is_empty() { "all of them" } else { "those the script starts on this host" },
                if off.is_empty() {
                    String::new()
                } else {
                    format!("; not started with this host's settings: {}", off.join(", "))
                }
            ),
            format!(
                "`systemctl start {0}` / `systemctl stop {0}` act on the whole set; `systemctl reload {0}` is not available (reload a member)",
                self.name
            ),
        ));
    }

    /// The members of a unit set for a script whose `start` starts several daemons (`all`,
    /// read without deciding on the host's settings), with `decided` (read with them) telling
    /// which of them run on this host; `group` is the script's own service so far (description,
    /// ordering, source). `Err` says why the script stays wrapped.
    pub(super) fn unit_set(
        &mut self,
        all: &Analysis,
        decided: Option<&Analysis>,
        group: &Service,
    ) -> Result<Vec<Member>, String> {
        let Some(starts) = daemons(&all.plan) else {
            return Err(pick_launch(&all.plan.launches)
                .err()
                .unwrap_or_else(|| "its start action starts one daemon".to_string()));
        };
        if let Some(c) = all.plan.functions.first() {
            return Err(format!(
                "its start action calls `{}` ({}), a shell function this tool does not follow",
                c.program().unwrap_or_default(),
                super::shell::place(c.line)
            ));
        }
        let mut members: Vec<Member> = Vec::new();
        let mut stems: Vec<String> = Vec::new();
        for (i, s) in starts.iter().enumerate() {
            let base = s
                .program
                .rsplit('/')
                .next()
                .unwrap_or(&s.program)
                .to_string();
            if s.in_loop {
                return Err(format!(
                    "it starts {} in a loop ({}), once per configuration",
                    s.program,
                    super::shell::place(s.line)
                ));
            }
            // Runs on this host: started when the start action is read with the host's
            // settings (a start after error checks that may end the script counts, as for a
            // one-daemon script).
            let on_host = match decided {
                Some(d) => d
                    .plan
                    .launches
                    .iter()
                    .flatten()
                    .find(|t| t.program == s.program && t.pid_file == s.pid_file),
                None => Some(s),
            };
            let stem = member_stem(&self.name, &starts, i, &stems);
            stems.push(stem.clone());
            // Without the host's settings deciding, a daemon under more tests than the others
            // is the optional one (`if [ "$NEED_X" = yes ]`).
            let least = starts.iter().map(|t| t.cond_depth).min().unwrap_or(0);
            let optional = decided.is_none() && s.cond_depth > least;
            let enabled = on_host.is_some() && !optional;
            let mut optional_finding = None;
            if optional {
                optional_finding = Some(Finding::approximated(
                    Code::SysvUnitSetMember,
                    format!(
                        "the script starts {} only under a further test ({}) this tool cannot decide on this host; {}.service does not want {stem}.service",
                        s.program,
                        super::shell::place(s.line),
                        self.name
                    ),
                    format!(
                        "if the daemon is needed, `systemctl enable {stem}.service` (it is WantedBy={}.service)",
                        self.name
                    ),
                ));
            }
            let plan = StartPlan {
                launches: vec![Ok(s.clone())],
                checks: all
                    .plan
                    .checks
                    .iter()
                    .filter(|c| {
                        c.program()
                            .is_some_and(|p| p.rsplit('/').next() == Some(base.as_str()))
                    })
                    .cloned()
                    .collect(),
                // The directories go to the script's own service (see [`Self::group`]).
                dirs: Vec::new(),
                lost_owner: all.plan.lost_owner.clone(),
                limits: all.plan.limits.clone(),
                umask: all.plan.umask,
                workdir: all.plan.workdir.clone(),
                lock_files: false,
                other: Vec::new(),
                functions: Vec::new(),
            };
            let stops: Vec<Call> = all
                .stop
                .iter()
                .filter(|c| launch::stop(c, &all.interp).is_some() && names(c, &all.interp, s))
                .cloned()
                .collect();
            let reloads: Option<Vec<Call>> = all.reload.as_ref().and_then(|calls| {
                let own: Vec<Call> = calls
                    .iter()
                    .filter(|c| {
                        launch::stop(c, &all.interp).is_some_and(|p| p.signal.is_some())
                            && names(c, &all.interp, s)
                    })
                    .cloned()
                    .collect();
                (!own.is_empty()).then_some(own)
            });
            let saved = std::mem::take(&mut self.findings);
            let mut svc = group.clone();
            svc.description = format!("{} ({stem})", group.description);
            let result = self.native(
                &all.interp,
                &mut svc,
                &plan,
                &stops,
                reloads.as_deref(),
                all.framework,
            );
            if result.is_ok() {
                self.environment(&all.interp, &mut svc);
                svc.conditions
                    .file_is_executable
                    .clone_from(&all.interp.exec_conditions);
            }
            let mut findings = std::mem::replace(&mut self.findings, saved);
            result.map_err(|why| format!("for {}: {why}", s.program))?;
            // A pid file's run directory is shared: the script's own service makes it.
            svc.exec.runtime_directories.clear();
            svc.exec.runtime_directory_mode = None;
            findings.retain(|f| f.code != Code::SysvRuntimeDirectory);
            if reloads.is_none() {
                findings.push(Finding::note(
                    Code::SysvReloadRestarts,
                    format!("the script's reload action does not signal {}; the unit has no ExecReload=", s.program),
                    "use `systemctl restart` to apply new settings",
                ));
            }
            svc.ordering.part_of = vec![UnitRef {
                stem: self.name.clone(),
                kind: RefKind::Service,
            }];
            // After the script's own service, which makes the directories.
            svc.ordering.after_items.push(UnitRef {
                stem: self.name.clone(),
                kind: RefKind::Service,
            });
            if let Some(prev) = members.last() {
                svc.ordering.after_items.push(UnitRef {
                    stem: prev.stem.clone(),
                    kind: RefKind::Service,
                });
            }
            findings.extend(optional_finding);
            if !enabled && !optional {
                findings.push(Finding::approximated(
                    Code::SysvUnitSetMember,
                    format!(
                        "with this host's settings the script does not start {}; {}.service does not want {stem}.service",
                        s.program, self.name
                    ),
                    format!("turn it on with `systemctl enable {stem}.service` (it is WantedBy={}.service) instead of the setting", self.name),
                ));
            }
            members.push(Member {
                stem: stem.clone(),
                program: s.program.clone(),
                definition: Definition {
                    service: svc,
                    activation: Activation::Boot {
                        wanted_by: vec![format!("{}.service", self.name)],
                        aliases: Vec::new(),
                        enabled: Some(enabled),
                    },
                    socket: None,
                },
                findings,
            });
        }
        Ok(members)
    }
}
