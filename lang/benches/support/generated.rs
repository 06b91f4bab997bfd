//! Generated rulebooks and a description for benchmarks and tests: `lang/benches/engine.rs`,
//! the allocation test `lang/tests/no_alloc.rs`, and the language server's `lsp/benches/latency.rs`
//! (each includes this file by path), so all of them measure the same rules.

use std::fmt::Write;

const PURPOSES: &[&str] = &[
    "social_scoring",
    "employment_screening",
    "credit_scoring",
    "law_enforcement",
    "biometric_identification",
    "education_assessment",
    "migration_control",
    "medical_device",
    "chatbot",
    "content_generation",
];

/// A rulebook `id` of `n_redlines` redlines (one in three with an exception, one in nine with an
/// exception of the exception), a classification and obligations, over the standard lexicon.
pub fn generated_rulebook(id: &str, n_redlines: usize, n_obligations: usize) -> String {
    let mut text =
        format!("rulebook {id} {{\n  title \"Generated\"\n  applies from 2024-01-01\n}}\n\nimport std.lexicon\n\n");
    text.push_str("term total_compute: FLOP = system.model.training_compute.pretraining + system.model.training_compute.fine_tuning\n  cite \"Art. 1\"\n\n");
    for idx in 0..n_redlines {
        let purpose = PURPOSES[idx % PURPOSES.len()];
        let threshold = 10 + (idx % 15);
        let _ = write!(
            text,
            "/// Generated redline {idx}.\nredline rule_{idx} {{\n  cite \"Art. {idx}\" status binding verified 2026-11-01\n  applies from 2025-02-02\n  forbids use\n  when system.purposes contains {purpose} and total_compute > 1e{threshold} FLOP and system.deployment.publicly_accessible_spaces\n"
        );
        if idx % 3 == 0 {
            let _ = write!(
                text,
                "  unless research_{idx} {{\n    cite \"Art. {idx}(2)\"\n    when system.purposes contains scientific_research\n"
            );
            if idx % 9 == 0 {
                let _ = writeln!(text, "    unless public_{idx} {{ when system.deployment.real_time }}");
            }
            text.push_str("  }\n");
        }
        text.push_str("}\n\n");
    }
    text.push_str("classification level {\n  cite \"Art. 6\"\n");
    for (idx, purpose) in PURPOSES.iter().enumerate() {
        let _ = writeln!(text, "  tier t{idx} when system.purposes contains {purpose}");
    }
    text.push_str("  otherwise none\n}\n\n");
    text.push_str("role provider(party in system.parties) = party.develops and party.markets_under_own_name\n  cite \"Art. 3(3)\"\n\n");
    for idx in 0..n_obligations {
        let _ = write!(
            text,
            "obligation duty_{idx} {{\n  cite \"Art. 73({idx})\"\n  requires placing_on_market by provider\n  when level == t{}\n  for each incident in system.incidents where incident.serious\n  evidence report in system.incident_reports where report.incident == incident.id\n  dated report.submitted_on\n  due within {} days of incident.aware_at\n}}\n\n",
            idx % PURPOSES.len(),
            2 + idx % 20
        );
    }
    text
}

pub const SYSTEM: &str = r#"{
  "model": { "general_purpose": true, "open_weights": false,
             "training_compute": { "pretraining": 3e24, "fine_tuning": 1e22 } },
  "parties": [ { "name": "Acme", "develops": true, "markets_under_own_name": true, "uses": false } ],
  "purposes": ["credit_scoring", "chatbot"],
  "deployment": { "jurisdictions": ["EU"], "publicly_accessible_spaces": true, "real_time": false },
  "interacts_with_people": true, "generates_synthetic_content": false,
  "placed_on_market_on": "2026-03-01",
  "incidents": [ { "id": "i1", "aware_at": "2026-09-01", "serious": true } ],
  "incident_reports": [ { "incident": "i1", "submitted_on": "2026-09-10" } ],
  "registrations": [], "assessments": []
}"#;
