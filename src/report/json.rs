//! The `--json` report: one document per run, every verdict serialised
//! here.

use super::itf;
use crate::check::Outcome;
use crate::engine::{Event, Method, Verdict};
use crate::params::Params;
use serde_json::{json, Map, Value};
use z3::SatResult;

/// One property's verdict.
pub fn verdict(p: &Params, name: &str, v: &Verdict) -> Value {
    match v {
        Verdict::Violated(cx) => {
            let mut j = json!({
                "name": name, "verdict": "violated", "depth": cx.trace.depth(),
                "conjunct": cx.conjunct, "trace": itf::trace_json(p, cx),
            });
            match cx.lasso {
                Some(crate::trace::Loop::Back(l)) => j["loop"] = json!(l),
                Some(crate::trace::Loop::Stutter) => j["stuttering"] = json!(true),
                None => {}
            }
            j
        }
        Verdict::Found {
            cx,
            seed,
            walked,
            holds_up_to,
        } => json!({
            "name": name, "verdict": "violated", "depth": cx.trace.depth(),
            "conjunct": cx.conjunct, "trace": itf::trace_json(p, cx),
            "shortest": false, "found_by": "simulation", "seed": seed,
            "walk_steps": walked, "holds_up_to": holds_up_to,
        }),
        Verdict::NotFound { runs, depth } => json!({
            "name": name, "verdict": "not_found", "runs": runs, "depth": depth,
        }),
        Verdict::HoldsUpTo(k) => json!({ "name": name, "verdict": "holds_up_to", "depth": k }),
        Verdict::Proved(Method::Exhausted { states, diameter }) => {
            json!({ "name": name, "verdict": "holds", "states": states, "diameter": diameter })
        }
        Verdict::Proved(Method::NoLasso { states }) => {
            json!({ "name": name, "verdict": "holds", "states": states, "method": "no violating lasso" })
        }
        Verdict::Proved(m) => json!({
            "name": name, "verdict": "proved", "method": m.name(), "k": m.k(),
            "conjuncts": m.conjuncts(),
        }),
        Verdict::Unknown {
            depth,
            reason,
            holds_up_to,
        } => json!({
            "name": name, "verdict": "unknown", "depth": depth, "reason": reason,
            "holds_up_to": holds_up_to,
        }),
    }
}

/// The per-depth (BMC) or per-level (explicit) progress records.
pub fn depths(events: &[Event]) -> Vec<Value> {
    let word = |r: &SatResult| match r {
        SatResult::Sat => "sat",
        SatResult::Unsat => "unsat",
        SatResult::Unknown => "unknown",
    };
    events
        .iter()
        .filter_map(|e| match e {
            Event::Depth(d) => {
                let answers: Map<String, Value> = d
                    .answers
                    .iter()
                    .map(|(q, r, _)| (q.name().to_string(), json!(word(r))))
                    .collect();
                let times: Map<String, Value> = d
                    .answers
                    .iter()
                    .map(|(q, _, t)| (q.name().to_string(), json!(t)))
                    .collect();
                Some(json!({
                    "engine": "symbolic",
                    "depth": d.depth,
                    "seconds": d.seconds,
                    "total_seconds": d.total_seconds,
                    "answers": answers,
                    "query_seconds": times,
                }))
            }
            Event::Level(l) => Some(json!({
                "engine": "explicit",
                "depth": l.depth,
                "seconds": l.seconds,
                "total_seconds": l.total_seconds,
                "new_states": l.new_states,
                "total_states": l.total_states,
                "checked_not_stored": l.checked,
            })),
            _ => None,
        })
        .collect()
}

/// The stages of a proof, in order.
pub fn stages(events: &[Event]) -> Vec<Value> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Stage(s) => Some(json!(s)),
            _ => None,
        })
        .collect()
}

/// The document: the tool, the configuration, `fields` (what the mode
/// adds: engine, depths, log, certificates), every verdict, the time, the
/// exit code.
pub fn document(p: &Params, outcome: &Outcome, fields: Vec<(&str, Value)>, exit_code: u8) -> Value {
    let report = &outcome.report;
    let mut doc = Map::new();
    doc.insert("tool".into(), json!("semisync-bmc"));
    doc.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    doc.insert("z3_version".into(), json!(z3::full_version()));
    doc.insert("parameters".into(), itf::params_json(p));
    for (k, v) in fields {
        doc.insert(k.into(), v);
    }
    doc.insert(
        "properties".into(),
        Value::Array(
            report
                .verdicts
                .iter()
                .map(|(q, v)| {
                    let mut j = verdict(p, q.name(), v);
                    let more: Vec<Value> = outcome
                        .more
                        .iter()
                        .filter(|cx| cx.property == *q)
                        .map(|cx| {
                            json!({"depth": cx.trace.depth(), "conjunct": cx.conjunct,
                                   "trace": itf::trace_json(p, cx)})
                        })
                        .collect();
                    if !more.is_empty() {
                        j["more"] = json!(more);
                    }
                    if let crate::spec::Property::Enabled(a) = q {
                        j["coverage"] = json!(true);
                        j["action"] = json!(a.name());
                        j["args"] = json!(a.args());
                    }
                    if q.is_reach() {
                        // A witness, not a violation.
                        j["reach"] = json!(true);
                        j["reached"] = json!(v.is_violated());
                    }
                    if let Some(def) = q
                        .tla_definition()
                        .filter(|_| matches!(q, crate::spec::Property::User(_)))
                    {
                        j["definition"] = json!(def);
                    }
                    if let Some((_, e)) = outcome.decided_by.iter().find(|(x, _)| x == q) {
                        j["engine"] = json!(e);
                    }
                    j
                })
                .collect(),
        ),
    );
    doc.insert("interrupted".into(), json!(report.interrupted()));
    doc.insert("total_seconds".into(), json!(report.seconds));
    doc.insert("exit_code".into(), json!(exit_code));
    Value::Object(doc)
}
