//! Key pair generation for Python. A single pair comes from the key pool when one is ready.
//! Otherwise RSA releases the GIL (tens to hundreds of milliseconds of prime search); EC specs
//! take microseconds, less than releasing and re-taking the GIL is worth, so they run the whole
//! pipeline with it held. Batches never draw from the pool: emptying it for one bulk caller
//! would leave the next single request waiting.

use std::cell::Cell;

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
/// chunk into Python tuples with `convert` as soon as the calling thread is between chunks of its
/// own, so that the GIL-held conversion overlaps generation. The items themselves (their secrets
/// wiped as they drop) are freed only once the batch is done, with the GIL released: freeing a
/// helper's item on the calling thread while that helper allocates contends for the helper's
/// malloc arena, which cost up to 10% more CPU per P-256 pair on two cores.
fn batch_to_python<'py, T, F>(
    py: Python<'py>,
    spec: KeyPairSpec,
    count: usize,
    threads: Option<usize>,
    make: F,
    convert: impl Fn(Python<'py>, &T) -> PyResult<Bound<'py, PyTuple>, PyErr>,
) -> PyResult<Bound<'py, PyList>, PyErr>
where
    T: Send,
    F: Fn() -> kmspair_core::Result<T> + Sync,
{
    let threads = threads.unwrap_or_else(batch::default_threads);
    let chunk = batch::chunk_size(spec, count, threads);
    let mut tuples = Vec::with_capacity(count);
    let mut failure = None;
    let mut made = Vec::with_capacity(count.div_ceil(chunk.max(1)));
    let mut interrupted = None;
    // Set by a failed conversion, read before the next chunk: the batch's result is already an
    // error, so nothing more is generated for it.
    let converting_failed = Cell::new(false);
    batch::run(count, threads, chunk, make, |running| {
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
            |items| {
                for item in &items {
                    match convert(py, item) {
                        Ok(tuple) if failure.is_none() => tuples.push(tuple),
                        Ok(_) => {}
                        Err(error) => {
                            failure = failure.take().or(Some(error));
                            converting_failed.set(true);
                        }
                    }
                }
                made.push(items);
            },
        )
    })
    .map_err(CoreError)?;
    py.detach(|| drop(made));
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
    batch_to_python(
        py,
        spec,
        count,
        threads,
        || KeyPair::generate(spec),
        |py, pair| PyTuple::new(py, <[_; 2]>::from(to_python(py, pair))),
    )
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
    batch_to_python(
        py,
        spec,
        count,
        threads,
        || SealedKeyPair::generate(spec, key, &aad),
        |py, item| PyTuple::new(py, <[_; 3]>::from(sealed_to_python(py, item))),
    )
}

/// The spec names in the service model's order.
pub fn spec_names() -> Vec<&'static str> {
    KeyPairSpec::ALL.iter().map(|spec| spec.name()).collect()
}
