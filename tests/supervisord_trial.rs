//! Regressions found by `scripts/supervisord-trial.sh` (real configurations against supervisor
//! 4.3.0), each on a small hand-made configuration modelled on what failed.

#[path = "support/cli.rs"]
mod cli;

use systemdify::front::{detect, supervisord};
use systemdify::ir::Format;

/// supervisor's test fixtures saved with classic Mac line endings (a lone `\r`): supervisor
/// reads them (universal newlines) and so does `--from supervisord`, but `--from auto` saw one
/// line and could not tell the kind of file.
const CR_ONLY: &str =
    "; a comment\r[supervisord]\rnodaemon=true\r\r[program:cat]\rcommand=/bin/cat -n\r";

#[test]
fn a_configuration_with_lone_carriage_returns_is_recognized() {
    assert_eq!(
        detect(Some("/srv/app.conf"), CR_ONLY),
        Some(Format::Supervisord)
    );
    assert_eq!(
        detect(None, "[program:cat]\r\ncommand=/bin/cat\r\n"),
        Some(Format::Supervisord)
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.conf");
    std::fs::write(&path, CR_ONLY).unwrap();
    let (code, out, err) = cli::run(&["convert", "--from", "auto", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("# ==> cat.service <=="), "{out}");
    assert!(out.contains("ExecStart=/bin/cat -n"), "{out}");
}

/// supervisor reads `[supervisord] ; main settings` as the `[supervisord]` header (the text
/// after the closing bracket is ignored); a main file holding only it and `[include]` is still
/// a supervisord configuration.
#[test]
fn a_header_followed_by_a_comment_is_recognized() {
    let text = "[supervisord] ; main settings\nlogfile=/var/log/supervisor/supervisord.log\n\n[include]\nfiles = conf.d/*.conf\n";
    assert!(supervisord::has_section_header(text));
    assert_eq!(
        detect(Some("/srv/main.conf"), text),
        Some(Format::Supervisord)
    );
    assert!(!supervisord::has_section_header(
        "[include]\nfiles=x\n[unix_http_server]\n"
    ));
    assert!(!supervisord::has_section_header(
        "[programs]\n[supervisor]\n"
    ));
}

/// supervisor's `test_mixed_process_groups_from_parser3`: a `[group:x]` with a `numprocs`
/// program of lower priority than another member. The member's target was `PartOf=` the group's
/// target, which systemd turns into `After=` the group's target; with the group's `Wants=` and
/// the other member's `After=` the program's target, that was an ordering cycle, and systemd
/// dropped a member's start job at boot. The member's target is now `Before=` the group's.
#[test]
fn a_numprocs_program_in_a_group_makes_no_ordering_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("site.conf");
    std::fs::write(
        &conf,
        "[program:web]\ncommand=/bin/cat\n\n\
         [program:workers]\ncommand=/bin/cat\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)s\npriority=1\n\n\
         [group:site]\nprograms=web,workers\npriority=5\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = cli::run(&[
        "convert",
        "--from",
        "supervisord",
        "-o",
        out.to_str().unwrap(),
        conf.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let workers = std::fs::read_to_string(out.join("workers.target")).unwrap();
    assert!(workers.contains("\nBefore=site.target\n"), "{workers}");
    assert!(workers.contains("\nPartOf=site.target\n"), "{workers}");
    let web = std::fs::read_to_string(out.join("web.service")).unwrap();
    assert!(web.contains("\nAfter=workers.target\n"), "{web}");
    let site = std::fs::read_to_string(out.join("site.target")).unwrap();
    assert!(site.contains("Wants=web.service workers.target"), "{site}");
    // systemd itself finds no cycle (where it is installed; CI installs it).
    let Ok(verify) = std::process::Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .args(["site.target", "web.service", "workers.target"].map(|u| out.join(u)))
        .env("SYSTEMD_UNIT_PATH", format!("{}:", out.display()))
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "systemd-analyze is required in CI"
        );
        return;
    };
    let stderr = String::from_utf8_lossy(&verify.stderr);
    assert!(!stderr.contains("cycle"), "{stderr}");
}
