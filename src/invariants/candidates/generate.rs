//! The templates instantiated for a configuration: every candidate before
//! filtering.

use super::*;

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
