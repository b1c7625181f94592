//! What a test of an exit status says: `cmd; if [ "$?" = 1 ]`, or `cmd; retval=$?; …
//! [ "$retval" = 0 ]` (the reading notes which command's status a test reads,
//! [`super::shell::Interp::status_tests`]).
//!
//! - [`comparison`]: `[ "$?" = N ]`, `[ $? -eq N ]`, `!=`, `-ne` (or the variable holding the
//!   status in place of `$?`): the number compared and whether it must be equal.
//! - [`needed_tests`]: the file tests that make a command's status compare as the start needs:
//!   a test command's own (`[ -f X ]`: 0 when it holds, 1 when not), or a shell function's read
//!   from its body when it holds only assignments of numbers or literal words, `local`, output
//!   (`echo`, `printf`, `log_*`), `if TEST; then V=N; [break;] fi` without `else`, `for X in
//!   WORDS` over literal words around such `if`s, and `return $V`/`return N` or a last `[ … ]`.
//!   One path through those tests must give the status: any other body, or several paths,
//!   gives nothing (the test stays undecided and is reported).

use super::shell::{Interp, referenced_vars};
use brush_parser::ast;
use std::collections::BTreeMap;

/// A test of an exit status against a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    pub number: i64,
    /// `=`, `==`, `-eq` (else `!=`, `-ne`).
    pub equal: bool,
}

/// The operands of a `test` command's words: `[ … ]` or `test …` without the command word
/// (and the closing `]`); `None` for any other command.
#[must_use]
pub fn test_operands(mut words: Vec<&str>) -> Option<Vec<&str>> {
    match words.first() {
        Some(&"[") if words.last() == Some(&"]") => {
            words.remove(0);
            words.pop();
        }
        Some(&"test") => {
            words.remove(0);
        }
        _ => return None,
    }
    Some(words)
}

/// `[ STATUS OP N ]` or `test STATUS OP N` (either side the status: `$?`, `"$?"` or one
/// variable), OP one of `=`, `==`, `-eq`, `!=`, `-ne`, N a number.
#[must_use]
pub fn comparison(test: &str) -> Option<Comparison> {
    let words = test_operands(test.split_whitespace().collect())?;
    let [left, op, right] = words.as_slice() else {
        return None;
    };
    let bare = |w: &str| w.trim_matches(|c| c == '"' || c == '\'').to_string();
    let is_status = |w: &str| {
        let w = bare(w);
        w == "$?" || w == "${?}" || (w.starts_with('$') && referenced_vars(&w).len() == 1)
    };
    let number = match (is_status(left), is_status(right)) {
        (true, false) => bare(right).parse::<i64>().ok()?,
        (false, true) => bare(left).parse::<i64>().ok()?,
        _ => return None,
    };
    let equal = match *op {
        "=" | "==" | "-eq" => true,
        "!=" | "-ne" => false,
        _ => return None,
    };
    Some(Comparison { number, equal })
}

/// The tests (as written, with the function's literal words put in; and whether each must
/// hold) on the one path that makes `command`'s exit status equal `number` (`equal`) or differ
/// from it (`!equal`). `None` when the status is not read that way (see the module's list), or
/// when several paths give it.
#[must_use]
pub fn needed_tests(
    command: &str,
    number: i64,
    equal: bool,
    interp: &Interp,
) -> Option<Vec<(String, bool)>> {
    let command = command.trim();
    let value = if is_test(command) {
        Value::Cond(
            command.to_string(),
            Box::new(Value::Num(0)),
            Box::new(Value::Num(1)),
        )
    } else if !command.contains(char::is_whitespace) {
        let body = interp.function_ast(command)?;
        let ast::CompoundCommand::BraceGroup(group) = body else {
            return None;
        };
        let mut state = State::default();
        state.run(&group.list.0)?.or(state.last)?
    } else {
        return None;
    };
    let mut paths = Vec::new();
    value.paths(&mut Vec::new(), &mut paths);
    let mut matching = paths
        .into_iter()
        .filter(|(_, n)| (*n == number) == equal)
        .map(|(tests, _)| tests);
    let one = matching.next()?;
    matching.next().is_none().then_some(one)
}

fn is_test(command: &str) -> bool {
    (command.starts_with("[ ") && command.ends_with(" ]")) || command.starts_with("test ")
}

/// A status or variable as the function leaves it: a number, or one of two values by a test.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Num(i64),
    /// The test (as written), the value when it holds, when it does not.
    Cond(String, Box<Value>, Box<Value>),
}

impl Value {
    /// Every path to a number, with the tests on the way and whether each holds.
    fn paths(&self, on: &mut Vec<(String, bool)>, out: &mut Vec<(Vec<(String, bool)>, i64)>) {
        match self {
            Value::Num(n) => out.push((on.clone(), *n)),
            Value::Cond(test, yes, no) => {
                on.push((test.clone(), true));
                yes.paths(on, out);
                on.pop();
                on.push((test.clone(), false));
                no.paths(on, out);
                on.pop();
            }
        }
    }
}

/// What the reading of a function body knows.
#[derive(Default)]
struct State {
    /// Variables holding numbers (or numbers by tests).
    numbers: BTreeMap<String, Value>,
    /// Variables holding one literal text (put into tests and loop lists).
    words: BTreeMap<String, String>,
    /// The status of a last `[ … ]`.
    last: Option<Value>,
}

/// Commands that only print: they change no variable and (but as the last command) no status.
const OUTPUT: &[&str] = &[
    "echo",
    "printf",
    "log_action_msg",
    "log_warning_msg",
    "log_failure_msg",
    "log_success_msg",
    "log_daemon_msg",
    "log_progress_msg",
    ":",
];

impl State {
    /// Runs `items`; `Some(Some(status))` when a `return` ends them, `Some(None)` when they
    /// run to the end, `None` for anything this reading does not follow.
    fn run(&mut self, items: &[ast::CompoundListItem]) -> Option<Option<Value>> {
        for item in items {
            if matches!(item.1, ast::SeparatorOperator::Async) {
                return None;
            }
            let ao = &item.0;
            if !ao.additional.is_empty() || ao.first.bang {
                return None;
            }
            let [command] = ao.first.seq.as_slice() else {
                return None;
            };
            self.last = None;
            match command {
                ast::Command::Simple(sc) => {
                    if let Some(status) = self.simple(sc)? {
                        return Some(Some(status));
                    }
                }
                ast::Command::Compound(ast::CompoundCommand::IfClause(i), None) => {
                    self.if_clause(i)?;
                }
                ast::Command::Compound(ast::CompoundCommand::ForClause(f), None) => {
                    let words = self.loop_words(f)?;
                    let body = &f.body.list.0;
                    for w in words {
                        self.words.insert(f.variable_name.clone(), w);
                        if self.run(body)?.is_some() {
                            return None;
                        }
                    }
                    self.words.remove(&f.variable_name);
                }
                _ => return None,
            }
        }
        Some(None)
    }

    /// A simple command: `Some(Some(status))` for a `return`.
    fn simple(&mut self, sc: &ast::SimpleCommand) -> Option<Option<Value>> {
        let mut words: Vec<String> = Vec::new();
        let mut assignments = Vec::new();
        for i in sc.prefix.iter().flat_map(|p| p.0.iter()) {
            match i {
                ast::CommandPrefixOrSuffixItem::AssignmentWord(a, _) => assignments.push(a),
                _ => return None,
            }
        }
        if let Some(w) = &sc.word_or_name {
            words.push(w.value.clone());
        }
        for i in sc.suffix.iter().flat_map(|p| p.0.iter()) {
            match i {
                ast::CommandPrefixOrSuffixItem::Word(w) => words.push(w.value.clone()),
                ast::CommandPrefixOrSuffixItem::AssignmentWord(a, _)
                    if words.first().is_some_and(|w| w == "local") =>
                {
                    assignments.push(a);
                }
                // Output redirected (`echo … >&2`) changes nothing here.
                ast::CommandPrefixOrSuffixItem::IoRedirect(_) => {}
                _ => return None,
            }
        }
        if words.is_empty() || words[0] == "local" {
            for a in assignments {
                self.assign(a);
            }
            // `local X`: unset in the function.
            for w in words.iter().skip(1) {
                self.numbers.remove(w);
                self.words.remove(w);
            }
            return Some(None);
        }
        if !assignments.is_empty() {
            return None;
        }
        match words[0].as_str() {
            "return" => match words.get(1).map(|w| w.trim_matches('"')) {
                Some(w) => {
                    if let Ok(n) = w.parse::<i64>() {
                        Some(Some(Value::Num(n)))
                    } else {
                        let name = w.strip_prefix('$')?.trim_matches(|c| c == '{' || c == '}');
                        Some(Some(self.numbers.get(name)?.clone()))
                    }
                }
                None => None,
            },
            "[" | "test" => {
                self.last = Some(Value::Cond(
                    self.put_words(&words.join(" "))?,
                    Box::new(Value::Num(0)),
                    Box::new(Value::Num(1)),
                ));
                Some(None)
            }
            w if OUTPUT.contains(&w) || w.starts_with("log_") => Some(None),
            _ => None,
        }
    }

    fn assign(&mut self, a: &ast::Assignment) {
        let name = a.name.to_string();
        self.numbers.remove(&name);
        self.words.remove(&name);
        let ast::AssignmentValue::Scalar(w) = &a.value else {
            return;
        };
        let text = w.value.trim_matches('"');
        if let Ok(n) = text.parse::<i64>() {
            self.numbers.insert(name, Value::Num(n));
        } else if !text.contains(['$', '`', '\'', '\\', '*', '?', '[']) {
            self.words.insert(name, text.to_string());
        }
    }

    /// `if TEST; then V=N…; [break;] fi`: each `V` becomes `N` when the test holds.
    fn if_clause(&mut self, i: &ast::IfClauseCommand) -> Option<()> {
        if i.elses.is_some() {
            return None;
        }
        let [cond] = i.condition.0.as_slice() else {
            return None;
        };
        if !cond.0.additional.is_empty() || cond.0.first.bang {
            return None;
        }
        let [ast::Command::Simple(test)] = cond.0.first.seq.as_slice() else {
            return None;
        };
        let text = self.put_words(test.to_string().trim())?;
        if !is_test(&text) {
            return None;
        }
        for item in &i.then.0 {
            let [ast::Command::Simple(sc)] = item.0.first.seq.as_slice() else {
                return None;
            };
            if !item.0.additional.is_empty() {
                return None;
            }
            // `break` ends the loop once the test held: the later rounds only set the same
            // numbers again, so the values are the same.
            if sc.word_or_name.as_ref().is_some_and(|w| w.value == "break") && sc.suffix.is_none() {
                continue;
            }
            if sc.word_or_name.is_some() {
                return None;
            }
            for p in sc.prefix.iter().flat_map(|p| p.0.iter()) {
                let ast::CommandPrefixOrSuffixItem::AssignmentWord(a, _) = p else {
                    return None;
                };
                let name = a.name.to_string();
                let ast::AssignmentValue::Scalar(w) = &a.value else {
                    return None;
                };
                let n = w.value.trim_matches('"').parse::<i64>().ok()?;
                let old = self.numbers.get(&name)?.clone();
                self.numbers.insert(
                    name,
                    Value::Cond(text.clone(), Box::new(Value::Num(n)), Box::new(old)),
                );
            }
        }
        Some(())
    }

    /// The words of `for X in WORDS`: literal, or variables holding literal words.
    fn loop_words(&self, f: &ast::ForClauseCommand) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for w in f.values.as_ref()? {
            let text = self.put_words(&w.value)?;
            if text.contains(['$', '`', '"', '\'', '*', '?', '[']) {
                return None;
            }
            out.extend(text.split_whitespace().map(str::to_string));
        }
        Some(out)
    }

    /// `text` with the variables holding literal words put in (`$X`, `${X}`, `"$X"`); the
    /// others stay references (read as the reading of the script left them). `None` when it
    /// reads a variable holding a number by a test.
    fn put_words(&self, text: &str) -> Option<String> {
        let mut out = text.to_string();
        for v in referenced_vars(text) {
            if self.numbers.contains_key(&v) {
                return None;
            }
            if let Some(value) = self.words.get(&v) {
                out = out
                    .replace(&format!("${{{v}}}"), value)
                    .replace(&format!("${v}"), value);
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Host;

    fn with(script: &str) -> (Host, brush_parser::ast::Program) {
        (
            Host::at(std::path::Path::new("/nonexistent-root")),
            super::super::shell::parse(script).unwrap(),
        )
    }

    #[test]
    fn a_status_compared_to_a_number() {
        assert_eq!(
            comparison("[ \"$?\" = 1 ]"),
            Some(Comparison {
                number: 1,
                equal: true
            })
        );
        assert_eq!(
            comparison("[ $retval -ne 0 ]"),
            Some(Comparison {
                number: 0,
                equal: false
            })
        );
        assert_eq!(comparison("[ \"$?\" = yes ]"), None);
        assert_eq!(comparison("[ -f /etc/x ]"), None);
    }

    #[test]
    fn a_functions_status_is_read_from_its_file_tests() {
        // The config check of a port-scan detector's script, written here after its idiom.
        let (host, program) = with(
            "check() {\n\tlocal rv\n\tlocal list\n\trv=0\n\tlist=\"/etc/x/x.conf /etc/x/rules\"\n\tfor f in $list; do\n\t\tif [ ! -f \"$f\" ]; then\n\t\t\trv=6\n\t\t\tbreak\n\t\tfi\n\tdone\n\treturn $rv\n}\nrunning() {\n\tlocal pidfile=\"$RUN/x.pid\"\n\tif [ -r \"$pidfile\" ]; then\n\t\techo running\n\t\treturn 1\n\tfi\n\t[ -d /run/x ]\n}\n",
        );
        let mut interp = Interp::new(&host, "/etc/init.d/x", vec!["start".to_string()]);
        interp.run_top(&program);
        // Status 0: neither file test fails.
        assert_eq!(
            needed_tests("check", 0, true, &interp),
            Some(vec![
                ("[ ! -f \"/etc/x/rules\" ]".to_string(), false),
                ("[ ! -f \"/etc/x/x.conf\" ]".to_string(), false),
            ])
        );
        // Status 6 is reached on two paths: no one list of tests.
        assert_eq!(needed_tests("check", 6, true, &interp), None);
        // A `return` inside an `if` is not followed; a test command's own status is.
        assert_eq!(needed_tests("running", 1, false, &interp), None);
        assert_eq!(
            needed_tests("[ -d /srv/x ]", 0, true, &interp),
            Some(vec![("[ -d /srv/x ]".to_string(), true)])
        );
        assert_eq!(needed_tests("missing_function", 0, true, &interp), None);
    }
}
