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
