//! `encodings/SemiSync.standard.smt2` is what the tool generates for the
//! standard configuration, and it is valid SMT-LIB2 that a fresh solver
//! reads: a change to the encoding must show in a reviewed diff.

use semisync_bmc::params::Params;
use semisync_bmc::symbolic::{smtlib, Encoding};
use z3::{SatResult, Solver};

const CHECKED_IN: &str = include_str!("../encodings/SemiSync.standard.smt2");

#[test]
fn checked_in_encoding_matches_the_generated_one() {
    let now = smtlib::render(&Encoding::new(&Params::default()));
    if now != CHECKED_IN {
        let line = now
            .lines()
            .zip(CHECKED_IN.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0)
            + 1;
        panic!(
            "encodings/SemiSync.standard.smt2 is stale (first difference at line {line}); \
             regenerate it with `cargo run --release -- --print-encoding > encodings/SemiSync.standard.smt2` \
             and review the diff"
        );
    }
}

#[test]
fn checked_in_encoding_is_valid_smtlib_with_every_action() {
    for a in [
        "StartRequest_c1.enabled",
        "HealerUpdateLeader.enabled",
        "Replicate_r3.next.db_len_3",
        "Terminated.enabled",
    ] {
        assert!(
            CHECKED_IN.contains(&format!("(define-fun {a} ")),
            "{a} missing"
        );
    }
    let solver = Solver::new();
    solver.from_string(format!(
        "{CHECKED_IN}(assert Init)(assert Next)(assert (not TypeOK))"
    ));
    // No successor of an initial state leaves its type.
    assert_eq!(solver.check(), SatResult::Unsat);
    let solver = Solver::new();
    solver.from_string(format!(
        "{CHECKED_IN}(assert Init)(assert Next)(assert (= act@0 #b00000))"
    ));
    assert_eq!(
        solver.check(),
        SatResult::Sat,
        "StartRequest(c1) is enabled initially"
    );
}
