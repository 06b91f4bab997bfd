//! Conversions between the library's byte offsets and LSP positions (UTF-16 code units), and from
//! the library's `Diagnostic` to the LSP's.
//!
//! It knows nothing of the server's state: callers pass the text and say how a file path becomes
//! a URI.

use concord_lang::diagnostics::{Anchor, Diagnostic, Severity};
use concord_lang::syntax::ast::Span;
use tower_lsp_server::ls_types::{
    self, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range, Uri,
};

/// Line starts of a text, to turn byte offsets into UTF-16 positions and back.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<u32>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(idx, _)| idx as u32 + 1));
        LineIndex { text, line_starts }
    }

    /// The position of a byte offset; an offset inside a character counts as that character's start.
    pub fn position(&self, offset: u32) -> Position {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|start| *start as usize <= offset).saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0) as usize;
        let character = self.text.get(start..offset).map_or(0, |prefix| prefix.encode_utf16().count());
        Position { line: line as u32, character: character as u32 }
    }

    /// The byte offset of a position, clamped to its line and to the text.
    pub fn offset(&self, position: Position) -> u32 {
        let Some(start) = self.line_starts.get(position.line as usize).copied() else {
            return self.text.len() as u32;
        };
        let line = self.text.get(start as usize..).unwrap_or("");
        let mut units = 0u32;
        let mut bytes = 0usize;
        for ch in line.chars() {
            if ch == '\n' || units >= position.character {
                break;
            }
            units += ch.len_utf16() as u32;
            bytes += ch.len_utf8();
        }
        start + bytes as u32
    }

    pub fn range(&self, span: Span) -> Range {
        Range { start: self.position(span.start), end: self.position(span.end) }
    }
}

/// Converts one diagnostic of the file at `path`. `locate` gives a URI and text for another file
/// named by a secondary label.
pub fn diagnostic(
    diagnostic: &Diagnostic,
    path: &str,
    index: &LineIndex<'_>,
    locate: &dyn Fn(&str) -> Option<(Uri, String)>,
) -> ls_types::Diagnostic {
    let mut labels = diagnostic.labels.iter();
    let range = match labels.next() {
        Some(label) if matches!(&label.anchor, Anchor::File(file) if file == path) => index.range(label.span),
        _ => Range::default(),
    };
    let mut related = Vec::new();
    for label in labels {
        let Anchor::File(file) = &label.anchor else { continue };
        let location = match file == path {
            true => None,
            false => locate(file),
        };
        let (uri, range) = match location {
            Some((uri, text)) => (uri, LineIndex::new(&text).range(label.span)),
            None => match (file == path).then(|| locate(path)).flatten() {
                Some((uri, _)) => (uri, index.range(label.span)),
                None => continue,
            },
        };
        let message = if label.message.is_empty() { diagnostic.message.clone() } else { label.message.clone() };
        related.push(DiagnosticRelatedInformation { location: Location { uri, range }, message });
    }
    let mut message = diagnostic.message.clone();
    for note in &diagnostic.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    if let Some(citation) = &diagnostic.citation {
        message.push_str("\ncites: ");
        message.push_str(citation);
    }
    ls_types::Diagnostic {
        range,
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.to_owned())),
        source: Some("concord".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..ls_types::Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn ascii_offsets_round_trip() {
        let index = LineIndex::new("ab\ncd\n");
        assert_eq!(index.position(0), pos(0, 0));
        assert_eq!(index.position(4), pos(1, 1));
        assert_eq!(index.position(6), pos(2, 0));
        assert_eq!(index.offset(pos(1, 1)), 4);
    }

    #[test]
    fn non_ascii_counts_utf16_code_units() {
        // `é` is 2 bytes and 1 UTF-16 unit; `𝔸` is 4 bytes and 2 UTF-16 units.
        let text = "é𝔸x\n\"Größe\" y";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(index.position(x), pos(0, 3));
        assert_eq!(index.offset(pos(0, 3)), x);
        let y = text.find('y').unwrap() as u32;
        assert_eq!(index.position(y), pos(1, 8));
        assert_eq!(index.offset(pos(1, 8)), y);
    }

    #[test]
    fn offset_inside_a_character_snaps_to_its_start() {
        let index = LineIndex::new("a𝔸b");
        assert_eq!(index.position(2), pos(0, 1));
        assert_eq!(index.position(5), pos(0, 3));
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let index = LineIndex::new("ab\ncd");
        assert_eq!(index.offset(pos(0, 99)), 2);
        assert_eq!(index.offset(pos(9, 0)), 5);
        assert_eq!(index.position(99), pos(1, 2));
    }

    #[test]
    fn secondary_labels_become_related_information() {
        let mut engine = concord_lang::Engine::default();
        let text = "rulebook a.b { title \"é\" }\nterm x = true\nterm x = false\n";
        let file = engine.add_source("/tmp/a.concord", text);
        let diagnostics = engine.diagnostics(file);
        let duplicate = diagnostics.iter().find(|it| it.code == "duplicate-definition").unwrap();
        let uri: Uri = "file:///tmp/a.concord".parse().unwrap();
        let locate = |_: &str| Some((uri.clone(), text.to_owned()));
        let converted = super::diagnostic(duplicate, "/tmp/a.concord", &LineIndex::new(text), &locate);
        assert_eq!(converted.code, Some(NumberOrString::String("duplicate-definition".to_owned())));
        assert_eq!(converted.range.start, pos(2, 5));
        let related = converted.related_information.unwrap();
        assert_eq!(related.len(), 1);
        assert_eq!(related[0].location.range.start, pos(1, 5));
        assert_eq!(related[0].message, "first declared here");
    }
}
