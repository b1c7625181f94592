//! Compares the process the legacy tool started with the one our unit started, field by field,
//! and sorts every difference into accepted (a rule with its reason, printed), known (a listed
//! difference of one case, with its reason: the test fails when it no longer shows up) or
//! unexplained (the test fails).

use crate::harness::Proc;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    /// `argv`, `cwd`, `uid`, `env:NAME`, `limit:Max open files`, `fd1`, …
    pub key: String,
    pub theirs: String,
    pub ours: String,
}

impl std::fmt::Display for Diff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: legacy {:?}, ours {:?}",
            self.key, self.theirs, self.ours
        )
    }
}

/// Every field in which two processes differ.
pub fn differences(theirs: &Proc, ours: &Proc) -> Vec<Diff> {
    let mut out = Vec::new();
    let mut field = |key: &str, t: String, o: String| {
        if t != o {
            out.push(Diff {
                key: key.to_string(),
                theirs: t,
                ours: o,
            });
        }
    };
    field("exe", theirs.exe.clone(), ours.exe.clone());
    field(
        "argv",
        format!("{:?}", theirs.argv),
        format!("{:?}", ours.argv),
    );
    field("cwd", theirs.cwd.clone(), ours.cwd.clone());
    field(
        "uid",
        format!("{:?}", theirs.uid),
        format!("{:?}", ours.uid),
    );
    field(
        "gid",
        format!("{:?}", theirs.gid),
        format!("{:?}", ours.gid),
    );
    field(
        "groups",
        format!("{:?}", theirs.groups),
        format!("{:?}", ours.groups),
    );
    field("umask", theirs.umask.clone(), ours.umask.clone());
    field("nice", theirs.nice.to_string(), ours.nice.to_string());
    field(
        "stdin",
        theirs
            .stdin
            .as_ref()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
        ours.stdin
            .as_ref()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
    );
    for (n, (t, o)) in theirs.fds.iter().zip(&ours.fds).enumerate() {
        // Socket and pipe inode numbers differ between any two processes.
        let kind = |s: &str| s.split(":[").next().unwrap_or(s).to_string();
        field(&format!("fd{n}"), kind(t), kind(o));
    }
    let keys: BTreeSet<&String> = theirs.limits.keys().chain(ours.limits.keys()).collect();
    for k in keys {
        field(
            &format!("limit:{k}"),
            theirs.limits.get(k).cloned().unwrap_or_default(),
            ours.limits.get(k).cloned().unwrap_or_default(),
        );
    }
    let keys: BTreeSet<&String> = theirs.status.keys().chain(ours.status.keys()).collect();
    for k in keys {
        field(
            &format!("status:{k}"),
            theirs.status.get(k).cloned().unwrap_or_default(),
            ours.status.get(k).cloned().unwrap_or_default(),
        );
    }
    let keys: BTreeSet<&String> = theirs.env.keys().chain(ours.env.keys()).collect();
    for k in keys {
        let show = |m: &BTreeMap<String, String>| match m.get(k) {
            Some(v) => v.clone(),
            None => "(unset)".to_string(),
        };
        field(&format!("env:{k}"), show(&theirs.env), show(&ours.env));
    }
    out
}

/// A difference the test accepts, with the reason printed next to it.
pub struct Rule {
    pub reason: &'static str,
    pub applies: Box<dyn Fn(&Diff) -> bool>,
}

/// A difference of one case that the test expects, with its reason (a translation bug to fix,
/// or systemd behaving differently on purpose). `key` is matched exactly.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    pub key: &'static str,
    pub reason: &'static str,
}

pub struct Verdict {
    pub accepted: Vec<(Diff, &'static str)>,
    pub known: Vec<(Diff, &'static str)>,
    pub unexplained: Vec<Diff>,
}

pub fn judge(diffs: Vec<Diff>, rules: &[Rule], known: &[Known]) -> Verdict {
    let mut v = Verdict {
        accepted: Vec::new(),
        known: Vec::new(),
        unexplained: Vec::new(),
    };
    for d in diffs {
        if let Some(k) = known.iter().find(|k| k.key == d.key) {
            v.known.push((d, k.reason));
        } else if let Some(r) = rules.iter().find(|r| (r.applies)(&d)) {
            v.accepted.push((d, r.reason));
        } else {
            v.unexplained.push(d);
        }
    }
    v
}

pub fn unset(s: &str) -> bool {
    s == "(unset)"
}

/// The directories of a PATH value.
pub fn path_dirs(s: &str) -> BTreeSet<&str> {
    s.split(':').filter(|d| !d.is_empty()).collect()
}

/// systemd's PATH for services (split-usr build, as Debian 12's).
pub const SYSTEMD_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

#[cfg(test)]
mod tests {
    use super::*;

    fn proc_with(env: &[(&str, &str)], cwd: &str) -> Proc {
        Proc {
            argv: vec!["/usr/sbin/d".into()],
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            cwd: cwd.into(),
            fds: vec!["/dev/null".into(), "socket:[1]".into(), "socket:[2]".into()],
            ..Proc::default()
        }
    }

    #[test]
    fn every_difference_is_accepted_known_or_unexplained() {
        let theirs = proc_with(&[("PATH", "/bin"), ("PWD", "/")], "/");
        let mut ours = proc_with(&[("PATH", "/bin"), ("INVOCATION_ID", "x")], "/root");
        ours.fds[1] = "socket:[9]".into();
        let diffs = differences(&theirs, &ours);
        let keys: Vec<&str> = diffs.iter().map(|d| d.key.as_str()).collect();
        // Socket inode numbers are no difference.
        assert_eq!(keys, ["cwd", "env:INVOCATION_ID", "env:PWD"]);
        let rules = vec![Rule {
            reason: "set by systemd",
            applies: Box::new(|d: &Diff| d.key == "env:INVOCATION_ID" && unset(&d.theirs)),
        }];
        let known = [Known {
            key: "cwd",
            reason: "a listed bug",
        }];
        let v = judge(diffs, &rules, &known);
        assert_eq!(v.accepted.len(), 1);
        assert_eq!(v.known.len(), 1);
        assert_eq!(v.unexplained.len(), 1);
        assert_eq!(v.unexplained[0].key, "env:PWD");
        assert_eq!(v.unexplained[0].ours, "(unset)");
    }
}
