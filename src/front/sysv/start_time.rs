//! Values an init script computes when it starts the daemon, with commands that only read the
//! system (`-P $(ip route show to exact 0/0 | awk '{print $3}')`, an owner read from the
//! daemon's configuration with `grep | sed`): the unit computes them at each start too, by
//! running the command line through `/bin/sh -c`, as the packages' own units do
//! (`ExecStart=/bin/sh -c "exec /usr/sbin/oidentd … \`ip route …\`"`).

use super::shell::{Arg, Interp, Part};

/// Programs whose output a start may compute at each start: they only read (files, the
/// routing table, the user database) and print.
const READERS: &[&str] = &[
    "ip",
    "awk",
    "sed",
    "grep",
    "egrep",
    "fgrep",
    "cut",
    "head",
    "tail",
    "tr",
    "sort",
    "uniq",
    "hostname",
    "cat",
    "id",
    "uname",
    "basename",
    "dirname",
    "printf",
    "echo",
    "getent",
    "wc",
    "readlink",
    "dpkg-statoverride",
];

/// The shell text of a command substitution (`$(…)` or `` `…` ``) whose commands are all
/// [`READERS`] (a pipeline or `&&`/`||` list of them, standard error to `/dev/null` allowed,
/// `dpkg-statoverride` only with `--list`), with the script's own variables it reads given as
/// assignments before it. `None` for anything else: a shell function, a program that changes
/// something, a redirection to a file, a variable only a run knows.
///
/// Variables the unit's environment file gives stay references: `sh` reads them from the
/// environment systemd gives it.
pub fn reader_substitution(
    text: &str,
    interp: &Interp,
    assignments: &mut Vec<(String, String)>,
) -> Option<String> {
    let inner = text
        .strip_prefix("$(")
        .and_then(|t| t.strip_suffix(')'))
        .or_else(|| text.strip_prefix('`').and_then(|t| t.strip_suffix('`')))?;
    if inner.contains('`') || inner.contains("$(") || inner.contains('>') && !only_null(inner) {
        return None;
    }
    let program = super::shell::parse(inner).ok()?;
    let [list] = program.complete_commands.as_slice() else {
        return None;
    };
    for item in &list.0 {
        let ao = &item.0;
        let pipelines = std::iter::once(&ao.first).chain(ao.additional.iter().map(|a| match a {
            brush_parser::ast::AndOr::And(p) | brush_parser::ast::AndOr::Or(p) => p,
        }));
        for p in pipelines {
            for c in &p.seq {
                let brush_parser::ast::Command::Simple(sc) = c else {
                    return None;
                };
                if sc.prefix.is_some() {
                    return None;
                }
                let mut words = vec![super::shell::unquote(&sc.word_or_name.as_ref()?.value)];
                words.extend(
                    sc.suffix
                        .iter()
                        .flat_map(|x| x.0.iter())
                        .filter_map(|i| match i {
                            brush_parser::ast::CommandPrefixOrSuffixItem::Word(w) => {
                                Some(super::shell::unquote(&w.value))
                            }
                            _ => None,
                        }),
                );
                if !reads_only(&words) || interp.function_of(&words[0]).is_some() {
                    return None;
                }
            }
        }
    }
    // The script's variables it reads: their values on this host, given to `sh` first.
    for v in referenced_outside_single_quotes(inner) {
        let b = interp.env.get(v.as_str())?;
        if b.uncertain {
            return None;
        }
        if b.overridable {
            continue;
        }
        let value = interp.value(&v)?;
        if !assignments.iter().any(|(n, _)| *n == v) {
            assignments.push((v, value));
        }
    }
    Some(format!("$({})", inner.trim()))
}

/// Whether the command `words` (the program first) only reads and prints: one of [`READERS`],
/// `ip` only to show (`ip route show …`), `sed` without `-i`, `sort` without `-o`,
/// `dpkg-statoverride` only with `--list`.
#[must_use]
pub fn reads_only(words: &[String]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    let name = first.rsplit('/').next().unwrap_or(first);
    let has = |w: &str| words[1..].iter().any(|x| x == w);
    let starts = |p: &str| words[1..].iter().any(|x| x.starts_with(p));
    READERS.contains(&name)
        && match name {
            "ip" => {
                ["show", "list", "ls", "get"].iter().any(|w| has(w))
                    && ![
                        "add", "del", "delete", "change", "replace", "flush", "set", "append",
                    ]
                    .iter()
                    .any(|w| has(w))
            }
            "sed" => {
                !starts("-i")
                    && !starts("--in-place")
                    && !words[1..]
                        .iter()
                        .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('i'))
            }
            "sort" => !starts("-o") && !starts("--output"),
            "dpkg-statoverride" => has("--list"),
            _ => true,
        }
}

/// Whether every `>` of `text` sends standard error to `/dev/null` (`2>/dev/null`).
fn only_null(text: &str) -> bool {
    text.match_indices('>')
        .all(|(at, _)| text[..at].ends_with('2') && text[at + 1..].starts_with("/dev/null"))
}

/// `$NAME`/`${NAME}` references of shell text outside single quotes (awk's `'{print $3}'` is
/// not the shell's).
fn referenced_outside_single_quotes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut single = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\'' => single = !single,
            '$' if !single => {
                let mut j = i + 1;
                if chars.get(j) == Some(&'{') {
                    j += 1;
                }
                let start = j;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                if j > start && !chars[start].is_ascii_digit() {
                    out.push(chars[start..j].iter().collect());
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `s` as one shell word.
#[must_use]
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:=,+@%".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The shell text of one argument: literal text quoted, a variable of the environment file as
/// `"${NAME}"` (unquoted `$NAME` when the script split it), a reader substitution as written
/// (unquoted when it is the whole argument, so its output is split as the script split it).
/// `None` when a part is not a reader substitution.
pub fn shell_word(
    arg: &Arg,
    interp: &Interp,
    assignments: &mut Vec<(String, String)>,
) -> Option<String> {
    match arg {
        Arg::Split(v) => Some(format!("${{{v}}}")),
        Arg::Field(parts) => {
            if let [Part::Unknown(u)] = parts.as_slice() {
                return reader_substitution(u, interp, assignments);
            }
            if let Some(text) = arg.literal() {
                return Some(quote(&text));
            }
            let mut out = String::from("\"");
            for p in parts {
                match p {
                    Part::Lit(s) => {
                        for c in s.chars() {
                            if matches!(c, '"' | '\\' | '$' | '`') {
                                out.push('\\');
                            }
                            out.push(c);
                        }
                    }
                    Part::Var(v) => out.push_str(&format!("${{{v}}}")),
                    Part::Unknown(u) => out.push_str(&reader_substitution(u, interp, assignments)?),
                }
            }
            out.push('"');
            Some(out)
        }
    }
}

/// The `sh -c` script that runs `program` with `args` whose values computed by reader
/// commands ([`reader_substitution`]) are computed at start: `NAME=value; exec PROGRAM ARGS`.
/// Also the substitutions, for the report. `None` when an argument holds anything else only a
/// run knows.
#[must_use]
pub fn start_script(program: &str, args: &[Arg], interp: &Interp) -> Option<(String, Vec<String>)> {
    // A per-configuration template's command line names its instance (`%I`), which only an
    // argument vector carries.
    if args.iter().any(|a| {
        matches!(a, Arg::Field(parts) if parts.iter().any(|p| matches!(p, Part::Lit(l) if l.contains(super::shell::INSTANCE))))
    }) {
        return None;
    }
    let mut assignments = Vec::new();
    let mut words = vec![quote(program)];
    let mut computed = Vec::new();
    for a in args {
        words.push(shell_word(a, interp, &mut assignments)?);
        if let Arg::Field(parts) = a {
            computed.extend(parts.iter().filter_map(|p| match p {
                Part::Unknown(u) => Some(u.clone()),
                _ => None,
            }));
        }
    }
    let mut script = String::new();
    for (n, v) in &assignments {
        script.push_str(&format!("{n}={}; ", quote(v)));
    }
    script.push_str("exec ");
    script.push_str(&words.join(" "));
    computed.dedup();
    Some((script, computed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Host;

    fn interp_with(script: &'static str) -> Interp<'static> {
        let host: &'static Host = Box::leak(Box::new(Host::at(std::path::Path::new(
            "/nonexistent-root",
        ))));
        let program: &'static brush_parser::ast::Program =
            Box::leak(Box::new(super::super::shell::parse(script).unwrap()));
        let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
        i.run_top(program);
        i
    }

    #[test]
    fn a_route_lookup_is_computed_at_start() {
        let i = interp_with("CONF=/etc/x.conf\n");
        let mut a = Vec::new();
        assert_eq!(
            reader_substitution(
                "`ip route show to exact 0/0 | awk '{print $3}'`",
                &i,
                &mut a
            )
            .as_deref(),
            Some("$(ip route show to exact 0/0 | awk '{print $3}')")
        );
        assert!(a.is_empty());
        assert_eq!(
            reader_substitution(
                "$(grep '^user' $CONF 2>/dev/null | cut -d= -f2)",
                &i,
                &mut a
            )
            .as_deref(),
            Some("$(grep '^user' $CONF 2>/dev/null | cut -d= -f2)")
        );
        assert_eq!(a, [("CONF".to_string(), "/etc/x.conf".to_string())]);
    }

    #[test]
    fn commands_that_change_something_or_unknown_values_are_not_computed_at_start() {
        let i = interp_with("f() { echo x; }\n");
        let mut a = Vec::new();
        assert!(reader_substitution("$(mktemp -d)", &i, &mut a).is_none());
        assert!(reader_substitution("$(f)", &i, &mut a).is_none());
        assert!(reader_substitution("$(cat $UNSET)", &i, &mut a).is_none());
        assert!(reader_substitution("$(ip route > /tmp/x)", &i, &mut a).is_none());
        assert!(reader_substitution("$(dpkg-statoverride --update /x)", &i, &mut a).is_none());
    }

    #[test]
    fn the_start_script_quotes_literals_and_keeps_references() {
        let i = interp_with("");
        let args = vec![
            Arg::Field(vec![Part::Lit("-P".into())]),
            Arg::Field(vec![Part::Unknown("`hostname -f`".into())]),
            Arg::Field(vec![Part::Lit("a b".into())]),
            Arg::Split("OPTS".into()),
        ];
        let (script, computed) = start_script("/usr/sbin/x", &args, &i).unwrap();
        assert_eq!(script, "exec /usr/sbin/x -P $(hostname -f) 'a b' ${OPTS}");
        assert_eq!(computed, ["`hostname -f`"]);
        // A template's instance is no shell text.
        let per_config = vec![
            Arg::Field(vec![Part::Lit(format!(
                "/etc/x/{}a.conf",
                super::super::shell::INSTANCE
            ))]),
            Arg::Field(vec![Part::Unknown("`hostname -f`".into())]),
        ];
        assert!(start_script("/usr/sbin/x", &per_config, &i).is_none());
    }
}
