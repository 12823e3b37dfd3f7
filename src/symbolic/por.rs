//! Partial-order reduction for BMC: of two adjacent steps whose actions
//! commute, only one order is unrolled.
//!
//! Each action instance has an access set in a state (`Encoding::access`):
//! the slots it reads (guard and new values), the slots it only compares
//! from below, and the slots it writes, each under a condition on the state
//! (`StartRequest(c)` writes `db[client_leader[c]]`, at position `Len + 1`).
//! If `a` then `b` is a path from `s`, and in `s` `a` writes nothing `b`
//! touches and `b` writes nothing `a` reads (or only raises what `a`
//! compares from below), then `b` then `a` is a path from `s` to the same
//! state (`Encoding::independent`).
//!
//! The reduction (`Encoding::por_step`) forbids `a` at step `i` followed by
//! `b` at `i + 1` when `b` has the smaller rank (`Encoding::rank`) and they
//! are independent in `s_i`. Among the paths of length `k` that end in a
//! violating state, the one whose sequence of `(rank(act), arg)` is
//! lexicographically smallest obeys this (swapping such a pair gives a path
//! of the same length to the same state, smaller at step `i`), and it also
//! obeys the replica and client symmetry breaking of `bmc` (relabelling the
//! first id touched out of order makes it smaller at that step, as ranks
//! ascend with ids within each action). So verdicts and shortest depths are
//! unchanged. The test `independent_actions_commute` proves the commutation
//! with Z3 for every pair that `inversions` lists, over every state whose
//! ids are in range (`ids_in_range`, itself proved inductive).
//!
//! Measurements are in the README ("Performance"): it halves the deep
//! UNSAT depths of W1 and slows searches whose depths stay cheap, hence
//! `bmc::PorPolicy::Auto`. Tried and not kept: only the unconditional pairs
//! (W1 4.8-6.6 s against 3.4-4.4 s with the conditional ones), sleep sets
//! (an instance stays forbidden while it is independent of every step since
//! it could have been taken: 21-23 s, the larger formula costs more than
//! the paths it removes), the exact commutation as the condition for the
//! request-path pairs (7 s: two more transitions per pair and step).

use super::{and, eq_c, or, Encoding};
use crate::spec::Action;
use z3::ast::{Bool, BV};

/// Which positions of a sequence row an access touches.
#[derive(Clone)]
pub enum Pos {
    All,
    /// Position `len + 1` (an append, or a copy to the end), for the
    /// length term given.
    At(BV),
    /// Positions `1..len`.
    Below(BV),
}

/// One slot (or, for sequence entries, one row: its first slot stands for
/// the row), touched when `cond` holds.
#[derive(Clone)]
pub struct Atom {
    pub slot: usize,
    pub cond: Bool,
    pub pos: Pos,
}

pub type Footprint = Vec<Atom>;

fn atom(slot: usize, cond: Bool) -> Atom {
    Atom {
        slot,
        cond,
        pos: Pos::All,
    }
}

fn always(slots: impl IntoIterator<Item = usize>) -> Footprint {
    slots
        .into_iter()
        .map(|i| atom(i, Bool::from_bool(true)))
        .collect()
}

/// `slots[idx]` for a symbolic replica id `idx`.
fn at(slots: &[usize], idx: &BV) -> Footprint {
    slots
        .iter()
        .enumerate()
        .map(|(r, &i)| atom(i, eq_c(idx, r as u64)))
        .collect()
}

/// Row `idx` of a grid of slots.
fn row(grid: &[Vec<usize>], idx: &BV) -> Footprint {
    grid.iter()
        .enumerate()
        .flat_map(|(r, slots)| slots.iter().map(move |&i| atom(i, eq_c(idx, r as u64))))
        .collect()
}

/// The entries of log `idx` (a row of `grid`) at the positions `pos(r)`
/// says for row `r`.
fn entries(grid: &[Vec<usize>], idx: &BV, pos: impl Fn(usize) -> Pos) -> Footprint {
    grid.iter()
        .enumerate()
        .map(|(r, slots)| Atom {
            slot: slots[0],
            cond: eq_c(idx, r as u64),
            pos: pos(r),
        })
        .collect()
}

/// Whether two accesses to the same row meet.
fn overlap(p: &Pos, q: &Pos) -> Bool {
    match (p, q) {
        (Pos::At(a), Pos::At(b)) => a.eq(b),
        (Pos::At(a), Pos::Below(b)) | (Pos::Below(b), Pos::At(a)) => a.bvult(b),
        _ => Bool::from_bool(true),
    }
}

/// What an action instance touches in a state.
pub struct Access {
    /// Slots whose values its guard or its new values depend on.
    pub reads: Footprint,
    /// Slots it only compares from below: if they grow (logs only by
    /// appending), it stays enabled with the same effect (`db_len` and
    /// `db_replicated` for `DBResponse`, the leader's length for
    /// `Replicate`, the lengths for `HealerUpdateToNormal`).
    pub grows: Footprint,
    pub writes: Footprint,
}

impl Encoding {
    /// What action instance `a` touches in state `s`; `None` for
    /// `Terminated`, which is never reordered.
    pub fn access(&self, a: Action, s: &[BV]) -> Option<Access> {
        let l = &self.layout;
        let p = &self.p;
        let nr = p.replicas;
        let lens: Vec<BV> = l.db_len.iter().map(|&i| s[i].clone()).collect();
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
        let mut g: Footprint = vec![];
        match a {
            StartRequest(c) => {
                let ld = &s[l.client_leader[c]];
                r = always([l.pending_nil[c], l.next_req, l.client_leader[c]]);
                r.extend(at(&l.db_status, ld));
                r.extend(at(&l.db_len, ld));
                w = always(client(c));
                w.extend(always([l.next_req]));
                w.extend(at(&l.db_len, ld));
                w.extend(entries(&l.db_ent, ld, |y| Pos::At(lens[y].clone())));
                let diag: Vec<usize> = (0..nr).map(|x| l.db_repl[x][x]).collect();
                w.extend(at(&diag, ld));
            }
            DBResponse(c) => {
                let pd = &s[l.pending_db[c]];
                r = always(client(c));
                r.extend(always([l.cs_len[c]]));
                r.extend(entries(&l.db_ent, pd, |y| Pos::Below(lens[y].clone())));
                g = at(&l.db_len, pd);
                g.extend(row(&l.db_repl, pd));
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
                r.extend(entries(&l.db_ent, ld, |_| Pos::At(lens[x].clone())));
                g = at(&l.db_len, ld);
                w = always([l.db_len[x]]);
                w.push(Atom {
                    slot: l.db_ent[x][0],
                    cond: Bool::from_bool(true),
                    pos: Pos::At(lens[x].clone()),
                });
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
                // The whole log: its row's first slot stands for it.
                w.extend(always([l.db_ent[x][0]]));
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
                r.extend(always(l.old_leaders.iter().copied()));
                g = always(l.db_len.iter().copied());
                w = always([l.zk_status, l.zk_epoch]);
            }
            Terminated => return None,
        }
        Some(Access {
            reads: r,
            grows: g,
            writes: w,
        })
    }

    /// When `a` then `b` from `s` (given) implies `b` then `a` from `s`, to
    /// the same state: `a` writes nothing `b` touches, and `b` writes
    /// nothing `a` reads, except slots `a` only compares from below, which
    /// `b` may make larger. `None` when that never holds.
    /// `x` and `y` are the access sets of `a` and `b` in `s`.
    pub fn independent(&self, b: Action, x: &Access, y: &Access, s: &[BV]) -> Option<Bool> {
        let mut clash = vec![];
        let mut meet = |u: &Footprint, v: &Footprint| {
            for x in u {
                for y in v.iter().filter(|y| y.slot == x.slot) {
                    clash.push(and(&[
                        x.cond.clone(),
                        y.cond.clone(),
                        overlap(&x.pos, &y.pos),
                    ]));
                }
            }
        };
        meet(&x.writes, &y.reads);
        meet(&x.writes, &y.grows);
        meet(&x.writes, &y.writes);
        meet(&y.writes, &x.reads);
        // What `a` only compares from below, `b` may raise (never an
        // entry: `grows` holds lengths and counts).
        let raised: Vec<(&Atom, &Atom)> = x
            .grows
            .iter()
            .flat_map(|g| {
                y.writes
                    .iter()
                    .filter(move |w| w.slot == g.slot)
                    .map(move |w| (g, w))
            })
            .collect();
        if !raised.is_empty() {
            let (_, t) = self.apply(b, s, &BV::from_u64(0, self.p.w_replica()));
            for (g, w) in raised {
                let up = s[g.slot].bvule(&t[g.slot]);
                clash.push(and(&[g.cond.clone(), w.cond.clone(), up.not()]));
            }
        }
        let ok = super::simplify(&or(&clash).not());
        if ok.as_bool() == Some(false) {
            None
        } else {
            Some(ok)
        }
    }

    /// The order the reduction keeps: along the request path, appends
    /// before copies before acknowledgements (`StartRequest`, `Replicate`,
    /// `DBResponse`: each may enable the next, never the one before), then
    /// the rest, in selector order within each group (ids ascending, which
    /// the symmetry argument needs).
    pub fn rank(&self, i: usize) -> (u8, usize) {
        use Action::*;
        let group = match self.actions[i] {
            StartRequest(_) => 0,
            Replicate(_) => 1,
            DBResponse(_) => 2,
            _ => 3,
        };
        (group, i)
    }

    /// Pairs `(i, j)` of selector indices with `rank(i) > rank(j)`, and when
    /// `i` then `j` may be swapped in `s` (pairs that never may are left
    /// out).
    pub fn inversions(&self, s: &[BV]) -> Vec<(usize, usize, Bool)> {
        // Each instance's access sets once, not once per pair.
        let acc: Vec<Option<Access>> = self.actions.iter().map(|&a| self.access(a, s)).collect();
        let mut v = vec![];
        for (i, x) in acc.iter().enumerate() {
            for (j, y) in acc.iter().enumerate() {
                if let (Some(x), Some(y)) = (x, y) {
                    if self.rank(i) > self.rank(j) {
                        if let Some(ok) = self.independent(self.actions[j], x, y, s) {
                            v.push((i, j, ok));
                        }
                    }
                }
            }
        }
        v
    }

    /// The reduction between steps `s -(act0)-> . -(act1)-> .`: the later
    /// step's action is not an independent one of smaller rank.
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
    /// `HealerUpdateLeader` from a collected replica), and the access sets
    /// of `access` assume it.
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

/// Proves, for the configuration `p`, what the reduction relies on: ids
/// stay in range (`Init` and `Next`), and for every pair the reduction may
/// reorder (`a` then `b`, `a`'s rank larger, independent in `s`), if `a`
/// then `b` is a path from `s`, so is `b` then `a`, to the same state, in
/// every state whose ids are in range (not only reachable ones). Returns
/// the number of pairs, or what failed. `bmc` runs it beside the search
/// before it applies the reduction.
pub fn verify(p: &crate::params::Params) -> Result<usize, String> {
    use z3::{SatResult, Solver};
    let enc = Encoding::new(p);
    let (s, n) = (enc.state(0), enc.state(1));
    let sv = enc.step_vars(0);
    let unsat = |solver: &Solver, what: &str| match solver.check() {
        SatResult::Unsat => Ok(()),
        SatResult::Sat => Err(format!("{what} ({})", p.describe())),
        SatResult::Unknown => Err(format!(
            "{what}: the solver answered unknown ({})",
            p.describe()
        )),
    };
    let solver = Solver::new();
    super::unroll::no_ctrl_c(&solver);
    solver.assert(enc.init(&s));
    solver.assert(enc.ids_in_range(&s).not());
    unsat(&solver, "an initial state has a replica id out of range")?;
    let solver = Solver::new();
    super::unroll::no_ctrl_c(&solver);
    solver.assert(enc.ids_in_range(&s));
    solver.assert(enc.trans(&s, &n, &sv));
    solver.assert(enc.ids_in_range(&n).not());
    unsat(&solver, "a step leads to a replica id out of range")?;
    let arg = BV::new_const("arg", p.w_replica());
    let mut checked = 0;
    for (i, j, ok) in enc.inversions(&s) {
        if crate::interrupt::requested() {
            return Err(format!("stopped before its end ({})", p.describe()));
        }
        let solver = super::unroll::new_solver(None);
        solver.assert(enc.ids_in_range(&s));
        let (a, b) = (enc.actions[i], enc.actions[j]);
        let (ga, s1) = enc.apply(a, &s, &arg);
        let (gb1, s2) = enc.apply(b, &s1, &arg);
        let (gb, t1) = enc.apply(b, &s, &arg);
        let (ga1, t2) = enc.apply(a, &t1, &arg);
        let same: Vec<Bool> = s2.iter().zip(&t2).map(|(x, y)| x.eq(y)).collect();
        solver.assert(ok);
        solver.assert(ga);
        solver.assert(gb1);
        solver.assert(and(&[gb, ga1, and(&same)]).not());
        unsat(&solver, &format!("{a} then {b} does not commute"))?;
        checked += 1;
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;

    /// The configurations the test runs on: the standard one, four
    /// replicas with quorum 3, narrow fields (an increment may wrap, and
    /// must then not count as growing), five replicas and three clients.
    /// (`bmc` proves the same for its own configuration before using it.)
    fn configurations() -> Vec<Params> {
        let d = Params::default();
        vec![
            d.clone(),
            Params {
                replicas: 4,
                replication_factor: 3,
                clients: 1,
                ..d.clone()
            },
            Params {
                log_offset_max: 2,
                epoch_max: 3,
                max_req: 2,
                ..d.clone()
            },
            Params {
                replicas: 5,
                clients: 3,
                ..d
            },
        ]
    }

    #[test]
    fn independent_actions_commute() {
        for p in configurations() {
            // Replication to two replicas, a client's leader update beside
            // any other client's step, appends and copies along the request
            // path...
            let n = verify(&p).unwrap();
            assert!(
                n > 150,
                "only {n} pairs may be reordered ({})",
                p.describe()
            );
        }
    }
}
