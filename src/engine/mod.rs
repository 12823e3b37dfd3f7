//! The engines (BMC as a stepper, explicit search, the prover) and what they
//! report: one `Verdict` per property, which says how it was obtained, and
//! one stream of `Event`s for progress and messages.

pub mod bmc;
pub mod explicit;
pub mod more;
pub mod prove;
pub mod simulate;

use crate::spec::Property;
use crate::trace::Counterexample;
use std::sync::Arc;
use z3::SatResult;

/// How a property was shown to hold in every reachable state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// A 1-inductive invariant of `conjuncts` conjuncts, re-checked by
    /// fresh solvers.
    Invariant { conjuncts: usize, found_by: Finder },
    /// k-induction with simple-path constraints, with `conjuncts`
    /// conjuncts (lemmas, the property, the required ones) assumed.
    KInduction { k: usize, conjuncts: usize },
    /// No simple path of `bound + 1` steps exists (checked with
    /// `conjuncts` conjuncts assumed), and BMC covered every depth up to
    /// `bound`.
    RecurrenceDiameter { bound: usize, conjuncts: usize },
    /// The explicit search ran out of new states: `states` distinct states,
    /// the deepest first reached at `diameter`.
    Exhausted { states: u64, diameter: usize },
    /// A temporal property: no violating lasso in the whole reachable graph
    /// of `states` states (explicit search).
    NoLasso { states: u64 },
    /// `Finish`: no cycle of real steps (a measure of `components` that
    /// every real step raises) and no deadlock (proved by `deadlock_free`).
    Ranked {
        components: usize,
        deadlock_free: Box<Method>,
    },
}

/// Where an inductive invariant came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finder {
    /// `--prove`: template candidates filtered by reachable states, then
    /// Houdini.
    Templates,
    /// The same search, run by BMC after this depth.
    TemplatesBesideBmc { after: usize },
    /// Z3's Spacer (IC3/PDR); its invariant is one formula.
    Spacer,
    /// `--prove`: the lemma library (encodings/Lemmas.tla), filtered by
    /// Houdini for the configuration.
    Library,
}

impl Method {
    /// The induction depth: 1 for an invariant, k for k-induction, 0 for an
    /// exhausted search.
    pub fn k(&self) -> usize {
        match self {
            Method::Invariant { .. } => 1,
            Method::KInduction { k, .. } => *k,
            Method::RecurrenceDiameter { bound, .. } => bound + 1,
            Method::Exhausted { .. } | Method::NoLasso { .. } => 0,
            Method::Ranked { deadlock_free, .. } => deadlock_free.k(),
        }
    }

    /// Conjuncts of the invariant or assumed by the induction (0 for an
    /// exhausted search).
    pub fn conjuncts(&self) -> usize {
        match self {
            Method::Invariant { conjuncts, .. }
            | Method::KInduction { conjuncts, .. }
            | Method::RecurrenceDiameter { conjuncts, .. } => *conjuncts,
            Method::Exhausted { .. } | Method::NoLasso { .. } => 0,
            Method::Ranked { deadlock_free, .. } => deadlock_free.conjuncts(),
        }
    }

    /// The method in words, as the summary and the JSON report name it.
    pub fn name(&self) -> String {
        match self {
            Method::Invariant { found_by, .. } => match found_by {
                Finder::Templates => "inductive invariant (template strengthening)".into(),
                Finder::TemplatesBesideBmc { after } => {
                    format!("inductive invariant found after BMC depth {after}, re-checked")
                }
                Finder::Spacer => "Spacer (IC3/PDR) inductive invariant".into(),
                Finder::Library => "inductive invariant (lemma library, Houdini)".into(),
            },
            Method::KInduction { k, .. } => format!("{k}-induction"),
            Method::RecurrenceDiameter { bound, .. } => format!("recurrence diameter <= {bound}"),
            Method::Exhausted { .. } => "exhaustive explicit search".into(),
            Method::NoLasso { .. } => "no violating lasso in the reachable graph".into(),
            Method::Ranked {
                components,
                deadlock_free,
            } => format!(
                "no cycle of real steps (a measure of {components} components) and no deadlock \
                 ({})",
                deadlock_free.name()
            ),
        }
    }
}

/// The outcome for one property.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// A replayed counterexample of this (shortest) depth.
    Violated(Box<Counterexample>),
    /// No violation in any state reachable in at most this many steps.
    HoldsUpTo(usize),
    /// Holds in every reachable state, by the method given; a proof was
    /// re-checked before it was reported.
    Proved(Method),
    /// A violation met by a random walk (`--simulate`): a real, replayed
    /// trace, but not known to be the shortest. `walked` is the walk's own
    /// length (its seed replays that), cut to `cx`'s by `simulate::shrink`;
    /// `holds_up_to` a depth up to which a bounded engine found none.
    Found {
        cx: Box<Counterexample>,
        seed: u64,
        walked: usize,
        holds_up_to: Option<usize>,
    },
    /// Random walks met no violation: evidence, not a proof.
    NotFound { runs: u64, depth: usize },
    /// The solver answered unknown at `depth`, a resource limit or an
    /// interruption stopped the search before it; no violation was found
    /// at smaller depths.
    Unknown {
        depth: usize,
        reason: String,
        holds_up_to: Option<usize>,
    },
}

impl Verdict {
    pub fn is_violated(&self) -> bool {
        matches!(self, Verdict::Violated(_) | Verdict::Found { .. })
    }
    /// The counterexample, shortest or not.
    pub fn counterexample(&self) -> Option<&Counterexample> {
        match self {
            Verdict::Violated(cx) | Verdict::Found { cx, .. } => Some(cx),
            _ => None,
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Verdict::Unknown { .. })
    }
    /// Unknown because the run was interrupted.
    pub fn is_interrupted(&self) -> bool {
        matches!(self, Verdict::Unknown { reason, .. } if reason == crate::interrupt::REASON)
    }
    /// The shortest violation depth, if violated.
    pub fn violation_depth(&self) -> Option<usize> {
        self.counterexample().map(|cx| cx.trace.depth())
    }
    /// A walk's violation of d steps where no violation exists up to depth
    /// d - 1 is a shortest one: `Violated`. Anything else is returned as is.
    pub fn shortest_if_known(self) -> Verdict {
        match self {
            Verdict::Found {
                cx,
                holds_up_to: Some(k),
                ..
            } if k + 1 >= cx.trace.depth() => Verdict::Violated(cx),
            v => v,
        }
    }
    /// Unknown at `depth` (holding up to the depth before, if any).
    pub fn unknown_at(depth: usize, reason: impl Into<String>) -> Verdict {
        Verdict::Unknown {
            depth,
            reason: reason.into(),
            holds_up_to: depth.checked_sub(1),
        }
    }
}

/// The one-line summary: `violated at depth 19 (...)`, `holds up to depth
/// 25`, `proved for every depth (...)`, `unknown at depth ...`.
impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Violated(cx) => {
                write!(
                    f,
                    "violated at depth {} ({})",
                    cx.trace.depth(),
                    cx.conjunct
                )
            }
            Verdict::Found {
                cx,
                seed,
                walked,
                holds_up_to,
            } => {
                let d = cx.trace.depth();
                write!(
                    f,
                    "violated at depth {d} ({}); found by random simulation (walk seed {seed}",
                    cx.conjunct
                )?;
                if *walked != d {
                    write!(f, ", its {walked} steps cut to {d}")?;
                }
                write!(f, "), not known to be the shortest")?;
                match holds_up_to {
                    Some(k) => write!(f, " (none up to depth {k})"),
                    None => Ok(()),
                }
            }
            Verdict::NotFound { runs, depth } => write!(
                f,
                "no violation in {runs} random runs of at most {depth} steps (not a proof)"
            ),
            Verdict::HoldsUpTo(k) => write!(f, "holds up to depth {k}"),
            Verdict::Proved(Method::Exhausted { states, diameter }) => write!(
                f,
                "holds in every reachable state ({states} distinct states, diameter {diameter})"
            ),
            Verdict::Proved(Method::NoLasso { states }) => write!(
                f,
                "holds for every fair behaviour (no violating lasso among {states} reachable states)"
            ),
            Verdict::Proved(m) => {
                let assumed = if m.k() > 1 { " assumed" } else { "" };
                // A temporal property is proved of behaviours, not of depths.
                let every = match m {
                    Method::Ranked { .. } => "behaviour",
                    _ => "depth",
                };
                write!(
                    f,
                    "proved for every {every} ({}, {} conjuncts{assumed})",
                    m.name(),
                    m.conjuncts()
                )
            }
            Verdict::Unknown {
                depth,
                reason,
                holds_up_to,
            } => match holds_up_to {
                Some(k) => write!(
                    f,
                    "unknown at depth {depth} ({reason}); holds up to depth {k}"
                ),
                None => write!(f, "unknown at depth {depth} ({reason})"),
            },
        }
    }
}

/// The result of one run: a verdict per selected property.
#[derive(Clone, Debug)]
pub struct Report {
    pub verdicts: Vec<(Property, Verdict)>,
    /// Wall time in seconds.
    pub seconds: f64,
}

impl Report {
    /// The verdict for `q`, if it was checked.
    pub fn verdict(&self, q: Property) -> Option<&Verdict> {
        self.verdicts.iter().find(|(x, _)| *x == q).map(|(_, v)| v)
    }
    /// Some property is unknown because the run was interrupted.
    pub fn interrupted(&self) -> bool {
        self.verdicts.iter().any(|(_, v)| v.is_interrupted())
    }
}

/// One finished BMC depth.
#[derive(Clone, Debug)]
pub struct DepthInfo {
    pub depth: usize,
    pub seconds: f64,
    pub total_seconds: f64,
    /// The solver's answer per property checked at this depth, with the
    /// seconds the query took.
    pub answers: Vec<(Property, SatResult, f64)>,
}

/// One finished level of the explicit search.
#[derive(Clone, Debug)]
pub struct LevelInfo {
    pub depth: usize,
    pub new_states: u64,
    pub total_states: u64,
    /// The last level of a bounded search, checked and not stored
    /// (`Bfs::check_next`): its successors checked (`new_states` is 0).
    pub checked: Option<u64>,
    pub seconds: f64,
    pub total_seconds: f64,
}

/// Progress and messages, as they happen.
#[derive(Clone, Debug)]
pub enum Event {
    Depth(DepthInfo),
    Level(LevelInfo),
    /// A level of the explicit search still being built (about once a
    /// second): states so far. For a live status line on a terminal; not
    /// kept in reports.
    Tick(LevelInfo),
    /// A stage of a proof or a search finished: what ran, what it gave, how
    /// long it took (`--prove`'s log).
    Stage(String),
    /// Something worth a line on the console that is not a stage.
    Note(String),
}

/// What racing engines tell each other (`--engine auto`): the properties
/// one of them has decided for good (a shortest violation, or proved), so
/// that the others stop spending time on them, and the length of the
/// shortest real violation known of a property not decided yet (a walk's,
/// cut): no invariant can prove such a property, and once an exhaustive
/// engine has found none shorter, that violation is a shortest one. An
/// engine that drops a property this way reports only what it established
/// itself ("holds up to" the depth it completed), which the race still
/// checks against the deciding engine's verdict. Outside a race, nobody
/// posts.
#[derive(Clone, Debug, Default)]
pub struct Board(Option<Arc<std::sync::Mutex<Posts>>>);

#[derive(Debug, Default)]
pub struct Posts {
    decided: Vec<Property>,
    violated_within: Vec<(Property, usize)>,
}

impl Board {
    /// A board engines share.
    pub fn shared() -> Board {
        Board(Some(Arc::default()))
    }
    /// Whether engines share this board (a race).
    pub fn is_shared(&self) -> bool {
        self.0.is_some()
    }
    fn with<T>(&self, f: impl FnOnce(&mut Posts) -> T) -> Option<T> {
        self.0
            .as_ref()
            .map(|b| f(&mut b.lock().unwrap_or_else(|e| e.into_inner())))
    }
    /// `q` is decided for good.
    pub fn post(&self, q: Property) {
        self.with(|b| {
            if !b.decided.contains(&q) {
                b.decided.push(q);
            }
        });
    }
    /// A real violation of `q` of `steps` steps is known (replayed), not
    /// known to be the shortest.
    pub fn post_violation(&self, q: Property, steps: usize) {
        self.with(
            |b| match b.violated_within.iter_mut().find(|(x, _)| *x == q) {
                Some((_, n)) => *n = (*n).min(steps),
                None => b.violated_within.push((q, steps)),
            },
        );
    }
    /// Posts `q` if `v` decides it for good: a shortest violation or a
    /// proof; a walk's violation (not known to be the shortest) as a bound.
    pub fn record(&self, q: Property, v: &Verdict) {
        match v {
            Verdict::Violated(_) | Verdict::Proved(_) => self.post(q),
            Verdict::Found { cx, .. } => self.post_violation(q, cx.trace.depth()),
            _ => {}
        }
    }
    /// Whether another engine decided `q`.
    pub fn taken(&self, q: Property) -> bool {
        self.with(|b| b.decided.contains(&q)).unwrap_or(false)
    }
    /// The fewest steps of a known violation of `q` not yet decided.
    pub fn violated_within(&self, q: Property) -> Option<usize> {
        self.with(|b| {
            b.violated_within
                .iter()
                .find(|(x, _)| *x == q)
                .map(|(_, n)| *n)
        })
        .flatten()
    }
}

/// Where events go: one sink shared by every thread of a run. The text
/// output, the JSON report and the logger all read the same events.
#[derive(Clone, Default)]
pub struct Events(Option<Arc<dyn Fn(&Event) + Send + Sync>>);

impl Events {
    pub fn new(f: impl Fn(&Event) + Send + Sync + 'static) -> Events {
        Events(Some(Arc::new(f)))
    }
    /// Events nobody reads.
    pub fn none() -> Events {
        Events(None)
    }
    pub fn emit(&self, e: Event) {
        if let Some(f) = &self.0 {
            f(&e)
        }
    }
    pub fn stage(&self, line: impl Into<String>) {
        self.emit(Event::Stage(line.into()))
    }
    pub fn note(&self, line: impl Into<String>) {
        self.emit(Event::Note(line.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_board_keeps_the_shortest_known_violation_apart_from_decisions() {
        let board = Board::shared();
        assert_eq!(board.violated_within(Property::Inv), None);
        board.post_violation(Property::Inv, 24);
        board.post_violation(Property::Inv, 31);
        assert_eq!(board.violated_within(Property::Inv), Some(24));
        board.post_violation(Property::Inv, 19);
        assert_eq!(board.violated_within(Property::Inv), Some(19));
        // A bound decides nothing.
        assert!(!board.taken(Property::Inv));
        assert_eq!(board.violated_within(Property::Consistent), None);
        board.post(Property::Consistent);
        assert!(board.taken(Property::Consistent));
        // Outside a race nobody posts.
        let alone = Board::default();
        alone.post(Property::Inv);
        assert!(!alone.taken(Property::Inv));
        let alone = Board::default();
        alone.post_violation(Property::Inv, 5);
        assert_eq!(alone.violated_within(Property::Inv), None);
    }

    #[test]
    fn a_walks_violation_is_the_shortest_when_none_is_one_step_shorter() {
        let p = crate::params::Params::default();
        let s0 = crate::spec::init_state(&p, 0);
        let found = |holds_up_to| Verdict::Found {
            cx: Box::new(crate::trace::Counterexample {
                property: Property::Inv,
                trace: crate::trace::Trace {
                    states: vec![s0.clone(); 20],
                    actions: vec![crate::spec::Action::Terminated; 19],
                },
                conjunct: String::new(),
                lasso: None,
            }),
            seed: 3,
            walked: 40,
            holds_up_to,
        };
        let v = found(Some(18)).shortest_if_known();
        assert!(
            matches!(&v, Verdict::Violated(cx) if cx.trace.depth() == 19),
            "{v:?}"
        );
        for short in [None, Some(17)] {
            assert!(matches!(
                found(short).shortest_if_known(),
                Verdict::Found { .. }
            ));
        }
        assert!(matches!(
            Verdict::HoldsUpTo(3).shortest_if_known(),
            Verdict::HoldsUpTo(3)
        ));
    }
}
