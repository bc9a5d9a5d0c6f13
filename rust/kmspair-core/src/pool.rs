//! A process-wide pool of pre-generated key pairs, so that a request for an RSA pair waits
//! microseconds instead of a prime search whenever the request rate stays below what the
//! machine can generate.
//!
//! Background workers keep each configured spec filled up to its capacity; [`take`] hands out
//! a ready pair or `None`, and [`take_or_generate`] falls back to generating inline. Every pair
//! is handed out at most once: it leaves the queue under the lock. A forked child must never
//! reuse a pair its parent holds, so the Python layer brackets `fork()` with
//! [`prepare_fork`] / [`after_fork_in_parent`] / [`after_fork_in_child`] (the child empties
//! the queues under the lock it inherited, then refills with its own workers), and as a
//! second line of defence every call checks the process ID and empties a pool inherited
//! through a fork that bypassed those hooks. Pairs live only in memory (their private keys in
//! `Zeroizing` buffers, wiped when handed out copies are dropped or the pool shrinks); nothing
//! pre-generated is written anywhere.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::process;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::keypair::KeyPair;
use crate::priority;
use crate::shared_stats;
use crate::spec::KeyPairSpec;

/// How long a worker backs off after key generation failed (entropy exhausted, say), so a
/// persistent failure does not spin a core.
const FAILURE_BACKOFF: Duration = Duration::from_millis(100);

/// One spec's counters, as read by [`stats`].
#[derive(Clone, Debug, PartialEq)]
pub struct SpecStats {
    pub spec: KeyPairSpec,
    /// Pairs the pool keeps ready.
    pub capacity: usize,
    /// Pairs ready right now.
    pub depth: usize,
    /// Requests served from the pool.
    pub hits: u64,
    /// Requests that found it empty and generated inline.
    pub misses: u64,
    /// Pairs the workers generated for this spec.
    pub generated: u64,
    /// Pairs per second the workers add when all of them work on this spec, measured from
    /// their generation times so far (0 before the first pair).
    pub fill_rate_per_second: f64,
}

#[derive(Default)]
struct Slot {
    capacity: usize,
    ready: VecDeque<KeyPair>,
    in_flight: usize,
    hits: u64,
    misses: u64,
    generated: u64,
    generating: Duration,
}

impl Slot {
    /// The counters as [`shared_stats`] keeps them.
    fn counters(&self) -> [u64; shared_stats::FIELDS] {
        [
            self.capacity as u64,
            self.ready.len() as u64,
            self.hits,
            self.misses,
            self.generated,
            u64::try_from(self.generating.as_nanos()).unwrap_or(u64::MAX),
        ]
    }

    /// How full the slot is counting pairs on their way; `None` when it needs nothing.
    fn fill(&self) -> Option<f64> {
        let coming = self.ready.len() + self.in_flight;
        (coming < self.capacity).then(|| coming as f64 / self.capacity as f64)
    }
}

struct State {
    slots: [Slot; KeyPairSpec::ALL.len()],
    threads: usize,
    /// Bumped whenever the set of workers changes; a worker of an older epoch exits.
    epoch: u64,
    /// Workers of the current epoch that are running in this process.
    workers: usize,
    /// The process the queued pairs belong to.
    owner: u32,
    /// False in a process that keeps the configuration for its forked children but serves no
    /// requests itself (see [`stop_filling`]).
    filling: bool,
}

impl State {
    fn slot(&mut self, spec: KeyPairSpec) -> &mut Slot {
        &mut self.slots[index(spec)]
    }

    fn configured(&self) -> bool {
        self.slots.iter().any(|slot| slot.capacity > 0)
    }

    /// Forgets every queued pair (each private key is wiped as it drops), every worker and the
    /// counters, keeping the capacities: in a forked child the workers' threads do not exist,
    /// its pairs are its parent's, and so are the hits and misses.
    fn disown(&mut self) {
        for slot in &mut self.slots {
            *slot = Slot {
                capacity: slot.capacity,
                ..Slot::default()
            };
        }
        self.epoch += 1;
        self.workers = 0;
        self.owner = process::id();
        self.publish_all();
    }

    /// Stores one spec's counters where the other worker processes can add them up
    /// (`shared_stats.rs`; nothing happens in a process without a shared slot).
    fn publish(&self, spec: KeyPairSpec) {
        let index = index(spec);
        shared_stats::publish(index, self.slots[index].counters());
    }

    fn publish_all(&self) {
        for spec in KeyPairSpec::ALL {
            self.publish(spec);
        }
    }

    /// The emptiest slot that wants pairs, most-wanted first.
    fn most_wanted(&self) -> Option<KeyPairSpec> {
        KeyPairSpec::ALL
            .into_iter()
            .filter_map(|spec| self.slots[index(spec)].fill().map(|fill| (spec, fill)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(spec, _)| spec)
    }
}

struct Pool {
    state: Mutex<State>,
    /// Signalled when a slot may want pairs or the workers should stop.
    wanted: Condvar,
}

static POOL: LazyLock<Pool> = LazyLock::new(|| Pool {
    state: Mutex::new(State {
        slots: Default::default(),
        threads: 1,
        epoch: 0,
        workers: 0,
        owner: process::id(),
        filling: true,
    }),
    wanted: Condvar::new(),
});

/// Whether any spec has a capacity: lets every request skip the lock while the pool is off.
static CONFIGURED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The lock held across `fork()` by the forking thread, from [`prepare_fork`] until one of
    /// the after-fork calls releases it.
    static HELD_OVER_FORK: RefCell<Option<MutexGuard<'static, State>>> = const { RefCell::new(None) };
}

fn index(spec: KeyPairSpec) -> usize {
    KeyPairSpec::ALL
        .iter()
        .position(|candidate| *candidate == spec)
        .expect("every spec is in ALL")
}

/// The pool's state, emptied first if it was inherited through a fork nobody told us about.
fn lock() -> MutexGuard<'static, State> {
    // A worker that panicked mid-update cannot leave the queues inconsistent (each update is a
    // single push or pop), so a poisoned lock is still safe to use.
    let mut state = POOL.state.lock().unwrap_or_else(|e| e.into_inner());
    if state.owner != process::id() {
        shared_stats::leave_slot(); // a forked child's counters are not its parent's
        state.disown();
    }
    state
}

/// Sets the pool's capacity per spec (specs not named get none) and the number of worker
/// threads; all capacities zero turns the pool off. Pairs beyond a new capacity are dropped
/// and wiped; ready pairs within it are kept. A process that [`stop_filling`] stopped stays
/// stopped: it keeps the new configuration for its forked children and starts no thread.
pub fn configure(capacities: &[(KeyPairSpec, usize)], threads: usize) {
    let mut state = lock();
    for slot in &mut state.slots {
        slot.capacity = 0;
    }
    for &(spec, capacity) in capacities {
        state.slot(spec).capacity = capacity;
    }
    for slot in &mut state.slots {
        let keep = slot.capacity;
        slot.ready.truncate(keep);
    }
    state.threads = threads.max(1);
    state.publish_all();
    CONFIGURED.store(state.configured(), Ordering::Release);
    // Old workers finish the pair in hand, queue it if it is still wanted, and exit.
    state.epoch += 1;
    state.workers = 0;
    start_workers(&mut state);
    POOL.wanted.notify_all();
}

/// Stops this process's refilling and wipes its ready pairs, keeping the configuration: for a
/// parent that only forks workers, each of which calls [`start_filling`] (a child inherits
/// this state). Until then requests here still get pairs, generated inline.
pub fn stop_filling() {
    let mut state = lock();
    state.filling = false;
    state.disown();
    POOL.wanted.notify_all();
}

/// Starts (or resumes, after [`stop_filling`]) refilling in this process now rather than on
/// its first request.
pub fn start_filling() {
    let mut state = lock();
    state.filling = true;
    start_workers(&mut state);
}

fn start_workers(state: &mut State) {
    if !state.configured() || !state.filling {
        return;
    }
    while state.workers < state.threads {
        let epoch = state.epoch;
        let spawned = thread::Builder::new()
            .name("kmspair-pool".into())
            .spawn(move || work(epoch));
        if spawned.is_err() {
            // No thread (resource limits): requests still generate inline, so the pool is
            // only slower to help, never wrong. The next take() tries again.
            break;
        }
        state.workers += 1;
    }
}

/// A ready pair of `spec`, if the pool has one. Counts a hit or, for a configured spec, a miss.
pub fn take(spec: KeyPairSpec) -> Option<KeyPair> {
    if !CONFIGURED.load(Ordering::Acquire) {
        return None;
    }
    let mut state = lock();
    if state.workers < state.threads {
        // A forked child (or a failed spawn) lost its workers: start its own.
        start_workers(&mut state);
    }
    let slot = state.slot(spec);
    if slot.capacity == 0 {
        return None;
    }
    let pair = slot.ready.pop_front();
    if pair.is_some() {
        slot.hits += 1;
        POOL.wanted.notify_one();
    } else {
        slot.misses += 1;
    }
    state.publish(spec);
    pair
}

/// A pair from the pool when one is ready, else a new one generated on the calling thread.
pub fn take_or_generate(spec: KeyPairSpec) -> Result<KeyPair> {
    match take(spec) {
        Some(pair) => Ok(pair),
        None => KeyPair::generate(spec),
    }
}

/// The counters of every configured spec, in [`KeyPairSpec::ALL`] order.
/// In the worker processes of a pre-forking server (see [`share_across_processes`]) they are
/// the sums over every worker: the capacity and depth of all their pools together.
pub fn stats() -> Vec<SpecStats> {
    let state = lock();
    KeyPairSpec::ALL
        .into_iter()
        .zip(&state.slots)
        .map(|(spec, slot)| {
            let ([capacity, depth, hits, misses, generated, nanos], pools) =
                shared_stats::total(index(spec)).unwrap_or((slot.counters(), 1));
            // Generation time per pair, over the threads of every process keeping a pool.
            let seconds = Duration::from_nanos(nanos).as_secs_f64() / pools.max(1) as f64;
            SpecStats {
                spec,
                capacity: usize::try_from(capacity).unwrap_or(usize::MAX),
                depth: usize::try_from(depth).unwrap_or(usize::MAX),
                hits,
                misses,
                generated,
                fill_rate_per_second: if seconds > 0.0 {
                    generated as f64 / seconds * state.threads as f64
                } else {
                    0.0
                },
            }
        })
        .filter(|s| s.capacity > 0 || s.hits + s.misses + s.generated > 0)
        .collect()
}

/// For a server that forks `processes` workers: maps counters they all see, before the fork.
/// Each worker then calls [`claim_shared_slot`] with its number. False where shared memory
/// is not available (the counters then stay per process).
pub fn share_across_processes(processes: usize) -> bool {
    shared_stats::share(processes)
}

/// In a forked worker: its counters go to slot `slot` from now on (a replacement worker takes
/// its predecessor's slot and starts it over, as its pool starts empty).
pub fn claim_shared_slot(slot: usize) -> bool {
    if !shared_stats::claim(slot) {
        return false;
    }
    lock().publish_all();
    true
}

/// Takes the pool's lock for the calling thread, which is about to fork, so that no worker is
/// half-way through changing a queue when the child's copy of memory is made.
pub fn prepare_fork() {
    let state = lock();
    HELD_OVER_FORK.with(|held| *held.borrow_mut() = Some(state));
}

/// In the parent after `fork()`: releases the lock taken by [`prepare_fork`].
pub fn after_fork_in_parent() {
    HELD_OVER_FORK.with(|held| held.borrow_mut().take());
}

/// In the child after `fork()`: wipes the parent's pairs under the inherited lock, then
/// releases it. The child keeps the configuration; its own workers start on its first request.
pub fn after_fork_in_child() {
    HELD_OVER_FORK.with(|held| {
        if let Some(mut state) = held.borrow_mut().take() {
            // Until it claims a slot of its own, a child publishes nowhere: its zeroed counters
            // must not overwrite its parent's.
            shared_stats::leave_slot();
            state.disown();
        }
    });
    POOL.wanted.notify_all();
}

fn work(epoch: u64) {
    priority::lower_current_thread();
    loop {
        let spec = {
            let mut state = lock();
            loop {
                if state.epoch != epoch {
                    return;
                }
                if let Some(spec) = state.most_wanted() {
                    state.slot(spec).in_flight += 1;
                    break spec;
                }
                state = POOL.wanted.wait(state).unwrap_or_else(|e| e.into_inner());
            }
        };
        let started = Instant::now();
        let made = KeyPair::generate(spec);
        let took = started.elapsed();
        let mut state = lock();
        let filling = state.filling;
        // Still counted in flight after a reconfiguration (only a fork's disown zeroes it).
        let slot = state.slot(spec);
        slot.in_flight = slot.in_flight.saturating_sub(1);
        match made {
            Ok(pair) => {
                slot.generated += 1;
                slot.generating += took;
                // A pair finished after a reconfiguration still counts if its slot wants it;
                // otherwise it drops here and its private key is wiped.
                if filling && slot.ready.len() < slot.capacity {
                    slot.ready.push_back(pair);
                }
                state.publish(spec);
            }
            Err(_) => {
                drop(state);
                thread::sleep(FAILURE_BACKOFF);
            }
        }
    }
}

#[cfg(test)]
mod tests;
