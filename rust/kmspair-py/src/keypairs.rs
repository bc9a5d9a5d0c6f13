//! Key pair generation for Python. A single pair comes from the key pool when one is ready.
//! Otherwise RSA releases the GIL (tens to hundreds of milliseconds of prime search); EC specs
//! take microseconds, less than releasing and re-taking the GIL is worth, so they run the whole
//! pipeline with it held. Batches never draw from the pool: emptying it for one bulk caller
//! would leave the next single request waiting.

use kmspair_core::{batch, pool, KeyPair, KeyPairSpec, SealedKeyPair};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::PyResult;
use crate::sealing::SealingKey;

type PairBytes<'py> = (Bound<'py, PyBytes>, Bound<'py, PyBytes>);
type SealedBytes<'py> = (
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
);

fn to_python<'py>(py: Python<'py>, pair: &KeyPair) -> PairBytes<'py> {
    (
        PyBytes::new(py, pair.private_pkcs8()),
        PyBytes::new(py, pair.public_spki()),
    )
}

fn sealed_to_python<'py>(py: Python<'py>, sealed: &SealedKeyPair) -> SealedBytes<'py> {
    let (private, public) = to_python(py, &sealed.pair);
    (private, public, PyBytes::new(py, &sealed.sealed_private))
}

/// A pool pair if one is ready, else a new one.
fn single_pair(py: Python<'_>, spec: KeyPairSpec) -> kmspair_core::Result<KeyPair> {
    if let Some(pair) = pool::take(spec) {
        return Ok(pair);
    }
    if spec.is_slow() {
        py.detach(|| KeyPair::generate(spec))
    } else {
        KeyPair::generate(spec)
    }
}

/// `(private PKCS#8 DER, public SPKI DER)` for a new key pair of `spec`.
#[pyfunction]
pub fn generate_key_pair<'py>(py: Python<'py>, spec: &str) -> PyResult<PairBytes<'py>> {
    let spec: KeyPairSpec = spec.parse()?;
    let pair = single_pair(py, spec)?;
    Ok(to_python(py, &pair))
}

/// `count` new key pairs of `spec`, generated on `threads` threads (default: one per core)
/// with the GIL released.
#[pyfunction]
#[pyo3(signature = (spec, count, threads=None))]
pub fn generate_key_pairs<'py>(
    py: Python<'py>,
    spec: &str,
    count: usize,
    threads: Option<usize>,
) -> PyResult<Vec<PairBytes<'py>>> {
    let spec: KeyPairSpec = spec.parse()?;
    let threads = threads.unwrap_or_else(batch::default_threads);
    let pairs = py.detach(|| batch::generate_many(spec, count, threads))?;
    Ok(pairs.iter().map(|pair| to_python(py, pair)).collect())
}

/// `(private PKCS#8, public SPKI, private sealed under key with aad)`: the whole
/// GenerateDataKeyPair pipeline in one native call.
#[pyfunction]
pub fn generate_sealed_key_pair<'py>(
    py: Python<'py>,
    spec: &str,
    key: &Bound<'py, SealingKey>,
    aad: &[u8],
) -> PyResult<(
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
)> {
    let spec: KeyPairSpec = spec.parse()?;
    let key = &key.get().inner;
    // Sealing takes microseconds, so it runs with the GIL held; only the prime search of an
    // RSA pair the pool could not supply releases it (inside single_pair).
    let sealed = SealedKeyPair::seal(single_pair(py, spec)?, key, aad)?;
    Ok(sealed_to_python(py, &sealed))
}

/// `count` sealed pairs, as from `generate_sealed_key_pair`, made on `threads` threads (default:
/// one per core) with the GIL released.
#[pyfunction]
#[pyo3(signature = (spec, key, aad, count, threads=None))]
pub fn generate_sealed_key_pairs<'py>(
    py: Python<'py>,
    spec: &str,
    key: &Bound<'py, SealingKey>,
    aad: &[u8],
    count: usize,
    threads: Option<usize>,
) -> PyResult<Vec<SealedBytes<'py>>> {
    let spec: KeyPairSpec = spec.parse()?;
    let key = &key.get().inner;
    let threads = threads.unwrap_or_else(batch::default_threads);
    let aad = aad.to_vec();
    let sealed = py.detach(|| batch::generate_many_sealed(spec, count, threads, key, &aad))?;
    Ok(sealed
        .iter()
        .map(|item| sealed_to_python(py, item))
        .collect())
}

/// The spec names in the service model's order.
pub fn spec_names() -> Vec<&'static str> {
    KeyPairSpec::ALL.iter().map(|spec| spec.name()).collect()
}
