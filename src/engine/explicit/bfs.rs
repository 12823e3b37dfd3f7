//! The one breadth-first search over packed states: the explicit engine,
//! the level sets of the cross-checks and the prover's sample of reachable
//! states all expand the same frontier.

use super::store::{Canon, StateStore};
use crate::engine::{Event, Events, LevelInfo};
use crate::error::{Error, Result};
use crate::interrupt;
use crate::params::Params;
use crate::spec::{apply_into, init_states, Action, State, Successors};
use std::time::{Duration, Instant};

/// What to do with a successor whose values do not fit the layout's packed
/// fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unfit {
    /// An error: the width bounds in params.rs are wrong.
    Error,
    /// Leave it out (a sample need not be complete).
    Skip,
}

/// How a level's expansion ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Every state of the frontier was expanded; `new` states were found
    /// (0: the search is exhausted).
    Done { new: u64 },
    /// The store reached its cap part-way through the level.
    Capped,
    /// `interrupt::request` stopped it part-way.
    Interrupted,
    /// The deadline passed part-way.
    OutOfTime,
}

pub struct Bfs {
    p: Params,
    pub canon: Canon,
    actions: Vec<Action>,
    pub store: StateStore,
    /// Store indices of the states first reached at `depth`.
    frontier: std::ops::Range<u32>,
    depth: usize,
    unfit: Unfit,
    /// `expand` stops part-way once this time has passed.
    pub deadline: Option<Instant>,
    /// `expand` stops part-way (as if interrupted) once this says so: a
    /// racer whose every property is decided.
    pub halt: Option<Box<dyn Fn() -> bool + Send>>,
    /// Successors of the state being expanded (storage reused).
    succ: Successors,
}

impl Bfs {
    /// The initial states, stored (up to symmetry) as the first frontier.
    pub fn new(p: &Params, symmetry: bool, unfit: Unfit) -> Bfs {
        let canon = Canon::new(p, symmetry);
        let mut store = StateStore::new(canon.layout.words());
        for s in init_states(p) {
            store.insert(&canon.key(&s), None);
        }
        let n = store.len() as u32;
        Bfs {
            p: p.clone(),
            canon,
            actions: Action::all(p),
            store,
            frontier: 0..n,
            depth: 0,
            unfit,
            deadline: None,
            halt: None,
            succ: Successors::default(),
        }
    }

    /// The depth of the frontier.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Store indices of the frontier's states.
    pub fn frontier(&self) -> std::ops::Range<u32> {
        self.frontier.clone()
    }

    /// The progress of the level `expand` builds next, from now, of a run
    /// begun at `run_start`.
    pub fn next_ticker<'a>(&self, events: &'a Events, run_start: Instant) -> Ticker<'a> {
        Ticker::new(
            events,
            self.depth + 1,
            self.store.len(),
            Instant::now(),
            run_start,
        )
    }

    /// The state stored at `i`.
    pub fn state(&self, i: u32) -> State {
        self.canon.state(self.store.get(i))
    }

    /// Expands the frontier by one level: every new successor is stored
    /// with its parent link and passed to `on_new`. With `cap`, stops once
    /// the store holds that many states. After `Done`, the new states are
    /// the frontier.
    pub fn expand(
        &mut self,
        cap: Option<usize>,
        mut on_new: impl FnMut(u32, &State),
    ) -> Result<Level> {
        let before = self.store.len() as u32;
        for i in self.frontier.clone() {
            // At every state: with 7 replicas one state's canonical form
            // can take 0.3 s (the permutations of identical replicas), and
            // a racer that lost must stop promptly.
            if interrupt::requested() {
                return Ok(Level::Interrupted);
            }
            if i % 64 == 0 && self.halt.as_ref().is_some_and(|h| h()) {
                return Ok(Level::Interrupted);
            }
            if i % 1024 == 0 && self.deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(Level::OutOfTime);
            }
            let s = self.state(i);
            self.succ.clear();
            for &a in &self.actions {
                apply_into(&self.p, &s, a, &mut self.succ);
            }
            for k in 0..self.succ.len() {
                let t = self.succ.get(k);
                if !self.canon.layout.fits(&self.p, t) {
                    match self.unfit {
                        Unfit::Skip => continue,
                        Unfit::Error => {
                            return Err(Error::internal(format!(
                                "a successor holds a value wider than its packed field; the \
                                 width bounds in params.rs are wrong: {t:?}"
                            )))
                        }
                    }
                }
                if let Some(j) = self.store.insert(&self.canon.key(t), Some(i)) {
                    on_new(j, t);
                    if cap.is_some_and(|c| self.store.len() >= c) {
                        return Ok(Level::Capped);
                    }
                }
            }
        }
        let after = self.store.len() as u32;
        self.frontier = before..after;
        self.depth += 1;
        Ok(Level::Done {
            new: (after - before) as u64,
        })
    }
}

/// The progress of one level: `Event::Tick` about once a second while it
/// is built (call `new_state` for every state stored), `Event::Level` when
/// it is done.
pub struct Ticker<'a> {
    events: &'a Events,
    depth: usize,
    before: u64,
    level_start: Instant,
    run_start: Instant,
    last: Instant,
}

impl<'a> Ticker<'a> {
    /// For the level at `depth`, begun at `level_start` with `before`
    /// states in the store, of a run begun at `run_start`.
    pub fn new(
        events: &'a Events,
        depth: usize,
        before: usize,
        level_start: Instant,
        run_start: Instant,
    ) -> Self {
        Ticker {
            events,
            depth,
            before: before as u64,
            level_start,
            run_start,
            last: Instant::now(),
        }
    }

    /// The level is done: `new` states, `total` in the store.
    pub fn level_done(&self, new: u64, total: usize) {
        self.events.emit(Event::Level(LevelInfo {
            depth: self.depth,
            new_states: new,
            total_states: total as u64,
            seconds: self.level_start.elapsed().as_secs_f64(),
            total_seconds: self.run_start.elapsed().as_secs_f64(),
        }));
    }

    pub fn new_state(&mut self, j: u32) {
        if j % 8192 != 0 || self.last.elapsed() < Duration::from_secs(1) {
            return;
        }
        self.last = Instant::now();
        let total = j as u64 + 1;
        self.events.emit(Event::Tick(LevelInfo {
            depth: self.depth,
            new_states: total.saturating_sub(self.before),
            total_states: total,
            seconds: self.level_start.elapsed().as_secs_f64(),
            total_seconds: self.run_start.elapsed().as_secs_f64(),
        }));
    }
}

/// Every state reachable, breadth first, until `budget` states are stored;
/// the last level may be partial. Returns the states and whether the search
/// ran out of new states (then they are all the reachable states).
pub fn sample_reachable(p: &Params, budget: usize) -> (Vec<State>, bool) {
    let mut bfs = Bfs::new(p, false, Unfit::Skip);
    let complete = loop {
        match bfs.expand(Some(budget), |_, _| {}) {
            Ok(Level::Done { new: 0 }) => break true,
            Ok(Level::Done { .. }) => continue,
            Ok(Level::Capped | Level::Interrupted | Level::OutOfTime) | Err(_) => break false,
        }
    };
    let states = (0..bfs.store.len() as u32).map(|i| bfs.state(i)).collect();
    (states, complete)
}

/// Every distinct state reachable in at most `depth` steps, per depth of
/// first appearance (no symmetry): `levels[d]` holds the states first seen
/// at depth d. For cross-checks and pinned counts.
pub fn levels(p: &Params, depth: usize) -> Result<Vec<Vec<State>>> {
    let mut bfs = Bfs::new(p, false, Unfit::Error);
    let mut out = vec![bfs.frontier().map(|i| bfs.state(i)).collect::<Vec<_>>()];
    for _ in 0..depth {
        match bfs.expand(None, |_, _| {})? {
            Level::Done { .. } => {}
            _ => return Err(Error::internal("the level sets were interrupted")),
        }
        out.push(bfs.frontier().map(|i| bfs.state(i)).collect());
    }
    Ok(out)
}
