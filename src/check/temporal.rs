//! `--temporal Finish`: `FairSpec => Finish`. The explicit engine explores
//! the whole reachable graph and looks for a violating lasso in it (a
//! verdict for every behaviour, or unknown past --max-states); the symbolic
//! engine looks for the shortest lasso, one depth at a time (lasso BMC:
//! "holds up to depth k" means no violating lasso of at most k steps). A
//! lasso ends in a loop back to an earlier state or in a state without a
//! real step, where it stutters forever; it is replayed before it is
//! reported. When Z3 proves that every real step raises a measure
//! (`engine::prove::ranking`), no loop exists and lasso BMC asks only for
//! the stuttering ones.

use crate::engine::bmc::{Bmc, BmcOptions, Loops};
use crate::engine::explicit::liveness;
use crate::engine::prove::ranking;
use crate::engine::{DepthInfo, Event, Events, Report, Verdict};
use crate::error::Result;
use crate::interrupt;
use crate::params::Params;
use crate::spec::Property;
use crate::symbolic::Encoding;
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct TemporalPlan {
    pub depth: usize,
    /// The explicit engine instead of lasso BMC.
    pub explicit: bool,
    pub max_states: Option<u64>,
    /// The unrolling (no partial-order reduction: it is unsound for
    /// lassos, and never applied here).
    pub engine: BmcOptions,
    /// How lasso BMC encodes loops when no ranking measure rules them out.
    pub loops: Loops,
    /// Ask for loops even when the ranking measure rules them out (for
    /// measuring the encodings).
    pub keep_loops: bool,
}

pub fn run(p: &Params, plan: &TemporalPlan, events: &Events) -> Result<Report> {
    let start = Instant::now();
    let v = if plan.explicit {
        liveness::finish(p, plan.max_states, events)?
    } else {
        // No cycle of real steps: then every violating lasso ends
        // stuttering, and loop-back constraints (one state equality per
        // earlier state, at every depth) can be left out.
        let t = Instant::now();
        let loops = match ranking::check(&Encoding::new(p), plan.engine.timeout_ms) {
            Ok(_) if plan.keep_loops => plan.loops,
            Ok(n) => {
                events.stage(format!(
                    "no cycle of real steps: a measure of {n} components rises on every real \
                     step (checked by Z3, {:.2} s); lassos can only end stuttering",
                    t.elapsed().as_secs_f64()
                ));
                Loops::StutterOnly
            }
            Err(e) => {
                events.note(format!("lasso BMC with loops ({:?}): {e}", plan.loops));
                plan.loops
            }
        };
        let mut bmc = Bmc::new(p, &plan.engine, &[Property::Finish]);
        let mut v = Verdict::HoldsUpTo(plan.depth);
        for k in 0..=plan.depth {
            if interrupt::requested() {
                v = Verdict::unknown_at(k, interrupt::REASON);
                break;
            }
            let t0 = Instant::now();
            if k > 0 {
                bmc.deepen();
            }
            let a = bmc.check_lasso(loops)?;
            events.emit(Event::Depth(DepthInfo {
                depth: k,
                seconds: t0.elapsed().as_secs_f64(),
                total_seconds: start.elapsed().as_secs_f64(),
                answers: vec![(Property::Finish, a.result, a.seconds)],
            }));
            if let Some(found) = a.verdict {
                v = found;
                break;
            }
        }
        v
    };
    Ok(Report {
        verdicts: vec![(Property::Finish, v)],
        seconds: start.elapsed().as_secs_f64(),
    })
}
