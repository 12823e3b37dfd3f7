//! Houdini: the largest subset of candidate conjuncts inductive relative to
//! the required ones, with counterexamples to induction explored forward
//! (a candidate false in a successor of a counterexample is not inductive
//! either) and implied candidates held in reserve.

use super::{decode_cti, decode_state, eval_bool, limit, solver, Clock, Cti};
use crate::invariants::candidates::Family;
use crate::invariants::{conj_name, required, Conj};
use crate::params::Params;
use crate::spec::{successors, Property, State};
use crate::symbolic::{Encoding, StepVars};
use std::time::Instant;
use z3::ast::{Bool, BV};
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

/// Candidate sets up to this size are checked by `houdini_split`, larger
/// ones by `houdini_whole`. Measured (2 cores, `--prove --no-walks`): the
/// lemma library's 129 candidates on the standard configuration, one
/// unsatisfiable round, 2.1-2.2 s split against 5.3 s whole; the template
/// search's 1,140 candidates (4 replicas, 1 client, `--inv Inv`), 24 rounds
/// of about 0.8 s each, 27.2 s split (105 queries: each pays for reading
/// the thousand candidates) against 24 s whole.
pub const SPLIT_AT_MOST: usize = 400;

fn houdini(enc: &Encoding, opt: Vec<Conj>, clock: &Clock) -> Result<Houdini, String> {
    if opt.len() <= SPLIT_AT_MOST {
        houdini_split(enc, opt, clock)
    } else {
        houdini_whole(enc, opt, clock)
    }
}

/// The terms of the induction query, built once per thread (each thread
/// has its own Z3 context): the two states and the step's selector, the
/// required conjuncts and the candidates at both states.
struct Terms {
    s0: Vec<BV>,
    s1: Vec<BV>,
    sv: StepVars,
    req: Vec<Conj>,
    req0: Vec<Bool>,
    req1: Vec<Bool>,
    at0: Vec<Bool>,
    at1: Vec<Bool>,
}

impl Terms {
    fn new(enc: &Encoding, opt: &[Conj]) -> Terms {
        let s0 = enc.state(0);
        let s1 = enc.state(1);
        let req = required();
        Terms {
            sv: enc.step_vars(0),
            req0: req.iter().map(|c| c.sym(enc, &s0)).collect(),
            req1: req.iter().map(|c| c.sym(enc, &s1)).collect(),
            at0: opt.iter().map(|c| c.sym(enc, &s0)).collect(),
            at1: opt.iter().map(|c| c.sym(enc, &s1)).collect(),
            req,
            s0,
            s1,
        }
    }

    /// The goal of a query: an active candidate (and, `with_required`, a
    /// required conjunct) false at the second state; `None` when nothing is
    /// left to break.
    fn goal(&self, active: &[bool], with_required: bool) -> Option<Bool> {
        let mut neg: Vec<Bool> = (0..active.len())
            .filter(|&i| active[i])
            .map(|i| self.at1[i].not())
            .collect();
        if with_required {
            neg.extend(self.req1.iter().map(|b| b.not()));
        }
        (!neg.is_empty()).then(|| Bool::or(&neg))
    }

    /// A fresh solver with `step` and, at the first state, the required
    /// and the active candidates asserted outright (one incremental solver
    /// with an assumption literal per candidate was up to 12x slower on
    /// the last, unsatisfiable, round).
    fn solver(&self, clock: &Clock, step: &Bool, active: &[bool]) -> Solver {
        let sol = solver(clock);
        sol.assert(step);
        for b in &self.req0 {
            sol.assert(b);
        }
        for (on, b) in active.iter().zip(&self.at0) {
            if *on {
                sol.assert(b);
            }
        }
        sol
    }

    /// What a model of the query breaks: the candidates of `asked` false
    /// at the second state, as a counterexample to induction named by
    /// them (by the required conjuncts it breaks when none), and its first
    /// state.
    fn answer(&self, enc: &Encoding, opt: &[Conj], asked: &[bool], m: &z3::Model) -> Answer {
        let p = &enc.p;
        let breaks: Vec<usize> = (0..opt.len())
            .filter(|&i| asked[i] && eval_bool(m, &self.at1[i]) == Some(false))
            .collect();
        let names = if breaks.is_empty() {
            self.req
                .iter()
                .zip(&self.req1)
                .filter(|(_, b)| eval_bool(m, b) == Some(false))
                .map(|(c, _)| conj_name(c, p))
                .collect()
        } else {
            breaks.iter().map(|&i| conj_name(&opt[i], p)).collect()
        };
        Answer {
            breaks,
            cti: decode_cti(enc, m, &self.s0, &self.s1, &self.sv.act, names),
            start: decode_state(enc, m, &self.s0),
        }
    }
}

/// What one model of an induction query found: the candidates (indices)
/// false in its successor, the model as a counterexample to induction, and
/// its first state (to explore forward from).
struct Answer {
    breaks: Vec<usize>,
    cti: Cti,
    start: Option<State>,
}

/// Drops the candidates `x` breaks that are still active (a property among
/// them is recorded with `x` as its counterexample), then those false in
/// states explored forward from `x`'s first state: every state met
/// satisfies the active candidates (those false in it are dropped first),
/// so a candidate false in one of its successors is not inductive either.
fn drop_broken(
    enc: &Encoding,
    opt: &[Conj],
    active: &mut [bool],
    dropped_props: &mut Vec<(Property, Cti)>,
    x: Answer,
) {
    for &i in &x.breaks {
        if !active[i] {
            continue;
        }
        if let Conj::Prop(q) = opt[i] {
            dropped_props.push((q, x.cti.clone()));
        }
        if let Conj::Cand(Family::Shape(_)) | Conj::Prop(_) = opt[i] {
            log::debug!(
                "Houdini: dropped {} by {:?}\n{}",
                conj_name(&opt[i], &enc.p),
                x.cti.action,
                x.cti.render()
            );
        }
        active[i] = false;
    }
    if let Some(start) = x.start {
        for i in simulate(enc, opt, active, start, SIM_STATES) {
            if let Conj::Prop(q) = opt[i] {
                log::debug!("Houdini: {q} dropped by simulation");
            }
        }
    }
}

/// What the workers of `houdini_split` share.
struct Shared {
    active: Vec<bool>,
    /// The required conjuncts are in the goal until a model breaks only
    /// them.
    with_required: bool,
    /// The pass: the action instances to ask about, the next one to hand
    /// out, the queries still running, and what the others found (with the
    /// instance that found it).
    todo: Vec<usize>,
    full: bool,
    next: usize,
    running: usize,
    found: Vec<(usize, Answer)>,
    passes: usize,
    queries: usize,
    done: bool,
    dropped_props: Vec<(Property, Cti)>,
    required_cti: Option<Cti>,
    error: Option<String>,
}

/// Houdini with the induction query split by action instance, on every
/// core (see `par`), in passes: each pass asks, for each action instance
/// in it, for a successor by that instance that breaks a candidate of the
/// pass's set (or, until one is known not to be inductive, a required
/// conjunct); at the end of the pass every candidate some model broke is
/// dropped (each model's first state satisfies the whole set, so none of
/// them is in the largest inductive subset), and so is every candidate
/// false in states explored forward from those. The next pass asks only
/// the instances that found something; when those find nothing, a pass
/// over every instance decides: nothing found there means the set is
/// inductive.
fn houdini_split(enc: &Encoding, opt: Vec<Conj>, clock: &Clock) -> Result<Houdini, String> {
    let n = enc.actions.len();
    let shared = std::sync::Mutex::new(Shared {
        active: vec![true; opt.len()],
        with_required: true,
        todo: (0..n).collect(),
        full: true,
        next: 0,
        running: 0,
        found: vec![],
        passes: 1,
        queries: 0,
        done: false,
        dropped_props: vec![],
        required_cti: None,
        error: None,
    });
    let wake = std::sync::Condvar::new();
    let t = Instant::now();
    super::par::on_every_core(enc, |enc| {
        let terms = Terms::new(enc, &opt);
        let mut g = shared.lock().unwrap();
        loop {
            if g.done || g.error.is_some() {
                break;
            }
            if clock.expired() {
                g.error = Some(format!(
                    "stopped in Houdini pass {} (budget or interruption)",
                    g.passes
                ));
                break;
            }
            if g.next < g.todo.len() {
                let a = g.todo[g.next];
                g.next += 1;
                g.running += 1;
                g.queries += 1;
                let active = g.active.clone();
                let with_required = g.with_required;
                drop(g);
                let answer = ask(enc, &terms, &active, with_required, a, clock)
                    .map(|m| m.map(|m| terms.answer(enc, &opt, &active, &m)));
                g = shared.lock().unwrap();
                g.running -= 1;
                match answer {
                    Ok(Some(x)) => g.found.push((a, x)),
                    Ok(None) => {}
                    Err(e) => g.error = Some(e),
                }
                wake.notify_all();
            } else if g.running > 0 {
                g = wake.wait(g).unwrap();
            } else {
                end_pass(enc, &opt, &mut g);
                wake.notify_all();
            }
        }
        drop(g);
        wake.notify_all();
    });
    let g = shared.into_inner().unwrap();
    if let Some(e) = g.error {
        return Err(e);
    }
    log::debug!(
        "Houdini: {} passes, {} queries over {n} action instances, {:.2} s",
        g.passes,
        g.queries,
        t.elapsed().as_secs_f64()
    );
    let kept: Vec<Conj> = (0..opt.len())
        .filter(|&i| g.active[i])
        .map(|i| opt[i].clone())
        .collect();
    Ok(Houdini {
        kept,
        required_inductive: g.required_cti.is_none(),
        dropped_props: g.dropped_props,
        required_cti: g.required_cti,
    })
}

/// One induction query of a pass: a model of a successor by action
/// instance `a` that breaks an active candidate (or a required conjunct),
/// or `None` when there is none.
fn ask(
    enc: &Encoding,
    terms: &Terms,
    active: &[bool],
    with_required: bool,
    a: usize,
    clock: &Clock,
) -> Result<Option<z3::Model>, String> {
    let Some(goal) = terms.goal(active, with_required) else {
        return Ok(None);
    };
    let step = enc.trans_restricted(&terms.s0, &terms.s1, &terms.sv, Some(a));
    let sol = terms.solver(clock, &step, active);
    sol.assert(goal);
    let tq = Instant::now();
    let r = sol.check();
    log::trace!(
        "Houdini: {} {r:?} in {:.2} s",
        enc.actions[a],
        tq.elapsed().as_secs_f64()
    );
    match r {
        SatResult::Unsat => Ok(None),
        SatResult::Sat => sol.get_model().map(Some).ok_or_else(|| "no model".into()),
        SatResult::Unknown => Err(format!(
            "the solver answered unknown in Houdini on {} ({})",
            enc.actions[a],
            sol.get_reason_unknown().unwrap_or_default()
        )),
    }
}

/// The end of a pass: drops what its models broke and what is false in
/// states explored forward from them, and sets up the next pass (or ends
/// Houdini: a full pass that found nothing).
fn end_pass(enc: &Encoding, opt: &[Conj], g: &mut Shared) {
    let found = std::mem::take(&mut g.found);
    if found.is_empty() {
        if g.full {
            g.done = true;
            return;
        }
        g.todo = (0..enc.actions.len()).collect();
        g.full = true;
    } else {
        let mut again: Vec<usize> = vec![];
        for (a, x) in found {
            again.push(a);
            if x.breaks.is_empty() {
                // Only required conjuncts broken: they are not inductive
                // relative to the set, and leave the goal.
                if g.with_required {
                    g.with_required = false;
                    g.required_cti = Some(x.cti);
                } else {
                    g.error = Some("Houdini: a model with nothing to drop".into());
                }
                continue;
            }
            let Shared {
                active,
                dropped_props,
                ..
            } = g;
            drop_broken(enc, opt, active, dropped_props, x);
        }
        again.sort_unstable();
        again.dedup();
        g.todo = again;
        g.full = false;
    }
    g.next = 0;
    g.passes += 1;
}

/// Houdini with one induction query per round over the whole transition.
fn houdini_whole(enc: &Encoding, opt: Vec<Conj>, clock: &Clock) -> Result<Houdini, String> {
    let terms = Terms::new(enc, &opt);
    let trans = enc.trans(&terms.s0, &terms.s1, &terms.sv);
    let mut active: Vec<bool> = vec![true; opt.len()];
    let mut dropped_props = vec![];
    let mut round = 0;
    // The required conjuncts at the next state join each round's goal (one
    // unsatisfiable query at the end instead of two); once a model breaks
    // only them, they are known not inductive and leave the goal.
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
        let Some(goal) = terms.goal(&active, required_cti.is_none()) else {
            break;
        };
        let sol = terms.solver(clock, &trans, &active);
        sol.assert(goal);
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
                let x = terms.answer(enc, &opt, &active, &m);
                if x.breaks.is_empty() {
                    if required_cti.is_some() {
                        return Err("Houdini: a model with nothing to drop".into());
                    }
                    required_cti = Some(x.cti);
                    continue;
                }
                drop_broken(enc, &opt, &mut active, &mut dropped_props, x);
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
