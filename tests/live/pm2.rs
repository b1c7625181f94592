//! PM2, differential: PM2 7.0.4 itself (the oracle's pinned `node_modules`, under the Node that
//! runs the oracle, ≥ 20.19) runs each corpus file in the container with `pm2 start FILE
//! [--env NAME]` from the file's directory (a `dump.pm2`: `pm2 resurrect` as its user), then
//! `pm2 kill`; our units, converted from the same file, run in the same container. PM2 rewrites
//! `process.title`, so what is compared is what the app sees: a node stand-in at every script
//! path records `process.argv`, `process.execArgv`, `process.execPath`, `process.cwd()`, its
//! environment and its ids. For every app instance (paired by script and instance number) they
//! must be equal, less what each side adds itself (the rules below, each with its reason) and
//! the known differences listed per case. Then one instance of every app crashes (exit 1): both
//! sides must restart the same ones, as `autorestart` says; and one instance of every app with
//! `stop_exit_codes` exits with one of them: PM2 must not restart it, and neither must our unit
//! (or the difference is listed with its reason). Last, `cron_restart`: every timer of the
//! conversion, moved a few seconds ahead (all at once), must restart what its oneshot names
//! (a service, or a target's services: a new invocation, active again), as PM2's cron does.
//!
//! Node and PM2 come from the host: the Node binary the oracle runs on (`$SYSTEMDIFY_NODE`,
//! else `node` on PATH when it is ≥ 20.19, else the one `.ci/run` unpacks under
//! `/var/cache/systemdify-node/`) at `/usr/bin/node` (with any shared library `ldd` lists that
//! the container root lacks) and `tests/oracle/pm2/node_modules` (made by `npm ci
//! --ignore-scripts` there) at `/opt/pm2` make a root layer, built once in the live cache and
//! put above the container root (an overlay lower layer: nothing copied per boot). The
//! container has no network: PM2's first-run version check is not taken
//! (`PM2_HOME` holds its `touch` file, as the oracle's does).

use crate::compare::{Diff, Known, Rule, judge, unset};
use crate::corpus;
use crate::harness::{self, Container};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PM2_VERSION: &str = "7.0.4";
const PM2_DIR: &str = "/opt/pm2";
/// `pm2` as the oracle runs it: `NODE_PATH` (a folder with only the pinned `dotenv`, for a
/// file that requires it) is read by node at start-up and removed before PM2 copies the
/// environment into apps.
const LAUNCHER: &str = "'use strict';\ndelete process.env.NODE_PATH;\nprocess.argv[1] = \
                        '/opt/pm2/node_modules/pm2/bin/pm2';\nrequire(process.argv[1]);\n";
const PM2_CMD: &str = "NODE_PATH=/opt/pm2/node-path /usr/bin/node /opt/pm2/live-pm2.js";
/// `PM2_HOME` of an ecosystem file's run (the oracle's is `/root/.pm2`; a fresh one here).
const PM2_HOME: &str = "/tmp/live-pm2-home";
/// The base environment of the oracle (tests/oracle/pm2/README.md), less `PWD` and `PM2_HOME`.
const BASE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// A stand-in whose pid has a file here exits with the code it holds (1 when empty): a crash.
const CRASH_DIR: &str = "/var/lib/live-recorder/crash";

/// The node stand-in put at every script path: it records what it sees, answers PM2's
/// `wait_ready`, exits when told so (a crash), and ends on SIGINT/SIGTERM or PM2's `shutdown`
/// message (`shutdown_with_message`).
const STAND_IN: &str = r#"'use strict';
const fs = require('fs');
const rec = {
  file: __filename, pid: process.pid, argv: process.argv, execArgv: process.execArgv,
  execPath: process.execPath, cwd: process.cwd(), env: process.env,
  uid: process.getuid(), gid: process.getgid(), euid: process.geteuid(), egid: process.getegid(),
  groups: process.getgroups().sort((a, b) => a - b),
};
fs.writeFileSync(`/var/lib/live-recorder/pm2-${process.pid}-${Date.now()}.json`, JSON.stringify(rec));
if (process.send) process.send('ready');
process.on('SIGINT', () => process.exit(0));
process.on('message', (m) => { if (m === 'shutdown') process.exit(0); });
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {
  let code;
  try { code = fs.readFileSync(`/var/lib/live-recorder/crash/${process.pid}`, 'utf8').trim(); }
  catch (e) { return; }
  process.exit(code === '' ? 1 : Number(code));
}, 100);
"#;

struct Case {
    case: &'static str,
    /// Shell run inside first: what the host the file comes from has and its tree lacks.
    setup: &'static str,
    /// Known differences (`Known::key` is the compared field, e.g. `env:PWD`).
    known: &'static [Known],
    /// Apps (by script) that one side restarts after an exit code of `stop_exit_codes` and
    /// the other does not, with the reason.
    known_restarts: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        case: "dotenv",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "nextjs-npm-start",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "falsy-options",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "js-constructs",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "mjs-export-const",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "uid-gid",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "relative-cwd",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "process-yml",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "json5-json",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "api-env",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "api-env-production",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "cluster-max",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "cron-restart",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "python-worker",
        setup: "",
        known: &[],
        known_restarts: &[],
    },
    Case {
        case: "dump-deploy",
        // The app's log folder (out_file/error_file of the ecosystem file the dump was saved
        // from): PM2's cluster worker cannot start without it (ENOENT), nor can the unit
        // (StandardOutput=append: creates no folder).
        setup: "mkdir -p /home/deploy/apps/shop/logs && chown deploy: /home/deploy/apps/shop/logs",
        known: &[],
        known_restarts: &[],
    },
];

struct Tools {
    /// A root layer (in the live cache) with Node at /usr/bin/node, the libraries it needs
    /// that the container root lacks, and PM2 at /opt/pm2.
    layer: PathBuf,
}

fn node_ok(node: &Path) -> bool {
    Command::new(node)
        .args([
            "-e",
            "const [a, b] = process.versions.node.split('.').map(Number); \
             process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)",
        ])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The Node the oracle runs on (see the module comment).
fn find_node() -> Result<PathBuf, String> {
    let mut tried = Vec::new();
    if let Some(p) = std::env::var_os("SYSTEMDIFY_NODE") {
        tried.push(PathBuf::from(p));
    }
    if let Some(path) = std::env::var_os("PATH") {
        tried.extend(
            std::env::split_paths(&path)
                .map(|d| d.join("node"))
                .filter(|p| p.is_file()),
        );
    }
    let cache = std::env::var_os("SYSTEMDIFY_NODE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/systemdify-node"));
    if let Ok(rd) = std::fs::read_dir(&cache) {
        let mut dirs: Vec<PathBuf> = rd.flatten().map(|e| e.path().join("bin/node")).collect();
        dirs.sort();
        tried.extend(dirs.into_iter().rev());
    }
    tried
        .iter()
        .find(|p| node_ok(p))
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .ok_or_else(|| {
            format!(
                "no Node >= 20.19 for PM2 {PM2_VERSION} (tried {tried:?}; .ci/run installs one)"
            )
        })
}

/// The tools, prepared once per test process (the tests run in parallel threads).
fn tools(env: &harness::Env) -> Result<&'static Tools, String> {
    static TOOLS: std::sync::OnceLock<Result<Tools, String>> = std::sync::OnceLock::new();
    TOOLS
        .get_or_init(|| prepare_tools(env))
        .as_ref()
        .map_err(Clone::clone)
}

fn prepare_tools(env: &harness::Env) -> Result<Tools, String> {
    let node = find_node()?;
    let oracle = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/pm2");
    let pkg = oracle.join("node_modules/pm2/package.json");
    let version = std::fs::read_to_string(&pkg)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v["version"].as_str().map(String::from));
    if version.as_deref() != Some(PM2_VERSION) {
        return Err(format!(
            "{} is not PM2 {PM2_VERSION} ({version:?}): run `npm ci --ignore-scripts` in \
             tests/oracle/pm2",
            pkg.display()
        ));
    }
    let lock = std::fs::read(oracle.join("package-lock.json")).map_err(|e| e.to_string())?;
    let node_bin = std::fs::read(&node).map_err(|e| format!("{}: {e}", node.display()))?;
    let key = [&lock[..], &node_bin[..], LAUNCHER.as_bytes()].concat();
    let dir = harness::cache_dir().join("pm2");
    let layer = dir.join(format!("layer-{PM2_VERSION}-{:016x}", fnv(&key)));
    if layer.join(".complete").exists() {
        return Ok(Tools { layer });
    }
    let tmp = dir.join(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let sh = |script: &str| -> Result<(), String> {
        let out = Command::new("/bin/sh")
            .args(["-euc", script, "sh"])
            .arg(&tmp)
            .arg(&oracle)
            .arg(&node)
            .arg(env.rootfs.as_os_str())
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "building the PM2 layer: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    // $1 the layer, $2 tests/oracle/pm2, $3 node, $4 the container root.
    sh("mkdir -p \"$1/usr/bin\" \"$1/opt/pm2/node-path\"
        cp \"$3\" \"$1/usr/bin/node\"
        cp -a \"$2/node_modules\" \"$1/opt/pm2/\"
        ln -s /opt/pm2/node_modules/dotenv \"$1/opt/pm2/node-path/dotenv\"
        for lib in $(ldd \"$3\" | sed -n 's/.*=> \\(\\/[^ ]*\\).*/\\1/p'); do
          [ -e \"$4$lib\" ] || { mkdir -p \"$1$(dirname $lib)\"; cp -L \"$lib\" \"$1$lib\"; }
        done")?;
    std::fs::write(tmp.join("opt/pm2/live-pm2.js"), LAUNCHER).map_err(|e| e.to_string())?;
    std::fs::write(tmp.join(".complete"), "").map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&layer);
    std::fs::rename(&tmp, &layer).map_err(|e| e.to_string())?;
    Ok(Tools { layer })
}

fn fnv(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in data {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Node and PM2 in the container (from the layer).
fn check_pm2(c: &Container) {
    let v = c.sh_ok(&format!(
        "/usr/bin/node -p \"process.versions.node + ' ' + require('{PM2_DIR}/node_modules/pm2/package.json').version\""
    ));
    eprintln!("    node and PM2 in the container: {}", v.trim());
    assert!(v.trim().ends_with(PM2_VERSION), "PM2 in the container: {v}");
}

/// What a stand-in saw.
#[derive(Debug, Clone)]
struct Seen {
    file: String,
    pid: u32,
    argv: Vec<String>,
    exec_argv: Vec<String>,
    exec_path: String,
    cwd: String,
    env: BTreeMap<String, String>,
    ids: String,
    groups: Vec<u64>,
}

fn records(c: &Container) -> Vec<Seen> {
    let out = c.sh_ok(&format!(
        "for f in $(ls {r} | sort); do case $f in pm2-*.json) cat {r}/$f; echo;; esac; done",
        r = harness::RECORDS
    ));
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| {
            let strs = |k: &str| -> Vec<String> {
                v[k].as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| s.as_str().unwrap_or("").to_string())
                    .collect()
            };
            Seen {
                file: v["file"].as_str().unwrap_or("").into(),
                pid: v["pid"].as_u64().unwrap_or(0) as u32,
                argv: strs("argv"),
                exec_argv: strs("execArgv"),
                exec_path: v["execPath"].as_str().unwrap_or("").into(),
                cwd: v["cwd"].as_str().unwrap_or("").into(),
                env: v["env"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect(),
                ids: format!(
                    "uid {} gid {} euid {} egid {}",
                    v["uid"], v["gid"], v["euid"], v["egid"]
                ),
                groups: v["groups"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_u64)
                    .collect(),
            }
        })
        .collect()
}

/// The records of the recorder (an interpreter other than node, or `interpreter: 'none'`),
/// as what the app sees: its script is the first argument that is an app's script (else its
/// executable).
fn recorder_records(c: &Container, scripts: &BTreeSet<String>) -> Vec<Seen> {
    c.records()
        .into_iter()
        .map(|p| Seen {
            file: p
                .argv
                .iter()
                .find(|a| scripts.contains(*a))
                .cloned()
                .unwrap_or_else(|| p.exe.clone()),
            pid: p.pid,
            argv: p.argv.clone(),
            exec_argv: Vec::new(),
            exec_path: p.exe.clone(),
            cwd: p.cwd.clone(),
            env: p.env.clone(),
            ids: format!(
                "uid {} gid {} euid {} egid {}",
                p.uid.first().unwrap_or(&u32::MAX),
                p.gid.first().unwrap_or(&u32::MAX),
                p.uid.get(1).unwrap_or(&u32::MAX),
                p.gid.get(1).unwrap_or(&u32::MAX)
            ),
            groups: p.groups.iter().map(|g| *g as u64).collect(),
        })
        .collect()
}

/// Every record: the node stand-in's and the recorder's.
fn all_records(c: &Container, scripts: &BTreeSet<String>) -> Vec<Seen> {
    let mut v = records(c);
    v.extend(recorder_records(c, scripts));
    v
}

fn alive(c: &Container, pids: &[u32]) -> BTreeSet<u32> {
    if pids.is_empty() {
        return BTreeSet::new();
    }
    let list: Vec<String> = pids.iter().map(u32::to_string).collect();
    c.sh_ok(&format!(
        "for p in {}; do [ -d /proc/$p ] && echo $p; done; true",
        list.join(" ")
    ))
    .lines()
    .filter_map(|l| l.trim().parse().ok())
    .collect()
}

/// The recorded processes still alive once `want` of them run and the set is stable.
fn settle(c: &Container, scripts: &BTreeSet<String>, want: usize) -> Vec<Seen> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = BTreeSet::new();
    loop {
        let recs = all_records(c, scripts);
        let live = alive(c, &recs.iter().map(|r| r.pid).collect::<Vec<_>>());
        if (live.len() >= want && live == last) || Instant::now() > deadline {
            return recs.into_iter().filter(|r| live.contains(&r.pid)).collect();
        }
        last = live;
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// An instance: its script and its instance number (the app's instance variable).
fn instance_key(s: &Seen, instance_var: &BTreeMap<String, String>) -> String {
    let var = instance_var
        .get(&s.file)
        .map_or("NODE_APP_INSTANCE", String::as_str);
    format!("{} #{}", s.file, s.env.get(var).map_or("?", String::as_str))
}

fn differences(theirs: &Seen, ours: &Seen) -> Vec<Diff> {
    let mut out = Vec::new();
    let mut field = |key: &str, t: String, o: String| {
        if t != o {
            out.push(Diff {
                key: key.into(),
                theirs: t,
                ours: o,
            });
        }
    };
    field(
        "argv",
        format!("{:?}", theirs.argv),
        format!("{:?}", ours.argv),
    );
    field(
        "execArgv",
        format!("{:?}", theirs.exec_argv),
        format!("{:?}", ours.exec_argv),
    );
    field("execPath", theirs.exec_path.clone(), ours.exec_path.clone());
    field("cwd", theirs.cwd.clone(), ours.cwd.clone());
    field("ids", theirs.ids.clone(), ours.ids.clone());
    field(
        "groups",
        format!("{:?}", theirs.groups),
        format!("{:?}", ours.groups),
    );
    let keys: BTreeSet<&String> = theirs.env.keys().chain(ours.env.keys()).collect();
    for k in keys {
        let show = |m: &BTreeMap<String, String>| m.get(k).cloned().unwrap_or("(unset)".into());
        field(&format!("env:{k}"), show(&theirs.env), show(&ours.env));
    }
    out
}

/// What PM2 knows of the case, from its own reading (oracle.json): the keys of its process
/// description (`pm2_env`) that are not the app's environment, the base environment `pm2`
/// ran with, and the app names.
struct Oracle {
    bookkeeping: BTreeSet<String>,
    base_env: BTreeSet<String>,
    names: BTreeSet<String>,
    /// script path → instance variable
    instance_var: BTreeMap<String, String>,
    /// processes PM2 creates
    processes: usize,
    /// the CPUs PM2 was given
    cpus: String,
    /// script path → autorestart
    autorestart: BTreeMap<String, bool>,
    /// script path → restart_delay
    restart_delay_ms: BTreeMap<String, u64>,
    /// the executables PM2 spawns that are not node (an interpreter, or the script itself)
    other_programs: BTreeSet<String>,
    /// script path → its stop_exit_codes
    stop_exit_codes: BTreeMap<String, Vec<i64>>,
}

impl Oracle {
    /// The exit code a stop test uses for an app: a non-zero one of its stop_exit_codes (the
    /// one a program chooses to say "do not restart me"), else 0.
    fn stop_code(&self, script: &str) -> Option<i64> {
        let codes = self.stop_exit_codes.get(script)?;
        codes
            .iter()
            .copied()
            .find(|c| *c != 0)
            .or(codes.first().copied())
    }

    fn scripts(&self) -> BTreeSet<String> {
        self.instance_var.keys().cloned().collect()
    }
}

fn oracle(case: &str) -> Oracle {
    let dir = corpus::case_dir("pm2", case);
    let o: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("oracle.json")).unwrap()).unwrap();
    let mut bookkeeping = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut instance_var = BTreeMap::new();
    let mut autorestart = BTreeMap::new();
    let mut processes = 0;
    let mut restart_delay_ms = BTreeMap::new();
    let mut other_programs = BTreeSet::new();
    let mut stop_exit_codes = BTreeMap::new();
    for p in o["processes"].as_array().into_iter().flatten() {
        let e = &p["pm2_env"];
        let app_env = e["env"].as_object().cloned().unwrap_or_default();
        for k in e.as_object().into_iter().flatten().map(|(k, _)| k) {
            if !app_env.contains_key(k) {
                bookkeeping.insert(k.clone());
            }
        }
        if p["spawn"].is_null() {
            continue;
        }
        processes += 1;
        let script = e["pm_exec_path"].as_str().unwrap_or("").to_string();
        names.insert(e["name"].as_str().unwrap_or("").to_string());
        instance_var.insert(
            script.clone(),
            e["instance_var"]
                .as_str()
                .unwrap_or("NODE_APP_INSTANCE")
                .to_string(),
        );
        autorestart.insert(script.clone(), e["autorestart"] != Value::Bool(false));
        let stop: Vec<i64> = match &e["stop_exit_codes"] {
            Value::Array(a) => a.iter().filter_map(Value::as_i64).collect(),
            v => v.as_i64().into_iter().collect(),
        };
        if !stop.is_empty() {
            stop_exit_codes.insert(script.clone(), stop);
        }
        restart_delay_ms.insert(script.clone(), e["restart_delay"].as_u64().unwrap_or(0));
        let sp = &p["spawn"];
        if sp["mode"] == "fork" {
            let cmd = sp["command"].as_str().unwrap_or("");
            if !["node", "<NODE>"].contains(&cmd) {
                other_programs.insert(cmd.to_string());
            }
        }
    }
    Oracle {
        bookkeeping,
        base_env: o["base_env"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect(),
        names,
        instance_var,
        processes,
        cpus: o["cpus"].to_string(),
        autorestart,
        restart_delay_ms,
        other_programs,
        stop_exit_codes,
    }
}

/// The keys a finding of `code` names (in backquotes) in the report.
fn reported_keys(conv: &corpus::Converted, code: &str) -> BTreeSet<String> {
    conv.report["items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|i| i["findings"].as_array().cloned().unwrap_or_default())
        .filter(|f| f["code"] == code)
        .flat_map(|f| {
            let m = f["message"].as_str().unwrap_or("").to_string();
            m.split('`')
                .skip(1)
                .step_by(2)
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn rules(o: &Oracle, user: bool, dump_dropped: BTreeSet<String>) -> Vec<Rule> {
    let bookkeeping = o.bookkeeping.clone();
    let base = o.base_env.clone();
    let names = o.names.clone();
    vec![
        Rule {
            reason: "PM2 runs a node app through its wrapper (`node ProcessContainerFork.js`, \
                     cluster mode: a worker of `ProcessContainer.js`), which loads the script \
                     without rewriting process.argv: argv[1] is the wrapper, not the script; \
                     the unit runs `node SCRIPT` (the rest of argv compared)",
            applies: Box::new(|d: &Diff| {
                let parse = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
                let (t, o) = (parse(&d.theirs), parse(&d.ours));
                d.key == "argv"
                    && t.len() == o.len()
                    && t.len() >= 2
                    && t[0] == o[0]
                    && t[2..] == o[2..]
                    && t[1].starts_with(&format!("{PM2_DIR}/node_modules/pm2/lib/ProcessContainer"))
            }),
        },
        Rule {
            reason: "PM2 copies its own process description (pm2_env: pm_id, name, exec_mode, \
                     status, restart_time, pm_exec_path, pm_cwd, log paths, …) into the app's \
                     environment; a unit has none (oracle.json: the keys of pm2_env that are \
                     not the app's env)",
            applies: Box::new(move |d: &Diff| {
                unset(&d.ours)
                    && d.key
                        .strip_prefix("env:")
                        .is_some_and(|k| bookkeeping.contains(k))
            }),
        },
        Rule {
            reason: "PM2 adds PM2_HOME, PM2_USAGE, PM2_JSON_PROCESSING, unique_id, a key named \
                     after the app and (cluster mode) its worker keys to every app; the mapping \
                     leaves them out (MIGRATION.md)",
            applies: Box::new(move |d: &Diff| {
                unset(&d.ours)
                    && d.key.strip_prefix("env:").is_some_and(|k| {
                        k.starts_with("PM2_")
                            || ["unique_id", "NODE_UNIQUE_ID", "pm2_env"].contains(&k)
                            || names.contains(k)
                    })
            }),
        },
        Rule {
            reason: "PM2 passes the environment `pm2` ran in (the oracle's base: PATH, HOME, \
                     LANG, PWD) to every app; a unit starts from systemd's (PATH the same)",
            applies: Box::new(move |d: &Diff| {
                unset(&d.ours) && d.key.strip_prefix("env:").is_some_and(|k| base.contains(k))
            }),
        },
        Rule {
            reason: "PM2 spawns a fork-mode app with an IPC channel (node's `stdio: 'ipc'`, \
                     fd 3); node consumes these keys itself, any other program sees them; a \
                     unit has no channel",
            applies: Box::new(|d: &Diff| {
                unset(&d.ours)
                    && ["env:NODE_CHANNEL_FD", "env:NODE_CHANNEL_SERIALIZATION_MODE"]
                        .contains(&d.key.as_str())
            }),
        },
        Rule {
            reason: "with uid/gid, node's spawn (libuv) clears the supplementary groups \
                     (setgroups(0)); systemd's User= calls initgroups(), which lists the user's \
                     primary group: the same groups in effect (a user with more groups would \
                     differ: not accepted)",
            applies: Box::new(|d: &Diff| {
                d.key == "groups"
                    && d.theirs == "[]"
                    && serde_json::from_str::<Vec<u64>>(&d.ours).is_ok_and(|g| g.len() == 1)
            }),
        },
        Rule {
            reason: "a cluster worker inherits the PM2 daemon's own environment, and the client \
                     spawns the daemon with SILENT=true (lib/Client.js)",
            applies: Box::new(|d: &Diff| d.key == "env:SILENT" && unset(&d.ours)),
        },
        Rule {
            reason: "the dump recorded the environment of the shell `pm2 start` ran in (a login \
                     shell's keys); the mapping drops them and names each in its \
                     pm2-dump-env-dropped finding",
            applies: Box::new(move |d: &Diff| {
                unset(&d.ours)
                    && d.key
                        .strip_prefix("env:")
                        .is_some_and(|k| dump_dropped.contains(k))
            }),
        },
        Rule {
            reason: "systemd sets INVOCATION_ID, JOURNAL_STREAM (output to the journal) and \
                     SYSTEMD_EXEC_PID for a service",
            applies: Box::new(|d: &Diff| {
                unset(&d.theirs)
                    && [
                        "env:INVOCATION_ID",
                        "env:JOURNAL_STREAM",
                        "env:SYSTEMD_EXEC_PID",
                    ]
                    .contains(&d.key.as_str())
            }),
        },
        Rule {
            reason: "systemd sets HOME, USER, LOGNAME and SHELL for a service with User=; PM2 \
                     switches only the ids and keeps its own HOME",
            applies: Box::new(move |d: &Diff| {
                user && ["env:HOME", "env:USER", "env:LOGNAME", "env:SHELL"]
                    .contains(&d.key.as_str())
            }),
        },
    ]
}

/// How many processes starting `units` runs: a service is one, a target the processes of
/// what it Wants= (a file's target wanting NAME.target wanting NAME@0.service …).
fn instances_of(conv: &corpus::Converted, units: &[String]) -> usize {
    units
        .iter()
        .map(|u| {
            if u.ends_with(".target") {
                instances_of(conv, &wants(conv, u))
            } else {
                usize::from(u.ends_with(".service"))
            }
        })
        .sum()
}

/// The units a unit of the conversion Wants=.
fn wants(conv: &corpus::Converted, unit: &str) -> Vec<String> {
    conv.unit(unit)
        .lines()
        .filter_map(|l| l.strip_prefix("Wants="))
        .flat_map(str::split_whitespace)
        .map(String::from)
        .collect()
}

/// `--cpus N` in a converter command line (added when missing).
fn with_cpus(mut args: Vec<String>, cpus: &str) -> Vec<String> {
    match args.iter().position(|a| a == "--cpus") {
        Some(i) => args[i + 1] = cpus.to_string(),
        None => args.extend(["--cpus".to_string(), cpus.to_string()]),
    }
    args
}

/// The unit a process belongs to, from its cgroup.
fn unit_of(c: &Container, pid: u32) -> String {
    let cg = c.sh(&format!("cat /proc/{pid}/cgroup")).stdout;
    cg.lines()
        .filter_map(|l| l.rsplit('/').next())
        .find(|u| u.ends_with(".service"))
        .unwrap_or("")
        .to_string()
}

/// The units our side starts, as a user does: the file's target (`pm2-DIR.target`,
/// `pm2-USER.target`: the item with no line whose only unit is it), which wants exactly the
/// apps PM2 starts; without one, every runnable item PM2 starts (not `pm2-not-started`), by
/// its target when it has one.
fn units_to_start(conv: &corpus::Converted) -> Vec<String> {
    let file_targets: Vec<String> = conv
        .all_items()
        .into_iter()
        .filter(|i| i.runs() && i.line.is_none())
        .filter(|i| i.units.len() == 1 && i.units[0].ends_with(".target"))
        .map(|i| i.units[0].clone())
        .collect();
    if !file_targets.is_empty() {
        return file_targets;
    }
    let mut out = Vec::new();
    let not_started: BTreeSet<String> = conv.report["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| {
            i["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|f| f["code"] == "pm2-not-started")
        })
        .flat_map(|i| {
            i["units"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|u| u.as_str().map(String::from))
                .collect::<Vec<_>>()
        })
        .collect();
    for item in conv.all_items().iter().filter(|i| i.runs()) {
        if item.units.iter().any(|u| not_started.contains(u)) {
            continue;
        }
        match item.units.iter().find(|u| u.ends_with(".target")) {
            Some(t) => out.push(t.clone()),
            None => out.extend(
                item.units
                    .iter()
                    .filter(|u| u.ends_with(".service") && !u.contains("@."))
                    .cloned(),
            ),
        }
    }
    out
}

struct Pm2Run<'a> {
    c: &'a Container,
    /// The shell prefix that runs `pm2 …` as the case's `pm2 start` (or `resurrect`) ran.
    prefix: String,
    command: String,
    home: String,
}

impl<'a> Pm2Run<'a> {
    fn new(c: &'a Container, case: &str) -> Pm2Run<'a> {
        let dir = corpus::case_dir("pm2", case);
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
        let input = read("input").trim().to_string();
        let q = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
        let env_lines: Vec<String> = read("env")
            .lines()
            .map(str::trim)
            .filter(|l| l.contains('=') && !l.starts_with('#'))
            .map(|l| q(l.trim_start_matches("export ")))
            .collect();
        if input.ends_with("/dump.pm2") {
            // As `pm2 startup`'s unit runs it: the dump's user, PM2_HOME its directory, from /.
            let home = input.trim_end_matches("/dump.pm2");
            let user = home
                .strip_prefix("/home/")
                .and_then(|h| h.split('/').next())
                .expect("a dump under /home/USER/.pm2");
            c.sh_ok(&format!("touch {home}/touch && chown -R {user}: {home}"));
            Pm2Run {
                c,
                prefix: format!(
                    "cd / && exec runuser -u {user} -- env -i PATH={BASE_PATH} HOME=/home/{user} \
                     LANG=C.UTF-8 PWD=/ PM2_HOME={home} {PM2_CMD}"
                ),
                command: "resurrect".into(),
                home: home.to_string(),
            }
        } else {
            let cwd = match read("cwd").trim() {
                "" => Path::new(&input).parent().unwrap().display().to_string(),
                d => d.to_string(),
            };
            let file = Path::new(&input)
                .strip_prefix(&cwd)
                .map_or(input.clone(), |p| p.display().to_string());
            let mut command = format!("start {}", q(&file));
            if let Some(env) = read("env-name").lines().next().filter(|l| !l.is_empty()) {
                command.push_str(&format!(" --env {}", q(env.trim())));
            }
            c.sh_ok(&format!("mkdir -p {PM2_HOME} && touch {PM2_HOME}/touch"));
            Pm2Run {
                c,
                prefix: format!(
                    "cd {cwd} && exec env -i PATH={BASE_PATH} HOME=/root LANG=C.UTF-8 PWD={cwd} \
                     PM2_HOME={PM2_HOME} {} {PM2_CMD}",
                    env_lines.join(" ")
                ),
                command,
                home: PM2_HOME.to_string(),
            }
        }
    }

    /// Runs a `pm2` command as a child of the container's PID 1 (its daemon stays).
    fn pm2(&self, command: &str) -> (Option<i32>, String) {
        self.c
            .run_as_init(&format!("{} {command} </dev/null 2>&1", self.prefix))
    }
}

/// One instance of every app that `code` gives an exit code crashes with it; returns, per
/// instance key, whether a new process of it was recorded within a few seconds, and the
/// instances still running then.
fn crash_one_each(
    c: &Container,
    o: &Oracle,
    running: &[Seen],
    key: &dyn Fn(&Seen) -> String,
    code: &dyn Fn(&str) -> Option<i64>,
) -> (BTreeMap<String, bool>, Vec<Seen>) {
    let scripts = o.scripts();
    let mut victims: BTreeMap<String, (&Seen, i64)> = BTreeMap::new();
    for s in running {
        if let Some(n) = code(&s.file) {
            victims.entry(s.file.clone()).or_insert((s, n));
        }
    }
    let known: BTreeSet<u32> = all_records(c, &scripts).iter().map(|r| r.pid).collect();
    for (s, n) in victims.values() {
        c.sh_ok(&format!("echo {n} > {CRASH_DIR}/{}", s.pid));
    }
    // Each victim's restart_delay (systemd's RestartSec=, the same) and 3 s are its longest
    // wait; done early once every victim is back.
    let started = Instant::now();
    let waits: Vec<Duration> = victims
        .keys()
        .map(|f| Duration::from_millis(o.restart_delay_ms.get(f).copied().unwrap_or(0) + 3000))
        .collect();
    loop {
        let recs = all_records(c, &scripts);
        let fresh: BTreeSet<String> = recs
            .iter()
            .filter(|r| !known.contains(&r.pid))
            .map(key)
            .collect();
        let out: BTreeMap<String, bool> = victims
            .values()
            .map(|(v, _)| {
                let k = key(v);
                let back = fresh.contains(&k);
                (k, back)
            })
            .collect();
        let waited = started.elapsed();
        let done = out
            .values()
            .zip(&waits)
            .all(|(back, wait)| *back || waited > *wait);
        if done {
            let live = alive(c, &recs.iter().map(|r| r.pid).collect::<Vec<_>>());
            return (
                out,
                recs.into_iter().filter(|r| live.contains(&r.pid)).collect(),
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn run_case(name: &str) {
    let case = CASES.iter().find(|c| c.case == name).expect("a case entry");
    let Some(env) = harness::env() else {
        return;
    };
    let tools = match tools(env) {
        Ok(t) => t,
        Err(why) => {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "PM2 {PM2_VERSION} or its Node unavailable, and CI=true makes that a failure: {why}"
            );
            eprintln!("skipping live test: {why}");
            return;
        }
    };
    let started = Instant::now();
    let o = oracle(name);
    let mut fail: Vec<String> = Vec::new();
    let c = Container::boot_with(
        env,
        &format!("pm2-{name}"),
        Duration::from_secs(300),
        &[&tools.layer],
    );
    eprintln!("pm2/{name}: booted {} in {:.2} s", c.name, c.boot_secs);
    check_pm2(&c);
    // The oracle gives PM2 4 CPUs (`instances: 'max'`), the case converts with `--cpus 4`;
    // PM2 in the container sees the machine's: the case is converted with that count.
    let cpus = c.sh_ok("/usr/bin/node -p 'require(\"os\").cpus().length'");
    let cpus = cpus.trim().to_string();
    let conv = corpus::convert_with("pm2", name, &|args| with_cpus(args, &cpus));
    let units = units_to_start(&conv);
    // `cron_restart`'s timers (NAME-cron-restart.timer), fired once the rest is checked.
    let timers: Vec<String> = conv
        .all_items()
        .iter()
        .flat_map(|i| i.units.clone())
        .filter(|u| u.ends_with(".timer"))
        .collect();
    // The instances our units run; PM2's count is the oracle's when the container has the
    // oracle's CPUs (else `instances: 'max'` differs and the pairing below compares them).
    let want = instances_of(&conv, &units);
    let pm2_want = if cpus == o.cpus { o.processes } else { want };
    corpus::install_host_tree(&c, "pm2", name);
    for script in o.instance_var.keys() {
        c.write(script, STAND_IN.as_bytes(), 0o755);
    }
    // Other interpreters (found on PATH when named bare, as PM2's spawn finds them): the
    // recorder, which stays running.
    for program in &o.other_programs {
        let path = if program.starts_with('/') {
            program.clone()
        } else {
            c.sh_ok(&format!("command -v {program}")).trim().to_string()
        };
        c.stand_in(&path, "sleep");
    }
    if !case.setup.is_empty() {
        c.sh_ok(case.setup);
    }
    c.install_units(&conv.units);
    c.sh_ok(&format!("mkdir -p {CRASH_DIR} && chmod 1777 {CRASH_DIR}"));
    let key = |s: &Seen| instance_key(s, &o.instance_var);

    // PM2.
    let pm2 = Pm2Run::new(&c, name);
    let (code, log) = pm2.pm2(&pm2.command);
    let scripts = o.scripts();
    let theirs = settle(&c, &scripts, pm2_want);
    eprintln!(
        "    pm2 {}: exit {code:?}, {} process(es) ({pm2_want} expected; the oracle, with {} \
         CPUs: {}; the container has {cpus})",
        pm2.command,
        theirs.len(),
        o.cpus,
        o.processes
    );
    if theirs.len() != pm2_want {
        let logs = c.sh(&format!("cd {} && tail -n 20 pm2.log logs/*", pm2.home));
        fail.push(format!(
            "{name}: PM2 runs {} processes, its oracle says {}:\n{log}\n{}",
            theirs.len(),
            pm2_want,
            logs.stdout
        ));
    }
    let (their_crash, running) = crash_one_each(&c, &o, &theirs, &key, &|_| Some(1));
    let (their_stop, _) = crash_one_each(&c, &o, &running, &key, &|f| o.stop_code(f));
    let pm2_log = c.sh(&format!("tail -n 30 {}/pm2.log", pm2.home)).stdout;
    let (kcode, klog) = pm2.pm2("kill");
    let left = alive(
        &c,
        &all_records(&c, &scripts)
            .iter()
            .map(|r| r.pid)
            .collect::<Vec<_>>(),
    );
    if kcode != Some(0) || !left.is_empty() {
        fail.push(format!(
            "{name}: pm2 kill: {kcode:?}, left {left:?}:\n{klog}"
        ));
    }
    c.sh_ok(&format!(
        "rm -f {r}/pm2-*.json {r}/*.rec {r}/*.sig {CRASH_DIR}/*",
        r = harness::RECORDS
    ));

    // Ours.
    for u in &units {
        let r = c.systemctl(&["start", u]);
        if !r.ok() {
            fail.push(format!(
                "systemctl start {u}: {}\n{}",
                r.stderr,
                c.journal(u)
            ));
        }
    }
    let ours = settle(&c, &scripts, want);
    eprintln!("    ours ({}): {} process(es)", units.join(" "), ours.len());
    let unit_of_pid: BTreeMap<u32, String> =
        ours.iter().map(|s| (s.pid, unit_of(&c, s.pid))).collect();
    let (our_crash, running) = crash_one_each(&c, &o, &ours, &key, &|_| Some(1));
    let (our_stop, _) = crash_one_each(&c, &o, &running, &key, &|f| o.stop_code(f));

    // Compare, instance by instance.
    let by_key =
        |v: &[Seen]| -> BTreeMap<String, Seen> { v.iter().map(|s| (key(s), s.clone())).collect() };
    let (t, ours_map) = (by_key(&theirs), by_key(&ours));
    let mut seen_known = BTreeSet::new();
    let mut compared = 0;
    for k in t.keys().chain(ours_map.keys()).collect::<BTreeSet<_>>() {
        let (Some(tp), Some(op)) = (t.get(k), ours_map.get(k)) else {
            fail.push(format!(
                "{name}: instance {k} runs under {} only",
                if t.contains_key(k) {
                    "PM2"
                } else {
                    "our units"
                }
            ));
            continue;
        };
        compared += 1;
        let unit = unit_of_pid[&op.pid].clone();
        let user = !c
            .show(&unit, &["User"])
            .get("User")
            .is_none_or(String::is_empty);
        let v = judge(
            differences(tp, op),
            &rules(&o, user, reported_keys(&conv, "pm2-dump-env-dropped")),
            case.known,
        );
        eprintln!(
            "    {k} ({unit}): argv {:?} execArgv {:?} cwd {} {}",
            op.argv, op.exec_argv, op.cwd, op.ids
        );
        // Accepted differences, one line per reason (PM2 adds some forty keys).
        let mut by_reason: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (d, why) in &v.accepted {
            let shown = if d.key.starts_with("env:") && unset(&d.ours) {
                d.key.clone()
            } else {
                d.to_string()
            };
            by_reason.entry(why).or_default().push(shown);
        }
        for (why, keys) in by_reason {
            eprintln!("      accepted {} — {why}", keys.join(", "));
        }
        for (d, why) in &v.known {
            eprintln!("      KNOWN {d} — {why}");
            seen_known.insert(d.key.clone());
        }
        for d in &v.unexplained {
            eprintln!("      UNEXPLAINED {d}");
            fail.push(format!("{name}: {k} ({unit}): {d}"));
        }
    }
    for kn in case.known {
        if !seen_known.contains(kn.key) {
            fail.push(format!(
                "{name}: known `{}` no longer shows ({})",
                kn.key, kn.reason
            ));
        }
    }
    for (k, back) in &their_crash {
        let file = k.split(" #").next().unwrap_or("");
        let want = o.autorestart.get(file).copied().unwrap_or(true);
        let ours_back = our_crash.get(k).copied().unwrap_or(false);
        eprintln!(
            "    crash of {k}: PM2 restarted it: {back}, systemd: {ours_back} (autorestart {want})"
        );
        if *back != want || ours_back != want {
            fail.push(format!(
                "{name}: crash of {k}: autorestart {want}, PM2 restarted: {back}, ours: \
                 {ours_back}\n{pm2_log}"
            ));
        }
    }
    // An exit code of stop_exit_codes: PM2 does not restart the app.
    for (k, back) in &their_stop {
        let file = k.split(" #").next().unwrap_or("");
        let ours_back = our_stop.get(k).copied().unwrap_or(false);
        let n = o.stop_code(file).unwrap_or(0);
        let known = case.known_restarts.iter().find(|(f, _)| *f == file);
        eprintln!(
            "    exit {n} (in stop_exit_codes) of {k}: PM2 restarted it: {back}, systemd: \
             {ours_back}{}",
            known.map_or(String::new(), |(_, why)| format!(" — KNOWN: {why}"))
        );
        if *back {
            fail.push(format!(
                "{name}: {k} exited {n}, in its stop_exit_codes, and PM2 restarted it"
            ));
        }
        if ours_back != *back && known.is_none() {
            fail.push(format!(
                "{name}: {k} exited {n} (stop_exit_codes): PM2 restarted it: {back}, ours: \
                 {ours_back}"
            ));
        }
        if ours_back == *back && known.is_some() {
            fail.push(format!(
                "{name}: known restart difference of {file} no longer shows"
            ));
        }
    }
    if !timers.is_empty() {
        fail.extend(fire_timers(&c, &conv, name, &timers));
    }
    eprintln!(
        "pm2/{name}: {compared} instance(s) compared in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        fail.is_empty(),
        "pm2/{name}: {} problem(s):\n{}",
        fail.len(),
        fail.join("\n")
    );
}

/// `cron_restart`: every timer moved a few seconds ahead (all at once) must restart what its
/// oneshot names (`ExecStart=systemctl restart X`: a service, or a target's services): each
/// gets a new invocation and is active again. Returns the problems.
fn fire_timers(
    c: &Container,
    conv: &corpus::Converted,
    name: &str,
    timers: &[String],
) -> Vec<String> {
    let mut fail = Vec::new();
    let mut services: BTreeMap<String, String> = BTreeMap::new();
    for t in timers {
        let text = conv.unit(t);
        let oneshot = text
            .lines()
            .find_map(|l| l.strip_prefix("Unit=").map(String::from))
            .unwrap_or_else(|| format!("{}.service", t.trim_end_matches(".timer")));
        let Some(target) = conv
            .unit(&oneshot)
            .lines()
            .find_map(|l| l.strip_prefix("ExecStart=systemctl restart "))
            .map(|u| u.trim().to_string())
        else {
            fail.push(format!(
                "{name}: {oneshot} (of {t}) has no `ExecStart=systemctl restart UNIT`"
            ));
            continue;
        };
        let restarted = if target.ends_with(".target") {
            wants(conv, &target)
        } else {
            vec![target.clone()]
        };
        for s in restarted {
            services.insert(s, t.clone());
        }
    }
    let before: BTreeMap<&String, String> = services
        .keys()
        .map(|s| {
            let id = c.show(s, &["InvocationID"]).remove("InvocationID");
            (s, id.unwrap_or_default())
        })
        .collect();
    let when = c
        .sh_ok("date -u -d '+5 sec' '+%Y-%m-%d %H:%M:%S'")
        .trim()
        .to_string();
    for t in timers {
        c.write(
            &format!("/etc/systemd/system/{t}"),
            crate::cron::move_timer(&conv.unit(t), &when).as_bytes(),
            0o644,
        );
    }
    c.daemon_reload();
    let mut start = vec!["start"];
    start.extend(timers.iter().map(String::as_str));
    let r = c.systemctl(&start);
    if !r.ok() {
        fail.push(format!("{name}: starting the timers: {}", r.stderr));
    }
    for t in timers {
        let next = c.show(t, &["NextElapseUSecRealtime"]);
        if next
            .get("NextElapseUSecRealtime")
            .is_none_or(|v| v.is_empty())
        {
            fail.push(format!(
                "{name}: {t} has nothing to wait for ({next:?}): the time it was moved to \
                 ({when} UTC) passed before it was started"
            ));
        }
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(20);
    loop {
        let now: BTreeMap<&String, BTreeMap<String, String>> = services
            .keys()
            .map(|s| (s, c.show(s, &["InvocationID", "ActiveState"])))
            .collect();
        let pending: Vec<String> = now
            .iter()
            .filter(|(s, p)| {
                let id = p.get("InvocationID").map_or("", String::as_str);
                id.is_empty()
                    || id == before[*s]
                    || p.get("ActiveState").map(String::as_str) != Some("active")
            })
            .map(|(s, p)| format!("{s} (of {}): {p:?}, before {:?}", services[*s], before[*s]))
            .collect();
        if pending.is_empty() {
            eprintln!(
                "    timers {} (moved to {when} UTC) fired: {} restarted (new invocation, \
                 active) {:.1} s after they were started",
                timers.join(" "),
                services.keys().cloned().collect::<Vec<_>>().join(" "),
                started.elapsed().as_secs_f64()
            );
            break;
        }
        if Instant::now() > deadline {
            for t in timers {
                let m = c.show(
                    t,
                    &["LastTriggerUSec", "NextElapseUSecRealtime", "ActiveState"],
                );
                fail.push(format!("{name}: {t}: {m:?}"));
            }
            fail.push(format!(
                "{name}: cron_restart: not restarted within 20 s of starting the timers (moved \
                 to {when} UTC): {}",
                pending.join("; ")
            ));
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    fail
}

/// Corpus cases not run live, with the reason.
const NOT_RUN: &[(&str, &str)] = &[
    (
        "bare-json-in-js",
        "PM2 refuses the file (`require` of JSON saved as .js fails)",
    ),
    (
        "cron-nickname-refused",
        "PM2 refuses the file (croner rejects `@weekly`)",
    ),
    (
        "mjs-export-default",
        "PM2 refuses the file (No script path - aborting)",
    ),
    (
        "template-j2",
        "PM2 refuses the file (a Jinja template does not parse)",
    ),
    (
        "user-unknown-refused",
        "PM2 refuses the file (a user missing from /etc/passwd)",
    ),
    (
        "watch-dev",
        "its `script: 'serve'` app is PM2's built-in static server (lib/API/Serve.js), not a \
         file a stand-in can take the place of",
    ),
];

#[test]
fn pm2_every_case_is_run_or_excused() {
    let mut listed: Vec<&str> = CASES
        .iter()
        .map(|c| c.case)
        .chain(NOT_RUN.iter().map(|(c, _)| *c))
        .collect();
    listed.sort();
    assert_eq!(
        corpus::cases("pm2"),
        listed,
        "add a live test (or a reason in NOT_RUN) for each new PM2 corpus case"
    );
}

#[test]
fn pm2_api_env() {
    run_case("api-env");
}

#[test]
fn pm2_api_env_production() {
    run_case("api-env-production");
}

#[test]
fn pm2_cluster_max() {
    run_case("cluster-max");
}

#[test]
fn pm2_cron_restart() {
    run_case("cron-restart");
}

#[test]
fn pm2_python_worker() {
    run_case("python-worker");
}

#[test]
fn pm2_dump_deploy() {
    run_case("dump-deploy");
}

#[test]
fn pm2_uid_gid() {
    run_case("uid-gid");
}

#[test]
fn pm2_relative_cwd() {
    run_case("relative-cwd");
}

#[test]
fn pm2_process_yml() {
    run_case("process-yml");
}

#[test]
fn pm2_json5_json() {
    run_case("json5-json");
}

#[test]
fn pm2_falsy_options() {
    run_case("falsy-options");
}

#[test]
fn pm2_js_constructs() {
    run_case("js-constructs");
}

#[test]
fn pm2_mjs_export_const() {
    run_case("mjs-export-const");
}

#[test]
fn pm2_nextjs_npm_start() {
    run_case("nextjs-npm-start");
}

#[test]
fn pm2_dotenv() {
    run_case("dotenv");
}
