//! systemd's escaping rules, for values written into unit files.
//!
//! - `Exec*=` lines are split by systemd into words (quotes removed, C escapes decoded), then
//!   specifiers (`%x`) are expanded in each word, then `$VAR`/`${VAR}` at run time. So every
//!   literal `%` becomes `%%`, every literal `$` becomes `$$`, and an argument that holds
//!   whitespace, quotes, backslashes or control characters is double-quoted with C escapes. An
//!   argument that is exactly `;` is written `\;` (a bare `;` separates commands).
//! - `Environment=` assignments are quoted the same way; `%` is doubled, `$` stays literal
//!   (systemd does not expand variables there).
//! - Instance strings follow `systemd-escape`: `[A-Za-z0-9:_.]` stay, `/` becomes `-`, everything
//!   else (and a leading `.`) becomes `\xNN`.

/// Whether `c` can appear in an unquoted `Exec*=` word without changing its meaning.
fn bare_safe(c: char) -> bool {
    !(c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '\\'))
}

/// Appends `s` to `out` with C escapes for `\`, `"` and control characters (for use inside
/// double quotes).
fn push_c_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
}

/// Doubles `%` (specifiers) and, when `dollar` is set, `$` (variable expansion).
fn double_specials(s: &str, dollar: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%%"),
            '$' if dollar => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out
}

/// One argument of an `Exec*=` line such that systemd passes exactly `arg` to the program.
#[must_use]
pub fn exec_arg(arg: &str) -> String {
    exec_word(arg, true)
}

/// One word of an `Exec*=` line; `dollar` doubles `$` (systemd expands variables in the
/// arguments, not in the program path).
fn exec_word(arg: &str, dollar: bool) -> String {
    if arg == ";" {
        return "\\;".to_string();
    }
    if !arg.is_empty() && arg.chars().all(bare_safe) {
        return double_specials(arg, dollar);
    }
    let mut quoted = String::with_capacity(arg.len() + 2);
    quoted.push('"');
    push_c_escaped(&mut quoted, arg);
    quoted.push('"');
    double_specials(&quoted, dollar)
}

/// A whole `Exec*=` value for `argv`: the program path with `%` doubled (systemd expands no
/// variables there), each argument escaped with [`exec_arg`].
#[must_use]
pub fn exec_line(argv: &[String]) -> String {
    argv.iter()
        .enumerate()
        .map(|(i, a)| exec_word(a, i > 0))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A whole `Exec*=` value that runs `program` with the argument vector `argv`, whose first word
/// is argv\[0\]: `@PROGRAM ARGV0 ARGS…`, the program path as in [`exec_line`], every word of
/// `argv` (argv\[0\] too: systemd substitutes variables in it) escaped with [`exec_arg`].
#[must_use]
pub fn exec_named(program: &str, argv: &[String]) -> String {
    let mut out = format!("@{}", exec_word(program, false));
    for a in argv {
        out.push(' ');
        out.push_str(&exec_arg(a));
    }
    out
}

/// A whole `Exec*=` value whose arguments may refer to environment variables: literal text is
/// escaped as [`exec_arg`] does, `Word::Parts` variables become `${NAME}` inside one argument
/// and the instance string `%i`,
/// and `Word::Split` becomes a bare `$NAME` word (systemd splits its value at whitespace).
/// With `argv0`, the line is `@PROGRAM ARGV0 …` (argv\[0\] escaped with [`exec_arg`]).
#[must_use]
pub fn exec_expand(program: &str, argv0: Option<&str>, args: &[crate::ir::Word]) -> String {
    use crate::ir::{Word, WordPart};
    let mut out = match argv0 {
        Some(a) => format!("@{} {}", exec_word(program, false), exec_arg(a)),
        None => exec_word(program, false),
    };
    for word in args {
        out.push(' ');
        match word {
            Word::Split(name) => {
                out.push('$');
                out.push_str(name);
            }
            Word::Parts(parts) => {
                let literal: String = parts
                    .iter()
                    .map(|p| match p {
                        WordPart::Text(t) => t.as_str(),
                        WordPart::Var(_) | WordPart::Instance | WordPart::InstanceName => "",
                    })
                    .collect();
                let quote = parts.iter().all(|p| matches!(p, WordPart::Var(_)))
                    || literal.is_empty() && parts.iter().all(|p| matches!(p, WordPart::Text(_)))
                    || !literal.chars().all(bare_safe)
                    || literal == ";";
                if quote {
                    out.push('"');
                }
                for p in parts {
                    match p {
                        WordPart::Text(t) => {
                            let mut e = String::new();
                            push_c_escaped(&mut e, t);
                            out.push_str(&double_specials(&e, true));
                        }
                        WordPart::Var(v) => {
                            out.push_str("${");
                            out.push_str(v);
                            out.push('}');
                        }
                        WordPart::Instance => out.push_str("%i"),
                        WordPart::InstanceName => out.push_str("%I"),
                    }
                }
                if quote {
                    out.push('"');
                }
            }
        }
    }
    out
}

pub use crate::ir::env_name_is_valid;

/// One `Environment=` assignment, quoted: `"NAME=value"`.
#[must_use]
pub fn environment(name: &str, value: &str) -> String {
    let mut quoted = String::from("\"");
    push_c_escaped(&mut quoted, &format!("{name}={value}"));
    quoted.push('"');
    double_specials(&quoted, false)
}

/// The longest free-text value written (`Description=`), in characters; longer ones are cut
/// and end in `…`.
pub const TEXT_MAX: usize = 200;

/// A free-text value (`Description=`): control characters (line breaks included) turned into
/// spaces, surrounding whitespace and trailing backslashes trimmed (a backslash at the end of a
/// line would join the next one), cut to [`TEXT_MAX`] characters, specifiers doubled. Never
/// empty when `value` has visible text.
#[must_use]
pub fn text(value: &str) -> String {
    let one_line: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut t: String = one_line.trim().to_string();
    if t.chars().count() > TEXT_MAX {
        t = t.chars().take(TEXT_MAX - 1).collect::<String>();
        t.truncate(t.trim_end().len());
        t.push('…');
    }
    let t = t.trim_end_matches(['\\', ' ', '\t']);
    double_specials(t, false)
}

/// A path value (`WorkingDirectory=`, `PIDFile=`, …): specifiers doubled.
#[must_use]
pub fn path(value: &str) -> String {
    double_specials(value, false)
}

/// An `EnvironmentFile=` path: specifiers doubled, and a file named after the instance with
/// `%I` (the unescaped instance name, which systemd 252 resolves in `EnvironmentFile=`) where
/// the name goes (`/etc/arpwatch/%I.iface`).
#[must_use]
pub fn env_file_path(file: &crate::ir::EnvFilePath) -> String {
    match file {
        crate::ir::EnvFilePath::Fixed(p) => path(p),
        crate::ir::EnvFilePath::PerInstance { before, after } => {
            format!("{}%I{}", path(before), path(after))
        }
    }
}

/// A line for an environment file (`EnvironmentFile=`): `NAME='value'`, or double-quoted with
/// backslash escapes when the value holds a single quote.
#[must_use]
pub fn env_file_line(name: &str, value: &str) -> String {
    if !value.contains('\'') && !value.contains('\n') {
        return format!("{name}='{value}'");
    }
    let mut out = format!("{name}=\"");
    for c in value.chars() {
        match c {
            '"' | '\\' | '$' | '`' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn push_escaped_byte(out: &mut String, b: u8) {
    out.push_str(&format!("\\x{b:02x}"));
}

/// `systemd-escape STRING`: the instance-string escaping of `systemd-escape`.
#[must_use]
pub fn unit_instance(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'.' if i == 0 => push_escaped_byte(&mut out, b),
            b'/' => out.push('-'),
            b if b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'.') => {
                out.push(char::from(b))
            }
            b => push_escaped_byte(&mut out, b),
        }
    }
    out
}

/// `systemd-escape --path PATH`: duplicate and trailing slashes dropped, the root is `-`.
#[must_use]
pub fn path_instance(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() {
        return "-".to_string();
    }
    unit_instance(&parts.join("/"))
}

/// Standard base64 (RFC 4648, with padding), for `StandardInputData=`.
#[must_use]
pub fn base64(data: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_arguments_stay_bare() {
        assert_eq!(exec_arg("/usr/bin/true"), "/usr/bin/true");
        assert_eq!(exec_arg("--flag=value"), "--flag=value");
    }

    #[test]
    fn specifiers_and_variables_are_doubled() {
        assert_eq!(exec_arg("date +%F"), "\"date +%%F\"");
        assert_eq!(exec_arg("$HOME"), "$$HOME");
    }

    #[test]
    fn quotes_backslashes_and_semicolons() {
        assert_eq!(exec_arg("it's"), "\"it's\"");
        assert_eq!(exec_arg("a\"b"), "\"a\\\"b\"");
        assert_eq!(exec_arg("a\\b"), "\"a\\\\b\"");
        assert_eq!(exec_arg(";"), "\\;");
        // systemd expands no variables in the program path.
        assert_eq!(
            exec_line(&["/opt/a$b/run".to_string(), "$x".to_string()]),
            "/opt/a$b/run $$x"
        );
        assert_eq!(exec_arg(""), "\"\"");
        assert_eq!(exec_arg("a\x01"), "\"a\\x01\"");
    }

    #[test]
    fn environment_assignments() {
        assert_eq!(
            environment("PATH", "/usr/bin:/bin"),
            "\"PATH=/usr/bin:/bin\""
        );
        assert_eq!(environment("X", "50% \"q\" $y"), "\"X=50%% \\\"q\\\" $y\"");
    }

    #[test]
    fn instance_escaping_matches_systemd_escape() {
        assert_eq!(unit_instance("a b/c$%\\x"), "a\\x20b-c\\x24\\x25\\x5cx");
        assert_eq!(unit_instance(".hidden"), "\\x2ehidden");
        assert_eq!(unit_instance("a-b"), "a\\x2db");
        assert_eq!(unit_instance("é"), "\\xc3\\xa9");
        assert_eq!(path_instance("/var/lib//x/"), "var-lib-x");
        assert_eq!(path_instance("/"), "-");
    }

    #[test]
    fn a_per_instance_environment_file_gets_the_instance_and_keeps_other_percents_literal() {
        use crate::ir::EnvFilePath;
        assert_eq!(
            env_file_path(&EnvFilePath::PerInstance {
                before: "/etc/x%y/".to_string(),
                after: ".conf".to_string()
            }),
            "/etc/x%%y/%I.conf"
        );
        assert_eq!(
            env_file_path(&EnvFilePath::Fixed("/etc/default/a%b".to_string())),
            "/etc/default/a%%b"
        );
    }

    #[test]
    fn base64_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(
            base64(b"Joe,\n\nWhere are your kids?\n"),
            "Sm9lLAoKV2hlcmUgYXJlIHlvdXIga2lkcz8K"
        );
    }

    #[test]
    fn an_empty_argument_is_written_as_empty_quotes() {
        use crate::ir::{Word, WordPart};
        let args = [
            Word::Parts(vec![WordPart::Text("-x".into())]),
            Word::Parts(vec![WordPart::Text(String::new())]),
        ];
        assert_eq!(
            exec_expand("/usr/sbin/x", None, &args),
            "/usr/sbin/x -x \"\""
        );
    }
}
