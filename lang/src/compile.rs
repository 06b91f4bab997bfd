//! Whole-rulebook queries: every diagnostic of a file, and the linked, compiled rulebook.
//!
//! These gather the per-item results; they are the only queries that depend on where items sit in
//! their file (to turn item-relative spans into file offsets and source locations).

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::check::schema::schema_info;
use crate::check::{IrItem, check_item};
use crate::db::{
    DeclKey, SourceFile, file_structure_diagnostics, find_item, import_closure, items, parse, workspace_files,
};
use crate::diagnostics::{Diagnostic, ItemKey, sort_diagnostics};
use crate::ir::link::Linker;
use crate::ir::{CompiledRulebook, DeclRef, PeriodConvention, ProvisionInfo, SourceLocation};
use crate::syntax::ast::Span;
use crate::syntax::split::ItemKind;

/// Every diagnostic of one file, with file offsets, sorted by (file, offset, code).
#[salsa::tracked(returns(ref))]
pub fn file_diagnostics(db: &dyn salsa::Database, file: SourceFile) -> Vec<Diagnostic> {
    let path = file.path(db).clone();
    let locate = |key: &ItemKey| -> Option<(String, u32)> {
        let target = workspace_files(db).into_iter().find(|candidate| candidate.path(db) == &key.file)?;
        let item =
            find_item(db, &DeclKey { file: target, kind: key.kind, name: key.name.clone(), ordinal: key.ordinal })?;
        Some((key.file.clone(), item.start(db)))
    };
    let mut out = Vec::new();
    let file_items = items(db, file);
    if !file_items.iter().any(|item| item.kind(db) == ItemKind::Rulebook) {
        out.push(
            Diagnostic::file_error(
                "missing-rulebook-header",
                &path,
                Span::new(0, 0),
                "this file has no `rulebook` header",
            )
            .with_help("start the file with `rulebook my.rules { title \"…\" }`"),
        );
    }
    for item in file_items.iter().copied() {
        let start = item.start(db);
        let mut found: Vec<Diagnostic> = parse(db, item).diagnostics.clone();
        found.extend(check_item(db, item).diagnostics.iter().cloned());
        for mut diagnostic in found {
            diagnostic.anchor(&path, start, &locate);
            out.push(diagnostic);
        }
    }
    for (key, diagnostic) in file_structure_diagnostics(db, file) {
        let Some(item) = find_item(db, key) else { continue };
        let mut diagnostic = diagnostic.clone();
        diagnostic.anchor(&path, item.start(db), &locate);
        out.push(diagnostic);
    }
    sort_diagnostics(&mut out);
    out
}

/// Whether a file or anything it imports has an error.
pub fn has_errors(db: &dyn salsa::Database, file: SourceFile) -> bool {
    std::iter::once(file)
        .chain(import_closure(db, file).iter().copied())
        .any(|file| file_diagnostics(db, file).iter().any(Diagnostic::is_error))
}

/// Compiles a rulebook and links it with what it imports. `None` if it has errors or no header.
#[salsa::tracked(returns(ref))]
pub fn compile(db: &dyn salsa::Database, file: SourceFile) -> Option<Arc<CompiledRulebook>> {
    if has_errors(db, file) {
        return None;
    }
    let header = items(db, file).iter().copied().find_map(|item| match &check_item(db, item).ir {
        IrItem::Header(header) => Some(header.clone()),
        _ => None,
    })?;
    let info = schema_info(db);
    let root = info.root_for(db, file);
    let mut schema = (*info.schema).clone();
    schema.root = root;
    let mut compiled = CompiledRulebook {
        id: header.id.clone(),
        title: header.title.clone(),
        jurisdiction: header.jurisdiction.clone(),
        version: header.version.clone(),
        content_hash: content_hash(db, file),
        file: file.path(db).clone(),
        applies_from: header.applies_from,
        applies_until: header.applies_until,
        days: crate::ir::DayRange::new(header.applies_from, header.applies_until),
        periods: header.periods,
        holidays: header.holidays.clone(),
        schema: Arc::new(schema),
        terms: Vec::new(),
        roles: Vec::new(),
        classifications: Vec::new(),
        own_classifications: Vec::new(),
        redlines: Vec::new(),
        obligations: Vec::new(),
        examples: Vec::new(),
        mappings: Vec::new(),
        term_names: Vec::new(),
        guard_paths: Arc::default(),
        redline_guards: Vec::new(),
        redline_scan: None,
        machine: None,
    };
    let mut linker = Linker { terms: BTreeMap::new(), tiers: BTreeMap::new() };
    let mut files = import_closure(db, file).clone();
    files.push(file);
    for source in files.iter().copied() {
        let text = source.text(db);
        let path = source.path(db).clone();
        for item in items(db, source).iter().copied() {
            let decl = DeclRef {
                file: path.clone(),
                kind: item.kind(db),
                name: item.name(db).clone(),
                ordinal: item.ordinal(db),
            };
            let locate = |info: &mut ProvisionInfo| {
                info.location = Some(location(text, &path, item.start(db) + info.name_span.start))
            };
            match &check_item(db, item).ir {
                IrItem::Term(term) => {
                    let mut term = term.clone();
                    locate(&mut term.info);
                    linker.terms.insert(decl, compiled.terms.len() as u32);
                    compiled.term_names.push((term.info.name.clone(), compiled.terms.len() as u32));
                    compiled.terms.push(term);
                    compiled.roles.push(None);
                }
                IrItem::Role(term, role) => {
                    let mut term = term.clone();
                    locate(&mut term.info);
                    linker.terms.insert(decl, compiled.terms.len() as u32);
                    compiled.terms.push(term);
                    compiled.roles.push(Some(role.clone()));
                }
                IrItem::Classification(classification) => {
                    let mut classification = (**classification).clone();
                    locate(&mut classification.info);
                    linker.tiers.insert(decl, compiled.classifications.len() as u32);
                    if source == file {
                        compiled.own_classifications.push(compiled.classifications.len() as u32);
                    }
                    compiled.classifications.push(classification);
                }
                IrItem::Redline(redline) if source == file => {
                    let mut redline = (**redline).clone();
                    locate(&mut redline.info);
                    compiled.redlines.push(redline);
                }
                IrItem::Obligation(obligation) if source == file => {
                    let mut obligation = (**obligation).clone();
                    locate(&mut obligation.info);
                    compiled.obligations.push(obligation);
                }
                IrItem::Mapping(mapping) if source == file => {
                    let mut mapping = (**mapping).clone();
                    locate(&mut mapping.info);
                    for claim in &mut mapping.claims {
                        locate(&mut claim.info);
                    }
                    compiled.mappings.push(mapping);
                }
                IrItem::Example(example) if source == file => {
                    let mut example = (**example).clone();
                    example.location = Some(location(text, &path, item.start(db) + example.name_span.start));
                    compiled.examples.push(example);
                }
                _ => {}
            }
        }
    }
    for term in &mut compiled.terms {
        term.flat = linker.term(term.n_params, &mut term.body);
    }
    for role in compiled.roles.iter_mut().flatten() {
        linker.expr(&mut role.domain);
    }
    for classification in &mut compiled.classifications {
        for branch in &mut classification.branches {
            if let Some(when) = &mut branch.when {
                branch.flat = linker.condition(when);
            }
        }
    }
    for redline in &mut compiled.redlines {
        redline.flat = linker.condition(&mut redline.when);
        for exception in &mut redline.exceptions {
            linker.exception(exception);
        }
        if let Some(role) = &mut redline.by {
            linker.term_target(&mut role.term);
        }
    }
    for obligation in &mut compiled.obligations {
        if let Some(when) = &mut obligation.when {
            obligation.flat = linker.condition(when);
        }
        for exception in &mut obligation.exceptions {
            linker.exception(exception);
        }
        if let Some(binder) = &mut obligation.for_each {
            linker.binder(binder);
        }
        if let Some(binder) = &mut obligation.evidence {
            linker.binder(binder);
        }
        if let Some(dated) = &mut obligation.dated {
            linker.expr(dated);
        }
        linker.due(&mut obligation.due);
        if let Some(role) = &mut obligation.by {
            linker.term_target(&mut role.term);
        }
    }
    for mapping in &mut compiled.mappings {
        for claim in &mut mapping.claims {
            linker.mapped(&mut claim.left);
            linker.mapped(&mut claim.right);
        }
    }
    crate::ir::link::inline_terms(&mut compiled);
    crate::ir::link::number_guards(&mut compiled);
    let _ = PeriodConvention::CalendarDays;
    Some(Arc::new(compiled))
}

/// The hash of a rulebook's text and of every rulebook it imports, in import order.
fn content_hash(db: &dyn salsa::Database, file: SourceFile) -> String {
    let mut hasher = Sha256::new();
    hasher.update(file.text(db).as_bytes());
    for imported in import_closure(db, file) {
        hasher.update(b"\0");
        hasher.update(imported.path(db).as_bytes());
        hasher.update(b"\0");
        hasher.update(imported.text(db).as_bytes());
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

/// 1-based line and column (in characters) of a byte offset.
pub fn location(text: &str, path: &str, offset: u32) -> SourceLocation {
    let offset = (offset as usize).min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |idx| idx + 1);
    let column = text.get(line_start..offset).map_or(0, |prefix| prefix.chars().count()) as u32 + 1;
    SourceLocation { file: path.to_owned(), line, column }
}
