//! The few JavaScript value semantics PM2's normalisation depends on, over `serde_json` values:
//! truthiness, `Number(x)`/`isNaN`, `parseFloat`, `parseInt`, `String(x)`, `typeof`.

use serde_json::Value;

/// JavaScript truthiness (`NaN` arrives from JSON as `null`, also falsy).
#[must_use]
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_) | Value::Object(_)) => true,
    }
}

/// `String(v)` for a value inside a configuration (arrays joined with `,`, objects as
/// `[object Object]`, numbers as JavaScript prints them).
#[must_use]
pub fn to_string(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Null => String::new(),
                other => to_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_string(),
    }
}

/// A number as JavaScript's `String(n)` writes it, for the values configurations hold.
#[must_use]
pub fn number_to_string(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if f == f.trunc() && f.abs() < 1e21 {
        return format!("{}", f as i128);
    }
    let s = format!("{f}");
    if f.abs() >= 1e21 || (f != 0.0 && f.abs() < 1e-6) {
        let e = format!("{f:e}");
        return match e.split_once('e') {
            Some((m, x)) if !x.starts_with('-') => format!("{m}e+{x}"),
            _ => e,
        };
    }
    s
}

/// `Number(s)` for a string: whitespace trimmed, empty is 0, `0x`/`0o`/`0b` prefixes,
/// `Infinity`; `None` where JavaScript gives `NaN`.
#[must_use]
pub fn string_to_number(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.is_empty() {
        return Some(0.0);
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = t.strip_prefix(prefix) {
            return u64::from_str_radix(digits, radix).ok().map(|n| n as f64);
        }
    }
    match t {
        "Infinity" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let ok = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !ok || t.contains("inf") {
        return None;
    }
    t.parse::<f64>().ok()
}

/// `Number(v)`: `None` where JavaScript gives `NaN`.
#[must_use]
pub fn to_number(v: &Value) -> Option<f64> {
    match v {
        Value::Null => Some(0.0),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::Number(n) => n.as_f64(),
        Value::String(s) => string_to_number(s),
        Value::Array(a) => match a.as_slice() {
            [] => Some(0.0),
            [one] if !one.is_array() && !one.is_object() => string_to_number(&to_string(one)),
            [one] if one.is_array() => to_number(one),
            _ => None,
        },
        Value::Object(_) => None,
    }
}

/// `parseFloat(String(v))`: the longest leading decimal number, after leading whitespace.
#[must_use]
pub fn parse_float(v: &Value) -> Option<f64> {
    let s = to_string(v);
    let t = s.trim_start();
    if let Some(rest) = t.strip_prefix("Infinity").or(t.strip_prefix("+Infinity")) {
        let _ = rest;
        return Some(f64::INFINITY);
    }
    if t.starts_with("-Infinity") {
        return Some(f64::NEG_INFINITY);
    }
    let bytes = t.as_bytes();
    let mut end = 0;
    let mut best = None;
    if end < bytes.len() && (bytes[end] == b'+' || bytes[end] == b'-') {
        end += 1;
    }
    let mut seen_dot = false;
    let mut seen_e = false;
    let mut digits = false;
    while end < bytes.len() {
        let c = bytes[end];
        if c.is_ascii_digit() {
            digits = true;
            end += 1;
            if let Ok(f) = t[..end].parse::<f64>() {
                best = Some(f);
            }
        } else if c == b'.' && !seen_dot && !seen_e {
            seen_dot = true;
            end += 1;
        } else if (c == b'e' || c == b'E') && digits && !seen_e {
            seen_e = true;
            end += 1;
            if end < bytes.len() && (bytes[end] == b'+' || bytes[end] == b'-') {
                end += 1;
            }
        } else {
            break;
        }
    }
    best
}

/// `parseInt(String(v))` (base 10, or 16 with `0x`).
#[must_use]
pub fn parse_int(v: &Value) -> Option<i64> {
    let s = to_string(v);
    let t = s.trim_start();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, t) = match t.strip_prefix("0x").or(t.strip_prefix("0X")) {
        Some(r) => (16, r),
        None => (10, t),
    };
    let digits: String = t.chars().take_while(|c| c.is_digit(radix)).collect();
    let n = i64::from_str_radix(&digits, radix).ok()?;
    Some(if neg { -n } else { n })
}

/// A JSON number for `f`, integral when it is (so that `300` stays `300`, not `300.0`); `null`
/// for `NaN` and the infinities, as `JSON.stringify` writes them.
#[must_use]
pub fn number(f: f64) -> Value {
    if f.is_finite() && f == f.trunc() && f.abs() < 9.007_199_254_740_992e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// `Object.prototype.toString`'s type tag: `Boolean`, `Number`, `String`, `Array`, `Object`,
/// `Null`.
#[must_use]
pub fn type_tag(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_as_javascript() {
        assert_eq!(to_number(&json!("300M")), None);
        assert_eq!(to_number(&json!(" 12 ")), Some(12.0));
        assert_eq!(to_number(&json!("")), Some(0.0));
        assert_eq!(to_number(&json!([0])), Some(0.0));
        assert_eq!(to_number(&json!([0, 1])), None);
        assert_eq!(to_number(&json!("0x10")), Some(16.0));
        assert_eq!(parse_float(&json!("300M")), Some(300.0));
        assert_eq!(parse_float(&json!("1.5e3x")), Some(1500.0));
        assert_eq!(parse_float(&json!("")), None);
        assert_eq!(parse_float(&json!([5])), Some(5.0));
        assert_eq!(parse_int(&json!("4 workers")), Some(4));
        assert_eq!(parse_int(&json!("max")), None);
        assert_eq!(number_to_string(3000.0), "3000");
        assert_eq!(number_to_string(1.5), "1.5");
        assert!(truthy(Some(&json!([]))));
        assert!(!truthy(Some(&json!(0))));
        assert!(!truthy(Some(&json!(""))));
    }
}
