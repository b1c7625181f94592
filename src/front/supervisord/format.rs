//! Python's `str % mapping`, which supervisor's `expand()` applies to option values:
//! `%(name)s`, `%(process_num)02d` and every other conversion Python accepts on a mapping,
//! `%%` for a literal `%`.
//!
//! A conversion without a `(name)` (`%s`) would format supervisor's whole expansion table; that
//! is refused here as an error instead of imitated.

/// A value an expansion name stands for: text, or a number (`process_num`, `numprocs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Str(String),
    Int(i64),
}

/// Why a value could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// `%(name)…` names nothing in the table (Python's `KeyError`).
    Unknown(String),
    /// Anything else Python rejects (a stray `%`, `%d` on text, `*`, …).
    Bad(String),
}

/// Expands `s` as `s % table` does in Python, `lookup` giving the value of each name. Every
/// name looked up (found or not) is passed to `used`.
///
/// # Errors
/// The first name `lookup` does not know, or the first malformed conversion.
pub fn expand(
    s: &str,
    lookup: &dyn Fn(&str) -> Option<Val>,
    used: &mut dyn FnMut(&str),
) -> Result<String, FormatError> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let Some(&next) = chars.get(i) else {
            return Err(FormatError::Bad("incomplete format".into()));
        };
        if next == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let mut key = None;
        if next == '(' {
            let mut depth = 1;
            let key_start = i + 1;
            i += 1;
            while i < chars.len() && depth > 0 {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return Err(FormatError::Bad("incomplete format key".into()));
            }
            // CPython looks the name up as soon as it is read, before the conversion.
            let name: String = chars[key_start..i - 1].iter().collect();
            used(&name);
            match lookup(&name) {
                Some(v) => key = Some(v),
                None => return Err(FormatError::Unknown(name)),
            }
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.get(i) {
            match f {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        if chars.get(i) == Some(&'*') {
            return Err(FormatError::Bad("* wants int".into()));
        }
        spec.width = digits(&chars, &mut i)?;
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                return Err(FormatError::Bad("* wants int".into()));
            }
            spec.precision = Some(digits(&chars, &mut i)?.unwrap_or(0));
        }
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            return Err(FormatError::Bad("incomplete format".into()));
        };
        i += 1;
        if !"diouxXeEfFgGcrsa".contains(conv) {
            return Err(FormatError::Bad(format!(
                "unsupported format character '{conv}' (0x{:x}) at index {}",
                conv as u32,
                i - 1
            )));
        }
        let Some(val) = key else {
            return Err(FormatError::Bad(format!(
                "'%{conv}' at index {start} names no expansion (write %%{conv} for a literal %)"
            )));
        };
        out.push_str(&convert(&val, conv, &spec)?);
    }
    Ok(out)
}

/// The widest `%…d`/`%…s` field expanded.
pub const MAX_WIDTH: usize = 4096;

#[derive(Debug, Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

fn digits(chars: &[char], i: &mut usize) -> Result<Option<usize>, FormatError> {
    let start = *i;
    while chars.get(*i).is_some_and(char::is_ascii_digit) {
        *i += 1;
    }
    if *i == start {
        return Ok(None);
    }
    let text: String = chars[start..*i].iter().collect();
    // Python would build a string that wide; a configuration never means that.
    text.parse()
        .ok()
        .filter(|&n: &usize| n <= MAX_WIDTH)
        .map(Some)
        .ok_or_else(|| FormatError::Bad(format!("width or precision {text} is over {MAX_WIDTH}")))
}

/// Python's `repr()` of a string.
#[must_use]
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn pad(body: String, spec: &Spec, numeric_zero: bool) -> String {
    let width = spec.width.unwrap_or(0);
    let len = body.chars().count();
    if len >= width {
        return body;
    }
    let fill = width - len;
    if spec.left {
        format!("{body}{}", " ".repeat(fill))
    } else if numeric_zero && spec.zero {
        // Zeros go after the sign and the 0x/0o prefix.
        let sign_len = body
            .chars()
            .take_while(|c| matches!(c, '+' | '-' | ' '))
            .count();
        let rest: String = body.chars().skip(sign_len).collect();
        let prefix_len = if rest.len() >= 2
            && rest.starts_with('0')
            && matches!(rest.as_bytes()[1], b'x' | b'X' | b'o')
        {
            2
        } else {
            0
        };
        let head: String = body.chars().take(sign_len + prefix_len).collect();
        let tail: String = body.chars().skip(sign_len + prefix_len).collect();
        format!("{head}{}{tail}", "0".repeat(fill))
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

fn sign(negative: bool, spec: &Spec) -> &'static str {
    if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    }
}

fn convert(val: &Val, conv: char, spec: &Spec) -> Result<String, FormatError> {
    match (val, conv) {
        (Val::Str(s), 's' | 'r' | 'a') => {
            let text = if conv == 's' { s.clone() } else { py_repr(s) };
            let text = match spec.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            };
            Ok(pad(text, spec, false))
        }
        (Val::Str(s), 'c') if s.chars().count() == 1 => Ok(pad(s.clone(), spec, false)),
        (Val::Str(_), 'c') => Err(FormatError::Bad("%c requires int or char".into())),
        (Val::Str(_), _) => Err(FormatError::Bad(format!(
            "%{conv} format: a real number is required, not str"
        ))),
        (Val::Int(n), 's' | 'r' | 'a') => {
            let text = n.to_string();
            let text = match spec.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            };
            Ok(pad(text, spec, false))
        }
        (Val::Int(n), 'c') => u32::try_from(*n)
            .ok()
            .and_then(char::from_u32)
            .map(|c| pad(c.to_string(), spec, false))
            .ok_or_else(|| FormatError::Bad("%c arg not in range(0x110000)".into())),
        (Val::Int(n), 'd' | 'i' | 'u' | 'o' | 'x' | 'X') => {
            let abs = n.unsigned_abs();
            let mut digits = match conv {
                'o' => format!("{abs:o}"),
                'x' => format!("{abs:x}"),
                'X' => format!("{abs:X}"),
                _ => abs.to_string(),
            };
            if let Some(p) = spec.precision
                && digits.len() < p
            {
                digits = format!("{}{digits}", "0".repeat(p - digits.len()));
            }
            let prefix = match (spec.alt, conv) {
                (true, 'o') => "0o",
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                _ => "",
            };
            let body = format!("{}{prefix}{digits}", sign(*n < 0, spec));
            Ok(pad(body, spec, true))
        }
        (Val::Int(n), 'e' | 'E' | 'f' | 'F' | 'g' | 'G') => {
            let body = float_format(*n as f64, conv, spec);
            Ok(pad(format!("{}{body}", sign(*n < 0, spec)), spec, true))
        }
        _ => Err(FormatError::Bad(format!(
            "unsupported format character '{conv}'"
        ))),
    }
}

/// `%e`, `%f`, `%g` of a whole number (the magnitude; the caller adds the sign).
fn float_format(v: f64, conv: char, spec: &Spec) -> String {
    let v = v.abs();
    let p = spec.precision.unwrap_or(6);
    let exp_form = |p: usize, upper: bool| {
        let s = format!("{v:.p$e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let e = if upper { 'E' } else { 'e' };
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}{e}{sign}{:02}", exp.abs())
    };
    match conv {
        'f' | 'F' => {
            let s = format!("{v:.p$}");
            if spec.alt && p == 0 {
                format!("{s}.")
            } else {
                s
            }
        }
        'e' | 'E' => exp_form(p, conv == 'E'),
        _ => {
            let p = if p == 0 { 1 } else { p };
            let x = if v == 0.0 {
                0
            } else {
                v.log10().floor() as i32
            };
            // The exponent after rounding to p significant digits.
            let rounded = format!("{v:.prec$e}", prec = p - 1);
            let x = rounded
                .split_once('e')
                .and_then(|(_, e)| e.parse::<i32>().ok())
                .unwrap_or(x);
            let s = if -4 <= x && x < p as i32 {
                let decimals = (p as i32 - 1 - x).max(0) as usize;
                format!("{v:.decimals$}")
            } else {
                exp_form(p - 1, conv == 'G')
            };
            if spec.alt {
                return s;
            }
            let (mantissa, exp) = match s.find(['e', 'E']) {
                Some(i) => (&s[..i], &s[i..]),
                None => (s.as_str(), ""),
            };
            let mantissa = if mantissa.contains('.') {
                mantissa.trim_end_matches('0').trim_end_matches('.')
            } else {
                mantissa
            };
            format!("{mantissa}{exp}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> Result<String, FormatError> {
        let lookup = |k: &str| match k {
            "a" => Some(Val::Int(65)),
            "b" => Some(Val::Str("a".into())),
            "program_name" => Some(Val::Str("web".into())),
            _ => None,
        };
        expand(s, &lookup, &mut |_| {})
    }

    #[test]
    fn conversions_match_python() {
        // Expected strings printed by CPython 3.11.
        assert_eq!(
            run("%(a)-5d|%(a)+d|%(a)#x|%(a)#o|%(a).3d|%(a)05.3d|%(a)c|%(a)e|%(a)g|%(a) d|%(a)5x")
                .unwrap(),
            "65   |+65|0x41|0o101|065|00065|A|6.500000e+01|65| 65|   41"
        );
        assert_eq!(
            run("%(b)5.1s|%(b)r|%(b)-6s|%(b)05s|%(b)c").unwrap(),
            "    a|'a'|a     |    a|a"
        );
        assert_eq!(run("%(a)ld|%(a)hd|%(a)Lx").unwrap(), "65|65|41");
        assert_eq!(run("100%% %(program_name)s").unwrap(), "100% web");
    }

    #[test]
    fn errors_match_python() {
        assert_eq!(run("%(nope)s"), Err(FormatError::Unknown("nope".into())));
        assert!(matches!(run("50%"), Err(FormatError::Bad(_))));
        assert!(matches!(run("50% off"), Err(FormatError::Bad(_))));
        assert!(matches!(run("%(program_name)d"), Err(FormatError::Bad(_))));
        assert!(matches!(run("%(a)%"), Err(FormatError::Bad(_))));
        assert!(matches!(run("%s"), Err(FormatError::Bad(_))));
        assert!(matches!(run("%(a"), Err(FormatError::Bad(_))));
        assert!(matches!(run("%(a)99999999999d"), Err(FormatError::Bad(_))));
        assert_eq!(run("%(a)4096d").unwrap().len(), 4096);
    }
}
