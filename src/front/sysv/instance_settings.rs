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
    use crate::finding::Code;
    use crate::ir::{Body, Item, Service, Word, WordPart};

    const HEAD: &str = "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: food\n# Required-Start: $network $syslog\n# Default-Start: 2 3 4 5\n# Short-Description: Food daemon\n### END INIT INFO\n";

    fn items_on(script: &str, files: &[(&str, &str)]) -> Vec<Item> {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        super::super::parse_init_script(
            "/etc/init.d/food",
            Some("/etc/init.d/food"),
            script,
            &Host::at(dir.path()),
        )
    }

    fn service(item: &Item) -> &Service {
        match &item.body {
            Body::Unit(d) => &d.service,
            other => panic!("no unit: {other:?} {:?}", item.findings),
        }
    }

    /// A loop over `/etc/food/*.conf` whose body sources the configuration and starts the
    /// daemon with its variables, the action dispatch inside the function the loop calls.
    fn per_conf_script() -> String {
        format!(
            "{HEAD}do_start() {{\n  interface=\n  . \"$2\"\n  start-stop-daemon --start --exec /usr/sbin/food -- -p /run/food/$1.pid -i \"$interface\" $options\n}}\ndo_action() {{\n  instance=\"$(basename \"${{1%%.conf}}\")\"\n  case \"$action\" in\n    start) do_start \"$instance\" \"$1\" ;;\n    stop) start-stop-daemon --stop --pidfile /run/food/$instance.pid ;;\n  esac\n}}\naction=\"$1\"\nfor config in /etc/food/*.conf; do\n  do_action \"$config\"\ndone\n"
        )
    }

    #[test]
    fn a_settings_file_per_configuration_is_the_instances_environment_file() {
        let items = items_on(
            &per_conf_script(),
            &[
                ("/etc/food/lan.conf", "interface='eth0'\noptions=\"-v 9\"\n"),
                ("/etc/food/wan.conf", "# wan\ninterface=eth1\n"),
            ],
        );
        assert_eq!(items.len(), 2, "{:?}", items[0].findings);
        let template = service(&items[1]);
        assert_eq!(
            template.exec.environment_files,
            vec![crate::ir::EnvFile {
                path: EnvFilePath::PerInstance {
                    before: "/etc/food/".to_string(),
                    after: ".conf".to_string()
                },
                optional: true
            }]
        );
        let crate::ir::Command::Expand { args, .. } = &template.command else {
            panic!("{:?}", template.command);
        };
        assert!(args.contains(&Word::Parts(vec![WordPart::Var("interface".to_string())])));
        assert!(args.contains(&Word::Split("options".to_string())));
        assert!(args.contains(&Word::Parts(vec![
            WordPart::Text("/run/food/".to_string()),
            WordPart::InstanceName,
            WordPart::Text(".pid".to_string())
        ])));
        let found = items[1]
            .findings
            .iter()
            .find(|f| f.code == Code::SysvInstanceSettings)
            .expect("the finding");
        assert!(format!("{found:?}").contains("lan, wan"), "{found:?}");
    }

    #[test]
    fn a_configuration_file_with_shell_code_keeps_the_script_wrapped_naming_it() {
        let items = items_on(
            &per_conf_script(),
            &[
                ("/etc/food/lan.conf", "interface=eth0\n"),
                ("/etc/food/wan.conf", "base=-v\noptions=\"$base 9\"\n"),
            ],
        );
        assert_eq!(items.len(), 1);
        let wrapped = items[0]
            .findings
            .iter()
            .find(|f| f.code == Code::SysvWrapped)
            .expect("wrapped");
        let text = format!("{wrapped:?}");
        assert!(text.contains("/etc/food/wan.conf"), "{text}");
        assert!(text.contains("line 2"), "{text}");
    }

    #[test]
    fn without_a_configuration_file_on_the_host_the_bodys_own_settings_stay_references() {
        // arpwatch's idiom: per interface of INTERFACES, locals the .iface file may change.
        let script = format!(
            "{HEAD}[ -f /etc/default/food ] && . /etc/default/food\nstart_one() {{\n  local IFACE=$1\n  local EXTRA=\"\"\n  local OPTS=\"-i $IFACE\"\n  [ -f /etc/food/$IFACE.iface ] && . /etc/food/$IFACE.iface\n  start-stop-daemon --start --pidfile /run/food-$IFACE.pid --exec /usr/sbin/food -- $OPTS $EXTRA\n}}\ncase \"$1\" in\n start) for i in $INTERFACES; do start_one \"$i\"; done ;;\nesac\n"
        );
        let items = items_on(&script, &[("/etc/default/food", "INTERFACES=\"eth0\"\n")]);
        assert_eq!(items.len(), 2, "{:?}", items[0].findings);
        let template = service(&items[1]);
        let line = format!("{:?}", template.command);
        // The file may change EXTRA (the body set it for the configuration); OPTS is made
        // from the configuration's name, the script's.
        assert!(line.contains("Split(\"EXTRA\")"), "{line}");
        assert!(line.contains("InstanceName"), "{line}");
        assert!(!line.contains("OPTS"), "{line}");
        assert_eq!(template.exec.environment_files.len(), 2);
    }

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
