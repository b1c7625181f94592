//! The two tokenizers supervisor uses, ported from CPython's `shlex`:
//! [`split`] is `shlex.split` (POSIX mode, no comments), which supervisor applies to `command`
//! when it spawns the process; [`key_value_pairs`] is `datatypes.dict_of_key_value_pairs`, a
//! non-POSIX `shlex.shlex` with `/.+-():` added to the word characters, for `environment=`.

const WHITESPACE: &[char] = &[' ', '\t', '\r', '\n'];

fn is_ascii_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `shlex.split(s)`: POSIX quoting (`'…'`, `"…"` with `\"` and `\\`, `\` outside quotes), words
/// split on space, tab, CR and LF, `#` not special.
///
/// # Errors
/// Python's message: `No closing quotation` or `No escaped character`.
pub fn split(s: &str) -> Result<Vec<String>, String> {
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        Space,
        Word,
        Quote(char),
        Escape(/* state to return to */ Option<char>),
    }
    let mut out = Vec::new();
    let mut token = String::new();
    let mut quoted = false;
    let mut state = St::Space;
    for c in s.chars() {
        match state {
            St::Space | St::Word => {
                if WHITESPACE.contains(&c) {
                    if state == St::Word || quoted {
                        out.push(std::mem::take(&mut token));
                        quoted = false;
                    }
                    state = St::Space;
                } else if c == '\\' {
                    state = St::Escape(None);
                } else if c == '\'' || c == '"' {
                    state = St::Quote(c);
                } else {
                    token.push(c);
                    state = St::Word;
                }
            }
            St::Quote(q) => {
                quoted = true;
                if c == q {
                    state = St::Word;
                } else if q == '"' && c == '\\' {
                    state = St::Escape(Some(q));
                } else {
                    token.push(c);
                }
            }
            St::Escape(back) => {
                // Inside double quotes only `"` and `\` are escaped; the backslash stays before
                // anything else.
                if let Some(q) = back
                    && c != '\\'
                    && c != q
                {
                    token.push('\\');
                }
                token.push(c);
                state = match back {
                    Some(q) => St::Quote(q),
                    None => St::Word,
                };
            }
        }
    }
    match state {
        St::Quote(_) => Err("No closing quotation".into()),
        St::Escape(_) => Err("No escaped character".into()),
        St::Word => {
            out.push(token);
            Ok(out)
        }
        St::Space => {
            if quoted {
                out.push(token);
            }
            Ok(out)
        }
    }
}

/// The tokens of a non-POSIX `shlex.shlex` with `/.+-():` added to the word characters.
fn env_tokens(s: &str) -> Result<Vec<String>, String> {
    let word = |c: char| is_ascii_word(c) || "/.+-():".contains(c);
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let skip_line = |i: &mut usize| {
        while *i < chars.len() && chars[*i] != '\n' {
            *i += 1;
        }
        if *i < chars.len() {
            *i += 1;
        }
    };
    loop {
        // Whitespace state.
        let Some(&c) = chars.get(i) else {
            return Ok(out);
        };
        i += 1;
        if WHITESPACE.contains(&c) {
            continue;
        }
        if c == '#' {
            skip_line(&mut i);
            continue;
        }
        if c == '\'' || c == '"' {
            let mut token = c.to_string();
            loop {
                let Some(&n) = chars.get(i) else {
                    return Err("No closing quotation".into());
                };
                i += 1;
                token.push(n);
                if n == c {
                    break;
                }
            }
            out.push(token);
            continue;
        }
        if !word(c) {
            out.push(c.to_string());
            continue;
        }
        // Word state: word characters and quotes are taken, a comment swallows the rest of
        // the line and the word goes on after it, anything else ends the word.
        let mut token = c.to_string();
        while let Some(&n) = chars.get(i) {
            if WHITESPACE.contains(&n) {
                i += 1;
                break;
            }
            if n == '#' {
                i += 1;
                skip_line(&mut i);
                continue;
            }
            if word(n) || n == '\'' || n == '"' {
                token.push(n);
                i += 1;
                continue;
            }
            break;
        }
        out.push(token);
    }
}

/// `dict_of_key_value_pairs`: `KEY=val,KEY2="a,b"` into pairs in order (a repeated key keeps
/// its first position and takes the last value). Quotes are stripped from both ends of each
/// value; whatever token follows a value (normally `,`) is skipped.
///
/// # Errors
/// Python's message for the value, as supervisor gives it.
pub fn key_value_pairs(s: &str) -> Result<Vec<(String, String)>, String> {
    let tokens = env_tokens(s)?;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens.len() < i + 3 || tokens[i + 1] != "=" {
            return Err(format!("Unexpected end of key/value pairs in value '{s}'"));
        }
        let value = tokens[i + 2].trim_matches(['\'', '"']).to_string();
        match out.iter_mut().find(|(k, _)| *k == tokens[i]) {
            Some((_, v)) => *v = value,
            None => out.push((tokens[i].clone(), value)),
        }
        i += 4;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        split(s).unwrap()
    }

    #[test]
    fn split_follows_posix_quoting() {
        assert_eq!(
            words(r#"/usr/bin/python3 -m celery -A "proj app" worker --loglevel='INFO' a\ b"#),
            [
                "/usr/bin/python3",
                "-m",
                "celery",
                "-A",
                "proj app",
                "worker",
                "--loglevel=INFO",
                "a b"
            ]
        );
        assert_eq!(
            words(r#"echo "a\"b\\c\d" '' x"#),
            ["echo", r#"a"b\c\d"#, "", "x"]
        );
        assert_eq!(words("a\n  b\tc # d"), ["a", "b", "c", "#", "d"]);
        assert_eq!(words(""), Vec::<String>::new());
        assert_eq!(split("bash -c 'foo").unwrap_err(), "No closing quotation");
        assert_eq!(split("foo \\").unwrap_err(), "No escaped character");
    }

    #[test]
    fn environment_pairs_like_supervisor() {
        assert_eq!(
            key_value_pairs(r#"A="1",B='a,b c',PATH="/usr/bin:/bin",C=x.y-z"#).unwrap(),
            [
                ("A".into(), "1".into()),
                ("B".into(), "a,b c".into()),
                ("PATH".into(), "/usr/bin:/bin".into()),
                ("C".into(), "x.y-z".into())
            ]
        );
        assert!(key_value_pairs("A=x@y").is_err());
        // The token after a value is skipped whatever it is; B is lost with the space.
        assert!(key_value_pairs("A=1 B=2").is_err());
        assert_eq!(
            key_value_pairs("A=1;B=2").unwrap(),
            [("A".into(), "1".into()), ("B".into(), "2".into())]
        );
        // A comment inside a word swallows the rest of the line; the word goes on.
        assert_eq!(
            key_value_pairs("A=x#y\nz,B=2").unwrap(),
            [("A".into(), "xz".into()), ("B".into(), "2".into())]
        );
        assert_eq!(key_value_pairs("").unwrap(), Vec::new());
    }
}
