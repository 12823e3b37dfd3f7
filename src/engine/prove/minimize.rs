//! Shrinking a proved invariant for `--certificate`: the closure of unsat
//! cores inside it.

use super::{solver, Clock};
use crate::invariants::{required, Conj};
use crate::spec::Property;
use crate::symbolic::Encoding;
use z3::ast::Bool;
use z3::SatResult;

/// `--certificate` shrinks invariants with more conjuncts than this.
pub const MINIMIZE_ABOVE: usize = 400;

/// A smaller inductive invariant inside `inv` that still contains the
/// required conjuncts and each `Prop(q)` of `props`: starting from those, each round asks
/// whether the current set at the next state follows from all of `inv` now,
/// and adds the unsat core's conjuncts, until the set is closed. `inv` must
/// be inductive; the result is (and is re-checked by the caller). Falls back
/// to `inv` itself when the solver does not answer.
pub fn minimize(enc: &Encoding, inv: &[Conj], props: &[Property], clock: &Clock) -> Vec<Conj> {
    let s0 = enc.state(0);
    let s1 = enc.state(1);
    let sv = enc.step_vars(0);
    let trans = enc.trans(&s0, &s1, &sv);
    let at0: Vec<Bool> = inv.iter().map(|c| c.sym(enc, &s0)).collect();
    let lits: Vec<Bool> = (0..inv.len())
        .map(|i| Bool::new_const(format!("min_{i}")))
        .collect();
    let index: std::collections::HashMap<String, usize> = lits
        .iter()
        .enumerate()
        .map(|(i, l)| (l.to_string(), i))
        .collect();
    let mut needed = vec![false; inv.len()];
    for (i, c) in inv.iter().enumerate() {
        if required().contains(c) || props.iter().any(|&q| *c == Conj::Prop(q)) {
            needed[i] = true;
        }
    }
    let mut round = 0;
    loop {
        round += 1;
        // A fresh solver per round (an incremental one slows down as rounds
        // pile up, as in Houdini); what is already needed is asserted
        // outright, the rest behind assumption literals for the core.
        let sol = solver(clock);
        sol.assert(&trans);
        let mut assume = vec![];
        for i in 0..inv.len() {
            if needed[i] {
                sol.assert(&at0[i]);
            } else {
                sol.assert(lits[i].implies(&at0[i]));
                assume.push(lits[i].clone());
            }
        }
        let neg: Vec<Bool> = (0..inv.len())
            .filter(|&i| needed[i])
            .map(|i| inv[i].sym(enc, &s1).not())
            .collect();
        sol.assert(Bool::or(&neg));
        if sol.check_assumptions(&assume) != SatResult::Unsat {
            return inv.to_vec();
        }
        let mut grew = false;
        for b in sol.get_unsat_core() {
            if let Some(&i) = index.get(&b.to_string()) {
                if !needed[i] {
                    needed[i] = true;
                    grew = true;
                }
            }
        }
        log::debug!(
            "minimize round {round}: {} of {} conjuncts",
            needed.iter().filter(|&&n| n).count(),
            inv.len()
        );
        if !grew {
            break;
        }
    }
    (0..inv.len())
        .filter(|&i| needed[i])
        .map(|i| inv[i].clone())
        .collect()
}
