//! `process.yml`/`.yaml` as PM2 reads it (`js-yaml` 4 `load`, the YAML 1.2 core schema):
//! `yes`/`no`/`on`/`off` stay strings, `true`/`false` are booleans, `0755` is the number 755,
//! duplicate keys are errors, `<<` merge keys merge, `1_000` is a string. Read with `serde-saphyr` (pure Rust) with
//! `strict_booleans`; numbers with no fraction become integers, as JavaScript has only numbers.

use serde_json::Value;

/// A YAML syntax error at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// Parses one YAML document into the value js-yaml gives.
///
/// # Errors
/// The text is not valid YAML (or holds a duplicate key).
pub fn parse(text: &str) -> Result<Value, YamlError> {
    let options =
        serde_saphyr::options! { strict_booleans: true, underscored_numbers_as_strings: true };
    match serde_saphyr::from_str_with_options::<Value>(text, options) {
        Ok(v) => Ok(integral(v)),
        Err(e) => {
            let location = e.location();
            let message = e.to_string();
            let first = message
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid YAML")
                .trim();
            Err(YamlError {
                message: bare_message(first).to_string(),
                line: location.map(|l| u32::try_from(l.line()).unwrap_or(u32::MAX)),
                column: location.map(|l| u32::try_from(l.column()).unwrap_or(u32::MAX)),
            })
        }
    }
}

/// serde-saphyr's message without its own `error: ` and `line N column M: ` prefixes: the
/// location is reported as `file:line:col` already.
fn bare_message(message: &str) -> &str {
    let m = message.strip_prefix("error: ").unwrap_or(message);
    let located = m.strip_prefix("line ").and_then(|rest| {
        let (line, rest) = rest.split_once(" column ")?;
        let (column, rest) = rest.split_once(": ")?;
        (line.bytes().all(|b| b.is_ascii_digit()) && column.bytes().all(|b| b.is_ascii_digit()))
            .then_some(rest)
    });
    located.filter(|r| !r.is_empty()).unwrap_or(m)
}

/// Floats without a fraction as integers, everywhere in `v`.
fn integral(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => super::js::number(f),
            _ => Value::Number(n),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(integral).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, integral(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_error_is_located_once() {
        let e = parse("apps:\n  - name: x\n    script: [\n").unwrap_err();
        assert_eq!(e.message, "unclosed bracket '['");
        assert_eq!((e.line, e.column), (Some(3), Some(13)));
        assert_eq!(bare_message("line 2 column x: y"), "line 2 column x: y");
    }

    #[test]
    fn booleans_and_numbers_as_js_yaml() {
        let v = parse(
            "apps:\n  - name: api\n    watch: off\n    autorestart: yes\n    merge_logs: true\n    instances: 4\n    mode: 0755\n    ratio: 1.5\n    max_memory_restart: 300M\n    port: '3000'\n",
        )
        .unwrap();
        let app = &v["apps"][0];
        assert_eq!(app["watch"], json!("off"));
        assert_eq!(app["autorestart"], json!("yes"));
        assert_eq!(app["merge_logs"], json!(true));
        assert_eq!(app["instances"], json!(4));
        assert_eq!(app["mode"], json!(755));
        assert_eq!(app["ratio"], json!(1.5));
        assert_eq!(app["max_memory_restart"], json!("300M"));
        assert_eq!(app["port"], json!("3000"));
    }

    /// Each scalar as js-yaml 4.1 (PM2 7.0.4's) loads it, checked with node. Known differences,
    /// documented in MIGRATION.md: `+.5` (js-yaml: a string; here 0.5) and plain timestamps
    /// (`2001-01-01`: js-yaml a `Date`; here the string).
    #[test]
    fn scalars_as_js_yaml() {
        let text = "a: 0o17\nb: +12\nc: 1e3\nd: .5\nf: 0b101\ng: 1:20\nh: +.5\ni: 0x1F\nj: 1_000\nk: 010\nl: 08\nn: Null\no: NULL\np: True\nq: TRUE\nr: ~\ns: 0.\nt: -0\nu: 12e\nv: 1.5E+3\nw: \"007\"\nx: 0o8\n";
        let v = parse(text).unwrap();
        let want = json!({"a":15,"b":12,"c":1000,"d":0.5,"f":5,"g":"1:20","i":31,"j":"1_000","k":10,"l":8,
            "n":null,"o":null,"p":true,"q":true,"r":null,"s":0,"t":0,"u":"12e","v":1500,"w":"007","x":"0o8"});
        let mut diffs = Vec::new();
        for (k, w) in want.as_object().unwrap() {
            if &v[k] != w {
                diffs.push(format!("{k}: ours {}, js-yaml {w}", v[k]));
            }
        }
        assert!(diffs.is_empty(), "{diffs:?}");
    }

    #[test]
    fn anchors_merge_and_duplicates() {
        let v = parse("base: &b\n  cwd: /srv\napps:\n  - <<: *b\n    script: a.js\n").unwrap();
        assert_eq!(v["apps"][0]["cwd"], json!("/srv"));
        let e = parse("apps:\n  - script: a\n    script: b\n").unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
        let e = parse("apps:\n  - script: a\n   name: b\n").unwrap_err();
        assert!(e.line.is_some(), "{e:?}");
    }
}
