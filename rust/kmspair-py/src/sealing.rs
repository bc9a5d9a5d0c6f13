//! `SealingKey`: an AES-256-GCM key held in Rust, never readable back from Python.

use kmspair_core::seal;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::PyResult;

/// An AES-256-GCM key for sealing private keys. Built from 32 bytes; the bytes cannot be read
/// back, and the repr shows nothing of them.
#[pyclass(frozen, module = "kmspair._core", name = "SealingKey")]
pub struct SealingKey {
    pub(crate) inner: seal::SealingKey,
}

#[pymethods]
impl SealingKey {
    #[new]
    fn new(key: &[u8]) -> PyResult<Self> {
        Ok(SealingKey {
            inner: seal::SealingKey::new(key)?,
        })
    }

    /// `nonce || ciphertext || tag` for `plaintext`, authenticating `aad`.
    fn seal<'py>(
        &self,
        py: Python<'py>,
        plaintext: &[u8],
        aad: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.inner.seal(plaintext, aad)?))
    }

    /// The plaintext of a blob from `seal` under this key and `aad`; `InvalidSealedBlobError`
    /// for anything else.
    fn open<'py>(&self, py: Python<'py>, blob: &[u8], aad: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.inner.open(blob, aad)?))
    }

    fn __repr__(&self) -> &'static str {
        "<SealingKey: AES-256-GCM, redacted>"
    }
}
