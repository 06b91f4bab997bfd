//! The salsa database: inputs (the workspace's files), and the per-file and per-item queries
//! that the CLI and the language server share.
//!
//! Queries: `items(file)` cuts a file into items, each a tracked struct identified by its kind,
//! name and ordinal (never its position); `parse(item)` reads one item; `scope(file)` resolves
//! names from item names and import items only; `check_item(item)` (in `check`) types one item
//! against the schema and the signatures of what it references. Editing one item re-parses and
//! re-checks that item alone. No query does IO: text arrives as an input.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::diagnostics::{Diagnostic, ItemKey};
use crate::ir::DeclRef;
use crate::syntax::ast::{Item, Span};
use crate::syntax::lexer::lex;
use crate::syntax::parse::{ParsedItem, parse_item};
use crate::syntax::split::{ItemKind, split_items};

/// The database. Cloning it gives a snapshot that reads consistent data.
#[salsa::db]
#[derive(Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
}

impl Default for Database {
    fn default() -> Self {
        Database { storage: salsa::Storage::new(None) }
    }
}

impl Database {
    /// A database that reports every query execution to `callback` (for tests of incrementality).
    pub fn with_event_callback(callback: Box<dyn Fn(salsa::Event) + Send + Sync + 'static>) -> Database {
        Database { storage: salsa::Storage::new(Some(callback)) }
    }
}

#[salsa::db]
impl salsa::Database for Database {}

/// A record of every query execution (salsa's `WillExecute` events) of the databases it made, for
/// tests that prove an edit re-checks only what it touched. Clones share the record.
#[derive(Clone, Default)]
pub struct QueryLog {
    executed: Arc<Mutex<Vec<(String, salsa::Id)>>>,
}

impl std::fmt::Debug for QueryLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryLog").field("executed", &self.executed().len()).finish()
    }
}

impl QueryLog {
    /// A database whose query executions go to this log.
    pub fn database(&self) -> Database {
        let executed = self.executed.clone();
        Database::with_event_callback(Box::new(move |event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind {
                let mut executed = executed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                executed.push((format!("{database_key:?}"), database_key.key_index()));
            }
        }))
    }

    /// The executions so far, as (query and key as salsa prints them, key).
    pub fn executed(&self) -> Vec<(String, salsa::Id)> {
        self.executed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Whether the query whose name starts `query` (`check_item`, `parse`) ran for the key `id`.
    pub fn ran(&self, query: &str, id: salsa::Id) -> bool {
        self.executed().iter().any(|(text, key)| text.starts_with(query) && *key == id)
    }

    pub fn clear(&self) {
        self.executed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// The set of files the database knows (user files and the embedded standard library).
#[salsa::input(singleton)]
pub struct Workspace {
    #[returns(ref)]
    pub files: Vec<SourceFile>,
}

/// One rulebook source file.
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: String,
}

/// One top-level item of a file. Its identity is (file, kind, name, ordinal); its text and
/// position are tracked fields, so an edit elsewhere changes neither this item nor its queries.
#[salsa::tracked]
pub struct ItemRef<'db> {
    #[returns(copy)]
    pub file: SourceFile,
    #[returns(copy)]
    pub kind: ItemKind,
    #[returns(ref)]
    pub name: String,
    #[returns(copy)]
    pub ordinal: u32,
    #[tracked]
    #[returns(ref)]
    pub text: String,
    #[tracked]
    #[returns(copy)]
    pub start: u32,
}

impl<'db> ItemRef<'db> {
    pub fn decl_ref(self, db: &'db dyn salsa::Database) -> DeclRef {
        DeclRef {
            file: self.file(db).path(db).clone(),
            kind: self.kind(db),
            name: self.name(db).clone(),
            ordinal: self.ordinal(db),
        }
    }

    pub fn key(self, db: &'db dyn salsa::Database) -> ItemKey {
        let decl = self.decl_ref(db);
        ItemKey { file: decl.file, kind: decl.kind, name: decl.name, ordinal: decl.ordinal }
    }
}

/// A declaration, by file and identity; plain data that outlives revisions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeclKey {
    pub file: SourceFile,
    pub kind: ItemKind,
    pub name: String,
    pub ordinal: u32,
}

impl PartialOrd for DeclKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DeclKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        use salsa::plumbing::AsId;
        (self.file.as_id(), self.kind, &self.name, self.ordinal).cmp(&(
            other.file.as_id(),
            other.kind,
            &other.name,
            other.ordinal,
        ))
    }
}

/// All files of the workspace, in path order.
pub fn workspace_files(db: &dyn salsa::Database) -> Vec<SourceFile> {
    let Some(workspace) = Workspace::try_get(db) else { return Vec::new() };
    let mut files = workspace.files(db).clone();
    files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
    files
}

/// Cuts a file into items.
#[salsa::tracked(returns(ref))]
pub fn items(db: &dyn salsa::Database, file: SourceFile) -> Vec<ItemRef<'_>> {
    let text = file.text(db);
    let tokens = lex(text);
    let ranges = split_items(text, &tokens);
    let mut seen: BTreeMap<(ItemKind, String), u32> = BTreeMap::new();
    let mut out = Vec::with_capacity(ranges.len());
    for range in ranges {
        let ordinal = seen.entry((range.kind, range.name.clone())).or_insert(0);
        let item_text = text.get(range.start as usize..range.end as usize).unwrap_or("").to_owned();
        out.push(ItemRef::new(db, file, range.kind, range.name, *ordinal, item_text, range.start));
        *ordinal += 1;
    }
    out
}

/// Parses one item.
#[salsa::tracked(returns(ref))]
pub fn parse<'db>(db: &'db dyn salsa::Database, item: ItemRef<'db>) -> ParsedItem {
    parse_item(item.kind(db), item.text(db))
}

/// Finds the item a key names, if it still exists.
pub fn find_item<'db>(db: &'db dyn salsa::Database, key: &DeclKey) -> Option<ItemRef<'db>> {
    items(db, key.file)
        .iter()
        .copied()
        .find(|item| item.kind(db) == key.kind && item.ordinal(db) == key.ordinal && item.name(db) == &key.name)
}

pub fn decl_key(db: &dyn salsa::Database, item: ItemRef<'_>) -> DeclKey {
    DeclKey { file: item.file(db), kind: item.kind(db), name: item.name(db).clone(), ordinal: item.ordinal(db) }
}

/// What a file's `rulebook` header says, as far as other files need it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HeaderInfo {
    pub id: String,
}

/// The rulebook id a file declares, if its header parses.
#[salsa::tracked(returns(ref))]
pub fn header(db: &dyn salsa::Database, file: SourceFile) -> Option<HeaderInfo> {
    let item = items(db, file).iter().copied().find(|item| item.kind(db) == ItemKind::Rulebook)?;
    match &parse(db, item).item {
        Item::Rulebook(header) if !header.id.text.is_empty() => Some(HeaderInfo { id: header.id.text.clone() }),
        _ => None,
    }
}

/// Rulebook ids to files. When two files declare one id, the standard library's wins, then the
/// first by path (and the other gets a `duplicate-rulebook-id` diagnostic).
#[salsa::tracked(returns(ref))]
pub fn rulebook_index(db: &dyn salsa::Database) -> BTreeMap<String, SourceFile> {
    let mut index = BTreeMap::new();
    // The embedded standard library comes first: a user's file cannot replace `std.lexicon`.
    let (stdlib, user): (Vec<SourceFile>, Vec<SourceFile>) =
        workspace_files(db).into_iter().partition(|file| crate::stdlib::is_stdlib_path(file.path(db)));
    for file in stdlib.into_iter().chain(user) {
        if let Some(header) = header(db, file) {
            index.entry(header.id.clone()).or_insert(file);
        }
    }
    index
}

/// One `import` item, resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportInfo {
    pub rulebook: String,
    pub alias: Option<String>,
    pub target: Option<SourceFile>,
    pub key: DeclKey,
    pub span: Span,
}

#[salsa::tracked(returns(ref))]
pub fn imports(db: &dyn salsa::Database, file: SourceFile) -> Vec<ImportInfo> {
    let index = rulebook_index(db);
    let mut out = Vec::new();
    for item in items(db, file).iter().copied().filter(|item| item.kind(db) == ItemKind::Import) {
        let Item::Import(import) = &parse(db, item).item else { continue };
        out.push(ImportInfo {
            rulebook: import.rulebook.text.clone(),
            alias: import.alias.as_ref().map(|alias| alias.text.clone()),
            target: index.get(&import.rulebook.text).copied().filter(|target| *target != file),
            key: decl_key(db, item),
            span: import.rulebook.span,
        });
    }
    out
}

/// The files a file depends on through imports, transitively (itself excluded), in a stable order.
#[salsa::tracked(returns(ref))]
pub fn import_closure(db: &dyn salsa::Database, file: SourceFile) -> Vec<SourceFile> {
    let mut seen = std::collections::HashSet::new();
    let mut order = Vec::new();
    let mut stack: Vec<SourceFile> = imports(db, file).iter().rev().filter_map(|import| import.target).collect();
    while let Some(next) = stack.pop() {
        if next == file || !seen.insert(next) {
            continue;
        }
        order.push(next);
        stack.extend(imports(db, next).iter().rev().filter_map(|import| import.target));
    }
    order
}

/// Files that import themselves through a chain of imports.
#[salsa::tracked(returns(ref))]
pub fn files_in_import_cycles(db: &dyn salsa::Database) -> Vec<SourceFile> {
    workspace_files(db)
        .into_iter()
        .filter(|file| import_closure(db, *file).iter().any(|other| import_closure(db, *other).contains(file)))
        .collect()
}

/// The names visible in a file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    /// Declarations of the file itself, by name.
    pub own: BTreeMap<String, Vec<DeclKey>>,
    /// Declarations of rulebooks imported without an alias, by name.
    pub imported: BTreeMap<String, Vec<DeclKey>>,
    /// `import x.y as alias`.
    pub aliases: BTreeMap<String, SourceFile>,
}

/// How a name resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(DeclKey),
    Ambiguous(Vec<DeclKey>),
    NotFound,
}

impl Scope {
    pub fn lookup(&self, name: &str) -> Lookup {
        if let Some(own) = self.own.get(name).and_then(|keys| keys.first()) {
            return Lookup::Found(own.clone());
        }
        match self.imported.get(name).map(Vec::as_slice) {
            Some([one]) => Lookup::Found(one.clone()),
            Some(many) if !many.is_empty() => Lookup::Ambiguous(many.to_vec()),
            _ => Lookup::NotFound,
        }
    }

    /// Every visible name, for suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.own.keys().chain(self.imported.keys()).map(String::as_str)
    }
}

/// Whether items of this kind have a name other items can refer to.
pub fn is_declaration(kind: ItemKind) -> bool {
    !matches!(kind, ItemKind::Rulebook | ItemKind::Import | ItemKind::Example | ItemKind::Stray)
}

/// The declarations of one file, by name.
#[salsa::tracked(returns(ref))]
pub fn declarations(db: &dyn salsa::Database, file: SourceFile) -> BTreeMap<String, Vec<DeclKey>> {
    let mut out: BTreeMap<String, Vec<DeclKey>> = BTreeMap::new();
    for item in items(db, file).iter().copied() {
        if is_declaration(item.kind(db)) && !item.name(db).is_empty() {
            out.entry(item.name(db).clone()).or_default().push(decl_key(db, item));
        }
    }
    out
}

/// Resolves the names visible in a file from item names and imports; reads no item bodies.
#[salsa::tracked(returns(ref))]
pub fn scope(db: &dyn salsa::Database, file: SourceFile) -> Scope {
    let mut scope = Scope { own: declarations(db, file).clone(), ..Scope::default() };
    let cyclic = files_in_import_cycles(db);
    for import in imports(db, file) {
        let Some(target) = import.target else { continue };
        if cyclic.contains(&target) && cyclic.contains(&file) {
            continue;
        }
        match &import.alias {
            Some(alias) => {
                scope.aliases.insert(alias.clone(), target);
            }
            None => {
                for (name, keys) in declarations(db, target) {
                    let entry = scope.imported.entry(name.clone()).or_default();
                    for key in keys {
                        if !entry.contains(key) {
                            entry.push(key.clone());
                        }
                    }
                }
            }
        }
    }
    scope
}

/// Diagnostics about a file's header, imports and duplicate names (file-level, anchored).
#[salsa::tracked(returns(ref))]
pub fn file_structure_diagnostics(db: &dyn salsa::Database, file: SourceFile) -> Vec<(DeclKey, Diagnostic)> {
    let mut out = Vec::new();
    let file_items = items(db, file);
    let headers: Vec<ItemRef<'_>> =
        file_items.iter().copied().filter(|item| item.kind(db) == ItemKind::Rulebook).collect();
    for extra in headers.iter().skip(1) {
        out.push((
            decl_key(db, *extra),
            Diagnostic::error("duplicate-rulebook-header", name_span(db, *extra), "a file has one `rulebook` header")
                .with_help("split the file, or merge the headers"),
        ));
    }
    if let Some(first) = headers.first()
        && let Some(header) = header(db, file)
        && let Some(owner) = rulebook_index(db).get(&header.id)
        && *owner != file
    {
        out.push((
            decl_key(db, *first),
            Diagnostic::error(
                "duplicate-rulebook-id",
                Span::new(0, 8),
                format!("rulebook `{}` is also declared in `{}`", header.id, owner.path(db)),
            )
            .with_help("give each rulebook its own id"),
        ));
    }
    let cyclic = files_in_import_cycles(db);
    let index = rulebook_index(db);
    for import in imports(db, file) {
        match import.target {
            None if index.get(&import.rulebook) == Some(&file) => out.push((
                import.key.clone(),
                Diagnostic::error(
                    "import-cycle",
                    import.span,
                    format!("rulebook `{}` imports itself", import.rulebook),
                ),
            )),
            None => {
                let suggestion =
                    crate::diagnostics::suggest::did_you_mean(&import.rulebook, index.keys().map(String::as_str));
                let mut diagnostic = Diagnostic::error(
                    "unknown-rulebook",
                    import.span,
                    format!("no rulebook `{}` is loaded", import.rulebook),
                );
                diagnostic = match suggestion {
                    Some(name) => diagnostic
                        .with_help(format!("did you mean `{name}`?"))
                        .with_fix(format!("replace with `{name}`"), import.span, name),
                    None => diagnostic.with_help("pass the rulebook's file to the command, or import one of the standard library's (`std.lexicon`)"),
                };
                out.push((import.key.clone(), diagnostic));
            }
            Some(target)
                if cyclic.contains(&target) && cyclic.contains(&file) && import_closure(db, target).contains(&file) =>
            {
                out.push((
                    import.key.clone(),
                    Diagnostic::error(
                        "import-cycle",
                        import.span,
                        format!("importing `{}` makes a cycle: it imports this rulebook back", import.rulebook),
                    )
                    .with_help("move the shared declarations into a third rulebook that both import"),
                ));
            }
            Some(_) => {}
        }
    }
    for (name, keys) in declarations(db, file) {
        let Some(first) = keys.first() else { continue };
        for duplicate in keys.iter().skip(1) {
            let Some(first_item) = find_item(db, first) else { continue };
            let Some(duplicate_item) = find_item(db, duplicate) else { continue };
            let first_key = first_item.key(db);
            out.push((
                duplicate.clone(),
                Diagnostic::error(
                    "duplicate-definition",
                    name_span(db, duplicate_item),
                    format!("`{name}` is declared twice"),
                )
                .with_secondary(
                    crate::diagnostics::Anchor::Item(first_key),
                    name_span(db, first_item),
                    "first declared here",
                )
                .with_help("rename one of them"),
            ));
        }
    }
    out
}

/// Where an item's name is written (item-relative), or its keyword when it has none.
fn name_span(db: &dyn salsa::Database, item: ItemRef<'_>) -> Span {
    parse(db, item).item.name_span().unwrap_or_else(|| Span::new(0, item.kind(db).keyword().len()))
}
