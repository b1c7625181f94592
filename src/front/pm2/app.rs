//! A resolved PM2 app: what PM2 would launch, typed, with PM2's own resolved object kept beside
//! it ([`App::pm2_env`]) for the oracle comparison and for reporting every option by name.

use serde::Serialize;
use serde_json::{Map, Value};

use super::js;

/// How many processes PM2 starts for the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Instances {
    /// A number written in the file (or counted in a dump).
    Count { count: u32 },
    /// `max`, `0` or a negative number: the CPU count (less `-n`), resolved with `--cpus`.
    Cpus {
        /// `0` for `max`/`0`, else the negative number written.
        written: i64,
        /// The CPU count assumed (`--cpus`, else [`super::DEFAULT_CPUS`]).
        cpus: u32,
        count: u32,
    },
}

impl Instances {
    #[must_use]
    pub fn count(self) -> u32 {
        match self {
            Instances::Count { count } | Instances::Cpus { count, .. } => count,
        }
    }
}

/// PM2's exec mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecMode {
    Fork,
    Cluster,
}

/// The resolved app.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct App {
    pub name: String,
    pub namespace: String,
    /// The absolute script PM2 runs (`pm_exec_path`).
    pub script: String,
    pub args: Vec<String>,
    /// `None` for `interpreter: none` (the script is executed itself).
    pub interpreter: Option<String>,
    pub interpreter_args: Vec<String>,
    /// `pm_cwd`.
    pub cwd: String,
    /// The environment PM2 gives the app (its CLI's environment, the file's `env` and the
    /// `--env` block merged), values as the process sees them; sorted by name.
    pub env: Vec<(String, String)>,
    pub instances: Instances,
    pub exec_mode: ExecMode,
    pub autorestart: bool,
    /// `autostart: false`, or a dump entry with `status: stopped`.
    pub autostart: bool,
    /// `uid`/`gid` resolved by PM2 (numbers), or the `--user` / dump owner given to us.
    pub user: Option<String>,
    pub group: Option<String>,
    /// `pm_out_log_path`, `pm_err_log_path`, `pm_log_path`.
    pub out_log: Option<String>,
    pub err_log: Option<String>,
    pub combined_log: Option<String>,
    /// PM2's resolved object (the `pm2_env` it hands its daemon), every key PM2 keeps.
    pub pm2_env: Map<String, Value>,
}

/// The environment of a resolved object as the process sees it (numbers and booleans as
/// JavaScript prints them; `undefined` dropped), sorted by name.
#[must_use]
pub fn env_strings(env: Option<&Value>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = match env {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| (k.clone(), js::to_string(v)))
            .collect(),
        _ => Vec::new(),
    };
    out.sort();
    out
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().map(js::to_string).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

impl App {
    /// The typed view of PM2's resolved object `pm2_env`; `cpus` resolves `max`/`0`/negative
    /// counts as PM2's daemon does (`God.prepare`: `0` → CPUs, `-n` → CPUs − n, at least 1).
    #[must_use]
    pub fn from_resolved(pm2_env: Map<String, Value>, cpus: u32) -> App {
        let s = |k: &str| pm2_env.get(k).map(js::to_string);
        let written = pm2_env
            .get("instances")
            .and_then(js::parse_int)
            .unwrap_or(1);
        let instances = if written > 0 {
            Instances::Count {
                count: u32::try_from(written).unwrap_or(u32::MAX),
            }
        } else {
            let n = i64::from(cpus) + written;
            Instances::Cpus {
                written,
                cpus,
                count: u32::try_from(n.max(1)).unwrap_or(1),
            }
        };
        let interpreter = s("exec_interpreter").filter(|i| i != "none");
        App {
            name: s("name").unwrap_or_default(),
            namespace: s("namespace").unwrap_or_else(|| "default".into()),
            script: s("pm_exec_path").unwrap_or_default(),
            args: strings(pm2_env.get("args")),
            interpreter,
            interpreter_args: strings(pm2_env.get("node_args")),
            cwd: s("pm_cwd").unwrap_or_default(),
            env: env_strings(pm2_env.get("env")),
            instances,
            exec_mode: if s("exec_mode").as_deref() == Some("cluster_mode") {
                ExecMode::Cluster
            } else {
                ExecMode::Fork
            },
            autorestart: pm2_env.get("autorestart") != Some(&Value::Bool(false)),
            autostart: pm2_env.get("autostart") != Some(&Value::Bool(false)),
            user: pm2_env
                .get("uid")
                .filter(|v| !v.is_null())
                .map(js::to_string),
            group: pm2_env
                .get("gid")
                .filter(|v| !v.is_null())
                .map(js::to_string),
            out_log: s("pm_out_log_path"),
            err_log: s("pm_err_log_path"),
            combined_log: s("pm_log_path"),
            pm2_env,
        }
    }
}
