//! The shell a script's `#!` line names, which is what runs the script's own text when a unit
//! runs it in a shell ([`super::shell_action`]): `/etc/init.d/NAME start` is `INTERPRETER
//! [OPTION] /etc/init.d/NAME start`, so a `#!/bin/bash` script's arrays, `[[ … ]]` and
//! `$(( ))` idioms need bash (Debian's `/bin/sh` is dash, which has none of the first two), and
//! a `#!/bin/sh -e` script stops at its first failing command.
//!
//! - `#!/bin/sh`, `#!/bin/dash`, `#!/bin/bash` (or `/usr/bin/…`), as written → that shell;
//! - `#!/usr/bin/env bash` (or `sh`, `dash`) → `/bin/NAME`, the shell `env` finds first in
//!   the `PATH` init gives (`/usr/local/sbin:…:/sbin:/bin`, with `/bin` the same directory
//!   as `/usr/bin` on a merged-/usr host);
//! - one option word of the letters `e`, `u`, `x`, `v`, `f` (`-e`, `-ex`) → `set -e` (…)
//!   before the text, as the option sets it for the whole script;
//! - no `#!` line (an LSB or chkconfig header alone) → `/bin/sh`, the shell that runs a file
//!   without one;
//! - `#!/bin/sh /lib/init/init-d-script` (a file, not an option) → `/bin/sh`: the framework's
//!   own reading ([`super::shell`]) already holds what it adds;
//! - another program (`ksh`, `zsh`, `busybox`), or other options → not a shell this tool runs
//!   the text with: the script stays wrapped, with the line.

/// The shell that runs the script's text, and the options its `#!` line sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    /// The shell's absolute path, for `SHELL -c TEXT`.
    pub shell: String,
    /// The option word of the `#!` line (`-e`), when it has one.
    pub options: Option<String>,
}

impl Interpreter {
    /// `text` as the interpreter runs it: `set OPTIONS` first when the `#!` line has options.
    #[must_use]
    pub fn text(&self, text: &str) -> String {
        match &self.options {
            Some(o) => format!("set {o}\n{text}"),
            None => text.to_string(),
        }
    }

    /// How the unit runs the text, for a finding: "/bin/bash -c", "/bin/sh -c, `set -e` first
    /// as its `#!/bin/sh -e` line sets it".
    #[must_use]
    pub fn described(&self, line: &str) -> String {
        match &self.options {
            Some(o) => format!(
                "{} -c, `set {o}` first as its `{}` line sets it",
                self.shell,
                line.trim()
            ),
            None => format!("{} -c", self.shell),
        }
    }
}

/// The shells whose names a `#!` line may give.
const SHELLS: [&str; 3] = ["sh", "dash", "bash"];

/// The option letters a `#!` line may set, each meaning the same to `set` in dash and bash.
const OPTION_LETTERS: &str = "efuvx";

/// The interpreter of the script `text` and its `#!` line ("" when it has none).
///
/// # Errors
/// A sentence naming the `#!` line when it runs the script with another program than a POSIX
/// shell or with options `set` cannot repeat.
pub fn of(text: &str) -> Result<(Interpreter, String), String> {
    let Some(line) = text.lines().next().filter(|l| l.starts_with("#!")) else {
        return Ok((
            Interpreter {
                shell: "/bin/sh".to_string(),
                options: None,
            },
            String::new(),
        ));
    };
    let words: Vec<&str> = line[2..].split_whitespace().collect();
    let unsupported = || {
        format!(
            "its `{}` line runs the script with what this tool does not run the script's own text with (sh, dash or bash, with at most the options {})",
            line.trim(),
            OPTION_LETTERS
                .chars()
                .map(|c| format!("-{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let (shell, rest) = match words.as_slice() {
        [env, name, rest @ ..] if base(env) == "env" && SHELLS.contains(name) => {
            (format!("/bin/{name}"), rest)
        }
        [shell, rest @ ..] if shell.starts_with('/') && SHELLS.contains(&base(shell)) => {
            ((*shell).to_string(), rest)
        }
        _ => return Err(unsupported()),
    };
    let options = match rest {
        [] => None,
        [o] if o.len() > 1
            && o.starts_with('-')
            && o[1..].chars().all(|c| OPTION_LETTERS.contains(c)) =>
        {
            Some((*o).to_string())
        }
        // A file the shell runs instead of the script (`/lib/init/init-d-script`).
        [file] if file.starts_with('/') => None,
        _ => return Err(unsupported()),
    };
    Ok((Interpreter { shell, options }, line.to_string()))
}

fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(text: &str) -> Result<(String, Option<String>), String> {
        of(text).map(|(i, _)| (i.shell, i.options))
    }

    #[test]
    fn the_line_names_the_shell_and_its_options() {
        assert_eq!(shell("#!/bin/sh\n"), Ok(("/bin/sh".into(), None)));
        assert_eq!(shell("#! /bin/sh\n"), Ok(("/bin/sh".into(), None)));
        assert_eq!(shell("#!/bin/bash\n"), Ok(("/bin/bash".into(), None)));
        assert_eq!(
            shell("#!/usr/bin/bash\n"),
            Ok(("/usr/bin/bash".into(), None))
        );
        assert_eq!(
            shell("#!/usr/bin/env bash\n"),
            Ok(("/bin/bash".into(), None))
        );
        assert_eq!(
            shell("#!/bin/sh -e\n"),
            Ok(("/bin/sh".into(), Some("-e".into())))
        );
        assert_eq!(
            shell("#! /bin/bash -ex\n"),
            Ok(("/bin/bash".into(), Some("-ex".into())))
        );
        assert_eq!(
            shell("#!/bin/sh /lib/init/init-d-script\n"),
            Ok(("/bin/sh".into(), None))
        );
        // No `#!` line: the shell that runs a file without one.
        assert_eq!(shell("### BEGIN INIT INFO\n"), Ok(("/bin/sh".into(), None)));
    }

    #[test]
    fn other_programs_and_options_are_refused_with_the_line() {
        for line in [
            "#!/bin/ksh",
            "#!/usr/bin/perl -w",
            "#!/bin/bash --posix",
            "#!/bin/sh -p",
            "#!/usr/bin/env python3",
            "#!bash",
        ] {
            let why = shell(&format!("{line}\n")).unwrap_err();
            assert!(why.contains(&format!("`{line}`")), "{why}");
        }
    }

    #[test]
    fn options_come_first_in_the_text() {
        let (i, line) = of("#!/bin/sh -e\n").unwrap();
        assert_eq!(i.text("set -- start\nfoo"), "set -e\nset -- start\nfoo");
        assert_eq!(
            i.described(&line),
            "/bin/sh -c, `set -e` first as its `#!/bin/sh -e` line sets it"
        );
        let (i, line) = of("#!/bin/bash\n").unwrap();
        assert_eq!(i.text("x"), "x");
        assert_eq!(i.described(&line), "/bin/bash -c");
    }
}
