//! Tokens → the `ast::Program` brush-parser 0.4's PEG parser builds from them, by recursive
//! descent instead of a PEG.
//!
//! brush's parser (`brush_parser::parse_tokens`, the grammar of its `src/parser/peg.rs`) tries
//! alternatives in order and backs out of each that fails: every word of a command is first
//! tried as `NAME=value` by a second PEG over its characters, and a failure there (most words)
//! builds an error value before the word is taken as a plain word. That was a fifth of the
//! instructions of a SysV conversion. [`parse`] reads the same tokens once, deciding each choice
//! from the next token or two, and builds the same nodes: the same words, the same spans
//! (`SourceSpan`s shared with the tokens, as brush shares them), the same quirks (an `if`'s
//! span is its `if` keyword only; a case item's span ends at its `;;`, or at its commands when
//! the last item has none; `a |& b` gets a `2>&1` redirection of its own; an arithmetic
//! expression is its tokens' text joined with one space wherever the source had a gap).
//!
//! Each choice is taken only where the tokens show that brush takes it too: a list ends where
//! the next token cannot begin a command (where brush's attempt at one fails at once); where a
//! construct is broken (brush reports an error, or backs out of a half-read command into a
//! reading no script means) or rare enough not to be worth the code (`coproc`, `NAME[i]=…`
//! assignments, a pipeline without commands), it refuses (`None`), and the caller runs brush's
//! parser instead: its result, and its error, stay the ones reported. `tests/parse_differential.rs`
//! compares both parsers' trees (their `Debug` texts, positions included) over every corpus
//! and test script, the benchmark's init scripts where present, and generated texts.
//!
//! The options are fixed to the ones [`super::shell`] parses with: bash, not `sh` mode (so
//! `[[ ]]`, `(( ))`, `function`, `time`, `|&`, `<<<`, `&>`, `;&`, `;;&`, arrays and process
//! substitutions are read).

use brush_parser::ast::{self, SourceLocation};
use brush_parser::{SourceSpan, Token};

/// The program brush's `parse_tokens(tokens, &ParserOptions::default())` returns, or `None`
/// where this parser leaves the tokens to brush's: every text brush rejects, and the few
/// constructs listed in the module's documentation.
#[must_use]
pub fn parse(tokens: &[Token]) -> Option<ast::Program> {
    Parser {
        toks: tokens,
        pos: 0,
    }
    .program()
    .ok()
}

/// This parser does not say what brush builds from the tokens (brush may fail on them).
struct Refused;

type Step<T> = Result<T, Refused>;

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
}

/// The words brush never takes as a command's name (its `reserved_word` rule, bash mode).
fn reserved(w: &str) -> bool {
    matches!(
        w,
        "!" | "{"
            | "}"
            | "case"
            | "do"
            | "done"
            | "elif"
            | "else"
            | "esac"
            | "fi"
            | "for"
            | "if"
            | "in"
            | "then"
            | "until"
            | "while"
            | "[["
            | "]]"
            | "function"
            | "select"
            | "coproc"
    )
}

/// The reserved words that begin a pipeline: `!`, a compound command, `[[`, `function`.
fn begins_pipeline(w: &str) -> bool {
    matches!(
        w,
        "!" | "{" | "case" | "for" | "if" | "until" | "while" | "[[" | "function" | "coproc"
    )
}

/// The operators that begin a redirection.
fn redirection_operator(o: &str) -> bool {
    matches!(
        o,
        "<" | ">" | ">>" | "<&" | ">&" | "<>" | ">|" | "&>" | "&>>" | "<<" | "<<-" | "<<<"
    )
}

fn span(start: &SourceSpan, end: &SourceSpan) -> SourceSpan {
    SourceSpan {
        start: start.start.clone(),
        end: end.end.clone(),
    }
}

fn word_of(token: &Token) -> ast::Word {
    ast::Word::from(token)
}

fn unlocated(value: &str) -> ast::Word {
    ast::Word::new(value)
}

/// What an assignment word assigns to: `NAME`, or `NAME[index]`.
enum Target<'w> {
    Name(&'w str),
    Element(&'w str, &'w str),
}

impl Target<'_> {
    fn name(&self) -> ast::AssignmentName {
        match self {
            Target::Name(n) => ast::AssignmentName::VariableName((*n).to_string()),
            Target::Element(n, i) => {
                ast::AssignmentName::ArrayElementName((*n).to_string(), (*i).to_string())
            }
        }
    }
}

/// The length of the index of `NAME[index]` at the start of `rest` (just after the `[`), where
/// brush's array index (an arithmetic word up to `]`) is plainly the text up to the first `]`:
/// letters, digits and `_+-*/%,.:@`, `$NAME`, `$1`, `$@`…, `${NAME}`. `None` for anything else
/// (quotes, escapes, nested expansions, brackets, parentheses).
fn plain_index(rest: &str) -> Option<usize> {
    let b = rest.as_bytes();
    let name_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut k = 0;
    while k < b.len() {
        match b[k] {
            b']' => return Some(k),
            c if name_char(c) || b"+-*/%,.:@".contains(&c) => k += 1,
            b'$' => match b.get(k + 1) {
                Some(b'{') => {
                    let mut e = k + 2;
                    while b.get(e).is_some_and(|c| name_char(*c)) {
                        e += 1;
                    }
                    if e == k + 2 || b.get(e) != Some(&b'}') {
                        return None;
                    }
                    k = e + 1;
                }
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                    k += 2;
                    while b.get(k).is_some_and(|c| name_char(*c)) {
                        k += 1;
                    }
                }
                Some(c) if c.is_ascii_digit() || b"@*#?-$!".contains(c) => k += 2,
                _ => return None,
            },
            _ => return None,
        }
    }
    None
}

/// `NAME=value`, `NAME+=value`, `NAME[index]=value` split as brush's assignment rule splits
/// a word: the target, whether it appends, the value. `Ok(None)` for a word that is no
/// assignment; refused for an index this parser cannot tell the end of ([`plain_index`]).
fn scalar_assignment(w: &str) -> Step<Option<(Target<'_>, bool, &str)>> {
    let b = w.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return Ok(None);
    }
    let mut k = 1;
    while b
        .get(k)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        k += 1;
    }
    let mut target = Target::Name(&w[..k]);
    if b.get(k) == Some(&b'[') {
        let Some(len) = plain_index(&w[k + 1..]) else {
            // Brush's index may end at a later `]` than the first: no assignment without one
            // followed by `=` or `+=`.
            if w[k..].contains("]=") || w[k..].contains("]+=") {
                return Err(Refused);
            }
            return Ok(None);
        };
        target = Target::Element(&w[..k], &w[k + 1..k + 1 + len]);
        k += len + 2;
    }
    match b.get(k) {
        Some(b'+') if b.get(k + 1) == Some(&b'=') => Ok(Some((target, true, &w[k + 2..]))),
        Some(b'=') => Ok(Some((target, false, &w[k + 1..]))),
        _ => Ok(None),
    }
}

/// A word that is exactly `NAME=` or `NAME+=` (or `NAME[index]`…), what may stand before the
/// `(` of an array: the target and whether it appends.
fn array_name(w: &str) -> Step<Option<(Target<'_>, bool)>> {
    Ok(match scalar_assignment(w)? {
        Some((target, append, "")) => Some((target, append)),
        _ => None,
    })
}

/// One element of an array literal as brush splits it: `[key]=value`, else the whole text.
fn array_element(e: &str) -> (Option<ast::Word>, ast::Word) {
    if let Some(rest) = e.strip_prefix('[')
        && let Some(close) = rest.find(']')
        && rest[close + 1..].starts_with('=')
    {
        return (
            Some(unlocated(&rest[..close])),
            unlocated(&rest[close + 2..]),
        );
    }
    (None, unlocated(e))
}

/// The predicate of a unary `[[ ]]` test word (`-f` …).
fn unary_predicate(w: &str) -> Option<ast::UnaryPredicate> {
    use ast::UnaryPredicate as U;
    Some(match w {
        "-a" | "-e" => U::FileExists,
        "-b" => U::FileExistsAndIsBlockSpecialFile,
        "-c" => U::FileExistsAndIsCharSpecialFile,
        "-d" => U::FileExistsAndIsDir,
        "-f" => U::FileExistsAndIsRegularFile,
        "-g" => U::FileExistsAndIsSetgid,
        "-h" | "-L" => U::FileExistsAndIsSymlink,
        "-k" => U::FileExistsAndHasStickyBit,
        "-n" => U::StringHasNonZeroLength,
        "-o" => U::ShellOptionEnabled,
        "-p" => U::FileExistsAndIsFifo,
        "-r" => U::FileExistsAndIsReadable,
        "-s" => U::FileExistsAndIsNotZeroLength,
        "-t" => U::FdIsOpenTerminal,
        "-u" => U::FileExistsAndIsSetuid,
        "-v" => U::ShellVariableIsSetAndAssigned,
        "-w" => U::FileExistsAndIsWritable,
        "-x" => U::FileExistsAndIsExecutable,
        "-z" => U::StringHasZeroLength,
        "-G" => U::FileExistsAndOwnedByEffectiveGroupId,
        "-N" => U::FileExistsAndModifiedSinceLastRead,
        "-O" => U::FileExistsAndOwnedByEffectiveUserId,
        "-R" => U::ShellVariableIsSetAndNameRef,
        "-S" => U::FileExistsAndIsSocket,
        _ => return None,
    })
}

/// The predicate of a binary `[[ ]]` operator word (`-eq`, `==` …), `=~` apart.
fn binary_predicate(w: &str) -> Option<ast::BinaryPredicate> {
    use ast::BinaryPredicate as B;
    Some(match w {
        "-eq" => B::ArithmeticEqualTo,
        "-ne" => B::ArithmeticNotEqualTo,
        "-lt" => B::ArithmeticLessThan,
        "-le" => B::ArithmeticLessThanOrEqualTo,
        "-gt" => B::ArithmeticGreaterThan,
        "-ge" => B::ArithmeticGreaterThanOrEqualTo,
        "-ef" => B::FilesReferToSameDeviceAndInodeNumbers,
        "-nt" => B::LeftFileIsNewerOrExistsWhenRightDoesNot,
        "-ot" => B::LeftFileIsOlderOrDoesNotExistWhenRightDoes,
        "==" | "=" => B::StringExactlyMatchesPattern,
        "!=" => B::StringDoesNotExactlyMatchPattern,
        _ => return None,
    })
}

/// `a |& b`: brush gives the command before `|&` a `2>&1` of its own (last of its
/// redirections). Refused for a `[[ ]]` test, where brush fails.
fn add_stderr_to_pipe(c: &mut ast::Command) -> Step<()> {
    let r = ast::IoRedirect::File(
        Some(2),
        ast::IoFileRedirectKind::DuplicateOutput,
        ast::IoFileRedirectTarget::Fd(1),
    );
    let push = |l: &mut Option<ast::RedirectList>, r| match l {
        Some(l) => l.0.push(r),
        None => *l = Some(ast::RedirectList(vec![r])),
    };
    match c {
        ast::Command::Simple(s) => {
            let r = ast::CommandPrefixOrSuffixItem::IoRedirect(r);
            match &mut s.suffix {
                Some(l) => l.0.push(r),
                None => s.suffix = Some(ast::CommandSuffix(vec![r])),
            }
        }
        ast::Command::Compound(_, l) => push(l, r),
        ast::Command::Function(f) => push(&mut f.body.1, r),
        ast::Command::ExtendedTest(..) => return Err(Refused),
    }
    Ok(())
}

impl<'a> Parser<'a> {
    // Tokens.

    fn op_at(&self, i: usize) -> Option<&'a str> {
        match self.toks.get(i) {
            Some(Token::Operator(o, _)) => Some(o),
            _ => None,
        }
    }

    fn word_at(&self, i: usize) -> Option<&'a str> {
        match self.toks.get(i) {
            Some(Token::Word(w, _)) => Some(w),
            _ => None,
        }
    }

    fn is_op(&self, i: usize, o: &str) -> bool {
        self.op_at(i) == Some(o)
    }

    fn is_word(&self, i: usize, w: &str) -> bool {
        self.word_at(i) == Some(w)
    }

    fn loc(&self, i: usize) -> &'a SourceSpan {
        let toks: &'a [Token] = self.toks;
        toks[i].location()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// The index of the first token from `i` on that is not a newline.
    fn skip_newlines(&self, mut i: usize) -> usize {
        while self.is_op(i, "\n") {
            i += 1;
        }
        i
    }

    fn linebreak(&mut self) {
        self.pos = self.skip_newlines(self.pos);
    }

    /// Takes the word `w` at the current token, or refuses.
    fn expect_word(&mut self, w: &str) -> Step<&'a SourceSpan> {
        if !self.is_word(self.pos, w) {
            return Err(Refused);
        }
        self.pos += 1;
        Ok(self.loc(self.pos - 1))
    }

    fn expect_op(&mut self, o: &str) -> Step<&'a SourceSpan> {
        if !self.is_op(self.pos, o) {
            return Err(Refused);
        }
        self.pos += 1;
        Ok(self.loc(self.pos - 1))
    }

    /// Whether token `i` may begin a pipeline. Where it may not, brush's `and_or` fails on it
    /// without consuming anything (so a list ends there); where it may, this parser reads one
    /// or refuses.
    fn begins_and_or(&self, i: usize) -> bool {
        match self.toks.get(i) {
            Some(Token::Word(w, _)) => !reserved(w) || begins_pipeline(w),
            Some(Token::Operator(o, _)) => o == "(" || redirection_operator(o),
            None => false,
        }
    }

    /// Whether token `i` may begin a command (a pipeline's `!` may not).
    fn begins_command(&self, i: usize) -> bool {
        self.begins_and_or(i) && !self.is_word(i, "!")
    }

    /// The file descriptor number of a redirection at token `i` (`2` of `2>&1`: digits right
    /// before `<…` or `>…`), `Some(None)` when it is too large for brush (which panics).
    fn io_number(&self, i: usize) -> Option<Option<i32>> {
        let Some(Token::Word(w, l)) = self.toks.get(i) else {
            return None;
        };
        let Some(Token::Operator(o, r)) = self.toks.get(i + 1) else {
            return None;
        };
        (w.bytes().all(|c| c.is_ascii_digit())
            && o.starts_with(['<', '>'])
            && l.end.index == r.start.index)
            .then(|| w.parse().ok())
    }

    fn begins_redirection(&self, i: usize) -> bool {
        match self.toks.get(i) {
            Some(Token::Operator(o, _)) => redirection_operator(o),
            Some(Token::Word(..)) => self.io_number(i).is_some(),
            None => false,
        }
    }

    /// `<(` or `>(` at token `i`: a process substitution's kind.
    fn process_substitution_at(&self, i: usize) -> Option<ast::ProcessSubstitutionKind> {
        let kind = match self.op_at(i)? {
            "<" => ast::ProcessSubstitutionKind::Read,
            ">" => ast::ProcessSubstitutionKind::Write,
            _ => return None,
        };
        self.is_op(i + 1, "(").then_some(kind)
    }

    /// The tokens `start..end` as one text, as brush rebuilds an arithmetic expression or a
    /// regular expression: one space wherever the source had a gap between two tokens.
    fn text_of(&self, start: usize, end: usize) -> String {
        let mut text = String::new();
        let mut prev_end = None;
        for t in &self.toks[start..end] {
            let l = t.location();
            if prev_end.is_some_and(|e| l.start.index > e) {
                text.push(' ');
            }
            text.push_str(t.to_str());
            prev_end = Some(l.end.index);
        }
        text
    }

    // Lists.

    /// `program`: complete commands, one per line (or more, split by `;`/`&`), and nothing
    /// after them but newlines.
    fn program(&mut self) -> Step<ast::Program> {
        self.linebreak();
        let mut complete_commands = Vec::new();
        if !self.at_end() {
            if !self.begins_and_or(self.pos) {
                return Err(Refused);
            }
            loop {
                complete_commands.push(self.complete_command()?);
                let next = self.skip_newlines(self.pos);
                if next > self.pos && self.begins_and_or(next) {
                    self.pos = next;
                } else {
                    break;
                }
            }
            self.linebreak();
            if !self.at_end() {
                return Err(Refused);
            }
        }
        Ok(ast::Program { complete_commands })
    }

    /// `complete_command`: and-or lists split (and ended) by `;` or `&`, on one line.
    fn complete_command(&mut self) -> Step<ast::CompleteCommand> {
        let mut items = Vec::new();
        let mut current = self.and_or()?;
        loop {
            let sep = match self.op_at(self.pos) {
                Some(";") => ast::SeparatorOperator::Sequence,
                Some("&") => ast::SeparatorOperator::Async,
                _ => {
                    items.push(ast::CompoundListItem(
                        current,
                        ast::SeparatorOperator::Sequence,
                    ));
                    break;
                }
            };
            self.pos += 1;
            items.push(ast::CompoundListItem(current, sep));
            if !self.begins_and_or(self.pos) {
                break;
            }
            current = self.and_or()?;
        }
        Ok(ast::CompoundList(items))
    }

    /// `compound_list`: the body of a compound command: and-or lists split by `;`, `&` or
    /// newlines (a separator's newlines included), after optional newlines. `None` (nothing
    /// consumed) where no command begins: brush's rule fails there.
    fn compound_list(&mut self) -> Step<Option<ast::CompoundList>> {
        let start = self.pos;
        self.linebreak();
        if !self.begins_and_or(self.pos) {
            self.pos = start;
            return Ok(None);
        }
        let mut items = Vec::new();
        let mut current = self.and_or()?;
        loop {
            // `separator`: `;` or `&` and newlines, or newlines alone.
            let sep = match self.op_at(self.pos) {
                Some(";") => ast::SeparatorOperator::Sequence,
                Some("&") => ast::SeparatorOperator::Async,
                Some("\n") => ast::SeparatorOperator::Sequence,
                _ => {
                    items.push(ast::CompoundListItem(
                        current,
                        ast::SeparatorOperator::Sequence,
                    ));
                    break;
                }
            };
            self.pos += 1;
            self.linebreak();
            items.push(ast::CompoundListItem(current, sep));
            if !self.begins_and_or(self.pos) {
                break;
            }
            current = self.and_or()?;
        }
        Ok(Some(ast::CompoundList(items)))
    }

    /// A compound command's body, which must be there.
    fn required_list(&mut self) -> Step<ast::CompoundList> {
        self.compound_list()?.ok_or(Refused)
    }

    /// `and_or`: pipelines joined by `&&` / `||` (newlines allowed after the operator).
    fn and_or(&mut self) -> Step<ast::AndOrList> {
        let first = self.pipeline()?;
        let mut additional = Vec::new();
        loop {
            let and = match self.op_at(self.pos) {
                Some("&&") => true,
                Some("||") => false,
                _ => break,
            };
            self.pos += 1;
            self.linebreak();
            if !self.begins_and_or(self.pos) {
                return Err(Refused);
            }
            let p = self.pipeline()?;
            additional.push(if and {
                ast::AndOr::And(p)
            } else {
                ast::AndOr::Or(p)
            });
        }
        Ok(ast::AndOrList { first, additional })
    }

    /// `pipeline`: `time` (`-p`) and `!`s before commands joined by `|` or `|&`.
    fn pipeline(&mut self) -> Step<ast::Pipeline> {
        let timed = if self.is_word(self.pos, "time") {
            let start = self.loc(self.pos);
            self.pos += 1;
            Some(if self.is_word(self.pos, "-p") {
                self.pos += 1;
                ast::PipelineTimed::TimedWithPosixOutput(span(start, self.loc(self.pos - 1)))
            } else {
                ast::PipelineTimed::Timed(start.clone())
            })
        } else {
            None
        };
        let mut bang = false;
        while self.is_word(self.pos, "!") {
            bang = !bang;
            self.pos += 1;
        }
        let mut seq = Vec::new();
        // A `time` or `!` without a command is a pipeline to brush: not read here.
        if !self.begins_command(self.pos) {
            return Err(Refused);
        }
        loop {
            let mut c = self.command()?;
            let stderr_too = self.is_op(self.pos, "|&");
            if stderr_too {
                add_stderr_to_pipe(&mut c)?;
            }
            seq.push(c);
            if !(stderr_too || self.is_op(self.pos, "|")) {
                break;
            }
            self.pos += 1;
            self.linebreak();
            if !self.begins_command(self.pos) {
                return Err(Refused);
            }
        }
        Ok(ast::Pipeline { timed, bang, seq })
    }

    // Commands.

    /// `command`: a function definition, a simple command, a compound command or a `[[ ]]`
    /// test (the last two with redirections after them).
    fn command(&mut self) -> Step<ast::Command> {
        let i = self.pos;
        match self.toks.get(i).ok_or(Refused)? {
            Token::Word(w, _) if w == "function" => self.function_with_keyword(),
            Token::Word(w, _) if !reserved(w) => {
                if !w.ends_with('=') && self.is_op(i + 1, "(") && self.is_op(i + 2, ")") {
                    let fname = word_of(&self.toks[i]);
                    self.pos = i + 3;
                    self.linebreak();
                    let body = self.function_body()?;
                    return Ok(ast::Command::Function(ast::FunctionDefinition {
                        fname,
                        body,
                    }));
                }
                Ok(ast::Command::Simple(self.simple_command()?))
            }
            Token::Word(w, _) if w == "[[" => {
                let test = self.extended_test()?;
                let redirects = self.redirect_list()?;
                Ok(ast::Command::ExtendedTest(test, redirects))
            }
            Token::Operator(o, _) if o != "(" => Ok(ast::Command::Simple(self.simple_command()?)),
            _ => {
                let c = self.compound_command()?;
                let redirects = self.redirect_list()?;
                Ok(ast::Command::Compound(c, redirects))
            }
        }
    }

    /// `function NAME [()] BODY`.
    fn function_with_keyword(&mut self) -> Step<ast::Command> {
        let i = self.pos;
        if self.word_at(i + 1).is_none_or(|w| w.ends_with('=')) {
            return Err(Refused);
        }
        let fname = word_of(&self.toks[i + 1]);
        self.pos = if self.is_op(i + 2, "(") && self.is_op(i + 3, ")") {
            i + 4
        } else {
            i + 2
        };
        self.linebreak();
        let body = self.function_body()?;
        Ok(ast::Command::Function(ast::FunctionDefinition {
            fname,
            body,
        }))
    }

    fn function_body(&mut self) -> Step<ast::FunctionBody> {
        let c = self.compound_command()?;
        let redirects = self.redirect_list()?;
        Ok(ast::FunctionBody(c, redirects))
    }

    /// `simple_command`: assignments and redirections, then the command's word and its
    /// arguments (words, assignment-like words, redirections, process substitutions).
    fn simple_command(&mut self) -> Step<ast::SimpleCommand> {
        let mut prefix = Vec::new();
        loop {
            if self.begins_redirection(self.pos) {
                prefix.push(ast::CommandPrefixOrSuffixItem::IoRedirect(
                    self.io_redirect()?,
                ));
                continue;
            }
            match self.assignment_word()? {
                Some((a, w)) => prefix.push(ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w)),
                None => break,
            }
        }
        let name = match self.toks.get(self.pos) {
            Some(t @ Token::Word(w, _)) if !reserved(w) => Some(word_of(t)),
            _ => None,
        };
        if prefix.is_empty() && name.is_none() {
            return Err(Refused);
        }
        let suffix = if name.is_some() {
            self.pos += 1;
            self.cmd_suffix()?
        } else {
            None
        };
        Ok(ast::SimpleCommand {
            prefix: (!prefix.is_empty()).then_some(ast::CommandPrefix(prefix)),
            word_or_name: name,
            suffix,
        })
    }

    fn cmd_suffix(&mut self) -> Step<Option<ast::CommandSuffix>> {
        let mut items = Vec::new();
        loop {
            let i = self.pos;
            if let Some(kind) = self.process_substitution_at(i) {
                self.pos += 1;
                let s = self.subshell()?;
                items.push(ast::CommandPrefixOrSuffixItem::ProcessSubstitution(kind, s));
            } else if self.begins_redirection(i) {
                items.push(ast::CommandPrefixOrSuffixItem::IoRedirect(
                    self.io_redirect()?,
                ));
            } else if let Some(t @ Token::Word(..)) = self.toks.get(i) {
                items.push(match self.assignment_word()? {
                    Some((a, w)) => ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w),
                    None => {
                        self.pos += 1;
                        ast::CommandPrefixOrSuffixItem::Word(word_of(t))
                    }
                });
            } else {
                break;
            }
        }
        Ok((!items.is_empty()).then_some(ast::CommandSuffix(items)))
    }

    /// `assignment_word` at the current token: `NAME=value` (`+=`), or `NAME=( … )` with the
    /// array's words; `None` (nothing consumed) for any other word. The assignment's value is
    /// a word without a location, as brush makes it; the word beside it has the token's.
    fn assignment_word(&mut self) -> Step<Option<(ast::Assignment, ast::Word)>> {
        let i = self.pos;
        let Some(t @ Token::Word(w, l)) = self.toks.get(i) else {
            return Ok(None);
        };
        if self.is_op(i + 1, "(")
            && let Some(found) = self.array_assignment(i, w, l)?
        {
            return Ok(Some(found));
        }
        let Some((name, append, value)) = scalar_assignment(w)? else {
            return Ok(None);
        };
        self.pos = i + 1;
        Ok(Some((
            ast::Assignment {
                name: name.name(),
                value: ast::AssignmentValue::Scalar(unlocated(value)),
                append,
                loc: l.clone(),
            },
            word_of(t),
        )))
    }

    /// `NAME=( words )` from token `i` (`w` at `l`), newlines allowed between the words.
    fn array_assignment(
        &mut self,
        i: usize,
        w: &str,
        l: &SourceSpan,
    ) -> Step<Option<(ast::Assignment, ast::Word)>> {
        let mut q = i + 2;
        let mut elements = Vec::new();
        loop {
            match self.toks.get(q) {
                Some(Token::Operator(o, _)) if o == "\n" => {}
                Some(Token::Operator(o, _)) if o == ")" => break,
                Some(Token::Word(e, _)) if !e.is_empty() => elements.push(e.as_str()),
                _ => return Ok(None),
            }
            q += 1;
        }
        let Some((name, append)) = array_name(w)? else {
            return Ok(None);
        };
        let loc = span(l, self.loc(q));
        let text = format!("{w}({})", elements.join(" "));
        self.pos = q + 1;
        Ok(Some((
            ast::Assignment {
                name: name.name(),
                value: ast::AssignmentValue::Array(
                    elements.into_iter().map(array_element).collect(),
                ),
                append,
                loc: loc.clone(),
            },
            ast::Word::with_location(&text, &loc),
        )))
    }

    /// `redirect_list` after a compound command: `None` when there is none.
    fn redirect_list(&mut self) -> Step<Option<ast::RedirectList>> {
        let mut list = Vec::new();
        while self.begins_redirection(self.pos) {
            list.push(self.io_redirect()?);
        }
        Ok((!list.is_empty()).then_some(ast::RedirectList(list)))
    }

    /// `io_redirect`: `[n]< file` and the other file redirections, `[n]<&word`, `&>`/`&>>`,
    /// `[n]<<< word`, `[n]<< TAG` with its document.
    fn io_redirect(&mut self) -> Step<ast::IoRedirect> {
        use ast::IoFileRedirectKind as K;
        let fd = match self.io_number(self.pos) {
            Some(Some(n)) => {
                self.pos += 1;
                Some(n)
            }
            Some(None) => return Err(Refused),
            None => None,
        };
        let op = self.op_at(self.pos).ok_or(Refused)?;
        self.pos += 1;
        let file_kind = match op {
            "<" => Some(K::Read),
            ">" => Some(K::Write),
            ">>" => Some(K::Append),
            "<>" => Some(K::ReadAndWrite),
            ">|" => Some(K::Clobber),
            _ => None,
        };
        if let Some(kind) = file_kind {
            let target = if let Some(sub) = self.process_substitution_at(self.pos) {
                self.pos += 1;
                ast::IoFileRedirectTarget::ProcessSubstitution(sub, self.subshell()?)
            } else {
                ast::IoFileRedirectTarget::Filename(self.any_word()?)
            };
            return Ok(ast::IoRedirect::File(fd, kind, target));
        }
        match op {
            "<&" | ">&" => {
                let kind = if op == "<&" {
                    K::DuplicateInput
                } else {
                    K::DuplicateOutput
                };
                let target = ast::IoFileRedirectTarget::Duplicate(self.any_word()?);
                Ok(ast::IoRedirect::File(fd, kind, target))
            }
            "&>" | "&>>" if fd.is_none() => Ok(ast::IoRedirect::OutputAndError(
                self.any_word()?,
                op == "&>>",
            )),
            "<<<" => Ok(ast::IoRedirect::HereString(fd, self.any_word()?)),
            "<<" | "<<-" => {
                let i = self.pos;
                let (Some(Token::Word(tag, _)), Some(doc), Some(Token::Word(..))) =
                    (self.toks.get(i), self.toks.get(i + 1), self.toks.get(i + 2))
                else {
                    return Err(Refused);
                };
                self.pos = i + 3;
                Ok(ast::IoRedirect::HereDocument(
                    fd,
                    ast::IoHereDocument {
                        remove_tabs: op == "<<-",
                        requires_expansion: !tag.contains(['\'', '"', '\\']),
                        here_end: word_of(&self.toks[i]),
                        doc: word_of(doc),
                    },
                ))
            }
            _ => Err(Refused),
        }
    }

    /// The word at the current token, which must be one.
    fn any_word(&mut self) -> Step<ast::Word> {
        match self.toks.get(self.pos) {
            Some(t @ Token::Word(..)) => {
                self.pos += 1;
                Ok(word_of(t))
            }
            _ => Err(Refused),
        }
    }

    // Compound commands.

    fn compound_command(&mut self) -> Step<ast::CompoundCommand> {
        use ast::CompoundCommand as C;
        let i = self.pos;
        match self.toks.get(i).ok_or(Refused)? {
            Token::Operator(o, _) if o == "(" => {
                if self.is_op(i + 1, "(")
                    && let Some(a) = self.arithmetic_command()
                {
                    return Ok(C::Arithmetic(a));
                }
                Ok(C::Subshell(self.subshell()?))
            }
            Token::Word(w, _) => match w.as_str() {
                "{" => Ok(C::BraceGroup(self.brace_group()?)),
                "for" => self.for_clause(),
                "case" => Ok(C::CaseClause(self.case_clause()?)),
                "if" => Ok(C::IfClause(self.if_clause()?)),
                "while" => Ok(C::WhileClause(self.while_or_until()?)),
                "until" => Ok(C::UntilClause(self.while_or_until()?)),
                _ => Err(Refused),
            },
            Token::Operator(..) => Err(Refused),
        }
    }

    /// `( list )`, from its `(`.
    fn subshell(&mut self) -> Step<ast::SubshellCommand> {
        let start = self.expect_op("(")?;
        let list = self.required_list()?;
        let end = self.expect_op(")")?;
        Ok(ast::SubshellCommand {
            list,
            loc: span(start, end),
        })
    }

    fn brace_group(&mut self) -> Step<ast::BraceGroupCommand> {
        let start = self.expect_word("{")?;
        let list = self.required_list()?;
        let end = self.expect_word("}")?;
        Ok(ast::BraceGroupCommand {
            list,
            loc: span(start, end),
        })
    }

    fn do_group(&mut self) -> Step<ast::DoGroupCommand> {
        let start = self.expect_word("do")?;
        let list = self.required_list()?;
        let end = self.expect_word("done")?;
        Ok(ast::DoGroupCommand {
            list,
            loc: span(start, end),
        })
    }

    /// `sequential_sep`: `;` and newlines, or newlines; whether there was one.
    fn sequential_sep(&mut self) -> bool {
        if self.is_op(self.pos, ";") {
            self.pos += 1;
        } else if !self.is_op(self.pos, "\n") {
            return false;
        }
        self.linebreak();
        true
    }

    /// `for NAME [in WORDS]; do … done`, or `for ((…;…;…))`.
    fn for_clause(&mut self) -> Step<ast::CompoundCommand> {
        let i = self.pos;
        let start = self.loc(i);
        let Some(name) = self.word_at(i + 1) else {
            if self.is_op(i + 1, "(") && self.is_op(i + 2, "(") {
                return self.arithmetic_for();
            }
            return Err(Refused);
        };
        let after_name = self.skip_newlines(i + 2);
        let values = if self.is_word(after_name, "in") {
            self.pos = after_name + 1;
            let mut values = Vec::new();
            while let Some(t @ Token::Word(..)) = self.toks.get(self.pos) {
                values.push(word_of(t));
                self.pos += 1;
            }
            if !self.sequential_sep() {
                return Err(Refused);
            }
            (!values.is_empty()).then_some(values)
        } else {
            self.pos = i + 2;
            self.sequential_sep();
            None
        };
        let body = self.do_group()?;
        let loc = span(start, &body.loc);
        Ok(ast::CompoundCommand::ForClause(ast::ForClauseCommand {
            variable_name: name.to_string(),
            values,
            body,
            loc,
        }))
    }

    /// `for (( init; condition; update ))` and its `do … done` or `{ … }`.
    fn arithmetic_for(&mut self) -> Step<ast::CompoundCommand> {
        let start = self.loc(self.pos);
        self.pos += 3;
        let part = |p: &mut Self, end: &str| -> Step<ast::UnexpandedArithmeticExpr> {
            let from = p.pos;
            p.pos = p.arithmetic_end(from);
            let value = p.text_of(from, p.pos);
            p.expect_op(end)?;
            Ok(ast::UnexpandedArithmeticExpr { value })
        };
        let initializer = part(self, ";")?;
        let condition = part(self, ";")?;
        let updater = part(self, ")")?;
        self.expect_op(")")?;
        let before = self.pos;
        self.sequential_sep();
        let body = if self.is_word(self.pos, "do") {
            self.do_group()?
        } else {
            self.pos = before;
            let b = self.brace_group()?;
            ast::DoGroupCommand {
                list: b.list,
                loc: b.loc,
            }
        };
        let loc = span(start, &body.loc);
        Ok(ast::CompoundCommand::ArithmeticForClause(
            ast::ArithmeticForClauseCommand {
                initializer: Some(initializer),
                condition: Some(condition),
                updater: Some(updater),
                body,
                loc,
            },
        ))
    }

    /// `(( expression ))` from its first `(`, where brush reads one (else it reads a
    /// subshell): `None`, nothing consumed, where it is not one.
    fn arithmetic_command(&mut self) -> Option<ast::ArithmeticCommand> {
        let i = self.pos;
        let end = self.arithmetic_end(i + 2);
        if !(self.is_op(end, ")") && self.is_op(end + 1, ")")) {
            return None;
        }
        self.pos = end + 2;
        Some(ast::ArithmeticCommand {
            expr: ast::UnexpandedArithmeticExpr {
                value: self.text_of(i + 2, end),
            },
            loc: span(self.loc(i), self.loc(end + 1)),
        })
    }

    /// Where an arithmetic expression from token `i` ends, as brush's `arithmetic_expression`
    /// reads it: at `;` or a `)` without its `(`, balanced parentheses inside.
    fn arithmetic_end(&self, mut i: usize) -> usize {
        while let Some(next) = self.arithmetic_piece(i) {
            i = next;
        }
        i
    }

    /// One piece of an arithmetic expression at token `i`: a balanced `( … )` group, else any
    /// token but `;` and `)`.
    fn arithmetic_piece(&self, i: usize) -> Option<usize> {
        if self.is_op(i, "(") {
            let mut q = i + 1;
            while !self.is_op(q, ")") {
                match self.arithmetic_piece(q) {
                    Some(next) => q = next,
                    None => break,
                }
            }
            if self.is_op(q, ")") {
                return Some(q + 1);
            }
        }
        (i < self.toks.len() && !self.is_op(i, ")") && !self.is_op(i, ";")).then_some(i + 1)
    }

    /// `case WORD in PATTERN) LIST ;; … esac`.
    fn case_clause(&mut self) -> Step<ast::CaseClauseCommand> {
        let start = self.expect_word("case")?;
        let value = self.any_word()?;
        self.linebreak();
        self.expect_word("in")?;
        self.linebreak();
        let mut cases = Vec::new();
        while let Some((patterns, first, close)) = self.case_patterns(self.pos) {
            let item_start = self.loc(first);
            let after = self.skip_newlines(close + 1);
            if let Some((post_action, end)) = self.case_post_action(after) {
                cases.push(ast::CaseItem {
                    patterns,
                    cmd: None,
                    post_action,
                    loc: Some(span(item_start, end)),
                });
                self.pos = self.skip_newlines(after + 1);
                continue;
            }
            self.pos = close + 1;
            let Some(cmd) = self.compound_list()? else {
                // The last item, without commands or `;;`.
                cases.push(ast::CaseItem {
                    patterns,
                    cmd: None,
                    post_action: ast::CaseItemPostAction::ExitCase,
                    loc: Some(span(item_start, self.loc(close))),
                });
                self.linebreak();
                break;
            };
            if let Some((post_action, end)) = self.case_post_action(self.pos) {
                cases.push(ast::CaseItem {
                    patterns,
                    cmd: Some(cmd),
                    post_action,
                    loc: Some(span(item_start, end)),
                });
                self.pos += 1;
                self.linebreak();
            } else {
                // The last item, without `;;`: its span ends with its commands' (if known).
                let loc = cmd.location().map(|end| span(item_start, &end));
                cases.push(ast::CaseItem {
                    patterns,
                    cmd: Some(cmd),
                    post_action: ast::CaseItemPostAction::ExitCase,
                    loc,
                });
                break;
            }
        }
        let end = self.expect_word("esac")?;
        Ok(ast::CaseClauseCommand {
            value,
            cases,
            loc: span(start, end),
        })
    }

    /// `[(] WORD [| WORD]… )` at token `i`: the patterns, the item's first token and its `)`.
    fn case_patterns(&self, i: usize) -> Option<(Vec<ast::Word>, usize, usize)> {
        let mut q = if self.is_op(i, "(") { i + 1 } else { i };
        self.word_at(q)?;
        let mut patterns = vec![word_of(&self.toks[q])];
        q += 1;
        while self.is_op(q, "|") && self.word_at(q + 1).is_some() {
            patterns.push(word_of(&self.toks[q + 1]));
            q += 2;
        }
        self.is_op(q, ")").then_some((patterns, i, q))
    }

    /// `;;`, `;;&` or `;&` at token `i`, with its span.
    fn case_post_action(&self, i: usize) -> Option<(ast::CaseItemPostAction, &'a SourceSpan)> {
        let action = match self.op_at(i)? {
            ";;" => ast::CaseItemPostAction::ExitCase,
            ";;&" => ast::CaseItemPostAction::ContinueEvaluatingCases,
            ";&" => ast::CaseItemPostAction::UnconditionallyExecuteNextCaseItem,
            _ => return None,
        };
        Some((action, self.loc(i)))
    }

    /// `if LIST then LIST [elif LIST then LIST]… [else LIST] fi`; its span is the `if`'s.
    fn if_clause(&mut self) -> Step<ast::IfClauseCommand> {
        let start = self.expect_word("if")?;
        let condition = self.required_list()?;
        self.expect_word("then")?;
        let then = self.required_list()?;
        let mut elses = Vec::new();
        while self.is_word(self.pos, "elif") {
            self.pos += 1;
            let condition = self.required_list()?;
            self.expect_word("then")?;
            let body = self.required_list()?;
            elses.push(ast::ElseClause {
                condition: Some(condition),
                body,
            });
        }
        if self.is_word(self.pos, "else") {
            self.pos += 1;
            let body = self.required_list()?;
            elses.push(ast::ElseClause {
                condition: None,
                body,
            });
        }
        self.expect_word("fi")?;
        Ok(ast::IfClauseCommand {
            condition,
            then,
            elses: (!elses.is_empty()).then_some(elses),
            loc: start.clone(),
        })
    }

    /// `while|until LIST do … done`.
    fn while_or_until(&mut self) -> Step<ast::WhileOrUntilClauseCommand> {
        let start = self.loc(self.pos);
        self.pos += 1;
        let condition = self.required_list()?;
        let body = self.do_group()?;
        let loc = span(start, &body.loc);
        Ok(ast::WhileOrUntilClauseCommand(condition, body, loc))
    }

    // `[[ … ]]`.

    fn extended_test(&mut self) -> Step<ast::ExtendedTestExprCommand> {
        let start = self.expect_word("[[")?;
        self.linebreak();
        let (expr, next) = self.test_expression(self.pos, 0).ok_or(Refused)?;
        self.pos = next;
        self.linebreak();
        let end = self.expect_word("]]")?;
        Ok(ast::ExtendedTestExprCommand {
            expr,
            loc: span(start, end),
        })
    }

    /// A `[[ ]]` expression from token `i` whose operators bind at least as tightly as
    /// `min` (0: `||`, 1: `&&`, 3: after `!`), as brush's precedence climbing reads it.
    fn test_expression(&self, i: usize, min: u8) -> Option<(ast::ExtendedTestExpr, usize)> {
        let (mut lhs, mut q) = self.test_operand(i)?;
        'more: loop {
            for (level, op) in [(0, "||"), (1, "&&")] {
                if min > level {
                    continue;
                }
                let at = self.skip_newlines(q);
                if !self.is_op(at, op) {
                    continue;
                }
                if let Some((rhs, next)) =
                    self.test_expression(self.skip_newlines(at + 1), level + 1)
                {
                    lhs = if level == 0 {
                        ast::ExtendedTestExpr::Or(Box::new(lhs), Box::new(rhs))
                    } else {
                        ast::ExtendedTestExpr::And(Box::new(lhs), Box::new(rhs))
                    };
                    q = next;
                    continue 'more;
                }
            }
            return Some((lhs, q));
        }
    }

    /// A `[[ ]]` operand from token `i`, trying brush's alternatives in its order: `! E`,
    /// `( E )`, `A op B`, `-op A`, `A`.
    fn test_operand(&self, i: usize) -> Option<(ast::ExtendedTestExpr, usize)> {
        use ast::ExtendedTestExpr as E;
        if self.is_word(i, "!")
            && let Some((e, next)) = self.test_expression(i + 1, 3)
        {
            return Some((E::Not(Box::new(e)), next));
        }
        if self.is_op(i, "(")
            && let Some((e, next)) = self.test_expression(i + 1, 0)
            && self.is_op(next, ")")
        {
            return Some((E::Parenthesized(Box::new(e)), next + 1));
        }
        let left = match self.toks.get(i) {
            Some(t @ Token::Word(..)) => t,
            _ => return None,
        };
        if let Some(binary) = self.test_binary(i) {
            return Some(binary);
        }
        if let Some(p) = self.word_at(i).and_then(unary_predicate)
            && let Some(t @ Token::Word(..)) = self.toks.get(i + 1)
        {
            return Some((E::UnaryTest(p, word_of(t)), i + 2));
        }
        Some((
            E::UnaryTest(ast::UnaryPredicate::StringHasNonZeroLength, word_of(left)),
            i + 1,
        ))
    }

    /// `A op B` at token `i` (`A` a word there).
    fn test_binary(&self, i: usize) -> Option<(ast::ExtendedTestExpr, usize)> {
        use ast::BinaryPredicate as B;
        let left = word_of(&self.toks[i]);
        let right = |k: usize| match self.toks.get(k) {
            Some(t @ Token::Word(..)) => Some(word_of(t)),
            _ => None,
        };
        let predicate = match &self.toks.get(i + 1)? {
            Token::Word(op, _) if op == "=~" => {
                let (regex, next) = self.regex_word(i + 2)?;
                let p = if regex.value.starts_with(['\'', '"']) {
                    B::StringContainsSubstring
                } else {
                    B::StringMatchesRegex
                };
                return Some((ast::ExtendedTestExpr::BinaryTest(p, left, regex), next));
            }
            Token::Word(op, _) => binary_predicate(op)?,
            Token::Operator(op, _) if op == "<" => B::LeftSortsBeforeRight,
            Token::Operator(op, _) if op == ">" => B::LeftSortsAfterRight,
            Token::Operator(..) => return None,
        };
        Some((
            ast::ExtendedTestExpr::BinaryTest(predicate, left, right(i + 2)?),
            i + 3,
        ))
    }

    /// The right side of `=~` from token `i`: words, `|` and parenthesized groups up to `]]`,
    /// as one word without a location.
    fn regex_word(&self, i: usize) -> Option<(ast::Word, usize)> {
        let mut q = i;
        while !self.is_word(q, "]]") {
            match self.regex_piece(q) {
                Some(next) => q = next,
                None => break,
            }
        }
        (q > i).then(|| (ast::Word::from(self.text_of(i, q)), q))
    }

    fn regex_piece(&self, i: usize) -> Option<usize> {
        match self.toks.get(i)? {
            Token::Word(..) => Some(i + 1),
            Token::Operator(o, _) if o == "|" => Some(i + 1),
            Token::Operator(o, _) if o == "(" => {
                let mut q = i + 1;
                loop {
                    if let Some(next) = self.regex_piece(q) {
                        q = next;
                    } else if q < self.toks.len() && !self.is_op(q, ")") {
                        q += 1;
                    } else {
                        break;
                    }
                }
                self.is_op(q, ")").then_some(q + 1)
            }
            Token::Operator(..) => None,
        }
    }
}
