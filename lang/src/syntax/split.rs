//! The item splitter: cuts a file into top-level items, using the lexer's tokens.
//!
//! An item starts at an item keyword (`term`, `redline`, …) that stands at the top level (outside
//! any brackets), or at the start of a line whatever the bracket depth, so that an unclosed brace
//! in one item does not swallow the rest of the file. The doc comments right above a keyword belong
//! to its item. Each item is then parsed on its own. This module knows nothing of the grammar.

use super::lexer::{Token, TokenKind};

/// The kind of a top-level item, named by its keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Rulebook,
    Import,
    Unit,
    Record,
    Enum,
    Term,
    Role,
    Act,
    Redline,
    Obligation,
    Classification,
    Mapping,
    Example,
    /// Text outside any item (before the first keyword, or a stray word at the top level).
    Stray,
}

impl ItemKind {
    pub fn from_keyword(word: &str) -> Option<ItemKind> {
        Some(match word {
            "rulebook" => ItemKind::Rulebook,
            "import" => ItemKind::Import,
            "unit" => ItemKind::Unit,
            "record" => ItemKind::Record,
            "enum" => ItemKind::Enum,
            "term" => ItemKind::Term,
            "role" => ItemKind::Role,
            "act" => ItemKind::Act,
            "redline" => ItemKind::Redline,
            "obligation" => ItemKind::Obligation,
            "classification" => ItemKind::Classification,
            "mapping" => ItemKind::Mapping,
            "example" => ItemKind::Example,
            _ => return None,
        })
    }

    /// The kind with its article, for messages: "a term", "an obligation".
    pub fn with_article(self) -> String {
        let keyword = self.keyword();
        let article = if keyword.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        format!("{article} {keyword}")
    }

    pub fn keyword(self) -> &'static str {
        match self {
            ItemKind::Rulebook => "rulebook",
            ItemKind::Import => "import",
            ItemKind::Unit => "unit",
            ItemKind::Record => "record",
            ItemKind::Enum => "enum",
            ItemKind::Term => "term",
            ItemKind::Role => "role",
            ItemKind::Act => "act",
            ItemKind::Redline => "redline",
            ItemKind::Obligation => "obligation",
            ItemKind::Classification => "classification",
            ItemKind::Mapping => "mapping",
            ItemKind::Example => "example",
            ItemKind::Stray => "text",
        }
    }
}

/// One item's place in its file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemRange {
    pub kind: ItemKind,
    /// The name after the keyword (`eu.ai_act`, `social_scoring`, an example's title), or empty.
    pub name: String,
    /// Byte offset of the item's first byte (its first doc comment, or its keyword).
    pub start: u32,
    /// Byte offset one past the item's last byte (trailing blank lines excluded).
    pub end: u32,
}

/// Cuts a file into items. Every non-trivia token lands in exactly one item.
pub fn split_items(source: &str, tokens: &[Token]) -> Vec<ItemRange> {
    let starts = item_starts(source, tokens);
    let mut items = Vec::with_capacity(starts.len() + 1);
    let first_start = starts.first().map_or(tokens.len(), |start| start.first_token);
    if let Some(stray) = stray_range(source, tokens.get(..first_start).unwrap_or(&[])) {
        items.push(stray);
    }
    for (idx, start) in starts.iter().enumerate() {
        let end_token = starts.get(idx + 1).map_or(tokens.len(), |next| next.first_token);
        let body = tokens.get(start.first_token..end_token).unwrap_or(&[]);
        let Some(first) = body.first() else { continue };
        let last_significant = body.iter().rev().find(|token| !token.is_trivia() || token.is_doc(source));
        let end = last_significant.map_or(first.end, |token| token.end);
        items.push(ItemRange {
            kind: start.kind,
            name: item_name(source, tokens.get(start.keyword_token + 1..end_token).unwrap_or(&[])),
            start: first.start,
            end,
        });
    }
    items
}

struct ItemStart {
    kind: ItemKind,
    first_token: usize,
    keyword_token: usize,
}

fn item_starts(source: &str, tokens: &[Token]) -> Vec<ItemStart> {
    let mut starts = Vec::new();
    let mut depth: u32 = 0;
    let mut previous_significant: Option<TokenKind> = None;
    for (idx, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => depth += 1,
            TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
        if token.kind == TokenKind::Word && previous_significant != Some(TokenKind::Dot) {
            let at_line_start = token.start == 0 || source.as_bytes().get(token.start as usize - 1) == Some(&b'\n');
            if let Some(kind) = ItemKind::from_keyword(token.text(source))
                && (depth == 0 || at_line_start)
            {
                depth = 0;
                starts.push(ItemStart { kind, first_token: doc_block_start(source, tokens, idx), keyword_token: idx });
            }
        }
        if !token.is_trivia() {
            previous_significant = Some(token.kind);
        }
    }
    starts
}

/// The first token of the doc comments right above the keyword at `keyword_idx` (only blank space
/// between them), or the keyword itself.
fn doc_block_start(source: &str, tokens: &[Token], keyword_idx: usize) -> usize {
    let mut first = keyword_idx;
    let mut idx = keyword_idx;
    while idx > 0 {
        idx -= 1;
        let Some(token) = tokens.get(idx) else { break };
        if token.is_doc(source) {
            first = idx;
        } else if !matches!(token.kind, TokenKind::Whitespace | TokenKind::Newline) {
            break;
        }
    }
    first
}

fn stray_range(source: &str, tokens: &[Token]) -> Option<ItemRange> {
    let first = tokens.iter().find(|token| !token.is_trivia())?;
    let last = tokens.iter().rev().find(|token| !token.is_trivia())?;
    Some(ItemRange {
        kind: ItemKind::Stray,
        name: first.text(source).chars().take(40).collect(),
        start: first.start,
        end: last.end,
    })
}

fn item_name(source: &str, tokens: &[Token]) -> String {
    let mut name = String::new();
    for token in tokens.iter().filter(|token| !token.is_trivia()) {
        match token.kind {
            TokenKind::String if name.is_empty() => {
                let text = token.text(source);
                return text.get(1..text.len().saturating_sub(1)).unwrap_or("").to_owned();
            }
            TokenKind::Word if name.is_empty() || name.ends_with('.') => name.push_str(token.text(source)),
            TokenKind::Dot if !name.is_empty() && !name.ends_with('.') => name.push('.'),
            _ => break,
        }
    }
    name.trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::super::lexer::lex;
    use super::*;

    fn split(source: &str) -> Vec<(ItemKind, String, &str)> {
        split_items(source, &lex(source))
            .into_iter()
            .map(|item| (item.kind, item.name.clone(), &source[item.start as usize..item.end as usize]))
            .collect()
    }

    #[test]
    fn items_carry_their_doc_comments_and_names() {
        let items = split("rulebook demo.rules { title \"x\" }\n\n/// Big.\nterm big = true\n");
        assert_eq!(items[0].0, ItemKind::Rulebook);
        assert_eq!(items[0].1, "demo.rules");
        assert_eq!(items[1], (ItemKind::Term, "big".to_owned(), "/// Big.\nterm big = true"));
    }

    #[test]
    fn an_unclosed_brace_does_not_swallow_the_next_item() {
        let items = split("redline a {\n  when x\n\nterm b = true\n");
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].0, ItemKind::Term);
    }

    #[test]
    fn keywords_inside_braces_or_after_a_dot_do_not_split() {
        let items = split("record R {\n  unit: string\n}\nterm t = x.term\n");
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn text_before_the_first_item_is_stray() {
        let items = split("oops\nterm t = true");
        assert_eq!(items[0].0, ItemKind::Stray);
        assert_eq!(items[1].0, ItemKind::Term);
    }
}
