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
use super::instance_settings::PerInstanceFile;
use super::launch::{self, Start};
use super::shell::{Call, InstanceLoop, Interp, LoopOver, SourceKind};
use super::{Analysis, Conversion};
use crate::finding::{Code, Finding};
use crate::ir::{
    Activation, Command, Definition, Instance, InstanceSet, Instances, RefKind, Service, UnitRef,
    Word, WordPart,
};

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
/// `interp` tells which variables a per-configuration settings file gives.
fn daemons(plan: &StartPlan, interp: &Interp) -> Option<Vec<Start>> {
    let mut out: Vec<Start> = Vec::new();
    let per_config = |s: &Start| {
        s.in_loop
            && interp
                .instance_loops
                .iter()
                .any(|l| mentions(s, &l.token, interp))
    };
    for l in &plan.launches {
        let s = l.as_ref().ok()?;
        // A program run directly is a daemon of the set only when a per-configuration loop
        // runs it once per configuration (tinc's `$DAEMON -n $net`); else it is a helper.
        if s.tool == "a direct call" && !per_config(s) {
            continue;
        }
        match out
            .iter()
            .position(|t| t.program == s.program && t.pid_file == s.pid_file)
        {
            None => out.push(s.clone()),
            // The program's run whose status an `if` tests (`if nbd-client -c $dev; then skip;
            // else nbd-client $dev`) checks; the one it guards starts the daemon.
            Some(i) if out[i].tested && !s.tested && s.tool == "a direct call" => {
                out[i] = s.clone();
            }
            Some(_) => {}
        }
    }
    (out.len() > 1 || out.first().is_some_and(per_config)).then_some(out)
}

/// Whether a start's words hold `token` (the configuration of a per-configuration loop), or a
/// variable the loop's per-configuration settings file gives (`-i "$interface"` after
/// `. "$config"`).
fn mentions(s: &Start, token: &str, interp: &Interp) -> bool {
    let from_file: Vec<String> = interp
        .instance_files
        .iter()
        .filter(|f| f.token == token)
        .flat_map(|f| {
            interp
                .sourced
                .iter()
                .filter(|x| x.kind == SourceKind::Instance && x.path == f.path)
                .flat_map(|x| x.assigns.clone())
        })
        .collect();
    let reads = |a: &super::shell::Arg| match a {
        super::shell::Arg::Field(parts) => parts
            .iter()
            .any(|p| matches!(p, super::shell::Part::Var(v) if from_file.contains(v))),
        super::shell::Arg::Split(v) => from_file.contains(v),
    };
    s.pid_file.as_deref().is_some_and(|p| p.contains(token))
        || s.args.iter().any(|a| format!("{a:?}").contains(token))
        || s.args.iter().any(reads)
}

/// `cmd` with the loop's configuration ([`super::shell::INSTANCE`]) as the template's
/// instance (`%I`); `None` when the program itself varies.
fn templated(cmd: &Command, token: &str) -> Option<Command> {
    let split = |t: &str| -> Vec<WordPart> {
        let mut parts = Vec::new();
        for (i, piece) in t.split(token).enumerate() {
            if i > 0 {
                parts.push(WordPart::InstanceName);
            }
            if !piece.is_empty() {
                parts.push(WordPart::Text(piece.to_string()));
            }
        }
        parts
    };
    let (program, argv0, args): (&String, Option<String>, Vec<Word>) = match cmd {
        Command::Argv(a) => {
            let (p, rest) = a.split_first()?;
            (
                p,
                None,
                rest.iter().map(|w| Word::Parts(split(w))).collect(),
            )
        }
        Command::Named { program, argv } => {
            let (first, rest) = argv.split_first()?;
            (
                program,
                Some(first.clone()),
                rest.iter().map(|w| Word::Parts(split(w))).collect(),
            )
        }
        Command::Expand {
            program,
            argv0,
            args,
        } => (
            program,
            argv0.clone(),
            args.iter()
                .map(|w| match w {
                    Word::Parts(p) => Word::Parts(
                        p.iter()
                            .flat_map(|x| match x {
                                WordPart::Text(t) => split(t),
                                other => vec![other.clone()],
                            })
                            .collect(),
                    ),
                    other => other.clone(),
                })
                .collect(),
        ),
        Command::Shell { .. } | Command::Restart(_) => return Some(cmd.clone()),
    };
    if program.contains(token) {
        return None;
    }
    if !format!("{args:?}").contains("InstanceName") {
        return Some(cmd.clone());
    }
    Some(Command::Expand {
        program: program.clone(),
        argv0,
        args,
    })
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
                computed_owner: None,
            });
        }
    }
    dirs
}

/// Whether the start action starts several daemons with starters, or one once per
/// configuration (the unit-set reading).
pub(super) fn applies(a: &Analysis) -> bool {
    daemons(&a.plan, &a.interp).is_some()
}

/// Whether `call` only reads and prints (`sed` of a settings file into a pipe), its output
/// not written to a file: nothing a unit needs to do.
fn only_reads(call: &Call) -> bool {
    let words: Vec<String> = call
        .args
        .iter()
        .map(|a| a.literal().unwrap_or_else(|| a.display()))
        .collect();
    call.output.is_none() && super::start_time::reads_only(&words)
}

/// Whether a stop or signal call names the daemon `s` (its program, pid file or process name).
fn names(call: &Call, interp: &super::shell::Interp, s: &Start) -> bool {
    let base = s.program.rsplit('/').next().unwrap_or(&s.program);
    launch::stop_targets(call, interp)
        .iter()
        .any(|t| *t == s.program || s.pid_file.as_deref() == Some(t.as_str()) || t == base)
}

impl Conversion<'_> {
    /// Makes `svc` (read with the loop's configuration standing for any one) the template of a
    /// per-configuration loop: `%I` for the configuration in its command lines, one instance
    /// per configuration file on the host.
    fn per_config(
        &mut self,
        svc: &mut Service,
        l: &InstanceLoop,
        interp: &Interp,
        findings: &mut Vec<Finding>,
    ) -> Result<(), String> {
        let files: &[PerInstanceFile] = &interp.instance_files;
        let varies = "the configuration's name is used where a template cannot vary it";
        svc.command = templated(&svc.command, &l.token).ok_or(varies)?;
        for c in svc.pre.iter_mut().chain(svc.reload.iter_mut()) {
            *c = templated(c, &l.token).ok_or(varies)?;
        }
        if let Some(c) = &svc.stop.command {
            svc.stop.command = Some(templated(c, &l.token).ok_or(varies)?);
        }
        // A pid file per configuration: systemd finds the daemon of each instance itself.
        if let crate::ir::ServiceKind::Forking { pid_file } = &mut svc.kind
            && pid_file.as_deref().is_some_and(|p| p.contains(&l.token))
        {
            *pid_file = None;
        }
        // A per-configuration settings file (`. /etc/arpwatch/$IFACE.iface`): each instance
        // reads its own, when systemd reads every one on the host as the shell does. A variable
        // made from the configuration's name and read at start cannot vary per instance.
        let per_instance = |t: &str| t.replace(&l.token, "%I");
        if let Some(f) = svc
            .exec
            .environment_files
            .iter()
            .find_map(|f| f.fixed_path().filter(|p| p.contains(&l.token)))
        {
            return Err(format!(
                "it sources a settings file per configuration ({}), which this tool cannot give each instance",
                per_instance(f)
            ));
        }
        for f in &svc.exec.environment_files {
            if !matches!(f.path, crate::ir::EnvFilePath::PerInstance { .. }) {
                continue;
            }
            let Some(read) = files
                .iter()
                .find(|r| r.token == l.token && r.env_file_path().as_ref() == Some(&f.path))
            else {
                continue;
            };
            if let Some(why) = read.unreadable() {
                return Err(format!(
                    "it sources a settings file per configuration ({}): {why}",
                    per_instance(&read.path)
                ));
            }
            let have: Vec<&str> = read
                .files
                .iter()
                .filter(|f| f.present)
                .map(|f| f.instance.as_str())
                .collect();
            let vars = read.assigns();
            let defaults: Vec<String> = svc
                .exec
                .environment
                .iter()
                .filter(|e| vars.contains(&e.name))
                .map(|e| format!("{}={}", e.name, e.value))
                .collect();
            // Tests of the file's values before the start (`[ "$interface" ] || return 2`):
            // systemd cannot test an environment file's value, so the instance starts anyway.
            let mut tested: Vec<String> = interp
                .tested
                .iter()
                .filter(|t| vars.contains(&t.name))
                .map(|t| format!("${} ({})", t.name, super::shell::place(t.line)))
                .collect();
            tested.dedup();
            let level = if tested.is_empty() {
                Finding::note
            } else {
                Finding::approximated
            };
            findings.push(level(
                Code::SysvInstanceSettings,
                format!(
                    "the script sources {} for each configuration: each instance reads its own file (EnvironmentFile=-{}){}{}{}",
                    per_instance(&read.path),
                    crate::back::systemd::escape::env_file_path(&f.path),
                    if have.is_empty() {
                        format!(", none of which is on {}", self.host.label())
                    } else {
                        format!(
                            ", on {} plain NAME=value lines for {} ({})",
                            self.host.label(),
                            have.join(", "),
                            if vars.is_empty() {
                                "setting nothing".to_string()
                            } else {
                                format!("setting {}", vars.join(", "))
                            }
                        )
                    },
                    if defaults.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; the script's values before it, {}, are Environment= (the file overrides them)",
                            defaults.join(", ")
                        )
                    },
                    if tested.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; the script tests {} before starting a configuration's daemon, which the unit cannot (it starts the daemon with the file's value, empty or not)",
                            tested.join(", ")
                        )
                    }
                ),
                "keep each configuration's file to plain NAME=value lines (no $VAR, no commands): systemd reads it, not a shell",
            ));
        }
        if let Some(v) = svc
            .exec
            .environment
            .iter()
            .find(|v| v.value.contains(&l.token))
        {
            return Err(format!(
                "${} (`{}`) is made from the configuration's name but read at start, which this tool cannot give each instance",
                v.name,
                per_instance(&v.value)
            ));
        }
        if super::holds_instance(svc) {
            return Err(varies.to_string());
        }
        svc.instances = Instances::Set(InstanceSet {
            instances: l
                .instances
                .iter()
                .map(|n| Instance {
                    name: n.clone(),
                    ..Instance::default()
                })
                .collect(),
            target: false,
        });
        let names = l
            .instances
            .iter()
            .map(|n| {
                format!(
                    "{}@{}",
                    self.name,
                    crate::back::systemd::escape::unit_instance(n)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        findings.push(match &l.over {
            LoopOver::Files if l.instances.is_empty() => Finding::note(
                Code::SysvPerConfiguration,
                format!(
                    "the script starts the daemon once per {} ({}); the host has none, so only the template {}@.service is written",
                    l.pattern,
                    super::shell::place(l.line),
                    self.name
                ),
                format!("add a configuration and start it as `systemctl start {}@NAME` (NAME: the part of the file name the pattern's `*` matches)", self.name),
            ),
            LoopOver::Files => Finding::note(
                Code::SysvPerConfiguration,
                format!(
                    "the script starts the daemon once per {} ({}): a template with one instance per file on {}: {names}",
                    l.pattern,
                    super::shell::place(l.line),
                    self.host.label(),
                ),
                format!("a new configuration file needs `systemctl enable --now {}@NAME`; {}.service wants the instances converted here", self.name, self.name),
            ),
            LoopOver::Words { setting, file } => {
                let from = file
                    .as_deref()
                    .map_or_else(|| "its defaults file (not on the host, or not setting it)".to_string(), str::to_string);
                Finding::approximated(
                    Code::SysvPerSettingWord,
                    if l.instances.is_empty() {
                        format!(
                            "the script starts the daemon once per word of ${setting} ({}), which is empty on {} ({from}): only the template {}@.service is written, and {}.service starts nothing",
                            super::shell::place(l.line),
                            self.host.label(),
                            self.name,
                            self.name
                        )
                    } else {
                        format!(
                            "the script starts the daemon once per word of ${setting} ({}; `{}` in {from} on {}): a template with one instance per word, {names}, which {}.service wants",
                            super::shell::place(l.line),
                            l.instances.join(" "),
                            self.host.label(),
                            self.name
                        )
                    },
                    format!(
                        "${setting} no longer chooses what starts: editing it changes nothing; start another with `systemctl enable --now {0}@WORD` and remove one with `systemctl disable --now {0}@WORD` (and drop it from {0}.service's Wants=)",
                        self.name
                    ),
                )
            }
            LoopOver::Lines { file, skips } => Finding::approximated(
                Code::SysvPerListLine,
                if l.instances.is_empty() {
                    format!(
                        "the script starts the daemon once per line of {file} ({}), which lists none on {}: only the template {}@.service is written, and {}.service starts nothing",
                        super::shell::place(l.line),
                        self.host.label(),
                        self.name,
                        self.name
                    )
                } else {
                    format!(
                        "the script starts the daemon once per line of {file} ({}; {skips}): a template with one instance per line on {}, {names}, which {}.service wants",
                        super::shell::place(l.line),
                        self.host.label(),
                        self.name
                    )
                },
                format!(
                    "{file} no longer chooses what starts: editing it changes nothing; start another with `systemctl enable --now {0}@NAME` and remove one with `systemctl disable --now {0}@NAME` (and drop it from {0}.service's Wants=)",
                    self.name
                ),
            ),
        });
        Ok(())
    }

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
        // Reloadable so that `systemctl reload NAME` works: the reload itself does nothing,
        // and propagates to the members that can reload (`ReloadPropagatedFrom=` this).
        let reloadable: Vec<String> = members
            .iter()
            .filter(|m| !m.definition.service.reload.is_empty())
            .map(|m| match m.definition.service.instances {
                Instances::One => format!("{}.service", m.stem),
                _ => format!("{}@.service", m.stem),
            })
            .collect();
        if !reloadable.is_empty() {
            svc.reload = vec![crate::ir::Command::Argv(vec!["/bin/true".to_string()])];
        }
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
        for m in &wanted {
            match &m.definition.service.instances {
                // The template's instances, by name: the script's own service shares the stem.
                Instances::Set(set) => svc.ordering.wants.extend(set.instances.iter().map(|i| {
                    format!(
                        "{}@{}.service",
                        m.stem,
                        crate::back::systemd::escape::unit_instance(&i.name)
                    )
                })),
                _ => svc.ordering.wants_items.push(UnitRef {
                    stem: m.stem.clone(),
                    kind: RefKind::Service,
                }),
            }
        }
        let off: Vec<String> = members
            .iter()
            .filter(|m| !wanted.iter().any(|w| w.stem == m.stem))
            .map(|m| match m.definition.service.instances {
                Instances::One => format!("{}.service", m.stem),
                _ => format!("{}@.service", m.stem),
            })
            .collect();
        let unit = |m: &Member| match m.definition.service.instances {
            Instances::One => format!("{}.service", m.stem),
            _ => format!("{}@.service (one instance per configuration)", m.stem),
        };
        self.findings.push(Finding::note(
            Code::SysvUnitSet,
            format!(
                "the script starts {}: one service each ({}); {}.service starts {} (Wants=), and stopping or restarting it does so to all (they are PartOf= it){}",
                match members {
                    [m] if !matches!(m.definition.service.instances, Instances::One) =>
                        "its daemon once per configuration".to_string(),
                    _ => format!("{} daemons", members.len()),
                },
                members
                    .iter()
                    .map(|m| format!("{} runs {}", unit(m), m.program))
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
            if reloadable.is_empty() {
                format!(
                    "`systemctl start {0}` / `systemctl stop {0}` act on the whole set; `systemctl reload {0}` is not available (no member reloads)",
                    self.name
                )
            } else {
                format!(
                    "`systemctl start {0}` / `systemctl stop {0}` act on the whole set; `systemctl reload {0}` reloads {1} (ReloadPropagatedFrom={0}.service)",
                    self.name,
                    reloadable.join(", ")
                )
            },
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
        let Some(starts) = daemons(&all.plan, &all.interp) else {
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
        // The undecided tests around every member's start are the set's own conditions
        // (`if [ -f /etc/exports ]`); a test around some members only makes those optional
        // (below), and is not a condition of the member's unit.
        let common: Vec<(String, u32, bool)> = starts
            .iter()
            .map(|s| s.under.clone())
            .reduce(|a, b| {
                a.into_iter()
                    .zip(b)
                    .take_while(|(x, y)| x == y)
                    .map(|(x, _)| x)
                    .collect()
            })
            .unwrap_or_default();
        let mut members: Vec<Member> = Vec::new();
        let mut stems: Vec<String> = Vec::new();
        let mut used_loops: Vec<String> = Vec::new();
        // Stop commands that became a member's ExecStop=, by line.
        let mut undone: Vec<u32> = Vec::new();
        for (i, s) in starts.iter().enumerate() {
            let base = s
                .program
                .rsplit('/')
                .next()
                .unwrap_or(&s.program)
                .to_string();
            // Started once per configuration file: a template, one instance per file.
            let per_config: Option<&InstanceLoop> = if s.in_loop {
                let named: Vec<&InstanceLoop> = all
                    .interp
                    .instance_loops
                    .iter()
                    .filter(|l| mentions(s, &l.token, &all.interp))
                    .collect();
                match named.as_slice() {
                    [one] => Some(*one),
                    _ => {
                        return Err(format!(
                            "it starts {} in a loop ({}) over something other than the configuration files of one directory, the words of a setting or the lines of a list file",
                            s.program,
                            super::shell::place(s.line)
                        ));
                    }
                }
            } else {
                None
            };
            used_loops.extend(per_config.map(|l| l.token.clone()));
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
            let stem = if per_config.is_some() {
                self.name.clone()
            } else {
                member_stem(&self.name, &starts, i, &stems)
            };
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
                launches: vec![Ok(super::launch::Start {
                    under: common.clone(),
                    ..s.clone()
                })],
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
                running_guards: Vec::new(),
                other: Vec::new(),
                functions: Vec::new(),
                set_aside: Vec::new(),
                unlikely_failed: Vec::new(),
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
            self.template.set(per_config.is_some());
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
            self.template.set(false);
            let mut findings = std::mem::replace(&mut self.findings, saved);
            result.map_err(|why| format!("for {}: {why}", s.program))?;
            // Started directly once per configuration and stopped by running the program again
            // for it (`nbd-client $dev` … `nbd-client -d /dev/$dev`): a client that sets
            // something up and undoes it, not a daemon systemd signals.
            if let Some(l) = per_config
                && s.tool == "a direct call"
                && let Some((stop, argv)) = all.stop.iter().find_map(|c| {
                    let own = c.in_loop
                        && launch::stop(c, &all.interp).is_none()
                        && c.program()
                            .is_some_and(|p| p.rsplit('/').next() == Some(base.as_str()))
                        && format!("{:?}", c.args).contains(&l.token);
                    own.then(|| super::daemon::literal_command(c).map(|a| (c, a)))
                        .flatten()
                })
            {
                undone.push(stop.line);
                svc.stop.command = Some(crate::ir::Command::Named {
                    program: svc.command.program().to_string(),
                    argv,
                });
                svc.kind = crate::ir::ServiceKind::Oneshot {
                    remain_after_exit: true,
                };
                findings.push(Finding::note(
                    Code::SysvInstanceClient,
                    format!(
                        "the script runs {} once per configuration ({}) and undoes it by running `{}` ({}): Type=oneshot with RemainAfterExit=yes, and that command as ExecStop=",
                        s.program,
                        super::shell::place(s.line),
                        stop.display().replace(&l.token, "%I"),
                        super::shell::place(stop.line)
                    ),
                    format!("`systemctl stop {}@NAME` runs the stop command for that configuration", self.name),
                ));
            }
            if let Some(l) = per_config {
                // Not started on this host (its settings end the start before the loop): no
                // configuration is one the script starts, whatever the loop would go over.
                let none;
                let l = if on_host.is_some() {
                    l
                } else {
                    none = InstanceLoop {
                        instances: Vec::new(),
                        ..l.clone()
                    };
                    &none
                };
                self.per_config(&mut svc, l, &all.interp, &mut findings)
                    .map_err(|why| format!("for {}: {why}", s.program))?;
                if on_host.is_none() {
                    findings.retain(|f| {
                        !matches!(
                            f.code,
                            Code::SysvPerConfiguration
                                | Code::SysvPerSettingWord
                                | Code::SysvPerListLine
                        )
                    });
                    findings.push(Finding::note(
                        Code::SysvPerConfiguration,
                        format!(
                            "the script starts the daemon once per {} (line {}), but with this host's settings its start action ends before that loop: only the template {}@.service is written, with no instance",
                            match &l.over {
                                LoopOver::Words { setting, .. } => format!("word of ${setting}"),
                                LoopOver::Lines { file, .. } => format!("line of {file}"),
                                LoopOver::Files => l.pattern.clone(),
                            },
                            l.line,
                            self.name
                        ),
                        format!("start a configuration with `systemctl enable --now {}@NAME`", self.name),
                    ));
                }
            }
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
            // `systemctl reload NAME` reloads the daemons that can reload.
            if !svc.reload.is_empty() {
                svc.ordering.reload_with = vec![UnitRef {
                    stem: self.name.clone(),
                    kind: RefKind::Service,
                }];
            }
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
                        "with this host's settings the script does not start {}; {}.service does not want {}.service",
                        s.program,
                        self.name,
                        if per_config.is_some() { format!("{stem}@") } else { stem.clone() }
                    ),
                    format!("turn it on with `systemctl enable {stem}.service` (it is WantedBy={}.service) instead of the setting", self.name),
                ));
            }
            // The same template from another loop of the script (`for CONF in */x.conf` when
            // `$AUTOSTART` is "all", `for NAME in $AUTOSTART` otherwise): one template, the
            // instances of both.
            let bare = |svc: &Service| {
                let mut svc = svc.clone();
                svc.instances = Instances::One;
                // After the member before it: the same template.
                let mut after: Vec<UnitRef> = svc.ordering.after_items.iter().cloned().collect();
                after.dedup();
                svc.ordering.after_items = after.into();
                svc
            };
            if per_config.is_some()
                && let Some(m) = members.iter_mut().find(|m| {
                    m.stem == stem
                        && m.definition.activation
                            == Activation::Boot {
                                wanted_by: vec![format!("{}.service", self.name)],
                                aliases: Vec::new(),
                                enabled: Some(enabled),
                            }
                        && bare(&m.definition.service) == bare(&svc)
                })
            {
                if let (Instances::Set(mine), Instances::Set(theirs)) =
                    (&mut m.definition.service.instances, &svc.instances)
                {
                    for i in &theirs.instances {
                        if !mine.instances.iter().any(|j| j.name == i.name) {
                            mine.instances.push(i.clone());
                        }
                    }
                }
                for f in findings {
                    if !m.findings.contains(&f) {
                        m.findings.push(f);
                    }
                }
                continue;
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
        // What else the start action runs (not a daemon, not a check of one) is not in any
        // member's unit: said, as for a one-daemon script. A configuration's name reads as the
        // instance, `%I`, in the loop that starts the members; another loop's as `…`.
        let mut said: Vec<(String, u32)> = Vec::new();
        for call in all.plan.other.iter().filter(|c| !only_reads(c)) {
            let mut shown = call.display();
            for l in &all.interp.instance_loops {
                let each = if used_loops.contains(&l.token) {
                    "%I"
                } else {
                    "…"
                };
                shown = shown.replace(&l.token, each);
            }
            // A step the start reaches twice (a function called on two paths) is said once.
            if said.contains(&(shown.clone(), call.line)) {
                continue;
            }
            said.push((shown.clone(), call.line));
            self.findings.push(Finding::dropped(
                Code::SysvStartStep,
                format!(
                    "start also runs `{shown}` ({}), which is not translated",
                    super::shell::place(call.line)
                ),
                "if the daemons need it, add it as ExecStartPre= of the script's own service (prefix `+` to run it as root)",
            ));
        }
        // Other runs of a member's program in the start action: the check an `if` makes before
        // starting it (already running), or a step of its own.
        // Only beside a member started once per configuration: elsewhere another run of a
        // member's program is the same daemon on another path (a unit set reads the likely one).
        for other in all.plan.launches.iter().flatten() {
            if used_loops.is_empty()
                || starts
                    .iter()
                    .any(|t| t.line == other.line && t.program == other.program)
            {
                continue;
            }
            let same_loop = used_loops
                .iter()
                .any(|token| mentions(other, token, &all.interp));
            // Another way of starting the configuration's daemon, on another path.
            if same_loop && !other.tested {
                continue;
            }
            let mut shown = format!(
                "{} {}",
                other.program,
                other
                    .args
                    .iter()
                    .map(|a| a.literal().unwrap_or_else(|| a.display()))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            for l in &all.interp.instance_loops {
                let each = if used_loops.contains(&l.token) {
                    "%I"
                } else {
                    "…"
                };
                shown = shown.replace(&l.token, each);
            }
            let shown = shown.trim_end().to_string();
            let guard =
                other.tested && same_loop && starts.iter().any(|t| t.program == other.program);
            if guard {
                self.findings.push(Finding::note(
                    Code::SysvRunningGuard,
                    format!(
                        "the script runs `{shown}` ({}) first and skips the start when it succeeds (already running); dropped: systemd does not start an active unit again",
                        super::shell::place(other.line)
                    ),
                    "nothing to do",
                ));
            } else {
                self.findings.push(Finding::dropped(
                    Code::SysvStartStep,
                    format!(
                        "start also runs `{shown}` ({}), which is not translated",
                        super::shell::place(other.line)
                    ),
                    "if the daemons need it, add it as ExecStartPre= of the script's own service (prefix `+` to run it as root)",
                ));
            }
        }
        // What else the stop action runs (not a signal to a member, not its ExecStop=).
        let mut said: Vec<(String, u32)> = Vec::new();
        for call in &all.stop {
            let program = call.program().unwrap_or_default();
            if undone.contains(&call.line)
                || only_reads(call)
                || launch::stop(call, &all.interp).is_some()
                || super::is_harmless(&program)
                || program.rsplit('/').next() == Some("rm")
                || launch::is_ssd(call, "--status")
            {
                continue;
            }
            let mut shown = call.display();
            for l in &all.interp.instance_loops {
                let each = if used_loops.contains(&l.token) {
                    "%I"
                } else {
                    "…"
                };
                shown = shown.replace(&l.token, each);
            }
            if said.contains(&(shown.clone(), call.line)) {
                continue;
            }
            said.push((shown.clone(), call.line));
            self.findings.push(Finding::dropped(
                Code::SysvStopStep,
                format!(
                    "stop also runs `{shown}` ({}), which is not translated",
                    super::shell::place(call.line)
                ),
                "if this step matters, add it as ExecStopPost= of the script's own service",
            ));
        }
        Ok(members)
    }
}
