//! `bmc`: parse, run, print, map the outcome to an exit code.

mod cli;

use clap::Parser;
use cli::{Cli, Engine};
use semisync_bmc::engine::{bmc, explicit, Report, Verdict};
use std::io::Write;
use std::process::ExitCode;
use z3::SatResult;

const EXIT_OK: u8 = 0;
const EXIT_INTERNAL: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_UNKNOWN: u8 = 3;
const EXIT_VIOLATION: u8 = 12;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = if cli.quiet { "warn" } else { "info" };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level))
        .format(|buf, rec| writeln!(buf, "{}", rec.args()))
        .init();
    let p = cli.params();
    if let Err(e) = p.validate() {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    let props = cli.properties();
    let engine = match cli.engine {
        Engine::Symbolic => format!("symbolic (Z3 {})", z3::full_version()),
        Engine::Explicit => format!("explicit{}", if cli.symmetry { ", symmetry" } else { "" }),
    };
    println!(
        "semisync-bmc {}: checking SemiSync",
        env!("CARGO_PKG_VERSION")
    );
    println!("  {}", p.describe());
    println!(
        "  properties: {}; engine: {engine}; depth bound: {}",
        props
            .iter()
            .map(|q| q.name())
            .collect::<Vec<_>>()
            .join(", "),
        cli.depth
    );
    println!();
    let result = match cli.engine {
        Engine::Symbolic => {
            let opts = bmc::BmcOptions {
                stop_at_first: cli.stop_at_first,
                timeout_ms: cli.timeout.map(|s| s.saturating_mul(1000)),
                symmetry_breaking: !cli.no_symmetry_breaking,
                lemmas: !cli.no_lemmas,
                ..bmc::BmcOptions::new(cli.depth, props.clone())
            };
            bmc::run(&p, &opts, |d| {
                let answers: Vec<String> = d
                    .answers
                    .iter()
                    .map(|(q, r, secs)| {
                        let a = match r {
                            SatResult::Sat => "VIOLATED",
                            SatResult::Unsat => "ok",
                            SatResult::Unknown => "UNKNOWN",
                        };
                        format!("{q} {a} ({secs:.2} s)")
                    })
                    .collect();
                log::info!(
                    "depth {:>2}: {:>8.3} s (total {:>8.3} s)  {}",
                    d.depth,
                    d.seconds,
                    d.total_seconds,
                    answers.join(", ")
                );
            })
        }
        Engine::Explicit => {
            let opts = explicit::ExplicitOptions {
                depth: cli.depth,
                props: props.clone(),
                max_states: cli.max_states,
                symmetry: cli.symmetry,
                stop_at_first: cli.stop_at_first,
            };
            explicit::run(&p, &opts, |l| {
                log::info!(
                    "depth {:>2}: {:>10} new states, {:>11} in all, {:>8.3} s (total {:>8.3} s)",
                    l.depth,
                    l.new_states,
                    l.total_states,
                    l.seconds,
                    l.total_seconds
                );
            })
        }
    };
    match result {
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(EXIT_INTERNAL)
        }
        Ok(report) => print_report(&report, cli.full_states),
    }
}

fn print_report(report: &Report, full: bool) -> ExitCode {
    for (_, v) in &report.verdicts {
        if let Verdict::Violated(cx) = v {
            println!("{}", cx.render(full));
        }
    }
    println!("Summary:");
    for (q, v) in &report.verdicts {
        println!("  {:<11} {}", q.name(), v.summary());
    }
    println!("Finished in {:.2} s.", report.seconds);
    if report.verdicts.iter().any(|(_, v)| v.is_violated()) {
        ExitCode::from(EXIT_VIOLATION)
    } else if report.verdicts.iter().any(|(_, v)| v.is_unknown()) {
        ExitCode::from(EXIT_UNKNOWN)
    } else {
        ExitCode::from(EXIT_OK)
    }
}
