//! `kmspair._core`: the thin pyo3 layer over `kmspair-core`. Everything here converts
//! arguments and results; the logic lives in the core crate.

mod errors;
mod keypairs;
mod pool;
mod priority;
mod sealing;

#[pyo3::pymodule(gil_used = false)]
mod _core {
    use pyo3::prelude::*;
    use pyo3::types::PyTuple;

    #[pymodule_export]
    use crate::keypairs::{
        generate_key_pair, generate_key_pairs, generate_sealed_key_pair, generate_sealed_key_pairs,
    };
    #[pymodule_export]
    use crate::pool::{
        configure_pool, pool_after_fork_in_child, pool_after_fork_in_parent,
        pool_claim_shared_slot, pool_prepare_fork, pool_share_across_processes, pool_start_filling,
        pool_stats, pool_stop_filling, PoolStats,
    };
    #[pymodule_export]
    use crate::priority::set_slow_keys_in_background;
    #[pymodule_export]
    use crate::sealing::SealingKey;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        let names = crate::keypairs::spec_names();
        m.add("KEY_PAIR_SPECS", PyTuple::new(m.py(), names)?)?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }
}
