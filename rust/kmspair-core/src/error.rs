//! The one error type of the core. The Python glue maps each variant to a Python exception in
//! one place; no variant carries key material.

use std::fmt;

use crate::spec::KeyPairSpec;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A KeyPairSpec name that is not one of [`KeyPairSpec::ALL`]. Holds the caller's own input.
    UnknownSpec(String),
    /// A sealing key that is not 32 bytes long. Holds only the length.
    InvalidKeyLength(usize),
    /// A sealed blob that is too short, was altered, or was sealed under another key or
    /// associated data. Deliberately says nothing about which.
    InvalidSealedBlob,
    /// The underlying crypto library failed (randomness unavailable, internal error).
    Crypto(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownSpec(name) => {
                write!(f, "Unknown KeyPairSpec '{name}'; valid specs are ")?;
                for (i, spec) in KeyPairSpec::ALL.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(spec.name())?;
                }
                Ok(())
            }
            Error::InvalidKeyLength(len) => {
                write!(f, "A sealing key must be 32 bytes long, not {len}")
            }
            Error::InvalidSealedBlob => f.write_str("The sealed blob could not be opened"),
            Error::Crypto(what) => write!(f, "Cryptographic operation failed: {what}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_spec_message_names_every_valid_spec() {
        let message = Error::UnknownSpec("RSA_1024".into()).to_string();
        assert!(message.starts_with("Unknown KeyPairSpec 'RSA_1024'; valid specs are RSA_2048,"));
        for spec in KeyPairSpec::ALL {
            assert!(message.contains(spec.name()));
        }
    }
}
