//! `--engine auto`: the engines race on the cores. The symbolic BMC (with
//! its invariant search) and the explicit search (with symmetry, within a
//! state budget) run side by side, and, on large configurations, random
//! walks beside them. Per property the strongest answer wins as soon as it
//! is known: a violation at the shortest depth (both exhaustive engines
//! find shortest ones, and when both do they must agree), proved for every
//! depth (symbolic) or in every reachable state (an exhausted explicit
//! search); otherwise, once the symbolic engine and the walks are done, a
//! violation the walks met (deeper than the bound, not known to be the
//! shortest), else the deepest "holds up to". Answers that contradict each
//! other are an internal error. An engine whose answers can no longer win
//! is stopped at once (`interrupt::Group`). The walks run with `--swarm`
//! and `--depth` at least 100: their seed replays with those.

use super::bmc::{self, BmcPlan};
use crate::engine::explicit::{self, ExplicitOptions};
use crate::engine::simulate::{self, SimOptions};
use crate::engine::{Events, Report, Verdict};
use crate::error::{Error, Result};
use crate::interrupt::{self, Group};
use crate::params::Params;
use crate::spec::Property;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

/// Distinct states the explicit racer may store (memory stays bounded:
/// about 2 GiB on the largest configurations measured).
pub const EXPLICIT_STATES: u64 = 30_000_000;

#[derive(Clone, Debug)]
pub struct RacePlan {
    pub bmc: BmcPlan,
    /// Random walks beside the exhaustive engines (for large
    /// configurations; see `wants_walks`).
    pub walks: Option<SimOptions>,
    /// Violations known before the race (a walk's, cut, replayed), as
    /// property and steps: the engines stop one step short of them, and a
    /// property whose engines all hold up to that depth is settled as
    /// "holds up to" it, for the caller to call the walk's trace shortest.
    pub violated_within: Vec<(Property, usize)>,
}

/// Whether a configuration is large enough for walks to join the race:
/// from 5 replicas or 3 clients on, the exhaustive engines slow down
/// (measured: 5 replicas and quorum 3 lose a write only after 30 steps).
pub fn wants_walks(p: &Params) -> bool {
    p.replicas >= 5 || p.clients >= 3
}

/// The niceness of the racers beside BMC (the explicit search, the walks):
/// below BMC and its main thread, above the reduction's proof (nice 19,
/// which would otherwise take half of the explicit search's core); the
/// walks' extra batches, which only shorten a violation already known, go
/// down to 19. Measured: W1 (3 replicas) 0.54 s against 0.75 s at 19. On
/// 5 replicas and more it was 19 while BMC decided those workloads (W6 3.90
/// s at 10 against 3.17 s); with the 3.3x faster canonical forms the walks
/// and the explicit search decide them, and 10 measured W7 9.21-11.28 s
/// (median 9.43) against 10.01-11.06 s (10.07) at 19, W6 equal (0.11-0.24
/// s), alternating runs.
pub const RACER_NICE: i32 = 10;

/// The engines' names, as reports show them.
pub const SYMBOLIC: &str = "symbolic";
pub const EXPLICIT: &str = "explicit";
pub const SIMULATION: &str = "simulation";

/// Where a property stands in the race: its verdict once settled. `bound`
/// is the depth asked for; `running` the engines still racing; `known` the
/// steps of a violation known from outside the answers (`Board`).
fn settle(
    answers: &[(&'static str, &Verdict)],
    running: &[&'static str],
    bound: usize,
    known: Option<usize>,
) -> Result<Option<(&'static str, Verdict)>> {
    // Answers that contradict each other mean an engine is wrong: say so.
    for (a, v) in answers {
        let Some(d) = v.violation_depth() else {
            continue;
        };
        for (b, w) in answers {
            let clash = match w {
                Verdict::Proved(_) => true,
                Verdict::HoldsUpTo(k) => *k >= d,
                Verdict::Violated(_) if matches!(v, Verdict::Violated(_)) => {
                    w.violation_depth() != Some(d)
                }
                // A shortest violation longer than a real one.
                Verdict::Violated(_) => w.violation_depth().is_some_and(|e| e > d),
                _ => false,
            };
            if clash {
                return Err(Error::internal(format!(
                    "the {a} engine found a violation of {d} steps, the {b} engine says {w}: \
                     one of them is wrong"
                )));
            }
        }
    }
    if let Some((e, v)) = answers
        .iter()
        .find(|(_, v)| matches!(v, Verdict::Violated(_)))
    {
        return Ok(Some((e, (*v).clone())));
    }
    // A walk's violation of d steps, and an exhaustive engine found none
    // up to depth d - 1: it is a shortest one.
    let none_up_to = answers
        .iter()
        .filter_map(|(_, w)| match w {
            Verdict::HoldsUpTo(k) => Some(*k),
            Verdict::Unknown { holds_up_to, .. } => *holds_up_to,
            _ => None,
        })
        .max();
    for (e, v) in answers {
        if let Verdict::Found {
            cx, seed, walked, ..
        } = v
        {
            let v = Verdict::Found {
                cx: cx.clone(),
                seed: *seed,
                walked: *walked,
                holds_up_to: none_up_to,
            }
            .shortest_if_known();
            if matches!(v, Verdict::Violated(_)) {
                return Ok(Some((e, v)));
            }
        }
    }
    if let Some((e, v)) = answers
        .iter()
        .find(|(_, v)| matches!(v, Verdict::Proved(_)))
    {
        return Ok(Some((e, (*v).clone())));
    }
    // A violation of n steps is known and an engine found none up to n - 1:
    // nothing more is to be learnt (the caller holds that violation).
    if let Some(n) = known {
        if let Some((e, v)) = answers
            .iter()
            .find(|(_, v)| matches!(v, Verdict::HoldsUpTo(k) if k + 1 >= n))
        {
            return Ok(Some((e, (*v).clone())));
        }
    }
    // The symbolic engine may still prove it, or find the shortest
    // violation; walks may still meet one deeper than the bound. The
    // explicit engine could only exhaust the state space, which it rarely
    // does after BMC reached the bound: it is not waited for then.
    let at_bound = answers
        .iter()
        .any(|(_, v)| matches!(v, Verdict::HoldsUpTo(k) if *k >= bound));
    if running.contains(&SYMBOLIC)
        || running.contains(&SIMULATION)
        || (!running.is_empty() && !at_bound)
    {
        return Ok(None);
    }
    // Nothing final: a real (not shortest) violation, else the deepest
    // bound reached, else the most honest unknown, else the walks' "none".
    let rank = |v: &Verdict| match v {
        Verdict::Found { .. } => (4, 0),
        Verdict::HoldsUpTo(k) => (3, *k),
        Verdict::Unknown { holds_up_to, .. } => (2, holds_up_to.map_or(0, |k| k + 1)),
        Verdict::NotFound { .. } => (1, 0),
        _ => (0, 0),
    };
    Ok(answers
        .iter()
        .max_by_key(|(_, v)| rank(v))
        .map(|(e, v)| (*e, (*v).clone())))
}

/// Runs the race; returns the verdicts and which engine decided each.
pub fn run(
    p: &Params,
    plan: &RacePlan,
    events: &Events,
) -> Result<(Report, Vec<(Property, &'static str)>)> {
    run_with(p, plan, EXPLICIT_STATES, events)
}

/// `run`, the explicit racer storing at most `max_states` states.
pub fn run_with(
    p: &Params,
    plan: &RacePlan,
    max_states: u64,
    events: &Events,
) -> Result<(Report, Vec<(Property, &'static str)>)> {
    let start = Instant::now();
    let props = plan.bmc.props.clone();
    let (tx, rx) = mpsc::channel::<(&'static str, Result<Report>)>();
    let mut racers: Vec<(&'static str, Arc<Group>)> = vec![];
    let nice = RACER_NICE;
    let mut start_racer = |name: &'static str, run: Box<dyn FnOnce() -> Result<Report> + Send>| {
        let group = Group::new();
        let tx = tx.clone();
        let g = Arc::clone(&group);
        // Never joined here: a loser is stopped and ends on its own; the
        // process waits for it before it exits (`interrupt::wind_down`).
        interrupt::detach(std::thread::spawn(move || {
            if name != SYMBOLIC {
                // The explicit search and the walks: BMC and its helpers
                // keep the cores when there are not enough.
                interrupt::lower_priority(nice);
            }
            interrupt::enter(Some(g));
            let _z3 = interrupt::Guard::new();
            let _ = tx.send((name, run()));
        }));
        racers.push((name, group));
    };
    // Each exhaustive engine drops what the other decided for good.
    let board = crate::engine::Board::shared();
    for &(q, n) in &plan.violated_within {
        board.post_violation(q, n);
    }
    {
        let (p, events) = (p.clone(), events.clone());
        let plan = BmcPlan {
            board: board.clone(),
            ..plan.bmc.clone()
        };
        start_racer(SYMBOLIC, Box::new(move || bmc::run(&p, &plan, &events)));
    }
    {
        let opts = ExplicitOptions {
            depth: plan.bmc.depth,
            props: props.clone(),
            max_states: Some(max_states),
            symmetry: props.iter().all(|q| q.is_symmetric()),
            stop_at_first: plan.bmc.stop_at_first,
            deadline: plan.bmc.deadline,
            board: board.clone(),
            workers: 1,
        };
        let (p, events) = (p.clone(), events.clone());
        start_racer(
            EXPLICIT,
            Box::new(move || explicit::run(&p, &opts, &events)),
        );
    }
    if let Some(walks) = &plan.walks {
        let (p, walks, board) = (p.clone(), walks.clone(), board.clone());
        start_racer(
            SIMULATION,
            Box::new(move || {
                let t = Instant::now();
                let r = simulate::run(&p, &walks)?;
                let mut verdicts = vec![];
                for (q, f) in r.found {
                    let v = match f {
                        Some(f) => {
                            // Known at once to the exhaustive engines (no
                            // invariant search for it; they stop one step
                            // short), then shortened by more walks.
                            board.post_violation(q, f.cx.trace.depth());
                            // The extra batches only shorten a known
                            // violation: below the explicit search.
                            interrupt::lower_priority(interrupt::PROOF_NICE);
                            let f = simulate::shortest_cut(&p, &walks, q, f, |n| {
                                board.post_violation(q, n);
                                board.taken(q)
                            })?;
                            f.into_verdict(None)
                        }
                        None => simulate::unfound(r.runs, walks.depth),
                    };
                    verdicts.push((q, v));
                }
                Ok(Report {
                    verdicts,
                    seconds: t.elapsed().as_secs_f64(),
                })
            }),
        );
    }
    drop(tx);
    let mut done: Vec<(&'static str, Report)> = vec![];
    let settled = loop {
        let (name, r) = rx
            .recv()
            .map_err(|_| Error::internal("a racing engine ended without a report"))?;
        let r = r?;
        events.note(format!("{name} engine finished ({:.2} s)", r.seconds));
        // What it decided for good, the others drop at once.
        for (q, v) in &r.verdicts {
            board.record(*q, v);
        }
        done.push((name, r));
        let running: Vec<&'static str> = racers
            .iter()
            .map(|(e, _)| *e)
            .filter(|e| !done.iter().any(|(d, _)| d == e))
            .collect();
        let mut settled = vec![];
        for &q in &props {
            let answers: Vec<(&'static str, &Verdict)> = done
                .iter()
                .filter_map(|(e, r)| r.verdict(q).map(|v| (*e, v)))
                .collect();
            // A known violation of n steps: holding up to n - 1 is as far
            // as the engines go.
            let bound = board
                .violated_within(q)
                .map_or(plan.bmc.depth, |n| plan.bmc.depth.min(n.saturating_sub(1)));
            // Only a violation the caller holds: one the walks met is
            // theirs to report (`Found`, settled above once they are done).
            let known = plan
                .violated_within
                .iter()
                .find(|(x, _)| *x == q)
                .map(|(_, n)| *n);
            settled.push(settle(&answers, &running, bound, known)?);
        }
        if running.is_empty() || settled.iter().all(|s| s.is_some()) {
            break settled;
        }
    };
    // The others can no longer change a verdict.
    for (name, group) in &racers {
        if !done.iter().any(|(e, _)| e == name) {
            events.note(format!("{name} engine stopped: every property is decided"));
            group.stop();
        }
    }
    let mut verdicts = vec![];
    let mut by = vec![];
    for (&q, s) in props.iter().zip(settled) {
        let (e, v) = s.ok_or_else(|| Error::internal(format!("no engine answered for {q}")))?;
        verdicts.push((q, v));
        by.push((q, e));
    }
    Ok((
        Report {
            verdicts,
            seconds: start.elapsed().as_secs_f64(),
        },
        by,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{init_state, Action};
    use crate::trace::{Counterexample, Trace};

    fn violated(depth: usize) -> Verdict {
        let p = Params::default();
        let mut states = vec![init_state(&p, 0)];
        for _ in 0..depth {
            states.push(states[0].clone());
        }
        Verdict::Violated(Box::new(Counterexample {
            property: Property::Inv,
            trace: Trace {
                states,
                actions: vec![Action::Terminated; depth],
            },
            conjunct: String::new(),
            lasso: None,
        }))
    }

    #[test]
    fn the_strongest_answer_settles_a_property() {
        let holds = Verdict::HoldsUpTo(25);
        let proved = Verdict::Proved(crate::engine::Method::Exhausted {
            states: 10,
            diameter: 3,
        });
        let v19 = violated(19);
        // A shortest violation settles at once, whoever is still running.
        let s = settle(&[(EXPLICIT, &v19)], &[SYMBOLIC], 25, None).unwrap();
        assert_eq!(s.map(|x| x.0), Some(EXPLICIT));
        // So does a proof.
        let s = settle(&[(EXPLICIT, &holds), (SYMBOLIC, &proved)], &[], 25, None).unwrap();
        assert!(matches!(s, Some((SYMBOLIC, Verdict::Proved(_)))));
        // "Holds up to the bound" waits while the symbolic engine may prove it...
        assert!(settle(&[(EXPLICIT, &holds)], &[SYMBOLIC], 25, None)
            .unwrap()
            .is_none());
        // ...but not for the explicit one, which could only exhaust.
        let s = settle(&[(SYMBOLIC, &holds)], &[EXPLICIT], 25, None).unwrap();
        assert!(matches!(s, Some((SYMBOLIC, Verdict::HoldsUpTo(25)))));
        // Short of the bound, it waits for everyone.
        let h10 = Verdict::HoldsUpTo(10);
        assert!(settle(&[(SYMBOLIC, &h10)], &[EXPLICIT], 25, None)
            .unwrap()
            .is_none());
        // Two shortest violations of different depths: a bug, said loudly;
        // so is a violation below a depth another engine says holds.
        let v18 = violated(18);
        assert!(settle(&[(EXPLICIT, &v19), (SYMBOLIC, &v18)], &[], 25, None).is_err());
        assert!(settle(&[(EXPLICIT, &v19), (SYMBOLIC, &holds)], &[], 25, None).is_err());
        assert!(settle(&[(EXPLICIT, &v19), (SYMBOLIC, &proved)], &[], 25, None).is_err());
        // A walk's violation beyond the bound beats "holds up to the
        // bound", once the walks are done; while they run, it waits.
        let found = Verdict::Found {
            cx: match violated(30) {
                Verdict::Violated(cx) => cx,
                _ => unreachable!(),
            },
            seed: 7,
            walked: 30,
            holds_up_to: None,
        };
        let h6 = Verdict::HoldsUpTo(6);
        assert!(settle(&[(SYMBOLIC, &h6)], &[SIMULATION], 6, None)
            .unwrap()
            .is_none());
        let s = settle(
            &[(SYMBOLIC, &h6), (SIMULATION, &found)],
            &[EXPLICIT],
            6,
            None,
        )
        .unwrap();
        assert!(matches!(s, Some((SIMULATION, Verdict::Found { .. }))));
        // A walk's violation of 30 steps and none up to 29 found by an
        // exhaustive engine: a shortest violation, settled at once; up to
        // 28 only, it is not; a shortest one longer than it is a bug.
        let h29 = Verdict::HoldsUpTo(29);
        let s = settle(
            &[(SIMULATION, &found), (SYMBOLIC, &h29)],
            &[EXPLICIT],
            40,
            None,
        )
        .unwrap();
        assert!(
            matches!(&s, Some((SIMULATION, Verdict::Violated(cx))) if cx.trace.depth() == 30),
            "{s:?}"
        );
        let u29 = Verdict::unknown_at(30, "time budget");
        let s = settle(
            &[(EXPLICIT, &u29), (SIMULATION, &found)],
            &[SYMBOLIC],
            40,
            None,
        )
        .unwrap();
        assert!(matches!(s, Some((SIMULATION, Verdict::Violated(_)))));
        let h28 = Verdict::HoldsUpTo(28);
        assert!(settle(
            &[(SIMULATION, &found), (SYMBOLIC, &h28)],
            &[EXPLICIT],
            40,
            None
        )
        .unwrap()
        .is_none());
        let v31 = violated(31);
        assert!(settle(&[(SIMULATION, &found), (SYMBOLIC, &v31)], &[], 40, None).is_err());
        // A violation of 30 steps the caller holds (--shorten's race): "none
        // up to 29" settles at once, whoever is still running; "none up to
        // 28" does not.
        let s = settle(&[(EXPLICIT, &h29)], &[SYMBOLIC], 29, Some(30)).unwrap();
        assert!(matches!(s, Some((EXPLICIT, Verdict::HoldsUpTo(29)))));
        assert!(settle(&[(EXPLICIT, &h28)], &[SYMBOLIC], 29, Some(30))
            .unwrap()
            .is_none());
        // An interrupted symbolic engine's unknown beats the walks' "none".
        let unknown = Verdict::unknown_at(4, "interrupted");
        let none = Verdict::NotFound {
            runs: 10,
            depth: 100,
        };
        let s = settle(&[(SYMBOLIC, &unknown), (SIMULATION, &none)], &[], 6, None).unwrap();
        assert!(matches!(s, Some((SYMBOLIC, Verdict::Unknown { .. }))));
    }
}
