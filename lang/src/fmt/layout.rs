//! The layout engine: lays the lexer's tokens out again in the canonical style.
//!
//! The drafter's line breaks are kept (a formatter that rewraps law reads worse than the drafter's
//! own choice); everything else is decided here: the indentation of every line from the structure
//! of the item (clauses, continuation lines, brackets), the spacing between tokens, blank lines
//! (at most one in a row, exactly one between items, none just inside brackets) and the final
//! newline. Comments are tokens, so none is lost. It knows the items' ranges from the splitter
//! but nothing of the grammar beyond the clause keywords of each block.

use crate::syntax::lexer::{Token, TokenKind};
use crate::syntax::split::{ItemKind, ItemRange};

/// Words that cannot name a declaration, a parameter or a variable (the grammar's `reserved`).
pub const RESERVED: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "is",
    "true",
    "false",
    "every",
    "some",
    "satisfies",
    "contains",
    "intersects",
    "present",
    "absent",
    "as_of",
    "when",
    "unless",
    "cite",
    "applies",
    "until",
    "forbids",
    "requires",
    "by",
    "for",
    "each",
    "where",
    "evidence",
    "dated",
    "due",
    "within",
    "of",
    "before",
    "without",
    "otherwise",
    "expect",
    "unsure",
    "status",
    "verified",
    "tier",
    "one",
    "null",
    "optional",
];

/// Reserved words that stand for a value, after which a `-` is a subtraction.
const VALUE_WORDS: &[&str] = &["true", "false", "as_of", "null", "present", "absent"];

const INDENT: usize = 2;

/// One output line: the tokens (no whitespace) of one source line, or of the part of it that
/// starts a new item.
struct Line {
    tokens: Vec<Token>,
    /// Blank lines before it in the source.
    blanks_before: usize,
    /// The item whose range holds its first token.
    item: Option<usize>,
    /// Its first token is the first token of an item.
    starts_item: bool,
}

impl Line {
    fn is_comment_only(&self) -> bool {
        self.tokens.iter().all(|token| token.kind == TokenKind::Comment)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Header,
    Record,
    Enum,
    Redline,
    Obligation,
    Classification,
    Mapping,
    Example,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LevelKind {
    /// The item itself, outside any bracket.
    Top,
    /// The braces of a declaration (`redline x { … }`, `unless y { … }`).
    Block(BlockKind),
    /// An inline system's object (`system { … }`, `{ name: "Acme" }`).
    Object,
    Array,
    Paren,
    /// A set literal, or the tiers of `one of {…}`.
    Set,
}

impl LevelKind {
    /// Whether a line at this level may continue the clause above it.
    fn has_clauses(self) -> bool {
        matches!(self, LevelKind::Top | LevelKind::Block(_))
    }

    /// Whether `{ a }` is written with spaces inside.
    fn padded(self) -> bool {
        matches!(self, LevelKind::Block(_) | LevelKind::Object)
    }
}

struct Level {
    kind: LevelKind,
    /// Indentation of a line that starts a clause (or a member) at this level.
    base: usize,
    /// Indentation of the line that closes the level.
    close: usize,
    /// Indentation of the last line that started a clause at this level.
    clause: usize,
    /// A classification's first branch, or a mapping's first claim, has been seen: `cite` now
    /// belongs to it and is a continuation.
    seen_branch: bool,
}

impl Level {
    fn new(kind: LevelKind, base: usize, close: usize) -> Level {
        Level { kind, base, close, clause: base, seen_branch: false }
    }
}

/// A laid-out line: its indentation (for a comment-only line, the base of the level it stands in,
/// used when no code line of its item follows it or the next one closes a bracket) and its text.
struct Laid {
    indent: Option<usize>,
    base: usize,
    text: String,
}

/// Lays out a file whose every item parses. `items` are the splitter's ranges of `source`.
pub fn layout(source: &str, tokens: &[Token], items: &[ItemRange]) -> String {
    let lines = split_lines(tokens, items);
    let laid = lay_lines(source, &lines, items);
    let indents = resolve_comment_indents(&lines, &laid);
    let mut out = String::with_capacity(source.len() + source.len() / 8);
    for (idx, laid) in laid.iter().enumerate() {
        if idx > 0 {
            for _ in 0..blank_lines(&lines, idx, items) {
                out.push('\n');
            }
        }
        out.extend(std::iter::repeat_n(' ', indents.get(idx).copied().unwrap_or(0)));
        out.push_str(&laid.text);
        out.push('\n');
    }
    out
}

/// Groups tokens into lines, breaking also before the first token of every item.
fn split_lines(tokens: &[Token], items: &[ItemRange]) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut newlines = 0usize;
    let mut item_idx = 0usize;
    for token in tokens {
        match token.kind {
            TokenKind::Newline => {
                newlines += 1;
                continue;
            }
            TokenKind::Whitespace => continue,
            _ => {}
        }
        while items.get(item_idx).is_some_and(|item| item.end <= token.start) {
            item_idx += 1;
        }
        let item = items.get(item_idx).filter(|item| item.start <= token.start).map(|_| item_idx);
        let starts_item = items.get(item_idx).is_some_and(|item| item.start == token.start);
        match lines.last_mut() {
            Some(line) if newlines == 0 && !starts_item => line.tokens.push(*token),
            _ => {
                lines.push(Line { tokens: vec![*token], blanks_before: newlines.saturating_sub(1), item, starts_item })
            }
        }
        newlines = 0;
    }
    lines
}

/// The state of the walk through one item.
struct Walk<'a> {
    source: &'a str,
    stack: Vec<Level>,
    item_kind: ItemKind,
    first_code_line: bool,
    last_code: Option<Token>,
    before_last: Option<Token>,
}

impl<'a> Walk<'a> {
    fn start_item(&mut self, item_kind: ItemKind) {
        self.stack = vec![Level::new(LevelKind::Top, 0, 0)];
        self.item_kind = item_kind;
        self.first_code_line = true;
        self.last_code = None;
        self.before_last = None;
    }

    fn innermost(&self) -> LevelKind {
        self.stack.last().map_or(LevelKind::Top, |level| level.kind)
    }

    /// The indentation of a code line, before its tokens are walked.
    fn indent(&mut self, tokens: &[Token]) -> usize {
        let first_code_line = std::mem::replace(&mut self.first_code_line, false);
        if tokens.first().is_some_and(|token| is_closer(token.kind)) {
            return self.stack.last().map_or(0, |level| level.close);
        }
        let source = self.source;
        let Some(level) = self.stack.last_mut() else { return 0 };
        let start = match level.kind {
            LevelKind::Top => first_code_line,
            LevelKind::Block(block) => starts_clause(source, block, level.seen_branch, tokens),
            _ => true,
        };
        match start {
            true => {
                level.clause = level.base;
                level.base
            }
            false => level.clause + INDENT,
        }
    }

    /// Walks the tokens of a line at `indent`, and returns its text.
    fn text(&mut self, tokens: &[Token], indent: usize) -> String {
        let mut out = String::new();
        let mut previous: Option<Token> = None;
        for token in tokens {
            let text = token.text(self.source);
            if token.kind == TokenKind::Comment {
                if previous.is_some() {
                    out.push(' ');
                }
                out.push_str(text.trim_end());
                previous = Some(*token);
                continue;
            }
            if let Some(previous) = previous
                && self.space_before(previous, *token)
            {
                out.push(' ');
            }
            out.push_str(text);
            self.step(*token, indent);
            previous = Some(*token);
        }
        out
    }

    /// Whether a space goes between `a` and `b` on one line. Called before `b` is walked.
    fn space_before(&self, a: Token, b: Token) -> bool {
        use TokenKind::*;
        if a.kind == Comment {
            return true;
        }
        if a.kind == Dot || b.kind == Dot {
            return false;
        }
        if a.kind == Minus && self.is_unary_minus(a) {
            return false;
        }
        if matches!(b.kind, Comma | Colon | RParen | RBracket) || matches!(a.kind, LParen | LBracket) {
            return false;
        }
        if matches!(a.kind, Comma | Colon) {
            return true;
        }
        if b.kind == LParen {
            return a.kind != Word || RESERVED.contains(&a.text(self.source));
        }
        if a.kind == LBrace {
            // `a` opened the innermost level.
            return b.kind != RBrace && self.innermost().padded();
        }
        if b.kind == RBrace {
            return self.innermost().padded();
        }
        true
    }

    /// Whether the `-` just walked (`last_code`) is a sign rather than a subtraction.
    fn is_unary_minus(&self, minus: Token) -> bool {
        if self.last_code != Some(minus) {
            return false;
        }
        if matches!(self.innermost(), LevelKind::Object | LevelKind::Array) {
            return true;
        }
        let Some(before) = self.before_last else { return true };
        match before.kind {
            TokenKind::Word => {
                let word = before.text(self.source);
                RESERVED.contains(&word) && !VALUE_WORDS.contains(&word)
            }
            TokenKind::Number
            | TokenKind::String
            | TokenKind::Date
            | TokenKind::DateTime
            | TokenKind::RParen
            | TokenKind::RBrace
            | TokenKind::RBracket => false,
            _ => true,
        }
    }

    /// Updates the levels for one code token of a line at `indent`.
    fn step(&mut self, token: Token, indent: usize) {
        let enclosing = self.innermost();
        match token.kind {
            TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => {
                let kind = self.opened_kind(token.kind, enclosing);
                let clause = self.stack.last().map_or(0, |level| level.clause);
                let level = match kind {
                    LevelKind::Paren | LevelKind::Set => {
                        let base = match enclosing.has_clauses() {
                            true => indent.max(clause + INDENT) + INDENT,
                            false => indent + INDENT,
                        };
                        Level::new(kind, base, base - INDENT)
                    }
                    _ => Level::new(kind, indent + INDENT, indent),
                };
                self.stack.push(level);
            }
            TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket if self.stack.len() > 1 => {
                self.stack.pop();
            }
            TokenKind::Word => {
                let word = token.text(self.source);
                if let Some(level) = self.stack.last_mut() {
                    level.seen_branch |= match level.kind {
                        LevelKind::Block(BlockKind::Classification) => matches!(word, "tier" | "otherwise"),
                        LevelKind::Block(BlockKind::Mapping) => word == "is",
                        _ => false,
                    };
                }
            }
            _ => {}
        }
        self.before_last = self.last_code;
        self.last_code = Some(token);
    }

    /// What a bracket opens, from where it stands.
    fn opened_kind(&self, bracket: TokenKind, enclosing: LevelKind) -> LevelKind {
        let word = |token: Option<Token>| {
            token.filter(|token| token.kind == TokenKind::Word).map(|token| token.text(self.source))
        };
        match bracket {
            TokenKind::LParen => LevelKind::Paren,
            TokenKind::LBracket => LevelKind::Array,
            _ => match enclosing {
                LevelKind::Top => block_kind(self.item_kind).map_or(LevelKind::Set, LevelKind::Block),
                LevelKind::Block(BlockKind::Redline | BlockKind::Obligation)
                    if word(self.before_last) == Some("unless") =>
                {
                    LevelKind::Block(BlockKind::Redline)
                }
                LevelKind::Block(BlockKind::Example) if word(self.last_code) == Some("system") => LevelKind::Object,
                LevelKind::Object | LevelKind::Array => LevelKind::Object,
                _ => LevelKind::Set,
            },
        }
    }
}

fn lay_lines(source: &str, lines: &[Line], items: &[ItemRange]) -> Vec<Laid> {
    let mut walk = Walk {
        source,
        stack: Vec::new(),
        item_kind: ItemKind::Stray,
        first_code_line: true,
        last_code: None,
        before_last: None,
    };
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.starts_item || line.item.is_none() {
            walk.start_item(line.item.and_then(|idx| items.get(idx)).map_or(ItemKind::Stray, |item| item.kind));
        }
        let base = walk.stack.last().map_or(0, |level| level.base);
        if line.is_comment_only() {
            out.push(Laid { indent: None, base, text: walk.text(&line.tokens, 0) });
            continue;
        }
        let indent = walk.indent(&line.tokens);
        let text = walk.text(&line.tokens, indent);
        out.push(Laid { indent: Some(indent), base, text });
    }
    out
}

/// A comment line takes the indentation of the next code line of its item, or the base of its
/// level when that line closes a bracket or there is none; between items, none.
fn resolve_comment_indents(lines: &[Line], laid: &[Laid]) -> Vec<usize> {
    let mut out = vec![0; lines.len()];
    // The next code line: its indentation, its item, whether it starts with a closer.
    let mut next_code: Option<(usize, Option<usize>, bool)> = None;
    for (idx, (line, laid)) in lines.iter().zip(laid).enumerate().rev() {
        let value = match (laid.indent, line.item) {
            (Some(indent), _) => indent,
            (None, None) => 0,
            (None, Some(item)) => match next_code {
                Some((indent, next_item, false)) if next_item == Some(item) => indent,
                _ => laid.base,
            },
        };
        if let Some(slot) = out.get_mut(idx) {
            *slot = value;
        }
        if let Some(indent) = laid.indent {
            let closes = line.tokens.first().is_some_and(|token| is_closer(token.kind));
            next_code = Some((indent, line.item, closes));
        }
    }
    out
}

fn is_closer(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket)
}

fn block_kind(kind: ItemKind) -> Option<BlockKind> {
    Some(match kind {
        ItemKind::Rulebook => BlockKind::Header,
        ItemKind::Record => BlockKind::Record,
        ItemKind::Enum => BlockKind::Enum,
        ItemKind::Redline => BlockKind::Redline,
        ItemKind::Obligation => BlockKind::Obligation,
        ItemKind::Classification => BlockKind::Classification,
        ItemKind::Mapping => BlockKind::Mapping,
        ItemKind::Example => BlockKind::Example,
        _ => return None,
    })
}

/// Whether a line inside a block starts a clause (and is not the continuation of one).
fn starts_clause(source: &str, block: BlockKind, seen_branch: bool, tokens: &[Token]) -> bool {
    let code: Vec<&Token> = tokens.iter().filter(|token| token.kind != TokenKind::Comment).collect();
    let Some(first) = code.first() else { return true };
    let word = match first.kind {
        TokenKind::Word => first.text(source),
        _ => return block == BlockKind::Enum,
    };
    let meta = matches!(word, "cite" | "unsure" | "applies");
    match block {
        BlockKind::Header => matches!(
            word,
            "title" | "jurisdiction" | "source" | "version" | "applies" | "periods" | "holidays" | "cite"
        ),
        BlockKind::Record => code.get(1).is_some_and(|token| token.kind == TokenKind::Colon),
        BlockKind::Enum => true,
        BlockKind::Redline => meta || matches!(word, "forbids" | "when" | "unless"),
        BlockKind::Obligation => {
            meta || matches!(word, "requires" | "when" | "unless" | "for" | "evidence" | "dated" | "due" | "endeavour")
        }
        BlockKind::Classification => (meta && !seen_branch) || matches!(word, "tier" | "otherwise"),
        BlockKind::Mapping => match meta {
            true => !seen_branch,
            false => is_claim_start(source, &code),
        },
        BlockKind::Example => matches!(word, "as_of" | "system" | "expect"),
    }
}

/// `name(.name)* is`: the start of a mapping claim.
fn is_claim_start(source: &str, code: &[&Token]) -> bool {
    let mut idx = 0;
    loop {
        match code.get(idx) {
            Some(token) if token.kind == TokenKind::Word => {}
            _ => return false,
        }
        match code.get(idx + 1) {
            Some(token) if token.kind == TokenKind::Dot => idx += 2,
            Some(token) => return token.kind == TokenKind::Word && token.text(source) == "is",
            None => return false,
        }
    }
}

/// How many blank lines go before line `idx` (not the first).
fn blank_lines(lines: &[Line], idx: usize, items: &[ItemRange]) -> usize {
    let (Some(line), Some(previous)) = (lines.get(idx), idx.checked_sub(1).and_then(|prev| lines.get(prev))) else {
        return 0;
    };
    let as_written = line.blanks_before.min(1);
    if line.item.is_some() && line.item == previous.item && !line.starts_item {
        // Inside an item: none just inside brackets, at most one elsewhere.
        let opens = previous
            .tokens
            .iter()
            .rev()
            .find(|token| token.kind != TokenKind::Comment)
            .is_some_and(|token| matches!(token.kind, TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket));
        let closes = line.tokens.first().is_some_and(|token| is_closer(token.kind));
        return if opens || closes { 0 } else { as_written };
    }
    let Some(previous_item) = previous.item else {
        // After a comment between items: as written.
        return as_written;
    };
    // The line follows the last line of an item: it starts the next item or the comments before it.
    let rest = lines.get(idx..).unwrap_or(&[]);
    let Some(next_start) = rest.iter().position(|line| line.starts_item) else { return as_written };
    let next_item = rest.get(next_start).and_then(|line| line.item);
    let kind = |item: Option<usize>| item.and_then(|idx| items.get(idx)).map(|item| item.kind);
    if kind(Some(previous_item)) == Some(ItemKind::Import) && kind(next_item) == Some(ItemKind::Import) {
        return as_written;
    }
    if line.starts_item {
        return 1;
    }
    // Comments between two items: one blank line right after the item, unless the drafter put one
    // further down (a comment written right under an item annotates it).
    let gap_has_blank = rest.get(..=next_start).unwrap_or(&[]).iter().any(|line| line.blanks_before > 0);
    if gap_has_blank { as_written } else { 1 }
}
