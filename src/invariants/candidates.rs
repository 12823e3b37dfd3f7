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
        self.eval(&super::lang::Text { p }, p)
    }

    /// The candidate on a concrete state.
    pub fn holds(&self, p: &Params, s: &State) -> bool {
        self.eval(&super::lang::Concrete { p, s }, p)
    }
}

fn shape<I: Interp>(i: &I, p: &Params, s: Shape) -> I::B {
    let g1 = |g: G, r: &I::R| g_of(i, g, Some(r), None, None);
    match s {
        Shape::PendingNilSync => i.forall_c("c", &|c| {
            let a = i.pending_nil(c);
            let b = i.pending_db_nil(c);
            i.and(vec![i.implies(&a, &b), i.implies(&b, &a)])
        }),
        Shape::PrefixOfLeader(g) => i.forall_r("r", &|r| {
            let l = i.db_leader(r);
            i.implies(
                &g1(g, r),
                &i.forall_p("j", &|j| {
                    i.implies(
                        &i.and(vec![
                            i.le(&i.pos(j), &i.db_len(r)),
                            i.le(&i.pos(j), &i.db_len(&l)),
                        ]),
                        &i.eq(&i.db_ent(r, j), &i.db_ent(&l, j)),
                    )
                }),
            )
        }),
        Shape::LogsAgree(g) => i.forall_r("r", &|r| {
            i.forall_r("r1", &|r1| {
                i.implies(
                    &i.and(vec![g1(g, r), g1(g, r1)]),
                    &i.forall_p("j", &|j| {
                        i.implies(
                            &i.and(vec![
                                i.le(&i.pos(j), &i.db_len(r)),
                                i.le(&i.pos(j), &i.db_len(r1)),
                            ]),
                            &i.eq(&i.db_ent(r, j), &i.db_ent(r1, j)),
                        )
                    }),
                )
            })
        }),
        Shape::LogIncreasing => i.forall_r("r", &|r| {
            i.forall_p("j", &|j| {
                i.forall_p("k", &|k| {
                    i.implies(
                        &i.and(vec![
                            i.lt(&i.pos(j), &i.pos(k)),
                            i.le(&i.pos(k), &i.db_len(r)),
                        ]),
                        &i.lt(&i.db_ent(r, j), &i.db_ent(r, k)),
                    )
                })
            })
        }),
        Shape::SuccessIncreasing => i.forall_c("c", &|c| {
            i.forall_p("j", &|j| {
                i.forall_p("k", &|k| {
                    i.implies(
                        &i.and(vec![
                            i.lt(&i.pos(j), &i.pos(k)),
                            i.le(&i.pos(k), &i.cs_len(c)),
                        ]),
                        &i.lt(&i.cs_ent(c, j), &i.cs_ent(c, k)),
                    )
                })
            })
        }),
        Shape::LogIssued => i.forall_r("r", &|r| {
            i.forall_p("j", &|j| {
                i.implies(
                    &i.le(&i.pos(j), &i.db_len(r)),
                    &i.and(vec![
                        i.le(&i.db_ent(r, j), &i.next_req()),
                        i.lt(&i.num(60), &i.db_ent(r, j)),
                    ]),
                )
            })
        }),
        Shape::SuccessIssued => i.forall_c("c", &|c| {
            i.forall_p("j", &|j| {
                i.implies(
                    &i.le(&i.pos(j), &i.cs_len(c)),
                    &i.and(vec![
                        i.le(&i.cs_ent(c, j), &i.next_req()),
                        i.lt(&i.num(60), &i.cs_ent(c, j)),
                        i.implies(
                            &i.not(&i.pending_nil(c)),
                            &i.lt(&i.cs_ent(c, j), &i.pending(c)),
                        ),
                    ]),
                )
            })
        }),
        Shape::PendingIssued => i.forall_c("c", &|c| {
            i.implies(
                &i.not(&i.pending_nil(c)),
                &i.and(vec![
                    i.le(&i.pending(c), &i.next_req()),
                    i.lt(&i.num(60), &i.pending(c)),
                ]),
            )
        }),
        Shape::PendingInLog(g) => i.forall_c("c", &|c| {
            let l = i.pending_db(c);
            i.implies(
                &i.and(vec![
                    i.not(&i.pending_nil(c)),
                    i.not(&i.pending_db_nil(c)),
                    g1(g, &l),
                ]),
                &in_log(i, &l, &i.pending(c), "j"),
            )
        }),
        Shape::SuccessInLog(g) => i.forall_r("r", &|r| {
            i.implies(&g1(g, r), &every_success(i, &|x| in_log(i, r, x, "j")))
        }),
        Shape::SuccessInQuorum(n) => every_success(i, &|x| in_non_old_logs(i, n, x)),
        Shape::ReplicatedFaithful(g) => i.forall_r("l", &|l| {
            i.forall_r("r", &|r| {
                i.implies(
                    &i.and(vec![i.id_eq(&i.db_leader(r), l), g1(g, r)]),
                    &row_counts_copies(i, l, r),
                )
            })
        }),
        Shape::HealerSynced => {
            let pairs = [
                (ZkStatus::Normal, HealerStatus::Init),
                (ZkStatus::ChangingLeader, HealerStatus::UpdatingLeader),
                (ZkStatus::WaitReplicaLog, HealerStatus::WaitReplica),
            ];
            i.implies(
                &i.eq(&i.healer_epoch(), &i.zk_epoch()),
                &i.and(
                    pairs
                        .iter()
                        .map(|&(z, h)| i.implies(&i.zk_status_is(z), &i.healer_status_is(h)))
                        .collect(),
                ),
            )
        }
        Shape::CatchupHeld => i.and(vec![
            i.forall_r("r", &|r| {
                i.implies(&i.not(&i.hr_nil(r)), &i.le(&i.hr(r), &i.db_len(r)))
            }),
            i.implies(
                &i.not(&i.catchup_nil()),
                &i.le(&i.catchup(), &i.db_len(&i.zk_leader())),
            ),
        ]),
        Shape::RowFaithful => {
            i.forall_r("l", &|l| i.forall_r("r", &|r| row_counts_copies(i, l, r)))
        }
        Shape::RowsClean => i.forall_r("l", &|l| {
            i.forall_r("r", &|r| {
                i.implies(
                    &i.and(vec![
                        i.not(&i.id_eq(l, r)),
                        i.le(&i.num(1), &i.db_repl(l, r)),
                    ]),
                    &i.and(vec![
                        i.not(&i.old_leader(r)),
                        i.or(vec![i.old_leader(l), i.id_eq(l, &i.zk_leader())]),
                    ]),
                )
            })
        }),
        Shape::ZkPrefix => i.forall_r("r", &|r| {
            let z = i.zk_leader();
            i.implies(
                &i.not(&i.old_leader(r)),
                &i.and(vec![
                    i.le(&i.db_len(r), &i.db_len(&z)),
                    i.forall_p("j", &|j| {
                        i.implies(
                            &i.le(&i.pos(j), &i.db_len(r)),
                            &i.eq(&i.db_ent(r, j), &i.db_ent(&z, j)),
                        )
                    }),
                ]),
            )
        }),
        Shape::SuccessInQuorumAt(st, n) => {
            i.implies(&i.zk_status_is(st), &shape(i, p, Shape::SuccessInQuorum(n)))
        }
        Shape::WaitCaughtUp => {
            let rf = p.replication_factor as i64;
            let z = i.zk_leader();
            i.implies(
                &i.zk_status_is(ZkStatus::WaitReplicaLog),
                &i.and(vec![
                    i.not(&i.catchup_nil()),
                    every_success(i, &|x| {
                        let quorum = in_non_old_logs(i, rf, x);
                        i.exists_p("j", &|j| {
                            i.and(vec![
                                i.le(&i.pos(j), &i.db_len(&z)),
                                i.eq(&i.db_ent(&z, j), x),
                                i.or(vec![i.le(&i.pos(j), &i.catchup()), quorum.clone()]),
                            ])
                        })
                    }),
                ]),
            )
        }
        Shape::CollectedFrozen => i.implies(
            &i.zk_status_is(ZkStatus::ChangingLeader),
            &i.forall_r("r", &|r| {
                let current = i.eq(&i.db_epoch(r), &i.zk_epoch());
                let frozen = i.db_status_is(r, DbStatus::Frozen);
                i.and(vec![
                    i.implies(&current, &frozen),
                    i.implies(
                        &i.and(vec![
                            i.eq(&i.healer_epoch(), &i.zk_epoch()),
                            i.not(&i.hr_nil(r)),
                        ]),
                        &i.and(vec![
                            current.clone(),
                            frozen.clone(),
                            i.eq(&i.hr(r), &i.db_len(r)),
                        ]),
                    ),
                ])
            }),
        ),
        Shape::OldRowsBelowCatchup => i.forall_r("l", &|l| {
            i.forall_r("r", &|r| {
                i.implies(
                    &i.and(vec![
                        i.not(&i.zk_status_is(ZkStatus::ChangingLeader)),
                        i.old_leader(l),
                        i.not(&i.old_leader(r)),
                    ]),
                    &i.and(vec![
                        i.not(&i.catchup_nil()),
                        i.le(&i.db_repl(l, r), &i.catchup()),
                    ]),
                )
            })
        }),
        Shape::NormalCaughtUp => i.forall_r("l", &|l| {
            i.forall_r("r", &|r| {
                i.implies(
                    &i.and(vec![
                        i.zk_status_is(ZkStatus::Normal),
                        i.old_leader(l),
                        i.not(&i.old_leader(r)),
                    ]),
                    &i.and(vec![
                        i.not(&i.catchup_nil()),
                        i.le(&i.catchup(), &i.db_len(r)),
                    ]),
                )
            })
        }),
        Shape::WritableIsLeader => i.forall_r("r", &|r| {
            i.implies(
                &i.and(vec![
                    i.db_status_is(r, DbStatus::Writable),
                    i.not(&i.old_leader(r)),
                ]),
                &i.id_eq(r, &i.zk_leader()),
            )
        }),
        Shape::OldWhileFailover => i.implies(
            &i.not(&i.zk_status_is(ZkStatus::Normal)),
            &i.exists_r("r", &|r| i.old_leader(r)),
        ),
        Shape::AckableInLog(g) => i.forall_c("c", &|c| {
            i.implies(
                &ackable(i, p, c),
                &i.forall_r("r", &|r| {
                    i.implies(&g1(g, r), &in_log(i, r, &i.pending(c), "j"))
                }),
            )
        }),
    }
}

/// Every candidate the templates give for `p`, before filtering.
pub fn generate(p: &Params, samples: &[State]) -> Vec<Family> {
    use Ctx::*;
    let mut out = vec![Family::CapOk];
    let (m, mlc) = (p.max_req as i64, p.max_leader_changes as i64);
    let scalars = [
        T::Const(0),
        T::Const(1),
        T::Const(m),
        T::Const(mlc),
        T::ZkEpoch,
        T::ZkLeaderEpoch,
        T::Issued,
        T::HealerEpoch,
        T::Catchup,
        T::Len(V::ZkLeader),
        T::Epoch(V::ZkLeader),
    ];
    let mut uniq: Vec<T> = vec![];
    for t in scalars {
        if !uniq.contains(&t) {
            uniq.push(t);
        }
    }
    let scalars = uniq;
    let mut per_r = scalars.to_vec();
    per_r.extend([
        T::Len(V::R),
        T::Epoch(V::R),
        T::Len(V::LeaderOfR),
        T::Epoch(V::LeaderOfR),
        T::Repl(V::R, V::R),
        T::Repl(V::LeaderOfR, V::R),
        T::Hr(V::R),
    ]);
    let per_rr = [
        T::Len(V::R),
        T::Len(V::R1),
        T::Repl(V::R, V::R1),
        T::Epoch(V::R),
        T::Epoch(V::R1),
    ];
    let mut per_c = scalars.to_vec();
    per_c.extend([
        T::CsLen,
        T::Cle,
        T::Len(V::ClientLeader),
        T::Epoch(V::ClientLeader),
        T::Len(V::PendingDb),
    ]);
    let zk: Vec<G> = ZkStatus::ALL.iter().map(|&s| G::Zk(s)).collect();
    let hs: Vec<G> = HealerStatus::ALL.iter().map(|&s| G::Healer(s)).collect();
    let mut g0 = vec![G::True, G::CatchupSet];
    g0.extend(&zk);
    g0.extend(&hs);
    let mut gr = g0.clone();
    gr.extend(DbStatus::ALL.iter().map(|&s| G::DbStatus(V::R, s)));
    gr.extend([
        G::Old(V::R),
        G::NotOld(V::R),
        G::IsZkLeader(V::R),
        G::NotZkLeader(V::R),
        G::Collected(V::R),
    ]);
    let grr = vec![G::Distinct, G::FollowsR];
    let mut gc = g0.clone();
    gc.extend([G::PendingSet, G::PendingNil]);
    let rels = [Rel::Le, Rel::Lt, Rel::Eq, Rel::EqPlus(1), Rel::EqPlus(2)];
    let is_scalar = |t: T| scalars.contains(&t) || matches!(t, T::Const(_));
    // Terms of different sorts (epochs, leader epochs, lengths) are not
    // compared; constants go with any sort.
    let sort = |t: T| -> u8 {
        match t {
            T::Const(_) => 0,
            T::ZkEpoch | T::HealerEpoch | T::Epoch(_) => 1,
            T::ZkLeaderEpoch | T::Cle => 2,
            T::Issued | T::Catchup | T::Len(_) | T::Repl(..) | T::Hr(_) | T::CsLen => 3,
            T::Pending => 4,
        }
    };
    let same_sort = |a: T, b: T| sort(a) == 0 || sort(b) == 0 || sort(a) == sort(b);
    // A constant bound is one of the sort's natural bounds.
    let const_ok = |a: T, b: T| match (a, b) {
        (T::Const(k), t) => k <= 1 || (sort(t) == 3 && k == m) || (sort(t) == 2 && k == mlc),
        (t, T::Const(k)) => (sort(t) == 3 && k == m) || (sort(t) == 2 && k == mlc),
        _ => true,
    };
    let mut push_rel = |ctx: Ctx, terms: &[T], guards: &[G], need: &dyn Fn(T, T) -> bool| {
        for (a, &lhs) in terms.iter().enumerate() {
            for (b, &rhs) in terms.iter().enumerate() {
                if a == b || !need(lhs, rhs) || !same_sort(lhs, rhs) || !const_ok(lhs, rhs) {
                    continue;
                }
                if matches!(lhs, T::Const(_)) && matches!(rhs, T::Const(_)) {
                    continue;
                }
                for &rel in &rels {
                    // `=` is symmetric: one order only.
                    if rel == Rel::Eq && a > b {
                        continue;
                    }
                    // Every term is a natural number: `0 <= x` says nothing.
                    if rel == Rel::Le && lhs == T::Const(0) {
                        continue;
                    }
                    for &g in guards {
                        out.push(Family::Rel {
                            ctx,
                            g,
                            lhs,
                            rel,
                            rhs,
                        });
                    }
                }
            }
        }
    };
    push_rel(None, &scalars, &g0, &|_, _| true);
    // Per replica: at least one side mentions r.
    push_rel(R, &per_r, &gr, &|a, b| !is_scalar(a) || !is_scalar(b));
    push_rel(RR, &per_rr, &grr, &|a, b| {
        matches!(a, T::Len(V::R1) | T::Epoch(V::R1) | T::Repl(..))
            || matches!(b, T::Len(V::R1) | T::Epoch(V::R1) | T::Repl(..))
    });
    push_rel(C, &per_c, &gc, &|a, b| !is_scalar(a) || !is_scalar(b));
    for &status in &ZkStatus::ALL {
        if let Some(s) = samples.iter().find(|s| s.zk_status == status) {
            for k in 1..=3i64 {
                let b = s.zk_epoch as i64 - k * s.zk_leader_epoch as i64;
                out.push(Family::Affine { status, k, b });
            }
        }
    }
    let rguards = [
        G::True,
        G::NotOld(V::R),
        G::DbStatus(V::R, DbStatus::Replica),
        G::DbStatus(V::R, DbStatus::Writable),
        G::DbStatus(V::R, DbStatus::Frozen),
        G::IsZkLeader(V::R),
        G::Collected(V::R),
    ];
    out.extend(
        [
            Shape::PendingNilSync,
            Shape::LogIncreasing,
            Shape::SuccessIncreasing,
            Shape::LogIssued,
            Shape::SuccessIssued,
            Shape::PendingIssued,
            Shape::CatchupHeld,
            Shape::HealerSynced,
            Shape::RowFaithful,
            Shape::RowsClean,
            Shape::ZkPrefix,
            Shape::WaitCaughtUp,
            Shape::CollectedFrozen,
            Shape::OldRowsBelowCatchup,
            Shape::NormalCaughtUp,
            Shape::WritableIsLeader,
            Shape::OldWhileFailover,
        ]
        .map(Family::Shape),
    );
    for &g in &rguards {
        for sh in [
            Shape::PrefixOfLeader(g),
            Shape::LogsAgree(g),
            Shape::PendingInLog(g),
            Shape::SuccessInLog(g),
            Shape::ReplicatedFaithful(g),
            Shape::AckableInLog(g),
        ] {
            out.push(Family::Shape(sh));
        }
    }
    for n in 1..=p.replicas as i64 {
        out.push(Family::Shape(Shape::SuccessInQuorum(n)));
        for &st in &ZkStatus::ALL {
            out.push(Family::Shape(Shape::SuccessInQuorumAt(st, n)));
        }
    }
    // Boolean implications.
    let mut atoms0: Vec<G> = vec![G::CatchupSet, G::HealerCurrent];
    atoms0.extend(&zk);
    atoms0.extend(&hs);
    atoms0.extend(DbStatus::ALL.iter().map(|&s| G::DbStatus(V::ZkLeader, s)));
    atoms0.extend([
        G::Old(V::ZkLeader),
        G::EpochCurrent(V::ZkLeader),
        G::SelfLed(V::ZkLeader),
    ]);
    let mut atoms_r: Vec<G> = DbStatus::ALL
        .iter()
        .map(|&s| G::DbStatus(V::R, s))
        .collect();
    atoms_r.extend([
        G::Old(V::R),
        G::IsZkLeader(V::R),
        G::Collected(V::R),
        G::FollowsZk(V::R),
        G::SelfLed(V::R),
        G::EpochCurrent(V::R),
    ]);
    let mentions_r = |g: G| atoms_r.contains(&g);
    let all_atoms: Vec<G> = atoms0.iter().chain(&atoms_r).copied().collect();
    for &a in &all_atoms {
        for &b in &all_atoms {
            if a == b {
                continue;
            }
            let ctx = if mentions_r(a) || mentions_r(b) {
                Ctx::R
            } else {
                Ctx::None
            };
            for neg in [false, true] {
                out.push(Family::Imp { ctx, a, b, neg });
            }
        }
    }
    for (x, &a) in atoms_r.iter().enumerate() {
        for &b in &atoms_r[x + 1..] {
            for &c in &all_atoms {
                if c == a || c == b {
                    continue;
                }
                for neg in [false, true] {
                    out.push(Family::Imp2 { a, b, c, neg });
                }
            }
        }
    }
    let card_guards = [
        G::Old(V::R),
        G::NotOld(V::R),
        G::DbStatus(V::R, DbStatus::Writable),
        G::DbStatus(V::R, DbStatus::Replica),
        G::DbStatus(V::R, DbStatus::Frozen),
        G::Collected(V::R),
    ];
    for g in card_guards {
        for k in 0..=p.replicas as i64 {
            if k > 0 {
                out.push(Family::Card {
                    g,
                    at_least: true,
                    k,
                });
            }
            if k < p.replicas as i64 {
                out.push(Family::Card {
                    g,
                    at_least: false,
                    k,
                });
            }
        }
    }
    let _ = p;
    out
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
