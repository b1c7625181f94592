//! Python's `glob.glob` (non-recursive, as supervisor calls it for `[include] files=`) over a
//! [`Host`], so that under `--root` patterns match inside the host copy.
//!
//! As in Python: `*`, `?` and `[…]` (`[!…]` negates) match within one path component; a
//! wildcard does not match a name starting with `.` unless the pattern component does; a
//! component without wildcards must exist; results come in directory order (the caller sorts).

use crate::host::Host;

fn has_magic(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// `posixpath.split`.
fn split(p: &str) -> (String, String) {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    let (head, tail) = (&p[..i], &p[i..]);
    let head = if !head.is_empty() && head.chars().any(|c| c != '/') {
        head.trim_end_matches('/')
    } else {
        head
    };
    (head.to_string(), tail.to_string())
}

/// `posixpath.join` of two parts.
#[must_use]
pub fn join(a: &str, b: &str) -> String {
    if b.starts_with('/') {
        b.to_string()
    } else if a.is_empty() || a.ends_with('/') {
        format!("{a}{b}")
    } else {
        format!("{a}/{b}")
    }
}

fn lexists(host: &Host, path: &str) -> bool {
    let (parent, name) = split(path);
    if name.is_empty() {
        return host.exists(path);
    }
    let parent = if parent.is_empty() { "/" } else { &parent };
    host.local(parent).join(&name).symlink_metadata().is_ok()
}

/// The host paths matching `pattern` (an absolute pattern), unsorted.
#[must_use]
pub fn glob(host: &Host, pattern: &str) -> Vec<String> {
    iglob(host, pattern, false)
}

fn iglob(host: &Host, pathname: &str, dironly: bool) -> Vec<String> {
    let (dirname, basename) = split(pathname);
    if !has_magic(pathname) {
        let found = if basename.is_empty() {
            host.local(&dirname).is_dir()
        } else {
            lexists(host, pathname)
        };
        return if found {
            vec![pathname.to_string()]
        } else {
            Vec::new()
        };
    }
    if dirname.is_empty() {
        // Relative patterns do not occur: supervisor joins them to the file's directory.
        return Vec::new();
    }
    let dirs = if dirname != pathname && has_magic(&dirname) {
        iglob(host, &dirname, true)
    } else {
        vec![dirname]
    };
    let mut out = Vec::new();
    for dir in dirs {
        let names = if has_magic(&basename) {
            glob1(host, &dir, &basename, dironly)
        } else if basename.is_empty() {
            if host.local(&dir).is_dir() {
                vec![basename.clone()]
            } else {
                Vec::new()
            }
        } else if lexists(host, &join(&dir, &basename)) {
            vec![basename.clone()]
        } else {
            Vec::new()
        };
        out.extend(names.iter().map(|n| join(&dir, n)));
    }
    out
}

fn glob1(host: &Host, dir: &str, pattern: &str, dironly: bool) -> Vec<String> {
    let pat = parse(pattern);
    host.list_dir(dir)
        .into_iter()
        .filter(|n| pattern.starts_with('.') || !n.starts_with('.'))
        .filter(|n| !dironly || host.local(&join(dir, n)).is_dir())
        .filter(|n| matches(&pat, &n.chars().collect::<Vec<_>>()))
        .collect()
}

#[derive(Debug)]
enum Tok {
    Star,
    Any,
    Lit(char),
    /// Negated, then the single characters and ranges.
    Class(bool, Vec<(char, char)>),
}

/// `fnmatch.translate`, as tokens.
fn parse(pattern: &str) -> Vec<Tok> {
    let p: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        i += 1;
        match c {
            '*' => {
                if !matches!(out.last(), Some(Tok::Star)) {
                    out.push(Tok::Star);
                }
            }
            '?' => out.push(Tok::Any),
            '[' => {
                let mut j = i;
                if j < p.len() && p[j] == '!' {
                    j += 1;
                }
                if j < p.len() && p[j] == ']' {
                    j += 1;
                }
                while j < p.len() && p[j] != ']' {
                    j += 1;
                }
                if j >= p.len() {
                    out.push(Tok::Lit('['));
                    continue;
                }
                let mut stuff = &p[i..j];
                i = j + 1;
                let negated = stuff.first() == Some(&'!');
                if negated {
                    stuff = &stuff[1..];
                }
                let mut items = Vec::new();
                let mut k = 0;
                while k < stuff.len() {
                    if k + 2 < stuff.len() && stuff[k + 1] == '-' {
                        if stuff[k] <= stuff[k + 2] {
                            items.push((stuff[k], stuff[k + 2]));
                        }
                        k += 3;
                    } else {
                        items.push((stuff[k], stuff[k]));
                        k += 1;
                    }
                }
                out.push(Tok::Class(negated, items));
            }
            c => out.push(Tok::Lit(c)),
        }
    }
    out
}

fn matches(pat: &[Tok], name: &[char]) -> bool {
    let Some(first) = pat.first() else {
        return name.is_empty();
    };
    let one = |c: char| match first {
        Tok::Any => true,
        Tok::Lit(l) => *l == c,
        Tok::Class(neg, items) => items.iter().any(|&(a, b)| a <= c && c <= b) != *neg,
        Tok::Star => false,
    };
    match first {
        Tok::Star => (0..=name.len()).any(|k| matches(&pat[1..], &name[k..])),
        _ => name
            .first()
            .is_some_and(|&c| one(c) && matches(&pat[1..], &name[1..])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> bool {
        matches(&parse(p), &n.chars().collect::<Vec<_>>())
    }

    #[test]
    fn fnmatch_patterns() {
        assert!(m("*.conf", "web.conf"));
        assert!(!m("*.conf", "web.conf.bak"));
        assert!(m("w?b.[ch]onf", "web.conf"));
        assert!(m("[!a]*", "web"));
        assert!(!m("[!w]*", "web"));
        assert!(m("[]]x", "]x"));
        assert!(m("a[b", "a[b"));
        assert!(m("[a-c]", "b"));
        assert!(!m("[c-a]", "b"));
    }

    #[test]
    fn globbing_inside_a_host_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc/supervisor/conf.d/sub")).unwrap();
        for f in ["b.conf", "a.conf", ".hidden.conf", "c.ini"] {
            std::fs::write(root.join("etc/supervisor/conf.d").join(f), "").unwrap();
        }
        std::fs::write(root.join("etc/supervisor/conf.d/sub/d.conf"), "").unwrap();
        let host = Host::at(root);
        let mut got = glob(&host, "/etc/supervisor/conf.d/*.conf");
        got.sort();
        assert_eq!(
            got,
            [
                "/etc/supervisor/conf.d/a.conf",
                "/etc/supervisor/conf.d/b.conf"
            ]
        );
        assert_eq!(
            glob(&host, "/etc/supervisor/conf.d/.*.conf"),
            ["/etc/supervisor/conf.d/.hidden.conf"]
        );
        assert_eq!(
            glob(&host, "/etc/supervisor/*/s*/d.conf"),
            ["/etc/supervisor/conf.d/sub/d.conf"]
        );
        assert_eq!(
            glob(&host, "/etc/supervisor/conf.d/c.ini"),
            ["/etc/supervisor/conf.d/c.ini"]
        );
        assert!(glob(&host, "/etc/supervisor/conf.d/none.ini").is_empty());
    }
}
