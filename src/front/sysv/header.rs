//! The comment headers of an init script: the LSB block (`### BEGIN INIT INFO` …
//! `### END INIT INFO`) and RHEL's `# chkconfig:`, `# description:`, `# processname:`,
//! `# pidfile:` and `# config:` lines, read as systemd-sysv-generator read them.

/// Everything the headers say. Lists keep the order of the header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Whether an LSB block was present.
    pub lsb: bool,
    /// 1-based line of `### BEGIN INIT INFO`.
    pub lsb_line: Option<u32>,
    pub provides: Vec<String>,
    pub required_start: Vec<String>,
    pub required_stop: Vec<String>,
    pub should_start: Vec<String>,
    pub should_stop: Vec<String>,
    pub start_before: Vec<String>,
    pub start_after: Vec<String>,
    pub stop_after: Vec<String>,
    /// Runlevels (`S`, `0`…`6`).
    pub default_start: Vec<String>,
    pub default_stop: Vec<String>,
    pub short_description: Option<String>,
    pub description: Option<String>,
    pub interactive: bool,
    /// `# chkconfig: 2345 55 25`: runlevels (`None` for `-`), start and stop priorities.
    pub chkconfig: Option<Chkconfig>,
    /// `# description:` (continued with a trailing `\`).
    pub chk_description: Option<String>,
    pub processname: Option<String>,
    pub pidfile: Option<String>,
    pub config: Vec<String>,
    /// Keys of the LSB block this reader does not know.
    pub unknown_keys: Vec<String>,
}

/// RHEL's `# chkconfig:` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chkconfig {
    /// Runlevels enabled by default; empty for `-`.
    pub runlevels: Vec<String>,
    pub start_priority: Option<u32>,
    pub stop_priority: Option<u32>,
}

fn words(v: &str) -> Vec<String> {
    v.split_whitespace()
        .map(|w| w.trim_matches('"').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Reads the headers of `text`. Never fails: a script without headers gives an empty one.
#[must_use]
pub fn parse(text: &str) -> Header {
    let mut h = Header::default();
    let mut lines = text.lines();
    let mut in_lsb = false;
    let mut last_key: Option<String> = None;
    let mut i = 0;
    while let Some(raw) = lines.next() {
        let lineno = u32::try_from(i + 1).unwrap_or(u32::MAX);
        i += 1;
        // Only comments say anything here (the LSB block's markers are comments too).
        if !raw.trim_start().starts_with('#') {
            continue;
        }
        let line = raw.trim();
        if line == "### BEGIN INIT INFO" {
            in_lsb = true;
            h.lsb = true;
            h.lsb_line.get_or_insert(lineno);
            continue;
        }
        if line == "### END INIT INFO" {
            in_lsb = false;
            last_key = None;
            continue;
        }
        if in_lsb {
            let Some(body) = line.strip_prefix('#') else {
                continue;
            };
            // A continuation: `#` followed by a tab or at least two spaces.
            if (raw.trim_start().starts_with("#\t") || raw.trim_start().starts_with("#  "))
                && last_key.as_deref() == Some("description")
            {
                let more = body.trim();
                if let Some(d) = &mut h.description
                    && !more.is_empty()
                {
                    d.push(' ');
                    d.push_str(more);
                }
                continue;
            }
            let Some((key, value)) = body.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "provides" => h.provides.extend(words(value)),
                "required-start" => h.required_start.extend(words(value)),
                "required-stop" => h.required_stop.extend(words(value)),
                "should-start" => h.should_start.extend(words(value)),
                "should-stop" => h.should_stop.extend(words(value)),
                "x-start-before" => h.start_before.extend(words(value)),
                "x-start-after" => h.start_after.extend(words(value)),
                "x-stop-after" => h.stop_after.extend(words(value)),
                "default-start" => h.default_start.extend(words(value)),
                "default-stop" => h.default_stop.extend(words(value)),
                "short-description" if !value.is_empty() => {
                    h.short_description = Some(value.to_string());
                }
                "short-description" => {}
                "description" => h.description = Some(value.to_string()),
                "x-interactive" => h.interactive = value.eq_ignore_ascii_case("true"),
                _ => h.unknown_keys.push(key.clone()),
            }
            last_key = Some(key);
            continue;
        }
        let Some(body) = line.strip_prefix('#') else {
            continue;
        };
        let body = body.trim_start();
        if let Some(v) = body.strip_prefix("chkconfig:") {
            let f = words(v);
            h.chkconfig = Some(Chkconfig {
                runlevels: match f.first().map(String::as_str) {
                    Some("-") | None => Vec::new(),
                    Some(levels) => levels.chars().map(|c| c.to_string()).collect(),
                },
                start_priority: f.get(1).and_then(|p| p.parse().ok()),
                stop_priority: f.get(2).and_then(|p| p.parse().ok()),
            });
        } else if let Some(v) = body.strip_prefix("description:") {
            let mut d = v.trim().to_string();
            while d.ends_with('\\') {
                let Some(next) = lines.next() else {
                    break;
                };
                d.pop();
                let next = next.trim().trim_start_matches('#').trim();
                i += 1;
                d = format!("{} {next}", d.trim_end());
            }
            h.chk_description = Some(d.trim().to_string());
        } else if let Some(v) = body.strip_prefix("processname:") {
            h.processname = Some(v.trim().to_string());
        } else if let Some(v) = body.strip_prefix("pidfile:") {
            h.pidfile = Some(v.trim().to_string());
        } else if let Some(v) = body.strip_prefix("config:") {
            h.config.push(v.trim().to_string());
        }
    }
    h
}

impl Header {
    /// The description systemd-sysv-generator would pick: Short-Description, else the
    /// chkconfig description, else the long LSB description.
    #[must_use]
    pub fn summary(&self) -> Option<&str> {
        self.short_description
            .as_deref()
            .or(self.chk_description.as_deref())
            .or(self.description.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsb_block_with_continuation() {
        let h = parse(
            "#!/bin/sh\n### BEGIN INIT INFO\n# Provides:          ssh sshd\n# Required-Start:    $remote_fs $syslog\n# Default-Start:     2 3 4 5\n# Default-Stop:\n# Short-Description: OpenBSD Secure Shell server\n# Description: long\n#  continued\n### END INIT INFO\n",
        );
        assert!(h.lsb);
        assert_eq!(h.provides, ["ssh", "sshd"]);
        assert_eq!(h.required_start, ["$remote_fs", "$syslog"]);
        assert_eq!(h.default_start, ["2", "3", "4", "5"]);
        assert!(h.default_stop.is_empty());
        assert_eq!(h.summary(), Some("OpenBSD Secure Shell server"));
        assert_eq!(h.description.as_deref(), Some("long continued"));
    }

    #[test]
    fn chkconfig_headers() {
        let h = parse(
            "#!/bin/bash\n# chkconfig: 2345 55 25\n# description: legacyd does \\\n#              legacy things.\n# processname: legacyd\n# pidfile: /var/run/legacyd.pid\n# config: /etc/legacyd.conf\n",
        );
        assert!(!h.lsb);
        let c = h.chkconfig.unwrap();
        assert_eq!(c.runlevels, ["2", "3", "4", "5"]);
        assert_eq!(c.start_priority, Some(55));
        assert_eq!(
            h.chk_description.as_deref(),
            Some("legacyd does legacy things.")
        );
        assert_eq!(h.pidfile.as_deref(), Some("/var/run/legacyd.pid"));
        assert_eq!(h.config, ["/etc/legacyd.conf"]);
    }
}
