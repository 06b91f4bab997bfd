//! The eight JSON descriptions of the EU slice that `engine.rs`'s "from JSON" group and
//! `lang/examples/json_load_profile.rs` load; one copy, included by both.

/// Eight descriptions in the form `bench/src/cases.rs` writes: compute at, above and below
/// 10^25 FLOP, one to six purposes, flags of every kind.
pub fn eu_slice_descriptions() -> Vec<String> {
    let purposes: [&[&str]; 8] = [
        &["chatbot"],
        &["social_scoring", "credit_scoring"],
        &["emotion_recognition", "translation", "search"],
        &["remote_biometric_identification"],
        &["employment_screening", "education_assessment", "chatbot", "code_generation"],
        &[],
        &["crime_prediction", "migration_control", "medical_device", "recommendation", "content_generation"],
        &[
            "biometric_categorisation",
            "critical_infrastructure",
            "judicial_assistance",
            "scientific_research",
            "search",
            "chatbot",
        ],
    ];
    let computes = ["1e25", "1.0000001e25", "9.999999e24", "3e18", "0", "2e26", "1e25", "5.5e23"];
    purposes
        .iter()
        .zip(computes)
        .enumerate()
        .map(|(index, (purposes, compute))| {
            let flag = |bit: usize| (index >> (bit % 3)) & 1 == 1 || bit == index;
            let purposes: Vec<String> = purposes.iter().map(|purpose| format!("\"{purpose}\"")).collect();
            format!(
                "{{\"purposes\":[{}],\"model\":{{\"general_purpose\":{},\"training_compute\":{compute}}},\
                 \"deployment\":{{\"workplace\":{},\"education\":{},\"public_spaces\":{},\"real_time\":{},\"law_enforcement\":{}}},\
                 \"profiles_persons\":{},\"infers_sensitive_attributes\":{},\"medical_or_safety\":{},\
                 \"judicial_authorisation\":{},\"narrow_procedural_task\":{}}}",
                purposes.join(","),
                flag(0),
                flag(1),
                flag(2),
                flag(3),
                flag(4),
                flag(5),
                flag(6),
                flag(7),
                flag(8),
                flag(9),
                flag(10),
            )
        })
        .collect()
}
