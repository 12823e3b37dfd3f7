//! Strengthening: sample reachable states, keep the template candidates
//! true in all of them, run Houdini; seeded from the invariants of a small
//! instance. `find_invariant` is the same search for BMC, re-checked.

use super::houdini::{filter_init, houdini_passes, Houdini};
use super::minimize::minimize;
use super::recheck::{check_certificate_all, CertError};
use super::{Clock, ProveOptions};
use crate::engine::explicit::bfs::sample_reachable;
use crate::engine::Events;
use crate::error::{Error, Result};
use crate::invariants::candidates::{self, Family};
use crate::invariants::Conj;
use crate::params::Params;
use crate::spec::Property;
use crate::symbolic::Encoding;
use std::time::{Duration, Instant};

/// Sampled states every candidate is evaluated on before Houdini (the
/// properties are evaluated on all of them).
const FILTER_STATES: usize = 5_000;

/// Strengthening: sample reachable states, filter the template candidates
/// (with the still-open properties among them), run Houdini.
pub fn strengthen(
    enc: &Encoding,
    open: &[Property],
    opts: &ProveOptions,
    clock: &Clock,
    events: &Events,
    seed: Option<&[Family]>,
) -> Option<Houdini> {
    let p = &enc.p;
    let t = Instant::now();
    if clock.expired() {
        return None;
    }
    let (mut samples, complete) = sample_reachable(p, opts.sample_states);
    if clock.expired() {
        // The sample stopped early: its candidates would be noise.
        return None;
    }
    // A fixed shuffle, so that a false candidate fails early.
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    for i in (1..samples.len()).rev() {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        samples.swap(i, (rng % (i as u64 + 1)) as usize);
    }
    let mut all = candidates::generate(p, &samples);
    if let Some(x) = opts.exclude {
        all.retain(|f| !x(f));
    }
    let n_all = all.len();
    log::info!(
        "{} reachable states sampled ({:.2} s); filtering {n_all} candidates",
        samples.len(),
        t.elapsed().as_secs_f64()
    );
    let n_filter = if complete {
        samples.len()
    } else {
        samples.len().min(FILTER_STATES)
    };
    let kept = candidates::filter(p, all, &samples[..n_filter]);
    events.stage(format!(
        "candidates: {n_all} from templates, {} true in {} of {} sampled reachable states{} ({:.2} s)",
        kept.len(),
        n_filter,
        samples.len(),
        if complete { " (all of them)" } else { "" },
        t.elapsed().as_secs_f64()
    ));
    let mut opt: Vec<Conj> = open
        .iter()
        .filter(|&&q| q != Property::TypeOK)
        .map(|&q| Conj::Prop(q))
        .collect();
    opt.retain(|c| samples.iter().all(|s| c.holds(p, s)));
    opt.extend(
        kept.into_iter()
            .filter(|f| *f != Family::CapOk)
            .map(Conj::Cand),
    );
    log::info!(
        "{} candidates survive ({:.2} s); Houdini",
        opt.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let opt = match filter_init(enc, opt, clock) {
        Ok(o) => o,
        Err(e) => {
            events.stage(format!("strengthening skipped: {e}"));
            vec![]
        }
    };
    // First the seed alone (a few hundred conjuncts instead of a
    // thousand): when it proves what is asked, the full set is not needed.
    let mut result = Err("no candidates".to_string());
    let mut seeded = false;
    if let Some(seed) = seed {
        let sub: Vec<Conj> = opt
            .iter()
            .filter(|c| match c {
                // Every shape goes in: shapes over sequences (logs are
                // increasing, ...) say nothing with one request, so the small
                // instance cannot tell which of them a larger one needs.
                Conj::Cand(f) => {
                    matches!(f, Family::Shape(_))
                        || seed.contains(f)
                        || seed.contains(&f.map_const(enc.p.max_req as i64, 1))
                }
                _ => true,
            })
            .cloned()
            .collect();
        let n_sub = sub.len();
        result = houdini_passes(enc, sub, clock);
        if let Ok(h) = &result {
            for (q, cti) in &h.dropped_props {
                log::debug!("seeded Houdini dropped {q}:\n{}", cti.render());
            }
        }
        // Enough when it proves some property (the others then go to
        // k-induction with these lemmas; Houdini over every candidate costs
        // many minutes on the larger configurations).
        seeded = match &result {
            Ok(h) => {
                h.required_inductive
                    && (open.iter().all(|&q| q == Property::TypeOK)
                        || open.iter().any(|&q| h.kept.contains(&Conj::Prop(q))))
            }
            Err(_) => false,
        };
        events.stage(format!(
            "seeded Houdini: the {n_sub} candidates in the small instance's invariants, and every \
             shape, {} ({:.2} s)",
            if seeded {
                "are enough"
            } else {
                "do not suffice; all candidates next"
            },
            t.elapsed().as_secs_f64()
        ));
    }
    if !seeded {
        result = houdini_passes(enc, opt, clock);
    }
    match result {
        Ok(h) => {
            events.stage(format!(
                "Houdini: {} conjuncts inductive relative to TypeOK, CapOk and the canonical form; \
                 those {} ({:.2} s)",
                h.kept.len(),
                if h.required_inductive {
                    "hold as well: a 1-inductive invariant"
                } else {
                    "are not inductive relative to them"
                },
                t.elapsed().as_secs_f64()
            ));
            Some(h)
        }
        Err(e) => {
            events.stage(format!("Houdini stopped: {e}"));
            None
        }
    }
}

/// The candidates that make up the minimized invariants of a small instance
/// of `p` (one client, one request, the same replicas, quorum and leader
/// changes), or `None` when `p` is that instance or nothing is proved there.
/// The lemmas a protocol needs rarely depend on how many clients and
/// requests there are, and Houdini over a few hundred candidates is much
/// cheaper than over a thousand.
pub fn seed_from_small(
    p: &Params,
    open: &[Property],
    opts: &ProveOptions,
    clock: &Clock,
    events: &Events,
) -> Option<Vec<Family>> {
    let p0 = Params {
        clients: 1,
        max_req: 1,
        ..p.clone()
    };
    if p0 == *p || open.is_empty() {
        return None;
    }
    let t = Instant::now();
    let enc0 = Encoding::new(&p0);
    let h = strengthen(&enc0, open, opts, clock, &Events::none(), None)?;
    if !h.required_inductive {
        events.stage("seed: the small instance has no inductive invariant; skipped");
        return None;
    }
    let full = h.invariant();
    let proved = h.proves(open);
    let fams: Vec<Family> = minimize(&enc0, &full, &proved, clock)
        .into_iter()
        .filter_map(|c| match c {
            Conj::Cand(f) => Some(f),
            _ => None,
        })
        .collect();
    events.stage(format!(
        "seed: {} candidates from the minimized invariants of the instance with 1 client and \
         max_next_req 1 ({:.2} s)",
        fams.len(),
        t.elapsed().as_secs_f64()
    ));
    Some(fams)
}

/// A checked inductive invariant, and the properties it proves.
pub type FoundInvariant = (Vec<Conj>, Vec<Property>);

/// An inductive invariant of the spec for BMC to assume at every step, and
/// which of `props` it proves: found as `--prove` finds one (seeded
/// Houdini), re-checked by fresh solvers. Every reachable state satisfies
/// it, so assuming it changes no verdict and no shortest depth. `None` when
/// the strengthening is not inductive or runs out of time.
pub fn find_invariant(
    p: &Params,
    props: &[Property],
    timeout: Option<Duration>,
    events: &Events,
) -> Result<Option<FoundInvariant>> {
    let clock = Clock::new(timeout);
    let enc = Encoding::new(p);
    let opts = ProveOptions::new(props.to_vec());
    // The lemma library first; the template search (seeded by a small
    // instance) when it proves nothing asked.
    let h = match super::library::try_library(&enc, props, &clock, events) {
        Some(h) => h,
        None => {
            let seed = seed_from_small(p, props, &opts, &clock, events);
            let Some(h) = strengthen(&enc, props, &opts, &clock, events, seed.as_deref()) else {
                return Ok(None);
            };
            h
        }
    };
    if !h.required_inductive {
        return Ok(None);
    }
    let inv = h.invariant();
    let proved = h.proves(props);
    // TypeOK is among the required conjuncts: with no property, the check
    // is of the invariant alone.
    let check = if proved.is_empty() {
        vec![Property::TypeOK]
    } else {
        proved.clone()
    };
    match check_certificate_all(&enc, &inv, &check, clock.left_ms()) {
        Ok(()) => {}
        Err(CertError::Unknown(_)) => return Ok(None),
        Err(CertError::Fails(e)) => {
            return Err(Error::internal(format!(
                "Houdini's invariant fails the independent re-check ({e}): a bug in the prover"
            )))
        }
    }
    Ok(Some((inv, proved)))
}
