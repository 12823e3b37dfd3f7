//! Stopping a run early without losing what it decided.
//!
//! `request` (or SIGINT / SIGTERM once `install_handlers` ran) sets one
//! flag. The engines look at it between queries and levels; a Z3 query
//! already running is cancelled through `Z3_interrupt` on every context
//! registered by a live `Guard`, so it returns unknown at once. The
//! orchestrator then reports each decided property's verdict and, for the
//! others, how deep the search got, marked interrupted.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static NEXT_ID: AtomicU64 = AtomicU64::new(0);
/// Live registrations: (id, the raw Z3 context of the registering thread).
static CONTEXTS: Mutex<Vec<(u64, usize)>> = Mutex::new(Vec::new());

extern "C" {
    // libz3 is linked through the z3 crate; the context is an opaque pointer.
    fn Z3_interrupt(ctx: *mut std::ffi::c_void);
}

/// The word verdicts use for a search that was stopped this way.
pub const REASON: &str = "interrupted";

/// Whether a stop was requested.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Asks every engine to stop, and cancels the queries running now.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
    interrupt_all();
}

/// Clears the flag (for library callers that run again after a stop).
pub fn reset() {
    REQUESTED.store(false, Ordering::SeqCst);
}

fn interrupt_all() {
    let ctxs = CONTEXTS.lock().unwrap_or_else(|e| e.into_inner());
    for &(_, ptr) in ctxs.iter() {
        // SAFETY: a context stays registered only while the `Guard` of its
        // thread lives, and that thread's context outlives the guard (it is
        // dropped with the thread's locals, after the guard); deregistering
        // takes this lock, so the pointer is live here.
        unsafe { Z3_interrupt(ptr as *mut std::ffi::c_void) };
    }
}

/// Registers the calling thread's Z3 context for cancellation while it
/// lives. Create one at the top of every thread that runs solver queries
/// (and keep it a local of that thread's closure).
pub struct Guard {
    id: u64,
}

impl Guard {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Guard {
        let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
        let ptr = z3::Context::thread_local().get_z3_context().as_ptr() as usize;
        CONTEXTS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((id, ptr));
        Guard { id }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        CONTEXTS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|&(id, _)| id != self.id);
    }
}

extern "C" fn on_signal(_sig: i32) {
    // Only an atomic store: async-signal-safe. The watcher thread does the
    // rest. A second signal ends the process at once.
    if REQUESTED.swap(true, Ordering::SeqCst) {
        extern "C" {
            fn _exit(code: i32) -> !;
        }
        // SAFETY: _exit is async-signal-safe.
        unsafe { _exit(130) }
    }
}

/// SIGINT and SIGTERM request a stop (a second one ends the process at
/// once, exit code 130); a watcher thread then cancels running queries.
#[cfg(unix)]
pub fn install_handlers() {
    extern "C" {
        fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
    }
    const SIGINT: i32 = 2;
    const SIGTERM: i32 = 15;
    // SAFETY: the handler only touches an atomic and calls _exit.
    unsafe {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
    }
    std::thread::spawn(|| loop {
        std::thread::sleep(std::time::Duration::from_millis(20));
        if requested() {
            // Again on every tick: a query started after the first
            // cancellation is cancelled too.
            interrupt_all();
        }
    });
}

#[cfg(not(unix))]
pub fn install_handlers() {}
