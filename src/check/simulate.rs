//! `--simulate`: random walks first, then, with `--shorten`, the shortest
//! trace to each violation they met, by whichever bounded engine answers
//! within the budget: the explicit search bounded by the walk's depth (a
//! state budget) racing BMC bounded by it (`race`). What cannot be
//! shortened in time is reported as the walk found it, labelled as such.

use super::bmc::{BmcPlan, InvariantPolicy};
use super::race::{self, RacePlan};
use crate::engine::simulate::{self, Found, SimOptions};
use crate::engine::{Events, Report, Verdict};
use crate::error::{Error, Result};
use crate::interrupt;
use crate::params::Params;
use crate::spec::Property;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct SimPlan {
    pub sim: SimOptions,
    /// Shorten each violation found, within this many seconds per property.
    pub shorten_secs: Option<u64>,
}

/// States the explicit search may store while shortening, before BMC is
/// tried instead (a few hundred MiB).
pub const SHORTEN_STATES: u64 = 5_000_000;

pub fn run(p: &Params, plan: &SimPlan, events: &Events) -> Result<Report> {
    let start = Instant::now();
    let o = &plan.sim;
    events.note(format!(
        "simulation: up to {} walks of at most {} steps on {} threads{}, seeds {} .. {}",
        o.runs,
        o.depth,
        o.workers,
        if o.swarm { ", swarm weights" } else { "" },
        o.seed,
        o.seed.wrapping_add(o.runs.saturating_sub(1))
    ));
    let r = simulate::run(p, o)?;
    events.stage(format!(
        "simulation: {} walks, {} steps in {:.2} s ({:.0} steps/s){}",
        r.runs,
        r.steps,
        r.seconds,
        r.steps as f64 / r.seconds.max(1e-9),
        if interrupt::requested() {
            " (interrupted)"
        } else {
            ""
        }
    ));
    let mut verdicts = vec![];
    for (q, found) in r.found {
        let v = match found {
            // How many walks ran is in the log line above.
            None => simulate::unfound(r.runs, o.depth),
            Some(f) => {
                events.stage(format!(
                    "{q}: violated at step {} of the walk with seed {} (--simulate --seed {} \
                     --runs 1 --depth {}{} replays it){}",
                    f.walked,
                    f.seed,
                    f.seed,
                    o.depth,
                    if o.swarm { " --swarm" } else { "" },
                    cut_words(&f)
                ));
                match plan.shorten_secs {
                    Some(secs) if !interrupt::requested() => shorten(p, q, f, secs, events)?,
                    _ => f.into_verdict(None),
                }
            }
        };
        verdicts.push((q, v));
    }
    Ok(Report {
        verdicts,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// How `simulate::shrink` cut a walk's trace, for a log line.
pub fn cut_words(f: &Found) -> String {
    let d = f.cx.trace.depth();
    if d == f.walked {
        String::new()
    } else {
        format!("; cut to {d} steps")
    }
}

/// The shortest violation of `q`, no deeper than the walk's, or the walk's
/// own when no bounded engine answers within `secs` (with the depth up to
/// which BMC found none, if it got that far). The explicit search (with
/// symmetry where `q` allows it, within a state budget) and BMC (without an
/// invariant search: `q` is violated) race on the cores, both bounded by
/// the walk's depth.
pub fn shorten(p: &Params, q: Property, f: Found, secs: u64, events: &Events) -> Result<Verdict> {
    let t = Instant::now();
    let d = f.cx.trace.depth();
    let mut plan = BmcPlan::new(d, vec![q]);
    plan.deadline = Some(t + Duration::from_secs(secs));
    plan.engine.timeout_ms = Some(secs.saturating_mul(1000).max(1));
    plan.invariant = InvariantPolicy::Off;
    let plan = RacePlan {
        bmc: plan,
        walks: None,
        violated_within: vec![(q, d)],
    };
    let (r, by) = race::run_with(p, &plan, SHORTEN_STATES, &Events::none())?;
    let engine = by.first().map_or("?", |(_, e)| *e);
    match &r.verdicts[0].1 {
        v @ Verdict::Violated(_) => {
            let secs = t.elapsed().as_secs_f64();
            events.stage(match v.violation_depth() {
                Some(k) if k < d => format!(
                    "{q}: shortened from {d} to {k} steps by the {engine} engine ({secs:.2} s)"
                ),
                _ => format!(
                    "{q}: {d} steps is the shortest: the {engine} engine found none shorter \
                     ({secs:.2} s)"
                ),
            });
            Ok(v.clone())
        }
        Verdict::Unknown { holds_up_to, .. } | Verdict::Found { holds_up_to, .. } => {
            not_shortened(q, f, secs, *holds_up_to, events)
        }
        // The engines stop one step short of the walk's violation (it is
        // on their board): then it is a shortest one.
        Verdict::HoldsUpTo(k) if k + 1 == d => {
            events.stage(format!(
                "{q}: {d} steps is the shortest: the {engine} engine found none up to depth {k} \
                 ({:.2} s)",
                t.elapsed().as_secs_f64()
            ));
            Ok(f.into_verdict(Some(*k)))
        }
        Verdict::HoldsUpTo(k) if *k < d => not_shortened(q, f, secs, Some(*k), events),
        v => Err(Error::internal(format!(
            "a walk met a {q} violation at depth {d}, but the engines bounded by {d} say {v}"
        ))),
    }
}

/// The walk's violation `f`, not shortened within `secs`; none exists up
/// to depth `lower`.
fn not_shortened(
    q: Property,
    f: Found,
    secs: u64,
    lower: Option<usize>,
    events: &Events,
) -> Result<Verdict> {
    events.stage(format!(
        "{q}: not shortened within {secs} s ({}): the walk's trace of {} steps is reported, \
         and a shorter one may exist",
        match lower {
            Some(k) => format!("no violation up to depth {k}"),
            None => "no depth completed".into(),
        },
        f.cx.trace.depth()
    ));
    Ok(f.into_verdict(lower))
}
