//! The search engines and the result they report.

pub mod bmc;
pub mod explicit;

use crate::spec::Property;
use crate::trace::Counterexample;

/// The outcome for one property.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// A replayed counterexample of this (shortest) depth.
    Violated(Box<Counterexample>),
    /// No violation in any state reachable in at most this many steps.
    HoldsUpTo(usize),
    /// The property holds in every reachable state (explicit search ran out
    /// of new states).
    Holds { states: u64, diameter: usize },
    /// Proved for every depth (`--prove`), by the named method, with a
    /// k-induction depth or 1 and the size of the invariant used; the
    /// proof was re-checked before it was reported.
    Proved {
        method: String,
        k: usize,
        conjuncts: usize,
    },
    /// The solver answered unknown at `depth`, or a resource limit stopped
    /// the search before it; no violation was found at smaller depths.
    Unknown {
        depth: usize,
        reason: String,
        holds_up_to: Option<usize>,
    },
}

impl Verdict {
    pub fn is_violated(&self) -> bool {
        matches!(self, Verdict::Violated(_))
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Verdict::Unknown { .. })
    }
    /// The shortest violation depth, if violated.
    pub fn violation_depth(&self) -> Option<usize> {
        match self {
            Verdict::Violated(cx) => Some(cx.trace.depth()),
            _ => None,
        }
    }
    /// One line for the summary.
    pub fn summary(&self) -> String {
        match self {
            Verdict::Violated(cx) => {
                format!("violated at depth {} ({})", cx.trace.depth(), cx.conjunct)
            }
            Verdict::HoldsUpTo(k) => format!("holds up to depth {k}"),
            Verdict::Holds { states, diameter } => {
                format!("holds in every reachable state ({states} distinct states, diameter {diameter})")
            }
            Verdict::Proved {
                method,
                k,
                conjuncts,
            } => {
                if *k > 1 {
                    format!("proved for every depth ({method}, {conjuncts} conjuncts assumed)")
                } else {
                    format!("proved for every depth ({method}, {conjuncts} conjuncts)")
                }
            }
            Verdict::Unknown {
                depth,
                reason,
                holds_up_to,
            } => match holds_up_to {
                Some(k) => format!("unknown at depth {depth} ({reason}); holds up to depth {k}"),
                None => format!("unknown at depth {depth} ({reason})"),
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

/// A counterexample that failed replay: the encoding or the engine is wrong.
#[derive(Debug)]
pub struct InternalError(pub String);

impl std::fmt::Display for InternalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error: {}", self.0)
    }
}
impl std::error::Error for InternalError {}
