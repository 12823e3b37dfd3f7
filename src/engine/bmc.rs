//! Incremental bounded model checking over the symbolic encoding.
//!
//! One solver lives through the whole run. Depth k adds the transition from
//! step k-1 to step k once, then asks, for each property still undecided,
//! for a state at step k that violates it, under an assumption literal
//! (`bad_P@k => ~P(s_k)`), so that clauses learned at one depth survive to
//! the next. Each depth is checked in turn, so the first SAT answer is a
//! shortest counterexample. Every counterexample is decoded and replayed
//! through the concrete spec before it is reported.

use super::{InternalError, Report, Verdict};
use crate::params::Params;
use crate::spec::Property;
use crate::symbolic::{Encoding, StepVars};
use crate::trace::{Counterexample, Trace};
use std::time::Instant;
use z3::ast::{Bool, BV};
use z3::{Model, SatResult, Solver};

#[derive(Clone, Debug)]
pub struct BmcOptions {
    pub depth: usize,
    pub props: Vec<Property>,
    /// Stop the whole run at the first violation of any property.
    pub stop_at_first: bool,
    /// Per-query solver timeout in milliseconds.
    pub timeout_ms: Option<u64>,
    /// Replica symmetry breaking: start from the initial state whose leader
    /// is `r1` only. Every state is a permutation of one reachable from it,
    /// and the properties are symmetric, so verdicts and shortest depths
    /// are unchanged.
    pub symmetry_breaking: bool,
    /// When to apply the partial-order reduction (`symbolic::por`): two
    /// adjacent independent steps are unrolled in one order only, at every
    /// step so far and from then on. Verdicts and shortest depths are
    /// unchanged.
    pub partial_order: PorPolicy,
    /// Once a property is proven at depth k (UNSAT), assert it at step k:
    /// every state at step k of an unrolled path is reachable in exactly k
    /// steps, so no path is lost, and the solver gets the fact for free.
    pub lemmas: bool,
    /// Write each query, as sent, to `DIR/depth_KK_PROP.smt2`.
    pub dump_smt: Option<std::path::PathBuf>,
    /// A checked inductive invariant (`prove::invariant_for_bmc`), asserted
    /// at every step: every reachable state satisfies it, so no path is
    /// lost and the solver starts each depth knowing it.
    pub assume: Vec<crate::prove::Conj>,
    /// When to look for such an invariant during the run (it is then
    /// assumed at every step, and the properties it implies are reported
    /// proved for every depth instead of checked further).
    pub invariant: InvariantPolicy,
}

/// When `run` looks for an inductive invariant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvariantPolicy {
    Off,
    /// After depth 0.
    First,
    /// After depth `AUTO_DEPTH`, if `Consistent` is still open and the
    /// depths left are projected to cost more than `AUTO_WORTH_SECS` (see
    /// `worth_an_invariant`); shallow violations are found before the
    /// invariant is paid for. The search then runs beside BMC, as `Beside`.
    Auto,
    /// After depth `after`, in a thread beside BMC, within `budget_secs`:
    /// `Consistent` waits for it, the other properties go on deepening.
    Beside {
        after: usize,
        budget_secs: u64,
    },
}

/// The most the invariant search may take; past it, BMC goes on without.
pub const INVARIANT_BUDGET_SECS: u64 = 120;

/// The depth after which `InvariantPolicy::Auto` may look for an invariant.
pub const AUTO_DEPTH: usize = 10;
/// What an invariant costs, roughly (seeded Houdini and its re-check: 30-50 s
/// on the configurations measured).
pub const AUTO_WORTH_SECS: f64 = 30.0;
/// Measured growth of Consistent's unsatisfiable queries per depth (2-2.5x
/// from depth 10 to 16 on the standard configuration).
const GROWTH: f64 = 2.2;

/// Whether the depths after `depth` up to `bound`, projected from the
/// seconds Consistent's query took at `depth` growing `GROWTH`x per depth,
/// cost more than an invariant does.
pub fn worth_an_invariant(depth: usize, bound: usize, secs: f64) -> bool {
    let mut total = 0.0;
    let mut t = secs;
    for _ in depth..bound {
        t *= GROWTH;
        total += t;
        if total > AUTO_WORTH_SECS {
            return true;
        }
    }
    false
}

impl BmcOptions {
    /// Defaults for `depth` and `props`: every optimization on.
    pub fn new(depth: usize, props: Vec<Property>) -> BmcOptions {
        BmcOptions {
            depth,
            props,
            stop_at_first: false,
            timeout_ms: None,
            symmetry_breaking: true,
            partial_order: PorPolicy::Auto,
            lemmas: true,
            dump_smt: None,
            assume: vec![],
            invariant: InvariantPolicy::Off,
        }
    }
}

/// What happened at one depth, for progress reporting.
#[derive(Clone, Debug)]
pub struct DepthInfo {
    pub depth: usize,
    pub seconds: f64,
    pub total_seconds: f64,
    /// The solver's answer per property checked at this depth, with the
    /// seconds the query took.
    pub answers: Vec<(Property, SatResult, f64)>,
}

/// When the partial-order reduction starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PorPolicy {
    Off,
    /// Once the unrolling reaches this depth.
    From(usize),
    /// After the first depth from `AUTO_DEPTH` on at which the solver's
    /// work explodes: a query with at least `POR_CONFLICTS` conflicts and
    /// at least twice the most of the depth before. The reduction halves
    /// the deep UNSAT depths of the standard configuration's `Inv` (W1),
    /// but its constraints slow searches whose depths stay cheap (W4 1.28x)
    /// and shallow ones (W2 1.3x, W6 2.8x at depth 10: W2's conflicts
    /// double at depth 8 already), where there is little to prune. Conflict
    /// counts, unlike times, are the same on every machine, and so is where
    /// the reduction starts (unless an invariant search beside BMC, whose
    /// result arrives at a time, changes the queries).
    Auto,
}

/// See `PorPolicy::Auto`.
pub const POR_CONFLICTS: u64 = 1000;
/// The depth `PorPolicy::Auto` stands for where a run cannot watch the
/// solver (`run_split`).
pub const POR_DEPTH: usize = 11;

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
    if let Some(ms) = timeout_ms {
        set_timeout(&s, ms);
    }
    s
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
    pub fn counterexample(&self, prop: Property) -> Result<Counterexample, InternalError> {
        let model = self
            .solver
            .get_model()
            .ok_or_else(|| InternalError("the solver answered sat but gave no model".into()))?;
        let trace = self
            .decode(&model)
            .map_err(|e| InternalError(format!("cannot decode the {prop} counterexample: {e}")))?;
        match trace.replay(&self.enc.p, prop) {
            Ok(conjunct) => Ok(Counterexample { property: prop, trace, conjunct }),
            Err(e) => Err(InternalError(format!(
                "the symbolic engine found a {prop} counterexample at depth {} that does not replay \
                 through the concrete spec ({e}); this is an encoding bug. The trace was:\n{}",
                trace.depth(),
                trace.render(true)
            ))),
        }
    }

    /// Checks `prop` at the current depth: a violation (decoded and
    /// replayed), unknown (with the solver's reason), or `None` when there
    /// is none, after which, with `lemmas`, `prop` is asserted at this step.
    pub fn check_depth(
        &self,
        prop: Property,
        lemmas: bool,
        dump: Option<&std::path::Path>,
    ) -> Result<(SatResult, Option<Verdict>), InternalError> {
        let k = self.depth();
        let r = self.check_violation(prop, dump);
        log::debug!("depth {k} {prop}: {} conflicts", self.conflicts());
        let v = match r {
            SatResult::Sat => Some(Verdict::Violated(Box::new(self.counterexample(prop)?))),
            SatResult::Unknown => Some(Verdict::Unknown {
                depth: k,
                reason: self
                    .solver
                    .get_reason_unknown()
                    .unwrap_or_else(|| "unknown".into()),
                holds_up_to: k.checked_sub(1),
            }),
            SatResult::Unsat => {
                if lemmas {
                    self.solver.assert(self.enc.property(prop, &self.states[k]));
                }
                None
            }
        };
        Ok((r, v))
    }
}

/// `--split-depths`: the depths shared between two threads, each with its
/// own solver (Z3 contexts are per thread): one checks the even depths, the
/// other the odd ones; each unrolls every step (with the same symmetry
/// breaking) and asserts its own proven depths as lemmas. A property's
/// verdict is its smallest SAT depth once every smaller depth is UNSAT; a
/// thread skips a depth once a smaller one is SAT or unknown.
pub fn run_split(p: &Params, opts: &BmcOptions) -> Result<Report, InternalError> {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};
    // (property index, depth) -> its answer: `None` for no violation.
    type Found = BTreeMap<(usize, usize), Option<Verdict>>;
    // Whether property `qi` is decided (violated or unknown) below depth `k`.
    fn decided_below(f: &Found, qi: usize, k: usize) -> bool {
        f.range((qi, 0)..(qi, k)).any(|(_, v)| v.is_some())
    }
    let start = Instant::now();
    let found: Arc<Mutex<Found>> = Arc::new(Mutex::new(BTreeMap::new()));
    let por = match opts.partial_order {
        PorPolicy::Off => None,
        PorPolicy::From(k) => Some(k),
        PorPolicy::Auto => Some(POR_DEPTH),
    };
    // The reduction's proof, once for both workers.
    let proof = por.map(|_| crate::symbolic::por::verify(p));
    let worker = |parity: usize| {
        let found = Arc::clone(&found);
        let p = p.clone();
        let props = opts.props.clone();
        let depth = opts.depth;
        let timeout = opts.timeout_ms;
        let sym = opts.symmetry_breaking;
        let proof = proof.clone();
        let lemmas = opts.lemmas;
        std::thread::spawn(move || -> Result<(), InternalError> {
            let mut u = Unroller::new(&p, timeout);
            if sym {
                u.break_symmetry();
            }
            if let (Some(from), Some(proof)) = (por, proof) {
                u.reduce_partial_order(from);
                u.partial_order_verified(proof);
            }
            for k in 0..=depth {
                if k > 0 {
                    u.extend();
                }
                if k % 2 != parity {
                    continue;
                }
                for (qi, &q) in props.iter().enumerate() {
                    if decided_below(&found.lock().unwrap(), qi, k) {
                        continue;
                    }
                    let (_, v) = u.check_depth(q, lemmas, None)?;
                    found.lock().unwrap().insert((qi, k), v);
                }
                let f = found.lock().unwrap();
                if (0..props.len()).all(|qi| decided_below(&f, qi, k)) {
                    break;
                }
            }
            Ok(())
        })
    };
    let handles = [worker(0), worker(1)];
    for h in handles {
        h.join()
            .map_err(|_| InternalError("a --split-depths worker panicked".into()))??;
    }
    let found = found.lock().unwrap();
    let mut verdicts = vec![];
    for (qi, &q) in opts.props.iter().enumerate() {
        let mut v = Verdict::HoldsUpTo(opts.depth);
        for k in 0..=opts.depth {
            match found.get(&(qi, k)) {
                Some(None) => continue,
                Some(Some(x)) => {
                    v = x.clone();
                    break;
                }
                None => {
                    return Err(InternalError(format!(
                        "--split-depths: depth {k} of {q} was never checked"
                    )))
                }
            }
        }
        verdicts.push((q, v));
    }
    Ok(Report {
        verdicts,
        seconds: start.elapsed().as_secs_f64(),
    })
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

/// What an invariant search (`prove::invariant_for_bmc`) returns, with its
/// log and the seconds it took.
type Search = (
    Result<Option<crate::prove::BmcInvariant>, InternalError>,
    Vec<String>,
    f64,
);

/// Looks for an invariant as `--prove` does, within `budget_secs`.
fn search(p: &Params, open: &[Property], budget_secs: u64) -> Search {
    let t = Instant::now();
    let mut log = vec![];
    let found = crate::prove::invariant_for_bmc(
        p,
        open,
        Some(std::time::Duration::from_secs(budget_secs)),
        &mut log,
    );
    (found, log, t.elapsed().as_secs_f64())
}

/// The invariant search of `InvariantPolicy::Auto`, running in a thread
/// beside BMC (its own Z3 context), started after depth `after`.
struct Beside {
    handle: std::thread::JoinHandle<Search>,
    after: usize,
}

impl Beside {
    fn join(self) -> Result<(Search, usize), InternalError> {
        let found = self
            .handle
            .join()
            .map_err(|_| InternalError("the invariant search thread panicked".into()))?;
        Ok((found, self.after))
    }
}

/// Applies a finished search: logs it and, if it found an invariant,
/// asserts it at every state unrolled so far (and, through `assume_more`,
/// at every later one) and marks the open properties it proves.
fn apply_invariant(
    u: &Unroller,
    ((found, log, secs), after): (Search, usize),
    verdicts: &mut [(Property, Option<Verdict>)],
    assume_more: &mut Vec<crate::prove::Conj>,
) -> Result<(), InternalError> {
    for line in log {
        log::info!("{line}");
    }
    match found? {
        None => log::info!("no inductive invariant found ({secs:.2} s); BMC goes on without one"),
        Some((inv, proved)) => {
            log::info!(
                "inductive invariant of {} conjuncts found and re-checked after depth {after} \
                 ({secs:.2} s); it proves {}; assumed at every step from here",
                inv.len(),
                if proved.is_empty() {
                    "none of the open properties".to_string()
                } else {
                    proved
                        .iter()
                        .map(|q| q.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
            for st in &u.states {
                for c in &inv {
                    u.solver.assert(c.sym(&u.enc, st));
                }
            }
            for (q, v) in verdicts.iter_mut() {
                if v.is_none() && proved.contains(q) {
                    *v = Some(Verdict::Proved {
                        method: format!(
                            "inductive invariant found after BMC depth {after}, re-checked"
                        ),
                        k: 1,
                        conjuncts: inv.len(),
                    });
                }
            }
            *assume_more = inv;
        }
    }
    Ok(())
}

/// Every property is decided or waits for the invariant search.
fn settled(verdicts: &[(Property, Option<Verdict>)], parked: &[Property]) -> bool {
    verdicts
        .iter()
        .all(|(q, v)| v.is_some() || parked.contains(q))
}

/// Runs BMC from depth 0 to `opts.depth`, calling `progress` after each depth.
pub fn run(
    p: &Params,
    opts: &BmcOptions,
    mut progress: impl FnMut(&DepthInfo),
) -> Result<Report, InternalError> {
    run_dyn(p, opts, &mut progress)
}

/// `run`, with `InvariantPolicy::Auto`'s search in a thread beside BMC: once
/// started (after depth `AUTO_DEPTH`), `Consistent`, whose cost called for
/// it, waits for it while the other properties go on deepening; whatever
/// the invariant does not prove is then checked by a second run from depth
/// 0 (a property cannot be checked at a state before the last one of an
/// unrolling: a path there need not extend to the last).
fn run_dyn(
    p: &Params,
    opts: &BmcOptions,
    progress: &mut dyn FnMut(&DepthInfo),
) -> Result<Report, InternalError> {
    let start = Instant::now();
    let mut u = Unroller::new(p, opts.timeout_ms);
    if opts.symmetry_breaking {
        u.break_symmetry();
    }
    if let PorPolicy::From(from) = opts.partial_order {
        u.reduce_partial_order(from);
    }
    // The reduction's commutation proof for this configuration, beside BMC
    // (0.2 s for the standard configuration, 3 s for 7 replicas and 4
    // clients); the reduction waits for it.
    let mut por_proof = (opts.partial_order != PorPolicy::Off).then(|| {
        let p = p.clone();
        std::thread::spawn(move || crate::symbolic::por::verify(&p))
    });
    let mut last_conflicts = 0;
    let mut verdicts: Vec<(Property, Option<Verdict>)> =
        opts.props.iter().map(|&q| (q, None)).collect();
    let mut last = 0;
    let mut assume_more: Vec<crate::prove::Conj> = vec![];
    let mut beside: Option<Beside> = None;
    // Properties waiting for the search, and the depth they were checked to.
    let mut parked: Vec<Property> = vec![];
    let mut parked_at = 0;
    let mut stopped = false;
    // When the search starts, and its budget.
    let (search_at, budget) = match opts.invariant {
        InvariantPolicy::First => (Some(0), INVARIANT_BUDGET_SECS),
        InvariantPolicy::Auto => (Some(AUTO_DEPTH), INVARIANT_BUDGET_SECS),
        InvariantPolicy::Beside { after, budget_secs } => (Some(after), budget_secs),
        _ => (None, 0),
    };
    for k in 0..=opts.depth {
        if beside.as_ref().is_some_and(|b| b.handle.is_finished()) {
            let found = beside.take().expect("checked just above").join()?;
            apply_invariant(&u, found, &mut verdicts, &mut assume_more)?;
            if settled(&verdicts, &parked) {
                break;
            }
        }
        last = k;
        let t0 = Instant::now();
        // A fixed start depth waits for the proof; the automatic start
        // takes it when it is there.
        let due = matches!(opts.partial_order, PorPolicy::From(from) if k >= from);
        if por_proof.as_ref().is_some_and(|h| due || h.is_finished()) {
            let proof = por_proof
                .take()
                .expect("checked just above")
                .join()
                .unwrap_or_else(|_| Err("its proof panicked".into()));
            u.partial_order_verified(proof);
        }
        if k > 0 {
            u.extend();
        }
        for c in opts.assume.iter().chain(&assume_more) {
            u.solver.assert(c.sym(&u.enc, &u.states[k]));
        }
        let mut answers = vec![];
        let mut conflicts = 0;
        for (prop, verdict) in verdicts
            .iter_mut()
            .filter(|(q, v)| v.is_none() && !parked.contains(q))
        {
            let tq = Instant::now();
            let (r, v) = u.check_depth(*prop, opts.lemmas, opts.dump_smt.as_deref())?;
            answers.push((*prop, r, tq.elapsed().as_secs_f64()));
            *verdict = v;
            conflicts = conflicts.max(u.conflicts());
        }
        if opts.partial_order == PorPolicy::Auto
            && !u.reduces_partial_order()
            && k >= AUTO_DEPTH
            && conflicts >= POR_CONFLICTS
            && conflicts >= 2 * last_conflicts
        {
            log::info!(
                "partial-order reduction from here ({conflicts} conflicts at depth {k}, \
                 {last_conflicts} at the depth before)"
            );
            u.reduce_partial_order(k + 1);
        }
        last_conflicts = conflicts;
        let consistent_secs = answers
            .iter()
            .find(|(q, _, _)| *q == Property::Consistent)
            .map(|(_, _, secs)| *secs);
        let now = Instant::now();
        progress(&DepthInfo {
            depth: k,
            seconds: (now - t0).as_secs_f64(),
            total_seconds: (now - start).as_secs_f64(),
            answers,
        });
        let any_violation = verdicts
            .iter()
            .any(|(_, v)| v.as_ref().is_some_and(|v| v.is_violated()));
        if opts.stop_at_first && any_violation {
            stopped = true;
            break;
        }
        if settled(&verdicts, &parked) {
            break;
        }
        let open: Vec<Property> = verdicts
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(q, _)| *q)
            .collect();
        if k >= opts.depth {
            continue;
        }
        let look = search_at == Some(k)
            && match opts.invariant {
                InvariantPolicy::First => true,
                InvariantPolicy::Auto => {
                    open.contains(&Property::Consistent)
                        && consistent_secs
                            .is_some_and(|secs| worth_an_invariant(k, opts.depth, secs))
                }
                InvariantPolicy::Beside { .. } => open.contains(&Property::Consistent),
                InvariantPolicy::Off => false,
            };
        if !look {
            continue;
        }
        if opts.invariant == InvariantPolicy::First || opts.stop_at_first {
            // In line: asked for, or Consistent may be the first violation
            // and cannot wait while the others go on.
            let found = search(p, &open, budget);
            apply_invariant(&u, (found, k), &mut verdicts, &mut assume_more)?;
        } else {
            log::info!(
                "looking for an inductive invariant beside BMC (at most {budget} s); \
                 Consistent waits for it, the other properties go on"
            );
            let (p, open) = (p.clone(), open.clone());
            beside = Some(Beside {
                handle: std::thread::spawn(move || search(&p, &open, budget)),
                after: k,
            });
            parked = vec![Property::Consistent];
            parked_at = k;
        }
        if settled(&verdicts, &parked) {
            break;
        }
    }
    // Every other property is decided, or the depth bound is reached: wait
    // for the search, unless the run stops at its first violation (the
    // thread is then left to end on its own).
    if let Some(b) = beside.take() {
        if !stopped {
            apply_invariant(&u, b.join()?, &mut verdicts, &mut assume_more)?;
        }
    }
    let waiting: Vec<Property> = verdicts
        .iter()
        .filter(|(q, v)| v.is_none() && parked.contains(q))
        .map(|(q, _)| *q)
        .collect();
    if !waiting.is_empty() && !stopped {
        log::info!(
            "{} not proved by an invariant: checked again from depth 0",
            waiting
                .iter()
                .map(|q| q.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let again = BmcOptions {
            props: waiting,
            invariant: InvariantPolicy::Off,
            assume: opts.assume.iter().chain(&assume_more).cloned().collect(),
            ..opts.clone()
        };
        // Its depths up to `parked_at` were reported already (unless one
        // is unknown now); its clock starts now.
        let before = start.elapsed().as_secs_f64();
        let r = run_dyn(p, &again, &mut |d: &DepthInfo| {
            let unknown = d.answers.iter().any(|a| a.1 == SatResult::Unknown);
            if d.depth > parked_at || unknown {
                progress(&DepthInfo {
                    total_seconds: before + d.total_seconds,
                    ..d.clone()
                })
            }
        })?;
        for (q, v) in r.verdicts {
            if let Some((_, slot)) = verdicts.iter_mut().find(|(x, _)| *x == q) {
                *slot = Some(v);
            }
        }
    }
    let verdicts = verdicts
        .into_iter()
        .map(|(q, v)| {
            let reached = if parked.contains(&q) { parked_at } else { last };
            (q, v.unwrap_or(Verdict::HoldsUpTo(reached)))
        })
        .collect();
    Ok(Report {
        verdicts,
        seconds: start.elapsed().as_secs_f64(),
    })
}
