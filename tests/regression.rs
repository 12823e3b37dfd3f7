//! Regression on known-reachable states and pinned counts: states the
//! concrete spec reaches at a known shortest depth are reached by the
//! symbolic encoding at exactly that depth and not before; the explicit
//! engine's per-depth state counts stay what they were.

use semisync_bmc::engine::explicit::bfs::levels;
use semisync_bmc::engine::explicit::{self, ExplicitOptions};
use semisync_bmc::engine::{Events, Method, Verdict};
use semisync_bmc::params::Params;
use semisync_bmc::spec::{apply, init_state, Action, Property, State};
use semisync_bmc::symbolic::enumerate::reaches_in_exactly;
use semisync_bmc::symbolic::unroll::Unroller;
use z3::SatResult;

use Action::*;

/// Runs `steps` from the initial state led by `r1`; `HealerUpdateLeader`
/// takes the successor whose new leader is the given replica.
fn run(p: &Params, steps: &[(Action, usize)]) -> State {
    let mut s = init_state(p, 0);
    for &(a, pick) in steps {
        let succ = apply(p, &s, a);
        s = if a == HealerUpdateLeader {
            succ.into_iter()
                .find(|t| t.zk_leader == pick)
                .expect("tie choice")
        } else {
            assert_eq!(succ.len(), 1, "{a} not enabled in {s:?}");
            succ.into_iter().next().unwrap()
        };
    }
    s
}

fn bfs_depth(p: &Params, target: &State, max: usize) -> Option<usize> {
    levels(p, max)
        .unwrap()
        .iter()
        .position(|l| l.contains(target))
}

/// The symbolic engine reaches `target` at exactly `depth` and at no
/// smaller depth.
fn assert_symbolic_first_depth(p: &Params, target: &State, depth: usize) {
    let mut u = Unroller::new(p, None);
    for k in 0..=depth {
        if k > 0 {
            u.extend();
        }
        let want = if k == depth {
            SatResult::Sat
        } else {
            SatResult::Unsat
        };
        assert_eq!(reaches_in_exactly(&u, target), want, "depth {k}");
    }
}

/// `(what, steps from the initial state led by r1, pinned shortest depth)`.
type KnownState = (&'static str, Vec<(Action, usize)>, usize);

fn known_states() -> Vec<KnownState> {
    vec![
        (
            "an acknowledged write",
            vec![(StartRequest(0), 0), (Replicate(1), 0), (DBResponse(0), 0)],
            3,
        ),
        (
            "a failover to r2 that has collected two logs",
            vec![
                (ReadyToChangeZKLeader, 0),
                (HealerUpdateState, 0),
                (DBUpdateLeader(1), 0),
                (DBUpdateLeader(2), 0),
                (HealerGetDBLog(1), 0),
                (HealerGetDBLog(2), 0),
                (HealerUpdateLeader, 1),
            ],
            7,
        ),
        (
            "the old leader recovered after a completed failover, two writes replicated",
            vec![
                (StartRequest(0), 0),
                (StartRequest(1), 0),
                (Replicate(2), 0),
                (Replicate(2), 0),
                (ReadyToChangeZKLeader, 0),
                (HealerUpdateState, 0),
                (DBUpdateLeader(1), 0),
                (DBUpdateLeader(2), 0),
                (HealerGetDBLog(1), 0),
                (HealerGetDBLog(2), 0),
                (HealerUpdateLeader, 2),
                (HealerUpdateState, 0),
                (DBUpdateLeader(1), 0),
                (DBUpdateLeader(2), 0),
                (Replicate(1), 0),
                (Replicate(1), 0),
                (HealerUpdateToNormal, 0),
                (RecoverOldLeader(0), 0),
            ],
            18,
        ),
    ]
}

#[test]
fn known_states_are_first_reached_at_their_pinned_depth() {
    let p = Params::default();
    for (what, steps, depth) in known_states() {
        let target = run(&p, &steps);
        assert_eq!(
            bfs_depth(&p, &target, depth),
            Some(depth),
            "{what}: explicit depth"
        );
        assert_symbolic_first_depth(&p, &target, depth);
    }
}

#[test]
fn standard_configuration_state_counts_per_depth() {
    let counts: Vec<usize> = levels(&Params::default(), 12)
        .unwrap()
        .iter()
        .map(|l| l.len())
        .collect();
    assert_eq!(
        counts,
        [3, 9, 36, 90, 204, 411, 717, 1197, 1920, 2988, 4704, 7386, 11526]
    );
}

fn explicit_verdicts(p: &Params, depth: usize, symmetry: bool) -> Vec<(Property, Verdict)> {
    let opts = ExplicitOptions {
        symmetry,
        ..ExplicitOptions::new(depth, Property::ALL.to_vec())
    };
    explicit::run(p, &opts, &Events::none()).unwrap().verdicts
}

#[test]
fn symmetry_reduction_keeps_verdicts_and_depths() {
    for (p, depth) in [
        (
            Params {
                replicas: 4,
                ..Params::default()
            },
            11,
        ),
        (
            Params {
                epoch_max: 3,
                ..Params::default()
            },
            12,
        ),
        (
            Params {
                clients: 1,
                max_req: 1,
                max_leader_changes: 2,
                ..Params::default()
            },
            60,
        ),
    ] {
        let plain = explicit_verdicts(&p, depth, false);
        let sym = explicit_verdicts(&p, depth, true);
        for ((q, a), (_, b)) in plain.iter().zip(&sym) {
            assert_eq!(a.violation_depth(), b.violation_depth(), "{q} on {p:?}");
            assert_eq!(a.is_violated(), b.is_violated(), "{q} on {p:?}");
        }
    }
}

#[test]
fn explicit_engine_can_discover_counterexamples() {
    let v = explicit_verdicts(
        &Params {
            replicas: 4,
            ..Params::default()
        },
        12,
        false,
    );
    assert_eq!(
        v[1].1.violation_depth(),
        Some(10),
        "Consistent with 4 replicas"
    );
    let v = explicit_verdicts(
        &Params {
            log_offset_max: 2,
            ..Params::default()
        },
        12,
        true,
    );
    assert_eq!(
        v[0].1.violation_depth(),
        Some(5),
        "TypeOK with LogOffset 0..2"
    );
}

#[test]
fn small_configuration_is_exhausted_with_pinned_counts() {
    let p = Params {
        clients: 1,
        max_req: 1,
        max_leader_changes: 2,
        ..Params::default()
    };
    for (symmetry, states) in [(false, 11760), (true, 1998)] {
        for (q, v) in explicit_verdicts(&p, 100, symmetry) {
            match v {
                Verdict::Proved(Method::Exhausted {
                    states: n,
                    diameter,
                }) => {
                    assert_eq!((n, diameter), (states, 21), "{q}, symmetry {symmetry}")
                }
                other => panic!("{q}: expected Holds, got {other:?}"),
            }
        }
    }
}

/// The widths leave room above every reachable value (the ranking check of
/// `--temporal Finish` and the encoding's faithfulness rely on it): on
/// exhausted configurations the largest `zk_epoch` reached is exactly
/// `natural_epoch_max`, below the epoch width's largest value.
#[test]
fn zk_epoch_never_exceeds_its_natural_bound() {
    for changes in [2, 3, 4] {
        let p = Params {
            clients: 1,
            max_req: 1,
            max_leader_changes: changes,
            ..Params::default()
        };
        let lv = levels(&p, 60).unwrap();
        assert!(lv.last().unwrap().is_empty(), "not exhausted at 60");
        let top = lv.iter().flatten().map(|s| s.zk_epoch).max().unwrap();
        assert_eq!(top, p.natural_epoch_max(), "{changes} leader changes");
        assert!((top as u64) < (1u64 << p.w_epoch()) - 1);
    }
}
