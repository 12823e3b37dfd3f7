//! The unrolled transition system inside one solver: state copies, one
//! transition per step, symmetry breaking, the partial-order constraints,
//! and the solver helpers every engine shares. Engines drive it; it knows
//! nothing of verdicts or policies.

use super::{Encoding, StepVars};
use crate::error::Error;
use crate::params::Params;
use crate::spec::Property;
use crate::trace::{Counterexample, Trace};
use std::time::Instant;
use z3::ast::{Bool, BV};
use z3::{Model, SatResult, Solver};

/// The unrolled transition system inside one solver.
pub struct Unroller {
    pub enc: Encoding,
    pub solver: Solver,
    pub states: Vec<Vec<BV>>,
    pub steps: Vec<StepVars>,
    /// Symmetry breaking on: per replica and per client, whether some step
    /// so far has touched it (see `break_symmetry`).
    touched: Option<(Vec<Bool>, Vec<Bool>)>,
    /// Partial-order reduction from this depth (see `symbolic::por`).
    partial_order: Option<usize>,
    /// Adjacent step pairs constrained by it so far.
    por_pairs: usize,
    /// `symbolic::por::verify` passed for this configuration: until then
    /// no reduction constraint is asserted.
    por_verified: bool,
}

/// A solver for the bit-vector fragment: Z3's bit-blasting SAT back end
/// when the library offers it.
pub fn new_solver(timeout_ms: Option<u64>) -> Solver {
    let s = Solver::new_for_logic("QF_BV").unwrap_or_default();
    no_ctrl_c(&s);
    if let Some(ms) = timeout_ms {
        set_timeout(&s, ms);
    }
    s
}

/// Keeps Z3 from installing its own SIGINT handler around `s`'s queries:
/// with several solving threads its save-and-restore of the handler races
/// and can leave the default one (Ctrl-C would then kill the run). Stops
/// are ours (`crate::interrupt`), which cancels queries instead.
pub fn no_ctrl_c(s: &Solver) {
    let mut prm = z3::Params::new();
    prm.set_bool("ctrl_c", false);
    s.set_params(&prm);
}

/// Bounds each later query of `s` to `ms` milliseconds.
pub fn set_timeout(s: &Solver, ms: u64) {
    let mut prm = z3::Params::new();
    prm.set_u32("timeout", ms.min(u32::MAX as u64) as u32);
    s.set_params(&prm);
}

impl Unroller {
    /// The solver holding `Init(s_0)`.
    pub fn new(p: &Params, timeout_ms: Option<u64>) -> Unroller {
        let enc = Encoding::new(p);
        let solver = new_solver(timeout_ms);
        let s0 = enc.state(0);
        solver.assert(enc.init(&s0));
        Unroller {
            enc,
            solver,
            states: vec![s0],
            steps: vec![],
            touched: None,
            partial_order: None,
            por_pairs: 0,
            por_verified: false,
        }
    }

    /// Current depth (number of transitions asserted).
    pub fn depth(&self) -> usize {
        self.steps.len()
    }

    /// Asserts one more transition.
    pub fn extend(&mut self) {
        let k = self.states.len();
        let n = self.enc.state(k);
        let sv = self.enc.step_vars(k - 1);
        self.solver
            .assert(self.enc.trans(&self.states[k - 1], &n, &sv));
        if let Some((seen_r, seen_c)) = &mut self.touched {
            let (tr, tc) = touches(&self.enc, &sv);
            // The first touch of id i + 1 comes after some touch of id i
            // (replica ids from r2 on: r1 is the fixed initial leader).
            for (seen, t, first) in [(seen_r, tr, 2), (seen_c, tc, 1)] {
                for i in first..seen.len() {
                    self.solver.assert(t[i].implies(&seen[i - 1]));
                }
                for i in 0..seen.len() {
                    seen[i] = Bool::or(&[&seen[i], &t[i]]);
                }
            }
        }
        self.states.push(n);
        self.steps.push(sv);
        self.add_partial_order();
    }

    /// Asserts the reduction on every step pair not yet constrained, once
    /// it is verified and the unrolling has reached its start depth.
    fn add_partial_order(&mut self) {
        let k = self.depth();
        if self.por_verified && self.partial_order.is_some_and(|from| k >= from) {
            let t = Instant::now();
            while self.por_pairs + 2 <= self.steps.len() {
                let i = self.por_pairs;
                let c =
                    self.enc
                        .por_step(&self.states[i], &self.steps[i].act, &self.steps[i + 1].act);
                self.solver.assert(c);
                self.por_pairs += 1;
            }
            log::debug!(
                "partial-order constraints: {:.3} s",
                t.elapsed().as_secs_f64()
            );
        }
    }

    /// Conflicts of the SAT core in the last query (0 if not reported).
    pub fn conflicts(&self) -> u64 {
        match self.solver.get_statistics().value("sat conflicts") {
            Some(z3::StatisticsValue::UInt(n)) => n as u64,
            _ => 0,
        }
    }

    /// Partial-order reduction (`symbolic::por`) once the unrolling
    /// reaches depth `from`, on every step pair so far and from then on.
    pub fn reduce_partial_order(&mut self, from: usize) {
        self.partial_order = Some(from);
    }

    /// Whether `reduce_partial_order` was called.
    pub fn reduces_partial_order(&self) -> bool {
        self.partial_order.is_some()
    }

    /// The outcome of `symbolic::por::verify` for this configuration: the
    /// reduction applies only after it passed (constraints then go to every
    /// step pair so far); a failure is an encoding bug, reported loudly,
    /// and BMC goes on without the reduction.
    pub fn partial_order_verified(&mut self, proof: Result<usize, String>) {
        match proof {
            Ok(n) => {
                log::debug!("partial-order reduction: {n} reorderable pairs proved to commute");
                self.por_verified = true;
                self.add_partial_order();
            }
            Err(e) if crate::interrupt::requested() => {
                log::debug!("partial-order reduction not applied: its proof was interrupted ({e})");
                self.partial_order = None;
            }
            Err(e) => {
                log::error!(
                    "the partial-order reduction is not applied: {e}. This is a bug in its access \
                     sets (src/symbolic/por.rs); BMC goes on without it"
                );
                self.partial_order = None;
            }
        }
    }

    /// Symmetry breaking, before any `extend`: `Init` is restricted to the
    /// state whose leader is `r1`, and replicas `r2, r3, ...` (and clients
    /// `c1, c2, ...`) are first touched by a step in index order. Every path
    /// is a relabelling of one that obeys this (relabel the ids by their
    /// first touch; the spec and its properties are symmetric in both), so
    /// verdicts and shortest depths are unchanged.
    pub fn break_symmetry(&mut self) {
        assert!(self.steps.is_empty(), "symmetry breaking starts at depth 0");
        let l = self.enc.layout.zk_leader;
        let s0 = &self.states[0][l];
        self.solver.assert(s0.eq(BV::from_u64(0, s0.get_size())));
        let f = || Bool::from_bool(false);
        self.touched = Some((
            vec![f(); self.enc.p.replicas],
            vec![f(); self.enc.p.clients],
        ));
    }

    /// Reads the trace of the current depth out of a model.
    pub fn decode(&self, model: &Model) -> Result<Trace, String> {
        let eval = |x: &BV| -> Result<u64, String> {
            model
                .eval(x, true)
                .and_then(|v| v.as_u64())
                .ok_or_else(|| "model has no value for a state variable".to_string())
        };
        let mut states = vec![];
        for s in &self.states {
            let v: Vec<u64> = s.iter().map(eval).collect::<Result<_, _>>()?;
            states.push(self.enc.layout.decode(&v)?);
        }
        let mut actions = vec![];
        for sv in &self.steps {
            let i = eval(&sv.act)? as usize;
            actions.push(
                *self
                    .enc
                    .actions
                    .get(i)
                    .ok_or("action selector out of range")?,
            );
        }
        Ok(Trace { states, actions })
    }

    /// Asks for a state at the current depth violating `prop`; with `dump`,
    /// first writes the query as SMT-LIB2 text into that directory.
    pub fn check_violation(&self, prop: Property, dump: Option<&std::path::Path>) -> SatResult {
        let k = self.depth();
        let lit = Bool::new_const(format!("bad_{}@{k}", prop.name()));
        self.solver
            .assert(lit.implies(self.enc.property(prop, &self.states[k]).not()));
        if let Some(dir) = dump {
            let path = dir.join(format!("depth_{k:02}_{}.smt2", prop.name()));
            let text = format!(
                ";; semisync-bmc {}: is {prop} violated at depth {k}?\n;; {}\n\
                 ;; sat: a counterexample exists; unsat: none at this depth.\n\
                 (set-logic QF_BV)\n{}(check-sat-assuming ({lit}))\n",
                env!("CARGO_PKG_VERSION"),
                self.enc.p.describe(),
                self.solver
            );
            if let Err(e) = std::fs::write(&path, text) {
                log::warn!("cannot write {}: {e}", path.display());
            }
        }
        self.solver.check_assumptions(&[lit])
    }

    /// Decodes and replays the model of the last SAT answer for `prop`.
    pub fn counterexample(&self, prop: Property) -> Result<Counterexample, Error> {
        let model = self
            .solver
            .get_model()
            .ok_or_else(|| Error::internal("the solver answered sat but gave no model"))?;
        let trace = self.decode(&model).map_err(|e| {
            Error::internal(format!("cannot decode the {prop} counterexample: {e}"))
        })?;
        match trace.replay(&self.enc.p, prop) {
            Ok(conjunct) => Ok(Counterexample {
                property: prop,
                trace,
                conjunct,
                lasso: None,
            }),
            Err(e) => Err(Error::internal(format!(
                "the symbolic engine found a {prop} counterexample at depth {} that does not replay \
                 through the concrete spec ({e}); this is an encoding bug. The trace was:\n{}",
                trace.depth(),
                trace.render(true)
            ))),
        }
    }
}

/// Per replica and per client, whether the step of `sv` touches it: an
/// action with it as argument, or `HealerUpdateLeader` choosing it.
fn touches(enc: &Encoding, sv: &StepVars) -> (Vec<Bool>, Vec<Bool>) {
    use crate::spec::Action::*;
    let sel = |i: usize| sv.act.eq(BV::from_u64(i as u64, enc.w_act));
    let mut tr: Vec<Vec<Bool>> = vec![vec![]; enc.p.replicas];
    let mut tc: Vec<Vec<Bool>> = vec![vec![]; enc.p.clients];
    for (i, a) in enc.actions.iter().enumerate() {
        match *a {
            StartRequest(c) | DBResponse(c) | ClientUpdateLeader(c) => tc[c].push(sel(i)),
            Replicate(r) | DBUpdateLeader(r) | RecoverOldLeader(r) | HealerGetDBLog(r) => {
                tr[r].push(sel(i))
            }
            HealerUpdateLeader => {
                for (r, t) in tr.iter_mut().enumerate() {
                    let arg = sv.arg.eq(BV::from_u64(r as u64, sv.arg.get_size()));
                    t.push(Bool::and(&[sel(i), arg]));
                }
            }
            ReadyToChangeZKLeader | HealerUpdateState | HealerUpdateToNormal | Terminated => {}
        }
    }
    let any = |v: Vec<Bool>| Bool::or(&v);
    (
        tr.into_iter().map(any).collect(),
        tc.into_iter().map(any).collect(),
    )
}
