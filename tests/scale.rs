//! Whole hosts at any size, without timing anything: the host's file-system calls per input do
//! not grow with the host (every host fact is indexed once per run), and the output is
//! byte-identical whatever `--jobs` is, on every corpus case and on a synthetic host.

#[path = "support/corpus_args.rs"]
mod corpus_args;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use systemdify::host::Host;
use systemdify::pipeline;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Every corpus file at `rel` (a directory inside a case's root), by file name, skipping the
/// cases whose inputs are broken on purpose.
fn corpus_files(rel: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for format in std::fs::read_dir(corpus()).unwrap().flatten() {
        for case in std::fs::read_dir(format.path()).unwrap().flatten() {
            let name = case.file_name().to_string_lossy().into_owned();
            if ["bad-input", "syntax-errors", "bad-lines", "cronie"].contains(&name.as_str()) {
                continue;
            }
            let Ok(rd) = std::fs::read_dir(case.path().join("root").join(rel)) else {
                continue;
            };
            for f in rd.flatten() {
                let n = f.file_name().to_string_lossy().into_owned();
                if f.path().is_file() && !n.contains('.') {
                    out.entry(n)
                        .or_insert_with(|| std::fs::read(f.path()).unwrap());
                }
            }
        }
    }
    out.into_iter().collect()
}

fn executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Removes the LSB header block of an init script.
fn strip_lsb(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("### BEGIN INIT INFO") {
            inside = true;
        } else if line.starts_with("### END INIT INFO") {
            inside = false;
        } else if !inside {
            out.push_str(line);
        }
    }
    out.into_bytes()
}

/// A host with `copies` renamed copies of the corpus's init scripts (half of them without
/// their LSB header, each with rc?.d links; Debian's or RHEL's layout) and cron.d files, a few
/// installed units; returns the host paths of its inputs.
fn synthetic_host(root: &Path, copies: usize, rhel: bool) -> Vec<String> {
    let initd = if rhel {
        "etc/rc.d/init.d"
    } else {
        "etc/init.d"
    };
    let rcd = |l: char| {
        if rhel {
            format!("etc/rc.d/rc{l}.d")
        } else {
            format!("etc/rc{l}.d")
        }
    };
    for d in [
        initd.to_string(),
        "etc/cron.d".into(),
        "lib/systemd/system".into(),
    ]
    .into_iter()
    .chain("0123456S".chars().map(rcd))
    {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    if rhel {
        // As RHEL has them: the /etc names are links into /etc/rc.d.
        std::os::unix::fs::symlink("rc.d/init.d", root.join("etc/init.d")).unwrap();
        for l in "0123456".chars() {
            std::os::unix::fs::symlink(format!("rc.d/rc{l}.d"), root.join(format!("etc/rc{l}.d")))
                .unwrap();
        }
    }
    for unit in ["ssh.service", "cron.service", "rsyslog.service"] {
        std::fs::write(root.join("lib/systemd/system").join(unit), "[Service]\n").unwrap();
    }
    for d in [
        "etc/supervisor/conf.d",
        "var/spool/cron/crontabs",
        "var/log/app",
        "usr/bin",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(root.join("usr/bin/worker"), "#!/bin/sh\n").unwrap();
    executable(&root.join("usr/bin/worker"));
    std::fs::write(root.join("etc/hostname"), "bench\n").unwrap();
    std::fs::write(
        root.join("etc/supervisor/supervisord.conf"),
        "[supervisord]\nlogfile=/var/log/app/supervisord.log\n\n[include]\nfiles = /etc/supervisor/conf.d/*.conf\n",
    )
    .unwrap();
    let mut passwd =
        String::from("root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/sh\n");
    for k in 0..copies {
        passwd.push_str(&format!(
            "user{k}:x:{}:{}::/home/user{k}:/bin/sh\n",
            2000 + k,
            2000 + k
        ));
        std::fs::write(
            root.join(format!("var/spool/cron/crontabs/user{k}")),
            format!("MAILTO=\"\"\n*/5 * * * * /usr/bin/worker --spool {k}\n@daily /usr/bin/worker --daily {k}\n"),
        )
        .unwrap();
        std::fs::write(
            root.join(format!("etc/supervisor/conf.d/app{k}.conf")),
            format!(
                "[program:web{k}]\ncommand=/usr/bin/worker --web {k}\nuser=www-data\nstdout_logfile=/var/log/app/web{k}.log\n\n[program:queue{k}]\ncommand=/usr/bin/worker --queue {k}\nnumprocs=2\nprocess_name=%(program_name)s_%(process_num)d\n\n[group:pool{k}]\nprograms=web{k},queue{k}\n"
            ),
        )
        .unwrap();
    }
    std::fs::write(root.join("etc/passwd"), passwd).unwrap();
    let scripts = corpus_files("etc/init.d");
    let crontabs = corpus_files("etc/cron.d");
    assert!(
        scripts.len() >= 10 && crontabs.len() >= 3,
        "corpus too small"
    );
    let mut inputs = Vec::new();
    for k in 0..copies {
        for (i, (name, text)) in scripts.iter().enumerate() {
            let new = format!("{name}-{k}");
            let body = if i % 2 == 0 {
                strip_lsb(text)
            } else {
                text.clone()
            };
            let path = root.join(initd).join(&new);
            std::fs::write(&path, body).unwrap();
            executable(&path);
            let priority = 10 + (i * 7) % 80;
            for l in "2345".chars() {
                std::os::unix::fs::symlink(
                    format!("../init.d/{new}"),
                    root.join(rcd(l)).join(format!("S{priority:02}{new}")),
                )
                .unwrap();
            }
            std::os::unix::fs::symlink(
                format!("../init.d/{new}"),
                root.join(rcd('0'))
                    .join(format!("K{:02}{new}", 100 - priority)),
            )
            .unwrap();
            inputs.push(format!("/{initd}/{new}"));
        }
        for (name, text) in &crontabs {
            let new = format!("{name}-{k}");
            std::fs::write(root.join("etc/cron.d").join(&new), text).unwrap();
            inputs.push(format!("/etc/cron.d/{new}"));
        }
    }
    inputs
}

/// The host's file-system calls for converting every input of a synthetic host, per input.
fn operations_per_input(copies: usize, rhel: bool) -> (f64, usize) {
    let dir = tempfile::tempdir().unwrap();
    synthetic_host(dir.path(), copies, rhel);
    let host = Host::at(dir.path());
    // What scan converts: init scripts, cron.d, spools, supervisord with its includes.
    let inputs = systemdify::discover::discover(&host);
    let sources: Vec<pipeline::Source> = inputs
        .iter()
        .map(|p| pipeline::Source::Host {
            display: p.clone(),
            host_path: p.clone(),
        })
        .collect();
    let c = pipeline::convert_sources(sources, &host, &pipeline::Options::default());
    assert!(c.report.errors.is_empty(), "{:?}", c.report.errors);
    let formats: std::collections::BTreeSet<String> = c
        .report
        .items
        .iter()
        .filter_map(|i| i.source.format.map(|f| f.as_str().to_string()))
        .collect();
    assert_eq!(formats.len(), 3, "{formats:?}");
    (host.operations() as f64 / inputs.len() as f64, inputs.len())
}

#[test]
fn host_calls_per_input_do_not_grow_with_the_host() {
    for rhel in [false, true] {
        let (small, n_small) = operations_per_input(2, rhel);
        let (large, n_large) = operations_per_input(20, rhel);
        assert!(n_large >= 9 * n_small, "{n_small} and {n_large} inputs");
        // Reading the link directories and listing the probed directories once is shared by
        // all inputs, so a larger host costs at most what a small one costs per input.
        assert!(
            large <= small * 1.05,
            "rhel={rhel}: {small:.1} file-system calls per input with {n_small} inputs, {large:.1} with {n_large}"
        );
        assert!(small > 1.0, "every input is read at least");
    }
}

/// Every file under `dir` (relative path → bytes).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Runs the binary's command line `args` followed by `--jobs JOBS`; returns what it wrote into
/// `out` and its standard output and exit code.
fn run_with_jobs(
    args: &[String],
    jobs: usize,
    out: &Path,
) -> (BTreeMap<String, Vec<u8>>, Vec<u8>, Option<i32>) {
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_systemdify"))
        .args(&args[1..])
        .arg("--jobs")
        .arg(jobs.to_string())
        .output()
        .unwrap();
    let written = if out.is_dir() {
        tree(out)
    } else {
        BTreeMap::new()
    };
    (written, result.stdout, result.status.code())
}

#[test]
fn jobs_1_and_4_give_the_same_bytes_on_every_corpus_case() {
    let mut cases = 0;
    for format in std::fs::read_dir(corpus()).unwrap().flatten() {
        for case in std::fs::read_dir(format.path()).unwrap().flatten() {
            let mut runs = Vec::new();
            // The same paths for both runs: the manifest records the report's.
            let tmp = tempfile::tempdir().unwrap();
            for jobs in [1, 4] {
                for e in std::fs::read_dir(tmp.path()).unwrap().flatten() {
                    let _ = std::fs::remove_dir_all(e.path());
                    let _ = std::fs::remove_file(e.path());
                }
                let units = tmp.path().join("units");
                let report = tmp.path().join("report.json");
                let args = corpus_args::corpus_argv(&case.path(), &units, &report);
                let (files, stdout, code) = run_with_jobs(&args, jobs, &units);
                let report = std::fs::read(&report).unwrap_or_default();
                runs.push((files, stdout, code, report));
            }
            assert!(
                runs[0] == runs[1],
                "{}: --jobs 1 and --jobs 4 differ",
                case.path().display()
            );
            cases += 1;
        }
    }
    assert!(cases > 20, "{cases} corpus cases");
}

#[test]
fn jobs_1_and_4_give_the_same_bytes_on_a_synthetic_host() {
    let host = tempfile::tempdir().unwrap();
    synthetic_host(host.path(), 6, false);
    let mut runs = Vec::new();
    let tmp = tempfile::tempdir().unwrap();
    for jobs in [1, 4] {
        let out = tmp.path().join("out");
        let _ = std::fs::remove_dir_all(&out);
        let args: Vec<String> = [
            "systemdify",
            "scan",
            "--root",
            &host.path().to_string_lossy(),
            "-o",
            &out.to_string_lossy(),
            "--report",
            &tmp.path().join("report.json").to_string_lossy(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (files, _, code) = run_with_jobs(&args, jobs, &out);
        assert!(files.len() > 100, "{} files", files.len());
        let report = std::fs::read(tmp.path().join("report.json")).unwrap();
        runs.push((files, code, report));
    }
    assert!(
        runs[0] == runs[1],
        "--jobs 1 and --jobs 4 differ on the synthetic host"
    );
}

#[test]
fn header_less_scripts_are_ordered_by_start_priority_as_systemd_sysv_generator_does() {
    // systemd 252's generator on this tree: plain (S20, no header) After=plain3 (S05) and
    // lsbone (S10, LSB), Before=plain2 (S30); lsbone gets nothing from another LSB script.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for d in ["etc/init.d", "etc/rc2.d"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    let plain = "#!/bin/sh\ncase \"$1\" in start) /usr/sbin/plaind ;; esac\n";
    let lsb = "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: lsbone\n# Default-Start: 2\n### END INIT INFO\ncase \"$1\" in start) /usr/sbin/lsboned ;; esac\n";
    for (name, text, priority) in [
        ("plain", plain, 20),
        ("plain2", plain, 30),
        ("plain3", plain, 5),
        ("lsbone", lsb, 10),
    ] {
        std::fs::write(root.join("etc/init.d").join(name), text).unwrap();
        executable(&root.join("etc/init.d").join(name));
        std::os::unix::fs::symlink(
            format!("../init.d/{name}"),
            root.join(format!("etc/rc2.d/S{priority:02}{name}")),
        )
        .unwrap();
    }
    let host = Host::at(root);
    let sources = ["plain", "lsbone"]
        .iter()
        .map(|n| pipeline::Source::Host {
            display: format!("/etc/init.d/{n}"),
            host_path: format!("/etc/init.d/{n}"),
        })
        .collect();
    let c = pipeline::convert_sources(sources, &host, &pipeline::Options::default());
    let unit = |name: &str| {
        c.files
            .iter()
            .find(|f| f.path == name)
            .map(|f| f.contents.clone())
            .unwrap_or_else(|| {
                let names: Vec<&str> = c.files.iter().map(|f| f.path.as_str()).collect();
                panic!("no {name} in {names:?}: {:?}", c.report.errors)
            })
    };
    let plain = unit("plain.service");
    let lines: Vec<&str> = plain
        .lines()
        .filter(|l| l.starts_with("After=") || l.starts_with("Before="))
        .collect();
    let words = |prefix: &str| -> Vec<String> {
        lines
            .iter()
            .filter_map(|l| l.strip_prefix(prefix))
            .flat_map(|l| l.split_whitespace().map(String::from))
            .collect()
    };
    let after = words("After=");
    let before = words("Before=");
    assert!(after.contains(&"plain3.service".to_string()), "{plain}");
    assert!(after.contains(&"lsbone.service".to_string()), "{plain}");
    assert!(before.contains(&"plain2.service".to_string()), "{plain}");
    assert!(!after.contains(&"plain2.service".to_string()), "{plain}");
    let lsbone = unit("lsbone.service");
    assert!(!lsbone.contains("plain"), "{lsbone}");
}
