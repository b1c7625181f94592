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
