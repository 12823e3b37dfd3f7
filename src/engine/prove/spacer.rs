//! The second route to an unbounded proof: Z3's Spacer (IC3/PDR over
//! constrained Horn clauses) on the same encoded transition system.
//!
//! `Reach(s)` is an unknown relation over the layout's slots with
//! `Init(s) => Reach(s)`, `Reach(s) /\ Next(s, s') => Reach(s')` and
//! `Reach(s) /\ ~Q(s) => FALSE`, where `Q` is the property with the
//! conjuncts every proof needs (canonical form, `TypeOK`, `CapOk`). A
//! solution is an inductive invariant; it is read from the model, then
//! re-checked by fresh solvers before "proved" is reported.

use super::recheck::{discharge, CertError};
use crate::engine::{Events, Finder, Method, Verdict};
use crate::error::{Error, Result};
use crate::invariants::{required, Conj};
use crate::spec::Property;
use crate::symbolic::unroll::{no_ctrl_c, set_timeout};
use crate::symbolic::Encoding;
use std::time::Instant;
use z3::ast::{Ast, Bool, BV};
use z3::{FuncDecl, SatResult, Solver, Sort};

/// Z3's memory limit for Spacer, in MiB.
const SPACER_MEMORY_MB: u32 = 4096;

fn q_of(enc: &Encoding, prop: Property, s: &[BV]) -> Bool {
    let mut v: Vec<Bool> = required().iter().map(|c| c.sym(enc, s)).collect();
    v.push(Conj::Prop(prop).sym(enc, s));
    Bool::and(&v)
}

/// Proves `prop` with Spacer, or says why not.
pub fn prove(
    enc: &Encoding,
    prop: Property,
    timeout_ms: Option<u64>,
    events: &Events,
) -> Result<Verdict> {
    let t = Instant::now();
    let sorts: Vec<Sort> = enc
        .layout
        .slots
        .iter()
        .map(|s| Sort::bitvector(s.width))
        .collect();
    let sort_refs: Vec<&Sort> = sorts.iter().collect();
    let reach = FuncDecl::new("Reach", &sort_refs, &Sort::bool());
    let app = |s: &[BV]| -> Bool {
        let args: Vec<&dyn Ast> = s.iter().map(|x| x as &dyn Ast).collect();
        reach.apply(&args).as_bool().expect("Reach is a predicate")
    };
    let s0 = enc.state(0);
    let s1 = enc.state(1);
    let sv = enc.step_vars(0);
    let bound0: Vec<&dyn Ast> = s0.iter().map(|x| x as &dyn Ast).collect();
    let mut bound01 = bound0.clone();
    bound01.extend(s1.iter().map(|x| x as &dyn Ast));
    bound01.push(&sv.act);
    bound01.push(&sv.arg);
    // Spacer on this bit-vector system can grow past the machine's memory
    // (24 GiB in minutes, measured); Z3 then answers unknown instead.
    z3::set_global_param("memory_max_size", &SPACER_MEMORY_MB.to_string());
    let sol = Solver::new_for_logic("HORN")
        .ok_or_else(|| Error::internal("this Z3 has no HORN logic (Spacer)"))?;
    no_ctrl_c(&sol);
    if let Some(ms) = timeout_ms {
        set_timeout(&sol, ms);
    }
    sol.assert(z3::ast::forall_const(
        &bound0,
        &[],
        &enc.init(&s0).implies(app(&s0)),
    ));
    sol.assert(z3::ast::forall_const(
        &bound01,
        &[],
        &Bool::and(&[app(&s0), enc.trans(&s0, &s1, &sv)]).implies(app(&s1)),
    ));
    sol.assert(z3::ast::forall_const(
        &bound0,
        &[],
        &Bool::and(&[app(&s0), q_of(enc, prop, &s0).not()]).implies(Bool::from_bool(false)),
    ));
    let r = sol.check();
    let secs = t.elapsed().as_secs_f64();
    match r {
        SatResult::Unknown => {
            let why = sol.get_reason_unknown().unwrap_or_default();
            events.stage(format!(
                "{prop}: Spacer answered unknown ({why}) after {secs:.2} s"
            ));
            Ok(Verdict::Unknown {
                depth: 0,
                reason: format!("Spacer answered unknown ({why}) after {secs:.1} s"),
                holds_up_to: None,
            })
        }
        SatResult::Unsat => {
            events.stage(format!(
                "{prop}: Spacer found a reachable state violating it (or TypeOK/CapOk) in {secs:.2} s"
            ));
            Ok(Verdict::Unknown {
                depth: 0,
                reason: format!(
                    "Spacer found a reachable state that violates {prop} or TypeOK; run bmc \
                     (without --prove-with spacer) for the shortest trace"
                ),
                holds_up_to: None,
            })
        }
        SatResult::Sat => {
            let model = sol
                .get_model()
                .ok_or_else(|| Error::internal("Spacer answered sat without a model"))?;
            // The model's interpretation of Reach, instantiated at s0 (the
            // evaluator beta-reduces it over the free constants).
            let inv = model
                .eval(&app(&s0), false)
                .ok_or_else(|| Error::internal("cannot read Spacer's invariant"))?;
            let size = inv.to_string().len();
            let t2 = Instant::now();
            match recheck(enc, prop, &s0, &inv, timeout_ms) {
                Ok(()) => {}
                Err(CertError::Unknown(e)) => {
                    events.stage(format!(
                        "{prop}: Spacer's invariant could not be re-checked ({e})"
                    ));
                    return Ok(Verdict::Unknown {
                        depth: 0,
                        reason: format!(
                            "Spacer found an invariant the re-check could not confirm ({e})"
                        ),
                        holds_up_to: None,
                    });
                }
                Err(CertError::Fails(e)) => {
                    return Err(Error::internal(format!(
                        "Spacer's invariant for {prop} fails the independent re-check ({e})"
                    )))
                }
            }
            events.stage(format!(
                "{prop}: proved by Spacer in {secs:.2} s; its invariant ({size} characters of \
                 SMT-LIB) re-checked by fresh solvers in {:.2} s",
                t2.elapsed().as_secs_f64()
            ));
            Ok(Verdict::Proved(Method::Invariant {
                conjuncts: 1,
                found_by: Finder::Spacer,
            }))
        }
    }
}

/// `Init => I`, `I /\ Next => I'`, `I => Q`, each by a fresh solver.
fn recheck(
    enc: &Encoding,
    prop: Property,
    s0: &[BV],
    inv: &Bool,
    timeout_ms: Option<u64>,
) -> std::result::Result<(), CertError> {
    let s1 = enc.state(1);
    let sv = enc.step_vars(0);
    let subst: Vec<(&BV, &BV)> = s0.iter().zip(&s1).collect();
    let inv1 = inv.substitute(&subst);
    let obligations = [
        ("Init => Inv", Bool::and(&[enc.init(s0), inv.not()])),
        (
            "Inv /\\ Next => Inv'",
            Bool::and(&[inv.clone(), enc.trans(s0, &s1, &sv), inv1.not()]),
        ),
        (
            "Inv => property",
            Bool::and(&[inv.clone(), q_of(enc, prop, s0).not()]),
        ),
    ];
    discharge(obligations, timeout_ms)
}
