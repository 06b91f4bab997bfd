//! `concord coverage`: what each rulebook cites, and which declarations carry each citation.

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use concord_lang::Engine;
use concord_lang::stdlib::STDLIB;

use super::{EXIT_FAILED, EXIT_OK, render_diagnostics, resolve_rulebooks};

#[derive(Args)]
pub struct CoverageArgs {
    /// Rulebook files or ids of embedded rulebooks (such as `eu.ai_act`)
    rulebooks: Vec<String>,
    /// Every embedded rulebook, in the order of the standard library
    #[arg(long)]
    stdlib: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = CoverageFormat::Markdown)]
    format: CoverageFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum CoverageFormat {
    Markdown,
    Json,
}

pub fn run(args: CoverageArgs) -> Result<u8> {
    if args.rulebooks.is_empty() && !args.stdlib {
        bail!("give rulebook files or ids, or `--stdlib` for every embedded rulebook");
    }
    let mut engine = Engine::default();
    let mut specs: Vec<String> = Vec::new();
    if args.stdlib {
        specs.extend(STDLIB.iter().map(|(id, _, _)| (*id).to_owned()));
    }
    specs.extend(args.rulebooks.iter().cloned());
    let files = resolve_rulebooks(&mut engine, &specs)?;
    let mut compiled = Vec::new();
    for file in files {
        match engine.compile(file) {
            Ok(rulebook) => compiled.push(rulebook),
            Err(error) => {
                eprint!("{}", render_diagnostics(&engine, &engine.diagnostics_with_imports(file)));
                eprintln!("{error}");
                return Ok(EXIT_FAILED);
            }
        }
    }
    let rulebooks: Vec<_> = compiled.iter().map(|rulebook| rulebook.compiled()).collect();
    let mut text = match args.format {
        CoverageFormat::Markdown => {
            let mut command = String::from("concord coverage");
            if args.stdlib {
                command.push_str(" --stdlib");
            }
            for spec in &args.rulebooks {
                command.push(' ');
                command.push_str(spec);
            }
            concord_lang::coverage::markdown_document(&rulebooks, &command)
        }
        CoverageFormat::Json => serde_json::to_string_pretty(&concord_lang::coverage::json(&rulebooks))?,
    };
    text.push('\n');
    super::write_stdout(&text)?;
    Ok(EXIT_OK)
}
