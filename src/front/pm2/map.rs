//! The core of PM2's mapping: each resolved [`App`] becomes a service (or a template with its
//! instances and a target), read by [`super::read`].
//!
//! | PM2 (resolved) | systemd |
//! |---|---|
//! | `exec_interpreter` + `node_args` + `pm_exec_path` + `args` | `ExecStart=` (interpreter made absolute on the host's `PATH`, a bare name other than `node` kept as argv\[0\]; `none`: the script itself) |
//! | `pm_cwd` | `WorkingDirectory=` |
//! | `env` (merged as PM2 merges it) | `Environment=`; secret-looking names to the 0600 environment file. The PM2 CLI's own keys (`PM2_*`, the module key named after the app, and the assumed CLI environment `PATH`/`HOME`/`LANG`/`PWD` at their assumed values) are left out. |
//! | `instance_var` (`NODE_APP_INSTANCE`) | `Environment=` with the instance number (`0` for one instance) |
//! | `uid`/`gid` (resolved by PM2), `--user`, a dump's owner | `User=`, `Group=` |
//! | `instances` > 1 | `NAME@.service`, instances `NAME@0` … in `NAME.target`; `instance_var` and `increment_var` per instance in drop-ins |
//! | `autorestart`, `restart_delay`, `exp_backoff_restart_delay`, `max_restarts`, `min_uptime`, `stop_exit_codes` | `Restart=`, `RestartSec=`, `StartLimitBurst=`/`StartLimitIntervalSec=`, `RestartPreventExitStatus=`/`SuccessExitStatus=` ([`restart`]) |
//! | `wait_ready`/`listen_timeout`, `shutdown_with_message` | reported; `Type=exec`, `KillSignal=SIGINT` kept ([`restart::start_and_stop`]) |
//! | `kill_timeout` (default 1600 ms), PM2's `SIGINT` | `KillSignal=SIGINT`, `TimeoutStopSec=` |
//! | `autostart: false`, dump `status: stopped` | installed, not enabled |
//! | `max_memory_restart` | `MemoryMax=` (the kernel kills, `Restart=` restarts; approximated) |
//! | `treekill: false` | `KillMode=process` |
//! | `cron_restart` (`cron`) | `NAME-cron-restart.timer` and its oneshot: `systemctl restart` of `NAME.service` or `NAME.target` ([`cron_restart`]) |
//! | `watch` (`ignore_watch`, `watch_delay`, `watch_options` reported) | `NAME-watch.path` (`PathChanged=` per path) and its oneshot: `systemctl restart` of the app's unit ([`watch`]) |
//! | the file's apps together | `pm2-USER.target` (a dump) or `pm2-DIR.target` (an ecosystem file) wanting the apps PM2 starts, each `PartOf=` it ([`group`]) |
//! | `log_date_format`, `log_file`, `pid_file`, `merge_logs`, PM2.io keys | reported ([`reported`]) |
//! | `out_file`/`error_file` as written | `StandardOutput=`/`StandardError=append:` (`/dev/null`: `null`); PM2's default files under `PM2_HOME/logs`: the journal |
//!
//! Every other option an app sets is reported by name (`pm2-option-unmapped`), never silently
//! dropped; the full mapping (restart limits, memory, cron restarts, watch, …) is issue 10.

mod cron_restart;
mod group;
mod reported;
mod restart;
mod watch;

use serde_json::Value;

use super::app::{App, ExecMode};
use super::{AppRead, FileRead, js};
use crate::finding::{Code, Finding};
use crate::host::Host;
use crate::ir::{
    Activation, Body, Command, Definition, EnvVar, Format, Instance, InstanceSet, Instances, Item,
    Origin, Output, Service, ServiceKind, WorkingDir,
};

/// Keys of PM2's resolved object this mapping uses or reports ([`reported`]), or that are PM2's
/// own bookkeeping with no meaning for a unit (`username`, `windowsHide`, `kill_retry_time`,
/// `name_prefix` …) or already applied while reading (`env_*` blocks,
/// `filter_env`, `port`, `cwd`, `time` as `log_date_format`).
const HANDLED: &[&str] = &[
    "name",
    "namespace",
    "pm_exec_path",
    "args",
    "exec_interpreter",
    "node_args",
    "pm_cwd",
    "cwd",
    "env",
    "instances",
    "exec_mode",
    "autorestart",
    "autostart",
    "uid",
    "gid",
    "pm_out_log_path",
    "pm_err_log_path",
    "pm_pid_path",
    "pm_log_path",
    "restart_delay",
    "kill_timeout",
    "instance_var",
    "increment_var",
    "merge_logs",
    "username",
    "windowsHide",
    "kill_retry_time",
    "treekill",
    "max_memory_restart",
    "filter_env",
    "port",
    "time",
    "status",
    "name_prefix",
    "append_env_to_name",
    "force",
    "execute_command",
    "install_url",
    "write",
    "cron_restart",
    "log_date_format",
    "pid_file",
    "max_restarts",
    "min_uptime",
    "exp_backoff_restart_delay",
    "stop_exit_codes",
    "shutdown_with_message",
    "wait_ready",
    "listen_timeout",
    "watch",
    "ignore_watch",
    "watch_delay",
    "watch_options",
];

/// Converts one PM2 file: [`super::read`], then one item per app.
#[must_use]
pub fn items(
    display: &str,
    host_path: Option<&str>,
    text: &str,
    host: &Host,
    options: &super::Options,
) -> Vec<Item> {
    let path = host_path.unwrap_or(display);
    let read = super::read(display, path, text, host, options);
    let origin = |line: Option<u32>| Origin {
        format: Some(Format::Pm2),
        file: display.to_string(),
        line,
    };
    if let Some(e) = &read.error {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        let mut item = Item::error(origin(e.line), name, e.column, e.message.clone());
        item.findings = read.findings.clone();
        return vec![item];
    }
    if read.apps.is_empty() {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        return vec![Item::error(
            origin(None),
            name,
            None,
            "the file holds no apps".to_string(),
        )];
    }
    // Each item, and for an app's own unit whether PM2 starts it (the group target wants it).
    let mut out: Vec<(Item, Option<bool>)> = Vec::new();
    for a in &read.apps {
        match &a.result {
            Err(message) => {
                let mut item = Item::error(origin(a.line), a.name.clone(), None, message.clone());
                item.findings.clone_from(&a.findings);
                out.push((item, None));
            }
            Ok(app) => {
                let mut main = item(&read, a, app, host, origin(a.line));
                let cron = cron_item(app, &main, origin(a.line));
                if let Some(Err(finding)) = &cron {
                    main.findings.push(finding.clone());
                }
                let watched = watch_item(app, &mut main, origin(a.line));
                out.push((main, Some(app.autostart)));
                out.extend(cron.and_then(Result::ok).map(|i| (i, None)));
                out.extend(watched.map(|i| (i, None)));
            }
        }
    }
    let owner = (read.file_type == super::FileType::Dump).then(|| {
        super::dump::owner(path)
            .or_else(|| super::owner_by_home(host, &super::paths::dirname(path)))
            .unwrap_or_else(|| "root".to_string())
    });
    let stem = group::stem(path, owner.as_deref());
    let apps = out
        .iter_mut()
        .filter_map(|(item, started)| started.map(|s| (item, s)))
        .collect();
    let target = group::target(&stem, display, apps);
    out.into_iter().map(|(i, _)| i).chain(target).collect()
}

fn fnv1a(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Milliseconds as whole seconds, rounded up (systemd's `…Sec=` here take seconds).
fn seconds(ms: f64) -> u64 {
    if ms <= 0.0 || !ms.is_finite() {
        0
    } else {
        (ms / 1000.0).ceil() as u64
    }
}

/// The user or group name for a numeric id PM2 resolved, from the host's `/etc/passwd` or
/// `/etc/group`.
fn name_of(host: &Host, file: &str, id: &str) -> String {
    let text = String::from_utf8_lossy(&host.read(file).unwrap_or_default()).into_owned();
    text.lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.get(2) == Some(&id))
        .and_then(|f| f.first().map(|n| (*n).to_string()))
        .unwrap_or_else(|| id.to_string())
}

fn item(read: &FileRead, a: &AppRead, app: &App, host: &Host, origin: Origin) -> Item {
    let mut findings = a.findings.clone();
    let env_path = app.env.iter().find(|(k, _)| k == "PATH").map_or(
        super::super::supervisord::SYSTEMD_PATH.to_string(),
        |(_, v)| v.clone(),
    );
    // ExecStart: interpreter (absolute), its arguments, the script, the app's arguments.
    // argv[0] is what PM2 spawns (God/ForkMode.js): a bare interpreter name stays argv[0]
    // (`@/usr/bin/python3 python3 …`); node ignores its argv[0] (process.argv[0] is its
    // execPath), so a node interpreter keeps the plain absolute path.
    let mut argv: Vec<String> = Vec::new();
    let mut program = app.script.clone();
    if let Some(interpreter) = &app.interpreter {
        let found = if interpreter.starts_with('/') {
            host.is_executable(interpreter).then(|| interpreter.clone())
        } else {
            host.which(interpreter, &env_path)
        };
        match found {
            Some(abs) => {
                let bare = !interpreter.starts_with('/') && interpreter != "node";
                argv.push(if bare {
                    interpreter.clone()
                } else {
                    abs.clone()
                });
                program = abs;
            }
            None => {
                findings.push(Finding::note(
                    Code::CommandNotFound,
                    format!(
                        "the interpreter `{interpreter}` was not found on PATH={env_path} on {}",
                        host.label()
                    ),
                    "install it on the target host, or set `interpreter` to its absolute path",
                ));
                argv.push(interpreter.clone());
                program = interpreter.clone();
            }
        }
        argv.extend(app.interpreter_args.iter().cloned());
    } else if !host.is_executable(&app.script) {
        findings.push(Finding::note(
            Code::CommandNotFound,
            format!(
                "`{}` (interpreter: none) is not an executable file on {}",
                app.script,
                host.label()
            ),
            "make it executable on the target host",
        ));
    }
    argv.push(app.script.clone());
    argv.extend(app.args.iter().cloned());

    let mut service = Service::oneshot(
        format!("PM2 app {}", app.name),
        Command::exec(program, argv),
    );
    service.kind = ServiceKind::Exec;
    service.source_path = None;
    let ctx = &mut service.exec;
    ctx.working_dir = Some(WorkingDir::Path(app.cwd.clone()));
    ctx.user = app.user.as_ref().map(|u| {
        if u.bytes().all(|b| b.is_ascii_digit()) {
            name_of(host, "/etc/passwd", u)
        } else {
            u.clone()
        }
    });
    ctx.group = app.group.as_ref().map(|g| {
        if g.bytes().all(|b| b.is_ascii_digit()) {
            name_of(host, "/etc/group", g)
        } else {
            g.clone()
        }
    });
    let (environment, left_out) = unit_environment(read, app);
    if !left_out.is_empty() {
        findings.push(Finding::note(
            Code::Pm2EnvLeftOut,
            format!(
                "not written into the unit: PM2's own variables and the PM2 CLI's assumed environment ({}), which systemd gives a service itself or which only PM2 reads",
                left_out.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ),
            "add any the app needs with Environment= in a drop-in",
        ));
    }
    ctx.environment = environment;
    let instance_var = app
        .pm2_env
        .get("instance_var")
        .map_or_else(|| "NODE_APP_INSTANCE".to_string(), js::to_string);
    findings.extend(restart::apply(&app.pm2_env, app.autorestart, &mut service));
    findings.extend(restart::start_and_stop(&app.pm2_env));
    let kill_timeout = app
        .pm2_env
        .get("kill_timeout")
        .and_then(Value::as_f64)
        .unwrap_or(1600.0);
    service.stop.signal = Some("INT".to_string());
    service.stop.timeout_sec = Some(seconds(kill_timeout).max(1));
    let pm2_home = pm2_home_of(read, app).unwrap_or_default();
    let log = |p: &Option<String>| -> Option<Output> {
        match p.as_deref() {
            None => None,
            Some("/dev/null") => Some(Output::Null),
            Some(path)
                if !pm2_home.is_empty() && path.starts_with(&format!("{pm2_home}/logs/")) =>
            {
                None
            }
            Some(path) => Some(Output::Append(path.to_string())),
        }
    };
    if let Some(bytes) = app
        .pm2_env
        .get("max_memory_restart")
        .and_then(Value::as_f64)
        .filter(|b| *b >= 1.0)
    {
        service.exec.memory_max = Some(bytes as u64);
        findings.push(Finding::approximated(
            Code::Pm2MemoryRestart,
            format!(
                "max_memory_restart {}: PM2 checks the app's RSS every 30 s and reloads it gracefully above the limit; MemoryMax= is a hard cgroup limit on all the unit's processes, the kernel kills at it, and Restart= starts the app again",
                js::number_to_string(bytes)
            ),
            "check the limit leaves room for peaks PM2 never saw between its checks; MemoryHigh= throttles instead of killing",
        ));
    }
    if app.pm2_env.get("treekill") == Some(&Value::Bool(false)) {
        service.stop.scope = Some(crate::ir::StopScope::Main);
    }
    service.logging.stdout = log(&app.out_log);
    service.logging.stderr = log(&app.err_log);

    let count = app.instances.count();
    let increment = app.pm2_env.get("increment_var").map(js::to_string);
    let base_increment = increment.as_ref().map(|v| {
        app.env
            .iter()
            .find(|(k, _)| k == v)
            .and_then(|(_, n)| js::string_to_number(n))
            .unwrap_or(0.0)
    });
    let stem;
    if count > 1 {
        stem = app.name.clone();
        let instances = (0..count)
            .map(|i| {
                let mut environment = vec![EnvVar::new(instance_var.clone(), i.to_string())];
                if let (Some(var), Some(base)) = (&increment, base_increment) {
                    environment.push(EnvVar::new(
                        var.clone(),
                        js::number_to_string(base + f64::from(i)),
                    ));
                }
                Instance {
                    name: i.to_string(),
                    environment,
                    ..Instance::default()
                }
            })
            .collect();
        service.instances = Instances::Set(InstanceSet {
            instances,
            target: true,
        });
    } else {
        stem = app.name.clone();
        service
            .exec
            .environment
            .push(EnvVar::new(instance_var.clone(), "0"));
    }
    if app.exec_mode == ExecMode::Cluster {
        findings.push(Finding::approximated(
            Code::Pm2ClusterMode,
            format!(
                "exec_mode cluster: PM2 runs {count} worker(s) under Node's cluster module, which share one listening socket; the units run {count} independent process(es), which cannot all bind the same port",
            ),
            "let each instance listen on its own port (increment_var), use SO_REUSEPORT (Node: listen({ reusePort: true })), a socket unit, or a reverse proxy in front",
        ));
    }
    findings.extend(reported::findings(app, &pm2_home));
    let unmapped = unmapped(app);
    if !unmapped.is_empty() {
        findings.push(Finding::dropped(
            Code::Pm2OptionUnmapped,
            format!(
                "not converted yet: {}",
                unmapped.join(", ")
            ),
            "set the equivalent systemd directives by hand in a drop-in (see MIGRATION.md, pm2-option-unmapped)",
        ));
    }
    if !app.autostart {
        findings.push(Finding::note(
            Code::Pm2NotStarted,
            "the app is not started by PM2 (autostart: false, or stopped when the dump was saved): the unit is installed but not enabled",
            "start it with systemctl start; enable it to start it at boot",
        ));
    }
    if app.script.ends_with("/lib/API/Serve.js") && app.script.starts_with(super::PM2_PACKAGE_DIR) {
        findings.push(Finding::note(
            Code::Pm2Serve,
            format!(
                "`script: serve` runs PM2's own static file server, {}",
                app.script
            ),
            "keep PM2 installed on the target host for it, or serve the files with a web server",
        ));
    }
    findings.dedup();
    let activation = Activation::Boot {
        wanted_by: vec!["multi-user.target".to_string()],
        aliases: Vec::new(),
        enabled: Some(app.autostart),
    };
    Item {
        origin,
        name: app.name.clone(),
        unit_stem: stem,
        identity: fnv1a(&format!("{}\u{0}{}\u{0}{}", app.name, app.script, app.cwd)),
        body: Body::Unit(Box::new(Definition {
            service,
            activation,
            socket: None,
        })),
        findings,
    }
}

/// The unit `systemctl restart` restarts for the app: `NAME.target` for several instances
/// (whose members are `PartOf=` it, so all restart, as PM2 restarts each), else `NAME.service`;
/// a reference, so the name the naming pass gives the app is the one restarted.
fn restarted_unit(app: &App, main: &Item) -> crate::ir::UnitRef {
    crate::ir::UnitRef {
        stem: main.unit_stem.clone(),
        kind: if app.instances.count() > 1 {
            crate::ir::RefKind::Target
        } else {
            crate::ir::RefKind::Service
        },
    }
}

/// An item whose oneshot runs `systemctl restart` of the app's unit, started by `activation`
/// (a timer for `cron_restart`, a `.path` for `watch`); its units are `NAME-SUFFIX.*`.
fn restarter(
    app: &App,
    main: &Item,
    origin: Origin,
    option: &str,
    suffix: &str,
    activation: Activation,
    findings: Vec<Finding>,
) -> Item {
    let service = Service {
        source_path: None,
        ..Service::oneshot(
            format!("PM2 app {}, restarted on {option}", app.name),
            Command::Restart(restarted_unit(app, main)),
        )
    };
    Item {
        origin,
        name: format!("{} ({option})", app.name),
        unit_stem: format!("{}-{suffix}", main.unit_stem),
        identity: fnv1a(&format!("{}\u{0}{option}", main.identity)),
        body: Body::Unit(Box::new(Definition {
            service,
            activation,
            socket: None,
        })),
        findings,
    }
}

/// `cron_restart` → `NAME-cron-restart.timer` and its oneshot ([`cron_restart`]); `Err` with
/// the finding when the pattern is not converted.
fn cron_item(app: &App, main: &Item, origin: Origin) -> Option<Result<Item, Finding>> {
    let (timer, mut findings) = match cron_restart::read(app.pm2_env.get("cron_restart")) {
        cron_restart::Schedule::Off => return None,
        cron_restart::Schedule::Refused(f) => return Some(Err(f)),
        cron_restart::Schedule::Timer { timer, findings } => (timer, findings),
    };
    let pattern = app
        .pm2_env
        .get("cron_restart")
        .map(js::to_string)
        .unwrap_or_default();
    findings.insert(
        0,
        Finding::note(
            Code::Pm2CronRestart,
            format!(
                "cron_restart `{pattern}`: the timer runs systemctl restart {}, which also starts the app when it is stopped, as PM2's cron does",
                restarted_unit(app, main).unit_name()
            ),
            "enable the timer (systemctl enable --now NAME-cron-restart.timer) with the app",
        ),
    );
    Some(Ok(restarter(
        app,
        main,
        origin,
        "cron_restart",
        "cron-restart",
        Activation::Timer(timer),
        findings,
    )))
}

/// `watch` → `NAME-watch.path` and its oneshot ([`watch`]); the findings go on the app.
fn watch_item(app: &App, main: &mut Item, origin: Origin) -> Option<Item> {
    let read = watch::read(&app.pm2_env, &app.cwd);
    main.findings.extend(read.findings);
    let paths = read.watch?;
    Some(restarter(
        app,
        main,
        origin,
        "watch",
        "watch",
        Activation::Path(paths),
        Vec::new(),
    ))
}

/// The `PM2_HOME` the app ran under: its environment's, else the one PM2 recorded in its
/// process description, else — for a dump, which `pm2 save` writes into `PM2_HOME` — the dump's
/// directory.
/// Log files under `PM2_HOME/logs/` are PM2's defaults (the journal replaces them).
fn pm2_home_of(read: &FileRead, app: &App) -> Option<String> {
    let dump_dir = || {
        (read.file_type == super::FileType::Dump)
            .then(|| std::path::Path::new(&read.file).parent())
            .flatten()
            .map(|d| d.display().to_string())
    };
    app.env
        .iter()
        .find(|(k, _)| k == "PM2_HOME")
        .map(|(_, v)| v.clone())
        .or_else(|| app.pm2_env.get("PM2_HOME").map(js::to_string))
        .or_else(|| {
            app.pm2_env
                .get("env")
                .and_then(|e| e.get("PM2_HOME"))
                .map(js::to_string)
        })
        .filter(|h| !h.is_empty())
        .or_else(dump_dir)
}

/// The variables written into the unit, and the names left out.
fn unit_environment(read: &FileRead, app: &App) -> (Vec<EnvVar>, Vec<String>) {
    let home = app
        .pm2_env
        .get("env")
        .and_then(|e| e.get("HOME"))
        .map(js::to_string);
    let pm2_home = pm2_home_of(read, app);
    let dump = read.file_type == super::FileType::Dump;
    let base = super::base_environment(
        home.as_deref().unwrap_or("/root"),
        &app.cwd,
        pm2_home.as_deref().unwrap_or("/root/.pm2"),
    );
    let mut vars = Vec::new();
    let mut left_out = Vec::new();
    for (k, v) in &app.env {
        let pm2_own = k.starts_with("PM2_") || (*k == app.name && v == "{}");
        let assumed = !dump
            && base.iter().any(|(bk, bv)| bk == k && bv == v)
            && matches!(k.as_str(), "PATH" | "HOME" | "LANG" | "PWD");
        if pm2_own || assumed || !crate::ir::env_name_is_valid(k) {
            left_out.push(k.clone());
        } else {
            vars.push(EnvVar::new(k.clone(), v.clone()));
        }
    }
    (vars, left_out)
}

/// The options the app sets that this mapping does not convert, as `key: value`.
fn unmapped(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in &app.pm2_env {
        if HANDLED.contains(&k.as_str())
            || reported::PM2_IO.contains(&k.as_str())
            || k.starts_with("env_")
            || reported::is_default(k, v)
        {
            continue;
        }
        out.push(format!(
            "`{k}: {}`",
            serde_json::to_string(v).unwrap_or_default()
        ));
    }
    out
}
