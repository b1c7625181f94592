//! A static reading of an init script's shell: it never runs anything.
//!
//! The script is parsed with `brush-parser` and walked like a tiny interpreter: assignments
//! (with `${VAR:-x}` defaults and `${VAR##*/}` trims) update an environment, sourced
//! `/etc/default/NAME` or `/etc/sysconfig/NAME` files are read from the host and their
//! assignments applied, functions are remembered and inlined where they are called, and the
//! `case "$1"` that dispatches the actions is found. Walking one action then yields the
//! commands it runs, with their words expanded as far as the script's text allows.
//!
//! A variable that a sourced defaults file sets (or could set, when the file is missing on the
//! host) is never replaced by a value: it stays a reference ([`Part::Var`]), so the unit can keep
//! reading it from `EnvironmentFile=`.

use super::host_reading::Reading;
use super::logger::LoggerPipe;
use crate::host::Host;
use brush_parser::ast;
use brush_parser::word::{
    Parameter, ParameterExpr, ParameterTestType, WordPiece, WordPieceWithSource,
};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Where a command stands, for messages: `line N` of the script; `line N of LIB, sourced at
/// line M` for a line of a shell library the script sources ([`library_lines`]); or the framework
/// that runs it for the script (line 0: `/lib/init/init-d-script`'s own start and stop
/// commands).
#[must_use]
pub fn place(line: u32) -> String {
    if let Some((library, sourced_at)) = library_of(line) {
        return format!(
            "line {} of {library}, sourced at {}",
            line & LINE_MASK,
            place(sourced_at)
        );
    }
    if line == 0 {
        "run by /lib/init/init-d-script".to_string()
    } else {
        format!("line {line}")
    }
}

/// Several places, for messages: `line N` or `lines N, M` when all are the script's own,
/// otherwise each [`place`], separated by `; `.
#[must_use]
pub fn places(lines: &[u32]) -> String {
    if lines.iter().all(|l| in_script(*l) && *l != 0) {
        let numbers: Vec<String> = lines.iter().map(u32::to_string).collect();
        let word = if lines.len() == 1 { "line" } else { "lines" };
        format!("{word} {}", numbers.join(", "))
    } else {
        lines
            .iter()
            .map(|l| place(*l))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The bits of a line number that number the line in its file; the bits above them name the
/// sourced library the line is in ([`library_lines`]), zero for the script itself.
const LINE_MASK: u32 = (1 << 20) - 1;

/// The sourced libraries whose lines [`library_lines`] numbered, each with the (encoded) line that
/// sources it: entry `k` is file `k + 1`.
static LIBRARIES: std::sync::Mutex<Vec<(String, u32)>> = std::sync::Mutex::new(Vec::new());

/// The high bits that number the lines of the library `path` that the line `sourced_at`
/// sources (`bits | line`), told apart from the script's own lines and from every other
/// library's: the lines of a library the reading runs as the script's code keep their file
/// through every finding, and [`place`] names it. Zero (the line numbers stay the script's)
/// once a run has met more than four thousand distinct libraries.
#[must_use]
pub fn library_lines(path: &str, sourced_at: u32) -> u32 {
    let mut libraries = LIBRARIES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let index = match libraries
        .iter()
        .position(|(p, at)| p == path && *at == sourced_at)
    {
        Some(i) => i,
        None => {
            libraries.push((path.to_string(), sourced_at));
            libraries.len() - 1
        }
    };
    match u32::try_from(index + 1) {
        Ok(file) if file < (1 << 12) => file << 20,
        _ => 0,
    }
}

/// The library a line numbered by [`library_lines`] is in, and the line that sources it.
fn library_of(line: u32) -> Option<(String, u32)> {
    let file = usize::try_from(line >> 20).ok()?.checked_sub(1)?;
    LIBRARIES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(file)
        .cloned()
}

/// Whether `line` is one of the script's own lines (not a sourced library's,
/// [`library_lines`]).
#[must_use]
pub fn in_script(line: u32) -> bool {
    line <= LINE_MASK
}

/// A parse failure, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

pub(super) fn options() -> brush_parser::ParserOptions {
    brush_parser::ParserOptions::default()
}

/// How many distinct words each generation of a thread's word cache holds ([`WordCache`]).
const WORD_CACHE_SIZE: usize = 2048;

type WordMap =
    std::collections::HashMap<String, Rc<Option<Vec<WordPieceWithSource>>>, crate::fnv::BuildFnv>;

/// Parsed words in two generations of at most [`WORD_CACHE_SIZE`] each: a word found in the
/// older one moves to the newer, and when the newer is full it becomes the older (the older is
/// dropped). So the cache always holds at least the last [`WORD_CACHE_SIZE`] distinct words
/// used and at most twice that, and a working set slightly larger than one generation (a
/// host's scripts read one after another) is not lost whole, as it was when one map was
/// cleared on filling up.
struct WordCache {
    new: WordMap,
    old: WordMap,
}

impl WordCache {
    fn new() -> Self {
        WordCache {
            new: WordMap::with_capacity_and_hasher(WORD_CACHE_SIZE, Default::default()),
            old: WordMap::with_hasher(Default::default()),
        }
    }

    fn get(&mut self, text: &str) -> Option<Rc<Option<Vec<WordPieceWithSource>>>> {
        if let Some(hit) = self.new.get(text) {
            return Some(Rc::clone(hit));
        }
        let (key, hit) = self.old.remove_entry(text)?;
        self.insert(key, Rc::clone(&hit));
        Some(hit)
    }

    fn insert(&mut self, text: String, parsed: Rc<Option<Vec<WordPieceWithSource>>>) {
        if self.new.len() >= WORD_CACHE_SIZE {
            let full = std::mem::replace(
                &mut self.new,
                WordMap::with_capacity_and_hasher(WORD_CACHE_SIZE, Default::default()),
            );
            self.old = full;
        }
        self.new.insert(text, parsed);
    }
}

thread_local! {
    /// Words parsed by this thread: the same text recurs across a script's actions, its second
    /// reading and a host's scripts. brush's own cache of the last 64 words sits behind one
    /// process-wide lock and copies each word and its pieces into it.
    static WORDS: std::cell::RefCell<WordCache> = std::cell::RefCell::new(WordCache::new());
}

/// The pieces of the shell word `text` (`None` when brush cannot parse it): what
/// `brush_parser::word::parse` gives, once per distinct text and thread (while it stays in
/// the thread's [`WordCache`]).
fn parse_word(text: &str) -> Rc<Option<Vec<WordPieceWithSource>>> {
    if let Some(hit) = WORDS.with(|w| w.borrow_mut().get(text)) {
        return hit;
    }
    let parsed = Rc::new(brush_parser::word::parse(text, &options()).ok());
    WORDS.with(|w| w.borrow_mut().insert(text.to_string(), Rc::clone(&parsed)));
    parsed
}

/// `s` without its quoting, as `brush_parser::unquote_str` gives it (each backslash dropped
/// and the character after it kept, quote characters dropped), without building it a
/// character at a time when `s` holds none of them (most command names and words).
#[must_use]
pub fn unquote(s: &str) -> String {
    if s.bytes().any(|b| matches!(b, b'\\' | b'\'' | b'"')) {
        brush_parser::unquote_str(s)
    } else {
        s.to_string()
    }
}

/// Whether brush's word parser reads `text` as one piece of unquoted literal text, the whole
/// of it (or as no piece at all when it is empty): it holds none of the characters that start
/// another piece (quotes, `$`, a backquote, a backslash, a tilde). Outside a command (as
/// [`parse_word`] asks) nothing else starts one: extended globs and subshells are read only
/// in commands.
fn plain_word(text: &str) -> bool {
    !text
        .bytes()
        .any(|b| matches!(b, b'\'' | b'"' | b'$' | b'`' | b'\\' | b'~'))
}

/// How many distinct command texts (`$( … )` bodies, `eval` lines, exec wrappers) a thread
/// keeps parsed before it starts again.
const PROGRAM_CACHE_SIZE: usize = 256;

type ProgramCache =
    std::collections::HashMap<String, Rc<Option<ast::Program>>, crate::fnv::BuildFnv>;

thread_local! {
    /// Command texts parsed by this thread ([`parse_text`]): a substitution's text is read
    /// again for every action that reaches it and in a script's second reading.
    static PROGRAMS: std::cell::RefCell<ProgramCache> = std::cell::RefCell::new(
        ProgramCache::with_capacity_and_hasher(PROGRAM_CACHE_SIZE, Default::default()),
    );
}

/// `text` parsed as a shell program ([`parse`]), `None` when it is not one; once per
/// distinct text and thread. For the short texts the interpreter reads inside a script (what a
/// substitution runs), never the script itself.
fn parse_text(text: &str) -> Rc<Option<ast::Program>> {
    if let Some(hit) = PROGRAMS.with(|p| p.borrow().get(text).cloned()) {
        return hit;
    }
    let parsed = Rc::new(parse(text).ok());
    PROGRAMS.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= PROGRAM_CACHE_SIZE {
            p.clear();
        }
        p.insert(text.to_string(), Rc::clone(&parsed));
    });
    parsed
}

/// Parses `text` as a (bash-compatible) shell program.
///
/// # Errors
/// A syntax error, located at its cause: the quote, `if`, `case`, loop or brace that is never
/// closed, or the keyword or `;;` that stands where it cannot (brush itself only says where it
/// gave up, often the end of the script).
///
/// The tokens come from [`super::tokenize`] (brush's tokens, read faster); where it refuses,
/// brush's own tokenizer runs and its error is the one reported. The program comes from
/// [`super::parse`] (brush's tree, built without its PEG parser); where that refuses (every
/// syntax error, a few rare constructs), from brush's `parse_tokens`, whose error is reported.
pub fn parse(text: &str) -> Result<ast::Program, ParseFailure> {
    let parsed = match super::tokenize::tokenize(text) {
        // Our parser reads what it can; brush's reads the rest (and reports the errors).
        Ok(tokens) => match super::parse::parse(&tokens) {
            Some(program) => Ok(program),
            None => brush_parser::parse_tokens(&tokens, &options()),
        },
        Err(super::tokenize::Refusal::Endless { line, column }) => {
            return Err(ParseFailure {
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
                message: "this here-document has no tag word, so it is never ended".to_string(),
            });
        }
        Err(super::tokenize::Refusal::Fails) => {
            brush_parser::Parser::new(std::io::Cursor::new(text.as_bytes()), &options())
                .parse_program()
        }
    };
    parsed.map_err(|e| {
        let at = |p: &brush_parser::SourcePosition| {
            (
                u32::try_from(p.line).unwrap_or(u32::MAX),
                u32::try_from(p.column).unwrap_or(u32::MAX),
            )
        };
        let end = (
            u32::try_from(text.lines().count().max(1)).unwrap_or(u32::MAX),
            1,
        );
        let (line, column, message) = match &e {
            brush_parser::ParseError::Tokenizing { inner, position } => {
                use brush_parser::TokenizerError as T;
                let opened = match inner {
                    T::UnterminatedSingleQuote(p) => Some((p, "single quote")),
                    T::UnterminatedDoubleQuote(p) => Some((p, "double quote")),
                    T::UnterminatedBackquote(p) => Some((p, "backquote")),
                    T::UnterminatedAnsiCQuote(p) => Some((p, "$'…' quote")),
                    T::UnterminatedExtendedGlob(p) => Some((p, "extended glob")),
                    _ => None,
                };
                // A `$(`/`${` left open on an earlier line than the quote brush stopped at
                // comes first: that quote was most likely meant to close something else.
                // Likewise a string that runs over line breaks before it.
                let expansion = lexical_fault(text).filter(|(l, c, m)| {
                    let (l, c) = (*l as usize, *c as usize);
                    (m.contains("`$") && opened.is_none_or(|(p, _)| l < p.line))
                        || (m.contains("most likely")
                            && opened.is_none_or(|(p, _)| (l, c) < (p.line, p.column)))
                });
                // `<<EOF` whose `EOF` line never comes: brush gives where the tags stand.
                let here_doc = match inner {
                    T::UnterminatedHereDocuments(tags, at) => at
                        .trim_matches(|c| c == '[' || c == ']')
                        .split(|c: char| !c.is_ascii_digit())
                        .filter_map(|n| n.parse::<u32>().ok())
                        .collect::<Vec<_>>()
                        .get(..2)
                        .map(|lc| {
                            // Back to the `<<` itself.
                            let column = text
                                .lines()
                                .nth(lc[0].saturating_sub(1) as usize)
                                .and_then(|l| {
                                    let before: String =
                                        l.chars().take(lc[1] as usize).collect();
                                    before.rfind("<<").map(|b| before[..b].chars().count() + 1)
                                })
                                .and_then(|c| u32::try_from(c).ok())
                                .unwrap_or(lc[1]);
                            (
                                lc[0],
                                column,
                                format!(
                                    "this here-document is never ended: no line `{}` follows",
                                    tags.split(',').next().unwrap_or(tags).trim()
                                ),
                            )
                        }),
                    _ => None,
                };
                match (opened, expansion.or(here_doc)) {
                    (_, Some(f)) => f,
                    (Some((p, what)), None) => {
                        let (l, c) = at(p);
                        (l, c, format!("this {what} is never closed"))
                    }
                    (None, None) => lexical_fault(text).unwrap_or_else(|| {
                        let (l, c) = position.as_ref().map_or(end, at);
                        (l, c, format!("shell syntax error: {inner}"))
                    }),
                }
            }
            brush_parser::ParseError::ParsingNear(p) => match lexical_fault(text)
                .or_else(|| structure_fault(text))
            {
                Some(f) => f,
                None => {
                    let (l, c) = at(p);
                    (l, c, "shell syntax error here".to_string())
                }
            },
            brush_parser::ParseError::ParsingAtEndOfInput => lexical_fault(text)
                .or_else(|| structure_fault(text))
                .unwrap_or((
                end.0,
                end.1,
                "unexpected end of the script: an `if`, `case`, loop, brace or quote is not closed"
                    .to_string(),
            )),
        };
        ParseFailure {
            line,
            column,
            message,
        }
    })
}

/// Finds a quote, backquote, `$(`, `$((` or `${` that is never closed, reading the characters
/// (comments and here-document bodies skipped), as `(line, column, message)`.
fn lexical_fault(text: &str) -> Option<(u32, u32, String)> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Ctx {
        Single,
        Double,
        Back,
        /// `$(`, with the depth of parentheses opened inside it and the number of `case`
        /// commands open inside it (whose patterns end with a `)` of their own).
        Sub(u32, u32),
        Arith(u32),
        Param,
    }
    let chars: Vec<char> = text.chars().collect();
    let mut open: Vec<(Ctx, (u32, u32))> = Vec::new();
    // Here-document delimiters to read after the current line: (word, tabs stripped).
    let mut pending: Vec<(String, bool)> = Vec::new();
    // The first quoted string that ran over a line break: (opening, the line it closed on).
    let mut first_multiline: Option<((u32, u32), u32)> = None;
    let (mut line, mut col) = (1u32, 1u32);
    let mut i = 0;
    let advance = |i: &mut usize, line: &mut u32, col: &mut u32, n: usize| {
        for _ in 0..n {
            if chars.get(*i) == Some(&'\n') {
                *line += 1;
                *col = 1;
            } else {
                *col += 1;
            }
            *i += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let here = (line, col);
        let top = open.last().map(|(c, _)| *c);
        let code = matches!(top, None | Some(Ctx::Sub(..) | Ctx::Arith(_)));
        let closes = match top {
            Some(Ctx::Single) => {
                if c != '\'' {
                    advance(&mut i, &mut line, &mut col, 1);
                    continue;
                }
                true
            }
            Some(Ctx::Back) => c == '`',
            Some(Ctx::Double) => c == '"',
            Some(Ctx::Param) => c == '}',
            _ => false,
        };
        if closes {
            if let Some((Ctx::Single | Ctx::Double, (l, c))) = open.pop()
                && l < line
                && first_multiline.is_none()
            {
                first_multiline = Some(((l, c), line));
            }
            advance(&mut i, &mut line, &mut col, 1);
            continue;
        }
        match c {
            '\\' => advance(&mut i, &mut line, &mut col, 2),
            '$' if next == Some('(') && chars.get(i + 2) == Some(&'(') => {
                open.push((Ctx::Arith(0), here));
                advance(&mut i, &mut line, &mut col, 3);
            }
            '$' if next == Some('(') => {
                open.push((Ctx::Sub(0, 0), here));
                advance(&mut i, &mut line, &mut col, 2);
            }
            '$' if next == Some('{') => {
                open.push((Ctx::Param, here));
                advance(&mut i, &mut line, &mut col, 2);
            }
            '`' => {
                open.push((Ctx::Back, here));
                advance(&mut i, &mut line, &mut col, 1);
            }
            '"' => {
                open.push((Ctx::Double, here));
                advance(&mut i, &mut line, &mut col, 1);
            }
            '\'' if top != Some(Ctx::Double) => {
                open.push((Ctx::Single, here));
                advance(&mut i, &mut line, &mut col, 1);
            }
            '(' if code => {
                if let Some((Ctx::Sub(d, _) | Ctx::Arith(d), _)) = open.last_mut() {
                    *d += 1;
                }
                advance(&mut i, &mut line, &mut col, 1);
            }
            ')' if code => {
                match open.last_mut() {
                    Some((Ctx::Sub(0, 0), _)) => {
                        open.pop();
                    }
                    Some((Ctx::Arith(0), _)) if next == Some(')') => {
                        open.pop();
                        advance(&mut i, &mut line, &mut col, 1);
                    }
                    Some((Ctx::Sub(0, _), _)) => {}
                    Some((Ctx::Sub(d, _) | Ctx::Arith(d), _)) => *d = d.saturating_sub(1),
                    _ => {}
                }
                advance(&mut i, &mut line, &mut col, 1);
            }
            '#' if code
                && (i == 0 || chars[i - 1].is_whitespace() || ";&|(".contains(chars[i - 1])) =>
            {
                while i < chars.len() && chars[i] != '\n' {
                    advance(&mut i, &mut line, &mut col, 1);
                }
            }
            '<' if code && next == Some('<') && chars.get(i + 2) != Some(&'<') => {
                advance(&mut i, &mut line, &mut col, 2);
                let strip = chars.get(i) == Some(&'-');
                if strip {
                    advance(&mut i, &mut line, &mut col, 1);
                }
                while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
                    advance(&mut i, &mut line, &mut col, 1);
                }
                let mut word = String::new();
                while let Some(&c) = chars.get(i) {
                    if c.is_whitespace() || ";&|<>()".contains(c) {
                        break;
                    }
                    if !"'\"\\".contains(c) {
                        word.push(c);
                    }
                    advance(&mut i, &mut line, &mut col, 1);
                }
                if !word.is_empty() {
                    pending.push((word, strip));
                }
            }
            '\n' if code && !pending.is_empty() => {
                advance(&mut i, &mut line, &mut col, 1);
                // The bodies, one after the other, each up to its delimiter line.
                for (word, strip) in std::mem::take(&mut pending) {
                    loop {
                        if i >= chars.len() {
                            // brush reports an unterminated here-document itself.
                            return None;
                        }
                        let start = i;
                        while i < chars.len() && chars[i] != '\n' {
                            i += 1;
                        }
                        let body: String = chars[start..i].iter().collect();
                        let body = if strip {
                            body.trim_start_matches('\t')
                        } else {
                            body.as_str()
                        };
                        let done = body == word;
                        i = (i + 1).min(chars.len());
                        line += 1;
                        col = 1;
                        if done {
                            break;
                        }
                    }
                }
            }
            c if c.is_ascii_alphabetic()
                && matches!(top, Some(Ctx::Sub(..)))
                && (i == 0 || chars[i - 1].is_whitespace() || ";&|(".contains(chars[i - 1])) =>
            {
                let word: String = chars[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .collect();
                let ends = chars
                    .get(i + word.len())
                    .is_none_or(|c| c.is_whitespace() || ";&|)".contains(*c));
                if let Some((Ctx::Sub(_, cases), _)) = open.last_mut()
                    && ends
                {
                    match word.as_str() {
                        "case" => *cases += 1,
                        "esac" => *cases = cases.saturating_sub(1),
                        _ => {}
                    }
                }
                advance(&mut i, &mut line, &mut col, word.len().max(1));
            }
            _ => advance(&mut i, &mut line, &mut col, 1),
        }
    }
    // The outermost substitution or expansion left open (quotes inside it were most likely
    // meant to close something else), else the innermost quote.
    let (ctx, (l, c)) = open
        .iter()
        .find(|(c, _)| !matches!(c, Ctx::Single | Ctx::Double))
        .or_else(|| open.last())
        .copied()?;
    let message = match ctx {
        Ctx::Single => "this single quote is never closed",
        Ctx::Double => "this double quote is never closed",
        Ctx::Back => "this backquote is never closed",
        Ctx::Sub(..) => "this `$(` is never closed with `)`",
        Ctx::Arith(_) => "this `$((` is never closed with `))`",
        Ctx::Param => "this `${` is never closed with `}`",
    };
    // A quote left alone at the end pairs, in the shell's reading, with every quote after the
    // one really missing: when an earlier string ran over a line break, its opening quote is
    // most likely the one never closed.
    if let (Ctx::Single | Ctx::Double, Some(((ml, mc), to))) = (ctx, first_multiline)
        && (ml, mc) < (l, c)
    {
        return Some((
            ml,
            mc,
            format!(
                "this quote is most likely never closed: the string it opens runs on to line {to}, and the quote at line {l}, column {c} is left unpaired at the end"
            ),
        ));
    }
    Some((l, c, message.to_string()))
}

/// An open compound command while [`structure_fault`] reads the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    /// `if`/`elif` before its `then`.
    IfCondition,
    /// After `then` or `else`.
    IfBody,
    /// After `case`, before `in`.
    CaseWord,
    /// Reading a pattern list (after `in` or `;;`).
    CasePattern,
    /// Inside an arm (after the pattern's `)`).
    CaseArm,
    /// `for`/`select` before `do`.
    ForHeader,
    /// `while`/`until` before `do`.
    LoopCondition,
    /// Between `do` and `done`.
    LoopBody,
    Brace,
    Subshell,
}

/// Finds the construct a syntax error comes from, reading the tokens the way the grammar nests
/// `if`/`case`/loops/braces (keywords count only where a command starts): the first keyword or
/// `;;` that closes nothing open, or the innermost construct left open at the first token it
/// cannot take, or at the end. `(line, column, message)`; `None` when the nesting is sound.
fn structure_fault(text: &str) -> Option<(u32, u32, String)> {
    let tokens = brush_parser::tokenize_str(text).ok()?;
    let pos = |t: &brush_parser::Token| {
        let p = &t.location().start;
        (
            u32::try_from(p.line).unwrap_or(u32::MAX),
            u32::try_from(p.column).unwrap_or(u32::MAX),
        )
    };
    let name = |o: Open, kw: &str| match o {
        Open::IfCondition | Open::IfBody => ("`if`", "`fi`"),
        Open::CaseWord | Open::CasePattern | Open::CaseArm => ("`case`", "`esac`"),
        Open::ForHeader | Open::LoopCondition | Open::LoopBody => match kw {
            "for" => ("`for` loop", "`done`"),
            "select" => ("`select` loop", "`done`"),
            "until" => ("`until` loop", "`done`"),
            _ => ("`while` loop", "`done`"),
        },
        Open::Brace => ("`{`", "`}`"),
        Open::Subshell => ("`(`", "`)`"),
    };
    // (what, opening keyword, where it opened)
    let mut stack: Vec<(Open, String, (u32, u32))> = Vec::new();
    let unclosed_before = |stack: &[(Open, String, (u32, u32))], tok: &str, at: (u32, u32)| {
        let (o, kw, (l, c)) = stack.last()?;
        let (what, closer) = name(*o, kw);
        let missing = match (o, tok) {
            (Open::IfCondition, "fi" | "elif" | "else") => "`then`".to_string(),
            (Open::ForHeader | Open::LoopCondition, "done") => "`do`".to_string(),
            _ => format!("is not closed with {closer}"),
        };
        let missing = if missing.starts_with("is ") {
            missing
        } else {
            format!("has no {missing}")
        };
        Some((
            *l,
            *c,
            format!(
                "this {what} {missing} before the `{tok}` at line {}, column {}",
                at.0, at.1
            ),
        ))
    };
    let mut command_start = true;
    // Words to skip: redirection targets, here-document tags and bodies.
    let mut skip = 0usize;
    // The previous token was `function` (the next word is its name).
    let mut function_name = false;
    // The last word read and where it stands.
    let mut last_word: Option<(String, (u32, u32))> = None;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let at = pos(t);
        i += 1;
        let top = stack.last().map(|(o, _, _)| *o);
        match t {
            brush_parser::Token::Operator(op, _) => {
                match op.as_str() {
                    "\n" | ";" | "&" | "&&" | "||" | "|" | "|&" => command_start = true,
                    ";;" | ";&" | ";;&" => match top {
                        Some(Open::CaseArm) => {
                            if let Some(f) = stack.last_mut() {
                                f.0 = Open::CasePattern;
                            }
                            command_start = false;
                        }
                        _ if stack.iter().any(|(o, _, _)| *o == Open::CaseArm) => {
                            return unclosed_before(&stack, op, at);
                        }
                        _ => {
                            return Some((
                                at.0,
                                at.1,
                                format!("this `{op}` stands outside any `case`"),
                            ));
                        }
                    },
                    "(" => {
                        if top == Some(Open::CasePattern) {
                            // `(pattern)`: the optional opening parenthesis.
                        } else if tokens.get(i).is_some_and(|n| n.to_str() == ")") {
                            // `name ()`: a function definition.
                            i += 1;
                            command_start = true;
                        } else {
                            stack.push((Open::Subshell, "(".to_string(), at));
                            command_start = true;
                        }
                    }
                    ")" => match top {
                        Some(Open::CasePattern) => {
                            if let Some(f) = stack.last_mut() {
                                f.0 = Open::CaseArm;
                            }
                            command_start = true;
                        }
                        Some(Open::Subshell) => {
                            stack.pop();
                            command_start = false;
                        }
                        _ => {
                            if stack.iter().any(|(o, _, _)| *o == Open::Subshell) {
                                return unclosed_before(&stack, op, at);
                            }
                            // `PATTERN)` inside an arm: the arm before lacks its `;;`.
                            if top == Some(Open::CaseArm)
                                && let Some((word, (l, c))) = &last_word
                            {
                                return Some((
                                    *l,
                                    *c,
                                    format!(
                                        "the `case` arm before `{word})` is not ended with `;;`"
                                    ),
                                ));
                            }
                            return Some((at.0, at.1, "this `)` closes nothing".to_string()));
                        }
                    },
                    "<<" | "<<-" => skip = 3,
                    _ if op.contains(['<', '>']) => skip = 1,
                    _ => {}
                }
                continue;
            }
            brush_parser::Token::Word(w, _) => {
                last_word = Some((w.clone(), at));
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                if function_name {
                    function_name = false;
                    command_start = true;
                    continue;
                }
                match top {
                    Some(Open::CaseWord) => {
                        if w == "in"
                            && let Some(f) = stack.last_mut()
                        {
                            f.0 = Open::CasePattern;
                        }
                        continue;
                    }
                    Some(Open::CasePattern) => {
                        if w == "esac" {
                            stack.pop();
                            command_start = false;
                        }
                        continue;
                    }
                    Some(Open::ForHeader) if !command_start => continue,
                    Some(Open::ForHeader) if w != "do" => {
                        let (_, kw, (l, c)) = stack.last()?;
                        return Some((
                            *l,
                            *c,
                            format!(
                                "this `{kw}` loop has no `do` before the `{w}` at line {}, column {}",
                                at.0, at.1
                            ),
                        ));
                    }
                    _ => {}
                }
                if !command_start {
                    continue;
                }
                let reserved = |open: &[Open]| top.is_some_and(|o| open.contains(&o));
                let stray = |what: &str| Some((at.0, at.1, format!("this `{w}` {what}")));
                match w.as_str() {
                    "if" => stack.push((Open::IfCondition, w.clone(), at)),
                    "then" | "elif" | "else" | "fi" => {
                        let ok = if w == "then" {
                            reserved(&[Open::IfCondition])
                        } else {
                            reserved(&[Open::IfBody])
                        };
                        if !ok {
                            if stack
                                .iter()
                                .any(|(o, _, _)| matches!(o, Open::IfCondition | Open::IfBody))
                            {
                                return unclosed_before(&stack, w, at);
                            }
                            return if w == "fi" {
                                stray("closes no `if`")
                            } else {
                                stray("belongs to no `if`")
                            };
                        }
                        match w.as_str() {
                            "fi" => {
                                stack.pop();
                                command_start = false;
                                continue;
                            }
                            "elif" => {
                                if let Some(f) = stack.last_mut() {
                                    f.0 = Open::IfCondition;
                                }
                            }
                            _ => {
                                if let Some(f) = stack.last_mut() {
                                    f.0 = Open::IfBody;
                                }
                            }
                        }
                    }
                    "case" => {
                        stack.push((Open::CaseWord, w.clone(), at));
                        command_start = false;
                        continue;
                    }
                    "esac" => {
                        if reserved(&[Open::CaseArm]) {
                            stack.pop();
                            command_start = false;
                            continue;
                        }
                        if stack.iter().any(|(o, _, _)| *o == Open::CaseArm) {
                            return unclosed_before(&stack, w, at);
                        }
                        return stray("closes no `case`");
                    }
                    "for" | "select" => {
                        stack.push((Open::ForHeader, w.clone(), at));
                        command_start = false;
                        continue;
                    }
                    "while" | "until" => stack.push((Open::LoopCondition, w.clone(), at)),
                    "do" => {
                        if !reserved(&[Open::ForHeader, Open::LoopCondition]) {
                            if stack
                                .iter()
                                .any(|(o, _, _)| matches!(o, Open::ForHeader | Open::LoopCondition))
                            {
                                return unclosed_before(&stack, w, at);
                            }
                            return stray("belongs to no `for`, `while` or `until`");
                        }
                        if let Some(f) = stack.last_mut() {
                            f.0 = Open::LoopBody;
                        }
                    }
                    "done" => {
                        if !reserved(&[Open::LoopBody]) {
                            if stack.iter().any(|(o, _, _)| {
                                matches!(o, Open::ForHeader | Open::LoopCondition | Open::LoopBody)
                            }) {
                                return unclosed_before(&stack, w, at);
                            }
                            return stray("closes no loop");
                        }
                        stack.pop();
                        command_start = false;
                        continue;
                    }
                    "{" => stack.push((Open::Brace, w.clone(), at)),
                    "}" => {
                        if !reserved(&[Open::Brace]) {
                            if stack.iter().any(|(o, _, _)| *o == Open::Brace) {
                                return unclosed_before(&stack, w, at);
                            }
                            return stray("closes no `{`");
                        }
                        stack.pop();
                        command_start = false;
                        continue;
                    }
                    "function" => {
                        function_name = true;
                        continue;
                    }
                    "!" | "time" => {}
                    _ => {
                        // Assignments before a command leave the command still to come.
                        let assignment = w.split_once('=').is_some_and(|(n, _)| {
                            !n.is_empty()
                                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                                && !n.starts_with(|c: char| c.is_ascii_digit())
                        });
                        command_start = assignment;
                        continue;
                    }
                }
                command_start = true;
            }
        }
    }
    let (o, kw, (l, c)) = stack.pop()?;
    let (what, closer) = name(o, &kw);
    Some((l, c, format!("this {what} is never closed with {closer}")))
}

/// A piece of an expanded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    /// A variable the unit must read at start (it comes from an environment file).
    Var(String),
    /// Something only running the script could tell (a command substitution, `$$`, …); the
    /// text says what.
    Unknown(String),
}

/// One argument after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Exactly one argument.
    Field(Vec<Part>),
    /// An unquoted variable from an environment file: zero or more arguments.
    Split(String),
}

impl Arg {
    /// The argument's text when it is fully known.
    #[must_use]
    pub fn literal(&self) -> Option<String> {
        match self {
            Arg::Field(parts) => {
                let mut text = String::new();
                for p in parts {
                    match p {
                        Part::Lit(s) => text.push_str(s),
                        _ => return None,
                    }
                }
                Some(text)
            }
            Arg::Split(_) => None,
        }
    }

    /// A readable rendering (`$NAME` for variables, `…` for unknowns).
    #[must_use]
    pub fn display(&self) -> String {
        match self {
            Arg::Split(n) => format!("${n}"),
            Arg::Field(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => s.clone(),
                    Part::Var(v) => format!("${{{v}}}"),
                    Part::Unknown(u) => u.clone(),
                })
                .collect(),
        }
    }

    /// Whether any part can only be known by running the script.
    #[must_use]
    pub fn unknown(&self) -> bool {
        matches!(self, Arg::Field(p) if p.iter().any(|p| matches!(p, Part::Unknown(_))))
    }
}

/// The script's variables by name. The names are shared (`Rc<str>`): the interpreter copies the
/// whole map at every `if` whose test it cannot decide, and a copy then allocates nothing.
pub type Env = BTreeMap<Rc<str>, Rc<Binding>>;

/// A `sed -n 's/^PREFIX\(.*\)SUFFIX$/REPL/p'` this reading runs: literal text around at most
/// one `\(.*\)` group, anchored or not, and a replacement of literal text and `\1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SedSubstitution {
    start: bool,
    end: bool,
    prefix: String,
    /// `Some(suffix)` when the pattern has the group.
    group: Option<String>,
    replacement: Vec<Option<String>>,
}

impl SedSubstitution {
    /// The substitution, when `script` is one this reading can run exactly.
    #[must_use]
    pub fn parse(script: &str) -> Option<Self> {
        let rest = script.strip_prefix("s/")?;
        let (pattern, rest) = rest.split_once('/')?;
        let (replacement, flags) = rest.split_once('/')?;
        if flags != "p" {
            return None;
        }
        let (start, pattern) = match pattern.strip_prefix('^') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        let (end, pattern) = match pattern.strip_suffix('$') {
            Some(p) if !p.ends_with('\\') => (true, p),
            _ => (false, pattern),
        };
        let literal = |t: &str| {
            !t.chars()
                .any(|c| matches!(c, '.' | '*' | '[' | ']' | '\\' | '^' | '$'))
        };
        let (prefix, group) = match pattern.split_once("\\(.*\\)") {
            Some((a, b)) if literal(a) && literal(b) => (a.to_string(), Some(b.to_string())),
            Some(_) => return None,
            None if literal(pattern) => (pattern.to_string(), None),
            None => return None,
        };
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = replacement.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next()? {
                    '1' if group.is_some() => {
                        parts.push(Some(std::mem::take(&mut text)));
                        parts.push(None);
                    }
                    '/' => text.push('/'),
                    _ => return None,
                },
                '&' => return None,
                c => text.push(c),
            }
        }
        parts.push(Some(text));
        Some(SedSubstitution {
            start,
            end,
            prefix,
            group,
            replacement: parts,
        })
    }

    /// What `sed -n` prints for `line`: the line with the first match replaced, or nothing
    /// when the pattern does not match.
    #[must_use]
    pub fn apply(&self, line: &str) -> Option<String> {
        let candidates: Vec<usize> = if self.start {
            vec![0]
        } else {
            line.match_indices(self.prefix.as_str())
                .map(|(i, _)| i)
                .collect()
        };
        for at in candidates {
            let after = line.get(at..)?.strip_prefix(self.prefix.as_str())?;
            let (captured, rest) = match &self.group {
                // `.*` is greedy: the last place the suffix fits (the end, when anchored).
                Some(suffix) => {
                    let cut = if self.end {
                        after.strip_suffix(suffix.as_str()).map(str::len)
                    } else {
                        after.rfind(suffix.as_str())
                    };
                    let Some(cut) = cut else { continue };
                    (&after[..cut], &after[cut + suffix.len()..])
                }
                None if self.end && !after.is_empty() => continue,
                None => ("", after),
            };
            let replaced: String = self
                .replacement
                .iter()
                .map(|p| p.as_deref().unwrap_or(captured))
                .collect();
            return Some(format!("{}{replaced}{rest}", &line[..at]));
        }
        None
    }
}

/// Whether a service's environment may set `name` before the script runs: what systemd passes
/// every service (and `service` keeps: `PATH`, `TERM`, the locale), the variables it sets for
/// a unit (`INVOCATION_ID`, `JOURNAL_STREAM`, `LISTEN_*`, `NOTIFY_SOCKET`, …, `HOME`/`USER`…
/// with `User=`) and those init passes scripts (`RUNLEVEL`, `PREVLEVEL`, `CONSOLE`).
#[must_use]
pub fn from_service_environment(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "PATH",
        "TERM",
        "LANG",
        "LANGUAGE",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "PWD",
        "OLDPWD",
        "INVOCATION_ID",
        "JOURNAL_STREAM",
        "NOTIFY_SOCKET",
        "WATCHDOG_PID",
        "WATCHDOG_USEC",
        "MAINPID",
        "MANAGERPID",
        "SYSTEMD_EXEC_PID",
        "RUNLEVEL",
        "PREVLEVEL",
        "CONSOLE",
        "INIT_VERSION",
        "IFS",
        "PS1",
        "PS2",
        "PS4",
        "OPTIND",
        "PPID",
    ];
    NAMES.contains(&name)
        || name.starts_with("LC_")
        || name.starts_with("LISTEN_")
        || name.starts_with("SYSTEMD_")
        || name.ends_with("_DIRECTORY")
        || name.starts_with("CREDENTIALS_")
}

/// A variable as the script leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The value on this host (the defaults file's when it sets it).
    pub value: Vec<Part>,
    /// Set by a sourced defaults file, or assigned before a defaults file that is missing on
    /// the host: the unit must read it at start.
    pub overridable: bool,
    /// The script's own value before a defaults file could change it (`Environment=`).
    pub script_default: Option<Vec<Part>>,
    /// Assigned on only some paths (inside an `if`, a loop or a `case` arm), so the value is
    /// one of several: tests on it are not decided.
    pub uncertain: bool,
    /// For an uncertain value that comes from `if` tests this reading could not decide: the
    /// value is the likely path's ([`Interp::likely`]), and these are the others, each with
    /// the test that leads to it. Empty when some path is not known (a loop, a `case` arm, an
    /// `&&`): then no value can be chosen.
    pub alternatives: Vec<Alternative>,
    /// How many undecided tests enclosed the assignment ([`Call::cond_depth`]).
    pub at_depth: u32,
    /// For a value assigned directly on a path (not merged from several, not in a loop): the
    /// undecided branches enclosing the assignment ([`Interp::branch`]). A use inside all of
    /// them runs only after the assignment, so there the value is the one value
    /// ([`Interp::uncertain_here`]). `None`: one of several wherever it is read.
    pub scope: Option<Vec<u32>>,
}

/// Another value an uncertain variable has when an undecided test goes the other way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    /// The test, as the script writes it.
    pub test: String,
    pub line: u32,
    /// Whether the alternative is the test succeeding (the likely path takes it as failing).
    pub holds: bool,
    /// The variable's value then.
    pub value: Vec<Part>,
}

/// A sourced file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    pub path: String,
    pub line: u32,
    pub kind: SourceKind,
    /// Whether the host has it.
    pub present: bool,
    /// Whether the script checks for it first (`[ -r f ] && . f`).
    pub optional: bool,
    /// Variables it assigns.
    pub assigns: Vec<String>,
    /// Lines of it that are more than `NAME=value` (systemd's environment files cannot do
    /// them).
    pub shell_lines: Vec<u32>,
}

/// What a sourced file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `/etc/default/*`, `/etc/sysconfig/*`: settings.
    Defaults,
    /// `/lib/lsb/init-functions`, `/lib/init/vars.sh`, RHEL's `functions`: helpers.
    Library,
    /// `/lib/init/init-d-script`: the framework runs the script.
    InitDScript,
    /// A settings file per configuration of a per-configuration loop
    /// (`. /etc/arpwatch/$IFACE.iface` in the loop's body): its path holds the loop's token.
    Instance,
    /// Anything else.
    Other,
}

/// A command the script runs, with its words expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub args: Vec<Arg>,
    pub line: u32,
    pub column: u32,
    /// Inside a `for`/`while` loop.
    pub in_loop: bool,
    /// Run with `&`.
    pub background: bool,
    /// Part of a pipeline with other commands.
    pub piped: bool,
    /// Only on some paths (`if`, `&&`, `||`, a `case` arm not known to match).
    pub conditional: bool,
    /// Its exit status decides what happens next (`if CMD`, `CMD && …`, `CMD || …`).
    pub tested: bool,
    /// Redirected to a file other than `/dev/null`.
    pub redirected: bool,
    /// Where standard output goes when redirected to a file (`>>FILE`, `>FILE`, `&>FILE`),
    /// whether standard error follows it (`2>&1`, `&>`), and whether the file is truncated
    /// first (`>`, `>|`, `&>`) rather than appended to (`>>`, `&>>`).
    pub output: Option<(String, bool, bool)>,
    /// Standard output sent into `logger` (`> >(logger …)`, `| logger …`).
    pub logger: Option<LoggerPipe>,
    /// The command is a shell function this reading did not inline, defined in this file (the
    /// script, a sourced library, the init-d-script framework): never a program to run.
    pub function: Option<String>,
    /// Variables its words expand that hold one of several values (assigned on only some
    /// paths, or from such a variable): what the command line is depends on the run.
    pub uncertain: Vec<String>,
    /// Run inside the command substitution of an assignment (`U=$(grep … | sed …)`): its
    /// output is the value.
    pub captured: bool,
    /// Such variables in a starter's pid file option only (`start_daemon -p "$pidfile"`,
    /// `start-stop-daemon --pidfile $P`): the file it checks, never the daemon's arguments.
    pub uncertain_pid_file: Vec<String>,
    /// How many tests this reading could not decide enclose it (`if`, `&&`/`||`, loops, `case`
    /// arms): of two calls, the deeper one runs on fewer paths.
    pub cond_depth: u32,
    /// Off the likely path through undecided `if` tests ([`Interp::likely`]): the test that
    /// leads here and whether it succeeds on this path.
    pub unlikely: Option<(String, u32, bool)>,
    /// The undecided `if`/`elif` tests that enclose it, outermost first: the test, its line,
    /// and whether it succeeds on the way here (`false`: an earlier branch's test failed).
    pub under: Vec<(String, u32, bool)>,
}

impl Call {
    /// The command name when known.
    #[must_use]
    pub fn program(&self) -> Option<String> {
        self.args.first().and_then(Arg::literal)
    }

    /// The whole command, readable.
    #[must_use]
    pub fn display(&self) -> String {
        self.args
            .iter()
            .map(Arg::display)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A test of a variable in `[ … ]`/`test` (toggles such as `ENABLED=no` are found this way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestedVar {
    pub name: String,
    pub line: u32,
    /// The test only chooses a setting of the process (`if [ "$ENABLE_COREFILES" = 1 ]; then
    /// ulimit -c unlimited; fi`), not whether the script starts anything: not an on/off switch
    /// of the service, whatever its name.
    pub setting: bool,
}

/// `TEST || exit 0` / `TEST && exit 0` (or a bare `exit`) whose test compares settings
/// (`[ "$STANDALONE_OR_INETD" = standalone ]`, `[ -n "$X" ]`, no file test): where the test
/// goes the wrong way, the action ends with success having started nothing, so the test is a
/// switch of the service whatever the variables are called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The test as written.
    pub test: String,
    pub line: u32,
    /// The variables it reads.
    pub vars: Vec<String>,
    /// Whether, with the values of this host (the defaults file's when read, else the
    /// script's), the action goes on past it; `None` when even those do not tell.
    pub passes: Option<bool>,
    /// The lines of the commands the action ran before the test (none at the top level): a
    /// test after the daemon's start gates no start.
    pub after: Vec<u32>,
}

/// Stands for the configuration a per-configuration loop is at (what the `*` of its pattern
/// matches), followed by a letter naming the loop: a word a command line or file name keeps
/// through the shell's expansions.
pub const INSTANCE: &str = "SYSTEMDIFYINSTANCE";

/// Where a dispatch `case` inside a per-configuration loop stands ([`Interp::case_scope`]).
#[derive(Debug, Clone)]
struct CaseScope {
    env: Env,
    positional: Vec<String>,
}

/// Variables and the values a loop gives them.
type Bindings = Vec<(String, Vec<Part>)>;

/// What a per-configuration loop goes over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoopOver {
    /// A directory's configuration files, by a glob (`for X in /etc/openvpn/*.conf`).
    Files,
    /// The words of a setting (`for IFACE in $INTERFACES`, `INTERFACES` from a defaults
    /// file): the setting's name and the file that sets it on the host (`None` when no file
    /// read sets it).
    Words {
        setting: String,
        file: Option<String>,
    },
    /// The lines of a list file (`while read NET; do …; done < /etc/tinc/nets.boot`, `cat FILE
    /// | while read`, `for X in $(cat FILE)`): the file, and what the script skips of it.
    Lines { file: String, skips: String },
}

/// A loop that starts a daemon once per configuration: over a directory's configuration
/// files, the words of a setting, or the lines of a list file ([`LoopOver`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceLoop {
    /// What it goes over, as the script names it: a glob (`/etc/openvpn/*.conf`), a setting
    /// (`$INTERFACES`) or a file (`/etc/tinc/nets.boot`); one loop per pattern.
    pub pattern: String,
    pub over: LoopOver,
    /// What the loop's variable holds for the `*`: [`INSTANCE`] and a letter, one per loop.
    pub token: String,
    /// What the `*` matches for each file on the host, sorted.
    pub instances: Vec<String>,
    pub line: u32,
}

/// A command whose exit status a test reads (`$?`): its text and line.
pub type StatusOf = (String, u32);

/// The interpreter state.
pub struct Interp<'a> {
    host: &'a Host,
    script_path: String,
    positional: Vec<String>,
    /// Each binding shared with the copies an `if` keeps of the variables, copied when
    /// changed ([`Rc::make_mut`]).
    pub env: Env,
    /// A defaults file was sourced but is missing on the host: any variable may come from it.
    pub defaults_absent: bool,
    /// Inside a branch of a function that the host's values chose (`if [ "$MODE" != slave ];
    /// then return; fi` with `MODE=master`), not under any other test: a `return` there ends
    /// the function on this host.
    decided_branch: bool,
    /// On/off switches a defaults file could set but leaves unset on this host, which tests
    /// deciding by the host's settings took as empty ([`Interp::decide_defaults`]).
    pub unset_switches: Vec<String>,
    /// A defaults file was read: a variable the script never sets may still be set there
    /// later (a commented-out `EXTRA_OPTS=`), so it stays a reference.
    defaults_read: bool,
    /// `${VAR:-x}` defaults seen for variables read from an environment file.
    pub var_defaults: BTreeMap<String, Vec<Part>>,
    /// The functions defined on the path read so far, each with the [`Self::file_bits`] of the
    /// file that defines it.
    functions: BTreeMap<String, (&'a ast::CompoundCommand, u32)>,
    /// Every function name the script, its sourced files and its framework define (anywhere,
    /// also where this reading does not follow), with the file that defines it.
    defined: BTreeMap<String, String>,
    /// Functions of a framework given as the command lines they run (`/lib/init/init-d-script`'s
    /// `do_start_cmd`), used when the script does not define its own.
    pub builtins: BTreeMap<String, Vec<String>>,
    /// The script runs under `/lib/init/init-d-script`: `call NAME` runs `NAME_override` when
    /// the script defines it, else `NAME`.
    pub framework: bool,
    pub sourced: Vec<Sourced>,
    pub calls: Vec<Call>,
    /// The `case` that dispatches the actions (it has a `start` arm).
    pub case: Option<&'a ast::CaseClauseCommand>,
    /// The [`Self::file_bits`] of the file that holds [`Self::case`].
    case_bits: u32,
    /// The last command run and its line: what `$?` holds the exit status of (`None` after
    /// an assignment, which leaves 0).
    last_status: Option<StatusOf>,
    /// Variables holding a command's exit status (`retval=$?`): the command and its line.
    status_vars: BTreeMap<String, StatusOf>,
    /// What `local` hid of [`Self::status_vars`] in each function being run, restored when it
    /// returns.
    local_status: Vec<Vec<(String, Option<StatusOf>)>>,
    /// Tests that read an exit status (`[ "$?" = 1 ]` right after a command, `[ "$retval" = 0 ]`
    /// after `retval=$?`), by their line: the command whose status they read, and its line
    /// ([`super::exit_status`]).
    pub status_tests: BTreeMap<u32, StatusOf>,
    /// The dispatch `case` is in a function a per-configuration loop calls once per
    /// configuration (softflowd's `do_action "$config"`): the variables, arguments and loop
    /// state where it stands, so that each action is read as the loop runs it.
    case_scope: Option<CaseScope>,
    /// `test -x FILE || exit 0` at the top level.
    pub exec_conditions: Vec<String>,
    /// Other tests of a path that end the script with success when they fail, at the top
    /// level: `[ -f CONF ] || exit 0`, `[ ! -d DIR ] && exit 0` (the test flag, the path, the
    /// line).
    pub path_guards: Vec<(char, String, u32)>,
    /// Variables computed at run time (`X=$(…)`) for which the script's fallback value
    /// (`[ -z "$X" ] && X=value`) is taken: name and value.
    pub assumed: Vec<(String, String)>,
    /// Values read from a host file a command substitution sources (`$(. FILE && echo "$X")`):
    /// the substitution's text, the file and the value.
    pub sourced_values: Vec<(String, String, String)>,
    /// Command substitutions of the script's own functions that only print
    /// (`$(start_opts)`), with their output on this host ([`Interp::function_output`]).
    pub function_outputs: Vec<(String, String)>,
    /// The variables the last `test`/`[` read: a conditional assignment to one of them is a
    /// default for it (`[ -z "$X" ] && X=default`).
    last_test_vars: Vec<String>,
    /// How many undecided tests enclose the command being read ([`Call::cond_depth`]).
    cond_depth: u32,
    /// The command being read is off the likely path ([`Call::unlikely`]).
    unlikely: Option<(String, u32, bool)>,
    /// The undecided tests enclosing the command being read ([`Call::under`]).
    under: Vec<(String, u32, bool)>,
    /// Per-configuration loops read so far.
    pub instance_loops: Vec<InstanceLoop>,
    /// Settings files sourced once per configuration ([`SourceKind::Instance`]), with each
    /// configuration's file on the host.
    pub instance_files: Vec<super::instance_settings::PerInstanceFile>,
    /// The variables as a per-configuration loop's body starts (its variable bound): what
    /// differs from them at a per-configuration sourcing was assigned for the configuration.
    loop_entry: Option<Env>,
    /// Variables a per-configuration loop set once per configuration and left behind
    /// (`opts="$opts -i $iface"`): only a run knows their value ([`Interp::end_instance_loop`]).
    pub loop_built: Vec<String>,
    pub tested: Vec<TestedVar>,
    /// String tests of settings that end the action with success when they fail or hold
    /// (`test "$MODE" = standalone || exit 0`) and that this reading left undecided.
    pub gates: Vec<Gate>,
    /// Variables the script exports to the commands it runs.
    pub exported: Vec<String>,
    /// Decide tests on settings from a defaults file by their value on this host.
    pub decide_defaults: bool,
    /// Settings from a defaults file that decided a test, with the test's line.
    pub decided: Vec<(String, u32)>,
    /// Line of an unconditional `exit` at the top level before the actions.
    pub early_exit: Option<u32>,
    /// Line of an `exit` in a branch the host's settings chose ([`Interp::decide_defaults`]),
    /// which ends the action on this host.
    pub decided_exit: Option<u32>,
    /// Running a branch the host's settings chose, of an `if` on every path: the test depth
    /// of its commands.
    host_branch: Option<u32>,
    /// What the reading took from the host tree or the shell's own rules where the text alone
    /// leaves it open ([`Reading`]): each is reported.
    pub readings: Vec<Reading>,
    /// The script line of the word being expanded (for what a substitution in it decides).
    word_line: u32,
    /// Shell libraries the script sources, parsed ([`Interp::add_library`]).
    libraries: Vec<(String, &'a ast::Program)>,
    /// The high bits of the line numbers of the file whose code is being read: zero for the
    /// script, a sourced library's ([`library_lines`]) while its top level or one of its
    /// functions runs.
    file_bits: u32,
    /// The `if` being read only chooses process settings ([`settings_only`]): a test of an
    /// on/off-looking variable there is decided by the host's value like any setting.
    setting_switch: bool,
    /// The undecided branches enclosing the command being read, outermost first, each by a
    /// number of its own ([`Self::enter_branch`], [`Binding::scope`]).
    branch: Vec<u32>,
    /// The bindings of a call's [`Call::uncertain`] variables where it runs, by its line and
    /// the variable ([`Self::binding_at`]): after the action the same name may hold what
    /// another path left.
    uncertain_at: BTreeMap<(u32, String), Rc<Binding>>,
    /// How many branches were entered so far (the last one's number).
    branches: u32,
    /// In the body of an undecided `if` branch: its [`Self::cond_depth`], where an `exit`
    /// ends that branch's path.
    exit_depth: Option<u32>,
    depth: u32,
    in_loop: bool,
    conditional: bool,
    testing: bool,
    force_testing: bool,
    collecting: bool,
    /// The action whose `case` arm [`Self::run_action`] runs.
    action: Option<String>,
    stopped: bool,
}

/// The line and column of `w` in the file that holds it (the script or a library).
fn raw_line_of(w: &ast::Word) -> (u32, u32) {
    w.loc.as_ref().map_or((0, 0), |l| {
        (
            u32::try_from(l.start.line).unwrap_or(0),
            u32::try_from(l.start.column).unwrap_or(0),
        )
    })
}

/// Appends a part, merging adjacent literals.
/// What `printf FORMAT ARGS…` prints, for the conversions `%s` and `%d` (an argument as it is;
/// a missing one empty), `%%`, and the escapes `\n`, `\t`, `\\`; the format is used again while
/// arguments are left, as the shell's `printf` does. `None` for any other conversion or escape,
/// or a `%d` argument that is not a number.
fn printf(format: &str, args: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut args = args.iter();
    loop {
        let mut converted = false;
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            match c {
                '%' => match chars.next()? {
                    '%' => out.push('%'),
                    conv @ ('s' | 'd') => {
                        converted = true;
                        let arg = args.next().map_or("", String::as_str);
                        if conv == 'd' && !arg.is_empty() && arg.parse::<i64>().is_err() {
                            return None;
                        }
                        out.push_str(if conv == 'd' && arg.is_empty() {
                            "0"
                        } else {
                            arg
                        });
                    }
                    _ => return None,
                },
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    '\\' => out.push('\\'),
                    _ => return None,
                },
                other => out.push(other),
            }
        }
        if !converted || args.len() == 0 {
            return Some(out);
        }
    }
}

fn push_part(out: &mut Vec<(Part, bool)>, part: Part, quoted: bool) {
    if let (Some((Part::Lit(prev), q)), Part::Lit(s)) = (out.last_mut(), &part)
        && *q == quoted
    {
        prev.push_str(s);
        return;
    }
    out.push((part, quoted));
}

/// Whether `s` matches the shell glob `pattern` ([`glob`]).
#[must_use]
pub fn glob_match(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    glob(&p, &s)
}

/// Matches `s` against a shell glob with `*`, `?`, `[…]` classes (ranges, `!`/`^`
/// negation) and literal characters.
fn glob(pattern: &[char], s: &[char]) -> bool {
    match pattern.split_first() {
        None => s.is_empty(),
        Some(('*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
        Some(('?', rest)) => !s.is_empty() && glob(rest, &s[1..]),
        Some(('[', rest)) => {
            let Some(close) = rest.iter().skip(1).position(|c| *c == ']').map(|p| p + 1) else {
                return s.first() == Some(&'[') && glob(rest, &s[1..]);
            };
            let Some(c) = s.first() else { return false };
            let mut class = &rest[..close];
            let negate = matches!(class.first(), Some('!' | '^'));
            if negate {
                class = &class[1..];
            }
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= *c && *c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == *c;
                    i += 1;
                }
            }
            hit != negate && glob(&rest[close + 1..], &s[1..])
        }
        Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
    }
}

/// `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`.
fn trim(value: &str, pattern: &str, prefix: bool, largest: bool) -> Option<String> {
    // Quoted pattern characters are literal; brush gives the raw text.
    let p: Vec<char> = unquote(pattern).chars().collect();
    let v: Vec<char> = value.chars().collect();
    let mut cuts: Vec<usize> = (0..=v.len()).collect();
    // `#` tries the shortest prefix first and `%%` the longest suffix: ascending cut points;
    // `##` and `%` the other way round.
    if prefix == largest {
        cuts.reverse();
    }
    for cut in cuts {
        let (a, b) = v.split_at(cut);
        if prefix && glob(&p, a) {
            return Some(b.iter().collect());
        }
        if !prefix && glob(&p, b) {
            return Some(a.iter().collect());
        }
    }
    Some(value.to_string())
}

/// Whether a case pattern word matches `value`.
fn pattern_matches(pattern: &ast::Word, value: &str) -> bool {
    let p: Vec<char> = unquote(&pattern.value).chars().collect();
    glob(&p, &value.chars().collect::<Vec<_>>())
}

/// Whether the case has an arm for `action`.
#[must_use]
pub fn arm_for<'c>(case: &'c ast::CaseClauseCommand, action: &str) -> Option<&'c ast::CaseItem> {
    case.cases
        .iter()
        .find(|c| c.patterns.iter().any(|p| pattern_matches(p, action)))
}

/// Whether the case has an arm written for `action`: one whose pattern matches it and is more
/// than a catch-all `*` (the usage message most scripts end with).
#[must_use]
pub fn has_arm(case: &ast::CaseClauseCommand, action: &str) -> bool {
    case.cases.iter().any(|c| {
        c.patterns.iter().any(|p| {
            let raw = unquote(&p.value);
            !raw.chars().all(|ch| ch == '*') && pattern_matches(p, action)
        })
    })
}

/// The actions a case offers, as written (`start`, `stop`, `restart|force-reload` → both).
#[must_use]
pub fn actions(case: &ast::CaseClauseCommand) -> Vec<String> {
    case.cases
        .iter()
        .flat_map(|c| c.patterns.iter())
        .map(|p| unquote(&p.value))
        .filter(|p| !p.contains('*') && !p.contains('?'))
        .collect()
}

/// The functions `/lib/lsb/init-functions` defines.
pub const LSB_FUNCTIONS: &[&str] = &[
    "start_daemon",
    "killproc",
    "pidofproc",
    "status_of_proc",
    "init_is_upstart",
    "get_lsb_header_val",
    "log_use_fancy_output",
    "log_success_msg",
    "log_failure_msg",
    "log_warning_msg",
    "log_begin_msg",
    "log_daemon_msg",
    "log_progress_msg",
    "log_end_msg",
    "log_action_msg",
    "log_action_begin_msg",
    "log_action_cont_msg",
    "log_action_end_msg",
];

/// The functions RHEL's `/etc/rc.d/init.d/functions` defines.
pub const RHEL_FUNCTIONS: &[&str] = &[
    "daemon",
    "killproc",
    "pidofproc",
    "pidfileofproc",
    "status",
    "action",
    "success",
    "failure",
    "passed",
    "warning",
    "echo_success",
    "echo_failure",
    "echo_passed",
    "echo_warning",
    "checkpid",
    "confirm",
    "is_true",
    "is_false",
    "strstr",
    "update_boot_stage",
    "apply_sysctl",
    "is_ignored_file",
];

/// The functions `/lib/init/init-d-script` defines around the script.
pub const INIT_D_SCRIPT_FUNCTIONS: &[&str] = &[
    "is_call_implemented",
    "do_usage",
    "call",
    "do_start_cmd",
    "do_start",
    "do_reload_signal",
    "do_reload_sigusr1",
    "do_status",
    "do_stop_cmd",
    "do_stop",
    "do_restart",
    "do_reload_wrapper",
    "do_force_reload",
];

/// The names of every function `program` defines, wherever (inside other functions, `if`s,
/// loops, `case` arms, after their first use).
fn function_names(program: &ast::Program) -> Vec<String> {
    fn list(l: &ast::CompoundList, out: &mut Vec<String>) {
        for item in &l.0 {
            let ao = &item.0;
            for p in std::iter::once(&ao.first).chain(ao.additional.iter().map(|a| match a {
                ast::AndOr::And(p) | ast::AndOr::Or(p) => p,
            })) {
                for c in &p.seq {
                    command(c, out);
                }
            }
        }
    }
    fn compound(cc: &ast::CompoundCommand, out: &mut Vec<String>) {
        match cc {
            ast::CompoundCommand::BraceGroup(b) => list(&b.list, out),
            ast::CompoundCommand::Subshell(s) => list(&s.list, out),
            ast::CompoundCommand::IfClause(i) => {
                list(&i.condition, out);
                list(&i.then, out);
                for e in i.elses.iter().flatten() {
                    if let Some(c) = &e.condition {
                        list(c, out);
                    }
                    list(&e.body, out);
                }
            }
            ast::CompoundCommand::CaseClause(c) => {
                for arm in &c.cases {
                    if let Some(l) = &arm.cmd {
                        list(l, out);
                    }
                }
            }
            ast::CompoundCommand::ForClause(f) => list(&f.body.list, out),
            ast::CompoundCommand::ArithmeticForClause(f) => list(&f.body.list, out),
            ast::CompoundCommand::WhileClause(w) | ast::CompoundCommand::UntilClause(w) => {
                list(&w.0, out);
                list(&w.1.list, out);
            }
            ast::CompoundCommand::Arithmetic(_) | ast::CompoundCommand::Coprocess(_) => {}
        }
    }
    fn command(c: &ast::Command, out: &mut Vec<String>) {
        match c {
            ast::Command::Function(f) => {
                if !out.contains(&f.fname.value) {
                    out.push(f.fname.value.clone());
                }
                compound(&f.body.0, out);
            }
            ast::Command::Compound(cc, _) => compound(cc, out),
            ast::Command::Simple(_) | ast::Command::ExtendedTest(..) => {}
        }
    }
    let mut out = Vec::new();
    for cc in &program.complete_commands {
        list(cc, &mut out);
    }
    out
}

/// The actions init, `service` and operators call (a script running itself with one of them is
/// a restart or the like, not a helper action).
const LSB_ACTIONS: [&str; 9] = [
    "start",
    "stop",
    "restart",
    "try-restart",
    "condrestart",
    "reload",
    "force-reload",
    "status",
    "force-stop",
];

const DECLARATORS: [&str; 5] = ["export", "readonly", "local", "declare", "typeset"];

impl<'a> Interp<'a> {
    /// A fresh interpreter for the script at `script_path` run with `positional` arguments.
    #[must_use]
    pub fn new(host: &'a Host, script_path: &str, positional: Vec<String>) -> Self {
        Interp {
            host,
            script_path: script_path.to_string(),
            positional,
            env: BTreeMap::new(),
            defaults_absent: false,
            decided_branch: false,
            unset_switches: Vec::new(),
            defaults_read: false,
            var_defaults: BTreeMap::new(),
            functions: BTreeMap::new(),
            defined: BTreeMap::new(),
            builtins: BTreeMap::new(),
            framework: false,
            sourced: Vec::new(),
            calls: Vec::new(),
            case: None,
            case_bits: 0,
            last_status: None,
            status_vars: BTreeMap::new(),
            local_status: Vec::new(),
            status_tests: BTreeMap::new(),
            case_scope: None,
            exec_conditions: Vec::new(),
            path_guards: Vec::new(),
            assumed: Vec::new(),
            sourced_values: Vec::new(),
            function_outputs: Vec::new(),
            last_test_vars: Vec::new(),
            cond_depth: 0,
            unlikely: None,
            under: Vec::new(),
            instance_loops: Vec::new(),
            instance_files: Vec::new(),
            loop_entry: None,
            loop_built: Vec::new(),
            tested: Vec::new(),
            gates: Vec::new(),
            exported: Vec::new(),
            decide_defaults: false,
            decided: Vec::new(),
            early_exit: None,
            decided_exit: None,
            host_branch: None,
            readings: Vec::new(),
            word_line: 0,
            libraries: Vec::new(),
            file_bits: 0,
            setting_switch: false,
            branch: Vec::new(),
            branches: 0,
            uncertain_at: BTreeMap::new(),
            exit_depth: None,
            depth: 0,
            in_loop: false,
            conditional: false,
            testing: false,
            force_testing: false,
            collecting: false,
            action: None,
            stopped: false,
        }
    }

    /// Runs the top level of `program`: assignments, sourcing, function definitions; stops at
    /// the action `case` (remembered) and at an unconditional `exit`.
    pub fn run_top(&mut self, program: &'a ast::Program) {
        for name in function_names(program) {
            self.defined.insert(name, self.script_path.clone());
        }
        for cc in &program.complete_commands {
            self.run_list(cc);
            if self.stopped {
                break;
            }
        }
    }

    /// The commands `action` runs: the matching `case` arm (or, without a case, nothing),
    /// with functions inlined. The environment changes it makes are kept.
    pub fn run_action(&mut self, action: &str) -> Vec<Call> {
        let Some(case) = self.case else {
            return Vec::new();
        };
        let saved = std::mem::take(&mut self.calls);
        let positional = std::mem::replace(&mut self.positional, vec![action.to_string()]);
        let outer_loop = self.in_loop;
        if let Some(scope) = &self.case_scope {
            // Each action as the loop's body runs it, for any one configuration.
            self.env = scope.env.clone();
            self.positional = scope.positional.clone();
            self.in_loop = true;
        }
        self.collecting = true;
        self.stopped = false;
        let file = std::mem::replace(&mut self.file_bits, self.case_bits);
        // Each action is a run of its own: what `$?` holds as it starts is not followed.
        let statuses = self.status_vars.clone();
        self.last_status = None;
        let outer_action = self.action.replace(action.to_string());
        let outer_under = self.under.len();
        if let Some(arm) = arm_for(case, action)
            && let Some(list) = &arm.cmd
        {
            self.run_list(list);
        }
        self.under.truncate(outer_under);
        self.status_vars = statuses;
        self.last_status = None;
        self.file_bits = file;
        self.action = outer_action;
        self.in_loop = outer_loop;
        self.collecting = false;
        self.stopped = false;
        self.positional = positional;
        std::mem::replace(&mut self.calls, saved)
    }

    /// A shell library at `path` (not settings, not a helper this reading knows), parsed:
    /// when the script sources it, its functions are followed where the script calls them.
    pub fn add_library(&mut self, path: &str, program: &'a ast::Program) {
        self.libraries.push((path.to_string(), program));
    }

    /// The line and column of `w`, its line numbered in the file being read ([`place`] names
    /// a library's).
    fn line_of(&self, w: &ast::Word) -> (u32, u32) {
        let (line, column) = raw_line_of(w);
        (self.at_line(line), column)
    }

    /// `line` of the file being read, numbered as [`place`] reads it.
    fn at_line(&self, line: u32) -> u32 {
        if line > LINE_MASK {
            line
        } else {
            line | self.file_bits
        }
    }

    /// The first and last lines of the body of the script's function `name`, when defined.
    #[must_use]
    pub fn function_lines(&self, name: &str) -> Option<(u32, u32)> {
        let (body, bits) = self.functions.get(name)?;
        let loc = ast::SourceLocation::location(*body)?;
        Some((
            u32::try_from(loc.start.line).unwrap_or(0) | bits,
            u32::try_from(loc.end.line).unwrap_or(0) | bits,
        ))
    }

    /// The file that defines `name` as a shell function, when something does.
    #[must_use]
    pub fn function_of(&self, name: &str) -> Option<&str> {
        self.defined.get(name).map(String::as_str)
    }

    /// Names `names` as functions of `file` (a library or framework), unless the script defines
    /// them itself.
    pub fn declare_functions(&mut self, file: &str, names: &[&str]) {
        for n in names {
            self.defined
                .entry((*n).to_string())
                .or_insert_with(|| file.to_string());
        }
    }

    /// The body of the function `name` as defined on the path read so far, as shell text.
    #[must_use]
    pub fn function_body(&self, name: &str) -> Option<String> {
        self.functions.get(name).map(|(body, _)| body.to_string())
    }

    /// The body of the function `name` as defined on the path read so far.
    #[must_use]
    pub fn function_ast(&self, name: &str) -> Option<&'a ast::CompoundCommand> {
        self.functions.get(name).map(|(body, _)| *body)
    }

    /// The line where the body of the function `name` starts.
    #[must_use]
    pub fn function_line(&self, name: &str) -> Option<u32> {
        use brush_parser::ast::SourceLocation;
        let (body, bits) = self.functions.get(name)?;
        body.location()
            .and_then(|s| u32::try_from(s.start.line).ok())
            .map(|l| l | bits)
    }

    /// Whether the script itself defines the function `name` (anywhere).
    #[must_use]
    pub fn script_defines(&self, name: &str) -> bool {
        self.defined.get(name) == Some(&self.script_path)
    }

    /// Runs a function body by name, collecting its commands (for frameworks that call hooks).
    pub fn run_function(&mut self, name: &str) -> Option<Vec<Call>> {
        let (body, bits) = *self.functions.get(name)?;
        let saved = std::mem::take(&mut self.calls);
        self.collecting = true;
        self.stopped = false;
        let file = std::mem::replace(&mut self.file_bits, bits);
        self.compound(body);
        self.file_bits = file;
        self.collecting = false;
        self.stopped = false;
        Some(std::mem::replace(&mut self.calls, saved))
    }

    /// Expands a command line written by this program (words separated by single spaces, each
    /// in shell syntax) as if the script ran it; used for what a framework such as
    /// `/lib/init/init-d-script` runs on the script's behalf.
    pub fn synthesize(&mut self, line: &str, at: u32) -> Call {
        let args: Vec<Arg> = line
            .split(' ')
            .filter(|w| !w.is_empty())
            .flat_map(|w| self.expand_word(&ast::Word::new(w)))
            .collect();
        Call {
            args,
            line: at,
            column: 1,
            in_loop: false,
            background: false,
            piped: false,
            conditional: false,
            tested: false,
            redirected: false,
            output: None,
            logger: None,
            function: None,
            uncertain: Vec::new(),
            captured: false,
            uncertain_pid_file: Vec::new(),
            cond_depth: 0,
            unlikely: None,
            under: Vec::new(),
        }
    }

    /// The current value of a variable when fully known (the host's value for variables from
    /// a defaults file).
    #[must_use]
    pub fn value(&self, name: &str) -> Option<String> {
        let b = self.env.get(name)?;
        b.value
            .iter()
            .map(|p| match p {
                Part::Lit(s) => Some(s.clone()),
                Part::Var(v) if v != name => self.value(v),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.concat())
    }

    /// [`Self::value`], except that a variable the value refers to which nothing sets (no line
    /// of the script, no file it reads, and no settings file the script reads is missing on the
    /// host) and which the environment a service starts with cannot
    /// give either (systemd's and `service`'s are `PATH`, the locale, `TERM` and their own
    /// few) expands to nothing, as the shell expands it: `DAEMON_ARGS="-d -c $CONFIG_FILE"`
    /// in a defaults file that sets only `YADIFA_CONF` is `-d -c`. Each such variable is added
    /// to `unset` once.
    #[must_use]
    pub fn value_unset_empty(&self, name: &str, unset: &mut Vec<String>) -> Option<String> {
        let b = self.env.get(name)?;
        b.value
            .iter()
            .map(|p| match p {
                Part::Lit(s) => Some(s.clone()),
                Part::Var(v) if v == name => None,
                Part::Var(v) if self.env.contains_key(v.as_str()) => {
                    self.value_unset_empty(v, unset)
                }
                Part::Var(v) if !from_service_environment(v) && !self.defaults_absent => {
                    if !unset.contains(v) {
                        unset.push(v.clone());
                    }
                    Some(String::new())
                }
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.concat())
    }

    /// A variable's value on this host: empty when unset, `None` when only running the script
    /// could tell.
    #[must_use]
    pub fn value_or_empty(&self, name: &str) -> Option<String> {
        if self.env.contains_key(name) {
            self.value(name)
        } else {
            Some(String::new())
        }
    }

    /// Whether a test of the setting `name` may be decided by its value on this host: a file
    /// read from the host gives it ([`Self::set_by_host_file`]), or no settings file the
    /// script needs is missing. A setting a missing file the script cannot run without would
    /// give (`. /etc/webfsd.conf` unconditionally, or behind `[ -f FILE ] || exit 0`) has no
    /// value on this host: the empty one [`Self::value_or_empty`] gives it is the shell's
    /// reading of an absent file, never what the daemon starts with, since the script (and the
    /// unit's `ConditionPathExists=`) only starts it once the file is installed. A file the
    /// script sources only when it is there (`[ -r F ] && . F`) leaves the shell's reading of
    /// its absence: a path the script takes.
    fn decidable_setting(&self, name: &str) -> bool {
        self.set_by_host_file(name)
            || !self.sourced.iter().any(|s| {
                !s.present
                    && s.kind == SourceKind::Defaults
                    && (!s.optional || self.path_guards.iter().any(|(_, p, _)| *p == s.path))
            })
    }

    /// Whether a file read from the host gives the setting `name` the value it has now: a
    /// present settings file assigned it (and the script did not assign it since).
    fn set_by_host_file(&self, name: &str) -> bool {
        self.env
            .get(name)
            .is_some_and(|b| b.overridable && !b.uncertain)
            && self.sourced.iter().any(|s| {
                s.present
                    && matches!(s.kind, SourceKind::Defaults | SourceKind::Other)
                    && s.assigns.iter().any(|a| a == name)
            })
    }

    /// The value of `arg` with every variable replaced by its value on this host.
    #[must_use]
    pub fn resolve(&self, arg: &Arg) -> Option<String> {
        match arg {
            Arg::Split(n) => self.value_or_empty(n),
            Arg::Field(parts) => {
                let mut text = String::new();
                for p in parts {
                    match p {
                        Part::Lit(s) => text.push_str(s),
                        Part::Var(v) => text.push_str(&self.value_or_empty(v)?),
                        Part::Unknown(_) => return None,
                    }
                }
                Some(text)
            }
        }
    }

    /// Sets a variable from the script (not overridable any more).
    pub fn set(&mut self, name: &str, value: Vec<Part>) {
        // `[ -z "$X" ] && X=default` on a setting a defaults file gives (or may give): a
        // default for when the file leaves it empty, not a replacement.
        let from_file = match self.env.get(name) {
            Some(b) => b.overridable,
            None => self.defaults_absent,
        };
        if self.conditional
            && from_file
            && self.last_test_vars.iter().any(|v| v == name)
            && !value.iter().any(|p| matches!(p, Part::Var(v) if v == name))
        {
            self.var_defaults.entry(name.to_string()).or_insert(value);
            return;
        }
        // `X=$(…)` then `[ -z "$X" ] && X=/run/x.pid`: the script's fallback for a value only
        // a run computes. It is taken (and reported): the other value is unknown anyway.
        let fallback = self.conditional
            && value.iter().all(|p| matches!(p, Part::Lit(_)))
            && self
                .env
                .get(name)
                .is_some_and(|b| b.value.iter().any(|p| matches!(p, Part::Unknown(_))));
        if fallback {
            let text: String = value
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => s.as_str(),
                    _ => "",
                })
                .collect();
            self.assumed.push((name.to_string(), text));
        }
        // A value made from a per-configuration loop's configuration is that configuration's,
        // whatever the loop's other files are.
        let per_config = value
            .iter()
            .any(|p| matches!(p, Part::Lit(s) if s.contains(INSTANCE)));
        let uncertain = self.conditional && !fallback && !per_config;
        self.env.insert(
            Rc::from(name),
            Rc::new(Binding {
                value,
                overridable: false,
                script_default: None,
                uncertain,
                alternatives: Vec::new(),
                at_depth: self.cond_depth,
                scope: (uncertain && !self.in_loop).then(|| self.branch.clone()),
            }),
        );
    }

    /// Enters an undecided branch (an `if` branch, the right of `&&`/`||`, a `case` arm, a
    /// loop's body): what is assigned there is the value only inside it. Returns what
    /// [`Self::leave_branch`] takes.
    fn enter_branch(&mut self) -> usize {
        self.branches += 1;
        self.branch.push(self.branches);
        self.branch.len() - 1
    }

    /// Where a construct being merged stands: `conditional` as it was before it.
    fn here(&self, conditional: bool) -> Here {
        Here {
            conditional,
            branch: (!self.in_loop).then(|| self.branch.clone()),
        }
    }

    /// The binding of `name` where the call at `line` read it (one of its [`Call::uncertain`]
    /// variables), else as the script leaves it.
    #[must_use]
    pub fn binding_at(&self, line: u32, name: &str) -> Option<&Binding> {
        self.uncertain_at
            .get(&(line, name.to_string()))
            .or_else(|| self.env.get(name))
            .map(|b| &**b)
    }

    /// Leaves the branch [`Self::enter_branch`] entered.
    fn leave_branch(&mut self, at: usize) {
        self.branch.truncate(at);
    }

    /// Whether the variable `name` holds one of several values where it is read now: assigned
    /// on only some paths, unless the assignment was on every path that reaches here (directly
    /// in a branch that encloses this point: `X=""; if [ "$A" = yes ]; then X=a; fi; run $X`
    /// inside an undecided test reads `X` as it is there).
    #[must_use]
    pub fn uncertain_here(&self, name: &str) -> bool {
        self.env.get(name).is_some_and(|b| {
            b.uncertain && !b.scope.as_ref().is_some_and(|s| self.branch.starts_with(s))
        })
    }

    fn run_list(&mut self, list: &'a ast::CompoundList) {
        for item in &list.0 {
            let background = matches!(item.1, ast::SeparatorOperator::Async);
            self.run_and_or(&item.0, background);
            // After `a && b`, `! a`, a compound command or `a &`, which command's status `$?`
            // holds depends on the run: none is followed.
            let ao = &item.0;
            if background
                || !ao.additional.is_empty()
                || ao.first.bang
                || !matches!(ao.first.seq.last(), Some(ast::Command::Simple(_)))
            {
                self.last_status = None;
            }
            if self.stopped {
                return;
            }
        }
    }

    fn run_and_or(&mut self, ao: &'a ast::AndOrList, background: bool) {
        if !self.collecting && self.depth == 0 {
            self.executable_guard(ao);
        }
        let outer = self.conditional;
        // `TEST && X=…` / `TEST || X=…` with a test the script's own values decide (a string
        // test on variables it set, or that nothing sets): the assignment happens or not. A
        // test on a defaults file's setting is left open (`[ -z "$OPTS" ] && OPTS=default` is
        // a default for when the file leaves it empty).
        // `[ "$ALLOW_COREDUMPS" != 1 ] || ulimit -c unlimited`: a switch of a process setting,
        // decided by the host's value (as for an `if`, [`settings_only`]).
        let setting_switch = self.decide_defaults
            && matches!(ao.additional.as_slice(), [ast::AndOr::And(p) | ast::AndOr::Or(p)]
                if settings_pipeline(p) == Some(true));
        let verdict = match ao.additional.as_slice() {
            [next @ (ast::AndOr::And(p) | ast::AndOr::Or(p))] if only_assignments(p) => {
                // `TEST "$web_host" != "" && ARGS="$ARGS -n $web_host"`: the test reads other
                // settings than those assigned, so it is no default for them: decided by the
                // host's values like any setting (when asked to).
                let tested = referenced_vars(&ao.first.to_string());
                let other = !assigned_names(p).iter().any(|n| tested.contains(n));
                let decide = other && self.decide_defaults;
                let by_defaults = std::mem::replace(&mut self.decide_defaults, decide);
                let v = self.decide_pipeline(&ao.first);
                self.decide_defaults = by_defaults;
                v.map(|v| v == matches!(next, ast::AndOr::And(_)))
            }
            [next @ (ast::AndOr::And(_) | ast::AndOr::Or(_))] if setting_switch => {
                let outer = std::mem::replace(&mut self.setting_switch, true);
                let v = self.decide_pipeline(&ao.first);
                self.setting_switch = outer;
                v.map(|v| v == matches!(next, ast::AndOr::And(_)))
            }
            _ => None,
        };
        if verdict.is_none() && (!self.collecting || self.action.as_deref() == Some("start")) {
            self.note_gate(ao);
        }
        self.testing = self.force_testing || !ao.additional.is_empty();
        // Inside an `if` that only chooses settings, the flag is the `if`'s.
        let outer_switch = self.setting_switch;
        self.setting_switch |= setting_switch;
        self.run_pipeline(&ao.first, background);
        self.setting_switch = outer_switch;
        self.testing = false;
        if self.stopped && ao.additional.is_empty() {
            return;
        }
        // An `exit` on the left of `&&`/`||` does not end every path.
        self.stopped = false;
        self.conditional = true;
        let depth = self.cond_depth;
        if let Some(runs) = verdict {
            let before = self.env.clone();
            if runs && let [ast::AndOr::And(p) | ast::AndOr::Or(p)] = ao.additional.as_slice() {
                self.run_pipeline(p, background);
                self.stopped = false;
                // The host's values chose it: what it assigns is the value, not one of
                // several (outside any undecided test).
                if depth == 0 {
                    for (name, b) in &mut self.env {
                        if b.uncertain && b.alternatives.is_empty() && before.get(name) != Some(b) {
                            Rc::make_mut(b).uncertain = false;
                        }
                    }
                }
            }
            self.conditional = outer;
            return;
        }
        // `echo "$OPTS" | grep -q -- --daemon || OPTS="--daemon $OPTS"` on a setting the
        // defaults file may change: the likely path by the host's value, the other path's
        // value an alternative (as for an `if` this reading cannot decide).
        if let [next @ (ast::AndOr::And(p) | ast::AndOr::Or(p))] = ao.additional.as_slice()
            && only_assignments(p)
            && ao.first.seq.len() == 2
            && let Some(holds) = self.filter_test(&ao.first, true)
        {
            let runs_when = matches!(next, ast::AndOr::And(_));
            let test = ao.first.to_string().trim().to_string();
            let line = ao
                .first
                .seq
                .first()
                .and_then(|c| match c {
                    ast::Command::Simple(sc) => sc.word_or_name.as_ref().map(|w| self.line_of(w).0),
                    _ => None,
                })
                .unwrap_or(0);
            let before = self.env.clone();
            self.cond_depth = depth + 1;
            let outer_unlikely = self.unlikely.clone();
            if holds != runs_when && outer_unlikely.is_none() {
                self.unlikely = Some((test.clone(), line, runs_when));
            }
            let at = self.enter_branch();
            self.run_pipeline(p, background);
            self.leave_branch(at);
            self.stopped = false;
            self.unlikely = outer_unlikely;
            self.cond_depth = depth;
            let ran = std::mem::take(&mut self.env);
            // Off the likely path, a setting the assignment would have changed is what the
            // defaults file gives: its reference (`${OPTS}`), as the unit reads it.
            let mut kept = before.clone();
            if holds == runs_when {
                for (name, b) in &mut kept {
                    if b.overridable && ran.get(name) != Some(b) {
                        Rc::make_mut(b).value = vec![Part::Var(name.to_string())];
                    }
                }
            }
            let (when_holds, when_fails) = if runs_when { (ran, kept) } else { (kept, ran) };
            let outcomes = [
                Outcome {
                    test: Some(test),
                    line,
                    taken: holds,
                    env: Some(when_holds),
                },
                Outcome {
                    test: None,
                    line: 0,
                    taken: !holds,
                    env: Some(when_fails),
                },
            ];
            let here = self.here(outer);
            self.env = merge_outcomes(&before, &outcomes, depth, &here);
            self.conditional = outer;
            return;
        }
        self.cond_depth = depth + 1;
        let at = self.enter_branch();
        for next in &ao.additional {
            // In an `if` or `while` test every command's status counts (`[ -e F ] && ps -p …`).
            self.testing = self.force_testing;
            match next {
                ast::AndOr::And(p) | ast::AndOr::Or(p) => self.run_pipeline(p, background),
            }
            self.testing = false;
            self.stopped = false;
        }
        self.leave_branch(at);
        self.conditional = outer;
        self.cond_depth = depth;
    }

    /// The value of shell text (a word) on this host, when fully known.
    fn resolve_text(&mut self, text: &str) -> Option<String> {
        let parts = self.expand_value(&ast::Word::new(text));
        self.resolve(&Arg::Field(parts))
    }

    /// `for X in DIR/PRE*SUF`, `` for X in `ls DIR/PRE*SUF` `` or `` for X in `cd DIR; ls PRE*SUF` ``
    /// (`$(…)` too, `2>/dev/null` allowed), or `PRE*SUF/FILE` for one configuration per
    /// directory holding FILE: the value `X` takes, with [`INSTANCE`] for what `*` matches, and
    /// the loop's configurations on the host.
    fn instance_loop(&mut self, f: &ast::ForClauseCommand) -> Option<(String, InstanceLoop)> {
        let [w] = f.values.as_deref()? else {
            return None;
        };
        let raw = w.value.trim();
        let inner = substitution_body(raw);
        let (dir, glob, relative) = match inner {
            None => {
                let full = self.resolve_text(raw)?;
                let (d, g) = full.rsplit_once('/')?;
                (d.to_string(), g.to_string(), false)
            }
            Some(cmd) => {
                let cmd = cmd.replace("2> /dev/null", "").replace("2>/dev/null", "");
                let steps: Vec<&str> = cmd.split(';').map(str::trim).collect();
                match steps.as_slice() {
                    [cd, ls] => {
                        let d = self.resolve_text(cd.strip_prefix("cd ")?.trim())?;
                        let g = ls
                            .strip_prefix("ls ")?
                            .trim()
                            .trim_start_matches("-1 ")
                            .trim();
                        (d, g.to_string(), true)
                    }
                    [ls] => {
                        let full = self.resolve_text(
                            ls.strip_prefix("ls ")?
                                .trim()
                                .trim_start_matches("-1 ")
                                .trim(),
                        )?;
                        let (d, g) = full.rsplit_once('/')?;
                        (d.to_string(), g.to_string(), false)
                    }
                    _ => return None,
                }
            }
        };
        // `DIR/PRE*SUF/FILE` (fastd's `cd /etc/fastd; ls */fastd.conf`): one configuration per
        // directory of DIR that holds FILE, named by what `*` matches in the directory's name.
        let (dir, glob) = match dir.rsplit_once('/') {
            Some((d, last)) if !relative && last.contains('*') => {
                (d.to_string(), format!("{last}/{glob}"))
            }
            _ => (dir, glob),
        };
        let (glob, inner) = match glob.split_once('/') {
            Some((g, file)) => (g.to_string(), Some(file.to_string())),
            None => (glob, None),
        };
        if !dir.starts_with('/')
            || glob.matches('*').count() != 1
            || glob.contains(['?', '[', '/', '$', '`', ' '])
            || dir.contains(['*', '?', '['])
            || inner
                .as_ref()
                .is_some_and(|f| f.is_empty() || f.contains(['*', '?', '[', '/', '$', '`', ' ']))
        {
            return None;
        }
        let (prefix, suffix) = glob.split_once('*')?;
        let instances: Vec<String> = self
            .host
            .list_dir(&dir)
            .into_iter()
            .filter(|n| {
                n.len() > prefix.len() + suffix.len()
                    && n.starts_with(prefix)
                    && n.ends_with(suffix)
                    && !n.starts_with('.')
                    && inner
                        .as_ref()
                        .is_none_or(|f| self.host.exists(&format!("{dir}/{n}/{f}")))
            })
            .map(|n| n[prefix.len()..n.len() - suffix.len()].to_string())
            .collect();
        let inner = inner.map(|f| format!("/{f}")).unwrap_or_default();
        let pattern = format!("{dir}/{glob}{inner}");
        let token = self.loop_token(&pattern);
        let file = format!("{prefix}{token}{suffix}{inner}");
        let value = if relative {
            file
        } else {
            format!("{dir}/{file}")
        };
        Some((
            value,
            InstanceLoop {
                pattern,
                over: LoopOver::Files,
                token,
                instances,
                line: self.line_of(w).0,
            },
        ))
    }

    /// The token of the loop over `pattern` ([`INSTANCE`] and a letter), the same for every
    /// loop over it.
    fn loop_token(&self, pattern: &str) -> String {
        match self
            .instance_loops
            .iter()
            .position(|l| l.pattern == pattern)
        {
            Some(i) => self.instance_loops[i].token.clone(),
            None => format!(
                "{INSTANCE}{}",
                char::from(b'A' + u8::try_from(self.instance_loops.len() % 26).unwrap_or(0))
            ),
        }
    }

    /// `for X in $SETTING` (`${SETTING}`, `"$SETTING"` too) over a setting a defaults file
    /// gives (or may give: the file is missing on the host, or does not set it): one
    /// configuration per word of the host's value. `None` when the value is not a plain list
    /// of words known here (the script computes it, or assigns it on some paths only — ifplugd's
    /// `auto`, replaced by a function's output, is such a value).
    fn words_loop(&mut self, f: &ast::ForClauseCommand) -> Option<InstanceLoop> {
        let [w] = f.values.as_deref()? else {
            return None;
        };
        let raw = w.value.trim();
        let raw = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        let name = raw.strip_prefix('$')?;
        let name = name
            .strip_prefix('{')
            .and_then(|n| n.strip_suffix('}'))
            .unwrap_or(name);
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let (words, file) = match self.env.get(name) {
            Some(b) => {
                if !b.overridable || b.uncertain {
                    return None;
                }
                let text = Arg::Field(b.value.clone()).literal()?;
                let file = self
                    .sourced
                    .iter()
                    .rev()
                    .find(|s| s.present && s.assigns.iter().any(|a| a == name))
                    .map(|s| s.path.clone());
                (text, file)
            }
            // Never set: only a defaults file can give it.
            None if self.defaults_absent || self.defaults_read => (String::new(), None),
            None => return None,
        };
        let instances: Vec<String> = words.split_whitespace().map(str::to_string).collect();
        if instances.iter().any(|i| i.contains(['*', '?', '['])) {
            return None;
        }
        let pattern = format!("${name}");
        Some(InstanceLoop {
            token: self.loop_token(&pattern),
            pattern,
            over: LoopOver::Words {
                setting: name.to_string(),
                file,
            },
            instances,
            line: self.line_of(w).0,
        })
    }

    /// `for X in $(cat FILE)` / `` `cat FILE` ``: one configuration per word of the host's
    /// file. `None` when the file has a comment (the shell would take its words too) or a
    /// pattern character.
    fn cat_loop(&mut self, f: &ast::ForClauseCommand) -> Option<InstanceLoop> {
        let [w] = f.values.as_deref()? else {
            return None;
        };
        let raw = w.value.trim();
        let raw = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        let inner = substitution_body(raw)?;
        let file = inner.trim().strip_prefix("cat ")?.trim();
        let file = self.resolve_text(file)?;
        if !file.starts_with('/') || file.contains(['*', '?', '[', ' ']) {
            return None;
        }
        let text = match self.host.read(&file) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(_) => String::new(),
        };
        let instances: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        if instances
            .iter()
            .any(|i| i.starts_with('#') || i.contains(['*', '?', '[']))
        {
            return None;
        }
        Some(InstanceLoop {
            token: self.loop_token(&file),
            pattern: file.clone(),
            over: LoopOver::Lines {
                file,
                skips: "every word of it is one".to_string(),
            },
            instances,
            line: self.line_of(w).0,
        })
    }

    /// `for X in $(awk '/RE/{print $1}' FILE)` (`` ` ` `` too, `!/RE/`, or no pattern): one
    /// configuration per first field of the host's file's lines the pattern selects (awk's
    /// extended expressions of the kind [`LinePattern`] reads). `None` for another program, a
    /// selected first field with a pattern character, or one starting with `#`.
    fn awk_loop(&mut self, f: &ast::ForClauseCommand) -> Option<InstanceLoop> {
        let [w] = f.values.as_deref()? else {
            return None;
        };
        let raw = w.value.trim();
        let inner = substitution_body(raw)?;
        let rest = inner.trim().strip_prefix("awk ")?.trim_start();
        // The program, single-quoted, then the file.
        let rest = rest.strip_prefix('\'')?;
        let (program, file) = rest.split_once('\'')?;
        let file = self.resolve_text(file.trim())?;
        if !file.starts_with('/') || file.contains(['*', '?', '[', ' ']) {
            return None;
        }
        let program = program.trim();
        let (negated, program) = match program.strip_prefix('!') {
            Some(p) => (true, p.trim_start()),
            None => (false, program),
        };
        let (pattern, action) = match program.strip_prefix('/') {
            Some(p) => {
                let (re, action) = p.split_once('/')?;
                (Some(re), action.trim())
            }
            None if !negated => (None, program),
            None => return None,
        };
        let action: String = action.chars().filter(|c| !c.is_whitespace()).collect();
        if action != "{print$1}" {
            return None;
        }
        let compiled = match pattern {
            Some(re) => Some(LinePattern::parse_as(re, Dialect::Awk)?),
            None => None,
        };
        let text = match self.host.read(&file) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(_) => String::new(),
        };
        let mut instances: Vec<String> = Vec::new();
        for line in text.lines() {
            if compiled
                .as_ref()
                .is_some_and(|p| p.matches(line) == negated)
            {
                continue;
            }
            let Some(first) = line.split([' ', '\t']).find(|x| !x.is_empty()) else {
                continue;
            };
            if first.starts_with('#') || first.contains(['*', '?', '[', '\\', '$', '`']) {
                return None;
            }
            if !instances.iter().any(|i| i == first) {
                instances.push(first.to_string());
            }
        }
        Some(InstanceLoop {
            token: self.loop_token(&file),
            pattern: file.clone(),
            over: LoopOver::Lines {
                file,
                skips: match pattern {
                    Some(re) => format!(
                        "the first field of the lines {} `{re}`, as the script's awk prints them",
                        if negated { "not matching" } else { "matching" }
                    ),
                    None => {
                        "the first field of every line, as the script's awk prints them".to_string()
                    }
                },
            },
            instances,
            line: self.line_of(w).0,
        })
    }

    /// `while read [-r] X [REST]; do …; done < FILE`, or the same fed by `cat FILE |` or by
    /// `grep -v '^#' FILE |` (`^[[:space:]]*#` too): one configuration per line of the host's
    /// file (its first field when `read` names more variables); a blank line, for which the
    /// script runs the body with an empty value, names no instance (the finding says so). A
    /// comment line the script does not
    /// filter out makes it `None`, as does a value with a blank or a pattern character.
    fn lines_loop(
        &mut self,
        w: &ast::WhileOrUntilClauseCommand,
        file: &str,
        filter: &LineFilter,
    ) -> Option<(Bindings, InstanceLoop)> {
        let [item] = w.0.0.as_slice() else {
            return None;
        };
        if !item.0.additional.is_empty() {
            return None;
        }
        let [ast::Command::Simple(read)] = item.0.first.seq.as_slice() else {
            return None;
        };
        if read.prefix.is_some() || read.word_or_name.as_ref()?.value != "read" {
            return None;
        }
        let mut vars: Vec<String> = Vec::new();
        for x in read.suffix.iter().flat_map(|x| x.0.iter()) {
            match x {
                ast::CommandPrefixOrSuffixItem::Word(a) if a.value == "-r" && vars.is_empty() => {}
                ast::CommandPrefixOrSuffixItem::Word(a)
                    if !a.value.is_empty()
                        && a.value
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    vars.push(a.value.clone());
                }
                _ => return None,
            }
        }
        vars.first()?;
        let file = self.resolve_text(file)?;
        if !file.starts_with('/') || file.contains(['*', '?', '[', ' ']) {
            return None;
        }
        let text = match self.host.read(&file) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(_) => String::new(),
        };
        let mut instances: Vec<String> = Vec::new();
        let mut blank = 0;
        // The variables after the first get the rest of each line: empty when no line has more
        // than one field, else the loop is not read as a template.
        let mut rest = false;
        for line in text.lines() {
            if !filter.keeps(line) {
                continue;
            }
            rest |= vars.len() > 1 && line.split_whitespace().nth(1).is_some();
            let value = if vars.len() > 1 {
                line.split_whitespace().next().unwrap_or("").to_string()
            } else {
                line.trim().to_string()
            };
            if value.is_empty() {
                blank += 1;
                continue;
            }
            if value.starts_with('#') || value.contains([' ', '\t', '*', '?', '[', '\\']) {
                return None;
            }
            if !instances.contains(&value) {
                instances.push(value);
            }
        }
        // Per-line arguments (`vpn1 -d`) would differ between instances: not a template.
        if rest {
            return None;
        }
        let token = self.loop_token(&file);
        let bound: Bindings = vars
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let value = match i {
                    0 => Part::Lit(token.clone()),
                    _ => Part::Lit(String::new()),
                };
                (v.clone(), vec![value])
            })
            .collect();
        Some((
            bound,
            InstanceLoop {
                token,
                pattern: file.clone(),
                over: LoopOver::Lines {
                    file,
                    skips: {
                        let kept = filter.describe();
                        match (kept, blank) {
                            (None, 0) => "every line is one".to_string(),
                            (Some(k), 0) => k,
                            (k, n) => format!(
                                "{}{n} blank line(s), for which the script starts the daemon with an empty name, get no instance",
                                k.map(|k| format!("{k}; ")).unwrap_or_default()
                            ),
                        }
                    },
                },
                instances,
                line: self.line_of(read.word_or_name.as_ref()?).0,
            },
        ))
    }

    /// Reads a `while read` loop over a list file's lines as a per-configuration loop
    /// ([`Self::lines_loop`]): the body once, with the variable standing for any line. `false`
    /// when it is not one (then the loop is read as any other).
    fn run_lines_loop(
        &mut self,
        w: &'a ast::WhileOrUntilClauseCommand,
        file: &str,
        filter: &LineFilter,
    ) -> bool {
        let Some((vars, set)) = self.lines_loop(w, file, filter) else {
            return false;
        };
        if !self.instance_loops.iter().any(|l| l.pattern == set.pattern) {
            self.instance_loops.push(set);
        }
        let outer = (self.conditional, self.in_loop);
        let depth = self.cond_depth;
        for (var, value) in vars {
            self.env.insert(
                var.into(),
                Rc::new(Binding {
                    value,
                    overridable: false,
                    script_default: None,
                    uncertain: false,
                    alternatives: Vec::new(),
                    at_depth: depth + 1,
                    scope: None,
                }),
            );
        }
        self.in_loop = true;
        // The body runs for every line: what it assigns is that line's value.
        self.conditional = outer.0;
        self.cond_depth = depth + 1;
        let entry = self.loop_entry.replace(self.env.clone());
        self.run_list(&w.1.list);
        self.loop_entry = entry;
        self.stopped = false;
        self.end_instance_loop();
        (self.conditional, self.in_loop) = outer;
        self.cond_depth = depth;
        true
    }

    /// After a per-configuration loop: a variable still holding a configuration's name was
    /// set for each of them in turn (`opts="$opts -i $iface"` accumulates them all, the loop's
    /// variable keeps the last), so its value is only known at run time — never one
    /// configuration standing for all, outside the loop that starts one daemon each.
    fn end_instance_loop(&mut self) {
        let tokens: Vec<String> = self
            .instance_loops
            .iter()
            .map(|l| l.token.clone())
            .collect();
        for (name, b) in &mut self.env {
            if b.value
                .iter()
                .any(|p| matches!(p, Part::Lit(t) if tokens.iter().any(|k| t.contains(k.as_str()))))
            {
                let b = Rc::make_mut(b);
                b.value = vec![Part::Unknown(format!("${name}"))];
                b.uncertain = true;
                if !self.loop_built.iter().any(|l| **l == **name) {
                    self.loop_built.push(name.to_string());
                }
            }
        }
    }

    /// `test -x FILE || exit 0` / `[ -x FILE ] || exit 0`, and the same for the other file
    /// tests (`-f -e -r -d -s`); `[ ! -f FILE ] && exit 0` too.
    fn executable_guard(&mut self, ao: &'a ast::AndOrList) {
        let (exit, negated) = match ao.additional.as_slice() {
            [ast::AndOr::Or(exit)] => (exit, false),
            [ast::AndOr::And(exit)] => (exit, true),
            _ => return,
        };
        let simple = |p: &'a ast::Pipeline| match p.seq.as_slice() {
            [ast::Command::Simple(s)] => Some(s),
            _ => None,
        };
        let (Some(test), Some(exit)) = (simple(&ao.first), simple(exit)) else {
            return;
        };
        let words = |s: &'a ast::SimpleCommand| -> Vec<&'a ast::Word> {
            s.word_or_name
                .iter()
                .chain(s.suffix.iter().flat_map(|x| {
                    x.0.iter().filter_map(|i| match i {
                        ast::CommandPrefixOrSuffixItem::Word(w) => Some(w),
                        _ => None,
                    })
                }))
                .collect()
        };
        let t = words(test);
        let e = words(exit);
        let is_exit0 =
            e.first().is_some_and(|w| w.value == "exit") && e.get(1).is_none_or(|w| w.value == "0");
        if !is_exit0 || t.len() < 3 || !matches!(t[0].value.as_str(), "test" | "[") {
            return;
        }
        // `[ ! -f FILE ] && exit 0` is `[ -f FILE ] || exit 0`.
        let t: Vec<&ast::Word> = if negated {
            if t[1].value != "!" {
                return;
            }
            std::iter::once(t[0])
                .chain(t[2..].iter().copied())
                .collect()
        } else {
            t
        };
        let closes = |n: usize| match t[0].value.as_str() {
            "[" => t.len() == n + 1 && t[n].value == "]",
            _ => t.len() == n,
        };
        if t.len() < 3 || !closes(3) {
            return;
        }
        let flag = t[1].value.as_str();
        if matches!(flag, "-f" | "-e" | "-r" | "-d" | "-s") {
            let arg = self.expand_value(t[2]);
            if let Some(path) = self.resolve(&Arg::Field(arg))
                && path.starts_with('/')
            {
                let line = self.line_of(t[0]).0;
                self.path_guards
                    .push((flag.chars().nth(1).unwrap_or('e'), path, line));
            }
            return;
        }
        if t[1].value == "-x" {
            let arg = self.expand_value(t[2]);
            if let Some(path) = self.resolve(&Arg::Field(arg))
                && path.starts_with('/')
            {
                self.exec_conditions.push(path);
            }
        }
    }

    /// The `if` forms of [`Self::executable_guard`] at the top level: `if [ -f FILE ]; then …;
    /// else exit 0; fi` and `if [ ! -f FILE ]; then exit 0; fi` (messages before the `exit`
    /// allowed, also `exit` alone): the script does nothing without the file, as with
    /// `[ -f FILE ] || exit 0`.
    fn if_guard(&mut self, i: &ast::IfClauseCommand) {
        let Some((flag, path, negate)) = self.file_test(&i.condition) else {
            return;
        };
        let exits = match (negate, i.elses.as_deref()) {
            (false, Some([e])) if e.condition.is_none() => exits_with_success(&e.body),
            (true, None) => exits_with_success(&i.then),
            (true, Some([e])) if e.condition.is_none() => exits_with_success(&i.then),
            _ => false,
        };
        if !exits {
            return;
        }
        let line = self.at_line(raw_line_of_list(&i.condition));
        match flag.as_str() {
            "-x" => self.exec_conditions.push(path),
            "-f" | "-e" | "-r" | "-d" | "-s" => {
                self.path_guards
                    .push((flag.chars().nth(1).unwrap_or('e'), path, line));
            }
            _ => {}
        }
    }

    fn run_pipeline(&mut self, p: &'a ast::Pipeline, background: bool) {
        let piped = p.seq.len() > 1;
        // `cat FILE | while read X; do …; done` (or `grep -v '^#' FILE |`): a loop over the
        // file's lines.
        if let [
            ast::Command::Simple(feed),
            ast::Command::Compound(ast::CompoundCommand::WhileClause(w), None),
        ] = p.seq.as_slice()
            && !background
            && let Some((file, filter)) = list_feed(feed)
            && self.run_lines_loop(w, &file, &filter)
        {
            return;
        }
        // `CMD | logger …`: the command's output goes to logger (`None` inside: a command
        // holding logger that is not a plain `logger …`).
        let logger = match p.seq.as_slice() {
            [_, ast::Command::Simple(l)] if logger_words(l).is_some() => Some(logger_words(l)),
            [_, last] if last.to_string().contains("logger") => Some(None),
            _ => None,
        };
        for (n, c) in p.seq.iter().enumerate() {
            let before = self.calls.len();
            self.run_command(c, background, piped);
            if n == 0
                && self.calls.len() == before + 1
                && let (Some(words), ast::Command::Simple(s)) = (&logger, c)
                && self.calls[before].output.is_none()
            {
                let args = words
                    .as_ref()
                    .map(|ws| ws.iter().flat_map(|w| self.expand_word(w)).collect());
                self.calls[before].logger = Some(LoggerPipe {
                    args,
                    errors: stderr_to_stdout(s),
                    substitution: false,
                });
            }
        }
    }

    fn run_command(&mut self, c: &'a ast::Command, background: bool, piped: bool) {
        match c {
            ast::Command::Simple(s) => self.simple(s, background, piped),
            // `while read X; do …; done < FILE`: a loop over the file's lines.
            ast::Command::Compound(ast::CompoundCommand::WhileClause(w), Some(r))
                if !background
                    && let [
                        ast::IoRedirect::File(
                            None | Some(0),
                            ast::IoFileRedirectKind::Read,
                            ast::IoFileRedirectTarget::Filename(file),
                        ),
                    ] = r.0.as_slice()
                    && self.run_lines_loop(w, &file.value, &LineFilter::All) => {}
            ast::Command::Compound(cc, _) => self.compound(cc),
            ast::Command::Function(f) => {
                self.functions
                    .insert(f.fname.value.clone(), (&f.body.0, self.file_bits));
            }
            ast::Command::ExtendedTest(_, _) => {}
        }
    }

    /// Runs a compound command ([`Self::compound_command`]). A variable holding an exit
    /// status ([`Self::status_vars`]) that it assigns is one only some paths give afterwards:
    /// it is forgotten.
    fn compound(&mut self, cc: &'a ast::CompoundCommand) {
        let before = self.status_vars.clone();
        self.compound_command(cc);
        if self.status_vars != before {
            let changed: Vec<String> = self
                .status_vars
                .iter()
                .filter(|(k, v)| before.get(*k) != Some(*v))
                .map(|(k, _)| k.clone())
                .collect();
            for k in changed {
                self.status_vars.remove(&k);
            }
        }
    }

    fn compound_command(&mut self, cc: &'a ast::CompoundCommand) {
        let outer = (self.conditional, self.in_loop);
        let depth = self.cond_depth;
        match cc {
            ast::CompoundCommand::BraceGroup(b) => self.run_list(&b.list),
            ast::CompoundCommand::Subshell(s) => self.run_list(&s.list),
            ast::CompoundCommand::IfClause(i) => {
                if !self.collecting && self.depth == 0 && !outer.0 {
                    self.if_guard(i);
                }
                // A test this host's values decide takes only its branch.
                let mut branches: Vec<(Option<&'a ast::CompoundList>, &'a ast::CompoundList)> =
                    vec![(Some(&i.condition), &i.then)];
                for e in i.elses.iter().flatten() {
                    branches.push((e.condition.as_ref(), &e.body));
                }
                let mut undecided = false;
                // The variables before the chain's branches: taken after its first test (which
                // every chain has, and which runs on every path), never read before.
                let mut before = Env::new();
                // What each undecided branch leaves: its test, whether the likely path takes
                // it, and the variables after it (`None` for a branch that ends the action).
                let mut outcomes: Vec<Outcome> = Vec::new();
                let mut taken = false;
                // A branch whose test holds on this host ends the chain: some branch runs.
                let mut exhaustive = false;
                // `if [ "$ENABLE_COREFILES" = 1 ]; then ulimit -c unlimited; fi`: a switch of
                // a process setting, not of the service, decided by the host's value.
                let setting_switch =
                    self.decide_defaults && branches.iter().all(|(_, body)| settings_only(body));
                // `if test -f /etc/init.d/functions; then . …; elif test -f
                // /lib/lsb/init-functions; then . …`: which helpers exist is the host's.
                let by_host = self.host_file_chain(&branches, i);
                // Each test reads the exit statuses as they were before the `if`: an earlier
                // branch's assignments happen only when its own test held.
                let statuses = self.status_vars.clone();
                for (at, (cond, body)) in branches.into_iter().enumerate() {
                    if at > 0 {
                        self.status_vars.clone_from(&statuses);
                    }
                    // An undecided branch before took the variables with it: an `elif` test
                    // reads those before the chain, as the shell does on the path that reaches it.
                    if undecided {
                        self.env = before.clone();
                    }
                    self.setting_switch = setting_switch;
                    let verdict = match (cond, &by_host) {
                        (Some(_), Some(holds)) => holds.get(at).copied(),
                        (Some(c), None) => self.decide(c),
                        (None, _) => Some(true),
                    };
                    // `None`: a test on settings this reading leaves open (an on/off switch,
                    // a defaults file's value when not deciding by them): no path is chosen.
                    let guess = match (verdict, cond) {
                        (None, Some(c)) => self.likely(c),
                        (v, _) => Some(v.unwrap_or(false)),
                    };
                    let likely = !taken && verdict.or(guess).unwrap_or(false);
                    if let Some(c) = cond {
                        self.force_testing = true;
                        // After an undecided branch, a further test runs on some paths only.
                        let at = undecided.then(|| self.enter_branch());
                        self.run_list(c);
                        if let Some(at) = at {
                            self.leave_branch(at);
                        }
                        self.force_testing = false;
                        self.stopped = false;
                        // The first test runs on every path (`if do_start; then`): what it
                        // assigns is there for every branch.
                        if outcomes.is_empty() && !undecided {
                            before = self.env.clone();
                        }
                    }
                    self.setting_switch = false;
                    // Branches are still conditional (an `exit` in one does not end the
                    // script for every host); a decided test only prunes the others.
                    self.conditional = true;
                    match verdict {
                        Some(false) => {}
                        Some(true) if !undecided => {
                            // In a function, a `return` in the branch the host chose ends the
                            // function (the `if` itself on every path of it): an `exit`, or a
                            // `return` of the actions' own code, still only ends this branch.
                            let outer_decided = self.decided_branch;
                            self.decided_branch = self.depth > 0 && (!outer.0 || outer_decided);
                            // Read with the host's settings, an `exit` directly in the branch
                            // they chose (of an `if` on every path of the action's own arm, not
                            // of a function) ends the action on this host (fastd's
                            // `AUTOSTART="none"`): what follows does not run.
                            let outer_host = self.host_branch;
                            if self.decide_defaults
                                && !outer.0
                                && self.collecting
                                && self.depth == 0
                            {
                                self.host_branch = Some(self.cond_depth);
                            }
                            self.run_list(body);
                            self.host_branch = outer_host;
                            self.decided_branch = outer_decided;
                            // `self.stopped` stays as the branch left it: only such a
                            // `return` sets it there (the branch is conditional otherwise).
                            // The host's values chose this branch: what it assigns directly
                            // is the value (outside any undecided test), not one of several.
                            if depth == 0 {
                                for (name, b) in &mut self.env {
                                    if b.uncertain
                                        && b.alternatives.is_empty()
                                        && b.at_depth == 0
                                        && before.get(name) != Some(b)
                                    {
                                        Rc::make_mut(b).uncertain = false;
                                    }
                                }
                            }
                            break;
                        }
                        _ => {
                            undecided = true;
                            self.conditional = true;
                            self.cond_depth = depth + 1;
                            self.env = before.clone();
                            let test = cond.map(|c| {
                                c.to_string()
                                    .trim()
                                    .trim_end_matches(';')
                                    .trim()
                                    .to_string()
                            });
                            let line = self.at_line(cond.map_or(0, |c| {
                                u32::try_from(
                                    ast::SourceLocation::location(c).map_or(0, |l| l.start.line),
                                )
                                .unwrap_or(0)
                            }));
                            let outer_unlikely = self.unlikely.clone();
                            if !likely && guess.is_some() && outer_unlikely.is_none() {
                                // Off the likely path: this branch's test succeeding, or (an
                                // `else`) the likely branch's failing.
                                self.unlikely = match &test {
                                    Some(t) => Some((t.clone(), line, true)),
                                    None => outcomes
                                        .iter()
                                        .find(|o| o.taken)
                                        .and_then(|o| o.test.clone().map(|t| (t, o.line, false))),
                                };
                            }
                            let at = self.enter_branch();
                            let outer_exit = self.exit_depth.replace(depth + 1);
                            let outer_under = self.under.len();
                            self.under.extend(
                                outcomes
                                    .iter()
                                    .filter_map(|o| o.test.clone().map(|t| (t, o.line, false))),
                            );
                            if let Some(t) = &test {
                                self.under.push((t.clone(), line, true));
                            }
                            self.run_list(body);
                            self.under.truncate(outer_under);
                            self.exit_depth = outer_exit;
                            self.leave_branch(at);
                            self.unlikely = outer_unlikely;
                            self.cond_depth = depth;
                            let env = (!self.stopped).then(|| std::mem::take(&mut self.env));
                            self.stopped = false;
                            outcomes.push(Outcome {
                                test,
                                line,
                                taken: likely,
                                env,
                            });
                            taken |= likely;
                            if verdict == Some(true) {
                                exhaustive = true;
                                break;
                            }
                        }
                    }
                }
                if undecided {
                    // Without an `else`, no branch at all is a path too.
                    if !exhaustive && i.elses.iter().flatten().all(|e| e.condition.is_some()) {
                        outcomes.push(Outcome {
                            test: None,
                            line: 0,
                            taken: !taken,
                            env: Some(before.clone()),
                        });
                    }
                    let here = self.here(outer.0);
                    self.env = merge_outcomes(&before, &outcomes, depth, &here);
                    // A branch that exits (`if grep -q nocluster /proc/cmdline; then exit 1;
                    // fi`): what follows runs only where its test failed, so the commands after
                    // the `if` (the daemon's start among them) are under that test failing,
                    // until the enclosing branch or the action ends.
                    // A test of settings alone (no file test in it) is the host's choice,
                    // which the readings with the host's values report (`sysv-start-gate`,
                    // `sysv-toggle`, a unit not enabled): not one more undecided test.
                    if self.collecting && outcomes.iter().any(|o| o.env.is_some()) {
                        for o in &outcomes {
                            if o.env.is_none()
                                && let Some(t) = &o.test
                                && !self.settings_only(t)
                            {
                                self.under.push((t.clone(), o.line, false));
                            }
                        }
                    }
                }
            }
            ast::CompoundCommand::CaseClause(c) => self.case_clause(c),
            ast::CompoundCommand::ForClause(f) if self.run_parts_loop(f) => {}
            ast::CompoundCommand::ForClause(f) => {
                // A loop over the configuration files of a directory: its body is read once,
                // with the variable standing for any one of them.
                let found = self
                    .instance_loop(f)
                    .or_else(|| self.words_loop(f).map(|l| (l.token.clone(), l)))
                    .or_else(|| self.cat_loop(f).map(|l| (l.token.clone(), l)))
                    .or_else(|| self.awk_loop(f).map(|l| (l.token.clone(), l)));
                let (value, uncertain) = match found {
                    Some((value, set)) => {
                        if !self.instance_loops.iter().any(|l| l.pattern == set.pattern) {
                            self.instance_loops.push(set);
                        }
                        (vec![Part::Lit(value)], false)
                    }
                    None => (vec![Part::Unknown(format!("${}", f.variable_name))], true),
                };
                self.env.insert(
                    f.variable_name.as_str().into(),
                    Rc::new(Binding {
                        value,
                        overridable: false,
                        script_default: None,
                        uncertain,
                        alternatives: Vec::new(),
                        at_depth: depth + 1,
                        scope: None,
                    }),
                );
                self.in_loop = true;
                // A per-configuration loop's body runs for every configuration: what it
                // assigns is that configuration's value, not one of several.
                self.conditional = outer.0 || uncertain;
                self.cond_depth = depth + 1;
                let entry = if uncertain {
                    self.loop_entry.take()
                } else {
                    self.loop_entry.replace(self.env.clone())
                };
                self.run_list(&f.body.list);
                self.loop_entry = entry;
                self.stopped = false;
                if !uncertain {
                    self.end_instance_loop();
                }
            }
            ast::CompoundCommand::WhileClause(w) | ast::CompoundCommand::UntilClause(w) => {
                self.in_loop = true;
                self.conditional = true;
                self.cond_depth = depth + 1;
                self.force_testing = true;
                self.run_list(&w.0);
                self.force_testing = false;
                self.stopped = false;
                self.run_list(&w.1.list);
                self.stopped = false;
            }
            ast::CompoundCommand::ArithmeticForClause(f) => {
                self.in_loop = true;
                self.conditional = true;
                self.cond_depth = depth + 1;
                self.run_list(&f.body.list);
                self.stopped = false;
            }
            ast::CompoundCommand::Arithmetic(_) | ast::CompoundCommand::Coprocess(_) => {}
        }
        (self.conditional, self.in_loop) = outer;
        self.cond_depth = depth;
    }

    /// `for X in $(run-parts --list DIR)` (or backquoted) of a directory this reading knows:
    /// the body is read once per file run-parts lists on the host, in its order, with `X` that
    /// file's path as run-parts prints it (`DIR/NAME`): regular files whose names are only
    /// ASCII letters, digits, `_` and `-` (run-parts' rule without `--lsbsysinit` or
    /// `--regex`), in byte order (the C locale's). No file: the body is not read. Recorded as
    /// a [`Reading::RunParts`]; `false` (nothing read) for any other loop.
    fn run_parts_loop(&mut self, f: &'a ast::ForClauseCommand) -> bool {
        let Some([word]) = f.values.as_deref() else {
            return false;
        };
        let raw = word.value.trim();
        let Some(inner) = substitution_body(raw) else {
            return false;
        };
        let [run_parts, "--list", dir] = inner.split_whitespace().collect::<Vec<_>>()[..] else {
            return false;
        };
        if run_parts != "run-parts" && run_parts != "/bin/run-parts" {
            return false;
        }
        let Some(dir) = self.resolve_text(dir).filter(|d| d.starts_with('/')) else {
            return false;
        };
        let entries: Vec<String> = self
            .host
            .list_dir(&dir)
            .into_iter()
            .filter(|n| {
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            })
            .map(|n| format!("{dir}/{n}"))
            .filter(|p| self.host.read(p).is_ok())
            .collect();
        let line = self.line_of(word).0;
        self.note_reading(Reading::RunParts {
            dir: dir.clone(),
            line,
            entries: entries.clone(),
        });
        for entry in entries {
            self.env.insert(
                f.variable_name.as_str().into(),
                Rc::new(Binding {
                    value: vec![Part::Lit(entry)],
                    overridable: false,
                    script_default: None,
                    uncertain: false,
                    alternatives: Vec::new(),
                    at_depth: self.cond_depth,
                    scope: None,
                }),
            );
            self.run_list(&f.body.list);
            if self.stopped {
                break;
            }
        }
        true
    }

    /// An `if`/`elif` chain whose branches source helper files (not settings: nothing under
    /// `/etc/` but the init libraries of [`ETC_INIT_LIBRARIES`]) and whose every test is a file test of a known path
    /// (`test -f F`, `[ -r F ]`, `!` allowed): each test's outcome on the host tree (`-f`/`-r`
    /// a readable regular file, `-s` a non-empty one, `-d` a directory, `-x` an executable
    /// file, `-L`/`-h` a symbolic link, `-e` anything), recorded
    /// as a [`Reading::FileChain`]. Other file tests stay undecided ([`Self::decide`]): there
    /// the file may be one a run creates, while which helper library a host has is the host's.
    fn host_file_chain(
        &mut self,
        branches: &[(Option<&ast::CompoundList>, &ast::CompoundList)],
        clause: &ast::IfClauseCommand,
    ) -> Option<Vec<bool>> {
        let mut helpers = false;
        for (_, body) in branches {
            for w in sourced_words(body) {
                let path = self.resolve_text(&w.value)?;
                if path.starts_with("/etc/") && !ETC_INIT_LIBRARIES.contains(&path.as_str()) {
                    return None;
                }
                helpers = true;
            }
        }
        // `if [ -x /usr/bin/x ]; then DIR=/usr/bin; elif [ -x /usr/local/bin/x ]; then …; else
        // exit 0; fi`: where the package installed a program is the host's, as is which helpers
        // it has (never a file under /etc, /var, /run or /tmp, which a run or an admin makes).
        let programs = !helpers
            && branches.iter().all(|(cond, body)| {
                body.0.iter().all(|item| {
                    item.0.additional.is_empty()
                        && (only_assignments(&item.0.first)
                            || exits_with_success(&ast::CompoundList(vec![item.clone()])))
                }) && cond.is_none_or(|c| {
                    self.file_test(c).is_some_and(|(flag, path, negate)| {
                        flag == "-x"
                            && !negate
                            && !["/etc/", "/var/", "/run/", "/tmp/"]
                                .iter()
                                .any(|d| path.starts_with(d))
                    })
                })
            });
        if !helpers && !programs {
            return None;
        }
        let mut holds = Vec::new();
        let mut tests = Vec::new();
        for (cond, _) in branches {
            let Some(c) = cond else { break };
            let (flag, path, negate) = self.file_test(c)?;
            let found = match flag.as_str() {
                "-x" => self.host.is_executable(&path),
                // A regular file (reading a directory fails), and for `-s` not empty.
                "-f" | "-r" => self.host.read(&path).is_ok(),
                "-s" => self.host.read(&path).is_ok_and(|b| !b.is_empty()),
                "-d" => self.host.exists(&path) && self.host.read(&path).is_err(),
                "-L" | "-h" => self.host.link_target(&path).is_some(),
                _ => self.host.exists(&path),
            };
            holds.push(found != negate);
            let text = c
                .to_string()
                .trim()
                .trim_end_matches(';')
                .trim()
                .to_string();
            tests.push((text, path, found != negate));
        }
        let first = tests.iter().position(|(_, _, h)| *h);
        tests.truncate(first.map_or(tests.len(), |at| at + 1));
        let line = self.at_line(
            ast::SourceLocation::location(&clause.condition)
                .map_or(0, |l| u32::try_from(l.start.line).unwrap_or(0)),
        );
        self.note_reading(Reading::FileChain {
            line,
            tests,
            programs,
        });
        Some(holds)
    }

    /// `test FLAG PATH` / `[ FLAG PATH ]` (with `!`) of a path this reading knows, for a file
    /// flag (`-e`, `-f`, `-r`, `-s`, `-d`, `-x`, `-L`, `-h`): the flag, the path and whether
    /// the test is negated.
    fn file_test(&mut self, list: &ast::CompoundList) -> Option<(String, String, bool)> {
        let [item] = list.0.as_slice() else {
            return None;
        };
        let ao = &item.0;
        let [ast::Command::Simple(sc)] = ao.first.seq.as_slice() else {
            return None;
        };
        if !ao.additional.is_empty() || sc.prefix.is_some() {
            return None;
        }
        let mut words: Vec<String> = sc.word_or_name.iter().map(|w| w.value.clone()).collect();
        for i in sc.suffix.iter().flat_map(|x| x.0.iter()) {
            match i {
                ast::CommandPrefixOrSuffixItem::Word(w) => words.push(w.value.clone()),
                _ => return None,
            }
        }
        let mut negate = ao.first.bang;
        match words.first().map(String::as_str) {
            Some("[") if words.last().map(String::as_str) == Some("]") => {
                words.pop();
            }
            Some("test") => {}
            _ => return None,
        }
        words.remove(0);
        if words.first().map(String::as_str) == Some("!") {
            negate = !negate;
            words.remove(0);
        }
        let [flag, path] = words.as_slice() else {
            return None;
        };
        if !matches!(
            flag.as_str(),
            "-e" | "-f" | "-r" | "-s" | "-d" | "-x" | "-L" | "-h"
        ) {
            return None;
        }
        let path = self.resolve_text(path).filter(|p| p.starts_with('/'))?;
        Some((flag.clone(), path, negate))
    }

    fn case_clause(&mut self, c: &'a ast::CaseClauseCommand) {
        let dispatch = c
            .cases
            .iter()
            .any(|arm| arm.patterns.iter().any(|p| unquote(&p.value) == "start"));
        if !self.collecting && self.case.is_none() && dispatch {
            self.case = Some(c);
            self.case_bits = self.file_bits;
            let tokens: Vec<&str> = self
                .instance_loops
                .iter()
                .map(|l| l.token.as_str())
                .collect();
            let in_instance = self.in_loop
                && self.depth > 0
                && self.env.values().any(|b| {
                    b.value
                        .iter()
                        .any(|p| matches!(p, Part::Lit(t) if tokens.iter().any(|k| t.contains(k))))
                });
            if in_instance {
                self.case_scope = Some(CaseScope {
                    env: self.env.clone(),
                    positional: self.positional.clone(),
                });
            }
            // Code after the dispatch runs for every action; nothing before it is skipped.
            return;
        }
        let value = self.expand_value(&c.value);
        let mut known = Arg::Field(value.clone()).literal();
        // `case "x$RSYNC_NICE" in` on settings from a defaults file read on this host: decided
        // by their values when asked for, as `[ … ]` tests are (never on/off switches, never
        // values set on only some paths).
        if known.is_none() && self.decide_defaults {
            let vars: Vec<String> = value
                .iter()
                .filter_map(|p| match p {
                    Part::Var(v) => Some(v.clone()),
                    _ => None,
                })
                .collect();
            let decidable = !vars.is_empty()
                && vars
                    .iter()
                    .all(|v| !is_toggle(v) && self.set_by_host_file(v));
            if decidable && let Some(v) = self.resolve(&Arg::Field(value)) {
                known = Some(v);
                let line = self.line_of(&c.value).0;
                self.decided.extend(vars.into_iter().map(|v| (v, line)));
            }
        }
        let outer = self.conditional;
        let depth = self.cond_depth;
        for arm in &c.cases {
            let matches = match &known {
                Some(v) => arm.patterns.iter().any(|p| pattern_matches(p, v)),
                None => true,
            };
            if !matches {
                continue;
            }
            if known.is_none() {
                self.conditional = true;
                self.cond_depth = depth + 1;
            }
            let at = known.is_none().then(|| self.enter_branch());
            if let Some(list) = &arm.cmd {
                self.run_list(list);
            }
            if let Some(at) = at {
                self.leave_branch(at);
            }
            self.stopped = known.is_some() && self.stopped;
            if known.is_some() {
                break;
            }
        }
        self.conditional = outer;
        self.cond_depth = depth;
    }

    /// Runs a simple command ([`Self::simple_command`]), following what `$?` holds: a test
    /// that reads it (directly or through a variable assigned `$?`) is noted in
    /// [`Self::status_tests`] with the command before it.
    fn simple(&mut self, s: &ast::SimpleCommand, background: bool, piped: bool) {
        let previous = self.last_status.take();
        let Some(first) = s.word_or_name.as_ref() else {
            // Assignments only: `X=$?` keeps the status; any other value forgets it.
            for item in s.prefix.iter().flat_map(|p| p.0.iter()) {
                if let ast::CommandPrefixOrSuffixItem::AssignmentWord(a, _) = item {
                    self.note_status_assignment(a, previous.as_ref());
                }
            }
            self.simple_command(s, background, piped);
            return;
        };
        let line = self.line_of(first).0;
        let suffix: Vec<&ast::CommandPrefixOrSuffixItem> =
            s.suffix.iter().flat_map(|x| x.0.iter()).collect();
        match first.value.as_str() {
            "[" | "test" => {
                let reads = suffix.iter().find_map(|i| match i {
                    ast::CommandPrefixOrSuffixItem::Word(w) => {
                        if w.value.contains("$?") || w.value.contains("${?}") {
                            previous.clone()
                        } else {
                            referenced_vars(&w.value)
                                .iter()
                                .find_map(|v| self.status_vars.get(v).cloned())
                        }
                    }
                    _ => None,
                });
                if let Some(source) = reads {
                    self.status_tests.insert(line, source);
                }
            }
            "local" if self.depth > 0 => {
                for i in &suffix {
                    let (name, assigned) = match i {
                        ast::CommandPrefixOrSuffixItem::Word(w) => (w.value.clone(), None),
                        ast::CommandPrefixOrSuffixItem::AssignmentWord(a, _) => {
                            (a.name.to_string(), Some(a))
                        }
                        _ => continue,
                    };
                    let hidden = self.status_vars.remove(&name);
                    if let Some(frame) = self.local_status.last_mut() {
                        frame.push((name, hidden));
                    }
                    if let Some(a) = assigned {
                        self.note_status_assignment(a, previous.as_ref());
                    }
                }
            }
            _ => {}
        }
        let runs_function = self.functions.contains_key(first.value.as_str());
        if runs_function {
            self.local_status.push(Vec::new());
        }
        self.simple_command(s, background, piped);
        if runs_function && let Some(frame) = self.local_status.pop() {
            for (name, hidden) in frame.into_iter().rev() {
                match hidden {
                    Some(h) => self.status_vars.insert(name, h),
                    None => self.status_vars.remove(&name),
                };
            }
        }
        self.last_status = Some((s.to_string().trim().to_string(), line));
    }

    /// `X=$?` makes `X` hold the status of `previous`; another value for `X` forgets it.
    fn note_status_assignment(&mut self, a: &ast::Assignment, previous: Option<&StatusOf>) {
        let name = a.name.to_string();
        let status = matches!(&a.value, ast::AssignmentValue::Scalar(w)
            if matches!(w.value.as_str(), "$?" | "\"$?\"" | "${?}" | "\"${?}\""));
        match previous {
            Some(p) if status => {
                self.status_vars.insert(name, p.clone());
            }
            _ => {
                self.status_vars.remove(&name);
            }
        }
    }

    fn simple_command(&mut self, s: &ast::SimpleCommand, background: bool, piped: bool) {
        let mut assignments = Vec::new();
        let mut words: Vec<&ast::Word> = Vec::new();
        let mut redirected = false;
        let mut redirects: Vec<&ast::IoRedirect> = Vec::new();
        for item in s.prefix.iter().flat_map(|p| p.0.iter()) {
            match item {
                ast::CommandPrefixOrSuffixItem::AssignmentWord(a, _) => assignments.push(a),
                ast::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                    redirected |= to_file(r);
                    redirects.push(r);
                }
                _ => {}
            }
        }
        if let Some(w) = &s.word_or_name {
            words.push(w);
        }
        let mut suffix_assignments = Vec::new();
        for item in s.suffix.iter().flat_map(|p| p.0.iter()) {
            match item {
                ast::CommandPrefixOrSuffixItem::Word(w) => words.push(w),
                ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w) => {
                    suffix_assignments.push(a);
                    words.push(w);
                }
                ast::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                    redirected |= to_file(r);
                    redirects.push(r);
                }
                ast::CommandPrefixOrSuffixItem::ProcessSubstitution(..) => {}
            }
        }
        let Some(first) = words.first() else {
            for a in assignments {
                self.assign(a);
            }
            return;
        };
        let mut name = unquote(&first.value);
        if first.value.contains('$') {
            // `$1` as the command: dispatch to the function of that name.
            let parts = self.expand_value(first);
            if let Some(v) = Arg::Field(parts).literal() {
                name = v;
            }
        }
        let (line, column) = self.line_of(first);
        // `exec COMMAND ARGS` runs the command in place of the shell (`exec >>log` alone only
        // redirects).
        if name == "exec" && words.len() > 1 && !self.functions.contains_key("exec") {
            words.remove(0);
            let command = words[0];
            name = unquote(&command.value);
            if command.value.contains('$')
                && let Some(v) = Arg::Field(self.expand_value(command)).literal()
            {
                name = v;
            }
        }
        // RHEL's `action MESSAGE COMMAND ARGS` prints the message and runs the command.
        if name == "action"
            && words.len() > 2
            && !self.functions.contains_key("action")
            && self
                .function_of("action")
                .is_some_and(|f| f.ends_with("init.d/functions"))
        {
            words.drain(..2);
            let command = words[0];
            name = unquote(&command.value);
            if command.value.contains('$')
                && let Some(v) = Arg::Field(self.expand_value(command)).literal()
            {
                name = v;
            }
        }
        // init-d-script's `call NAME ARGS`: `NAME_override` when the script has it, else `NAME`.
        if name == "call" && self.framework && !self.functions.contains_key("call") {
            words.remove(0);
            let Some(target) = words.first() else {
                return;
            };
            name = unquote(&target.value);
            let over = format!("{name}_override");
            if self.functions.contains_key(over.as_str()) {
                name = over;
            }
        }
        // `$0 connect`: the script runs itself for an action of its own (not one init or an
        // operator calls: those are restarts and the like, read as such elsewhere); its arm is
        // read in place, with that action as `$1`.
        if name == self.script_path
            && let [_, action] = words.as_slice()
            && let Some(action) = Arg::Field(self.expand_value(action)).literal()
            && !LSB_ACTIONS.contains(&action.as_str())
            && let Some(case) = self.case
            && let Some(arm) = arm_for(case, &action)
            && let Some(list) = &arm.cmd
            && self.depth < 8
        {
            let positional = std::mem::replace(&mut self.positional, vec![action]);
            self.depth += 1;
            let stopped = self.stopped;
            self.run_list(list);
            self.stopped = stopped;
            self.depth -= 1;
            self.positional = positional;
            return;
        }
        if DECLARATORS.contains(&name.as_str()) {
            if name == "export" {
                for w in &words[1..] {
                    let n = w.value.split('=').next().unwrap_or_default().to_string();
                    if !self.exported.contains(&n) {
                        self.exported.push(n);
                    }
                }
            }
            for a in suffix_assignments {
                self.assign(a);
            }
            return;
        }
        if name == "eval"
            && !self.functions.contains_key("eval")
            && self.eval(&words[1..], &redirects, (background, piped), (line, column))
        {
            return;
        }
        match name.as_str() {
            "." | "source" => {
                if let Some(path) = words.get(1) {
                    self.source(path, line);
                }
                return;
            }
            "exit" => {
                // Directly in an undecided branch, it ends that path (the others go on).
                if self.exit_depth == Some(self.cond_depth) {
                    self.stopped = true;
                }
                // Directly in the branch the host's settings chose: it ends the action here.
                if self.host_branch == Some(self.cond_depth) {
                    self.stopped = true;
                    if self.decided_exit.is_none() {
                        self.decided_exit = Some(line);
                    }
                }
                if !self.conditional {
                    self.stopped = true;
                    if !self.collecting && self.depth == 0 && self.early_exit.is_none() {
                        self.early_exit = Some(line);
                    }
                }
                return;
            }
            "shift" => {
                let n = words
                    .get(1)
                    .and_then(|w| w.value.parse::<usize>().ok())
                    .unwrap_or(1);
                let n = n.min(self.positional.len());
                self.positional.drain(..n);
                return;
            }
            "return" => {
                if !self.conditional || (self.decided_branch && self.depth > 0) {
                    self.stopped = true;
                }
                return;
            }
            "test" | "[" => {
                self.last_test_vars.clear();
                for w in &words[1..] {
                    for v in referenced_vars(&w.value) {
                        self.last_test_vars.push(v.clone());
                        self.tested.push(TestedVar {
                            name: v,
                            line,
                            setting: self.setting_switch,
                        });
                    }
                }
            }
            _ => {}
        }
        if let Some((body, bits)) = self.functions.get(name.as_str()).copied()
            && self.depth < 8
        {
            let expanded: Vec<Arg> = words[1..]
                .iter()
                .flat_map(|w| self.expand_word(w))
                .collect();
            let args: Vec<String> = expanded
                .iter()
                .map(|a| self.resolve(a).unwrap_or_default())
                .collect();
            let positional = std::mem::replace(&mut self.positional, args);
            let outer = self.in_loop;
            self.depth += 1;
            let stopped = self.stopped;
            let testing = (self.testing, self.force_testing);
            self.force_testing = false;
            let file = std::mem::replace(&mut self.file_bits, bits);
            self.compound(body);
            self.file_bits = file;
            self.stopped = stopped;
            (self.testing, self.force_testing) = testing;
            self.depth -= 1;
            self.in_loop = outer;
            self.positional = positional;
            return;
        }
        if !self.functions.contains_key(name.as_str())
            && let Some(lines) = self.builtins.get(name.as_str()).cloned()
        {
            for l in lines {
                let mut c = self.synthesize(&l, line);
                c.in_loop = self.in_loop;
                c.background = background;
                c.conditional = self.conditional;
                c.tested = self.testing;
                self.calls.push(c);
            }
            return;
        }
        let mut args: Vec<Arg> = words.iter().flat_map(|w| self.expand_word(w)).collect();
        if args.is_empty() {
            return;
        }
        let function = self.function_of(&name).map(str::to_string);
        if function.is_some() {
            // The name as called (`call do_start_cmd` is the function's call).
            args[0] = Arg::Field(vec![Part::Lit(name.clone())]);
        }
        let output = self.output_of(&redirects);
        let logger = self.logger_of(&redirects);
        // The value of a starter's pid file option is the file it checks, not an argument of
        // the daemon.
        let base = name.rsplit('/').next().unwrap_or(&name);
        let pid_option = |i: usize| {
            matches!(base, "start_daemon" | "start-stop-daemon")
                && (i > 0 && matches!(words[i - 1].value.as_str(), "-p" | "--pidfile")
                    || words[i].value.starts_with("--pidfile="))
        };
        let (mut uncertain, mut uncertain_pid_file) = (Vec::new(), Vec::new());
        for (i, w) in words.iter().enumerate() {
            for v in referenced_vars(&w.value) {
                if self.uncertain_here(&v) {
                    if pid_option(i) {
                        uncertain_pid_file.push(v);
                    } else {
                        uncertain.push(v);
                    }
                }
            }
        }
        uncertain_pid_file.retain(|v| !uncertain.contains(v));
        for v in &uncertain {
            if let Some(b) = self.env.get(v.as_str()) {
                self.uncertain_at.insert((line, v.clone()), b.clone());
            }
        }
        self.calls.push(Call {
            args,
            line,
            column,
            in_loop: self.in_loop,
            background,
            piped,
            conditional: self.conditional,
            tested: self.testing,
            redirected,
            output,
            logger,
            function,
            uncertain,
            captured: false,
            uncertain_pid_file,
            cond_depth: self.cond_depth,
            unlikely: self.unlikely.clone(),
            under: self.under.clone(),
        });
    }

    /// Records `reading` once.
    fn note_reading(&mut self, reading: Reading) {
        if !self.readings.contains(&reading) {
            self.readings.push(reading);
        }
    }

    /// `eval WORDS`: the text eval reads (its words expanded, joined by blanks) when this
    /// reading knows it, parsed again and read as the command the script has there. A
    /// `$(echo WORDS)` word is echo's output. Settings from a defaults file take their value on
    /// this host ([`Self::eval_text`]); variables of several values stay the calls'
    /// [`Call::uncertain`]. A value only a run knows, or a text that is more than one simple
    /// command, leaves `eval` as it is (`false`). Recorded as a [`Reading::Eval`].
    fn eval(
        &mut self,
        words: &[&ast::Word],
        redirects: &[&ast::IoRedirect],
        (background, piped): (bool, bool),
        (line, column): (u32, u32),
    ) -> bool {
        let mut text = String::new();
        let mut fixed = Vec::new();
        // What the command line depends on that is one of several values: kept on the calls.
        let mut uncertain: Vec<String> = Vec::new();
        for w in words {
            for v in referenced_vars(&w.value) {
                if self.uncertain_here(&v) && !uncertain.contains(&v) {
                    uncertain.push(v);
                }
            }
            let raw = w.value.trim();
            let echoed = raw
                .strip_prefix("$(")
                .and_then(|r| r.strip_suffix(')'))
                .or_else(|| raw.strip_prefix('`').and_then(|r| r.strip_suffix('`')))
                .and_then(|inner| parse(inner).ok());
            let args: Vec<Arg> = match &echoed {
                Some(program) => {
                    let Some(echo) = echo_words(program) else {
                        return false;
                    };
                    echo.iter().flat_map(|w| self.expand_word(w)).collect()
                }
                None => self.expand_word(w),
            };
            for arg in &args {
                if !text.is_empty() {
                    text.push(' ');
                }
                let Some(piece) = self.eval_text(arg, &mut fixed) else {
                    return false;
                };
                if echoed.is_some() && piece.contains('\\') {
                    return false;
                }
                text.push_str(&piece);
            }
        }
        let mut full = text.clone();
        for r in redirects {
            full.push(' ');
            full.push_str(r.to_string().trim());
        }
        let Ok(program) = parse(&full) else {
            return false;
        };
        let [list] = program.complete_commands.as_slice() else {
            return false;
        };
        let [item] = list.0.as_slice() else {
            return false;
        };
        let ([ast::Command::Simple(sc)], []) =
            (item.0.first.seq.as_slice(), item.0.additional.as_slice())
        else {
            return false;
        };
        if item.0.first.bang || sc.word_or_name.is_none() {
            return false;
        }
        let before = self.calls.len();
        self.simple(sc, background, piped);
        for c in &mut self.calls[before..] {
            c.line = line;
            c.column = column;
            for v in &uncertain {
                if !c.uncertain.contains(v) {
                    c.uncertain.push(v.clone());
                }
            }
            for v in &c.uncertain {
                if let Some(b) = self.env.get(v.as_str()) {
                    self.uncertain_at.insert((line, v.clone()), b.clone());
                }
            }
        }
        // `eval $@` of a message helper (`log_action_msg …`): nothing the unit runs.
        let runs = self.calls[before..].iter().any(|c| {
            c.program().is_some_and(|p| {
                !p.starts_with("log_") && !["echo", "printf", ":", "true"].contains(&p.as_str())
            })
        });
        if runs {
            self.note_reading(Reading::Eval { line, text, fixed });
        }
        true
    }

    /// An expanded argument of `eval` as text for eval to read again: literal text as it is,
    /// a setting a defaults file gives (or may give) as its value on this host (its name added
    /// to `fixed`: eval reads that text again, quotes and all, which a unit's `${NAME}` would
    /// not); `None` when only a run knows it.
    fn eval_text(&self, arg: &Arg, fixed: &mut Vec<String>) -> Option<String> {
        let parts = match arg {
            Arg::Split(n) => vec![Part::Var(n.clone())],
            Arg::Field(parts) => parts.clone(),
        };
        let mut out = String::new();
        for p in &parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Var(v) => {
                    out.push_str(&self.value(v)?);
                    if !fixed.contains(v) {
                        fixed.push(v.clone());
                    }
                }
                Part::Unknown(_) => return None,
            }
        }
        Some(out)
    }

    /// Which way an `if` test this reading cannot decide most likely goes, for choosing one
    /// path through the script ([`Binding::alternatives`]): a file test (`-e`, `-f`, `-r`,
    /// `-s`, `-d`, `-x`, `-L`, `-h`, with `!`) by what the host has, a comparison of strings
    /// (`-z`, `-n`, `=`, `!=`) with settings the host does not give as empty, chained with
    /// `&&`/`||`; anything else (a command's exit status, a value only a run computes) as
    /// failing.
    /// `None` when the test reads an on/off switch, or a defaults file's setting while this
    /// reading does not decide by them: those are not paths to choose between.
    pub fn likely(&mut self, list: &ast::CompoundList) -> Option<bool> {
        let [item] = list.0.as_slice() else {
            return Some(false);
        };
        let ao = &item.0;
        let mut result = self.likely_pipeline(&ao.first)?;
        for next in &ao.additional {
            let (ast::AndOr::And(p) | ast::AndOr::Or(p)) = next;
            let this = self.likely_pipeline(p)?;
            result = match next {
                ast::AndOr::And(_) => result && this,
                ast::AndOr::Or(_) => result || this,
            };
        }
        Some(result)
    }

    fn likely_pipeline(&mut self, p: &ast::Pipeline) -> Option<bool> {
        if p.seq.len() == 2
            && let Some(found) = self.filter_test(p, true)
        {
            return Some(found);
        }
        let [ast::Command::Simple(sc)] = p.seq.as_slice() else {
            return Some(false);
        };
        let mut words: Vec<&ast::Word> = sc.word_or_name.iter().collect();
        words.extend(
            sc.suffix
                .iter()
                .flat_map(|x| x.0.iter())
                .filter_map(|i| match i {
                    ast::CommandPrefixOrSuffixItem::Word(w) => Some(w),
                    _ => None,
                }),
        );
        let Some(first) = words.first() else {
            return Some(false);
        };
        let name = unquote(&first.value);
        if name != "test" && name != "[" {
            return Some(false);
        }
        let mut args: Vec<&ast::Word> = words[1..].to_vec();
        if name == "[" && args.last().is_some_and(|w| w.value == "]") {
            args.pop();
        }
        let mut negate = p.bang;
        // `!` binds tighter than `-a`/`-o`: then it stays for [`Self::likely_words`].
        let joined = args.iter().any(|w| w.value == "-a" || w.value == "-o");
        if !joined && args.first().is_some_and(|w| w.value == "!") {
            negate = !negate;
            args.remove(0);
        }
        // A comparison of strings: a setting the host does not give (a defaults file that is
        // missing, a variable nothing sets) as empty, the default the script falls back to.
        let mut text: Vec<String> = Vec::new();
        for w in &args {
            let parts = self.expand_value(w);
            let mut value = String::new();
            for p in &parts {
                match p {
                    Part::Lit(l) => value.push_str(l),
                    Part::Var(v) if is_toggle(v) || !self.decide_defaults => return None,
                    Part::Var(v) => value.push_str(&self.value(v).unwrap_or_default()),
                    Part::Unknown(_) => return Some(false),
                }
            }
            if value.is_empty() && !w.value.contains(['"', '\'']) {
                continue;
            }
            text.push(value);
        }
        Some(self.likely_words(&text) != negate)
    }

    /// A `test`'s words after expansion ([`Interp::likely`]): `-o` and `-a` between tests,
    /// `!`, string tests, file tests by the host tree; anything else as failing.
    fn likely_words(&self, words: &[String]) -> bool {
        if let Some(at) = words.iter().position(|w| w == "-o") {
            return self.likely_words(&words[..at]) || self.likely_words(&words[at + 1..]);
        }
        if let Some(at) = words.iter().position(|w| w == "-a") {
            return self.likely_words(&words[..at]) && self.likely_words(&words[at + 1..]);
        }
        match words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["!", rest @ ..] if !rest.is_empty() => !self.likely_words(&words[1..]),
            ["-z", s] => s.is_empty(),
            ["-n", s] => !s.is_empty(),
            ["-e" | "-f" | "-r" | "-s" | "-d" | "-L" | "-h", path] => self.host.exists(path),
            ["-x", path] => self.host.is_executable(path),
            [a, "=" | "==", b] => a == b,
            [a, "!=", b] => a != b,
            [_] => true,
            _ => false,
        }
    }

    /// Evaluates an `if` condition that is one `test`/`[` with values known on this host
    /// (`-z`, `-n`, `=`, `==`, `!=`, `-eq`, `-ne`, …, `!`). File tests are never decided: the
    /// target's files may differ from the copy being read. `None` when it cannot be decided without running the script.
    fn decide(&mut self, list: &ast::CompoundList) -> Option<bool> {
        let [item] = list.0.as_slice() else {
            return None;
        };
        let ao = &item.0;
        if !ao.additional.is_empty() {
            return None;
        }
        self.decide_pipeline(&ao.first)
    }

    /// [`Self::decide`] for one pipeline (the test of `TEST && …` or `TEST || …`).
    fn decide_pipeline(&mut self, p: &ast::Pipeline) -> Option<bool> {
        if p.seq.len() == 2 {
            return self.filter_test(p, false);
        }
        let [ast::Command::Simple(sc)] = p.seq.as_slice() else {
            return None;
        };
        let mut words: Vec<&ast::Word> = sc.word_or_name.iter().collect();
        for i in sc.suffix.iter().flat_map(|x| x.0.iter()) {
            match i {
                ast::CommandPrefixOrSuffixItem::Word(w) => words.push(w),
                ast::CommandPrefixOrSuffixItem::IoRedirect(_) => {}
                _ => return None,
            }
        }
        let name = unquote(&words.first()?.value);
        if name != "test" && name != "[" {
            return None;
        }
        if let Some(holds) = self.script_path_test(p, &words) {
            return Some(holds);
        }
        let mut args: Vec<String> = Vec::new();
        // Where the test's own `-o`/`-a` (written so, not a value) join primaries.
        let mut joins: Vec<usize> = Vec::new();
        let mut used = Vec::new();
        for w in &words[1..] {
            if w.value == "-o" || w.value == "-a" {
                joins.push(args.len());
                args.push(w.value.clone());
                continue;
            }
            let parts = self.expand_value(w);
            // On/off switches are replaced by the unit's enablement, settings from a defaults
            // file only count when asked for (they are the admin's to change), and values set
            // on only some paths are not known: never decided.
            for p in &parts {
                if let Part::Var(v) = p {
                    // Unset on this host and set by no file read: empty, as before the file.
                    // An on/off switch the defaults file leaves unset is still the admin's to
                    // set there (coturn's commented `#TURNSERVER_ENABLED=1`): not decided.
                    let unset = !self.env.contains_key(v.as_str()) && !self.defaults_absent;
                    let open_switch =
                        unset && self.defaults_read && is_toggle(v) && !self.setting_switch;
                    if unset && !open_switch {
                        continue;
                    }
                    // Deciding by the host's settings, it is empty there: noted, so that a
                    // start it rules out on this host is read again with the switch open.
                    if open_switch && self.decide_defaults {
                        if !self.unset_switches.contains(v) {
                            self.unset_switches.push(v.clone());
                        }
                        continue;
                    }
                    if !self.decide_defaults
                        || (is_toggle(v) && !self.setting_switch)
                        || !self.decidable_setting(v)
                    {
                        return None;
                    }
                    used.push(v.clone());
                }
            }
            if referenced_vars(&w.value)
                .iter()
                .any(|v| self.uncertain_here(v))
            {
                return None;
            }
            let quoted = w.value.contains(['"', '\'']);
            let v = self.resolve(&Arg::Field(parts))?;
            // An unquoted empty expansion disappears, as in the shell.
            if v.is_empty() && !quoted {
                continue;
            }
            args.push(v);
        }
        if name == "[" && args.last().map(String::as_str) == Some("]") {
            args.pop();
        }
        let mut negate = p.bang;
        // `A -o B -a C`: `-a` binds tighter; every primary must be decided.
        let result = if joins.is_empty() {
            if args.first().map(String::as_str) == Some("!") {
                negate = !negate;
                args.remove(0);
            }
            decide_primary(&args)?
        } else {
            let mut any = false;
            let mut all = true;
            let mut start = 0;
            for end in joins.iter().copied().chain([args.len()]) {
                let mut primary = &args[start..end];
                let not = primary.first().map(String::as_str) == Some("!");
                if not {
                    primary = &primary[1..];
                }
                all &= decide_primary(primary)? != not;
                if end == args.len() || args[end] == "-o" {
                    any |= all;
                    all = true;
                }
                start = end + 1;
            }
            any
        };
        let line = self.line_of(words[0]).0;
        self.decided.extend(used.into_iter().map(|v| (v, line)));
        Some(result != negate)
    }

    /// Whether `test` reads only settings (every variable it names one a settings file gives or
    /// could give) and tests no file: `test "x$AUTOSTART" = "xnone" -o -z "$AUTOSTART"`.
    fn settings_only(&self, test: &str) -> bool {
        const FILE_FLAGS: [&str; 13] = [
            "-e", "-f", "-d", "-s", "-x", "-r", "-w", "-h", "-L", "-c", "-b", "-p", "-S",
        ];
        let vars = referenced_vars(test);
        if vars.is_empty() || test.split_whitespace().any(|w| FILE_FLAGS.contains(&w)) {
            return false;
        }
        vars.iter().all(|v| self.is_setting(v))
    }

    /// Whether `var` is a setting: a settings file gives it (or could, when it is missing on
    /// this host), or it is unset and a settings file is read. The script's own values decide
    /// a test of them the same way every time.
    fn is_setting(&self, var: &str) -> bool {
        let settings_read = || {
            self.sourced
                .iter()
                .any(|s| matches!(s.kind, SourceKind::Defaults | SourceKind::Other))
        };
        self.env
            .get(var)
            .map_or_else(settings_read, |b| b.overridable)
    }

    /// Records `ao` as a [`Gate`] when it is one: one string test (`=`, `!=`, `-n`, `-z`, a
    /// lone word; `!` allowed) of variables, then `|| exit`/`&& exit` with status 0.
    fn note_gate(&mut self, ao: &ast::AndOrList) {
        let [next @ (ast::AndOr::And(p) | ast::AndOr::Or(p))] = ao.additional.as_slice() else {
            return;
        };
        let [ast::Command::Simple(exit)] = p.seq.as_slice() else {
            return;
        };
        let mut exit_words: Vec<String> =
            exit.word_or_name.iter().map(|w| w.value.clone()).collect();
        for i in exit.suffix.iter().flat_map(|x| x.0.iter()) {
            if let ast::CommandPrefixOrSuffixItem::Word(w) = i {
                exit_words.push(w.value.clone());
            }
        }
        if !matches!(
            exit_words
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            ["exit"] | ["exit", "0"]
        ) || p.bang
        {
            return;
        }
        let [ast::Command::Simple(sc)] = ao.first.seq.as_slice() else {
            return;
        };
        let mut words: Vec<String> = sc.word_or_name.iter().map(|w| w.value.clone()).collect();
        for i in sc.suffix.iter().flat_map(|x| x.0.iter()) {
            match i {
                ast::CommandPrefixOrSuffixItem::Word(w) => words.push(w.value.clone()),
                ast::CommandPrefixOrSuffixItem::IoRedirect(_) => {}
                _ => return,
            }
        }
        match words.first().map(String::as_str) {
            Some("[") if words.last().map(String::as_str) == Some("]") => {
                words.pop();
            }
            Some("test") => {}
            _ => return,
        }
        words.remove(0);
        if words.first().map(String::as_str) == Some("!") {
            words.remove(0);
        }
        let string_test = matches!(
            words
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            [_] | ["-n" | "-z", _] | [_, "=" | "==" | "!=", _]
        );
        let vars: Vec<String> = words.iter().flat_map(|w| referenced_vars(w)).collect();
        // A test of the script's own values only is decided the same way every time: no switch.
        let setting = |v: &String| self.is_setting(v);
        if !string_test || !vars.iter().any(setting) {
            return;
        }
        // With the host's values (the defaults file's where it was read).
        let decided = self.decided.len();
        let outer = std::mem::replace(&mut self.decide_defaults, true);
        let holds = self.decide_pipeline(&ao.first);
        self.decide_defaults = outer;
        self.decided.truncate(decided);
        let passes = holds.map(|h| h != matches!(next, ast::AndOr::And(_)));
        let line = sc.word_or_name.as_ref().map_or(0, |w| self.line_of(w).0);
        let after = if self.collecting {
            self.calls.iter().map(|c| c.line).collect()
        } else {
            Vec::new()
        };
        let gate = Gate {
            test: ao.first.to_string().trim().to_string(),
            line,
            vars,
            passes,
            after,
        };
        if !self.gates.contains(&gate) {
            self.gates.push(gate);
        }
    }

    /// `[ FLAG $0 ]` / `test FLAG "$0"` (`!` allowed; `-e`, `-f`, `-r`, `-s`, `-x`, `-L`,
    /// `-h`): a file test of the script's own path, which is the script this reading has (its
    /// path on the host, as systemd-sysv-generator's unit runs it), so it is decided on that
    /// file: pure-ftpd's `if [ -h $0 ]; then ME=`readlink $0`` asks whether it was run
    /// through a link. Recorded as a [`Reading::ScriptPathTest`]. `None` for any other test.
    fn script_path_test(&mut self, p: &ast::Pipeline, words: &[&ast::Word]) -> Option<bool> {
        let mut args: Vec<String> = words[1..]
            .iter()
            .map(|w| brush_parser::unquote_str(&w.value))
            .collect();
        if args.first().map(String::as_str) == Some("[") {
            return None;
        }
        if brush_parser::unquote_str(&words[0].value) == "[" {
            if args.last().map(String::as_str) != Some("]") {
                return None;
            }
            args.pop();
        }
        let mut negate = p.bang;
        if args.first().map(String::as_str) == Some("!") {
            negate = !negate;
            args.remove(0);
        }
        let [flag, word] = args.as_slice() else {
            return None;
        };
        if !matches!(word.as_str(), "$0" | "${0}") {
            return None;
        }
        let path = self.script_path.clone();
        let found = match flag.as_str() {
            "-L" | "-h" => self.host.link_target(&path).is_some(),
            "-x" => self.host.is_executable(&path),
            "-s" => self.host.read(&path).is_ok_and(|b| !b.is_empty()),
            "-e" | "-f" | "-r" => self.host.read(&path).is_ok(),
            _ => return None,
        };
        let text = p.to_string().trim().to_string();
        let line = self.line_of(words[0]).0;
        self.note_reading(Reading::ScriptPathTest {
            line,
            text,
            path,
            holds: found != negate,
        });
        Some(found != negate)
    }

    /// `echo WORDS | grep [OPTIONS] PATTERN` ([`GrepTest`]): whether the filter finds the
    /// pattern in the echoed text. With `likely`, by the values the host gives (as
    /// [`Self::likely`] reads tests); otherwise only when the values are decided as
    /// [`Self::decide_pipeline`] decides them. `None` when it cannot tell.
    fn filter_test(&mut self, p: &ast::Pipeline, likely: bool) -> Option<bool> {
        let [ast::Command::Simple(echo), ast::Command::Simple(grep)] = p.seq.as_slice() else {
            return None;
        };
        fn words(sc: &ast::SimpleCommand) -> Option<Vec<&ast::Word>> {
            if sc.prefix.is_some() {
                return None;
            }
            let mut out: Vec<&ast::Word> = sc.word_or_name.iter().collect();
            for i in sc.suffix.iter().flat_map(|x| x.0.iter()) {
                match i {
                    ast::CommandPrefixOrSuffixItem::Word(w) => out.push(w),
                    ast::CommandPrefixOrSuffixItem::IoRedirect(_) => {}
                    _ => return None,
                }
            }
            Some(out)
        }
        let (e, g) = (words(echo)?, words(grep)?);
        if e.first().map(|w| unquote(&w.value)).as_deref() != Some("echo")
            || g.first().map(|w| unquote(&w.value)).as_deref() != Some("grep")
        {
            return None;
        }
        // The text: echo's words as the shell gives them (unquoted ones split and joined by
        // single spaces), `-n`/`-e`/`-E` first dropped.
        let mut text: Vec<String> = Vec::new();
        let mut used = Vec::new();
        let mut leading = true;
        for w in &e[1..] {
            if leading && matches!(w.value.as_str(), "-n" | "-e" | "-E" | "-ne" | "-en") {
                continue;
            }
            leading = false;
            let parts = self.expand_value(w);
            let mut value = String::new();
            for part in &parts {
                match part {
                    Part::Lit(l) => value.push_str(l),
                    Part::Var(v) => {
                        if !likely {
                            let unset = !self.env.contains_key(v.as_str()) && !self.defaults_absent;
                            if !unset {
                                if !self.decide_defaults
                                    || is_toggle(v)
                                    || !self.decidable_setting(v)
                                {
                                    return None;
                                }
                                used.push(v.clone());
                            }
                        }
                        value.push_str(&self.value(v).unwrap_or_default());
                    }
                    Part::Unknown(_) => return None,
                }
            }
            if !likely
                && referenced_vars(&w.value)
                    .iter()
                    .any(|v| self.uncertain_here(v))
            {
                return None;
            }
            if w.value.contains(['"', '\'']) {
                text.push(value);
            } else {
                text.extend(value.split_whitespace().map(str::to_string));
            }
        }
        let mut grep_words = Vec::new();
        for w in &g[1..] {
            if w.value.contains('$') || w.value.contains('`') {
                return None;
            }
            grep_words.push(unquote(&w.value));
        }
        let found = GrepTest::parse(&grep_words)?.selects(&text.join(" "))?;
        if !likely {
            let line = self.line_of(e[0]).0;
            self.decided.extend(used.into_iter().map(|v| (v, line)));
        }
        Some(found != p.bang)
    }

    /// The simple commands inside a `$( … )` that is a whole assignment value
    /// (`R=$(start-stop-daemon --start …)`): the shell runs them.
    fn substitution_calls(&mut self, w: &ast::Word, line: u32) {
        let raw = w.value.trim();
        let raw = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        let Some(inner) = raw
            .strip_prefix("$(")
            .and_then(|r| r.strip_suffix(')'))
            .or_else(|| raw.strip_prefix('`').and_then(|r| r.strip_suffix('`')))
        else {
            return;
        };
        let parsed = parse_text(inner);
        let Some(program) = parsed.as_ref() else {
            return;
        };
        for cc in &program.complete_commands {
            for item in &cc.0 {
                for c in &item.0.first.seq {
                    if let ast::Command::Simple(sc) = c {
                        let mut words: Vec<&ast::Word> = sc.word_or_name.iter().collect();
                        for i in sc.suffix.iter().flat_map(|x| x.0.iter()) {
                            if let ast::CommandPrefixOrSuffixItem::Word(w) = i {
                                words.push(w);
                            }
                        }
                        let args: Vec<Arg> =
                            words.iter().flat_map(|w| self.expand_word(w)).collect();
                        // A function of the script: run it (its commands are what counts).
                        if let Some((body, bits)) = args
                            .first()
                            .and_then(Arg::literal)
                            .and_then(|n| self.functions.get(n.as_str()).copied())
                            && self.depth < 8
                        {
                            self.depth += 1;
                            let stopped = self.stopped;
                            let file = std::mem::replace(&mut self.file_bits, bits);
                            self.compound(body);
                            self.file_bits = file;
                            self.stopped = stopped;
                            self.depth -= 1;
                            continue;
                        }
                        if !args.is_empty() {
                            let function = args
                                .first()
                                .and_then(Arg::literal)
                                .and_then(|n| self.function_of(&n).map(str::to_string));
                            self.calls.push(Call {
                                args,
                                line,
                                column: 1,
                                in_loop: self.in_loop,
                                background: false,
                                piped: item.0.first.seq.len() > 1,
                                conditional: self.conditional,
                                tested: true,
                                redirected: false,
                                output: None,
                                logger: None,
                                function,
                                uncertain: Vec::new(),
                                captured: true,
                                uncertain_pid_file: Vec::new(),
                                cond_depth: self.cond_depth,
                                unlikely: self.unlikely.clone(),
                                under: self.under.clone(),
                            });
                        }
                    }
                }
            }
        }
    }

    /// Where a command's standard output goes (a file, not `/dev/null`) and whether standard
    /// error follows.
    fn output_of(&mut self, redirects: &[&ast::IoRedirect]) -> Option<(String, bool, bool)> {
        let mut out: Option<String> = None;
        let mut errors = false;
        let mut truncates = false;
        for r in redirects {
            match r {
                ast::IoRedirect::File(
                    fd,
                    kind @ (ast::IoFileRedirectKind::Write
                    | ast::IoFileRedirectKind::Append
                    | ast::IoFileRedirectKind::Clobber),
                    ast::IoFileRedirectTarget::Filename(w),
                ) if fd.is_none_or(|f| f == 1) => {
                    let parts = self.expand_value(w);
                    out = self
                        .resolve(&Arg::Field(parts))
                        .filter(|p| p != "/dev/null");
                    truncates = !matches!(kind, ast::IoFileRedirectKind::Append);
                }
                ast::IoRedirect::File(
                    Some(2),
                    ast::IoFileRedirectKind::DuplicateOutput,
                    ast::IoFileRedirectTarget::Fd(1),
                ) => errors = out.is_some(),
                ast::IoRedirect::File(
                    Some(2),
                    ast::IoFileRedirectKind::DuplicateOutput,
                    ast::IoFileRedirectTarget::Duplicate(w),
                ) if w.value == "1" => errors = out.is_some(),
                ast::IoRedirect::OutputAndError(w, append) => {
                    let parts = self.expand_value(w);
                    out = self
                        .resolve(&Arg::Field(parts))
                        .filter(|p| p != "/dev/null");
                    errors = true;
                    truncates = !append;
                }
                _ => {}
            }
        }
        out.map(|o| (o, errors, truncates))
    }

    /// Where a command's standard output goes when a process substitution running `logger`
    /// takes it (`> >(logger …)`), and whether standard error follows (`2>&1` after it).
    fn logger_of(&mut self, redirects: &[&ast::IoRedirect]) -> Option<LoggerPipe> {
        let mut pipe: Option<LoggerPipe> = None;
        for r in redirects {
            match r {
                ast::IoRedirect::File(
                    fd,
                    ast::IoFileRedirectKind::Write
                    | ast::IoFileRedirectKind::Append
                    | ast::IoFileRedirectKind::Clobber,
                    target,
                ) if fd.is_none_or(|f| f == 1) => {
                    pipe = match target {
                        ast::IoFileRedirectTarget::ProcessSubstitution(
                            ast::ProcessSubstitutionKind::Write,
                            sub,
                        ) if sub.list.to_string().contains("logger") => Some(LoggerPipe {
                            args: sole_simple(&sub.list)
                                .and_then(logger_words)
                                .map(|ws| ws.iter().flat_map(|w| self.expand_word(w)).collect()),
                            errors: false,
                            substitution: true,
                        }),
                        _ => None,
                    };
                }
                ast::IoRedirect::OutputAndError(..) => pipe = None,
                r if is_stderr_to_stdout(r) => {
                    if let Some(p) = &mut pipe {
                        p.errors = true;
                    }
                }
                _ => {}
            }
        }
        pipe
    }

    fn assign(&mut self, a: &ast::Assignment) {
        let ast::AssignmentName::VariableName(name) = &a.name else {
            return;
        };
        if self.collecting
            && let ast::AssignmentValue::Scalar(w) = &a.value
        {
            let line = self.at_line(u32::try_from(a.loc.start.line).unwrap_or(0));
            self.substitution_calls(w, line);
        }
        let value = match &a.value {
            ast::AssignmentValue::Scalar(w) => self.expand_value(w),
            ast::AssignmentValue::Array(_) => vec![Part::Unknown(format!("{name}=(…)"))],
        };
        // `USER=$USER` after a defaults file set it: the value stays the file's.
        if !a.append
            && matches!(value.as_slice(), [Part::Var(v)] if v == name)
            && self.env.get(name.as_str()).is_some_and(|b| b.overridable)
        {
            return;
        }
        let derived = match &a.value {
            ast::AssignmentValue::Scalar(w) => referenced_vars(&w.value)
                .iter()
                .any(|v| self.uncertain_here(v)),
            ast::AssignmentValue::Array(_) => false,
        };
        let value = if a.append {
            let mut v: Vec<Part> = self.lookup(name).into_iter().map(|(p, _)| p).collect();
            v.extend(value);
            v
        } else {
            value
        };
        // A value made from uncertain ones has their alternatives, when all of them have:
        // each the assignment's value with that source's other value.
        let inherited: Vec<Alternative> = match &a.value {
            ast::AssignmentValue::Scalar(w) if derived => {
                let sources: Vec<(String, Rc<Binding>)> = referenced_vars(&w.value)
                    .into_iter()
                    .filter(|v| self.uncertain_here(v))
                    .filter_map(|v| self.env.get(v.as_str()).cloned().map(|b| (v, b)))
                    .collect();
                let mut all: Vec<Alternative> = Vec::new();
                if sources.iter().all(|(_, b)| !b.alternatives.is_empty()) {
                    for (source, b) in &sources {
                        for alt in &b.alternatives {
                            let saved = self.env.get(source.as_str()).cloned();
                            if let Some(s) = self.env.get_mut(source.as_str()) {
                                let s = Rc::make_mut(s);
                                s.value.clone_from(&alt.value);
                                s.overridable = false;
                            }
                            let mut value = self.expand_value(w);
                            if a.append {
                                let mut v: Vec<Part> =
                                    self.lookup(name).into_iter().map(|(p, _)| p).collect();
                                v.extend(value);
                                value = v;
                            }
                            if let Some(saved) = saved {
                                self.env.insert(source.as_str().into(), saved);
                            }
                            let alt = Alternative {
                                value,
                                ..alt.clone()
                            };
                            if !all.contains(&alt) {
                                all.push(alt);
                            }
                        }
                    }
                }
                all
            }
            _ => Vec::new(),
        };
        self.set(name, value);
        if derived && let Some(b) = self.env.get_mut(name.as_str()) {
            let b = Rc::make_mut(b);
            b.uncertain = true;
            b.scope = None;
            if b.alternatives.is_empty() && b.at_depth == 0 {
                b.alternatives = inherited;
            }
        }
    }

    fn source(&mut self, word: &ast::Word, line: u32) {
        let parts = self.expand_value(word);
        // `. $DEFAULT` with a variable nothing sets (no settings file read that could), not
        // quoted: the shell gets no file name and sources nothing (`. ""` ends dash instead).
        let vars = referenced_vars(&word.value);
        if parts.is_empty()
            && !vars.is_empty()
            && !self.defaults_absent
            && !self.defaults_read
            && vars.iter().all(|v| !self.env.contains_key(v.as_str()))
            && word
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '{' | '}' | '_'))
        {
            self.note_reading(Reading::EmptySource {
                word: word.value.clone(),
                line,
            });
            return;
        }
        // An empty name (`. $1` with an argument only a run gives) is not known either.
        let Some(path) = self.resolve(&Arg::Field(parts)).filter(|p| !p.is_empty()) else {
            let raw = unquote(&word.value);
            if raw.starts_with("/etc/default/") || raw.starts_with("/etc/sysconfig/") {
                // A defaults file whose exact name is computed: any variable may come from it.
                self.defaults_absent = true;
                for b in self.env.values_mut() {
                    if !b.overridable {
                        let b = Rc::make_mut(b);
                        b.overridable = true;
                        b.script_default = Some(b.value.clone());
                    }
                }
            }
            self.sourced.push(Sourced {
                path: word.value.clone(),
                line,
                kind: SourceKind::Other,
                present: false,
                optional: self.conditional,
                assigns: Vec::new(),
                shell_lines: Vec::new(),
            });
            return;
        };
        // A name made with a variable nothing read so far sets (pcp's `. $PCP_SHARE_DIR/lib/…`,
        // which its `pcp.env` sets with `eval` of a command's output): when what the empty
        // value gives is not on the host either, the file is one only a run knows, not that
        // path.
        if !self.host.exists(&path)
            && vars
                .iter()
                .any(|v| is_name(v) && !self.env.contains_key(v.as_str()))
        {
            self.sourced.push(Sourced {
                path: brush_parser::unquote_str(&word.value),
                line,
                kind: SourceKind::Other,
                present: false,
                optional: self.conditional,
                assigns: Vec::new(),
                shell_lines: Vec::new(),
            });
            return;
        }
        self.source_file(&path, line);
    }

    /// Sources the host file `path` as `. path` would at `line`: a defaults file's assignments
    /// are applied (their variables become overridable); a missing one makes every variable
    /// overridable.
    pub fn source_file(&mut self, path: &str, line: u32) {
        let path = path.to_string();
        if let Some(l) = self
            .instance_loops
            .iter()
            .find(|l| path.contains(&l.token))
            .cloned()
        {
            self.source_per_instance(&path, &l, line);
            return;
        }
        let kind = if path.ends_with("/lib/init/init-d-script") {
            SourceKind::InitDScript
        } else if path.ends_with("/lsb/init-functions")
            || path.ends_with("/lib/init/vars.sh")
            || path.ends_with("init.d/functions")
        {
            if path.ends_with("/lsb/init-functions") {
                self.declare_functions(&path, LSB_FUNCTIONS);
            } else if path.ends_with("init.d/functions") {
                self.declare_functions(&path, RHEL_FUNCTIONS);
            }
            SourceKind::Library
        } else if path.starts_with("/etc/") {
            SourceKind::Defaults
        } else {
            SourceKind::Other
        };
        let mut sourced = Sourced {
            path: path.clone(),
            line,
            kind,
            present: false,
            optional: self.conditional,
            assigns: Vec::new(),
            shell_lines: Vec::new(),
        };
        // A library the caller parsed: sourcing it runs its code (functions, assignments) as
        // the script's own.
        if kind == SourceKind::Other
            && self.depth < 8
            && let Some(library) = self
                .libraries
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, l)| *l)
        {
            for name in function_names(library) {
                self.defined.insert(name, path.clone());
            }
            self.depth += 1;
            let stopped = self.stopped;
            let file = std::mem::replace(&mut self.file_bits, library_lines(&path, line));
            for cc in &library.complete_commands {
                self.run_list(cc);
                if self.stopped {
                    break;
                }
            }
            self.file_bits = file;
            self.stopped = stopped;
            self.depth -= 1;
            self.sourced.push(Sourced {
                present: true,
                ..sourced
            });
            return;
        }
        if matches!(kind, SourceKind::Defaults | SourceKind::Other) {
            match self.host.read(&path) {
                Ok(bytes) => {
                    sourced.present = true;
                    self.defaults_read |= kind == SourceKind::Defaults;
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    sourced.shell_lines = shell_lines(&text);
                    if let Ok(program) = parse(&text) {
                        // Its functions are not followed (unless it is a library the caller
                        // parsed), but their names are never commands.
                        for name in function_names(&program) {
                            self.defined.entry(name).or_insert_with(|| path.clone());
                        }
                        for (name, word) in assignments_of(&program) {
                            let value = self.expand_value(&word);
                            let script_default = self.env.get(name.as_str()).and_then(|b| {
                                if b.overridable {
                                    b.script_default.clone()
                                } else {
                                    Some(b.value.clone())
                                }
                            });
                            self.env.insert(
                                name.as_str().into(),
                                Rc::new(Binding {
                                    value,
                                    overridable: true,
                                    script_default,
                                    uncertain: false,
                                    alternatives: Vec::new(),
                                    at_depth: self.cond_depth,
                                    scope: None,
                                }),
                            );
                            if !sourced.assigns.contains(&name) {
                                sourced.assigns.push(name);
                            }
                        }
                    }
                }
                Err(_) => {
                    self.defaults_absent = true;
                    for b in self.env.values_mut() {
                        if !b.overridable {
                            let b = Rc::make_mut(b);
                            b.overridable = true;
                            b.script_default = Some(b.value.clone());
                        }
                    }
                }
            }
        }
        self.sourced.push(sourced);
    }

    /// Sources a settings file named per configuration (`path` holds `l`'s token): what some
    /// configuration's file on the host assigns becomes a reference (each instance reads its own
    /// value), the script's earlier value its default; with no configuration's file on the
    /// host, any variable may come from it, as from a missing defaults file.
    fn source_per_instance(&mut self, path: &str, l: &InstanceLoop, line: u32) {
        let read = super::instance_settings::PerInstanceFile::read(self.host, path, l);
        let tokens: Vec<String> = self
            .instance_loops
            .iter()
            .map(|l| l.token.clone())
            .collect();
        // No configuration's file to read on the host: the variables the loop's body assigned
        // for the configuration before sourcing it (`local ARGS="$ARGS"`, `IFACE_ARGS=""  #
        // sourced from the config file`) are those the file is there to change; values made
        // from the configuration's name are the script's.
        let assigns = match &self.loop_entry {
            Some(entry) if !read.any_present() => self
                .env
                .iter()
                .filter(|(name, b)| {
                    entry.get(*name).is_none_or(|e| !Rc::ptr_eq(e, b))
                        && !b.value.iter().any(|p| {
                            matches!(p, Part::Lit(t) if tokens.iter().any(|k| t.contains(k.as_str())))
                        })
                })
                .map(|(name, _)| name.to_string())
                .collect(),
            _ => read.assigns(),
        };
        if read.any_present() || self.loop_entry.is_some() {
            for name in &assigns {
                let script_default = self.env.get(name.as_str()).and_then(|b| {
                    if b.overridable {
                        b.script_default.clone()
                    } else {
                        Some(b.value.clone())
                    }
                });
                self.env.insert(
                    name.as_str().into(),
                    Rc::new(Binding {
                        value: vec![Part::Var(name.clone())],
                        overridable: true,
                        script_default,
                        uncertain: false,
                        alternatives: Vec::new(),
                        at_depth: self.cond_depth,
                        scope: None,
                    }),
                );
            }
        } else {
            self.defaults_absent = true;
            for b in self.env.values_mut() {
                if !b.overridable {
                    let b = Rc::make_mut(b);
                    b.overridable = true;
                    b.script_default = Some(b.value.clone());
                }
            }
        }
        self.sourced.push(Sourced {
            path: path.to_string(),
            line,
            kind: SourceKind::Instance,
            present: read.any_present(),
            optional: self.conditional,
            assigns,
            shell_lines: Vec::new(),
        });
        if !self.instance_files.iter().any(|f| f.path == read.path) {
            self.instance_files.push(read);
        }
    }

    /// The parts of a variable's expansion (each flagged as not quoted).
    fn lookup(&self, name: &str) -> Vec<(Part, bool)> {
        match self.env.get(name) {
            Some(b) if b.overridable => vec![(Part::Var(name.to_string()), false)],
            Some(b) => b.value.iter().map(|p| (p.clone(), false)).collect(),
            None if self.defaults_absent || self.defaults_read => {
                vec![(Part::Var(name.to_string()), false)]
            }
            None => Vec::new(),
        }
    }

    fn param(&self, p: &Parameter) -> Result<Vec<(Part, bool)>, String> {
        match p {
            Parameter::Named(n) => Ok(self.lookup(n)),
            Parameter::Positional(0)
            | Parameter::Special(brush_parser::word::SpecialParameter::ShellName) => {
                Ok(vec![(Part::Lit(self.script_path.clone()), false)])
            }
            Parameter::Special(brush_parser::word::SpecialParameter::AllPositionalParameters {
                ..
            }) => Ok(vec![(Part::Lit(self.positional.join(" ")), false)]),
            Parameter::Positional(n) => Ok(self
                .positional
                .get(*n as usize - 1)
                .map(|v| vec![(Part::Lit(v.clone()), false)])
                .unwrap_or_default()),
            other => Err(other.to_string()),
        }
    }

    /// [`Self::param`] for `${…:-…}`-style tests: a variable unset here and set by no file read
    /// counts as empty (it only stays a reference where it is expanded as it is).
    fn param_for_test(&self, p: &Parameter) -> Result<Vec<(Part, bool)>, String> {
        let parts = self.param(p)?;
        match (p, parts.as_slice()) {
            (Parameter::Named(n), [(Part::Var(_), _)])
                if !self.env.contains_key(n.as_str()) && !self.defaults_absent =>
            {
                Ok(Vec::new())
            }
            _ => Ok(parts),
        }
    }

    fn is_empty_value(parts: &[(Part, bool)]) -> Option<bool> {
        if parts.iter().any(|(p, _)| !matches!(p, Part::Lit(_))) {
            return None;
        }
        Some(
            parts
                .iter()
                .all(|(p, _)| matches!(p, Part::Lit(s) if s.is_empty())),
        )
    }

    fn parameter_expr(&mut self, e: &ParameterExpr, quoted: bool, out: &mut Vec<(Part, bool)>) {
        let unknown = |out: &mut Vec<(Part, bool)>, what: String| {
            push_part(out, Part::Unknown(what), quoted);
        };
        match e {
            ParameterExpr::Parameter {
                parameter,
                indirect: false,
            } => match self.param(parameter) {
                Ok(parts) => {
                    for (p, _) in parts {
                        push_part(out, p, quoted);
                    }
                }
                Err(what) => unknown(out, what),
            },
            ParameterExpr::UseDefaultValues {
                parameter,
                indirect: false,
                test_type,
                default_value,
            }
            | ParameterExpr::AssignDefaultValues {
                parameter,
                indirect: false,
                test_type,
                default_value,
            } => {
                let Ok(current) = self.param_for_test(parameter) else {
                    return unknown(out, parameter.to_string());
                };
                let default = self.expand_text(default_value.as_deref().unwrap_or(""), quoted);
                let unset = match parameter {
                    Parameter::Named(n) => !self.env.contains_key(n.as_str()),
                    _ => current.is_empty(),
                };
                let empty = match test_type {
                    ParameterTestType::UnsetOrNull => Self::is_empty_value(&current),
                    ParameterTestType::Unset => Some(unset && !self.defaults_absent),
                };
                let chosen = match (empty, &current.as_slice()) {
                    (Some(true), _) => default.clone(),
                    (Some(false), _) => current,
                    (None, [(Part::Var(v), _)]) => {
                        self.var_defaults
                            .entry(v.clone())
                            .or_insert_with(|| default.iter().map(|(p, _)| p.clone()).collect());
                        current
                    }
                    (None, _) => current,
                };
                if let (
                    ParameterExpr::AssignDefaultValues { .. },
                    Parameter::Named(n),
                    Some(true),
                ) = (e, parameter, empty)
                {
                    self.set(n, default.iter().map(|(p, _)| p.clone()).collect());
                }
                for (p, _) in chosen {
                    push_part(out, p, quoted);
                }
            }
            ParameterExpr::UseAlternativeValue {
                parameter,
                indirect: false,
                alternative_value,
                ..
            } => {
                let Ok(current) = self.param_for_test(parameter) else {
                    return unknown(out, parameter.to_string());
                };
                match Self::is_empty_value(&current) {
                    Some(true) => {}
                    Some(false) => {
                        for (p, _) in
                            self.expand_text(alternative_value.as_deref().unwrap_or(""), quoted)
                        {
                            push_part(out, p, quoted);
                        }
                    }
                    // Decided by the value on this host.
                    None => {
                        let set = match parameter {
                            Parameter::Named(n) => self.value(n).is_some_and(|v| !v.is_empty()),
                            _ => false,
                        };
                        if set {
                            for (p, _) in
                                self.expand_text(alternative_value.as_deref().unwrap_or(""), quoted)
                            {
                                push_part(out, p, quoted);
                            }
                        }
                    }
                }
            }
            ParameterExpr::RemoveSmallestPrefixPattern {
                parameter,
                indirect: false,
                pattern,
            }
            | ParameterExpr::RemoveLargestPrefixPattern {
                parameter,
                indirect: false,
                pattern,
            }
            | ParameterExpr::RemoveSmallestSuffixPattern {
                parameter,
                indirect: false,
                pattern,
            }
            | ParameterExpr::RemoveLargestSuffixPattern {
                parameter,
                indirect: false,
                pattern,
            } => {
                let (prefix, largest) = match e {
                    ParameterExpr::RemoveSmallestPrefixPattern { .. } => (true, false),
                    ParameterExpr::RemoveLargestPrefixPattern { .. } => (true, true),
                    ParameterExpr::RemoveSmallestSuffixPattern { .. } => (false, false),
                    _ => (false, true),
                };
                let value = match parameter {
                    Parameter::Named(n) => self.value(n),
                    other => self.param(other).ok().and_then(|v| {
                        Arg::Field(v.into_iter().map(|(p, _)| p).collect()).literal()
                    }),
                };
                match value
                    .and_then(|v| trim(&v, pattern.as_deref().unwrap_or(""), prefix, largest))
                {
                    Some(v) => push_part(out, Part::Lit(v), quoted),
                    None => unknown(out, format!("${{{parameter}…}}")),
                }
            }
            ParameterExpr::ParameterLength {
                parameter,
                indirect: false,
            } => {
                let value = match parameter {
                    Parameter::Named(n) => self.value_or_empty(n),
                    other => self.param(other).ok().and_then(|v| {
                        Arg::Field(v.into_iter().map(|(p, _)| p).collect()).literal()
                    }),
                };
                match value {
                    Some(v) => push_part(out, Part::Lit(v.chars().count().to_string()), quoted),
                    None => unknown(out, format!("${{#{parameter}}}")),
                }
            }
            _ => unknown(out, "${…}".to_string()),
        }
    }

    fn expand_text(&mut self, text: &str, quoted: bool) -> Vec<(Part, bool)> {
        // What the pieces brush gives for such a word come to, without parsing it.
        if plain_word(text) {
            return if text.is_empty() {
                Vec::new()
            } else {
                vec![(Part::Lit(text.to_string()), quoted)]
            };
        }
        let mut out = Vec::new();
        match &*parse_word(text) {
            Some(pieces) => {
                out.reserve_exact(pieces.len());
                for p in pieces {
                    self.piece(&p.piece, quoted, &mut out);
                }
            }
            None => push_part(&mut out, Part::Unknown(text.to_string()), quoted),
        }
        out
    }

    fn piece(&mut self, piece: &WordPiece, quoted: bool, out: &mut Vec<(Part, bool)>) {
        match piece {
            WordPiece::Text(s) => push_part(out, Part::Lit(s.clone()), quoted),
            WordPiece::SingleQuotedText(s) | WordPiece::AnsiCQuotedText(s) => {
                push_part(out, Part::Lit(s.clone()), true);
            }
            WordPiece::DoubleQuotedSequence(seq) | WordPiece::GettextDoubleQuotedSequence(seq) => {
                // An empty "" still makes a field.
                push_part(out, Part::Lit(String::new()), true);
                for p in seq {
                    self.piece(&p.piece, true, out);
                }
            }
            WordPiece::EscapeSequence(s) => {
                let c = s.strip_prefix('\\').unwrap_or(s);
                if !(quoted && c == "\n") {
                    push_part(out, Part::Lit(c.to_string()), true);
                }
            }
            WordPiece::TildeExpansion(_) => push_part(out, Part::Lit("~".to_string()), quoted),
            WordPiece::ParameterExpansion(e) => self.parameter_expr(e, quoted, out),
            WordPiece::CommandSubstitution(s) => {
                let part = match self
                    .sourced_value(s)
                    .or_else(|| self.basename_value(s))
                    .or_else(|| self.function_output(s))
                    .or_else(|| self.computed(s, &format!("$({s})")))
                {
                    Some(v) => Part::Lit(v),
                    None => Part::Unknown(format!("$({s})")),
                };
                push_part(out, part, quoted);
            }
            WordPiece::BackquotedCommandSubstitution(s) => {
                // Inside backquotes `\$`, `\``, `\\` stand for the character itself.
                let inner = s
                    .replace("\\\\", "\u{0}")
                    .replace("\\$", "$")
                    .replace("\\`", "`")
                    .replace('\u{0}', "\\");
                let part = match self.computed(&inner, &format!("`{s}`")) {
                    Some(v) => Part::Lit(v),
                    None => Part::Unknown(format!("`{s}`")),
                };
                push_part(out, part, quoted);
            }
            WordPiece::ArithmeticExpression(e) => {
                push_part(out, Part::Unknown(format!("$(({}))", e.value)), quoted);
            }
        }
    }

    /// `$(basename NAME [SUFFIX])` on words known here: NAME's last path component, without
    /// SUFFIX when it ends with it (and is more than it), as `basename` prints it.
    fn basename_value(&mut self, text: &str) -> Option<String> {
        let rest = text.trim().strip_prefix("basename")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let words: Vec<&str> = rest.split_whitespace().collect();
        let (name, suffix) = match words.as_slice() {
            [n] => (*n, None),
            [n, s] => (*n, Some(*s)),
            _ => return None,
        };
        if name.starts_with('-') {
            return None;
        }
        let name = self.resolve_text(name)?;
        let suffix = match suffix {
            Some(s) => Some(self.resolve_text(s)?),
            None => None,
        };
        let trimmed = name.trim_end_matches('/');
        if trimmed.is_empty() {
            return Some(if name.is_empty() {
                String::new()
            } else {
                "/".to_string()
            });
        }
        let base = trimmed.rsplit('/').next().unwrap_or(trimmed);
        Some(match suffix {
            Some(s) if !s.is_empty() && base.len() > s.len() && base.ends_with(&s) => {
                base[..base.len() - s.len()].to_string()
            }
            _ => base.to_string(),
        })
    }

    /// The output of a command substitution made only of commands whose output this reading
    /// can tell (trailing newlines removed, as the shell does): `basename WORD [SUFFIX]` of a
    /// known value (`basename "$0"`, the script's own name), `readlink PATH` of a host path
    /// (the link's text; nothing for a path that is no link), `echo WORDS` of known values (no
    /// backslash, no option), tests decided as [`Self::decide_pipeline`] decides them
    /// (settings from a defaults file by their value on this host, on/off-looking names too:
    /// the test only chooses an option), joined by `&&`/`||`,
    /// in `( … )` or `{ …; }`: `` `[ -n "$SPOOLDIR" ] && echo "-z $SPOOLDIR"` ``. Recorded as a
    /// [`Reading`] under `shown` (the substitution as written).
    fn computed(&mut self, text: &str, shown: &str) -> Option<String> {
        let parsed = parse_text(text);
        let program = parsed.as_ref().as_ref()?;
        let [list] = program.complete_commands.as_slice() else {
            return None;
        };
        let decided = self.decided.len();
        let line = self.word_line;
        // What such a test chooses is an option of the command line, never whether the script
        // starts anything: decided by the host's settings in every reading.
        let outer = (self.decide_defaults, self.setting_switch);
        (self.decide_defaults, self.setting_switch) = (true, true);
        let printed = self.printed(list);
        (self.decide_defaults, self.setting_switch) = outer;
        let Some((_, output)) = printed else {
            self.decided.truncate(decided);
            return None;
        };
        // The tests' lines are the substitution's own: the script's is the word's.
        for (_, l) in &mut self.decided[decided..] {
            *l = line;
        }
        self.word_line = line;
        let value = output.trim_end_matches('\n').to_string();
        // A per-configuration loop's value: each instance's own, said by the loop's finding.
        if value.contains(INSTANCE) {
            return Some(value);
        }
        let shown = shown
            .replace("\\\n", " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let reading = if text.trim_start().starts_with("basename") {
            Reading::Basename {
                text: shown,
                value: value.clone(),
            }
        } else {
            Reading::TestEcho {
                text: shown,
                value: value.clone(),
            }
        };
        self.note_reading(reading);
        Some(value)
    }

    /// [`Self::computed`] for one list: its exit status and output.
    fn printed(&mut self, list: &ast::CompoundList) -> Option<(bool, String)> {
        let [item] = list.0.as_slice() else {
            return None;
        };
        let ao = &item.0;
        let (mut status, mut out) = self.printed_pipeline(&ao.first)?;
        for next in &ao.additional {
            let (runs, p) = match next {
                ast::AndOr::And(p) => (status, p),
                ast::AndOr::Or(p) => (!status, p),
            };
            if runs {
                let (s, o) = self.printed_pipeline(p)?;
                status = s;
                out.push_str(&o);
            }
        }
        Some((status, out))
    }

    fn printed_pipeline(&mut self, p: &ast::Pipeline) -> Option<(bool, String)> {
        // `basename $ME | sed -ne 's/^pure-ftpd-\(.*\)/\1/p'`: a command this reading can
        // tell, its output edited by one `sed -n` substitution it can run too.
        if let [first, ast::Command::Simple(sed)] = p.seq.as_slice()
            && !p.bang
        {
            let script = self.sed_substitution(sed)?;
            let single = ast::Pipeline {
                timed: None,
                bang: false,
                seq: vec![first.clone()],
            };
            let (_, input) = self.printed_pipeline(&single)?;
            let out: String = input
                .lines()
                .filter_map(|l| script.apply(l))
                .map(|l| format!("{l}\n"))
                .collect();
            return Some((true, out));
        }
        let [command] = p.seq.as_slice() else {
            return None;
        };
        let (status, out) = match command {
            ast::Command::Compound(ast::CompoundCommand::Subshell(s), None) => {
                self.printed(&s.list)?
            }
            ast::Command::Compound(ast::CompoundCommand::BraceGroup(b), None) => {
                self.printed(&b.list)?
            }
            ast::Command::Simple(sc) if sc.prefix.is_none() => {
                let name = sc.word_or_name.as_ref().map(|w| unquote(&w.value))?;
                if name == "[" || name == "test" {
                    // `decide_pipeline` reads the `!` itself.
                    return self.decide_pipeline(p).map(|v| (v, String::new()));
                }
                let mut words = Vec::new();
                for i in sc.suffix.iter().flat_map(|x| x.0.iter()) {
                    let ast::CommandPrefixOrSuffixItem::Word(w) = i else {
                        return None;
                    };
                    for a in self.expand_word(w) {
                        words.push(self.resolve(&a)?);
                    }
                }
                match name.rsplit('/').next().unwrap_or(&name) {
                    // `readlink PATH` (no option): the host's link as written in it; a path
                    // that is no link prints nothing and fails (pure-ftpd's `readlink $0`).
                    "readlink" if words.len() == 1 && !words[0].starts_with('-') => {
                        match self.host.link_target(&words[0]) {
                            Some(target) => (true, format!("{target}\n")),
                            None => (false, String::new()),
                        }
                    }
                    "echo"
                        if !words.iter().any(|w| w.contains('\\'))
                            && words.first().is_none_or(|w| {
                                !(w.len() > 1
                                    && w.starts_with('-')
                                    && w[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E')))
                            }) =>
                    {
                        (true, format!("{}\n", words.join(" ")))
                    }
                    "basename" if (1..=2).contains(&words.len()) => {
                        let path = words[0].trim_end_matches('/');
                        let base = if path.is_empty() && !words[0].is_empty() {
                            "/"
                        } else {
                            path.rsplit('/').next().unwrap_or(path)
                        };
                        let base = match words.get(1) {
                            Some(suffix) if base != suffix.as_str() => {
                                base.strip_suffix(suffix.as_str()).unwrap_or(base)
                            }
                            _ => base,
                        };
                        (true, format!("{base}\n"))
                    }
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some((status != p.bang, out))
    }

    /// `sed -n 's/RE/REPL/p'` (`-ne`, `-n -e` too) whose RE is literal text with `^`, `$`
    /// and at most one `\(.*\)` group, and whose REPL is literal text and `\1`.
    fn sed_substitution(&mut self, sc: &ast::SimpleCommand) -> Option<SedSubstitution> {
        if sc.prefix.is_some() || sc.word_or_name.as_ref().map(|w| unquote(&w.value))? != "sed" {
            return None;
        }
        let mut words = Vec::new();
        for i in sc.suffix.iter().flat_map(|x| x.0.iter()) {
            let ast::CommandPrefixOrSuffixItem::Word(w) = i else {
                return None;
            };
            // Single quotes keep the backslashes of `\(.*\)`; other quoting is not read.
            let v = w.value.as_str();
            let word = match v.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
                Some(inner) if !inner.contains('\'') => inner.to_string(),
                _ if !v.contains(['\'', '"', '\\', '$', '`']) => v.to_string(),
                _ => return None,
            };
            words.push(word);
        }
        let script = match words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["-ne", s] | ["-n", "-e", s] | ["-n", s] => (*s).to_string(),
            _ => return None,
        };
        SedSubstitution::parse(&script)
    }

    /// `$(NAME)` of a function the script defined whose body only prints text known on this
    /// host (prosody's `start_opts`: `test -z "$NICE" || printf " --nicelevel %s" $NICE`): each
    /// command of it `printf FORMAT ARGS…` (`%s`, `%d`, `%%`, `\n`, `\t`, `\\`) or `echo [-n]
    /// WORDS…` without backslashes, run or not by tests [`Self::decide_pipeline`] decides
    /// (`TEST || …`, `TEST && …`). The output, trailing newlines removed as the substitution does
    /// ([`Interp::function_outputs`]). `None` for anything else.
    fn function_output(&mut self, text: &str) -> Option<String> {
        let name = text.trim();
        if !crate::ir::env_name_is_valid(name) {
            return None;
        }
        let (body, _) = *self.functions.get(name)?;
        let ast::CompoundCommand::BraceGroup(group) = body else {
            return None;
        };
        let mut output = String::new();
        for item in &group.list.0 {
            if matches!(item.1, ast::SeparatorOperator::Async) {
                return None;
            }
            let ao = &item.0;
            let mut status = self.print_or_test(&ao.first, &mut output)?;
            for next in &ao.additional {
                match next {
                    ast::AndOr::And(p) if status => status = self.print_or_test(p, &mut output)?,
                    ast::AndOr::Or(p) if !status => status = self.print_or_test(p, &mut output)?,
                    _ => {}
                }
            }
        }
        let output = output.trim_end_matches('\n').to_string();
        let seen = (format!("$({text})"), output.clone());
        if !self.function_outputs.contains(&seen) {
            self.function_outputs.push(seen);
        }
        Some(output)
    }

    /// One pipeline of a [`Self::function_output`] function: a decided test (its result), or
    /// `printf`/`echo` of known words appending to `output` (success). `None` for anything else.
    fn print_or_test(&mut self, p: &'a ast::Pipeline, output: &mut String) -> Option<bool> {
        if let Some(result) = self.decide_pipeline(p) {
            return Some(result);
        }
        let [ast::Command::Simple(sc)] = p.seq.as_slice() else {
            return None;
        };
        if p.bang || sc.prefix.is_some() {
            return None;
        }
        let mut words: Vec<String> = Vec::new();
        for w in sc.word_or_name.iter().chain(sc.suffix.iter().flat_map(|x| {
            x.0.iter().filter_map(|i| match i {
                ast::CommandPrefixOrSuffixItem::Word(w) => Some(w),
                _ => None,
            })
        })) {
            for arg in self.expand_word(w) {
                let text = self.resolve(&arg)?;
                match arg {
                    // Unquoted: split at blanks, an empty value gives no word.
                    Arg::Split(_) => words.extend(text.split_whitespace().map(str::to_string)),
                    Arg::Field(_) => words.push(text),
                }
            }
        }
        if sc
            .suffix
            .iter()
            .flat_map(|x| x.0.iter())
            .any(|i| !matches!(i, ast::CommandPrefixOrSuffixItem::Word(_)))
        {
            return None;
        }
        match words.split_first()? {
            (echo, rest) if echo == "echo" => {
                let (newline, rest) = match rest.split_first() {
                    Some((n, rest)) if n == "-n" => (false, rest),
                    _ => (true, rest),
                };
                if rest.iter().any(|w| w.contains('\\')) {
                    return None;
                }
                output.push_str(&rest.join(" "));
                if newline {
                    output.push('\n');
                }
            }
            (command, rest) if command == "printf" => {
                let rest = match rest.split_first() {
                    Some((dashes, rest)) if dashes == "--" => rest,
                    _ => rest,
                };
                let (format, args) = rest.split_first()?;
                output.push_str(&printf(format, args)?);
            }
            _ => return None,
        }
        Some(true)
    }

    /// `$(. FILE [>/dev/null] && echo "$VAR")`: the value FILE gives VAR, when FILE is on the
    /// host and assigns VAR once, unconditionally and to plain text (no expansion, so the
    /// subshell's variables cannot change it).
    fn sourced_value(&mut self, text: &str) -> Option<String> {
        let (source, echo) = text.split_once("&&")?;
        let source = source.trim();
        let file = source.strip_prefix(". ")?;
        let file = file.trim();
        // Its output sent away: `>/dev/null`, `> /dev/null`, `1>/dev/null`.
        let file = match file.strip_suffix("/dev/null").map(str::trim_end) {
            Some(f) => {
                let f = f.strip_suffix('>')?;
                f.strip_suffix(" 1").unwrap_or(f).trim()
            }
            None => file,
        };
        let var = echo
            .trim()
            .strip_prefix("echo ")?
            .trim()
            .trim_matches('"')
            .strip_prefix('$')?;
        let var = var
            .strip_prefix('{')
            .and_then(|v| v.strip_suffix('}'))
            .unwrap_or(var);
        if file.is_empty()
            || file.contains(char::is_whitespace)
            || !crate::ir::env_name_is_valid(var)
        {
            return None;
        }
        let path = self.resolve_text(file)?;
        let bytes = self.host.read(&path).ok()?;
        let program = parse(&String::from_utf8_lossy(&bytes)).ok()?;
        let all: Vec<_> = assignments_of(&program)
            .into_iter()
            .filter(|(n, _)| n == var)
            .collect();
        let top: Vec<_> = top_level_assignments(&program)
            .into_iter()
            .filter(|(n, _)| n == var)
            .collect();
        match (all.as_slice(), top.as_slice()) {
            ([_], [(_, w)]) if !w.value.contains(['$', '`', '\\']) => {
                let value = unquote(&w.value);
                let seen = (format!("$({text})"), path, value.clone());
                if !self.sourced_values.contains(&seen) {
                    self.sourced_values.push(seen);
                }
                Some(value)
            }
            _ => None,
        }
    }

    /// A word as the value of an assignment (no splitting).
    pub fn expand_value(&mut self, w: &ast::Word) -> Vec<Part> {
        if w.loc.is_some() {
            self.word_line = self.line_of(w).0;
        }
        let mut parts: Vec<Part> = Vec::new();
        for (p, _) in self.expand_text(&w.value, true) {
            match (parts.last_mut(), p) {
                (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(&b),
                (_, p) => parts.push(p),
            }
        }
        parts.retain(|p| !matches!(p, Part::Lit(s) if s.is_empty()));
        parts
    }

    /// A command word: unquoted literal text is split at blanks, an unquoted variable from an
    /// environment file standing alone becomes [`Arg::Split`].
    pub fn expand_word(&mut self, w: &ast::Word) -> Vec<Arg> {
        if matches!(
            w.value.as_str(),
            "\"$@\"" | "$@" | "$*" | "\"${@}\"" | "${@}"
        ) {
            return self
                .positional
                .iter()
                .map(|p| Arg::Field(vec![Part::Lit(p.clone())]))
                .collect();
        }
        if w.loc.is_some() {
            self.word_line = self.line_of(w).0;
        }
        let segments = self.expand_text(&w.value, false);
        let mut args = Vec::new();
        let mut field: Vec<Part> = Vec::new();
        let mut started = false;
        let flush = |field: &mut Vec<Part>, started: &mut bool, args: &mut Vec<Arg>| {
            if *started && field.len() == 1 {
                // One part is the field as it is: merging and dropping empty text apply to
                // several.
                args.push(Arg::Field(std::mem::take(field)));
            } else if *started {
                let mut merged: Vec<Part> = Vec::with_capacity(field.len());
                for p in field.drain(..) {
                    match (merged.last_mut(), p) {
                        (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(&b),
                        (_, p) => merged.push(p),
                    }
                }
                if merged.len() > 1 {
                    merged.retain(|p| !matches!(p, Part::Lit(s) if s.is_empty()));
                }
                if merged.is_empty() {
                    merged.push(Part::Lit(String::new()));
                }
                args.push(Arg::Field(merged));
            }
            *started = false;
        };
        let n = segments.len();
        // Whether each segment is followed by unquoted text that starts with a blank.
        let blank_after: Vec<bool> = (0..n)
            .map(|i| {
                matches!(segments.get(i + 1), Some((Part::Lit(t), false))
                    if t.starts_with([' ', '\t', '\n']))
            })
            .collect();
        for (i, (part, quoted)) in segments.into_iter().enumerate() {
            match part {
                // Without a blank the text is one chunk, kept as it is.
                Part::Lit(s) if !quoted && !s.contains([' ', '\t', '\n']) => {
                    if !s.is_empty() {
                        field.push(Part::Lit(s));
                        started = true;
                    }
                }
                Part::Lit(s) if !quoted => {
                    let mut chunks = s.split([' ', '\t', '\n']);
                    // Every blank ends the field (the chunk before it, when there is one).
                    let last = chunks.next_back().unwrap_or_default();
                    for chunk in chunks {
                        if !chunk.is_empty() {
                            field.push(Part::Lit(chunk.to_string()));
                            started = true;
                        }
                        flush(&mut field, &mut started, &mut args);
                    }
                    if !last.is_empty() {
                        field.push(Part::Lit(last.to_string()));
                        started = true;
                    }
                }
                Part::Lit(s) => {
                    field.push(Part::Lit(s));
                    started = true;
                }
                // An unquoted variable standing alone (nothing glued before or after it) is
                // split at blanks, as the shell does.
                Part::Var(v) if !quoted && !started && (i + 1 == n || blank_after[i]) => {
                    args.push(Arg::Split(v));
                }
                other => {
                    field.push(other);
                    started = true;
                }
            }
        }
        flush(&mut field, &mut started, &mut args);
        args
    }
}

/// Whether a variable name looks like an on/off switch for the whole service (`ENABLED`,
/// `RUN`, `RSYNC_ENABLE`, `START_DAEMON`, …).
#[must_use]
/// What one undecided branch of an `if` leaves ([`merge_outcomes`]).
/// Where an `if` (or `TEST && …`) whose branches are merged stands ([`merge_outcomes`]).
struct Here {
    /// It is itself on some paths only.
    conditional: bool,
    /// The undecided branches enclosing it ([`Interp::branch`]); `None` in a loop.
    branch: Option<Vec<u32>>,
}

struct Outcome {
    /// The branch's test (`None`: the `else`, or no branch at all).
    test: Option<String>,
    line: u32,
    /// The likely path ([`Interp::likely`]) takes this branch.
    taken: bool,
    /// The variables after it; `None` when it ends the action (`exit`, `return`).
    env: Option<Env>,
}

/// The variables after an `if` whose tests this reading could not decide, its branches each
/// run from `before`: a variable some branch assigns holds the likely branch's value, marked
/// uncertain, with the other branches' values as [`Alternative`]s (none when a branch's value
/// is itself not known: then nothing can be chosen). Other variables (a sourced file's
/// settings) are what the last branch that changed them left, as when the branches are read
/// one after another.
fn merge_outcomes(before: &Env, outcomes: &[Outcome], depth: u32, here: &Here) -> Env {
    let reaching: Vec<(&Outcome, &Env)> = outcomes
        .iter()
        .filter_map(|o| o.env.as_ref().map(|e| (o, e)))
        .collect();
    let taken = reaching.iter().find(|(o, _)| o.taken);
    let base: &Env = taken.map_or(before, |(_, e)| e);
    let taken_test = taken.and_then(|(o, _)| o.test.clone().map(|t| (t, o.line)));
    // Only the names some branch left otherwise than `before` (another binding, or none):
    // for every other name each branch holds `before`'s own binding, which `out` keeps.
    let mut names: Vec<&Rc<str>> = Vec::new();
    for (_, e) in &reaching {
        changed_names(before, e, &mut names);
    }
    names.sort();
    names.dedup();
    let mut out = before.clone();
    for name in names {
        let was = before.get(name);
        let assigned = |b: &Rc<Binding>| b.uncertain && Some(b) != was;
        if !reaching
            .iter()
            .any(|(_, e)| e.get(name).is_some_and(assigned))
        {
            let mut last = was.cloned();
            for (_, e) in &reaching {
                if e.get(name) != was {
                    last = e.get(name).cloned();
                }
            }
            match last {
                Some(b) => out.insert(name.clone(), b),
                None => out.remove(name),
            };
            continue;
        }
        let known = |b: Option<&Rc<Binding>>| {
            b.is_none_or(|b| {
                !b.uncertain
                    || !b.alternatives.is_empty()
                    || b.at_depth <= depth + 1
                    || Some(b) == was
            })
        };
        let mut complete = reaching.iter().all(|(_, e)| known(e.get(name)));
        let value_of = |b: Option<&Rc<Binding>>| b.map(|b| b.value.clone()).unwrap_or_default();
        let taken_value = value_of(base.get(name));
        // Every path that goes on leaves the same value, each assigned directly in its branch
        // (not one of several within it): the value after the `if` is that one, as certain as
        // the `if` itself is reached (`if [ -x /usr/bin/x ]; then D=/usr/bin; else exit 0;
        // fi`, or both branches assigning `X=a`).
        let direct = |b: &Rc<Binding>| {
            !b.uncertain
                || b.scope.as_ref().is_some_and(|s| {
                    here.branch.as_ref().is_some_and(|h| {
                        h.starts_with(s) || (s.len() == h.len() + 1 && s.starts_with(h))
                    })
                })
        };
        // (The likely path may be one that exits: then the value is the others'.)
        let one = reaching.first().and_then(|(_, e)| e.get(name));
        let same = one.is_some_and(|first| {
            reaching.iter().all(|(_, e)| {
                e.get(name)
                    .is_some_and(|b| direct(b) && b.value == first.value)
            })
        });
        if same && let Some(b) = one {
            let mut merged = Binding::clone(b);
            merged.uncertain = here.conditional;
            merged.scope = here.branch.clone();
            merged.alternatives = Vec::new();
            merged.at_depth = depth;
            out.insert(name.clone(), Rc::new(merged));
            continue;
        }
        let mut alternatives: Vec<Alternative> = Vec::new();
        let add = |a: Alternative, all: &mut Vec<Alternative>| {
            if !all.contains(&a) {
                all.push(a);
            }
        };
        for (o, e) in &reaching {
            for a in e
                .get(name)
                .map(|b| b.alternatives.clone())
                .unwrap_or_default()
            {
                add(a, &mut alternatives);
            }
            if o.taken || value_of(e.get(name)) == taken_value {
                continue;
            }
            let value = value_of(e.get(name));
            match (&o.test, &taken_test) {
                (Some(t), _) => add(
                    Alternative {
                        test: t.clone(),
                        line: o.line,
                        holds: true,
                        value,
                    },
                    &mut alternatives,
                ),
                (None, Some((t, line))) => add(
                    Alternative {
                        test: t.clone(),
                        line: *line,
                        holds: false,
                        value,
                    },
                    &mut alternatives,
                ),
                (None, None) => complete = false,
            }
        }
        let mut merged = base.get(name).map_or_else(
            || Binding {
                value: Vec::new(),
                overridable: false,
                script_default: None,
                uncertain: true,
                alternatives: Vec::new(),
                at_depth: depth,
                scope: None,
            },
            |b| Binding::clone(b),
        );
        merged.uncertain = true;
        merged.at_depth = depth;
        merged.scope = None;
        merged.alternatives = if complete { alternatives } else { Vec::new() };
        out.insert(name.clone(), Rc::new(merged));
    }
    out
}

/// Appends to `out` the names whose binding in `after` is not `before`'s own (the same `Rc`):
/// assigned anew, added or removed. Both maps are walked once, side by side, in key order.
fn changed_names<'m>(before: &'m Env, after: &'m Env, out: &mut Vec<&'m Rc<str>>) {
    let mut b = before.iter().peekable();
    let mut a = after.iter().peekable();
    loop {
        match (b.peek(), a.peek()) {
            (None, None) => break,
            (Some((kb, _)), None) => {
                out.push(kb);
                b.next();
            }
            (None, Some((ka, _))) => {
                out.push(ka);
                a.next();
            }
            (Some((kb, vb)), Some((ka, va))) => match kb.cmp(ka) {
                std::cmp::Ordering::Less => {
                    out.push(kb);
                    b.next();
                }
                std::cmp::Ordering::Greater => {
                    out.push(ka);
                    a.next();
                }
                std::cmp::Ordering::Equal => {
                    if !Rc::ptr_eq(vb, va) {
                        out.push(ka);
                    }
                    b.next();
                    a.next();
                }
            },
        }
    }
}

/// What `grep` is asked, read from its words: `-q`, `-E`, `-F`, `-G`, `-v`, `-i`, `-w`, `-x`
/// (also combined: `-qE`), `-e PATTERN`, `--`, then the pattern. `None` for any other option
/// or a file operand (it would not read the text piped to it).
#[derive(Debug, Clone, PartialEq, Eq)]
struct GrepTest {
    pattern: String,
    fixed: bool,
    extended: bool,
    invert: bool,
    ignore_case: bool,
    word: bool,
    line: bool,
}

impl GrepTest {
    fn parse(words: &[String]) -> Option<GrepTest> {
        let mut t = GrepTest {
            pattern: String::new(),
            fixed: false,
            extended: false,
            invert: false,
            ignore_case: false,
            word: false,
            line: false,
        };
        let mut pattern = None;
        let mut i = 0;
        let mut options = true;
        while i < words.len() {
            let w = &words[i];
            if options && w == "--" {
                options = false;
            } else if options && w == "-e" {
                pattern = Some(words.get(i + 1)?.clone());
                i += 1;
            } else if options && w.len() > 1 && w.starts_with('-') {
                for f in w[1..].chars() {
                    match f {
                        'q' | 's' => {}
                        'E' => t.extended = true,
                        'F' => t.fixed = true,
                        'G' => t.extended = false,
                        'v' => t.invert = true,
                        'i' => t.ignore_case = true,
                        'w' => t.word = true,
                        'x' => t.line = true,
                        _ => return None,
                    }
                }
            } else if pattern.is_none() {
                pattern = Some(w.clone());
                options = false;
            } else {
                return None;
            }
            i += 1;
        }
        t.pattern = pattern?;
        Some(t)
    }

    /// Whether some line of `text` is selected (after `-v`), when the pattern is a plain string
    /// (a fixed one, or a regular expression without special characters but a leading `^` and
    /// a trailing `$`); `None` for other regular expressions.
    fn selects(&self, text: &str) -> Option<bool> {
        let mut pattern = self.pattern.as_str();
        let (mut start, mut end) = (false, false);
        if !self.fixed {
            if let Some(p) = pattern.strip_prefix('^') {
                start = true;
                pattern = p;
            }
            if let Some(p) = pattern.strip_suffix('$')
                && !p.ends_with('\\')
            {
                end = true;
                pattern = p;
            }
            let special: &[char] = if self.extended {
                &[
                    '.', '*', '[', ']', '\\', '^', '$', '+', '?', '(', ')', '{', '}', '|',
                ]
            } else {
                &['.', '*', '[', ']', '\\', '^', '$']
            };
            if pattern.contains(special) {
                return None;
            }
        }
        let fold = |s: &str| {
            if self.ignore_case {
                s.to_lowercase()
            } else {
                s.to_string()
            }
        };
        let pattern = fold(pattern);
        let word_char = |c: char| c.is_alphanumeric() || c == '_';
        let found = text.split('\n').any(|l| {
            let l = fold(l);
            if self.line || (start && end) {
                return l == pattern;
            }
            l.match_indices(pattern.as_str()).any(|(at, m)| {
                let before = l[..at].chars().next_back();
                let after = l[at + m.len()..].chars().next();
                (!start || at == 0)
                    && (!end || at + m.len() == l.len())
                    && (!self.word
                        || (before.is_none_or(|c| !word_char(c))
                            && after.is_none_or(|c| !word_char(c))))
            })
        });
        Some(found != self.invert)
    }
}

/// Whether a branch only sets what the started processes inherit (`ulimit`, `umask`) or
/// prints: choosing it does not decide whether the script starts anything.
/// The first line of a command list.
fn raw_line_of_list(list: &ast::CompoundList) -> u32 {
    ast::SourceLocation::location(list).map_or(0, |l| u32::try_from(l.start.line).unwrap_or(0))
}

/// Whether a branch only prints and then ends the script with success (`exit`, `exit 0`).
fn exits_with_success(list: &ast::CompoundList) -> bool {
    let Some((last, before)) = list.0.split_last() else {
        return false;
    };
    let name = |item: &ast::CompoundListItem| -> Option<(String, Vec<String>)> {
        let ao = &item.0;
        if !ao.additional.is_empty() {
            return None;
        }
        let [ast::Command::Simple(sc)] = ao.first.seq.as_slice() else {
            return None;
        };
        let words: Vec<String> = sc
            .suffix
            .iter()
            .flat_map(|x| x.0.iter())
            .filter_map(|i| match i {
                ast::CommandPrefixOrSuffixItem::Word(w) => Some(w.value.clone()),
                _ => None,
            })
            .collect();
        Some((unquote(&sc.word_or_name.as_ref()?.value), words))
    };
    let ends = name(last).is_some_and(|(n, w)| n == "exit" && (w.is_empty() || w == ["0"]));
    ends && before.iter().all(|item| {
        name(item).is_some_and(|(n, _)| {
            super::is_harmless(&n) && !matches!(n.as_str(), "exit" | "return")
        })
    })
}

fn settings_only(list: &ast::CompoundList) -> bool {
    let mut any = false;
    for item in &list.0 {
        let ao = &item.0;
        if !ao.additional.is_empty() {
            return false;
        }
        match settings_pipeline(&ao.first) {
            Some(sets) => any |= sets,
            None => return false,
        }
    }
    any
}

/// The command text of a word that is one command substitution, `$(TEXT)` or `` `TEXT` ``, as
/// a `for` loop's single value holds it (the loop readers: per-configuration globs, `cat`,
/// `awk` and `run-parts --list`). `None` for any other word.
fn substitution_body(raw: &str) -> Option<&str> {
    raw.strip_prefix('`')
        .and_then(|r| r.strip_suffix('`'))
        .or_else(|| raw.strip_prefix("$(").and_then(|r| r.strip_suffix(')')))
}

/// [`settings_only`] for one pipeline: `Some(true)` when it sets a limit or the umask,
/// `Some(false)` when it only prints, `None` for anything else.
fn settings_pipeline(p: &ast::Pipeline) -> Option<bool> {
    let mut any = false;
    for c in &p.seq {
        let ast::Command::Simple(sc) = c else {
            return None;
        };
        let name = unquote(&sc.word_or_name.as_ref()?.value);
        match name.as_str() {
            "ulimit" | "umask" => any = true,
            n if super::is_harmless(n) && !matches!(n, "exit" | "return") => {}
            _ => return None,
        }
    }
    Some(any)
}

pub fn is_toggle(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    if n.ends_with("_ARGS") || n.ends_with("_OPTS") || n.ends_with("_OPTIONS") {
        return false;
    }
    matches!(
        n.as_str(),
        "ENABLED" | "ENABLE" | "RUN" | "START" | "DISABLED" | "NO_START" | "STARTUP"
    ) || n.ends_with("_ENABLED")
        || n.ends_with("_ENABLE")
        || n.ends_with("_START")
        || n.starts_with("RUN_")
        || n.starts_with("START_")
        || n.starts_with("ENABLE_")
}

/// `2>&1`.
fn is_stderr_to_stdout(r: &ast::IoRedirect) -> bool {
    match r {
        ast::IoRedirect::File(
            Some(2),
            ast::IoFileRedirectKind::DuplicateOutput,
            ast::IoFileRedirectTarget::Fd(1),
        ) => true,
        ast::IoRedirect::File(
            Some(2),
            ast::IoFileRedirectKind::DuplicateOutput,
            ast::IoFileRedirectTarget::Duplicate(w),
        ) => w.value == "1",
        _ => false,
    }
}

/// A simple command's standard error follows its standard output (`2>&1`, in a pipeline:
/// into the pipe).
fn stderr_to_stdout(s: &ast::SimpleCommand) -> bool {
    s.prefix
        .iter()
        .flat_map(|p| p.0.iter())
        .chain(s.suffix.iter().flat_map(|p| p.0.iter()))
        .any(|i| matches!(i, ast::CommandPrefixOrSuffixItem::IoRedirect(r) if is_stderr_to_stdout(r)))
}

/// The one simple command of a list (`logger -t x` in `>(logger -t x)`), if it is only that.
fn sole_simple(list: &ast::CompoundList) -> Option<&ast::SimpleCommand> {
    match list.0.as_slice() {
        [ast::CompoundListItem(and_or, _)] if and_or.additional.is_empty() => {
            match and_or.first.seq.as_slice() {
                [ast::Command::Simple(s)] => Some(s),
                _ => None,
            }
        }
        _ => None,
    }
}

/// logger's words after its name, when the command is `logger …` (or `/usr/bin/logger …`)
/// with no assignments or redirections of its own.
fn logger_words(s: &ast::SimpleCommand) -> Option<Vec<&ast::Word>> {
    let name = s.word_or_name.as_ref()?;
    let unquoted = unquote(&name.value);
    if unquoted.rsplit('/').next() != Some("logger") || s.prefix.is_some() {
        return None;
    }
    let mut words = Vec::new();
    for item in s.suffix.iter().flat_map(|p| p.0.iter()) {
        match item {
            ast::CommandPrefixOrSuffixItem::Word(w) => words.push(w),
            _ => return None,
        }
    }
    Some(words)
}

fn to_file(r: &ast::IoRedirect) -> bool {
    match r {
        ast::IoRedirect::File(_, kind, ast::IoFileRedirectTarget::Filename(w)) => {
            matches!(
                kind,
                ast::IoFileRedirectKind::Write
                    | ast::IoFileRedirectKind::Append
                    | ast::IoFileRedirectKind::Clobber
            ) && w.value != "/dev/null"
        }
        ast::IoRedirect::OutputAndError(w, _) => w.value != "/dev/null",
        _ => false,
    }
}

/// `$NAME` and `${NAME…}` references in raw word text.
pub(super) fn referenced_vars(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let mut j = i + 1;
            if j < b.len() && b[j] == b'{' {
                j += 1;
            }
            let start = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > start && !b[start].is_ascii_digit() {
                out.push(raw[start..j].to_string());
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// The distributions' init-script libraries under `/etc/` (Red Hat's, SUSE's, the BSD-style
/// `rc.subr`): helpers, where any other file under `/etc/` a script sources is settings.
const ETC_INIT_LIBRARIES: [&str; 4] = [
    "/etc/init.d/functions",
    "/etc/rc.d/init.d/functions",
    "/etc/rc.status",
    "/etc/rc.subr",
];

/// The words of `echo WORDS` when `program` is only that (no option, no redirection).
fn echo_words(program: &ast::Program) -> Option<Vec<&ast::Word>> {
    let [list] = program.complete_commands.as_slice() else {
        return None;
    };
    let [item] = list.0.as_slice() else {
        return None;
    };
    let ([ast::Command::Simple(sc)], []) =
        (item.0.first.seq.as_slice(), item.0.additional.as_slice())
    else {
        return None;
    };
    if sc.prefix.is_some() || sc.word_or_name.as_ref()?.value != "echo" {
        return None;
    }
    let mut out = Vec::new();
    for i in sc.suffix.iter().flat_map(|x| x.0.iter()) {
        let ast::CommandPrefixOrSuffixItem::Word(w) = i else {
            return None;
        };
        out.push(w);
    }
    if out
        .first()
        .is_some_and(|w| w.value.starts_with('-') && w.value.len() > 1)
    {
        return None;
    }
    Some(out)
}

/// The words `.`/`source` take in `list` (outside nested compound commands).
fn sourced_words(list: &ast::CompoundList) -> Vec<&ast::Word> {
    let mut out = Vec::new();
    for item in &list.0 {
        let ao = &item.0;
        for p in std::iter::once(&ao.first).chain(ao.additional.iter().map(|n| match n {
            ast::AndOr::And(p) | ast::AndOr::Or(p) => p,
        })) {
            for c in &p.seq {
                if let ast::Command::Simple(sc) = c
                    && sc
                        .word_or_name
                        .as_ref()
                        .is_some_and(|w| w.value == "." || w.value == "source")
                    && let Some(ast::CommandPrefixOrSuffixItem::Word(w)) =
                        sc.suffix.as_ref().and_then(|x| x.0.first())
                {
                    out.push(w);
                }
            }
        }
    }
    out
}

/// The assignments of a sourced settings file, in order (top level and inside `if`, `&&`,
/// `export`).
fn assignments_of(program: &ast::Program) -> Vec<(String, ast::Word)> {
    fn list(l: &ast::CompoundList, out: &mut Vec<(String, ast::Word)>) {
        for item in &l.0 {
            let ao = &item.0;
            for p in std::iter::once(&ao.first).chain(ao.additional.iter().map(|a| match a {
                ast::AndOr::And(p) | ast::AndOr::Or(p) => p,
            })) {
                for c in &p.seq {
                    command(c, out);
                }
            }
        }
    }
    fn command(c: &ast::Command, out: &mut Vec<(String, ast::Word)>) {
        match c {
            ast::Command::Simple(s) => {
                let items = s
                    .prefix
                    .iter()
                    .flat_map(|p| p.0.iter())
                    .chain(s.suffix.iter().flat_map(|p| p.0.iter()));
                let declarator = s
                    .word_or_name
                    .as_ref()
                    .is_none_or(|w| DECLARATORS.contains(&w.value.as_str()));
                for item in items {
                    if let ast::CommandPrefixOrSuffixItem::AssignmentWord(a, _) = item
                        && let (
                            ast::AssignmentName::VariableName(n),
                            ast::AssignmentValue::Scalar(w),
                        ) = (&a.name, &a.value)
                        && declarator
                    {
                        out.push((n.clone(), w.clone()));
                    }
                }
            }
            ast::Command::Compound(cc, _) => match cc {
                ast::CompoundCommand::BraceGroup(b) => list(&b.list, out),
                ast::CompoundCommand::IfClause(i) => {
                    list(&i.then, out);
                    for e in i.elses.iter().flatten() {
                        list(&e.body, out);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    let mut out = Vec::new();
    for cc in &program.complete_commands {
        list(cc, &mut out);
    }
    out
}

/// A shell script that only prepares and then replaces itself with another program, passing
/// its own arguments on (`exec /usr/lib/sysstat/sa1 "$@"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecWrapper {
    /// The program it runs (an absolute path).
    pub target: String,
    /// The tests before it that end the wrapper with success instead (`[ … ] || exit 0`), as
    /// written.
    pub guards: Vec<String>,
}

/// `text` read as an [`ExecWrapper`]: a `#!/bin/sh` script whose top level holds only
/// assignments, `set`/`export`/`umask`, sourced files, tests that source a file or end it with
/// `exit 0`, and last `exec /ABS/PATH "$@"`. Anything else (a function, a loop, another
/// command, other arguments) makes it not one.
#[must_use]
pub fn exec_wrapper(text: &str) -> Option<ExecWrapper> {
    let first = text.lines().next()?;
    if !matches!(
        first.trim(),
        "#!/bin/sh" | "#! /bin/sh" | "#!/bin/sh -e" | "#! /bin/sh -e"
    ) {
        return None;
    }
    let program = parse(text).ok()?;
    let items: Vec<&ast::AndOrList> = program
        .complete_commands
        .iter()
        .flat_map(|cc| cc.0.iter().map(|i| &i.0))
        .collect();
    let (last, before) = items.split_last()?;
    let simple = |p: &ast::Pipeline| -> Option<Vec<String>> {
        let [ast::Command::Simple(sc)] = p.seq.as_slice() else {
            return None;
        };
        let mut words: Vec<String> = sc.word_or_name.iter().map(|w| w.value.clone()).collect();
        for i in sc.suffix.iter().flat_map(|x| x.0.iter()) {
            match i {
                ast::CommandPrefixOrSuffixItem::Word(w) => words.push(w.value.clone()),
                _ => return None,
            }
        }
        Some(words)
    };
    // The last command: `exec /ABS "$@"`.
    if !last.additional.is_empty() || last.first.bang {
        return None;
    }
    let words = simple(&last.first)?;
    let [exec, target, all] = words.as_slice() else {
        return None;
    };
    if exec != "exec"
        || all != "\"$@\""
        || !target.starts_with('/')
        || target.contains(['$', '`', '"', '\''])
    {
        return None;
    }
    let mut guards = Vec::new();
    for ao in before {
        let words = simple(&ao.first)?;
        match ao.additional.as_slice() {
            [] => match words.first().map(String::as_str) {
                None => {} // assignments only
                Some("set" | "export" | "umask" | "." | "unset") => {}
                Some(_) => return None,
            },
            [ast::AndOr::Or(next) | ast::AndOr::And(next)] => {
                if !matches!(words.first().map(String::as_str), Some("[" | "test")) {
                    return None;
                }
                let then = simple(next)?;
                match then
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    ["exit", "0"] | ["exit"] => guards.push(ao.to_string().trim().to_string()),
                    [".", _] => {}
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
    Some(ExecWrapper {
        target: target.clone(),
        guards,
    })
}

/// A pipeline of one simple command that only assigns variables (`X=value`).
/// The variables an [`only_assignments`] pipeline assigns.
fn assigned_names(p: &ast::Pipeline) -> Vec<String> {
    let [ast::Command::Simple(sc)] = p.seq.as_slice() else {
        return Vec::new();
    };
    sc.prefix
        .iter()
        .flat_map(|pre| pre.0.iter())
        .filter_map(|i| match i {
            ast::CommandPrefixOrSuffixItem::AssignmentWord(a, _) => match &a.name {
                ast::AssignmentName::VariableName(n)
                | ast::AssignmentName::ArrayElementName(n, _) => Some(n.clone()),
            },
            _ => None,
        })
        .collect()
}

fn only_assignments(p: &ast::Pipeline) -> bool {
    let [ast::Command::Simple(sc)] = p.seq.as_slice() else {
        return false;
    };
    sc.word_or_name.is_none()
        && sc.suffix.is_none()
        && sc.prefix.as_ref().is_some_and(|pre| {
            pre.0
                .iter()
                .all(|i| matches!(i, ast::CommandPrefixOrSuffixItem::AssignmentWord(..)))
        })
}

/// The assignments of a file's top-level simple commands (`export X=…` too), outside any `if`,
/// `&&`/`||` list, function or loop.
fn top_level_assignments(program: &ast::Program) -> Vec<(String, ast::Word)> {
    let mut out = Vec::new();
    for cc in &program.complete_commands {
        for item in &cc.0 {
            let ao = &item.0;
            if !ao.additional.is_empty() {
                continue;
            }
            let [ast::Command::Simple(s)] = ao.first.seq.as_slice() else {
                continue;
            };
            let declarator = s
                .word_or_name
                .as_ref()
                .is_none_or(|w| DECLARATORS.contains(&w.value.as_str()));
            if !declarator {
                continue;
            }
            for item in s
                .prefix
                .iter()
                .flat_map(|p| p.0.iter())
                .chain(s.suffix.iter().flat_map(|p| p.0.iter()))
            {
                if let ast::CommandPrefixOrSuffixItem::AssignmentWord(a, _) = item
                    && let (ast::AssignmentName::VariableName(n), ast::AssignmentValue::Scalar(w)) =
                        (&a.name, &a.value)
                {
                    out.push((n.clone(), w.clone()));
                }
            }
        }
    }
    out
}

/// Lines of a settings file that systemd's `EnvironmentFile=` would not read the way the shell
/// does: anything but comments, blank lines and `NAME=value` with a quoted or plain value free
/// of `$`, backquotes and backslashes.
pub(super) fn shell_lines(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let plain = t.split_once('=').is_some_and(|(name, value)| {
            crate::ir::env_name_is_valid(name) && !value.contains(['$', '`', '\\']) && {
                let v = value.trim_end();
                let quoted = (v.starts_with('"') && v.ends_with('"') && v.len() >= 2)
                    || (v.starts_with('\'') && v.ends_with('\'') && v.len() >= 2);
                quoted || !v.contains([' ', '\t', '"', '\'', ';', '&', '|', '(', ')'])
            }
        });
        if !plain {
            out.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
        }
    }
    out
}

/// One primary of a `test` whose words are known ([`Interp::decide_pipeline`]): string and
/// integer comparisons, `-z`, `-n`; `None` for anything else (file tests are never decided).
fn decide_primary(args: &[String]) -> Option<bool> {
    Some(
        match args
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [] => false,

            [s] => !s.is_empty(),
            ["-z", s] => s.is_empty(),
            ["-n", s] => !s.is_empty(),
            [a, "=" | "==", b] => a == b,
            [a, "!=", b] => a != b,
            [a, op @ ("-eq" | "-ne" | "-gt" | "-lt" | "-ge" | "-le"), b] => {
                let (x, y) = (a.trim().parse::<i64>().ok()?, b.trim().parse::<i64>().ok()?);
                match *op {
                    "-eq" => x == y,
                    "-ne" => x != y,
                    "-gt" => x > y,
                    "-lt" => x < y,
                    "-ge" => x >= y,
                    _ => x <= y,
                }
            }
            _ => return None,
        },
    )
}

/// A shell variable's name (not a positional parameter or `$?`).
fn is_name(v: &str) -> bool {
    v.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where `parse` puts the fault of `script`, and what it says.
    fn fault(script: &str) -> (u32, u32, String) {
        let e = parse(script).expect_err("a syntax error");
        (e.line, e.column, e.message)
    }

    const START: &str = "#!/bin/sh\nDAEMON=/usr/sbin/food\n";

    #[test]
    fn an_unterminated_quote_is_found_where_it_opens() {
        // bash -n: "unexpected EOF while looking for matching `\"'" (at the end); the quote
        // opens on line 5.
        let (line, column, message) = fault(&format!(
            "{START}case \"$1\" in\n  start)\n    echo \"starting\n    $DAEMON\n    ;;\nesac\nexit 0\n"
        ));
        assert_eq!((line, column), (5, 10));
        assert_eq!(message, "this double quote is never closed");
        let (line, column, message) = fault(&format!("{START}X=$(echo 'a\nexit 0\n"));
        assert_eq!((line, column), (3, 10));
        assert_eq!(message, "this single quote is never closed");
    }

    #[test]
    fn a_missing_closing_quote_before_other_quotes_is_found_on_its_line() {
        // The shell pairs the lone quote of line 4 with the next one, and so on, until the
        // last quote of the script is left alone (line 8); bash -n reports the end.
        let (line, column, message) = fault(&format!(
            "{START}case \"$1\" in\n  start) log_daemon_msg \"Starting food\n\t$DAEMON --pidfile \"/run/food.pid\"\n\t;;\n  stop) log_daemon_msg \"Stopping food\"\n\t;;\nesac\n"
        ));
        assert_eq!((line, column), (4, 25));
        assert!(
            message.starts_with(
                "this quote is most likely never closed: the string it opens runs on to line 5"
            ),
            "{message}"
        );
    }

    #[test]
    fn an_unclosed_substitution_or_expansion_is_found_where_it_opens() {
        // bash -n: "unexpected EOF while looking for matching `)'" at the end of the script.
        let (line, column, message) = fault(&format!(
            "{START}X=$(echo a\ncase \"$1\" in\n  start) $DAEMON ;;\nesac\n"
        ));
        assert_eq!((line, column), (3, 3));
        assert_eq!(message, "this `$(` is never closed with `)`");
        let (line, column, message) = fault(&format!(
            "{START}X=\"${{HOME\"\ncase \"$1\" in\n  start) $DAEMON ;;\nesac\n"
        ));
        assert_eq!((line, column), (3, 4));
        assert_eq!(message, "this `${` is never closed with `}`");
        let (line, column, message) = fault(&format!(
            "{START}# don't stop\nV=`$DAEMON --version\necho $V\n"
        ));
        assert_eq!((line, column), (4, 3));
        assert_eq!(message, "this backquote is never closed");
    }

    #[test]
    fn an_unended_here_document_is_found_where_it_starts() {
        // bash -n: "here-document at line 3 delimited by end-of-file (wanted `EOF')".
        let (line, column, message) = fault(&format!(
            "{START}cat <<EOF >/etc/food.conf\nport=1\nexit 0\n"
        ));
        assert_eq!((line, column), (3, 5));
        assert_eq!(
            message,
            "this here-document is never ended: no line `EOF` follows"
        );
    }

    #[test]
    fn a_missing_fi_is_found_at_its_if() {
        // bash -n and dash -n stop at the `;;` on line 7 ("expecting fi"); the `if` is on line 5.
        let (line, column, message) = fault(&format!(
            "{START}case \"$1\" in\n  start)\n    if [ -x $DAEMON ]; then\n      $DAEMON\n    ;;\n  stop)\n    killall food\n    ;;\nesac\n"
        ));
        assert_eq!((line, column), (5, 5));
        assert_eq!(
            message,
            "this `if` is not closed with `fi` before the `;;` at line 7, column 5"
        );
    }

    #[test]
    fn a_missing_esac_is_found_at_its_case() {
        // bash -n: "unexpected token `0'" on the last line; dash -n: "expecting )".
        let (line, column, message) = fault(&format!(
            "{START}case \"$1\" in\n  start)\n    $DAEMON\n    ;;\n  stop)\n    killall food\n    ;;\nexit 0\n"
        ));
        assert_eq!((line, column), (3, 1));
        assert_eq!(message, "this `case` is never closed with `esac`");
    }

    #[test]
    fn a_missing_then_or_do_is_found_at_its_if_or_loop() {
        // bash -n: "syntax error near unexpected token `fi'" (line 5).
        let (line, column, message) = fault(&format!("{START}if [ -x $DAEMON ]\n  $DAEMON\nfi\n"));
        assert_eq!((line, column), (3, 1));
        assert_eq!(
            message,
            "this `if` has no `then` before the `fi` at line 5, column 1"
        );
        let (line, column, message) = fault(&format!("{START}for f in a b\n  echo $f\ndone\n"));
        assert_eq!((line, column), (3, 1));
        assert_eq!(
            message,
            "this `for` loop has no `do` before the `echo` at line 4, column 3"
        );
        let (line, column, message) = fault(&format!("{START}while sleep 1\n  $DAEMON\ndone\n"));
        assert_eq!((line, column), (3, 1));
        assert_eq!(
            message,
            "this `while` loop has no `do` before the `done` at line 5, column 1"
        );
    }

    #[test]
    fn a_case_arm_without_its_double_semicolon_is_found_at_the_next_pattern() {
        // bash -n: "syntax error near unexpected token `)'" on line 5.
        let (line, column, message) = fault(&format!(
            "{START}case \"$1\" in\n  start) $DAEMON\n  stop) killall food ;;\nesac\n"
        ));
        assert_eq!((line, column), (5, 3));
        assert_eq!(
            message,
            "the `case` arm before `stop)` is not ended with `;;`"
        );
    }

    #[test]
    fn a_stray_then_is_found_where_it_stands() {
        let (line, column, message) = fault(&format!(
            "{START}[ -x $DAEMON ] || exit 0\nthen\n  $DAEMON\n"
        ));
        assert_eq!((line, column), (4, 1));
        assert_eq!(message, "this `then` belongs to no `if`");
    }

    #[test]
    fn a_double_semicolon_outside_case_is_found_where_it_stands() {
        // bash -n and dash -n: "`;;' unexpected" on line 4.
        let (line, column, message) = fault(&format!("{START}$DAEMON start\n;;\necho done\n"));
        assert_eq!((line, column), (4, 1));
        assert_eq!(message, "this `;;` stands outside any `case`");
    }

    #[test]
    fn an_unclosed_brace_or_loop_is_found_where_it_opens() {
        // bash -n: "unexpected end of file" at the end; the `{` opens on line 3.
        let (line, column, message) = fault(&format!(
            "{START}start() {{\n  $DAEMON\n\ncase \"$1\" in\n  start) start ;;\nesac\n"
        ));
        assert_eq!((line, column), (3, 9));
        assert_eq!(message, "this `{` is never closed with `}`");
        let (line, column, message) = fault(&format!(
            "{START}for f in a b; do\n  echo $f\n\ncase \"$1\" in\n  start) $DAEMON ;;\nesac\n"
        ));
        assert_eq!((line, column), (3, 1));
        assert_eq!(message, "this `for` loop is never closed with `done`");
    }

    #[test]
    fn the_nesting_reader_finds_no_fault_in_scripts_that_parse() {
        // Every init script of the corpus that brush parses, and the real init-d-script.
        let mut scripts = Vec::new();
        let mut stack = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.parent().is_some_and(|d| d.ends_with("init.d")) {
                    scripts.push(p);
                }
            }
        }
        scripts.push("/lib/init/init-d-script".into());
        let mut read = 0;
        for p in scripts {
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            if parse(&text).is_ok() {
                read += 1;
                assert_eq!(structure_fault(&text), None, "{}", p.display());
                assert_eq!(lexical_fault(&text), None, "{}", p.display());
            }
        }
        assert!(read > 20, "only {read} scripts");
    }

    #[test]
    fn well_formed_constructs_around_the_fault_are_not_blamed() {
        // Here-documents, quoted keywords, function definitions and a complete `case` before
        // the stray `fi`.
        let (line, column, message) = fault(&format!(
            "{START}cat <<EOF >/dev/null\nif then\nEOF\nf() {{ echo \"fi\" done; }}\nfunction g {{ :; }}\ncase x in\n (x|y) echo esac ;;\n *) ;;\nesac\nfi\n"
        ));
        assert_eq!((line, column), (12, 1));
        assert_eq!(message, "this `fi` closes no `if`");
    }

    fn run(script: &str, action: &str) -> (Vec<String>, Interp<'static>) {
        let host: &'static Host = Box::leak(Box::new(Host::at(std::path::Path::new(
            "/nonexistent-root",
        ))));
        let program: &'static ast::Program = Box::leak(Box::new(parse(script).unwrap()));
        let mut i = Interp::new(host, "/etc/init.d/x", vec![action.to_string()]);
        i.run_top(program);
        let calls = i.run_action(action);
        (calls.iter().map(Call::display).collect(), i)
    }

    #[test]
    fn a_string_test_of_a_setting_that_ends_the_start_is_a_gate() {
        let script = "MODE=inetd\nDAEMON=/usr/sbin/x\n[ -r /etc/default/x ] && . /etc/default/x\n[ -x $DAEMON ] || exit 0\ncase \"$1\" in\n start)\n  test \"$MODE\" = standalone || exit 0\n  [ -z \"$ROOT\" ] && exit\n  [ \"$MODE\" = inetd ] && echo inetd\n  $DAEMON -n ;;\n stop)\n  [ -n \"$PIDS\" ] || exit 0\n  kill $PIDS ;;\nesac\n";
        let (calls, i) = run(script, "start");
        assert_eq!(calls.last().map(String::as_str), Some("$DAEMON -n"));
        // The file test and the test followed by no exit are none; the stop action's is not
        // the start's.
        assert_eq!(
            i.gates,
            [
                Gate {
                    test: "test \"$MODE\" = standalone".into(),
                    line: 7,
                    vars: vec!["MODE".into()],
                    passes: Some(false),
                    after: vec![],
                },
                Gate {
                    test: "[ -z \"$ROOT\" ]".into(),
                    line: 8,
                    vars: vec!["ROOT".into()],
                    // Unset on this host: `-z` holds and the start ends.
                    passes: Some(false),
                    // The commands before it: the first test.
                    after: vec![7],
                },
            ]
        );
        // The script's own value, no defaults file: the test is decided, no gate.
        let (_, i) = run(
            "MODE=standalone\ncase \"$1\" in\n start) [ \"$MODE\" = standalone ] || exit 0; /usr/sbin/x ;;\nesac\n",
            "start",
        );
        assert!(i.gates.is_empty(), "{:?}", i.gates);
    }

    #[test]
    fn a_grep_of_echoed_text_is_decided_on_the_scripts_own_values() {
        // The script's own value: `--daemon` is missing, so it is added (decided, no choice).
        let (calls, i) = run(
            "OPTS=\"-v 5\"\necho \"$OPTS\" | grep -q -- --daemon || OPTS=\"--daemon $OPTS\"\ncase \"$1\" in\n start) /usr/bin/x $OPTS ;;\nesac\n",
            "start",
        );
        assert_eq!(calls, ["/usr/bin/x --daemon -v 5"]);
        assert!(!i.env["OPTS"].uncertain);
        // Present: nothing added.
        let (calls, _) = run(
            "OPTS=\"--daemon -v\"\necho $OPTS | grep -qw -e --daemon || OPTS=\"--daemon $OPTS\"\ncase \"$1\" in\n start) /usr/bin/x $OPTS ;;\nesac\n",
            "start",
        );
        assert_eq!(calls, ["/usr/bin/x --daemon -v"]);
    }

    #[test]
    fn printf_prints_strings_numbers_and_escapes_and_reuses_its_format() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert_eq!(
            printf(" --nicelevel %s", &args(&["5"])).as_deref(),
            Some(" --nicelevel 5")
        );
        assert_eq!(
            printf("-i %s ", &args(&["a", "b"])).as_deref(),
            Some("-i a -i b ")
        );
        assert_eq!(printf("%d%%\\n", &args(&[])).as_deref(), Some("0%\n"));
        assert_eq!(printf("%d", &args(&["x"])), None);
        assert_eq!(printf("%5s", &args(&["x"])), None);
        assert_eq!(printf("\\x41", &args(&[])), None);
    }

    #[test]
    fn a_function_that_only_prints_known_text_is_its_output() {
        let script = "NICE=\nIOSCHED=idle\nopts() {\n test -z \"$NICE\" || printf \" --nicelevel %s\" $NICE\n test -z \"$IOSCHED\" || printf \" --iosched %s\" $IOSCHED\n echo -n ' -q'\n}\nlate() {\n echo \"$(date)\"\n}\n";
        let program = parse(script).unwrap();
        let host = Host::real();
        let mut i = Interp::new(&host, "/etc/init.d/x", vec!["start".to_string()]);
        i.decide_defaults = true;
        i.run_top(&program);
        assert_eq!(
            i.function_output("opts").as_deref(),
            Some(" --iosched idle -q")
        );
        assert_eq!(
            i.function_outputs,
            [("$(opts)".to_string(), " --iosched idle -q".to_string())]
        );
        assert_eq!(i.function_output("late"), None);
        assert_eq!(i.function_output("undefined"), None);
        assert_eq!(i.function_output("opts x"), None);
    }

    #[test]
    fn grep_tests_read_plain_patterns_only() {
        let t = |w: &[&str]| GrepTest::parse(&w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            t(&["-q", "--", "--daemon"]).unwrap().selects("-x --daemon"),
            Some(true)
        );
        assert_eq!(
            t(&["-qv", "daemon"]).unwrap().selects("-x --daemon"),
            Some(false)
        );
        assert_eq!(t(&["-qw", "dae"]).unwrap().selects("--daemon"), Some(false));
        assert_eq!(
            t(&["-qi", "^-X"]).unwrap().selects("-x --daemon"),
            Some(true)
        );
        assert_eq!(
            t(&["-qx", "--", "-x"]).unwrap().selects("-x --daemon"),
            Some(false)
        );
        assert_eq!(t(&["-qF", "a.b"]).unwrap().selects("a.b"), Some(true));
        // A regular expression this reading does not evaluate, a file to read, an option.
        assert_eq!(t(&["-q", "a.b"]).unwrap().selects("a.b"), None);
        assert_eq!(t(&["-qE", "a+"]).unwrap().selects("a"), None);
        assert!(t(&["-q", "x", "/etc/x.conf"]).is_none());
        assert!(t(&["-c", "x"]).is_none());
    }

    #[test]
    fn a_switch_that_only_sets_a_limit_is_decided_by_the_hosts_value() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/default")).unwrap();
        std::fs::write(dir.path().join("etc/default/x"), "ENABLE_COREFILES=0\n").unwrap();
        let host: &'static Host = Box::leak(Box::new(Host::at(dir.path())));
        let script = "[ -r /etc/default/x ] && . /etc/default/x\nif test \"$ENABLE_COREFILES\" = 1; then\n  ulimit -c unlimited\nfi\ncase \"$1\" in\n start) /usr/bin/x ;;\nesac\n";
        let program: &'static ast::Program = Box::leak(Box::new(parse(script).unwrap()));
        let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
        i.decide_defaults = true;
        i.run_top(program);
        assert!(
            i.calls
                .iter()
                .all(|c| c.program().as_deref() != Some("ulimit"))
        );
        assert_eq!(i.decided, [("ENABLE_COREFILES".to_string(), 2)]);
        assert!(
            i.tested
                .iter()
                .all(|t| t.name != "ENABLE_COREFILES" || t.setting)
        );
    }

    /// fastd's idiom: one configuration per directory holding the file, `-o` between
    /// decided primaries, and an `exit` in the branch the host's settings chose.
    #[test]
    fn a_loop_over_directories_and_a_host_decided_exit() {
        let script = "AUTOSTART=all\n[ -r /etc/default/x ] && . /etc/default/x\ncase \"$1\" in\n start)\n  if test \"x$AUTOSTART\" = \"xnone\" -o -z \"$AUTOSTART\"; then\n    exit 0\n  fi\n  for C in `cd /etc/x; ls */x.conf 2> /dev/null`; do\n    NAME=${C%%/x.conf}\n    /usr/bin/x -c /etc/x/$NAME/x.conf &\n  done\n  ;;\nesac\n";
        let program: &'static ast::Program = Box::leak(Box::new(parse(script).unwrap()));
        let read = |autostart: &str| {
            let dir = tempfile::tempdir().unwrap();
            for d in ["etc/default", "etc/x/a", "etc/x/b", "etc/x/.c", "etc/x/d"] {
                std::fs::create_dir_all(dir.path().join(d)).unwrap();
            }
            for f in [
                "etc/x/a/x.conf",
                "etc/x/b/x.conf",
                "etc/x/.c/x.conf",
                "etc/x/d/other",
            ] {
                std::fs::write(dir.path().join(f), "").unwrap();
            }
            std::fs::write(
                dir.path().join("etc/default/x"),
                format!("AUTOSTART={autostart}\n"),
            )
            .unwrap();
            let host: &'static Host = Box::leak(Box::new(Host::at(dir.path())));
            let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
            i.decide_defaults = true;
            i.run_top(program);
            let calls = i.run_action("start");
            (calls, i)
        };
        // "all": the loop runs, one configuration per directory holding x.conf (not a hidden
        // one, not one without the file), named by the directory.
        let (calls, i) = read("all");
        assert_eq!(i.decided_exit, None);
        assert_eq!(i.instance_loops.len(), 1, "{:?}", i.instance_loops);
        assert_eq!(i.instance_loops[0].pattern, "/etc/x/*/x.conf");
        assert_eq!(i.instance_loops[0].instances, ["a", "b"]);
        let token = &i.instance_loops[0].token;
        assert!(
            calls
                .iter()
                .any(|c| c.display() == format!("/usr/bin/x -c /etc/x/{token}/x.conf")),
            "{:?}",
            calls.iter().map(Call::display).collect::<Vec<_>>()
        );
        // "none": `-o`'s first primary holds; the branch's `exit` ends the action here.
        let (calls, i) = read("none");
        assert_eq!(i.decided_exit, Some(6));
        assert!(
            calls
                .iter()
                .all(|c| c.program().as_deref() != Some("/usr/bin/x"))
        );
        assert!(i.decided.iter().any(|(v, _)| v == "AUTOSTART"));
        // Not deciding by the host's settings: the exit stays one path of two.
        let dir = tempfile::tempdir().unwrap();
        let host: &'static Host = Box::leak(Box::new(Host::at(dir.path())));
        let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
        i.run_top(program);
        let calls = i.run_action("start");
        assert_eq!(i.decided_exit, None);
        assert!(
            calls
                .iter()
                .any(|c| c.program().as_deref() == Some("/usr/bin/x"))
        );
    }

    #[test]
    fn only_a_settings_file_on_the_host_decides_tests_of_its_settings() {
        // webfs's idiom: options added by tests of settings the sourced file gives.
        let script = ". /etc/x.conf\nARGS=\"-r $root\"\ntest \"$port\" != \"\" && ARGS=\"$ARGS -p $port\"\necho \"$mode\" | grep -q fast && ARGS=\"$ARGS -f\"\ncase \"x$proto\" in\n xudp) ARGS=\"$ARGS -u\" ;;\nesac\ncase \"$1\" in\n start) /usr/bin/x $ARGS ;;\nesac\n";
        let program: &'static ast::Program = Box::leak(Box::new(parse(script).unwrap()));
        let read = |conf: Option<&str>| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("etc")).unwrap();
            if let Some(text) = conf {
                std::fs::write(dir.path().join("etc/x.conf"), text).unwrap();
            }
            let host: &'static Host = Box::leak(Box::new(Host::at(dir.path())));
            let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
            i.decide_defaults = true;
            i.run_top(program);
            let calls = i.run_action("start");
            let decided: Vec<String> = i.decided.iter().map(|(v, _)| v.clone()).collect();
            (calls[0].display(), calls[0].uncertain.clone(), decided)
        };
        // The file is there: its values decide the tests (`[ … ]`, `echo | grep`, `case`).
        let (command, uncertain, decided) =
            read(Some("root=/srv\nport=8000\nmode=fast\nproto=udp\n"));
        assert_eq!(command, "/usr/bin/x -r $root -p $port -f -u");
        assert!(uncertain.is_empty(), "{uncertain:?}");
        assert_eq!(decided, ["port", "mode", "proto"]);
        // No file on the host: the settings it would give have no value here, so nothing is
        // decided by them (an absent file's empty values are not the daemon's once it is
        // installed) and the command line stays one of several.
        let (_, uncertain, decided) = read(None);
        assert!(decided.is_empty(), "{decided:?}");
        assert!(uncertain.contains(&"ARGS".to_string()), "{uncertain:?}");
        // A setting the file on the host leaves out is unset there: empty, decided without it.
        let (command, uncertain, decided) = read(Some("root=/srv\nmode=slow\nproto=tcp\n"));
        assert_eq!(command, "/usr/bin/x -r $root");
        assert!(uncertain.is_empty(), "{uncertain:?}");
        assert_eq!(decided, ["mode", "proto"]);
    }

    #[test]
    fn an_undecided_test_leaves_the_likely_value_with_the_other_as_alternative() {
        // A command's exit status: taken as failing; the `then` value is the alternative.
        let (calls, i) = run(
            "OPTS=-a\nif probe-ipv6; then\n  OPTS=\"$OPTS -6\"\nfi\ncase \"$1\" in\n start) /usr/bin/x $OPTS ;;\nesac\n",
            "start",
        );
        assert_eq!(calls, ["/usr/bin/x -a"]);
        let b = &i.env["OPTS"];
        assert!(b.uncertain);
        assert_eq!(b.alternatives.len(), 1);
        assert_eq!(b.alternatives[0].test, "probe-ipv6");
        assert_eq!(b.alternatives[0].line, 2);
        assert!(b.alternatives[0].holds);
        assert_eq!(b.alternatives[0].value, vec![Part::Lit("-a -6".into())]);
    }

    #[test]
    fn a_file_only_a_run_creates_takes_the_else_branch_and_later_assignments_follow_both() {
        let (calls, i) = run(
            "if [ -e /run/x/dhcp.conf ]; then\n  O=\"-c /run/x/dhcp.conf\"\nelse\n  O=\"-c /etc/x.conf\"\nfi\nO=\"$O -u x\"\ncase \"$1\" in\n start) /usr/bin/x $O ;;\nesac\n",
            "start",
        );
        assert_eq!(calls, ["/usr/bin/x -c /etc/x.conf -u x"]);
        let alt = &i.env["O"].alternatives;
        assert_eq!(alt.len(), 1);
        assert_eq!(alt[0].test, "[ -e /run/x/dhcp.conf ]");
        assert_eq!(
            alt[0].value,
            vec![Part::Lit("-c /run/x/dhcp.conf -u x".into())]
        );
    }

    #[test]
    fn a_value_set_in_a_loop_has_no_alternatives_to_choose_from() {
        let (_, i) = run(
            "for f in $(ls /etc/x); do O=\"$O $f\"; done\ncase \"$1\" in\n start) /usr/bin/x $O ;;\nesac\n",
            "start",
        );
        assert!(i.env["O"].uncertain);
        assert!(i.env["O"].alternatives.is_empty());
    }

    #[test]
    fn an_elif_test_reads_the_variables_before_the_chain() {
        // After an undecided first branch, `[ "$r" = 0 ]` is decided by r=0 (it read an empty
        // environment, and the start behind it was lost).
        let (calls, _) = run(
            "case \"$1\" in\n start)\n  r=0\n  if [ \"$?\" = 1 ]; then\n   echo running\n  elif [ \"$r\" = 0 ]; then\n   /usr/bin/x\n  fi ;;\nesac\n",
            "start",
        );
        assert_eq!(
            calls,
            ["[ $? = 1 ]", "echo running", "[ 0 = 0 ]", "/usr/bin/x"]
        );
    }

    #[test]
    fn a_start_records_the_undecided_tests_around_it() {
        let host: &'static Host = Box::leak(Box::new(Host::at(std::path::Path::new(
            "/nonexistent-root",
        ))));
        let program: &'static ast::Program = Box::leak(Box::new(
            parse("case \"$1\" in\n start)\n  if pidof x; then\n   :\n  elif [ -f /etc/x.conf ]; then\n   /usr/bin/x\n  else\n   /usr/bin/y\n  fi ;;\nesac\n").unwrap(),
        ));
        let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
        i.run_top(program);
        let calls = i.run_action("start");
        let under = |p: &str| {
            calls
                .iter()
                .find(|c| c.program().as_deref() == Some(p))
                .map(|c| c.under.clone())
                .unwrap()
        };
        assert_eq!(
            under("/usr/bin/x"),
            [
                ("pidof x".to_string(), 3, false),
                ("[ -f /etc/x.conf ]".to_string(), 5, true)
            ]
        );
        assert_eq!(
            under("/usr/bin/y"),
            [
                ("pidof x".to_string(), 3, false),
                ("[ -f /etc/x.conf ]".to_string(), 5, false)
            ]
        );
    }

    #[test]
    fn what_follows_an_exiting_branch_is_under_its_test_failing() {
        let host: &'static Host = Box::leak(Box::new(Host::at(std::path::Path::new(
            "/nonexistent-root",
        ))));
        let program: &'static ast::Program = Box::leak(Box::new(
            parse("MODE=on\nprep() {\n if grep -q nocluster /proc/cmdline; then\n  exit 1\n fi\n}\ncase \"$1\" in\n start)\n  prep\n  if [ -e /etc/x/off ]; then exit 0; fi\n  /usr/bin/x\n  ;;\n stop)\n  /usr/bin/y\n  ;;\nesac\n").unwrap(),
        ));
        let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
        i.run_top(program);
        let calls = i.run_action("start");
        let x = calls
            .iter()
            .find(|c| c.program().as_deref() == Some("/usr/bin/x"))
            .unwrap();
        assert_eq!(
            x.under,
            [
                ("grep -q nocluster /proc/cmdline".to_string(), 3, false),
                ("[ -e /etc/x/off ]".to_string(), 10, false)
            ]
        );
        // Another action is a run of its own: none of start's tests are around its commands.
        let calls = i.run_action("stop");
        assert!(calls.iter().all(|c| c.under.is_empty()), "{calls:?}");
    }

    #[test]
    fn a_start_on_the_unlikely_path_is_marked_with_its_test() {
        let (calls, _) = run(
            "case \"$1\" in\n start)\n  if aa-status --enabled; then\n   /usr/bin/aa-exec -- /usr/bin/x\n  else\n   /usr/bin/x\n  fi ;;\nesac\n",
            "start",
        );
        assert_eq!(
            calls,
            [
                "aa-status --enabled",
                "/usr/bin/aa-exec -- /usr/bin/x",
                "/usr/bin/x"
            ]
        );
        let mut interp_calls = {
            let host: &'static Host = Box::leak(Box::new(Host::at(std::path::Path::new(
                "/nonexistent-root",
            ))));
            let program: &'static ast::Program = Box::leak(Box::new(
                parse("case \"$1\" in\n start)\n  if aa-status --enabled; then\n   /usr/bin/aa-exec -- /usr/bin/x\n  else\n   /usr/bin/x\n  fi ;;\nesac\n").unwrap(),
            ));
            let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
            i.run_top(program);
            i.run_action("start")
        };
        let x = interp_calls.pop().unwrap();
        let aa = interp_calls.pop().unwrap();
        assert_eq!(x.unlikely, None);
        assert_eq!(
            aa.unlikely,
            Some(("aa-status --enabled".to_string(), 3, true))
        );
    }

    #[test]
    fn likely_reads_file_tests_by_the_host_and_unset_settings_as_empty() {
        let dir = std::env::temp_dir().join(format!("systemdify-likely-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        std::fs::write(dir.join("etc/x.conf"), "").unwrap();
        let host: &'static Host = Box::leak(Box::new(Host::at(&dir)));
        let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
        i.decide_defaults = true;
        let mut likely = |text: &str| {
            let p = parse(text).unwrap();
            let list = match &p.complete_commands[..] {
                [l] => l.clone(),
                _ => unreachable!(),
            };
            i.likely(&list)
        };
        assert_eq!(likely("[ -f /etc/x.conf ]\n"), Some(true));
        assert_eq!(likely("[ ! -e /run/x.sock ]\n"), Some(true));
        assert_eq!(
            likely("[ -z \"$UNSET\" ] && [ -r /etc/x.conf ]\n"),
            Some(true)
        );
        assert_eq!(likely("grep -q x /etc/x.conf\n"), Some(false));
        // `-o`/`-a` inside one test (openvpn's AUTOSTART, isc-dhcp-server's interfaces).
        assert_eq!(
            likely("test -z \"$UNSET\" -o \"x$UNSET\" = xall\n"),
            Some(true)
        );
        assert_eq!(
            likely("test -n \"$UNSET\" -a -f /etc/x.conf\n"),
            Some(false)
        );
        assert_eq!(likely("[ ! -f /etc/x.conf -o -d /etc ]\n"), Some(true));
        assert_eq!(likely("[ ! -f /etc/x.conf -a -d /etc ]\n"), Some(false));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn finds_the_start_arm_and_inlines_functions() {
        let (calls, _) = run(
            "DAEMON=/usr/sbin/food\nNAME=${DAEMON##*/}\nARGS=\"-c /etc/$NAME.conf -v\"\ndo_start() {\n  start-stop-daemon --start --exec $DAEMON -- $ARGS\n}\ncase \"$1\" in\n  start) do_start ;;\n  stop) start-stop-daemon --stop ;;\nesac\n",
            "start",
        );
        assert_eq!(
            calls,
            ["start-stop-daemon --start --exec /usr/sbin/food -- -c /etc/food.conf -v"]
        );
    }

    #[test]
    fn defaults_file_missing_keeps_variables_as_references() {
        let (calls, i) = run(
            "OPTS=\"-x\"\n[ -r /etc/default/x ] && . /etc/default/x\ncase \"$1\" in\n start) /usr/bin/x $OPTS \"$MORE\" ;;\nesac\n",
            "start",
        );
        assert_eq!(calls, ["/usr/bin/x $OPTS ${MORE}"]);
        assert!(i.defaults_absent);
        assert_eq!(
            i.env["OPTS"].script_default,
            Some(vec![Part::Lit("-x".into())])
        );
    }

    #[test]
    fn a_setting_the_defaults_file_leaves_commented_out_stays_a_reference() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/default")).unwrap();
        std::fs::write(
            dir.path().join("etc/default/x"),
            "#EXTRA_OPTS=\"-l\"\nOTHER=1\n",
        )
        .unwrap();
        let host = Host::at(dir.path());
        let program = parse(
            ". /etc/default/x\nR=${RETRY:-TERM/5}\ncase \"$1\" in\n start) /usr/sbin/x $EXTRA_OPTS --retry $R ;;\nesac\n",
        )
        .unwrap();
        let mut i = Interp::new(&host, "/etc/init.d/x", vec!["start".into()]);
        i.run_top(&program);
        let calls: Vec<String> = i.run_action("start").iter().map(Call::display).collect();
        // Unset now, so empty at start as in the script; editable later through the file.
        // `${RETRY:-…}` still takes its default.
        assert_eq!(calls, ["/usr/sbin/x $EXTRA_OPTS --retry TERM/5"]);
    }

    #[test]
    fn a_sed_substitution_of_a_known_output_is_computed() {
        let s = SedSubstitution::parse("s/^pure-ftpd-\\(.*\\)/\\1/p").unwrap();
        assert_eq!(s.apply("pure-ftpd"), None);
        assert_eq!(s.apply("pure-ftpd-ldap").as_deref(), Some("ldap"));
        assert_eq!(s.apply("x-pure-ftpd-ldap"), None);
        let t = SedSubstitution::parse("s/\\.conf$/.d/p").map(|_| ());
        assert_eq!(t, None, "a `.` in the pattern is a regex: not run");
        let u = SedSubstitution::parse("s/-\\(.*\\)\\.x$/=\\1/p").map(|_| ());
        assert_eq!(u, None);
        let v = SedSubstitution::parse("s/a\\(.*\\)b/<\\1>/p").unwrap();
        assert_eq!(v.apply("xaYbZbq").as_deref(), Some("x<YbZ>q"));
        for (me, suffix) in [
            ("/etc/init.d/pure-ftpd", ""),
            ("/etc/init.d/pure-ftpd-ldap", "ldap"),
        ] {
            let script = format!(
                "ME={me}\nSUFFIX=`basename $ME | sed -ne 's/^pure-ftpd-\\(.*\\)/\\1/p'`\ncase \"$1\" in\n start) /usr/sbin/x \"$SUFFIX\" ;;\nesac\n"
            );
            let (calls, _) = run(&script, "start");
            assert_eq!(calls, [format!("/usr/sbin/x {suffix}")], "{me}");
        }
    }

    #[test]
    fn a_return_in_the_branch_the_hosts_settings_choose_ends_the_function() {
        // smokeping's check_slave: `if [ "$MODE" != "slave" ]; then return; fi` with
        // MODE=master in the defaults file adds no slave options.
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/default")).unwrap();
        std::fs::write(dir.path().join("etc/default/x"), "MODE=master\n").unwrap();
        let host = Host::at(dir.path());
        let script = "A=-c\n[ -f /etc/default/x ] && . /etc/default/x\nopts() {\n  if [ \"$MODE\" != slave ]; then\n    return\n  fi\n  A=\"$A --slave\"\n}\ncase \"$1\" in\n start) opts; /usr/sbin/x $A ;;\nesac\n";
        let program = parse(script).unwrap();
        let mut i = Interp::new(&host, "/etc/init.d/x", vec!["start".into()]);
        i.decide_defaults = true;
        i.run_top(&program);
        let calls: Vec<String> = i.run_action("start").iter().map(Call::display).collect();
        assert_eq!(calls.last().map(String::as_str), Some("/usr/sbin/x -c"));
        // Not deciding by the host's settings, both paths stay open.
        let mut i = Interp::new(&host, "/etc/init.d/x", vec!["start".into()]);
        i.run_top(&program);
        let calls: Vec<String> = i.run_action("start").iter().map(Call::display).collect();
        assert_ne!(calls.last().map(String::as_str), Some("/usr/sbin/x -c"));
    }

    #[test]
    fn a_defaults_value_referring_to_a_variable_nothing_sets_expands_it_to_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/default")).unwrap();
        std::fs::write(
            dir.path().join("etc/default/x"),
            "C=/etc/x.conf\n#EXTRA=\"-v\"\nARGS=\"-d -c $C $EXTRA\"\nHOMED=\"$HOME/x\"\nSELF=\"$SELF -q\"\n",
        )
        .unwrap();
        let host = Host::at(dir.path());
        let program = parse(
            "[ -r /etc/default/x ] && . /etc/default/x\ncase \"$1\" in\n start) /usr/sbin/x $ARGS ;;\nesac\n",
        )
        .unwrap();
        let mut i = Interp::new(&host, "/etc/init.d/x", vec!["start".into()]);
        i.run_top(&program);
        let mut unset = Vec::new();
        assert_eq!(
            i.value_unset_empty("ARGS", &mut unset).as_deref(),
            Some("-d -c /etc/x.conf ")
        );
        assert_eq!(unset, ["EXTRA"]);
        // What a service's environment may hold, and a self-reference, stay unknown.
        assert_eq!(i.value_unset_empty("HOMED", &mut unset), None);
        assert_eq!(i.value_unset_empty("SELF", &mut unset), None);
        assert_eq!(i.value("ARGS"), None);
    }

    #[test]
    fn a_defaults_value_is_not_resolved_while_another_settings_file_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/default")).unwrap();
        std::fs::write(dir.path().join("etc/default/x"), "ARGS=\"-c $EXTRA\"\n").unwrap();
        let host = Host::at(dir.path());
        let program = parse(
            ". /etc/default/x\n[ -r /etc/default/y ] && . /etc/default/y\ncase \"$1\" in\n start) /usr/sbin/x $ARGS ;;\nesac\n",
        )
        .unwrap();
        let mut i = Interp::new(&host, "/etc/init.d/x", vec!["start".into()]);
        i.run_top(&program);
        assert_eq!(i.value_unset_empty("ARGS", &mut Vec::new()), None);
    }

    #[test]
    fn a_substitution_sourcing_a_host_file_reads_its_plain_unconditional_value() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("etc/web")).unwrap();
        std::fs::write(
            dir.path().join("etc/web/envvars"),
            "if [ -n \"$X\" ]; then\n  SUFFIX=-x\n  export MAYBE=a\nfi\nexport WEB_USER=webdata\nexport WEB_PID=/run/web$SUFFIX.pid\nexport MAYBE\n",
        )
        .unwrap();
        let host = Host::at(dir.path());
        let calls = |var: &str, file: &str| {
            let program = parse(&format!(
                "C=/etc/web\nV=$(. {file} >/dev/null && echo \"${var}\")\ncase \"$1\" in\n start) /usr/sbin/x -u $V ;;\nesac\n"
            ))
            .unwrap();
            let mut i = Interp::new(&host, "/etc/init.d/x", vec!["start".into()]);
            i.run_top(&program);
            let calls: Vec<String> = i.run_action("start").iter().map(Call::display).collect();
            (calls, i.sourced_values.len())
        };
        assert_eq!(
            calls("WEB_USER", "$C/envvars"),
            (vec!["/usr/sbin/x -u webdata".to_string()], 1)
        );
        // A value with an expansion, one assigned under a condition, a file not on the host:
        // only running the script can tell.
        for (var, file) in [
            ("WEB_PID", "$C/envvars"),
            ("MAYBE", "$C/envvars"),
            ("WEB_USER", "/etc/none/envvars"),
        ] {
            let (calls, read) = calls(var, file);
            assert_eq!(read, 0, "{var} {file}");
            assert!(!calls[0].contains("webdata"), "{calls:?}");
        }
    }

    #[test]
    fn a_fallback_after_and_or_or_on_the_scripts_own_values_is_decided() {
        for form in [
            "[ -n \"$OWNER\" ] || OWNER=clamav",
            "[ -z \"$OWNER\" ] && OWNER=clamav",
            "test -z \"$OWNER\" && OWNER=clamav",
        ] {
            let (calls, i) = run(
                &format!("{form}\ncase \"$1\" in\n start) /usr/bin/x -u $OWNER ;;\nesac\n"),
                "start",
            );
            assert_eq!(calls, ["/usr/bin/x -u clamav"], "{form}");
            assert!(!i.env["OWNER"].uncertain, "{form}");
        }
        // A value the script set already: the fallback is not taken.
        let (calls, i) = run(
            "OWNER=root\n[ -n \"$OWNER\" ] || OWNER=clamav\ncase \"$1\" in\n start) /usr/bin/x -u $OWNER ;;\nesac\n",
            "start",
        );
        assert_eq!(calls, ["/usr/bin/x -u root"]);
        assert!(!i.env["OWNER"].uncertain);
        // A test of a command's exit status is not decided: the value is one of several.
        let (_, i) = run(
            "probe || OWNER=clamav\ncase \"$1\" in\n start) /usr/bin/x -u $OWNER ;;\nesac\n",
            "start",
        );
        assert!(i.env["OWNER"].uncertain);
    }

    #[test]
    fn an_exec_wrapper_is_read_through_to_its_program() {
        let w = exec_wrapper(
            "#!/bin/sh\nset -e\n[ ! -d /run/systemd/system ] || exit 0\nDEFAULT=/etc/default/x\nENABLED=false\n[ ! -r \"$DEFAULT\" ] || . \"$DEFAULT\"\n[ \"$ENABLED\" = \"true\" ] || exit 0\nexec /usr/lib/x/real \"$@\"\n",
        )
        .expect("an exec wrapper");
        assert_eq!(w.target, "/usr/lib/x/real");
        assert_eq!(
            w.guards,
            [
                "[ ! -d /run/systemd/system ] || exit 0",
                "[ \"$ENABLED\" = \"true\" ] || exit 0"
            ]
        );
        // Other commands, other arguments, a relative or computed program, not sh: not one.
        for text in [
            "#!/bin/sh\nmkdir -p /run/x\nexec /usr/lib/x/real \"$@\"\n",
            "#!/bin/sh\nexec /usr/lib/x/real -f \"$@\"\n",
            "#!/bin/sh\nexec real \"$@\"\n",
            "#!/bin/sh\nexec $REAL \"$@\"\n",
            "#!/bin/bash\nexec /usr/lib/x/real \"$@\"\n",
            "#!/bin/sh\nexec /usr/lib/x/real \"$@\"\necho done\n",
            "#!/bin/sh\n[ -x /x ] || exit 1\nexec /usr/lib/x/real \"$@\"\n",
        ] {
            assert_eq!(exec_wrapper(text), None, "{text}");
        }
    }

    /// The words `expand_text` takes whole without asking brush: brush's parser gives exactly
    /// one piece of unquoted text spanning the word (no piece for an empty one), and every word
    /// holding one of the characters left out is parsed into something else or refused.
    #[test]
    fn plain_words_are_what_brush_reads_them_as() {
        let plain = [
            "",
            "start",
            "-x",
            "/usr/sbin/sshd",
            "a=b",
            "--pidfile=/run/x.pid",
            "*.conf",
            "[ab]",
            "x{1,2}",
            "@(a|b)",
            "!(x)",
            "a:b",
            "#x",
            "é/ü",
            "(",
            "a b\tc\n",
        ];
        for text in plain {
            assert!(plain_word(text), "{text:?}");
            let pieces = brush_parser::word::parse(text, &options()).unwrap();
            if text.is_empty() {
                assert!(pieces.is_empty());
            } else {
                assert_eq!(pieces.len(), 1, "{text:?}");
                assert!(
                    matches!(&pieces[0].piece, WordPiece::Text(t) if t == text),
                    "{text:?}"
                );
                assert_eq!(
                    (pieces[0].start_index, pieces[0].end_index),
                    (0, text.len())
                );
            }
        }
        // Each of the characters left out starts a piece of another kind (a tilde at the
        // start of a word with brush's default options).
        for text in [
            "'a'", "\"a\"", "$a", "`a`", "\\a", "~", "a$b", "\"a\"b", "~/x",
        ] {
            assert!(!plain_word(text), "{text:?}");
            let pieces = brush_parser::word::parse(text, &options()).unwrap();
            assert!(
                !pieces.iter().all(|p| matches!(p.piece, WordPiece::Text(_))),
                "{text:?}: {pieces:?}"
            );
        }
    }

    #[test]
    fn the_word_cache_keeps_the_words_used_last() {
        let mut cache = WordCache::new();
        let parsed = Rc::new(None);
        let n = WORD_CACHE_SIZE;
        for i in 0..2 * n {
            cache.insert(format!("w{i}"), Rc::clone(&parsed));
        }
        // Two full generations: the first is the older one, still found.
        assert_eq!((cache.old.len(), cache.new.len()), (n, n));
        // Found in the older generation, w0 moves to a new one; the rest of the first is gone.
        assert!(cache.get("w0").is_some());
        assert_eq!((cache.old.len(), cache.new.len()), (n, 1));
        assert!(cache.get("w1").is_none());
        assert!(cache.get(&format!("w{}", 2 * n - 1)).is_some());
        assert!(cache.get("w0").is_some());
    }

    #[test]
    fn trims_and_defaults() {
        assert_eq!(
            trim("/usr/sbin/foo", "*/", true, true).as_deref(),
            Some("foo")
        );
        assert_eq!(trim("foo.sh", ".sh", false, false).as_deref(), Some("foo"));
        assert_eq!(trim("a.b.c", ".*", false, false).as_deref(), Some("a.b"));
        assert_eq!(trim("a.b.c", ".*", false, true).as_deref(), Some("a"));
        assert_eq!(
            trim("S01apache", "[KS][0-9][0-9]", true, true).as_deref(),
            Some("apache")
        );
        assert!(glob(&['[', '!', 'a', ']'], &['b']));
        let (calls, _) = run(
            "PIDFILE=${PIDFILE:-/run/x.pid}\ncase $1 in start) echo $PIDFILE ;; esac\n",
            "start",
        );
        assert_eq!(calls, ["echo /run/x.pid"]);
    }

    #[test]
    fn a_value_assigned_on_the_path_of_its_use_is_that_value_there() {
        // jetty's launcher prefix: set right before the start, inside the "not running yet"
        // branch (a command's status, undecided), by a test the script's values decide.
        let script = "if probe; then\n  PRE=\"\"\n  if [ \"$AUTH\" = yes ]; then\n    PRE=\"/usr/bin/authbind --deep\"\n  fi\n  /usr/sbin/x $PRE -a\nfi\ncase \"$1\" in\n start) /usr/sbin/y $PRE ;;\nesac\n";
        let (_, i) = run(script, "start");
        // The top level's calls, as they are before the action runs.
        let program: &'static ast::Program = Box::leak(Box::new(parse(script).unwrap()));
        let host: &'static Host = Box::leak(Box::new(Host::at(std::path::Path::new(
            "/nonexistent-root",
        ))));
        let mut top = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
        top.run_top(program);
        let x = top
            .calls
            .iter()
            .find(|c| c.program().as_deref() == Some("/usr/sbin/x"))
            .expect("the call in the branch");
        assert_eq!(x.display(), "/usr/sbin/x -a");
        assert!(x.uncertain.is_empty(), "{:?}", x.uncertain);
        // After the branch, the value is one of several (unset when the probe fails).
        assert!(i.uncertain_here("PRE"));
    }

    #[test]
    fn a_branch_that_exits_leaves_the_other_paths_value() {
        let (calls, i) = run(
            "if [ -f /etc/x.conf ]; then\n  MODE=file\nelse\n  echo no configuration\n  exit 0\nfi\ncase \"$1\" in\n start) /usr/sbin/x -m $MODE ;;\nesac\n",
            "start",
        );
        assert_eq!(calls, ["/usr/sbin/x -m file"]);
        assert!(!i.uncertain_here("MODE"));
        // The `if` form of `[ -f FILE ] || exit 0` is a guard of the script.
        assert_eq!(i.path_guards, [('f', "/etc/x.conf".to_string(), 1)]);
        // Without the `exit`, the path without the file goes on with MODE unset.
        let (_, i) = run(
            "if [ -f /etc/x.conf ]; then\n  MODE=file\nelse\n  echo no configuration\nfi\ncase \"$1\" in\n start) /usr/sbin/x -m $MODE ;;\nesac\n",
            "start",
        );
        assert!(i.uncertain_here("MODE"));
        assert!(i.path_guards.is_empty());
    }

    #[test]
    fn branches_that_leave_one_value_merge_to_it() {
        let (calls, i) = run(
            "if probe; then\n  O=-a\nelse\n  O=-a\nfi\ncase \"$1\" in\n start) /usr/sbin/x $O ;;\nesac\n",
            "start",
        );
        assert_eq!(calls, ["/usr/sbin/x -a"]);
        assert!(!i.uncertain_here("O"));
        // Different values stay one of several, with the other as an alternative.
        let (_, i) = run(
            "if probe; then\n  O=-a\nelse\n  O=-b\nfi\ncase \"$1\" in\n start) /usr/sbin/x $O ;;\nesac\n",
            "start",
        );
        assert!(i.uncertain_here("O"));
        assert_eq!(i.env["O"].alternatives.len(), 1);
    }

    #[test]
    fn where_a_program_is_installed_is_read_from_the_host() {
        use std::os::unix::fs::PermissionsExt;
        let script = "prog=filterd\nif [ -x /usr/bin/$prog ]; then\n  DIR=/usr/bin\nelif [ -x /usr/local/bin/$prog ]; then\n  DIR=/usr/local/bin\nelse\n  exit 0\nfi\ncase \"$1\" in\n start) $DIR/$prog -d ;;\nesac\n";
        let program: &'static ast::Program = Box::leak(Box::new(parse(script).unwrap()));
        let read = |installed: &str| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(installed.trim_start_matches('/'));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            let host: &'static Host = Box::leak(Box::new(Host::at(dir.path())));
            let mut i = Interp::new(host, "/etc/init.d/x", vec!["start".to_string()]);
            i.run_top(program);
            let calls = i.run_action("start");
            let chain = i.readings.iter().any(|r| {
                matches!(r, Reading::FileChain { programs: true, tests, .. } if tests.last().is_some_and(|t| t.2))
            });
            (calls[0].display(), calls[0].uncertain.clone(), chain)
        };
        assert_eq!(
            read("/usr/local/bin/filterd"),
            ("/usr/local/bin/filterd -d".to_string(), Vec::new(), true)
        );
        assert_eq!(
            read("/usr/bin/filterd"),
            ("/usr/bin/filterd -d".to_string(), Vec::new(), true)
        );
        // A file a run or an admin makes (under /etc) is never such a chain.
        let (_, i) = run(
            "if [ -x /etc/x/hook ]; then\n  H=yes\nfi\ncase \"$1\" in\n start) /usr/sbin/x $H ;;\nesac\n",
            "start",
        );
        assert!(i.readings.is_empty());
        assert!(i.uncertain_here("H"));
    }

    #[test]
    fn a_sourced_librarys_commands_are_placed_in_the_library() {
        // The library holds a function and the dispatch `case`; the script sources it at its
        // line 3 and calls nothing itself.
        let host: &'static Host = Box::leak(Box::new(Host::at(std::path::Path::new(
            "/nonexistent-root",
        ))));
        let library: &'static ast::Program = Box::leak(Box::new(
            parse("prep() {\n\tmkdir -p /run/d\n}\ncase \"$1\" in\nstart)\n\tprep\n\t/usr/sbin/d\n\t;;\nesac\n")
                .unwrap(),
        ));
        let script: &'static ast::Program = Box::leak(Box::new(
            parse("#!/bin/sh\nDAEMON=/usr/sbin/d\n. /usr/lib/d/common\n").unwrap(),
        ));
        let mut i = Interp::new(host, "/etc/init.d/d", vec!["start".to_string()]);
        i.add_library("/usr/lib/d/common", library);
        i.run_top(script);
        let calls = i.run_action("start");
        let placed: Vec<(String, String)> =
            calls.iter().map(|c| (c.display(), place(c.line))).collect();
        assert_eq!(
            placed,
            [
                (
                    "mkdir -p /run/d".to_string(),
                    "line 2 of /usr/lib/d/common, sourced at line 3".to_string()
                ),
                (
                    "/usr/sbin/d".to_string(),
                    "line 7 of /usr/lib/d/common, sourced at line 3".to_string()
                ),
            ]
        );
        // The script's own lines keep their plain numbers.
        assert_eq!(place(3), "line 3");
        assert_eq!(place(0), "run by /lib/init/init-d-script");
        assert_eq!(places(&[3, 5]), "lines 3, 5");
        assert_eq!(
            places(&[3, calls[1].line]),
            "line 3; line 7 of /usr/lib/d/common, sourced at line 3"
        );
        // The same library sourced elsewhere is another place.
        assert_ne!(
            library_lines("/usr/lib/d/common", 3),
            library_lines("/usr/lib/d/common", 4)
        );
    }

    #[test]
    fn executable_guard_and_early_exit() {
        let (_, i) = run(
            "DAEMON=/usr/sbin/d\ntest -x $DAEMON || exit 0\nexit 0\ncase $1 in start) d ;; esac\n",
            "start",
        );
        assert_eq!(i.exec_conditions, ["/usr/sbin/d"]);
        assert_eq!(i.early_exit, Some(3));
    }
}

/// The file a `while read` loop's feeding command gives it line by line, and the lines it
/// passes: `cat FILE` (every line), `grep PATTERN FILE` / `egrep PATTERN FILE` / `grep -E PATTERN
/// FILE` (the lines matching), `grep -v PATTERN FILE` (the others).
fn list_feed(feed: &ast::SimpleCommand) -> Option<(String, LineFilter)> {
    if feed.prefix.is_some() {
        return None;
    }
    let mut words: Vec<String> = vec![feed.word_or_name.as_ref()?.value.clone()];
    for x in feed.suffix.iter().flat_map(|x| x.0.iter()) {
        match x {
            ast::CommandPrefixOrSuffixItem::Word(w) => words.push(w.value.clone()),
            _ => return None,
        }
    }
    let (cmd, rest) = words.split_first()?;
    if cmd == "cat" {
        return match rest {
            [file] => Some((file.clone(), LineFilter::All)),
            _ => None,
        };
    }
    let mut extended = match cmd.as_str() {
        "grep" => false,
        "egrep" => true,
        _ => return None,
    };
    let mut invert = false;
    let mut rest = rest;
    while let Some((flag, more)) = rest.split_first() {
        match flag.as_str() {
            "-v" => invert = true,
            "-E" => extended = true,
            "-Ev" | "-vE" => (invert, extended) = (true, true),
            _ => break,
        }
        rest = more;
    }
    let [pattern, file] = rest else {
        return None;
    };
    let source = unquote(pattern);
    let compiled = LinePattern::parse(&source, extended)?;
    Some((
        file.clone(),
        LineFilter::Grep {
            pattern: compiled,
            source,
            invert,
        },
    ))
}

/// Which lines of a list file a `while read` loop gets.
#[derive(Debug, Clone)]
pub enum LineFilter {
    All,
    /// What `grep [-v] PATTERN` passes on.
    Grep {
        pattern: LinePattern,
        source: String,
        invert: bool,
    },
}

impl LineFilter {
    fn keeps(&self, line: &str) -> bool {
        match self {
            LineFilter::All => true,
            LineFilter::Grep {
                pattern, invert, ..
            } => pattern.matches(line) != *invert,
        }
    }

    /// What the finding says the script keeps, `None` for every line.
    fn describe(&self) -> Option<String> {
        match self {
            LineFilter::All => None,
            LineFilter::Grep { source, invert, .. } => Some(format!(
                "only the lines {} `{source}`, as the script's grep passes them",
                if *invert { "not matching" } else { "matching" }
            )),
        }
    }
}

/// A `grep` pattern of the simple kind list filters use: an optional `^`, then characters,
/// `.`, bracket expressions (`[a-zA-Z0-9_-]`, `[ ]`, `[^#]`, `[[:space:]]`), each optionally
/// repeated with `*` (or `+`, `?` in an extended pattern), groups `( … )` of them in an
/// extended pattern (repeated too), and an optional `$`. Anything else (alternatives,
/// back-references, intervals) is not read. In awk's dialect ([`Dialect::Awk`]), `\t` and `\n`
/// are a tab and a line break.
#[derive(Debug, Clone)]
pub struct LinePattern {
    anchored: bool,
    end: bool,
    atoms: Vec<(Atom, (usize, usize))>,
}

/// Which program's regular expressions a [`LinePattern`] is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `grep`.
    Basic,
    /// `grep -E`, `egrep`.
    Extended,
    /// `awk '/…/'`: extended, with `\t` and `\n`.
    Awk,
}

#[derive(Debug, Clone)]
enum Atom {
    Any,
    Char(char),
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
    Group(Vec<(Atom, (usize, usize))>),
}

impl Atom {
    fn matches(&self, c: char) -> bool {
        match self {
            Atom::Any => true,
            Atom::Char(x) => *x == c,
            Atom::Class { negated, items } => {
                items.iter().any(|(a, b)| (*a..=*b).contains(&c)) != *negated
            }
            Atom::Group(_) => false,
        }
    }
}

impl LinePattern {
    fn parse(text: &str, extended: bool) -> Option<LinePattern> {
        Self::parse_as(
            text,
            if extended {
                Dialect::Extended
            } else {
                Dialect::Basic
            },
        )
    }

    fn parse_as(text: &str, dialect: Dialect) -> Option<LinePattern> {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        let anchored = chars.first() == Some(&'^');
        if anchored {
            i = 1;
        }
        let mut end = false;
        let atoms = Self::sequence(&chars, &mut i, dialect, 0, &mut end)?;
        (i == chars.len()).then_some(LinePattern {
            anchored,
            end,
            atoms,
        })
    }

    /// The atoms from `chars[*i]` to the end (or, at `depth` > 0, to the group's `)`, which
    /// is consumed).
    fn sequence(
        chars: &[char],
        i: &mut usize,
        dialect: Dialect,
        depth: u32,
        end: &mut bool,
    ) -> Option<Vec<(Atom, (usize, usize))>> {
        let extended = dialect != Dialect::Basic;
        let mut atoms: Vec<(Atom, (usize, usize))> = Vec::new();
        while *i < chars.len() {
            let c = chars[*i];
            let atom = match c {
                '$' if *i + 1 == chars.len() && depth == 0 => {
                    *end = true;
                    *i += 1;
                    continue;
                }
                ')' if extended && depth > 0 => {
                    *i += 1;
                    return Some(atoms);
                }
                '(' if extended && depth < 4 => {
                    *i += 1;
                    let inner = Self::sequence(chars, i, dialect, depth + 1, end)?;
                    if *end || chars.get(*i - 1) != Some(&')') {
                        return None;
                    }
                    Atom::Group(inner)
                }
                '.' => {
                    *i += 1;
                    Atom::Any
                }
                '[' => {
                    *i += 1;
                    let negated = chars.get(*i) == Some(&'^');
                    if negated {
                        *i += 1;
                    }
                    let mut items = Vec::new();
                    let mut first = true;
                    loop {
                        let c = *chars.get(*i)?;
                        if c == ']' && !first {
                            *i += 1;
                            break;
                        }
                        first = false;
                        if c == '[' && chars.get(*i + 1) == Some(&':') {
                            let rest: String = chars[*i..].iter().collect();
                            let close = rest.find(":]")?;
                            match &rest[2..close] {
                                "space" | "blank" => {
                                    items.extend([(' ', ' '), ('\t', '\t')]);
                                    if &rest[2..close] == "space" {
                                        items.extend([('\n', '\r')]);
                                    }
                                }
                                "alpha" => items.extend([('a', 'z'), ('A', 'Z')]),
                                "digit" => items.push(('0', '9')),
                                "alnum" => items.extend([('a', 'z'), ('A', 'Z'), ('0', '9')]),
                                _ => return None,
                            }
                            *i += rest[..close + 2].chars().count();
                            continue;
                        }
                        if c == '\\' && dialect == Dialect::Awk {
                            // awk reads escapes inside brackets too.
                            return None;
                        }
                        if chars.get(*i + 1) == Some(&'-')
                            && chars.get(*i + 2).is_some_and(|e| *e != ']')
                        {
                            items.push((c, chars[*i + 2]));
                            *i += 3;
                        } else {
                            items.push((c, c));
                            *i += 1;
                        }
                    }
                    Atom::Class { negated, items }
                }
                '\\' => {
                    let next = *chars.get(*i + 1)?;
                    *i += 2;
                    match next {
                        't' if dialect == Dialect::Awk => Atom::Char('\t'),
                        'n' if dialect == Dialect::Awk => Atom::Char('\n'),
                        c if c.is_ascii_alphanumeric() => return None,
                        c => Atom::Char(c),
                    }
                }
                '(' | ')' | '|' | '{' | '}' if extended => return None,
                '*' | '+' | '?' if extended => return None,
                '*' => return None,
                c => {
                    *i += 1;
                    Atom::Char(c)
                }
            };
            let rep = match chars.get(*i) {
                Some('*') => (0, usize::MAX),
                Some('+') if extended => (1, usize::MAX),
                Some('?') if extended => (0, 1),
                Some('\\')
                    if !extended
                        && matches!(chars.get(*i + 1), Some('{' | '(' | '|' | '+' | '?')) =>
                {
                    return None;
                }
                _ => (1, 1),
            };
            if rep != (1, 1) {
                *i += 1;
            }
            atoms.push((atom, rep));
        }
        // A group left open.
        (depth == 0).then_some(atoms)
    }

    /// Whether `line` has a match, as `grep` looks for one.
    fn matches(&self, line: &str) -> bool {
        let chars: Vec<char> = line.chars().collect();
        let starts = if self.anchored {
            0..=0
        } else {
            0..=chars.len()
        };
        let len = chars.len();
        let end = self.end;
        starts
            .into_iter()
            .any(|s| seq(&self.atoms, &chars, s, &|p| !end || p == len))
    }
}

/// Whether `items` match `chars` from `pos` in a way after which `then` holds (backtracking:
/// each repetition as long as it can, then shorter).
fn seq(
    items: &[(Atom, (usize, usize))],
    chars: &[char],
    pos: usize,
    then: &dyn Fn(usize) -> bool,
) -> bool {
    let Some(((atom, (min, max)), rest)) = items.split_first() else {
        return then(pos);
    };
    repeat(atom, *min, *max, 0, chars, pos, &|p| {
        seq(rest, chars, p, then)
    })
}

/// `atom` repeated from `n` times so far up to `max`, at least `min`, then `then`.
fn repeat(
    atom: &Atom,
    min: usize,
    max: usize,
    n: usize,
    chars: &[char],
    pos: usize,
    then: &dyn Fn(usize) -> bool,
) -> bool {
    // One more (never an empty one, which would repeat for ever), else stop here.
    (n < max
        && once(atom, chars, pos, &|p| {
            p > pos && repeat(atom, min, max, n + 1, chars, p, then)
        }))
        || (n >= min && then(pos))
}

/// `atom` once at `pos`, then `then`.
fn once(atom: &Atom, chars: &[char], pos: usize, then: &dyn Fn(usize) -> bool) -> bool {
    match atom {
        Atom::Group(items) => seq(items, chars, pos, then),
        a => pos < chars.len() && a.matches(chars[pos]) && then(pos + 1),
    }
}

#[cfg(test)]
mod line_pattern_tests {
    use super::LinePattern;

    #[test]
    fn list_filters_match_as_grep_does() {
        let tinc = LinePattern::parse("^[ ]*[a-zA-Z0-9_-]+", true).unwrap();
        assert!(tinc.matches("office"));
        assert!(tinc.matches("  lab-2 extra"));
        assert!(!tinc.matches("# office"));
        assert!(!tinc.matches(""));
        let comment = LinePattern::parse("^[[:space:]]*#", false).unwrap();
        assert!(comment.matches("   # x"));
        assert!(!comment.matches("x # y"));
        let inner = LinePattern::parse("vpn.$", false).unwrap();
        assert!(inner.matches("myvpn1"));
        assert!(!inner.matches("vpn"));
        assert!(LinePattern::parse("^(a|b)", true).is_none());
        assert!(LinePattern::parse("^(ab", true).is_none());
        // nbd-client's nbdtab filter: a line that does not start with `#`.
        let nbdtab = LinePattern::parse_as("^(( \\t)*[^#])", super::Dialect::Awk).unwrap();
        assert!(nbdtab.matches("nbd0 server export"));
        assert!(nbdtab.matches(" \t# spaced"));
        assert!(!nbdtab.matches("# comment"));
        assert!(!nbdtab.matches(""));
        let group = LinePattern::parse("^(ab)+c$", true).unwrap();
        assert!(group.matches("ababc"));
        assert!(!group.matches("abac"));
        assert!(!group.matches("c"));
        assert!(LinePattern::parse("a\\{2\\}", false).is_none());
    }
}
