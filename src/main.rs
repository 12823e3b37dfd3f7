//! `bmc`: parse, call `check::run`, write what the user asked for, map the
//! outcome to an exit code.

mod cli;

use anyhow::Context;
use cli::Cli;
use semisync_bmc::check::{self, Job};
use semisync_bmc::error::{exit_code_of, Error, EXIT_OK};
use semisync_bmc::report::{self, json};
use serde_json::json;
use std::io::Write;
use std::process::ExitCode;

/// Restores the default SIGPIPE action, so that `bmc ... | head` ends
/// quietly when the reader goes away (Rust ignores SIGPIPE by default).
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

fn main() -> ExitCode {
    #[cfg(unix)]
    default_sigpipe();
    semisync_bmc::interrupt::install_handlers();
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let mut cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let configured = cli.apply_config(&matches);
    let level = if cli.quiet { "warn" } else { "info" };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level))
        .format(|buf, rec| writeln!(buf, "{}", rec.args()))
        .init();
    if let Err(e) = configured {
        eprintln!("error: {e}");
        return ExitCode::from(e.exit_code());
    }
    let code = match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit_code_of(&e)
        }
    };
    // Helper threads left to end on their own (a racer that lost, the
    // reduction's proof) are stopped and joined before libz3's static
    // destructors run at exit; one that does not end at once (a loser
    // still building its encoding, which no stop interrupts) is left
    // behind by _exit, which runs no destructors. Everything is written.
    if !semisync_bmc::interrupt::wind_down(std::time::Duration::from_millis(100)) {
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        extern "C" {
            fn _exit(code: i32) -> !;
        }
        // SAFETY: every output is written and flushed; _exit only ends the
        // process.
        unsafe { _exit(code as i32) }
    }
    ExitCode::from(code)
}

fn run(cli: &Cli) -> anyhow::Result<u8> {
    if let Some(cli::Command::View { trace, html }) = &cli.command {
        report::html::view(trace, html)?;
        return Ok(EXIT_OK);
    }
    let p = cli.params();
    p.validate()?;
    cli.apply_z3_params()?;
    if cli.print_encoding {
        let enc = semisync_bmc::symbolic::Encoding::new(&p);
        print_out(&semisync_bmc::symbolic::smtlib::render(&enc))?;
        return Ok(EXIT_OK);
    }
    if let Some(file) = &cli.lemmas {
        let text = std::fs::read_to_string(file).map_err(|e| {
            Error::usage(format!("--lemmas {}: cannot read it: {e}", file.display()))
        })?;
        let n = semisync_bmc::engine::prove::library::add_user_lemmas(&text)
            .map_err(|e| Error::usage(format!("--lemmas {}: {e}", file.display())))?;
        log::info!(
            "--lemmas {}: {n} lemmas, tried with the library's",
            file.display()
        );
    }
    let job = cli.job()?;
    if !cli.json {
        print_out(&cli.header(&p, &job))?;
    }
    let (events, kept) = report::logging_events();
    let outcome = check::run(&p, &job, &events).context("the check stopped")?;
    let mut outcome = outcome;
    if cli.max_error > 1 {
        let view = cli.view()?;
        let v = match &view {
            Some(c) => semisync_bmc::engine::more::View::Expr(c),
            None => semisync_bmc::engine::more::View::State,
        };
        let timeout = cli.timeout.map(|s| s.saturating_mul(1000));
        check::more_counterexamples(
            &p,
            &mut outcome,
            cli.max_error as usize,
            v,
            cli.depth(),
            timeout,
        )
        .context("looking for more counterexamples")?;
        if semisync_bmc::interrupt::requested() {
            log::warn!(
                "interrupted while looking for more counterexamples: those found so far are \
                 reported"
            );
        }
    }
    let code = report::exit_code(&outcome.report);
    let mut certificates = vec![];
    if let (Some(file), Job::Prove(o), Some(proof)) = (&cli.certificate, &job, &outcome.proof) {
        certificates = report::certificate::write(&p, file, &o.props, &proof.invariants)?;
    }
    if let Some(file) = &cli.itf {
        report::itf::write(&p, &outcome.report, file)?;
        report::itf::write_more(&p, &outcome.more, file)?;
    }
    if let Some(file) = &cli.html {
        report::html::write(&p, &outcome.report, file)?;
    }
    if !cli.json {
        print_out(&report::text(&outcome, cli.full_states))?;
        return Ok(code);
    }
    let events = kept.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let fields = match &job {
        Job::Simulate(plan) => vec![
            ("mode", json!("simulate")),
            ("engine", json!("simulation")),
            ("depth_bound", json!(plan.sim.depth)),
            ("seed", json!(plan.sim.seed)),
            ("swarm", json!(plan.sim.swarm)),
            ("log", json!(json::stages(&events))),
        ],
        Job::Prove(_) => vec![
            ("mode", json!("prove")),
            ("log", json!(json::stages(&events))),
            (
                "certificates",
                json!(certificates
                    .iter()
                    .map(|(q, f)| json!({"name": q.name(), "file": f.display().to_string()}))
                    .collect::<Vec<_>>()),
            ),
        ],
        _ => vec![
            (
                "engine",
                json!(match job {
                    Job::Explicit(_) => "explicit",
                    // Each property's own "engine" says which one decided.
                    Job::Race(_) => "auto",
                    _ => "symbolic",
                }),
            ),
            ("depth_bound", json!(cli.depth())),
            ("depths", json!(json::depths(&events))),
        ],
    };
    let doc = json::document(&p, &outcome, fields, code);
    print_out(&(serde_json::to_string_pretty(&doc).expect("JSON") + "\n"))?;
    Ok(code)
}

/// Standard output, with a failed write (a full disk) as an I/O error.
fn print_out(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("the results to standard output", e))
}
