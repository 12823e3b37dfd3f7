//! All-SAT enumeration over the symbolic encoding, for the cross-checks
//! between the encoding and the concrete spec: every model is decoded, then
//! excluded by a blocking clause, until the solver answers unsat.

use super::unroll::{new_solver, Unroller};
use super::{Encoding, StepVars};
use crate::params::Params;
use crate::spec::{Action, State};
use std::collections::BTreeSet;
use z3::ast::{Bool, BV};
use z3::{Model, SatResult, Solver};

fn value(m: &Model, x: &BV) -> u64 {
    m.eval(x, true)
        .and_then(|v| v.as_u64())
        .expect("model value")
}

/// A clause excluding the current values of `vars`.
fn block(solver: &Solver, m: &Model, vars: &[&BV]) -> Vec<u64> {
    let vals: Vec<u64> = vars.iter().map(|x| value(m, x)).collect();
    let diff: Vec<Bool> = vars
        .iter()
        .zip(&vals)
        .map(|(&x, &v)| x.eq(BV::from_u64(v, x.get_size())).not())
        .collect();
    solver.assert(Bool::or(&diff));
    vals
}

/// Every `(action, successor)` of `s` that the symbolic transition admits.
/// Fails when the solver answers unknown or a model does not decode.
pub fn symbolic_successors(enc: &Encoding, s: &State) -> Result<BTreeSet<(Action, State)>, String> {
    let solver = new_solver(None);
    let cur = enc.const_state(&enc.layout.encode(s));
    let next = enc.state(1);
    let sv = StepVars {
        act: BV::new_const("act@0", enc.w_act),
        arg: BV::new_const("arg@0", enc.p.w_replica()),
    };
    solver.assert(enc.trans(&cur, &next, &sv));
    let mut vars: Vec<&BV> = next.iter().collect();
    vars.push(&sv.act);
    let mut out = BTreeSet::new();
    loop {
        match solver.check() {
            SatResult::Unsat => return Ok(out),
            SatResult::Unknown => return Err("solver answered unknown".into()),
            SatResult::Sat => {
                let m = solver.get_model().ok_or("no model")?;
                let vals = block(&solver, &m, &vars);
                let n = vals.len() - 1;
                let t = enc.layout.decode(&vals[..n])?;
                let a = *enc
                    .actions
                    .get(vals[n] as usize)
                    .ok_or("selector out of range")?;
                out.insert((a, t));
            }
        }
    }
}

/// For each `k` in `0..=depth`, the set of states at the end of some path
/// of exactly `k` steps from `Init`, by all-SAT on the unrolled encoding.
/// `limit` bounds the number of models per depth.
pub fn symbolic_exact_sets(
    p: &Params,
    depth: usize,
    limit: usize,
) -> Result<Vec<BTreeSet<State>>, String> {
    let mut u = Unroller::new(p, None);
    let mut out = vec![];
    for k in 0..=depth {
        if k > 0 {
            u.extend();
        }
        u.solver.push();
        let mut set = BTreeSet::new();
        let vars: Vec<&BV> = u.states[k].iter().collect();
        loop {
            match u.solver.check() {
                SatResult::Unsat => break,
                SatResult::Unknown => return Err(format!("unknown at depth {k}")),
                SatResult::Sat => {
                    let m = u.solver.get_model().ok_or("no model")?;
                    let vals = block(&u.solver, &m, &vars);
                    set.insert(u.enc.layout.decode(&vals)?);
                    if set.len() > limit {
                        return Err(format!("more than {limit} states at depth {k}"));
                    }
                }
            }
        }
        u.solver.pop(1);
        out.push(set);
    }
    Ok(out)
}

/// Whether the symbolic encoding reaches `target` in exactly `k` steps.
pub fn reaches_in_exactly(u: &Unroller, target: &State) -> SatResult {
    let k = u.depth();
    let lit = Bool::new_const(format!("target@{k}_{}", target_id(target)));
    u.solver
        .assert(lit.implies(u.enc.state_eq(&u.states[k], &u.enc.layout.encode(target))));
    u.solver.check_assumptions(&[lit])
}

fn target_id(s: &State) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}
