//! The spec as Z3 bit-vector terms.
//!
//! A state at step k is one bit-vector constant per layout slot
//! (`zk_epoch@3`, `db_2_1@3`, ...). Sequences indexed by replica or client
//! are flattened into one slot per element, and symbolic indices (a
//! replica id held in a variable) select through `ite` chains: the whole
//! encoding stays in `QF_BV`, which Z3 bit-blasts into its SAT core.
//!
//! One transition step has an action selector `act@k` (the index of the
//! action instance in `Action::all`) and a choice `arg@k` (the replica that
//! `HealerUpdateLeader` picks among ties). Each action instance contributes
//! a guard, `act@k = i => guard_i`, and a list of slot updates; each slot of
//! the next state is one `ite` chain over the actions that write it and
//! otherwise keeps its value. Frame conditions are thus implicit and written
//! once per slot rather than once per action.

pub mod enumerate;
pub mod por;
pub mod pred;
pub mod smtlib;
pub mod unroll;

use crate::layout::Layout;
use crate::params::{bits_for, Params};
use crate::spec::{Action, DbStatus, HealerStatus, Property, ZkStatus};
use z3::ast::{Bool, BV};

/// `b`, simplified by Z3 (constants folded), or `b` itself when Z3 gives
/// no answer: a stopped thread's context is cancelled, and there the z3
/// crate's `simplify` unwraps a null and panics.
pub fn simplify(b: &Bool) -> Bool {
    use z3::ast::Ast;
    let ctx = b.get_ctx();
    // SAFETY: both pointers come from live objects of the same context;
    // `wrap` takes its own reference to the result.
    match unsafe { z3_sys::Z3_simplify(ctx.get_z3_context(), b.get_z3_ast()) } {
        Some(a) => unsafe { Bool::wrap(ctx, a) },
        None => b.clone(),
    }
}

/// The transition system of one parameter set (plain data: the Z3 terms
/// are built on demand, in the calling thread's context).
#[derive(Clone)]
pub struct Encoding {
    pub p: Params,
    pub layout: Layout,
    pub actions: Vec<Action>,
    pub w_act: u32,
}

/// The variables of one step's transition, for decoding.
pub struct StepVars {
    pub act: BV,
    pub arg: BV,
}

fn c(x: u64, w: u32) -> BV {
    BV::from_u64(x, w)
}
fn t() -> Bool {
    Bool::from_bool(true)
}
fn f() -> Bool {
    Bool::from_bool(false)
}
fn and(v: &[Bool]) -> Bool {
    match v.len() {
        0 => t(),
        1 => v[0].clone(),
        _ => Bool::and(v),
    }
}
fn or(v: &[Bool]) -> Bool {
    match v.len() {
        0 => f(),
        1 => v[0].clone(),
        _ => Bool::or(v),
    }
}
fn maxv(x: &BV) -> u64 {
    let w = x.get_size();
    if w >= 64 {
        u64::MAX
    } else {
        (1u64 << w) - 1
    }
}
/// `x = k`, false when `k` does not fit the width of `x`.
fn eq_c(x: &BV, k: u64) -> Bool {
    if k > maxv(x) {
        f()
    } else {
        x.eq(c(k, x.get_size()))
    }
}
/// `x < k` for an unsigned constant of any size.
fn lt_c(x: &BV, k: u64) -> Bool {
    if k > maxv(x) {
        t()
    } else {
        x.bvult(c(k, x.get_size()))
    }
}
/// `x <= k`
fn le_c(x: &BV, k: u64) -> Bool {
    if k >= maxv(x) {
        t()
    } else {
        x.bvule(c(k, x.get_size()))
    }
}
/// `x >= k`
fn ge_c(x: &BV, k: u64) -> Bool {
    lt_c(x, k).not()
}
fn inc(x: &BV) -> BV {
    x.bvadd(c(1, x.get_size()))
}
fn flag(x: &BV) -> Bool {
    eq_c(x, 1)
}
/// `vals[idx]` for a symbolic index: an `ite` chain, the last entry as the
/// default (callers constrain `idx` to the valid range elsewhere).
fn sel(vals: &[BV], idx: &BV) -> BV {
    let mut acc = vals[vals.len() - 1].clone();
    for i in (0..vals.len() - 1).rev() {
        acc = eq_c(idx, i as u64).ite(&vals[i], &acc);
    }
    acc
}
/// Number of true conditions, as a bit-vector wide enough to hold it.
fn count(conds: &[Bool]) -> BV {
    let w = bits_for(conds.len() as u64) + 1;
    let mut acc = c(0, w);
    for b in conds {
        acc = acc.bvadd(b.ite(&c(1, w), &c(0, w)));
    }
    acc
}

/// Slot updates of an action: `(slot index, next value)`.
pub type Updates = Vec<(usize, BV)>;

impl Encoding {
    pub fn new(p: &Params) -> Encoding {
        let actions = Action::all(p);
        let w_act = bits_for(actions.len() as u64 - 1);
        Encoding {
            p: p.clone(),
            layout: Layout::new(p),
            actions,
            w_act,
        }
    }

    /// Fresh constants for the state at step `k`.
    pub fn state(&self, k: usize) -> Vec<BV> {
        self.layout
            .slots
            .iter()
            .map(|s| BV::new_const(format!("{}@{k}", s.name), s.width))
            .collect()
    }

    /// A state of constants: the symbolic image of concrete slot values.
    pub fn const_state(&self, v: &[u64]) -> Vec<BV> {
        self.layout
            .slots
            .iter()
            .zip(v)
            .map(|(s, &x)| c(x, s.width))
            .collect()
    }

    /// `s = v` slot by slot.
    pub fn state_eq(&self, s: &[BV], v: &[u64]) -> Bool {
        and(&s
            .iter()
            .zip(v)
            .map(|(x, &k)| eq_c(x, k))
            .collect::<Vec<_>>())
    }

    /// `Init`
    pub fn init(&self, s: &[BV]) -> Bool {
        let l = &self.layout;
        let fixed = self.layout.encode(&crate::spec::init_state(&self.p, 0));
        let leader = &s[l.zk_leader];
        let mut v = vec![lt_c(leader, self.p.replicas as u64)];
        let depends: Vec<usize> = l
            .db_leader
            .iter()
            .chain(&l.db_status)
            .chain(&l.client_leader)
            .copied()
            .collect();
        for (i, x) in s.iter().enumerate() {
            if i != l.zk_leader && !depends.contains(&i) {
                v.push(eq_c(x, fixed[i]));
            }
        }
        for r in 0..self.p.replicas {
            v.push(s[l.db_leader[r]].eq(leader));
            let w = c(DbStatus::Writable as u64, 2);
            let rep = c(DbStatus::Replica as u64, 2);
            v.push(s[l.db_status[r]].eq(eq_c(leader, r as u64).ite(&w, &rep)));
        }
        for cl in 0..self.p.clients {
            v.push(s[l.client_leader[cl]].eq(leader));
        }
        and(&v)
    }

    /// Constants of the step's action selector and choice.
    pub fn step_vars(&self, k: usize) -> StepVars {
        StepVars {
            act: BV::new_const(format!("act@{k}"), self.w_act),
            arg: BV::new_const(format!("arg@{k}"), self.p.w_replica()),
        }
    }

    /// `Next` from `s` to `n` through the selector and choice of `sv`.
    pub fn trans(&self, s: &[BV], n: &[BV], sv: &StepVars) -> Bool {
        self.trans_restricted(s, n, sv, None)
    }

    /// `Next`, or, with `only = Some(i)`, the single action instance `i`.
    pub fn trans_restricted(&self, s: &[BV], n: &[BV], sv: &StepVars, only: Option<usize>) -> Bool {
        let mut conj = vec![lt_c(&sv.act, self.actions.len() as u64)];
        if let Some(i) = only {
            conj.push(eq_c(&sv.act, i as u64));
        }
        let mut writers: Vec<Vec<(usize, BV)>> = vec![vec![]; s.len()];
        for (i, &a) in self.actions.iter().enumerate() {
            let (guard, updates) = self.action(a, s, &sv.arg);
            let sel_i = eq_c(&sv.act, i as u64);
            conj.push(sel_i.implies(&guard));
            for (slot, val) in updates {
                writers[slot].push((i, val));
            }
        }
        for (slot, ws) in writers.iter().enumerate() {
            let mut next = s[slot].clone();
            for (i, val) in ws.iter().rev() {
                next = eq_c(&sv.act, *i as u64).ite(val, &next);
            }
            conj.push(n[slot].eq(&next));
        }
        and(&conj)
    }

    fn count_lt_rf(&self, conds: &[Bool]) -> Bool {
        lt_c(&count(conds), self.p.replication_factor as u64)
    }

    /// Guard and slot updates of one action instance.
    pub fn action(&self, a: Action, s: &[BV], arg: &BV) -> (Bool, Updates) {
        let l = &self.layout;
        let p = &self.p;
        let nr = p.replicas;
        let cap = p.seq_cap() as u64;
        let zks = &s[l.zk_status];
        let db_len: Vec<BV> = l.db_len.iter().map(|&i| s[i].clone()).collect();
        let db_status: Vec<BV> = l.db_status.iter().map(|&i| s[i].clone()).collect();
        let st = |x: u64| c(x, 2);
        let zero = |slot: usize| c(0, l.slots[slot].width);
        let one = |slot: usize| c(1, l.slots[slot].width);
        let mut up: Updates = vec![];
        let guard;
        use Action::*;
        match a {
            StartRequest(cl) => {
                let leader = &s[l.client_leader[cl]];
                let lead_len = sel(&db_len, leader);
                guard = and(&[
                    flag(&s[l.pending_nil[cl]]),
                    lt_c(&s[l.next_req], p.max_req as u64),
                    eq_c(&sel(&db_status, leader), DbStatus::Writable as u64),
                    lt_c(&lead_len, cap),
                ]);
                let nreq = inc(&s[l.next_req]);
                up.push((l.next_req, nreq.clone()));
                up.push((l.pending_nil[cl], zero(l.pending_nil[cl])));
                up.push((l.pending[cl], nreq.clone()));
                up.push((l.pending_db_nil[cl], zero(l.pending_db_nil[cl])));
                up.push((l.pending_db[cl], leader.clone()));
                for r in 0..nr {
                    let is_l = eq_c(leader, r as u64);
                    let len = &s[l.db_len[r]];
                    up.push((l.db_len[r], is_l.ite(&inc(len), len)));
                    for j in 0..p.seq_cap() {
                        let e = &s[l.db_ent[r][j]];
                        up.push((
                            l.db_ent[r][j],
                            and(&[is_l.clone(), eq_c(len, j as u64)]).ite(&nreq, e),
                        ));
                    }
                    let rr = &s[l.db_repl[r][r]];
                    up.push((l.db_repl[r][r], is_l.ite(&inc(len), rr)));
                }
            }
            DBResponse(cl) => {
                let pend = &s[l.pending[cl]];
                let pdb = &s[l.pending_db[cl]];
                let mut cases = vec![];
                for ld in 0..nr {
                    let len = &s[l.db_len[ld]];
                    let mut idx = vec![];
                    for j in 0..p.seq_cap() {
                        // index = j + 1; a quorum with min >= index exists iff
                        // at least replication_factor replicas have
                        // db_replicated[leader][r1] >= index.
                        let reached: Vec<Bool> = (0..nr)
                            .map(|r1| ge_c(&s[l.db_repl[ld][r1]], j as u64 + 1))
                            .collect();
                        idx.push(and(&[
                            lt_c(len, j as u64 + 1).not(),
                            s[l.db_ent[ld][j]].eq(pend),
                            self.count_lt_rf(&reached).not(),
                        ]));
                    }
                    cases.push(and(&[eq_c(pdb, ld as u64), or(&idx)]));
                }
                let cs_len = &s[l.cs_len[cl]];
                guard = and(&[
                    flag(&s[l.pending_nil[cl]]).not(),
                    flag(&s[l.pending_db_nil[cl]]).not(),
                    or(&cases),
                    lt_c(cs_len, cap),
                ]);
                up.push((l.pending_nil[cl], one(l.pending_nil[cl])));
                up.push((l.pending[cl], zero(l.pending[cl])));
                up.push((l.pending_db_nil[cl], one(l.pending_db_nil[cl])));
                up.push((l.pending_db[cl], zero(l.pending_db[cl])));
                up.push((l.cs_len[cl], inc(cs_len)));
                for j in 0..p.seq_cap() {
                    let e = &s[l.cs_ent[cl][j]];
                    up.push((l.cs_ent[cl][j], eq_c(cs_len, j as u64).ite(pend, e)));
                }
            }
            ClientUpdateLeader(cl) => {
                guard = s[l.cle[cl]].bvult(&s[l.zk_leader_epoch]);
                up.push((l.cle[cl], s[l.zk_leader_epoch].clone()));
                up.push((l.client_leader[cl], s[l.zk_leader].clone()));
                up.push((l.pending_nil[cl], one(l.pending_nil[cl])));
                up.push((l.pending[cl], zero(l.pending[cl])));
                up.push((l.pending_db_nil[cl], one(l.pending_db_nil[cl])));
                up.push((l.pending_db[cl], zero(l.pending_db[cl])));
            }
            Replicate(r) => {
                let leader = &s[l.db_leader[r]];
                let len = &s[l.db_len[r]];
                guard = and(&[
                    eq_c(leader, r as u64).not(),
                    eq_c(&s[l.db_status[r]], DbStatus::Replica as u64),
                    len.bvult(sel(&db_len, leader)),
                    lt_c(len, cap),
                ]);
                for j in 0..p.seq_cap() {
                    let col: Vec<BV> = (0..nr).map(|r1| s[l.db_ent[r1][j]].clone()).collect();
                    let e = &s[l.db_ent[r][j]];
                    up.push((
                        l.db_ent[r][j],
                        eq_c(len, j as u64).ite(&sel(&col, leader), e),
                    ));
                }
                up.push((l.db_len[r], inc(len)));
                for ld in 0..nr {
                    let x = &s[l.db_repl[ld][r]];
                    up.push((l.db_repl[ld][r], eq_c(leader, ld as u64).ite(&inc(len), x)));
                }
            }
            DBUpdateLeader(r) => {
                guard = s[l.db_epoch[r]].bvult(&s[l.zk_epoch]);
                up.push((l.db_epoch[r], s[l.zk_epoch].clone()));
                up.push((l.db_leader[r], s[l.zk_leader].clone()));
                let live = and(&[
                    or(&[
                        eq_c(zks, ZkStatus::Normal as u64),
                        eq_c(zks, ZkStatus::WaitReplicaLog as u64),
                    ]),
                    flag(&s[l.old_leaders[r]]).not(),
                ]);
                let status = live.ite(
                    &eq_c(&s[l.zk_leader], r as u64).ite(
                        &st(DbStatus::Writable as u64),
                        &st(DbStatus::Replica as u64),
                    ),
                    &st(DbStatus::Frozen as u64),
                );
                up.push((l.db_status[r], status));
                let changed = s[l.db_leader[r]].eq(&s[l.zk_leader]).not();
                for r1 in 0..nr {
                    let slot = l.db_repl[r][r1];
                    let fresh = if r1 == r {
                        s[l.db_len[r]].clone()
                    } else {
                        zero(slot)
                    };
                    up.push((slot, changed.ite(&fresh, &s[slot])));
                }
            }
            RecoverOldLeader(r) => {
                guard = and(&[
                    flag(&s[l.old_leaders[r]]),
                    eq_c(zks, ZkStatus::Normal as u64),
                ]);
                up.push((l.db_len[r], zero(l.db_len[r])));
                for j in 0..p.seq_cap() {
                    up.push((l.db_ent[r][j], zero(l.db_ent[r][j])));
                }
                up.push((l.db_status[r], st(DbStatus::Replica as u64)));
                up.push((l.db_epoch[r], s[l.zk_epoch].clone()));
                up.push((l.db_leader[r], s[l.zk_leader].clone()));
                for r1 in 0..nr {
                    up.push((l.db_repl[r][r1], zero(l.db_repl[r][r1])));
                }
                up.push((l.old_leaders[r], zero(l.old_leaders[r])));
            }
            ReadyToChangeZKLeader => {
                let live: Vec<Bool> = (0..nr).map(|r| flag(&s[l.old_leaders[r]]).not()).collect();
                guard = and(&[
                    lt_c(&s[l.zk_leader_epoch], p.max_leader_changes as u64),
                    count(&live).bvugt(c(p.replication_factor as u64, count(&live).get_size())),
                    eq_c(zks, ZkStatus::Normal as u64),
                ]);
                up.push((l.zk_status, st(ZkStatus::ChangingLeader as u64)));
                up.push((l.zk_epoch, inc(&s[l.zk_epoch])));
                for r in 0..nr {
                    let o = &s[l.old_leaders[r]];
                    up.push((
                        l.old_leaders[r],
                        eq_c(&s[l.zk_leader], r as u64).ite(&one(l.old_leaders[r]), o),
                    ));
                }
            }
            HealerUpdateState => {
                guard = s[l.healer_epoch].bvult(&s[l.zk_epoch]);
                up.push((l.healer_epoch, s[l.zk_epoch].clone()));
                for r in 0..nr {
                    up.push((l.hr_nil[r], one(l.hr_nil[r])));
                    up.push((l.hr[r], zero(l.hr[r])));
                }
                let hs = eq_c(zks, ZkStatus::ChangingLeader as u64).ite(
                    &st(HealerStatus::UpdatingLeader as u64),
                    &eq_c(zks, ZkStatus::WaitReplicaLog as u64).ite(
                        &st(HealerStatus::WaitReplica as u64),
                        &st(HealerStatus::Init as u64),
                    ),
                );
                up.push((l.healer_status, hs));
            }
            HealerGetDBLog(r) => {
                guard = and(&[
                    eq_c(&s[l.healer_status], HealerStatus::UpdatingLeader as u64),
                    flag(&s[l.hr_nil[r]]),
                    flag(&s[l.old_leaders[r]]).not(),
                    s[l.db_epoch[r]].eq(&s[l.healer_epoch]),
                ]);
                up.push((l.hr_nil[r], zero(l.hr_nil[r])));
                up.push((l.hr[r], s[l.db_len[r]].clone()));
            }
            HealerUpdateLeader => {
                let collected: Vec<Bool> = (0..nr).map(|r| flag(&s[l.hr_nil[r]]).not()).collect();
                let hr: Vec<BV> = l.hr.iter().map(|&i| s[i].clone()).collect();
                let choice: Vec<Bool> = (0..nr)
                    .map(|r| {
                        let maximal: Vec<Bool> = (0..nr)
                            .map(|r1| or(&[collected[r1].clone().not(), hr[r].bvuge(&hr[r1])]))
                            .collect();
                        and(&[eq_c(arg, r as u64), collected[r].clone(), and(&maximal)])
                    })
                    .collect();
                guard = and(&[
                    eq_c(&s[l.healer_status], HealerStatus::UpdatingLeader as u64),
                    s[l.healer_epoch].eq(&s[l.zk_epoch]),
                    self.count_lt_rf(&collected).not(),
                    or(&choice),
                ]);
                up.push((l.zk_leader, arg.clone()));
                up.push((l.catchup_nil, zero(l.catchup_nil)));
                up.push((l.catchup, sel(&hr, arg)));
                up.push((l.zk_status, st(ZkStatus::WaitReplicaLog as u64)));
                up.push((l.zk_epoch, inc(&s[l.zk_epoch])));
                up.push((l.zk_leader_epoch, inc(&s[l.zk_leader_epoch])));
            }
            HealerUpdateToNormal => {
                let catchup = &s[l.catchup];
                let quorum_ok: Vec<Bool> = p
                    .quorums()
                    .iter()
                    .map(|q| {
                        let old_outside: Vec<Bool> = (0..nr)
                            .filter(|r| !q.contains(r))
                            .map(|r| flag(&s[l.old_leaders[r]]))
                            .collect();
                        let caught_up: Vec<Bool> =
                            q.iter().map(|&r| s[l.db_len[r]].bvuge(catchup)).collect();
                        and(&[or(&old_outside), and(&caught_up)])
                    })
                    .collect();
                guard = and(&[
                    eq_c(&s[l.healer_status], HealerStatus::WaitReplica as u64),
                    eq_c(zks, ZkStatus::WaitReplicaLog as u64),
                    flag(&s[l.catchup_nil]).not(),
                    or(&quorum_ok),
                ]);
                up.push((l.zk_status, st(ZkStatus::Normal as u64)));
                up.push((l.zk_epoch, inc(&s[l.zk_epoch])));
            }
            Terminated => {
                guard = self.terminate_cond(s);
            }
        }
        (guard, up)
    }

    /// `TerminateCond`
    pub fn terminate_cond(&self, s: &[BV]) -> Bool {
        let l = &self.layout;
        let p = &self.p;
        let mut v = vec![
            eq_c(&s[l.next_req], p.max_req as u64),
            eq_c(&s[l.zk_status], ZkStatus::Normal as u64),
            eq_c(&s[l.zk_leader_epoch], p.max_leader_changes as u64),
            ge_c(&s[l.zk_epoch], 10),
        ];
        for cl in 0..p.clients {
            v.push(flag(&s[l.pending_nil[cl]]));
            v.push(flag(&s[l.pending_db_nil[cl]]));
            v.push(s[l.cle[cl]].eq(&s[l.zk_leader_epoch]));
        }
        for r in 0..p.replicas {
            v.push(s[l.db_epoch[r]].eq(&s[l.zk_epoch]));
        }
        and(&v)
    }

    /// `s` is in the layout's canonical form: a `nil` flag set means its
    /// value slot is 0, and sequence entries past the length are 0. Every
    /// encoded concrete state is; induction starts from arbitrary states and
    /// needs it assumed (and proves it preserved).
    pub fn well_formed(&self, s: &[BV]) -> Bool {
        let l = &self.layout;
        let mut v = vec![];
        let mut opt = |nil: usize, val: usize| v.push(flag(&s[nil]).implies(eq_c(&s[val], 0)));
        opt(l.catchup_nil, l.catchup);
        for r in 0..self.p.replicas {
            opt(l.hr_nil[r], l.hr[r]);
        }
        for c in 0..self.p.clients {
            opt(l.pending_nil[c], l.pending[c]);
            opt(l.pending_db_nil[c], l.pending_db[c]);
        }
        let seqs = l
            .db_len
            .iter()
            .zip(&l.db_ent)
            .chain(l.cs_len.iter().zip(&l.cs_ent));
        for (&len, ents) in seqs {
            for (j, &e) in ents.iter().enumerate() {
                v.push(le_c(&s[len], j as u64).implies(eq_c(&s[e], 0)));
            }
        }
        and(&v)
    }

    /// The property holds in `s`.
    pub fn property(&self, prop: Property, s: &[BV]) -> Bool {
        match prop {
            Property::TypeOK => self.type_ok(s),
            Property::Consistent => self.consistent(s),
            Property::Inv => self.inv(s),
            Property::NoDeadlock => self.enabled(s),
            // No state reading: `check::temporal` asks for lassos instead.
            Property::Finish => t(),
            Property::Enabled(a) => self.enabled_action(a, s).not(),
            Property::User(i) => {
                let q = crate::spec::tla::predicate(i);
                match pred::predicate(&q.compiled, &self.p, &self.layout, s) {
                    // Holds: evaluates to TRUE; a reach target holds where
                    // it is not reached.
                    Ok((v, err)) if q.reach => and(&[v, err.not()]).not(),
                    Ok((v, err)) => and(&[v, err.not()]),
                    Err(e) => {
                        // Checked when the predicate was registered; a
                        // false violation here fails its replay, loudly.
                        log::error!("{}: cannot be encoded: {e}", q.name);
                        f()
                    }
                }
            }
        }
    }

    /// `ENABLED Next` in `s`: the guard of some action instance holds
    /// (`HealerUpdateLeader`'s for some choice of the new leader).
    pub fn enabled(&self, s: &[BV]) -> Bool {
        or(&self
            .actions
            .iter()
            .map(|&a| self.enabled_action(a, s))
            .collect::<Vec<_>>())
    }

    /// `ENABLED a` in `s`: its guard holds (`HealerUpdateLeader`'s for some
    /// choice of the new leader).
    pub fn enabled_action(&self, a: Action, s: &[BV]) -> Bool {
        if !a.fits(&self.p) {
            // An instance of a larger configuration.
            return f();
        }
        let w = self.p.w_replica();
        let choices = if a == Action::HealerUpdateLeader {
            self.p.replicas
        } else {
            1
        };
        or(&(0..choices)
            .map(|r| self.action(a, s, &c(r as u64, w)).0)
            .collect::<Vec<_>>())
    }

    fn type_ok(&self, s: &[BV]) -> Bool {
        let l = &self.layout;
        let p = &self.p;
        let (nr, m) = (p.replicas as u64, p.max_req as u64);
        let (e, o) = (p.epoch_max as u64, p.log_offset_max as u64);
        let opt_le = |nil: usize, val: usize, k: u64| or(&[flag(&s[nil]), le_c(&s[val], k)]);
        let seq_ok = |len: usize, ents: &[usize]| -> Vec<Bool> {
            ents.iter()
                .enumerate()
                .map(|(j, &i)| or(&[le_c(&s[len], j as u64), le_c(&s[i], m)]))
                .collect()
        };
        let mut v = vec![
            lt_c(&s[l.zk_leader], nr),
            ge_c(&s[l.zk_epoch], 1),
            le_c(&s[l.zk_epoch], crate::params::ZK_EPOCH_TYPE_MAX as u64),
            ge_c(&s[l.zk_leader_epoch], 1),
            le_c(&s[l.zk_leader_epoch], p.max_leader_changes as u64),
            le_c(&s[l.zk_status], 2),
            opt_le(l.catchup_nil, l.catchup, o),
            le_c(&s[l.next_req], m),
            le_c(&s[l.healer_status], 2),
            le_c(&s[l.healer_epoch], e),
        ];
        for r in 0..p.replicas {
            v.extend(seq_ok(l.db_len[r], &l.db_ent[r]));
            v.push(lt_c(&s[l.db_leader[r]], nr));
            for r1 in 0..p.replicas {
                v.push(le_c(&s[l.db_repl[r][r1]], o));
            }
            v.push(le_c(&s[l.db_epoch[r]], e));
            v.push(le_c(&s[l.db_status[r]], 2));
            v.push(opt_le(l.hr_nil[r], l.hr[r], o));
        }
        for cl in 0..p.clients {
            v.push(lt_c(&s[l.client_leader[cl]], nr));
            v.extend(seq_ok(l.cs_len[cl], &l.cs_ent[cl]));
            v.push(opt_le(l.pending_nil[cl], l.pending[cl], m));
            v.push(or(&[
                flag(&s[l.pending_db_nil[cl]]),
                lt_c(&s[l.pending_db[cl]], nr),
            ]));
            v.push(le_c(&s[l.cle[cl]], e));
        }
        and(&v)
    }

    fn consistent(&self, s: &[BV]) -> Bool {
        let l = &self.layout;
        let p = &self.p;
        let zl = &s[l.zk_leader];
        let lens: Vec<BV> = l.db_len.iter().map(|&i| s[i].clone()).collect();
        let llen = sel(&lens, zl);
        let lent: Vec<BV> = (0..p.seq_cap())
            .map(|j| {
                let col: Vec<BV> = (0..p.replicas).map(|r| s[l.db_ent[r][j]].clone()).collect();
                sel(&col, zl)
            })
            .collect();
        let mut v = vec![];
        for cl in 0..p.clients {
            let cs_len = &s[l.cs_len[cl]];
            v.push(cs_len.bvule(&llen));
            for i in 0..p.seq_cap() {
                let x = &s[l.cs_ent[cl][i]];
                let found: Vec<Bool> = (0..p.seq_cap())
                    .map(|j| and(&[lt_c(&llen, j as u64 + 1).not(), lent[j].eq(x)]))
                    .collect();
                v.push(or(&[le_c(cs_len, i as u64), or(&found)]));
            }
        }
        and(&v)
    }

    fn inv(&self, s: &[BV]) -> Bool {
        let l = &self.layout;
        let p = &self.p;
        let few: Vec<Bool> = (0..p.clients).map(|cl| lt_c(&s[l.cs_len[cl]], 4)).collect();
        and(&[
            lt_c(&s[l.zk_epoch], 11),
            le_c(&s[l.zk_leader_epoch], p.max_leader_changes as u64),
            ge_c(&s[l.zk_leader_epoch], 2).implies(and(&few)),
        ])
    }
}
