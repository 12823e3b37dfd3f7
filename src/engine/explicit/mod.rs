//! Explicit-state breadth-first search over the concrete spec: every
//! reachable state up to a depth, packed (`store`), optionally up to
//! symmetry, expanded by the one BFS (`bfs`).

pub mod bfs;
pub mod liveness;
pub mod store;

use super::{Events, Method, Report, Verdict};
use crate::error::{Error, Result};
use crate::interrupt;
use crate::params::Params;
use crate::spec::{init_states, successors, Action, Property};
use crate::trace::{Counterexample, Trace};
use bfs::{Bfs, Level, Ticker, Unfit};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use store::{Canon, StateStore};

#[derive(Clone, Debug)]
pub struct ExplicitOptions {
    pub depth: usize,
    pub props: Vec<Property>,
    /// Stop cleanly once more than this many distinct states are stored.
    pub max_states: Option<u64>,
    pub symmetry: bool,
    pub stop_at_first: bool,
    /// Stop part-way through a level at this time (unknown: "time budget").
    pub deadline: Option<Instant>,
    /// In a race: violations found are posted here, and properties another
    /// engine decided are dropped ("holds up to" the last level).
    pub board: crate::engine::Board,
    /// Threads expanding each level (see `Bfs::expand`).
    pub workers: usize,
}

impl ExplicitOptions {
    /// Every state up to `depth` for `props`, one worker, none of the
    /// rest (no cap, no symmetry, no deadline, not in a race).
    pub fn new(depth: usize, props: Vec<Property>) -> ExplicitOptions {
        ExplicitOptions {
            depth,
            props,
            max_states: None,
            symmetry: false,
            stop_at_first: false,
            deadline: None,
            board: Default::default(),
            workers: 1,
        }
    }
}

/// The smallest frontier whose successors the last level of a bounded
/// search checks without storing them (smaller ones are stored, so that a
/// state space exhausted exactly at the bound is still proved).
pub const LAST_LEVEL_UNSTORED: usize = 100_000;

/// Rebuilds a concrete trace to stored state `i` by walking forward from
/// the initial state and picking, at each step, a successor whose key is the
/// next stored key (exact without symmetry, a representative with it).
fn rebuild(
    p: &Params,
    canon: &Canon,
    store: &StateStore,
    actions: &[Action],
    i: u32,
) -> std::result::Result<Trace, String> {
    let mut chain = vec![i];
    while let Some(pi) = store.parent(*chain.last().unwrap()) {
        chain.push(pi);
    }
    chain.reverse();
    let first_key = store.get(chain[0]);
    let cur = init_states(p)
        .into_iter()
        .find(|s| &*canon.key(s) == first_key)
        .ok_or("no initial state matches the stored root")?;
    let mut trace = Trace {
        states: vec![cur],
        actions: vec![],
    };
    follow(p, canon, store, actions, &mut trace, &chain[1..])?;
    Ok(trace)
}

/// Extends `trace` through the stored states `nodes`, each a successor of
/// the one before (the first of the trace's last state).
fn follow(
    p: &Params,
    canon: &Canon,
    store: &StateStore,
    actions: &[Action],
    trace: &mut Trace,
    nodes: &[u32],
) -> std::result::Result<(), String> {
    for &next in nodes {
        let want = store.get(next);
        let cur = trace.states.last().expect("a trace has a first state");
        let (a, t) = successors(p, actions, cur)
            .into_iter()
            .find(|(_, t)| &*canon.key(t) == want)
            .ok_or("a stored state has no matching successor")?;
        trace.actions.push(a);
        trace.states.push(t);
    }
    Ok(())
}

/// Breadth-first search up to `opts.depth` or until no new state appears,
/// emitting one `Event::Level` per level.
pub fn run(p: &Params, opts: &ExplicitOptions, events: &Events) -> Result<Report> {
    let start = Instant::now();
    let mut bfs = Bfs::new(p, opts.symmetry, Unfit::Error);
    bfs.deadline = opts.deadline;
    bfs.workers = opts.workers.max(1);
    let mut found: Vec<(Property, Option<u32>)> = opts.props.iter().map(|&q| (q, None)).collect();
    // Every property found (or, with --stop-at-first, one), or, in a race,
    // decided by another engine.
    let settled = |found: &[(Property, Option<u32>)]| {
        found
            .iter()
            .all(|(q, f)| f.is_some() || opts.board.taken(*q))
            || (opts.stop_at_first && found.iter().any(|(_, f)| f.is_some()))
    };
    // Once it is, the level stops part-way (a shortest violation is the
    // first one found; the rest of the level cannot change it).
    let halt = Arc::new(AtomicBool::new(false));
    {
        let (board, props, halt) = (opts.board.clone(), opts.props.clone(), Arc::clone(&halt));
        bfs.halt = Some(Box::new(move || {
            halt.load(Ordering::Relaxed) || props.iter().all(|&q| board.taken(q))
        }));
    }
    let check = |found: &mut Vec<(Property, Option<u32>)>, s: &crate::spec::State, i: u32| {
        for (q, f) in found.iter_mut() {
            if f.is_none() && !q.holds(p, s) {
                *f = Some(i);
                // BFS: the first violation found is a shortest one.
                opts.board.post(*q);
            }
        }
        if settled(found) {
            halt.store(true, Ordering::Relaxed);
        }
    };
    for i in bfs.frontier() {
        check(&mut found, &bfs.state(i), i);
    }
    Ticker::new(events, 0, 0, start, start).level_done(bfs.store.len() as u64, bfs.store.len());
    // Settled, or (in a race) every property left has a known violation
    // (a walk's) of at most one step more than the levels done: it is a
    // shortest one, and this search says "holds up to" the depth before.
    let done = |found: &Vec<(Property, Option<u32>)>, depth: usize| {
        settled(found)
            || found.iter().all(|(q, f)| {
                f.is_some()
                    || opts.board.taken(*q)
                    || opts
                        .board
                        .violated_within(*q)
                        .is_some_and(|n| depth + 1 >= n)
            })
    };
    // How the search ended, if before the bound: exhausted (true) or
    // stopped (false, with the reason).
    let mut ended: Option<std::result::Result<(), String>> = None;
    let cap = opts.max_states.map(|m| m as usize + 1);
    // Violations among the last level's successors, when it is checked
    // and not stored.
    let mut last_hits: Vec<bfs::Hit> = vec![];
    while bfs.depth() < opts.depth && !done(&found, bfs.depth()) {
        let mut ticker = bfs.next_ticker(events, start);
        // The last level asked for, from a large frontier: checked, not
        // stored (a state space exhausted exactly there is then reported
        // as holding up to the bound, not as proved).
        if bfs.depth() + 1 == opts.depth && bfs.frontier().len() >= LAST_LEVEL_UNSTORED {
            let open: Vec<Property> = found
                .iter()
                .filter(|(q, f)| f.is_none() && !opts.board.taken(*q))
                .map(|(q, _)| *q)
                .collect();
            let (level, n, hits) = bfs.check_next(&open)?;
            for h in &hits {
                opts.board.post(h.property);
            }
            last_hits = hits;
            match level {
                Level::Done { .. } => ticker.level_checked(n, bfs.store.len()),
                Level::Interrupted if halt.load(Ordering::Relaxed) => {}
                Level::Interrupted => ended = Some(Err(interrupt::REASON.into())),
                Level::OutOfTime => ended = Some(Err("time budget".into())),
                Level::Capped => unreachable!("check_next stores nothing"),
            }
            break;
        }
        match bfs.expand(cap, |j, t| {
            check(&mut found, t, j);
            ticker.new_state(j);
        })? {
            Level::Done { new } => {
                ticker.level_done(new, bfs.store.len());
                if new == 0 {
                    ended = Some(Ok(()));
                    break;
                }
            }
            Level::Capped => {
                ended = Some(Err(match opts.max_states {
                    Some(m) if m as usize <= StateStore::MAX_LEN => {
                        format!("stopped at --max-states {m}")
                    }
                    _ => format!(
                        "stopped at {} states, the most the explicit store holds",
                        StateStore::MAX_LEN
                    ),
                }));
                break;
            }
            Level::Interrupted if halt.load(Ordering::Relaxed) => break,
            Level::Interrupted => {
                ended = Some(Err(interrupt::REASON.into()));
                break;
            }
            Level::OutOfTime => {
                ended = Some(Err("time budget".into()));
                break;
            }
        }
    }
    let depth = bfs.depth();
    log::debug!(
        "explicit store: {} states, {} MiB, distinct words, pairs, ..., states: {:?}",
        bfs.store.len(),
        bfs.store.bytes() >> 20,
        bfs.store.level_sizes()
    );
    let actions = Action::all(p);
    let trace_to = |q: Property, i: u32| {
        rebuild(p, &bfs.canon, &bfs.store, &actions, i)
            .map_err(|e| Error::internal(format!("cannot rebuild the {q} trace: {e}")))
    };
    let mut verdicts = vec![];
    for (q, f) in found {
        let trace = match (f, last_hits.iter().find(|h| h.property == q)) {
            (Some(i), _) => Some(trace_to(q, i)?),
            (None, Some(h)) => {
                let mut trace = trace_to(q, h.parent)?;
                // The trace ends in an image of the hit's parent under the
                // symmetry (the same state without it): a step of it to an
                // image of the hit's state violates `q` as well.
                let last = trace.states.last().expect("a trace has a first state");
                let (a, t) = successors(p, &actions, last)
                    .into_iter()
                    .find(|(_, t)| !q.holds(p, t))
                    .ok_or_else(|| {
                        Error::internal(format!(
                            "no step of the rebuilt trace's last state violates {q}, as {} \
                             does from its stored form",
                            h.action
                        ))
                    })?;
                trace.actions.push(a);
                trace.states.push(t);
                Some(trace)
            }
            (None, None) => None,
        };
        let v = match (trace, &ended) {
            (Some(trace), _) => {
                let conjunct = trace.replay(p, q).map_err(|e| {
                    Error::internal(format!(
                        "the explicit engine's {q} trace does not replay: {e}"
                    ))
                })?;
                Verdict::Violated(Box::new(Counterexample {
                    property: q,
                    trace,
                    conjunct,
                    lasso: None,
                }))
            }
            // Decided by another engine: what this search established.
            (None, ended) if opts.board.taken(q) && !matches!(ended, Some(Ok(()))) => {
                Verdict::HoldsUpTo(depth)
            }
            (None, Some(Err(reason))) => Verdict::unknown_at(depth + 1, reason.clone()),
            // The last level added nothing: `depth - 1` is the diameter.
            (None, Some(Ok(()))) => Verdict::Proved(Method::Exhausted {
                states: bfs.store.len() as u64,
                diameter: depth - 1,
            }),
            (None, None) => Verdict::HoldsUpTo(depth),
        };
        verdicts.push((q, v));
    }
    Ok(Report {
        verdicts,
        seconds: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Board, Event};
    use std::sync::Mutex;

    /// In a race, a known violation of 6 steps of `Inv` (a bound here, not
    /// a claim about the spec) ends the search after level 5: "holds up to
    /// 5" is what the race needs to call it a shortest one.
    #[test]
    fn a_known_violation_ends_the_search_the_level_before() {
        let board = Board::shared();
        board.post_violation(Property::Inv, 6);
        let opts = ExplicitOptions {
            symmetry: true,
            board,
            ..ExplicitOptions::new(25, vec![Property::Inv])
        };
        let levels = Arc::new(Mutex::new(vec![]));
        let l2 = Arc::clone(&levels);
        let events = Events::new(move |e| {
            if let Event::Level(l) = e {
                l2.lock().unwrap().push(l.depth);
            }
        });
        let r = run(&Params::default(), &opts, &events).unwrap();
        assert!(
            matches!(r.verdict(Property::Inv), Some(Verdict::HoldsUpTo(5))),
            "{:?}",
            r.verdict(Property::Inv)
        );
        assert_eq!(levels.lock().unwrap().last(), Some(&5));
    }
}
