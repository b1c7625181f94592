//! Settings files a per-configuration loop sources once per configuration
//! (`. /etc/arpwatch/$IFACE.iface`, softflowd's `. "$config"` for each `/etc/softflowd/*.conf`,
//! saslauthd's `. $1` for each `/etc/default/saslauthd*`): each instance of the template reads
//! its own file.
//!
//! Mapping (script → unit):
//! - the sourced path, with the configuration's name where the loop puts it →
//!   `EnvironmentFile=-BEFORE%IAFTER` ([`EnvFilePath::PerInstance`]; `-`: an instance without
//!   its file starts with the script's defaults, as the script's `[ -f F ] && . F` does);
//! - the variables the files assign → `${VAR}` on the command line, expanded by systemd from
//!   that file; the script's own values for them before the sourcing → `Environment=` (systemd
//!   lets `EnvironmentFile=` override `Environment=`, as the later sourcing overrides them);
//! - only when every instance's file on the host is plain `NAME=value` lines, which systemd reads
//!   as the shell does; else the script stays wrapped, naming the file and line.

use super::shell::InstanceLoop;
use crate::host::Host;
use crate::ir::EnvFilePath;

/// One configuration's settings file on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceFile {
    /// The configuration's name (the template's instance).
    pub instance: String,
    /// The file's path for it.
    pub path: String,
    /// Whether the host has it.
    pub present: bool,
    /// The variables it assigns, in order.
    pub assigns: Vec<String>,
    /// Its lines that are more than `NAME=value` (systemd's `EnvironmentFile=` would not read
    /// them as the shell does).
    pub shell_lines: Vec<u32>,
}

/// A settings file sourced once per configuration: its path with the loop's token, and each
/// configuration's file on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerInstanceFile {
    /// The path as sourced, with the loop's token for the configuration's name.
    pub path: String,
    /// The loop's token.
    pub token: String,
    pub files: Vec<InstanceFile>,
}

impl PerInstanceFile {
    /// Reads the file `path` (holding `l`'s token) of every configuration of `l` on `host`.
    #[must_use]
    pub fn read(host: &Host, path: &str, l: &InstanceLoop) -> Self {
        let files = l
            .instances
            .iter()
            .map(|name| {
                let p = path.replace(&l.token, name);
                match host.read(&p) {
                    Ok(bytes) => {
                        let text = String::from_utf8_lossy(&bytes);
                        InstanceFile {
                            instance: name.clone(),
                            assigns: assigned_names(&text),
                            shell_lines: super::shell::shell_lines(&text),
                            path: p,
                            present: true,
                        }
                    }
                    Err(_) => InstanceFile {
                        instance: name.clone(),
                        path: p,
                        present: false,
                        assigns: Vec::new(),
                        shell_lines: Vec::new(),
                    },
                }
            })
            .collect();
        PerInstanceFile {
            path: path.to_string(),
            token: l.token.clone(),
            files,
        }
    }

    /// Whether some configuration's file is on the host.
    #[must_use]
    pub fn any_present(&self) -> bool {
        self.files.iter().any(|f| f.present)
    }

    /// Every variable some configuration's file assigns, in first-seen order.
    #[must_use]
    pub fn assigns(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for n in self.files.iter().flat_map(|f| &f.assigns) {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        out
    }

    /// The path as `EnvironmentFile=` names it per instance; `None` when the configuration's
    /// name is not in it exactly once.
    #[must_use]
    pub fn env_file_path(&self) -> Option<EnvFilePath> {
        per_instance_path(&self.path, &self.token)
    }

    /// Why systemd would not read some configuration's file as the shell does (its first line
    /// that is more than `NAME=value`), when so.
    #[must_use]
    pub fn unreadable(&self) -> Option<String> {
        let f = self.files.iter().find(|f| !f.shell_lines.is_empty())?;
        Some(format!(
            "{} (the settings file of configuration {}) has shell code EnvironmentFile= does not run (line {})",
            f.path,
            f.instance,
            f.shell_lines
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// `path` with `token` standing for the instance name, as a per-instance file; `None` unless
/// the token is in it exactly once.
#[must_use]
pub fn per_instance_path(path: &str, token: &str) -> Option<EnvFilePath> {
    let (before, after) = path.split_once(token)?;
    if after.contains(token) || token.is_empty() {
        return None;
    }
    Some(EnvFilePath::PerInstance {
        before: before.to_string(),
        after: after.to_string(),
    })
}

/// The names of a settings file's `NAME=value` lines (an `export NAME=value` too), in order.
fn assigned_names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let t = t.strip_prefix("export ").map_or(t, str::trim_start);
        if let Some((name, _)) = t.split_once('=')
            && crate::ir::env_name_is_valid(name)
            && !out.iter().any(|n| n == name)
        {
            out.push(name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_once_gives_the_path_around_the_instance() {
        assert_eq!(
            per_instance_path("/etc/arpwatch/TOKA.iface", "TOKA"),
            Some(EnvFilePath::PerInstance {
                before: "/etc/arpwatch/".to_string(),
                after: ".iface".to_string()
            })
        );
        assert_eq!(per_instance_path("/etc/TOKA/TOKA.conf", "TOKA"), None);
        assert_eq!(per_instance_path("/etc/default/x", "TOKA"), None);
    }

    #[test]
    fn assigned_names_are_read_from_plain_and_exported_lines() {
        assert_eq!(
            assigned_names("# c\ninterface='eth0'\nexport options=\"-n x\"\nfi\ninterface=x\n"),
            vec!["interface".to_string(), "options".to_string()]
        );
    }
}
