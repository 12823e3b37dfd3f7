//! Questions a user types: `--inv 'EXPR'` and `--reach 'EXPR'` on the
//! command line, against TLC's answers and states known to be reachable,
//! in both engines.

mod common;

use common::{bmc, scratch_dir, SMALL};
use semisync_bmc::spec::tla::check_module;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The summary line of one property.
fn summary(text: &str, name: &str) -> String {
    text.lines()
        .find(|l| l.trim_start().starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no summary line for {name}:\n{text}"))
        .to_string()
}

const ENGINES: [&str; 2] = ["symbolic", "explicit"];

/// TLC 2.20 on the standard configuration: violated with a shortest trace
/// of 7 states (6 steps).
#[test]
fn tlc_ground_truth_invariant() {
    for e in ENGINES {
        let out = bmc(&[
            "--inv",
            r"\A c \in Client : Len(client_success[c]) < 2",
            "--engine",
            e,
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(12), "{e}: {out:?}");
        let text = stdout(&out);
        assert!(
            text.contains("Error: Invariant Pred1 is violated."),
            "{text}"
        );
        assert!(text.contains("State 7: <DBResponse"), "{text}");
        assert!(!text.contains("State 8:"), "{text}");
        assert!(
            summary(&text, "Pred1").contains("violated at depth 6"),
            "{text}"
        );
    }
}

/// TLC 2.20: reachable, shortest trace of 11 states (10 steps). A witness
/// is a success.
#[test]
fn tlc_ground_truth_reach() {
    for e in ENGINES {
        let out = bmc(&[
            "--reach",
            r#"zk_status = "WaitReplicaLog" /\ \E c \in Client : Len(client_success[c]) > 0"#,
            "--engine",
            e,
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(0), "{e}: {out:?}");
        let text = stdout(&out);
        assert!(text.contains("Witness: Reach1 is reachable."), "{text}");
        assert!(text.contains("Reached at state 11 (depth 10)"), "{text}");
        assert!(
            summary(&text, "Reach1").contains("reachable at depth 10"),
            "{text}"
        );
    }
}

/// The regression suite's known-reachable states (tests/regression.rs pins
/// them as whole states) as claims a user could type, with their pinned
/// shortest depths; both engines must give the same depth.
#[test]
fn known_reachable_states_as_reach_predicates() {
    let known = [
        (r"\E c \in Client : Len(client_success[c]) > 0", 3),
        (
            r#"zk_status = "WaitReplicaLog" /\ Cardinality(collectedDB) = 2 /\ zk_leader \notin old_leaders"#,
            7,
        ),
        (
            r#"zk_leader_epoch = 2 /\ zk_status = "Normal" /\ old_leaders = {} /\ Len(db[zk_leader]) = 2"#,
            15,
        ),
        (
            r"zk_leader_epoch = 2 /\ old_leaders = {} /\ \A r \in Replica : Len(db[r]) = 2",
            18,
        ),
    ];
    for (q, depth) in known {
        for e in ENGINES {
            let out = bmc(&["--reach", q, "--engine", e, "--depth", "20", "-q"]);
            assert_eq!(out.status.code(), Some(0), "{q} ({e}): {out:?}");
            let line = summary(&stdout(&out), "Reach1");
            assert!(
                line.contains(&format!("reachable at depth {depth} ")),
                "{q} ({e}): {line}"
            );
        }
    }
}

#[test]
fn unreached_targets_exit_15_and_say_how_far() {
    // Not reachable within the bound (zk_epoch climbs at most one a step).
    let out = bmc(&["--reach", "zk_epoch >= 6", "--depth", "4", "-q"]);
    assert_eq!(out.status.code(), Some(15), "{out:?}");
    assert!(summary(&stdout(&out), "Reach1").contains("not reachable up to depth 4"));
    // Exhausted by the explicit engine: unreachable in every behaviour.
    let target = "zk_leader_epoch > max_change_leader";
    let args = [
        "--reach", target, "--engine", "explicit", "--depth", "60", "-q",
    ];
    let out = bmc(&[&SMALL[..], &args[..]].concat());
    assert_eq!(out.status.code(), Some(15), "{out:?}");
    let line = summary(&stdout(&out), "Reach1");
    assert!(
        line.contains("unreachable (exhaustive explicit search of 11760"),
        "{line}"
    );
    // An invariant violated beside a reached target: the violation decides.
    let out = bmc(&["--reach", "next_req = 61", "--inv", "zk_epoch < 2", "-q"]);
    assert_eq!(out.status.code(), Some(12), "{out:?}");
}

/// `--prove --reach`: unreachable for every depth, with a certificate that
/// states the negated target and reads back.
#[test]
fn prove_unreachable_with_certificate() {
    let dir = scratch_dir("reach");
    let file = dir.join("Unreach.tla");
    let target = "Bad == zk_leader_epoch > max_change_leader";
    let args = [
        "--prove",
        "--reach",
        target,
        "--certificate",
        file.to_str().unwrap(),
        "-q",
    ];
    let out = bmc(&[&SMALL[..], &args[..]].concat());
    assert_eq!(out.status.code(), Some(15), "{out:?}");
    assert!(summary(&stdout(&out), "Bad").contains("unreachable, proved for every depth"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("Bad == ~("), "{text}");
    let defs = check_module(&text).unwrap_or_else(|e| panic!("{e}"));
    assert!(defs.iter().any(|d| d.name == "Bad"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn json_marks_witnesses_and_gives_the_definition() {
    let out = bmc(&["--reach", "Acked == next_req = 61", "--json", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let props = j["properties"].as_array().expect("properties");
    let v = props.iter().find(|v| v["name"] == "Acked").expect("Acked");
    assert_eq!(v["reach"], true);
    assert_eq!(v["reached"], true);
    assert_eq!(v["depth"], 1);
    assert!(v["definition"].as_str().unwrap().contains("next_req = 61"));
}

#[test]
fn bad_predicates_are_usage_errors_with_the_place() {
    let out = bmc(&["--inv", "zk_epoch <", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("syntax error") && err.contains("line 1"),
        "{err}"
    );
    let out = bmc(&["--reach", "Len(db[r1])", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a Boolean"), "{err}");
    let out = bmc(&["--inv", "TypeOK == zk_epoch > 0", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let out = bmc(&[
        "--inv",
        "db_status[r1] = \"Writable\"",
        "--engine",
        "explicit",
        "--symmetry",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--symmetry"));
}

/// `--config encodings/MC.cfg` checks what TLC would: the standard
/// configuration's three invariants, no deadlock check; a flag on the
/// command line wins over the file; TLC's default CHECK_DEADLOCK is TRUE.
#[test]
fn tlc_config_files() {
    let cfg = concat!(env!("CARGO_MANIFEST_DIR"), "/encodings/MC.cfg");
    let out = bmc(&["--config", cfg, "--depth", "6", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains("properties: TypeOK, Consistent, Inv;"),
        "{text}"
    );
    assert!(
        text.contains("Client = {c1, c2}, Replica = {r1, r2, r3}"),
        "{text}"
    );
    let dir = scratch_dir("cfg");
    let file = dir.join("Four.cfg");
    std::fs::write(
        &file,
        "\\* four replicas, one client\nCONSTANTS\n  Client = {c1}\n  Replica = {r1, r2, r3, r4}\n  \
         nil = nil\n  max_next_req <- 1\nSPECIFICATION Spec\nINVARIANT Consistent\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let out = bmc(&["--config", f, "--depth", "10", "-q"]);
    assert_eq!(out.status.code(), Some(12), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains("Client = {c1}, Replica = {r1, r2, r3, r4}, max_next_req = 1"),
        "{text}"
    );
    assert!(
        text.contains("properties: Consistent, NoDeadlock;"),
        "{text}"
    );
    assert!(
        summary(&text, "Consistent").contains("violated at depth 10"),
        "{text}"
    );
    // Flags win: two clients, and --inv replaces the file's invariants.
    let out = bmc(&[
        "--config",
        f,
        "--clients",
        "2",
        "--inv",
        "TypeOK",
        "--depth",
        "3",
        "-q",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("Client = {c1, c2}, Replica = {r1, r2, r3, r4}"),
        "{text}"
    );
    // (the file's deadlock check, TLC's default, stays)
    assert!(text.contains("properties: TypeOK, NoDeadlock;"), "{text}");
    // No INVARIANT: TLC checks deadlocks only; an unknown INVARIANT is
    // reported at its line.
    std::fs::write(&file, "CONSTANTS\n  Client = {c1}\n").unwrap();
    let out = bmc(&["--config", f, "--depth", "3", "-q"]);
    assert!(stdout(&out).contains("properties: NoDeadlock;"), "{out:?}");
    std::fs::write(
        &file,
        "CHECK_DEADLOCK FALSE\nINVARIANT TypeOK\n  Consistant\n",
    )
    .unwrap();
    let out = bmc(&["--config", f]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 3: INVARIANT Consistant") && err.contains("did you mean 'Consistent'"),
        "{err}"
    );
    // Errors name the line.
    std::fs::write(&file, "CONSTANTS\n  Client = {c1}\n  Replicas = {r1}\n").unwrap();
    let out = bmc(&["--config", f]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3: unknown constant 'Replicas'"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// The coverage table: instance -> its summary's words.
fn coverage(text: &str) -> Vec<(String, String)> {
    let at = text.find("Summary:").expect("a summary");
    text[at..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| {
            let l = l.trim();
            let (name, rest) = l.split_once(' ').unwrap();
            (name.to_string(), rest.trim().to_string())
        })
        .collect()
}

/// `--coverage`: the shallowest depth of every action instance, the same
/// in both engines, and the exit code that makes it a CI gate.
#[test]
fn coverage_gives_first_enabled_depths_in_both_engines() {
    let mut tables = vec![];
    for e in ENGINES {
        let out = bmc(&["--coverage", "--engine", e, "--depth", "12", "-q"]);
        assert_eq!(
            out.status.code(),
            Some(15),
            "Terminated is never enabled: {out:?}"
        );
        tables.push(coverage(&stdout(&out)));
    }
    assert_eq!(tables[0], tables[1]);
    let t = &tables[0];
    assert_eq!(t.len(), 23, "{t:?}");
    let depth_of = |name: &str| -> String { t.iter().find(|(n, _)| n == name).unwrap().1.clone() };
    for (name, d) in [
        ("StartRequest(c2)", 0),
        ("DBResponse(c1)", 2),
        ("ClientUpdateLeader(c1)", 7),
        ("Replicate(r3)", 1),
        ("RecoverOldLeader(r2)", 9),
        ("HealerGetDBLog(r1)", 3),
        ("HealerUpdateLeader", 6),
        ("HealerUpdateToNormal", 8),
    ] {
        assert_eq!(
            depth_of(name),
            format!("first enabled at depth {d}"),
            "{name}"
        );
    }
    assert_eq!(depth_of("Terminated"), "never enabled up to depth 12");
    let out = bmc(&["--coverage", "--depth", "3", "--json", "-q"]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let props = j["properties"].as_array().unwrap();
    let r = props.iter().find(|v| v["name"] == "Replicate(r2)").unwrap();
    assert_eq!(
        (&r["coverage"], &r["reached"], &r["depth"]),
        (
            &serde_json::json!(true),
            &serde_json::json!(true),
            &serde_json::json!(1)
        )
    );
    assert_eq!(r["args"], serde_json::json!(["r2"]));
}

/// With two replicas and quorums of two no leader change can start
/// (`Cardinality(Replica \ old_leaders) > replication_factor` fails): the
/// failover actions are never enabled, proved by --prove and confirmed by
/// the exhausted explicit search.
#[test]
fn coverage_proves_actions_never_enabled() {
    let args = [
        "--coverage",
        "--replicas",
        "2",
        "--clients",
        "1",
        "--max-req",
        "1",
        "-q",
    ];
    let out = bmc(&[&args[..], &["--prove"]].concat());
    assert_eq!(out.status.code(), Some(15), "{out:?}");
    let proved = coverage(&stdout(&out));
    let out = bmc(&[&args[..], &["--engine", "explicit", "--depth", "50"]].concat());
    let exhausted = coverage(&stdout(&out));
    assert_eq!(proved.len(), exhausted.len());
    for ((n, p), (m, x)) in proved.iter().zip(&exhausted) {
        assert_eq!(n, m);
        assert_eq!(
            p.starts_with("never enabled"),
            x.starts_with("never enabled"),
            "{n}: {p} / {x}"
        );
        if p.starts_with("first") {
            assert_eq!(p, x, "{n}");
        } else {
            assert!(
                p.contains("proved for every depth") && x.contains("exhaustive"),
                "{n}"
            );
        }
    }
    let never: Vec<&String> = proved
        .iter()
        .filter(|(_, w)| w.starts_with("never"))
        .map(|(n, _)| n)
        .collect();
    assert!(
        never.iter().any(|n| *n == "ReadyToChangeZKLeader"),
        "{never:?}"
    );
    assert!(
        never.iter().any(|n| *n == "HealerUpdateLeader"),
        "{never:?}"
    );
    assert!(
        !never.iter().any(|n| n.starts_with("Replicate")),
        "{never:?}"
    );
}

/// `--max-error`: distinct views, each at the shallowest depth its view
/// first occurs at, as the explicit level sets (no symmetry) show.
#[test]
fn several_counterexamples_are_the_shortest_per_view() {
    use semisync_bmc::engine::explicit::bfs::levels;
    use semisync_bmc::params::Params;
    use semisync_bmc::spec::tla::{compile, eval::eval_value, eval_bool};
    let (pred, view) = (
        r"\A c \in Client : Len(client_success[c]) < 2",
        "client_success",
    );
    let n = 5;
    let out = bmc(&[
        "--inv",
        pred,
        "--max-error",
        &n.to_string(),
        "--view",
        view,
        "--json",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(12), "{out:?}");
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &j["properties"][0];
    let mut depths = vec![v["depth"].as_u64().unwrap() as usize];
    let mut views =
        vec![v["trace"]["states"].as_array().unwrap().last().unwrap()["client_success"].clone()];
    for m in v["more"].as_array().expect("more") {
        depths.push(m["depth"].as_u64().unwrap() as usize);
        views.push(
            m["trace"]["states"].as_array().unwrap().last().unwrap()["client_success"].clone(),
        );
    }
    assert_eq!(depths.len(), n);
    for i in 0..n {
        for k in 0..i {
            assert_ne!(views[i], views[k], "views {k} and {i} are equal");
        }
    }
    // Independently: the first depth of every view among violating states.
    let p = Params::default();
    let (_, q) = compile(pred).unwrap();
    let (_, w) = compile(view).unwrap();
    let mut first: Vec<(usize, String)> = vec![];
    for (d, level) in levels(&p, 9).unwrap().iter().enumerate() {
        for s in level {
            if eval_bool(&q, &p, s) == Ok(false) {
                let key = eval_value(&w, &p, s).unwrap().to_string();
                if !first.iter().any(|(_, k)| *k == key) {
                    first.push((d, key));
                }
            }
        }
    }
    let mut want: Vec<usize> = first.iter().map(|(d, _)| *d).collect();
    want.sort();
    want.truncate(n);
    assert_eq!(
        depths, want,
        "the n shallowest first depths of distinct views"
    );
    // Numbered ITF files, one per counterexample.
    let dir = scratch_dir("more");
    let file = dir.join("cx.itf.json");
    let out = bmc(&[
        "--inv",
        pred,
        "--max-error",
        "3",
        "--itf",
        file.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(12));
    for name in ["cx.itf.json", "cx.Pred1.2.itf.json", "cx.Pred1.3.itf.json"] {
        assert!(dir.join(name).exists(), "{name}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Combinations a review found wrong, each now right or refused.
#[test]
fn review_findings_stay_fixed() {
    let small = [&SMALL[..], &["-q"]].concat();
    // Symmetry breaking is off for a predicate naming r2, also in --prove's BMC.
    let out = bmc(&[&small[..], &["--prove", "--reach", "zk_leader = r2"]].concat());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(summary(&stdout(&out), "Reach1").contains("reachable at depth 0"));
    // Two properties of one name are refused; so is a spec definition's name.
    for args in [
        &[
            "--reach",
            "X == zk_epoch = 3",
            "--reach",
            "X == zk_epoch = 2",
        ][..],
        &["--inv", "Next == zk_epoch >= 1"][..],
        &["--temporal", "Finish", "--reach", "zk_epoch = 9"][..],
        &["--stop-at-first", "--coverage"][..],
        &["--view", "zk_leader"][..],
        &["--max-error", "2", "--view", "Len(db)"][..],
        &["--max-error", "2", "--view", "<<zk_leader"][..],
    ] {
        let out = bmc(&[&small[..], args].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
    // --prove --coverage with two clients panicked: the prover's 1-client
    // seed asked whether StartRequest(c2) is enabled. It is not, there.
    use semisync_bmc::params::Params;
    use semisync_bmc::spec::{init_states, Action, Property};
    let one = Params {
        clients: 1,
        ..Params::default()
    };
    let q = Property::Enabled(Action::StartRequest(1));
    assert!(init_states(&one).iter().all(|s| q.holds(&one, s)));
    let enc = semisync_bmc::symbolic::Encoding::new(&one);
    let t = enc.property(q, &enc.state(0));
    assert_eq!(z3::ast::Ast::simplify(&t).as_bool(), Some(true));
}
