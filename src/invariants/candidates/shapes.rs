//! The hand-written shapes: relations between sequences (a log is a prefix
//! of its leader's, logs are increasing, ...), one arm per `Shape`.

use super::*;

pub(super) fn shape<I: Interp>(i: &I, p: &Params, s: Shape) -> I::B {
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
