//! supervisor's value converters (`supervisor/datatypes.py`), with Python's `int()` under them.
//! Each returns supervisor's own error text.

use super::ini::{is_py_space, strip};

/// Python's `int(s, base)` for base 8 or 10: surrounding whitespace, a sign, `_` between
/// digits, and for base 8 an optional `0o` prefix.
fn py_int(s: &str, base: u32) -> Option<i64> {
    let t = s.trim_matches(is_py_space);
    let (negative, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let t = if base == 8 {
        t.strip_prefix("0o")
            .or_else(|| t.strip_prefix("0O"))
            .map_or(t, |r| r.strip_prefix('_').unwrap_or(r))
    } else {
        t
    };
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    let digits: String = t.chars().filter(|&c| c != '_').collect();
    if !digits.chars().all(|c| c.is_digit(base)) {
        return None;
    }
    let n = i64::from_str_radix(&digits, base).ok()?;
    Some(if negative { -n } else { n })
}

/// `integer()`.
pub fn integer(s: &str) -> Result<i64, String> {
    py_int(s, 10).ok_or_else(|| format!("invalid literal for int() with base 10: '{s}'"))
}

/// `boolean()`: `yes true on 1` / `no false off 0`, any case, nothing else.
pub fn boolean(s: &str) -> Result<bool, String> {
    match s.to_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Ok(true),
        "no" | "false" | "off" | "0" => Ok(false),
        _ => Err(format!("not a valid boolean value: '{s}'")),
    }
}

/// `byte_size()`: a number with an optional `KB`, `MB` or `GB` suffix (any case).
pub fn byte_size(s: &str) -> Result<i64, String> {
    let v = s.to_lowercase();
    let bad = || format!("invalid literal for int() with base 10: '{s}'");
    for (suffix, m) in [
        ("kb", 1024_i64),
        ("mb", 1024 * 1024),
        ("gb", 1024 * 1024 * 1024),
    ] {
        if let Some(n) = v.strip_suffix(suffix) {
            return py_int(n, 10).and_then(|n| n.checked_mul(m)).ok_or_else(bad);
        }
    }
    py_int(&v, 10).ok_or_else(bad)
}

/// `octal_type()`.
pub fn octal(s: &str) -> Result<i64, String> {
    py_int(s, 8).ok_or_else(|| format!("{s} can not be converted to an octal type"))
}

/// `list_of_exitcodes()`: comma-separated integers 0–255; empty gives none.
pub fn exitcodes(s: &str) -> Result<Vec<i64>, String> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|p| py_int(p, 10).filter(|n| (0..=255).contains(n)))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| format!("not a valid list of exit codes: '{s}'"))
}

/// `list_of_strings()`: comma-separated, each stripped; empty gives none.
#[must_use]
pub fn strings(s: &str) -> Vec<String> {
    if s.is_empty() {
        return Vec::new();
    }
    s.split(',').map(|p| strip(p).to_string()).collect()
}

/// Linux signals as CPython's `signal` module names them (aliases included).
const SIGNALS: &[(&str, i64)] = &[
    ("SIGHUP", 1),
    ("SIGINT", 2),
    ("SIGQUIT", 3),
    ("SIGILL", 4),
    ("SIGTRAP", 5),
    ("SIGABRT", 6),
    ("SIGIOT", 6),
    ("SIGBUS", 7),
    ("SIGFPE", 8),
    ("SIGKILL", 9),
    ("SIGUSR1", 10),
    ("SIGSEGV", 11),
    ("SIGUSR2", 12),
    ("SIGPIPE", 13),
    ("SIGALRM", 14),
    ("SIGTERM", 15),
    ("SIGSTKFLT", 16),
    ("SIGCHLD", 17),
    ("SIGCLD", 17),
    ("SIGCONT", 18),
    ("SIGSTOP", 19),
    ("SIGTSTP", 20),
    ("SIGTTIN", 21),
    ("SIGTTOU", 22),
    ("SIGURG", 23),
    ("SIGXCPU", 24),
    ("SIGXFSZ", 25),
    ("SIGVTALRM", 26),
    ("SIGPROF", 27),
    ("SIGWINCH", 28),
    ("SIGIO", 29),
    ("SIGPOLL", 29),
    ("SIGPWR", 30),
    ("SIGSYS", 31),
    ("SIGRTMIN", 34),
    ("SIGRTMAX", 64),
];

/// A signal: its number and the name CPython's `signal.Signals` gives that number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    pub number: i64,
    pub name: &'static str,
}

/// `signal_number()`: a number or a name, with or without `SIG`, any case.
///
/// supervisor also takes `SIG_DFL`/`SIG_IGN`/`SIG_BLOCK`-style names and the number 0, which
/// are not signals: refused here.
pub fn signal(s: &str) -> Result<Signal, String> {
    let number = match py_int(s, 10) {
        Some(n) => n,
        None => {
            let upper = strip(s).to_uppercase();
            let name = if upper.starts_with("SIG") {
                upper
            } else {
                format!("SIG{upper}")
            };
            SIGNALS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|&(_, v)| v)
                .ok_or_else(|| format!("value '{s}' is not a valid signal name"))?
        }
    };
    SIGNALS
        .iter()
        .find(|&&(_, v)| v == number)
        .map(|&(name, number)| Signal { number, name })
        .ok_or_else(|| format!("value '{s}' is not a valid signal number"))
}

/// `autorestart`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Autorestart {
    True,
    False,
    Unexpected,
}

/// `auto_restart()`.
pub fn autorestart(s: &str) -> Result<Autorestart, String> {
    let v = s.to_lowercase();
    match v.as_str() {
        "yes" | "true" | "on" | "1" => Ok(Autorestart::True),
        "no" | "false" | "off" | "0" => Ok(Autorestart::False),
        "unexpected" => Ok(Autorestart::Unexpected),
        _ => Err(format!("invalid 'autorestart' value '{v}'")),
    }
}

/// `process_or_group_name()`: stripped, and refused with a space, `:` or `/` in it.
pub fn process_or_group_name(s: &str) -> Result<String, String> {
    let t = strip(s);
    for c in [' ', ':', '/'] {
        if t.contains(c) {
            return Err(format!("Invalid name: '{s}' because of character: '{c}'"));
        }
    }
    Ok(t.to_string())
}

/// The event types an `[eventlistener:x] events=` line may name.
pub const EVENT_TYPES: &[&str] = &[
    "EVENT",
    "PROCESS_COMMUNICATION",
    "PROCESS_COMMUNICATION_STDERR",
    "PROCESS_COMMUNICATION_STDOUT",
    "PROCESS_GROUP",
    "PROCESS_GROUP_ADDED",
    "PROCESS_GROUP_REMOVED",
    "PROCESS_LOG",
    "PROCESS_LOG_STDERR",
    "PROCESS_LOG_STDOUT",
    "PROCESS_STATE",
    "PROCESS_STATE_BACKOFF",
    "PROCESS_STATE_EXITED",
    "PROCESS_STATE_FATAL",
    "PROCESS_STATE_RUNNING",
    "PROCESS_STATE_STARTING",
    "PROCESS_STATE_STOPPED",
    "PROCESS_STATE_STOPPING",
    "PROCESS_STATE_UNKNOWN",
    "REMOTE_COMMUNICATION",
    "SUPERVISOR_STATE_CHANGE",
    "SUPERVISOR_STATE_CHANGE_RUNNING",
    "SUPERVISOR_STATE_CHANGE_STOPPING",
    "TICK",
    "TICK_3600",
    "TICK_5",
    "TICK_60",
];

/// Python's `os.path.normpath` for a POSIX path.
#[must_use]
pub fn normpath(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let initial = if p.starts_with("//") && !p.starts_with("///") {
        "//"
    } else if p.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        if c.is_empty() || c == "." {
            continue;
        }
        if c != ".." || (initial.is_empty() && parts.is_empty()) || parts.last() == Some(&"..") {
            parts.push(c);
        } else {
            parts.pop();
        }
    }
    let joined = parts.join("/");
    let out = format!("{initial}{joined}");
    if out.is_empty() { ".".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_python_reads_them() {
        assert_eq!(integer(" 12 "), Ok(12));
        assert_eq!(integer("+1_000"), Ok(1000));
        assert_eq!(integer("-3"), Ok(-3));
        assert_eq!(integer("007"), Ok(7));
        assert!(integer("1__0").is_err());
        assert!(integer("abc").is_err());
        assert!(integer("").is_err());
        assert_eq!(octal("022"), Ok(0o22));
        assert_eq!(octal("0o77"), Ok(0o77));
        assert!(octal("8").is_err());
        assert_eq!(byte_size("50MB"), Ok(50 * 1024 * 1024));
        assert_eq!(byte_size("10 kb"), Ok(10 * 1024));
        assert_eq!(byte_size("0"), Ok(0));
        assert_eq!(exitcodes("0, 2"), Ok(vec![0, 2]));
        assert_eq!(exitcodes(""), Ok(vec![]));
        assert!(exitcodes("256").is_err());
    }

    #[test]
    fn signals_by_name_or_number() {
        assert_eq!(signal("TERM").unwrap().name, "SIGTERM");
        assert_eq!(signal("sigquit").unwrap().number, 3);
        assert_eq!(signal("9").unwrap().name, "SIGKILL");
        assert_eq!(signal("IOT").unwrap().name, "SIGABRT");
        assert!(signal("NOPE").is_err());
        assert!(signal("32").is_err());
    }

    #[test]
    fn normpath_like_python() {
        assert_eq!(normpath("/run//php/../php.sock"), "/run/php.sock");
        assert_eq!(normpath("/../x"), "/x");
        assert_eq!(normpath("//x/./y/"), "//x/y");
        assert_eq!(normpath("a/../../b"), "../b");
    }
}
