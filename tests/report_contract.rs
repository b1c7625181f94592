//! The JSON report as the contract spells it, for inputs that never got a format.

fn report(args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let mut argv = vec!["systemdify", "convert", "--report", path.to_str().unwrap()];
    argv.extend_from_slice(args);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        argv,
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut out,
            stderr: &mut err,
        },
    );
    assert_eq!(code, 1, "{}", String::from_utf8_lossy(&err));
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

#[test]
fn a_missing_input_under_auto_has_no_format() {
    let r = report(&["/nonexistent/crontab-like-file"]);
    assert_eq!(r["items"][0]["status"], "error");
    assert_eq!(r["items"][0]["source"]["format"], serde_json::Value::Null);
}

#[test]
fn an_unclassifiable_input_has_no_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.txt");
    std::fs::write(&p, "just some words\n").unwrap();
    let r = report(&[p.to_str().unwrap()]);
    assert_eq!(r["items"][0]["source"]["format"], serde_json::Value::Null);
}

#[test]
fn a_missing_input_read_with_from_has_that_format() {
    let r = report(&["--from", "sysv", "/nonexistent/init-script"]);
    assert_eq!(r["items"][0]["source"]["format"], "sysv");
}
