//! `--eval node`: the configuration loaded by a local `node` as PM2 loads it (`require()` for
//! `.js`/`.cjs`/`.mjs`, `vm.runInThisContext('(' + text + ')')` for `.json` and `dump.pm2`),
//! for full fidelity, only when asked. `node` runs in a new network namespace
//! (`unshare --net`, so it has no network at all), with an empty environment plus the facts'
//! `process.env`, in the configuration's directory, with `--max-old-space-size` and
//! `--stack-size` from the limits and killed after the time limit (plus Node's start-up). It
//! can read what the user running systemdify can read: use it on files you trust. Under
//! `--root`, paths of the copy in the result are rewritten to the host's.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::eval::{Evaluated, Facts, Limits};
use super::load::{FileType, LoadError, Loaded};

/// The loader run by `node -e`: argv is the local file, its type, the host directory.
const LOADER: &str = r#"
const [file, type] = process.argv.slice(1);
const reads = [], sets = [];
const target = Object.assign({}, process.env);
const env = new Proxy(target, {
  get(t, k) { if (typeof k === 'string' && !reads.includes(k)) reads.push(k); return t[k]; },
  has(t, k) { if (typeof k === 'string' && !reads.includes(k)) reads.push(k); return k in t; },
  set(t, k, v) { t[k] = String(v); sets.push(String(k)); return true; },
});
process.env = env;
let exported;
if (type === 'expression') {
  const text = require('fs').readFileSync(file, 'utf8');
  exported = require('vm').runInThisContext('(' + text + ')', { filename: file, timeout: 1000 });
} else {
  exported = require(file);
}
process.stdout.write(JSON.stringify({ exported, env: target, state: { reads, sets, files: [file], modules: [] } }));
"#;

/// The version of the local `node` (`v22.12.0`), if there is one.
#[must_use]
pub fn version() -> Option<String> {
    let out = Command::new("node").arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Loads the file with a local `node`.
///
/// # Errors
/// No `node` or `unshare`, a limit reached, or the file throws in Node.
pub fn load(
    _text: &str,
    host_path: &str,
    local_dir: &Path,
    file_type: FileType,
    facts: &Facts,
    limits: &Limits,
) -> Result<Loaded, LoadError> {
    let plain = |m: String| LoadError {
        message: m,
        line: None,
        column: None,
        limit: None,
    };
    if !host_path.starts_with('/') {
        return Err(plain(
            "--eval node reads files only, not standard input (use --eval quickjs)".into(),
        ));
    }
    let version = version().ok_or_else(|| {
        plain("--eval node: no `node` on this machine's PATH (install Node ≥ 20.19, or use --eval quickjs)".into())
    })?;
    let name = host_path.rsplit('/').next().unwrap_or(host_path);
    // node changes into the directory and `require`s an absolute path.
    let absolute = std::path::absolute(local_dir).unwrap_or_else(|_| local_dir.to_path_buf());
    let local_dir = absolute.as_path();
    let local_file = local_dir.join(name);
    let kind = match file_type {
        FileType::Json | FileType::Dump | FileType::Yaml => "expression",
        FileType::Js | FileType::Mjs => "require",
    };
    let mut command = Command::new("unshare");
    command
        .arg("--net")
        .arg("--")
        .arg("node")
        .arg(format!(
            "--max-old-space-size={}",
            (limits.memory / (1024 * 1024)).max(8)
        ))
        .arg(format!("--stack-size={}", (limits.stack / 1024).max(64)))
        .arg("-e")
        .arg(LOADER)
        .arg(&local_file)
        .arg(kind)
        .env_clear()
        .envs(facts.env.iter().map(|(k, v)| (k, v)))
        .current_dir(
            local_dir.join(
                facts
                    .cwd
                    .strip_prefix(&super::paths::dirname(host_path))
                    .unwrap_or("")
                    .trim_start_matches('/'),
            ),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| {
        plain(format!(
            "--eval node: cannot start `unshare --net node` ({e}); it needs util-linux's unshare and the right to create a network namespace (root, or unprivileged user namespaces)"
        ))
    })?;
    let deadline = Instant::now() + limits.time + Duration::from_secs(5);
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break s;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(LoadError {
                message: format!(
                    "node ran longer than the time limit of {} ms (--eval-timeout, plus 5 s for Node to start)",
                    limits.time.as_millis()
                ),
                line: None,
                column: None,
                limit: Some("time"),
            });
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut stdout);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    if !status.success() {
        let local = local_file.to_string_lossy().to_string();
        let message = stderr
            .lines()
            .find(|l| l.contains("Error") || l.contains("error"))
            .unwrap_or("node failed")
            .replace(&local, host_path);
        let line = stderr
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{local}:")))
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok());
        return Err(LoadError {
            message: format!("{message} (node {version})"),
            line,
            column: None,
            limit: None,
        });
    }
    let host_dir = super::paths::dirname(host_path);
    let local = local_dir
        .to_string_lossy()
        .trim_end_matches('/')
        .to_string();
    let stdout = if local != host_dir {
        stdout.replace(&local, &host_dir)
    } else {
        stdout
    };
    let mut evaluated = Evaluated::from_json(&stdout).map_err(plain)?;
    evaluated.files = vec![host_path.to_string()];
    Ok(Loaded {
        value: evaluated.value.clone(),
        evaluated: Some(evaluated),
        module: file_type == FileType::Mjs,
        engine: format!("node {version}"),
        bare_json: false,
    })
}
