//! The key pool's background threads run at a lower CPU priority than requests: a request that
//! misses the pool, or any other work of the process, should get the core before a refill does.

/// The nice value of a pool thread. Ten below normal gives a competing normal thread about
/// nine-tenths of a shared core and lets it preempt the refill as soon as it wakes.
#[cfg(target_os = "linux")]
const BACKGROUND_NICE: libc::c_int = 10;

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
