//! Semantic tokens as deltas: the tokens last answered for each document, under a result id, and
//! the edit that turns them into new ones.
//!
//! The edit replaces what lies between the longest common prefix and the longest common suffix of
//! the two token lists: an edit of one line changes the tokens of that line and the relative
//! position of the token after it, so the edit stays as small as what changed. Offsets count the
//! protocol's integers (five per token).

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokens, SemanticTokensDelta, SemanticTokensEdit, SemanticTokensFullDeltaResult, Uri,
};

/// The integers the protocol encodes each token as.
const INTEGERS_PER_TOKEN: u32 = 5;

/// The tokens last answered for each open document.
#[derive(Default)]
pub struct TokenCache {
    next_id: u64,
    last: HashMap<Uri, (String, Vec<SemanticToken>)>,
}

impl TokenCache {
    /// All of a document's tokens, under a new result id.
    pub fn full(&mut self, uri: Uri, data: Vec<SemanticToken>) -> SemanticTokens {
        let result_id = self.remember(uri, data.clone());
        SemanticTokens { result_id: Some(result_id), data }
    }

    /// The edits from the tokens answered under `previous` to `data`, or all of `data` when that
    /// answer is not the last one this document had (or was never given).
    pub fn delta(&mut self, uri: Uri, previous: &str, data: Vec<SemanticToken>) -> SemanticTokensFullDeltaResult {
        let edits = match self.last.get(&uri) {
            Some((id, old)) if id == previous => diff(old, &data),
            _ => return SemanticTokensFullDeltaResult::Tokens(self.full(uri, data)),
        };
        let result_id = self.remember(uri, data);
        SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta { result_id: Some(result_id), edits })
    }

    /// Drops what was answered for a closed document.
    pub fn forget(&mut self, uri: &Uri) {
        self.last.remove(uri);
    }

    fn remember(&mut self, uri: Uri, data: Vec<SemanticToken>) -> String {
        self.next_id += 1;
        let result_id = self.next_id.to_string();
        self.last.insert(uri, (result_id.clone(), data));
        result_id
    }
}

/// The single edit (none when nothing changed) that turns `old` into `new`.
pub fn diff(old: &[SemanticToken], new: &[SemanticToken]) -> Vec<SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let rest = old.len().min(new.len()) - prefix;
    let suffix = old.iter().rev().zip(new.iter().rev()).take(rest).take_while(|(a, b)| a == b).count();
    if prefix + suffix == old.len() && old.len() == new.len() {
        return Vec::new();
    }
    let inserted = new.get(prefix..new.len() - suffix).unwrap_or_default().to_vec();
    vec![SemanticTokensEdit {
        start: prefix as u32 * INTEGERS_PER_TOKEN,
        delete_count: (old.len() - prefix - suffix) as u32 * INTEGERS_PER_TOKEN,
        data: (!inserted.is_empty()).then_some(inserted),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(delta_line: u32, length: u32) -> SemanticToken {
        SemanticToken { delta_line, delta_start: 0, length, token_type: 0, token_modifiers_bitset: 0 }
    }

    /// Applies edits as a client does, on the flat integers.
    fn apply(old: &[SemanticToken], edits: &[SemanticTokensEdit]) -> Vec<SemanticToken> {
        let mut flat: Vec<u32> = old
            .iter()
            .flat_map(|it| [it.delta_line, it.delta_start, it.length, it.token_type, it.token_modifiers_bitset])
            .collect();
        for edit in edits.iter().rev() {
            let inserted =
                edit.data.iter().flatten().flat_map(|it| {
                    [it.delta_line, it.delta_start, it.length, it.token_type, it.token_modifiers_bitset]
                });
            let (start, end) = (edit.start as usize, (edit.start + edit.delete_count) as usize);
            flat.splice(start..end, inserted);
        }
        flat.chunks(5)
            .map(|it| SemanticToken {
                delta_line: it[0],
                delta_start: it[1],
                length: it[2],
                token_type: it[3],
                token_modifiers_bitset: it[4],
            })
            .collect()
    }

    #[test]
    fn the_edit_spans_only_what_changed() {
        let old = [token(0, 1), token(1, 2), token(1, 3), token(1, 4)];
        let cases: [(&str, Vec<SemanticToken>, &str); 6] = [
            ("same", old.to_vec(), "[]"),
            ("one changed", vec![token(0, 1), token(1, 9), token(1, 3), token(1, 4)], "[(5, 5, 1)]"),
            ("one inserted", vec![token(0, 1), token(1, 2), token(0, 7), token(1, 3), token(1, 4)], "[(10, 0, 1)]"),
            ("one removed", vec![token(0, 1), token(1, 3), token(1, 4)], "[(5, 5, 0)]"),
            ("all removed", vec![], "[(0, 20, 0)]"),
            // A repeated token: the prefix and the suffix do not overlap.
            ("repeat", vec![token(0, 1), token(1, 2), token(1, 2), token(1, 3), token(1, 4)], "[(10, 0, 1)]"),
        ];
        for (name, new, expected) in cases {
            let edits = diff(&old, &new);
            let shown: Vec<String> = edits
                .iter()
                .map(|it| format!("({}, {}, {})", it.start, it.delete_count, it.data.as_ref().map_or(0, Vec::len)))
                .collect();
            assert_eq!(format!("[{}]", shown.join(", ")), expected, "{name}");
            assert_eq!(apply(&old, &edits), new, "{name}");
        }
    }

    #[test]
    fn a_delta_against_a_stale_result_id_answers_all_tokens() {
        let uri: Uri = "file:///a.concord".parse().unwrap();
        let mut cache = TokenCache::default();
        let first = cache.full(uri.clone(), vec![token(0, 1)]);
        assert_eq!(first.result_id.as_deref(), Some("1"));
        let SemanticTokensFullDeltaResult::TokensDelta(delta) = cache.delta(uri.clone(), "1", vec![token(0, 2)]) else {
            panic!("a delta against the last result")
        };
        assert_eq!(delta.result_id.as_deref(), Some("2"));
        assert_eq!(delta.edits.len(), 1);
        let SemanticTokensFullDeltaResult::Tokens(tokens) = cache.delta(uri.clone(), "1", vec![token(0, 3)]) else {
            panic!("all tokens against a stale result")
        };
        assert_eq!(tokens.result_id.as_deref(), Some("3"));
        cache.forget(&uri);
        assert!(matches!(cache.delta(uri, "3", vec![]), SemanticTokensFullDeltaResult::Tokens(_)));
    }
}
