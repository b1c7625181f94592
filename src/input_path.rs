//! How a path typed on the command line names a file of a host copy mounted at `--root DIR`.
//!
//! A user (or a shell glob) writes an input in one of three ways:
//! - inside the copy, `DIR/etc/cron.d/x`: the host file is the part after `DIR`;
//! - the host's own path, `/etc/cron.d/x`: resolved inside `DIR`;
//! - relative, `etc/cron.d/x` or `../cron.d/x`: made absolute against the current directory,
//!   as every command-line tool does, and then it must lie inside `DIR`.
//!
//! Paths are compared after lexical normalisation (`.`, `..`, doubled and trailing slashes), and
//! `DIR` also by its canonical form, so a copy reached through a symbolic link (or a typed path
//! through another link to the same copy) is still recognised. Links inside the copy are never
//! followed on this machine: they are the host's, and [`crate::host::Host`] resolves them.

use std::path::{Component, Path, PathBuf};

/// The mount point of a host copy.
#[derive(Debug, Clone)]
pub struct Mount {
    /// `DIR` made absolute and normalised lexically: how messages name it.
    lexical: PathBuf,
    /// `DIR` with every symbolic link resolved: what is read.
    physical: PathBuf,
}

/// Removes `.` components, doubled and trailing slashes, and folds `..` into its parent
/// (`/..` stays `/`), without looking at the filesystem.
#[must_use]
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let up = matches!(
                    out.components().next_back(),
                    None | Some(Component::ParentDir)
                );
                if up && !out.has_root() {
                    out.push("..");
                } else {
                    out.pop();
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` made absolute against `cwd` (when relative) and normalised.
fn absolute(path: &Path, cwd: Option<&Path>) -> Option<PathBuf> {
    if path.is_absolute() {
        Some(normalize(path))
    } else {
        cwd.map(|c| normalize(&c.join(path)))
    }
}

/// The host path of `rest`, a path relative to the mount point.
fn host_of(rest: &Path) -> String {
    format!("/{}", rest.to_string_lossy())
}

impl Mount {
    /// The copy at `dir`, which may be relative to `cwd`.
    ///
    /// # Errors
    /// When `dir` cannot be resolved (it does not exist, or it is relative and the current
    /// directory is unknown).
    pub fn new(dir: &Path, cwd: Option<&Path>) -> Result<Mount, String> {
        let lexical = absolute(dir, cwd).ok_or_else(|| {
            format!(
                "--root {}: the current directory is unknown; give the directory as an absolute path",
                dir.display()
            )
        })?;
        // The directory the system opens for `dir` (`..` after a link goes up from the link's
        // target); the lexical spelling is kept only when it names the same directory.
        let joined = match cwd {
            Some(c) if dir.is_relative() => c.join(dir),
            _ => dir.to_path_buf(),
        };
        let physical = joined
            .canonicalize()
            .map_err(|e| format!("--root {}: {e}", dir.display()))?;
        let lexical = if lexical.canonicalize().is_ok_and(|l| l == physical) {
            lexical
        } else {
            physical.clone()
        };
        Ok(Mount { lexical, physical })
    }

    /// The directory to read the host from (every symbolic link resolved).
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.physical
    }

    /// How messages name the mount point: absolute, normalised, links kept as typed.
    #[must_use]
    pub fn display(&self) -> std::path::Display<'_> {
        self.lexical.display()
    }

    /// The part of the absolute, normalised `path` after the mount point, when it lies inside.
    fn inside(&self, path: &Path) -> Option<PathBuf> {
        for root in [&self.lexical, &self.physical] {
            if let Ok(rest) = path.strip_prefix(root) {
                return Some(rest.to_path_buf());
            }
        }
        // Through a symbolic link to the copy: the first ancestor that is the copy itself.
        // Only ancestors up to it are resolved on this machine, nothing inside the copy.
        let parts: Vec<Component<'_>> = path.components().collect();
        let mut prefix = PathBuf::new();
        for (i, c) in parts.iter().enumerate() {
            prefix.push(c);
            if i > 0 && prefix.canonicalize().is_ok_and(|p| p == self.physical) {
                return Some(parts[i + 1..].iter().collect());
            }
        }
        None
    }

    /// The host path an input typed as `typed` names, and whether it was typed as the host's
    /// own absolute path (rather than as a path inside the copy).
    ///
    /// # Errors
    /// A message naming the paths tried and how to write the input, when `typed` is relative
    /// and outside the copy, or is the mount point itself.
    pub fn host_path(&self, typed: &str, cwd: Option<&Path>) -> Result<(String, bool), String> {
        let given = Path::new(typed);
        let dir = self.lexical.display();
        let Some(path) = absolute(given, cwd) else {
            return Err(format!(
                "`{typed}` is relative and the current directory is unknown; write the host's path (/{}) or the path inside the copy ({dir}/{})",
                normalize(given).display(),
                normalize(given).display()
            ));
        };
        match self.inside(&path) {
            Some(rest) if rest.as_os_str().is_empty() => Err(format!(
                "`{typed}` is the --root directory itself, not a file in it; name the files to convert ({dir}/etc/crontab, or /etc/crontab as the host names it), or run `systemdify scan --root {dir}` to convert everything on the host"
            )),
            Some(rest) => Ok((host_of(&rest), false)),
            None if given.is_absolute() => Ok((path.to_string_lossy().into_owned(), true)),
            None => {
                let as_host = normalize(&Path::new("/").join(given));
                let rest = as_host.strip_prefix("/").unwrap_or(&as_host);
                Err(format!(
                    "`{typed}` is relative, so it is {} from the current directory, which is not inside --root {dir}; write {} (inside the copy) or {} (the host's path)",
                    path.display(),
                    self.lexical.join(rest).display(),
                    as_host.display()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_normalisation() {
        let n = |p: &str| normalize(Path::new(p)).to_string_lossy().into_owned();
        assert_eq!(n("/mnt/old/"), "/mnt/old");
        assert_eq!(n("/mnt//old/./etc/../etc/crontab"), "/mnt/old/etc/crontab");
        assert_eq!(n("/../etc"), "/etc");
        assert_eq!(n("../a/./b/.."), "../a");
        assert_eq!(n("../../a"), "../../a");
    }

    #[test]
    fn the_three_forms() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("copy/etc")).unwrap();
        let mount = Mount::new(Path::new("copy/"), Some(&base)).unwrap();
        assert_eq!(mount.dir(), base.join("copy"));
        let host = |typed: &str, cwd: &Path| mount.host_path(typed, Some(cwd));
        let inside = format!("{}/copy/etc/crontab", base.display());
        assert_eq!(host(&inside, &base), Ok(("/etc/crontab".into(), false)));
        assert_eq!(
            host("/etc/crontab", &base),
            Ok(("/etc/crontab".into(), true))
        );
        assert_eq!(
            host("/etc/./cron.d/../crontab", &base),
            Ok(("/etc/crontab".into(), true))
        );
        assert_eq!(
            host("copy/etc/crontab", &base),
            Ok(("/etc/crontab".into(), false))
        );
        assert_eq!(
            host("../crontab", &base.join("copy/etc")),
            Ok(("/crontab".into(), false))
        );
        let outside = host("etc/crontab", &base).unwrap_err();
        assert!(outside.contains(&format!("{}/etc/crontab", base.display())));
        assert!(outside.contains(&inside), "{outside}");
        assert!(host("copy", &base).unwrap_err().contains("itself"));
        // `..` out of the copy leaves it: then it is no longer inside.
        assert!(host("copy/../etc/crontab", &base).is_err());
    }

    fn s(p: &Path) -> String {
        p.to_string_lossy().into_owned()
    }

    #[test]
    fn a_link_to_the_copy() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("copy/etc")).unwrap();
        std::os::unix::fs::symlink(base.join("copy"), base.join("link")).unwrap();
        // A link inside the copy points at the host's own /etc, never this machine's.
        std::os::unix::fs::symlink("/etc", base.join("copy/hostetc")).unwrap();
        let mount = Mount::new(&base.join("copy"), None).unwrap();
        let linked = format!("{}/link/etc/crontab", base.display());
        assert_eq!(
            mount.host_path(&linked, None),
            Ok(("/etc/crontab".into(), false))
        );
        let through = format!("{}/copy/hostetc/crontab", base.display());
        assert_eq!(
            mount.host_path(&through, None),
            Ok(("/hostetc/crontab".into(), false))
        );
        // `link/..` is the parent of the link's target for the system, not `base`.
        std::fs::create_dir_all(base.join("elsewhere/copy2")).unwrap();
        std::os::unix::fs::symlink(base.join("elsewhere/copy2"), base.join("copy/up")).unwrap();
        let parent = Mount::new(Path::new("copy/up/.."), Some(&base)).unwrap();
        assert_eq!(parent.dir(), base.join("elsewhere"));
        assert_eq!(parent.display().to_string(), s(&base.join("elsewhere")));
        let via_link = Mount::new(&base.join("link"), None).unwrap();
        let real = format!("{}/copy/etc/crontab", base.display());
        assert_eq!(
            via_link.host_path(&real, None),
            Ok(("/etc/crontab".into(), false))
        );
    }
}
