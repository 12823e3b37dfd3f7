//! Machine-readable outputs: ITF traces read back by an independent ITF
//! reader (the `itf` crate) and replayed through the concrete spec; the JSON
//! report; the SMT-LIB2 dump rerun in a fresh solver.

use itf::value::Value;
use semisync_bmc::params::{Params, REQ_BASE};
use semisync_bmc::spec::{Action, DbStatus, HealerStatus, Property, State, ZkStatus};
use semisync_bmc::trace::Trace;
use std::collections::BTreeMap;
mod common;

use common::bmc;

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("semisync-bmc-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn num(v: &Value) -> u32 {
    match v {
        Value::BigInt(b) => b.to_string().parse().unwrap(),
        other => panic!("not an integer: {other:?}"),
    }
}
fn text(v: &Value) -> &str {
    match v {
        Value::String(s) => s,
        other => panic!("not a string: {other:?}"),
    }
}
fn id(v: &Value) -> usize {
    text(v)[1..].parse::<usize>().unwrap() - 1
}
fn opt(v: &Value) -> Option<u32> {
    match v {
        Value::String(s) if s == "nil" => None,
        other => Some(num(other)),
    }
}
fn seq(v: &Value) -> Vec<u32> {
    match v {
        Value::List(xs) => xs.iter().map(num).collect(),
        other => panic!("not a sequence: {other:?}"),
    }
}
/// A function over `r1..rN` or `c1..cN`, in id order.
fn fun<T>(v: &Value, f: impl Fn(&Value) -> T) -> Vec<T> {
    match v {
        Value::Map(m) => {
            let mut kv: Vec<(usize, T)> = m.iter().map(|(k, x)| (id(k), f(x))).collect();
            kv.sort_by_key(|(k, _)| *k);
            assert!(
                kv.iter().enumerate().all(|(i, (k, _))| i == *k),
                "keys are not 1..N"
            );
            kv.into_iter().map(|(_, x)| x).collect()
        }
        other => panic!("not a function: {other:?}"),
    }
}
fn status<T: Copy>(all: &[T], names: &[&str], v: &Value) -> T {
    all[names
        .iter()
        .position(|n| *n == text(v))
        .expect("known status")]
}

/// A state read from its ITF variables, by the reader's own value types.
fn state_of(vars: &BTreeMap<String, Value>, nr: usize) -> State {
    let g = |n: &str| vars.get(n).unwrap_or_else(|| panic!("missing {n}"));
    let old: Vec<usize> = match g("old_leaders") {
        Value::Set(s) => s.iter().map(id).collect(),
        other => panic!("not a set: {other:?}"),
    };
    let zs = ["Normal", "ChangingLeader", "WaitReplicaLog"];
    let ds = ["Writable", "Replica", "Frozen"];
    let hs = ["Init", "UpdatingLeader", "WaitReplica"];
    State {
        zk_leader: id(g("zk_leader")),
        zk_epoch: num(g("zk_epoch")),
        zk_leader_epoch: num(g("zk_leader_epoch")),
        zk_status: status(&ZkStatus::ALL, &zs, g("zk_status")),
        old_leaders: (0..nr).map(|r| old.contains(&r)).collect(),
        zk_catchup_index: opt(g("zk_catchup_index")),
        db: fun(g("db"), seq),
        db_leader: fun(g("db_leader"), id),
        db_replicated: fun(g("db_replicated"), |row| fun(row, num)),
        db_epoch: fun(g("db_epoch"), num),
        db_status: fun(g("db_status"), |v| status(&DbStatus::ALL, &ds, v)),
        next_req: num(g("next_req")),
        client_leader: fun(g("client_leader"), id),
        client_success: fun(g("client_success"), seq),
        pending: fun(g("pending"), opt),
        pending_db: fun(g("pending_db"), |v| {
            if text(v) == "nil" {
                None
            } else {
                Some(id(v))
            }
        }),
        client_leader_epoch: fun(g("client_leader_epoch"), num),
        healer_status: status(&HealerStatus::ALL, &hs, g("healer_status")),
        healer_epoch: num(g("healer_epoch")),
        healer_replicas: fun(g("healer_replicas"), opt),
    }
}

/// Reads an ITF file with the `itf` crate and replays it; returns the depth.
fn replay_itf(p: &Params, path: &std::path::Path, prop: Property) -> usize {
    let raw = std::fs::read_to_string(path).unwrap();
    // The itf crate's own trace and value types, parsed as they derive it
    // (its generic `decode` path turns bigints into strings).
    let trace: itf::Trace<Value> =
        serde_json::from_str(&raw).expect("the itf crate reads our trace");
    assert_eq!(trace.meta.format.as_deref(), Some("ITF"));
    assert_eq!(
        trace.meta.other.get("violated").map(String::as_str),
        Some(prop.name())
    );
    assert_eq!(trace.vars.len(), 20);
    let actions = Action::all(p);
    let mut tr = Trace {
        states: vec![],
        actions: vec![],
    };
    for (i, st) in trace.states.iter().enumerate() {
        assert_eq!(st.meta.index, Some(i as u64));
        let Value::Record(rec) = &st.value else {
            panic!("a state is a record")
        };
        let vars: BTreeMap<String, Value> =
            rec.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        tr.states.push(state_of(&vars, p.replicas));
        if i > 0 {
            let label = &st.meta.other["action"];
            tr.actions.push(
                *actions
                    .iter()
                    .find(|a| &a.to_string() == label)
                    .expect("known action"),
            );
        }
    }
    tr.replay(p, prop).expect("the ITF trace replays");
    assert!(tr.states.iter().all(|s| s.next_req >= REQ_BASE));
    tr.depth()
}

#[test]
fn itf_traces_are_read_by_the_itf_crate_and_replay() {
    let dir = tmp("itf");
    let file = dir.join("cx.itf.json");
    let o = bmc(&[
        "--log-offset-max",
        "2",
        "--epoch-max",
        "3",
        "--depth",
        "10",
        "-q",
        "--itf",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(12));
    // Two properties selected, one violated: a single file under the given name.
    let p = Params {
        log_offset_max: 2,
        epoch_max: 3,
        ..Params::default()
    };
    assert_eq!(replay_itf(&p, &file, Property::TypeOK), 5);

    let file = dir.join("four.itf.json");
    let o = bmc(&[
        "--replicas",
        "4",
        "--inv",
        "Consistent,TypeOK",
        "--log-offset-max",
        "2",
        "--depth",
        "10",
        "-q",
        "--itf",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(12));
    let p = Params {
        replicas: 4,
        log_offset_max: 2,
        ..Params::default()
    };
    assert_eq!(
        replay_itf(&p, &dir.join("four.TypeOK.itf.json"), Property::TypeOK),
        5
    );
    assert_eq!(
        replay_itf(
            &p,
            &dir.join("four.Consistent.itf.json"),
            Property::Consistent
        ),
        10
    );
}

#[test]
fn explicit_engine_writes_the_same_format() {
    let dir = tmp("itf-explicit");
    let file = dir.join("e.itf.json");
    let o = bmc(&[
        "--engine",
        "explicit",
        "--replicas",
        "4",
        "--inv",
        "Consistent",
        "--depth",
        "12",
        "-q",
        "--itf",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(12));
    let p = Params {
        replicas: 4,
        ..Params::default()
    };
    assert_eq!(replay_itf(&p, &file, Property::Consistent), 10);
}

#[test]
fn json_report_has_verdicts_depths_and_traces() {
    // The default: the engines race, and each property says which decided.
    let o = bmc(&["--log-offset-max", "2", "--depth", "6", "-q", "--json"]);
    assert_eq!(o.status.code(), Some(12));
    let doc: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("one JSON document on stdout");
    assert_eq!(doc["engine"], "auto");
    for q in doc["properties"].as_array().unwrap() {
        assert!(
            ["symbolic", "explicit"].contains(&q["engine"].as_str().unwrap_or("")),
            "{q}"
        );
    }
    // The symbolic engine alone: its per-depth answers.
    let o = bmc(&[
        "--engine",
        "symbolic",
        "--log-offset-max",
        "2",
        "--depth",
        "6",
        "-q",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(12));
    let doc: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("one JSON document on stdout");
    assert_eq!(doc["exit_code"], 12);
    assert_eq!(doc["engine"], "symbolic");
    assert_eq!(doc["parameters"]["log_offset_max"], 2);
    // The Z3 the binary runs on (4.8.12 from libz3-dev, or another build).
    let v = doc["z3_version"].as_str().unwrap();
    assert!(
        v.split('.').count() >= 3 && v.split('.').all(|x| x.parse::<u32>().is_ok()),
        "{v}"
    );
    // BMC's depths (the explicit engine's levels are there too, marked).
    let depths: Vec<&serde_json::Value> = doc["depths"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["engine"] == "symbolic")
        .collect();
    assert_eq!(depths.len(), 7);
    assert_eq!(depths[5]["answers"]["TypeOK"], "sat");
    assert_eq!(depths[6]["answers"]["Inv"], "unsat");
    assert!(
        depths[6]["answers"].get("TypeOK").is_none(),
        "a decided property is not asked again"
    );
    let props = doc["properties"].as_array().unwrap();
    let by = |n: &str| props.iter().find(|p| p["name"] == n).unwrap();
    assert_eq!(by("TypeOK")["verdict"], "violated");
    assert_eq!(by("TypeOK")["depth"], 5);
    assert_eq!(by("TypeOK")["trace"]["states"].as_array().unwrap().len(), 6);
    assert_eq!(by("Consistent")["verdict"], "holds_up_to");
    assert_eq!(by("Consistent")["depth"], 6);
}

#[test]
fn dumped_queries_rerun_in_a_fresh_solver_with_the_same_answers() {
    let dir = tmp("smt");
    let o = bmc(&[
        "--log-offset-max",
        "2",
        "--inv",
        "TypeOK",
        "--depth",
        "6",
        "-q",
        "--dump-smt",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(12));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names.first().map(String::as_str),
        Some("depth_00_TypeOK.smt2")
    );
    assert_eq!(
        names.last().map(String::as_str),
        Some("depth_05_TypeOK.smt2")
    );
    for (file, want) in [
        ("depth_04_TypeOK.smt2", z3::SatResult::Unsat),
        ("depth_05_TypeOK.smt2", z3::SatResult::Sat),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let (asserts, query) = text.rsplit_once("(check-sat-assuming (").unwrap();
        let lit = query.trim().trim_end_matches("))");
        let solver = z3::Solver::new();
        solver.from_string(asserts.to_string());
        let assumption = z3::ast::Bool::new_const(lit);
        assert_eq!(solver.check_assumptions(&[assumption]), want, "{file}");
    }
}
