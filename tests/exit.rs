//! `interrupt::detach` and `interrupt::wind_down`, in a process of their
//! own (winding down requests a stop for the whole process).

use semisync_bmc::interrupt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn detached_threads_are_stopped_and_joined_or_left_behind() {
    // A helper that works until it is asked to stop: wind_down asks,
    // waits for it and joins it.
    let ended = Arc::new(AtomicBool::new(false));
    let e = Arc::clone(&ended);
    let (h, _group) = interrupt::spawn_group(move || {
        while !interrupt::requested() {
            std::thread::sleep(Duration::from_millis(2));
        }
        e.store(true, Ordering::SeqCst);
    });
    interrupt::detach(h);
    assert!(!interrupt::requested());
    assert!(interrupt::wind_down(Duration::from_secs(10)));
    assert!(ended.load(Ordering::SeqCst), "joined only once it ended");

    // One that does not look at the stop: wind_down gives up after its
    // wait and says so (the caller then ends the process with _exit).
    let h = std::thread::spawn(|| std::thread::sleep(Duration::from_secs(3)));
    interrupt::detach(h);
    let t = Instant::now();
    assert!(!interrupt::wind_down(Duration::from_millis(100)));
    assert!(t.elapsed() < Duration::from_secs(2));

    // Nothing detached: nothing to wait for.
    assert!(interrupt::wind_down(Duration::from_millis(1)));
}
