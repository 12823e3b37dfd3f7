//! `--prove`: which prover engine runs on which property, in which order.
//! A short BMC run first (a shallow violation is found in seconds, before
//! any strengthening is paid for); then template strengthening and
//! Houdini, whose 1-inductive set proves the properties in it (each
//! re-checked by fresh solvers); then k-induction for the rest. Or Spacer
//! alone (`Route::Spacer`).

use super::bmc::BmcPlan;
use super::simulate::{cut_words, shorten};
use crate::engine::prove::houdini::{cti_for, Houdini};
use crate::engine::prove::kind::k_induction;
use crate::engine::prove::minimize::{minimize, MINIMIZE_ABOVE};
use crate::engine::prove::recheck::{check_certificate, check_certificate_all, CertError};
use crate::engine::prove::strengthen::{seed_from_small, strengthen};
use crate::engine::prove::{ranking, spacer, unknown, Clock, ProveDetail, ProveOptions, Route};
use crate::engine::simulate::{self, Found, SimOptions};
use crate::engine::{Events, Finder, Method, Report, Verdict};
use crate::error::{Error, Result};
use crate::interrupt;
use crate::invariants::Conj;
use crate::params::Params;
use crate::spec::Property;
use crate::symbolic::Encoding;
use crate::trace::Loop;
use std::time::Instant;

/// Runs `--prove` for every selected property. `Finish` (`FairSpec =>
/// <>TerminateCond`) is proved as two facts: no cycle of real steps (a
/// ranking measure, `engine::prove::ranking`) and no deadlock (the state
/// property `NoDeadlock`, proved like the others); a deadlock found is a
/// lasso that stutters forever.
pub fn run(p: &Params, opts: &ProveOptions, events: &Events) -> Result<(Report, ProveDetail)> {
    if !opts.props.contains(&Property::Finish) {
        return run_invariants(p, opts, events);
    }
    let asked_deadlock = opts.props.contains(&Property::NoDeadlock);
    let mut props: Vec<Property> = opts
        .props
        .iter()
        .copied()
        .filter(|q| !q.is_temporal())
        .collect();
    if !asked_deadlock {
        props.push(Property::NoDeadlock);
    }
    let inner = ProveOptions {
        props,
        ..opts.clone()
    };
    let ranked = {
        let _z3 = interrupt::Guard::new();
        let t = Instant::now();
        let r = ranking::check(
            &Encoding::new(p),
            opts.timeout.map(|d| d.as_millis() as u64),
        );
        if let Ok(n) = &r {
            events.stage(format!(
                "Finish: no cycle of real steps: a measure of {n} components rises on every real \
                 step (checked by Z3, {:.2} s)",
                t.elapsed().as_secs_f64()
            ));
        }
        r
    };
    let (mut report, detail) = run_invariants(p, &inner, events)?;
    let deadlock = report
        .verdict(Property::NoDeadlock)
        .cloned()
        .ok_or_else(|| Error::internal("NoDeadlock has no verdict"))?;
    let finish = match (ranked, deadlock) {
        (_, v @ (Verdict::Violated(_) | Verdict::Found { .. })) => {
            // A deadlock, where TerminateCond is false: the behaviour
            // stutters there forever.
            let mut lasso = v.counterexample().expect("a violation").clone();
            lasso.property = Property::Finish;
            lasso.lasso = Some(Loop::Stutter);
            lasso.conjunct = lasso.trace.replay_lasso(p, Loop::Stutter).map_err(|e| {
                Error::internal(format!("the deadlock's trace is not a Finish lasso: {e}"))
            })?;
            match v {
                Verdict::Found {
                    seed,
                    walked,
                    holds_up_to,
                    ..
                } => Verdict::Found {
                    cx: Box::new(lasso),
                    seed,
                    walked,
                    holds_up_to,
                },
                _ => Verdict::Violated(Box::new(lasso)),
            }
        }
        (Ok(n), Verdict::Proved(m)) => Verdict::Proved(Method::Ranked {
            components: n,
            deadlock_free: Box::new(m),
        }),
        (
            Ok(_),
            Verdict::Unknown {
                depth,
                reason,
                holds_up_to,
            },
        ) => Verdict::Unknown {
            depth,
            reason: format!(
                "no cycle of real steps (proved), but no deadlock is not proved: {reason}"
            ),
            holds_up_to,
        },
        (Err(e), _) => Verdict::unknown_at(0, format!("no ranking measure: {e}")),
        (Ok(_), v) => Verdict::unknown_at(0, format!("NoDeadlock: {v}")),
    };
    if !asked_deadlock {
        report.verdicts.retain(|(q, _)| *q != Property::NoDeadlock);
    }
    report.verdicts.push((Property::Finish, finish));
    report
        .verdicts
        .sort_by_key(|(q, _)| opts.props.iter().position(|x| x == q));
    Ok((report, detail))
}

fn run_invariants(
    p: &Params,
    opts: &ProveOptions,
    events: &Events,
) -> Result<(Report, ProveDetail)> {
    let _z3 = interrupt::Guard::new();
    let clock = Clock::new(opts.timeout);
    let enc = Encoding::new(p);
    let mut detail = ProveDetail::default();
    if opts.route == Route::Spacer {
        let mut verdicts = vec![];
        for &q in &opts.props {
            let v = spacer::prove(&enc, q, clock.left_ms(), events)?;
            verdicts.push((q, v));
        }
        return Ok((
            Report {
                verdicts,
                seconds: clock.secs(),
            },
            detail,
        ));
    }
    // 0. A short BMC run first: a shallow violation is found in seconds,
    // before any strengthening is paid for.
    let mut early: Vec<(Property, Verdict)> = vec![];
    // Per property, the depth up to which that run found no violation.
    let mut early_holds: Vec<(Property, usize)> = vec![];
    if opts.early_depth > 0 {
        let t = Instant::now();
        let mut plan = BmcPlan::new(opts.early_depth, opts.props.clone());
        plan.engine.timeout_ms = clock.left_ms().map(|ms| ms.min(30_000)).or(Some(30_000));
        let r = super::bmc::run(p, &plan, &Events::none())?;
        for (q, v) in r.verdicts {
            match v {
                v if v.is_violated() => early.push((q, v)),
                Verdict::HoldsUpTo(k)
                | Verdict::Unknown {
                    holds_up_to: Some(k),
                    ..
                } => early_holds.push((q, k)),
                _ => {}
            }
        }
        events.stage(format!(
            "BMC to depth {}: {} ({:.2} s)",
            opts.early_depth,
            if early.is_empty() {
                "no violation".to_string()
            } else {
                early
                    .iter()
                    .map(|(q, v)| format!("{q} {v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            t.elapsed().as_secs_f64()
        ));
    }
    // 0b. Random walks: a violation deeper than that is met in
    // milliseconds; no proof is tried for a property a walk violated.
    if let Some(w) = &opts.walks {
        let found = walk_first(p, opts, w, &early, &early_holds, &clock, events)?;
        early.extend(found);
    }
    let open: Vec<Property> = opts
        .props
        .iter()
        .copied()
        .filter(|q| !early.iter().any(|(q2, _)| q2 == q))
        .collect();
    // 1. Candidates.
    let mut lemmas: Vec<Conj> = vec![];
    let mut houdini_result: Option<Houdini> = None;
    let mut from_library = false;
    if opts.strengthen && !open.is_empty() {
        // The lemma library first: enough when it proves every open
        // property; otherwise the template search, whose lemmas also serve
        // k-induction for what stays open.
        if let Some(h) = crate::engine::prove::library::try_library(&enc, &open, &clock, events) {
            if h.proves(&open).len() == open.len() {
                houdini_result = Some(h);
                from_library = true;
            }
        }
    }
    if opts.strengthen && !open.is_empty() && houdini_result.is_none() {
        let seed = if opts.seed {
            seed_from_small(p, &open, opts, &clock, events)
        } else {
            None
        };
        houdini_result = strengthen(&enc, &open, opts, &clock, events, seed.as_deref());
        if let Some(h) = &houdini_result {
            lemmas = h.kept.clone();
        }
    }
    let mut verdicts = early;
    // 2. Properties in the 1-inductive set: re-check and report. Without
    // minimization they share one invariant: its Init and Next obligations
    // are checked once for all of them.
    let (full, in_set) = match &houdini_result {
        Some(h) if h.required_inductive => (h.invariant(), h.proves(&open)),
        _ => (vec![], vec![]),
    };
    // Seeded invariants are already a few hundred conjuncts; the closure's
    // unsat queries cost minutes on the standard configuration, so only the
    // large ones are shrunk.
    let shrink = opts.minimize && full.len() > MINIMIZE_ABOVE;
    let t_shared = Instant::now();
    let shared_check = (!in_set.is_empty() && !shrink)
        .then(|| check_certificate_all(&enc, &full, &in_set, clock.left_ms()));
    let shared_secs = t_shared.elapsed().as_secs_f64();
    let mut rest = vec![];
    for &q in &open {
        if let Some(h) = &houdini_result {
            if in_set.contains(&q) {
                let t = Instant::now();
                let (inv, how) = if shrink {
                    let inv = minimize(&enc, &full, &[q], &clock);
                    let how = format!(
                        " (the unsat cores' closure within the {} found, {:.2} s)",
                        full.len(),
                        t.elapsed().as_secs_f64()
                    );
                    (inv, how)
                } else {
                    (full.clone(), String::new())
                };
                let t = Instant::now();
                let (checked, secs) = match &shared_check {
                    Some(r) => (r.clone(), shared_secs),
                    None => {
                        let r = check_certificate(&enc, &inv, q, clock.left_ms());
                        (r, t.elapsed().as_secs_f64())
                    }
                };
                match checked {
                    Ok(()) => {
                        events.stage(format!(
                            "{q}: proved by a 1-inductive invariant of {} conjuncts{how}, \
                             re-checked by fresh solvers ({secs:.2} s)",
                            inv.len(),
                        ));
                        verdicts.push((
                            q,
                            Verdict::Proved(Method::Invariant {
                                conjuncts: inv.len(),
                                found_by: if from_library {
                                    Finder::Library
                                } else {
                                    Finder::Templates
                                },
                            }),
                        ));
                        detail.invariants.push((q, inv));
                        continue;
                    }
                    Err(CertError::Unknown(e)) => {
                        verdicts.push((
                            q,
                            unknown(
                                format!(
                                    "the re-check of its inductive invariant did not finish ({e})"
                                ),
                                None,
                            ),
                        ));
                        continue;
                    }
                    Err(CertError::Fails(e)) => {
                        return Err(Error::internal(format!(
                            "Houdini's invariant for {q} fails the independent re-check ({e}): \
                             a bug in the prover"
                        )))
                    }
                }
            }
            if let Some(cti) = &h.required_cti {
                detail.ctis.push((q, cti.clone()));
            } else if let Some(cti) = cti_for(&enc, &h.kept, q, &clock) {
                detail.ctis.push((q, cti));
            }
        }
        rest.push(q);
    }
    // 3. k-induction for the others.
    let mut undecided = vec![];
    for q in rest {
        let v = k_induction(&enc, q, &lemmas, opts, &clock, events)?;
        match v {
            Verdict::Unknown { holds_up_to, .. }
                if holds_up_to.is_some_and(|k| k < opts.late_depth) && !clock.expired() =>
            {
                undecided.push((q, v))
            }
            v => verdicts.push((q, v)),
        }
    }
    // 4. BMC deeper than k-induction's base case for what is still open: a
    // violation there is found; otherwise the unknown verdict stands, with
    // the deeper bound.
    if !undecided.is_empty() {
        let t = Instant::now();
        let props: Vec<Property> = undecided.iter().map(|(q, _)| *q).collect();
        let mut plan = BmcPlan::new(opts.late_depth, props);
        plan.engine.timeout_ms = clock.left_ms();
        plan.deadline = opts.timeout.map(|d| clock.start() + d);
        let r = super::bmc::run(p, &plan, &Events::none())?;
        for (q, v) in undecided {
            let late = r.verdict(q).cloned();
            events.stage(format!(
                "{q}: BMC to depth {} after the proof attempts: {} ({:.2} s)",
                opts.late_depth,
                late.as_ref().map_or("not run".into(), |l| l.to_string()),
                t.elapsed().as_secs_f64()
            ));
            verdicts.push((
                q,
                match (late, v) {
                    (Some(l @ Verdict::Violated(_)), _) => l,
                    (
                        Some(Verdict::HoldsUpTo(k)),
                        Verdict::Unknown {
                            reason,
                            holds_up_to,
                            ..
                        },
                    ) if Some(k) > holds_up_to => Verdict::Unknown {
                        depth: k + 1,
                        reason,
                        holds_up_to: Some(k),
                    },
                    (_, v) => v,
                },
            ));
        }
    }
    verdicts.sort_by_key(|(q, _)| opts.props.iter().position(|x| x == q));
    Ok((
        Report {
            verdicts,
            seconds: clock.secs(),
        },
        detail,
    ))
}

/// `--prove`'s random walks over the properties not yet decided (`done`):
/// a violation deeper than the first BMC run (the lost write of 5 replicas
/// with quorum 3 is 30 steps deep) is met in milliseconds, cut short, then
/// shortened by the bounded engines within the budget. The verdicts of the
/// properties a walk violated; `early_holds` is the depth up to which the
/// first BMC run found none, per property.
fn walk_first(
    p: &Params,
    opts: &ProveOptions,
    w: &SimOptions,
    done: &[(Property, Verdict)],
    early_holds: &[(Property, usize)],
    clock: &Clock,
    events: &Events,
) -> Result<Vec<(Property, Verdict)>> {
    let props: Vec<Property> = opts
        .props
        .iter()
        .copied()
        .filter(|q| !q.is_temporal() && !done.iter().any(|(q2, _)| q2 == q))
        .collect();
    if props.is_empty() || clock.expired() {
        return Ok(vec![]);
    }
    let t = Instant::now();
    let r = simulate::run(p, &SimOptions { props, ..w.clone() })?;
    events.stage(format!(
        "random walks: {} of at most {} steps, {} ({:.2} s)",
        r.runs,
        w.depth,
        match r.found.iter().filter(|(_, f)| f.is_some()).count() {
            0 => "no violation".to_string(),
            _ => r
                .found
                .iter()
                .filter_map(|(q, f)| {
                    f.as_ref().map(|f| {
                        format!(
                            "{q} violated at step {} of the walk with seed {}{}",
                            f.walked,
                            f.seed,
                            cut_words(f)
                        )
                    })
                })
                .collect::<Vec<_>>()
                .join("; "),
        },
        t.elapsed().as_secs_f64()
    ));
    let mut verdicts = vec![];
    for (q, f) in r.found {
        let Some(f) = f else { continue };
        let f = shortest_cut(p, w, q, f, events)?;
        let secs = clock
            .left_ms()
            .map_or(opts.shorten_secs, |ms| opts.shorten_secs.min(ms / 1000));
        let mut v = shorten(p, q, f, secs, events)?;
        if let Verdict::Found { holds_up_to, .. } = &mut v {
            let known = early_holds.iter().find(|(x, _)| *x == q).map(|(_, k)| *k);
            *holds_up_to = (*holds_up_to).max(known);
        }
        verdicts.push((q, v.shortest_if_known()));
    }
    Ok(verdicts)
}

/// `f`, or a shorter cut from more walks (`simulate::shortest_cut`).
fn shortest_cut(
    p: &Params,
    w: &SimOptions,
    q: Property,
    f: Found,
    events: &Events,
) -> Result<Found> {
    let first = f.cx.trace.depth();
    let f = simulate::shortest_cut(p, w, q, f, |_| false)?;
    if f.cx.trace.depth() < first {
        events.stage(format!(
            "{q}: {} more batches of walks: the walk with seed {} violates it at step {}, \
             cut to {} steps",
            simulate::MORE_WALK_BATCHES,
            f.seed,
            f.walked,
            f.cx.trace.depth()
        ));
    }
    Ok(f)
}
