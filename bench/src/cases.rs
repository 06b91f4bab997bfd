//! The generated system descriptions: a deterministic mix of edge cases and random ones, and
//! their JSON text for each engine.

use std::fmt::Write;

/// The purposes of the policy's `Purpose` enum, in order: eight Art. 5 practices, the eight
/// Annex III areas, and eight others. A description's purposes are a bit set over this list.
pub const PURPOSES: [&str; 24] = [
    "subliminal_manipulation",
    "exploiting_vulnerabilities",
    "social_scoring",
    "crime_prediction",
    "facial_scraping",
    "emotion_recognition",
    "biometric_categorisation",
    "remote_biometric_identification",
    "biometric_identification",
    "critical_infrastructure",
    "education_assessment",
    "employment_screening",
    "credit_scoring",
    "law_enforcement_assessment",
    "migration_control",
    "judicial_assistance",
    "chatbot",
    "content_generation",
    "medical_device",
    "scientific_research",
    "translation",
    "recommendation",
    "search",
    "code_generation",
];

/// The bit of a purpose in [`Case::purposes`].
pub fn bit(purpose: &str) -> u32 {
    let idx = PURPOSES.iter().position(|name| *name == purpose).expect("a purpose of the policy");
    1 << idx
}

/// 10^25 FLOP in EFLOP (10^18 FLOP), the unit every engine can hold exactly (Cedar's integers
/// are 64-bit).
pub const SYSTEMIC_THRESHOLD_EFLOP: u64 = 10_000_000;

/// One system description. Training compute is a whole number of EFLOP so that every engine
/// reads it exactly; the description JSON writes it in FLOP (`1e25`, `1.0000001e25`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Case {
    pub purposes: u32,
    pub general_purpose: bool,
    pub compute_eflop: u64,
    pub workplace: bool,
    pub education: bool,
    pub public_spaces: bool,
    pub real_time: bool,
    pub law_enforcement: bool,
    pub profiles_persons: bool,
    pub infers_sensitive_attributes: bool,
    pub medical_or_safety: bool,
    pub judicial_authorisation: bool,
    pub narrow_procedural_task: bool,
}

/// SplitMix64: a tiny deterministic generator, so the cases are the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

/// The edge cases every run starts with: the compute threshold exactly and one EFLOP either
/// side, each redline alone with its exception held and not, the Art. 6(3) exception with and
/// without profiling, no purpose at all and every purpose at once.
fn edge_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let at = |eflop, general_purpose| Case { general_purpose, compute_eflop: eflop, ..Case::default() };
    for eflop in
        [0, 1, SYSTEMIC_THRESHOLD_EFLOP - 1, SYSTEMIC_THRESHOLD_EFLOP, SYSTEMIC_THRESHOLD_EFLOP + 1, 1_000_000_000]
    {
        cases.push(at(eflop, true));
        cases.push(at(eflop, false));
    }
    let all_true = Case {
        purposes: 0,
        general_purpose: true,
        compute_eflop: SYSTEMIC_THRESHOLD_EFLOP,
        workplace: true,
        education: true,
        public_spaces: true,
        real_time: true,
        law_enforcement: true,
        profiles_persons: true,
        infers_sensitive_attributes: true,
        medical_or_safety: false,
        judicial_authorisation: false,
        narrow_procedural_task: false,
    };
    for purpose in PURPOSES {
        for excepted in [false, true] {
            cases.push(Case {
                purposes: bit(purpose),
                medical_or_safety: excepted,
                judicial_authorisation: excepted,
                narrow_procedural_task: excepted,
                ..all_true
            });
        }
    }
    // Art. 6(3): a narrow procedural task is not high-risk, unless the system profiles people.
    for profiles_persons in [false, true] {
        cases.push(Case {
            purposes: bit("credit_scoring"),
            narrow_procedural_task: true,
            profiles_persons,
            ..Case::default()
        });
    }
    // Emotion recognition outside the workplace and education is not prohibited.
    cases.push(Case { purposes: bit("emotion_recognition"), ..Case::default() });
    cases.push(Case { purposes: bit("emotion_recognition"), education: true, ..Case::default() });
    cases.push(Case::default());
    cases.push(Case { purposes: (1 << PURPOSES.len()) - 1, ..all_true });
    cases
}

fn random_case(rng: &mut Rng) -> Case {
    let mut purposes = 0;
    for idx in 0..PURPOSES.len() {
        if rng.chance(8) {
            purposes |= 1 << idx;
        }
    }
    let compute_eflop = match rng.below(4) {
        0 => rng.below(1_000_000),
        1 => SYSTEMIC_THRESHOLD_EFLOP - 2 + rng.below(5),
        2 => rng.below(3 * SYSTEMIC_THRESHOLD_EFLOP),
        _ => rng.below(1_000_000_000),
    };
    Case {
        purposes,
        general_purpose: rng.chance(2),
        compute_eflop,
        workplace: rng.chance(2),
        education: rng.chance(3),
        public_spaces: rng.chance(2),
        real_time: rng.chance(2),
        law_enforcement: rng.chance(2),
        profiles_persons: rng.chance(2),
        infers_sensitive_attributes: rng.chance(2),
        medical_or_safety: rng.chance(3),
        judicial_authorisation: rng.chance(3),
        narrow_procedural_task: rng.chance(3),
    }
}

/// `n` cases: the edge cases first, then random ones from `seed`.
pub fn generate(n: usize, seed: u64) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let mut cases = edge_cases();
    cases.truncate(n);
    while cases.len() < n {
        cases.push(random_case(&mut rng));
    }
    cases
}

/// A whole number of EFLOP written in FLOP as the shortest decimal: `0`, `3e18`,
/// `1.0000001e25`.
pub fn flop_text(eflop: u64) -> String {
    if eflop == 0 {
        return "0".into();
    }
    let digits = eflop.to_string();
    let significant = digits.trim_end_matches('0');
    let exponent = 18 + digits.len() - 1;
    match significant.split_at(1) {
        (first, "") => format!("{first}e{exponent}"),
        (first, rest) => format!("{first}.{rest}e{exponent}"),
    }
}

fn purposes_json(out: &mut String, purposes: u32) {
    out.push('[');
    let mut first = true;
    for (idx, name) in PURPOSES.iter().enumerate() {
        if purposes & (1 << idx) != 0 {
            if !first {
                out.push(',');
            }
            first = false;
            let _ = write!(out, "\"{name}\"");
        }
    }
    out.push(']');
}

/// The fields other than purposes and the model, shared by both JSON forms.
fn flags_json(out: &mut String, case: &Case) {
    let _ = write!(
        out,
        "\"deployment\":{{\"workplace\":{},\"education\":{},\"public_spaces\":{},\"real_time\":{},\"law_enforcement\":{}}},\
         \"profiles_persons\":{},\"infers_sensitive_attributes\":{},\"medical_or_safety\":{},\
         \"judicial_authorisation\":{},\"narrow_procedural_task\":{}",
        case.workplace,
        case.education,
        case.public_spaces,
        case.real_time,
        case.law_enforcement,
        case.profiles_persons,
        case.infers_sensitive_attributes,
        case.medical_or_safety,
        case.judicial_authorisation,
        case.narrow_procedural_task,
    );
}

impl Case {
    /// The description that Concord, regorus and the hand-written floor read.
    pub fn description_json(&self) -> String {
        let mut out = String::from("{\"purposes\":");
        purposes_json(&mut out, self.purposes);
        let _ = write!(
            out,
            ",\"model\":{{\"general_purpose\":{},\"training_compute\":{}}},",
            self.general_purpose,
            flop_text(self.compute_eflop)
        );
        flags_json(&mut out, self);
        out.push('}');
        out
    }

    /// The same facts as Cedar entities: one `System` entity, compute in EFLOP.
    pub fn cedar_entities_json(&self) -> String {
        let mut out =
            String::from("[{\"uid\":{\"type\":\"System\",\"id\":\"s\"},\"parents\":[],\"attrs\":{\"purposes\":");
        purposes_json(&mut out, self.purposes);
        let _ = write!(
            out,
            ",\"model\":{{\"general_purpose\":{},\"compute_eflop\":{}}},",
            self.general_purpose, self.compute_eflop
        );
        flags_json(&mut out, self);
        out.push_str("}}]");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flop_text_is_the_shortest_decimal() {
        for (eflop, text) in [
            (0, "0"),
            (1, "1e18"),
            (3, "3e18"),
            (120, "1.2e20"),
            (SYSTEMIC_THRESHOLD_EFLOP, "1e25"),
            (SYSTEMIC_THRESHOLD_EFLOP + 1, "1.0000001e25"),
            (SYSTEMIC_THRESHOLD_EFLOP - 1, "9.999999e24"),
        ] {
            assert_eq!(flop_text(eflop), text, "{eflop} EFLOP");
        }
    }

    #[test]
    fn generation_is_deterministic_and_starts_with_the_threshold() {
        assert_eq!(generate(300, 7), generate(300, 7));
        assert!(generate(300, 7).iter().any(|case| case.compute_eflop == SYSTEMIC_THRESHOLD_EFLOP));
    }
}
