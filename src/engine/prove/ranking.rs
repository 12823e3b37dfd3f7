//! No cycle of real steps: a lexicographic measure that every real step
//! (every action but `Terminated`'s stutter) strictly raises, checked by Z3
//! on the encoded transition. With it, a behaviour of `FairSpec` that never
//! meets `TerminateCond` cannot loop; it can only end in a state without a
//! real step and stutter there, so `Finish` reduces to the absence of
//! deadlocks, and lasso BMC needs no loop-back constraints.
//!
//! The measure, most significant first: `zk_epoch`, the replicas that are
//! not old leaders, the sum of `db_epoch`, `healer_epoch`, the sum of
//! `client_leader_epoch`, `next_req`, the clients' successes, the log
//! lengths, the logs the healer collected. Each action raises one component
//! and leaves the ones before it unchanged (`RecoverOldLeader` may lower
//! `db_epoch`, below the old-leader count it raises). The check assumes no
//! incremented slot (`zk_epoch`, `next_req`, a log or success length) is at
//! its largest value, as the widths guarantee for every reachable state
//! (they hold every reachable value plus one; `params.rs`).

use crate::error::{Error, Result};
use crate::spec::Action;
use crate::symbolic::unroll::new_solver;
use crate::symbolic::Encoding;
use z3::ast::{Bool, BV};
use z3::SatResult;

/// Bits of each component: wide enough for any sum of slots.
const W: u32 = 32;

fn widen(x: &BV) -> BV {
    x.zero_ext(W - x.get_size())
}

fn sum(xs: Vec<BV>) -> BV {
    xs.into_iter()
        .fold(BV::from_u64(0, W), |acc, x| acc.bvadd(&x))
}

/// 1 when the flag slot is 0 (the id is not an old leader, the healer has
/// the log), else 0.
fn cleared(x: &BV) -> BV {
    widen(x)
        .bvxor(&BV::from_u64(1, W))
        .bvand(&BV::from_u64(1, W))
}

/// The measure of `s`, most significant component first.
pub fn measure(enc: &Encoding, s: &[BV]) -> Vec<BV> {
    let l = &enc.layout;
    let of = |slots: &[usize]| sum(slots.iter().map(|&i| widen(&s[i])).collect());
    vec![
        widen(&s[l.zk_epoch]),
        sum(l.old_leaders.iter().map(|&i| cleared(&s[i])).collect()),
        of(&l.db_epoch),
        widen(&s[l.healer_epoch]),
        of(&l.cle),
        widen(&s[l.next_req]),
        of(&l.cs_len),
        of(&l.db_len),
        sum(l.hr_nil.iter().map(|&i| cleared(&s[i])).collect()),
    ]
}

/// The measure, the lexicographic order, the property that every real
/// step raises the measure, and the assumption `check` makes (no
/// incremented slot at its largest value), as TLA+ definitions for a
/// certificate. Components in the order of `measure`; `SumOf` sums a
/// function of naturals without recursion.
pub fn tla_definitions(p: &crate::params::Params) -> String {
    let l = crate::layout::Layout::new(p);
    let top = |i: usize| (1u64 << l.slots[i].width) - 2;
    format!(
        "\\* SumOf(f, S): the sum of the naturals f[x], x \\in S (without recursion).\n\
         SumOf(f, S) == Cardinality(UNION {{{{<<x, i>> : i \\in 1..f[x]}} : x \\in S}})\n\n\
         Measure ==\n    \
         << zk_epoch,\n       \
         Cardinality(Replica \\ old_leaders),\n       \
         SumOf(db_epoch, Replica),\n       \
         healer_epoch,\n       \
         SumOf(client_leader_epoch, Client),\n       \
         next_req,\n       \
         SumOf([c \\in Client |-> Len(client_success[c])], Client),\n       \
         SumOf([r \\in Replica |-> Len(db[r])], Replica),\n       \
         Cardinality({{r \\in Replica : healer_replicas[r] # nil}}) >>\n\n\
         \\* m is lexicographically above n.\n\
         Above(m, n) == \\E i \\in 1..Len(m) : m[i] > n[i] /\\ \\A j \\in 1..(i - 1) : m[j] = n[j]\n\n\
         \\* Every real step raises the measure.\n\
         RealStepsRaiseMeasure == [][vars' # vars => Above(Measure', Measure)]_vars\n\n\
         \\* The values the check took as below the largest of semisync-bmc's bit widths.\n\
         WithinWidths ==\n    \
         /\\ zk_epoch <= {zk}\n    \
         /\\ next_req <= {nr}\n    \
         /\\ \\A r \\in Replica : Len(db[r]) <= {db}\n    \
         /\\ \\A c \\in Client : Len(client_success[c]) <= {cs}\n",
        zk = top(l.zk_epoch),
        nr = crate::params::REQ_BASE as u64 + top(l.next_req),
        db = top(l.db_len[0]),
        cs = top(l.cs_len[0]),
    )
}

/// `a` lexicographically above `b`.
fn above(a: &[BV], b: &[BV]) -> Bool {
    let mut cases = vec![];
    for i in 0..a.len() {
        let mut c: Vec<Bool> = (0..i).map(|j| a[j].eq(&b[j])).collect();
        c.push(a[i].bvugt(&b[i]));
        cases.push(Bool::and(&c));
    }
    Bool::or(&cases)
}

/// Checks that every real step raises the measure. `Ok(components)` when
/// Z3 proves it; an error says which step does not (a bug in the measure or
/// in the encoding) or that the solver gave no answer.
pub fn check(enc: &Encoding, timeout_ms: Option<u64>) -> Result<usize> {
    let l = &enc.layout;
    let s = enc.state(0);
    let t = enc.state(1);
    let sv = enc.step_vars(0);
    let below_max = |i: usize| {
        let w = l.slots[i].width;
        s[i].bvult(&BV::from_u64((1u64 << w) - 1, w))
    };
    let mut pre: Vec<Bool> = vec![
        enc.well_formed(&s),
        below_max(l.zk_epoch),
        below_max(l.next_req),
    ];
    pre.extend(l.db_len.iter().chain(&l.cs_len).map(|&i| below_max(i)));
    let terminated = enc
        .actions
        .iter()
        .position(|&a| a == Action::Terminated)
        .expect("Next has Terminated");
    let stutter = sv.act.eq(BV::from_u64(terminated as u64, enc.w_act));
    let sol = new_solver(timeout_ms);
    sol.assert(Bool::and(&pre));
    sol.assert(enc.trans(&s, &t, &sv));
    sol.assert(stutter.not());
    let (ms, mt) = (measure(enc, &s), measure(enc, &t));
    sol.assert(above(&mt, &ms).not());
    match sol.check() {
        SatResult::Unsat => Ok(ms.len()),
        SatResult::Unknown => Err(Error::internal(format!(
            "the solver gave no answer on the ranking check ({})",
            sol.get_reason_unknown().unwrap_or_default()
        ))),
        SatResult::Sat => {
            let act = sol
                .get_model()
                .and_then(|m| m.eval(&sv.act, true))
                .and_then(|v| v.as_u64())
                .and_then(|i| enc.actions.get(i as usize).copied());
            Err(Error::internal(format!(
                "a real step does not raise the measure ({}): no cycle-freedom argument",
                act.map_or("?".to_string(), |a| a.to_string())
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;

    #[test]
    fn every_real_step_raises_the_measure() {
        for p in [
            Params::default(),
            Params {
                replicas: 4,
                replication_factor: 3,
                clients: 1,
                ..Params::default()
            },
            Params {
                log_offset_max: 2,
                epoch_max: 3,
                ..Params::default()
            },
        ] {
            let enc = Encoding::new(&p);
            assert_eq!(check(&enc, None).unwrap(), 9, "{p:?}");
        }
    }

    #[test]
    fn a_measure_missing_a_component_is_refuted() {
        // Without the log lengths, Replicate raises nothing: the check must
        // say no (it can).
        let p = Params::default();
        let enc = Encoding::new(&p);
        let s = enc.state(0);
        let t = enc.state(1);
        let sv = enc.step_vars(0);
        let cut = |m: Vec<BV>| -> Vec<BV> { m.into_iter().take(7).collect() };
        let sol = new_solver(None);
        sol.assert(enc.well_formed(&s));
        sol.assert(enc.trans(&s, &t, &sv));
        let replicate = enc
            .actions
            .iter()
            .position(|&a| matches!(a, Action::Replicate(_)))
            .unwrap();
        sol.assert(sv.act.eq(BV::from_u64(replicate as u64, enc.w_act)));
        sol.assert(above(&cut(measure(&enc, &t)), &cut(measure(&enc, &s))).not());
        assert_eq!(sol.check(), SatResult::Sat);
    }
}
