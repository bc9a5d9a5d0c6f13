//! Key pair generation for Python. A single pair comes from the key pool when one is ready.
//! Otherwise RSA releases the GIL (tens to hundreds of milliseconds of prime search); EC specs
//! take microseconds, less than releasing and re-taking the GIL is worth, so they run the whole
//! pipeline with it held. Batches never draw from the pool: emptying it for one bulk caller
//! would leave the next single request waiting.

use std::cell::Cell;

use kmspair_core::slab::{Parts, Slab};
use kmspair_core::{batch, pool, KeyPair, KeyPairSpec, SealedKeyPair};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::errors::{CoreError, PyResult};
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

/// Runs a batch of `count` items on `threads` threads (the calling one included), turning each
/// chunk into tuples of `N` `bytes` as soon as the calling thread is between chunks of its own,
/// so that the GIL-held conversion overlaps generation. Each chunk is a [`Slab`]: its maker
/// freed every item's own buffers as it copied them in, so dropping a converted chunk here is
/// one free, and nothing is left to free serially once the batch ends.
fn batch_to_python<'py, T, const N: usize>(
    py: Python<'py>,
    spec: KeyPairSpec,
    count: usize,
    threads: Option<usize>,
    make: impl Fn() -> kmspair_core::Result<T> + Sync,
) -> PyResult<Bound<'py, PyList>, PyErr>
where
    T: Parts<N>,
{
    let threads = threads.unwrap_or_else(batch::default_threads);
    let chunk = batch::chunk_size(spec, count, threads);
    let mut tuples = Vec::with_capacity(count);
    let mut failure = None;
    let mut interrupted = None;
    // Set by a failed conversion, read before the next chunk: the batch's result is already an
    // error, so nothing more is generated for it.
    let converting_failed = Cell::new(false);
    let make_chunk = |size| Slab::<N>::fill(size, &make);
    batch::run(count, threads, chunk, make_chunk, |running| {
        batch::drive(
            running,
            |b| {
                // Between chunks a signal handler may run: Ctrl-C stops a long RSA batch after
                // the keys in progress instead of after all of them.
                if let Err(error) = py.check_signals() {
                    interrupted = Some(error);
                    b.cancel();
                }
                if converting_failed.get() {
                    b.cancel();
                }
                py.detach(|| b.make_chunk())
            },
            |b| py.detach(|| b.wait_rest()),
            |slab| {
                for parts in slab.iter() {
                    match PyTuple::new(py, parts.map(|part| PyBytes::new(py, part))) {
                        Ok(tuple) if failure.is_none() => tuples.push(tuple),
                        Ok(_) => {}
                        Err(error) => {
                            failure = failure.take().or(Some(error));
                            converting_failed.set(true);
                        }
                    }
                }
            },
        )
    })
    .map_err(CoreError)?;
    if let Some(error) = interrupted.or(failure) {
        return Err(error);
    }
    PyList::new(py, tuples)
}

/// A pool pair if one is ready, else a new one.
fn single_pair(py: Python<'_>, spec: KeyPairSpec) -> kmspair_core::Result<KeyPair> {
    if let Some(pair) = pool::take(spec) {
        return Ok(pair);
    }
    if spec.is_slow() {
        py.detach(|| KeyPair::generate_for_request(spec))
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
) -> PyResult<Bound<'py, PyList>, PyErr> {
    let spec: KeyPairSpec = spec.parse().map_err(CoreError)?;
    batch_to_python(py, spec, count, threads, || KeyPair::generate(spec))
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
) -> PyResult<Bound<'py, PyList>, PyErr> {
    let spec: KeyPairSpec = spec.parse().map_err(CoreError)?;
    let key = &key.get().inner;
    let aad = aad.to_vec();
    batch_to_python(py, spec, count, threads, || {
        SealedKeyPair::generate(spec, key, &aad)
    })
}

/// The spec names in the service model's order.
pub fn spec_names() -> Vec<&'static str> {
    KeyPairSpec::ALL.iter().map(|spec| spec.name()).collect()
}
