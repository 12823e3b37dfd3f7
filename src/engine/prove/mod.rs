//! The prover's engines: answers for every depth. `check::prove` runs them
//! in this order:
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
//!    proved; the set is the certificate (`report::certificate`).
//!    (`strengthen`, `houdini`, `recheck`, `minimize`)
//! 3. Otherwise k-induction, incremental, beside the BMC base case: the step
//!    case assumes the property, the required conjuncts and the Houdini set
//!    on k states of a simple path (no two equal) and asks for a violation
//!    at the next. When no simple path of that length exists at all, the
//!    search is complete: the recurrence diameter is reached (`kind`).
//!
//! `spacer` is the second route: Z3's CHC engine on the same transition
//! system. Every "proved" is checked by a fresh solver before it is
//! reported.

pub mod houdini;
pub mod kind;
pub mod library;
pub mod minimize;
pub mod par;
pub mod ranking;
pub mod recheck;
pub mod spacer;
pub mod strengthen;

use crate::engine::Verdict;
use crate::interrupt;
use crate::invariants::candidates::Family;
use crate::invariants::Conj;
use crate::spec::{Action, Property, State};
use crate::symbolic::unroll::{new_solver, set_timeout};
use crate::symbolic::Encoding;
use std::time::{Duration, Instant};
use z3::ast::{Bool, BV};
use z3::{Model, Solver};

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
    /// Properties no method decided are then checked by BMC up to this
    /// depth (0: not), so that a violation deeper than k-induction's base
    /// case is still found.
    pub late_depth: usize,
    /// Learn the candidates that matter on a small instance (1 client,
    /// `max_next_req` 1) first, and try them alone before all candidates.
    pub seed: bool,
    /// Shrink each proved property's invariant to the closure of its unsat
    /// cores (a shorter certificate, at the price of a few solver calls).
    pub minimize: bool,
    /// Candidates left out (ablation: what a proof needs).
    pub exclude: Option<fn(&Family) -> bool>,
    /// Random walks after the first BMC run (their `props` are the open
    /// properties): a violation too deep for BMC is met in milliseconds;
    /// no proof is tried for a property a walk violated.
    pub walks: Option<crate::engine::simulate::SimOptions>,
    /// Seconds per property to shorten a walk's violation (the explicit
    /// search and BMC race, bounded by its depth: `check::simulate::shorten`).
    pub shorten_secs: u64,
}

/// Walks `--prove` runs (about half a second on two cores).
pub const PROVE_WALKS: u64 = 20_000;

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
            late_depth: 25,
            seed: true,
            minimize: false,
            exclude: None,
            walks: None,
            shorten_secs: 60,
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
}

/// A proof's time budget. An interruption (`interrupt::request`) expires
/// it at once.
pub struct Clock {
    start: Instant,
    deadline: Option<Instant>,
}
impl Clock {
    pub fn new(timeout: Option<Duration>) -> Clock {
        let start = Instant::now();
        Clock {
            start,
            deadline: timeout.map(|d| start + d),
        }
    }
    pub fn expired(&self) -> bool {
        interrupt::requested() || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
    /// Milliseconds left, for a solver's timeout.
    pub fn left_ms(&self) -> Option<u64> {
        self.deadline.map(|d| {
            d.saturating_duration_since(Instant::now())
                .as_millis()
                .max(1) as u64
        })
    }
    pub fn start(&self) -> Instant {
        self.start
    }
    pub fn secs(&self) -> f64 {
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

/// Unknown, holding up to a depth; "interrupted" whatever the immediate
/// reason when the run was interrupted.
pub fn unknown(reason: String, holds_up_to: Option<usize>) -> Verdict {
    let reason = if interrupt::requested() {
        interrupt::REASON.to_string()
    } else {
        reason
    };
    Verdict::Unknown {
        depth: holds_up_to.map_or(0, |k| k + 1),
        reason,
        holds_up_to,
    }
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
