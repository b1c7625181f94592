//! The manifest of an output directory, `DIR/.systemdify-manifest`: what the last run wrote
//! there, one line per file — SHA-256 of the contents, mode, path — sorted by path, so that the
//! next run knows exactly which files are its own (stale units, the report it may replace) and
//! whether the operator edited them since.
//!
//! ```text
//! # systemdify manifest 1: sha256, mode, path of every file the last run wrote; see README.md
//! 3b5d…e1f0 0644 backup-pg_dumpall.service
//! 9c1a…77d2 0600 env/backup-pg_dumpall.service.env
//! ```
//!
//! Paths are relative to the output directory, except a report written outside it, which is
//! recorded by its absolute path. A backslash or newline in a path is written `\\` or `\n`.

use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The manifest's file name inside the output directory.
pub const FILE_NAME: &str = ".systemdify-manifest";

const HEADER: &str =
    "# systemdify manifest 1: sha256, mode, path of every file the last run wrote; see README.md";

/// A SHA-256, as bytes (the manifest writes it in hex).
pub type Digest = [u8; 32];

/// What the manifest records about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// SHA-256 of the contents.
    pub sha256: Digest,
    pub mode: u32,
}

impl Entry {
    /// The entry for `contents` written with `mode`.
    #[must_use]
    pub fn of(contents: &[u8], mode: u32) -> Self {
        Entry {
            sha256: digest(contents),
            mode,
        }
    }
}

/// The SHA-256 of `data`.
#[must_use]
pub fn digest(data: &[u8]) -> Digest {
    Sha256::digest(data).into()
}

/// Lower-case hex SHA-256 of `data`, as `sha256sum` prints it.
#[must_use]
pub fn sha256(data: &[u8]) -> String {
    hex(&digest(data))
}

/// `digest` in lower-case hex.
#[must_use]
pub fn hex(digest: &Digest) -> String {
    let mut s = String::with_capacity(64);
    push_hex(&mut s, digest);
    s
}

fn push_hex(out: &mut String, digest: &Digest) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in digest {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
}

/// `text` (64 hex digits, either case) as a digest.
fn parse_hex(text: &str) -> Option<Digest> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let digit = |c: u8| char::from(c).to_digit(16);
        out[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
    }
    Some(out)
}

/// A parsed manifest: entries by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub entries: BTreeMap<String, Entry>,
}

fn escape(path: &str) -> String {
    path.replace('\\', "\\\\").replace('\n', "\\n")
}

fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

impl Manifest {
    /// Reads a manifest's text.
    ///
    /// # Errors
    /// `line N: what is wrong` for a line that is not `HASH MODE PATH`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |what: &str| format!("line {}: {what}", i + 1);
            let mut fields = line.splitn(3, ' ');
            let (Some(hash), Some(mode), Some(path)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(bad("expected `SHA256 MODE PATH`"));
            };
            let Some(sha256) = parse_hex(hash) else {
                return Err(bad("not a SHA-256 in hex"));
            };
            let mode = u32::from_str_radix(mode, 8)
                .ok()
                .filter(|m| *m <= 0o7777)
                .ok_or_else(|| bad("not an octal file mode"))?;
            let path = unescape(path)
                .filter(|p| !p.is_empty())
                .ok_or_else(|| bad("bad path"))?;
            entries.insert(path, Entry { sha256, mode });
        }
        Ok(Manifest { entries })
    }

    /// The manifest's text: a header line, then the entries sorted by path.
    #[must_use]
    pub fn render(&self) -> String {
        render_sorted(self.entries.iter().map(|(p, e)| (p.as_str(), e)))
    }
}

/// The text of a manifest of `entries`, which are sorted by path, each path once (as
/// [`Manifest::render`] writes its own).
#[must_use]
pub fn render_sorted<'a>(entries: impl Iterator<Item = (&'a str, &'a Entry)>) -> String {
    let mut out = format!("{HEADER}\n");
    for (path, e) in entries {
        push_hex(&mut out, &e.sha256);
        let _ = write!(out, " {:04o} ", e.mode);
        if path.contains(['\\', '\n']) {
            out.push_str(&escape(path));
        } else {
            out.push_str(path);
        }
        out.push('\n');
    }
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_the_standard_one() {
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn renders_sorted_and_parses_back() {
        let mut m = Manifest::default();
        m.entries.insert("b.timer".into(), Entry::of(b"b", 0o644));
        m.entries.insert(
            "/srv/odd\\dir/new\nline.json".into(),
            Entry::of(b"r", 0o644),
        );
        m.entries.insert("env/a.env".into(), Entry::of(b"a", 0o600));
        let text = m.render();
        let paths: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.splitn(3, ' ').nth(2).unwrap())
            .collect();
        assert_eq!(
            paths,
            ["/srv/odd\\\\dir/new\\nline.json", "b.timer", "env/a.env"]
        );
        assert!(text.contains(" 0600 env/a.env\n"));
        assert_eq!(Manifest::parse(&text).unwrap(), m);
    }

    #[test]
    fn rejects_lines_it_cannot_read() {
        assert_eq!(
            Manifest::parse("# header\nabc 0644 x\n").unwrap_err(),
            "line 2: not a SHA-256 in hex"
        );
        let hash = sha256(b"");
        assert!(Manifest::parse(&format!("{hash} 9 x\n")).is_err());
        assert!(Manifest::parse(&format!("{hash} 0644\n")).is_err());
        assert!(Manifest::parse(&format!("{hash} 0644 a\\q\n")).is_err());
    }
}
