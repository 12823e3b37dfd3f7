//! `--prove`: answers for every depth.
//!
//! The route, per run:
//! 1. Sample reachable states by explicit search (every state up to a size
//!    budget) and keep the template candidates true in all of them
//!    (`candidates`).
//! 2. Houdini: find the largest subset of the candidates (the properties
//!    themselves among them) that is inductive relative to the *required*
//!    conjuncts: the layout's canonical form, `TypeOK` and `CapOk` (the
//!    encoding's sequence capacity never disables an action). Those make
//!    the encoded transition exactly the spec's `Next`, so an invariant
//!    proved over the encoding is one of the spec. Then check the required
//!    conjuncts themselves. A property in the resulting 1-inductive set is
//!    proved; the set is the certificate (`certificate`).
//! 3. Otherwise k-induction, incremental, beside the BMC base case: the step
//!    case assumes the property, the required conjuncts and the Houdini set
//!    on k states of a simple path (no two equal) and asks for a violation
//!    at the next. When no simple path of that length exists at all, the
//!    search is complete: the recurrence diameter is reached.
//!
//! `spacer` is the second route: Z3's CHC engine on the same transition
//! system. Every "proved" is checked by a fresh solver before it is
//! reported.

pub mod candidates;
pub mod certificate;
pub mod lang;
pub mod spacer;

use crate::engine::bmc::{new_solver, set_timeout, Unroller};
use crate::engine::explicit::{Canon, StateStore};
use crate::engine::{InternalError, Report, Verdict};
use crate::params::Params;
use crate::spec::{init_states, successors, Action, Property, State};
use crate::symbolic::Encoding;
use candidates::Family;
use lang::Symbolic;
use std::time::{Duration, Instant};
use z3::ast::{Bool, BV};
use z3::{Model, SatResult, Solver};

/// One conjunct of an invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conj {
    /// The layout's canonical form (no TLA+ counterpart: every TLA+ value is
    /// canonical).
    WellFormed,
    Prop(Property),
    Cand(Family),
}

impl Conj {
    pub fn sym(&self, enc: &Encoding, s: &[BV]) -> Bool {
        match self {
            Conj::WellFormed => enc.well_formed(s),
            Conj::Prop(q) => enc.property(*q, s),
            Conj::Cand(f) => f.eval(&Symbolic::new(&enc.p, &enc.layout, s), &enc.p),
        }
    }
    pub fn holds(&self, p: &Params, s: &State) -> bool {
        match self {
            Conj::WellFormed => true,
            Conj::Prop(q) => q.holds(p, s),
            Conj::Cand(f) => f.holds(p, s),
        }
    }
    /// TLA+ text, `None` for `WellFormed`.
    pub fn text(&self, p: &Params) -> Option<String> {
        match self {
            Conj::WellFormed => None,
            Conj::Prop(q) => Some(q.name().to_string()),
            Conj::Cand(f) => Some(f.text(p)),
        }
    }
}

/// The conjuncts every proof needs.
pub fn required() -> Vec<Conj> {
    vec![
        Conj::WellFormed,
        Conj::Prop(Property::TypeOK),
        Conj::Cand(Family::CapOk),
    ]
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Template strengthening (Houdini), then k-induction.
    Induction,
    /// Z3's Spacer (CHC / IC3-PDR).
    Spacer,
}

#[derive(Clone, Debug)]
pub struct ProveOptions {
    pub props: Vec<Property>,
    pub route: Route,
    /// Largest k for k-induction.
    pub max_k: usize,
    /// Wall-clock budget of the whole run.
    pub timeout: Option<Duration>,
    /// Reachable states explored to filter candidates.
    pub sample_states: usize,
    /// Strengthen with template candidates (off: plain k-induction).
    pub strengthen: bool,
    /// Depth of the BMC run before strengthening (0: none).
    pub early_depth: usize,
    /// Learn the candidates that matter on a small instance (1 client,
    /// `max_next_req` 1) first, and try them alone before all candidates.
    pub seed: bool,
    /// Shrink each proved property's invariant to the closure of its unsat
    /// cores (a shorter certificate, at the price of a few solver calls).
    pub minimize: bool,
    /// Candidates left out (ablation: what a proof needs).
    pub exclude: Option<fn(&Family) -> bool>,
}

impl ProveOptions {
    pub fn new(props: Vec<Property>) -> ProveOptions {
        ProveOptions {
            props,
            route: Route::Induction,
            max_k: 12,
            timeout: None,
            sample_states: 200_000,
            strengthen: true,
            early_depth: 10,
            seed: true,
            minimize: false,
            exclude: None,
        }
    }
}

/// A counterexample to induction: a state satisfying the assumed invariant
/// whose successor violates a conjunct.
#[derive(Clone, Debug)]
pub struct Cti {
    pub state: Option<State>,
    pub action: Option<Action>,
    pub next: Option<State>,
    /// The conjuncts false in the successor, as TLA+ text.
    pub broken: Vec<String>,
}

impl Cti {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let show = |s: &Option<State>| match s {
            Some(s) => crate::spec::VAR_NAMES
                .iter()
                .map(|n| format!("/\\ {n} = {}\n", s.var_value(n)))
                .collect::<String>(),
            None => "(not a canonical state)\n".into(),
        };
        out.push_str("State (satisfies the invariant):\n");
        out.push_str(&show(&self.state));
        match self.action {
            Some(a) => out.push_str(&format!("Step: {a}\n")),
            None => out.push_str("Step: ?\n"),
        }
        out.push_str("Successor:\n");
        out.push_str(&show(&self.next));
        out.push_str("Breaks:\n");
        for b in &self.broken {
            out.push_str(&format!("  {b}\n"));
        }
        out
    }
}

/// A proof's outcome beyond the verdict: the invariant (for certificates)
/// and what was tried.
#[derive(Clone, Debug, Default)]
pub struct ProveDetail {
    /// The checked 1-inductive invariant, per proved property.
    pub invariants: Vec<(Property, Vec<Conj>)>,
    /// Counterexamples to induction that blocked a 1-inductive proof.
    pub ctis: Vec<(Property, Cti)>,
    /// One line per stage: what ran, what it gave, how long it took.
    pub log: Vec<String>,
}

struct Clock {
    start: Instant,
    deadline: Option<Instant>,
}
impl Clock {
    fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
    /// Milliseconds left, for a solver's timeout.
    fn left_ms(&self) -> Option<u64> {
        self.deadline.map(|d| {
            d.saturating_duration_since(Instant::now())
                .as_millis()
                .max(1) as u64
        })
    }
    fn secs(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}

fn solver(clock: &Clock) -> Solver {
    new_solver(clock.left_ms())
}

/// Bounds the solver's next query by the time left, so that one long
/// query cannot outlive the budget.
fn limit(sol: &Solver, clock: &Clock) {
    if let Some(ms) = clock.left_ms() {
        set_timeout(sol, ms);
    }
}

fn unknown(reason: String, holds_up_to: Option<usize>) -> Verdict {
    Verdict::Unknown {
        depth: holds_up_to.map_or(0, |k| k + 1),
        reason,
        holds_up_to,
    }
}

/// Every state reachable, breadth first, until `budget` states are stored;
/// the last level may be partial. Returns the states and whether the search
/// ran out of new states (then they are all the reachable states).
pub fn sample_reachable(p: &Params, budget: usize) -> (Vec<State>, bool) {
    let canon = Canon::new(p, false);
    let actions = Action::all(p);
    let mut store = StateStore::new(canon.layout.words());
    for s in init_states(p) {
        store.insert(&canon.key(&s), None);
    }
    let mut level = (0u32, store.len() as u32);
    let mut complete = false;
    'bfs: loop {
        for i in level.0..level.1 {
            for (_, t) in successors(p, &actions, &canon.state(store.get(i))) {
                if !canon.layout.fits(p, &t) {
                    continue;
                }
                store.insert(&canon.key(&t), Some(i));
                if store.len() >= budget {
                    break 'bfs;
                }
            }
        }
        if store.len() as u32 == level.1 {
            complete = true;
            break;
        }
        level = (level.1, store.len() as u32);
    }
    let states = (0..store.len() as u32)
        .map(|i| canon.state(store.get(i)))
        .collect();
    (states, complete)
}

fn eval_bool(m: &Model, b: &Bool) -> Option<bool> {
    m.eval(b, true).and_then(|v| v.as_bool())
}

fn decode_state(enc: &Encoding, m: &Model, s: &[BV]) -> Option<State> {
    let v: Option<Vec<u64>> = s
        .iter()
        .map(|x| m.eval(x, true).and_then(|v| v.as_u64()))
        .collect();
    enc.layout.decode(&v?).ok()
}

fn decode_cti(
    enc: &Encoding,
    m: &Model,
    s0: &[BV],
    s1: &[BV],
    act: &BV,
    broken: Vec<String>,
) -> Cti {
    let action = m
        .eval(act, true)
        .and_then(|v| v.as_u64())
        .and_then(|i| enc.actions.get(i as usize).copied());
    Cti {
        state: decode_state(enc, m, s0),
        action,
        next: decode_state(enc, m, s1),
        broken,
    }
}

fn conj_name(c: &Conj, p: &Params) -> String {
    c.text(p)
        .unwrap_or_else(|| "the canonical form of the encoding".into())
}

/// The outcome of Houdini.
struct Houdini {
    /// Optional conjuncts inductive relative to the required ones.
    kept: Vec<Conj>,
    /// Whether the required conjuncts are inductive relative to `kept`.
    required_inductive: bool,
    /// Per dropped property, the counterexample that dropped it.
    dropped_props: Vec<(Property, Cti)>,
    /// The counterexample to the required conjuncts' induction.
    required_cti: Option<Cti>,
}

impl Houdini {
    /// The required conjuncts and the kept ones.
    fn invariant(&self) -> Vec<Conj> {
        let mut inv = required();
        inv.extend(self.kept.iter().cloned());
        inv
    }

    /// Those of `props` in the invariant (`TypeOK` is required).
    fn proves(&self, props: &[Property]) -> Vec<Property> {
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
fn filter_init(enc: &Encoding, opt: Vec<Conj>, clock: &Clock) -> Result<Vec<Conj>, String> {
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
                log::warn!(
                    "{} candidate(s) true in every sampled state but false in an initial state: \
                     the concrete and symbolic readings of a candidate disagree",
                    before - active.len()
                );
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
fn cti_for(enc: &Encoding, kept: &[Conj], prop: Property, clock: &Clock) -> Option<Cti> {
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

/// Why a certificate was not confirmed.
#[derive(Debug, Clone)]
pub enum CertError {
    /// An obligation is satisfiable: the invariant is wrong.
    Fails(String),
    /// The solver gave no answer (a time limit).
    Unknown(String),
}

impl std::fmt::Display for CertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertError::Fails(s) | CertError::Unknown(s) => f.write_str(s),
        }
    }
}

/// `--certificate` shrinks invariants with more conjuncts than this.
const MINIMIZE_ABOVE: usize = 400;

/// A smaller inductive invariant inside `inv` that still contains the
/// required conjuncts and each `Prop(q)` of `props`: starting from those, each round asks
/// whether the current set at the next state follows from all of `inv` now,
/// and adds the unsat core's conjuncts, until the set is closed. `inv` must
/// be inductive; the result is (and is re-checked by the caller). Falls back
/// to `inv` itself when the solver does not answer.
fn minimize(enc: &Encoding, inv: &[Conj], props: &[Property], clock: &Clock) -> Vec<Conj> {
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

/// Re-checks, each obligation with a fresh solver, that `inv` is an
/// inductive invariant implying `prop`: `Init => I`, `I /\ Next => I'`,
/// `I => P`. `inv` must hold the required conjuncts.
pub fn check_certificate(
    enc: &Encoding,
    inv: &[Conj],
    prop: Property,
    timeout_ms: Option<u64>,
) -> Result<(), CertError> {
    check_certificate_all(enc, inv, &[prop], timeout_ms)
}

/// `check_certificate` for several properties: `Init => IndInv` and
/// `IndInv /\ Next => IndInv'` once, `IndInv => P` per property.
pub fn check_certificate_all(
    enc: &Encoding,
    inv: &[Conj],
    props: &[Property],
    timeout_ms: Option<u64>,
) -> Result<(), CertError> {
    for r in required() {
        if !inv.contains(&r) {
            return Err(CertError::Fails(format!(
                "the invariant lacks {}",
                conj_name(&r, &enc.p)
            )));
        }
    }
    let conj = |s: &[BV]| Bool::and(&inv.iter().map(|c| c.sym(enc, s)).collect::<Vec<_>>());
    let s0 = enc.state(0);
    let s1 = enc.state(1);
    let sv = enc.step_vars(0);
    let mut obligations: Vec<(String, Bool)> = vec![
        (
            "Init => IndInv".into(),
            Bool::and(&[enc.init(&s0), conj(&s0).not()]),
        ),
        (
            "IndInv /\\ Next => IndInv'".into(),
            Bool::and(&[conj(&s0), enc.trans(&s0, &s1, &sv), conj(&s1).not()]),
        ),
    ];
    for &q in props {
        obligations.push((
            format!("IndInv => {q}"),
            Bool::and(&[conj(&s0), enc.property(q, &s0).not()]),
        ));
    }
    discharge(
        obligations.iter().map(|(n, b)| (n.as_str(), b.clone())),
        timeout_ms,
    )
}

/// Each obligation unsatisfiable, each checked by a fresh solver.
pub(crate) fn discharge<'a>(
    obligations: impl IntoIterator<Item = (&'a str, Bool)>,
    timeout_ms: Option<u64>,
) -> Result<(), CertError> {
    for (name, q) in obligations {
        let sol = new_solver(timeout_ms);
        sol.assert(&q);
        match sol.check() {
            SatResult::Unsat => {}
            SatResult::Sat => return Err(CertError::Fails(format!("{name} fails"))),
            SatResult::Unknown => {
                return Err(CertError::Unknown(format!(
                    "{name}: the solver answered unknown"
                )))
            }
        }
    }
    Ok(())
}

/// k-induction for `prop` (with the required conjuncts), the lemmas
/// assumed on every state of the step path.
fn k_induction(
    enc: &Encoding,
    prop: Property,
    lemmas: &[Conj],
    opts: &ProveOptions,
    clock: &Clock,
    log: &mut Vec<String>,
) -> Result<Verdict, InternalError> {
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
    base.break_symmetry();
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
                return Err(InternalError(format!(
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
                log.push(format!(
                    "{prop}: {how} with {} lemmas, simple-path constraints, {:.2} s",
                    lemmas.len(),
                    clock.secs() - t0
                ));
                return Ok(Verdict::Proved {
                    method: if complete {
                        format!("recurrence diameter <= {k}")
                    } else {
                        format!("{}-induction", k + 1)
                    },
                    k: k + 1,
                    conjuncts: lemmas.len() + q.len(),
                });
            }
        }
    }
    log.push(format!(
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

/// Sampled states every candidate is evaluated on before Houdini (the
/// properties are evaluated on all of them).
const FILTER_STATES: usize = 5_000;

/// Strengthening: sample reachable states, filter the template candidates
/// (with the still-open properties among them), run Houdini.
fn strengthen(
    enc: &Encoding,
    open: &[Property],
    opts: &ProveOptions,
    clock: &Clock,
    log: &mut Vec<String>,
    seed: Option<&[Family]>,
) -> Option<Houdini> {
    let p = &enc.p;
    let t = Instant::now();
    let (mut samples, complete) = sample_reachable(p, opts.sample_states);
    // A fixed shuffle, so that a false candidate fails early.
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    for i in (1..samples.len()).rev() {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        samples.swap(i, (rng % (i as u64 + 1)) as usize);
    }
    let mut all = candidates::generate(p, &samples);
    if let Some(x) = opts.exclude {
        all.retain(|f| !x(f));
    }
    let n_all = all.len();
    log::info!(
        "{} reachable states sampled ({:.2} s); filtering {n_all} candidates",
        samples.len(),
        t.elapsed().as_secs_f64()
    );
    let n_filter = if complete {
        samples.len()
    } else {
        samples.len().min(FILTER_STATES)
    };
    let kept = candidates::filter(p, all, &samples[..n_filter]);
    log.push(format!(
        "candidates: {n_all} from templates, {} true in {} of {} sampled reachable states{} ({:.2} s)",
        kept.len(),
        n_filter,
        samples.len(),
        if complete { " (all of them)" } else { "" },
        t.elapsed().as_secs_f64()
    ));
    let mut opt: Vec<Conj> = open
        .iter()
        .filter(|&&q| q != Property::TypeOK)
        .map(|&q| Conj::Prop(q))
        .collect();
    opt.retain(|c| samples.iter().all(|s| c.holds(p, s)));
    opt.extend(
        kept.into_iter()
            .filter(|f| *f != Family::CapOk)
            .map(Conj::Cand),
    );
    log::info!(
        "{} candidates survive ({:.2} s); Houdini",
        opt.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let opt = match filter_init(enc, opt, clock) {
        Ok(o) => o,
        Err(e) => {
            log.push(format!("strengthening skipped: {e}"));
            vec![]
        }
    };
    // First the seed alone (a few hundred conjuncts instead of a
    // thousand): when it proves what is asked, the full set is not needed.
    let mut result = Err("no candidates".to_string());
    let mut seeded = false;
    if let Some(seed) = seed {
        let sub: Vec<Conj> = opt
            .iter()
            .filter(|c| match c {
                // Every shape goes in: shapes over sequences (logs are
                // increasing, ...) say nothing with one request, so the small
                // instance cannot tell which of them a larger one needs.
                Conj::Cand(f) => {
                    matches!(f, Family::Shape(_))
                        || seed.contains(f)
                        || seed.contains(&f.map_const(enc.p.max_req as i64, 1))
                }
                _ => true,
            })
            .cloned()
            .collect();
        let n_sub = sub.len();
        result = houdini_passes(enc, sub, clock);
        if let Ok(h) = &result {
            for (q, cti) in &h.dropped_props {
                log::debug!("seeded Houdini dropped {q}:\n{}", cti.render());
            }
        }
        // Enough when it proves some property (the others then go to
        // k-induction with these lemmas; Houdini over every candidate costs
        // many minutes on the larger configurations).
        seeded = match &result {
            Ok(h) => {
                h.required_inductive
                    && (open.iter().all(|&q| q == Property::TypeOK)
                        || open.iter().any(|&q| h.kept.contains(&Conj::Prop(q))))
            }
            Err(_) => false,
        };
        log.push(format!(
            "seeded Houdini: the {n_sub} candidates in the small instance's invariants, and every \
             shape, {} ({:.2} s)",
            if seeded {
                "are enough"
            } else {
                "do not suffice; all candidates next"
            },
            t.elapsed().as_secs_f64()
        ));
    }
    if !seeded {
        result = houdini_passes(enc, opt, clock);
    }
    match result {
        Ok(h) => {
            log.push(format!(
                "Houdini: {} conjuncts inductive relative to TypeOK, CapOk and the canonical form; \
                 those {} ({:.2} s)",
                h.kept.len(),
                if h.required_inductive {
                    "hold as well: a 1-inductive invariant"
                } else {
                    "are not inductive relative to them"
                },
                t.elapsed().as_secs_f64()
            ));
            Some(h)
        }
        Err(e) => {
            log.push(format!("Houdini stopped: {e}"));
            None
        }
    }
}

/// The candidates that make up the minimized invariants of a small instance
/// of `p` (one client, one request, the same replicas, quorum and leader
/// changes), or `None` when `p` is that instance or nothing is proved there.
/// The lemmas a protocol needs rarely depend on how many clients and
/// requests there are, and Houdini over a few hundred candidates is much
/// cheaper than over a thousand.
fn seed_from_small(
    p: &Params,
    open: &[Property],
    opts: &ProveOptions,
    clock: &Clock,
    log: &mut Vec<String>,
) -> Option<Vec<Family>> {
    let p0 = Params {
        clients: 1,
        max_req: 1,
        ..p.clone()
    };
    if p0 == *p || open.is_empty() {
        return None;
    }
    let t = Instant::now();
    let enc0 = Encoding::new(&p0);
    let h = strengthen(&enc0, open, opts, clock, &mut vec![], None)?;
    if !h.required_inductive {
        log.push("seed: the small instance has no inductive invariant; skipped".into());
        return None;
    }
    let full = h.invariant();
    let proved = h.proves(open);
    let fams: Vec<Family> = minimize(&enc0, &full, &proved, clock)
        .into_iter()
        .filter_map(|c| match c {
            Conj::Cand(f) => Some(f),
            _ => None,
        })
        .collect();
    log.push(format!(
        "seed: {} candidates from the minimized invariants of the instance with 1 client and \
         max_next_req 1 ({:.2} s)",
        fams.len(),
        t.elapsed().as_secs_f64()
    ));
    Some(fams)
}

/// Houdini over `opt`; candidates implied by another wait in reserve until
/// what implied them is dropped.
fn houdini_passes(enc: &Encoding, opt: Vec<Conj>, clock: &Clock) -> Result<Houdini, String> {
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

/// An invariant for BMC, and the properties it proves.
pub type BmcInvariant = (Vec<Conj>, Vec<Property>);

/// An inductive invariant of the spec for BMC to assume at every step, and
/// which of `props` it proves: found as `--prove` finds one (seeded
/// Houdini), re-checked by fresh solvers. Every reachable state satisfies
/// it, so assuming it changes no verdict and no shortest depth. `None` when
/// the strengthening is not inductive or runs out of time.
pub fn invariant_for_bmc(
    p: &Params,
    props: &[Property],
    timeout: Option<Duration>,
    log: &mut Vec<String>,
) -> Result<Option<BmcInvariant>, InternalError> {
    let clock = Clock {
        start: Instant::now(),
        deadline: timeout.map(|d| Instant::now() + d),
    };
    let enc = Encoding::new(p);
    let opts = ProveOptions::new(props.to_vec());
    let seed = seed_from_small(p, props, &opts, &clock, log);
    let Some(h) = strengthen(&enc, props, &opts, &clock, log, seed.as_deref()) else {
        return Ok(None);
    };
    if !h.required_inductive {
        return Ok(None);
    }
    let inv = h.invariant();
    let proved = h.proves(props);
    // TypeOK is among the required conjuncts: with no property, the check
    // is of the invariant alone.
    let check = if proved.is_empty() {
        vec![Property::TypeOK]
    } else {
        proved.clone()
    };
    match check_certificate_all(&enc, &inv, &check, clock.left_ms()) {
        Ok(()) => {}
        Err(CertError::Unknown(_)) => return Ok(None),
        Err(CertError::Fails(e)) => {
            return Err(InternalError(format!(
                "Houdini's invariant fails the independent re-check ({e}): a bug in the prover"
            )))
        }
    }
    Ok(Some((inv, proved)))
}

/// Runs `--prove` for every selected property.
pub fn run(p: &Params, opts: &ProveOptions) -> Result<(Report, ProveDetail), InternalError> {
    let clock = Clock {
        start: Instant::now(),
        deadline: opts.timeout.map(|d| Instant::now() + d),
    };
    let enc = Encoding::new(p);
    let mut detail = ProveDetail::default();
    if opts.route == Route::Spacer {
        let mut verdicts = vec![];
        for &q in &opts.props {
            let v = spacer::prove(&enc, q, clock.left_ms(), &mut detail.log)?;
            verdicts.push((q, v));
        }
        return Ok((
            Report {
                verdicts,
                seconds: clock.secs(),
            },
            detail,
        ));
    }
    // 0. A short BMC run first: a shallow violation is found in seconds,
    // before any strengthening is paid for.
    let mut early: Vec<(Property, Verdict)> = vec![];
    if opts.early_depth > 0 {
        let t = Instant::now();
        let bopts = crate::engine::bmc::BmcOptions {
            timeout_ms: clock.left_ms().map(|ms| ms.min(30_000)).or(Some(30_000)),
            ..crate::engine::bmc::BmcOptions::new(opts.early_depth, opts.props.clone())
        };
        let r = crate::engine::bmc::run(p, &bopts, |_| {})?;
        for (q, v) in r.verdicts {
            if v.is_violated() {
                early.push((q, v));
            }
        }
        detail.log.push(format!(
            "BMC to depth {}: {} ({:.2} s)",
            opts.early_depth,
            if early.is_empty() {
                "no violation".to_string()
            } else {
                early
                    .iter()
                    .map(|(q, v)| format!("{q} {}", v.summary()))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            t.elapsed().as_secs_f64()
        ));
    }
    let open: Vec<Property> = opts
        .props
        .iter()
        .copied()
        .filter(|q| !early.iter().any(|(q2, _)| q2 == q))
        .collect();
    // 1. Candidates.
    let mut lemmas: Vec<Conj> = vec![];
    let mut houdini_result: Option<Houdini> = None;
    if opts.strengthen && !open.is_empty() {
        let seed = if opts.seed {
            seed_from_small(p, &open, opts, &clock, &mut detail.log)
        } else {
            None
        };
        houdini_result = strengthen(&enc, &open, opts, &clock, &mut detail.log, seed.as_deref());
        if let Some(h) = &houdini_result {
            lemmas = h.kept.clone();
        }
    }
    let mut verdicts = early;
    // 2. Properties in the 1-inductive set: re-check and report. Without
    // minimization they share one invariant: its Init and Next obligations
    // are checked once for all of them.
    let (full, in_set) = match &houdini_result {
        Some(h) if h.required_inductive => (h.invariant(), h.proves(&open)),
        _ => (vec![], vec![]),
    };
    // Seeded invariants are already a few hundred conjuncts; the closure's
    // unsat queries cost minutes on the standard configuration, so only the
    // large ones are shrunk.
    let shrink = opts.minimize && full.len() > MINIMIZE_ABOVE;
    let shared_check = (!in_set.is_empty() && !shrink)
        .then(|| check_certificate_all(&enc, &full, &in_set, clock.left_ms()));
    let mut rest = vec![];
    for &q in &open {
        if let Some(h) = &houdini_result {
            if in_set.contains(&q) {
                let t = Instant::now();
                let (inv, how) = if shrink {
                    let inv = minimize(&enc, &full, &[q], &clock);
                    let how = format!(
                        " (the unsat cores' closure within the {} found, {:.2} s)",
                        full.len(),
                        t.elapsed().as_secs_f64()
                    );
                    (inv, how)
                } else {
                    (full.clone(), String::new())
                };
                let t = Instant::now();
                let checked = match &shared_check {
                    Some(r) => r.clone(),
                    None => check_certificate(&enc, &inv, q, clock.left_ms()),
                };
                match checked {
                    Ok(()) => {
                        detail.log.push(format!(
                            "{q}: proved by a 1-inductive invariant of {} conjuncts{how}, \
                             re-checked by fresh solvers ({:.2} s)",
                            inv.len(),
                            t.elapsed().as_secs_f64()
                        ));
                        verdicts.push((
                            q,
                            Verdict::Proved {
                                method: "inductive invariant (template strengthening)".into(),
                                k: 1,
                                conjuncts: inv.len(),
                            },
                        ));
                        detail.invariants.push((q, inv));
                        continue;
                    }
                    Err(CertError::Unknown(e)) => {
                        verdicts.push((
                            q,
                            unknown(
                                format!(
                                    "the re-check of its inductive invariant did not finish ({e})"
                                ),
                                None,
                            ),
                        ));
                        continue;
                    }
                    Err(CertError::Fails(e)) => {
                        return Err(InternalError(format!(
                            "Houdini's invariant for {q} fails the independent re-check ({e}): \
                             a bug in the prover"
                        )))
                    }
                }
            }
            if let Some(cti) = &h.required_cti {
                detail.ctis.push((q, cti.clone()));
            } else if let Some(cti) = cti_for(&enc, &h.kept, q, &clock) {
                detail.ctis.push((q, cti));
            }
        }
        rest.push(q);
    }
    // 3. k-induction for the others.
    for q in rest {
        let v = k_induction(&enc, q, &lemmas, opts, &clock, &mut detail.log)?;
        verdicts.push((q, v));
    }
    verdicts.sort_by_key(|(q, _)| opts.props.iter().position(|x| x == q));
    Ok((
        Report {
            verdicts,
            seconds: clock.secs(),
        },
        detail,
    ))
}
