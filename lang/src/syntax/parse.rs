//! Parses one item's text into its AST, reporting every problem as a diagnostic.
//!
//! Before pest sees an item, the item's tokens are checked for lexical errors and for nesting
//! deeper than [`MAX_NESTING`], so that no input can overflow the stack. pest's rule names are
//! translated into the language's own words here and never reach a user.

use pest::Parser;
use pest::iterators::Pair;

use super::ast::*;
use super::grammar::{ConcordParser, Rule};
use super::lexer::{Token, TokenKind, lex};
use super::split::ItemKind;
use crate::diagnostics::Diagnostic;
use crate::num::parse_decimal;

/// The deepest bracket nesting (or run of prefix operators) an item may have.
pub const MAX_NESTING: usize = 64;
/// The most binary operators one item may hold; well past any real provision.
pub const MAX_OPERATORS: usize = 4096;

/// An item's tree and the problems found while reading it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParsedItem {
    pub item: Item,
    pub diagnostics: Vec<Diagnostic>,
}

/// Stack that checking or evaluating one item may need at most: the checker and the evaluator
/// recurse once per nesting level (at most [`MAX_NESTING`]).
pub const STACK_RED_ZONE: usize = 512 << 10;
/// The stack a phase runs on when less than [`STACK_RED_ZONE`] remains.
pub const STACK_SIZE: usize = 8 << 20;
/// Bracket depth up to which pest parses an item on the caller's stack. Deeper items are parsed
/// on a stack of their own, [`DEEP_PARSE_STACK`]: pest recurses about ten rules per bracket, with
/// large frames in debug builds, and the threads of async runtimes and test harnesses have 2 MiB.
pub const SHALLOW_NESTING: usize = 8;
pub const DEEP_PARSE_STACK: usize = if cfg!(debug_assertions) { 32 << 20 } else { 8 << 20 };

/// Runs `f` with at least [`STACK_RED_ZONE`] of stack, growing onto a new segment if needed.
pub fn with_enough_stack<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SIZE, f)
}

/// Parses the text of one item (as cut by the splitter). Never panics.
pub fn parse_item(kind: ItemKind, text: &str) -> ParsedItem {
    with_enough_stack(|| parse_item_here(kind, text))
}

fn parse_item_here(kind: ItemKind, text: &str) -> ParsedItem {
    let tokens = lex(text);
    if kind == ItemKind::Stray {
        let span = Span::new(0, text.len());
        let diagnostic = Diagnostic::error("stray-text", span, "text outside any item")
            .with_label_message("not part of a declaration")
            .with_help("every declaration starts with a keyword such as `term`, `redline` or `obligation`");
        return ParsedItem { item: Item::Error, diagnostics: vec![diagnostic] };
    }
    let mut diagnostics = lexical_errors(text, &tokens);
    diagnostics.extend(size_errors(text, &tokens));
    if !diagnostics.is_empty() {
        return ParsedItem { item: Item::Error, diagnostics };
    }
    let parse = || ConcordParser::parse(Rule::item, text);
    let parsed =
        if bracket_depth(&tokens) > SHALLOW_NESTING { stacker::grow(DEEP_PARSE_STACK, parse) } else { parse() };
    let pairs = match parsed {
        Ok(pairs) => pairs,
        Err(error) => {
            return ParsedItem { item: Item::Error, diagnostics: vec![syntax_error(text, &tokens, &error)] };
        }
    };
    let mut builder = Builder { diagnostics: Vec::new() };
    let item = match pairs.into_iter().next() {
        Some(pair) => builder.item(pair),
        None => Item::Error,
    };
    // A long chain of `+` or comparisons builds a deep tree even without brackets; later phases
    // walk trees recursively, so the depth is bounded here.
    if let Some(span) = too_deep_expression(&item) {
        let diagnostic = Diagnostic::error(
            "nesting-too-deep",
            span,
            format!("this expression nests operators more than {MAX_NESTING} levels deep"),
        )
        .with_help("split the condition into named terms");
        return ParsedItem { item: Item::Error, diagnostics: vec![diagnostic] };
    }
    ParsedItem { item, diagnostics: builder.diagnostics }
}

/// The span of an expression of `item` nested deeper than [`MAX_NESTING`], if any.
fn too_deep_expression(item: &Item) -> Option<Span> {
    let mut roots: Vec<&Expr> = Vec::new();
    let mut exceptions: Vec<&Exception> = Vec::new();
    match item {
        Item::Term(term) => roots.push(&term.body),
        Item::Role(role) => roots.extend([&role.domain, &role.body]),
        Item::Redline(redline) => {
            roots.extend(redline.when.iter());
            exceptions.extend(redline.exceptions.iter());
        }
        Item::Obligation(obligation) => {
            roots.extend(obligation.when.iter());
            roots.extend(obligation.dated.iter());
            exceptions.extend(obligation.exceptions.iter());
            for binder in obligation.for_each.iter().chain(obligation.evidence.iter()) {
                roots.push(&binder.list);
                roots.extend(binder.filter.iter());
            }
            match &obligation.due {
                Some(Due::Within { anchor, .. } | Due::Every { anchor, .. } | Due::Immediately { anchor, .. }) => {
                    roots.push(anchor)
                }
                Some(Due::By { date, .. } | Due::Before { date, .. }) => roots.push(date),
                _ => {}
            }
        }
        Item::Classification(classification) => {
            roots.extend(classification.branches.iter().filter_map(|branch| branch.when.as_ref()));
        }
        _ => {}
    }
    while let Some(exception) = exceptions.pop() {
        roots.extend(exception.when.iter());
        exceptions.extend(exception.exceptions.iter());
    }
    let mut stack: Vec<(&Expr, usize)> = roots.into_iter().map(|root| (root, 1)).collect();
    while let Some((expr, depth)) = stack.pop() {
        if depth > MAX_NESTING {
            return Some(expr.span);
        }
        let next = depth + 1;
        match &expr.kind {
            ExprKind::Call(_, _, args) => stack.extend(args.iter().map(|arg| (arg, next))),
            ExprKind::Field(inner, _) | ExprKind::Not(inner) | ExprKind::Neg(inner) | ExprKind::Present(inner, _) => {
                stack.push((inner, next));
            }
            ExprKind::Set(items) | ExprKind::And(items) | ExprKind::Or(items) => {
                stack.extend(items.iter().map(|item| (item, next)));
            }
            ExprKind::Binary(_, left, right) => stack.extend([(&**left, next), (&**right, next)]),
            ExprKind::Quantified { list, body, .. } => stack.extend([(&**list, next), (&**body, next)]),
            _ => {}
        }
    }
    None
}

fn lexical_errors(text: &str, tokens: &[Token]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for token in tokens {
        let span = Span { start: token.start, end: token.end };
        match token.kind {
            TokenKind::Error => diagnostics.push(
                Diagnostic::error("unknown-character", span, format!("`{}` cannot appear here", token.text(text)))
                    .with_help("Concord source uses letters, digits, `_`, quotes, brackets and the operators `== != < <= > >= + - *`"),
            ),
            TokenKind::UnterminatedString => diagnostics.push(
                Diagnostic::error("unterminated-string", span, "this string has no closing quote")
                    .with_help("strings end on the line they start; add `\"`"),
            ),
            _ => {}
        }
    }
    diagnostics
}

/// The deepest nesting of brackets in an item.
fn bracket_depth(tokens: &[Token]) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for token in tokens {
        match token.kind {
            TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn size_errors(text: &str, tokens: &[Token]) -> Vec<Diagnostic> {
    let mut depth = 0usize;
    let mut prefix_run = 0usize;
    let mut operators = 0usize;
    let mut previous: Option<&Token> = None;
    for token in tokens.iter().filter(|token| !token.is_trivia()) {
        let span = Span { start: token.start, end: token.end };
        match token.kind {
            TokenKind::LBrace | TokenKind::LParen | TokenKind::LBracket => depth += 1,
            TokenKind::RBrace | TokenKind::RParen | TokenKind::RBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
        let is_prefix = (token.kind == TokenKind::Word && token.text(text) == "not")
            || (token.kind == TokenKind::Minus
                && previous.is_none_or(|previous| {
                    !matches!(
                        previous.kind,
                        TokenKind::Word
                            | TokenKind::Number
                            | TokenKind::RParen
                            | TokenKind::RBracket
                            | TokenKind::RBrace
                    ) || previous.is_keyword(text)
                }));
        prefix_run = if is_prefix { prefix_run + 1 } else { 0 };
        let is_operator = matches!(
            token.kind,
            TokenKind::EqEq
                | TokenKind::NotEq
                | TokenKind::Less
                | TokenKind::LessEq
                | TokenKind::Greater
                | TokenKind::GreaterEq
                | TokenKind::Plus
                | TokenKind::Minus
                | TokenKind::Star
        );
        if is_operator {
            operators += 1;
        }
        if depth > MAX_NESTING || prefix_run > MAX_NESTING {
            return vec![
                Diagnostic::error(
                    "nesting-too-deep",
                    span,
                    format!("this is nested more than {MAX_NESTING} levels deep"),
                )
                .with_help("split the condition into named terms"),
            ];
        }
        if operators > MAX_OPERATORS {
            return vec![
                Diagnostic::error(
                    "expression-too-long",
                    span,
                    format!("this declaration has more than {MAX_OPERATORS} operators"),
                )
                .with_help("split the condition into named terms"),
            ];
        }
        previous = Some(token);
    }
    Vec::new()
}

fn syntax_error(text: &str, tokens: &[Token], error: &pest::error::Error<Rule>) -> Diagnostic {
    let position = match error.location {
        pest::error::InputLocation::Pos(pos) => pos,
        pest::error::InputLocation::Span((start, _)) => start,
    };
    let found = tokens.iter().find(|token| token.end as usize > position && !token.is_trivia());
    let (span, found_text) = match found {
        Some(token) => (Span { start: token.start, end: token.end }, format!("`{}`", token.text(text))),
        None => (Span::new(text.len(), text.len()), "the end of the declaration".to_owned()),
    };
    let mut expected: Vec<&str> = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|rule| describe_rule(*rule)).collect()
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    expected.sort_unstable();
    expected.dedup();
    let message = match expected.as_slice() {
        [] => format!("unexpected {found_text}"),
        [one] => format!("expected {one}, found {found_text}"),
        [init @ .., last] => format!("expected {} or {last}, found {found_text}", init.join(", ")),
    };
    let mut diagnostic = Diagnostic::error("syntax-error", span, message);
    let count = |kind: TokenKind| tokens.iter().filter(|token| token.kind == kind).count();
    if found.is_none() && count(TokenKind::LBrace) > count(TokenKind::RBrace) {
        diagnostic = diagnostic.with_help("a `{` is not closed: add `}` at the end of the declaration");
    }
    if found.is_some_and(|token| token.kind == TokenKind::Word && super::lexer::KEYWORDS.contains(&token.text(text))) {
        diagnostic = diagnostic.with_note(format!("{found_text} is a keyword of the language"));
    }
    diagnostic
}

/// The words a drafter would use for what a grammar rule stands for.
fn describe_rule(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::name | Rule::any_name | Rule::word => "a name",
        Rule::dotted => "a dotted name such as `eu.ai_act`",
        Rule::string => "a string in quotes",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::datetime => "a date and time (RFC 3339)",
        Rule::number => "a number",
        Rule::quantity => "a quantity such as `15 days`",
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::cmp_expr
        | Rule::add_expr
        | Rule::mul_expr
        | Rule::unary
        | Rule::postfix
        | Rule::call
        | Rule::call_alias
        | Rule::set_lit
        | Rule::bool_lit
        | Rule::quantifier
        | Rule::q_every
        | Rule::q_some => "an expression",
        Rule::path => "a path such as `system.incidents`",
        Rule::type_expr | Rule::set_type | Rule::list_type => "a type",
        Rule::optional_mark | Rule::kw_optional => "`optional`",
        Rule::op_or | Rule::op_and => "`and` or `or`",
        Rule::op_not => "`not`",
        Rule::cmp_op
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_in
        | Rule::op_not_in
        | Rule::op_contains
        | Rule::op_intersects => "a comparison",
        Rule::add_op | Rule::op_mul => "an operator",
        Rule::presence => "`is present` or `is absent`",
        Rule::EOI => "the end of the declaration",
        Rule::cite_clause | Rule::kw_cite => "`cite`",
        Rule::cite_status | Rule::kw_status => "`status`",
        Rule::cite_verified | Rule::kw_verified => "`verified`",
        Rule::unsure_clause | Rule::kw_unsure => "`unsure`",
        Rule::applies_clause | Rule::kw_applies => "`applies`",
        Rule::kw_from => "`from`",
        Rule::kw_until => "`until`",
        Rule::title_clause | Rule::kw_title => "`title`",
        Rule::jurisdiction_clause | Rule::kw_jurisdiction => "`jurisdiction`",
        Rule::source_clause | Rule::kw_source => "`source`",
        Rule::version_clause | Rule::kw_version => "`version`",
        Rule::periods_clause | Rule::kw_periods => "`periods`",
        Rule::holidays_clause | Rule::kw_holidays => "`holidays`",
        Rule::kw_as => "`as`",
        Rule::forbids_clause | Rule::kw_forbids => "`forbids`",
        Rule::requires_clause | Rule::kw_requires => "`requires`",
        Rule::kw_by => "`by`",
        Rule::when_clause | Rule::kw_when => "`when`",
        Rule::unless_clause | Rule::kw_unless => "`unless`",
        Rule::for_each_clause | Rule::kw_for => "`for each`",
        Rule::kw_each => "`each`",
        Rule::kw_in => "`in`",
        Rule::kw_where => "`where`",
        Rule::evidence_clause | Rule::kw_evidence => "`evidence`",
        Rule::dated_clause | Rule::kw_dated => "`dated`",
        Rule::due_clause | Rule::kw_due => "`due`",
        Rule::due_within | Rule::kw_within => "`within`",
        Rule::due_every => "`every`",
        Rule::due_by => "`by`",
        Rule::due_before | Rule::kw_before => "`before`",
        Rule::due_undue | Rule::kw_without => "`without undue delay`",
        Rule::due_immediately | Rule::kw_immediately => "`immediately`",
        Rule::kw_after => "`after`",
        Rule::endeavour_clause | Rule::kw_endeavour => "`endeavour`",
        Rule::kw_of => "`of`",
        Rule::tier_branch | Rule::kw_tier => "`tier`",
        Rule::otherwise_branch | Rule::kw_otherwise => "`otherwise`",
        Rule::claim => "a claim such as `eu.provider is equivalent to ca.developer`",
        Rule::relation
        | Rule::rel_equivalent
        | Rule::rel_narrower
        | Rule::rel_broader
        | Rule::rel_overlapping
        | Rule::rel_disjoint => {
            "a relation (`equivalent to`, `narrower than`, `broader than`, `overlapping with`, `disjoint from`)"
        }
        Rule::as_of_clause | Rule::kw_as_of => "`as_of`",
        Rule::system_clause | Rule::kw_system => "`system`",
        Rule::expect_clause | Rule::kw_expect => "`expect`",
        Rule::kw_is => "`is`",
        Rule::expected | Rule::one_of => "an expected verdict",
        Rule::object => "`{`",
        Rule::member => "a field such as `name: value`",
        Rule::array => "`[`",
        Rule::neg_number | Rule::null_lit | Rule::bare_word => "a value",
        Rule::field_decl => "a field such as `purposes: set of Purpose`",
        Rule::variant_decl => "a value name",
        Rule::params | Rule::param => "a parameter such as `incident: Incident`",
        Rule::docs | Rule::doc_line => return None,
        Rule::rulebook_item
        | Rule::import_item
        | Rule::unit_item
        | Rule::record_item
        | Rule::enum_item
        | Rule::term_item
        | Rule::role_item
        | Rule::act_item
        | Rule::redline_item
        | Rule::obligation_item
        | Rule::classification_item
        | Rule::mapping_item
        | Rule::example_item => "a declaration",
        _ => return None,
    })
}

/// A pair's span, ending where its last token ends: pest's implicit whitespace before an empty
/// repetition would otherwise stretch it over the blank lines and comments that follow.
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    let mut end = span.start() + pair.as_str().trim_end().len();
    let mut current = pair.clone();
    while let Some(child) = current.clone().into_inner().last() {
        let child_end = child.as_span().end();
        let tail = pair.get_input().get(child_end..end).unwrap_or("");
        if !is_trivia(tail) {
            break;
        }
        end = child.as_span().start() + child.as_str().trim_end().len();
        current = child;
    }
    Span::new(span.start(), end.max(span.start()))
}

/// Whether text is only blank space and `//` comments.
fn is_trivia(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with("//")
    })
}

fn ident(pair: &Pair<'_, Rule>) -> Ident {
    Ident { text: pair.as_str().to_owned(), span: span_of(pair) }
}

fn unquote(pair: &Pair<'_, Rule>) -> String {
    let raw = pair.as_str();
    let body = raw.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')).unwrap_or(raw);
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn is_keyword_rule(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

/// The children of a pair, without keyword tokens.
fn children<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|child| !is_keyword_rule(child.as_rule()))
}

struct Builder {
    diagnostics: Vec<Diagnostic>,
}

impl Builder {
    fn item(&mut self, pair: Pair<'_, Rule>) -> Item {
        match pair.as_rule() {
            Rule::rulebook_item => Item::Rulebook(self.rulebook(pair)),
            Rule::import_item => Item::Import(self.import(pair)),
            Rule::unit_item => Item::Unit(self.unit(pair)),
            Rule::record_item => Item::Record(self.record(pair)),
            Rule::enum_item => Item::Enum(self.enum_decl(pair)),
            Rule::term_item => Item::Term(self.term(pair)),
            Rule::role_item => Item::Role(self.role(pair)),
            Rule::act_item => Item::Act(self.act(pair)),
            Rule::redline_item => Item::Redline(Box::new(self.redline(pair))),
            Rule::obligation_item => Item::Obligation(Box::new(self.obligation(pair))),
            Rule::classification_item => Item::Classification(Box::new(self.classification(pair))),
            Rule::mapping_item => Item::Mapping(self.mapping(pair)),
            Rule::example_item => Item::Example(self.example(pair)),
            _ => Item::Error,
        }
    }

    fn docs(&mut self, pair: Pair<'_, Rule>) -> Option<String> {
        let lines: Vec<String> = pair
            .into_inner()
            .map(|line| {
                let text = line.as_str().trim_start_matches("///");
                text.strip_prefix(' ').unwrap_or(text).trim_end().to_owned()
            })
            .collect();
        if lines.is_empty() { None } else { Some(lines.join("\n")) }
    }

    fn date(&mut self, pair: &Pair<'_, Rule>) -> jiff::civil::Date {
        match pair.as_str().parse::<jiff::civil::Date>() {
            Ok(date) => date,
            Err(_) => {
                self.diagnostics.push(Diagnostic::error(
                    "invalid-date",
                    span_of(pair),
                    format!("`{}` is not a date of the calendar", pair.as_str()),
                ));
                jiff::civil::Date::constant(1970, 1, 1)
            }
        }
    }

    fn datetime(&mut self, pair: &Pair<'_, Rule>) -> jiff::Timestamp {
        match pair.as_str().parse::<jiff::Timestamp>() {
            Ok(timestamp) => timestamp,
            Err(_) => {
                self.diagnostics.push(Diagnostic::error(
                    "invalid-date",
                    span_of(pair),
                    format!("`{}` is not a valid date and time", pair.as_str()),
                ));
                jiff::Timestamp::UNIX_EPOCH
            }
        }
    }

    fn number(&mut self, pair: &Pair<'_, Rule>) -> rust_decimal::Decimal {
        match parse_decimal(pair.as_str()) {
            Ok(value) => value,
            Err(error) => {
                self.diagnostics.push(Diagnostic::error("invalid-number", span_of(pair), error.to_string()));
                rust_decimal::Decimal::ZERO
            }
        }
    }

    /// Adds a meta clause (citation, unsure mark, dates) to `meta`; false if `pair` is no meta clause.
    fn meta_clause(&mut self, meta: &mut Meta, duplicates: &mut Vec<Span>, pair: Pair<'_, Rule>) -> bool {
        match pair.as_rule() {
            Rule::docs => meta.doc = self.docs(pair),
            Rule::cite_clause => {
                let span = span_of(&pair);
                let mut citation = Citation { text: String::new(), status: None, verified: None, span };
                for child in children(pair) {
                    match child.as_rule() {
                        Rule::string => citation.text = unquote(&child),
                        Rule::cite_status => citation.status = children(child).next().map(|name| ident(&name)),
                        Rule::cite_verified => {
                            if let Some(date) = children(child).next() {
                                citation.verified = Some(self.date(&date));
                            }
                        }
                        _ => {}
                    }
                }
                meta.citations.push(citation);
            }
            Rule::unsure_clause => {
                let span = span_of(&pair);
                let reason = children(pair).next().map(|reason| unquote(&reason)).unwrap_or_default();
                meta.unsure.push(Unsure { reason, span });
            }
            Rule::applies_clause => {
                let span = span_of(&pair);
                if meta.applies.is_some() {
                    duplicates.push(span);
                }
                let mut applies = Applies { from: None, until: None, span };
                let mut next_is_until = false;
                for child in pair.into_inner() {
                    match child.as_rule() {
                        Rule::kw_from => next_is_until = false,
                        Rule::kw_until => next_is_until = true,
                        Rule::date if next_is_until => applies.until = Some(self.date(&child)),
                        Rule::date => applies.from = Some(self.date(&child)),
                        _ => {}
                    }
                }
                meta.applies = Some(applies);
            }
            _ => return false,
        }
        true
    }

    fn rulebook(&mut self, pair: Pair<'_, Rule>) -> RulebookHeader {
        let mut header = RulebookHeader {
            id: Ident { text: String::new(), span: Span::default() },
            meta: Meta::default(),
            title: None,
            jurisdiction: None,
            source: None,
            version: None,
            periods: None,
            holidays: Vec::new(),
            duplicates: Vec::new(),
        };
        for child in children(pair) {
            let span = span_of(&child);
            let set_string = |slot: &mut Option<String>, duplicates: &mut Vec<Span>, child: Pair<'_, Rule>| {
                if slot.is_some() {
                    duplicates.push(span);
                }
                *slot = children(child).next().map(|string| unquote(&string));
            };
            match child.as_rule() {
                Rule::dotted => header.id = ident(&child),
                Rule::title_clause => set_string(&mut header.title, &mut header.duplicates, child),
                Rule::jurisdiction_clause => set_string(&mut header.jurisdiction, &mut header.duplicates, child),
                Rule::source_clause => set_string(&mut header.source, &mut header.duplicates, child),
                Rule::version_clause => set_string(&mut header.version, &mut header.duplicates, child),
                Rule::periods_clause => {
                    if header.periods.is_some() {
                        header.duplicates.push(span);
                    }
                    header.periods = children(child).next().map(|name| ident(&name));
                }
                Rule::holidays_clause => {
                    for date in children(child) {
                        let date = self.date(&date);
                        header.holidays.push(date);
                    }
                }
                _ => {
                    self.meta_clause(&mut header.meta, &mut header.duplicates, child);
                }
            }
        }
        header
    }

    fn import(&mut self, pair: Pair<'_, Rule>) -> Import {
        let mut import = Import {
            rulebook: Ident { text: String::new(), span: Span::default() },
            alias: None,
            meta: Meta::default(),
        };
        for child in children(pair) {
            match child.as_rule() {
                Rule::dotted => import.rulebook = ident(&child),
                Rule::name => import.alias = Some(ident(&child)),
                _ => {
                    self.meta_clause(&mut import.meta, &mut Vec::new(), child);
                }
            }
        }
        import
    }

    fn unit(&mut self, pair: Pair<'_, Rule>) -> UnitDecl {
        let mut name = None;
        let mut scale = None;
        let mut base = None;
        let mut meta = Meta::default();
        for child in children(pair) {
            match child.as_rule() {
                Rule::any_name if name.is_none() => name = Some(ident(&child)),
                Rule::any_name => base = Some(ident(&child)),
                Rule::number => scale = Some(self.number(&child)),
                _ => {
                    self.meta_clause(&mut meta, &mut Vec::new(), child);
                }
            }
        }
        UnitDecl {
            name: name.unwrap_or(Ident { text: String::new(), span: Span::default() }),
            definition: scale.zip(base),
            meta,
        }
    }

    fn type_expr(&mut self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = span_of(&pair);
        let Some(inner) = children(pair).next() else {
            return TypeExpr::Named(Ident { text: String::new(), span });
        };
        match inner.as_rule() {
            Rule::set_type | Rule::list_type => {
                let is_set = inner.as_rule() == Rule::set_type;
                let element = match children(inner).next() {
                    Some(element) => self.type_expr(element),
                    None => TypeExpr::Named(Ident { text: String::new(), span }),
                };
                if is_set { TypeExpr::Set(Box::new(element), span) } else { TypeExpr::List(Box::new(element), span) }
            }
            _ => TypeExpr::Named(ident(&inner)),
        }
    }

    fn record(&mut self, pair: Pair<'_, Rule>) -> RecordDecl {
        let mut record = RecordDecl {
            name: Ident { text: String::new(), span: Span::default() },
            fields: Vec::new(),
            meta: Meta::default(),
        };
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => record.name = ident(&child),
                Rule::field_decl => {
                    let mut doc = None;
                    let mut name = None;
                    let mut optional = false;
                    let mut ty = None;
                    for part in children(child) {
                        match part.as_rule() {
                            Rule::docs => doc = self.docs(part),
                            Rule::any_name => name = Some(ident(&part)),
                            Rule::optional_mark => optional = true,
                            Rule::type_expr => ty = Some(self.type_expr(part)),
                            _ => {}
                        }
                    }
                    if let (Some(name), Some(ty)) = (name, ty) {
                        record.fields.push(FieldDecl { name, ty, optional, doc });
                    }
                }
                _ => {
                    self.meta_clause(&mut record.meta, &mut Vec::new(), child);
                }
            }
        }
        record
    }

    fn enum_decl(&mut self, pair: Pair<'_, Rule>) -> EnumDecl {
        let mut decl = EnumDecl {
            name: Ident { text: String::new(), span: Span::default() },
            variants: Vec::new(),
            meta: Meta::default(),
        };
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => decl.name = ident(&child),
                Rule::variant_decl => {
                    let mut doc = None;
                    let mut name = None;
                    for part in children(child) {
                        match part.as_rule() {
                            Rule::docs => doc = self.docs(part),
                            _ => name = Some(ident(&part)),
                        }
                    }
                    if let Some(name) = name {
                        decl.variants.push(Variant { name, doc });
                    }
                }
                _ => {
                    self.meta_clause(&mut decl.meta, &mut Vec::new(), child);
                }
            }
        }
        decl
    }

    fn term(&mut self, pair: Pair<'_, Rule>) -> TermDecl {
        let mut name = None;
        let mut params = Vec::new();
        let mut declared_type = None;
        let mut body = None;
        let mut meta = Meta::default();
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => name = Some(ident(&child)),
                Rule::params => {
                    for param in children(child) {
                        let mut parts = children(param);
                        let param_name = parts.next().map(|part| ident(&part));
                        let ty = parts.next().map(|part| self.type_expr(part));
                        if let (Some(name), Some(ty)) = (param_name, ty) {
                            params.push(Param { name, ty });
                        }
                    }
                }
                Rule::type_expr => declared_type = Some(self.type_expr(child)),
                Rule::expr => body = Some(self.expr(child)),
                _ => {
                    self.meta_clause(&mut meta, &mut Vec::new(), child);
                }
            }
        }
        TermDecl {
            name: name.unwrap_or(Ident { text: String::new(), span: Span::default() }),
            params,
            declared_type,
            body: body.unwrap_or(Expr { kind: ExprKind::Bool(false), span: Span::default() }),
            meta,
        }
    }

    fn role(&mut self, pair: Pair<'_, Rule>) -> RoleDecl {
        let mut names = Vec::new();
        let mut domain = None;
        let mut body = None;
        let mut meta = Meta::default();
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => names.push(ident(&child)),
                Rule::path => domain = Some(self.path(child)),
                Rule::expr => body = Some(self.expr(child)),
                _ => {
                    self.meta_clause(&mut meta, &mut Vec::new(), child);
                }
            }
        }
        let mut names = names.into_iter();
        let empty = Ident { text: String::new(), span: Span::default() };
        RoleDecl {
            name: names.next().unwrap_or(empty.clone()),
            param: names.next().unwrap_or(empty),
            domain: domain.unwrap_or(Expr { kind: ExprKind::Path(Vec::new()), span: Span::default() }),
            body: body.unwrap_or(Expr { kind: ExprKind::Bool(false), span: Span::default() }),
            meta,
        }
    }

    fn act(&mut self, pair: Pair<'_, Rule>) -> ActDecl {
        let mut name = Ident { text: String::new(), span: Span::default() };
        let mut meta = Meta::default();
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => name = ident(&child),
                _ => {
                    self.meta_clause(&mut meta, &mut Vec::new(), child);
                }
            }
        }
        ActDecl { name, meta }
    }

    fn when(&mut self, slot: &mut Option<Expr>, duplicates: &mut Vec<Span>, pair: Pair<'_, Rule>) {
        if slot.is_some() {
            duplicates.push(span_of(&pair));
        }
        *slot = children(pair).next().map(|expr| self.expr(expr));
    }

    fn redline(&mut self, pair: Pair<'_, Rule>) -> Redline {
        let mut redline = Redline {
            name: Ident { text: String::new(), span: Span::default() },
            meta: Meta::default(),
            acts: Vec::new(),
            by: None,
            when: None,
            exceptions: Vec::new(),
            duplicates: Vec::new(),
        };
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => redline.name = ident(&child),
                Rule::forbids_clause => {
                    if !redline.acts.is_empty() {
                        redline.duplicates.push(span_of(&child));
                    }
                    let mut after_by = false;
                    for part in child.into_inner() {
                        match part.as_rule() {
                            Rule::kw_by => after_by = true,
                            Rule::name if after_by => redline.by = Some(ident(&part)),
                            Rule::name => redline.acts.push(ident(&part)),
                            _ => {}
                        }
                    }
                }
                Rule::when_clause => self.when(&mut redline.when, &mut redline.duplicates, child),
                Rule::unless_clause => {
                    let exception = self.exception(child);
                    redline.exceptions.push(exception);
                }
                _ => {
                    self.meta_clause(&mut redline.meta, &mut redline.duplicates, child);
                }
            }
        }
        redline
    }

    fn exception(&mut self, pair: Pair<'_, Rule>) -> Exception {
        let span = span_of(&pair);
        let mut exception = Exception {
            name: Ident { text: String::new(), span },
            meta: Meta::default(),
            when: None,
            exceptions: Vec::new(),
            span,
            duplicates: Vec::new(),
        };
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => exception.name = ident(&child),
                Rule::when_clause => self.when(&mut exception.when, &mut exception.duplicates, child),
                Rule::unless_clause => {
                    let inner = self.exception(child);
                    exception.exceptions.push(inner);
                }
                _ => {
                    self.meta_clause(&mut exception.meta, &mut exception.duplicates, child);
                }
            }
        }
        exception
    }

    fn binder(&mut self, pair: Pair<'_, Rule>) -> Binder {
        let span = span_of(&pair);
        let mut var = Ident { text: String::new(), span };
        let mut list = Expr { kind: ExprKind::Path(Vec::new()), span };
        let mut filter = None;
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => var = ident(&child),
                Rule::path => list = self.path(child),
                Rule::expr => filter = Some(self.expr(child)),
                _ => {}
            }
        }
        Binder { var, list, filter, span }
    }

    fn obligation(&mut self, pair: Pair<'_, Rule>) -> Obligation {
        let mut obligation = Obligation {
            name: Ident { text: String::new(), span: Span::default() },
            meta: Meta::default(),
            act: None,
            by: None,
            when: None,
            for_each: None,
            evidence: None,
            dated: None,
            due: None,
            endeavour: None,
            exceptions: Vec::new(),
            duplicates: Vec::new(),
        };
        for child in children(pair) {
            let span = span_of(&child);
            match child.as_rule() {
                Rule::name => obligation.name = ident(&child),
                Rule::requires_clause => {
                    if obligation.act.is_some() {
                        obligation.duplicates.push(span);
                    }
                    let mut after_by = false;
                    for part in child.into_inner() {
                        match part.as_rule() {
                            Rule::kw_by => after_by = true,
                            Rule::name if after_by => obligation.by = Some(ident(&part)),
                            Rule::name => obligation.act = Some(ident(&part)),
                            _ => {}
                        }
                    }
                }
                Rule::when_clause => self.when(&mut obligation.when, &mut obligation.duplicates, child),
                Rule::unless_clause => {
                    let exception = self.exception(child);
                    obligation.exceptions.push(exception);
                }
                Rule::for_each_clause => {
                    if obligation.for_each.is_some() {
                        obligation.duplicates.push(span);
                    }
                    obligation.for_each = Some(self.binder(child));
                }
                Rule::evidence_clause => {
                    if obligation.evidence.is_some() {
                        obligation.duplicates.push(span);
                    }
                    obligation.evidence = Some(self.binder(child));
                }
                Rule::dated_clause => self.when(&mut obligation.dated, &mut obligation.duplicates, child),
                Rule::due_clause => {
                    if obligation.due.is_some() {
                        obligation.duplicates.push(span);
                    }
                    obligation.due = children(child).next().map(|due| self.due(due));
                }
                Rule::endeavour_clause => {
                    if obligation.endeavour.is_some() {
                        obligation.duplicates.push(span);
                    }
                    obligation.endeavour = Some(span);
                }
                _ => {
                    self.meta_clause(&mut obligation.meta, &mut obligation.duplicates, child);
                }
            }
        }
        obligation
    }

    fn due(&mut self, pair: Pair<'_, Rule>) -> Due {
        let span = span_of(&pair);
        let rule = pair.as_rule();
        let mut parts = children(pair);
        match rule {
            Rule::due_within | Rule::due_every => {
                let mut parts = parts.skip_while(|part| part.as_rule() == Rule::q_every);
                let quantity = parts.next();
                let anchor = parts.next().map(|expr| self.expr(expr));
                let (amount, unit) = match quantity {
                    Some(quantity) => {
                        let mut inner = quantity.into_inner();
                        let amount = inner.next().map(|number| self.number(&number)).unwrap_or_default();
                        let unit = inner.next().map(|unit| ident(&unit));
                        (amount, unit.unwrap_or(Ident { text: String::new(), span }))
                    }
                    None => (rust_decimal::Decimal::ZERO, Ident { text: String::new(), span }),
                };
                let anchor = anchor.unwrap_or(Expr { kind: ExprKind::AsOf, span });
                if rule == Rule::due_every {
                    Due::Every { amount, unit, anchor, span }
                } else {
                    Due::Within { amount, unit, anchor, span }
                }
            }
            Rule::due_by | Rule::due_before => {
                let date = parts.next().map(|expr| self.expr(expr)).unwrap_or(Expr { kind: ExprKind::AsOf, span });
                if rule == Rule::due_by { Due::By { date, span } } else { Due::Before { date, span } }
            }
            Rule::due_immediately => {
                let mut limit = None;
                let mut anchor = None;
                for part in parts {
                    match part.as_rule() {
                        Rule::quantity => {
                            let mut inner = part.into_inner();
                            let amount = inner.next().map(|number| self.number(&number)).unwrap_or_default();
                            let unit = inner.next().map(|unit| ident(&unit));
                            limit = Some((amount, unit.unwrap_or(Ident { text: String::new(), span })));
                        }
                        Rule::expr => anchor = Some(self.expr(part)),
                        _ => {}
                    }
                }
                let anchor = anchor.unwrap_or(Expr { kind: ExprKind::AsOf, span });
                Due::Immediately { limit, anchor, span }
            }
            _ => Due::WithoutUndueDelay { span },
        }
    }

    fn classification(&mut self, pair: Pair<'_, Rule>) -> Classification {
        let mut classification = Classification {
            name: Ident { text: String::new(), span: Span::default() },
            meta: Meta::default(),
            branches: Vec::new(),
            otherwise: None,
            duplicates: Vec::new(),
        };
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => classification.name = ident(&child),
                Rule::tier_branch | Rule::otherwise_branch => {
                    let is_otherwise = child.as_rule() == Rule::otherwise_branch;
                    let span = span_of(&child);
                    let mut branch =
                        Branch { tier: Ident { text: String::new(), span }, when: None, meta: Meta::default(), span };
                    for part in children(child) {
                        match part.as_rule() {
                            Rule::any_name => branch.tier = ident(&part),
                            Rule::expr => branch.when = Some(self.expr(part)),
                            _ => {
                                self.meta_clause(&mut branch.meta, &mut Vec::new(), part);
                            }
                        }
                    }
                    if is_otherwise {
                        if classification.otherwise.is_some() {
                            classification.duplicates.push(span);
                        }
                        classification.otherwise = Some(branch);
                    } else {
                        classification.branches.push(branch);
                    }
                }
                _ => {
                    self.meta_clause(&mut classification.meta, &mut classification.duplicates, child);
                }
            }
        }
        classification
    }

    fn mapping(&mut self, pair: Pair<'_, Rule>) -> Mapping {
        let mut mapping = Mapping {
            name: Ident { text: String::new(), span: Span::default() },
            meta: Meta::default(),
            claims: Vec::new(),
        };
        for child in children(pair) {
            match child.as_rule() {
                Rule::name => mapping.name = ident(&child),
                Rule::claim => {
                    let span = span_of(&child);
                    let mut sides = Vec::new();
                    let mut relation = Relation::Equivalent;
                    let mut meta = Meta::default();
                    for part in children(child) {
                        match part.as_rule() {
                            Rule::dotted => sides.push(ident(&part)),
                            Rule::relation => {
                                relation = match part.into_inner().next().map(|rel| rel.as_rule()) {
                                    Some(Rule::rel_narrower) => Relation::Narrower,
                                    Some(Rule::rel_broader) => Relation::Broader,
                                    Some(Rule::rel_overlapping) => Relation::Overlapping,
                                    Some(Rule::rel_disjoint) => Relation::Disjoint,
                                    _ => Relation::Equivalent,
                                }
                            }
                            _ => {
                                self.meta_clause(&mut meta, &mut Vec::new(), part);
                            }
                        }
                    }
                    let mut sides = sides.into_iter();
                    let empty = Ident { text: String::new(), span };
                    mapping.claims.push(Claim {
                        left: sides.next().unwrap_or(empty.clone()),
                        relation,
                        right: sides.next().unwrap_or(empty),
                        meta,
                        span,
                    });
                }
                _ => {
                    self.meta_clause(&mut mapping.meta, &mut Vec::new(), child);
                }
            }
        }
        mapping
    }

    fn example(&mut self, pair: Pair<'_, Rule>) -> Example {
        let mut example = Example {
            title: Ident { text: String::new(), span: Span::default() },
            doc: None,
            as_of: None,
            system: None,
            expectations: Vec::new(),
            duplicates: Vec::new(),
        };
        for child in children(pair) {
            let span = span_of(&child);
            match child.as_rule() {
                Rule::docs => example.doc = self.docs(child),
                Rule::string => example.title = Ident { text: unquote(&child), span },
                Rule::as_of_clause => {
                    if example.as_of.is_some() {
                        example.duplicates.push(span);
                    }
                    if let Some(date) = children(child).next() {
                        example.as_of = Some((self.date(&date), span));
                    }
                }
                Rule::system_clause => {
                    if example.system.is_some() {
                        example.duplicates.push(span);
                    }
                    if let Some(object) = children(child).next() {
                        let object_span = span_of(&object);
                        example.system = Some((self.json(object), object_span));
                    }
                }
                Rule::expect_clause => {
                    let mut target = None;
                    let mut expected = None;
                    let mut due = None;
                    for part in children(child) {
                        match part.as_rule() {
                            Rule::name => target = Some(ident(&part)),
                            Rule::expected => {
                                let Some(inner) = part.into_inner().next() else { continue };
                                let inner_span = span_of(&inner);
                                expected = Some(match inner.as_rule() {
                                    Rule::bool_lit => Expected::Bool(inner.as_str() == "true", inner_span),
                                    Rule::one_of => {
                                        Expected::OneOf(children(inner).map(|name| ident(&name)).collect(), inner_span)
                                    }
                                    _ => Expected::Word(ident(&inner)),
                                });
                            }
                            Rule::date => due = Some(ExpectedDue::Day(self.date(&part))),
                            Rule::datetime => due = Some(ExpectedDue::Instant(self.datetime(&part))),
                            _ => {}
                        }
                    }
                    if let (Some(target), Some(expected)) = (target, expected) {
                        example.expectations.push(Expectation { target, expected, due, span });
                    }
                }
                _ => {}
            }
        }
        example
    }

    fn json(&mut self, pair: Pair<'_, Rule>) -> JsonValue {
        match pair.as_rule() {
            Rule::object => JsonValue::Object(
                children(pair)
                    .filter_map(|member| {
                        let mut parts = member.into_inner();
                        let key = parts.next()?;
                        let key = match key.as_rule() {
                            Rule::string => Ident { text: unquote(&key), span: span_of(&key) },
                            _ => ident(&key),
                        };
                        let value = parts.next().map_or(JsonValue::Null, |value| self.json(value));
                        Some((key, value))
                    })
                    .collect(),
            ),
            Rule::array => JsonValue::Array(children(pair).map(|value| self.json(value)).collect()),
            Rule::string => JsonValue::String(unquote(&pair)),
            Rule::bare_word => JsonValue::String(pair.as_str().to_owned()),
            Rule::date | Rule::datetime | Rule::quantity => {
                JsonValue::String(pair.as_str().split_whitespace().collect::<Vec<_>>().join(" "))
            }
            Rule::number | Rule::neg_number => JsonValue::Number(pair.as_str().replace('_', "")),
            Rule::bool_lit => JsonValue::Bool(pair.as_str() == "true"),
            _ => JsonValue::Null,
        }
    }

    fn path(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let segments = pair.into_inner().map(|segment| ident(&segment)).collect();
        Expr { kind: ExprKind::Path(segments), span }
    }

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        stacker::maybe_grow(128 << 10, 4 << 20, || self.expr_here(pair))
    }

    fn expr_here(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        match pair.as_rule() {
            Rule::expr => match pair.into_inner().next() {
                Some(inner) => self.expr(inner),
                None => Expr { kind: ExprKind::Bool(false), span },
            },
            Rule::or_expr | Rule::and_expr => {
                let is_or = pair.as_rule() == Rule::or_expr;
                let operands: Vec<Expr> = pair
                    .into_inner()
                    .filter(|part| !matches!(part.as_rule(), Rule::op_or | Rule::op_and))
                    .map(|part| self.expr(part))
                    .collect();
                if operands.len() == 1 {
                    return operands.into_iter().next().unwrap_or(Expr { kind: ExprKind::Bool(false), span });
                }
                let kind = if is_or { ExprKind::Or(operands) } else { ExprKind::And(operands) };
                Expr { kind, span }
            }
            Rule::not_expr | Rule::unary => {
                let parts: Vec<Pair<'_, Rule>> = pair.into_inner().collect();
                let mut result = Expr { kind: ExprKind::Bool(false), span };
                let mut operators = Vec::new();
                for part in parts {
                    match part.as_rule() {
                        Rule::op_not | Rule::op_neg => operators.push(span_of(&part)),
                        _ => result = self.expr(part),
                    }
                }
                for operator in operators.into_iter().rev() {
                    let span = operator.cover(result.span);
                    let kind = if operator.end - operator.start == 1 {
                        ExprKind::Neg(Box::new(result))
                    } else {
                        ExprKind::Not(Box::new(result))
                    };
                    result = Expr { kind, span };
                }
                result
            }
            Rule::cmp_expr => {
                let mut parts = pair.into_inner();
                let Some(first) = parts.next() else { return Expr { kind: ExprKind::Bool(false), span } };
                let left = self.expr(first);
                match parts.next() {
                    None => left,
                    Some(part) if part.as_rule() == Rule::presence => {
                        let present = part.into_inner().any(|inner| inner.as_rule() == Rule::p_present);
                        Expr { kind: ExprKind::Present(Box::new(left), present), span }
                    }
                    Some(operator) => {
                        let op = match operator.into_inner().next().map(|op| op.as_rule()) {
                            Some(Rule::op_eq) => BinOp::Eq,
                            Some(Rule::op_ne) => BinOp::Ne,
                            Some(Rule::op_lt) => BinOp::Lt,
                            Some(Rule::op_le) => BinOp::Le,
                            Some(Rule::op_gt) => BinOp::Gt,
                            Some(Rule::op_ge) => BinOp::Ge,
                            Some(Rule::op_in) => BinOp::In,
                            Some(Rule::op_not_in) => BinOp::NotIn,
                            Some(Rule::op_contains) => BinOp::Contains,
                            _ => BinOp::Intersects,
                        };
                        let right = match parts.next() {
                            Some(right) => self.expr(right),
                            None => Expr { kind: ExprKind::Bool(false), span },
                        };
                        Expr { kind: ExprKind::Binary(op, Box::new(left), Box::new(right)), span }
                    }
                }
            }
            Rule::add_expr | Rule::mul_expr => {
                let mut parts = pair.into_inner();
                let Some(first) = parts.next() else { return Expr { kind: ExprKind::Bool(false), span } };
                let mut result = self.expr(first);
                while let Some(operator) = parts.next() {
                    let op = match operator.as_str() {
                        "+" => BinOp::Add,
                        "-" => BinOp::Sub,
                        _ => BinOp::Mul,
                    };
                    let Some(right) = parts.next() else { break };
                    let right = self.expr(right);
                    let span = result.span.cover(right.span);
                    result = Expr { kind: ExprKind::Binary(op, Box::new(result), Box::new(right)), span };
                }
                result
            }
            Rule::postfix => {
                let mut parts = pair.into_inner();
                let Some(first) = parts.next() else { return Expr { kind: ExprKind::Bool(false), span } };
                let mut result = self.expr(first);
                for field in parts {
                    let field = ident(&field);
                    let span = result.span.cover(field.span);
                    result = match result.kind {
                        ExprKind::Path(mut segments) if segments.len() == 1 || is_plain_path(&segments) => {
                            segments.push(field);
                            Expr { kind: ExprKind::Path(segments), span }
                        }
                        kind => Expr { kind: ExprKind::Field(Box::new(Expr { kind, span: result.span }), field), span },
                    };
                }
                result
            }
            Rule::name => Expr { kind: ExprKind::Path(vec![ident(&pair)]), span },
            Rule::path => self.path(pair),
            Rule::call => {
                let mut parts = pair.into_inner().peekable();
                let alias = parts
                    .next_if(|part| part.as_rule() == Rule::call_alias)
                    .and_then(|alias| alias.into_inner().next())
                    .map(|alias| ident(&alias));
                let name = parts.next().map(|name| ident(&name)).unwrap_or(Ident { text: String::new(), span });
                let args = parts.map(|arg| self.expr(arg)).collect();
                Expr { kind: ExprKind::Call(alias, name, args), span }
            }
            Rule::set_lit => {
                Expr { kind: ExprKind::Set(pair.into_inner().map(|element| self.expr(element)).collect()), span }
            }
            Rule::bool_lit => Expr { kind: ExprKind::Bool(pair.as_str() == "true"), span },
            Rule::kw_as_of => Expr { kind: ExprKind::AsOf, span },
            Rule::number => Expr { kind: ExprKind::Number(self.number(&pair)), span },
            Rule::quantity => {
                let mut parts = pair.into_inner();
                let amount = parts.next().map(|number| self.number(&number)).unwrap_or_default();
                let unit = parts.next().map(|unit| ident(&unit)).unwrap_or(Ident { text: String::new(), span });
                Expr { kind: ExprKind::Quantity(amount, unit), span }
            }
            Rule::string => Expr { kind: ExprKind::Str(unquote(&pair)), span },
            Rule::date => Expr { kind: ExprKind::Date(self.date(&pair)), span },
            Rule::datetime => Expr { kind: ExprKind::DateTime(self.datetime(&pair)), span },
            Rule::quantifier => {
                let mut quantifier = Quantifier::Every;
                let mut var = Ident { text: String::new(), span };
                let mut list = Expr { kind: ExprKind::Path(Vec::new()), span };
                let mut body = Expr { kind: ExprKind::Bool(false), span };
                for part in children(pair) {
                    match part.as_rule() {
                        Rule::q_every => quantifier = Quantifier::Every,
                        Rule::q_some => quantifier = Quantifier::Some,
                        Rule::name => var = ident(&part),
                        Rule::path => list = self.path(part),
                        Rule::expr => body = self.expr(part),
                        _ => {}
                    }
                }
                Expr {
                    kind: ExprKind::Quantified { quantifier, var, list: Box::new(list), body: Box::new(body) },
                    span,
                }
            }
            _ => Expr { kind: ExprKind::Bool(false), span },
        }
    }
}

fn is_plain_path(segments: &[Ident]) -> bool {
    !segments.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(kind: ItemKind, text: &str) -> ParsedItem {
        parse_item(kind, text)
    }

    #[test]
    fn a_redline_with_nested_exceptions_parses() {
        let parsed = parse(
            ItemKind::Redline,
            r#"/// Doc.
redline social_scoring {
  cite "Art. 5(1)(c)" status binding verified 2026-11-01
  applies from 2025-02-02
  forbids use by deployer
  when system.purposes contains social_scoring and not system.research_only
  unless research {
    when system.research_only
    unless commercial { when system.commercial }
  }
}"#,
        );
        assert_eq!(parsed.diagnostics, vec![]);
        let Item::Redline(redline) = parsed.item else { panic!("not a redline") };
        assert_eq!(redline.name.text, "social_scoring");
        assert_eq!(redline.meta.doc.as_deref(), Some("Doc."));
        assert_eq!(redline.exceptions[0].exceptions[0].name.text, "commercial");
        assert!(matches!(redline.when.map(|when| when.kind), Some(ExprKind::And(_))));
    }

    #[test]
    fn a_missing_expression_names_what_was_expected() {
        let parsed = parse(ItemKind::Term, "term big = system.x >");
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].code, "syntax-error");
        assert!(parsed.diagnostics[0].message.contains("expected"), "{}", parsed.diagnostics[0].message);
        assert!(!parsed.diagnostics[0].message.contains("add_expr"));
    }

    #[test]
    fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
        let text = format!("term deep = {}true{}", "(".repeat(100_000), ")".repeat(100_000));
        let parsed = parse(ItemKind::Term, &text);
        assert_eq!(parsed.diagnostics[0].code, "nesting-too-deep");
        let text = format!("term deep = {}true", "not ".repeat(100_000));
        assert_eq!(parse(ItemKind::Term, &text).diagnostics[0].code, "nesting-too-deep");
    }

    #[test]
    fn a_long_chain_of_additions_is_a_diagnostic_not_a_stack_overflow() {
        let text = format!("term sum = 0{}", " + 1".repeat(3_000));
        assert_eq!(parse(ItemKind::Term, &text).diagnostics[0].code, "nesting-too-deep");
        let text = format!("term sum = 0{}", " + 1".repeat(40));
        assert_eq!(parse(ItemKind::Term, &text).diagnostics, vec![]);
    }

    #[test]
    fn quantities_and_dates_are_literals() {
        let parsed = parse(ItemKind::Term, "term big = system.compute > 1e25 FLOP and system.date >= 2025-02-02");
        assert_eq!(parsed.diagnostics, vec![]);
    }
}
