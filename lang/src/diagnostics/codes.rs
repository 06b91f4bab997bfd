//! The registry of diagnostic codes. Each code is stable once released and has a page in
//! `docs/diagnostics/<code>.md`; a test checks that every code here has its page and that every
//! page's example produces its code.

/// Every code with a one-line summary, in the order the documentation lists them.
pub const CODES: &[(&str, &str)] = &[
    ("syntax-error", "the text does not follow the grammar of an item"),
    ("unterminated-string", "a string has no closing quote on its line"),
    ("unknown-character", "a character that cannot appear in Concord source"),
    ("nesting-too-deep", "brackets or prefix operators nested deeper than the language allows"),
    ("expression-too-long", "an item has more operators than the language allows"),
    ("stray-text", "text outside any item"),
    ("duplicate-clause", "a clause given twice in one declaration"),
    ("missing-clause", "a declaration lacks a clause it needs"),
    ("invalid-number", "a number that is malformed or out of range"),
    ("invalid-date", "a date that does not exist or is malformed"),
    ("missing-rulebook-header", "a file has no `rulebook` header"),
    ("duplicate-rulebook-header", "a file has more than one `rulebook` header"),
    ("duplicate-rulebook-id", "two files declare the same rulebook id"),
    ("unknown-rulebook", "an import names a rulebook that is not loaded"),
    ("import-cycle", "rulebooks import each other in a cycle"),
    ("duplicate-definition", "a name is declared twice"),
    ("unknown-name", "a name that is not declared or imported"),
    ("ambiguous-name", "a name declared by two imported rulebooks"),
    ("unknown-type", "a type that is not declared or built in"),
    ("unknown-unit", "a unit that is not declared or built in"),
    ("unknown-field", "a field that the record does not have"),
    ("unknown-variant", "a value that the enum does not have"),
    ("term-cycle", "a term that is defined through itself"),
    ("type-mismatch", "a value of the wrong type"),
    ("unit-mismatch", "quantities of different dimensions compared or added"),
    ("not-a-role", "`by` names something that is not a role"),
    ("unknown-act", "an act that is not declared or built in"),
    ("wrong-argument-count", "a term applied to the wrong number of arguments"),
    ("classification-not-exhaustive", "a classification without an `otherwise` branch"),
    ("unknown-status", "a citation status that the language does not know"),
    ("guidance-only-citation", "a provision whose only sources are guidance or commentary"),
    ("missing-citation", "a provision without a citation"),
    ("invalid-period-convention", "a period convention that the language does not know"),
    ("evidence-date-required", "a deadline without a `dated` clause saying when evidence was given"),
    ("endeavour-without-effect", "`endeavour` on a duty that no evidence can leave violated anyway"),
    ("invalid-applies", "an `applies` range that ends before it starts"),
    ("unknown-expectation", "an example expects a verdict the target cannot have"),
    ("invalid-example-system", "an example's system is not a valid description"),
    ("mapping-kind-mismatch", "a mapping claim relates things of different kinds or types"),
];

pub fn summary(code: &str) -> Option<&'static str> {
    CODES.iter().find(|(name, _)| *name == code).map(|(_, summary)| *summary)
}
