//! Syntax: lexer, item splitter, grammar and parser. Knows nothing of salsa, names or types.

pub mod ast;
pub mod lexer;
pub mod parse;
pub mod split;

mod grammar {
    //! The pest parser generated from `grammar.pest`; its `Rule` enum stays in this module so it
    //! never clashes with the language's own notion of a rule.
    #[derive(pest_derive::Parser)]
    #[grammar = "syntax/grammar.pest"]
    pub struct ConcordParser;
}
