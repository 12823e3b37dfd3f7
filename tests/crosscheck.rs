//! The two engines agree: for a table of configurations, each property's
//! verdict and first violating depth is the same from the symbolic engine
//! (with its symmetry breaking and lemmas, with and without the
//! partial-order reduction) and from the explicit engine, and both match
//! the pinned regression values.

use semisync_bmc::check::bmc::{self, BmcPlan, PorPolicy};
use semisync_bmc::check::race::{self, RacePlan};
use semisync_bmc::check::split;
use semisync_bmc::engine::explicit::{self, ExplicitOptions};
use semisync_bmc::engine::{Events, Method, Verdict};
use semisync_bmc::params::Params;
use semisync_bmc::spec::Property;
use semisync_bmc::symbolic::unroll::Unroller;

/// `(name, params, depth, [TypeOK, Consistent, Inv] first violating depth
/// or None when it holds up to `depth`)`.
fn table() -> Vec<(&'static str, Params, usize, [Option<usize>; 3])> {
    let d = Params::default();
    vec![
        ("standard", d.clone(), 10, [None, None, None]),
        (
            "1 client",
            Params {
                clients: 1,
                ..d.clone()
            },
            10,
            [None, None, None],
        ),
        (
            "4 replicas",
            Params {
                replicas: 4,
                ..d.clone()
            },
            10,
            [None, Some(10), None],
        ),
        (
            "max_next_req 2",
            Params {
                max_req: 2,
                ..d.clone()
            },
            10,
            [None, None, None],
        ),
        (
            "max_next_req 3",
            Params {
                max_req: 3,
                ..d.clone()
            },
            10,
            [None, None, None],
        ),
        (
            "max_change_leader 2",
            Params {
                max_leader_changes: 2,
                ..d.clone()
            },
            10,
            [None, None, None],
        ),
        (
            "max_change_leader 3",
            Params {
                max_leader_changes: 3,
                ..d.clone()
            },
            10,
            [None, None, None],
        ),
        (
            "max_change_leader 5",
            Params {
                max_leader_changes: 5,
                ..d.clone()
            },
            10,
            [None, None, None],
        ),
        (
            "4 replicas, replication_factor 3",
            Params {
                replicas: 4,
                replication_factor: 3,
                ..d.clone()
            },
            10,
            [None, None, None],
        ),
        (
            "Epoch 0..3",
            Params {
                epoch_max: 3,
                ..d.clone()
            },
            10,
            [Some(10), None, None],
        ),
        (
            "LogOffset 0..2",
            Params {
                log_offset_max: 2,
                ..d.clone()
            },
            10,
            [Some(5), None, None],
        ),
        (
            // As many clients as replicas: both symmetry orders apply.
            "4 replicas, 4 clients",
            Params {
                replicas: 4,
                clients: 4,
                ..d.clone()
            },
            10,
            [None, Some(10), None],
        ),
        (
            "5 replicas, 3 clients",
            Params {
                replicas: 5,
                clients: 3,
                ..d
            },
            10,
            [None, Some(10), None],
        ),
    ]
}

/// The deep `Inv` violations: too slow for the default suite.
fn deep_table() -> Vec<(&'static str, Params, usize, [Option<usize>; 3])> {
    let d = Params::default();
    vec![
        ("standard", d.clone(), 19, [None, None, Some(19)]),
        (
            "1 client",
            Params {
                clients: 1,
                ..d.clone()
            },
            19,
            [None, None, Some(19)],
        ),
        (
            "max_next_req 3",
            Params {
                max_req: 3,
                ..d.clone()
            },
            19,
            [None, None, None],
        ),
        (
            "max_change_leader 2",
            Params {
                max_leader_changes: 2,
                ..d.clone()
            },
            19,
            [None, None, Some(19)],
        ),
        (
            "max_change_leader 3",
            Params {
                max_leader_changes: 3,
                ..d.clone()
            },
            19,
            [None, None, Some(19)],
        ),
        (
            "max_change_leader 5",
            Params {
                max_leader_changes: 5,
                ..d
            },
            19,
            [None, None, Some(19)],
        ),
    ]
}

fn depths(verdicts: &[(Property, Verdict)], depth: usize, what: &str) -> [Option<usize>; 3] {
    let mut out = [None; 3];
    for (q, v) in verdicts {
        let i = Property::ALL.iter().position(|x| x == q).unwrap();
        match v {
            Verdict::Violated(_) => out[i] = v.violation_depth(),
            Verdict::HoldsUpTo(k) => assert_eq!(*k, depth, "{what}: {q}"),
            Verdict::Proved(Method::Exhausted { .. }) => {}
            Verdict::Unknown { .. } => panic!("{what}: {q} unknown"),
            Verdict::Proved(_) => panic!("{what}: {q}: BMC never proves"),
            Verdict::Found { .. } | Verdict::NotFound { .. } => {
                panic!("{what}: {q}: no walks here")
            }
        }
    }
    out
}

/// The explicit engine with symmetry up to `depth`, on two workers (so the
/// parallel expansion is what the symbolic engine is checked against).
fn explicit_search(p: &Params, depth: usize, props: Vec<Property>) -> semisync_bmc::engine::Report {
    let opts = ExplicitOptions {
        symmetry: true,
        workers: 2,
        ..ExplicitOptions::new(depth, props)
    };
    explicit::run(p, &opts, &Events::none()).unwrap()
}

fn check(rows: Vec<(&'static str, Params, usize, [Option<usize>; 3])>, props: &[Property]) {
    for (name, p, depth, want) in rows {
        // The partial-order reduction from depth 2 (its default depth is
        // past most rows); --split-depths below runs without it.
        let por = BmcPlan {
            partial_order: PorPolicy::From(2),
            ..BmcPlan::new(depth, props.to_vec())
        };
        let sym = bmc::run(&p, &por, &Events::none()).unwrap();
        let exp = explicit_search(&p, depth, Property::ALL.to_vec());
        // --split-depths: even and odd depths in two threads.
        let plain = BmcPlan {
            partial_order: PorPolicy::Off,
            ..BmcPlan::new(depth, props.to_vec())
        };
        let split = split::run(&p, &plain).unwrap();
        let (s, e) = (
            depths(&sym.verdicts, depth, name),
            depths(&exp.verdicts, depth, name),
        );
        let t = depths(&split.verdicts, depth, name);
        // --engine auto: the engines racing (no walks: a violation they
        // meet deeper than the bound would be reported beyond it).
        let plan = RacePlan {
            bmc: BmcPlan::new(depth, props.to_vec()),
            walks: None,
            violated_within: vec![],
        };
        let (raced, by) = race::run(&p, &plan, &Events::none()).unwrap();
        let r = depths(&raced.verdicts, depth, name);
        assert_eq!(
            by.len(),
            props.len(),
            "{name}: every property says who decided it"
        );
        for (i, q) in Property::ALL.iter().enumerate() {
            if props.contains(q) {
                assert_eq!(s[i], e[i], "{name}: the engines disagree on {q}");
                assert_eq!(s[i], t[i], "{name}: with and without partial-order reduction (--split-depths) disagree on {q}");
                assert_eq!(
                    s[i], r[i],
                    "{name}: the race (--engine auto) disagrees on {q}"
                );
                assert_eq!(s[i], want[i], "{name}: {q} moved from its pinned depth");
            }
        }
    }
}

#[test]
fn engines_agree_on_first_violations_up_to_depth_10() {
    check(table(), &Property::ALL);
}

#[test]
#[ignore = "deep Inv violations: a few minutes; run with --ignored"]
fn engines_agree_on_deep_inv_violations() {
    check(deep_table(), &[Property::Inv]);
}

/// The reduction applies only once its commutation proof for the
/// configuration passed; a failed proof switches it off (loudly, in the
/// log) instead of trusting it.
#[test]
fn a_failed_commutation_proof_switches_the_reduction_off() {
    let p = Params::default();
    let mut u = Unroller::new(&p, None);
    u.reduce_partial_order(2);
    assert!(u.reduces_partial_order());
    u.partial_order_verified(Err("a pair does not commute".into()));
    assert!(!u.reduces_partial_order());
    let mut v = Unroller::new(&p, None);
    v.reduce_partial_order(2);
    v.partial_order_verified(semisync_bmc::symbolic::por::verify(&p));
    assert!(v.reduces_partial_order());
}

/// `--deadlock` in both engines on the table's configurations (up to depth
/// 10, no deadlock there) and on TLC's deadlocking one (1 client,
/// `max_next_req` 1, two leader changes: at 15): the same verdict and the
/// same first deadlock depth.
#[test]
fn engines_agree_on_deadlocks() {
    let mut rows: Vec<(&str, Params, usize)> =
        table().into_iter().map(|(n, p, d, _)| (n, p, d)).collect();
    rows.push((
        "TLC's deadlock",
        Params {
            clients: 1,
            max_req: 1,
            max_leader_changes: 2,
            ..Params::default()
        },
        16,
    ));
    let mut found = vec![];
    for (name, p, depth) in rows {
        let props = vec![Property::NoDeadlock];
        let sym = bmc::run(&p, &BmcPlan::new(depth, props.clone()), &Events::none()).unwrap();
        let exp = explicit_search(&p, depth, props);
        let (s, e) = (&sym.verdicts[0].1, &exp.verdicts[0].1);
        assert_eq!(
            s.violation_depth(),
            e.violation_depth(),
            "{name}: {s} vs {e}"
        );
        if s.is_violated() {
            found.push((name, s.violation_depth()));
        } else {
            assert!(
                matches!(s, Verdict::HoldsUpTo(k) if *k == depth),
                "{name}: {s}"
            );
        }
    }
    assert_eq!(found, [("TLC's deadlock", Some(15))]);
}

/// `FairSpec => Finish` in both engines, on the configurations whose whole
/// reachable graph the explicit engine explores (one client, one request):
/// the same verdict, and the same lasso length where there is one (every
/// lasso here is a deadlock that stutters: no cycle of real steps exists).
/// The explicit verdict is for every behaviour; lasso BMC's holds up to
/// its bound, which is past every violation found.
#[test]
fn engines_agree_on_finish() {
    use semisync_bmc::check::temporal::{self, TemporalPlan};
    use semisync_bmc::engine::bmc::{BmcOptions, Loops};
    let one = |replicas: usize, changes: u32| Params {
        replicas,
        clients: 1,
        max_req: 1,
        max_leader_changes: changes,
        ..Params::default()
    };
    // (name, params, lasso BMC bound, the lasso's prefix length or None)
    let rows = [
        ("one leader change", one(3, 1), 8, Some(4)),
        ("two (TLC's deadlock)", one(3, 2), 16, Some(15)),
        ("three", one(3, 3), 26, Some(25)),
        ("four (TLC: Finish holds)", one(3, 4), 20, None),
        ("4 replicas, two", one(4, 2), 17, Some(16)),
    ];
    for (name, p, depth, want) in rows {
        let plan = |explicit| TemporalPlan {
            depth,
            explicit,
            max_states: None,
            engine: BmcOptions::default(),
            loops: Loops::Saved,
            keep_loops: false,
        };
        let exp = temporal::run(&p, &plan(true), &Events::none()).unwrap();
        let sym = temporal::run(&p, &plan(false), &Events::none()).unwrap();
        let (e, s) = (&exp.verdicts[0].1, &sym.verdicts[0].1);
        assert_eq!(e.violation_depth(), want, "{name}: explicit {e}");
        assert_eq!(s.violation_depth(), want, "{name}: symbolic {s}");
        if want.is_none() {
            assert!(matches!(e, Verdict::Proved(_)), "{name}: {e}");
            assert!(
                matches!(s, Verdict::HoldsUpTo(k) if *k == depth),
                "{name}: {s}"
            );
        }
    }
}
