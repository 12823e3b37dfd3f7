//! The lemma library (`encodings/Lemmas.tla`, generated, and
//! `encodings/DeadlockLemmas.tla`, written by hand): named TLA+ lemmas, read
//! with the predicate reader, tried before the template search. Nothing in
//! it is trusted: Houdini keeps the lemmas inductive for the configuration
//! at hand (a false or non-inductive one is dropped), the caller re-checks
//! the invariant with fresh solvers, and when the kept lemmas do not prove
//! a property the template search runs as before.

use super::houdini::{filter_init, houdini_passes, Houdini};
use super::Clock;
use crate::engine::explicit::bfs::sample_reachable;
use crate::engine::Events;
use crate::invariants::candidates::{self, Family};
use crate::invariants::Conj;
use crate::spec::tla::{self, Predicate};
use crate::spec::Property;
use crate::symbolic::Encoding;
use std::sync::OnceLock;
use std::time::Instant;

pub const LEMMAS: &str = include_str!("../../../encodings/Lemmas.tla");
/// Hand-written lemmas for `NoDeadlock` (see the module's comment).
pub const DEADLOCK_LEMMAS: &str = include_str!("../../../encodings/DeadlockLemmas.tla");

/// States on which the lemmas are evaluated before Houdini.
const SAMPLES: usize = 2_000;

/// The library's lemmas as (unreported) predicates, registered once:
/// `encodings/Lemmas.tla`'s, those of `encodings/DeadlockLemmas.tla` when
/// `deadlock` (they serve `NoDeadlock` only, and would only add conjuncts
/// to the other properties' invariants), and the user's (`--lemmas FILE`,
/// see `add_user_lemmas`).
pub fn lemmas_for(deadlock: bool) -> Result<Vec<Property>, String> {
    static L: OnceLock<Result<Vec<Property>, String>> = OnceLock::new();
    static D: OnceLock<Result<Vec<Property>, String>> = OnceLock::new();
    let mut v = L
        .get_or_init(|| lemmas_of(LEMMAS).map_err(|e| format!("encodings/Lemmas.tla: {e}")))
        .clone()?;
    if deadlock {
        v.extend(
            D.get_or_init(|| {
                lemmas_of(DEADLOCK_LEMMAS).map_err(|e| format!("encodings/DeadlockLemmas.tla: {e}"))
            })
            .clone()?,
        );
    }
    v.extend(USER.get().into_iter().flatten());
    Ok(v)
}

static USER: OnceLock<Vec<Property>> = OnceLock::new();

/// Adds the lemmas of a module (`--lemmas FILE`) to the library's for this
/// process; returns how many.
pub fn add_user_lemmas(module: &str) -> Result<usize, String> {
    let l = lemmas_of(module)?;
    let n = l.len();
    USER.set(l)
        .map_err(|_| "--lemmas was given twice".to_string())?;
    Ok(n)
}

/// The definitions of a module that extends SemiSync, registered as
/// predicates.
pub fn lemmas_of(module: &str) -> Result<Vec<Property>, String> {
    let defs = tla::check_module(module).map_err(|e| e.to_string())?;
    Ok(defs
        .into_iter()
        .filter(|d| d.arity == 0 && !d.is_action() && !d.uses_enabled())
        .map(|d| {
            Property::User(tla::register(Predicate {
                name: tla::leak(d.name),
                text: d.text,
                reach: false,
                compiled: d.compiled,
            }))
        })
        .collect())
}

/// Houdini over the open properties and the library's lemmas that hold in
/// sampled reachable states: `Some` when the result is inductive and
/// proves at least one open property other than `TypeOK`.
pub fn try_library(
    enc: &Encoding,
    open: &[Property],
    clock: &Clock,
    events: &Events,
) -> Option<Houdini> {
    let deadlock = open
        .iter()
        .any(|q| matches!(q, Property::NoDeadlock | Property::Finish));
    match lemmas_for(deadlock) {
        Ok(l) => try_lemmas(enc, open, &l, clock, events),
        Err(e) => {
            events.stage(format!("lemma library skipped: {e}"));
            None
        }
    }
}

/// Whitespace runs as one space: texts compared as TLA+ tokens.
fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `try_library` with the given lemmas.
pub fn try_lemmas(
    enc: &Encoding,
    open: &[Property],
    lemmas: &[Property],
    clock: &Clock,
    events: &Events,
) -> Option<Houdini> {
    let t = Instant::now();
    let wanted: Vec<Property> = open
        .iter()
        .copied()
        .filter(|&q| q != Property::TypeOK && !q.is_temporal())
        .collect();
    if wanted.is_empty() {
        return None;
    }
    let (samples, _) = sample_reachable(&enc.p, SAMPLES);
    let mut opt: Vec<Conj> = wanted.iter().map(|&q| Conj::Prop(q)).collect();
    // A lemma whose text is that of a template candidate of this
    // configuration is checked as that candidate (the same formula, and its
    // Z3 terms are several times smaller than the generic reading's).
    let templates: std::collections::HashMap<String, Family> =
        candidates::generate(&enc.p, &samples)
            .into_iter()
            .map(|f| (normalize(&f.text(&enc.p)), f))
            .collect();
    let mut as_templates = 0;
    for &q in lemmas {
        let Property::User(i) = q else { continue };
        match templates.get(&normalize(&tla::predicate(i).text)) {
            Some(Family::CapOk) => as_templates += 1, // required anyway
            Some(f) => {
                as_templates += 1;
                opt.push(Conj::Cand(f.clone()));
            }
            None => opt.push(Conj::Prop(q)),
        }
    }
    log::info!(
        "lemma library: {as_templates} of {} lemmas are template candidates",
        lemmas.len()
    );
    opt.retain(|c| samples.iter().all(|s| c.holds(&enc.p, s)));
    let opt = filter_init(enc, opt, clock).ok()?;
    let h = houdini_passes(enc, opt, clock).ok()?;
    for (q, cti) in &h.dropped_props {
        log::debug!(
            "lemma library: {q} dropped; a counterexample to induction:\n{}",
            cti.render()
        );
    }
    let proves = wanted.iter().any(|&q| h.kept.contains(&Conj::Prop(q)));
    let kept_lemmas = h
        .kept
        .iter()
        .filter(|c| match c {
            Conj::Prop(q) => lemmas.contains(q),
            Conj::Cand(_) => true,
            _ => false,
        })
        .count();
    events.stage(format!(
        "lemma library: {kept_lemmas} of {} lemmas kept by Houdini{} ({:.2} s)",
        lemmas.len(),
        if h.required_inductive && proves {
            format!(
                ", proving {}",
                wanted
                    .iter()
                    .filter(|&&q| h.kept.contains(&Conj::Prop(q)))
                    .map(|q| q.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            "; they prove nothing asked: the template search next".into()
        },
        t.elapsed().as_secs_f64()
    ));
    (h.required_inductive && proves).then_some(h)
}
