//! The whole GenerateDataKeyPair pipeline in one call: generate, encode, seal the private key.

use crate::error::Result;
use crate::keypair::KeyPair;
use crate::seal::SealingKey;
use crate::spec::KeyPairSpec;

/// A key pair together with its private key sealed under a [`SealingKey`].
#[derive(Debug)]
pub struct SealedKeyPair {
    pub pair: KeyPair,
    pub sealed_private: Vec<u8>,
}

impl SealedKeyPair {
    pub fn generate(spec: KeyPairSpec, key: &SealingKey, aad: &[u8]) -> Result<SealedKeyPair> {
        Self::seal(KeyPair::generate(spec)?, key, aad)
    }

    /// Seals the private key of an existing pair (one from the pool, say).
    pub fn seal(pair: KeyPair, key: &SealingKey, aad: &[u8]) -> Result<SealedKeyPair> {
        let sealed_private = key.seal(pair.private_pkcs8(), aad)?;
        Ok(SealedKeyPair {
            pair,
            sealed_private,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_private_key_opens_to_the_private_key() {
        let key = SealingKey::new(&[3u8; 32]).unwrap();
        let sealed = SealedKeyPair::generate(KeyPairSpec::EccNistP384, &key, b"ctx").unwrap();
        assert_eq!(
            &key.open(&sealed.sealed_private, b"ctx").unwrap()[..],
            sealed.pair.private_pkcs8()
        );
    }
}
