//! semisync-bmc: a symbolic bounded model checker for the SemiSync TLA+
//! specification (`encodings/SemiSync.tla`).
//!
//! The pipeline, one module per stage:
//! `params` -> `spec` (concrete reference semantics) and `layout` (the state
//! as fixed-width slots) -> `symbolic` (the spec as Z3 terms) -> `engine`
//! (BMC, explicit search) -> `trace` (replay and rendering).

pub mod engine;
pub mod layout;
pub mod params;
pub mod prove;
pub mod spec;
pub mod symbolic;
pub mod trace;
