//! The policy in each engine's language: the 18-rule slice of the EU AI Act from `policy/`,
//! plus `n` synthetic redlines generated equivalently for every engine.

use std::fmt::Write;

use crate::cases::{PURPOSES, Rng, SYSTEMIC_THRESHOLD_EFLOP, flop_text};

pub const CONCORD: &str = include_str!("../policy/eu_slice.concord");
pub const CEDAR: &str = include_str!("../policy/eu_slice.cedar");
pub const CEDAR_SCHEMA: &str = include_str!("../policy/eu_slice.cedarschema");
pub const REGO: &str = include_str!("../policy/eu_slice.rego");

/// A synthetic redline: it holds when the system has `purpose`, was trained with more than
/// `threshold_eflop`, and is not deployed in publicly accessible spaces.
#[derive(Debug, Clone, Copy)]
pub struct ExtraRule {
    pub purpose: usize,
    pub threshold_eflop: u64,
}

impl ExtraRule {
    pub fn holds(&self, purposes: u32, compute_eflop: u64, public_spaces: bool) -> bool {
        purposes & (1 << self.purpose) != 0 && compute_eflop > self.threshold_eflop && !public_spaces
    }
}

/// The policy with `n_extra` synthetic redlines, in every engine's language.
pub struct Policy {
    pub extras: Vec<ExtraRule>,
    pub concord: String,
    pub cedar: String,
    pub rego: String,
}

impl Policy {
    pub fn new(n_extra: usize) -> Policy {
        let mut rng = Rng::new(0xC0DE + n_extra as u64);
        let extras: Vec<ExtraRule> = (0..n_extra)
            .map(|_| ExtraRule {
                purpose: rng.below(PURPOSES.len() as u64) as usize,
                threshold_eflop: rng.below(3 * SYSTEMIC_THRESHOLD_EFLOP),
            })
            .collect();
        let mut concord = String::from(CONCORD);
        let mut cedar = String::from(CEDAR);
        let mut rego = String::from(REGO);
        for (idx, rule) in extras.iter().enumerate() {
            let purpose = PURPOSES[rule.purpose];
            let flop = flop_text(rule.threshold_eflop);
            let eflop = rule.threshold_eflop;
            let _ = write!(
                concord,
                "\nredline extra_{idx} {{\n  cite \"Synthetic {idx}\"\n  forbids use\n  \
                 when system.purposes contains {purpose} and system.model.training_compute > {flop} FLOP\n    \
                 and not system.deployment.public_spaces\n}}\n"
            );
            let _ = write!(
                cedar,
                "\n@id(\"extra_{idx}\")\nforbid (principal, action == Action::\"decide\", resource is System)\n\
                 when {{ resource.purposes.contains(\"{purpose}\") && resource.model.compute_eflop > {eflop} && \
                 !resource.deployment.public_spaces }};\n"
            );
            let _ = write!(
                rego,
                "\nredline contains \"extra_{idx}\" if {{\n\t\"{purpose}\" in input.purposes\n\t\
                 input.model.training_compute > to_number(\"{flop}\")\n\tnot input.deployment.public_spaces\n}}\n"
            );
        }
        Policy { extras, concord, cedar, rego }
    }

    /// The number of rules: eight redlines, eight Annex III areas, the Art. 6(3) exception and
    /// the Art. 51(2) presumption, and the synthetic redlines.
    pub fn n_rules(&self) -> usize {
        18 + self.extras.len()
    }
}
