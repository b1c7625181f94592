//! A daemon program that is itself a shell script handing over to another program (`exec
//! $REAL $OPTIONS`): a game server's or a Java daemon's launcher. The unit runs the launcher as
//! the init script did (it builds the real program's options, it may write a pid file), so the
//! daemon's command line is the launcher's; a package's own unit often runs the real program
//! directly with the options spelled out. Reported, so that the difference is known.

use crate::host::Host;

/// The program the shell script `program` on the host hands over to: the one absolute path
/// (written out, or a variable the script assigns one, `REAL=/usr/games/x.real`) that its
/// `exec` lines run, with the line of the first. `None` when `program` is not a `#!` script of
/// `sh`, `dash` or `bash`, when its `exec` lines run no such path or several, or when the path
/// is `program` itself or missing on the host.
#[must_use]
pub fn hands_over_to(host: &Host, program: &str) -> Option<(String, u32)> {
    let bytes = host.read(program).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let first = text.lines().next()?.strip_prefix("#!")?;
    let interpreter = first.split_whitespace().next()?;
    let interpreter = interpreter.rsplit('/').next().unwrap_or(interpreter);
    if !matches!(interpreter, "sh" | "dash" | "bash") {
        return None;
    }
    let mut paths: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some((name, value)) = line.split_once('=')
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            if value.starts_with('/')
                && !value.contains(|c: char| c.is_whitespace() || "$`*?[;&|<>".contains(c))
            {
                paths.retain(|(n, _)| n != name);
                paths.push((name.to_string(), value.to_string()));
            }
        }
    }
    let mut target: Option<(String, u32)> = None;
    for (n, line) in text.lines().enumerate() {
        let mut words = line.split_whitespace();
        if words.next() != Some("exec") {
            continue;
        }
        let Some(word) = words.next() else { continue };
        let word = word.trim_matches('"');
        let path = if let Some(var) = word.strip_prefix('$') {
            let var = var.trim_start_matches('{').trim_end_matches('}');
            match paths.iter().rev().find(|(name, _)| name == var) {
                Some((_, p)) => p.clone(),
                None => return None,
            }
        } else if word.starts_with('/') {
            word.to_string()
        } else if word.starts_with(['>', '<']) || word.chars().next()?.is_ascii_digit() {
            // `exec >>log 2>&1`, `exec 9>file`: redirections of the script's own output.
            continue;
        } else {
            return None;
        };
        match &target {
            Some((t, _)) if *t != path => return None,
            Some(_) => {}
            None => target = Some((path, u32::try_from(n + 1).unwrap_or(u32::MAX))),
        }
    }
    let (path, line) = target?;
    (path != program && host.read(&path).is_ok()).then_some((path, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Host) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let host = Host::at(dir.path());
        (dir, host)
    }

    #[test]
    fn a_launcher_that_execs_the_real_program_is_found() {
        let (_dir, host) = host_with(&[
            (
                "/usr/games/arena",
                "#!/bin/sh\nset -e\nREAL=/usr/games/arena.real\n. /etc/default/arena\nif [ \"$1\" != \"\" ]; then\n    exec $REAL --datadir /usr/share/arena $1\nfi\nexec $REAL --datadir /usr/share/arena &\n",
            ),
            ("/usr/games/arena.real", "\x7fELF"),
        ]);
        assert_eq!(
            hands_over_to(&host, "/usr/games/arena"),
            Some(("/usr/games/arena.real".to_string(), 6))
        );
    }

    #[test]
    fn other_programs_are_not_launchers() {
        let (_dir, host) = host_with(&[
            ("/usr/sbin/d", "\x7fELF"),
            ("/usr/sbin/p", "#!/usr/bin/perl\nexec '/usr/sbin/d';\n"),
            (
                "/usr/sbin/two",
                "#!/bin/sh\nexec /usr/sbin/d\nexec /usr/sbin/p\n",
            ),
            (
                "/usr/sbin/gone",
                "#!/bin/sh\nexec /usr/sbin/missing \"$@\"\n",
            ),
            (
                "/usr/sbin/log",
                "#!/bin/sh\nexec >>/var/log/x 2>&1\nexec /usr/sbin/d\n",
            ),
            ("/usr/sbin/path", "#!/bin/sh\nexec d \"$@\"\n"),
        ]);
        assert_eq!(hands_over_to(&host, "/usr/sbin/d"), None);
        assert_eq!(hands_over_to(&host, "/usr/sbin/p"), None);
        assert_eq!(hands_over_to(&host, "/usr/sbin/two"), None);
        assert_eq!(hands_over_to(&host, "/usr/sbin/gone"), None);
        assert_eq!(hands_over_to(&host, "/usr/sbin/path"), None);
        assert_eq!(
            hands_over_to(&host, "/usr/sbin/log"),
            Some(("/usr/sbin/d".to_string(), 3))
        );
    }
}
