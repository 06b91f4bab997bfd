#!/usr/bin/env python3
"""Writes a pair of generated rulebooks (and a mapping between them) for the analysis benchmark.

Usage: gen_analysis_bench.py OUT_DIR [N_RULES]

Both rulebooks read the standard lexicon: overlapping numeric thresholds on the same compute facts
(A at 10^k FLOP, B at 3·10^k), enum sets (purposes), bools, exceptions nested three deep, and
obligations that require an act the other side forbids; the mapping relates every tenth term of A
to its counterpart in B. Deterministic: the same N gives the same files.
"""
import os
import sys

PURPOSES = [
    "social_scoring", "subliminal_manipulation", "exploitation_of_vulnerabilities",
    "untargeted_facial_scraping", "emotion_recognition_workplace", "predictive_policing_profiling",
    "law_enforcement", "biometric_identification", "critical_infrastructure", "education_assessment",
    "employment_screening", "credit_scoring", "migration_control", "justice_administration",
    "medical_device", "chatbot", "content_generation", "general_assistant", "scientific_research",
]
ACTS = ["placing_on_market", "putting_into_service", "use"]


def rulebook(side, n):
    scale = "1" if side == "a" else "3"
    out = [f'rulebook bench.{side} {{ title "Generated rulebook {side.upper()}" }}', "import std.lexicon", ""]
    for i in range(n):
        exponent = 20 + i % 8
        purpose = PURPOSES[i % len(PURPOSES)]
        other = PURPOSES[(i * 7 + 3) % len(PURPOSES)]
        out.append(f"term t{i} = system.purposes contains {purpose} and "
                   f"system.model.training_compute.pretraining > {scale}e{exponent} FLOP")
        out.append(f'  cite "{side.upper()} Art. {i}(1)" status binding')
        if i % 4 == 3:
            # An obligation every fourth rule: registration before use.
            out.append(f"obligation o{i} {{")
            out.append(f'  cite "{side.upper()} Art. {i}(2)" status binding')
            out.append(f"  requires {ACTS[i % 3]}")
            out.append(f"  when t{i} and system.model.general_purpose")
            out.append("  evidence registration in system.registrations")
            out.append("  dated registration.registered_on")
            out.append("}")
            continue
        out.append(f"redline r{i} {{")
        out.append(f'  cite "{side.upper()} Art. {i}(2)" status binding')
        out.append(f"  forbids {ACTS[i % 3]}, {ACTS[(i + 1) % 3]}")
        out.append(f"  when t{i} or (system.purposes contains {other} and system.model.open_weights)")
        out.append("  unless e1 {")
        out.append(f'    cite "{side.upper()} Art. {i}(3)" status binding')
        out.append(f"    when system.model.training_compute.fine_tuning > {scale}e{exponent - 1} FLOP")
        out.append("    unless e2 {")
        out.append(f'      cite "{side.upper()} Art. {i}(4)" status binding')
        out.append("      when system.model.free_open_source_licence")
        out.append("      unless e3 {")
        out.append(f'        cite "{side.upper()} Art. {i}(5)" status binding')
        out.append(f"        when system.purposes contains {PURPOSES[(i + 5) % len(PURPOSES)]}")
        out.append("      }")
        out.append("    }")
        out.append("  }")
        out.append("}")
    return "\n".join(out) + "\n"


def mapping(n):
    out = ['rulebook bench.mapping { title "Generated mapping" }', "import bench.a as a", "import bench.b as b", "",
           "mapping terms {", '  cite "Generated concordance" status commentary']
    for i in range(0, n, 10):
        out.append(f"  b.t{i} is narrower than a.t{i}")
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    out_dir = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    os.makedirs(out_dir, exist_ok=True)
    for name, text in [("a.concord", rulebook("a", n)), ("b.concord", rulebook("b", n)), ("mapping.concord", mapping(n))]:
        with open(os.path.join(out_dir, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
