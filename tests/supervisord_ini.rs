//! The supervisord INI reader against supervisor's own `UnhosedConfigParser` on 600 generated
//! snippets (`tests/fixtures/supervisord-ini-oracle.json`, written by
//! `tests/oracle/supervisor_oracle.py` from inline comments with and without whitespace,
//! quotes, `=`/`:` with spaces and tabs, continuation and blank lines, comment lines, `[DEFAULT]`,
//! repeated sections and keys, odd headers, lines without a delimiter, CR and CRLF endings).
//! The same snippets as CPython 3.9 and 3.13 read them (`supervisord-ini-oracle-py39.json`,
//! `-py313.json`) are read with `Python::Py39` and `Python::Py313`. Each must give the same sections in the same order, the same keys and values, and the
//! same bad lines attributed to the same sections.

use serde_json::{Value, json};
use systemdify::front::supervisord::ini::{Ini, Python};

fn pairs(options: &[(String, systemdify::front::supervisord::ini::Value)]) -> Value {
    let mut v: Vec<(String, String)> = options
        .iter()
        .map(|(k, v)| (k.clone(), v.text.clone()))
        .collect();
    v.sort();
    json!(v)
}

/// Reads every snippet of `fixture` with `rule` and lists the differences from the oracle.
fn differences(fixture: &str, python: Python) -> Vec<String> {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 600);
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let text = case["text"].as_str().unwrap();
        let mut ini = Ini::for_python(python);
        ini.read(text, "snippet");
        let got = json!({
            "defaults": pairs(ini.defaults()),
            "sections": ini.sections().map(|s| json!([s.name, pairs(&s.options)])).collect::<Vec<_>>(),
            "errors": ini.errors.iter().map(|e| json!([e.at.line, e.section])).collect::<Vec<_>>(),
        });
        for field in ["defaults", "sections", "errors"] {
            if case[field] != got[field] {
                failures.push(format!(
                    "case {i} {text:?} {field}:\n  supervisor: {}\n  systemdify: {}",
                    case[field], got[field]
                ));
            }
        }
    }
    failures
}

#[test]
fn generated_snippets_read_as_supervisor_on_python_3_10_to_3_12_reads_them() {
    let failures = differences("supervisord-ini-oracle.json", Python::Py310);
    assert!(
        failures.is_empty(),
        "{} of 600 differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn generated_snippets_read_as_supervisor_on_python_3_9_reads_them() {
    let failures = differences("supervisord-ini-oracle-py39.json", Python::Py39);
    assert!(
        failures.is_empty(),
        "{} of 600 differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn generated_snippets_read_as_supervisor_on_python_3_13_reads_them() {
    let failures = differences("supervisord-ini-oracle-py313.json", Python::Py313);
    assert!(
        failures.is_empty(),
        "{} of 600 differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_python_versions_differ_on_some_snippets() {
    // Three readings, not one reading three times: each version's rule matters.
    assert!(!differences("supervisord-ini-oracle-py313.json", Python::Py310).is_empty());
    assert!(!differences("supervisord-ini-oracle-py39.json", Python::Py310).is_empty());
}
