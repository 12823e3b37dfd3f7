//! Inductiveness checks split by action instance, on every core. `I /\
//! Next => I'` holds exactly when `I /\ A => I'` holds for every action
//! instance `A` (`Next` is their disjunction, and the encoding's selector
//! ranges over them): one query per instance, each far smaller for the
//! solver once the selector is fixed. The z3 crate's context is per
//! thread, so each worker builds its own terms from the plain-data
//! `Encoding`.

use crate::interrupt;
use crate::symbolic::Encoding;

/// Threads to run: one per core.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `body` on `workers()` threads: the caller's (with `enc`) and the
/// others (each with a copy of `enc`, in the caller's interrupt group, its
/// Z3 context registered so that a stop cancels its query). Returns when
/// all are done. The bodies share their work through what they capture.
pub fn on_every_core(enc: &Encoding, body: impl Fn(&Encoding) + Sync) {
    let group = interrupt::current();
    std::thread::scope(|scope| {
        for _ in 1..workers() {
            let (group, enc, body) = (group.clone(), enc.clone(), &body);
            scope.spawn(move || {
                interrupt::enter(group);
                let _z3 = interrupt::Guard::new();
                body(&enc);
            });
        }
        body(enc);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    #[test]
    fn every_core_runs_the_body_and_shares_the_work() {
        let enc = Encoding::new(&Params::default());
        let next = AtomicUsize::new(0);
        let done = Mutex::new(vec![]);
        let threads = Mutex::new(std::collections::HashSet::new());
        on_every_core(&enc, |e| {
            threads.lock().unwrap().insert(std::thread::current().id());
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= e.actions.len() {
                    break;
                }
                done.lock().unwrap().push(i);
            }
        });
        let mut d = done.into_inner().unwrap();
        d.sort();
        assert_eq!(d, (0..enc.actions.len()).collect::<Vec<_>>());
        assert_eq!(threads.into_inner().unwrap().len(), workers());
    }
}
