//! kmspair's core: data key pairs for every KMS `KeyPairSpec` as DER PKCS#8 / SPKI, and the
//! AES-256-GCM sealing the local KMS builds its ciphertexts on. Pure Rust; the Python
//! bindings live in the `kmspair-py` crate.

mod der;
mod ed25519;
mod nist;
mod random;
mod rsa;
mod secp256k1;
mod shared_stats;
mod sm2;

pub mod batch;
pub mod error;
pub mod keypair;
pub mod pool;
pub mod priority;
pub mod seal;
pub mod sealed;
pub mod slab;
pub mod spec;

pub use error::{Error, Result};
pub use keypair::KeyPair;
pub use seal::SealingKey;
pub use sealed::SealedKeyPair;
pub use spec::KeyPairSpec;
