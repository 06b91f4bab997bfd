//! What a compiled rulebook cites: every declaration it makes (term, role, classification and its
//! branches, redline and its exceptions, obligation, mapping and its claims) with its citations and
//! `unsure` marks, and the inverse table, citation to the declarations that cite it. Read from the
//! compiled rulebook, so it is exactly what verdicts carry; `concord coverage` prints it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ir::{CitationInfo, CompiledRulebook, IrException, ProvisionInfo};

/// One declaration of a rulebook, as its verdicts cite it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    /// `term`, `role`, `classification`, `branch`, `redline`, `exception`, `obligation`, `mapping`
    /// or `claim`.
    pub kind: &'static str,
    /// The declaration's name; a branch is `classification / tier`, an exception
    /// `redline / exception` or `obligation / exception` (nested exceptions continue the path), a
    /// claim the claim as written.
    pub name: String,
    /// 1-based line of the declaration's name (its parent's, where it has none of its own).
    pub line: u32,
    pub citations: Vec<CitationInfo>,
    pub unsure: Vec<String>,
}

/// One citation and every declaration of the rulebook that carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CitedBy {
    pub citation: String,
    pub declarations: Vec<Citing>,
}

/// A declaration citing one citation, with that citation's status and verification date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citing {
    pub kind: &'static str,
    pub name: String,
    pub line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<jiff::civil::Date>,
    pub unsure: bool,
}

/// Every declaration the rulebook itself makes (not those of its imports), in source order.
pub fn declarations(rulebook: &CompiledRulebook) -> Vec<Declaration> {
    let own = |info: &ProvisionInfo| info.location.as_ref().is_some_and(|location| location.file == rulebook.file);
    let mut out = Vec::new();
    for (index, term) in rulebook.terms.iter().enumerate() {
        if own(&term.info) {
            let is_role = rulebook.roles.get(index).is_some_and(Option::is_some);
            out.push(declaration(if is_role { "role" } else { "term" }, term.info.name.clone(), &term.info, 0));
        }
    }
    for classification in &rulebook.classifications {
        if !own(&classification.info) {
            continue;
        }
        let parent = declaration("classification", classification.info.name.clone(), &classification.info, 0);
        let tiers = rulebook.schema.enum_def(classification.tiers).map(|def| def.variants.clone()).unwrap_or_default();
        let line = parent.line;
        out.push(parent);
        for branch in &classification.branches {
            let tier = tiers.get(branch.tier as usize).cloned().unwrap_or_default();
            out.push(declaration("branch", format!("{} / {tier}", classification.info.name), &branch.info, line));
        }
    }
    for redline in rulebook.redlines.iter().filter(|redline| own(&redline.info)) {
        let parent = declaration("redline", redline.info.name.clone(), &redline.info, 0);
        let (name, line) = (parent.name.clone(), parent.line);
        out.push(parent);
        exceptions(&name, line, &redline.exceptions, &mut out);
    }
    for obligation in rulebook.obligations.iter().filter(|obligation| own(&obligation.info)) {
        let parent = declaration("obligation", obligation.info.name.clone(), &obligation.info, 0);
        let (name, line) = (parent.name.clone(), parent.line);
        out.push(parent);
        exceptions(&name, line, &obligation.exceptions, &mut out);
    }
    for mapping in &rulebook.mappings {
        let parent = declaration("mapping", mapping.info.name.clone(), &mapping.info, 0);
        let line = parent.line;
        out.push(parent);
        for claim in &mapping.claims {
            out.push(declaration("claim", claim.info.name.clone(), &claim.info, line));
        }
    }
    out.sort_by(|a, b| (a.line, a.kind, &a.name).cmp(&(b.line, b.kind, &b.name)));
    out
}

fn exceptions(parent: &str, line: u32, exceptions: &[IrException], out: &mut Vec<Declaration>) {
    for exception in exceptions {
        let item = declaration("exception", format!("{parent} / {}", exception.info.name), &exception.info, line);
        let (name, line) = (item.name.clone(), item.line);
        out.push(item);
        self::exceptions(&name, line, &exception.exceptions, out);
    }
}

fn declaration(kind: &'static str, name: String, info: &ProvisionInfo, parent_line: u32) -> Declaration {
    Declaration {
        kind,
        name,
        line: info.location.as_ref().map_or(parent_line, |location| location.line),
        citations: info.citations.clone(),
        unsure: info.unsure.clone(),
    }
}

/// Every citation of the rulebook and the declarations that carry it: citations sorted by
/// [`citation_order`], declarations in source order.
pub fn cited_by(rulebook: &CompiledRulebook) -> Vec<CitedBy> {
    let mut table: BTreeMap<(Vec<CitationKey>, String), Vec<Citing>> = BTreeMap::new();
    for declaration in declarations(rulebook) {
        for citation in &declaration.citations {
            table.entry((citation_order(&citation.text), citation.text.clone())).or_default().push(Citing {
                kind: declaration.kind,
                name: declaration.name.clone(),
                line: declaration.line,
                status: citation.status.clone(),
                verified: citation.verified,
                unsure: !declaration.unsure.is_empty(),
            });
        }
    }
    table.into_iter().map(|((_, citation), declarations)| CitedBy { citation, declarations }).collect()
}

/// One piece of a citation's sort key: runs of digits compare as numbers, so `Art. 5` comes
/// before `Art. 50` and `Art. 6(2)` before `Art. 6(10)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum CitationKey {
    Text(String),
    Number(u64),
}

/// The natural sort key of a citation's text.
pub fn citation_order(text: &str) -> Vec<CitationKey> {
    let mut keys = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        let digit = c.is_ascii_digit();
        let mut run = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() != digit {
                break;
            }
            run.push(c);
            chars.next();
        }
        keys.push(match run.parse::<u64>() {
            Ok(number) if digit => CitationKey::Number(number),
            _ => CitationKey::Text(run.to_lowercase()),
        });
    }
    keys
}

/// The citations table of one rulebook as Markdown: a heading, then one row per citation and
/// citing declaration.
pub fn markdown(rulebook: &CompiledRulebook) -> String {
    let mut out = format!("## `{}`", rulebook.id);
    if let Some(title) = &rulebook.title {
        out.push_str(&format!(" — {title}"));
    }
    out.push_str(&format!("\n\nFile: `{}`.", rulebook.file));
    let table = cited_by(rulebook);
    let n_decls = declarations(rulebook).len();
    let uncited: Vec<Declaration> =
        declarations(rulebook).into_iter().filter(|declaration| declaration.citations.is_empty()).collect();
    out.push_str(&format!(
        " {} citation{}, {n_decls} declaration{}, {} without a citation.\n\n",
        table.len(),
        plural(table.len()),
        plural(n_decls),
        uncited.len()
    ));
    if !table.is_empty() {
        out.push_str("| citation | kind | declaration | line | status | verified | unsure |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for row in &table {
            for citing in &row.declarations {
                out.push_str(&format!(
                    "| {} | {} | `{}` | {} | {} | {} | {} |\n",
                    cell(&row.citation),
                    citing.kind,
                    cell(&citing.name),
                    citing.line,
                    citing.status.as_deref().unwrap_or("—"),
                    citing.verified.map_or_else(|| "—".to_owned(), |date| date.to_string()),
                    if citing.unsure { "yes" } else { "no" }
                ));
            }
        }
        out.push('\n');
    }
    if !uncited.is_empty() {
        out.push_str("Without a citation: ");
        let names: Vec<String> =
            uncited.iter().map(|declaration| format!("{} `{}`", declaration.kind, cell(&declaration.name))).collect();
        out.push_str(&names.join(", "));
        out.push_str(".\n\n");
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A whole Markdown document of citation tables, headed by the command that regenerates it.
pub fn markdown_document(rulebooks: &[&CompiledRulebook], command: &str) -> String {
    let mut out = String::from("# Citations of the rulebooks\n\n");
    out.push_str(&format!(
        "Generated by `{command}` from the compiled rulebooks; do not edit by hand. For each rulebook, \
         every citation it makes and the declarations that carry it (kind, name, line of the name, \
         the citation's legal status and verification date, and whether the declaration has an \
         `unsure` mark), citations in natural order. The hand-written matrix of what is encoded, \
         article by article, is [coverage.md](coverage.md).\n\n"
    ));
    for rulebook in rulebooks {
        out.push_str(&markdown(rulebook));
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The same as JSON: per rulebook, its declarations and its citation table.
pub fn json(rulebooks: &[&CompiledRulebook]) -> serde_json::Value {
    let rulebooks: Vec<serde_json::Value> = rulebooks
        .iter()
        .map(|rulebook| {
            serde_json::json!({
                "id": rulebook.id,
                "file": rulebook.file,
                "declarations": declarations(rulebook),
                "citations": cited_by(rulebook),
            })
        })
        .collect();
    serde_json::json!({ "schema_version": 1, "rulebooks": rulebooks })
}
