//! k-induction with simple-path constraints, beside the BMC base case.

use super::{limit, solver, unknown, Clock, ProveOptions};
use crate::engine::{Events, Method, Verdict};
use crate::error::{Error, Result};
use crate::invariants::candidates::Family;
use crate::invariants::{required, Conj};
use crate::spec::Property;
use crate::symbolic::unroll::Unroller;
use crate::symbolic::Encoding;
use z3::ast::{Bool, BV};
use z3::SatResult;

/// k-induction for `prop` (with the required conjuncts), the lemmas
/// assumed on every state of the step path.
pub fn k_induction(
    enc: &Encoding,
    prop: Property,
    lemmas: &[Conj],
    opts: &ProveOptions,
    clock: &Clock,
    events: &Events,
) -> Result<Verdict> {
    let p = &enc.p;
    let t0 = clock.secs();
    let mut q: Vec<Conj> = vec![Conj::Prop(prop)];
    for r in required() {
        if !q.contains(&r) {
            q.push(r);
        }
    }
    let q_of = |s: &[BV]| Bool::and(&q.iter().map(|c| c.sym(enc, s)).collect::<Vec<_>>());
    let lem_of = |s: &[BV]| {
        let v: Vec<Bool> = lemmas.iter().map(|c| c.sym(enc, s)).collect();
        if v.is_empty() {
            Bool::from_bool(true)
        } else {
            Bool::and(&v)
        }
    };
    let mut base = Unroller::new(p, clock.left_ms());
    if prop.is_symmetric() {
        base.break_symmetry();
    }
    let step = solver(clock);
    let mut path: Vec<Vec<BV>> = vec![enc.state(0)];
    // The step path's names must differ from the base case's.
    let rename = |k: usize| -> Vec<BV> {
        enc.layout
            .slots
            .iter()
            .map(|s| BV::new_const(format!("{}@step{k}", s.name), s.width))
            .collect()
    };
    path[0] = rename(0);
    step.assert(lem_of(&path[0]));
    for k in 0..=opts.max_k {
        if clock.expired() {
            return Ok(unknown(
                format!(
                    "time limit; k-induction reached k = {k} (with {} lemmas)",
                    lemmas.len()
                ),
                k.checked_sub(1),
            ));
        }
        // Base case at depth k: the property, then what the proof assumes.
        if k > 0 {
            base.extend();
        }
        let mut checks = vec![prop];
        if prop != Property::TypeOK {
            checks.push(Property::TypeOK);
        }
        for c in checks {
            limit(&base.solver, clock);
            match base.check_violation(c, None) {
                SatResult::Sat => {
                    let cx = base.counterexample(c)?;
                    if c == prop {
                        return Ok(Verdict::Violated(Box::new(cx)));
                    }
                    return Ok(unknown(
                        format!(
                            "TypeOK is violated at depth {k}, and a proof of {prop} assumes it"
                        ),
                        k.checked_sub(1),
                    ));
                }
                SatResult::Unknown => {
                    return Ok(unknown(
                        format!("the solver answered unknown in the base case at depth {k}"),
                        k.checked_sub(1),
                    ))
                }
                SatResult::Unsat => base.solver.assert(enc.property(c, &base.states[k])),
            }
        }
        let cap_lit = Bool::new_const(format!("cap_bad@{k}"));
        base.solver
            .assert(cap_lit.implies(Conj::Cand(Family::CapOk).sym(enc, &base.states[k]).not()));
        limit(&base.solver, clock);
        match base.solver.check_assumptions(&[cap_lit]) {
            SatResult::Unsat => {}
            SatResult::Sat => {
                return Err(Error::internal(format!(
                    "a reachable state at depth {k} has a log or success list at the encoding's \
                     capacity ({}) while an action could append to it: the capacity argument in \
                     params.rs is wrong for these parameters, and BMC may have pruned behaviors",
                    p.seq_cap()
                )))
            }
            SatResult::Unknown => {
                return Ok(unknown(
                    format!("the solver answered unknown in the base case at depth {k}"),
                    k.checked_sub(1),
                ))
            }
        }
        // Step case with k + 1 transitions.
        let prev = path.last().unwrap().clone();
        step.assert(q_of(&prev));
        let next = rename(path.len());
        let sv = enc.step_vars(path.len() + 1000);
        step.assert(enc.trans(&prev, &next, &sv));
        step.assert(lem_of(&next));
        for earlier in &path {
            let diff: Vec<Bool> = earlier
                .iter()
                .zip(&next)
                .map(|(a, b)| a.eq(b).not())
                .collect();
            step.assert(Bool::or(&diff));
        }
        path.push(next.clone());
        let lit = Bool::new_const(format!("step_bad@{}", k + 1));
        step.assert(lit.implies(q_of(&next).not()));
        limit(&step, clock);
        match step.check_assumptions(&[lit]) {
            SatResult::Sat => {}
            SatResult::Unknown => {
                return Ok(unknown(
                    format!(
                        "the solver answered unknown in the step case at k = {} ({})",
                        k + 1,
                        step.get_reason_unknown().unwrap_or_default()
                    ),
                    Some(k),
                ))
            }
            SatResult::Unsat => {
                let complete = step.check() == SatResult::Unsat;
                let how = if complete {
                    format!(
                        "no simple path of {} steps: the recurrence diameter is at most {k}, and \
                         BMC covered every depth up to it",
                        k + 1
                    )
                } else {
                    format!("{}-induction", k + 1)
                };
                events.stage(format!(
                    "{prop}: {how} with {} lemmas, simple-path constraints, {:.2} s",
                    lemmas.len(),
                    clock.secs() - t0
                ));
                let conjuncts = lemmas.len() + q.len();
                return Ok(Verdict::Proved(if complete {
                    Method::RecurrenceDiameter {
                        bound: k,
                        conjuncts,
                    }
                } else {
                    Method::KInduction {
                        k: k + 1,
                        conjuncts,
                    }
                }));
            }
        }
    }
    events.stage(format!(
        "{prop}: k-induction up to k = {} with {} lemmas found no proof ({:.2} s)",
        opts.max_k + 1,
        lemmas.len(),
        clock.secs() - t0
    ));
    Ok(unknown(
        format!(
            "not k-inductive for k <= {} (with {} lemmas); BMC base case holds up to depth {}",
            opts.max_k + 1,
            lemmas.len(),
            opts.max_k
        ),
        Some(opts.max_k),
    ))
}
