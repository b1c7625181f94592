//! Where a script sits in boot: `rc?.d` links, `Default-Start` and `# chkconfig:` become
//! `[Install]`, and the LSB dependency headers become ordering.

use super::{Conversion, facility, unit_stem};
use crate::finding::{Code, Finding};
use crate::ir::{Activation, Service};

/// Units of early boot that an early-boot unit may be ordered after (systemd's own targets and
/// services before `sysinit.target`).
const EARLY_UNITS: &[&str] = &[
    "local-fs-pre.target",
    "local-fs.target",
    "swap.target",
    "cryptsetup.target",
    "systemd-remount-fs.service",
    "systemd-tmpfiles-setup.service",
    "systemd-tmpfiles-setup-dev.service",
    "systemd-journald.service",
    "systemd-modules-load.service",
    "systemd-sysctl.service",
    "systemd-udevd.service",
    "systemd-udev-trigger.service",
];

impl Conversion<'_> {
    /// `switched_off` names the defaults-file setting that kept the daemon from starting on
    /// the host (`ENABLED=no`), which makes a linked script effectively disabled.
    pub(super) fn activation(&mut self, switched_off: Option<&str>) -> Activation {
        let links = self.rc_links();
        let mut levels: Vec<String> = links
            .iter()
            .filter(|(_, start, _)| *start)
            .map(|(l, _, _)| l.clone())
            .collect();
        let enabled = if links.is_empty() {
            None
        } else {
            Some(
                links
                    .iter()
                    .any(|(l, start, _)| *start && l != "0" && l != "6"),
            )
        };
        let linked = enabled == Some(true);
        let enabled = match (enabled, switched_off) {
            (Some(true), Some(_)) => Some(false),
            (e, _) => e,
        };
        let from_links = !levels.is_empty();
        if levels.is_empty() {
            levels.clone_from(&self.head.default_start);
        }
        if levels.is_empty()
            && let Some(c) = &self.head.chkconfig
        {
            levels.clone_from(&c.runlevels);
        }
        let mut wanted_by: Vec<String> = Vec::new();
        for l in &levels {
            if let Some(t) = facility::runlevel_target(l)
                && !wanted_by.iter().any(|w| w == t)
            {
                wanted_by.push(t.to_string());
            }
        }
        if wanted_by.iter().any(|t| t == "sysinit.target") {
            self.findings.push(Finding::approximated(
                Code::SysvEarlyBoot,
                "the script ran in early boot (runlevel S); the unit is wanted by sysinit.target but, with default dependencies, starts after it",
                "if it must run before other early-boot units, add DefaultDependencies=no and explicit ordering",
            ));
        }
        let source = if from_links {
            "its rc?.d links"
        } else if !self.head.default_start.is_empty() {
            "Default-Start"
        } else {
            "# chkconfig:"
        };
        match enabled {
            Some(true) => self.findings.push(Finding::note(
                Code::SysvEnabled,
                format!(
                    "enabled at boot on the host (S links in runlevels {})",
                    levels.join(" ")
                ),
                format!("enable the unit: systemctl enable {}.service", self.name),
            )),
            Some(false) if linked => self.findings.push(Finding::note(
                Code::SysvDisabled,
                format!(
                    "linked to start at boot, but {} kept it from starting on the host",
                    switched_off.unwrap_or("a setting")
                ),
                format!(
                    "leave the unit disabled; WantedBy= comes from {source} for when it is enabled"
                ),
            )),
            Some(false) => self.findings.push(Finding::note(
                Code::SysvDisabled,
                "disabled on the host (only K links in its rc?.d directories)",
                format!(
                    "leave the unit disabled; WantedBy= comes from {source} for when it is enabled"
                ),
            )),
            None => {}
        }
        let mut aliases: Vec<String> = Vec::new();
        let dir = self.path.rsplit_once('/').map_or("", |(d, _)| d);
        for p in self
            .head
            .provides
            .iter()
            .filter(|p| !p.starts_with('$') && !facility::is_facility(p) && **p != self.name)
        {
            let alias = format!("{}.service", crate::naming::sanitize(p));
            // Another init script of that name is a service of its own: its unit has the
            // name, and an alias of it would collide with that unit when enabled.
            let script = format!("{dir}/{p}");
            if !dir.is_empty() && self.host.is_executable(&script) {
                self.findings.push(Finding::note(
                    Code::SysvAliasIsScript,
                    format!(
                        "`Provides: {p}` is also the name of the init script {script}, a service of its own: no Alias={alias}"
                    ),
                    format!(
                        "nothing; {script} converts to {alias} (systemd-sysv-generator, too, replaces the alias with that script's own unit)"
                    ),
                ));
                continue;
            }
            aliases.push(alias);
        }
        if wanted_by.is_empty() && aliases.is_empty() {
            return Activation::Manual;
        }
        Activation::Boot {
            wanted_by,
            aliases,
            enabled,
        }
    }

    /// An installed early-boot unit that orders itself after this script's service (by its name
    /// or a `Provides:` alias; [`crate::host::EarlyIndex`]) makes it an early-boot unit too,
    /// or the two would form an ordering cycle through `sysinit.target`:
    /// `Ordering.early_boot` (`DefaultDependencies=no`), `After=` only on the early units of
    /// [`EARLY_UNITS`] plus `local-fs.target systemd-tmpfiles-setup.service`,
    /// `Before=sysinit.target`; the other orderings (and the `Wants=` of late targets) are
    /// dropped and listed in the `sysv-early-ordering` finding.
    pub(super) fn early_boot(&mut self, svc: &mut Service) {
        let mut names = vec![self.name.clone()];
        names.extend(
            self.head
                .provides
                .iter()
                .filter(|p| !p.starts_with('$') && !facility::is_facility(p))
                .map(|p| crate::naming::sanitize(p)),
        );
        let index = self.host.early_index();
        let mut early: Vec<String> = names
            .iter()
            .flat_map(|n| index.ordered_after(&format!("{n}.service")).iter().cloned())
            .collect();
        early.sort();
        early.dedup();
        if early.is_empty() {
            return;
        }
        let o = &mut svc.ordering;
        let mut dropped: Vec<String> = Vec::new();
        o.after.retain(|u| {
            let keep = EARLY_UNITS.contains(&u.as_str());
            if !keep {
                dropped.push(format!("After={u}"));
            }
            keep
        });
        o.wants.retain(|u| {
            let keep = EARLY_UNITS.contains(&u.as_str()) || !u.ends_with(".target");
            if !keep {
                dropped.push(format!("Wants={u}"));
            }
            keep
        });
        if o.by_priority.take().is_some() {
            dropped.push("the ordering by start priority".to_string());
        }
        for u in ["local-fs.target", "systemd-tmpfiles-setup.service"] {
            if !o.after.iter().any(|a| a == u) {
                o.after.push(u.to_string());
            }
        }
        if !o.before.iter().any(|b| b == "sysinit.target") {
            o.before.insert(0, "sysinit.target".to_string());
        }
        o.early_boot = true;
        self.findings.push(Finding::approximated(
            Code::SysvEarlyOrdering,
            format!(
                "{} on {} {} ordered after {}.service and before sysinit.target; with default dependencies that is an ordering cycle systemd breaks at boot, so the unit starts in early boot (DefaultDependencies=no, After=local-fs.target systemd-tmpfiles-setup.service, Before=sysinit.target shutdown.target, Conflicts=shutdown.target){}",
                early.join(", "),
                self.host.label(),
                if early.len() == 1 { "is" } else { "are" },
                self.name,
                if dropped.is_empty() {
                    String::new()
                } else {
                    format!("; not kept: {}", dropped.join(", "))
                }
            ),
            "nothing to do, unless the daemon needs what was not kept (the network for remote logging): then change the early unit's ordering with a drop-in instead",
        ));
    }

    /// `(runlevel, is a start link, priority)` for every `rc?.d` link to this script.
    pub(super) fn rc_links(&self) -> Vec<(String, bool, u32)> {
        let file = self.path.rsplit('/').next().unwrap_or("");
        self.host
            .rc_index()
            .of(file)
            .iter()
            .map(|l| (l.level().to_string(), l.start, l.priority))
            .collect()
    }

    pub(super) fn ordering(&mut self, svc: &mut Service) {
        let h = self.head.clone();
        let mut own: Vec<String> = vec![self.name.clone()];
        own.extend(h.provides.iter().filter(|p| !p.starts_with('$')).cloned());
        let mut missing = Vec::new();
        let add = |list: &mut Vec<String>, unit: String| {
            if !list.contains(&unit) {
                list.push(unit);
            }
        };
        for (names, required) in [
            (&h.required_start, true),
            (&h.should_start, false),
            (&h.start_after, false),
        ] {
            for n in names {
                match facility::translate(n, &own) {
                    facility::Dep::Unit(u) => {
                        if u == "network-online.target"
                            || (required && u.ends_with(".service") && self.exists(&u))
                        {
                            add(&mut svc.ordering.wants, u.clone());
                        }
                        add(&mut svc.ordering.after, u);
                    }
                    facility::Dep::Missing(m) => missing.push(m),
                    facility::Dep::Implied | facility::Dep::Itself => {}
                }
            }
        }
        for n in &h.start_before {
            match facility::translate(n, &own) {
                facility::Dep::Unit(u) => add(&mut svc.ordering.before, u),
                facility::Dep::Missing(m) => missing.push(m),
                _ => {}
            }
        }
        for p in h
            .provides
            .iter()
            .filter(|p| p.starts_with('$') || facility::is_facility(p))
        {
            let targets: Vec<String> = if p == "$network" {
                vec![
                    "network.target".to_string(),
                    "network-online.target".to_string(),
                ]
            } else {
                match facility::translate(p, &[]) {
                    facility::Dep::Unit(u) => vec![u],
                    _ => Vec::new(),
                }
            };
            for t in targets {
                add(&mut svc.ordering.before, t.clone());
                add(&mut svc.ordering.wants, t);
            }
        }
        // Scripts without an LSB header were ordered by their S priority: against the run's
        // one list of scripts by priority, expanded only when the unit is written.
        if !h.lsb
            && let Some(mine) = self.start_priority()
        {
            svc.ordering.by_priority = Some(crate::ir::PriorityOrder {
                units: self.prioritized_units(),
                priority: mine,
            });
        }
        if !missing.is_empty() {
            missing.sort();
            missing.dedup();
            self.findings.push(Finding::note(
                Code::SysvMissingDependency,
                format!("{} exist(s) on no systemd host; not written", missing.join(", ")),
                "nothing to do unless the service really needs something they stood for; then add After=/Wants= on the real unit",
            ));
        }
        if h.required_stop
            .iter()
            .chain(&h.should_stop)
            .chain(&h.stop_after)
            .any(|n| !h.required_start.contains(n) && !h.should_start.contains(n))
        {
            self.findings.push(Finding::note(
                Code::SysvStopOrder,
                "the header orders stopping differently from starting (Required-Stop, Should-Stop or X-Stop-After); systemd stops units in the reverse of their start order",
                "nothing to do in most cases; add Before=/After= if the stop order really matters",
            ));
        }
    }

    /// This script's start priority ([`crate::host::RcIndex::start_priority`]).
    pub(super) fn start_priority(&self) -> Option<u32> {
        let file = self.path.rsplit('/').next().unwrap_or("");
        self.host.rc_index().start_priority(file)
    }

    /// `(stem, unit, start priority)` of every init script with a start priority, sorted by
    /// stem then priority, without the stems a facility supersedes: what a script without an
    /// LSB header is ordered against ([`crate::ir::PriorityOrder`]). Built once per run.
    pub(super) fn prioritized_units(&self) -> std::sync::Arc<crate::ir::PriorityUnits> {
        self.host.rc_index().shared_units(|index| {
            let mut out: Vec<(String, u32)> = index
                .by_start_priority(..)
                .into_iter()
                .map(|(p, script)| (unit_stem(script), p))
                .filter(|(stem, _)| facility::superseded(stem).is_none())
                .collect();
            out.sort();
            out.dedup();
            crate::ir::PriorityUnits::new(out.into_iter().map(|(stem, p)| {
                let unit = format!("{}.service", crate::naming::sanitize(&stem));
                (stem, unit, p)
            }))
        })
    }

    /// Whether a unit exists on the host: installed, or an init script that becomes it.
    pub(super) fn exists(&self, unit: &str) -> bool {
        let stem = unit.trim_end_matches(".service");
        self.host.installed_unit(unit).is_some()
            || self.host.exists(&format!("/etc/init.d/{stem}"))
            || self.host.exists(&format!("/etc/init.d/{stem}.sh"))
    }
}
