//! Houdini: the largest subset of candidate conjuncts inductive relative to
//! the required ones, with counterexamples to induction explored forward
//! (a candidate false in a successor of a counterexample is not inductive
//! either) and implied candidates held in reserve.

use super::{decode_cti, decode_state, eval_bool, limit, solver, Clock, Cti};
use crate::invariants::candidates::Family;
use crate::invariants::{conj_name, required, Conj};
use crate::params::Params;
use crate::spec::{successors, Property, State};
use crate::symbolic::Encoding;
use std::time::Instant;
use z3::ast::Bool;
use z3::{SatResult, Solver};

/// The outcome of Houdini.
pub struct Houdini {
    /// Optional conjuncts inductive relative to the required ones.
    pub kept: Vec<Conj>,
    /// Whether the required conjuncts are inductive relative to `kept`.
    pub required_inductive: bool,
    /// Per dropped property, the counterexample that dropped it.
    pub dropped_props: Vec<(Property, Cti)>,
    /// The counterexample to the required conjuncts' induction.
    pub required_cti: Option<Cti>,
}

impl Houdini {
    /// The required conjuncts and the kept ones.
    pub fn invariant(&self) -> Vec<Conj> {
        let mut inv = required();
        inv.extend(self.kept.iter().cloned());
        inv
    }

    /// Those of `props` in the invariant (`TypeOK` is required).
    pub fn proves(&self, props: &[Property]) -> Vec<Property> {
        props
            .iter()
            .copied()
            .filter(|&q| q == Property::TypeOK || self.kept.contains(&Conj::Prop(q)))
            .collect()
    }
}

/// States explored from each Houdini counterexample.
const SIM_STATES: usize = 200;

/// Whether a concrete state satisfies the required conjuncts.
fn required_hold(p: &Params, layout: &crate::layout::Layout, s: &State) -> bool {
    layout.fits(p, s) && Property::TypeOK.holds(p, s) && Family::CapOk.holds(p, s)
}

/// Breadth-first from `start` (which satisfies the active conjuncts),
/// dropping every active conjunct false in a state met; states violating
/// the required conjuncts are not expanded. Returns the dropped indices.
fn simulate(
    enc: &Encoding,
    opt: &[Conj],
    active: &mut [bool],
    start: State,
    budget: usize,
) -> Vec<usize> {
    let p = &enc.p;
    let mut dropped = vec![];
    let mut seen = std::collections::HashSet::new();
    let mut queue = std::collections::VecDeque::new();
    seen.insert(start.clone());
    queue.push_back(start);
    while let Some(s) = queue.pop_front() {
        for (_, t) in successors(p, &enc.actions, &s) {
            if seen.len() >= budget || !seen.insert(t.clone()) {
                continue;
            }
            if !required_hold(p, &enc.layout, &t) {
                continue;
            }
            for i in 0..opt.len() {
                if active[i] && !opt[i].holds(p, &t) {
                    if let Conj::Cand(Family::Shape(_)) | Conj::Prop(_) = opt[i] {
                        log::debug!(
                            "simulation: dropped {} in {}",
                            conj_name(&opt[i], p),
                            crate::spec::VAR_NAMES
                                .iter()
                                .map(|n| format!("{n} = {}", t.var_value(n)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                    active[i] = false;
                    dropped.push(i);
                }
            }
            queue.push_back(t);
        }
    }
    dropped
}

/// Drops the optional conjuncts false in some initial state.
pub fn filter_init(enc: &Encoding, opt: Vec<Conj>, clock: &Clock) -> Result<Vec<Conj>, String> {
    let s = enc.state(0);
    let sol = solver(clock);
    sol.assert(enc.init(&s));
    let mut active = opt;
    loop {
        let bad = Bool::or(
            &active
                .iter()
                .map(|c| c.sym(enc, &s).not())
                .collect::<Vec<_>>(),
        );
        sol.push();
        sol.assert(&bad);
        limit(&sol, clock);
        let r = sol.check();
        let model = sol.get_model();
        sol.pop(1);
        match r {
            SatResult::Unsat => return Ok(active),
            SatResult::Unknown => return Err("the solver answered unknown on Init".into()),
            SatResult::Sat => {
                let m = model.ok_or("no model")?;
                let before = active.len();
                active.retain(|c| eval_bool(&m, &c.sym(enc, &s)) != Some(false));
                if active.len() == before {
                    return Err("Init check: no conjunct to drop".into());
                }
                // (A cancelled query's model is no evidence of that.)
                if !crate::interrupt::requested() {
                    log::warn!(
                        "{} candidate(s) true in every sampled state but false in an initial \
                         state: the concrete and symbolic readings of a candidate disagree",
                        before - active.len()
                    );
                }
            }
        }
    }
}

fn houdini(enc: &Encoding, opt: Vec<Conj>, clock: &Clock) -> Result<Houdini, String> {
    let p = &enc.p;
    let req = required();
    let s0 = enc.state(0);
    let s1 = enc.state(1);
    let sv = enc.step_vars(0);
    let trans = enc.trans(&s0, &s1, &sv);
    let req0: Vec<Bool> = req.iter().map(|c| c.sym(enc, &s0)).collect();
    // A fresh solver per round, the active candidates asserted outright:
    // one incremental solver with an assumption literal per candidate was
    // up to 12x slower on the last (unsatisfiable) round.
    let fresh = |active: &[bool], at0: &[Bool]| -> Solver {
        let sol = solver(clock);
        sol.assert(&trans);
        for b in &req0 {
            sol.assert(b);
        }
        for (a, b) in active.iter().zip(at0) {
            if *a {
                sol.assert(b);
            }
        }
        sol
    };
    let at0: Vec<Bool> = opt.iter().map(|c| c.sym(enc, &s0)).collect();
    let at1: Vec<Bool> = opt.iter().map(|c| c.sym(enc, &s1)).collect();
    let mut active: Vec<bool> = vec![true; opt.len()];
    let mut dropped_props = vec![];
    let mut round = 0;
    // The required conjuncts at the next state join each round's goal (one
    // unsatisfiable query at the end instead of two); once a model breaks
    // only them, they are known not inductive and leave the goal.
    let req1: Vec<Bool> = req.iter().map(|c| c.sym(enc, &s1)).collect();
    let mut required_cti: Option<Cti> = None;
    loop {
        round += 1;
        // A stop (the run's, or the group's: a race decided without this
        // search) or the budget: a fresh solver would not notice it.
        if clock.expired() {
            return Err(format!(
                "stopped in Houdini round {round} (budget or interruption)"
            ));
        }
        let mut neg: Vec<Bool> = (0..opt.len())
            .filter(|&i| active[i])
            .map(|i| at1[i].not())
            .collect();
        if required_cti.is_none() {
            neg.extend(req1.iter().map(|b| b.not()));
        }
        if neg.is_empty() {
            break;
        }
        let sol = fresh(&active, &at0);
        sol.assert(Bool::or(&neg));
        let tq = Instant::now();
        let answer = sol.check();
        log::debug!(
            "Houdini round {round}: {answer:?} in {:.2} s",
            tq.elapsed().as_secs_f64()
        );
        match answer {
            SatResult::Unsat => break,
            SatResult::Unknown => {
                return Err(format!(
                    "the solver answered unknown in Houdini round {round} ({})",
                    sol.get_reason_unknown().unwrap_or_default()
                ))
            }
            SatResult::Sat => {
                log::debug!(
                    "Houdini round {round}: {} active",
                    active.iter().filter(|&&a| a).count()
                );
                let m = sol.get_model().ok_or("no model")?;
                let mut broken = vec![];
                for i in 0..opt.len() {
                    if active[i] && eval_bool(&m, &at1[i]) == Some(false) {
                        active[i] = false;
                        broken.push(i);
                    }
                }
                if broken.is_empty() {
                    if required_cti.is_some() {
                        return Err("Houdini: a model with nothing to drop".into());
                    }
                    let names = req
                        .iter()
                        .zip(&req1)
                        .filter(|(_, b)| eval_bool(&m, b) == Some(false))
                        .map(|(c, _)| conj_name(c, p))
                        .collect();
                    required_cti = Some(decode_cti(enc, &m, &s0, &s1, &sv.act, names));
                    continue;
                }
                if log::log_enabled!(log::Level::Debug) {
                    let cti = decode_cti(enc, &m, &s0, &s1, &sv.act, vec![]);
                    for &i in &broken {
                        if let Conj::Cand(Family::Shape(_)) | Conj::Prop(_) = opt[i] {
                            log::debug!(
                                "Houdini round {round}: dropped {} by {:?}\n{}",
                                conj_name(&opt[i], p),
                                cti.action,
                                cti.render()
                            );
                        }
                    }
                }
                for &i in &broken {
                    if let Conj::Prop(q) = opt[i] {
                        let names = broken.iter().map(|&j| conj_name(&opt[j], p)).collect();
                        dropped_props.push((q, decode_cti(enc, &m, &s0, &s1, &sv.act, names)));
                    }
                }
                // Explore forward from the counterexample's state: every
                // state met satisfies the active candidates (those false in
                // it are dropped first), so a candidate false in one of its
                // successors is not inductive either.
                if let Some(start) = decode_state(enc, &m, &s0) {
                    let dropped = simulate(enc, &opt, &mut active, start, SIM_STATES);
                    for i in dropped {
                        if let Conj::Prop(q) = opt[i] {
                            log::debug!("Houdini: {q} dropped by simulation");
                        }
                    }
                }
            }
        }
    }
    let kept: Vec<Conj> = (0..opt.len())
        .filter(|&i| active[i])
        .map(|i| opt[i].clone())
        .collect();
    let required_inductive = required_cti.is_none();
    Ok(Houdini {
        kept,
        required_inductive,
        dropped_props,
        required_cti,
    })
}

/// A state satisfying the required conjuncts, `kept` and `prop` whose
/// successor violates `prop`, if the solver finds one.
pub fn cti_for(enc: &Encoding, kept: &[Conj], prop: Property, clock: &Clock) -> Option<Cti> {
    let s0 = enc.state(0);
    let s1 = enc.state(1);
    let sv = enc.step_vars(0);
    let sol = solver(clock);
    for c in required().iter().chain(kept) {
        sol.assert(c.sym(enc, &s0));
    }
    sol.assert(enc.property(prop, &s0));
    sol.assert(enc.trans(&s0, &s1, &sv));
    sol.assert(enc.property(prop, &s1).not());
    if sol.check() != SatResult::Sat {
        return None;
    }
    let m = sol.get_model()?;
    let mut cti = decode_cti(enc, &m, &s0, &s1, &sv.act, vec![prop.name().to_string()]);
    if let Some(next) = &cti.next {
        if let Some(v) = prop.violation(&enc.p, next) {
            cti.broken = vec![v];
        }
    }
    Some(cti)
}

/// Houdini over `opt`; candidates implied by another wait in reserve until
/// what implied them is dropped.
pub fn houdini_passes(enc: &Encoding, opt: Vec<Conj>, clock: &Clock) -> Result<Houdini, String> {
    // Candidates implied by another one wait in reserve; they come
    // back when what implied them is dropped.
    let implied = |c: &Conj, by: &[Conj]| match c {
        Conj::Cand(f) => by
            .iter()
            .any(|b| matches!(b, Conj::Cand(g) if g.implies(f))),
        _ => false,
    };
    let (mut main, mut reserve): (Vec<Conj>, Vec<Conj>) = {
        let all = opt.clone();
        opt.into_iter().partition(|c| !implied(c, &all))
    };
    log::info!(
        "{} candidates after removing {} implied ones",
        main.len(),
        reserve.len()
    );
    let mut result = if main.is_empty() && clock.expired() {
        Err("out of time".to_string())
    } else {
        houdini(enc, main.clone(), clock)
    };
    let mut props_dropped: Vec<(Property, Cti)> = vec![];
    while let Ok(h) = &result {
        props_dropped.extend(h.dropped_props.iter().cloned());
        let back: Vec<Conj> = reserve
            .iter()
            .filter(|c| !implied(c, &h.kept))
            .cloned()
            .collect();
        if back.is_empty() {
            break;
        }
        reserve.retain(|c| implied(c, &h.kept));
        log::info!(
            "Houdini pass: {} kept, {} implied candidates back",
            h.kept.len(),
            back.len()
        );
        main = h.kept.clone();
        main.extend(back);
        result = houdini(enc, main.clone(), clock);
    }
    result.map(|mut h| {
        h.dropped_props = props_dropped;
        h
    })
}
