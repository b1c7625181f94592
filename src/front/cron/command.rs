//! The command part of a crontab line: cron's `%` rule, a readable job name, and the idioms
//! that change what a converted job must do.

/// A command split by cron's `%` rule (POSIX; Vixie `do_command.c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The text handed to `$SHELL -c`: up to the first unescaped `%`, with `\%` turned into `%`.
    pub script: String,
    /// Standard input: the rest, `%` → newline, `\%` → `%`, with a final newline; `None` when
    /// there is no unescaped `%` or nothing follows it.
    pub stdin: Option<Vec<u8>>,
}

/// Applies cron's `%` rule to a command.
#[must_use]
pub fn split_percent(command: &str) -> Split {
    let mut script = String::with_capacity(command.len());
    let mut escaped = false;
    let mut rest = None;
    for (i, ch) in command.char_indices() {
        if escaped {
            if ch != '%' {
                script.push('\\');
            }
            script.push(ch);
            escaped = false;
            continue;
        }
        match ch {
            '\\' => escaped = true,
            '%' => {
                rest = Some(&command[i + 1..]);
                break;
            }
            ch => script.push(ch),
        }
    }
    if escaped && rest.is_none() {
        script.push('\\');
    }
    let stdin = rest.filter(|r| !r.is_empty()).map(|data| {
        let mut out = Vec::with_capacity(data.len() + 1);
        let mut escaped = false;
        let mut need_newline = false;
        for ch in data.chars() {
            let mut ch = ch;
            if escaped {
                if ch != '%' {
                    out.push(b'\\');
                }
            } else if ch == '%' {
                ch = '\n';
            }
            escaped = ch == '\\';
            if !escaped {
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            need_newline = ch != '\n';
        }
        if escaped {
            out.push(b'\\');
        }
        if need_newline {
            out.push(b'\n');
        }
        out
    });
    Split { script, stdin }
}

/// Words that only prefix the real command (`nice -n 10 x`, `if x`, `exec x`).
const PREFIXES: &[&str] = &[
    "if",
    "then",
    "else",
    "elif",
    "do",
    "while",
    "until",
    "!",
    "exec",
    "nohup",
    "time",
    "command",
    "nice",
    "ionice",
    "chronic",
    "env",
    "sudo",
    "flock",
    "timeout",
    "run-one",
    "{",
    "(",
    "sh",
    "bash",
    "/bin/sh",
    "/bin/bash",
];

/// Commands that guard or prepare rather than do the job's work.
const HELPERS: &[&str] = &[
    "test", "[", "[[", "cd", "sleep", "true", "false", ":", "exit", "echo", "printf", "umask",
    "fi", "done", "}", ")", "]", "]]",
];

fn base_name(word: &str) -> &str {
    let word = word.trim_matches(|c| c == '"' || c == '\'');
    word.rsplit('/').next().unwrap_or(word)
}

/// A short readable name for a job, from the command it runs: the basename of the first
/// command that is not a guard or helper (`test -x /usr/sbin/x && x --y` → `x`), with a script
/// extension dropped. `run-parts DIR` is named after the directory. Empty when nothing fits.
#[must_use]
pub fn job_name(script: &str) -> String {
    let spaced = script
        .replace("&&", " ; ")
        .replace("||", " ; ")
        .replace([';', '|', '&', '(', ')', '`'], " ; ");
    let mut words = spaced.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if word == ";" || word.contains('=') && !word.starts_with('=') && !word.starts_with('-') {
            continue;
        }
        if PREFIXES.contains(&word) || word.starts_with('-') || word.starts_with("$(") {
            // Options of a prefix command and their numeric arguments.
            while let Some(next) = words.peek() {
                if next.starts_with('-') || next.parse::<i64>().is_ok() {
                    words.next();
                } else {
                    break;
                }
            }
            continue;
        }
        let base = base_name(word);
        if HELPERS.contains(&base) || base.starts_with('$') || base.is_empty() {
            // Skip the rest of this simple command.
            for next in words.by_ref() {
                if next == ";" {
                    break;
                }
            }
            continue;
        }
        if base == "run-parts" {
            let dir = words
                .take_while(|w| *w != ";")
                .filter(|w| !w.starts_with('-'))
                .last();
            if let Some(dir) = dir {
                return base_name(dir).to_string();
            }
        }
        for ext in [".sh", ".py", ".pl", ".rb", ".php"] {
            if let Some(stem) = base.strip_suffix(ext)
                && !stem.is_empty()
            {
                return stem.to_string();
            }
        }
        return base.to_string();
    }
    String::new()
}

/// The first word of a script, when it is an absolute path to run (`/usr/bin/x args`).
#[must_use]
pub fn leading_executable(script: &str) -> Option<&str> {
    let first = script.split_whitespace().next()?;
    (first.starts_with('/')
        && !first.contains(['$', '`', '"', '\'', ';', '&', '|', '>', '<', '(', ')']))
    .then_some(first)
}

/// When the script does nothing on a host that runs systemd (Debian's `[ -d /run/systemd/system ]
/// || …` and `if [ ! -d /run/systemd/system ]; then …; fi` guards), the guard as written.
#[must_use]
pub fn systemd_guard(script: &str) -> Option<&'static str> {
    let squeezed: String = script
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('"', "");
    const SKIP_WHEN_SYSTEMD: &[(&str, &str)] = &[
        (
            "[ -d /run/systemd/system ] ||",
            "[ -d /run/systemd/system ] || …",
        ),
        (
            "test -d /run/systemd/system ||",
            "test -d /run/systemd/system || …",
        ),
        (
            "test -e /run/systemd/system ||",
            "test -e /run/systemd/system || …",
        ),
        (
            "[ -e /run/systemd/system ] ||",
            "[ -e /run/systemd/system ] || …",
        ),
        (
            "if [ ! -d /run/systemd/system ]; then",
            "if [ ! -d /run/systemd/system ]; then …",
        ),
        (
            "\\! -d /run/systemd/system -a",
            "-a \\! -d /run/systemd/system",
        ),
        ("! -d /run/systemd/system -a", "-a ! -d /run/systemd/system"),
        (
            "[ ! -d /run/systemd/system ] &&",
            "[ ! -d /run/systemd/system ] && …",
        ),
    ];
    SKIP_WHEN_SYSTEMD
        .iter()
        .find(|(pat, _)| squeezed.contains(pat))
        .map(|(_, shown)| *shown)
}

/// Whether the script only runs when anacron is absent (`test -x /usr/sbin/anacron || …`), as
/// Debian's `/etc/crontab` lines for the periodic directories do.
#[must_use]
pub fn anacron_guard(script: &str) -> bool {
    let squeezed: String = script.split_whitespace().collect::<Vec<_>>().join(" ");
    squeezed.starts_with("test -x /usr/sbin/anacron ||")
        || squeezed.starts_with("[ -x /usr/sbin/anacron ] ||")
}

/// Whether the script sends all its output to `/dev/null` at the end, so cron never had
/// anything to mail.
#[must_use]
pub fn output_discarded(script: &str) -> bool {
    let squeezed: String = script.split_whitespace().collect::<Vec<_>>().join(" ");
    let s = squeezed.trim_end_matches(|c: char| c == ';' || c.is_whitespace());
    [
        ">/dev/null 2>&1",
        "> /dev/null 2>&1",
        "&>/dev/null",
        "&> /dev/null",
        ">/dev/null 2>/dev/null",
        "> /dev/null 2> /dev/null",
    ]
    .iter()
    .any(|tail| s.ends_with(tail))
        && !s.contains(['|', ';'])
        && !s.contains("&&")
        && !s.contains("||")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rule() {
        assert_eq!(
            split_percent("cat%b%c\\%d"),
            Split {
                script: "cat".into(),
                stdin: Some(b"b\nc%d\n".to_vec())
            }
        );
        assert_eq!(
            split_percent("date +\\%F"),
            Split {
                script: "date +%F".into(),
                stdin: None
            }
        );
        assert_eq!(
            split_percent("echo a\\b"),
            Split {
                script: "echo a\\b".into(),
                stdin: None
            }
        );
        assert_eq!(
            split_percent("cmd%"),
            Split {
                script: "cmd".into(),
                stdin: None
            }
        );
        assert_eq!(
            split_percent("mail joe%Joe,%%Where?%").stdin,
            Some(b"Joe,\n\nWhere?\n".to_vec())
        );
        assert_eq!(split_percent("x%a\\").stdin, Some(b"a\\\n".to_vec()));
        assert_eq!(split_percent("x\\").script, "x\\");
    }

    #[test]
    fn names() {
        assert_eq!(
            job_name("command -v debian-sa1 > /dev/null && debian-sa1 1 1"),
            "debian-sa1"
        );
        assert_eq!(
            job_name("test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )"),
            "cron.daily"
        );
        assert_eq!(
            job_name(
                "[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi"
            ),
            "sessionclean"
        );
        assert_eq!(
            job_name("if [ -x /usr/sbin/logcheck ]; then nice -n10 /usr/sbin/logcheck -R; fi"),
            "logcheck"
        );
        assert_eq!(job_name("/home/alice/bin/backup.sh --full"), "backup");
        assert_eq!(job_name("SERVICE_MODE=1 /sbin/e2scrub_all"), "e2scrub_all");
        assert_eq!(job_name("cd /srv && ./sync.py"), "sync");
    }

    #[test]
    fn guards() {
        assert!(
            systemd_guard("[ -d \"/run/systemd/system\" ] || /usr/share/atop/atop.daily&")
                .is_some()
        );
        assert!(systemd_guard("[ -x /usr/lib/php/sessionclean ] && if [ ! -d /run/systemd/system ]; then /usr/lib/php/sessionclean; fi").is_some());
        assert!(systemd_guard("/usr/bin/true").is_none());
    }

    #[test]
    fn discarded_output() {
        assert!(output_discarded("/usr/bin/x >/dev/null 2>&1"));
        assert!(!output_discarded("/usr/bin/x 2>&1 >/dev/null"));
        assert!(!output_discarded("a >/dev/null 2>&1; b"));
    }
}
