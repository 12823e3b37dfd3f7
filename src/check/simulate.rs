//! `--simulate`: random walks first, then, with `--shorten`, the shortest
//! trace to each violation they met, by whichever bounded engine answers
//! within the budget: the explicit search bounded by the walk's depth (a
//! state budget), else BMC bounded by it (the time left). What cannot be
//! shortened in time is reported as the walk found it, labelled as such.

use super::bmc::{self, BmcPlan};
use crate::engine::explicit::{self, ExplicitOptions};
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
                     --runs 1 --depth {}{} replays it)",
                    f.cx.trace.depth(),
                    f.seed,
                    f.seed,
                    o.depth,
                    if o.swarm { " --swarm" } else { "" }
                ));
                match plan.shorten_secs {
                    Some(secs) if !interrupt::requested() => shorten(p, q, f, secs, events)?,
                    _ => f.into_verdict(),
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

/// The shortest violation of `q`, no deeper than the walk's, or the walk's
/// own when neither bounded engine answers within `secs`.
fn shorten(p: &Params, q: Property, f: Found, secs: u64, events: &Events) -> Result<Verdict> {
    let t = Instant::now();
    let d = f.cx.trace.depth();
    let deadline = t + Duration::from_secs(secs);
    let found = |how: &str, v: Verdict| {
        events.stage(format!(
            "{q}: shortened from {d} to {} steps by {how} ({:.2} s)",
            v.violation_depth().unwrap_or(d),
            t.elapsed().as_secs_f64()
        ));
        Ok(v)
    };
    let exp = explicit::run(
        p,
        &ExplicitOptions {
            depth: d,
            props: vec![q],
            max_states: Some(SHORTEN_STATES),
            symmetry: q.is_symmetric(),
            stop_at_first: true,
            deadline: Some(deadline),
            board: Default::default(),
        },
        &Events::none(),
    )?;
    match &exp.verdicts[0].1 {
        v @ Verdict::Violated(_) => return found("the explicit search (symmetry)", v.clone()),
        Verdict::Unknown { .. } => {}
        v => {
            return Err(Error::internal(format!(
                "a walk met a {q} violation at depth {d}, but the explicit search bounded by {d} \
                 says {v}"
            )))
        }
    }
    let left = deadline.saturating_duration_since(Instant::now());
    let mut bmc_reached = "not tried".to_string();
    if !left.is_zero() && !interrupt::requested() {
        let mut plan = BmcPlan::new(d, vec![q]);
        plan.deadline = Some(deadline);
        plan.engine.timeout_ms = Some(left.as_millis().max(1) as u64);
        let r = bmc::run(p, &plan, &Events::none())?;
        match &r.verdicts[0].1 {
            v @ Verdict::Violated(_) => return found("BMC", v.clone()),
            Verdict::Unknown { holds_up_to, .. } => {
                bmc_reached = match holds_up_to {
                    Some(k) => format!("no violation up to depth {k}"),
                    None => "no depth completed".into(),
                }
            }
            v => {
                return Err(Error::internal(format!(
                    "a walk met a {q} violation at depth {d}, but BMC bounded by {d} says {v}"
                )))
            }
        }
    }
    events.stage(format!(
        "{q}: not shortened within {secs} s (explicit search: stopped, {}, before depth {d}; \
         BMC: {bmc_reached}): the walk's trace of {d} steps is reported, and a shorter one may \
         exist",
        match &exp.verdicts[0].1 {
            Verdict::Unknown { reason, .. } => reason.clone(),
            _ => "?".into(),
        }
    ));
    Ok(f.into_verdict())
}
