//! The floor: the same three verdicts computed by a hand-written Rust function, from a typed
//! struct (pre-parsed) or from JSON text deserialized by serde into typed structs (so it
//! validates the same fields the engines read).

use serde::Deserialize;

use crate::Verdicts;
use crate::cases::{Case, PURPOSES, SYSTEMIC_THRESHOLD_EFLOP};
use crate::policy::ExtraRule;

/// The policy as a function of a typed description.
pub fn decide(case: &Case, extras: &[ExtraRule]) -> Verdicts {
    let has = |purpose: P| case.purposes & (1 << purpose as u32) != 0;
    let art5 = has(P::SubliminalManipulation)
        | has(P::ExploitingVulnerabilities)
        | has(P::SocialScoring)
        | (has(P::CrimePrediction) & case.profiles_persons)
        | has(P::FacialScraping)
        | (has(P::EmotionRecognition) & (case.workplace | case.education) & !case.medical_or_safety)
        | (has(P::BiometricCategorisation) & case.infers_sensitive_attributes)
        | (has(P::RemoteBiometricIdentification)
            & case.real_time
            & case.public_spaces
            & case.law_enforcement
            & !case.judicial_authorisation);
    // Every synthetic redline is evaluated, as the engines evaluate every rule.
    let extra =
        extras.iter().fold(false, |acc, rule| acc | rule.holds(case.purposes, case.compute_eflop, case.public_spaces));
    let annex_iii = case.purposes & ANNEX_III != 0;
    // Art. 6(3): a narrow procedural task is not high-risk, unless the system profiles people.
    let art_6_3_exception = case.narrow_procedural_task && !case.profiles_persons;
    Verdicts {
        redline: art5 | extra,
        high_risk: annex_iii && !art_6_3_exception,
        systemic_risk: case.general_purpose && case.compute_eflop > SYSTEMIC_THRESHOLD_EFLOP,
    }
}

/// The eight Annex III areas: purposes 8 to 15.
const ANNEX_III: u32 = 0xFF << 8;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Description {
    purposes: Vec<P>,
    model: Model,
    deployment: Deployment,
    profiles_persons: bool,
    infers_sensitive_attributes: bool,
    medical_or_safety: bool,
    judicial_authorisation: bool,
    narrow_procedural_task: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Model {
    general_purpose: bool,
    /// FLOP. A double holds every whole number of EFLOP the generator writes to well within
    /// one EFLOP, so rounding to EFLOP gives the exact value back.
    training_compute: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Deployment {
    workplace: bool,
    education: bool,
    public_spaces: bool,
    real_time: bool,
    law_enforcement: bool,
}

/// A purpose, in the order of [`PURPOSES`].
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum P {
    SubliminalManipulation,
    ExploitingVulnerabilities,
    SocialScoring,
    CrimePrediction,
    FacialScraping,
    EmotionRecognition,
    BiometricCategorisation,
    RemoteBiometricIdentification,
    BiometricIdentification,
    CriticalInfrastructure,
    EducationAssessment,
    EmploymentScreening,
    CreditScoring,
    LawEnforcementAssessment,
    MigrationControl,
    JudicialAssistance,
    Chatbot,
    ContentGeneration,
    MedicalDevice,
    ScientificResearch,
    Translation,
    Recommendation,
    Search,
    CodeGeneration,
}

const _: () = assert!(P::CodeGeneration as usize + 1 == PURPOSES.len());

/// Deserializes the description JSON into typed structs, then decides.
pub fn decide_json(text: &str, extras: &[ExtraRule]) -> Result<Verdicts, String> {
    let description: Description = serde_json::from_str(text).map_err(|err| err.to_string())?;
    let compute = description.model.training_compute;
    if !(0.0..=1.8e37).contains(&compute) {
        return Err(format!("training compute {compute} FLOP out of range"));
    }
    let case = Case {
        purposes: description.purposes.iter().fold(0, |acc, purpose| acc | 1 << *purpose as u32),
        general_purpose: description.model.general_purpose,
        compute_eflop: (compute / 1e18).round() as u64,
        workplace: description.deployment.workplace,
        education: description.deployment.education,
        public_spaces: description.deployment.public_spaces,
        real_time: description.deployment.real_time,
        law_enforcement: description.deployment.law_enforcement,
        profiles_persons: description.profiles_persons,
        infers_sensitive_attributes: description.infers_sensitive_attributes,
        medical_or_safety: description.medical_or_safety,
        judicial_authorisation: description.judicial_authorisation,
        narrow_procedural_task: description.narrow_procedural_task,
    };
    Ok(decide(&case, extras))
}
