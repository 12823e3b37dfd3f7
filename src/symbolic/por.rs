//! Partial-order reduction for BMC: of two adjacent steps whose actions
//! commute, only one order is unrolled.
//!
//! Each action instance has a footprint: the slots it reads (guard and new
//! values) and the slots it writes, each under a condition on the state
//! (`StartRequest(c)` writes `db[client_leader[c]]`). Two instances `a`
//! and `b` are independent in a state `s` when neither writes a slot the
//! other reads or writes there (`Encoding::independent`). Then, from `s`,
//! `a` followed by `b` and `b` followed by `a` are both enabled or both
//! not, and end in the same state.
//!
//! The reduction (`Encoding::por_step`) forbids a step `a` at position `i`
//! followed by `b` at `i + 1` when `b`'s selector index is smaller and they
//! are independent in `s_i`. Among the paths of length `k` that end in a
//! violating state, the one whose sequence of `(act, arg)` is
//! lexicographically smallest obeys this (swapping such a pair gives a path
//! of the same length to the same state, smaller at position `i`), and it
//! also obeys the replica and client symmetry breaking of `bmc` (relabelling
//! the first id touched out of order makes it smaller at that step). So
//! verdicts and shortest depths are unchanged; the test
//! `independent_actions_commute` checks the commutation with Z3 for every
//! pair this file declares independent.

use super::{and, eq_c, or, Encoding};
use crate::spec::Action;
use z3::ast::{Ast, Bool, BV};

/// `(slot, condition)`: the slot is touched when the condition holds.
pub type Footprint = Vec<(usize, Bool)>;

fn always(slots: impl IntoIterator<Item = usize>) -> Footprint {
    slots
        .into_iter()
        .map(|i| (i, Bool::from_bool(true)))
        .collect()
}

/// `slots[idx]` for a symbolic replica id `idx`.
fn at(slots: &[usize], idx: &BV) -> Footprint {
    slots
        .iter()
        .enumerate()
        .map(|(r, &i)| (i, eq_c(idx, r as u64)))
        .collect()
}

/// Row `idx` of a grid of slots.
fn row(grid: &[Vec<usize>], idx: &BV) -> Footprint {
    grid.iter()
        .enumerate()
        .flat_map(|(r, slots)| slots.iter().map(move |&i| (i, eq_c(idx, r as u64))))
        .collect()
}

impl Encoding {
    /// Reads and writes of action instance `a` in state `s`; `None` for
    /// `Terminated`, which is never reordered.
    pub fn footprint(&self, a: Action, s: &[BV]) -> Option<(Footprint, Footprint)> {
        let l = &self.layout;
        let p = &self.p;
        let nr = p.replicas;
        let client = |c: usize| {
            [
                l.pending_nil[c],
                l.pending[c],
                l.pending_db_nil[c],
                l.pending_db[c],
            ]
        };
        use Action::*;
        let (mut r, mut w): (Footprint, Footprint);
        match a {
            StartRequest(c) => {
                let ld = &s[l.client_leader[c]];
                r = always([l.pending_nil[c], l.next_req, l.client_leader[c]]);
                r.extend(at(&l.db_status, ld));
                r.extend(at(&l.db_len, ld));
                w = always(client(c));
                w.extend(always([l.next_req]));
                w.extend(at(&l.db_len, ld));
                w.extend(row(&l.db_ent, ld));
                let diag: Vec<usize> = (0..nr).map(|x| l.db_repl[x][x]).collect();
                w.extend(at(&diag, ld));
            }
            DBResponse(c) => {
                let pd = &s[l.pending_db[c]];
                r = always(client(c));
                r.extend(always([l.cs_len[c]]));
                r.extend(at(&l.db_len, pd));
                r.extend(row(&l.db_ent, pd));
                r.extend(row(&l.db_repl, pd));
                w = always(client(c));
                w.extend(always([l.cs_len[c]]));
                w.extend(always(l.cs_ent[c].iter().copied()));
            }
            ClientUpdateLeader(c) => {
                r = always([l.cle[c], l.zk_leader_epoch, l.zk_leader]);
                w = always(client(c));
                w.extend(always([l.cle[c], l.client_leader[c]]));
            }
            Replicate(x) => {
                let ld = &s[l.db_leader[x]];
                r = always([l.db_leader[x], l.db_status[x], l.db_len[x]]);
                r.extend(at(&l.db_len, ld));
                r.extend(row(&l.db_ent, ld));
                w = always([l.db_len[x]]);
                w.extend(always(l.db_ent[x].iter().copied()));
                let col: Vec<usize> = (0..nr).map(|y| l.db_repl[y][x]).collect();
                w.extend(at(&col, ld));
            }
            DBUpdateLeader(x) => {
                r = always([
                    l.db_epoch[x],
                    l.zk_epoch,
                    l.zk_status,
                    l.old_leaders[x],
                    l.zk_leader,
                    l.db_leader[x],
                    l.db_len[x],
                ]);
                r.extend(always(l.db_repl[x].iter().copied()));
                w = always([l.db_epoch[x], l.db_leader[x], l.db_status[x]]);
                w.extend(always(l.db_repl[x].iter().copied()));
            }
            RecoverOldLeader(x) => {
                r = always([l.old_leaders[x], l.zk_status, l.zk_epoch, l.zk_leader]);
                w = always([
                    l.db_len[x],
                    l.db_status[x],
                    l.db_epoch[x],
                    l.db_leader[x],
                    l.old_leaders[x],
                ]);
                w.extend(always(l.db_ent[x].iter().copied()));
                w.extend(always(l.db_repl[x].iter().copied()));
            }
            ReadyToChangeZKLeader => {
                r = always([l.zk_leader_epoch, l.zk_status, l.zk_epoch, l.zk_leader]);
                r.extend(always(l.old_leaders.iter().copied()));
                w = always([l.zk_status, l.zk_epoch]);
                w.extend(at(&l.old_leaders, &s[l.zk_leader]));
            }
            HealerUpdateState => {
                r = always([l.healer_epoch, l.zk_epoch, l.zk_status]);
                w = always([l.healer_epoch, l.healer_status]);
                w.extend(always(l.hr_nil.iter().chain(&l.hr).copied()));
            }
            HealerGetDBLog(x) => {
                r = always([
                    l.healer_status,
                    l.hr_nil[x],
                    l.old_leaders[x],
                    l.db_epoch[x],
                    l.healer_epoch,
                    l.db_len[x],
                ]);
                w = always([l.hr_nil[x], l.hr[x]]);
            }
            HealerUpdateLeader => {
                r = always([l.healer_status, l.healer_epoch, l.zk_epoch]);
                r.extend(always(l.hr_nil.iter().chain(&l.hr).copied()));
                w = always([
                    l.zk_leader,
                    l.catchup_nil,
                    l.catchup,
                    l.zk_status,
                    l.zk_epoch,
                    l.zk_leader_epoch,
                ]);
            }
            HealerUpdateToNormal => {
                r = always([l.healer_status, l.zk_status, l.catchup_nil, l.catchup]);
                r.extend(always(l.old_leaders.iter().chain(&l.db_len).copied()));
                w = always([l.zk_status, l.zk_epoch]);
            }
            Terminated => return None,
        }
        Some((r, w))
    }

    /// When `a` and `b` commute from `s`: neither writes what the other
    /// reads or writes. `None` when they never do.
    pub fn independent(&self, a: Action, b: Action, s: &[BV]) -> Option<Bool> {
        let (ra, wa) = self.footprint(a, s)?;
        let (rb, wb) = self.footprint(b, s)?;
        let mut clash = vec![];
        let mut meet = |x: &Footprint, y: &Footprint| {
            for (i, ci) in x {
                for (j, cj) in y {
                    if i == j {
                        clash.push(and(&[ci.clone(), cj.clone()]));
                    }
                }
            }
        };
        meet(&wa, &rb);
        meet(&wa, &wb);
        meet(&wb, &ra);
        let ok = or(&clash).not().simplify();
        if ok.as_bool() == Some(false) {
            None
        } else {
            Some(ok)
        }
    }

    /// Pairs `(i, j)` of selector indices with `i > j`, and whether the
    /// two instances are independent in `s` (`None`: never).
    pub fn inversions(&self, s: &[BV]) -> Vec<(usize, usize, Bool)> {
        let mut v = vec![];
        for (i, &a) in self.actions.iter().enumerate() {
            for (j, &b) in self.actions.iter().enumerate().take(i) {
                if let Some(ok) = self.independent(a, b, s) {
                    v.push((i, j, ok));
                }
            }
        }
        v
    }

    /// The reduction between step `s -(act0)-> . -(act1)-> .`: the later
    /// step's action is not an independent one of smaller index.
    pub fn por_step(&self, s: &[BV], act0: &BV, act1: &BV) -> Bool {
        let clauses: Vec<Bool> = self
            .inversions(s)
            .into_iter()
            .map(|(i, j, ok)| and(&[eq_c(act0, i as u64), eq_c(act1, j as u64), ok]).not())
            .collect();
        and(&clauses)
    }

    /// Guard of `a` in `s` and the state it leads to.
    pub fn apply(&self, a: Action, s: &[BV], arg: &BV) -> (Bool, Vec<BV>) {
        let (guard, updates) = self.action(a, s, arg);
        let mut n = s.to_vec();
        for (slot, val) in updates {
            n[slot] = val;
        }
        (guard, n)
    }

    /// Every replica id held in a variable names a replica: true in every
    /// reachable state (ids come from `zk_leader`, set in `Init` and by
    /// `HealerUpdateLeader` from a collected replica), and the footprints
    /// of `footprint` assume it.
    pub fn ids_in_range(&self, s: &[BV]) -> Bool {
        let l = &self.layout;
        let ids = std::iter::once(l.zk_leader)
            .chain(l.db_leader.iter().copied())
            .chain(l.client_leader.iter().copied())
            .chain(l.pending_db.iter().copied());
        and(&ids
            .map(|i| super::lt_c(&s[i], self.p.replicas as u64))
            .collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;
    use z3::{SatResult, Solver};

    /// For every pair the reduction may reorder (`a` then `b`, `a`'s
    /// index larger, independent in `s`): if `a` then `b` is a path from
    /// `s`, so is `b` then `a`, to the same state. Checked over every state
    /// whose ids are in range, not only reachable ones.
    fn commute(p: &Params) -> usize {
        let enc = Encoding::new(p);
        let s = enc.state(0);
        let arg = BV::new_const("arg", p.w_replica());
        let mut checked = 0;
        for (i, j, ok) in enc.inversions(&s) {
            let (a, b) = (enc.actions[i], enc.actions[j]);
            let (ga, s1) = enc.apply(a, &s, &arg);
            let (gb1, s2) = enc.apply(b, &s1, &arg);
            let (gb, t1) = enc.apply(b, &s, &arg);
            let (ga1, t2) = enc.apply(a, &t1, &arg);
            let same: Vec<Bool> = s2.iter().zip(&t2).map(|(x, y)| x.eq(y)).collect();
            let solver = Solver::new();
            solver.assert(enc.ids_in_range(&s));
            solver.assert(ok);
            solver.assert(ga);
            solver.assert(gb1);
            solver.assert(and(&[gb, ga1, and(&same)]).not());
            let r = solver.check();
            assert_eq!(
                r,
                SatResult::Unsat,
                "{a} then {b} does not commute ({}): {:?}",
                p.describe(),
                solver.get_model()
            );
            checked += 1;
        }
        checked
    }

    #[test]
    fn independent_actions_commute() {
        let std = Params::default();
        let n = commute(&std);
        // The pairs that matter: replication to two replicas, a client's
        // leader update beside any other client's step.
        assert!(n > 50, "only {n} independent pairs");
        let four = Params {
            replicas: 4,
            replication_factor: 3,
            clients: 1,
            ..Params::default()
        };
        commute(&four);
    }

    #[test]
    fn ids_stay_in_range() {
        let p = Params::default();
        let enc = Encoding::new(&p);
        let (s, n) = (enc.state(0), enc.state(1));
        let sv = enc.step_vars(0);
        let solver = Solver::new();
        solver.assert(enc.init(&s));
        solver.assert(enc.ids_in_range(&s).not());
        assert_eq!(solver.check(), SatResult::Unsat, "Init");
        let solver = Solver::new();
        solver.assert(enc.ids_in_range(&s));
        solver.assert(enc.trans(&s, &n, &sv));
        solver.assert(enc.ids_in_range(&n).not());
        assert_eq!(solver.check(), SatResult::Unsat, "Next");
    }
}
