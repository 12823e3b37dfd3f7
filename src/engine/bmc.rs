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

/// The BMC stepper.
pub struct Bmc {
    u: Unroller,
    lemmas: bool,
    dump: Option<PathBuf>,
    /// Conjuncts asserted at every state: a checked inductive invariant.
    assumed: Vec<Conj>,
}

impl Bmc {
    /// Depth 0: the solver holds `Init(s_0)`.
    pub fn new(p: &Params, opts: &BmcOptions) -> Bmc {
        let mut u = Unroller::new(p, opts.timeout_ms);
        if opts.symmetry_breaking {
            u.break_symmetry();
        }
        Bmc {
            u,
            lemmas: opts.lemmas,
            dump: opts.dump_smt.clone(),
            assumed: vec![],
        }
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
        let interrupted = || Some(Verdict::unknown_at(k, interrupt::REASON));
        let verdict = match result {
            SatResult::Unknown if interrupt::requested() => interrupted(),
            SatResult::Unknown => Some(Verdict::unknown_at(
                k,
                u.solver
                    .get_reason_unknown()
                    .unwrap_or_else(|| "unknown".into()),
            )),
            SatResult::Sat => match u.counterexample(prop) {
                Ok(cx) => Some(Verdict::Violated(Box::new(cx))),
                // A cancelled context cannot evaluate the model.
                Err(_) if interrupt::requested() => interrupted(),
                Err(e) => return Err(e),
            },
            SatResult::Unsat => {
                if self.lemmas {
                    u.solver.assert(u.enc.property(prop, &u.states[k]));
                }
                None
            }
        };
        Ok(Answer {
            result,
            seconds: t.elapsed().as_secs_f64(),
            verdict,
        })
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
