//! Golden answers for the SysV corpus: "Debian packages ship both an init script and their own
//! unit for the same daemon: use such pairs as golden answers".
//!
//! `corpus/sysv/<case>/golden/<unit>.service` is the unit the maintainers of the real daemon that a
//! corpus script is modelled on would ship for *our* script: their unit's choices applied to our
//! script's names, paths and options. A golden file holds a leading comment block that starts
//! `# Golden answer modelled on …` and a `[Service]` section with only `ExecStart=`, `Type=`,
//! `PIDFile=`, `User=` and `EnvironmentFile=`. An unset key means the package's unit does not
//! set it. Where the package's unit deliberately departs from what a faithful translation of the
//! script can know (it switches the daemon to a foreground flag and `Type=notify`, drops the pid
//! file, ignores the defaults file, …), a comment line `# differs: KEY — reason` says so.
//!
//! Each golden file is compared with `expected/<unit>.service` of the same case, i.e. with what
//! `tests/corpus.rs` pins as our output:
//! - the `ExecStart=` executable, always, as an exact path (systemd's `-@:+!` prefixes aside);
//! - the `ExecStart=` arguments, as lists; `$X`, `${X}` and `"${X}"` all stand for variable X;
//! - `Type=`: unset means `simple`, and `exec` counts as `simple` (the same process model: the
//!   started process is the main process; `exec` only also waits for the `execve()`);
//! - `PIDFile=`, with `/var/run/` read as `/run/` (systemd does the same);
//! - `User=`, exactly;
//! - `EnvironmentFile=`, as a list in order; a leading `-` (optional file) is significant.
//!
//! Keys named in `# differs:` lines are not compared (the executable still is); a `# differs:`
//! line must give a reason, and one whose values agree is reported as stale. At least 80% of the
//! golden files must name the same executable. Every mismatch is reported in one assertion
//! message, and a summary table goes to stderr (uncaptured, so it shows on success too).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The keys the issue names, in table order.
const KEYS: [&str; 5] = ["ExecStart", "Type", "PIDFile", "User", "EnvironmentFile"];

#[derive(Debug, Default)]
struct Service {
    exec_start: Vec<String>,
    type_: Option<String>,
    pid_file: Option<String>,
    user: Option<String>,
    environment_files: Vec<String>,
}

struct Golden {
    /// What the header says it is modelled on (`Debian's nginx-common nginx.service`).
    model: String,
    /// `# differs:` key → reason.
    differs: BTreeMap<String, String>,
    service: Service,
}

/// Joins backslash-continued lines the way systemd does (comment lines inside are dropped).
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(acc) = pending.as_mut() {
            if line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            match line.strip_suffix('\\') {
                Some(head) => {
                    acc.push_str(head);
                    acc.push(' ');
                }
                None => {
                    acc.push_str(line);
                    out.push(pending.take().unwrap());
                }
            }
            continue;
        }
        if !line.starts_with('#')
            && !line.starts_with(';')
            && let Some(head) = line.strip_suffix('\\')
        {
            pending = Some(format!("{head} "));
            continue;
        }
        out.push(line.to_string());
    }
    out.extend(pending);
    out
}

/// Reads the five keys from `[Service]`. With `strict`, anything else in the file (another
/// section, another key) is an error: golden files keep only what the issue names.
fn parse_service(text: &str, strict: bool) -> Result<Service, String> {
    let mut svc = Service::default();
    let mut section = String::new();
    for line in logical_lines(text) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
            if strict && section != "Service" {
                return Err(format!(
                    "section [{section}]: golden files hold only [Service]"
                ));
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("not a KEY=VALUE line: {line}"));
        };
        let (key, value) = (key.trim(), value.trim());
        if section != "Service" {
            if strict {
                return Err(format!("{key}= outside [Service]"));
            }
            continue;
        }
        let value = (!value.is_empty()).then(|| value.to_string());
        match key {
            // An empty assignment resets a list, as in systemd.
            "ExecStart" => match value {
                Some(v) => svc.exec_start.push(v),
                None => svc.exec_start.clear(),
            },
            "EnvironmentFile" => match value {
                Some(v) => svc.environment_files.push(v),
                None => svc.environment_files.clear(),
            },
            "Type" => svc.type_ = value,
            "PIDFile" => svc.pid_file = value,
            "User" => svc.user = value,
            _ if strict => {
                return Err(format!(
                    "{key}=: golden files keep only {}",
                    KEYS.map(|k| format!("{k}=")).join(" ")
                ));
            }
            _ => {}
        }
    }
    Ok(svc)
}

fn parse_golden(text: &str) -> Result<Golden, String> {
    let first = text.lines().next().unwrap_or("");
    let Some(rest) = first.strip_prefix("# Golden answer modelled on ") else {
        return Err("the first line must start `# Golden answer modelled on `".into());
    };
    // The model: the words up to and including the first `*.service`.
    let mut model = Vec::new();
    for w in rest.split_whitespace() {
        model.push(w.trim_end_matches(','));
        if w.trim_end_matches(',').ends_with(".service") {
            break;
        }
    }
    let mut differs = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("# differs:") else {
            continue;
        };
        let rest = rest.trim();
        let (key, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let key = key.trim_end_matches(['=', ':']);
        let reason = reason.trim();
        let reason = ["—", "–", "--", "-", ":"]
            .iter()
            .find_map(|sep| reason.strip_prefix(sep))
            .unwrap_or(reason)
            .trim();
        if !KEYS.contains(&key) {
            return Err(format!(
                "`# differs: {key}`: not one of the compared keys ({})",
                KEYS.join(", ")
            ));
        }
        if reason.is_empty() {
            return Err(format!("`# differs: {key}` gives no reason"));
        }
        if differs
            .insert(key.to_string(), reason.to_string())
            .is_some()
        {
            return Err(format!("`# differs: {key}` appears twice"));
        }
    }
    let service = parse_service(text, true)?;
    if service.exec_start.len() != 1 {
        return Err(format!(
            "a golden file has exactly one ExecStart=, not {}",
            service.exec_start.len()
        ));
    }
    Ok(Golden {
        model: model.join(" "),
        differs,
        service,
    })
}

/// Splits a command line into words the way systemd does for `ExecStart=` (whitespace outside
/// quotes separates, `"…"` and `'…'` quote, a backslash escapes the next character).
fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(words);
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        while let Some(c) = chars.next() {
            match (quote, c) {
                (None, c) if c.is_whitespace() => break,
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (_, '\\') => match chars.next() {
                    Some('n') => word.push('\n'),
                    Some('t') => word.push('\t'),
                    Some(other) => word.push(other),
                    None => return Err(format!("trailing backslash in `{line}`")),
                },
                (_, c) => word.push(c),
            }
        }
        if quote.is_some() {
            return Err(format!("unclosed quote in `{line}`"));
        }
        words.push(word);
    }
}

/// Writes every variable reference as `${NAME}` (so `$X`, `${X}` and `"${X}"` compare equal) and
/// a literal dollar as `$$`.
fn normalise_vars(word: &str) -> String {
    let is_start = |c: char| c == '_' || c.is_ascii_alphabetic();
    let is_part = |c: char| c == '_' || c.is_ascii_alphanumeric();
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '$' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('$') => {
                out.push_str("$$");
                i += 2;
            }
            Some('{') => match chars[i + 2..].iter().position(|&c| c == '}') {
                Some(len) if len > 0 => {
                    let name: String = chars[i + 2..i + 2 + len].iter().collect();
                    out.push_str(&format!("${{{name}}}"));
                    i += len + 3;
                }
                _ => {
                    out.push('$');
                    i += 1;
                }
            },
            Some(&c) if is_start(c) => {
                let mut j = i + 1;
                while j < chars.len() && is_part(chars[j]) {
                    j += 1;
                }
                let name: String = chars[i + 1..j].iter().collect();
                out.push_str(&format!("${{{name}}}"));
                i = j;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    out
}

/// `(executable, arguments)`: the executable without systemd's `-@:+!` prefixes, the arguments
/// (after argv[0], which `@` gives as the second word) with their variable references
/// normalised.
fn command(line: &str) -> Result<(String, Vec<String>), String> {
    let mut words = split_words(line)?;
    if words.is_empty() {
        return Err("empty ExecStart=".into());
    }
    let first = words.remove(0);
    let prefixes =
        &first[..first.len() - first.trim_start_matches(['-', '@', ':', '+', '!']).len()];
    if prefixes.contains('@') && !words.is_empty() {
        words.remove(0);
    }
    let exe = first
        .trim_start_matches(['-', '@', ':', '+', '!'])
        .to_string();
    Ok((exe, words.iter().map(|w| normalise_vars(w)).collect()))
}

fn type_model(t: Option<&str>) -> &str {
    match t {
        None | Some("simple") | Some("exec") => "simple",
        Some(t) => t,
    }
}

fn pid_model(p: Option<&str>) -> Option<String> {
    p.map(|p| match p.strip_prefix("/var/run/") {
        Some(rest) => format!("/run/{rest}"),
        None => p.to_string(),
    })
}

fn show(v: Option<&str>) -> String {
    v.map_or_else(|| "(unset)".to_string(), |v| format!("`{v}`"))
}

fn show_list(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".into()
    } else {
        v.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn golden_files() -> Vec<PathBuf> {
    let sysv = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/sysv");
    let mut out = Vec::new();
    for case in std::fs::read_dir(&sysv).unwrap().flatten() {
        let Ok(entries) = std::fs::read_dir(case.path().join("golden")) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "service") {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn sysv_golden_answers() {
    let files = golden_files();
    let mut failures: Vec<String> = Vec::new();
    let mut rows: Vec<[String; 8]> = Vec::new();
    let (mut total, mut exe_ok) = (0usize, 0usize);

    for path in &files {
        let unit = path.file_name().unwrap().to_string_lossy().into_owned();
        let case_dir = path.parent().unwrap().parent().unwrap();
        let case = case_dir.file_name().unwrap().to_string_lossy().into_owned();
        let name = format!("{case}/{unit}");
        let golden = match parse_golden(&std::fs::read_to_string(path).unwrap()) {
            Ok(g) => g,
            Err(e) => {
                failures.push(format!("{name}: golden file: {e}"));
                continue;
            }
        };
        let expected_path = case_dir.join("expected").join(&unit);
        let Ok(expected_text) = std::fs::read_to_string(&expected_path) else {
            failures.push(format!(
                "{name}: no expected/{unit} to compare with (is the script wrapped, skipped or renamed?)"
            ));
            continue;
        };
        let ours = match parse_service(&expected_text, false) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{name}: expected/{unit}: {e}"));
                continue;
            }
        };
        total += 1;
        let g = &golden.service;

        // The executable: always compared.
        let golden_cmd = command(&g.exec_start[0]);
        let our_cmd = match ours.exec_start.as_slice() {
            [one] => command(one),
            many => Err(format!("ours has {} ExecStart= lines", many.len())),
        };
        let (exe_cell, args_cell);
        match (&golden_cmd, &our_cmd) {
            (Ok((g_exe, g_args)), Ok((o_exe, o_args))) => {
                if g_exe == o_exe {
                    exe_ok += 1;
                    exe_cell = "ok".to_string();
                } else {
                    exe_cell = "DIFF".to_string();
                    failures.push(format!(
                        "{name}: ExecStart executable: ours `{o_exe}`, golden `{g_exe}` ({})",
                        golden.model
                    ));
                }
                args_cell = compare(
                    &name,
                    &golden,
                    "ExecStart",
                    "arguments",
                    g_args == o_args,
                    || format!("ours {}, golden {}", show_list(o_args), show_list(g_args)),
                    &mut failures,
                );
            }
            (g_res, o_res) => {
                for e in [g_res.as_ref().err(), o_res.as_ref().err()]
                    .into_iter()
                    .flatten()
                {
                    failures.push(format!("{name}: ExecStart: {e}"));
                }
                exe_cell = "DIFF".into();
                args_cell = "DIFF".into();
            }
        }

        let mut type_cell = compare(
            &name,
            &golden,
            "Type",
            "Type=",
            type_model(ours.type_.as_deref()) == type_model(g.type_.as_deref()),
            || {
                format!(
                    "ours {}, golden {}",
                    show(ours.type_.as_deref()),
                    show(g.type_.as_deref())
                )
            },
            &mut failures,
        );
        if type_cell == "ok" && ours.type_ != g.type_ {
            // Say so when only the normalisation made them equal.
            type_cell = format!(
                "ok ({}={})",
                ours.type_.as_deref().unwrap_or("unset"),
                g.type_.as_deref().unwrap_or("unset")
            );
        }
        let mut pid_cell = compare(
            &name,
            &golden,
            "PIDFile",
            "PIDFile=",
            pid_model(ours.pid_file.as_deref()) == pid_model(g.pid_file.as_deref()),
            || {
                format!(
                    "ours {}, golden {}",
                    show(ours.pid_file.as_deref()),
                    show(g.pid_file.as_deref())
                )
            },
            &mut failures,
        );
        if pid_cell == "ok" && ours.pid_file != g.pid_file {
            pid_cell = "ok (/var/run=/run)".into();
        }
        let user_cell = compare(
            &name,
            &golden,
            "User",
            "User=",
            ours.user == g.user,
            || {
                format!(
                    "ours {}, golden {}",
                    show(ours.user.as_deref()),
                    show(g.user.as_deref())
                )
            },
            &mut failures,
        );
        let env_cell = compare(
            &name,
            &golden,
            "EnvironmentFile",
            "EnvironmentFile=",
            ours.environment_files == g.environment_files,
            || {
                format!(
                    "ours {}, golden {}",
                    show_list(&ours.environment_files),
                    show_list(&g.environment_files)
                )
            },
            &mut failures,
        );
        rows.push([
            name,
            golden.model.clone(),
            exe_cell,
            args_cell,
            type_cell,
            pid_cell,
            user_cell,
            env_cell,
        ]);
    }

    if files.is_empty() {
        failures.push("no golden files under corpus/sysv/*/golden/".into());
    }
    // At least 80% of the golden files name the same executable.
    if total > 0 && exe_ok * 5 < total * 4 {
        failures.push(format!(
            "only {exe_ok} of {total} golden files name the same executable (at least 80% needed)"
        ));
    }

    print_table(&rows, exe_ok, total);
    assert!(
        failures.is_empty(),
        "{} golden mismatch(es) (DIFF: ours disagrees with the package's unit; STALE: a `# differs:` line whose values agree):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One compared key: `ok`, `DIFF` (a mismatch, pushed to `failures`), `differs` (declared in
/// the golden file and indeed different) or `STALE` (declared, but the values agree).
fn compare(
    name: &str,
    golden: &Golden,
    key: &str,
    what: &str,
    equal: bool,
    detail: impl FnOnce() -> String,
    failures: &mut Vec<String>,
) -> String {
    match (golden.differs.contains_key(key), equal) {
        (false, true) => "ok".into(),
        (false, false) => {
            failures.push(format!("{name}: {what}: {} ({})", detail(), golden.model));
            "DIFF".into()
        }
        (true, false) => "differs".into(),
        (true, true) => {
            failures.push(format!(
                "{name}: `# differs: {key}` but ours agrees with the golden answer; remove the line"
            ));
            "STALE".into()
        }
    }
}

fn print_table(rows: &[[String; 8]], exe_ok: usize, total: usize) {
    let header = [
        "unit",
        "modelled on",
        "executable",
        "arguments",
        "Type",
        "PIDFile",
        "User",
        "EnvFile",
    ];
    let mut widths = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            s.push_str(&format!("{cell:<w$}  ", w = widths[i]));
        }
        s.trim_end().to_string()
    };
    let mut out = String::from("\nSysV golden answers (ours = expected/, golden = golden/):\n");
    out.push_str(&line(&header));
    out.push('\n');
    for row in rows {
        out.push_str(&line(&row.each_ref().map(String::as_str)));
        out.push('\n');
    }
    let pct = (exe_ok * 100).checked_div(total).unwrap_or(0);
    out.push_str(&format!(
        "executable equal: {exe_ok}/{total} ({pct}%); `differs` = a deliberate package choice named in the golden file\n"
    ));
    // Straight to the process's stderr: the test harness does not capture it.
    let _ = std::io::stderr().lock().write_all(out.as_bytes());
}

#[test]
fn command_lines_normalise_variables() {
    let (exe, args) =
        command(r#"-/usr/bin/filesyncd --config "${FILESYNC_CONFIG}" $OPTS -g 'daemon on;' a$$b"#)
            .unwrap();
    assert_eq!(exe, "/usr/bin/filesyncd");
    assert_eq!(
        args,
        [
            "--config",
            "${FILESYNC_CONFIG}",
            "${OPTS}",
            "-g",
            "daemon on;",
            "a$$b"
        ]
    );
    assert_eq!(
        command("/x -p ${PORT}").unwrap(),
        command("/x -p $PORT").unwrap()
    );
    assert_eq!(type_model(Some("exec")), type_model(None));
    assert_ne!(type_model(Some("forking")), type_model(None));
    assert_eq!(
        pid_model(Some("/var/run/a.pid")),
        pid_model(Some("/run/a.pid"))
    );
}
