//! Symbolic BMC with every policy: when the partial-order reduction starts
//! and when its proof is taken, when an inductive invariant is looked for
//! and in which thread, which properties wait for it, and what is checked
//! again from depth 0. The engine (`engine::bmc::Bmc`) only steps.

use crate::engine::bmc::{Bmc, BmcOptions};
use crate::engine::prove::strengthen::{find_invariant, FoundInvariant};
use crate::engine::{DepthInfo, Event, Events, Finder, Method, Report, Verdict};
use crate::error::{Error, Result};
use crate::interrupt::{self, Group};
use crate::invariants::Conj;
use crate::params::Params;
use crate::spec::Property;
use std::sync::Arc;
use std::time::{Duration, Instant};
use z3::SatResult;

/// A BMC run: the bound, the properties, and the policies.
#[derive(Clone, Debug)]
pub struct BmcPlan {
    pub depth: usize,
    pub props: Vec<Property>,
    /// How the unrolling is built.
    pub engine: BmcOptions,
    /// Stop the whole run at the first violation of any property.
    pub stop_at_first: bool,
    /// When to apply the partial-order reduction (`symbolic::por`).
    pub partial_order: PorPolicy,
    /// When to look for an inductive invariant during the run.
    pub invariant: InvariantPolicy,
    /// A checked inductive invariant to assume at every step from the
    /// start (verdicts and depths unchanged: every reachable state
    /// satisfies it).
    pub assume: Vec<Conj>,
    /// Stop deepening at this time: the open properties are then unknown
    /// ("time budget"), holding up to the deepest depth completed.
    pub deadline: Option<Instant>,
    /// How long a property waits for the invariant search beside BMC once
    /// nothing else is left to check (`PATIENCE_SECS` by default).
    pub patience_secs: f64,
    /// In a race: decisions are posted here, and properties another engine
    /// decided are dropped ("holds up to" the deepest depth checked).
    pub board: crate::engine::Board,
}

impl BmcPlan {
    /// Defaults for `depth` and `props`: every optimization on, no
    /// invariant search.
    pub fn new(depth: usize, props: Vec<Property>) -> BmcPlan {
        BmcPlan {
            depth,
            props,
            engine: BmcOptions::default(),
            stop_at_first: false,
            partial_order: PorPolicy::Auto,
            invariant: InvariantPolicy::Off,
            assume: vec![],
            deadline: None,
            patience_secs: PATIENCE_SECS,
            board: Default::default(),
        }
    }
}

/// When `run` looks for an inductive invariant. Once found and re-checked,
/// it is assumed at every step, and the properties it implies are reported
/// proved for every depth instead of checked further.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvariantPolicy {
    Off,
    /// In line, before depth 1; every property waits for it.
    First,
    /// After depth `AUTO_DEPTH`, if the costliest open property's query
    /// there is projected to cost more than `AUTO_WORTH_SECS` over the
    /// depths left (see `wait_for_invariant`): that property waits for it,
    /// in a thread beside BMC, the others go on deepening. Shallow
    /// violations are found before the invariant is paid for.
    Auto,
    /// After depth `after`, in a thread beside BMC, within `budget_secs`;
    /// every property still open waits for it.
    Beside {
        after: usize,
        budget_secs: u64,
    },
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
/// solver (`split`).
pub const POR_DEPTH: usize = 11;

/// The most the invariant search may take; past it, BMC goes on without.
pub const INVARIANT_BUDGET_SECS: u64 = 120;
/// How long a property waits for the search beside BMC, from the search's
/// start, once nothing else is left to check: then it is checked again from
/// depth 0 beside the search, and the first answer decides. The standard
/// configuration's search takes about 6 s; `--inv Inv --clients 3` waited
/// 120 s for a search that cannot succeed (Inv is violated at 19), where
/// BMC needs 3 s.
pub const PATIENCE_SECS: f64 = 10.0;
/// The depth after which `InvariantPolicy::Auto` may look for an invariant.
pub const AUTO_DEPTH: usize = 10;
/// What an invariant costs, roughly (seeded Houdini and its re-check: 30-50 s
/// on the configurations measured).
pub const AUTO_WORTH_SECS: f64 = 30.0;
/// `InvariantPolicy::Auto` projects only from a query at least this slow:
/// cheaper ones grow too slowly for `GROWTH` to describe them. Measured at
/// depth 10 of the standard configuration: Consistent 0.43 s (checked with
/// the other two; it grows 2.2x per depth), TypeOK alone 0.08 s (1.1x per
/// depth to 25), Inv alone 0.017 s (1.5x per depth to 19, where it is
/// violated: an invariant search there cost W1 100 s instead of 3 s).
pub const MIN_QUERY_SECS: f64 = 0.2;
/// Measured growth of Consistent's unsatisfiable queries per depth (2-2.5x
/// from depth 10 to 16 on the standard configuration).
const GROWTH: f64 = 2.2;

/// Whether the depths after `depth` up to `bound`, projected from the
/// seconds a property's query took at `depth` growing `GROWTH`x per depth,
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

/// The open properties that wait for an invariant search started after
/// depth `k` (empty: no search). `Auto`: the property whose query cost the
/// most at `k`, if it took at least `MIN_QUERY_SECS` and its cost grown
/// over the depths left outweighs the search; the others go on deepening.
/// Otherwise every open property.
fn wait_for_invariant(
    plan: &BmcPlan,
    props: &[(Property, PropState)],
    answers: &[(Property, SatResult, f64)],
    k: usize,
) -> Vec<Property> {
    let open = provable(plan, props);
    if plan.invariant != InvariantPolicy::Auto {
        return open;
    }
    answers
        .iter()
        .filter(|a| open.contains(&a.0))
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .filter(|a| a.2 >= MIN_QUERY_SECS && worth_an_invariant(k, plan.depth, a.2))
        .map(|a| vec![a.0])
        .unwrap_or_default()
}

/// The open properties an invariant might prove: not those a walk has
/// already met a violation of (in a race, `BmcPlan::board`).
fn provable(plan: &BmcPlan, props: &[(Property, PropState)]) -> Vec<Property> {
    props
        .iter()
        .filter(|(q, s)| matches!(s, PropState::Open) && plan.board.violated_within(*q).is_none())
        .map(|(q, _)| *q)
        .collect()
}

/// Where a property stands during a run.
#[derive(Clone, Debug)]
enum PropState {
    /// Checked at every depth.
    Open,
    /// Waits for the invariant search; checked up to `.0`.
    Waiting(usize),
    Decided(Verdict),
}

/// In a race (`BmcPlan::board`): posts what this run decided for good (a
/// shortest violation, or proved) and drops what another engine decided,
/// as "holds up to" the depth this run checked it to; so too a property
/// with a known violation of n steps once it holds up to depth n - 1 (that
/// violation is then a shortest one, and the race reports it).
fn exchange(
    board: &crate::engine::Board,
    props: &mut [(Property, PropState)],
    reached: Option<usize>,
    events: &Events,
) {
    for (q, st) in props.iter_mut() {
        match st {
            PropState::Decided(v) => board.record(*q, v),
            PropState::Open | PropState::Waiting(_) if board.taken(*q) => {
                let upto = match st {
                    PropState::Waiting(at) => Some(*at),
                    _ => reached,
                };
                events.note(format!(
                    "{q}: decided by another engine; BMC drops it{}",
                    upto.map_or(String::new(), |k| format!(" (it holds up to depth {k})"))
                ));
                *st = PropState::Decided(match upto {
                    Some(k) => Verdict::HoldsUpTo(k),
                    None => Verdict::unknown_at(0, "decided by another engine"),
                });
            }
            PropState::Open => {
                let (Some(n), Some(k)) = (board.violated_within(*q), reached) else {
                    continue;
                };
                if k + 1 >= n {
                    // k + 1 > n would contradict the replayed violation:
                    // the race says so.
                    events.note(format!(
                        "{q}: none up to depth {k}, so the walks' violation of {n} steps is a \
                         shortest one; BMC drops it"
                    ));
                    *st = PropState::Decided(Verdict::HoldsUpTo(k));
                }
            }
            _ => {}
        }
    }
}

/// A finished invariant search: what it found and how long it took.
struct Search {
    found: Result<Option<FoundInvariant>>,
    secs: f64,
    after: usize,
}

fn search(
    p: &Params,
    open: &[Property],
    budget_secs: u64,
    after: usize,
    events: &Events,
) -> Search {
    let _z3 = interrupt::Guard::new();
    let t = Instant::now();
    let found = find_invariant(p, open, Some(Duration::from_secs(budget_secs)), events);
    Search {
        found,
        secs: t.elapsed().as_secs_f64(),
        after,
    }
}

/// Applies a finished search: assumes its invariant from here on and
/// decides the properties it proves.
fn apply(
    bmc: &mut Bmc,
    s: Search,
    props: &mut [(Property, PropState)],
    events: &Events,
) -> Result<()> {
    match s.found? {
        None => events.note(format!(
            "no inductive invariant found ({:.2} s); BMC goes on without one",
            s.secs
        )),
        Some((inv, proved)) => {
            events.note(format!(
                "inductive invariant of {} conjuncts found and re-checked after depth {} \
                 ({:.2} s); it proves {}; assumed at every step from here",
                inv.len(),
                s.after,
                s.secs,
                if proved.is_empty() {
                    "none of the open properties".to_string()
                } else {
                    names(&proved)
                }
            ));
            bmc.assume(&inv);
            for (q, st) in props.iter_mut() {
                if !matches!(st, PropState::Decided(_)) && proved.contains(q) {
                    *st = PropState::Decided(Verdict::Proved(Method::Invariant {
                        conjuncts: inv.len(),
                        found_by: Finder::TemplatesBesideBmc { after: s.after },
                    }));
                }
            }
        }
    }
    Ok(())
}

/// The verdicts of a check again from depth 0, for the properties still
/// waiting (a property the invariant proved meanwhile keeps its proof).
fn decide(props: &mut [(Property, PropState)], r: Report) {
    for (q, v) in r.verdicts {
        if let Some((_, st)) = props.iter_mut().find(|(x, _)| *x == q) {
            if !matches!(st, PropState::Decided(_)) {
                *st = PropState::Decided(v);
            }
        }
    }
}

/// The plan and the event sink that check the `waiting` properties again
/// from depth 0, assuming what BMC assumes now: their depths up to where
/// they waited were reported already (unless one is unknown now), and the
/// clock goes on from the run's.
fn recheck(
    plan: &BmcPlan,
    bmc: &Bmc,
    waiting: &[(Property, usize)],
    start: Instant,
    events: &Events,
) -> (BmcPlan, Events) {
    let again = BmcPlan {
        props: waiting.iter().map(|w| w.0).collect(),
        invariant: InvariantPolicy::Off,
        assume: bmc.assumed().to_vec(),
        ..plan.clone()
    };
    let before = start.elapsed().as_secs_f64();
    let parked_at = waiting[0].1;
    let outer = events.clone();
    let inner = Events::new(move |e| match e {
        Event::Depth(d) => {
            let unknown = d.answers.iter().any(|a| a.1 == SatResult::Unknown);
            if d.depth > parked_at || unknown {
                outer.emit(Event::Depth(DepthInfo {
                    total_seconds: before + d.total_seconds,
                    ..d.clone()
                }))
            }
        }
        e => outer.emit(e.clone()),
    });
    (again, inner)
}

fn names(qs: &[Property]) -> String {
    qs.iter().map(|q| q.name()).collect::<Vec<_>>().join(", ")
}

/// Runs BMC from depth 0 to `plan.depth`, emitting one `Event::Depth` per
/// depth. Interrupted (`interrupt::request`), it stops at once and reports
/// what it decided, the rest as unknown ("interrupted") with the depth
/// they hold up to.
pub fn run(p: &Params, plan: &BmcPlan, events: &Events) -> Result<Report> {
    let _z3 = interrupt::Guard::new();
    let start = Instant::now();
    let mut bmc = Bmc::new(p, &plan.engine, &plan.props);
    if let PorPolicy::From(from) = plan.partial_order {
        bmc.reduce_partial_order(from);
    }
    bmc.assume(&plan.assume);
    // The reduction's commutation proof for this configuration, beside BMC
    // (0.2 s for the standard configuration, 3 s for 7 replicas and 4
    // clients); the reduction waits for it.
    let mut por_proof = (plan.partial_order != PorPolicy::Off).then(|| {
        let p = p.clone();
        interrupt::spawn_group(move || {
            // Needed only from depth 10 on: BMC and a racer go first.
            interrupt::lower_priority(interrupt::PROOF_NICE);
            let _z3 = interrupt::Guard::new();
            crate::symbolic::por::verify(&p)
        })
    });
    let mut props: Vec<(Property, PropState)> =
        plan.props.iter().map(|&q| (q, PropState::Open)).collect();
    // The search beside BMC: its thread, its group (to stop it), its start.
    let mut beside: Option<(std::thread::JoinHandle<Search>, Arc<Group>, Instant)> = None;
    let (search_at, budget) = match plan.invariant {
        InvariantPolicy::Off => (None, 0),
        InvariantPolicy::First => (Some(0), INVARIANT_BUDGET_SECS),
        InvariantPolicy::Auto => (Some(AUTO_DEPTH), INVARIANT_BUDGET_SECS),
        InvariantPolicy::Beside { after, budget_secs } => (Some(after), budget_secs),
    };
    let settled =
        |props: &[(Property, PropState)]| !props.iter().any(|(_, s)| matches!(s, PropState::Open));
    let mut last_conflicts = 0;
    // The deepest depth every open property was checked at.
    let mut reached: Option<usize> = None;
    let mut stopped = false;
    let mut out_of_time = false;
    for k in 0..=plan.depth {
        if interrupt::requested() {
            break;
        }
        if let Some(d) = plan.deadline {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                out_of_time = true;
                break;
            }
            // No query outlives the deadline.
            let ms = left.as_millis() as u64;
            bmc.limit_queries(plan.engine.timeout_ms.map_or(ms, |t| t.min(ms)));
        }
        if beside.as_ref().is_some_and(|(h, _, _)| h.is_finished()) {
            let s = join(beside.take().expect("checked just above").0)?;
            apply(&mut bmc, s, &mut props, events)?;
            if settled(&props) {
                break;
            }
        }
        let t0 = Instant::now();
        // A fixed start depth waits for the proof; the automatic start
        // takes it when it is there.
        let due = matches!(plan.partial_order, PorPolicy::From(from) if k >= from);
        if por_proof
            .as_ref()
            .is_some_and(|(h, _)| due || h.is_finished())
        {
            let proof = por_proof
                .take()
                .expect("checked just above")
                .0
                .join()
                .unwrap_or_else(|_| Err("its proof panicked".into()));
            bmc.partial_order_verified(proof);
        }
        exchange(&plan.board, &mut props, reached, events);
        if settled(&props) {
            break;
        }
        if k > 0 {
            bmc.deepen();
        }
        let mut answers = vec![];
        let mut conflicts = 0;
        for (q, st) in props
            .iter_mut()
            .filter(|(_, s)| matches!(s, PropState::Open))
        {
            let a = bmc.check(*q)?;
            answers.push((*q, a.result, a.seconds));
            if let Some(v) = a.verdict {
                *st = PropState::Decided(v);
            }
            conflicts = conflicts.max(bmc.conflicts());
        }
        if interrupt::requested() {
            // The depth's answers may be cancelled ones: reported as such
            // (each property's verdict says interrupted), not as progress.
            break;
        }
        reached = Some(k);
        if plan.partial_order == PorPolicy::Auto
            && !bmc.reduces_partial_order()
            && k >= AUTO_DEPTH
            && conflicts >= POR_CONFLICTS
            && conflicts >= 2 * last_conflicts
        {
            events.note(format!(
                "partial-order reduction from here ({conflicts} conflicts at depth {k}, \
                 {last_conflicts} at the depth before)"
            ));
            bmc.reduce_partial_order(k + 1);
        }
        last_conflicts = conflicts;
        let now = Instant::now();
        let waiting = if search_at == Some(k) && k < plan.depth {
            wait_for_invariant(plan, &props, &answers, k)
        } else {
            vec![]
        };
        events.emit(Event::Depth(DepthInfo {
            depth: k,
            seconds: (now - t0).as_secs_f64(),
            total_seconds: (now - start).as_secs_f64(),
            answers,
        }));
        if plan.stop_at_first
            && props
                .iter()
                .any(|(_, s)| matches!(s, PropState::Decided(v) if v.is_violated()))
        {
            stopped = true;
            break;
        }
        exchange(&plan.board, &mut props, reached, events);
        if settled(&props) {
            break;
        }
        if waiting.is_empty() {
            continue;
        }
        let open = provable(plan, &props);
        if plan.invariant == InvariantPolicy::First || plan.stop_at_first {
            // In line: asked for, or a waiting property may be the first
            // violation and cannot wait while the others go on.
            let s = search(p, &open, budget, k, events);
            apply(&mut bmc, s, &mut props, events)?;
        } else {
            events.note(format!(
                "looking for an inductive invariant beside BMC (at most {budget} s); {} \
                 {} for it, the other properties go on",
                names(&waiting),
                if waiting.len() == 1 { "waits" } else { "wait" }
            ));
            let (p, events) = (p.clone(), events.clone());
            let (h, group) = interrupt::spawn_group(move || search(&p, &open, budget, k, &events));
            beside = Some((h, group, Instant::now()));
            for (q, st) in props.iter_mut() {
                if waiting.contains(q) {
                    *st = PropState::Waiting(k);
                }
            }
        }
        if settled(&props) {
            break;
        }
    }
    let interrupted = interrupt::requested();
    // Every other property is decided, or the bound is reached: wait for
    // the search, unless the run stops early (the search is then stopped
    // and left to end on its own: `interrupt::detach`).
    let early = stopped || interrupted || out_of_time;
    let waiting_now = |props: &[(Property, PropState)]| -> Vec<(Property, usize)> {
        props
            .iter()
            .filter_map(|(q, s)| match s {
                PropState::Waiting(at) => Some((*q, *at)),
                _ => None,
            })
            .collect()
    };
    // A property waits for the search at most PATIENCE_SECS from the
    // search's start; then it is checked again from depth 0 beside the
    // search, and the first answer decides (the other is stopped).
    let mut rerun_report: Option<Report> = None;
    // The reduction's proof, if BMC ended before it: no longer needed.
    if let Some((h, group)) = por_proof.take() {
        group.stop();
        interrupt::detach(h);
    }
    exchange(&plan.board, &mut props, reached, events);
    let all_decided = props
        .iter()
        .all(|(_, s)| matches!(s, PropState::Decided(_)));
    // A walk met a violation of every waiting property: no invariant can
    // prove them, they are checked again from depth 0 at once.
    let hopeless = {
        let w = waiting_now(&props);
        !w.is_empty() && w.iter().all(|w| plan.board.violated_within(w.0).is_some())
    };
    if let Some((h, group, started)) = beside.take() {
        if early || all_decided || hopeless {
            group.stop();
            interrupt::detach(h);
        } else {
            while !h.is_finished()
                && started.elapsed().as_secs_f64() < plan.patience_secs
                && !interrupt::requested()
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            let waiting = waiting_now(&props);
            if h.is_finished() || waiting.is_empty() || interrupt::requested() {
                apply(&mut bmc, join(h)?, &mut props, events)?;
            } else {
                events.note(format!(
                    "the invariant search has run {:.0} s: {} checked again from \
                     depth 0 beside it; a violation found stops the search",
                    plan.patience_secs,
                    names(&waiting.iter().map(|w| w.0).collect::<Vec<_>>())
                ));
                let (again, inner) = recheck(plan, &bmc, &waiting, start, events);
                let p2 = p.clone();
                let (rerun, rerun_group) = interrupt::spawn_group(move || {
                    let _z3 = interrupt::Guard::new();
                    run(&p2, &again, &inner)
                });
                let join_rerun = |h: std::thread::JoinHandle<Result<Report>>| {
                    h.join()
                        .map_err(|_| Error::internal("the BMC thread panicked"))?
                };
                while !h.is_finished() && !rerun.is_finished() {
                    std::thread::sleep(Duration::from_millis(10));
                }
                if h.is_finished() {
                    apply(&mut bmc, join(h)?, &mut props, events)?;
                    if waiting_now(&props).is_empty() {
                        rerun_group.stop();
                        let _ = rerun.join();
                    } else {
                        rerun_report = Some(join_rerun(rerun)?);
                    }
                } else {
                    let r = join_rerun(rerun)?;
                    if r.verdicts.iter().all(|(_, v)| v.is_violated()) {
                        // A violation is final: no invariant can prove it.
                        group.stop();
                        let _ = h.join();
                        events.note(
                            "the check from depth 0 found the violation first: the invariant \
                             search stopped",
                        );
                    } else {
                        // Held up to the bound: a proof would say more.
                        apply(&mut bmc, join(h)?, &mut props, events)?;
                    }
                    rerun_report = Some(r);
                }
            }
        }
    }
    if let Some(r) = rerun_report {
        decide(&mut props, r);
    }
    let waiting = waiting_now(&props);
    if !waiting.is_empty() && !early {
        events.note(format!(
            "{} not proved by an invariant: checked again from depth 0",
            names(&waiting.iter().map(|w| w.0).collect::<Vec<_>>())
        ));
        let (again, inner) = recheck(plan, &bmc, &waiting, start, events);
        decide(&mut props, run(p, &again, &inner)?);
    }
    let verdicts = props
        .into_iter()
        .map(|(q, s)| {
            let v = match s {
                PropState::Decided(v) => v,
                PropState::Open | PropState::Waiting(_) => {
                    let upto = match s {
                        PropState::Waiting(at) => Some(at),
                        _ => reached,
                    };
                    if interrupted {
                        Verdict::unknown_at(upto.map_or(0, |k| k + 1), interrupt::REASON)
                    } else if out_of_time {
                        Verdict::unknown_at(upto.map_or(0, |k| k + 1), "time budget")
                    } else {
                        Verdict::HoldsUpTo(upto.unwrap_or(0))
                    }
                }
            };
            (q, v)
        })
        .collect();
    Ok(Report {
        verdicts,
        seconds: start.elapsed().as_secs_f64(),
    })
}

fn join(h: std::thread::JoinHandle<Search>) -> Result<Search> {
    h.join()
        .map_err(|_| Error::internal("the invariant search thread panicked"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(xs: &[(Property, f64)]) -> Vec<(Property, SatResult, f64)> {
        xs.iter().map(|&(q, t)| (q, SatResult::Unsat, t)).collect()
    }

    /// A property another engine posted on the board is dropped: BMC
    /// never asks for it, reports no verdict of its own beyond what it
    /// checked, and keeps deciding the others.
    #[test]
    fn a_property_on_the_board_is_dropped_and_never_asked() {
        use Property::*;
        let board = crate::engine::Board::shared();
        board.post(Inv);
        let plan = BmcPlan {
            board,
            partial_order: PorPolicy::Off,
            ..BmcPlan::new(4, vec![TypeOK, Inv])
        };
        let seen = Arc::new(std::sync::Mutex::new(vec![]));
        let s2 = Arc::clone(&seen);
        let events = Events::new(move |e| {
            if let Event::Depth(d) = e {
                s2.lock().unwrap().extend(d.answers.iter().map(|a| a.0));
            }
        });
        let r = run(&Params::default(), &plan, &events).unwrap();
        let asked = seen.lock().unwrap().clone();
        assert!(!asked.contains(&Inv), "{asked:?}");
        assert_eq!(asked.iter().filter(|&&q| q == TypeOK).count(), 5);
        assert!(matches!(r.verdict(TypeOK), Some(Verdict::HoldsUpTo(4))));
        let inv = r.verdict(Inv).unwrap();
        assert!(
            !inv.is_violated() && !matches!(inv, Verdict::Proved(_)),
            "{inv}"
        );
    }

    /// A walk's violation of 6 steps of `Inv` on the board (standard
    /// configuration, where `Inv` first fails at 19; the number is a bound
    /// here, not a claim about the spec): BMC checks `Inv` up to depth 5
    /// only and reports it holds there, so that the race calls the walk's
    /// violation a shortest one; the other property goes on.
    #[test]
    fn a_known_violation_bounds_the_depths_asked() {
        use Property::*;
        let board = crate::engine::Board::shared();
        board.post_violation(Inv, 6);
        let plan = BmcPlan {
            board,
            partial_order: PorPolicy::Off,
            ..BmcPlan::new(8, vec![TypeOK, Inv])
        };
        let seen = Arc::new(std::sync::Mutex::new(vec![]));
        let s2 = Arc::clone(&seen);
        let events = Events::new(move |e| {
            if let Event::Depth(d) = e {
                s2.lock()
                    .unwrap()
                    .extend(d.answers.iter().map(|a| (a.0, d.depth)));
            }
        });
        let r = run(&Params::default(), &plan, &events).unwrap();
        let asked = seen.lock().unwrap().clone();
        let deepest = |q| asked.iter().filter(|a| a.0 == q).map(|a| a.1).max();
        assert_eq!(deepest(Inv), Some(5), "{asked:?}");
        assert_eq!(deepest(TypeOK), Some(8), "{asked:?}");
        assert!(matches!(r.verdict(Inv), Some(Verdict::HoldsUpTo(5))));
        assert!(matches!(r.verdict(TypeOK), Some(Verdict::HoldsUpTo(8))));
    }

    #[test]
    fn the_costliest_open_property_waits_for_the_invariant() {
        use Property::*;
        let plan = |invariant| BmcPlan {
            invariant,
            ..BmcPlan::new(25, Property::ALL.to_vec())
        };
        let open: Vec<(Property, PropState)> = Property::ALL
            .iter()
            .map(|&q| (q, PropState::Open))
            .collect();
        // The standard configuration's depth 10 (README figures).
        let std = answers(&[(TypeOK, 0.12), (Consistent, 0.43), (Inv, 0.004)]);
        let auto = plan(InvariantPolicy::Auto);
        assert_eq!(wait_for_invariant(&auto, &open, &std, 10), [Consistent]);
        // Inv alone (W1): too cheap to project from; no search.
        let inv = [(Inv, PropState::Open)];
        assert!(wait_for_invariant(&auto, &inv, &answers(&[(Inv, 0.017)]), 10).is_empty());
        // A decided property does not wait; the next costliest, TypeOK, is
        // too cheap.
        let mut decided = open.clone();
        decided[1].1 = PropState::Decided(Verdict::HoldsUpTo(10));
        assert!(wait_for_invariant(&auto, &decided, &std, 10).is_empty());
        // Few depths left: not worth it.
        assert!(wait_for_invariant(&plan(InvariantPolicy::Auto), &open, &std, 24).is_empty());
        // An explicit start: every open property waits.
        let beside = plan(InvariantPolicy::Beside {
            after: 2,
            budget_secs: 1,
        });
        assert_eq!(wait_for_invariant(&beside, &open, &std, 2), Property::ALL);
        // A property a walk has met a violation of never waits: no
        // invariant can prove it.
        let board = crate::engine::Board::shared();
        board.post_violation(Consistent, 30);
        let walked = BmcPlan { board, ..auto };
        assert!(wait_for_invariant(&walked, &open, &std, 10).is_empty());
        let beside = BmcPlan {
            board: walked.board.clone(),
            ..beside
        };
        assert_eq!(wait_for_invariant(&beside, &open, &std, 2), [TypeOK, Inv]);
    }
}
