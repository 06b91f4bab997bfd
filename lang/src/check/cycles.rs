//! Finds terms, roles and classifications defined through themselves, before any query could
//! recurse: references are collected from the syntax alone and the graph is searched for cycles.

use std::collections::{BTreeMap, BTreeSet};

use crate::db::{DeclKey, ItemRef, Lookup, decl_key, items, parse, scope, workspace_files};
use crate::syntax::ast::{Branch, Expr, ExprKind, Item};
use crate::syntax::split::ItemKind;

/// The declarations an item's expressions name (terms, roles, classifications), resolved.
#[salsa::tracked(returns(ref))]
pub fn item_references<'db>(db: &'db dyn salsa::Database, item: ItemRef<'db>) -> Vec<DeclKey> {
    let mut exprs: Vec<&Expr> = Vec::new();
    let parsed = parse(db, item);
    match &parsed.item {
        Item::Term(term) => exprs.push(&term.body),
        Item::Role(role) => {
            exprs.push(&role.body);
            exprs.push(&role.domain);
        }
        Item::Classification(classification) => {
            exprs.extend(classification.branches.iter().filter_map(|branch: &Branch| branch.when.as_ref()));
        }
        _ => return Vec::new(),
    }
    let file = item.file(db);
    let file_scope = scope(db, file);
    let mut names: BTreeSet<(Option<String>, String)> = BTreeSet::new();
    let mut stack = exprs;
    while let Some(expr) = stack.pop() {
        match &expr.kind {
            ExprKind::Path(segments) => {
                if let Some(first) = segments.first() {
                    let qualified = segments.get(1).filter(|_| file_scope.aliases.contains_key(&first.text));
                    match qualified {
                        Some(second) => names.insert((Some(first.text.clone()), second.text.clone())),
                        None => names.insert((None, first.text.clone())),
                    };
                }
            }
            ExprKind::Call(alias, name, args) => {
                let alias = alias.as_ref().filter(|alias| file_scope.aliases.contains_key(&alias.text));
                names.insert((alias.map(|alias| alias.text.clone()), name.text.clone()));
                stack.extend(args.iter());
            }
            ExprKind::Field(base, _) | ExprKind::Not(base) | ExprKind::Neg(base) | ExprKind::Present(base, _) => {
                stack.push(base)
            }
            ExprKind::And(operands) | ExprKind::Or(operands) | ExprKind::Set(operands) => stack.extend(operands.iter()),
            ExprKind::Binary(_, left, right) => {
                stack.push(left);
                stack.push(right);
            }
            ExprKind::Quantified { list, body, .. } => {
                stack.push(list);
                stack.push(body);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (alias, name) in names {
        let lookup = match alias.and_then(|alias| file_scope.aliases.get(&alias).copied()) {
            Some(target) => match crate::db::declarations(db, target).get(&name).and_then(|keys| keys.first()) {
                Some(key) => Lookup::Found(key.clone()),
                None => Lookup::NotFound,
            },
            None => file_scope.lookup(&name),
        };
        if let Lookup::Found(key) = lookup
            && matches!(key.kind, ItemKind::Term | ItemKind::Role | ItemKind::Classification)
        {
            out.push(key);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every term, role and classification that lies on a cycle of references.
#[salsa::tracked(returns(ref))]
pub fn declarations_in_cycles(db: &dyn salsa::Database) -> BTreeSet<DeclKey> {
    let mut graph: BTreeMap<DeclKey, Vec<DeclKey>> = BTreeMap::new();
    for file in workspace_files(db) {
        for item in items(db, file).iter().copied() {
            if matches!(item.kind(db), ItemKind::Term | ItemKind::Role | ItemKind::Classification) {
                graph.insert(decl_key(db, item), item_references(db, item).clone());
            }
        }
    }
    strongly_connected_cycles(&graph)
}

/// Nodes on a cycle (in a strongly connected component of two or more nodes, or with a self
/// edge), by Kosaraju's algorithm with explicit stacks so no input can overflow the call stack.
fn strongly_connected_cycles(graph: &BTreeMap<DeclKey, Vec<DeclKey>>) -> BTreeSet<DeclKey> {
    let nodes: Vec<&DeclKey> = graph.keys().collect();
    let index: BTreeMap<&DeclKey, usize> = nodes.iter().enumerate().map(|(idx, key)| (*key, idx)).collect();
    let edges: Vec<Vec<usize>> = nodes
        .iter()
        .map(|key| {
            graph.get(*key).map_or_else(Vec::new, |targets| {
                targets.iter().filter_map(|target| index.get(target).copied()).collect()
            })
        })
        .collect();
    let mut reverse: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (from, targets) in edges.iter().enumerate() {
        for to in targets {
            if let Some(list) = reverse.get_mut(*to) {
                list.push(from);
            }
        }
    }
    // First pass: order by finishing time.
    let mut visited = vec![false; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    for start in 0..nodes.len() {
        if visited.get(start).copied().unwrap_or(true) {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        if let Some(flag) = visited.get_mut(start) {
            *flag = true;
        }
        while let Some((node, next_edge)) = stack.pop() {
            match edges.get(node).and_then(|targets| targets.get(next_edge)) {
                Some(&target) => {
                    stack.push((node, next_edge + 1));
                    if !visited.get(target).copied().unwrap_or(true) {
                        if let Some(flag) = visited.get_mut(target) {
                            *flag = true;
                        }
                        stack.push((target, 0));
                    }
                }
                None => order.push(node),
            }
        }
    }
    // Second pass: components on the reversed graph.
    let mut component = vec![usize::MAX; nodes.len()];
    let mut sizes = Vec::new();
    for &start in order.iter().rev() {
        if component.get(start).copied() != Some(usize::MAX) {
            continue;
        }
        let id = sizes.len();
        sizes.push(0usize);
        let mut stack = vec![start];
        if let Some(slot) = component.get_mut(start) {
            *slot = id;
        }
        while let Some(node) = stack.pop() {
            if let Some(size) = sizes.get_mut(id) {
                *size += 1;
            }
            for &source in reverse.get(node).map_or(&[][..], Vec::as_slice) {
                if component.get(source).copied() == Some(usize::MAX) {
                    if let Some(slot) = component.get_mut(source) {
                        *slot = id;
                    }
                    stack.push(source);
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    for (idx, key) in nodes.iter().enumerate() {
        let comp = component.get(idx).copied().unwrap_or(usize::MAX);
        let big = sizes.get(comp).copied().unwrap_or(0) > 1;
        let self_edge = edges.get(idx).is_some_and(|targets| targets.contains(&idx));
        if big || self_edge {
            out.insert((*key).clone());
        }
    }
    out
}
