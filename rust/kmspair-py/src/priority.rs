//! Whether single RSA pairs yield the cores to shorter requests (a server's choice).

use kmspair_core::priority;
use pyo3::prelude::*;

/// From now on, generate each single RSA pair the pool cannot supply on a thread of background
/// priority (`on`), or on the calling thread at its own priority (`off`, the default). Returns
/// the previous setting.
#[pyfunction]
pub fn set_slow_keys_in_background(on: bool) -> bool {
    priority::set_slow_keys_in_background(on)
}
