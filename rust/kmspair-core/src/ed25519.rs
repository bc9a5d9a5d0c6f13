//! Ed25519 key pairs with aws-lc-rs: twice as fast as ring and ed25519-dalek in our
//! measurements (benches/README.md). The seed comes out in a buffer that wipes itself and is
//! encoded in `der` as the 48-byte RFC 8410 PKCS#8 v1 form KMS returns (ring, dalek and
//! aws-lc-rs's `to_pkcs8` all write the 83-byte v2 form, which OpenSSL 3.0 refuses).

use aws_lc_rs::encoding::{AsBigEndian, Curve25519SeedBin};
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};

use crate::der;
use crate::error::{Error, Result};
use crate::keypair::KeyPair;

pub fn generate() -> Result<KeyPair> {
    let key = Ed25519KeyPair::generate().map_err(|_| Error::Crypto("Ed25519 key generation"))?;
    let seed: Curve25519SeedBin<'static> = key
        .seed()
        .and_then(|seed| seed.as_be_bytes())
        .map_err(|_| Error::Crypto("Ed25519 seed export"))?;
    let seed: &[u8; 32] = seed
        .as_ref()
        .try_into()
        .map_err(|_| Error::Crypto("Ed25519 seed length"))?;
    let public: &[u8; 32] = key
        .public_key()
        .as_ref()
        .try_into()
        .map_err(|_| Error::Crypto("Ed25519 public key length"))?;
    Ok(KeyPair::new(
        der::ed25519_pkcs8(seed),
        der::ed25519_spki(public),
    ))
}
