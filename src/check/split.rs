//! `--split-depths`: the depths shared between two threads, each with its
//! own solver (Z3 contexts are per thread): one checks the even depths, the
//! other the odd ones; each unrolls every step (with the same symmetry
//! breaking) and asserts its own proven depths as lemmas. A property's
//! verdict is its smallest SAT depth once every smaller depth is UNSAT; a
//! thread skips a depth once a smaller one is SAT or unknown.

use super::bmc::{BmcPlan, PorPolicy, POR_DEPTH};
use crate::engine::bmc::Bmc;
use crate::engine::{Report, Verdict};
use crate::error::{Error, Result};
use crate::interrupt;
use crate::params::Params;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// (property index, depth) -> its answer: `None` for no violation.
type Found = BTreeMap<(usize, usize), Option<Verdict>>;

/// Whether property `qi` is decided (violated or unknown) below depth `k`.
fn decided_below(f: &Found, qi: usize, k: usize) -> bool {
    f.range((qi, 0)..(qi, k)).any(|(_, v)| v.is_some())
}

pub fn run(p: &Params, plan: &BmcPlan) -> Result<Report> {
    let start = Instant::now();
    let found: Arc<Mutex<Found>> = Arc::new(Mutex::new(BTreeMap::new()));
    let por = match plan.partial_order {
        PorPolicy::Off => None,
        PorPolicy::From(k) => Some(k),
        PorPolicy::Auto => Some(POR_DEPTH),
    };
    // The reduction's proof, once for both workers.
    let proof = por.map(|_| crate::symbolic::por::verify(p));
    let worker = |parity: usize| {
        let found = Arc::clone(&found);
        let (p, plan, proof) = (p.clone(), plan.clone(), proof.clone());
        interrupt::spawn(move || -> Result<()> {
            let _z3 = interrupt::Guard::new();
            let mut bmc = Bmc::new(&p, &plan.engine, &plan.props);
            if let (Some(from), Some(proof)) = (por, proof) {
                bmc.reduce_partial_order(from);
                bmc.partial_order_verified(proof);
            }
            for k in 0..=plan.depth {
                if interrupt::requested() {
                    break;
                }
                if k > 0 {
                    bmc.deepen();
                }
                if k % 2 != parity {
                    continue;
                }
                for (qi, &q) in plan.props.iter().enumerate() {
                    if decided_below(&found.lock().unwrap(), qi, k) {
                        continue;
                    }
                    let v = bmc.check(q)?.verdict;
                    found.lock().unwrap().insert((qi, k), v);
                }
                let f = found.lock().unwrap();
                if (0..plan.props.len()).all(|qi| decided_below(&f, qi, k)) {
                    break;
                }
            }
            Ok(())
        })
    };
    let handles = [worker(0), worker(1)];
    for h in handles {
        h.join()
            .map_err(|_| Error::internal("a --split-depths worker panicked"))??;
    }
    let found = found.lock().unwrap();
    let mut verdicts = vec![];
    for (qi, &q) in plan.props.iter().enumerate() {
        let mut v = Verdict::HoldsUpTo(plan.depth);
        for k in 0..=plan.depth {
            match found.get(&(qi, k)) {
                Some(None) => continue,
                Some(Some(x)) => {
                    v = x.clone();
                    break;
                }
                None if interrupt::requested() => {
                    v = Verdict::unknown_at(k, interrupt::REASON);
                    break;
                }
                None => {
                    return Err(Error::internal(format!(
                        "--split-depths: depth {k} of {q} was never checked"
                    )))
                }
            }
        }
        verdicts.push((q, v));
    }
    Ok(Report {
        verdicts,
        seconds: start.elapsed().as_secs_f64(),
    })
}
