//! The one place core errors become Python exceptions. The exception classes are defined in
//! Python (`kmspair/exceptions.py`) so users can import, subclass and document them normally.

use kmspair_core::Error;
use pyo3::PyErr;

pyo3::import_exception!(kmspair.exceptions, UnknownKeyPairSpecError);
pyo3::import_exception!(kmspair.exceptions, InvalidSealingKeyError);
pyo3::import_exception!(kmspair.exceptions, InvalidSealedBlobError);
pyo3::import_exception!(kmspair.exceptions, KeyGenerationError);

/// Wraps a core error so `?` converts it; pyo3 needs a local type to implement `From` for.
pub struct CoreError(pub Error);

impl From<Error> for CoreError {
    fn from(err: Error) -> Self {
        CoreError(err)
    }
}

impl From<CoreError> for PyErr {
    fn from(CoreError(err): CoreError) -> PyErr {
        let message = err.to_string();
        match err {
            Error::UnknownSpec(_) => UnknownKeyPairSpecError::new_err(message),
            Error::InvalidKeyLength(_) => InvalidSealingKeyError::new_err(message),
            Error::InvalidSealedBlob => InvalidSealedBlobError::new_err(message),
            Error::Crypto(_) => KeyGenerationError::new_err(message),
        }
    }
}

/// A result whose error is a core error by default; `PyResult<T, PyErr>` where Python can fail
/// too (building objects).
pub type PyResult<T, E = CoreError> = Result<T, E>;
