//! Renders diagnostics as text with ariadne, rustc-style: `file:line:col`, the source line, labels.
//!
//! Byte offsets are used throughout (ariadne counts characters unless told otherwise).

use std::collections::BTreeMap;

use ariadne::{Config, IndexType, Label as AriadneLabel, Report, ReportKind};

use super::{Anchor, Diagnostic, Severity};

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct RenderConfig {
    pub color: bool,
}

/// Renders `diagnostics` against the sources they point into (`path → text`).
pub fn render(diagnostics: &[Diagnostic], sources: &BTreeMap<String, String>, config: RenderConfig) -> String {
    let mut out = Vec::new();
    for diagnostic in diagnostics {
        render_one(diagnostic, sources, config, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn render_one(diagnostic: &Diagnostic, sources: &BTreeMap<String, String>, config: RenderConfig, out: &mut Vec<u8>) {
    let kind = match diagnostic.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let located: Vec<(&str, std::ops::Range<usize>, &str)> = diagnostic
        .labels
        .iter()
        .filter_map(|label| match &label.anchor {
            Anchor::File(file) => {
                let len = sources.get(file).map_or(0, String::len);
                let start = (label.span.start as usize).min(len);
                let end = (label.span.end as usize).clamp(start, len);
                Some((file.as_str(), start..end, label.message.as_str()))
            }
            _ => None,
        })
        .collect();
    let Some((primary_file, primary_range, _)) = located.first().cloned() else {
        out.extend_from_slice(
            format!("{}[{}]: {}\n", severity_word(diagnostic.severity), diagnostic.code, diagnostic.message).as_bytes(),
        );
        return;
    };
    let mut report = Report::build(kind, (primary_file.to_owned(), primary_range.clone()))
        .with_config(Config::default().with_color(config.color).with_index_type(IndexType::Byte))
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message);
    for (idx, (file, range, message)) in located.iter().enumerate() {
        let mut label = AriadneLabel::new(((*file).to_owned(), range.clone()));
        // ariadne draws no underline for a label without text: the primary label falls back to
        // the diagnostic's own message.
        match (idx, message.is_empty()) {
            (_, false) => label = label.with_message(*message),
            (0, true) => label = label.with_message(&diagnostic.message),
            _ => {}
        }
        if idx == 0 {
            label = label.with_order(-1);
        }
        report = report.with_label(label);
    }
    let mut notes = diagnostic.notes.clone();
    if let Some(citation) = &diagnostic.citation {
        notes.push(format!("cited: {citation}"));
    }
    if !notes.is_empty() {
        report = report.with_note(notes.join("\n"));
    }
    // A fix's own message repeats the help ("did you mean …?"); it is shown only without help.
    let help = diagnostic.help.clone().or_else(|| diagnostic.fix.as_ref().map(|fix| fix.message.clone()));
    if let Some(help) = help {
        report = report.with_help(help);
    }
    let cache = ariadne::sources(
        sources.iter().map(|(path, text)| (path.clone(), text.as_str())).collect::<Vec<(String, &str)>>(),
    );
    if report.finish().write(cache, &mut *out).is_err() {
        out.extend_from_slice(format!("error[{}]: {}\n", diagnostic.code, diagnostic.message).as_bytes());
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
