//! The one breadth-first search over packed states: the explicit engine,
//! the level sets of the cross-checks and the prover's sample of reachable
//! states all expand the same frontier.

use super::store::{Canon, StateStore};
use crate::engine::{Event, Events, LevelInfo};
use crate::error::{Error, Result};
use crate::interrupt;
use crate::params::Params;
use crate::spec::{apply_into, init_states, Action, Property, State, Successors};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Frontier states per batch of a parallel expansion.
const BATCH: usize = 256;
/// The smallest frontier expanded by several workers.
const PARALLEL_FROM: usize = 16 * BATCH;

/// A frontier cut into batches of `BATCH` states that workers take in
/// frontier order, and the flag that stops them taking more.
struct Batches {
    frontier: std::ops::Range<u32>,
    count: usize,
    taken: AtomicUsize,
    stopped: AtomicBool,
}

/// What a worker does next.
enum Take {
    /// Expand batch `.0`, these states.
    Batch(usize, std::ops::Range<u32>),
    /// Nothing: every batch is taken, or the level was stopped.
    Quit,
    /// End the level early (an interrupt, a racer's halt, the deadline).
    End(Level),
}

impl Batches {
    fn new(frontier: std::ops::Range<u32>) -> Batches {
        Batches {
            count: frontier.len().div_ceil(BATCH),
            frontier,
            taken: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
        }
    }
    /// No batch is taken after this.
    fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }
    /// The next batch, or why none.
    fn take(
        &self,
        halt: &Option<Box<dyn Fn() -> bool + Send + Sync>>,
        deadline: Option<Instant>,
    ) -> Take {
        let b = self.taken.fetch_add(1, Ordering::Relaxed);
        if b >= self.count || self.stopped.load(Ordering::Relaxed) {
            return Take::Quit;
        }
        if interrupt::requested() || halt.as_ref().is_some_and(|h| h()) {
            return Take::End(Level::Interrupted);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Take::End(Level::OutOfTime);
        }
        let lo = self.frontier.start + (b * BATCH) as u32;
        Take::Batch(b, lo..(lo + BATCH as u32).min(self.frontier.end))
    }
}

/// A violation among the successors of the frontier (`Bfs::check_next`):
/// the property, the frontier state's index, the step and its state.
#[derive(Clone, Debug)]
pub struct Hit {
    pub property: Property,
    pub parent: u32,
    pub action: Action,
    pub state: State,
}

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
    pub halt: Option<Box<dyn Fn() -> bool + Send + Sync>>,
    /// Threads that expand a level (1: this one). Any number stores the
    /// same states in the same order with the same parents.
    pub workers: usize,
    /// Successors of the state being expanded (storage reused).
    succ: Successors,
}

impl Bfs {
    /// The initial states, stored (up to symmetry) as the first frontier.
    pub fn new(p: &Params, symmetry: bool, unfit: Unfit) -> Bfs {
        let canon = Canon::new(p, symmetry);
        let mut store = StateStore::new(&canon.layout);
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
            workers: 1,
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
        self.canon.state(&self.store.get(i))
    }

    /// Expands the frontier by one level: every new successor is stored
    /// with its parent link and passed to `on_new`. With `cap`, stops once
    /// the store holds that many states (and at `StateStore::MAX_LEN`
    /// regardless). After `Done`, the new states are the frontier.
    ///
    /// With `workers` > 1 the frontier is cut into batches that the
    /// workers expand and canonicalize side by side, and commit to the
    /// store one at a time in frontier order: the states, their order, their
    /// parents and the calls of `on_new` are those of one worker.
    pub fn expand(
        &mut self,
        cap: Option<usize>,
        on_new: impl FnMut(u32, &State) + Send,
    ) -> Result<Level> {
        let cap = cap.map_or(StateStore::MAX_LEN, |c| c.min(StateStore::MAX_LEN));
        let before = self.store.len() as u32;
        // Small levels on this thread: threads and batches cost more than
        // they save below a few thousand states.
        let level = if self.workers > 1 && self.frontier.len() >= PARALLEL_FROM {
            self.expand_parallel(cap, on_new)?
        } else {
            self.expand_here(cap, on_new)?
        };
        // `Done` from either: the level is complete.
        if let Level::Done { .. } = level {
            let after = self.store.len() as u32;
            self.frontier = before..after;
            self.depth += 1;
            return Ok(Level::Done {
                new: (after - before) as u64,
            });
        }
        Ok(level)
    }

    /// `expand` on this thread.
    fn expand_here(&mut self, cap: usize, mut on_new: impl FnMut(u32, &State)) -> Result<Level> {
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
                        Unfit::Error => return Err(unfit_error(t)),
                    }
                }
                if let Some(j) = self.store.insert(&self.canon.key(t), Some(i)) {
                    on_new(j, t);
                    if self.store.len() >= cap {
                        return Ok(Level::Capped);
                    }
                }
            }
        }
        Ok(Level::Done { new: 0 })
    }

    /// `expand` by `workers` threads, batch by batch (see `expand`). A
    /// worker takes the next batch, expands and canonicalizes it, and hands
    /// it in; whoever hands in the batch that is next in frontier order
    /// commits it and every later one already handed in. No worker waits
    /// for another's turn unless it is `AHEAD` batches ahead.
    fn expand_parallel(
        &mut self,
        cap: usize,
        mut on_new: impl FnMut(u32, &State) + Send,
    ) -> Result<Level> {
        /// Handed-in batches waiting for their turn, per worker, at most.
        const AHEAD: usize = 4;
        /// One batch's successors, their parents (`NO_PARENT`: left out)
        /// and keys.
        #[derive(Default)]
        struct Out {
            succ: Successors,
            parents: Vec<u32>,
            keys: Vec<u64>,
        }
        struct Shared<'a, F> {
            store: &'a mut StateStore,
            on_new: F,
            /// The next batch to commit.
            next: usize,
            /// Batches handed in before their turn.
            waiting: std::collections::BTreeMap<usize, Out>,
            /// Committed batches' storage, for reuse.
            spare: Vec<Out>,
            /// Set by the worker that ends the level early.
            end: Option<Result<Level>>,
        }
        let batches = Batches::new(self.frontier.clone());
        let workers = self.workers;
        let Bfs {
            p,
            canon,
            actions,
            store,
            unfit,
            deadline,
            halt,
            ..
        } = self;
        let (p, actions, unfit, deadline, halt) = (&*p, &*actions, *unfit, *deadline, &*halt);
        let words = canon.layout.words();
        let canons: Vec<Canon> = (0..workers).map(|_| canon.fresh(p)).collect();
        let shared = Mutex::new(Shared {
            store,
            on_new: &mut on_new,
            next: 0,
            waiting: Default::default(),
            spare: vec![],
            end: None,
        });
        let turn = Condvar::new();
        let group = interrupt::current();
        let lock = || shared.lock().expect("no worker panics holding the store");
        let end_with = |level: Result<Level>| {
            let mut g = lock();
            g.end.get_or_insert(level);
            batches.stop();
            turn.notify_all();
        };
        std::thread::scope(|scope| {
            for canon in canons {
                let (lock, turn, end_with, batches, group) =
                    (&lock, &turn, &end_with, &batches, group.clone());
                scope.spawn(move || {
                    // The caller's stop (a racer's group) is the workers'.
                    interrupt::enter(group);
                    let mut from: Vec<u64> = vec![];
                    let mut out = Out::default();
                    loop {
                        let (b, states) = match batches.take(halt, deadline) {
                            Take::Batch(b, states) => (b, states),
                            Take::Quit => return,
                            Take::End(level) => return end_with(Ok(level)),
                        };
                        {
                            let g = lock();
                            from.clear();
                            for i in states.clone() {
                                g.store.get_into(i, &mut from);
                            }
                        }
                        let Out {
                            succ,
                            parents,
                            keys,
                        } = &mut out;
                        succ.clear();
                        parents.clear();
                        for (k, i) in states.enumerate() {
                            if interrupt::requested() {
                                return end_with(Ok(Level::Interrupted));
                            }
                            let s = canon.state(&from[k * words..(k + 1) * words]);
                            for &a in actions {
                                apply_into(p, &s, a, succ);
                            }
                            parents.resize(succ.len(), i);
                        }
                        keys.clear();
                        keys.resize(succ.len() * words, 0);
                        for k in 0..succ.len() {
                            let t = succ.get(k);
                            if !canon.layout.fits(p, t) {
                                match unfit {
                                    Unfit::Skip => parents[k] = StateStore::NO_PARENT,
                                    Unfit::Error => return end_with(Err(unfit_error(t))),
                                }
                                continue;
                            }
                            canon.key_into(t, &mut keys[k * words..(k + 1) * words]);
                        }
                        let mut g = lock();
                        while b >= g.next + AHEAD * workers && g.end.is_none() {
                            g = turn.wait(g).expect("no worker panics holding the store");
                        }
                        if g.end.is_some() {
                            return;
                        }
                        g.waiting.insert(b, std::mem::take(&mut out));
                        let g = &mut *g;
                        while let Some(done) = g.waiting.remove(&g.next) {
                            for k in 0..done.succ.len() {
                                if done.parents[k] == StateStore::NO_PARENT {
                                    continue;
                                }
                                let key = &done.keys[k * words..(k + 1) * words];
                                if let Some(j) = g.store.insert(key, Some(done.parents[k])) {
                                    (g.on_new)(j, done.succ.get(k));
                                    if g.store.len() >= cap {
                                        g.end = Some(Ok(Level::Capped));
                                        batches.stop();
                                        turn.notify_all();
                                        return;
                                    }
                                }
                            }
                            g.next += 1;
                            g.spare.push(done);
                        }
                        turn.notify_all();
                        out = g.spare.pop().unwrap_or_default();
                    }
                });
            }
        });
        let end = shared
            .into_inner()
            .expect("no worker panics holding the store")
            .end;
        end.unwrap_or(Ok(Level::Done { new: 0 }))
    }

    /// Checks every successor of the frontier against `open` without
    /// storing any: the last level of a bounded search needs no successors
    /// of its own, nor canonical forms, nor room. Per property, the first
    /// violation in frontier order (with any number of workers); stops once
    /// every property has one. Returns how the level ended, the successors
    /// checked and the hits. After `Done` the search is one level deeper
    /// with an empty frontier.
    pub fn check_next(&mut self, open: &[Property]) -> Result<(Level, u64, Vec<Hit>)> {
        let batches = Batches::new(self.frontier.clone());
        let workers = self.workers.max(1);
        let (p, layout, actions, store, unfit, deadline, halt) = (
            &self.p,
            &self.canon.layout,
            &self.actions,
            &self.store,
            self.unfit,
            self.deadline,
            &self.halt,
        );
        // Per property: (frontier index, successor position) and the step.
        type First = Option<((u32, usize), Action, State)>;
        let firsts: Mutex<Vec<First>> = Mutex::new(vec![None; open.len()]);
        let end: Mutex<Option<Result<Level>>> = Mutex::new(None);
        let checked = std::sync::atomic::AtomicU64::new(0);
        let group = interrupt::current();
        let end_with = |level: Result<Level>| {
            end.lock().expect("no worker panics").get_or_insert(level);
            batches.stop();
        };
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let (firsts, checked, end_with, batches, group) =
                    (&firsts, &checked, &end_with, &batches, group.clone());
                scope.spawn(move || {
                    interrupt::enter(group);
                    let mut succ = Successors::default();
                    let mut from = vec![];
                    loop {
                        let states = match batches.take(halt, deadline) {
                            Take::Batch(_, states) => states,
                            Take::Quit => return,
                            Take::End(level) => return end_with(Ok(level)),
                        };
                        let mut n = 0;
                        for i in states {
                            from.clear();
                            store.get_into(i, &mut from);
                            let s = layout
                                .decode(&layout.unpack(&from))
                                .expect("stored states decode");
                            let mut pos = 0;
                            for &a in actions {
                                succ.clear();
                                apply_into(p, &s, a, &mut succ);
                                for k in 0..succ.len() {
                                    let t = succ.get(k);
                                    pos += 1;
                                    if !layout.fits(p, t) {
                                        match unfit {
                                            Unfit::Skip => continue,
                                            Unfit::Error => return end_with(Err(unfit_error(t))),
                                        }
                                    }
                                    n += 1;
                                    for (qi, q) in open.iter().enumerate() {
                                        if q.holds(p, t) {
                                            continue;
                                        }
                                        let mut f = firsts.lock().expect("no worker panics");
                                        if f[qi].as_ref().is_none_or(|(at, _, _)| (i, pos) < *at) {
                                            f[qi] = Some(((i, pos), a, t.clone()));
                                        }
                                    }
                                }
                            }
                        }
                        checked.fetch_add(n, Ordering::Relaxed);
                        // Every batch before this one was taken before it
                        // and is finished by its worker: once every
                        // property has a hit, the least ones are found.
                        if firsts
                            .lock()
                            .expect("no worker panics")
                            .iter()
                            .all(Option::is_some)
                        {
                            batches.stop();
                        }
                    }
                });
            }
        });
        let hits: Vec<Hit> = open
            .iter()
            .zip(firsts.into_inner().expect("no worker panics"))
            .filter_map(|(&property, f)| {
                f.map(|((parent, _), action, state)| Hit {
                    property,
                    parent,
                    action,
                    state,
                })
            })
            .collect();
        let checked = checked.into_inner();
        let level = match end.into_inner().expect("no worker panics") {
            Some(level) => level?,
            None => {
                let n = self.store.len() as u32;
                self.frontier = n..n;
                self.depth += 1;
                Level::Done { new: 0 }
            }
        };
        Ok((level, checked, hits))
    }
}

fn unfit_error(t: &State) -> Error {
    Error::internal(format!(
        "a successor holds a value wider than its packed field; the width bounds in params.rs \
         are wrong: {t:?}"
    ))
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
            checked: None,
            seconds: self.level_start.elapsed().as_secs_f64(),
            total_seconds: self.run_start.elapsed().as_secs_f64(),
        }));
    }

    /// The level was checked and not stored: `checked` successors, `total`
    /// states in the store.
    pub fn level_checked(&self, checked: u64, total: usize) {
        self.events.emit(Event::Level(LevelInfo {
            depth: self.depth,
            new_states: 0,
            total_states: total as u64,
            checked: Some(checked),
            seconds: self.level_start.elapsed().as_secs_f64(),
            total_seconds: self.run_start.elapsed().as_secs_f64(),
        }));
    }

    pub fn new_state(&mut self, j: u32) {
        if j % 8192 != 0 || self.last.elapsed() < tick_every() {
            return;
        }
        self.last = Instant::now();
        let total = j as u64 + 1;
        self.events.emit(Event::Tick(LevelInfo {
            depth: self.depth,
            new_states: total.saturating_sub(self.before),
            total_states: total,
            checked: None,
            seconds: self.level_start.elapsed().as_secs_f64(),
            total_seconds: self.run_start.elapsed().as_secs_f64(),
        }));
    }
}

/// How often a level still being built is reported: once a second, or
/// every `SEMISYNC_BMC_TICK_MS` milliseconds (for tests, which cannot count
/// on a level lasting a second on a fast machine).
fn tick_every() -> Duration {
    static EVERY: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *EVERY.get_or_init(|| {
        let ms = std::env::var("SEMISYNC_BMC_TICK_MS").ok();
        Duration::from_millis(ms.and_then(|v| v.parse().ok()).unwrap_or(1000))
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a search stored: each state's key and parent, in order.
    fn contents(b: &Bfs) -> Vec<(Vec<u64>, Option<u32>)> {
        (0..b.store.len() as u32)
            .map(|i| (b.store.get(i).to_vec(), b.store.parent(i)))
            .collect()
    }

    /// Runs `levels` levels (the last one capped at `cap` states, if any) on
    /// `workers` threads: the store, the levels' ends and the states passed
    /// to `on_new`, in order.
    fn search(
        p: &Params,
        symmetry: bool,
        workers: usize,
        levels: usize,
        cap: Option<usize>,
    ) -> (Vec<(Vec<u64>, Option<u32>)>, Vec<Level>, Vec<(u32, State)>) {
        let mut b = Bfs::new(p, symmetry, Unfit::Error);
        b.workers = workers;
        let (mut ends, mut seen) = (vec![], vec![]);
        for d in 0..levels {
            let c = if d + 1 == levels { cap } else { None };
            ends.push(b.expand(c, |j, t| seen.push((j, t.clone()))).unwrap());
        }
        (contents(&b), ends, seen)
    }

    /// Two or three workers store the same states in the same order with
    /// the same parents as one, level by level and when a cap stops a level
    /// part-way, and pass `on_new` the same states in the same order.
    #[test]
    fn workers_store_what_one_stores() {
        let mut p = Params::default();
        p.replicas = 4;
        for (symmetry, levels) in [(false, 12), (true, 15)] {
            let one = search(&p, symmetry, 1, levels, None);
            // The last level's frontier is large enough for workers.
            let prev = match one.1[levels - 2] {
                Level::Done { new } => new as usize,
                _ => 0,
            };
            assert!(
                prev >= PARALLEL_FROM,
                "{prev} states at level {}",
                levels - 1
            );
            assert!(one
                .1
                .iter()
                .all(|l| matches!(l, Level::Done { new } if *new > 0)));
            for workers in [2, 3] {
                assert!(
                    search(&p, symmetry, workers, levels, None) == one,
                    "{workers} workers"
                );
            }
            // A cap in the middle of the last level's batches.
            let cap = Some(one.0.len() - 777);
            let capped = search(&p, symmetry, 1, levels, cap);
            assert_eq!(capped.1.last(), Some(&Level::Capped));
            assert_eq!(capped.0.len(), one.0.len() - 777);
            assert!(search(&p, symmetry, 2, levels, cap) == capped);
        }
    }
}

#[cfg(test)]
mod check_next_tests {
    use super::*;
    use crate::spec::apply;

    /// Checking the next level without storing it finds a violation of
    /// `Inv` exactly where storing it does (none up to 18, one at 19 on the
    /// standard configuration), the same first one for 1, 2 and 3 workers,
    /// a real step from its parent's stored form, and stores nothing.
    #[test]
    fn check_next_finds_what_the_stored_level_holds() {
        let p = Params::default();
        for symmetry in [false, true] {
            let mut stored = Bfs::new(&p, symmetry, Unfit::Error);
            for d in 1..=19 {
                let mut fails = false;
                stored
                    .expand(None, |_, t| fails |= !Property::Inv.holds(&p, t))
                    .unwrap();
                assert_eq!(fails, d == 19, "level {d}");
            }
            let mut first = None;
            for workers in [1, 2, 3] {
                let at = |depth: usize| {
                    let mut b = Bfs::new(&p, symmetry, Unfit::Error);
                    b.workers = workers;
                    for _ in 0..depth {
                        b.expand(None, |_, _| {}).unwrap();
                    }
                    b
                };
                let mut b = at(17);
                let (level, n, hits) = b.check_next(&[Property::Inv]).unwrap();
                assert_eq!(level, Level::Done { new: 0 });
                assert!(n > 0 && hits.is_empty(), "{n} {hits:?}");
                assert_eq!(b.depth(), 18);
                let mut b = at(18);
                let size = b.store.len();
                let (level, _, hits) = b.check_next(&[Property::Inv]).unwrap();
                assert_eq!(level, Level::Done { new: 0 });
                assert_eq!(hits.len(), 1);
                let h = &hits[0];
                assert!(!Property::Inv.holds(&p, &h.state));
                assert!(apply(&p, &b.state(h.parent), h.action).contains(&h.state));
                assert!(b.frontier().is_empty() && b.store.len() == size);
                let this = (h.parent, h.action, h.state.clone());
                match &first {
                    None => first = Some(this),
                    Some(f) => assert!(*f == this, "{workers} workers"),
                }
            }
        }
    }
}
