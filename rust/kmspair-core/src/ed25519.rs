//! Ed25519 key pairs with ring. ring's own `generate_pkcs8` writes the 83-byte PKCS#8 v2 form;
//! KMS returns the 48-byte v1 form, so we draw the seed ourselves and encode it in `der`.

use ring::signature::{Ed25519KeyPair, KeyPair as _};
use zeroize::Zeroizing;

use crate::der;
use crate::error::{Error, Result};
use crate::keypair::KeyPair;
use crate::random;

pub fn generate() -> Result<KeyPair> {
    let mut seed = Zeroizing::new([0u8; 32]);
    random::fill(seed.as_mut_slice())?;
    let key = Ed25519KeyPair::from_seed_unchecked(seed.as_slice())
        .map_err(|_| Error::Crypto("Ed25519 key derivation"))?;
    let public: &[u8; 32] = key
        .public_key()
        .as_ref()
        .try_into()
        .map_err(|_| Error::Crypto("Ed25519 public key length"))?;
    Ok(KeyPair::new(
        der::ed25519_pkcs8(&seed),
        der::ed25519_spki(public),
    ))
}
