//! Random walks through the concrete spec (`--simulate`), as TLC's
//! `-simulate` and Apalache's `simulate` do: each step is chosen uniformly
//! among the enabled action instances (with `swarm`, under per-walk random
//! weights over the actions, so that walks differ in which actions they
//! favour: swarm testing). A walk is a pure function of its seed, so the
//! seed printed with a violation replays exactly that walk. Every trace
//! found is replayed through `spec::apply` before it is reported.

use crate::error::{Error, Result};
use crate::interrupt;
use crate::params::Params;
use crate::spec::{apply, apply_into, init_states, Action, Property, State, Successors};
use crate::trace::{Counterexample, Trace};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct SimOptions {
    pub props: Vec<Property>,
    /// Walks to run at most (a walk of index i has seed `seed + i`).
    pub runs: u64,
    /// Steps per walk at most.
    pub depth: usize,
    pub seed: u64,
    /// Per-walk random action weights (swarm testing).
    pub swarm: bool,
    /// Threads running walks.
    pub workers: usize,
    /// Stop at the first violation of any property.
    pub stop_at_first: bool,
}

/// A violation found by a walk.
#[derive(Clone, Debug)]
pub struct Found {
    /// The walk's seed: `--seed SEED --runs 1` replays it.
    pub seed: u64,
    /// The walk's violation, cut by `shrink`.
    pub cx: Counterexample,
    /// The walk's own steps up to the violation.
    pub walked: usize,
}

impl Found {
    /// Its verdict: violated, not known to be the shortest (none up to
    /// `holds_up_to`, if a bounded engine said so); the shortest when that
    /// is the depth just before it (`Verdict::shortest_if_known`).
    pub fn into_verdict(self, holds_up_to: Option<usize>) -> super::Verdict {
        super::Verdict::Found {
            cx: Box::new(self.cx),
            seed: self.seed,
            walked: self.walked,
            holds_up_to,
        }
        .shortest_if_known()
    }
}

/// Batches of walks run after a walk met a violation, each until its own
/// first one (`shortest_cut`).
pub const MORE_WALK_BATCHES: u64 = 16;
pub const MORE_WALKS: u64 = 2_000;

/// `f` (a violation of `q` a walk of `w` met, cut), or a shorter cut from
/// more walks: `MORE_WALK_BATCHES` batches of `MORE_WALKS` walks from the
/// seeds after `w`'s, each stopping at its own first violation of `q`, cut
/// like the first. Cuts land a few steps above the shortest and differ by
/// walk (5 replicas, quorum 3: 31 from the first walk, 30 from these).
/// `better(n)` hears of each shorter cut of `n` steps as it is found, and
/// stops the batches by answering true.
pub fn shortest_cut(
    p: &Params,
    w: &SimOptions,
    q: Property,
    mut f: Found,
    mut better: impl FnMut(usize) -> bool,
) -> Result<Found> {
    for batch in 0..MORE_WALK_BATCHES {
        if interrupt::requested() {
            break;
        }
        let more = SimOptions {
            props: vec![q],
            seed: w.seed.wrapping_add(w.runs + batch * MORE_WALKS),
            runs: MORE_WALKS,
            ..w.clone()
        };
        if let Some((_, Some(g))) = run(p, &more)?.found.pop() {
            if g.cx.trace.depth() < f.cx.trace.depth() {
                f = g;
                if better(f.cx.trace.depth()) {
                    break;
                }
            }
        }
    }
    Ok(f)
}

/// A shorter trace to a violation of `cx`'s property, from the same
/// initial state: steps are cut out (runs of them, halving down to single
/// steps, ddmin-style); in the replay of what is left, an action no longer
/// enabled where it comes is left out too, and the cut stands when some
/// state still violates the property (the trace ends at the first that
/// does). Concrete replays only, so it takes
/// milliseconds; the result is a local minimum, not known to be the
/// shortest, and a real trace of the spec (every state a successor by
/// `spec::apply`). Where a step has several successors (`HealerUpdateLeader`
/// on ties) the original's choice is kept when it is still one of them.
pub fn shrink(p: &Params, cx: &Counterexample) -> Counterexample {
    let q = cx.property;
    let old = &cx.trace;
    // Replays the original steps `keep` (indices into `old.actions`).
    let replay = |keep: &[usize]| -> Option<(Vec<usize>, Trace)> {
        let mut t = Trace {
            states: vec![old.states[0].clone()],
            actions: vec![],
        };
        if !q.holds(p, &t.states[0]) {
            return Some((vec![], t));
        }
        let mut taken = vec![];
        for &i in keep {
            let a = old.actions[i];
            let succ = apply(p, t.states.last().expect("non-empty"), a);
            let hint = &old.states[i + 1];
            let Some(next) = succ
                .iter()
                .find(|s| *s == hint)
                .or_else(|| succ.iter().find(|s| s.zk_leader == hint.zk_leader))
                .or(succ.first())
            else {
                continue;
            };
            let bad = !q.holds(p, next);
            t.states.push(next.clone());
            t.actions.push(a);
            taken.push(i);
            if bad {
                return Some((taken, t));
            }
        }
        None
    };
    let mut keep: Vec<usize> = (0..old.actions.len()).collect();
    let mut best = old.clone();
    let mut chunk = (keep.len() / 2).max(1);
    loop {
        let mut cut = false;
        let mut i = 0;
        while i < keep.len() {
            let end = (i + chunk).min(keep.len());
            let mut cand = keep[..i].to_vec();
            cand.extend_from_slice(&keep[end..]);
            match replay(&cand) {
                Some((k, t)) => {
                    keep = k;
                    best = t;
                    cut = true;
                }
                None => i += chunk,
            }
        }
        if !cut {
            if chunk == 1 {
                break;
            }
            chunk = (chunk / 2).max(1);
        }
    }
    match best.replay(p, q) {
        Ok(conjunct) => Counterexample {
            property: q,
            trace: best,
            conjunct,
            lasso: None,
        },
        // Not expected (every state came from `apply`); the walk's own
        // trace stands.
        Err(_) => cx.clone(),
    }
}

/// The verdict of a property no walk violated: the walks' "none" after
/// `runs` walks of at most `depth` steps, or unknown when they were
/// interrupted.
pub fn unfound(runs: u64, depth: usize) -> super::Verdict {
    if interrupt::requested() {
        super::Verdict::Unknown {
            depth: 0,
            reason: interrupt::REASON.into(),
            holds_up_to: None,
        }
    } else {
        super::Verdict::NotFound { runs, depth }
    }
}

#[derive(Clone, Debug)]
pub struct SimReport {
    /// Per property, the shortest violation found (ties: the lower seed).
    pub found: Vec<(Property, Option<Found>)>,
    /// Walks completed, and their steps.
    pub runs: u64,
    pub steps: u64,
    pub seconds: f64,
}

/// xorshift64* seeded through splitmix64: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() >> 32) * n) >> 32
    }
}

/// The action kinds, for swarm weights: an action's index here.
fn kind(a: Action) -> usize {
    use Action::*;
    match a {
        StartRequest(_) => 0,
        DBResponse(_) => 1,
        ClientUpdateLeader(_) => 2,
        Replicate(_) => 3,
        DBUpdateLeader(_) => 4,
        RecoverOldLeader(_) => 5,
        ReadyToChangeZKLeader => 6,
        HealerUpdateState => 7,
        HealerGetDBLog(_) => 8,
        HealerUpdateLeader => 9,
        HealerUpdateToNormal => 10,
        Terminated => 11,
    }
}
const KINDS: usize = 12;

/// One walker's buffers, reused from walk to walk and step to step: a walk
/// allocates nothing per step once they are warm.
pub struct Walker<'a> {
    p: &'a Params,
    actions: Vec<Action>,
    inits: Vec<State>,
    props: &'a [Property],
    succ: Successors,
    /// The action of each successor in `succ`, and its index among that
    /// action's successors.
    origin: Vec<(Action, usize)>,
    /// The walk so far: (action, index among its successors).
    history: Vec<(Action, usize)>,
    cur: State,
}

/// What one walk met: per property index, the first step at which it was
/// violated; the steps taken.
pub struct Walk {
    /// The index of its initial state among `spec::init_states`.
    pub init: usize,
    pub violated: Vec<Option<usize>>,
    pub steps: usize,
}

impl<'a> Walker<'a> {
    pub fn new(p: &'a Params, props: &'a [Property]) -> Walker<'a> {
        let inits = init_states(p);
        Walker {
            p,
            actions: Action::all(p),
            cur: inits[0].clone(),
            inits,
            props,
            succ: Successors::default(),
            origin: vec![],
            history: vec![],
        }
    }

    /// Walks `depth` steps (fewer when no action is enabled, or when only
    /// `Terminated`'s stuttering is) from a seeded initial state; stops
    /// early once every property in `want` was violated on the way.
    pub fn walk(&mut self, seed: u64, depth: usize, swarm: bool, want: &[bool]) -> Walk {
        let mut rng = Rng::new(seed);
        let mut weight = [1u64; KINDS];
        if swarm {
            for w in weight.iter_mut() {
                // Each action left out with probability 1/3, else weighted 1-4.
                *w = if rng.below(3) == 0 {
                    0
                } else {
                    1 + rng.below(4)
                };
            }
        }
        let init = rng.below(self.inits.len() as u64) as usize;
        self.cur.clone_from(&self.inits[init]);
        self.history.clear();
        let mut violated: Vec<Option<usize>> = vec![None; self.props.len()];
        let mut open = want.iter().filter(|&&w| w).count();
        let mut check = |cur: &State, step: usize, violated: &mut Vec<Option<usize>>| {
            for (i, q) in self.props.iter().enumerate() {
                if want[i] && violated[i].is_none() && !q.holds(self.p, cur) {
                    violated[i] = Some(step);
                    open -= 1;
                }
            }
            open == 0
        };
        if check(&self.cur, 0, &mut violated) {
            return Walk {
                init,
                violated,
                steps: 0,
            };
        }
        for step in 1..=depth {
            self.succ.clear();
            self.origin.clear();
            for &a in &self.actions {
                let before = self.succ.len();
                apply_into(self.p, &self.cur, a, &mut self.succ);
                for j in 0..self.succ.len() - before {
                    self.origin.push((a, j));
                }
            }
            let n = self.succ.len();
            if n == 0 || self.origin.iter().all(|(a, _)| *a == Action::Terminated) {
                return Walk {
                    init,
                    violated,
                    steps: step - 1,
                };
            }
            let total: u64 = self.origin.iter().map(|(a, _)| weight[kind(*a)]).sum();
            let k = if total == 0 {
                rng.below(n as u64) as usize
            } else {
                let mut x = rng.below(total);
                let mut k = 0;
                while x >= weight[kind(self.origin[k].0)] {
                    x -= weight[kind(self.origin[k].0)];
                    k += 1;
                }
                k
            };
            self.history.push(self.origin[k]);
            self.succ.take(k, &mut self.cur);
            if check(&self.cur, step, &mut violated) {
                return Walk {
                    init,
                    violated,
                    steps: step,
                };
            }
        }
        Walk {
            init,
            violated,
            steps: depth,
        }
    }

    /// The first `steps` steps of the last walk as a trace, rebuilt with
    /// `spec::apply`.
    pub fn trace(&self, init: usize, steps: usize) -> std::result::Result<Trace, String> {
        let mut states = vec![self.inits[init].clone()];
        let mut actions = vec![];
        for &(a, j) in &self.history[..steps] {
            let next = apply(self.p, states.last().expect("non-empty"), a)
                .into_iter()
                .nth(j)
                .ok_or_else(|| format!("{a} has no successor {j}"))?;
            states.push(next);
            actions.push(a);
        }
        Ok(Trace { states, actions })
    }
}

/// Runs up to `opts.runs` walks on `opts.workers` threads; stops early once
/// every property is violated (any, with `stop_at_first`) or on an
/// interruption.
pub fn run(p: &Params, opts: &SimOptions) -> Result<SimReport> {
    let start = Instant::now();
    let next = AtomicU64::new(0);
    let steps = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let found: Mutex<Vec<Option<Found>>> = Mutex::new(vec![None; opts.props.len()]);
    let error: Mutex<Option<Error>> = Mutex::new(None);
    let group = interrupt::current();
    std::thread::scope(|scope| {
        for _ in 0..opts.workers.max(1) {
            let group = group.clone();
            scope.spawn(|| {
                interrupt::enter(group);
                let mut w = Walker::new(p, &opts.props);
                loop {
                    if stop.load(Ordering::Relaxed) || interrupt::requested() {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= opts.runs {
                        break;
                    }
                    let seed = opts.seed.wrapping_add(i);
                    // Properties still worth a walk's attention: not found,
                    // or found by a longer trace than this walk can give.
                    let want: Vec<bool> = found
                        .lock()
                        .unwrap()
                        .iter()
                        .map(|f| f.as_ref().is_none_or(|f| f.cx.trace.depth() > 0))
                        .collect();
                    let walk = w.walk(seed, opts.depth, opts.swarm, &want);
                    steps.fetch_add(walk.steps as u64, Ordering::Relaxed);
                    done.fetch_add(1, Ordering::Relaxed);
                    for (qi, at) in walk.violated.iter().enumerate() {
                        let Some(at) = *at else { continue };
                        let q = opts.props[qi];
                        let shorter = found.lock().unwrap()[qi]
                            .as_ref()
                            .is_none_or(|f| (f.cx.trace.depth(), f.seed) > (at, seed));
                        if !shorter {
                            continue;
                        }
                        let checked = w.trace(walk.init, at).and_then(|t| {
                            let conjunct = t.replay(p, q)?;
                            Ok(Counterexample {
                                property: q,
                                trace: t,
                                conjunct,
                                lasso: None,
                            })
                        });
                        match checked {
                            Ok(cx) => {
                                // Compared again under the lock that stores it:
                                // another walker may have stored a shorter one.
                                let mut f = found.lock().unwrap();
                                if f[qi]
                                    .as_ref()
                                    .is_none_or(|g| (g.cx.trace.depth(), g.seed) > (at, seed))
                                {
                                    f[qi] = Some(Found {
                                        seed,
                                        walked: cx.trace.depth(),
                                        cx,
                                    });
                                }
                            }
                            Err(e) => {
                                *error.lock().unwrap() = Some(Error::internal(format!(
                                    "the walk with seed {seed} met a {q} violation at step {at} \
                                     whose trace does not replay through the spec ({e}): a bug \
                                     in the walk"
                                )));
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                    let f = found.lock().unwrap();
                    if f.iter().all(|x| x.is_some())
                        || (opts.stop_at_first && f.iter().any(|x| x.is_some()))
                    {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    if let Some(e) = error.into_inner().unwrap() {
        return Err(e);
    }
    // Each violation met, cut short (milliseconds: concrete replays).
    let found = found.into_inner().unwrap().into_iter().map(|f| {
        f.map(|mut f| {
            f.cx = shrink(p, &f.cx);
            f
        })
    });
    Ok(SimReport {
        found: opts.props.iter().copied().zip(found).collect(),
        runs: done.into_inner(),
        steps: steps.into_inner(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(p: &Params, seed: u64, swarm: bool) -> Vec<(Action, usize)> {
        let props = [Property::TypeOK];
        let mut w = Walker::new(p, &props);
        w.walk(seed, 60, swarm, &[true]);
        w.history.clone()
    }

    #[test]
    fn a_walk_is_a_function_of_its_seed() {
        let p = Params::default();
        for swarm in [false, true] {
            let a = history(&p, 42, swarm);
            assert!(a.len() > 10, "{a:?}");
            assert_eq!(a, history(&p, 42, swarm));
            // Other seeds walk elsewhere.
            let others: Vec<_> = (43..53).map(|s| history(&p, s, swarm)).collect();
            assert!(others.iter().all(|h| *h != a));
        }
        // Swarm weights change the walk of the same seed.
        assert_ne!(history(&p, 42, false), history(&p, 42, true));
    }

    #[test]
    fn the_walks_reach_every_action() {
        // Uniform choice among enabled instances: in a few hundred walks of
        // the standard configuration every action but Terminated (whose
        // condition needs zk_epoch >= 10) is taken.
        let p = Params::default();
        let props = [Property::TypeOK];
        let mut w = Walker::new(&p, &props);
        let mut seen = [false; KINDS];
        for seed in 0..300 {
            w.walk(seed, 100, false, &[true]);
            for (a, _) in &w.history {
                seen[kind(*a)] = true;
            }
        }
        let missing: Vec<usize> = (0..KINDS).filter(|&k| !seen[k]).collect();
        assert!(
            missing.iter().all(|&k| k == kind(Action::Terminated)),
            "{missing:?}"
        );
    }

    #[test]
    fn run_reports_the_shortest_violation_found_and_replays_it() {
        let p = Params {
            replicas: 4,
            ..Params::default()
        };
        let opts = SimOptions {
            props: vec![Property::Consistent, Property::TypeOK],
            runs: 400,
            depth: 60,
            seed: 7,
            swarm: false,
            workers: 2,
            stop_at_first: false,
        };
        let r = run(&p, &opts).unwrap();
        // TypeOK holds: every walk ran; Consistent is lost at 10 at best.
        assert_eq!(r.runs, 400);
        let f = r.found[0].1.as_ref().expect("a lost write in 400 walks");
        assert!(f.cx.trace.depth() >= 10);
        assert!(f.seed >= 7 && f.seed < 407);
        f.cx.trace.replay(&p, Property::Consistent).unwrap();
        assert!(r.found[1].1.is_none());
    }

    #[test]
    fn shrink_cuts_a_walk_to_a_shorter_real_violation() {
        // 4 replicas, quorum 2: a write is lost; the shortest loss takes 10
        // steps (BMC and the explicit search agree, tests/regression.rs).
        let p = Params {
            replicas: 4,
            ..Params::default()
        };
        let props = [Property::Consistent];
        let mut w = Walker::new(&p, &props);
        let cx = (0..10_000u64)
            .find_map(|seed| {
                let walk = w.walk(seed, 100, true, &[true]);
                let at = walk.violated[0]?;
                let t = w.trace(walk.init, at).unwrap();
                let conjunct = t.replay(&p, Property::Consistent).unwrap();
                Some(Counterexample {
                    property: Property::Consistent,
                    trace: t,
                    conjunct,
                    lasso: None,
                })
            })
            .expect("some walk loses a write");
        let short = shrink(&p, &cx);
        let d = short.trace.depth();
        // A real trace of the spec that ends in the violation, from the
        // walk's first state, shorter than the walk and no shorter than the
        // shortest.
        assert_eq!(
            short.trace.replay(&p, Property::Consistent),
            Ok(short.conjunct.clone())
        );
        assert_eq!(short.trace.states[0], cx.trace.states[0]);
        assert!(d < cx.trace.depth(), "{d} of {}", cx.trace.depth());
        assert!(d >= 10, "{d}");
        // A fixpoint: no step of it can be cut.
        assert_eq!(shrink(&p, &short).trace.depth(), d);
        // A trace that ends satisfying the property is no violation to
        // cut: shrink leaves it alone.
        let mut no = short.clone();
        no.trace.states.truncate(d);
        no.trace.actions.truncate(d - 1);
        assert_eq!(shrink(&p, &no).trace.depth(), d - 1);
    }
}
