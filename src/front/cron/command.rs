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

/// What a shell line runs, as far as reading it without running it can tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Runs {
    /// The command word of every simple command that is written out literally (no quotes,
    /// no expansions), each once, in order, with shell keywords and builtins left out; the
    /// programs behind `nice`, `env`, `timeout`, `sudo`, `flock` … included.
    pub commands: Vec<String>,
    /// Names the line tests before it runs them (`test -x X`, `[ -f X ]`, `command -v X`,
    /// `which X`).
    pub tested: Vec<String>,
}

/// One shell token: a word (and whether it is plain text, without quotes or expansions), an
/// operator that ends a simple command, or a redirection (its target is the next word).
#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(String, bool),
    End,
    Redirect,
}

/// Splits a shell line into words and operators; quoted text and expansions make a word
/// non-literal, `$( … )`, `${ … }` and backquotes are skipped whole.
fn tokens(script: &str) -> Vec<Token> {
    let chars: Vec<char> = script.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    let mut literal = true;
    let mut started = false;
    let finish =
        |out: &mut Vec<Token>, word: &mut String, literal: &mut bool, started: &mut bool| {
            if *started {
                out.push(Token::Word(std::mem::take(word), *literal));
            }
            *literal = true;
            *started = false;
        };
    // The index of the `close` that matches the `open` at `from`.
    let skip_to = |from: usize, open: char, close: char| -> usize {
        let mut depth = 0;
        let mut i = from;
        while i < chars.len() {
            if chars[i] == '\\' {
                i += 1;
            } else if chars[i] == open {
                depth += 1;
            } else if chars[i] == close {
                depth -= 1;
                if depth <= 0 {
                    return i;
                }
            }
            i += 1;
        }
        chars.len()
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => finish(&mut out, &mut word, &mut literal, &mut started),
            '\n' | ';' | '|' | '&' | '(' | ')' => {
                finish(&mut out, &mut word, &mut literal, &mut started);
                out.push(Token::End);
            }
            '<' | '>' => {
                // A number right before is the redirected descriptor (`2>`).
                if started && literal && word.bytes().all(|b| b.is_ascii_digit()) {
                    word.clear();
                    started = false;
                }
                finish(&mut out, &mut word, &mut literal, &mut started);
                while matches!(chars.get(i + 1), Some('<' | '>' | '&' | '|')) {
                    i += 1;
                }
                out.push(Token::Redirect);
            }
            '#' if !started => break,
            '\'' => {
                let end = (i + 1..chars.len())
                    .find(|&j| chars[j] == '\'')
                    .unwrap_or(chars.len());
                word.extend(&chars[(i + 1).min(end)..end]);
                (literal, started, i) = (false, true, end);
            }
            '"' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                word.extend(&chars[(i + 1).min(j.min(chars.len()))..j.min(chars.len())]);
                (literal, started, i) = (false, true, j);
            }
            '\\' => {
                word.extend(chars.get(i + 1));
                (literal, started, i) = (false, true, i + 1);
            }
            '$' => {
                let end = match chars.get(i + 1) {
                    Some('(') => skip_to(i + 1, '(', ')'),
                    Some('{') => skip_to(i + 1, '{', '}'),
                    _ => i,
                };
                word.push('$');
                (literal, started, i) = (false, true, end);
            }
            '`' => {
                let end = (i + 1..chars.len())
                    .find(|&j| chars[j] == '`')
                    .unwrap_or(chars.len());
                (literal, started, i) = (false, true, end);
            }
            c => {
                word.push(c);
                started = true;
            }
        }
        i += 1;
    }
    finish(&mut out, &mut word, &mut literal, &mut started);
    out
}

/// Shell words that are not programs: keywords, and builtins of `dash` and `bash`.
const SHELL_WORDS: &[&str] = &[
    "!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for",
    "case", "esac", "in", "select", "function", "time", ".", ":", "[", "[[", "]]", "alias", "bg",
    "break", "cd", "command", "continue", "echo", "eval", "exec", "exit", "export", "false", "fc",
    "fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd", "read", "readonly",
    "return", "set", "shift", "test", "times", "trap", "true", "type", "ulimit", "umask",
    "unalias", "unset", "wait", "source", "let", "declare", "typeset",
];

/// Programs that run the command after their own options (`nice -n 5 x`), and how many
/// operands they take before it; options listed take an argument when written apart.
const WRAPPERS: &[(&str, &[&str], usize)] = &[
    ("nice", &["-n"], 0),
    ("ionice", &["-c", "-n", "-p"], 0),
    ("nohup", &[], 0),
    ("chronic", &[], 0),
    ("setsid", &[], 0),
    ("run-one", &[], 0),
    ("env", &["-u", "-C", "-S"], 0),
    ("sudo", &["-u", "-g", "-C", "-D", "-h", "-p", "-U"], 0),
    ("stdbuf", &["-i", "-o", "-e"], 0),
    ("timeout", &["-s", "-k"], 1),
    ("flock", &["-w", "-E"], 1),
];

/// What the shell line `script` runs (see [`Runs`]).
#[must_use]
pub fn runs(script: &str) -> Runs {
    let mut runs = Runs::default();
    let mut simple: Vec<(String, bool)> = Vec::new();
    let mut redirect = false;
    let mut all = tokens(script);
    all.push(Token::End);
    for token in all {
        match token {
            Token::Redirect => redirect = true,
            Token::Word(_, _) if redirect => redirect = false,
            Token::Word(w, literal) => simple.push((w, literal)),
            Token::End => {
                redirect = false;
                simple_command(&std::mem::take(&mut simple), &mut runs);
            }
        }
    }
    runs
}

fn simple_command(words: &[(String, bool)], runs: &mut Runs) {
    let is_assignment = |w: &str| {
        w.split_once('=')
            .is_some_and(|(n, _)| crate::ir::env_name_is_valid(n))
    };
    let mut i = 0;
    while let Some((word, literal)) = words.get(i) {
        let next = |k: usize| words.get(i + k).map(|(w, _)| w.as_str());
        match word.as_str() {
            w if is_assignment(w) => i += 1,
            "!" | "{" | "}" | "if" | "then" | "else" | "elif" | "fi" | "do" | "done" | "while"
            | "until" | "time" | "exec" => i += 1,
            "for" | "case" | "select" | "function" => return,
            "command" if matches!(next(1), Some("-v" | "-V")) => {
                runs.tested.extend(next(2).map(str::to_string));
                return;
            }
            "command" => i += if next(1) == Some("-p") { 2 } else { 1 },
            "test" | "[" | "[[" => {
                for pair in words[i + 1..].windows(2) {
                    if matches!(pair[0].0.as_str(), "-x" | "-f" | "-e" | "-s" | "-r") {
                        runs.tested.push(pair[1].0.clone());
                    }
                }
                return;
            }
            "type" | "hash" | "which" => {
                if word == "which" && !runs.commands.contains(word) {
                    runs.commands.push(word.clone());
                }
                runs.tested.extend(
                    words[i + 1..]
                        .iter()
                        .filter(|(w, _)| !w.starts_with('-'))
                        .map(|(w, _)| w.clone()),
                );
                return;
            }
            w if !literal || SHELL_WORDS.contains(&w) => return,
            w => {
                if !runs.commands.iter().any(|c| c == w) {
                    runs.commands.push(w.to_string());
                }
                let base = w.rsplit('/').next().unwrap_or(w);
                let Some((_, with_arg, operands)) = WRAPPERS.iter().find(|(n, _, _)| *n == base)
                else {
                    return;
                };
                i += 1;
                while let Some((opt, _)) = words.get(i) {
                    if opt == "-c" && base == "flock" {
                        return;
                    }
                    if !opt.starts_with('-') || opt == "-" {
                        break;
                    }
                    i += if with_arg.contains(&opt.as_str()) {
                        2
                    } else {
                        1
                    };
                }
                i += operands;
            }
        }
    }
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
    fn what_a_line_runs() {
        let r = runs("A=1 nice -n 5 /opt/x --y 2>&1 | tee -a /l; [ -x /b ] && /b || echo no");
        assert_eq!(r.commands, ["nice", "/opt/x", "tee", "/b"]);
        assert_eq!(r.tested, ["/b"]);
        let r = runs("timeout -s KILL 10 flock -w 5 /run/l sync.sh >/dev/null");
        assert_eq!(r.commands, ["timeout", "flock", "sync.sh"]);
        let r = runs("cd /srv && \"$X\" $(date) `id`; exec 'quoted' # comment x");
        assert!(r.commands.is_empty(), "{r:?}");
        let r = runs("if command -v foo >/dev/null; then foo; fi");
        assert_eq!(
            (r.commands, r.tested),
            (vec!["foo".to_string()], vec!["foo".to_string()])
        );
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
