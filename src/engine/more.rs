//! `--max-error N`: after the shortest counterexample, the next shortest
//! ones whose last states differ under a view (`--view 'EXPR'`; by
//! default the whole state), each decoded and replayed like the first.
//!
//! Depth by depth from the first counterexample's, the solver is asked for
//! a violation whose last state's view is none of those reported; each
//! answer adds its view to the list, and a depth is left when no new view
//! is found there. So each counterexample is a shortest path to a
//! violating state with a view not reported before.

use crate::error::{Error, Result};
use crate::params::Params;
use crate::spec::tla::{eval::eval_value, Compiled};
use crate::spec::{Property, State};
use crate::symbolic::pred;
use crate::symbolic::unroll::Unroller;
use crate::trace::Counterexample;
use z3::ast::Bool;
use z3::SatResult;

/// What distinguishes two counterexamples: their last states' views.
#[derive(Clone, Copy)]
pub enum View<'a> {
    State,
    Expr(&'a Compiled),
}

/// Up to `n` counterexamples of `prop` (the first, `first`, included), up
/// to depth `bound`; fewer when no more views exist. An unknown answer
/// (or the deadline) ends the search with what was found.
pub fn more(
    p: &Params,
    prop: Property,
    first: &Counterexample,
    bound: usize,
    n: usize,
    view: View,
    timeout_ms: Option<u64>,
) -> Result<Vec<Counterexample>> {
    // No symmetry breaking: a relabelled copy of a reported state (c2's
    // log for c1's) is another view, and breaking would skip it for a
    // deeper one.
    let mut u = Unroller::new(p, timeout_ms);
    let d0 = first.trace.depth();
    while u.depth() < d0 {
        u.extend();
    }
    let last = |cx: &Counterexample| -> State { cx.trace.states.last().unwrap().clone() };
    let mut found = vec![first.clone()];
    let mut seen: Vec<State> = vec![last(first)];
    let mut blocks = 0;
    'depths: loop {
        let k = u.depth();
        let bad = Bool::new_const(format!("more_bad@{k}"));
        u.solver
            .assert(bad.implies(u.enc.property(prop, &u.states[k]).not()));
        let mut lits = vec![bad];
        for s in &seen {
            lits.push(block(&u, view, p, k, s, &mut blocks)?);
        }
        while found.len() < n {
            match u.solver.check_assumptions(&lits) {
                SatResult::Sat => {
                    let cx = u.counterexample(prop)?;
                    if cx.trace.depth() != k {
                        return Err(Error::internal("a counterexample of the wrong depth"));
                    }
                    let s = last(&cx);
                    lits.push(block(&u, view, p, k, &s, &mut blocks)?);
                    seen.push(s);
                    found.push(cx);
                }
                SatResult::Unsat => break,
                SatResult::Unknown => break 'depths,
            }
        }
        if found.len() >= n || k >= bound || crate::interrupt::requested() {
            break;
        }
        u.extend();
    }
    Ok(found)
}

/// A literal that, assumed, excludes states at depth `k` whose view is
/// that of `s`.
fn block(u: &Unroller, view: View, p: &Params, k: usize, s: &State, i: &mut usize) -> Result<Bool> {
    let lit = Bool::new_const(format!("more_block{i}@{k}"));
    *i += 1;
    let differs = match view {
        View::State => u.enc.state_eq(&u.states[k], &u.enc.layout.encode(s)).not(),
        View::Expr(c) => pred::differs(c, p, &u.enc.layout, &u.states[k], &eval_value(c, p, s))
            .map_err(Error::usage)?,
    };
    u.solver.assert(lit.implies(&differs));
    Ok(lit)
}
