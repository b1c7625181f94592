//! Corpus cases, converted at test time exactly as `tests/corpus.rs` runs them, and their host
//! trees copied into a container.

#[path = "../support/corpus_args.rs"]
mod corpus_args;
use crate::harness::Container;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub fn case_dir(format: &str, case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(format)
        .join(case)
}

/// The case directories of one format.
pub fn cases(format: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(format);
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.path().join("args").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

pub struct Converted {
    pub units: PathBuf,
    pub report: serde_json::Value,
    _tmp: tempfile::TempDir,
}

/// One item of the report.
#[derive(Debug, Clone)]
pub struct Item {
    pub format: String,
    pub file: String,
    pub line: Option<u64>,
    pub status: String,
    pub units: Vec<String>,
}

impl Item {
    /// Converted into units that run (not skipped, not an error).
    pub fn runs(&self) -> bool {
        ["translated", "approximated", "wrapped"].contains(&self.status.as_str())
    }
}

impl Converted {
    pub fn all_items(&self) -> Vec<Item> {
        self.report["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| Item {
                format: i["source"]["format"].as_str().unwrap_or("").to_string(),
                file: i["source"]["file"].as_str().unwrap_or("").to_string(),
                line: i["source"]["line"].as_u64(),
                status: i["status"].as_str().unwrap_or("").to_string(),
                units: i["units"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|u| u.as_str().map(String::from))
                    .collect(),
            })
            .collect()
    }

    /// The report's items of a format, as (source file, status, units).
    pub fn items(&self, format: &str) -> Vec<(String, String, Vec<String>)> {
        self.report["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["source"]["format"] == format)
            .map(|i| {
                (
                    i["source"]["file"].as_str().unwrap_or("").to_string(),
                    i["status"].as_str().unwrap_or("").to_string(),
                    i["units"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|u| u.as_str().map(String::from))
                        .collect(),
                )
            })
            .collect()
    }

    pub fn unit(&self, name: &str) -> String {
        std::fs::read_to_string(self.units.join(name))
            .unwrap_or_else(|e| panic!("unit {name} was not written: {e}"))
    }

    pub fn finding_codes(&self, source_file: &str) -> Vec<String> {
        self.report["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["source"]["file"] == source_file)
            .flat_map(|i| i["findings"].as_array().cloned().unwrap_or_default())
            .filter_map(|f| f["code"].as_str().map(String::from))
            .collect()
    }
}

/// Converts a corpus case with the project's own code, as `tests/corpus.rs` does.
pub fn convert(format: &str, case: &str) -> Converted {
    convert_with(format, case, &|args| args)
}

/// Converts a corpus case with its arguments changed by `edit` (e.g. `--cpus` set to the
/// container's CPU count, which the legacy tool sees there).
pub fn convert_with(
    format: &str,
    case: &str,
    edit: &dyn Fn(Vec<String>) -> Vec<String>,
) -> Converted {
    let dir = case_dir(format, case);
    let tmp = tempfile::tempdir().unwrap();
    let units = tmp.path().join("units");
    let report = tmp.path().join("report.json");
    let args = edit(corpus_args::corpus_argv(&dir, &units, &report));
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        args,
        &mut systemdify::cli::Streams {
            stdin: &mut std::io::empty(),
            stdout: &mut stdout,
            stderr: &mut stderr,
        },
    );
    assert!(
        code == 0 || code == 1,
        "converting {format}/{case}: exit {code}\n{}",
        String::from_utf8_lossy(&stderr)
    );
    let report =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("report is JSON");
    Converted {
        units,
        report,
        _tmp: tmp,
    }
}

/// Copies a case's host tree into the container: its users and groups are created, and every
/// file the container does not already have (init scripts, defaults files, configuration,
/// the stub executables) is copied with its mode; the container's own files (`/bin/sh`,
/// `/usr/bin/logger`, `/etc/localtime` …) stay.
pub fn install_host_tree(c: &Container, format: &str, case: &str) {
    let root = case_dir(format, case).join("root");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_default();
    c.add_accounts(&read("etc/passwd"), &read("etc/group"));
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let host_paths: Vec<String> = files
        .iter()
        .map(|p| format!("/{}", p.strip_prefix(&root).unwrap().display()))
        .collect();
    let missing = c.sh_ok(&format!(
        "for f in {}; do [ -e \"$f\" ] || [ -L \"$f\" ] || echo \"$f\"; done",
        host_paths
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    let missing: Vec<&str> = missing.lines().collect();
    for (p, host) in files.iter().zip(&host_paths) {
        if !missing.contains(&host.as_str()) || host == "/etc/passwd" || host == "/etc/group" {
            continue;
        }
        let meta = std::fs::symlink_metadata(p).unwrap();
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(p).unwrap();
            c.sh_ok(&format!(
                "mkdir -p \"$(dirname '{host}')\" && ln -s '{}' '{host}'",
                target.display()
            ));
        } else {
            let mode = meta.permissions().mode() & 0o7777;
            c.write(host, &std::fs::read(p).unwrap(), mode);
        }
    }
}
