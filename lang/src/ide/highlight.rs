//! Semantic highlighting: a kind for every token of a file worth colouring, from the lexer's
//! tokens (so it works while an item does not parse) and the names in the file's scope.
//!
//! A word's kind comes from where it stands (after a `.`, before a `:`, after an item keyword)
//! and, for other words, from what the name means in the file: a record or unit is a type, a term
//! or role a function, an act an event; other names are variables. It knows nothing of the LSP's
//! legend or its relative encoding: `concord-lsp` converts.

use crate::db::{Lookup, SourceFile, scope};
use crate::syntax::ast::Span;
use crate::syntax::lexer::{ITEM_KEYWORDS, KEYWORDS, Token, TokenKind, lex};
use crate::syntax::split::ItemKind;

/// What a token is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HighlightKind {
    Keyword,
    Comment,
    String,
    Number,
    Operator,
    Namespace,
    Type,
    Enum,
    EnumMember,
    Function,
    Event,
    Parameter,
    Variable,
    Property,
}

impl HighlightKind {
    /// Every kind, in a fixed order (the legend's).
    pub const ALL: [HighlightKind; 14] = [
        HighlightKind::Keyword,
        HighlightKind::Comment,
        HighlightKind::String,
        HighlightKind::Number,
        HighlightKind::Operator,
        HighlightKind::Namespace,
        HighlightKind::Type,
        HighlightKind::Enum,
        HighlightKind::EnumMember,
        HighlightKind::Function,
        HighlightKind::Event,
        HighlightKind::Parameter,
        HighlightKind::Variable,
        HighlightKind::Property,
    ];
}

/// One coloured token, in file offsets; it never spans lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Highlight {
    pub span: Span,
    pub kind: HighlightKind,
    /// A `///` doc comment.
    pub documentation: bool,
    /// The name a declaration introduces.
    pub declaration: bool,
    /// Something the language provides: `system`, the built-in acts and units.
    pub default_library: bool,
}

const BUILTIN_ACTS: &[&str] = &["placing_on_market", "putting_into_service", "use"];

/// The coloured tokens of `file`, in order.
pub fn highlights(db: &dyn salsa::Database, file: SourceFile) -> Vec<Highlight> {
    let text = file.text(db);
    let scope = scope(db, file);
    let tokens: Vec<Token> = lex(text)
        .into_iter()
        .filter(|token| !matches!(token.kind, TokenKind::Whitespace | TokenKind::Newline))
        .collect();
    let code: Vec<&Token> = tokens.iter().filter(|token| token.kind != TokenKind::Comment).collect();
    let mut out = Vec::with_capacity(tokens.len());
    let plain = |span: Span, kind: HighlightKind| Highlight {
        span,
        kind,
        documentation: false,
        declaration: false,
        default_library: false,
    };
    for token in &tokens {
        let span = Span { start: token.start, end: token.end };
        let kind = match token.kind {
            TokenKind::Comment => {
                out.push(Highlight { documentation: token.is_doc(text), ..plain(span, HighlightKind::Comment) });
                continue;
            }
            TokenKind::String | TokenKind::UnterminatedString => HighlightKind::String,
            TokenKind::Number | TokenKind::Date | TokenKind::DateTime => HighlightKind::Number,
            TokenKind::EqEq
            | TokenKind::NotEq
            | TokenKind::Less
            | TokenKind::LessEq
            | TokenKind::Greater
            | TokenKind::GreaterEq
            | TokenKind::Plus
            | TokenKind::Minus
            | TokenKind::Star
            | TokenKind::Assign => HighlightKind::Operator,
            _ => continue,
        };
        out.push(plain(span, kind));
    }
    let mut depth_parens = 0usize;
    for (idx, token) in code.iter().enumerate() {
        match token.kind {
            TokenKind::LParen => depth_parens += 1,
            TokenKind::RParen => depth_parens = depth_parens.saturating_sub(1),
            _ => {}
        }
        if token.kind != TokenKind::Word {
            continue;
        }
        let word = token.text(text);
        let at = |offset: isize| {
            idx.checked_add_signed(offset).and_then(|at| code.get(at)).map(|token| (token.kind, token.text(text)))
        };
        let span = Span { start: token.start, end: token.end };
        let previous = at(-1);
        let next = at(1);
        let highlight = match (previous, next) {
            // `rulebook a.b`, `import a.b as c`: rulebook ids.
            (Some((TokenKind::Word, "rulebook" | "import")), _) => plain(span, HighlightKind::Namespace),
            (Some((TokenKind::Dot, _)), _) if is_rulebook_id(&code, idx, text) => plain(span, HighlightKind::Namespace),
            (Some((TokenKind::Dot, _)), _) => match at(-2) {
                Some((TokenKind::Word, base)) if matches!(scope.lookup(base), Lookup::Found(key) if key.kind == ItemKind::Enum) => {
                    plain(span, HighlightKind::EnumMember)
                }
                _ => plain(span, HighlightKind::Property),
            },
            (_, Some((TokenKind::Colon, _))) if depth_parens > 0 => {
                Highlight { declaration: true, ..plain(span, HighlightKind::Parameter) }
            }
            (_, Some((TokenKind::Colon, _))) => plain(span, HighlightKind::Property),
            (Some((TokenKind::Word, keyword)), _) if is_item_keyword_at_start(&code, idx, text, keyword) => {
                let kind = match ItemKind::from_keyword(keyword) {
                    Some(ItemKind::Record | ItemKind::Unit) => HighlightKind::Type,
                    Some(ItemKind::Enum) => HighlightKind::Enum,
                    Some(ItemKind::Act) => HighlightKind::Event,
                    _ => HighlightKind::Function,
                };
                Highlight { declaration: true, ..plain(span, kind) }
            }
            (Some((TokenKind::Word, "unless")), _) => {
                Highlight { declaration: true, ..plain(span, HighlightKind::Function) }
            }
            (Some((TokenKind::Word, "tier" | "otherwise")), _) => {
                Highlight { declaration: true, ..plain(span, HighlightKind::EnumMember) }
            }
            (Some((TokenKind::Number, _)), _) => plain(span, HighlightKind::Type),
            _ if word == "system" && next.is_none_or(|(kind, _)| kind != TokenKind::LBrace) => {
                Highlight { default_library: true, ..plain(span, HighlightKind::Variable) }
            }
            _ if KEYWORDS.contains(&word) => plain(span, HighlightKind::Keyword),
            _ if BUILTIN_ACTS.contains(&word) => {
                Highlight { default_library: true, ..plain(span, HighlightKind::Event) }
            }
            _ => match scope.lookup(word) {
                Lookup::Found(key) => plain(span, kind_of(key.kind)),
                Lookup::Ambiguous(keys) => {
                    plain(span, keys.first().map_or(HighlightKind::Variable, |key| kind_of(key.kind)))
                }
                Lookup::NotFound => plain(span, HighlightKind::Variable),
            },
        };
        out.push(highlight);
    }
    out.sort_by_key(|highlight| highlight.span.start);
    out
}

fn kind_of(kind: ItemKind) -> HighlightKind {
    match kind {
        ItemKind::Record | ItemKind::Unit => HighlightKind::Type,
        ItemKind::Enum => HighlightKind::Enum,
        ItemKind::Act => HighlightKind::Event,
        _ => HighlightKind::Function,
    }
}

/// Whether the word at `idx` is a segment of a dotted rulebook id (`rulebook a.b`, `import a.b`).
fn is_rulebook_id(code: &[&Token], idx: usize, text: &str) -> bool {
    let mut at = idx;
    loop {
        let dot = at.checked_sub(1).and_then(|prev| code.get(prev));
        let word = at.checked_sub(2).and_then(|prev| code.get(prev));
        match (dot, word) {
            (Some(dot), Some(word)) if dot.kind == TokenKind::Dot && word.kind == TokenKind::Word => at -= 2,
            _ => break,
        }
    }
    at.checked_sub(1)
        .and_then(|prev| code.get(prev))
        .is_some_and(|token| token.kind == TokenKind::Word && matches!(token.text(text), "rulebook" | "import"))
}

/// Whether `keyword`, the word before `idx`, is an item keyword introducing the name at `idx`.
fn is_item_keyword_at_start(code: &[&Token], idx: usize, text: &str, keyword: &str) -> bool {
    let after_dot =
        idx.checked_sub(2).and_then(|prev| code.get(prev)).is_some_and(|token| token.kind == TokenKind::Dot);
    let _ = text;
    ITEM_KEYWORDS.contains(&keyword) && !after_dot
}
