//! Runs a rulebook's `example` blocks: each inline system is evaluated as of the example's own
//! date, and every expectation is compared with the verdict that came out.

use serde::Serialize;

use super::{EvalOptions, evaluate, evaluate_term};
use crate::ir::{CompiledRulebook, IrExpected, SourceLocation};
use crate::syntax::split::ItemKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleOutcome {
    pub rulebook: String,
    pub example: String,
    pub location: Option<SourceLocation>,
    pub passed: bool,
    pub failures: Vec<ExpectationFailure>,
    pub n_expectations: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectationFailure {
    pub target: String,
    pub expected: String,
    pub actual: String,
    /// What decided the actual verdict, when the verdict explains itself.
    pub explanation: Vec<String>,
    pub missing_facts: Vec<String>,
}

pub fn run_examples(rulebook: &CompiledRulebook) -> Vec<ExampleOutcome> {
    rulebook
        .examples
        .iter()
        .map(|example| {
            let verdicts = evaluate(rulebook, &example.system, example.as_of, EvalOptions { explain: true });
            let mut failures = Vec::new();
            for expectation in &example.expectations {
                let (actual, explanation, missing) = match expectation.target_kind {
                    ItemKind::Redline => {
                        match verdicts.redlines.iter().find(|verdict| verdict.redline == expectation.target) {
                            Some(verdict) => {
                                let mut actual = verdict.verdict.as_str().to_owned();
                                if let Some(exception) = &verdict.exception {
                                    actual.push_str(&format!(" (by exception `{exception}`)"));
                                }
                                (Some(actual), verdict.basis.explanation.clone(), verdict.basis.missing_facts.clone())
                            }
                            None => (None, Vec::new(), Vec::new()),
                        }
                    }
                    ItemKind::Obligation => {
                        match verdicts.obligations.iter().find(|verdict| verdict.obligation == expectation.target) {
                            Some(verdict) => {
                                let mut actual = verdict.verdict.as_str().to_owned();
                                if let Some(due) = &verdict.due {
                                    actual.push_str(&format!(" due {due}"));
                                }
                                (Some(actual), verdict.basis.explanation.clone(), verdict.basis.missing_facts.clone())
                            }
                            None => (None, Vec::new(), Vec::new()),
                        }
                    }
                    ItemKind::Classification => match verdicts
                        .classifications
                        .iter()
                        .find(|verdict| verdict.classification == expectation.target)
                    {
                        Some(verdict) => {
                            let actual = match &verdict.tier {
                                Some(tier) => tier.clone(),
                                None if verdict.not_in_force => "not_in_force".to_owned(),
                                None => format!("one of {{{}}}", verdict.possible.join(", ")),
                            };
                            (Some(actual), verdict.basis.explanation.clone(), verdict.basis.missing_facts.clone())
                        }
                        None => (None, Vec::new(), Vec::new()),
                    },
                    _ => match evaluate_term(rulebook, &example.system, example.as_of, &expectation.target) {
                        Some((value, missing)) => (Some(value.as_str().to_owned()), Vec::new(), missing),
                        None => (None, Vec::new(), Vec::new()),
                    },
                };
                let expected = match &expectation.expected {
                    IrExpected::Word(word) | IrExpected::Tier(word) => word.clone(),
                    IrExpected::OneOf(words) => {
                        let mut words = words.clone();
                        words.sort();
                        format!("one of {{{}}}", words.join(", "))
                    }
                };
                let actual_text = actual.unwrap_or_else(|| "nothing (not evaluated by this rulebook)".to_owned());
                let matches = match &expectation.expected {
                    IrExpected::OneOf(_) => {
                        let normalise = |text: &str| {
                            let mut words: Vec<String> = text
                                .trim_start_matches("one of {")
                                .trim_end_matches('}')
                                .split(", ")
                                .map(str::to_owned)
                                .collect();
                            words.sort();
                            words
                        };
                        normalise(&actual_text) == normalise(&expected)
                    }
                    _ => {
                        let word = actual_text.split(' ').next().unwrap_or("");
                        let due_ok = match &expectation.due {
                            Some(due) => actual_text.ends_with(&format!("due {due}")),
                            None => true,
                        };
                        word == expected && due_ok
                    }
                };
                if !matches {
                    let expected = match &expectation.due {
                        Some(due) => format!("{expected} due {due}"),
                        None => expected,
                    };
                    failures.push(ExpectationFailure {
                        target: expectation.target.clone(),
                        expected,
                        actual: actual_text,
                        explanation,
                        missing_facts: missing,
                    });
                }
            }
            ExampleOutcome {
                rulebook: rulebook.id.clone(),
                example: example.title.clone(),
                location: example.location.clone(),
                passed: failures.is_empty(),
                failures,
                n_expectations: example.expectations.len(),
            }
        })
        .collect()
}
