//! Shell text → the tokens brush-parser 0.4's own tokenizer gives for it, faster.
//!
//! brush-parser reads a script one `char` at a time through a `BufRead` (UTF-8 decoded per
//! character), grows each token's `String` by one character at a time, builds a new `String` to
//! ask whether an operator goes on, and serves queued tokens with `Vec::remove(0)`. That was
//! more than half of its parsing cost. [`tokenize`] runs the same state machine — the same
//! states, the same order of tests for each character, the same here-document queueing and the
//! same recursion into `$( )`, `$(( ))`, `$[ ]` and `${ }` — over the text's bytes, copying runs
//! of ordinary characters (a word's letters, a quoted string's body, a comment, a here-document
//! line) in one step, and making one `String` per token. Positions (`TokenLocation`s) are
//! counted in characters as brush counts them, quirks included (a line continuation before a
//! word leaves the word's start where the backslash stood).
//!
//! It gives up (`None`) wherever brush's tokenizer returns an error (unterminated quotes,
//! escapes, expansions, extended globs or here-documents, a missing here-document tag): the
//! caller then runs brush's tokenizer, whose error and position it reports. The options are
//! fixed to the ones [`super::shell`] parses with: extended globbing on, bash (not `sh`) mode,
//! so `<<<`, `&>`, `&>>`, `;;&`, `;&` and `|&` are operators.
//!
//! `tests/tokenize_differential.rs` compares both tokenizers, token by token and position by
//! position, over every shell text of the corpus and the tests, the benchmark's init scripts
//! when present, and generated texts.

use brush_parser::{SourcePosition, SourceSpan, Token};
use std::collections::VecDeque;
use std::sync::Arc;

/// The tokens of `text`, equal (strings, kinds and locations) to what
/// `brush_parser::uncached_tokenize_str(text, &TokenizerOptions::default())` returns.
///
/// # Errors
/// [`Refusal::Fails`] where brush's tokenizer fails on `text`, [`Refusal::Endless`] where it
/// would never return.
pub fn tokenize(text: &str) -> Result<Vec<Token>, Refusal> {
    let mut t = Tokenizer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        cross: Cross {
            cursor: Pos {
                index: 0,
                line: 1,
                column: 1,
            },
            here_state: HereState::None,
            here_tags: Vec::new(),
            queued: VecDeque::new(),
            arithmetic: false,
            last_end: None,
        },
        scratch: String::new(),
        depth: 0,
    };
    let mut tokens = Vec::with_capacity(text.len() / 5 + 1);
    loop {
        let result = t.next_token_until(None, false)?;
        if let Some(token) = result.token {
            tokens.push(token);
        } else if matches!(result.reason, Reason::EndOfInput) {
            break;
        }
    }
    Ok(tokens)
}

/// Why [`tokenize`] gives no tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// brush's tokenizer fails on the text (with an error of its own to report).
    Fails,
    /// brush's tokenizer never returns on the text: a here-document whose tag is empty (the
    /// blanks before the `)` of `$( << )`) is still open at the end of the input, and brush
    /// files an empty body for it again and again, growing without end. Where the tag stood.
    Endless { line: usize, column: usize },
}

type Step<T> = Result<T, Refusal>;

/// A position as brush counts it: characters from the start, 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pos {
    index: usize,
    line: usize,
    column: usize,
}

impl Pos {
    fn shared(self) -> Arc<SourcePosition> {
        Arc::new(SourcePosition {
            index: self.index,
            line: self.line,
            column: self.column,
        })
    }
}

/// Why a token ended (brush's `TokenEndReason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    EndOfInput,
    UnescapedNewLine,
    SpecifiedTerminatingChar,
    NonNewLineBlank,
    HereDocumentBodyStart,
    HereDocumentBodyEnd,
    HereDocumentEndTag,
    OperatorStart,
    OperatorEnd,
    Other,
}

/// One result of reading: a token (or none) and why reading stopped.
struct Res {
    reason: Reason,
    token: Option<Token>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    AnsiC,
    Single,
    Double,
}

#[derive(Default)]
enum HereState {
    #[default]
    None,
    /// The next token is a here-document's tag.
    NextTokenIsHereTag { remove_tabs: bool },
    /// The current token is the tag; the `<<` operator waits with it.
    CurrentTokenIsHereTag { remove_tabs: bool, operator: Res },
    /// The bodies start on the next line.
    NextLineIsHereDoc,
    /// Reading the lines of one or more bodies.
    InHereDocs,
}

struct HereTag {
    /// The line that ends the body: the tag unquoted when it holds a quoting character.
    end_line: String,
    remove_tabs: bool,
    /// Where the tag ended.
    position: Pos,
    tokens: Vec<Res>,
    pending_after: Vec<Res>,
}

/// What lasts from one token to the next.
struct Cross {
    cursor: Pos,
    here_state: HereState,
    here_tags: Vec<HereTag>,
    queued: VecDeque<Res>,
    arithmetic: bool,
    /// The end of the last token made: the next one often starts there, and shares it.
    last_end: Option<Arc<SourcePosition>>,
}

/// The token being read.
struct State {
    start: Pos,
    text: String,
    is_operator: bool,
    in_escape: bool,
    quote: Quote,
}

/// Whether `shared` is the position `p`.
fn same(shared: &SourcePosition, p: Pos) -> bool {
    shared.index == p.index && shared.line == p.line && shared.column == p.column
}

impl State {
    /// A token starting at `start`, read into `text` (empty; kept for its capacity).
    fn new(start: Pos, text: String) -> Self {
        State {
            start,
            text,
            is_operator: false,
            in_escape: false,
            quote: Quote::None,
        }
    }

    /// Ends the token at the cursor; the next one starts there.
    fn pop(&mut self, cross: &mut Cross) -> Token {
        let end = cross.cursor;
        let start = match &cross.last_end {
            Some(last) if same(last, self.start) => Arc::clone(last),
            _ => self.start.shared(),
        };
        let end_shared = end.shared();
        cross.last_end = Some(Arc::clone(&end_shared));
        let location = SourceSpan {
            start,
            end: end_shared,
        };
        let text = self.text.as_str().to_owned();
        self.text.clear();
        let token = if std::mem::take(&mut self.is_operator) {
            Token::Operator(text, location)
        } else {
            Token::Word(text, location)
        };
        self.start = end;
        self.in_escape = false;
        self.quote = Quote::None;
        token
    }

    fn started(&self) -> bool {
        !self.text.is_empty()
    }

    fn unquoted(&self) -> bool {
        !self.in_escape && self.quote == Quote::None
    }

    fn is_operator(&self, op: &str) -> bool {
        self.is_operator && self.text == op
    }

    /// brush's `delimit_current_token`: ends the token for `reason`, or files it with the
    /// here-document it belongs to (`Ok(None)`: nothing to give yet).
    fn delimit(&mut self, reason: Reason, cross: &mut Cross) -> Step<Option<Res>> {
        if !self.started() && reason != Reason::HereDocumentBodyEnd {
            return Ok(Some(Res {
                reason,
                token: None,
            }));
        }
        if matches!(cross.here_state, HereState::None) {
            // No here-document pending: the token is given as it is (the last arm below).
            return Ok(Some(Res {
                reason,
                token: Some(self.pop(cross)),
            }));
        }
        match std::mem::take(&mut cross.here_state) {
            HereState::NextTokenIsHereTag { remove_tabs } => {
                let operator = Res {
                    reason,
                    token: Some(self.pop(cross)),
                };
                cross.here_state = HereState::CurrentTokenIsHereTag {
                    remove_tabs,
                    operator,
                };
                Ok(None)
            }
            HereState::CurrentTokenIsHereTag {
                remove_tabs,
                operator,
            } => {
                if self.text == "\n" {
                    return Err(Refusal::Fails);
                }
                cross.here_state = HereState::NextLineIsHereDoc;
                let tag = format!("{}\n", self.text.trim_ascii_start());
                let end_line = if tag.contains(['\\', '\'', '"']) {
                    brush_parser::unquote_str(&tag)
                } else {
                    tag
                };
                let tag_token = Res {
                    reason,
                    token: Some(self.pop(cross)),
                };
                cross.here_tags.push(HereTag {
                    end_line,
                    remove_tabs,
                    position: cross.cursor,
                    tokens: vec![operator, tag_token],
                    pending_after: Vec::new(),
                });
                Ok(None)
            }
            HereState::NextLineIsHereDoc => {
                cross.here_state = if self.text == "\n" {
                    HereState::InHereDocs
                } else {
                    HereState::NextLineIsHereDoc
                };
                let token = self.pop(cross);
                match cross.here_tags.last_mut() {
                    Some(last) => last.pending_after.push(Res {
                        reason,
                        token: Some(token),
                    }),
                    None => return Err(Refusal::Fails),
                }
                Ok(None)
            }
            HereState::InHereDocs => {
                if cross.here_tags.is_empty() {
                    return Err(Refusal::Fails);
                }
                let done = cross.here_tags.remove(0);
                cross.queued.extend(done.tokens);
                cross.queued.push_back(Res {
                    reason: Reason::HereDocumentBodyStart,
                    token: None,
                });
                let body = self.pop(cross);
                cross.queued.push_back(Res {
                    reason,
                    token: Some(body),
                });
                self.text.push_str(done.end_line.trim_end_matches('\n'));
                let end_tag = self.pop(cross);
                cross.queued.push_back(Res {
                    reason: Reason::HereDocumentEndTag,
                    token: Some(end_tag),
                });
                cross.queued.extend(done.pending_after);
                cross.here_state = if cross.here_tags.is_empty() {
                    HereState::None
                } else {
                    HereState::InHereDocs
                };
                Ok(None)
            }
            HereState::None => Ok(Some(Res {
                reason,
                token: Some(self.pop(cross)),
            })),
        }
    }
}

struct Tokenizer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Byte offset of the next character.
    pos: usize,
    cross: Cross,
    /// A token's buffer between tokens, so that it is not grown again for each.
    scratch: String,
    /// How many readings are open inside each other (`$(`, `${`, `$[` nest them).
    depth: usize,
}

/// The deepest nesting this tokenizer reads; deeper, brush's runs (each level of ours takes
/// about as much stack as one of brush's, so ours must never go where brush's would not).
const MAX_DEPTH: usize = 1000;

/// Characters that end a run of ordinary characters in an unquoted word: quoting, expansions,
/// a possible extended glob's `(`, operators, blanks, and `}` or `)` or `]` (which may be the
/// character a nested reading stops at).
const fn special_unquoted(b: u8) -> bool {
    matches!(
        b,
        b'\\'
            | b'\''
            | b'"'
            | b'$'
            | b'`'
            | b'&'
            | b'('
            | b')'
            | b';'
            | b'\n'
            | b'|'
            | b'<'
            | b'>'
            | b' '
            | b'\t'
            | b'}'
            | b']'
    )
}

const fn can_start_operator(c: char) -> bool {
    matches!(c, '&' | '(' | ')' | ';' | '\n' | '|' | '<' | '>')
}

const fn can_start_extglob(c: char) -> bool {
    matches!(c, '@' | '!' | '?' | '+' | '*')
}

const fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Whether `op` followed by `c` is an operator (bash mode).
fn continues_operator(op: &str, c: char) -> bool {
    if !c.is_ascii() || op.len() > 2 {
        return false;
    }
    let mut buf = [0u8; 3];
    buf[..op.len()].copy_from_slice(op.as_bytes());
    buf[op.len()] = c as u8;
    matches!(
        &buf[..=op.len()],
        b"<<<"
            | b"&>"
            | b"&>>"
            | b";;&"
            | b";&"
            | b"|&"
            | b"&"
            | b"&&"
            | b"("
            | b")"
            | b";"
            | b";;"
            | b"\n"
            | b"|"
            | b"||"
            | b"<"
            | b">"
            | b">|"
            | b"<<"
            | b">>"
            | b"<&"
            | b">&"
            | b"<<-"
            | b"<>"
    )
}

impl Tokenizer<'_> {
    fn peek(&self) -> Option<char> {
        let b = *self.bytes.get(self.pos)?;
        if b < 0x80 {
            Some(char::from(b))
        } else {
            self.text[self.pos..].chars().next()
        }
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        let cursor = &mut self.cross.cursor;
        if c == '\n' {
            cursor.line += 1;
            cursor.column = 1;
        } else {
            cursor.column += 1;
        }
        cursor.index += 1;
        Some(c)
    }

    /// Appends to `state` the characters from here up to (not including) the first one
    /// `stop` accepts or a line break, all on one line: what the per-character loop would do
    /// with them one at a time.
    fn copy_run(&mut self, state: &mut State, stop: impl Fn(u8) -> bool) {
        let start = self.pos;
        let mut chars = 0;
        let mut end = start;
        while let Some(&b) = self.bytes.get(end) {
            if b == b'\n' || stop(b) {
                break;
            }
            if b & 0xC0 != 0x80 {
                chars += 1;
            }
            end += 1;
        }
        // A run never ends inside a character: every stop byte is ASCII.
        state.text.push_str(&self.text[start..end]);
        self.pos = end;
        self.cross.cursor.index += chars;
        self.cross.cursor.column += chars;
    }

    /// brush's `consume_nested_construct`: reads up to the `terminating` character that
    /// closes `nesting` levels of `nesting_open`, here-documents inside included.
    fn nested(
        &mut self,
        state: &mut State,
        terminating: char,
        nesting_open: &str,
        mut nesting: u32,
    ) -> Step<()> {
        let mut pending: VecDeque<Res> = VecDeque::new();
        let mut drain = false;
        loop {
            let current = if drain && !pending.is_empty() {
                if pending.len() == 1 {
                    drain = false;
                }
                pending.pop_front().ok_or(Refusal::Fails)?
            } else {
                let current = self.next_token_until(Some(terminating), true)?;
                if matches!(
                    current.reason,
                    Reason::HereDocumentBodyStart
                        | Reason::HereDocumentBodyEnd
                        | Reason::HereDocumentEndTag
                ) {
                    pending.push_back(current);
                    continue;
                }
                current
            };
            if current.reason == Reason::UnescapedNewLine && !pending.is_empty() {
                pending.push_back(current);
                drain = true;
                continue;
            }
            if let Some(token) = current.token {
                state.text.push_str(token.to_str());
                if matches!(&token, Token::Operator(o, _) if o == nesting_open) {
                    nesting += 1;
                }
            }
            match current.reason {
                Reason::HereDocumentBodyStart => state.text.push('\n'),
                Reason::NonNewLineBlank => state.text.push(' '),
                Reason::SpecifiedTerminatingChar => {
                    nesting -= 1;
                    if nesting == 0 {
                        break;
                    }
                    let c = self.next_char().ok_or(Refusal::Fails)?;
                    state.text.push(c);
                }
                Reason::EndOfInput => return Err(Refusal::Fails),
                _ => (),
            }
        }
        let c = self.next_char().ok_or(Refusal::Fails)?;
        state.text.push(c);
        Ok(())
    }

    /// The `${ … }` after a `$`: brush's loop over tokens up to the closing brace.
    fn braced(&mut self, state: &mut State) -> Step<()> {
        let mut pending: VecDeque<Res> = VecDeque::new();
        let mut drain = false;
        loop {
            let current = if drain && !pending.is_empty() {
                if pending.len() == 1 {
                    drain = false;
                }
                pending.pop_front().ok_or(Refusal::Fails)?
            } else {
                let current = self.next_token_until(Some('}'), false)?;
                if matches!(
                    current.reason,
                    Reason::HereDocumentBodyStart
                        | Reason::HereDocumentBodyEnd
                        | Reason::HereDocumentEndTag
                ) {
                    pending.push_back(current);
                    continue;
                }
                current
            };
            if current.reason == Reason::UnescapedNewLine && !pending.is_empty() {
                pending.push_back(current);
                drain = true;
                continue;
            }
            if let Some(token) = current.token {
                state.text.push_str(token.to_str());
            }
            match current.reason {
                Reason::HereDocumentBodyStart => state.text.push('\n'),
                Reason::NonNewLineBlank => state.text.push(' '),
                Reason::SpecifiedTerminatingChar => {
                    let c = self.next_char().ok_or(Refusal::Fails)?;
                    state.text.push(c);
                    return Ok(());
                }
                Reason::EndOfInput => return Err(Refusal::Fails),
                _ => (),
            }
        }
    }

    /// brush's `remove_here_end_tag`: ends the current here-document body when the token so
    /// far ends with its end line. `(whether it ended, the result of ending it)`.
    fn here_end(
        &mut self,
        state: &mut State,
        ends_with_newline: bool,
    ) -> Step<(bool, Option<Res>)> {
        let Some(next) = self.cross.here_tags.first() else {
            return Ok((false, None));
        };
        let end_line = if ends_with_newline {
            next.end_line.as_str()
        } else {
            next.end_line
                .strip_suffix('\n')
                .unwrap_or(next.end_line.as_str())
        };
        if let Some(before) = state.text.strip_suffix(end_line)
            && (before.is_empty() || before.ends_with('\n'))
        {
            let keep = before.len();
            state.text.truncate(keep);
            let result = state.delimit(Reason::HereDocumentBodyEnd, &mut self.cross)?;
            return Ok((true, result));
        }
        Ok((false, None))
    }

    /// Copies the ordinary characters that follow in the token's present quoting (see
    /// [`Tokenizer::copy_run`]); nothing while an escape, an operator or a here-document body
    /// is being read, which go one character at a time, nor while tokens wait in the queue
    /// (brush then gives the next of them, dropping what it read of this token).
    fn ordinary_run(&mut self, state: &mut State) {
        if state.in_escape
            || state.is_operator
            || !self.cross.queued.is_empty()
            || !state.started()
            || matches!(self.cross.here_state, HereState::InHereDocs)
        {
            return;
        }
        match state.quote {
            Quote::None => self.copy_run(state, special_unquoted),
            Quote::Double => self.copy_run(state, |b| matches!(b, b'"' | b'\\' | b'$' | b'`')),
            Quote::Single => self.copy_run(state, |b| b == b'\''),
            Quote::AnsiC => self.copy_run(state, |b| b == b'\'' || b == b'\\'),
        }
    }

    /// Consumes the peeked character `c` into the token.
    fn take(&mut self, state: &mut State, c: char) {
        if c.is_ascii() && c != '\n' {
            self.pos += 1;
            self.cross.cursor.column += 1;
            self.cross.cursor.index += 1;
        } else {
            self.next_char();
        }
        state.text.push(c);
    }

    /// brush's `next_token_until`: the next token, stopping early (unquoted) before
    /// `terminating`; `include_space` keeps leading blanks in the token, as the text of a
    /// `$( )` needs.
    #[allow(clippy::too_many_lines)]
    fn next_token_until(&mut self, terminating: Option<char>, include_space: bool) -> Step<Res> {
        if self.depth >= MAX_DEPTH {
            return Err(Refusal::Fails);
        }
        self.depth += 1;
        let mut state = State::new(self.cross.cursor, std::mem::take(&mut self.scratch));
        let result = self.read_token(&mut state, terminating, include_space);
        self.depth -= 1;
        // A nested reading may have put its own buffer back: keep the larger.
        if state.text.capacity() > self.scratch.capacity() {
            state.text.clear();
            self.scratch = state.text;
        }
        result
    }

    /// The body of [`Tokenizer::next_token_until`], reading into `state`.
    #[allow(clippy::too_many_lines)]
    fn read_token(
        &mut self,
        state: &mut State,
        terminating: Option<char>,
        include_space: bool,
    ) -> Step<Res> {
        let mut result: Option<Res> = None;
        while result.is_none() {
            if let Some(queued) = self.cross.queued.pop_front() {
                return Ok(queued);
            }
            let Some(c) = self.peek() else {
                if state.in_escape || state.quote != Quote::None {
                    return Err(Refusal::Fails);
                }
                if !matches!(self.cross.here_state, HereState::None) {
                    let (ended, r) = self.here_end(state, false)?;
                    if ended {
                        if let Some(tag) = self.cross.here_tags.first()
                            && r.is_none()
                            && tag
                                .end_line
                                .strip_suffix('\n')
                                .unwrap_or(&tag.end_line)
                                .is_empty()
                            && !matches!(self.cross.here_state, HereState::InHereDocs)
                        {
                            // Nothing left to read and nothing consumed: brush goes round.
                            return Err(Refusal::Endless {
                                line: tag.position.line,
                                column: tag.position.column,
                            });
                        }
                        result = r;
                        continue;
                    }
                    return Err(Refusal::Fails);
                }
                result = state.delimit(Reason::EndOfInput, &mut self.cross)?;
                continue;
            };
            if matches!(self.cross.here_state, HereState::InHereDocs) {
                let remove_tabs = self.cross.here_tags.first().is_some_and(|t| t.remove_tabs);
                if remove_tabs && (!state.started() || state.text.ends_with('\n')) && c == '\t' {
                    self.next_char();
                } else {
                    self.take(state, c);
                    if c == '\n' {
                        result = self.here_end(state, true)?.1;
                    } else if self.cross.queued.is_empty() {
                        self.copy_run(state, |_| false);
                    }
                }
            } else if state.unquoted() && terminating == Some(c) {
                result = state.delimit(Reason::SpecifiedTerminatingChar, &mut self.cross)?;
            } else if state.is_operator {
                if state.unquoted() && continues_operator(&state.text, c) {
                    self.take(state, c);
                } else {
                    if self.cross.arithmetic {
                        // `<<` is a shift here; `))` ends `((`.
                        if state.is_operator(")") && c == ')' {
                            self.cross.arithmetic = false;
                        }
                    } else if state.is_operator("<<") {
                        self.cross.here_state =
                            HereState::NextTokenIsHereTag { remove_tabs: false };
                    } else if state.is_operator("<<-") {
                        self.cross.here_state = HereState::NextTokenIsHereTag { remove_tabs: true };
                    } else if state.is_operator("(") && c == '(' {
                        self.cross.arithmetic = true;
                    }
                    let reason = if state.text == "\n" {
                        Reason::UnescapedNewLine
                    } else {
                        Reason::OperatorEnd
                    };
                    result = state.delimit(reason, &mut self.cross)?;
                }
            } else if !state.in_escape
                && match state.quote {
                    Quote::Double | Quote::AnsiC => c == '\\',
                    Quote::Single => false,
                    Quote::None => matches!(c, '\\' | '\'' | '"'),
                }
            {
                // A character that newly quotes.
                if c == '\\' {
                    self.next_char();
                    if self.peek() == Some('\n') {
                        // A line continuation: neither character is kept.
                        self.next_char();
                    } else {
                        state.in_escape = true;
                        state.text.push(c);
                    }
                } else {
                    state.quote = if c == '"' {
                        Quote::Double
                    } else if state.text.ends_with('$') {
                        Quote::AnsiC
                    } else {
                        Quote::Single
                    };
                    self.take(state, c);
                    self.ordinary_run(state);
                }
            } else if !state.in_escape
                && ((matches!(state.quote, Quote::Single | Quote::AnsiC) && c == '\'')
                    || (state.quote == Quote::Double && c == '"'))
            {
                state.quote = Quote::None;
                self.take(state, c);
                self.ordinary_run(state);
            } else if state.in_escape {
                state.in_escape = false;
                self.take(state, c);
                self.ordinary_run(state);
            } else if (state.unquoted() || state.quote == Quote::Double) && (c == '$' || c == '`') {
                self.next_char();
                if c == '$' {
                    match self.peek() {
                        Some('(') => {
                            state.text.push('$');
                            self.take(state, '(');
                            let arithmetic = self.peek() == Some('(');
                            if arithmetic {
                                self.take(state, '(');
                                self.cross.arithmetic = true;
                            }
                            self.nested(state, ')', "(", if arithmetic { 2 } else { 1 })?;
                            if arithmetic {
                                self.cross.arithmetic = false;
                            }
                        }
                        Some('[') => {
                            state.text.push('$');
                            self.take(state, '[');
                            self.cross.arithmetic = true;
                            self.nested(state, ']', "[", 1)?;
                            self.cross.arithmetic = false;
                        }
                        Some('{') => {
                            state.text.push('$');
                            self.take(state, '{');
                            self.braced(state)?;
                        }
                        _ => state.text.push('$'),
                    }
                } else {
                    // Up to the next unescaped backquote.
                    state.text.push('`');
                    let mut escaping = false;
                    loop {
                        let inner = self.next_char().ok_or(Refusal::Fails)?;
                        state.text.push(inner);
                        if !escaping && inner == '\\' {
                            escaping = true;
                        } else {
                            if !escaping && inner == '`' {
                                break;
                            }
                            escaping = false;
                        }
                    }
                }
                self.ordinary_run(state);
            } else if c == '('
                && state.unquoted()
                && !state.is_operator
                && state.text.ends_with(can_start_extglob)
            {
                // An extended glob: up to the matching `)`.
                self.take(state, c);
                let mut depth = 1;
                let mut escaped = false;
                while depth > 0 {
                    let inner = self.next_char().ok_or(Refusal::Fails)?;
                    state.text.push(inner);
                    match inner {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => (),
                    }
                }
                self.ordinary_run(state);
            } else if state.unquoted() && can_start_operator(c) {
                if state.started() {
                    result = state.delimit(Reason::OperatorStart, &mut self.cross)?;
                } else {
                    state.is_operator = true;
                    self.take(state, c);
                }
            } else if state.unquoted() && is_blank(c) {
                if state.started() {
                    result = state.delimit(Reason::NonNewLineBlank, &mut self.cross)?;
                } else if include_space {
                    state.text.push(c);
                } else {
                    // Not part of the token's span; nor are the blanks that follow, which
                    // would each come back here.
                    let mut n = 1;
                    while matches!(self.bytes.get(self.pos + n), Some(b' ' | b'\t')) {
                        n += 1;
                    }
                    state.start.column += n;
                    state.start.index += n;
                    self.pos += n - 1;
                    self.cross.cursor.column += n - 1;
                    self.cross.cursor.index += n - 1;
                }
                self.next_char();
            } else if !state.is_operator && (state.started() || terminating == Some('}')) {
                self.take(state, c);
                self.ordinary_run(state);
            } else if c == '#' {
                // A comment, up to (not including) the line break.
                let end = self.bytes[self.pos..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(self.bytes.len(), |n| self.pos + n);
                let chars = self.text[self.pos..end].chars().count();
                self.pos = end;
                self.cross.cursor.index += chars;
                self.cross.cursor.column += chars;
            } else if state.started() {
                result = state.delimit(Reason::Other, &mut self.cross)?;
            } else {
                self.take(state, c);
                self.ordinary_run(state);
            }
        }
        result.ok_or(Refusal::Fails)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The options this tokenizer reproduces are the ones `shell::parse` gives brush.
    #[test]
    fn options_are_the_parsers() {
        let o = super::super::shell::options().tokenizer_options();
        assert!(o.enable_extended_globbing);
        assert!(!o.sh_mode);
        assert_eq!(o, brush_parser::TokenizerOptions::default());
    }

    /// A token as (operator?, text, start line and column, end line and column).
    type Plain = (bool, String, (usize, usize), (usize, usize));

    fn texts(text: &str) -> Vec<Plain> {
        tokenize(text)
            .unwrap()
            .iter()
            .map(|t| {
                let l = t.location();
                (
                    matches!(t, Token::Operator(..)),
                    t.to_str().to_string(),
                    (l.start.line, l.start.column),
                    (l.end.line, l.end.column),
                )
            })
            .collect()
    }

    #[test]
    fn words_operators_and_positions() {
        assert_eq!(
            texts("a  'b c'>x;;&\n"),
            vec![
                (false, "a".into(), (1, 1), (1, 2)),
                (false, "'b c'".into(), (1, 4), (1, 9)),
                (true, ">".into(), (1, 9), (1, 10)),
                (false, "x".into(), (1, 10), (1, 11)),
                (true, ";;&".into(), (1, 11), (1, 14)),
                (true, "\n".into(), (1, 14), (2, 1)),
            ]
        );
    }

    #[test]
    fn here_documents_come_after_their_operator_and_tag() {
        let t = texts("cat <<-'E' >f\n\tbody $x\n\tE\necho\n");
        let words: Vec<&str> = t.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(
            words,
            [
                "cat",
                "<<-",
                "'E'",
                "body $x\n",
                "E",
                ">",
                "f",
                "\n",
                "echo",
                "\n"
            ]
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(tokenize("echo 'open").unwrap_err(), Refusal::Fails);
        assert_eq!(tokenize("cat <<EOF\nno end").unwrap_err(), Refusal::Fails);
        assert!(matches!(
            tokenize("x \"$( << )\" y ").unwrap_err(),
            Refusal::Endless { line: 1, .. }
        ));
        // Nested deeper than ours reads: brush's tokenizer decides.
        let deep = format!(
            "echo {}x{}",
            "$(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        let shallow = format!("echo {}x{}", "$(".repeat(50), ")".repeat(50));
        let (deep, shallow) = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                (
                    tokenize(&deep).map(|t| t.len()),
                    tokenize(&shallow).map(|t| t.len()),
                )
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(deep, Err(Refusal::Fails));
        assert_eq!(shallow, Ok(2));
        // brush alone would never return on it: `shell::parse` says where the tag is missing.
        let failure = super::super::shell::parse("x \"$( << )\" y ").unwrap_err();
        assert_eq!((failure.line, failure.column), (1, 10));
        assert!(failure.message.contains("no tag"), "{}", failure.message);
    }
}
