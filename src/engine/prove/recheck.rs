//! The independent re-check of every proof: each obligation of an
//! inductive invariant (`Init => I`, `I /\ Next => I'`, `I => P`) is
//! discharged by a fresh solver. BMC, `--prove` and Spacer all call it;
//! nothing is reported proved without it.

use super::par;
use crate::invariants::{conj_name, required, Conj};
use crate::spec::Property;
use crate::symbolic::unroll::new_solver;
use crate::symbolic::Encoding;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use z3::ast::{Bool, BV};
use z3::SatResult;

/// Why a certificate was not confirmed.
#[derive(Debug, Clone)]
pub enum CertError {
    /// An obligation is satisfiable: the invariant is wrong.
    Fails(String),
    /// The solver gave no answer (a time limit).
    Unknown(String),
}

impl std::fmt::Display for CertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertError::Fails(s) | CertError::Unknown(s) => f.write_str(s),
        }
    }
}

/// Re-checks, each obligation with a fresh solver, that `inv` is an
/// inductive invariant implying `prop`: `Init => I`, `I /\ Next => I'`
/// (one obligation per action instance, on every core), `I => P`. `inv`
/// must hold the required conjuncts.
pub fn check_certificate(
    enc: &Encoding,
    inv: &[Conj],
    prop: Property,
    timeout_ms: Option<u64>,
) -> Result<(), CertError> {
    check_certificate_all(enc, inv, &[prop], timeout_ms)
}

/// `check_certificate` for several properties: `Init => IndInv` and
/// `IndInv /\ Next => IndInv'` once, `IndInv => P` per property.
pub fn check_certificate_all(
    enc: &Encoding,
    inv: &[Conj],
    props: &[Property],
    timeout_ms: Option<u64>,
) -> Result<(), CertError> {
    for r in required() {
        if !inv.contains(&r) {
            return Err(CertError::Fails(format!(
                "the invariant lacks {}",
                conj_name(&r, &enc.p)
            )));
        }
    }
    let conj = |enc: &Encoding, s: &[BV]| {
        Bool::and(&inv.iter().map(|c| c.sym(enc, s)).collect::<Vec<_>>())
    };
    let s0 = enc.state(0);
    let mut obligations: Vec<(String, Bool)> = vec![(
        "Init => IndInv".into(),
        Bool::and(&[enc.init(&s0), conj(enc, &s0).not()]),
    )];
    for &q in props {
        obligations.push((
            format!("IndInv => {q}"),
            Bool::and(&[conj(enc, &s0), enc.property(q, &s0).not()]),
        ));
    }
    discharge(
        obligations.iter().map(|(n, b)| (n.as_str(), b.clone())),
        timeout_ms,
    )?;
    // `IndInv /\ Next => IndInv'`: one obligation per action instance, on
    // every core (see `par`).
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<(usize, CertError)>> = Mutex::new(None);
    par::on_every_core(enc, |enc| {
        let s0 = enc.state(0);
        let s1 = enc.state(1);
        let sv = enc.step_vars(0);
        let (i0, i1) = (conj(enc, &s0), conj(enc, &s1).not());
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            if i >= enc.actions.len() || failed.lock().unwrap().is_some() {
                break;
            }
            let name = format!("IndInv /\\ Next => IndInv' (the step {})", enc.actions[i]);
            let q = Bool::and(&[
                i0.clone(),
                enc.trans_restricted(&s0, &s1, &sv, Some(i)),
                i1.clone(),
            ]);
            if let Err(e) = discharge([(name.as_str(), q)], timeout_ms) {
                let mut f = failed.lock().unwrap();
                // The lowest instance's failure, whichever thread saw it.
                if f.as_ref().is_none_or(|(j, _)| i < *j) {
                    *f = Some((i, e));
                }
            }
        }
    });
    match failed.into_inner().unwrap() {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// Each obligation unsatisfiable, each checked by a fresh solver.
pub fn discharge<'a>(
    obligations: impl IntoIterator<Item = (&'a str, Bool)>,
    timeout_ms: Option<u64>,
) -> Result<(), CertError> {
    for (name, q) in obligations {
        let sol = new_solver(timeout_ms);
        sol.assert(&q);
        let t = std::time::Instant::now();
        let r = sol.check();
        log::debug!(
            "re-check: {name}: {r:?} in {:.3} s",
            t.elapsed().as_secs_f64()
        );
        match r {
            SatResult::Unsat => {}
            SatResult::Sat => return Err(CertError::Fails(format!("{name} fails"))),
            SatResult::Unknown => {
                return Err(CertError::Unknown(format!(
                    "{name}: the solver answered unknown"
                )))
            }
        }
    }
    Ok(())
}
