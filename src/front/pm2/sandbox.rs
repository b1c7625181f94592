//! The embedded JavaScript sandbox (QuickJS through `rquickjs`) that evaluates PM2
//! configurations as PM2's `require()` (for `.js`/`.cjs`/`.mjs`) or `vm.runInThisContext('(' +
//! text + ')')` (for `.json` and `dump.pm2`) would, with the Node shim of `shim.js`.
//!
//! What a configuration can reach: `module`/`exports`, `__dirname`/`__filename`, `require` of
//! `path`, `os` (fixed values, [`Facts`]), `fs` (reading only), `url`, `util`, `dotenv` and of
//! files inside the configuration's directory; `process.env` ([`Facts::env`], never the
//! environment of the process running systemdify), `process.argv`, `process.cwd()`. Every read
//! of `process.env`, every file read and every module required is reported in [`Evaluated`].
//! Nothing else: no network module, no child processes, no writes, no timers; `Date` reads a
//! fixed clock (2000-01-01T00:00:00Z) and `Math.random()` a fixed sequence, so a file gives
//! the same result on every run.
//!
//! Limits ([`Limits`]): wall-clock time (an interrupt handler), memory (the runtime's allocator
//! limit) and stack size; each ends the evaluation with [`EvalError::Limit`] naming the limit.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rquickjs::loader::{Loader, Resolver};
use rquickjs::{Context, Ctx, Exception, Function, Module, Object, Runtime, Value};

use super::eval::{EvalError, Evaluated, Facts, Kind, Limits};

const SHIM: &str = include_str!("shim.js");

/// Reads files for the sandbox: host paths inside `host_dir` only, through the local copy at
/// `local_dir` (the same directory under `--root`), never following a link out of it.
#[derive(Clone)]
struct Files {
    host_dir: String,
    local_dir: PathBuf,
}

impl Files {
    /// The local path of `host_path`, or why it may not be read.
    fn local(&self, host_path: &str) -> Result<PathBuf, String> {
        let inside = host_path
            .strip_prefix(&self.host_dir)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'));
        if !self.host_dir.starts_with('/') {
            return Err(format!(
                "[systemdify:outside] {host_path}: the configuration comes from standard input, so the sandbox reads no files"
            ));
        }
        let Some(rest) = inside else {
            return Err(format!(
                "[systemdify:outside] {host_path} is outside the configuration's directory {}, and the sandbox reads nothing else",
                self.host_dir
            ));
        };
        let local = self.local_dir.join(rest.trim_start_matches('/'));
        if let (Ok(real), Ok(base)) = (local.canonicalize(), self.local_dir.canonicalize())
            && !real.starts_with(&base)
        {
            return Err(format!(
                "[systemdify:outside] {host_path} is a link that leads outside the configuration's directory {}",
                self.host_dir
            ));
        }
        Ok(local)
    }

    fn read(&self, host_path: &str) -> Result<String, String> {
        let local = self.local(host_path)?;
        std::fs::read(&local)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| {
                format!(
                    "ENOENT: no such file or directory, open '{host_path}' ({})",
                    e.kind()
                )
            })
    }

    fn exists(&self, host_path: &str) -> bool {
        self.local(host_path).is_ok_and(|p| p.is_file())
    }
}

/// Resolves and loads ES modules for `.mjs` configurations: builtins by name, relative files
/// inside the configuration's directory.
struct EsLoader {
    files: Files,
}

impl Resolver for EsLoader {
    fn resolve<'js>(
        &mut self,
        _ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<rquickjs::loader::ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        let bare = name.strip_prefix("node:").unwrap_or(name);
        if !(bare.starts_with("./") || bare.starts_with("../") || bare.starts_with('/')) {
            return Ok(format!("builtin:{bare}"));
        }
        let dir = Path::new(base).parent().unwrap_or(Path::new("/"));
        Ok(super::paths::normalize(&dir.join(bare).to_string_lossy()))
    }
}

impl Loader for EsLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _attributes: Option<rquickjs::loader::ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, rquickjs::module::Declared>> {
        if let Some(bare) = name.strip_prefix("builtin:") {
            let quoted = serde_json::to_string(bare).unwrap_or_default();
            let keys: String = ctx.eval(format!(
                "(function(){{ const m = __sd_builtin({quoted}); if (m === undefined) throw new Error('[systemdify:module] import ' + {quoted} + ': only path, os, fs (reading), url, util, dotenv and files inside the configuration\\'s directory are available in the sandbox'); return Object.keys(m).filter(k => /^[A-Za-z_$][\\w$]*$/.test(k) && k !== 'default').join(','); }})()"
            ))?;
            let mut source = format!("const m = __sd_builtin({quoted});\nexport default m;\n");
            if !keys.is_empty() {
                source.push_str(&format!("export const {{ {keys} }} = m;\n"));
            }
            return Module::declare(ctx.clone(), name, source);
        }
        let text = self
            .files
            .read(name)
            .map_err(|e| Exception::throw_message(ctx, &e))?;
        Module::declare(ctx.clone(), name, module_source(&text, name))
    }
}

/// `import.meta.url`/`dirname`/`filename` as Node gives them (QuickJS leaves them unset for
/// modules it did not load from disk itself).
fn module_source(text: &str, host_path: &str) -> String {
    let dir = host_path.rsplit_once('/').map_or("/", |(d, _)| d);
    let dir = if dir.is_empty() { "/" } else { dir };
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    text.replace("import.meta.url", &q(&format!("file://{host_path}")))
        .replace("import.meta.dirname", &q(dir))
        .replace("import.meta.filename", &q(host_path))
}

/// Evaluates `text` (the configuration at `host_path`, read from `local_dir` beside it) as
/// `kind` says, with `facts` and `limits`. Returns the exported value as JSON with what the file
/// read.
///
/// # Errors
/// The evaluation failed: a limit was reached, the file threw, it tried something the sandbox
/// refuses, or it does not parse.
pub fn evaluate(
    text: &str,
    host_path: &str,
    local_dir: &Path,
    kind: Kind,
    facts: &Facts,
    limits: &Limits,
) -> Result<Evaluated, EvalError> {
    let host_dir = host_path
        .rsplit_once('/')
        .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d })
        .to_string();
    let files = Files {
        host_dir: host_dir.clone(),
        local_dir: local_dir.to_path_buf(),
    };
    let runtime = Runtime::new().map_err(|e| EvalError::Engine(e.to_string()))?;
    runtime.set_memory_limit(limits.memory);
    runtime.set_max_stack_size(limits.stack);
    let timed_out = Rc::new(Cell::new(false));
    let flag = Rc::clone(&timed_out);
    let deadline = Instant::now() + limits.time;
    runtime.set_interrupt_handler(Some(Box::new(move || {
        if Instant::now() >= deadline {
            flag.set(true);
            true
        } else {
            false
        }
    })));
    if kind == Kind::Module {
        runtime.set_loader(
            EsLoader {
                files: files.clone(),
            },
            EsLoader {
                files: files.clone(),
            },
        );
    }
    let context = Context::full(&runtime).map_err(|e| EvalError::Engine(e.to_string()))?;
    let outcome = context.with(|ctx| run(&ctx, text, host_path, &host_dir, kind, facts, &files));
    let limit_hit = |message: &str| -> Option<EvalError> {
        if timed_out.get() {
            return Some(EvalError::Limit {
                limit: "time",
                detail: format!(
                    "evaluation ran longer than the time limit of {} ms (--eval-timeout)",
                    limits.time.as_millis()
                ),
            });
        }
        let lower = message.to_ascii_lowercase();
        if lower.contains("out of memory") || lower.contains("allocation") {
            return Some(EvalError::Limit {
                limit: "memory",
                detail: format!(
                    "evaluation needed more than the memory limit of {} bytes (--eval-memory)",
                    limits.memory
                ),
            });
        }
        if lower.contains("stack overflow") || lower.contains("call stack") {
            return Some(EvalError::Limit {
                limit: "stack",
                detail: format!(
                    "evaluation recursed past the stack limit of {} bytes (--eval-stack)",
                    limits.stack
                ),
            });
        }
        None
    };
    match outcome {
        Ok(done) => Ok(done),
        Err(EvalError::Thrown {
            message,
            line,
            column,
        }) => Err(limit_hit(&message).unwrap_or(EvalError::Thrown {
            message,
            line,
            column,
        })),
        Err(other) => Err(limit_hit(&other.to_string()).unwrap_or(other)),
    }
}

/// The evaluation inside one context.
fn run<'js>(
    ctx: &Ctx<'js>,
    text: &str,
    host_path: &str,
    host_dir: &str,
    kind: Kind,
    facts: &Facts,
    files: &Files,
) -> Result<Evaluated, EvalError> {
    let thrown = |ctx: &Ctx<'js>, e: rquickjs::Error| caught(ctx, e, host_path);
    install(ctx, facts, files).map_err(|e| thrown(ctx, e))?;
    let exported: Value<'js> = match kind {
        Kind::Expression => {
            let mut options = rquickjs::context::EvalOptions::default();
            options.strict = false;
            options.filename = Some(host_path.to_string());
            ctx.eval_with_options(format!("({text}\n)"), options)
                .map_err(|e| thrown(ctx, e))?
        }
        Kind::CommonJs => {
            let mut options = rquickjs::context::EvalOptions::default();
            options.strict = false;
            options.filename = Some(host_path.to_string());
            let wrapper: Function<'js> = ctx
                .eval_with_options(
                    format!(
                        "(function (exports, require, module, __filename, __dirname) {{{text}\n}})"
                    ),
                    options,
                )
                .map_err(|e| thrown(ctx, e))?;
            let module = Object::new(ctx.clone()).map_err(|e| thrown(ctx, e))?;
            let exports = Object::new(ctx.clone()).map_err(|e| thrown(ctx, e))?;
            module
                .set("exports", exports.clone())
                .map_err(|e| thrown(ctx, e))?;
            module
                .set("filename", host_path)
                .map_err(|e| thrown(ctx, e))?;
            let make: Function<'js> = ctx
                .globals()
                .get("__sd_require")
                .map_err(|e| thrown(ctx, e))?;
            let require: Function<'js> = make.call((host_dir,)).map_err(|e| thrown(ctx, e))?;
            let _: Value<'js> = wrapper
                .call((
                    rquickjs::function::This(exports.clone()),
                    exports,
                    require,
                    module.clone(),
                    host_path,
                    host_dir,
                ))
                .map_err(|e| thrown(ctx, e))?;
            module.get("exports").map_err(|e| thrown(ctx, e))?
        }
        Kind::Module => {
            let declared = Module::declare(ctx.clone(), host_path, module_source(text, host_path))
                .map_err(|e| thrown(ctx, e))?;
            let (module, promise) = declared.eval().map_err(|e| thrown(ctx, e))?;
            promise.finish::<Value<'js>>().map_err(|e| thrown(ctx, e))?;
            module.namespace().map_err(|e| thrown(ctx, e))?.into_value()
        }
    };
    let state: Value<'js> = ctx
        .globals()
        .get("__sd_state")
        .map_err(|e| thrown(ctx, e))?;
    let env: Value<'js> = ctx.globals().get("__sd_env").map_err(|e| thrown(ctx, e))?;
    let holder = Object::new(ctx.clone()).map_err(|e| thrown(ctx, e))?;
    holder
        .set("exported", exported)
        .map_err(|e| thrown(ctx, e))?;
    holder.set("state", state).map_err(|e| thrown(ctx, e))?;
    holder.set("env", env).map_err(|e| thrown(ctx, e))?;
    let json = ctx
        .json_stringify(holder)
        .map_err(|e| thrown(ctx, e))?
        .map(|s| s.to_string())
        .transpose()
        .map_err(|e| thrown(ctx, e))?
        .unwrap_or_default();
    Evaluated::from_json(&json).map_err(EvalError::Engine)
}

/// Defines the bridge and the fixed facts, then runs the shim.
fn install<'js>(ctx: &Ctx<'js>, facts: &Facts, files: &Files) -> rquickjs::Result<()> {
    let bridge = Object::new(ctx.clone())?;
    let reader = files.clone();
    bridge.set(
        "read",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, path: String| -> rquickjs::Result<String> {
                reader
                    .read(&path)
                    .map_err(|e| Exception::throw_message(&ctx, &e))
            },
        )?,
    )?;
    let checker = files.clone();
    bridge.set(
        "exists",
        Function::new(ctx.clone(), move |path: String| checker.exists(&path))?,
    )?;
    bridge.set(
        "compile",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, text: String, file: String| -> rquickjs::Result<Function<'js>> {
                let mut options = rquickjs::context::EvalOptions::default();
                options.strict = false;
                options.filename = Some(file);
                ctx.eval_with_options(
                    format!(
                        "(function (exports, require, module, __filename, __dirname) {{{text}\n}})"
                    ),
                    options,
                )
            },
        )?,
    )?;
    ctx.globals().set("__sd", bridge)?;
    ctx.globals().set("__sd_config", facts.to_json().as_str())?;
    let mut options = rquickjs::context::EvalOptions::default();
    options.filename = Some("systemdify-shim.js".to_string());
    let _: Value<'js> = ctx.eval_with_options(SHIM, options)?;
    Ok(())
}

/// The pending exception of `e` as an [`EvalError`], with the line and column in `host_path`
/// taken from its stack.
fn caught<'js>(ctx: &Ctx<'js>, e: rquickjs::Error, host_path: &str) -> EvalError {
    if !matches!(e, rquickjs::Error::Exception) {
        return EvalError::Thrown {
            message: e.to_string(),
            line: None,
            column: None,
        };
    }
    let value = ctx.catch();
    let (message, stack) = match value
        .as_object()
        .and_then(|o| Exception::from_object(o.clone()))
    {
        Some(ex) => {
            let name: Option<String> = ex.as_object().get("name").ok();
            let message = ex.message().unwrap_or_default();
            let message = match name {
                Some(n) if !n.is_empty() && n != "Error" => format!("{n}: {message}"),
                _ => message,
            };
            (message, ex.stack().unwrap_or_default())
        }
        // QuickJS throws `null` when it cannot even allocate the error for an allocation that
        // failed at the memory limit (a configuration that throws `null` itself is read so too).
        None if value.is_null() => ("out of memory".to_string(), String::new()),
        None => (
            value
                .as_string()
                .and_then(|s| s.to_string().ok())
                .unwrap_or_else(|| format!("{value:?}")),
            String::new(),
        ),
    };
    let (line, column) = position(&stack, host_path);
    EvalError::Thrown {
        message,
        line,
        column,
    }
}

/// The first `host_path:LINE:COL` in a QuickJS stack.
fn position(stack: &str, host_path: &str) -> (Option<u32>, Option<u32>) {
    let Some(at) = stack.find(&format!("{host_path}:")) else {
        return (None, None);
    };
    let rest = &stack[at + host_path.len() + 1..];
    let mut parts = rest.splitn(3, |c: char| !c.is_ascii_digit());
    let line = parts.next().and_then(|l| l.parse().ok());
    let column = parts.next().and_then(|c| c.parse().ok());
    (line, column)
}

/// The time limit PM2 itself gives `.json` evaluation (`vm.runInThisContext`'s `timeout`).
pub const PM2_TIMEOUT: Duration = Duration::from_millis(1000);
