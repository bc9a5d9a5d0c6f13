//! The key pool's counters, visible to every worker process of a pre-forking server.
//!
//! Each worker keeps its own pool (a pair never crosses a process), so a counter request
//! answered by one worker would otherwise show only that worker's pool. Before forking, the
//! parent maps one block of shared memory with a slot per worker; each worker claims its slot
//! and, under its pool lock, stores its counters there whenever they change, so any worker can
//! add up all of them. The slots hold counts only, never a key.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::spec::KeyPairSpec;

/// Per spec and process: capacity, depth, hits, misses, generated, nanoseconds generating.
pub const FIELDS: usize = 6;
const SPECS: usize = KeyPairSpec::ALL.len();
/// More slots than this are refused (the server allows 64 workers).
pub const MAX_PROCESSES: usize = 1024;

struct Shared {
    counters: &'static [AtomicU64],
    processes: usize,
}

static SHARED: OnceLock<Shared> = OnceLock::new();
/// This process's slot, `usize::MAX` while it has none.
static SLOT: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Maps the shared slots for `processes` worker processes forked after this call. Only the
/// first call maps; later ones keep those slots. Returns whether slots exist for
/// `processes` workers (false where shared memory cannot be mapped; the counters then stay
/// per process).
pub fn share(processes: usize) -> bool {
    if processes == 0 || processes > MAX_PROCESSES {
        return false;
    }
    if let Some(shared) = SHARED.get() {
        return shared.processes >= processes;
    }
    match map_zeroed(processes * SPECS * FIELDS) {
        Some(counters) => {
            let fits = SHARED
                .set(Shared {
                    counters,
                    processes,
                })
                .is_ok();
            fits || SHARED.get().is_some_and(|s| s.processes >= processes)
        }
        None => false,
    }
}

/// Makes `slot` this process's (a forked worker, right after the fork). False if there are no
/// shared slots or `slot` is not one of them.
pub fn claim(slot: usize) -> bool {
    match SHARED.get() {
        Some(shared) if slot < shared.processes => {
            SLOT.store(slot, Ordering::Release);
            true
        }
        _ => false,
    }
}

/// Gives up this process's slot (a forked child, which inherited its parent's number).
pub fn leave_slot() {
    SLOT.store(usize::MAX, Ordering::Release);
}

/// Stores this process's counters of `spec` in its slot, if it has one. Called under the
/// pool's lock, so a process's own stores never interleave.
pub fn publish(spec_index: usize, values: [u64; FIELDS]) {
    let slot = SLOT.load(Ordering::Acquire);
    let Some(shared) = SHARED.get() else {
        return;
    };
    if slot >= shared.processes {
        return;
    }
    let start = (slot * SPECS + spec_index) * FIELDS;
    for (cell, value) in shared.counters[start..start + FIELDS].iter().zip(values) {
        cell.store(value, Ordering::Relaxed);
    }
}

/// The counters of `spec` added up over every process's slot, and how many processes keep a
/// pool of it; `None` without shared slots.
pub fn total(spec_index: usize) -> Option<([u64; FIELDS], u64)> {
    let shared = SHARED.get()?;
    let mut sum = [0u64; FIELDS];
    let mut pools = 0;
    for slot in 0..shared.processes {
        let start = (slot * SPECS + spec_index) * FIELDS;
        let cells = &shared.counters[start..start + FIELDS];
        if cells[0].load(Ordering::Relaxed) > 0 {
            pools += 1;
        }
        for (total, cell) in sum.iter_mut().zip(cells) {
            *total = total.saturating_add(cell.load(Ordering::Relaxed));
        }
    }
    Some((sum, pools))
}

/// `len` zeroed counters in anonymous memory shared with every process forked afterwards,
/// never unmapped (the server's parent maps it once for its whole life).
#[cfg(unix)]
#[allow(unsafe_code)]
fn map_zeroed(len: usize) -> Option<&'static [AtomicU64]> {
    let bytes = len.checked_mul(std::mem::size_of::<AtomicU64>())?;
    // SAFETY: a fresh anonymous mapping: no file, no existing memory is touched. The kernel
    // returns zeroed, page-aligned memory or MAP_FAILED, which is checked.
    let address = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if address == libc::MAP_FAILED {
        return None;
    }
    // SAFETY: the mapping is `bytes` long, page-aligned (so aligned for AtomicU64, which has
    // u64's size), zeroed (a valid AtomicU64 is any bit pattern) and never unmapped, so the
    // slice may live for 'static. Other processes only ever reach it through atomics too.
    Some(unsafe { std::slice::from_raw_parts(address.cast::<AtomicU64>(), len) })
}

#[cfg(not(unix))]
fn map_zeroed(_len: usize) -> Option<&'static [AtomicU64]> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_counters_start_at_zero_and_hold_what_is_stored() {
        let counters = map_zeroed(SPECS * FIELDS * 2).unwrap();
        assert!(counters.iter().all(|c| c.load(Ordering::Relaxed) == 0));
        counters[7].store(42, Ordering::Relaxed);
        assert_eq!(counters[7].load(Ordering::Relaxed), 42);
    }
}
