//! An independent model of how systemd 252 reads `ExecStart=` and `Environment=` values.
//!
//! Deliberately stricter than systemd where systemd would silently do something we never want:
//! an unknown escape (systemd warns and keeps the backslash), an unescaped `%` (a specifier), an
//! unescaped `$` (a variable), an unbalanced quote and a bare `;` (a command separator) are all
//! errors here.
#![allow(dead_code)]

/// systemd's `WHITESPACE`: the only word separators in unit files.
const WHITESPACE: &[u8] = b" \t\n\r";

fn is_ws(b: u8) -> bool {
    WHITESPACE.contains(&b)
}

fn unhex(b: u8) -> Result<u32, String> {
    char::from(b)
        .to_digit(16)
        .ok_or_else(|| format!("bad hex digit {:?}", char::from(b)))
}

fn unoct(b: u8) -> Result<u32, String> {
    char::from(b)
        .to_digit(8)
        .ok_or_else(|| format!("bad octal digit {:?}", char::from(b)))
}

/// `cunescape_one()`: decodes the escape after a backslash at `s[0]`. Returns the bytes it
/// stands for and how many input bytes it used.
fn cunescape_one(s: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let simple = |b: u8| Ok((vec![b], 1));
    let Some(&c) = s.first() else {
        return Err("trailing backslash".into());
    };
    match c {
        b'a' => simple(0x07),
        b'b' => simple(0x08),
        b'f' => simple(0x0c),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(0x0b),
        b'\\' => simple(b'\\'),
        b'"' => simple(b'"'),
        b'\'' => simple(b'\''),
        b's' => simple(b' '),
        b'x' => {
            // A raw byte ("eight bit"): not re-encoded as UTF-8.
            if s.len() < 3 {
                return Err("short \\x escape".into());
            }
            let v = (unhex(s[1])? << 4) | unhex(s[2])?;
            if v == 0 {
                return Err("\\x00 (NUL) is refused".into());
            }
            Ok((vec![v as u8], 3))
        }
        b'0'..=b'7' => {
            if s.len() < 3 {
                return Err("short octal escape".into());
            }
            let v = (unoct(s[0])? << 6) | (unoct(s[1])? << 3) | unoct(s[2])?;
            if v == 0 || v > 255 {
                return Err(format!("octal escape out of range: {v}"));
            }
            Ok((vec![v as u8], 3))
        }
        b'u' | b'U' => {
            let n = if c == b'u' { 4 } else { 8 };
            if s.len() < n + 1 {
                return Err("short unicode escape".into());
            }
            let mut v = 0u32;
            for &d in &s[1..=n] {
                v = (v << 4) | unhex(d)?;
            }
            let ch = char::from_u32(v)
                .filter(|&ch| ch != '\0')
                .ok_or_else(|| format!("bad code point U+{v:X}"))?;
            let mut buf = [0u8; 4];
            Ok((ch.encode_utf8(&mut buf).as_bytes().to_vec(), n + 1))
        }
        // systemd warns ("Ignoring unknown escape sequences") and keeps the backslash; for
        // us that is always a bug.
        other => Err(format!("unknown escape \\{}", char::from(other))),
    }
}

/// `extract_first_word(&p, &word, WHITESPACE, EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE)`.
///
/// Leading separators are skipped; a word ends at an unquoted separator; `'…'` and `"…"`
/// group (anywhere in a word, several per word) and are removed; C escapes are decoded
/// inside and outside quotes (there is no difference between the two kinds of quote).
/// Returns `None` at the end of input.
pub fn extract_first_word(s: &[u8], pos: &mut usize) -> Result<Option<Vec<u8>>, String> {
    while *pos < s.len() && is_ws(s[*pos]) {
        *pos += 1;
    }
    if *pos >= s.len() {
        return Ok(None);
    }
    let mut word = Vec::new();
    let mut quote: Option<u8> = None;
    while *pos < s.len() {
        let c = s[*pos];
        match (quote, c) {
            (_, b'\\') => {
                let (bytes, used) = cunescape_one(&s[*pos + 1..])?;
                word.extend_from_slice(&bytes);
                *pos += 1 + used;
                continue;
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, b'"' | b'\'') => quote = Some(c),
            (None, c) if is_ws(c) => break,
            (None, c) => word.push(c),
        }
        *pos += 1;
    }
    if quote.is_some() {
        return Err("unbalanced quoting".into());
    }
    Ok(Some(word))
}

/// Specifier expansion (`specifier_printf()`): `%%` is a literal `%`; anything else after
/// a `%` is a specifier, which we never mean to write, so it is an error here.
pub fn specifiers(w: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(w.len());
    let mut i = 0;
    while i < w.len() {
        if w[i] == b'%' {
            match w.get(i + 1) {
                Some(b'%') => {
                    out.push(b'%');
                    i += 2;
                    continue;
                }
                Some(&x) => return Err(format!("specifier %{}", char::from(x))),
                None => return Err("lone % at end of word".into()),
            }
        }
        out.push(w[i]);
        i += 1;
    }
    Ok(out)
}

/// Run-time variable substitution on one argv word, as `replace_env_argv()` does it (with
/// `replace_env_full(…, flags = 0)`, i.e. no brace-less `$NAME` inside a word):
/// - a word that starts with `$` but not `$$`/`${` is replaced by the variable's value split
///   into words (or dropped) — an error here;
/// - `$$` is a literal `$`;
/// - `${NAME}` is replaced by the value — an error here; a `${` followed by `:` before any
///   `}` ("unsupported syntax") or by no `}` at all is kept as is, up to the `:`/the end;
/// - any other `$` is literal.
pub fn replace_env_word(w: &[u8]) -> Result<Vec<u8>, String> {
    if w.first() == Some(&b'$') && !matches!(w.get(1), Some(b'{' | b'$')) {
        return Err("a word starting with $ is replaced by a split variable".into());
    }
    let mut out = Vec::with_capacity(w.len());
    let mut i = 0;
    while i < w.len() {
        if w[i] != b'$' {
            out.push(w[i]);
            i += 1;
            continue;
        }
        match w.get(i + 1) {
            Some(b'$') => {
                out.push(b'$');
                i += 2;
            }
            Some(b'{') => {
                let rest = &w[i + 2..];
                match rest.iter().position(|&b| b == b'}' || b == b':') {
                    Some(p) if rest[p] == b'}' => {
                        return Err("${...} variable expansion".into());
                    }
                    Some(p) => {
                        out.extend_from_slice(&w[i..i + 3 + p]);
                        i += 3 + p;
                    }
                    None => {
                        out.extend_from_slice(&w[i..]);
                        i = w.len();
                    }
                }
            }
            _ => {
                out.push(b'$');
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Our policy for arguments (not the program path): every `$` is doubled, so a `$` that is
/// not half of a `$$` means we relied on systemd's "a lone `$` mid-word stays literal" rule,
/// which is an error here.
pub fn argument_env_substitution(w: &[u8]) -> Result<Vec<u8>, String> {
    let mut i = 0;
    while i < w.len() {
        match (w[i], w.get(i + 1)) {
            (b'$', Some(b'$')) => i += 2,
            (b'$', _) => return Err("unescaped $ in an argument".into()),
            _ => i += 1,
        }
    }
    replace_env_word(w)
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))
}

/// One command of an `Exec*=` line, as systemd would run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecCommand {
    /// Prefix characters of the first word (`-`, `@`, `:`, `+`, `!`).
    pub prefixes: String,
    /// The program systemd executes: specifiers expanded, *no* variable substitution,
    /// duplicate slashes dropped (`path_simplify()`).
    pub path: String,
    /// The argv the program gets: specifiers expanded, then variables substituted. With the `@`
    /// prefix argv[0] is the second word, else the path as written.
    pub argv: Vec<String>,
}

/// `string_is_safe()`: no control characters, quotes or backslashes in the program path.
fn string_is_safe(s: &[u8]) -> bool {
    !s.iter()
        .any(|&b| b < b' ' || b == 0x7f || matches!(b, b'"' | b'\'' | b'\\'))
}

/// `path_simplify()`: duplicate slashes and `.` components dropped (the same file).
pub fn simplify(path: &str) -> String {
    let mut out = String::new();
    for (i, part) in path.split('/').enumerate() {
        if i > 0 && (part.is_empty() || part == ".") {
            continue;
        }
        if i > 0 {
            out.push('/');
        }
        out.push_str(part);
    }
    if out.is_empty() { "/".to_string() } else { out }
}

/// `config_parse_exec()`: an `Exec*=` value (already stripped of surrounding whitespace by
/// the unit-file reader) into commands.
pub fn parse_exec(value: &str) -> Result<Vec<ExecCommand>, String> {
    let s = value.as_bytes();
    let mut pos = 0;
    let mut commands = Vec::new();
    while let Some(first) = extract_first_word(s, &mut pos)? {
        if first == b";" {
            return Err("lone ; where a command was expected".into());
        }
        let n_prefix = first
            .iter()
            .take_while(|b| matches!(b, b'-' | b'@' | b':' | b'+' | b'!'))
            .count();
        let prefixes = utf8(first[..n_prefix].to_vec())?;
        // `@`: argv[0] is the next word, not the path.
        let separate_argv0 = prefixes.contains('@');
        let raw_path = specifiers(&first[n_prefix..])?;
        if raw_path.is_empty() {
            return Err("empty executable path".into());
        }
        if !string_is_safe(&raw_path) {
            return Err("executable name contains special characters".into());
        }
        if raw_path.ends_with(b"/") {
            return Err("executable path ends in /".into());
        }
        let raw_path = utf8(raw_path)?;
        let valid = if raw_path.starts_with('/') {
            raw_path.split('/').all(|c| c.len() <= 255) && raw_path.len() < 4096
        } else {
            !raw_path.contains('/') && raw_path != "." && raw_path != ".." && raw_path.len() <= 255
        };
        if !valid {
            return Err("neither a valid executable name nor an absolute path".into());
        }
        // argv[0] is the path as written (before simplification), and is subject to
        // variable substitution like every other argv word; the path itself is not. With `@`
        // it is the next word instead, which we escape like any argument.
        let mut argv_raw = if separate_argv0 {
            Vec::new()
        } else {
            vec![raw_path.clone().into_bytes()]
        };
        let path = simplify(&raw_path);

        let mut separator = false;
        while pos < s.len() {
            // Only single spaces/tabs etc. separate words; skip them first.
            while pos < s.len() && is_ws(s[pos]) {
                pos += 1;
            }
            if pos >= s.len() {
                break;
            }
            let ends_word = |i: usize| i >= s.len() || is_ws(s[i]);
            if s[pos] == b';' && ends_word(pos + 1) {
                pos += 1;
                separator = true;
                break;
            }
            if s[pos] == b'\\' && s.get(pos + 1) == Some(&b';') && ends_word(pos + 2) {
                pos += 2;
                argv_raw.push(b";".to_vec());
                continue;
            }
            match extract_first_word(s, &mut pos)? {
                Some(w) => argv_raw.push(specifiers(&w)?),
                None => break,
            }
        }
        if argv_raw.is_empty() {
            return Err("Empty executable name or zeroeth argument".into());
        }
        let argv = argv_raw
            .into_iter()
            .enumerate()
            .map(|(i, w)| {
                if i == 0 && !separate_argv0 {
                    replace_env_word(&w)
                } else {
                    argument_env_substitution(&w)
                }
                .and_then(utf8)
            })
            .collect::<Result<Vec<_>, _>>()?;
        commands.push(ExecCommand {
            prefixes,
            path,
            argv,
        });
        if separator {
            return Err("command separator ; in the line".into());
        }
    }
    Ok(commands)
}

/// `config_parse_environ()`: an `Environment=` value into `(name, value)` pairs. Words as
/// for `Exec*=`, then specifiers (`%%` → `%`); `$` stays literal. Each word must be a valid
/// `NAME=value` assignment (systemd would warn and ignore it).
pub fn parse_environment(value: &str) -> Result<Vec<(String, String)>, String> {
    let s = value.as_bytes();
    let mut pos = 0;
    let mut out = Vec::new();
    while let Some(w) = extract_first_word(s, &mut pos)? {
        let assignment = utf8(specifiers(&w)?)?;
        let (name, val) = assignment
            .split_once('=')
            .ok_or_else(|| format!("invalid environment assignment {assignment:?}"))?;
        let name_ok = name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !name_ok {
            return Err(format!("invalid environment variable name {name:?}"));
        }
        out.push((name.to_string(), val.to_string()));
    }
    Ok(out)
}

/// What the unit-file reader (`config_parse()`) needs from a value so that it arrives
/// unchanged at the directive parser: one physical line, not ending in an odd number of
/// backslashes (a line continuation), no surrounding whitespace (it is stripped).
pub fn check_unit_file_value(value: &str) -> Result<(), String> {
    if value.contains('\n') {
        return Err("raw newline in a unit-file value".into());
    }
    if value.contains('\0') {
        return Err("NUL in a unit-file value".into());
    }
    let trailing_backslashes = value.bytes().rev().take_while(|&b| b == b'\\').count();
    if trailing_backslashes % 2 == 1 {
        return Err("value ends in an odd number of backslashes (line continuation)".into());
    }
    if value.starts_with(|c: char| " \t\r".contains(c))
        || value.ends_with(|c: char| " \t\r".contains(c))
    {
        return Err("surrounding whitespace would be stripped".into());
    }
    Ok(())
}

pub fn self_test() {
    let words = |s: &str| -> Vec<Vec<u8>> {
        let mut pos = 0;
        let mut v = Vec::new();
        while let Some(w) = extract_first_word(s.as_bytes(), &mut pos).unwrap() {
            v.push(w);
        }
        v
    };
    assert_eq!(
        words(r#"a "b c" 'd"e' f"g h"i \x41\101\u00e9 "" \s"#),
        vec![
            b"a".to_vec(),
            b"b c".to_vec(),
            b"d\"e".to_vec(),
            b"fg hi".to_vec(),
            b"AA\xc3\xa9".to_vec(),
            b"".to_vec(),
            b" ".to_vec(),
        ]
    );
    assert!(extract_first_word(br#""open"#, &mut 0).is_err());
    assert!(extract_first_word(br"\q", &mut 0).is_err());
    assert!(extract_first_word(br"\x00", &mut 0).is_err());
    assert!(extract_first_word(br"\;", &mut 0).is_err());
    let c = parse_exec(r"/bin/echo \; a$$b 100%% ").unwrap();
    assert_eq!(c[0].argv, ["/bin/echo", ";", "a$b", "100%"]);
    assert!(parse_exec("/bin/a ; /bin/b").is_err());
    assert!(parse_exec("/bin/a $HOME").is_err());
    assert!(parse_exec("/bin/a a$b").is_err());
    let env = |w: &str| replace_env_word(w.as_bytes()).map(|v| String::from_utf8(v).unwrap());
    assert_eq!(env("a$b"), Ok("a$b".into()));
    assert_eq!(env("a$$b$"), Ok("a$b$".into()));
    assert_eq!(env("$${X}"), Ok("${X}".into()));
    assert_eq!(env("a${X:-$$}"), Ok("a${X:-$}".into()));
    assert_eq!(env("a${X$$"), Ok("a${X$$".into()));
    assert!(env("a${X}").is_err());
    assert!(env("$X").is_err());
    assert!(env("$").is_err());
    let c = parse_exec("/opt/a$b/x%%y a$$b").unwrap();
    assert_eq!(c[0].path, "/opt/a$b/x%y");
    assert_eq!(c[0].argv, ["/opt/a$b/x%y", "a$b"]);
    assert!(parse_exec("/bin/a %n").is_err());
    assert!(parse_exec("-/bin/a").is_ok_and(|c| c[0].prefixes == "-"));
    let c = parse_exec(r#"@/usr/bin/php php "a b" \;"#).unwrap();
    assert_eq!(
        (c[0].prefixes.as_str(), c[0].path.as_str()),
        ("@", "/usr/bin/php")
    );
    assert_eq!(c[0].argv, ["php", "a b", ";"]);
    assert_eq!(parse_exec(r#"@/bin/a """#).unwrap()[0].argv, [""]);
    assert!(parse_exec("@/bin/a").is_err(), "no argv[0]");
    assert!(
        parse_exec("@/bin/a a$b").is_err(),
        "argv[0] is substituted like any argument"
    );
    assert_eq!(parse_exec("@/bin/a a$$b").unwrap()[0].argv, ["a$b"]);
    assert_eq!(parse_exec("/bin//a").unwrap()[0].path, "/bin/a");
    assert_eq!(parse_exec("/bin//a").unwrap()[0].argv, ["/bin//a"]);
    assert_eq!(
        parse_environment(r#""A=1 2" B=$x 'C=50%%'"#).unwrap(),
        [
            ("A".into(), "1 2".into()),
            ("B".into(), "$x".into()),
            ("C".into(), "50%".into())
        ]
    );
    assert!(parse_environment("A=1 2").is_err());
    assert!(check_unit_file_value(r"a\").is_err());
    assert!(check_unit_file_value(r"a\\").is_ok());
}

/// One assignment as systemd's unit-file reader hands it to a directive parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub section: String,
    pub key: String,
    pub value: String,
}

/// `read_line()`: the physical lines of `text`; a line ends at `\n`, `\r`, `\r\n` or NUL.
fn physical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let mut pending = false;
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\0' => {
                out.push(std::mem::take(&mut cur));
                pending = false;
            }
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push(std::mem::take(&mut cur));
                pending = false;
            }
            c => {
                cur.push(c);
                pending = true;
            }
        }
    }
    if pending {
        out.push(cur);
    }
    out
}

fn strip(s: &str) -> &str {
    s.trim_matches(|c| " \t\n\r".contains(c))
}

/// `config_parse()` + `parse_line()` of systemd 252, for unit files: a UTF-8 byte-order mark is
/// dropped, lines whose first non-blank character is `#` or `;` are skipped (also inside a
/// continuation), a line ending in an odd run of backslashes continues on the next one (the
/// backslash becomes a space), a line longer than `LONG_LINE_MAX` fails the whole file, `[X]`
/// opens a section, `.include` is refused, anything else must be `key=value` (both stripped)
/// inside a section, or the whole file fails to load.
pub fn read_unit_file(text: &str) -> Result<Vec<Directive>, String> {
    const LONG_LINE_MAX: usize = 1024 * 1024;
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    let mut continuation: Option<String> = None;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (n, line) in physical_lines(text).into_iter().enumerate() {
        if line.len() >= LONG_LINE_MAX {
            return Err(format!("line {}: too long", n + 1));
        }
        let lead = line.trim_start_matches([' ', '\t', '\n', '\r']);
        if lead.starts_with(['#', ';']) {
            continue;
        }
        let mut p = match continuation.take() {
            Some(mut c) => {
                c.push_str(&line);
                c
            }
            None => line,
        };
        let trailing = p.len() - p.trim_end_matches('\\').len();
        if trailing % 2 == 1 {
            p.pop();
            p.push(' ');
            continuation = Some(p);
            continue;
        }
        let l = strip(&p);
        if l.is_empty() || l.starts_with(['#', ';']) {
            continue;
        }
        if l.starts_with(".include ") {
            return Err(format!("line {}: .include", n + 1));
        }
        if let Some(rest) = l.strip_prefix('[') {
            let Some(name) = rest.strip_suffix(']') else {
                return Err(format!("line {}: invalid section header", n + 1));
            };
            section = Some(name.to_string());
            continue;
        }
        let Some(sec) = &section else {
            continue;
        };
        let Some((k, v)) = l.split_once('=') else {
            return Err(format!("line {}: missing '='", n + 1));
        };
        out.push(Directive {
            section: sec.clone(),
            key: strip(k).to_string(),
            value: strip(v).to_string(),
        });
    }
    if let Some(c) = continuation {
        let l = strip(&c);
        if let (false, Some(sec), Some((k, v))) = (l.is_empty(), &section, l.split_once('=')) {
            out.push(Directive {
                section: sec.clone(),
                key: strip(k).to_string(),
                value: strip(v).to_string(),
            });
        }
    }
    Ok(out)
}

/// The text of a value of a directive that expands specifiers and nothing else (`%%` → `%`).
pub fn unspecify(value: &str) -> Result<String, String> {
    specifiers(value.as_bytes()).and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
}
