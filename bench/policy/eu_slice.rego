# The benchmark slice of the EU AI Act in Rego. regorus reads JSON numbers as floats but the
# literal 1e25 as an exact integer, so the threshold is written to_number("1e25"): otherwise a
# description at exactly 10^25 FLOP would be wrongly above it.
package eu

import rego.v1

annex_iii := {
	"biometric_identification", "critical_infrastructure", "education_assessment",
	"employment_screening", "credit_scoring", "law_enforcement_assessment",
	"migration_control", "judicial_assistance",
}

redline contains "art5_1_a" if "subliminal_manipulation" in input.purposes

redline contains "art5_1_b" if "exploiting_vulnerabilities" in input.purposes

redline contains "art5_1_c" if "social_scoring" in input.purposes

redline contains "art5_1_d" if {
	"crime_prediction" in input.purposes
	input.profiles_persons
}

redline contains "art5_1_e" if "facial_scraping" in input.purposes

redline contains "art5_1_f" if {
	"emotion_recognition" in input.purposes
	workplace_or_education
	not input.medical_or_safety
}

workplace_or_education if input.deployment.workplace

workplace_or_education if input.deployment.education

redline contains "art5_1_g" if {
	"biometric_categorisation" in input.purposes
	input.infers_sensitive_attributes
}

redline contains "art5_1_h" if {
	"remote_biometric_identification" in input.purposes
	input.deployment.real_time
	input.deployment.public_spaces
	input.deployment.law_enforcement
	not input.judicial_authorisation
}

default high_risk := false

high_risk if {
	some purpose in input.purposes
	purpose in annex_iii
	not art_6_3_exception
}

art_6_3_exception if {
	input.narrow_procedural_task
	not input.profiles_persons
}

default systemic_risk := false

systemic_risk if {
	input.model.general_purpose
	input.model.training_compute > to_number("1e25")
}

decision := {
	"redline": count(redline) > 0,
	"high_risk": high_risk,
	"systemic_risk": systemic_risk,
}
