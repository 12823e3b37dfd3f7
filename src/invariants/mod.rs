//! The language of state predicates and lemmas: a conjunct (`Conj`) is a
//! property of the spec or a template candidate (`candidates`), read three
//! ways by `lang`: concretely on a `State`, as a Z3 term over the layout's
//! slots, and as TLA+ text.

pub mod candidates;
pub mod lang;

use crate::params::Params;
use crate::spec::{Property, State};
use crate::symbolic::Encoding;
use candidates::Family;
use lang::Symbolic;
use z3::ast::{Bool, BV};

/// One conjunct of an invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conj {
    /// The layout's canonical form (no TLA+ counterpart: every TLA+ value is
    /// canonical).
    WellFormed,
    Prop(Property),
    Cand(Family),
}

impl Conj {
    pub fn sym(&self, enc: &Encoding, s: &[BV]) -> Bool {
        match self {
            Conj::WellFormed => enc.well_formed(s),
            Conj::Prop(q) => enc.property(*q, s),
            Conj::Cand(f) => f.eval(&Symbolic::new(&enc.p, &enc.layout, s), &enc.p),
        }
    }
    pub fn holds(&self, p: &Params, s: &State) -> bool {
        match self {
            Conj::WellFormed => true,
            Conj::Prop(q) => q.holds(p, s),
            Conj::Cand(f) => f.holds(p, s),
        }
    }
    /// TLA+ text, `None` for `WellFormed`.
    pub fn text(&self, p: &Params) -> Option<String> {
        match self {
            Conj::WellFormed => None,
            Conj::Prop(q) => Some(q.name().to_string()),
            Conj::Cand(f) => Some(f.text(p)),
        }
    }
}

/// The conjuncts every proof needs.
pub fn required() -> Vec<Conj> {
    vec![
        Conj::WellFormed,
        Conj::Prop(Property::TypeOK),
        Conj::Cand(Family::CapOk),
    ]
}

/// A conjunct's name in messages: its TLA+ text, or what it stands for.
pub fn conj_name(c: &Conj, p: &Params) -> String {
    c.text(p)
        .unwrap_or_else(|| "the canonical form of the encoding".into())
}
