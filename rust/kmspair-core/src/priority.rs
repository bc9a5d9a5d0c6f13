//! Lower CPU priority for work that should yield to requests: the key pool's background
//! threads, and, in a server, the prime search of a single RSA pair. A request that misses the
//! pool, or a short request sharing the cores, should get the core first.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

/// The nice value of a background thread. Ten below normal gives a competing normal thread about
/// nine-tenths of a shared core and lets it preempt the background work as soon as it wakes.
#[cfg(target_os = "linux")]
const BACKGROUND_NICE: libc::c_int = 10;

/// Off by default: a library caller's own RSA pair runs at the caller's priority.
static SLOW_KEYS_IN_BACKGROUND: AtomicBool = AtomicBool::new(false);

/// Whether a single slow pair (RSA) is generated at background priority from now on; returns
/// the previous setting. A server turns this on: its RSA requests take tens to hundreds of
/// milliseconds of CPU each, and at normal priority they take their share of the cores from
/// requests a thousand times shorter.
pub fn set_slow_keys_in_background(on: bool) -> bool {
    SLOW_KEYS_IN_BACKGROUND.swap(on, Ordering::Relaxed)
}

/// See [`set_slow_keys_in_background`].
pub fn slow_keys_in_background() -> bool {
    SLOW_KEYS_IN_BACKGROUND.load(Ordering::Relaxed)
}

/// Lowers the calling thread's priority; best effort (a failure leaves it as it was).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn lower_current_thread() {
    // SAFETY: setpriority(2) takes integers only and reads or writes no memory of ours. On
    // Linux the nice value is per thread, and PRIO_PROCESS with who = 0 is the calling thread.
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, BACKGROUND_NICE) };
}

/// Elsewhere the nice value is per process, so lowering it would slow requests too: a no-op.
#[cfg(not(target_os = "linux"))]
pub fn lower_current_thread() {}

/// Runs `work` on a new thread at background priority and returns its result once done. A
/// thread's priority cannot be raised again without privileges, hence a thread of its own
/// rather than lowering the caller's. If no thread can be started, or where a thread has no
/// priority of its own (not Linux), `work` runs here.
pub fn run_in_background<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    if !cfg!(target_os = "linux") {
        return work();
    }
    let mut work = Some(work);
    let spawned = thread::scope(|scope| {
        let slot = &mut work;
        let handle = thread::Builder::new()
            .name("kmspair-keygen".into())
            .spawn_scoped(scope, move || {
                lower_current_thread();
                slot.take().map(|work| work())
            })
            .ok()?;
        match handle.join() {
            Ok(done) => done,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    match (spawned, work) {
        (Some(done), _) => done,
        (None, Some(work)) => work(),
        (None, None) => unreachable!("the background thread took the work and returned it"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn background_work_returns_its_result() {
        assert_eq!(run_in_background(|| 6 * 7), 42);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn background_work_runs_on_another_thread() {
        let caller = thread::current().id();
        assert_ne!(run_in_background(|| thread::current().id()), caller);
    }

    #[cfg(target_os = "linux")]
    #[test]
    #[allow(unsafe_code)]
    fn background_work_runs_at_background_priority_and_the_caller_keeps_its_own() {
        // SAFETY: getpriority(2) takes integers only. errno is not checked: nice 10 and the
        // caller's value are both far from -1, the value that would be ambiguous.
        let nice = || unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let before = nice();
        assert_eq!(run_in_background(nice), BACKGROUND_NICE.max(before));
        assert_eq!(nice(), before);
    }

    #[test]
    #[should_panic(expected = "no randomness")]
    fn a_panic_in_background_work_reaches_the_caller() {
        run_in_background(|| panic!("no randomness"));
    }

    #[test]
    fn slow_keys_run_at_the_callers_priority_unless_asked() {
        assert!(!slow_keys_in_background());
    }
}
