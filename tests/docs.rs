//! Every finding code has its section in MIGRATION.md, and the README names the commands.

use systemdify::report::Code;

#[test]
fn every_finding_code_is_documented_in_migration_md() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/MIGRATION.md")).unwrap();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !doc.contains(&format!("\n### {c}\n")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a `### code` section in MIGRATION.md: {missing:?}"
    );
}

#[test]
fn migration_md_documents_no_unknown_codes() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/MIGRATION.md")).unwrap();
    let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let stale: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .filter(|c| !known.contains(c))
        .collect();
    assert!(
        stale.is_empty(),
        "MIGRATION.md documents codes the tool never emits: {stale:?}"
    );
}

#[test]
fn readme_names_the_run_and_test_commands() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains("cargo run --release -- convert"));
    assert!(readme.contains("cargo test"));
}

/// The README's run command converts the shipped examples with exit code 0, on any machine
/// (no input of the user's own).
#[test]
fn the_readme_run_command_converts_the_examples() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -- convert "))
        .expect("a run command in the README");
    let mut args = vec!["systemdify"];
    args.extend(line["cargo run --release -- ".len()..].split_whitespace());
    let root = env!("CARGO_MANIFEST_DIR");
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(cwd, std::path::Path::new(root), "tests run in the checkout");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        args,
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut out,
            stderr: &mut err,
        },
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let out = String::from_utf8(out).unwrap();
    for unit in [
        "pastebin.service",
        "queue-worker@.service",
        "app.target",
        "shop-api.target",
        "shop-worker.service",
    ] {
        assert!(out.contains(&format!("# ==> {unit} <==")), "{unit} missing");
    }
}
