//! Concord against Cedar, regorus (interpreter and RVM) and a hand-written Rust floor, on one
//! slice of the EU AI Act and on the same slice with 10, 100 and 1,000 synthetic redlines.
//!
//! `concord-bench-peers --check` only checks that every engine gives the floor's verdicts on
//! every generated description; without it, the engines are then timed, interleaved on the
//! same blocks of descriptions, and a table of times and ratios is printed.
//! `scripts/bench_peers.sh` builds and runs it.

mod cases;
mod floor;
mod peers;
mod policy;

use std::process::ExitCode;
use std::time::Duration;

use cpu_time::ThreadTime;

use cases::Case;
use peers::{Peer, Texts};
use policy::Policy;

/// One decision: whether any redline is violated, whether the system is high-risk, and whether
/// its model is presumed to have systemic risk.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Verdicts {
    pub redline: bool,
    pub high_risk: bool,
    pub systemic_risk: bool,
}

const USAGE: &str = "usage: concord-bench-peers [--check] [--cases N] [--rounds N] [--scales 0,10,100,1000] [--seed N]

  --check        only check that every engine agrees with the hand-written floor
  --cases N      descriptions per scale (default: 500 for --check, 256 for timing)
  --rounds N     timed rounds per engine and mode (default 21); the median is reported
  --scales LIST  numbers of synthetic redlines added to the 18 rules (default 0,10,100,1000)
  --seed N       the seed of the generated descriptions (default 1)
  --only NAME    time only the engines whose name contains NAME (the floor is always timed),
                 e.g. to profile one engine with `perf record`";

struct Args {
    check_only: bool,
    cases: Option<usize>,
    rounds: usize,
    scales: Vec<usize>,
    seed: u64,
    only: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args =
        Args { check_only: false, cases: None, rounds: 21, scales: vec![0, 10, 100, 1000], seed: 1, only: None };
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        let mut value = |name: &str| iter.next().ok_or(format!("{name} needs a value"));
        let number = |text: String| text.parse::<usize>().map_err(|_| format!("`{text}` is not a whole number"));
        match arg.as_str() {
            "--check" => args.check_only = true,
            "--cases" => args.cases = Some(number(value("--cases")?)?.max(1)),
            "--rounds" => args.rounds = number(value("--rounds")?)?.max(1),
            "--seed" => args.seed = number(value("--seed")?)? as u64,
            "--scales" => {
                args.scales = value("--scales")?
                    .split(',')
                    .map(|each| number(each.trim().to_string()))
                    .collect::<Result<_, _>>()?
            }
            "--only" => args.only = Some(value("--only")?.to_lowercase()),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let mut reports = Vec::new();
    for &n_extra in &args.scales {
        let policy = Policy::new(n_extra);
        let n_cases = args.cases.unwrap_or(if args.check_only { 500 } else { 256 });
        let cases = cases::generate(n_cases, args.seed);
        let texts: Vec<Texts> = cases.iter().map(Texts::new).collect();
        let mut peers: Vec<Box<dyn Peer>> = vec![
            Box::new(peers::Floor::new(&policy)),
            Box::new(peers::Concord::new(&policy)?),
            Box::new(peers::Cedar::new(&policy)?),
            Box::new(peers::Regorus::new(&policy, false)?),
            Box::new(peers::Regorus::new(&policy, true)?),
        ];
        for peer in &mut peers {
            peer.prepare(&cases, &texts).map_err(|err| format!("{}: {err}", peer.name()))?;
        }
        check_agreement(&policy, &cases, &texts, &mut peers)?;
        let verdicts: Vec<Verdicts> = cases.iter().map(|case| floor::decide(case, &policy.extras)).collect();
        let count = |holds: fn(&Verdicts) -> bool| verdicts.iter().filter(|each| holds(each)).count();
        println!(
            "{} rules: all {} engines agree with the floor on {} descriptions, pre-parsed and from JSON \
             (a redline violated in {}, high-risk {}, systemic risk {})",
            policy.n_rules(),
            peers.len() - 1,
            cases.len(),
            count(|each| each.redline),
            count(|each| each.high_risk),
            count(|each| each.systemic_risk),
        );
        if !args.check_only {
            if let Some(only) = &args.only {
                // The floor (first) stays: every ratio is taken against it.
                let mut idx = 0;
                peers.retain(|peer| {
                    idx += 1;
                    idx == 1 || peer.name().to_lowercase().contains(only.as_str())
                });
            }
            reports.push(measure(&policy, &texts, &mut peers, args.rounds));
            print_report(reports.last().expect("just pushed"));
        }
    }
    if reports.len() > 1 {
        print_growth(&reports);
    }
    Ok(())
}

/// Every engine, pre-parsed and from JSON, must give the floor's verdicts on every case.
fn check_agreement(
    policy: &Policy,
    cases: &[Case],
    texts: &[Texts],
    peers: &mut [Box<dyn Peer>],
) -> Result<(), String> {
    let mut failures = 0;
    for (idx, (case, text)) in cases.iter().zip(texts).enumerate() {
        let expected = floor::decide(case, &policy.extras);
        for peer in peers.iter_mut() {
            for (mode, outcome) in [("pre-parsed", peer.decide_parsed(idx)), ("from JSON", peer.decide_json(text))] {
                if outcome.as_ref() != Ok(&expected) {
                    failures += 1;
                    if failures <= 10 {
                        eprintln!(
                            "disagreement: {} rules, {} {mode}: {outcome:?}, the floor: {expected:?}\n  description: {}\n  Cedar entities: {}",
                            policy.n_rules(),
                            peer.name(),
                            text.description,
                            text.cedar
                        );
                    }
                }
            }
        }
    }
    match failures {
        0 => Ok(()),
        n => Err(format!("{n} disagreements with the floor at {} rules", policy.n_rules())),
    }
}

struct Report {
    n_rules: usize,
    n_cases: usize,
    /// Per engine: its name, and the median time per decision pre-parsed and from JSON.
    rows: Vec<(&'static str, Duration, Duration)>,
}

#[derive(Clone, Copy)]
enum Mode {
    Parsed,
    Json,
}

/// Times every engine on the same block of cases, round after round, starting each round with
/// a different engine so that drift of the machine falls on all alike; keeps each engine's
/// median time per decision. Time is the thread's CPU time, so that the time other processes
/// of a shared machine take the core from the benchmark is not counted.
fn measure(policy: &Policy, texts: &[Texts], peers: &mut [Box<dyn Peer>], rounds: usize) -> Report {
    let n = texts.len();
    let mut rows = Vec::new();
    let mut samples = vec![[Vec::new(), Vec::new()]; peers.len()];
    for (mode_idx, mode) in [Mode::Parsed, Mode::Json].into_iter().enumerate() {
        let block = |peer: &mut Box<dyn Peer>| match mode {
            Mode::Parsed => peer.run_parsed(n),
            Mode::Json => peer.run_json(texts),
        };
        // Warm up, and repeat the block of a fast engine so that one sample lasts about 2 ms.
        let repeats: Vec<u32> = peers
            .iter_mut()
            .map(|peer| {
                block(peer);
                let start = ThreadTime::now();
                block(peer);
                (Duration::from_millis(2).as_nanos() / start.elapsed().as_nanos().max(1)).clamp(1, 10_000) as u32
            })
            .collect();
        for round in 0..rounds {
            for offset in 0..peers.len() {
                let idx = (round + offset) % peers.len();
                let start = ThreadTime::now();
                for _ in 0..repeats[idx] {
                    std::hint::black_box(block(&mut peers[idx]));
                }
                samples[idx][mode_idx].push(start.elapsed() / (repeats[idx] * n as u32));
            }
        }
    }
    for (peer, [parsed, json]) in peers.iter().zip(&mut samples) {
        rows.push((peer.name(), median(parsed), median(json)));
    }
    Report { n_rules: policy.n_rules(), n_cases: n, rows }
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn micros(duration: Duration) -> String {
    let us = duration.as_secs_f64() * 1e6;
    if us < 1.0 {
        format!("{us:.3} µs")
    } else if us < 100.0 {
        format!("{us:.2} µs")
    } else {
        format!("{us:.0} µs")
    }
}

fn ratio(a: Duration, b: Duration) -> String {
    let r = a.as_secs_f64() / b.as_secs_f64();
    if r < 10.0 { format!("{r:.2}×") } else { format!("{r:.0}×") }
}

fn print_report(report: &Report) {
    let (_, floor_parsed, floor_json) = report.rows[0];
    let concord = report.rows.iter().find(|row| row.0 == "Concord").map(|&(_, parsed, json)| (parsed, json));
    let against_concord = |time: Duration, pick: fn((Duration, Duration)) -> Duration| match concord {
        Some(times) => ratio(time, pick(times)),
        None => "–".into(),
    };
    println!(
        "\n{} rules, {} descriptions, median time per decision (three verdicts)\n",
        report.n_rules, report.n_cases
    );
    println!("| engine | pre-parsed | × floor | × Concord | from JSON | × serde floor | × Concord |");
    println!("|---|---|---|---|---|---|---|");
    for &(name, parsed, json) in &report.rows {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            micros(parsed),
            ratio(parsed, floor_parsed),
            against_concord(parsed, |times| times.0),
            micros(json),
            ratio(json, floor_json),
            against_concord(json, |times| times.1),
        );
    }
    println!();
}

/// How each engine's pre-parsed time grows with the number of rules, against the first scale.
fn print_growth(reports: &[Report]) {
    let base = &reports[0];
    print!("growth of the pre-parsed time with the rules (against {} rules)\n\n| engine |", base.n_rules);
    for report in reports {
        print!(
            " {} rules ({}) |",
            report.n_rules,
            ratio(Duration::from_secs(report.n_rules as u64), Duration::from_secs(base.n_rules as u64))
        );
    }
    println!("\n|---|{}", "---|".repeat(reports.len()));
    for (idx, &(name, base_time, _)) in base.rows.iter().enumerate() {
        print!("| {name} |");
        for report in reports {
            print!(" {} |", ratio(report.rows[idx].1, base_time));
        }
        println!();
    }
}
