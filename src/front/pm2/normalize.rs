//! PM2's normalisation of one app object, in PM2 7.0.4's order: `Common.verifyConfs` (aliases
//! `cmd`/`command`, the default name, `bash -c` for a script with spaces, `time`, users,
//! `instances`, `merge_logs`), `Config.validateJSON` (schema keys and their aliases, types,
//! numbers from strings, the `args` tokenizer, `"300M"`/`"5s"` units, defaults; every other key
//! dropped), the per-app steps of `API._startJson` (namespace, `append_env_to_name`), then
//! `Common.prepareAppConf` (cwd, script path, environment, interpreter, exec mode, log paths)
//! and `Common.mergeEnvironmentVariables` (`--env NAME`).
//!
//! The result is PM2's own resolved object (the `pm2_env` PM2 hands its daemon), as JSON, so
//! that it can be compared field by field with PM2's; [`super::app::App`] is the typed view.

use serde_json::{Map, Value};

use super::js;
use super::paths;
use super::schema::{self, D, Key, T};

/// What the normalisation needs from outside the file.
pub struct Context<'a> {
    pub host: &'a crate::host::Host,
    /// The directory `pm2 start` ran in (`--cwd`, else the configuration's directory).
    pub cli_cwd: String,
    /// The PM2 CLI's environment (base, `--env-file`, what the file's evaluation set).
    pub cli_env: Vec<(String, String)>,
    /// `--env NAME`.
    pub env_name: Option<String>,
    /// The configuration's `deploy` object.
    pub deploy: Option<Value>,
    /// `PM2_HOME` (`HOME/.pm2` of the user PM2 runs as).
    pub pm2_home: String,
    /// The home directory `~` in log paths stands for.
    pub home: String,
    /// The user running PM2 (`username`).
    pub username: String,
    /// Where `node` is (`process.execPath` of PM2's CLI).
    pub node_path: String,
}

/// A normalisation failure, with PM2's own message where PM2 has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    /// PM2 refuses the whole file for this (a schema error), not only this app.
    pub whole_file: bool,
}

fn fail(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        whole_file: false,
    }
}

fn get_str<'m>(m: &'m Map<String, Value>, k: &str) -> Option<&'m str> {
    m.get(k).and_then(Value::as_str)
}

/// `Common.verifyConfs` for one app, up to and including `Config.validateJSON`.
///
/// # Errors
/// The app fails PM2's schema (PM2 then starts none of the file's apps).
pub fn verify(app: &Map<String, Value>, ctx: &Context<'_>) -> Result<Map<String, Value>, Failure> {
    let mut app = app.clone();
    if let Some(Value::String(mode)) = app.get("exec_mode") {
        let m = exec_mode_suffix(mode);
        app.insert("exec_mode".into(), Value::String(m));
    }
    for alias in ["cmd", "command"] {
        if app.contains_key(alias) && !js::truthy(app.get("script")) {
            let v = app.remove(alias).unwrap_or(Value::Null);
            app.insert("script".into(), v);
        }
    }
    if !js::truthy(app.get("env")) {
        app.insert("env".into(), Value::Object(Map::new()));
    }
    if !js::truthy(app.get("name"))
        && let Some(script) = app.get("script").filter(|v| js::truthy(Some(v)))
    {
        let s = js::to_string(script);
        let base = s.rsplit('/').next().unwrap_or("").to_string();
        let name = match base.rfind('.') {
            Some(dot) if dot > 0 => base[..dot].to_string(),
            _ => base,
        };
        app.insert("name".into(), Value::String(name));
    }
    if app.get("execute_command") == Some(&Value::Bool(true)) {
        app.insert("exec_mode".into(), Value::String("fork".into()));
        app.remove("execute_command");
    }
    app.insert("username".into(), Value::String(ctx.username.clone()));
    if let Some(script) = get_str(&app, "script").map(str::to_string)
        && script.contains(' ')
    {
        let path = env_value(&ctx.cli_env, "PATH").unwrap_or_default();
        let shell = ["bash", "sh"]
            .into_iter()
            .find(|s| ctx.host.which(s, &path).is_some());
        if let Some(shell) = shell {
            app.insert("script".into(), Value::String(shell.into()));
            app.insert("args".into(), serde_json::json!(["-c", script]));
            if !js::truthy(app.get("name")) {
                app.insert("name".into(), Value::String(script));
            }
        }
    }
    if js::truthy(app.get("time")) {
        app.insert(
            "log_date_format".into(),
            Value::String("YYYY-MM-DDTHH:mm:ss".into()),
        );
    }
    if js::truthy(app.get("uid")) || js::truthy(app.get("gid")) || js::truthy(app.get("user")) {
        // PM2 switches users only when it runs as root (and then refuses the whole file),
        // unless its own environment has NODE_ENV=test.
        if ctx.username != "root" && env_value(&ctx.cli_env, "NODE_ENV").as_deref() != Some("test")
        {
            return Err(Failure {
                message: "To use UID and GID please run PM2 as root".into(),
                whole_file: true,
            });
        }
        resolve_user(&mut app, ctx)?;
    }
    if app.get("automation") == Some(&Value::Bool(false)) {
        app.insert("pmx".into(), Value::Bool(false));
    }
    if js::truthy(app.get("disable_trace")) {
        app.insert("trace".into(), Value::Bool(false));
        app.remove("disable_trace");
    }
    if app.get("instances") == Some(&Value::String("max".into())) {
        app.insert("instances".into(), Value::from(0));
    }
    if let Some(Value::String(_)) = app.get("instances") {
        let n = app
            .get("instances")
            .and_then(js::parse_int)
            .filter(|n| *n != 0)
            .unwrap_or(0);
        app.insert("instances".into(), Value::from(n));
    }
    if get_str(&app, "exec_mode") != Some("cluster_mode")
        && !js::truthy(app.get("instances"))
        && !app.contains_key("merge_logs")
    {
        app.insert("merge_logs".into(), Value::Bool(true));
    }
    if js::truthy(app.get("cron_restart"))
        && let Some(Value::String(pattern)) = app.get("cron_restart")
        && pattern != "0"
    {
        check_cron(pattern)?;
    }
    validate(&app)
}

/// The first check croner (PM2's cron library) makes of a `cron_restart` pattern: five or six
/// space-separated fields (so no `@weekly` nicknames). PM2 refuses the whole file otherwise.
///
/// # Errors
/// Not five or six fields (PM2's message, spelling included).
pub fn check_cron(pattern: &str) -> Result<(), Failure> {
    let fields = pattern.split_whitespace().count();
    if fields == 5 || fields == 6 {
        return Ok(());
    }
    Err(Failure {
        message: format!(
            "Cron pattern error: CronPattern: invalid configuration format ('{pattern}'), exacly five or six space separated parts required."
        ),
        whole_file: true,
    })
}

fn exec_mode_suffix(mode: &str) -> String {
    match mode {
        "fork" | "cluster" => format!("{mode}_mode"),
        other => other.to_string(),
    }
}

/// `uid`/`gid`/`user` resolved through the host's `/etc/passwd` and `/etc/group`, as PM2 does
/// (run as root): `env.HOME` becomes the user's home.
fn resolve_user(app: &mut Map<String, Value>, ctx: &Context<'_>) -> Result<(), Failure> {
    let wanted = if js::truthy(app.get("uid")) {
        app.get("uid")
    } else {
        app.get("user")
    };
    // An unknown user or group makes `verifyConfs` fail, so PM2 refuses the whole file.
    let fail = |m: String| Failure {
        message: m,
        whole_file: true,
    };
    let Some(wanted) = wanted.map(js::to_string) else {
        // Only `gid`: PM2 looks up `users[undefined]` and fails.
        return Err(fail("User undefined cannot be found".into()));
    };
    let passwd =
        String::from_utf8_lossy(&ctx.host.read("/etc/passwd").unwrap_or_default()).into_owned();
    let user = table_lookup(&passwd, &wanted)
        .ok_or_else(|| fail(format!("User {wanted} cannot be found")))?;
    if let Some(Value::Object(env)) = app.get_mut("env") {
        env.insert(
            "HOME".into(),
            Value::String(user.get(5).cloned().unwrap_or_default()),
        );
    }
    let uid = user.get(2).and_then(|u| u.parse::<i64>().ok());
    app.insert("uid".into(), uid.map_or(Value::Null, Value::from));
    if js::truthy(app.get("gid")) {
        let gid = app.get("gid").map(js::to_string).unwrap_or_default();
        let groups =
            String::from_utf8_lossy(&ctx.host.read("/etc/group").unwrap_or_default()).into_owned();
        let group = table_lookup(&groups, &gid)
            .ok_or_else(|| fail(format!("Group {gid} cannot be found")))?;
        let id = group.get(2).and_then(|g| g.parse::<i64>().ok());
        app.insert("gid".into(), id.map_or(Value::Null, Value::from));
    } else {
        let gid = user.get(3).and_then(|g| g.parse::<i64>().ok());
        app.insert("gid".into(), gid.map_or(Value::Null, Value::from));
    }
    Ok(())
}

/// The `/etc/passwd`-style line whose name or id (third field) is `wanted`; a later line
/// wins, as PM2's map keeps the last.
fn table_lookup(text: &str, wanted: &str) -> Option<Vec<String>> {
    text.split('\n')
        .rev()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split(':').map(str::to_string).collect::<Vec<_>>())
        .find(|f| {
            f.first().map(String::as_str) == Some(wanted)
                || f.get(2).map(String::as_str) == Some(wanted)
        })
}

/// `Config.validateJSON`: every schema key through its aliases, checked and converted by
/// [`valid`], defaults for the absent ones, then the `env_*` blocks. Other keys are dropped.
///
/// # Errors
/// A value of the wrong type, not matching its pattern or out of bounds (PM2's messages).
pub fn validate(json: &Map<String, Value>) -> Result<Map<String, Value>, Failure> {
    let mut conf = json.clone();
    let mut res = Map::new();
    let mut errors = Vec::new();
    for key in schema::KEYS {
        for alias in schema::aliases(key) {
            if !js::truthy(conf.get(key.name)) {
                match json.get(&alias) {
                    Some(v) => conf.insert(key.name.to_string(), v.clone()),
                    None => conf.remove(key.name),
                };
            }
        }
        let val = conf.remove(key.name);
        let checked = match val {
            None | Some(Value::Null) => None,
            Some(v) => valid(key.name, v, key, &mut errors),
        };
        match checked {
            Some(v) => {
                res.insert(key.name.to_string(), v);
            }
            None => {
                if let Some(d) = key.default {
                    res.insert(
                        key.name.to_string(),
                        match d {
                            D::Bool(b) => Value::Bool(b),
                            D::Num(n) => js::number(n),
                            D::Str(s) => Value::String(s.to_string()),
                        },
                    );
                }
            }
        }
    }
    let env_key = Key {
        name: "^env_\\S*$",
        types: schema::ENV_BLOCK_TYPES,
        aliases: &[],
        default: None,
        regex: None,
        ext: None,
        min: None,
        max: None,
    };
    let blocks: Vec<(String, Value)> = conf
        .iter()
        .filter(|(k, _)| {
            k.strip_prefix("env_")
                .is_some_and(|rest| !rest.chars().any(char::is_whitespace))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in blocks {
        if v.is_null() {
            continue;
        }
        if valid(&k, v.clone(), &env_key, &mut errors).is_some() {
            res.insert(k, v);
        }
    }
    if errors.is_empty() {
        Ok(res)
    } else {
        Err(Failure {
            message: errors.join("; "),
            whole_file: true,
        })
    }
}

/// `Config._valid`: the value PM2 keeps for `name`, or `None` (with an error pushed) when it
/// fails the schema.
fn valid(name: &str, value: Value, key: &Key, errors: &mut Vec<String>) -> Option<Value> {
    let types = key.types;
    let mut value = value;
    let mut tag = js::type_tag(&value);
    if tag != "Boolean" && types.contains(&T::Number) && js::to_number(&value).is_some() {
        value = js::number(js::parse_float(&value).unwrap_or(f64::NAN));
        tag = "Number";
    }
    if !types.iter().any(|t| t.tag() == tag) {
        let expected: Vec<String> = types
            .iter()
            .map(|t| format!("[object {}]", t.tag()))
            .collect();
        errors.push(format!(
            "Expect \"{name}\" to be a typeof {}, but now is [object {tag}]",
            expected.join(" / ")
        ));
        return None;
    }
    if let (Value::String(s), Some(p)) = (&value, key.regex)
        && !p.matches(s)
    {
        errors.push(format!(
            "Verify \"{name}\" with regex failed, {}",
            description(name).unwrap_or_else(|| format!("should match {}", p.source()))
        ));
        return None;
    }
    if let Value::Number(n) = &value {
        let f = n.as_f64().unwrap_or(f64::NAN);
        if let Some(max) = key.max
            && f > max
        {
            errors.push(format!(
                "The maximum of \"{name}\" is {}, but now is {}",
                js::number_to_string(max),
                js::number_to_string(f)
            ));
            return None;
        }
        if let Some(min) = key.min
            && f < min
        {
            errors.push(format!(
                "The minimum of \"{name}\" is {}, but now is {}",
                js::number_to_string(min),
                js::number_to_string(f)
            ));
            return None;
        }
    }
    if types.len() > 1
        && types[0] == T::Array
        && let Value::String(s) = &value
    {
        value = Value::Array(tokenize(s).into_iter().map(Value::String).collect());
    }
    if let (Some(ext), Value::String(s)) = (key.ext, &value)
        && s.chars().count() >= 2
        && let Some(unit) = s.chars().last()
    {
        let head: String = s.chars().take(s.chars().count() - 1).collect();
        let f = js::parse_float(&Value::String(head))
            .zip(ext.factor(unit))
            .map_or(f64::NAN, |(n, f)| n * f);
        value = js::number(f);
    }
    Some(value)
}

fn description(name: &str) -> Option<String> {
    match name {
        "max_memory_restart" => Some("it should be a NUMBER - byte, \"[NUMBER]G\"(Gigabyte), \"[NUMBER]M\"(Megabyte) or \"[NUMBER]K\"(Kilobyte)".into()),
        "min_uptime" => Some("it should be a NUMBER - milliseconds, \"[NUMBER]h\"(hours), \"[NUMBER]m\"(minutes) or \"[NUMBER]s\"(seconds)".into()),
        "exec_mode" => Some("it should be \"cluster\"(\"cluster_mode\") or \"fork\"(\"fork_mode\") only".into()),
        _ => None,
    }
}

/// PM2's `args` string tokenizer (also for `node_args`, `ignore_watch`, `watch`): tokens are
/// `key="…"`, `key='…'`, `"…"`, `'…'` or a run of non-space characters; a token wrapped in
/// matching quotes loses them; empty tokens go. No escapes, no variables, no globbing: this is
/// not a shell.
#[must_use]
pub fn tokenize(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let ws = |c: char| c.is_whitespace();
    while i < chars.len() {
        if ws(chars[i]) {
            i += 1;
            continue;
        }
        let token_end = quoted_assignment(&chars, i)
            .or_else(|| quoted(&chars, i))
            .unwrap_or_else(|| {
                let mut j = i;
                while j < chars.len() && !ws(chars[j]) {
                    j += 1;
                }
                j
            });
        let token: String = chars[i..token_end].iter().collect();
        i = token_end;
        let stripped = match token.chars().next() {
            Some(q @ ('"' | '\'')) if token.len() >= 2 && token.ends_with(q) => {
                token[1..token.len() - 1].to_string()
            }
            _ => token,
        };
        if !stripped.trim().is_empty() {
            out.push(stripped);
        }
    }
    out
}

/// `[^\s"'=]+="[^"]*"` or `[^\s"'=]+='[^']*'` at `i`: the end of the match.
fn quoted_assignment(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    while j < chars.len() && !chars[j].is_whitespace() && !matches!(chars[j], '"' | '\'' | '=') {
        j += 1;
    }
    if j == i || chars.get(j) != Some(&'=') {
        return None;
    }
    let q = *chars.get(j + 1)?;
    if q != '"' && q != '\'' {
        return None;
    }
    let close = chars[j + 2..].iter().position(|c| *c == q)?;
    Some(j + 2 + close + 1)
}

/// `"[^"]*"` or `'[^']*'` at `i`.
fn quoted(chars: &[char], i: usize) -> Option<usize> {
    let q = chars[i];
    if q != '"' && q != '\'' {
        return None;
    }
    let close = chars[i + 1..].iter().position(|c| *c == q)?;
    Some(i + 1 + close + 1)
}

/// The per-app steps of `API._startJson` before launching: `env.io`, the namespace,
/// `append_env_to_name`, the user name.
pub fn start_json(app: &mut Map<String, Value>, ctx: &Context<'_>) {
    if !js::truthy(app.get("env")) {
        app.insert("env".into(), Value::Object(Map::new()));
    }
    if let Some(io) = app.get("io").cloned()
        && let Some(Value::Object(env)) = app.get_mut("env")
    {
        env.insert("io".into(), io);
    }
    if !js::truthy(app.get("namespace")) {
        app.insert("namespace".into(), Value::String("default".into()));
    }
    if js::truthy(app.get("append_env_to_name"))
        && let Some(env) = &ctx.env_name
    {
        let name = app.get("name").map(js::to_string).unwrap_or_default();
        app.insert("name".into(), Value::String(format!("{name}-{env}")));
    }
    app.insert("username".into(), Value::String(ctx.username.clone()));
}

/// The value of `name` in `env`, the last one winning.
#[must_use]
pub fn env_value(env: &[(String, String)], name: &str) -> Option<String> {
    env.iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// Whether PM2's `isBinaryFile` calls the first 512 bytes binary: a NUL byte, or more than 10 %
/// of bytes outside text and UTF-8 sequences.
#[must_use]
pub fn is_binary(bytes: &[u8]) -> bool {
    let bytes = &bytes[..bytes.len().min(512)];
    if bytes.is_empty() || bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return false;
    }
    let mut suspicious = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == 0 {
            return true;
        }
        if (!(7..=14).contains(&b)) && !(32..=127).contains(&b) {
            let cont = |x: Option<&u8>| x.is_some_and(|c| (128..192).contains(c));
            if (194..224).contains(&b) && i + 1 < bytes.len() && cont(bytes.get(i + 1)) {
                i += 2;
                continue;
            }
            if (224..240).contains(&b)
                && i + 2 < bytes.len()
                && cont(bytes.get(i + 1))
                && cont(bytes.get(i + 2))
            {
                i += 3;
                continue;
            }
            suspicious += 1;
            if i >= 32 && suspicious * 100 / bytes.len() > 10 {
                return true;
            }
        }
        i += 1;
    }
    suspicious * 100 / bytes.len() > 10
}

/// `Common.prepareAppConf` then `mergeEnvironmentVariables`: the object PM2 hands its daemon.
///
/// # Errors
/// No script, a script found neither against `cwd` nor on `PATH`, or an interpreter PM2 cannot
/// find (PM2's messages).
pub fn prepare(
    app: &Map<String, Value>,
    ctx: &mut Context<'_>,
) -> Result<Map<String, Value>, Failure> {
    let mut app = app.clone();
    if !js::truthy(app.get("script")) {
        return Err(fail("No script path - aborting"));
    }
    let mut cwd = None;
    if js::truthy(app.get("cwd")) {
        let c = app.get("cwd").map(js::to_string).unwrap_or_default();
        cwd = Some(paths::resolve(&ctx.cli_cwd, &c));
        // PM2 sets its own `PWD` to the raw option, for this app and the ones after it.
        ctx.cli_env.retain(|(k, _)| k != "PWD");
        ctx.cli_env.push(("PWD".to_string(), c));
    }
    let cli_env = ctx.cli_env.clone();
    if !js::truthy(app.get("node_args")) {
        app.insert("node_args".into(), Value::Array(Vec::new()));
    }
    if js::truthy(app.get("port"))
        && let Some(port) = app.get("port").cloned()
        && let Some(Value::Object(env)) = app.get_mut("env")
    {
        env.insert("PORT".into(), port);
    }
    let cwd = cwd.unwrap_or_else(|| ctx.cli_cwd.clone());
    if app.get("script") == Some(&Value::String("serve".into())) {
        app.insert(
            "script".into(),
            Value::String(format!("{}/lib/API/Serve.js", super::PM2_PACKAGE_DIR)),
        );
    }
    let script = app.get("script").map(js::to_string).unwrap_or_default();
    let mut exec_path = paths::resolve(&cwd, &script);
    if !ctx.host.exists(&exec_path) && !exec_path.starts_with(super::PM2_PACKAGE_DIR) {
        let path = env_value(&ctx.cli_env, "PATH").unwrap_or_default();
        match ctx.host.which(&script, &path) {
            Some(found) if !script.contains('/') => exec_path = found,
            _ => return Err(fail(format!("Script not found: {exec_path}"))),
        }
    }
    app.insert("pm_exec_path".into(), Value::String(exec_path.clone()));
    app.remove("script");

    let mut env = Map::new();
    let filter = app.get("filter_env").cloned();
    // `filter_env: true` filters nothing in PM2 7.0.4 (it tests `filter_env.length > 0`, which a
    // boolean lacks); a string deletes that one key from PM2's own environment, for this app
    // and the ones after it; an array keeps the keys containing none of its strings.
    let cli: Vec<(String, String)> = match &filter {
        Some(Value::String(s)) if !s.is_empty() => {
            ctx.cli_env.retain(|(k, _)| k != s);
            ctx.cli_env.clone()
        }
        Some(Value::Array(parts)) if !parts.is_empty() => {
            let parts: Vec<String> = parts.iter().map(js::to_string).collect();
            cli_env
                .iter()
                .filter(|(k, _)| !parts.iter().any(|p| k.contains(p.as_str())))
                .cloned()
                .collect()
        }
        _ => cli_env.clone(),
    };
    for (k, v) in cli {
        env.insert(k, Value::String(v));
    }
    if let Some(Value::Object(own)) = app.get("env") {
        for (k, v) in own {
            env.insert(k.clone(), v.clone());
        }
    }
    app.insert("env".into(), Value::Object(env));
    app.insert("pm_cwd".into(), Value::String(cwd.clone()));

    resolve_interpreter(&mut app, &exec_path, ctx)?;
    determine_exec_mode(&mut app);

    let name = app.get("name").map(js::to_string).unwrap_or_default();
    let formatted: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '\\' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    for (f, ext, std) in [
        ("log", "log", false),
        ("out", "log", true),
        ("error", "log", true),
        ("pid", "pid", false),
    ] {
        let key = format!("{f}_file");
        let af = app.get(&key).cloned();
        let af = match af {
            Some(Value::String(s)) if s.starts_with('~') => Some(Value::String(paths::normalize(
                &format!("{}/{}", ctx.home, &s[1..]),
            ))),
            other => other,
        };
        let target = format!(
            "pm_{}{ext}_path",
            if std {
                format!("{}_", &f[..3])
            } else {
                String::new()
            }
        );
        let null = matches!(&af, Some(Value::String(s)) if s == "NULL" || s == "/dev/null");
        let dir = if ext == "pid" { "pids" } else { "logs" };
        let resolved = if (f == "log" && af == Some(Value::Bool(true)))
            || (f != "log" && !js::truthy(af.as_ref()))
        {
            let file = format!(
                "{formatted}{}.{ext}",
                if std { format!("-{f}") } else { String::new() }
            );
            Some(format!("{}/{dir}/{file}", ctx.pm2_home))
        } else if (f != "log" || js::truthy(af.as_ref())) && !null {
            let p = af.as_ref().map(js::to_string).unwrap_or_default();
            Some(paths::resolve(&cwd, &p))
        } else {
            None
        };
        if null {
            app.insert(target, Value::String("/dev/null".into()));
        } else if let Some(p) = resolved {
            app.insert(target, Value::String(p));
        }
        app.remove(&key);
    }

    // API._startJson: PM2_HOME, then the module configuration named after the app (`pm2 set
    // NAME:key value`; none here, so `{}`), then `km_link` (not linked to PM2.io).
    if let Some(Value::Object(env)) = app.get_mut("env") {
        env.insert("PM2_HOME".into(), Value::String(ctx.pm2_home.clone()));
        env.insert(name.clone(), Value::String("{}".into()));
    }
    merge_environment(&mut app, ctx);
    app.insert("km_link".into(), Value::Bool(false));
    Ok(app)
}

/// `Common.sink.resolveInterpreter`: the interpreter from the extension (PM2's table), `python`
/// or else `python3`, `none` for a binary, PM2's own `node` otherwise; `PYTHONUNBUFFERED=1` for
/// Python.
fn resolve_interpreter(
    app: &mut Map<String, Value>,
    exec_path: &str,
    ctx: &Context<'_>,
) -> Result<(), Failure> {
    let path = env_value(&ctx.cli_env, "PATH").unwrap_or_default();
    let base = exec_path.rsplit('/').next().unwrap_or("");
    let ext = match base.rfind('.') {
        Some(dot) if dot > 0 => &base[dot..],
        _ => "",
    };
    let better = match ext {
        ".sh" => Some("bash"),
        ".py" => Some("python"),
        ".rb" => Some("ruby"),
        ".php" => Some("php"),
        ".pl" => Some("perl"),
        ".js" => Some("node"),
        ".coffee" => Some("coffee"),
        ".ls" => Some("lsc"),
        ".ts" | ".tsx" => Some("bun"),
        _ => None,
    };
    let given = app
        .get("exec_interpreter")
        .filter(|v| js::truthy(Some(v)))
        .map(js::to_string);
    // PM2 7.0.4: a `.ts` script without bun runs under node when that node strips types.
    let mut better = better;
    if given.is_none() && better == Some("bun") && ctx.host.which("bun", &path).is_none() {
        match type_stripping(super::eval::NODE_VERSION) {
            None => {
                return Err(fail(
                    "TypeScript apps require bun, Node.js >= 22.18 (native type stripping) or a custom interpreter (e.g. --interpreter ts-node)",
                ));
            }
            Some(flag) => {
                better = Some("node");
                if flag
                    && let Some(Value::Array(args)) = app.get_mut("node_args")
                    && !args.iter().any(|a| a == "--experimental-strip-types")
                {
                    args.push(Value::String("--experimental-strip-types".into()));
                }
            }
        }
    }
    let mut interpreter = match (given, better) {
        (Some(i), _) => i,
        (None, Some(b)) => {
            if b == "python"
                && ctx.host.which("python", &path).is_none()
                && ctx.host.which("python3", &path).is_some()
            {
                "python3".to_string()
            } else {
                b.to_string()
            }
        }
        (None, None) => {
            let bytes = ctx.host.read(exec_path).unwrap_or_default();
            if is_binary(&bytes) {
                "none".to_string()
            } else {
                ctx.node_path.clone()
            }
        }
    };
    let cluster = app
        .get("exec_mode")
        .map(js::to_string)
        .is_some_and(|m| m.contains("cluster"));
    if interpreter.contains("node@")
        && !cluster
        && let Some(nvm) = env_value(&ctx.cli_env, "NVM_DIR")
    {
        // `node@VERSION`: nvm's node (PM2 runs `nvm install VERSION` when it is missing).
        let version = interpreter.split('@').nth(1).unwrap_or("").to_string();
        interpreter = paths::normalize(&format!("{nvm}/versions/node/v{version}/bin/node"));
        if !ctx.host.exists(&interpreter) {
            return Err(fail(format!(
                "Node v{version} is not installed at {interpreter}: PM2 would run `nvm install {version}` first; install it on the host"
            )));
        }
    }
    if interpreter.contains("python")
        && let Some(Value::Object(env)) = app.get_mut("env")
    {
        env.insert("PYTHONUNBUFFERED".into(), Value::String("1".into()));
    }
    if interpreter != "none" && ctx.host.which(&interpreter, &path).is_none() {
        if interpreter == "node" {
            interpreter = ctx.node_path.clone();
        } else {
            return Err(fail(format!(
                "Interpreter {interpreter} is NOT AVAILABLE in PATH. (type 'which {interpreter}' to double check.)"
            )));
        }
    }
    app.insert("exec_interpreter".into(), Value::String(interpreter));
    Ok(())
}

/// Whether node `version` strips TypeScript types: `Some(false)` natively (22.18–22.x, ≥ 23.6),
/// `Some(true)` behind `--experimental-strip-types` (≥ 22.6), `None` not at all.
fn type_stripping(version: &str) -> Option<bool> {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let v = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    if ((22, 18, 0)..(23, 0, 0)).contains(&v) || v >= (23, 6, 0) {
        Some(false)
    } else if v >= (22, 6, 0) {
        Some(true)
    } else {
        None
    }
}

/// `Common.sink.determineExecMode`: cluster by default for node/bun with `instances` set,
/// fork otherwise; `instances` defaults to 1.
fn determine_exec_mode(app: &mut Map<String, Value>) {
    if let Some(Value::String(m)) = app.get("exec_mode") {
        let m = exec_mode_suffix(m);
        app.insert("exec_mode".into(), Value::String(m));
    }
    let interpreter = app
        .get("exec_interpreter")
        .map(js::to_string)
        .unwrap_or_default();
    let base = interpreter.rsplit('/').next().unwrap_or("");
    let instances = app.get("instances").and_then(Value::as_f64);
    let counted = instances.is_some_and(|n| n >= 1.0 || n == 0.0 || n == -1.0);
    if !js::truthy(app.get("exec_mode")) {
        let node = base.ends_with("node") || base.ends_with("bun");
        let mode = if counted && node {
            "cluster_mode"
        } else {
            "fork_mode"
        };
        app.insert("exec_mode".into(), Value::String(mode.into()));
    }
    if !app.contains_key("instances") {
        app.insert("instances".into(), Value::from(1));
    }
}

/// `Common.mergeEnvironmentVariables`: object values stringified as JSON; with `--env NAME`,
/// `deploy.NAME.env` then `env_NAME` assigned over the environment. PM2 assigns
/// `deploy.NAME.env` onto the app's environment object itself, so it overrides `env` (the
/// order PM2 7.0.4 really applies, whatever its comment says), and `env_NAME` overrides both.
pub fn merge_environment(app: &mut Map<String, Value>, ctx: &Context<'_>) {
    let mut env = match app.get("env") {
        Some(Value::Object(e)) => e.clone(),
        _ => Map::new(),
    };
    for v in env.values_mut() {
        if v.is_object() || v.is_array() || v.is_null() {
            *v = Value::String(v.to_string());
        }
    }
    if let Some(name) = &ctx.env_name {
        if let Some(Value::Object(deploy_env)) = ctx
            .deploy
            .as_ref()
            .and_then(|d| d.get(name))
            .and_then(|d| d.get("env"))
        {
            for (k, v) in deploy_env {
                env.insert(k.clone(), v.clone());
            }
        }
        if let Some(Value::Object(block)) = app.get(&format!("env_{name}")) {
            for (k, v) in block {
                env.insert(k.clone(), v.clone());
            }
        }
    }
    app.insert("env".into(), Value::Object(env));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokenizer_is_pm2s() {
        assert_eq!(
            tokenize(r#"--port 3000 --name="my app" 'a b' "c d" e'f"#),
            ["--port", "3000", "--name=\"my app\"", "a b", "c d", "e'f"]
        );
        assert_eq!(
            tokenize(r#"-H 127.0.0.1 x='1 2'"#),
            ["-H", "127.0.0.1", "x='1 2'"]
        );
        assert_eq!(tokenize("  "), Vec::<String>::new());
        assert_eq!(tokenize(r#"a\ b "unclosed"#), ["a\\", "b", "\"unclosed"]);
        assert_eq!(tokenize("''"), Vec::<String>::new());
        // Checked against PM2's regular expression in Node 20.
        assert_eq!(tokenize(r#"a="b c"d e"#), ["a=\"b c\"", "d", "e"]);
        assert_eq!(tokenize(r#""a"b'c' d"#), ["a", "b'c'", "d"]);
        assert_eq!(tokenize("x=='1'"), ["x=='1'"]);
        assert_eq!(tokenize(r#"=a="b" c"#), ["=a=\"b\"", "c"]);
        assert_eq!(tokenize("'a' 'b'c"), ["a", "b", "c"]);
        assert_eq!(tokenize(r#"--opt="" z"#), ["--opt=\"\"", "z"]);
        assert_eq!(tokenize("a'b c'd"), ["a'b", "c'd"]);
        assert_eq!(tokenize("tab\tsep\nnl"), ["tab", "sep", "nl"]);
    }

    fn validated(app: serde_json::Value) -> Result<Map<String, Value>, Failure> {
        validate(app.as_object().unwrap())
    }

    #[test]
    fn units_and_numbers() {
        let v = validated(
            json!({"script": "a.js", "max_memory_restart": "300M", "min_uptime": "5s",
            "restart_delay": "2000", "instances": "2", "kill_timeout": 3000}),
        )
        .unwrap();
        assert_eq!(v["max_memory_restart"], json!(314_572_800));
        assert_eq!(v["min_uptime"], json!(5000));
        assert_eq!(v["restart_delay"], json!(2000));
        assert_eq!(v["kill_timeout"], json!(3000));
        let v =
            validated(json!({"script": "a.js", "max_memory_restart": "1G", "min_uptime": "2m"}))
                .unwrap();
        assert_eq!(v["max_memory_restart"], json!(1_073_741_824));
        assert_eq!(v["min_uptime"], json!(120_000));
        let e = validated(json!({"script": "a.js", "max_memory_restart": "1.5G"})).unwrap_err();
        assert!(
            e.whole_file && e.message.contains("max_memory_restart"),
            "{e:?}"
        );
        let e = validated(json!({"script": "a.js", "min_uptime": 50})).unwrap_err();
        assert!(
            e.message.contains("minimum of \"min_uptime\" is 100"),
            "{e:?}"
        );
    }

    #[test]
    fn aliases_and_falsy_values() {
        let v = validated(json!({"exec": "a.js", "interpreter": "python3", "interpreterArgs": "-u -X dev",
            "out": "o.log", "err": "e.log", "cron": "0 3 * * *", "user": "app", "combine_logs": true})).unwrap();
        assert_eq!(v["script"], json!("a.js"));
        assert_eq!(v["exec_interpreter"], json!("python3"));
        assert_eq!(v["node_args"], json!(["-u", "-X", "dev"]));
        assert_eq!(v["out_file"], json!("o.log"));
        assert_eq!(v["error_file"], json!("e.log"));
        assert_eq!(v["cron_restart"], json!("0 3 * * *"));
        assert_eq!(v["uid"], json!("app"));
        assert_eq!(v["merge_logs"], json!(true));
        // A falsy value of a key with a distinct alias is replaced by the (absent) alias.
        let v = validated(json!({"script": "a.js", "kill_timeout": 0, "autorestart": false,
            "stopExitCodes": [0], "unknown_key": 1, "NODE_ENV": "production", "env_production": {"A": "1"}})).unwrap();
        assert!(!v.contains_key("kill_timeout"));
        assert_eq!(v["autorestart"], json!(false));
        assert_eq!(v["stop_exit_codes"], json!(0));
        assert!(!v.contains_key("unknown_key") && !v.contains_key("NODE_ENV"));
        assert_eq!(v["env_production"], json!({"A": "1"}));
        assert_eq!(v["vizion"], json!(true));
        assert_eq!(v["instance_var"], json!("NODE_APP_INSTANCE"));
        assert_eq!(v["kill_retry_time"], json!(100));
        let e = validated(json!({"script": "a.js", "args": 5})).unwrap_err();
        assert_eq!(
            e.message,
            "Expect \"args\" to be a typeof [object Array] / [object String], but now is [object Number]"
        );
    }

    #[test]
    fn env_merge_order_as_pm2_applies_it() {
        let host = crate::host::Host::real();
        let ctx = |env_name: Option<&str>| Context {
            host: &host,
            cli_cwd: "/srv".into(),
            cli_env: Vec::new(),
            env_name: env_name.map(str::to_string),
            deploy: Some(
                json!({"production": {"env": {"A": "deploy", "B": "deploy", "C": "deploy"}}}),
            ),
            pm2_home: "/root/.pm2".into(),
            home: "/root".into(),
            username: "root".into(),
            node_path: "/usr/bin/node".into(),
        };
        let app = json!({"env": {"A": "env", "B": "env", "D": {"x": 1}, "E": null, "F": 3},
                         "env_production": {"A": "production"}});
        let mut a = app.as_object().unwrap().clone();
        merge_environment(&mut a, &ctx(Some("production")));
        // CLI < env < deploy.NAME.env < env_NAME; objects and null as JSON; numbers kept.
        assert_eq!(
            a["env"],
            json!({"A": "production", "B": "deploy", "D": "{\"x\":1}", "E": "null", "F": 3, "C": "deploy"})
        );
        let mut a = app.as_object().unwrap().clone();
        merge_environment(&mut a, &ctx(None));
        assert_eq!(
            a["env"],
            json!({"A": "env", "B": "env", "D": "{\"x\":1}", "E": "null", "F": 3})
        );
    }

    #[test]
    fn binary_detection() {
        assert!(is_binary(b"\x7fELF\x02\x01\x01\0\0\0"));
        assert!(!is_binary(
            b"#!/usr/bin/env node\nconsole.log('h\xc3\xa9')\n"
        ));
    }
}
