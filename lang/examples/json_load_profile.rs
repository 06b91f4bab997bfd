//! A harness for instruction counts of loading descriptions from JSON, for callgrind:
//!
//! ```sh
//! cargo build --release -p concord-lang --example json_load_profile
//! valgrind --tool=callgrind target/release/examples/json_load_profile load 10000
//! ```
//!
//! The modes are `load` (the fast reader, a new description each time), `load-into` (the fast
//! reader into one reused buffer), `tree` (the tree reader) and `eval` (`load-into`, then the
//! verdicts only); each runs the EU slice of the benchmark against Cedar and regorus on eight
//! descriptions the given number of rounds. Instructions per description are the total over
//! `8 × rounds`, less a run with 0 rounds (compiling the rulebook).

use std::hint::black_box;

use concord_lang::{DescriptionBuf, Engine, Format, Outcomes};

#[path = "../benches/support/eu_slice_descriptions.rs"]
mod eu_slice_descriptions;
use eu_slice_descriptions::eu_slice_descriptions as descriptions;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "load".to_owned());
    let rounds: usize = args.next().and_then(|text| text.parse().ok()).unwrap_or(1000);
    let mut engine = Engine::default();
    let file = engine.add_source("eu_slice.concord", include_str!("../../bench/policy/eu_slice.concord"));
    let rulebook = engine.compile(file).expect("the EU slice compiles");
    let texts = descriptions();
    let as_of = "2026-10-01".parse().expect("a date");
    let mut outcomes = Outcomes::default();
    let mut buf = DescriptionBuf::default();
    let mut n = 0usize;
    for _ in 0..rounds {
        for text in &texts {
            let text = black_box(text.as_bytes());
            match mode.as_str() {
                "load" => n += usize::from(rulebook.load_description(text, Format::Json).is_ok()),
                "tree" => n += usize::from(rulebook.load_description_via_tree(text, Format::Json).is_ok()),
                "load-into" => n += usize::from(rulebook.load_description_into(&mut buf, text, Format::Json).is_ok()),
                "eval" => {
                    if let Ok(system) = rulebook.load_description_into(&mut buf, text, Format::Json) {
                        rulebook.evaluate_outcomes(system, as_of, &mut outcomes);
                        n += outcomes.redlines.len();
                    }
                }
                other => panic!("unknown mode {other}"),
            }
        }
    }
    println!("{n}");
}
