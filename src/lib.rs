//! semisync-bmc: a symbolic bounded model checker for the SemiSync TLA+
//! specification (`encodings/SemiSync.tla`).
//!
//! The layers, each using only those above it in this list (checked by
//! `tests/layers.rs`; see docs/architecture.md):
//!
//! - `error`, `interrupt`: the error type and exit codes; stopping a run.
//! - `params`: the parameters and bounds; bounds -> bit widths.
//! - `spec`: the concrete model, the reference semantics.
//! - `trace`: a behaviour, its replay through `spec`, TLC's text layout.
//! - `layout`: the state as fixed-width slots, shared by both engines.
//! - `symbolic`: the spec as Z3 terms, and the unroller.
//! - `invariants`: state predicates and lemmas, read three ways.
//! - `engine`: BMC (a stepper), explicit search, the prover; `Verdict`.
//! - `check`: orchestration; every policy.
//! - `report`: text, JSON, ITF, certificates; exit codes of outcomes.

pub mod check;
pub mod engine;
pub mod error;
pub mod interrupt;
pub mod invariants;
pub mod layout;
pub mod params;
pub mod report;
pub mod spec;
pub mod symbolic;
pub mod trace;
