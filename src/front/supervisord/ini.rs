//! The INI dialect supervisor reads: Python 3's `configparser.RawConfigParser` as supervisor's
//! `UnhosedConfigParser` configures it (`inline_comment_prefixes=(';', '#')`, `strict=False`),
//! followed step by step from CPython's `RawConfigParser._read`, with a position kept for every
//! section header and value.
//!
//! What that means, each rule checked against supervisor 4.3.0 by the oracle:
//! - `;` or `#` starts an inline comment only at the start of a line or after whitespace, quotes
//!   or not (`bash -c 'a ; b'` is cut after `'a`). CPython looks for the prefixes in rounds (the
//!   first `;` and the first `#`, then the second of each, …) and stops at the first round that
//!   finds one, which this reader repeats.
//! - A line indented deeper than the line that started the current option continues it; the
//!   pieces are joined with `\n`, blank lines inside the value kept, trailing ones dropped.
//! - `=` and `:` both delimit; keys are lowercased; section names keep their case.
//! - `[DEFAULT]` values apply to every section; a repeated section (in the same file or another)
//!   merges into the first; a repeated key replaces the earlier value.
//! - A line that is neither a header nor an option is an error of the section it is in (CPython
//!   collects them and fails the whole file; supervisor then fails). A line before any header is
//!   an error of the file (CPython stops reading there).

/// Where a piece of text came from: host path of the file, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One option's value as the parser holds it, with where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub text: String,
    pub at: Location,
}

/// A section: its name as written, where its first header is, its options in first-set order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub header: Location,
    /// The file that first defined the section (what supervisor's `section_to_file` names).
    pub options: Vec<(String, Value)>,
}

impl Section {
    fn set(&mut self, key: String, value: Value) {
        match self.options.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.options.push((key, value)),
        }
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.options
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// A line the reader could not take: a line before the first section header (`section` is
/// `None`), or a line in a section that is neither a header nor `key = value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub section: Option<String>,
    pub at: Location,
    pub line: String,
}

/// The CPython version that runs supervisord: the versions read two things differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Python {
    /// CPython 3.9 and older (RHEL 9): a section header ends at the first `]`
    /// (`[a]b]` is `[a]`), and inline comments are found as 3.10–3.12 find them.
    Py39,
    /// CPython 3.10 to 3.12 (Debian 12, Ubuntu 22.04 and 24.04): a header ends at the last `]`
    /// (`[a]b]` is `a]b`); the comment prefixes are looked for in rounds (the first `;` and the
    /// first `#`, then the second of each, …) and the first round that finds one after
    /// whitespace decides.
    #[default]
    Py310,
    /// CPython 3.13 and newer (Debian 13): as 3.10–3.12, except that an inline comment starts
    /// at the first `;` or `#` at the start of the line or after whitespace.
    Py313,
}

/// The parser state supervisor builds: every file read so far, merged.
#[derive(Debug, Clone, Default)]
pub struct Ini {
    python: Python,
    defaults: Vec<(String, Value)>,
    sections: Vec<Section>,
    /// Every line error of every file read, in reading order.
    pub errors: Vec<LineError>,
}

/// Python's `str.isspace`, which `str.strip()` and the `\s` of `re` use.
#[must_use]
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// The lines of `text` as Python's text-mode file iteration yields them (universal newlines:
/// `\r\n`, `\r` and `\n` each end a line; the `\n` is kept).
fn py_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' || c == '\n' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            cur.push('\n');
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Where CPython's inline-comment search puts the comment start in `line` (char index).
fn inline_comment_start(line: &[char], python: Python) -> Option<usize> {
    if python == Python::Py313 {
        return (0..line.len())
            .find(|&i| (line[i] == ';' || line[i] == '#') && (i == 0 || is_py_space(line[i - 1])));
    }
    // Each prefix with the index of its last occurrence looked at (-1: none yet).
    let mut prefixes: Vec<(char, isize)> = vec![(';', -1), ('#', -1)];
    let mut found: Option<usize> = None;
    while found.is_none() && !prefixes.is_empty() {
        let mut next = Vec::new();
        for &(p, index) in &prefixes {
            let from = (index + 1) as usize;
            let Some(i) = line
                .iter()
                .skip(from)
                .position(|&c| c == p)
                .map(|i| i + from)
            else {
                continue;
            };
            next.push((p, i as isize));
            if i == 0 || is_py_space(line[i - 1]) {
                found = Some(found.map_or(i, |f| f.min(i)));
            }
        }
        prefixes = next;
    }
    found
}

fn py_strip(s: &[char]) -> (usize, usize) {
    let start = s.iter().position(|&c| !is_py_space(c)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&c| !is_py_space(c))
        .map_or(start, |e| e + 1);
    (start, end.max(start))
}

/// Python's `str.strip()`.
#[must_use]
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

impl Ini {
    /// An empty parser.
    #[must_use]
    pub fn new() -> Self {
        Ini::default()
    }

    /// The Python version whose reading this parser follows.
    #[must_use]
    pub fn python(&self) -> Python {
        self.python
    }

    /// An empty parser that reads as supervisor on another Python version does.
    #[must_use]
    pub fn for_python(python: Python) -> Self {
        Ini {
            python,
            ..Ini::default()
        }
    }

    /// The section names in the order they first appeared (`[DEFAULT]` is not one of them).
    pub fn sections(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter()
    }

    /// Whether a section called exactly `name` exists.
    #[must_use]
    pub fn has_section(&self, name: &str) -> bool {
        self.section(name).is_some()
    }

    /// The section called exactly `name`.
    #[must_use]
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// Removes a section (and so every value it holds), as if it had never been read.
    pub fn remove_section(&mut self, name: &str) {
        if name == "DEFAULT" {
            self.defaults.clear();
        }
        self.sections.retain(|s| s.name != name);
    }

    /// The value of `key` (any case) in `section`, falling back to `[DEFAULT]`, as
    /// `RawConfigParser.get` returns it.
    #[must_use]
    pub fn get(&self, section: &str, key: &str) -> Option<&Value> {
        let key = key.to_lowercase();
        self.section(section)?
            .options
            .iter()
            .find(|(k, _)| *k == key)
            .or_else(|| self.defaults.iter().find(|(k, _)| *k == key))
            .map(|(_, v)| v)
    }

    /// The `[DEFAULT]` options, in first-set order.
    #[must_use]
    pub fn defaults(&self) -> &[(String, Value)] {
        &self.defaults
    }

    /// The `[DEFAULT]` value of `key` (any case).
    #[must_use]
    pub fn default_value(&self, key: &str) -> Option<&Value> {
        let key = key.to_lowercase();
        self.defaults
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    /// The keys of a section followed by the `[DEFAULT]` keys it does not set.
    #[must_use]
    pub fn items(&self, section: &str) -> Vec<(String, Value)> {
        let Some(s) = self.section(section) else {
            return Vec::new();
        };
        let mut out: Vec<(String, Value)> = self.defaults.clone();
        for (k, v) in &s.options {
            match out.iter_mut().find(|(dk, _)| dk == k) {
                Some((_, dv)) => *dv = v.clone(),
                None => out.push((k.clone(), v.clone())),
            }
        }
        out
    }

    /// Replaces `%(here)s` with `here` in every value of every section, `[DEFAULT]` values
    /// included (they are copied into each section), as supervisor's `expand_here` does after
    /// reading each file.
    pub fn expand_here(&mut self, here: &str) {
        let names: Vec<String> = self.sections.iter().map(|s| s.name.clone()).collect();
        for name in names {
            for (key, value) in self.items(&name) {
                if value.text.contains("%(here)s") {
                    let replaced = Value {
                        text: value.text.replace("%(here)s", here),
                        at: value.at,
                    };
                    if let Some(s) = self.sections.iter_mut().find(|s| s.name == name) {
                        s.set(key, replaced);
                    }
                }
            }
        }
    }

    /// Reads one file's text into the parser, as `RawConfigParser._read` does; `file` names it
    /// in locations. Line errors are appended to [`Ini::errors`]; the rest of the file is read.
    pub fn read(&mut self, text: &str, file: &str) {
        // Which section the cursor is in: None before any header, Some(None) for [DEFAULT].
        let mut cursect: Option<Option<usize>> = None;
        let mut optname: Option<String> = None;
        let mut indent_level: usize = 0;
        for (n, line) in py_lines(text).iter().enumerate() {
            let lineno = n + 1;
            let chars: Vec<char> = line.chars().collect();
            let mut comment = inline_comment_start(&chars, self.python);
            let (fs, fe) = py_strip(&chars);
            let stripped = &chars[fs..fe];
            if stripped.first().is_some_and(|&c| c == '#' || c == ';') {
                comment = Some(0);
            }
            let head = &chars[..comment.unwrap_or(chars.len())];
            let (vs, ve) = py_strip(head);
            if vs == ve {
                // An empty line (no comment on it) is part of the value being read.
                // (An empty key, which CPython still sets, is falsy there: nothing continues it.)
                if comment.is_none()
                    && let (Some(sect), Some(opt)) = (cursect, optname.as_deref())
                    && !opt.is_empty()
                    && let Some(v) = self.value_mut(sect, opt)
                {
                    v.text.push('\n');
                }
                continue;
            }
            let value: String = chars[vs..ve].iter().collect();
            let cur_indent = chars.iter().position(|&c| !is_py_space(c)).unwrap_or(0);
            if let (Some(sect), Some(opt)) = (cursect, optname.as_deref())
                && !opt.is_empty()
                && cur_indent > indent_level
            {
                if let Some(v) = self.value_mut(sect, opt) {
                    v.text.push('\n');
                    v.text.push_str(&value);
                }
                continue;
            }
            indent_level = cur_indent;
            let at = |column: usize| Location {
                file: file.to_string(),
                line: lineno,
                column: column + 1,
            };
            if let Some(header) = section_header(&value, self.python) {
                if let Some(i) = self.sections.iter().position(|s| s.name == header) {
                    cursect = Some(Some(i));
                } else if header == "DEFAULT" {
                    cursect = Some(None);
                } else {
                    self.sections.push(Section {
                        name: header,
                        header: at(vs),
                        options: Vec::new(),
                    });
                    cursect = Some(Some(self.sections.len() - 1));
                }
                optname = None;
                continue;
            }
            let Some(sect) = cursect else {
                self.errors.push(LineError {
                    section: None,
                    at: at(vs),
                    line: line.trim_end_matches('\n').to_string(),
                });
                continue;
            };
            match option_line(&value) {
                Some((key, val_start, val)) if !key.is_empty() => {
                    let key = key.to_lowercase();
                    let v = Value {
                        text: val,
                        at: at(vs + val_start),
                    };
                    match sect {
                        Some(i) => self.sections[i].set(key.clone(), v),
                        None => set_in(&mut self.defaults, key.clone(), v),
                    }
                    optname = Some(key);
                }
                other => {
                    // CPython records the error and keeps reading; an empty key is still set.
                    if let Some((_, val_start, val)) = other {
                        let v = Value {
                            text: val,
                            at: at(vs + val_start),
                        };
                        match sect {
                            Some(i) => self.sections[i].set(String::new(), v),
                            None => set_in(&mut self.defaults, String::new(), v),
                        }
                        optname = Some(String::new());
                    }
                    self.errors.push(LineError {
                        section: Some(match sect {
                            Some(i) => self.sections[i].name.clone(),
                            None => "DEFAULT".to_string(),
                        }),
                        at: at(vs),
                        line: line.trim_end_matches('\n').to_string(),
                    });
                }
            }
        }
        // `_join_multiline_values`: trailing whitespace (and blank lines) dropped.
        for v in self
            .defaults
            .iter_mut()
            .chain(self.sections.iter_mut().flat_map(|s| s.options.iter_mut()))
            .map(|(_, v)| v)
        {
            let trimmed = v.text.trim_end_matches(is_py_space).len();
            v.text.truncate(trimmed);
        }
    }

    fn value_mut(&mut self, sect: Option<usize>, key: &str) -> Option<&mut Value> {
        match sect {
            Some(i) => self.sections[i].get_mut(key),
            None => self
                .defaults
                .iter_mut()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v),
        }
    }
}

fn set_in(options: &mut Vec<(String, Value)>, key: String, value: Value) {
    match options.iter_mut().find(|(k, _)| *k == key) {
        Some((_, v)) => *v = value,
        None => options.push((key, value)),
    }
}

/// `SECTCRE`, matched at the start only: the text between the first `[` and the last `]` after
/// it (`\[(?P<header>.+)\]`), or up to the first `]` on Python 3.9 (`\[(?P<header>[^]]+)\]`);
/// never empty.
fn section_header(value: &str, python: Python) -> Option<String> {
    let rest = value.strip_prefix('[')?;
    let end = if python == Python::Py39 {
        rest.find(']')?
    } else {
        rest.rfind(']')?
    };
    (end > 0).then(|| rest[..end].to_string())
}

/// `OPTCRE`: key, the char offset of the value in `value`, and the stripped value, split at the
/// first `=` or `:`. `None` when the line has no delimiter.
fn option_line(value: &str) -> Option<(String, usize, String)> {
    let chars: Vec<char> = value.chars().collect();
    let d = chars.iter().position(|&c| c == '=' || c == ':')?;
    let key: String = chars[..d].iter().collect();
    let key = key.trim_end_matches(is_py_space).to_string();
    let after = &chars[d + 1..];
    let (s, e) = py_strip(after);
    Some((key, d + 1 + s, after[s..e].iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Ini {
        let mut ini = Ini::new();
        ini.read(text, "/etc/supervisord.conf");
        ini
    }

    fn get(ini: &Ini, s: &str, k: &str) -> Option<String> {
        ini.get(s, k).map(|v| v.text.clone())
    }

    #[test]
    fn inline_comments_need_whitespace_before_them_even_inside_quotes() {
        let ini = read(
            "[program:x]\ncommand=bash -c 'foo ; bar'\nurl=http://h/a;b\ntag=a#b;c\nx=v\t# c\n",
        );
        assert_eq!(get(&ini, "program:x", "command").unwrap(), "bash -c 'foo");
        assert_eq!(get(&ini, "program:x", "url").unwrap(), "http://h/a;b");
        assert_eq!(get(&ini, "program:x", "tag").unwrap(), "a#b;c");
        assert_eq!(get(&ini, "program:x", "x").unwrap(), "v");
    }

    #[test]
    fn the_comment_search_goes_in_rounds_like_cpython() {
        let ini = read("[s]\nk=a;b#c #d ;e\n");
        assert_eq!(get(&ini, "s", "k").unwrap(), "a;b#c");
        // Round 1 looks at the first `;` and `#` (neither after a space), round 2 at the second
        // of each: the `;` after a space wins although the third `#`, after a space, is earlier.
        let ini = read("[s]\nk=a;b#c#d #e ;f\n");
        assert_eq!(get(&ini, "s", "k").unwrap(), "a;b#c#d #e");
        // CPython 3.13 takes the first one after whitespace.
        let mut ini = Ini::for_python(Python::Py313);
        ini.read("[s]\nk=a;b#c#d #e ;f\n", "f");
        assert_eq!(get(&ini, "s", "k").unwrap(), "a;b#c#d");
    }

    #[test]
    fn continuation_lines_and_blank_lines_inside_values() {
        let ini = read("[s]\ncommand=a\n  b\n; comment\n\n    c\n\n\nnext=1\n");
        assert_eq!(get(&ini, "s", "command").unwrap(), "a\nb\n\nc");
        assert_eq!(get(&ini, "s", "next").unwrap(), "1");
    }

    #[test]
    fn keys_are_lowercased_sections_keep_their_case_and_duplicates_merge() {
        let ini = read(
            "[program:Web]\nCOMMAND : /x\n[program:web]\ncommand=/y\n[program:Web]\npriority=1\npriority=2\n",
        );
        assert_eq!(get(&ini, "program:Web", "command").unwrap(), "/x");
        assert_eq!(get(&ini, "program:Web", "priority").unwrap(), "2");
        assert_eq!(get(&ini, "program:web", "command").unwrap(), "/y");
        let names: Vec<&str> = ini.sections().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["program:Web", "program:web"]);
    }

    #[test]
    fn defaults_reach_every_section_and_lose_to_its_own_keys() {
        let ini = read("[DEFAULT]\nstartsecs=7\n[a]\n[b]\nstartsecs=1\n");
        assert_eq!(get(&ini, "a", "startsecs").unwrap(), "7");
        assert_eq!(get(&ini, "b", "startsecs").unwrap(), "1");
        assert!(!ini.has_section("DEFAULT"));
    }

    #[test]
    fn bad_lines_are_errors_of_their_section_or_of_the_file() {
        let ini = read("stray\n[a]\nk=1\nno delimiter here\n  k2=2\n[b]\nk=3\n");
        assert_eq!(ini.errors.len(), 2);
        assert_eq!(ini.errors[0].section, None);
        assert_eq!(ini.errors[0].at.line, 1);
        assert_eq!(ini.errors[1].section.as_deref(), Some("a"));
        assert_eq!(ini.errors[1].at.line, 4);
        // As in CPython, the deeper line after the bad one still continues `k`.
        assert_eq!(get(&ini, "a", "k").unwrap(), "1\nk2=2");
        assert_eq!(get(&ini, "b", "k").unwrap(), "3");
    }

    #[test]
    fn headers_match_up_to_the_last_bracket_and_values_keep_their_position() {
        let ini = read("[a]b] trailing\n  key =  value\n");
        assert!(ini.has_section("a]b"));
        let mut old = Ini::for_python(Python::Py39);
        old.read("[a]b] trailing\n", "f");
        assert!(old.has_section("a"));
        let v = ini.get("a]b", "key").unwrap();
        assert_eq!((v.at.line, v.at.column), (2, 10));
    }

    #[test]
    fn carriage_returns_end_lines() {
        let ini = read("[a]\r\nk=1\rj=2\r\n");
        assert_eq!(get(&ini, "a", "k").unwrap(), "1");
        assert_eq!(get(&ini, "a", "j").unwrap(), "2");
    }

    #[test]
    fn here_is_replaced_in_sections_and_defaults_copied_in() {
        let mut ini = read("[DEFAULT]\nd=%(here)s/x\n[a]\nk=%(here)s\n");
        ini.expand_here("/etc/supervisor");
        assert_eq!(get(&ini, "a", "k").unwrap(), "/etc/supervisor");
        assert_eq!(get(&ini, "a", "d").unwrap(), "/etc/supervisor/x");
        ini.read("[b]\n", "/etc/supervisor/conf.d/b.conf");
        ini.expand_here("/etc/supervisor/conf.d");
        assert_eq!(get(&ini, "b", "d").unwrap(), "/etc/supervisor/conf.d/x");
    }
}
