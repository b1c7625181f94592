//! Loading a PM2 file into one JavaScript value, as PM2 7.0.4's `Common.parseConfig` does for
//! its type, with the engine `--eval` chose.

use std::path::Path;

use serde_json::Value;

use super::eval::{Engine, EvalError, Evaluated, Facts, Kind, Limits};

/// The type PM2 gives a file (`Common.isConfigFile`, a substring test, in PM2's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// A name containing `.json` (so `.json5` too): evaluated as one JavaScript expression.
    Json,
    /// `.yml`/`.yaml`: js-yaml.
    Yaml,
    /// `.config.js`/`.config.cjs`: `require()`d.
    Js,
    /// `.config.mjs`: `require()`d as an ES module (Node ≥ 20.19).
    Mjs,
    /// `dump.pm2` (`pm2 save`): evaluated as one expression, like `.json`.
    Dump,
}

impl FileType {
    /// PM2's type for the file name `name`; `.js`/`.cjs`/`.mjs` files PM2 would run as a
    /// script rather than read (no `.config.` in the name) are read by their extension, and
    /// [`FileType::is_pm2_config_name`] says so.
    #[must_use]
    pub fn of(name: &str) -> Option<FileType> {
        if name == "dump.pm2" || name.ends_with(".pm2") || name == "dump.pm2.bak" {
            return Some(FileType::Dump);
        }
        for (needle, t) in [
            (".json", FileType::Json),
            (".yml", FileType::Yaml),
            (".yaml", FileType::Yaml),
            (".config.js", FileType::Js),
            (".config.cjs", FileType::Js),
            (".config.mjs", FileType::Mjs),
        ] {
            if name.contains(needle) {
                return Some(t);
            }
        }
        if name.ends_with(".mjs") {
            return Some(FileType::Mjs);
        }
        if name.ends_with(".js") || name.ends_with(".cjs") {
            return Some(FileType::Js);
        }
        None
    }

    /// Whether `pm2 start NAME` reads the file as a configuration (not as a script to run).
    #[must_use]
    pub fn is_pm2_config_name(name: &str) -> bool {
        name == "dump.pm2"
            || [
                ".json",
                ".yml",
                ".yaml",
                ".config.js",
                ".config.cjs",
                ".config.mjs",
            ]
            .iter()
            .any(|n| name.contains(n))
    }
}

/// A file's value and what producing it read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Loaded {
    pub value: Value,
    /// Present when JavaScript ran.
    pub evaluated: Option<Evaluated>,
    /// The file used ES module syntax and was read as a module.
    pub module: bool,
    /// The engine that produced the value (`quickjs`, `node VERSION`, `none`).
    pub engine: String,
    /// A `.js` file holding a bare JSON object or array, which `require()` cannot load, read
    /// as an expression instead.
    pub bare_json: bool,
}

/// Why a file could not be loaded, at a line and column when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// A sandbox limit was reached (`time`, `memory`, `stack`).
    pub limit: Option<&'static str>,
}

impl LoadError {
    fn plain(message: impl Into<String>) -> Self {
        LoadError {
            message: message.into(),
            line: None,
            column: None,
            limit: None,
        }
    }
}

impl From<EvalError> for LoadError {
    fn from(e: EvalError) -> Self {
        match e {
            EvalError::Limit { limit, detail } => LoadError {
                message: detail,
                line: None,
                column: None,
                limit: Some(limit),
            },
            EvalError::Thrown {
                message,
                line,
                column,
            } => LoadError {
                message: clean(&message),
                line,
                column,
                limit: None,
            },
            EvalError::Engine(m) => LoadError::plain(m),
        }
    }
}

/// A sandbox refusal without its `[systemdify:kind]` tag, prefixed with what it was.
fn clean(message: &str) -> String {
    if let Some(start) = message.find("[systemdify:")
        && let Some(end) = message[start..].find(']')
    {
        let kind = &message[start + 12..start + end];
        let rest = message[start + end + 1..].trim();
        let what = match kind {
            "outside" => "sandbox: read refused: ",
            "write" => "sandbox: write refused: ",
            "network" => "sandbox: network refused: ",
            "process" => "sandbox: process refused: ",
            "module" => "sandbox: module refused: ",
            "read" => "sandbox: read refused: ",
            _ => "sandbox: ",
        };
        return format!("{what}{rest}");
    }
    message.to_string()
}

/// Loads `text` (the file at `host_path`, whose directory is `local_dir` on this machine).
///
/// # Errors
/// The file does not parse or its evaluation fails.
pub fn load(
    text: &str,
    host_path: &str,
    local_dir: &Path,
    file_type: FileType,
    engine: Engine,
    facts: &Facts,
    limits: &Limits,
) -> Result<Loaded, LoadError> {
    if file_type == FileType::Yaml {
        return super::yaml::parse(text)
            .map(|value| Loaded {
                value,
                engine: "js-yaml rules".into(),
                ..Loaded::default()
            })
            .map_err(|e| LoadError {
                message: e.message,
                line: e.line,
                column: e.column,
                limit: None,
            });
    }
    match engine {
        Engine::None => literal(text, file_type),
        Engine::Quickjs => quickjs(text, host_path, local_dir, file_type, facts, limits),
        Engine::Node => super::node::load(text, host_path, local_dir, file_type, facts, limits),
    }
}

/// The kind of evaluation for a file type and its text: `.mjs` and `.js` with ES module syntax
/// (`export`/`import` at the start of a line) are modules.
#[must_use]
pub fn kind(file_type: FileType, text: &str) -> Kind {
    match file_type {
        FileType::Json | FileType::Dump | FileType::Yaml => Kind::Expression,
        FileType::Mjs => Kind::Module,
        FileType::Js => {
            let esm = text.lines().any(|l| {
                let t = l.trim_start();
                t.starts_with("export ") || t.starts_with("export{") || t.starts_with("import ")
            }) && !text.contains("module.exports");
            if esm { Kind::Module } else { Kind::CommonJs }
        }
    }
}

#[cfg(feature = "js")]
fn quickjs(
    text: &str,
    host_path: &str,
    local_dir: &Path,
    file_type: FileType,
    facts: &Facts,
    limits: &Limits,
) -> Result<Loaded, LoadError> {
    let kind = kind(file_type, text);
    let evaluated = match super::sandbox::evaluate(text, host_path, local_dir, kind, facts, limits)
    {
        Ok(e) => e,
        Err(EvalError::Thrown { message, .. })
            if kind == Kind::CommonJs
                && message.starts_with("SyntaxError")
                && text.trim_start().starts_with(['{', '[']) =>
        {
            let evaluated = super::sandbox::evaluate(
                text,
                host_path,
                local_dir,
                Kind::Expression,
                facts,
                limits,
            )
            .map_err(|e| adjust(e, Kind::Expression, text))?;
            return Ok(Loaded {
                value: evaluated.value.clone(),
                evaluated: Some(evaluated),
                module: false,
                engine: "quickjs".into(),
                bare_json: true,
            });
        }
        Err(e) => return Err(adjust(e, kind, text)),
    };
    Ok(Loaded {
        value: evaluated.value.clone(),
        evaluated: Some(evaluated),
        module: kind == Kind::Module,
        engine: "quickjs".into(),
        bare_json: false,
    })
}

/// Line-1 columns without the wrapper the sandbox put before the text; a position in the
/// wrapper's closing line (an unclosed brace found at the end) at the end of the text's last line.
#[cfg(feature = "js")]
fn adjust(e: EvalError, kind: Kind, text: &str) -> LoadError {
    let shift = match kind {
        Kind::Expression => 1,
        Kind::CommonJs => {
            "(function (exports, require, module, __filename, __dirname) {".len() as u32
        }
        Kind::Module => 0,
    };
    let mut err = LoadError::from(e);
    if err.line == Some(1)
        && let Some(c) = err.column
    {
        err.column = Some(c.saturating_sub(shift).max(1));
    }
    let lines = u32::try_from(text.lines().count())
        .unwrap_or(u32::MAX)
        .max(1);
    if err.line.is_some_and(|l| l > lines) {
        let last = text.lines().last().unwrap_or("");
        err.line = Some(lines);
        err.column = Some(u32::try_from(last.chars().count()).unwrap_or(u32::MAX) + 1);
    }
    err
}

#[cfg(not(feature = "js"))]
fn quickjs(
    text: &str,
    _host_path: &str,
    _local_dir: &Path,
    file_type: FileType,
    _facts: &Facts,
    _limits: &Limits,
) -> Result<Loaded, LoadError> {
    literal(text, file_type).map_err(|mut e| {
        e.message = format!(
            "{} (this systemdify was built without the `js` feature, so JavaScript is not evaluated: use --eval node)",
            e.message
        );
        e
    })
}

/// `--eval none`: JSON5 for `.json`/`.json5`/`dump.pm2`, and for a `.js` file whose export
/// (`module.exports =` or `export default`) is a literal.
fn literal(text: &str, file_type: FileType) -> Result<Loaded, LoadError> {
    let (body, offset) = match file_type {
        FileType::Json | FileType::Dump | FileType::Yaml => (text, 0),
        FileType::Js | FileType::Mjs => {
            let start = ["module.exports", "export default"]
                .iter()
                .filter_map(|m| text.find(m).map(|at| (at, *m)))
                .min();
            let Some((at, marker)) = start else {
                return Err(LoadError::plain(
                    "--eval none reads only literals, and this file exports nothing literal (no `module.exports =` or `export default`)",
                ));
            };
            let mut rest = &text[at + marker.len()..];
            if marker == "module.exports" {
                rest = rest.trim_start();
                match rest.strip_prefix('=') {
                    Some(r) => rest = r,
                    None => {
                        return Err(LoadError::plain(
                            "--eval none reads only literals: `module.exports` is not assigned a literal",
                        ));
                    }
                }
            }
            let body = rest.trim_end().trim_end_matches(';');
            (body, text.len() - rest.len())
        }
    };
    match json5::from_str::<Value>(body) {
        Ok(value) => Ok(Loaded {
            value,
            engine: "none".into(),
            ..Loaded::default()
        }),
        Err(e) => {
            let before = &text[..offset];
            let lines_before = before.matches('\n').count();
            let col_before = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
            let (line, column) = e.position().map_or((None, None), |p| {
                let col = if p.line == 0 {
                    p.column + col_before
                } else {
                    p.column
                };
                (
                    Some(u32::try_from(p.line + lines_before + 1).unwrap_or(u32::MAX)),
                    Some(u32::try_from(col + 1).unwrap_or(u32::MAX)),
                )
            });
            let message = e.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            Err(LoadError {
                message: format!(
                    "{message} (--eval none reads literals only: JSON5, no expressions)"
                ),
                line,
                column,
                limit: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_types_as_pm2_decides() {
        assert_eq!(FileType::of("ecosystem.config.js"), Some(FileType::Js));
        assert_eq!(FileType::of("ecosystem.config.cjs"), Some(FileType::Js));
        assert_eq!(FileType::of("ecosystem.config.mjs"), Some(FileType::Mjs));
        assert_eq!(FileType::of("ecosystem.json5"), Some(FileType::Json));
        assert_eq!(FileType::of("process.yml"), Some(FileType::Yaml));
        assert_eq!(FileType::of("dump.pm2"), Some(FileType::Dump));
        assert!(!FileType::is_pm2_config_name("apps.js"));
    }

    #[test]
    fn literals_without_evaluation() {
        let l = literal(
            "// c\nmodule.exports = {apps: [{name: 'a', script: 'a.js',}]};\n",
            FileType::Js,
        )
        .unwrap();
        assert_eq!(l.value["apps"][0]["name"], "a");
        let e = literal(
            "module.exports = {apps: [{script: __dirname + '/a.js'}]}",
            FileType::Js,
        )
        .unwrap_err();
        assert!(e.message.contains("--eval none"), "{e:?}");
    }
}
