//! The key pool for Python: configure it, read its counters, and bracket `os.fork()`.

use kmspair_core::{pool, KeyPairSpec};
use pyo3::prelude::*;

use crate::errors::PyResult;

/// One spec's pool counters (see `kmspair.pool_stats`).
#[pyclass(frozen, module = "kmspair._core", name = "PoolStats", get_all)]
pub struct PoolStats {
    spec: &'static str,
    capacity: usize,
    depth: usize,
    hits: u64,
    misses: u64,
    generated: u64,
    fill_rate_per_s: f64,
}

#[pymethods]
impl PoolStats {
    fn __repr__(&self) -> String {
        format!(
            "PoolStats(spec='{}', capacity={}, depth={}, hits={}, misses={}, generated={}, \
             fill_rate_per_s={:.1})",
            self.spec,
            self.capacity,
            self.depth,
            self.hits,
            self.misses,
            self.generated,
            self.fill_rate_per_s
        )
    }
}

/// Keeps `capacity` pairs ready per named spec, filled by `threads` background threads;
/// an empty list turns the pool off.
#[pyfunction]
pub fn configure_pool(capacities: Vec<(String, usize)>, threads: usize) -> PyResult<()> {
    let parsed = capacities
        .iter()
        .map(|(name, capacity)| Ok((name.parse::<KeyPairSpec>()?, *capacity)))
        .collect::<kmspair_core::Result<Vec<_>>>()?;
    pool::configure(&parsed, threads);
    Ok(())
}

/// The counters of every spec the pool serves or served.
#[pyfunction]
pub fn pool_stats() -> Vec<PoolStats> {
    pool::stats()
        .into_iter()
        .map(|s| PoolStats {
            spec: s.spec.name(),
            capacity: s.capacity,
            depth: s.depth,
            hits: s.hits,
            misses: s.misses,
            generated: s.generated,
            fill_rate_per_s: s.fill_rate_per_second,
        })
        .collect()
}

/// For `os.register_at_fork(before=...)`. Nothing holding the pool's lock ever waits for the
/// GIL (workers never touch Python), so waiting for it here with the GIL held cannot deadlock.
#[pyfunction]
pub fn pool_prepare_fork() {
    pool::prepare_fork();
}

/// For `os.register_at_fork(after_in_parent=...)`.
#[pyfunction]
pub fn pool_after_fork_in_parent() {
    pool::after_fork_in_parent();
}

/// For `os.register_at_fork(after_in_child=...)`: the child's pool starts empty.
#[pyfunction]
pub fn pool_after_fork_in_child() {
    pool::after_fork_in_child();
}

/// Stops refilling in this process, keeping the configuration for forked children (a
/// pre-forking server's parent, which serves no requests).
#[pyfunction]
pub fn pool_stop_filling() {
    pool::stop_filling();
}

/// Starts refilling in this process now (a pre-forked worker, right after the fork).
#[pyfunction]
pub fn pool_start_filling() {
    pool::start_filling();
}

/// For a pre-forking server's parent, before it forks `processes` workers: counters that every
/// worker adds to and reads the sum of. False where that is not possible.
#[pyfunction]
pub fn pool_share_across_processes(processes: usize) -> bool {
    pool::share_across_processes(processes)
}

/// In a forked worker: its counters go to shared slot `slot`.
#[pyfunction]
pub fn pool_claim_shared_slot(slot: usize) -> bool {
    pool::claim_shared_slot(slot)
}
