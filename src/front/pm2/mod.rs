//! PM2 ecosystem files and `dump.pm2`, read as PM2 7.0.4 reads them: every file becomes the
//! list of apps `pm2 start FILE` (or `pm2 resurrect`) would launch.
//!
//! 1. [`load`]: the file into one JavaScript value by its type (PM2's substring test:
//!    `.json` and `dump.pm2` evaluated as one expression, `.yml`/`.yaml` with js-yaml's rules,
//!    `.config.js`/`.cjs` as CommonJS, `.mjs` as an ES module), evaluated in the embedded
//!    sandbox ([`sandbox`], `--eval quickjs`), a local `node` ([`node`], `--eval node`) or not
//!    at all (`--eval none`: literals only).
//! 2. The shape: `apps`, else `pm2`, else the value itself; a non-array is one app. An ES
//!    module's `export default` is unwrapped (PM2 7.0.4 itself rejects it, reported).
//! 3. [`normalize`]: PM2's `verifyConfs`, `validateJSON`, `_startJson`, `prepareAppConf` and
//!    `mergeEnvironmentVariables` per app; [`app::App`] is the typed result.
//!
//! A `dump.pm2` is regrouped per app by [`dump`] instead of step 3.
//!
//! What PM2 would see but we cannot know is fixed and documented (MIGRATION.md, "PM2"): the
//! environment of the PM2 CLI is [`base_environment`] plus `--env-file` (never the shell
//! running systemdify), the directory `pm2 start` ran in is the file's directory unless
//! `--cwd` says otherwise, the CPU count is `--cpus` (default [`DEFAULT_CPUS`]).

pub mod app;
pub mod dump;
pub mod eval;
pub mod js;
pub mod load;
pub mod map;
pub mod node;
pub mod normalize;
pub mod paths;
#[cfg(feature = "js")]
pub mod sandbox;
pub mod schema;
pub mod yaml;

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::finding::{Code, Finding};
use crate::host::Host;

pub use app::App;
pub use eval::{Engine, Limits};
pub use load::FileType;

/// Where PM2's npm package is on the host (`npm install -g pm2` on Debian), for `script:
/// "serve"` (PM2's static file server, `lib/API/Serve.js`).
pub const PM2_PACKAGE_DIR: &str = "/usr/lib/node_modules/pm2";

/// The path the sandbox gives a configuration read from standard input: not a path, so that it
/// may read no file at all.
pub const STDIN_PATH: &str = "(standard input)/-";

/// The CPU count `instances: "max"`/`0`/`-1` resolve with when `--cpus` is not given.
pub const DEFAULT_CPUS: u32 = 2;

/// The reader's options (from the command line).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--eval`.
    pub eval: Engine,
    /// `--eval-timeout`, `--eval-memory`, `--eval-stack`.
    pub limits: Limits,
    /// `--env NAME`.
    pub env_name: Option<String>,
    /// `--env-file`: the PM2 CLI's environment beyond [`base_environment`], in order.
    pub env: Vec<(String, String)>,
    /// `--cwd DIR`: the directory `pm2 start` ran in.
    pub cwd: Option<String>,
    /// `--cpus N`.
    pub cpus: Option<u32>,
    /// `--user NAME`: who PM2 ran as, for ecosystem files (a dump's owner is known).
    pub user: Option<String>,
    /// `--keep-env PATTERN`: dump `env` keys to keep although on the dropped list.
    pub keep_env: Vec<String>,
    /// `--hostname`, for `os.hostname()`.
    pub hostname: Option<String>,
}

/// The PM2 CLI's environment before `--env-file`: what `pm2 startup`'s unit gives `pm2
/// resurrect` (`PATH`, `PM2_HOME`, the user's `HOME`) plus `LANG=C.UTF-8`, `PWD` (the directory
/// PM2 runs in) and `PM2_USAGE=CLI` (PM2's CLI sets it before reading any file).
#[must_use]
pub fn base_environment(home: &str, cwd: &str, pm2_home: &str) -> Vec<(String, String)> {
    vec![
        (
            "PATH".to_string(),
            crate::front::supervisord::SYSTEMD_PATH.to_string(),
        ),
        ("HOME".to_string(), home.to_string()),
        ("LANG".to_string(), "C.UTF-8".to_string()),
        ("PWD".to_string(), cwd.to_string()),
        ("PM2_HOME".to_string(), pm2_home.to_string()),
        ("PM2_USAGE".to_string(), "CLI".to_string()),
    ]
}

/// One app of a file, read or not.
#[derive(Debug, Clone, PartialEq)]
pub struct AppRead {
    /// The app's name (as written, or PM2's default from the script; `app N` when neither).
    pub name: String,
    /// The 1-based line where the app appears, when it can be found in the text.
    pub line: Option<u32>,
    pub result: Result<App, String>,
    /// What the operator should know about this app.
    pub findings: Vec<Finding>,
}

/// A whole file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRead {
    pub file: String,
    pub file_type: FileType,
    /// The engine that produced the value (`quickjs`, `node v22.12.0`, `none`, `js-yaml rules`).
    pub engine: String,
    /// The whole file failed (it does not parse, its evaluation failed, or it has no apps).
    pub error: Option<load::LoadError>,
    pub apps: Vec<AppRead>,
    /// Findings about the file as a whole (every app also carries them).
    pub findings: Vec<Finding>,
}

/// The user PM2 runs as and its home: the dump's owner, else `--user`, else root.
fn pm2_user(host: &Host, user: Option<&str>) -> (String, u32, u32, String) {
    let name = user.unwrap_or("root");
    match host.user(name) {
        Some(u) => (u.name.clone(), u.uid, u.gid, u.home.clone()),
        None if name == "root" => ("root".into(), 0, 0, "/root".into()),
        None => (name.to_string(), 0, 0, format!("/home/{name}")),
    }
}

/// The user whose home holds the dump's `.pm2` directory `dir`, from the host's `/etc/passwd`.
fn owner_by_home(host: &Host, dir: &str) -> Option<String> {
    let home = dir.strip_suffix("/.pm2")?;
    let passwd = String::from_utf8_lossy(&host.read("/etc/passwd").ok()?).into_owned();
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.get(5).map(|h| h.trim_end_matches('/')) == Some(home)).then(|| f[0].to_string())
    })
}

/// Reads one PM2 file (`display` names it in the report; `host_path` is its path on the host).
#[must_use]
pub fn read(
    display: &str,
    host_path: &str,
    text: &str,
    host: &Host,
    options: &Options,
) -> FileRead {
    // Standard input is read as PM2 reads `pm2 start` from a pipe: one expression, and the
    // sandbox reads no files (its directory is no path).
    let stdin = !host_path.starts_with('/');
    let name = host_path.rsplit('/').next().unwrap_or(host_path);
    let file_type = if stdin {
        FileType::Json
    } else {
        FileType::of(name).unwrap_or(FileType::Js)
    };
    let dir = if stdin {
        options.cwd.clone().unwrap_or_else(|| "/".to_string())
    } else {
        paths::dirname(host_path)
    };
    let eval_path = if stdin {
        STDIN_PATH.to_string()
    } else {
        host_path.to_string()
    };
    let is_dump = file_type == FileType::Dump;
    let owner = if is_dump {
        dump::owner(host_path)
    } else {
        None
    };
    let (user, uid, gid, home) = pm2_user(host, owner.as_deref().or(options.user.as_deref()));
    let pm2_home = if is_dump {
        dir.clone()
    } else {
        format!("{}/.pm2", home.trim_end_matches('/'))
    };
    let cli_cwd = options.cwd.clone().unwrap_or_else(|| dir.clone());
    let mut env = base_environment(&home, &cli_cwd, &pm2_home);
    for (k, v) in &options.env {
        env.retain(|(n, _)| n != k);
        env.push((k.clone(), v.clone()));
    }
    let mut argv = vec![
        "/usr/bin/node".to_string(),
        "/usr/local/bin/pm2".to_string(),
        if is_dump { "resurrect" } else { "start" }.to_string(),
    ];
    if !is_dump {
        argv.push(name.to_string());
    }
    if let Some(e) = &options.env_name {
        argv.extend(["--env".to_string(), e.clone()]);
    }
    let cpus = options.cpus.unwrap_or(DEFAULT_CPUS);
    let facts = eval::Facts {
        env: env.clone(),
        argv,
        cwd: cli_cwd.clone(),
        cpus,
        hostname: options
            .hostname
            .clone()
            .or_else(|| {
                host.read("/etc/hostname")
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).trim().to_string())
                    .filter(|h| !h.is_empty())
            })
            .unwrap_or_else(|| "localhost".into()),
        user: user.clone(),
        uid,
        gid,
        home: home.clone(),
        node: eval::NODE_VERSION.to_string(),
    };
    let local_dir: PathBuf = host.local(&dir);
    let mut out = FileRead {
        file: display.to_string(),
        file_type,
        engine: String::new(),
        error: None,
        apps: Vec::new(),
        findings: Vec::new(),
    };
    let loaded = load::load(
        text,
        &eval_path,
        &local_dir,
        file_type,
        options.eval,
        &facts,
        &options.limits,
    );
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => {
            out.error = Some(e);
            return out;
        }
    };
    out.engine.clone_from(&loaded.engine);
    let mut file_findings = Vec::new();
    if !FileType::is_pm2_config_name(name) {
        file_findings.push(Finding::note(
            Code::Pm2NotAConfigName,
            format!("`pm2 start {name}` would run this file as a script, not read it as a configuration: PM2 reads only names containing .json, .yml, .yaml, .config.js, .config.cjs or .config.mjs"),
            "rename it (ecosystem.config.js) if PM2 is meant to read it; it was read here as a configuration",
        ));
    }
    if loaded.engine.starts_with("node") {
        file_findings.push(Finding::note(
            Code::Pm2EvalNode,
            format!("evaluated by {} (--eval node) in a new network namespace, with only the documented process.env", loaded.engine),
            "nothing to do; the local node could read what the user running systemdify can read",
        ));
    }
    if loaded.bare_json {
        file_findings.push(Finding::note(
            Code::Pm2BareJson,
            "the file holds a bare JSON object, not a module: PM2 7.0.4's require() fails on it (SyntaxError) and starts nothing; read here as PM2 reads a .json file",
            "for PM2 itself, rename it to ecosystem.json or write `module.exports = {…}`",
        ));
    }
    let cli_env = match &loaded.evaluated {
        Some(ev) => {
            if !ev.env_reads.is_empty() {
                let baked: Vec<String> = ev
                    .env_reads
                    .iter()
                    .map(|k| match env.iter().rev().find(|(n, _)| n == k) {
                        Some(_) => format!("`{k}` (set)"),
                        None => format!("`{k}` (unset)"),
                    })
                    .collect();
                file_findings.push(Finding::note(
                    Code::Pm2EnvRead,
                    format!(
                        "the file reads process.env: {}; their values are baked into the result as of this conversion",
                        baked.join(", ")
                    ),
                    "give PM2's environment with --env-file FILE (never taken from the shell running systemdify)",
                ));
            }
            if !ev.env_sets.is_empty() {
                file_findings.push(Finding::note(
                    Code::Pm2EnvSet,
                    format!(
                        "evaluating the file set process.env {} (dotenv or an assignment); PM2 copies its environment into every app, so these reach every app's environment",
                        ev.env_sets.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    ),
                    "check that these belong in the units",
                ));
            }
            ev.env.clone()
        }
        None => env.clone(),
    };
    let mut value = loaded.value;
    if loaded.module
        && let Value::Object(ns) = &value
        && ns.get("apps").is_none()
        && ns.get("pm2").is_none()
        && let Some(default) = ns.get("default").cloned()
    {
        file_findings.push(Finding::note(
            Code::Pm2ExportDefault,
            "the file uses `export default`: read here, but PM2 7.0.4 itself rejects it (\"No script path - aborting\"), as it takes the module namespace for the configuration",
            "for PM2 itself, write `module.exports =` in a .config.cjs file, or `export const apps = [...]`",
        ));
        value = default;
    }
    if loaded.module && file_type == FileType::Mjs {
        file_findings.push(Finding::note(
            Code::Pm2EsmNode,
            "an ES module configuration: PM2 loads it with require(), which works only with Node ≥ 20.19 or ≥ 22.12 (older Node fails with ERR_REQUIRE_ESM)",
            "nothing to do for the units",
        ));
    }
    out.findings = file_findings;
    if is_dump {
        read_dump(&mut out, &value, host_path, text, host, options, cpus);
        return out;
    }
    let Value::Object(config) = &value else {
        let apps = match &value {
            Value::Array(a) => a.clone(),
            _ => {
                out.error = Some(load::LoadError {
                    message: "the file's value is not an object or an array of apps".into(),
                    line: None,
                    column: None,
                    limit: None,
                });
                return out;
            }
        };
        read_apps(
            &mut out, &apps, None, text, host, options, &cli_env, &cli_cwd, &pm2_home, &home,
            &user, cpus,
        );
        return out;
    };
    let deploy = config.get("deploy").cloned();
    if let Some(Value::Object(targets)) = &deploy
        && !targets.is_empty()
    {
        let names: Vec<String> = targets.keys().map(|k| format!("`{k}`")).collect();
        out.findings.push(Finding::dropped(
            Code::Pm2Deploy,
            format!(
                "the file's `deploy` section ({}) is for `pm2 deploy` (a git checkout over SSH and its hooks), not a process definition: not converted; with `--env NAME` its `env` applies as PM2 applies it",
                names.join(", ")
            ),
            "deploy with your own tooling (CI, a package, rsync) and install the units with it",
        ));
    }
    if config.get("static").is_some_and(|s| js::truthy(Some(s))) {
        out.findings.push(Finding::dropped(
            Code::Pm2Static,
            "the file's `static` entries (pm2 serve static servers) are not converted",
            "serve the files with a web server unit of your own",
        ));
    }
    let apps = match config.get("apps").filter(|v| js::truthy(Some(v))) {
        Some(a) => a.clone(),
        None => match config.get("pm2").filter(|v| js::truthy(Some(v))) {
            Some(p) => p.clone(),
            None => value.clone(),
        },
    };
    let apps = match apps {
        Value::Array(a) => a,
        other => vec![other],
    };
    read_apps(
        &mut out, &apps, deploy, text, host, options, &cli_env, &cli_cwd, &pm2_home, &home, &user,
        cpus,
    );
    out
}

/// The 1-based line of the first `name: 'NAME'` (any quoting) in `text`.
fn line_of(text: &str, name: &str) -> Option<u32> {
    if name.is_empty() {
        return None;
    }
    text.lines()
        .position(|l| {
            l.contains("name")
                && [
                    format!("'{name}'"),
                    format!("\"{name}\""),
                    format!("`{name}`"),
                    format!(": {name}"),
                ]
                .iter()
                .any(|q| l.contains(q.as_str()))
        })
        .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

#[allow(clippy::too_many_arguments)]
fn read_apps(
    out: &mut FileRead,
    apps: &[Value],
    deploy: Option<Value>,
    text: &str,
    host: &Host,
    options: &Options,
    cli_env: &[(String, String)],
    cli_cwd: &str,
    pm2_home: &str,
    home: &str,
    user: &str,
    cpus: u32,
) {
    let mut ctx = normalize::Context {
        host,
        cli_cwd: cli_cwd.to_string(),
        cli_env: cli_env.to_vec(),
        env_name: options.env_name.clone(),
        deploy,
        pm2_home: pm2_home.to_string(),
        home: home.to_string(),
        username: user.to_string(),
        node_path: String::new(),
    };
    let path = normalize::env_value(cli_env, "PATH").unwrap_or_default();
    ctx.node_path = host
        .which("node", &path)
        .unwrap_or_else(|| "/usr/bin/node".to_string());
    // verifyConfs runs over every app first; one schema error makes PM2 start none of them.
    type Verified = (Value, Result<Map<String, Value>, normalize::Failure>);
    let verified: Vec<Verified> = apps
        .iter()
        .map(|a| {
            let r = match a {
                Value::Object(m) => normalize::verify(m, &ctx),
                _ => Err(normalize::Failure {
                    message: "an app is not an object".into(),
                    whole_file: false,
                }),
            };
            (a.clone(), r)
        })
        .collect();
    let refused = verified
        .iter()
        .any(|(_, r)| matches!(r, Err(f) if f.whole_file));
    // PM2_JSON_PROCESSING is set in PM2's environment after the verification.
    ctx.cli_env
        .push(("PM2_JSON_PROCESSING".to_string(), "true".to_string()));
    for (i, (raw, verified)) in verified.into_iter().enumerate() {
        let written_name = raw.get("name").map(js::to_string);
        let mut findings = out.findings.clone();
        let result = verified.map_err(|f| f.message).and_then(|mut conf| {
            normalize::start_json(&mut conf, &ctx);
            normalize::prepare(&conf, &mut ctx).map_err(|f| f.message)
        });
        let name = match &result {
            Ok(r) => r.get("name").map(js::to_string),
            Err(_) => None,
        }
        .or(written_name.clone())
        .unwrap_or_else(|| format!("app {}", i + 1));
        let line = line_of(text, written_name.as_deref().unwrap_or(&name));
        if refused {
            findings.push(Finding::note(
                Code::Pm2FileRefused,
                "PM2 7.0.4 would start none of this file's apps: one of them fails its schema check",
                "fix the app in error; the others were read as PM2 reads them",
            ));
        }
        let result = result.map(|conf| {
            unknown_keys(&raw, &mut findings);
            if let Some(raw_cwd) = raw.get("cwd").map(js::to_string) {
                if !raw_cwd.starts_with('/') && options.cwd.is_none() {
                    findings.push(cwd_finding(cli_cwd, Some(&raw_cwd)));
                }
            } else if options.cwd.is_none() {
                findings.push(cwd_finding(cli_cwd, None));
            }
            let mut app = App::from_resolved(conf, cpus);
            // No `uid`: the app runs as whoever ran `pm2 start` (`--user NAME`).
            if app.user.is_none() {
                app.user.clone_from(&options.user);
            }
            if let app::Instances::Cpus { written, count, .. } = app.instances {
                findings.push(Finding::approximated(
                    Code::Pm2InstancesCpus,
                    format!(
                        "`instances: {}` means the CPU count{}; counted with {cpus} CPUs ({}): {count} instances",
                        if written == 0 { "max" } else { "negative" },
                        if written < 0 { format!(" less {}", -written) } else { String::new() },
                        if options.cpus.is_some() { "--cpus" } else { "the default, as --cpus was not given" },
                    ),
                    "pass --cpus N with the target host's CPU count",
                ));
            }
            if app.user.is_none() && options.user.is_none() {
                findings.push(Finding::note(
                    Code::Pm2NoUser,
                    "the app names no uid/user, so it runs as whoever ran pm2 start, which the file does not say; read as root",
                    "pass --user NAME with the user that ran pm2",
                ));
            }
            app
        });
        out.apps.push(AppRead {
            name,
            line,
            result,
            findings,
        });
    }
}

fn cwd_finding(cli_cwd: &str, written: Option<&str>) -> Finding {
    Finding::note(
        Code::Pm2CwdAssumed,
        match written {
            Some(c) => format!(
                "`cwd: {c}` is relative to the directory pm2 start ran in, which the file does not say; taken as {cli_cwd}"
            ),
            None => format!(
                "the app has no cwd, so PM2 runs it in the directory pm2 start ran in, which the file does not say; taken as {cli_cwd}"
            ),
        },
        "pass --cwd DIR with the directory pm2 start ran in, if it was not the file's",
    )
}

/// The keys of `raw` PM2 drops without a word (not in its schema, no alias, not `env_*`).
fn unknown_keys(raw: &Value, findings: &mut Vec<Finding>) {
    let Value::Object(m) = raw else { return };
    let known = |k: &str| {
        schema::KEYS
            .iter()
            .any(|key| key.name == k || schema::aliases(key).iter().any(|a| a == k))
            || k.strip_prefix("env_")
                .is_some_and(|r| !r.contains(char::is_whitespace))
            || [
                "cmd",
                "command",
                "user",
                "time",
                "execute_command",
                "disable_trace",
            ]
            .contains(&k)
    };
    let unknown: Vec<String> = m
        .keys()
        .filter(|k| !known(k))
        .map(|k| format!("`{k}`"))
        .collect();
    if !unknown.is_empty() {
        findings.push(Finding::dropped(
            Code::Pm2UnknownKey,
            format!(
                "PM2 silently ignores these keys of the app, and so does the conversion: {}",
                unknown.join(", ")
            ),
            "move environment variables into `env`; remove or rename the others",
        ));
    }
}

fn read_dump(
    out: &mut FileRead,
    value: &Value,
    host_path: &str,
    text: &str,
    host: &Host,
    options: &Options,
    cpus: u32,
) {
    let owner = dump::owner(host_path).or_else(|| owner_by_home(host, &paths::dirname(host_path)));
    let groups = match dump::regroup(value, &options.keep_env) {
        Ok(g) => g,
        Err(e) => {
            out.error = Some(load::LoadError {
                message: e,
                line: None,
                column: None,
                limit: None,
            });
            return;
        }
    };
    for group in groups {
        let mut findings = out.findings.clone();
        let conf = group.pm2_env;
        if !group.dropped.is_empty() {
            findings.push(Finding::note(
                Code::Pm2DumpEnvDropped,
                format!(
                    "dropped from the environment the dump recorded (the shell of whoever ran pm2 start, and PM2's own keys): {}",
                    group.dropped.iter().map(|(k, _)| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
                "keep any the app needs with --keep-env PATTERN (e.g. --keep-env 'NVM_*')",
            ));
        }
        if group.stopped {
            findings.push(Finding::note(
                Code::Pm2DumpStopped,
                "the app was stopped when the dump was saved (`status: stopped`): converted, but not enabled",
                "enable it by hand if it should run",
            ));
        }
        let mut app = App::from_resolved(conf, cpus);
        app.autostart &= !group.stopped;
        if app.user.is_none() {
            app.user = owner.clone().or_else(|| options.user.clone());
        }
        out.apps.push(AppRead {
            name: app.name.clone(),
            line: line_of(text, &app.name),
            result: Ok(app),
            findings,
        });
    }
}
