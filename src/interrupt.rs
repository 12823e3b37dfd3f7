//! Stopping a run early without losing what it decided.
//!
//! `request` (or SIGINT / SIGTERM once `install_handlers` ran) sets one
//! flag. The engines look at it between queries and levels; a Z3 query
//! already running is cancelled through `Z3_interrupt` on every context
//! registered by a live `Guard`, so it returns unknown at once. The
//! orchestrator then reports each decided property's verdict and, for the
//! others, how deep the search got, marked interrupted.
//!
//! A `Group` stops one part of a run only (an engine that lost a race):
//! a thread that `enter`s a group sees `requested()` once the group is
//! stopped, and the queries of the contexts its threads registered are
//! cancelled. `spawn` starts a thread in the caller's group.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static NEXT_ID: AtomicU64 = AtomicU64::new(0);
/// Live registrations: (id, the raw Z3 context of the registering thread,
/// the group it ran in).
#[allow(clippy::type_complexity)]
static CONTEXTS: Mutex<Vec<(u64, usize, Option<Arc<Group>>)>> = Mutex::new(Vec::new());

/// A part of a run that can be stopped on its own; stopping a group stops
/// the groups made inside it too.
#[derive(Debug, Default)]
pub struct Group {
    stopped: AtomicBool,
    parent: Option<Arc<Group>>,
}

thread_local! {
    static GROUP: std::cell::RefCell<Option<Arc<Group>>> = const { std::cell::RefCell::new(None) };
}

impl Group {
    pub fn new() -> Arc<Group> {
        Arc::new(Group::default())
    }

    /// A group inside the calling thread's (stopped when that one is).
    pub fn inside_current() -> Arc<Group> {
        Arc::new(Group {
            stopped: AtomicBool::new(false),
            parent: current(),
        })
    }

    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst) || self.parent.as_ref().is_some_and(|p| p.is_stopped())
    }

    /// This group is `other` or inside it.
    fn within(self: &Arc<Group>, other: &Arc<Group>) -> bool {
        Arc::ptr_eq(self, other) || self.parent.as_ref().is_some_and(|p| p.within(other))
    }

    /// Stops every thread in the group and in the groups inside it:
    /// `requested()` turns true there and their running queries are
    /// cancelled.
    pub fn stop(self: &Arc<Group>) {
        self.stopped.store(true, Ordering::SeqCst);
        interrupt_where(|g| g.as_ref().is_some_and(|g| g.within(self)));
    }
}

/// Puts the calling thread in `group` (or in none).
pub fn enter(group: Option<Arc<Group>>) {
    GROUP.with(|g| *g.borrow_mut() = group);
}

/// The calling thread's group.
pub fn current() -> Option<Arc<Group>> {
    GROUP.with(|g| g.borrow().clone())
}

/// `std::thread::spawn`, in the caller's group.
pub fn spawn<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<T> {
    let group = current();
    std::thread::spawn(move || {
        enter(group);
        f()
    })
}

/// `std::thread::spawn` in a new group inside the caller's, so that the
/// thread can be stopped on its own (`Group::stop`) as well as with the
/// caller's group.
pub fn spawn_group<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> (std::thread::JoinHandle<T>, Arc<Group>) {
    let group = Group::inside_current();
    let g = group.clone();
    let h = std::thread::spawn(move || {
        enter(Some(g));
        f()
    });
    (h, group)
}

/// The niceness of the partial-order reduction's proof, which only speeds
/// BMC up (see `check::race::RACER_NICE` for the racers').
pub const PROOF_NICE: i32 = 19;

/// Lowers the calling thread's scheduling priority to `nice` (threads it
/// starts inherit it): for work that must not slow the thread that gives
/// the answers when there are fewer cores than threads (the racers beside
/// BMC, the reduction's proof). Where the system refuses, nothing changes.
pub fn lower_priority(nice: i32) {
    #[cfg(target_os = "linux")]
    {
        extern "C" {
            fn gettid() -> i32;
            fn setpriority(which: i32, who: u32, prio: i32) -> i32;
        }
        const PRIO_PROCESS: i32 = 0;
        // SAFETY: plain system calls on the calling thread's own id.
        let r = unsafe { setpriority(PRIO_PROCESS, gettid() as u32, nice) };
        if r != 0 {
            log::debug!("could not lower a thread's priority");
        }
    }
}

/// A helper thread nobody joins where it ends (a racer that lost, the
/// reduction's proof or an invariant search a run no longer needs).
trait Detached: Send {
    fn done(&self) -> bool;
    fn wait(self: Box<Self>);
}

impl<T: Send + 'static> Detached for std::thread::JoinHandle<T> {
    fn done(&self) -> bool {
        self.is_finished()
    }
    fn wait(self: Box<Self>) {
        let _ = (*self).join();
    }
}

static DETACHED: Mutex<Vec<Box<dyn Detached>>> = Mutex::new(Vec::new());

/// Leaves a helper thread to end on its own; `wind_down` waits for it
/// before the process exits. (A thread still inside Z3 while the process
/// exits races libz3's static destructors: measured, a run that printed
/// its verdict then died of SIGFPE, about once in a few hundred runs on a
/// loaded machine.)
pub fn detach<T: Send + 'static>(h: std::thread::JoinHandle<T>) {
    let mut d = DETACHED.lock().unwrap_or_else(|e| e.into_inner());
    d.retain(|t| !t.done());
    d.push(Box::new(h));
}

/// At the end of a run: stops the detached helper threads (their queries
/// are cancelled) and joins them, waiting at most `max`. Returns whether
/// every one has ended; if not, the caller must end the process without
/// running libz3's destructors (`_exit`).
pub fn wind_down(max: std::time::Duration) -> bool {
    let pending: Vec<Box<dyn Detached>> =
        std::mem::take(&mut *DETACHED.lock().unwrap_or_else(|e| e.into_inner()));
    let running = pending.iter().filter(|t| !t.done()).count();
    if running > 0 {
        request();
        let until = std::time::Instant::now() + max;
        while !pending.iter().all(|t| t.done()) {
            if std::time::Instant::now() >= until {
                log::debug!(
                    "{running} helper thread(s) did not stop in {max:?}; exiting without them \
                     (_exit: no destructor runs)"
                );
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        log::debug!("stopped and joined {running} helper thread(s) before exiting");
    }
    pending.into_iter().for_each(|t| t.wait());
    true
}

extern "C" {
    // libz3 is linked through the z3 crate; the context is an opaque pointer.
    fn Z3_interrupt(ctx: *mut std::ffi::c_void);
}

/// The word verdicts use for a search that was stopped this way.
pub const REASON: &str = "interrupted";

/// Whether a stop was requested, for the whole run or for the calling
/// thread's group.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
        || GROUP.with(|g| g.borrow().as_ref().is_some_and(|g| g.is_stopped()))
}

/// Asks every engine to stop, and cancels the queries running now (what a
/// signal does; for library callers). There is no way back: Z3 keeps a
/// cancelled context cancelled.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
    interrupt_all();
}

fn interrupt_all() {
    interrupt_where(|_| true);
}

/// Cancels the running queries of the registered contexts whose group
/// `which` selects.
fn interrupt_where(which: impl Fn(&Option<Arc<Group>>) -> bool) {
    let ctxs = CONTEXTS.lock().unwrap_or_else(|e| e.into_inner());
    for (_, ptr, g) in ctxs.iter() {
        if which(g) {
            // SAFETY: a context stays registered only while the `Guard` of
            // its thread lives, and that thread's context outlives the guard
            // (it is dropped with the thread's locals, after the guard);
            // deregistering takes this lock, so the pointer is live here.
            unsafe { Z3_interrupt(*ptr as *mut std::ffi::c_void) };
        }
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
            .push((id, ptr, current()));
        Guard { id }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        CONTEXTS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|(id, _, _)| *id != self.id);
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
