//! `bmc`: parse, run, print, map the outcome to an exit code.

mod cli;

use clap::Parser;
use cli::{Cli, Engine, ProveWith};
use semisync_bmc::engine::{bmc, explicit, Report, Verdict};
use semisync_bmc::params::Params;
use semisync_bmc::trace::itf;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use z3::SatResult;

const EXIT_OK: u8 = 0;
const EXIT_INTERNAL: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_UNKNOWN: u8 = 3;
const EXIT_VIOLATION: u8 = 12;
/// The results could not be written (as sysexits' `EX_IOERR`).
const EXIT_IO: u8 = 74;

fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(EXIT_USAGE)
}

/// Restores the default SIGPIPE action, so that `bmc ... | head` ends
/// quietly when the reader goes away instead of panicking in `println!`
/// (Rust ignores SIGPIPE by default).
#[cfg(unix)]
fn default_sigpipe() {
    extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    const SIGPIPE: i32 = 13;
    const SIG_DFL: usize = 0;
    // SAFETY: setting a signal's disposition to its default is always sound.
    unsafe {
        signal(SIGPIPE, SIG_DFL);
    }
}

/// A failed write to standard output (a full disk, `> /dev/full`) panics
/// inside `println!`; report it as one line and `EXIT_IO` instead.
fn quiet_write_errors() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if let Some(why) = msg.strip_prefix("failed printing to stdout: ") {
            eprintln!("error: cannot write the results to standard output: {why}");
            std::process::exit(EXIT_IO as i32);
        }
        default(info)
    }));
}

fn main() -> ExitCode {
    #[cfg(unix)]
    default_sigpipe();
    quiet_write_errors();
    let cli = Cli::parse();
    let level = if cli.quiet { "warn" } else { "info" };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level))
        .format(|buf, rec| writeln!(buf, "{}", rec.args()))
        .init();
    let p = cli.params();
    if let Err(e) = p.validate() {
        return usage_error(e);
    }
    for kv in &cli.z3_params {
        match kv.split_once('=') {
            Some((k, v)) if !k.is_empty() && !v.is_empty() && !kv.contains('\0') => {
                // Z3 prints a page of warnings for an unknown key: ask
                // quietly first.
                z3::set_global_param("warning", "false");
                let known = z3::get_global_param(k).is_some();
                z3::set_global_param("warning", "true");
                if !known {
                    return usage_error(format!("--z3-param: Z3 has no parameter {k:?}"));
                }
                z3::set_global_param(k, v);
            }
            _ => return usage_error(format!("--z3-param wants KEY=VALUE, got {kv:?}")),
        }
    }
    if cli.print_encoding {
        let enc = semisync_bmc::symbolic::Encoding::new(&p);
        print!("{}", semisync_bmc::symbolic::smtlib::render(&enc));
        return ExitCode::from(EXIT_OK);
    }
    if let Some(dir) = &cli.dump_smt {
        if cli.engine != Engine::Symbolic {
            return usage_error("--dump-smt needs the symbolic engine");
        }
        if let Err(e) = std::fs::create_dir_all(dir) {
            return usage_error(format!(
                "cannot create --dump-smt directory {}: {e}",
                dir.display()
            ));
        }
    }
    let props = cli.properties();
    if cli.split_depths && cli.engine != Engine::Symbolic {
        return usage_error("--split-depths needs the symbolic engine");
    }
    if cli.prove {
        return run_prove(&cli, &p, props);
    }
    if cli.certificate.is_some() {
        return usage_error("--certificate needs --prove");
    }
    let engine = match cli.engine {
        Engine::Symbolic => format!("symbolic (Z3 {})", z3::full_version()),
        Engine::Explicit => format!("explicit{}", if cli.symmetry { ", symmetry" } else { "" }),
    };
    if !cli.json {
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
    }
    let mut depths: Vec<Value> = vec![];
    let result = match cli.engine {
        Engine::Symbolic => {
            let opts = bmc::BmcOptions {
                invariant: if cli.assume_invariant {
                    bmc::InvariantPolicy::First
                } else if cli.no_invariant {
                    bmc::InvariantPolicy::Off
                } else {
                    bmc::InvariantPolicy::Auto
                },
                stop_at_first: cli.stop_at_first,
                timeout_ms: cli.timeout.map(|s| s.saturating_mul(1000)),
                symmetry_breaking: !cli.no_symmetry_breaking,
                partial_order: match (cli.no_por, cli.por_from) {
                    (true, _) => bmc::PorPolicy::Off,
                    (false, Some(k)) => bmc::PorPolicy::From(k),
                    (false, None) => bmc::PorPolicy::Auto,
                },
                lemmas: !cli.no_lemmas,
                dump_smt: cli.dump_smt.clone(),
                ..bmc::BmcOptions::new(cli.depth, props.clone())
            };
            let progress = |d: &bmc::DepthInfo| {
                let word = |r: &SatResult| match r {
                    SatResult::Sat => "sat",
                    SatResult::Unsat => "unsat",
                    SatResult::Unknown => "unknown",
                };
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
                let per_prop: serde_json::Map<String, Value> = d
                    .answers
                    .iter()
                    .map(|(q, r, _)| (q.name().to_string(), json!(word(r))))
                    .collect();
                let times: serde_json::Map<String, Value> = d
                    .answers
                    .iter()
                    .map(|(q, _, t)| (q.name().to_string(), json!(t)))
                    .collect();
                depths.push(json!({
                    "depth": d.depth,
                    "seconds": d.seconds,
                    "total_seconds": d.total_seconds,
                    "answers": per_prop,
                    "query_seconds": times,
                }));
            };
            if cli.split_depths {
                bmc::run_split(&p, &opts)
            } else {
                bmc::run(&p, &opts, progress)
            }
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
                depths.push(json!({
                    "depth": l.depth,
                    "seconds": l.seconds,
                    "total_seconds": l.total_seconds,
                    "new_states": l.new_states,
                    "total_states": l.total_states,
                }));
            })
        }
    };
    let report = match result {
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_INTERNAL);
        }
        Ok(report) => report,
    };
    let code = exit_code(&report);
    if let Some(file) = &cli.itf {
        if let Err(e) = write_itf(&p, &report, file) {
            eprintln!("error: cannot write the ITF trace: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    }
    if cli.json {
        let doc = json!({
            "tool": "semisync-bmc",
            "version": env!("CARGO_PKG_VERSION"),
            "z3_version": z3::full_version(),
            "engine": match cli.engine { Engine::Symbolic => "symbolic", Engine::Explicit => "explicit" },
            "parameters": itf::params_json(&p),
            "depth_bound": cli.depth,
            "depths": depths,
            "properties": report.verdicts.iter().map(|(q, v)| verdict_json(&p, q.name(), v)).collect::<Vec<_>>(),
            "total_seconds": report.seconds,
            "exit_code": code,
        });
        println!("{}", serde_json::to_string_pretty(&doc).expect("JSON"));
    } else {
        print_report(&report, cli.full_states);
    }
    ExitCode::from(code)
}

fn verdict_json(p: &Params, name: &str, v: &Verdict) -> Value {
    match v {
        Verdict::Violated(cx) => json!({
            "name": name, "verdict": "violated", "depth": cx.trace.depth(),
            "conjunct": cx.conjunct, "trace": itf::trace_json(p, cx),
        }),
        Verdict::HoldsUpTo(k) => json!({ "name": name, "verdict": "holds_up_to", "depth": k }),
        Verdict::Holds { states, diameter } => {
            json!({ "name": name, "verdict": "holds", "states": states, "diameter": diameter })
        }
        Verdict::Proved {
            method,
            k,
            conjuncts,
        } => json!({
            "name": name, "verdict": "proved", "method": method, "k": k, "conjuncts": conjuncts,
        }),
        Verdict::Unknown {
            depth,
            reason,
            holds_up_to,
        } => json!({
            "name": name, "verdict": "unknown", "depth": depth, "reason": reason, "holds_up_to": holds_up_to,
        }),
    }
}

/// `--prove`: unbounded proofs.
fn run_prove(cli: &Cli, p: &Params, props: Vec<semisync_bmc::spec::Property>) -> ExitCode {
    use semisync_bmc::prove;
    if cli.engine != Engine::Symbolic {
        return usage_error("--prove uses the symbolic engine; drop --engine explicit");
    }
    if let Some(file) = &cli.certificate {
        if let Err(e) = certificate_paths(file, &props) {
            return usage_error(e);
        }
    }
    let route = match cli.prove_with {
        ProveWith::Induction => prove::Route::Induction,
        ProveWith::Spacer => prove::Route::Spacer,
    };
    let opts = prove::ProveOptions {
        route,
        max_k: cli.max_k,
        timeout: cli.timeout.map(std::time::Duration::from_secs),
        sample_states: cli.samples,
        strengthen: !cli.no_strengthen,
        seed: !cli.no_seed,
        minimize: cli.certificate.is_some(),
        ..prove::ProveOptions::new(props.clone())
    };
    if !cli.json {
        println!(
            "semisync-bmc {}: proving SemiSync's invariants for every depth",
            env!("CARGO_PKG_VERSION")
        );
        println!("  {}", p.describe());
        println!(
            "  properties: {}; method: {}; Z3 {}",
            props
                .iter()
                .map(|q| q.name())
                .collect::<Vec<_>>()
                .join(", "),
            match route {
                prove::Route::Induction => format!(
                    "{}k-induction (k <= {})",
                    if opts.strengthen {
                        "template strengthening, then "
                    } else {
                        ""
                    },
                    opts.max_k + 1
                ),
                prove::Route::Spacer => "Spacer (IC3/PDR)".into(),
            },
            z3::full_version()
        );
        println!();
    }
    let (report, detail) = match prove::run(p, &opts) {
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_INTERNAL);
        }
        Ok(x) => x,
    };
    for line in &detail.log {
        log::info!("{line}");
    }
    let code = exit_code(&report);
    let mut written = vec![];
    if let Some(file) = &cli.certificate {
        let paths = certificate_paths(file, &props).expect("checked above");
        for (q, path) in props.iter().zip(paths) {
            match detail.invariants.iter().find(|(q2, _)| q2 == q) {
                Some((_, inv)) => {
                    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
                    let text = prove::certificate::module(&name, p, *q, inv);
                    if let Err(e) = std::fs::write(&path, text) {
                        eprintln!("error: cannot write {}: {e}", path.display());
                        return ExitCode::from(EXIT_USAGE);
                    }
                    log::info!("wrote the {q} certificate to {}", path.display());
                    written.push((q.name(), path.display().to_string()));
                }
                None => log::warn!(
                    "no certificate for {q}: it was not proved by a 1-inductive invariant"
                ),
            }
        }
    }
    if let Some(file) = &cli.itf {
        if let Err(e) = write_itf(p, &report, file) {
            eprintln!("error: cannot write the ITF trace: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    }
    if cli.json {
        let doc = json!({
            "tool": "semisync-bmc",
            "version": env!("CARGO_PKG_VERSION"),
            "z3_version": z3::full_version(),
            "mode": "prove",
            "parameters": itf::params_json(p),
            "properties": report.verdicts.iter().map(|(q, v)| verdict_json(p, q.name(), v)).collect::<Vec<_>>(),
            "log": detail.log,
            "certificates": written.iter().map(|(q, f)| json!({"name": q, "file": f})).collect::<Vec<_>>(),
            "total_seconds": report.seconds,
            "exit_code": code,
        });
        println!("{}", serde_json::to_string_pretty(&doc).expect("JSON"));
    } else {
        for (q, cti) in &detail.ctis {
            if !report
                .verdicts
                .iter()
                .any(|(q2, v)| q2 == q && matches!(v, Verdict::Proved { .. }))
            {
                println!(
                    "{q} is not inductive even with the strengthening; a counterexample to induction:\n{}",
                    cti.render()
                );
            }
        }
        print_report(&report, cli.full_states);
    }
    ExitCode::from(code)
}

/// Where each property's certificate goes; the stems must be TLA+ module
/// names.
fn certificate_paths(
    file: &Path,
    props: &[semisync_bmc::spec::Property],
) -> Result<Vec<PathBuf>, String> {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && s.chars().any(|c| c.is_ascii_alphabetic())
    };
    if !ok(&stem) {
        return Err(format!(
            "--certificate {}: the file's stem is the TLA+ module's name and must be letters, \
             digits and '_' (for example SemiSyncIndInv.tla)",
            file.display()
        ));
    }
    if stem == "SemiSync" || stem == "IndInv" || stem.starts_with("IndInv_") {
        return Err(format!(
            "--certificate {}: the module may not be named {stem} (it extends SemiSync and \
             defines IndInv); choose another name, for example SemiSyncIndInv.tla",
            file.display()
        ));
    }
    if props.len() == 1 {
        return Ok(vec![file.with_extension("tla")]);
    }
    Ok(props
        .iter()
        .map(|q| file.with_file_name(format!("{stem}_{}.tla", q.name())))
        .collect())
}

fn write_itf(p: &Params, report: &Report, file: &Path) -> std::io::Result<()> {
    let cxs: Vec<_> = report
        .verdicts
        .iter()
        .filter_map(|(_, v)| match v {
            Verdict::Violated(cx) => Some(cx),
            _ => None,
        })
        .collect();
    for cx in &cxs {
        let path = if cxs.len() == 1 {
            file.to_path_buf()
        } else {
            with_property(file, cx.property.name())
        };
        let text = serde_json::to_string_pretty(&itf::trace_json(p, cx)).expect("JSON");
        std::fs::write(&path, text + "\n")?;
        log::info!(
            "wrote the {} counterexample to {}",
            cx.property,
            path.display()
        );
    }
    Ok(())
}

/// `trace.itf.json` -> `trace.Inv.itf.json`
fn with_property(file: &Path, prop: &str) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let new = match name.split_once('.') {
        Some((stem, ext)) => format!("{stem}.{prop}.{ext}"),
        None => format!("{name}.{prop}"),
    };
    file.with_file_name(new)
}

fn exit_code(report: &Report) -> u8 {
    if report.verdicts.iter().any(|(_, v)| v.is_violated()) {
        EXIT_VIOLATION
    } else if report.verdicts.iter().any(|(_, v)| v.is_unknown()) {
        EXIT_UNKNOWN
    } else {
        EXIT_OK
    }
}

fn print_report(report: &Report, full: bool) {
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
}
