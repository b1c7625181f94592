//! How a corpus case (`corpus/<format>/<case>/`) is run: its `args` file (one argument per
//! line, `#` comments) after `convert --root CASE/root -o UNITS --report REPORT`.
#![allow(dead_code)]

use std::path::Path;

/// The command line that converts the case at `case` into `units`, with the report at `report`.
pub fn corpus_argv(case: &Path, units: &Path, report: &Path) -> Vec<String> {
    let args_text = std::fs::read_to_string(case.join("args")).expect("args");
    let mut args: Vec<String> = vec!["systemdify".into(), "convert".into()];
    args.push("--root".into());
    args.push(case.join("root").to_string_lossy().into_owned());
    args.push("-o".into());
    args.push(units.to_string_lossy().into_owned());
    args.push("--report".into());
    args.push(report.to_string_lossy().into_owned());
    args.extend(
        args_text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from),
    );
    args
}
