//! How a PM2 configuration is evaluated: the choice (`--eval`), the limits, the fixed facts the
//! Node shim answers with, and what an evaluation gives back. The engines are
//! [`super::sandbox`] (QuickJS, feature `js`) and [`super::node`] (a local `node`).

use std::time::Duration;

use serde::Deserialize;

/// `--eval quickjs|node|none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// The embedded QuickJS sandbox (the default when built with the `js` feature).
    #[default]
    Quickjs,
    /// A local `node` in a new network namespace (`unshare -n`), only when asked.
    Node,
    /// No evaluation: JSON, JSON5 and YAML files, and `.js` files whose export is a literal.
    None,
}

/// How the text is run, from the file type PM2 decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `.json` and `dump.pm2`: `(TEXT)` as one expression in the global scope.
    Expression,
    /// `.config.js`/`.config.cjs`: a CommonJS module (`module.exports`).
    CommonJs,
    /// `.config.mjs` (or `.js` with ES module syntax): an ES module; its namespace is the value.
    Module,
}

/// The sandbox's limits (`--eval-timeout`, `--eval-memory`, `--eval-stack`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time; default 1000 ms, the `timeout` PM2 gives `vm.runInThisContext`.
    pub time: Duration,
    /// Bytes the engine may allocate; default 64 MiB.
    pub memory: usize,
    /// Bytes of native stack; default 1 MiB.
    pub stack: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_millis(1000),
            memory: 64 * 1024 * 1024,
            stack: 1024 * 1024,
        }
    }
}

/// The fixed values the Node shim gives a configuration (documented in MIGRATION.md, "PM2:
/// evaluation").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// `process.env`: [`base_environment`] then `--env-file`, in order (later wins).
    pub env: Vec<(String, String)>,
    /// `process.argv`.
    pub argv: Vec<String>,
    /// `process.cwd()`: the directory `pm2 start` ran in.
    pub cwd: String,
    /// `os.cpus().length` (`--cpus`).
    pub cpus: u32,
    /// `os.hostname()` (`--hostname`, else the host's `/etc/hostname`, else `localhost`).
    pub hostname: String,
    /// `os.userInfo()` and `os.homedir()`: the user PM2 runs as.
    pub user: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
    /// `process.version` without the `v`.
    pub node: String,
}

/// The Node version the shim claims to be (`process.version`): the oldest Node that loads
/// `.mjs` through `require`, as PM2 7.0.4 does.
pub const NODE_VERSION: &str = "20.19.0";

impl Facts {
    /// The JSON the shim reads (`__sd_config`).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "cwd": self.cwd,
            "env": self.env,
            "argv": self.argv,
            "node": self.node,
            "os": {
                "cpus": self.cpus,
                "hostname": self.hostname,
                "homedir": self.home,
                "username": self.user,
                "uid": self.uid,
                "gid": self.gid,
                "shell": "/bin/sh",
                "totalmem": 8u64 * 1024 * 1024 * 1024,
                "release": "6.1.0",
            },
        })
        .to_string()
    }
}

/// What an evaluation gives back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluated {
    /// The exported value (`module.exports`, the module namespace, the expression's value), as
    /// `JSON.stringify` gives it (functions and `undefined` dropped, as PM2's cloning drops them).
    pub value: serde_json::Value,
    /// `process.env` after evaluation (what `dotenv` set reaches every app, as PM2 copies its
    /// environment into each one).
    pub env: Vec<(String, String)>,
    /// Every `process.env` key read, in order of first read.
    pub env_reads: Vec<String>,
    /// Every `process.env` key set (by `dotenv` or an assignment), in order.
    pub env_sets: Vec<String>,
    /// Every file read (host paths), in order.
    pub files: Vec<String>,
    /// Every builtin module required and every `dotenv.config()`, in order.
    pub modules: Vec<String>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    exported: serde_json::Value,
    state: RawState,
    env: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct RawState {
    reads: Vec<String>,
    files: Vec<String>,
    modules: Vec<String>,
    sets: Vec<String>,
}

impl Evaluated {
    /// Reads the shim's JSON summary.
    ///
    /// # Errors
    /// The summary is not what the shim writes (a bug).
    pub fn from_json(json: &str) -> Result<Self, String> {
        let raw: Raw = serde_json::from_str(json).map_err(|e| format!("sandbox result: {e}"))?;
        let mut sets = Vec::new();
        for s in raw.state.sets {
            if !sets.contains(&s) {
                sets.push(s);
            }
        }
        Ok(Evaluated {
            value: raw.exported,
            env: raw
                .env
                .into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, v)
                })
                .collect(),
            env_reads: raw.state.reads,
            env_sets: sets,
            files: raw.state.files,
            modules: raw.state.modules,
        })
    }
}

/// Why an evaluation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// A limit was reached: `limit` is `time`, `memory` or `stack`.
    #[error("{detail}")]
    Limit { limit: &'static str, detail: String },
    /// The configuration threw (or does not parse), at a line and column of the file when known.
    #[error("{message}")]
    Thrown {
        message: String,
        line: Option<u32>,
        column: Option<u32>,
    },
    /// The engine could not run at all.
    #[error("JavaScript engine: {0}")]
    Engine(String),
}
