//! Candidate invariants, generated from templates over the spec's variables.
//!
//! Each candidate is a whole TLA+ formula, quantified over replicas, clients
//! and log positions, so it is symmetric in the ids and prints as one line of
//! the certificate. Templates:
//! - `Rel`: `guard => lhs REL rhs` for numeric terms of one quantifier
//!   context (no bound id, a replica `r`, two replicas `r`, `r1`, a client
//!   `c`), relations `<=`, `<`, `=`, `= rhs + 1`, `= rhs + 2`;
//! - `Affine`: `zk_status = v => zk_epoch = k * zk_leader_epoch + b`;
//! - `Shape`: hand-written relations between sequences: a log is a prefix
//!   of its leader's, logs are increasing, a pending request is in its
//!   leader's log, what a client was told succeeded is in a log, ...
//!
//! Every candidate is first evaluated on reachable states; only those true in
//! all of them go to the solver.

mod generate;
mod shapes;

pub use generate::generate;
use shapes::shape;

use super::lang::Interp;
use crate::params::Params;
use crate::spec::{DbStatus, HealerStatus, State, ZkStatus};

/// A replica named by a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V {
    /// The bound replica `r`.
    R,
    /// The second bound replica `r1`.
    R1,
    ZkLeader,
    /// `db_leader[r]`
    LeaderOfR,
    /// `client_leader[c]`
    ClientLeader,
    /// `pending_db[c]` (read only under `pending_db[c] /= nil`)
    PendingDb,
}

/// A numeric term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum T {
    Const(i64),
    ZkEpoch,
    ZkLeaderEpoch,
    /// `next_req - 60`: the number of requests issued.
    Issued,
    HealerEpoch,
    /// `zk_catchup_index` (read only under `zk_catchup_index /= nil`)
    Catchup,
    Len(V),
    Epoch(V),
    Repl(V, V),
    /// `healer_replicas[r]` (read only under non-nil)
    Hr(V),
    CsLen,
    Cle,
    /// `pending[c]` (read only under non-nil)
    Pending,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rel {
    Le,
    Lt,
    Eq,
    /// `lhs = rhs + k`
    EqPlus(i64),
}

/// The left side of a candidate's implication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum G {
    True,
    Zk(ZkStatus),
    Healer(HealerStatus),
    DbStatus(V, DbStatus),
    Old(V),
    NotOld(V),
    IsZkLeader(V),
    NotZkLeader(V),
    /// `healer_replicas[r] /= nil`
    Collected(V),
    PendingSet,
    PendingNil,
    /// `r /= r1`
    Distinct,
    /// `db_leader[r1] = r`
    FollowsR,
    /// `zk_catchup_index /= nil`
    CatchupSet,
    /// `db_leader[r] = zk_leader`
    FollowsZk(V),
    /// `db_leader[r] = r`
    SelfLed(V),
    /// `db_epoch[r] = zk_epoch`
    EpochCurrent(V),
    /// `healer_epoch = zk_epoch`
    HealerCurrent,
}

/// Which ids a candidate quantifies over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    None,
    R,
    RR,
    C,
}

/// Hand-written shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `pending[c] = nil <=> pending_db[c] = nil`
    PendingNilSync,
    /// under the guard on `r`: `db[r]` agrees with `db[db_leader[r]]` on
    /// their common positions
    PrefixOfLeader(G),
    /// under the guard on `r` and `r1`: `db[r]` and `db[r1]` agree on their
    /// common positions
    LogsAgree(G),
    /// every log is strictly increasing
    LogIncreasing,
    /// every client's successes are strictly increasing
    SuccessIncreasing,
    /// every log entry is at most `next_req`
    LogIssued,
    /// every success is at most `next_req`, and below a pending request
    SuccessIssued,
    /// a pending request is in the log of `pending_db[c]`, under the guard on
    /// that replica
    PendingInLog(G),
    /// a pending request is larger than every log entry of other... no:
    /// a pending request equals `next_req` or is older: `pending[c] <= next_req`
    PendingIssued,
    /// every success of every client is in `db[r]`, under the guard on `r`
    SuccessInLog(G),
    /// every success of every client is in at least `k` logs of replicas
    /// that are not old leaders
    SuccessInQuorum(i64),
    /// `j <= db_replicated[l][r] /\ db_leader[r] = l` (guard on r) implies
    /// `db[r]` holds position `j` and agrees with `db[l]` there
    ReplicatedFaithful(G),
    /// the healer's recorded length for `r` is at most its log's length and
    /// the log of `zk_leader` is at least `zk_catchup_index` long
    CatchupHeld,
    /// when the healer has caught up with `zk_epoch`, its status is the one
    /// `zkStatusToHealerStatus` gives
    HealerSynced,
    /// an acknowledgeable pending request (`DBResponse(c)` enabled) is in
    /// the log of every replica satisfying the guard
    AckableInLog(G),
    /// every row of `db_replicated` counts only entries the counted replica
    /// holds, equal to the row owner's: `j <= db_replicated[l][r]` implies
    /// `db[r][j] = db[l][j]` (no `db_leader` guard)
    RowFaithful,
    /// a row counts another replica only when its owner is an old leader or
    /// the ZooKeeper leader, and never counts an old leader
    RowsClean,
    /// every replica that is not an old leader holds a prefix of the
    /// ZooKeeper leader's log
    ZkPrefix,
    /// under `zk_status = s`: every success is in at least `k` logs of
    /// replicas that are not old leaders
    SuccessInQuorumAt(ZkStatus, i64),
    /// under `zk_status = "WaitReplicaLog"`: every success is in the
    /// ZooKeeper leader's log, at a position up to `zk_catchup_index` or in
    /// `replication_factor` logs of replicas that are not old leaders
    WaitCaughtUp,
    /// while the healer collects logs for the current epoch, a collected
    /// replica is frozen at that epoch with the length it reported, and a
    /// replica at the current epoch is frozen
    CollectedFrozen,
    /// after the new leader is chosen, an old leader's row counts no
    /// replica beyond `zk_catchup_index`
    OldRowsBelowCatchup,
    /// in `Normal` with an old leader not yet recovered, every other
    /// replica has caught up
    NormalCaughtUp,
    /// a writable replica that is not an old leader is the ZooKeeper leader
    WritableIsLeader,
    /// during a failover (`zk_status /= "Normal"`) some replica is an old
    /// leader
    OldWhileFailover,
}

/// One candidate invariant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `k <= Cardinality({r \in Replica : g(r)})` (`at_least`) or
    /// `Cardinality(...) <= k`
    Card {
        g: G,
        at_least: bool,
        k: i64,
    },
    /// `a => b` or `a => ~b` between two boolean atoms, per replica `r`
    /// when either mentions it
    Imp {
        ctx: Ctx,
        a: G,
        b: G,
        neg: bool,
    },
    /// `a /\ b => c` or `a /\ b => ~c`, per replica `r`
    Imp2 {
        a: G,
        b: G,
        c: G,
        neg: bool,
    },
    Rel {
        ctx: Ctx,
        g: G,
        lhs: T,
        rel: Rel,
        rhs: T,
    },
    Affine {
        status: ZkStatus,
        k: i64,
        b: i64,
    },
    Shape(Shape),
    /// The encoding's capacity for sequences is never the reason an action
    /// is disabled: logs and success lists fit `max_next_req` entries, and
    /// none is full when an action could append to it.
    CapOk,
}

fn g_of<I: Interp>(i: &I, g: G, r: Option<&I::R>, r1: Option<&I::R>, c: Option<&I::C>) -> I::B {
    let v = |x: V| -> I::R { id_of(i, x, r, r1, c) };
    match g {
        G::True => i.and(vec![]),
        G::Zk(s) => i.zk_status_is(s),
        G::Healer(s) => i.healer_status_is(s),
        G::DbStatus(x, s) => i.db_status_is(&v(x), s),
        G::Old(x) => i.old_leader(&v(x)),
        G::NotOld(x) => i.not(&i.old_leader(&v(x))),
        G::IsZkLeader(x) => i.id_eq(&v(x), &i.zk_leader()),
        G::NotZkLeader(x) => i.not(&i.id_eq(&v(x), &i.zk_leader())),
        G::Collected(x) => i.not(&i.hr_nil(&v(x))),
        G::PendingSet => i.not(&i.pending_nil(c.unwrap())),
        G::PendingNil => i.pending_nil(c.unwrap()),
        G::Distinct => i.not(&i.id_eq(r.unwrap(), r1.unwrap())),
        G::FollowsR => i.id_eq(&i.db_leader(r1.unwrap()), r.unwrap()),
        G::CatchupSet => i.not(&i.catchup_nil()),
        G::FollowsZk(x) => i.id_eq(&i.db_leader(&v(x)), &i.zk_leader()),
        G::SelfLed(x) => i.id_eq(&i.db_leader(&v(x)), &v(x)),
        G::EpochCurrent(x) => i.eq(&i.db_epoch(&v(x)), &i.zk_epoch()),
        G::HealerCurrent => i.eq(&i.healer_epoch(), &i.zk_epoch()),
    }
}

fn id_of<I: Interp>(i: &I, x: V, r: Option<&I::R>, r1: Option<&I::R>, c: Option<&I::C>) -> I::R {
    match x {
        V::R => r.unwrap().clone(),
        V::R1 => r1.unwrap().clone(),
        V::ZkLeader => i.zk_leader(),
        V::LeaderOfR => i.db_leader(r.unwrap()),
        V::ClientLeader => i.client_leader(c.unwrap()),
        V::PendingDb => i.pending_db(c.unwrap()),
    }
}

/// The term and the guard its reading needs (`nil` checks).
fn t_of<I: Interp>(
    i: &I,
    t: T,
    r: Option<&I::R>,
    r1: Option<&I::R>,
    c: Option<&I::C>,
) -> (I::N, Option<I::B>) {
    let v = |x: V| -> I::R { id_of(i, x, r, r1, c) };
    let pdb_guard = |x: V| -> Option<I::B> {
        (x == V::PendingDb).then(|| i.not(&i.pending_db_nil(c.unwrap())))
    };
    match t {
        T::Const(k) => (i.num(k), None),
        T::ZkEpoch => (i.zk_epoch(), None),
        T::ZkLeaderEpoch => (i.zk_leader_epoch(), None),
        T::Issued => (i.add(&i.next_req(), -60), None),
        T::HealerEpoch => (i.healer_epoch(), None),
        T::Catchup => (i.catchup(), Some(i.not(&i.catchup_nil()))),
        T::Len(x) => (i.db_len(&v(x)), pdb_guard(x)),
        T::Epoch(x) => (i.db_epoch(&v(x)), pdb_guard(x)),
        T::Repl(x, y) => (i.db_repl(&v(x), &v(y)), None),
        T::Hr(x) => (i.hr(&v(x)), Some(i.not(&i.hr_nil(&v(x))))),
        T::CsLen => (i.cs_len(c.unwrap()), None),
        T::Cle => (i.cle(c.unwrap()), None),
        T::Pending => (
            i.pending(c.unwrap()),
            Some(i.not(&i.pending_nil(c.unwrap()))),
        ),
    }
}

/// `x \in Range(db[r])`
fn in_log<I: Interp>(i: &I, r: &I::R, x: &I::N, pn: &str) -> I::B {
    i.exists_p(pn, &|j| {
        i.and(vec![
            i.le(&i.pos(j), &i.db_len(r)),
            i.eq(&i.db_ent(r, j), x),
        ])
    })
}

/// `f` holds of every success of every client:
/// `\A c \in Client : \A k : k <= Len(client_success[c]) => f(client_success[c][k])`.
fn every_success<I: Interp>(i: &I, f: &dyn Fn(&I::N) -> I::B) -> I::B {
    i.forall_c("c", &|c| {
        i.forall_p("k", &|k| {
            i.implies(&i.le(&i.pos(k), &i.cs_len(c)), &f(&i.cs_ent(c, k)))
        })
    })
}

/// `x` is in the logs of at least `n` replicas that are not old leaders.
fn in_non_old_logs<I: Interp>(i: &I, n: i64, x: &I::N) -> I::B {
    i.le(
        &i.num(n),
        &i.card_r("q", &|q| {
            i.and(vec![i.not(&i.old_leader(q)), in_log(i, q, x, "j")])
        }),
    )
}

/// `x` is at a position of `db[r]` with `j <= db_replicated` of some quorum
fn ackable<I: Interp>(i: &I, p: &Params, c: &I::C) -> I::B {
    let l = i.pending_db(c);
    let rf = p.replication_factor as i64;
    i.and(vec![
        i.not(&i.pending_nil(c)),
        i.not(&i.pending_db_nil(c)),
        i.exists_p("j", &|j| {
            i.and(vec![
                i.le(&i.pos(j), &i.db_len(&l)),
                i.eq(&i.db_ent(&l, j), &i.pending(c)),
                i.le(
                    &i.num(rf),
                    &i.card_r("q", &|q| i.le(&i.pos(j), &i.db_repl(&l, q))),
                ),
            ])
        }),
    ])
}

/// `j <= db_replicated[l][r]` implies that `db[r]` holds position `j` and
/// agrees with `db[l]` there.
fn row_counts_copies<I: Interp>(i: &I, l: &I::R, r: &I::R) -> I::B {
    i.forall_p("j", &|j| {
        i.implies(
            &i.le(&i.pos(j), &i.db_repl(l, r)),
            &i.and(vec![
                i.le(&i.pos(j), &i.db_len(r)),
                i.le(&i.pos(j), &i.db_len(l)),
                i.eq(&i.db_ent(r, j), &i.db_ent(l, j)),
            ]),
        )
    })
}

impl Family {
    /// The candidate in interpretation `i`.
    pub fn eval<I: Interp>(&self, i: &I, p: &Params) -> I::B {
        match *self {
            Family::Rel {
                ctx,
                g,
                lhs,
                rel,
                rhs,
            } => {
                let body = |r: Option<&I::R>, r1: Option<&I::R>, c: Option<&I::C>| -> I::B {
                    let (a, ga) = t_of(i, lhs, r, r1, c);
                    let (b, gb) = t_of(i, rhs, r, r1, c);
                    let fact = match rel {
                        Rel::Le => i.le(&a, &b),
                        Rel::Lt => i.lt(&a, &b),
                        Rel::Eq => i.eq(&a, &b),
                        Rel::EqPlus(k) => i.eq(&a, &i.add(&b, k)),
                    };
                    let mut pre = vec![];
                    if g != G::True {
                        pre.push(g_of(i, g, r, r1, c));
                    }
                    pre.extend(ga);
                    pre.extend(gb);
                    if pre.is_empty() {
                        fact
                    } else {
                        i.implies(&i.and(pre), &fact)
                    }
                };
                match ctx {
                    Ctx::None => body(None, None, None),
                    Ctx::R => i.forall_r("r", &|r| body(Some(r), None, None)),
                    Ctx::RR => i.forall_r("r", &|r| {
                        i.forall_r("r1", &|r1| body(Some(r), Some(r1), None))
                    }),
                    Ctx::C => i.forall_c("c", &|c| body(None, None, Some(c))),
                }
            }
            Family::Card { g, at_least, k } => {
                let n = i.card_r("r", &|r| g_of(i, g, Some(r), None, None));
                if at_least {
                    i.le(&i.num(k), &n)
                } else {
                    i.le(&n, &i.num(k))
                }
            }
            Family::Imp { ctx, a, b, neg } => {
                let body = |r: Option<&I::R>| {
                    let x = g_of(i, a, r, None, None);
                    let y = g_of(i, b, r, None, None);
                    i.implies(&x, &if neg { i.not(&y) } else { y })
                };
                match ctx {
                    Ctx::R => i.forall_r("r", &|r| body(Some(r))),
                    _ => body(None),
                }
            }
            Family::Imp2 { a, b, c, neg } => i.forall_r("r", &|r| {
                let x = i.and(vec![
                    g_of(i, a, Some(r), None, None),
                    g_of(i, b, Some(r), None, None),
                ]);
                let y = g_of(i, c, Some(r), None, None);
                i.implies(&x, &if neg { i.not(&y) } else { y })
            }),
            Family::Affine { status, k, b } => i.implies(
                &i.zk_status_is(status),
                &i.eq(&i.zk_epoch(), &i.add(&i.times(k, &i.zk_leader_epoch()), b)),
            ),
            Family::CapOk => {
                let cap = i.num(p.seq_cap() as i64);
                let max_next = i.num(60 + p.max_req as i64);
                i.and(vec![
                    i.forall_r("r", &|r| i.le(&i.db_len(r), &cap)),
                    i.forall_c("c", &|c| {
                        let cl = i.client_leader(c);
                        i.and(vec![
                            i.le(&i.cs_len(c), &cap),
                            i.implies(&i.not(&i.pending_nil(c)), &i.lt(&i.cs_len(c), &cap)),
                            i.implies(
                                &i.and(vec![
                                    i.pending_nil(c),
                                    i.lt(&i.next_req(), &max_next),
                                    i.db_status_is(&cl, DbStatus::Writable),
                                ]),
                                &i.lt(&i.db_len(&cl), &cap),
                            ),
                        ])
                    }),
                ])
            }
            Family::Shape(s) => shape(i, p, s),
        }
    }

    /// The candidate as TLA+ text.
    pub fn text(&self, p: &Params) -> String {
        self.eval(&super::lang::Text::default(), p)
    }

    /// The candidate on a concrete state.
    pub fn holds(&self, p: &Params, s: &State) -> bool {
        self.eval(&super::lang::Concrete { p, s }, p)
    }
}

/// The relations a `Rel` states between its two terms, as (rel, lhs, rhs).
fn facts(rel: Rel, lhs: T, rhs: T) -> Vec<(Rel, T, T)> {
    match rel {
        Rel::Le => vec![(Rel::Le, lhs, rhs)],
        Rel::Lt => vec![(Rel::Lt, lhs, rhs), (Rel::Le, lhs, rhs)],
        Rel::Eq => vec![
            (Rel::Eq, lhs, rhs),
            (Rel::Eq, rhs, lhs),
            (Rel::Le, lhs, rhs),
            (Rel::Le, rhs, lhs),
        ],
        Rel::EqPlus(k) => vec![
            (Rel::EqPlus(k), lhs, rhs),
            (Rel::Lt, rhs, lhs),
            (Rel::Le, rhs, lhs),
        ],
    }
}

impl Family {
    /// Whether `self` obviously implies `other` (same terms, a weaker
    /// relation, no guard or the same guard). Used to keep implied
    /// candidates out of the solver while what implies them stands.
    pub fn implies(&self, other: &Family) -> bool {
        match (*self, *other) {
            (
                Family::Rel {
                    ctx,
                    g,
                    lhs,
                    rel,
                    rhs,
                },
                Family::Rel {
                    ctx: c2,
                    g: g2,
                    lhs: l2,
                    rel: r2,
                    rhs: h2,
                },
            ) => {
                self != other
                    && ctx == c2
                    && (g == G::True || g == g2)
                    && facts(rel, lhs, rhs).contains(&(r2, l2, h2))
            }
            _ => false,
        }
    }
}

impl Family {
    /// The same candidate with the constant `from` read as `to` (the
    /// bound `max_next_req` of another configuration).
    pub fn map_const(&self, from: i64, to: i64) -> Family {
        let m = |t: T| if t == T::Const(from) { T::Const(to) } else { t };
        let mut f = *self;
        if let Family::Rel { lhs, rhs, .. } = &mut f {
            *lhs = m(*lhs);
            *rhs = m(*rhs);
        }
        f
    }
}

/// The candidates true in every sample state.
pub fn filter(p: &Params, cands: Vec<Family>, samples: &[State]) -> Vec<Family> {
    cands
        .into_iter()
        .filter(|f| match samples.iter().find(|s| !f.holds(p, s)) {
            None => true,
            Some(s) => {
                if matches!(f, Family::Shape(_)) {
                    log::debug!("filter: {} is false in {s:?}", f.text(p));
                }
                false
            }
        })
        .collect()
}
