//! Orchestration: which engine runs, in which thread, which property waits
//! for which result, and what is run again. Every policy lives here; the
//! engines below only step and answer. `run` is the one entry point the
//! command line (and any library caller) uses.

pub mod bmc;
pub mod prove;
pub mod race;
pub mod simulate;
pub mod split;
pub mod temporal;

use crate::engine::explicit::{self, ExplicitOptions};
use crate::engine::prove::{ProveDetail, ProveOptions};
use crate::engine::{Events, Report, Verdict};
use crate::error::Result;
use crate::interrupt;
use crate::params::Params;
use bmc::BmcPlan;

/// What to run.
#[derive(Clone, Debug)]
pub enum Job {
    /// Symbolic BMC up to a bound.
    Bmc(BmcPlan),
    /// Symbolic BMC with the even and odd depths on two threads.
    SplitDepths(BmcPlan),
    /// Explicit breadth-first search.
    Explicit(ExplicitOptions),
    /// Proofs for every depth (`--prove`).
    Prove(ProveOptions),
    /// Random walks (`--simulate`), then optionally the shortest traces.
    Simulate(simulate::SimPlan),
    /// The engines racing (`--engine auto`).
    Race(race::RacePlan),
    /// `FairSpec => Finish` (`--temporal Finish`).
    Temporal(temporal::TemporalPlan),
}

/// A run's result: a verdict per property, and a proof's details.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub report: Report,
    /// With `Job::Prove`: the invariants (for certificates) and the
    /// counterexamples to induction.
    pub proof: Option<ProveDetail>,
    /// With `Job::Race`: which engine decided each property.
    pub decided_by: Vec<(crate::spec::Property, &'static str)>,
    /// `--max-error`: the counterexamples after each property's first, in
    /// order (see `more_counterexamples`).
    pub more: Vec<crate::trace::Counterexample>,
}

/// `--max-error n`: up to `n` counterexamples per violated property (the
/// first is the verdict's), the next shortest ones with last states that
/// differ under `view`, found by BMC up to `depth` and replayed.
pub fn more_counterexamples(
    p: &Params,
    outcome: &mut Outcome,
    n: usize,
    view: crate::engine::more::View,
    depth: usize,
    timeout_ms: Option<u64>,
) -> Result<()> {
    let _z3 = interrupt::Guard::new();
    for (q, v) in &outcome.report.verdicts {
        // The shortest first counterexample only (a random walk's is not),
        // and not for lassos or coverage.
        let Verdict::Violated(cx) = v else { continue };
        if cx.lasso.is_some() || matches!(q, crate::spec::Property::Enabled(_)) {
            continue;
        }
        let found = crate::engine::more::more(p, *q, cx, depth, n, view, timeout_ms)?;
        outcome.more.extend(found.into_iter().skip(1));
    }
    Ok(())
}

/// Runs `job`, emitting progress and messages to `events`. An interrupted
/// run (`interrupt::request`, or SIGINT/SIGTERM once handlers are
/// installed) returns what it decided, the rest unknown ("interrupted").
pub fn run(p: &Params, job: &Job, events: &Events) -> Result<Outcome> {
    let _z3 = interrupt::Guard::new();
    let mut decided_by = vec![];
    let (report, proof) = match job {
        Job::Bmc(plan) => (bmc::run(p, plan, events)?, None),
        Job::SplitDepths(plan) => (split::run(p, plan)?, None),
        Job::Explicit(opts) => (explicit::run(p, opts, events)?, None),
        Job::Simulate(plan) => (simulate::run(p, plan, events)?, None),
        Job::Temporal(plan) => (temporal::run(p, plan, events)?, None),
        Job::Race(plan) => {
            let (r, by) = race::run(p, plan, events)?;
            decided_by = by;
            (r, None)
        }
        Job::Prove(opts) => {
            let (r, d) = prove::run(p, opts, events)?;
            (r, Some(d))
        }
    };
    Ok(Outcome {
        report,
        proof,
        decided_by,
        more: vec![],
    })
}
