//! The symbolic encoding against the concrete spec: for every action, the
//! successors Z3 admits (enumerated with blocking clauses) are exactly the
//! successors the concrete interpreter computes; and the states at the end
//! of paths of exactly k steps agree.

mod common;

use common::{random_state, shapes, Rng};
use semisync_bmc::engine::explicit::bfs::levels;
use semisync_bmc::layout::Layout;
use semisync_bmc::params::Params;
use semisync_bmc::spec::{init_states, successors, Action, State};
use semisync_bmc::symbolic::enumerate::{symbolic_exact_sets, symbolic_successors};
use semisync_bmc::symbolic::Encoding;
use std::collections::BTreeSet;

fn concrete_successors(p: &Params, s: &State) -> BTreeSet<(Action, State)> {
    successors(p, &Action::all(p), s).into_iter().collect()
}

fn assert_same_successors(p: &Params, enc: &Encoding, s: &State, what: &str) -> usize {
    let want = concrete_successors(p, s);
    let got = symbolic_successors(enc, s).unwrap();
    if got != want {
        let missing: Vec<_> = want.difference(&got).map(|(a, _)| a.to_string()).collect();
        let extra: Vec<_> = got.difference(&want).map(|(a, _)| a.to_string()).collect();
        panic!(
            "{what}: symbolic and concrete successors differ on\n{s:?}\nwith {p:?}\n\
             missing from the encoding: {missing:?}\nonly in the encoding: {extra:?}"
        );
    }
    want.len()
}

#[test]
fn symbolic_successors_equal_concrete_on_random_states() {
    let mut per_action = std::collections::BTreeMap::<&str, usize>::new();
    for (i, p) in shapes().iter().enumerate() {
        let enc = Encoding::new(p);
        let layout = Layout::new(p);
        let mut rng = Rng::new(17 + i as u64);
        for _ in 0..120 {
            let s = random_state(p, &mut rng);
            assert!(layout.fits(p, &s));
            assert_same_successors(p, &enc, &s, "random state");
            for (a, _) in concrete_successors(p, &s) {
                *per_action.entry(a.name()).or_default() += 1;
            }
        }
    }
    // The generator must exercise every action, or the test proves little.
    for a in Action::all(&Params::default()) {
        if a != Action::Terminated {
            assert!(
                per_action.get(a.name()).copied().unwrap_or(0) >= 5,
                "{} rarely enabled: {per_action:?}",
                a.name()
            );
        }
    }
}

#[test]
fn symbolic_successors_equal_concrete_on_reachable_states() {
    for p in shapes().iter().take(3) {
        let enc = Encoding::new(p);
        let lv = levels(p, 9).unwrap();
        let mut rng = Rng::new(5);
        let mut checked = 0;
        for level in &lv {
            for s in level.iter().filter(|_| rng.chance(1, 12)).take(12) {
                assert_same_successors(p, &enc, s, "reachable state");
                checked += 1;
            }
        }
        assert!(checked >= 40, "only {checked} states checked");
    }
}

#[test]
fn terminated_is_enabled_exactly_when_terminate_cond_holds() {
    let p = Params::default();
    let enc = Encoding::new(&p);
    let mut s = init_states(&p).remove(0);
    s.next_req = 64;
    s.zk_leader_epoch = 4;
    s.zk_epoch = 10;
    s.db_epoch = vec![10; 3];
    s.client_leader_epoch = vec![4; 2];
    let n = assert_same_successors(&p, &enc, &s, "terminal state");
    assert!(concrete_successors(&p, &s).contains(&(Action::Terminated, s.clone())));
    assert!(n >= 1);
    s.zk_epoch = 9;
    s.db_epoch = vec![9; 3];
    assert_same_successors(&p, &enc, &s, "nearly terminal state");
    assert!(!concrete_successors(&p, &s)
        .iter()
        .any(|(a, _)| *a == Action::Terminated));
}

/// States at the end of some path of exactly k steps, by iterating the
/// concrete successor function.
fn concrete_exact_sets(p: &Params, depth: usize) -> Vec<BTreeSet<State>> {
    let actions = Action::all(p);
    let mut out: Vec<BTreeSet<State>> = vec![init_states(p).into_iter().collect()];
    for _ in 0..depth {
        let next = out
            .last()
            .unwrap()
            .iter()
            .flat_map(|s| successors(p, &actions, s).into_iter().map(|(_, t)| t))
            .collect();
        out.push(next);
    }
    out
}

fn assert_exact_sets_agree(p: &Params, depth: usize) -> Vec<usize> {
    let want = concrete_exact_sets(p, depth);
    let got = symbolic_exact_sets(p, depth, 20_000).unwrap();
    for k in 0..=depth {
        assert_eq!(got[k].len(), want[k].len(), "depth {k} of {p:?}");
        assert!(got[k] == want[k], "depth {k} of {p:?}: different states");
    }
    // And the union up to k is what the explicit engine finds within k steps.
    let lv = levels(p, depth).unwrap();
    let mut union = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for k in 0..=depth {
        union.extend(want[k].iter().cloned());
        seen.extend(lv[k].iter().cloned());
        assert_eq!(union, seen, "within {k} steps of {p:?}");
    }
    want.iter().map(|s| s.len()).collect()
}

#[test]
fn reachable_sets_agree_one_client_one_request() {
    let p = Params {
        clients: 1,
        max_req: 1,
        ..Params::default()
    };
    let sizes = assert_exact_sets_agree(&p, 8);
    assert_eq!(sizes[..4], [3, 6, 21, 45]);
}

#[test]
fn reachable_sets_agree_one_client_two_requests() {
    let p = Params {
        clients: 1,
        max_req: 2,
        ..Params::default()
    };
    assert_exact_sets_agree(&p, 6);
}

#[test]
fn reachable_sets_agree_standard_configuration() {
    let sizes = assert_exact_sets_agree(&Params::default(), 5);
    assert_eq!(sizes[..3], [3, 9, 36]);
}

#[test]
#[ignore = "about 80 s of solver time; run with --ignored"]
fn reachable_sets_agree_standard_configuration_to_depth_6() {
    let sizes = assert_exact_sets_agree(&Params::default(), 6);
    assert_eq!(sizes[..3], [3, 9, 36]);
}

/// `ENABLED Next` (`--deadlock`'s property) reads the same in the encoding
/// as in the spec: on random states, some with no action enabled at all.
#[test]
fn enabled_next_reads_the_same_symbolically_and_concretely() {
    use semisync_bmc::spec::Property;
    use z3::ast::Ast;
    let mut counts = [0usize; 2];
    for (i, p) in shapes().iter().enumerate() {
        let enc = Encoding::new(p);
        let layout = Layout::new(p);
        let mut rng = Rng::new(91 + i as u64);
        for _ in 0..300 {
            let s = random_state(p, &mut rng);
            let concrete = !concrete_successors(p, &s).is_empty();
            assert_eq!(concrete, Property::NoDeadlock.holds(p, &s));
            let sym = enc
                .property(Property::NoDeadlock, &enc.const_state(&layout.encode(&s)))
                .simplify()
                .as_bool()
                .expect("a constant state gives a constant");
            assert_eq!(sym, concrete, "{s:?} with {p:?}");
            counts[concrete as usize] += 1;
        }
    }
    // Both answers occur, or the test proves little.
    assert!(counts[0] >= 10 && counts[1] >= 100, "{counts:?}");
}
