//! Random walks allocate nothing per step: with warm buffers, a walk of
//! 100 steps allocates exactly as often as the same walk cut at 10.

use semisync_bmc::engine::simulate::Walker;
use semisync_bmc::params::Params;
use semisync_bmc::spec::Property;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, l: Layout) {
        System.dealloc(ptr, l)
    }
    unsafe fn realloc(&self, ptr: *mut u8, l: Layout, new: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, l, new)
    }
}

#[global_allocator]
static A: Counting = Counting;

#[test]
fn walks_allocate_nothing_per_step() {
    let p = Params::default();
    // TypeOK holds on every walk here: no trace is ever built.
    let props = [Property::TypeOK];
    let want = [true];
    let mut w = Walker::new(&p, &props);
    let mut steps = 0;
    // Warm up on the very walks measured, so that every buffer has grown to
    // what they need.
    for seed in 0..200 {
        steps += w.walk(seed, 100, true, &want).steps;
    }
    assert!(steps > 5_000, "walks too short to measure: {steps} steps");
    let count = |depth: usize, w: &mut Walker| {
        let before = ALLOCS.load(Ordering::Relaxed);
        let mut n = 0;
        for seed in 0..200 {
            let walk = w.walk(seed, depth, true, &want);
            assert!(walk.violated[0].is_none());
            n += walk.steps;
        }
        (ALLOCS.load(Ordering::Relaxed) - before, n)
    };
    let (short, short_steps) = count(10, &mut w);
    let (long, long_steps) = count(100, &mut w);
    assert!(
        long_steps > short_steps * 3,
        "{long_steps} vs {short_steps} steps"
    );
    assert_eq!(
        long, short,
        "{long} allocations for {long_steps} steps, {short} for {short_steps}"
    );
}
