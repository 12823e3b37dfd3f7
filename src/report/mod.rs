//! What a run tells its user: the text report (TLC's trace layout and a
//! summary), the JSON report, ITF traces and TLA+ certificates, each
//! written in one place, and the exit code of an outcome.

pub mod certificate;
pub mod html;
pub mod itf;
pub mod json;

use crate::check::Outcome;
use crate::engine::{DepthInfo, Event, Events, LevelInfo, Method, Report, Verdict};
use crate::error::{
    EXIT_DEADLOCK, EXIT_INCOMPLETE, EXIT_LIVENESS, EXIT_OK, EXIT_UNREACHED, EXIT_VIOLATION,
};
use crate::params::Params;
use crate::spec::Property;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use z3::SatResult;

/// Writes each counterexample of `report`, rendered by `render`, to `file`
/// when there is one, else to `file` with the property's name before the
/// extension (`cx.itf.json` -> `cx.Inv.itf.json`); `what` names the kind
/// of file in messages.
pub fn write_each(
    report: &Report,
    file: &std::path::Path,
    what: &str,
    render: impl Fn(&crate::trace::Counterexample) -> String,
) -> crate::error::Result<()> {
    let cxs: Vec<_> = report
        .verdicts
        .iter()
        .filter_map(|(_, v)| v.counterexample())
        .collect();
    for cx in &cxs {
        let path = if cxs.len() == 1 {
            file.to_path_buf()
        } else {
            itf::with_property(file, cx.property.name())
        };
        write_file(
            &path,
            &render(cx),
            &format!("{} counterexample's {what}", cx.property),
        )?;
    }
    Ok(())
}

/// Writes one output file; `what` names it in the log line and the error.
pub fn write_file(path: &std::path::Path, text: &str, what: &str) -> crate::error::Result<()> {
    std::fs::write(path, text)
        .map_err(|e| crate::error::Error::io(format!("the {what} {}", path.display()), e))?;
    log::info!("wrote the {what} to {}", path.display());
    Ok(())
}

/// TLC's codes: 12 for a violated invariant, else 13 for a violated
/// temporal property, else 11 for a deadlock, else 3 when something is
/// unknown (including an interrupted run), else 0.
pub fn exit_code(report: &Report) -> u8 {
    let violated = |which: fn(Property) -> bool| {
        report
            .verdicts
            .iter()
            .any(|(q, v)| v.is_violated() && which(*q))
    };
    if violated(|q| q != Property::NoDeadlock && !q.is_temporal() && !q.is_reach()) {
        EXIT_VIOLATION
    } else if violated(Property::is_temporal) {
        EXIT_LIVENESS
    } else if violated(|q| q == Property::NoDeadlock) {
        EXIT_DEADLOCK
    } else if report.verdicts.iter().any(|(_, v)| v.is_unknown()) {
        EXIT_INCOMPLETE
    } else if report
        .verdicts
        .iter()
        .any(|(q, v)| q.is_reach() && !v.is_violated())
    {
        EXIT_UNREACHED
    } else {
        EXIT_OK
    }
}

/// The lines above a text report: the tool, the configuration, what is
/// checked and how.
pub fn header(title: &str, p: &Params, props: &[Property], how: &str) -> String {
    format!(
        "semisync-bmc {}: {title}\n  {}\n  properties: {}; {how}\n\n",
        env!("CARGO_PKG_VERSION"),
        p.describe(),
        {
            let named: Vec<&str> = props
                .iter()
                .filter(|q| !matches!(q, Property::Enabled(_)))
                .map(|q| q.name())
                .collect();
            let covered = props.len() - named.len();
            let mut s = named.join(", ");
            if covered > 0 {
                if !s.is_empty() {
                    s.push_str(", ");
                }
                s.push_str(&format!("coverage of {covered} action instances"));
            }
            s
        }
    )
}

/// Every counterexample in TLC's layout, the counterexamples to induction
/// of properties a proof left open, then one summary line per property.
pub fn text(outcome: &Outcome, full_states: bool) -> String {
    let report = &outcome.report;
    let mut out = String::new();
    if let Some(detail) = &outcome.proof {
        for (q, cti) in &detail.ctis {
            // Only where the proof left the property open (a violated one
            // has its trace; a coverage query is in the summary).
            let open = !matches!(
                report.verdict(*q),
                Some(Verdict::Proved(_) | Verdict::Violated(_) | Verdict::Found { .. })
            );
            if open && !matches!(q, Property::Enabled(_)) {
                let _ = writeln!(
                    out,
                    "{q} is not inductive even with the strengthening; a counterexample to \
                     induction:\n{}",
                    cti.render()
                );
            }
        }
    }
    for (q, v) in &report.verdicts {
        // Coverage witnesses are in the summary only (--itf writes them).
        if matches!(q, Property::Enabled(_)) {
            continue;
        }
        if let Some(cx) = v.counterexample() {
            let _ = writeln!(out, "{}", cx.render(full_states));
        }
        let more: Vec<_> = outcome.more.iter().filter(|cx| cx.property == *q).collect();
        for (i, cx) in more.iter().enumerate() {
            let _ = writeln!(
                out,
                "{} {} of {q} (depth {}):\n{}",
                if q.is_reach() {
                    "Witness"
                } else {
                    "Counterexample"
                },
                i + 2,
                cx.trace.depth(),
                cx.render(full_states)
            );
        }
    }
    if report.interrupted() {
        let _ = writeln!(
            out,
            "Interrupted: the verdicts below are what was decided before the stop."
        );
    }
    let _ = writeln!(out, "Summary:");
    let width = report
        .verdicts
        .iter()
        .map(|(q, _)| q.name().len())
        .max()
        .unwrap_or(0)
        .max(11);
    for (q, v) in &report.verdicts {
        let by = match outcome.decided_by.iter().find(|(x, _)| x == q) {
            Some((_, e)) => format!(" [{e} engine]"),
            None => String::new(),
        };
        let said = if let Property::Enabled(_) = q {
            coverage_words(v)
        } else if q.is_reach() {
            reach_words(v)
        } else {
            v.to_string()
        };
        let more = outcome.more.iter().filter(|cx| cx.property == *q).count();
        let said = if more > 0 {
            let what = if q.is_reach() {
                "witnesses"
            } else {
                "counterexamples"
            };
            format!("{said}; {} {what} (--max-error)", more + 1)
        } else {
            said
        };
        let _ = writeln!(out, "  {:<width$} {said}{by}", q.name());
    }
    let _ = writeln!(out, "Finished in {:.2} s.", report.seconds);
    out
}

/// A `--reach` target's verdict in the words of reachability: its
/// "violation" is a witness.
pub fn reach_words(v: &Verdict) -> String {
    match v {
        Verdict::Violated(cx) => format!("reachable at depth {} (shortest witness)", cx.trace.depth()),
        Verdict::Found { cx, seed, .. } => format!(
            "reachable at depth {} (random simulation, walk seed {seed}; not known to be the shortest)",
            cx.trace.depth()
        ),
        Verdict::NotFound { runs, depth } => {
            format!("not reached in {runs} random runs of at most {depth} steps (not a proof)")
        }
        Verdict::HoldsUpTo(k) => format!("not reachable up to depth {k}"),
        Verdict::Proved(Method::Exhausted { states, .. }) => {
            format!("unreachable (exhaustive explicit search of {states} distinct states)")
        }
        Verdict::Proved(m) => format!("unreachable, proved for every depth ({})", m.name()),
        Verdict::Unknown { .. } => v.to_string(),
    }
}

/// `--coverage`: when an action instance is first enabled.
pub fn coverage_words(v: &Verdict) -> String {
    match v {
        Verdict::Violated(cx) => format!("first enabled at depth {}", cx.trace.depth()),
        Verdict::HoldsUpTo(k) => format!("never enabled up to depth {k}"),
        Verdict::Proved(Method::Exhausted { states, .. }) => {
            format!("never enabled (exhaustive explicit search of {states} distinct states)")
        }
        Verdict::Proved(m) => format!("never enabled, proved for every depth ({})", m.name()),
        Verdict::Found { cx, seed, .. } => format!(
            "enabled at depth {} (random simulation, walk seed {seed}; not known to be the first)",
            cx.trace.depth()
        ),
        Verdict::NotFound { runs, depth } => {
            format!("not enabled in {runs} random runs of at most {depth} steps (not a proof)")
        }
        _ => reach_words(v),
    }
}

fn answer_word(r: &SatResult) -> &'static str {
    match r {
        SatResult::Sat => "VIOLATED",
        SatResult::Unsat => "ok",
        SatResult::Unknown => "UNKNOWN",
    }
}

/// One progress line per BMC depth.
pub fn depth_line(d: &DepthInfo) -> String {
    let answers: Vec<String> = d
        .answers
        .iter()
        .map(|(q, r, secs)| format!("{q} {} ({secs:.2} s)", answer_word(r)))
        .collect();
    format!(
        "depth {:>2}: {:>8.3} s (total {:>8.3} s)  {}",
        d.depth,
        d.seconds,
        d.total_seconds,
        answers.join(", ")
    )
}

/// One progress line per explicit level, with the level's rate.
pub fn level_line(l: &LevelInfo) -> String {
    level_text(l, "", 3)
}

/// The status line of a level still being built.
pub fn tick_line(l: &LevelInfo) -> String {
    level_text(l, " (exploring)", 1)
}

fn level_text(l: &LevelInfo, tag: &str, decimals: usize) -> String {
    if let Some(n) = l.checked {
        return format!(
            "depth {:>2}{tag}: {n:>10} successors checked, not stored (the last level), {:>8.decimals$} s (total {:>8.decimals$} s, {:.0} successors/s)",
            l.depth,
            l.seconds,
            l.total_seconds,
            n as f64 / l.seconds.max(1e-6)
        );
    }
    format!(
        "depth {:>2}{tag}: {:>10} new states, {:>11} in all, {:>8.decimals$} s (total {:>8.decimals$} s, {:.0} states/s)",
        l.depth,
        l.new_states,
        l.total_states,
        l.seconds,
        l.total_seconds,
        l.new_states as f64 / l.seconds.max(1e-6)
    )
}

/// The sink of a command-line run: every event becomes a line on the
/// logger (stderr; silent with -q) and is kept for the JSON report. Ticks
/// of a level still being built are shown only on a terminal, as one
/// status line rewritten in place and wiped before the next line; they
/// are not kept.
pub fn logging_events() -> (Events, Arc<Mutex<Vec<Event>>>) {
    use std::io::{IsTerminal, Write};
    let kept: Arc<Mutex<Vec<Event>>> = Arc::default();
    let k = Arc::clone(&kept);
    let live = std::io::stderr().is_terminal() && log::log_enabled!(log::Level::Info);
    let shown = std::sync::atomic::AtomicBool::new(false);
    let events = Events::new(move |e| {
        use std::sync::atomic::Ordering::SeqCst;
        if let Event::Tick(l) = e {
            if live {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[K{}", tick_line(l));
                let _ = err.flush();
                shown.store(true, SeqCst);
            }
            return;
        }
        if shown.swap(false, SeqCst) {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        }
        match e {
            Event::Depth(d) => log::info!("{}", depth_line(d)),
            Event::Level(l) => log::info!("{}", level_line(l)),
            Event::Stage(s) | Event::Note(s) => log::info!("{s}"),
            Event::Tick(_) => {}
        }
        k.lock().unwrap_or_else(|e| e.into_inner()).push(e.clone());
    });
    (events, kept)
}
