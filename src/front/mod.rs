//! Frontends: each reads one legacy format and lowers it into [`crate::ir::Item`]s.
//!
//! [`detect`] decides the format of a file from its name and content when `--from auto`;
//! [`parse`] dispatches to the frontend.

pub mod cron;
pub mod pm2;
pub mod supervisord;
pub mod sysv;

use crate::finding::{Code, Finding};
use crate::host::Host;
use crate::ir::{Body, Command, Definition, Format, Item, Origin, WordPart};

/// The `--from` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum From {
    #[default]
    Auto,
    Only(Format),
}

/// Options of every frontend.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub from: From,
    pub cron: cron::Options,
    pub supervisord: supervisord::Options,
    pub pm2: pm2::Options,
}

/// One input: how to name it in the report, its path on the host (none for standard input),
/// and its bytes or the reason they could not be read.
#[derive(Debug, Clone)]
pub struct Input {
    pub display: String,
    pub host_path: Option<String>,
    pub data: Result<Vec<u8>, String>,
}

const TEMPLATE_SUFFIXES: [&str; 4] = [".j2", ".erb", ".ejs", ".tpl"];

fn file_name(path: Option<&str>) -> &str {
    path.and_then(|p| p.rsplit('/').next()).unwrap_or("")
}

/// Whether an input is, by its name, a configuration that reads other files with it
/// (supervisord's main configuration `supervisord.conf` and its `[include]`s): one input that may
/// hold many items at once.
#[must_use]
pub fn reads_includes(host_path: Option<&str>) -> bool {
    file_name(host_path) == "supervisord.conf"
}

/// The format of a file, from its path (`/etc/crontab`, `cron.d/`, spools, `anacrontab`) and
/// otherwise from its lines. `None` when it cannot be classified.
#[must_use]
pub fn detect(host_path: Option<&str>, text: &str) -> Option<Format> {
    let name = file_name(host_path);
    let dir = host_path
        .and_then(|p| p.rsplit_once('/'))
        .map_or("", |(d, _)| d);
    if name == "anacrontab" {
        return Some(Format::Anacron);
    }
    if name == "crontab" || dir.ends_with("cron.d") || dir.contains("/var/spool/cron") {
        return Some(Format::Cron);
    }
    if dir.ends_with("init.d") {
        return Some(Format::Sysv);
    }
    if name == "dump.pm2"
        || name.starts_with("ecosystem.")
        || name.ends_with(".pm2")
        || matches!(
            name,
            "process.yml"
                | "process.yaml"
                | "process.json"
                | "pm2.json"
                | "pm2.yml"
                | "pm2.config.js"
        )
    {
        return Some(Format::Pm2);
    }
    if name == "supervisord.conf"
        || dir.ends_with("/supervisor/conf.d")
        || dir.ends_with("/supervisord.d")
    {
        return Some(Format::Supervisord);
    }
    if supervisord::has_section_header(text) {
        return Some(Format::Supervisord);
    }
    if text.starts_with("#!")
        && (text.contains("### BEGIN INIT INFO")
            || text.contains("\n# chkconfig:")
            || text
                .lines()
                .next()
                .is_some_and(|l| l.contains("init-d-script")))
    {
        return Some(Format::Sysv);
    }
    looks_like_crontab(text).then_some(Format::Cron)
}

/// Whether every meaningful line is a cron job or an assignment, and there is at least one job.
fn looks_like_crontab(text: &str) -> bool {
    let mut jobs = 0;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if cron::schedule::parse_job(t, cron::schedule::Dialect::Cronie).is_ok() {
            jobs += 1;
        } else if cron::env_assignment(t).is_none() {
            return false;
        }
    }
    jobs > 0
}

/// Whether `text`/`path` look like a template of a configuration rather than the configuration.
fn is_template(path: Option<&str>, text: &str) -> bool {
    TEMPLATE_SUFFIXES
        .iter()
        .any(|s| file_name(path).ends_with(s))
        || ["{{", "{%", "<%"].iter().any(|m| text.contains(m))
}

/// An error item for a whole input; `format` is `None` when it was never decided.
fn file_error(input: &Input, format: Option<Format>, message: String, template: bool) -> Item {
    let name = match file_name(input.host_path.as_deref()) {
        "" => input.display.clone(),
        n => n.to_string(),
    };
    let origin = Origin {
        format,
        file: input.display.clone(),
        line: None,
    };
    let mut item = Item::error(origin, name, None, message);
    if template {
        item.findings.push(Finding::dropped(
            Code::TemplateInput,
            "this is a template (Jinja, ERB, EJS …), not a configuration",
            "render the template with the values of the host first, then convert the result",
        ));
    }
    item
}

/// Reads the inputs of one run with their frontends. A periodic directory that a line of
/// another input runs becomes that line's item ([`cron::periodic::merge`]); then, with
/// `--periodic per-script`, every item running a periodic directory is split into one item per
/// script.
#[must_use]
pub fn parse_all(inputs: &[&Input], host: &Host, options: &Options) -> Vec<Item> {
    let parsed = inputs
        .iter()
        .map(|input| parse_input(input, host, options))
        .collect();
    finish(parsed, host, options)
}

/// One input of a run read with its frontend, on its own (inputs may be parsed in any order,
/// on any thread): the periodic directory it is, if it is one, and its items. [`finish`] then
/// joins the inputs of the run, in their order.
#[must_use]
pub fn parse_input(input: &Input, host: &Host, options: &Options) -> Parsed {
    let dir = periodic_directory(input, host).map(str::to_string);
    (dir, parse_entries(input, host, options))
}

/// What [`parse_input`] gives for one input.
pub type Parsed = (Option<String>, Vec<Item>);

/// The items of a run from its inputs' [`parse_input`] results, in input order: periodic
/// directories merged into the lines that run them, then split per script with
/// `--periodic per-script`.
#[must_use]
pub fn finish(parsed: Vec<Parsed>, host: &Host, options: &Options) -> Vec<Item> {
    let tagged = parsed.into_iter().map(|p| ((), p)).collect();
    finish_tagged(tagged, host, options)
        .into_iter()
        .map(|((), item)| item)
        .collect()
}

/// [`finish`] of inputs each with a tag (its place in the run), which every item keeps. An
/// input that is no periodic directory and none of whose items runs one comes out as it went
/// in ([`needs_finish`] is false for it).
#[must_use]
pub fn finish_tagged<T: Copy>(
    parsed: Vec<(T, Parsed)>,
    host: &Host,
    options: &Options,
) -> Vec<(T, Item)> {
    let parsed = parsed
        .into_iter()
        .map(|(tag, (dir, items))| (tag, dir, items))
        .collect();
    let items = cron::periodic::merge_tagged(parsed, options.cron.lone_directory);
    if options.cron.periodic != cron::Periodic::PerScript {
        return items;
    }
    items
        .into_iter()
        .flat_map(|(tag, item)| match cron::periodic_of(&item) {
            Some(dir) => cron::periodic::per_script(item, &dir, host)
                .into_iter()
                .map(|i| (tag, i))
                .collect(),
            None => vec![(tag, item)],
        })
        .collect()
}

/// Whether [`finish`] may change what [`parse_input`] gave for an input: it is a periodic
/// directory, or one of its items runs one. When not, its items are final as parsed.
#[must_use]
pub fn needs_finish(parsed: &Parsed) -> bool {
    parsed.0.is_some() || parsed.1.iter().any(|i| cron::periodic_of(i).is_some())
}

/// Reads one input with its frontend. Errors in single entries become error items; the other
/// entries of the file are still converted.
#[must_use]
pub fn parse(input: &Input, host: &Host, options: &Options) -> Vec<Item> {
    parse_all(&[input], host, options)
}

/// The host path of an input that is one of the periodic directories on the host.
fn periodic_directory<'a>(input: &'a Input, host: &Host) -> Option<&'a str> {
    let path = input.host_path.as_deref()?;
    (cron::periodic::is_periodic_dir(path) && is_directory(input, path, host)).then_some(path)
}

/// Whether the input at `path` is a directory: never one whose bytes were read (no system
/// call then), else what the host says.
fn is_directory(input: &Input, path: &str, host: &Host) -> bool {
    input.data.is_err() && host.local(path).is_dir()
}

/// An input that is a directory: a periodic one is read by the cron frontend, any other is an
/// error that says what to name instead.
fn directory(input: &Input, path: &str, host: &Host, options: &Options) -> Vec<Item> {
    if periodic_directory(input, host).is_some() {
        if let From::Only(f) = options.from
            && f != Format::Cron
        {
            return vec![file_error(
                input,
                Some(f),
                format!(
                    "a periodic directory is read as cron input, not as {}: convert it with --from cron or --from auto",
                    f.as_str()
                ),
                false,
            )];
        }
        return cron::periodic::directory(&input.display, path, host, &options.cron);
    }
    let path = path.trim_end_matches('/');
    let mut message = format!("this is a directory, not a file: name the files in it ({path}/*)");
    let copy = path.rsplit_once("/etc/cron.").filter(|(mount, name)| {
        !mount.is_empty() && cron::periodic::is_periodic_dir(&format!("/etc/cron.{name}"))
    });
    if host.root().is_some() {
        message.push_str(
            ", written inside the --root directory so that the shell expands the glob in the copy",
        );
    } else if let Some((mount, _)) = copy {
        message.push_str(&format!(
            "; if {mount} is a copy of a host, convert its periodic directory with --root {mount}"
        ));
    } else {
        message.push_str(", or one of the periodic directories /etc/cron.hourly, /etc/cron.daily, /etc/cron.weekly, /etc/cron.monthly, /etc/cron.yearly");
    }
    vec![file_error(input, options_format(options), message, false)]
}

/// The format an input's errors name before its content decided one: `--from`'s, or none
/// under `--from auto`.
fn options_format(options: &Options) -> Option<Format> {
    match options.from {
        From::Only(f) => Some(f),
        From::Auto => None,
    }
}

/// One input's items, before periodic directories are merged or split.
fn parse_entries(input: &Input, host: &Host, options: &Options) -> Vec<Item> {
    if let Some(path) = input.host_path.as_deref()
        && is_directory(input, path, host)
    {
        return directory(input, path, host, options);
    }
    let fallback = options_format(options);
    let bytes = match &input.data {
        Ok(b) => b,
        Err(e) => return vec![file_error(input, fallback, e.clone(), false)],
    };
    if bytes.contains(&0) {
        return vec![file_error(
            input,
            fallback,
            "this is a binary file, not a text configuration".to_string(),
            false,
        )];
    }
    // The same text as `from_utf8_lossy`; valid UTF-8 (nearly every input) is checked by the
    // faster validator and borrowed.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    let path = input.host_path.as_deref();
    if TEMPLATE_SUFFIXES
        .iter()
        .any(|s| file_name(path).ends_with(s))
    {
        return vec![file_error(
            input,
            fallback,
            "template files are not converted".to_string(),
            true,
        )];
    }
    let format = match options.from {
        From::Only(f) => f,
        From::Auto => match detect(path, &text) {
            Some(f) => f,
            None if is_template(path, &text) => {
                return vec![file_error(
                    input,
                    fallback,
                    "template files are not converted".to_string(),
                    true,
                )];
            }
            None => {
                return vec![file_error(
                    input,
                    fallback,
                    "cannot tell what kind of file this is; name it with --from cron|anacron|pm2|supervisord|sysv".to_string(),
                    false,
                )];
            }
        },
    };
    let items = match format {
        Format::Cron => cron::parse_crontab(&input.display, path, &text, host, &options.cron),
        Format::Anacron => {
            cron::anacron::parse_anacrontab(&input.display, &text, host, &options.cron)
        }
        Format::Sysv => sysv::parse_init_script(&input.display, path, &text, host),
        Format::Supervisord => {
            supervisord::parse_config(&input.display, path, &text, host, &options.supervisord)
        }
        Format::Pm2 => pm2::map::items(&input.display, path, &text, host, &options.pm2),
    };
    let failed = items.iter().any(|i| matches!(i.body, Body::Error(_)));
    if failed && is_template(path, &text) {
        return vec![file_error(
            input,
            Some(format),
            "template files are not converted".to_string(),
            true,
        )];
    }
    let mut items = items;
    if is_template(None, &text) {
        for item in &mut items {
            if let Body::Unit(def) = &item.body {
                // The item's own line as written (cron's `%` rule may have cut a tag apart),
                // then every value the unit got, from that line or from the lines before it.
                let own_line = item
                    .origin
                    .line
                    .and_then(|l| (l as usize).checked_sub(1))
                    .and_then(|i| text.split('\n').nth(i))
                    .map(str::to_string);
                let mut found = find_placeholders(own_line.iter());
                for p in find_placeholders(values(def).iter()) {
                    if !found.contains(&p) {
                        found.push(p);
                    }
                }
                if !found.is_empty() {
                    item.findings.push(placeholder_finding(&found));
                }
            }
        }
    }
    items
}

/// A definition's values, where template placeholders may hide: commands, user, group,
/// directories, environment, files, standard input, mail addresses.
fn values(def: &Definition) -> Vec<String> {
    let service = &def.service;
    let exec = &service.exec;
    let mut texts: Vec<String> = Vec::new();
    let mut command = |c: &Command| match c {
        Command::Argv(argv) => texts.extend(argv.iter().cloned()),
        Command::Named { program, argv } => {
            texts.push(program.clone());
            texts.extend(argv.iter().cloned());
        }
        Command::Shell { shell, script } => texts.extend([shell.clone(), script.clone()]),
        Command::Restart(_) => {}
        Command::Expand {
            program,
            argv0,
            args,
        } => {
            texts.push(program.clone());
            texts.extend(argv0.iter().cloned());
            for word in args {
                match word {
                    crate::ir::Word::Parts(parts) => texts.extend(parts.iter().map(|p| match p {
                        WordPart::Text(t) | WordPart::Var(t) => t.clone(),
                        WordPart::Instance | WordPart::InstanceName => String::new(),
                    })),
                    crate::ir::Word::Split(name) => texts.push(name.clone()),
                }
            }
        }
    };
    command(&service.command);
    service.pre.iter().for_each(&mut command);
    service.reload.iter().for_each(&mut command);
    if let Some(stop) = &service.stop.command {
        command(stop);
    }
    texts.extend(exec.user.iter().chain(&exec.group).cloned());
    if let Some(crate::ir::WorkingDir::Path(p)) = &exec.working_dir {
        texts.push(p.clone());
    }
    texts.extend(
        exec.environment
            .iter()
            .map(|v| format!("{}={}", v.name, v.value)),
    );
    texts.extend(exec.environment_files.iter().map(|f| match &f.path {
        crate::ir::EnvFilePath::Fixed(p) => p.clone(),
        crate::ir::EnvFilePath::PerInstance { before, after } => format!("{before}{after}"),
    }));
    if let crate::ir::Stdin::Data(data) = &exec.stdin {
        texts.push(String::from_utf8_lossy(data).into_owned());
    }
    if let Some(mail) = &service.mail {
        texts.extend(std::iter::once(mail.to.clone()).chain(mail.from.clone()));
    }
    texts
}

/// The template placeholders (`{{ … }}`, `{% … %}`, `<% … %>`) in `texts`, each once, in order
/// of appearance; an unclosed one is cut after 40 bytes.
fn find_placeholders<'a>(texts: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for text in texts {
        let mut rest = text.as_str();
        while let Some((start, close)) = [("{{", "}}"), ("{%", "%}"), ("<%", "%>")]
            .iter()
            .filter_map(|(open, close)| rest.find(open).map(|at| (at, *close)))
            .min()
        {
            let from = &rest[start..];
            let len = from[2..]
                .find(close)
                .map_or(from.len().min(40), |end| end + 2 + close.len());
            let len = (0..=len)
                .rev()
                .find(|l| from.is_char_boundary(*l))
                .unwrap_or(0);
            let snippet = from[..len].to_string();
            if !found.contains(&snippet) {
                found.push(snippet);
            }
            rest = &from[len.max(2)..];
        }
    }
    found
}

fn placeholder_finding(found: &[String]) -> Finding {
    let list: Vec<String> = found.iter().map(|p| format!("`{p}`")).collect();
    Finding::approximated(
        Code::TemplatePlaceholder,
        format!(
            "the file parses, but these values hold template placeholders, which the unit keeps as literal text: {}",
            list.join(", ")
        ),
        "render the template with the host's values first and convert the result, or replace the placeholders in the unit by hand",
    )
}
