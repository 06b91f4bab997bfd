//! The lexer: Concord source text to tokens, with logos.
//!
//! It never fails: text it cannot read becomes an `Error` token, and every byte of the input is
//! covered by exactly one token (trivia included), so the formatter and semantic highlighting can
//! rebuild the file from tokens. It knows nothing of items, grammar or types.

use logos::Logos;

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    #[regex(r"[ \t\r\f]+")]
    Whitespace,
    #[token("\n")]
    Newline,
    /// `// …` and `/// …`; [`Token::is_doc`] tells them apart.
    #[regex(r"//[^\n]*", allow_greedy = true)]
    Comment,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Word,
    #[regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", priority = 5)]
    Date,
    #[regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2})")]
    DateTime,
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9][0-9_]*)?")]
    Number,
    #[regex(r#""([^"\\\n]|\\[^\n])*""#)]
    String,
    /// A string that runs to the end of its line without a closing quote.
    #[regex(r#""([^"\\\n]|\\[^\n])*"#)]
    UnterminatedString,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(".")]
    Dot,
    #[token("=")]
    Assign,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<=")]
    LessEq,
    #[token(">=")]
    GreaterEq,
    #[token("<")]
    Less,
    #[token(">")]
    Greater,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    /// Anything the lexer does not recognise.
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token {
    pub kind: TokenKind,
    pub start: u32,
    pub end: u32,
}

/// The words that start an item when they stand at the top level of a file.
pub const ITEM_KEYWORDS: &[&str] = &[
    "rulebook",
    "import",
    "unit",
    "record",
    "enum",
    "term",
    "role",
    "act",
    "redline",
    "obligation",
    "classification",
    "mapping",
    "example",
];

/// Every word with a meaning of its own somewhere in the grammar (for highlighting and completion).
pub const KEYWORDS: &[&str] = &[
    "rulebook",
    "import",
    "as",
    "unit",
    "record",
    "enum",
    "term",
    "role",
    "act",
    "redline",
    "obligation",
    "classification",
    "mapping",
    "example",
    "title",
    "jurisdiction",
    "source",
    "version",
    "applies",
    "from",
    "until",
    "periods",
    "holidays",
    "cite",
    "status",
    "verified",
    "unsure",
    "forbids",
    "requires",
    "by",
    "when",
    "unless",
    "for",
    "each",
    "in",
    "where",
    "evidence",
    "dated",
    "due",
    "within",
    "of",
    "before",
    "without",
    "undue",
    "delay",
    "immediately",
    "after",
    "endeavour",
    "tier",
    "otherwise",
    "as_of",
    "system",
    "expect",
    "is",
    "one",
    "optional",
    "set",
    "list",
    "and",
    "or",
    "not",
    "true",
    "false",
    "every",
    "some",
    "satisfies",
    "contains",
    "intersects",
    "present",
    "absent",
    "null",
];

impl Token {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start as usize..self.end as usize).unwrap_or("")
    }

    pub fn is_trivia(&self) -> bool {
        matches!(self.kind, TokenKind::Whitespace | TokenKind::Newline | TokenKind::Comment)
    }

    /// A `///` doc comment (but not a `////` banner).
    pub fn is_doc(&self, source: &str) -> bool {
        let text = self.text(source);
        self.kind == TokenKind::Comment && text.starts_with("///") && !text.starts_with("////")
    }

    pub fn is_keyword(&self, source: &str) -> bool {
        self.kind == TokenKind::Word && KEYWORDS.contains(&self.text(source))
    }
}

/// Cuts `source` into tokens. Covers every byte; never fails.
pub fn lex(source: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut lexer = TokenKind::lexer(source);
    while let Some(result) = lexer.next() {
        let span = lexer.span();
        let kind = result.unwrap_or(TokenKind::Error);
        // INVARIANT: source lengths are capped at u32::MAX by the loader, so offsets fit.
        let start = u32::try_from(span.start).unwrap_or(u32::MAX);
        let end = u32::try_from(span.end).unwrap_or(u32::MAX);
        match tokens.last_mut() {
            // Merge runs of unrecognised bytes into one error token.
            Some(Token { kind: TokenKind::Error, end: last_end, .. })
                if kind == TokenKind::Error && *last_end == start =>
            {
                *last_end = end;
            }
            _ => tokens.push(Token { kind, start, end }),
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(TokenKind, &str)> {
        lex(source).iter().map(|token| (token.kind, token.text(source))).collect()
    }

    #[test]
    fn dates_numbers_and_quantities_are_distinct_tokens() {
        let tokens: Vec<_> = kinds("2025-02-02 1e25 FLOP 1_000")
            .into_iter()
            .filter(|(kind, _)| *kind != TokenKind::Whitespace)
            .collect();
        assert_eq!(
            tokens,
            vec![
                (TokenKind::Date, "2025-02-02"),
                (TokenKind::Number, "1e25"),
                (TokenKind::Word, "FLOP"),
                (TokenKind::Number, "1_000")
            ]
        );
    }

    #[test]
    fn unknown_bytes_become_one_error_token_and_every_byte_is_covered() {
        let source = "term x = a §§ b\n\"open";
        let tokens = lex(source);
        assert!(tokens.iter().any(|token| token.kind == TokenKind::Error && token.text(source) == "§§"));
        assert!(tokens.iter().any(|token| token.kind == TokenKind::UnterminatedString));
        let covered: u32 = tokens.iter().map(|token| token.end - token.start).sum();
        assert_eq!(covered as usize, source.len());
    }

    #[test]
    fn doc_comments_are_told_from_banners() {
        let source = "/// doc\n//// banner\n// plain";
        let docs: Vec<bool> = lex(source)
            .iter()
            .filter(|token| token.kind == TokenKind::Comment)
            .map(|token| token.is_doc(source))
            .collect();
        assert_eq!(docs, vec![true, false, false]);
    }
}
