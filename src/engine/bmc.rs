//! Incremental bounded model checking, as a stepper the orchestrator
//! (`check`) drives: one depth at a time, assume a lemma, check a property.
//!
//! One solver lives through the whole run. Each `deepen` adds the transition
//! from step k-1 to step k once; `check` then asks for a state at step k
//! that violates a property, under an assumption literal
//! (`bad_P@k => ~P(s_k)`), so that clauses learned at one depth survive to
//! the next. Checking every depth in turn makes the first SAT answer a
//! shortest counterexample. Every counterexample is decoded and replayed
//! through the concrete spec before it is reported. Which properties are
//! checked at which depth, and every other policy, is the caller's.

use super::Verdict;
use crate::error::Result;
use crate::interrupt;
use crate::invariants::Conj;
use crate::params::Params;
use crate::spec::Property;
use crate::symbolic::unroll::Unroller;
use std::path::PathBuf;
use std::time::Instant;
use z3::SatResult;

/// How the unrolling is built. Every option keeps verdicts and shortest
/// depths unchanged.
#[derive(Clone, Debug)]
pub struct BmcOptions {
    /// Per-query solver timeout in milliseconds.
    pub timeout_ms: Option<u64>,
    /// Replica and client symmetry breaking (`Unroller::break_symmetry`):
    /// every path is a relabelling of one it keeps, and the properties are
    /// symmetric.
    pub symmetry_breaking: bool,
    /// Once a property is proven at depth k (UNSAT), assert it at step k:
    /// every state at step k of an unrolled path is reachable in exactly k
    /// steps, so no path is lost, and the solver gets the fact for free.
    pub lemmas: bool,
    /// Write each query, as sent, to `DIR/depth_KK_PROP.smt2`.
    pub dump_smt: Option<PathBuf>,
}

impl Default for BmcOptions {
    fn default() -> BmcOptions {
        BmcOptions {
            timeout_ms: None,
            symmetry_breaking: true,
            lemmas: true,
            dump_smt: None,
        }
    }
}

/// The answer to one query.
#[derive(Clone, Debug)]
pub struct Answer {
    pub result: SatResult,
    pub seconds: f64,
    /// `None` when no violation exists at this depth; otherwise the
    /// property's verdict: violated (replayed) or unknown.
    pub verdict: Option<Verdict>,
}

/// How a lasso query lets a behaviour go on after its last state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loops {
    /// Only by stuttering in a state without a real step (sound when no
    /// cycle of real steps exists: `engine::prove::ranking`).
    StutterOnly,
    /// Or by looping back: one state equality per earlier state, at every
    /// depth (quadratic in the depth).
    LoopBack,
    /// Or by looping back to a state saved on the way (liveness-to-safety,
    /// Biere, Artho and Schuppan 2002): a shadow copy of the state and a
    /// flag per step, one equality per depth.
    Saved,
}

/// Two states equal slot by slot.
fn same(a: &[z3::ast::BV], b: &[z3::ast::BV]) -> z3::ast::Bool {
    z3::ast::Bool::and(&a.iter().zip(b).map(|(x, y)| x.eq(y)).collect::<Vec<_>>())
}

/// The shadow state of `Loops::Saved`: per unrolled state, the copy saved
/// so far and whether one was.
#[derive(Default)]
struct Shadow {
    saved: Vec<Vec<z3::ast::BV>>,
    flag: Vec<z3::ast::Bool>,
}

/// The BMC stepper.
pub struct Bmc {
    u: Unroller,
    lemmas: bool,
    dump: Option<PathBuf>,
    /// Conjuncts asserted at every state: a checked inductive invariant.
    assumed: Vec<Conj>,
    shadow: Shadow,
}

impl Bmc {
    /// Depth 0: the solver holds `Init(s_0)`. Symmetry breaking (if asked
    /// for) only when every property to check is symmetric: it keeps one
    /// relabelling of each path, which a predicate naming `r1` tells apart.
    pub fn new(p: &Params, opts: &BmcOptions, props: &[Property]) -> Bmc {
        let mut u = Unroller::new(p, opts.timeout_ms);
        if opts.symmetry_breaking && props.iter().all(|q| q.is_symmetric()) {
            u.break_symmetry();
        }
        Bmc {
            u,
            lemmas: opts.lemmas,
            dump: opts.dump_smt.clone(),
            assumed: vec![],
            shadow: Shadow::default(),
        }
    }

    /// Bounds each later query to `ms` milliseconds.
    pub fn limit_queries(&self, ms: u64) {
        crate::symbolic::unroll::set_timeout(&self.u.solver, ms.max(1));
    }

    /// One more transition; the assumed conjuncts hold at its new state.
    pub fn deepen(&mut self) {
        self.u.extend();
        let k = self.u.depth();
        for c in &self.assumed {
            self.u.solver.assert(c.sym(&self.u.enc, &self.u.states[k]));
        }
    }

    /// Assumes `inv` at every state, those unrolled so far and those to
    /// come. Sound only for a checked inductive invariant of the spec:
    /// every reachable state satisfies it, so no path is lost.
    pub fn assume(&mut self, inv: &[Conj]) {
        for st in &self.u.states {
            for c in inv {
                self.u.solver.assert(c.sym(&self.u.enc, st));
            }
        }
        self.assumed.extend(inv.iter().cloned());
    }

    /// What `assume` added so far.
    pub fn assumed(&self) -> &[Conj] {
        &self.assumed
    }

    /// Checks `prop` at the current depth: a violation (decoded and
    /// replayed), unknown (with the solver's reason, or "interrupted"), or
    /// none, after which, with `lemmas`, `prop` is asserted at this step.
    pub fn check(&self, prop: Property) -> Result<Answer> {
        let u = &self.u;
        let k = u.depth();
        let t = Instant::now();
        let result = u.check_violation(prop, self.dump.as_deref());
        log::debug!("depth {k} {prop}: {} conflicts", u.conflicts());
        if result == SatResult::Unsat && self.lemmas {
            u.solver.assert(u.enc.property(prop, &u.states[k]));
        }
        self.answer(result, t, || u.counterexample(prop))
    }

    /// The answer to the query just made: unknown (with the solver's
    /// reason, or "interrupted"), none, or the counterexample `decode`
    /// reads out of the model.
    fn answer(
        &self,
        result: SatResult,
        t: Instant,
        decode: impl FnOnce() -> Result<crate::trace::Counterexample>,
    ) -> Result<Answer> {
        let k = self.u.depth();
        let interrupted = || Some(Verdict::unknown_at(k, interrupt::REASON));
        let verdict = match result {
            SatResult::Unknown if interrupt::requested() => interrupted(),
            SatResult::Unknown => Some(Verdict::unknown_at(
                k,
                self.u
                    .solver
                    .get_reason_unknown()
                    .unwrap_or_else(|| "unknown".into()),
            )),
            SatResult::Unsat => None,
            SatResult::Sat => match decode() {
                Ok(cx) => Some(Verdict::Violated(Box::new(cx))),
                // A cancelled context cannot evaluate the model.
                Err(_) if interrupt::requested() => interrupted(),
                Err(e) => return Err(e),
            },
        };
        Ok(Answer {
            result,
            seconds: t.elapsed().as_secs_f64(),
            verdict,
        })
    }

    /// Asks for a lasso of the current depth violating `FairSpec => Finish`:
    /// `TerminateCond` false in every state, and the last state equal to an
    /// earlier one (every step is real: `Terminated`, the only stuttering
    /// action, needs `TerminateCond`) or without any enabled action (it
    /// then stutters forever, which weak fairness allows). Not sound with
    /// the partial-order reduction (reordering moves the states a loop
    /// closes on): never combine them. A lasso is decoded and replayed.
    /// `loops` says how a lasso may go on (see `Loops`).
    pub fn check_lasso(&mut self, loops: Loops) -> Result<Answer> {
        use z3::ast::Bool;
        if loops == Loops::Saved {
            self.extend_shadow();
        }
        let u = &self.u;
        let enc = &u.enc;
        let k = u.depth();
        let t = Instant::now();
        let lit = Bool::new_const(format!("lasso@{k}"));
        let mut conds: Vec<Bool> = u
            .states
            .iter()
            .map(|s| enc.terminate_cond(s).not())
            .collect();
        let mut ends: Vec<Bool> = match loops {
            Loops::StutterOnly => vec![],
            Loops::LoopBack => (0..k).map(|l| same(&u.states[l], &u.states[k])).collect(),
            Loops::Saved => vec![Bool::and(&[
                self.shadow.flag[k].clone(),
                same(&self.shadow.saved[k], &u.states[k]),
            ])],
        };
        ends.push(enc.enabled(&u.states[k]).not());
        conds.push(Bool::or(&ends));
        u.solver.assert(lit.implies(Bool::and(&conds)));
        let result = u.solver.check_assumptions(&[lit]);
        self.answer(result, t, || self.lasso())
    }

    /// The shadow state up to the current depth: no copy at step 0; at each
    /// step either keep the copy, or, if none was saved yet, save the state
    /// the step leaves.
    fn extend_shadow(&mut self) {
        use z3::ast::{Bool, BV};
        let u = &self.u;
        let sh = &mut self.shadow;
        while sh.flag.len() < u.states.len() {
            let i = sh.flag.len();
            let saved: Vec<BV> = u
                .enc
                .layout
                .slots
                .iter()
                .map(|sl| BV::new_const(format!("saved_{}@{i}", sl.name), sl.width))
                .collect();
            let flag = Bool::new_const(format!("saved@{i}"));
            if i == 0 {
                u.solver.assert(flag.not());
            } else {
                let keep = Bool::and(&[flag.eq(&sh.flag[i - 1]), same(&saved, &sh.saved[i - 1])]);
                let save = Bool::and(&[
                    sh.flag[i - 1].not(),
                    flag.clone(),
                    same(&saved, &u.states[i - 1]),
                ]);
                u.solver.assert(Bool::or(&[keep, save]));
            }
            sh.saved.push(saved);
            sh.flag.push(flag);
        }
    }

    /// The lasso of the last SAT answer, decoded and replayed.
    fn lasso(&self) -> Result<crate::trace::Counterexample> {
        use crate::error::Error;
        use crate::trace::Loop;
        let u = &self.u;
        let model = u
            .solver
            .get_model()
            .ok_or_else(|| Error::internal("the solver answered sat but gave no model"))?;
        let trace = u
            .decode(&model)
            .map_err(|e| Error::internal(format!("cannot decode the Finish lasso: {e}")))?;
        let last = trace.states.last().expect("a trace has a state");
        let back = match trace.states[..trace.depth()].iter().position(|s| s == last) {
            Some(l) => Loop::Back(l),
            None => Loop::Stutter,
        };
        match trace.replay_lasso(&u.enc.p, back) {
            Ok(conjunct) => Ok(crate::trace::Counterexample {
                property: Property::Finish,
                trace,
                conjunct,
                lasso: Some(back),
            }),
            Err(e) => Err(Error::internal(format!(
                "the symbolic engine found a Finish lasso of {} steps that does not replay through \
                 the concrete spec ({e}); this is an encoding bug. The trace was:\n{}",
                trace.depth(),
                trace.render(true)
            ))),
        }
    }

    /// Conflicts of the SAT core in the last query.
    pub fn conflicts(&self) -> u64 {
        self.u.conflicts()
    }

    /// The partial-order reduction (`symbolic::por`) from depth `from`; it
    /// applies once `partial_order_verified` reports its proof.
    pub fn reduce_partial_order(&mut self, from: usize) {
        self.u.reduce_partial_order(from);
    }

    pub fn reduces_partial_order(&self) -> bool {
        self.u.reduces_partial_order()
    }

    /// See `Unroller::partial_order_verified`.
    pub fn partial_order_verified(&mut self, proof: std::result::Result<usize, String>) {
        self.u.partial_order_verified(proof);
    }
}
