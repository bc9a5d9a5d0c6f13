//! RSA key pairs (e = 65537) with aws-lc-rs: ring cannot generate RSA keys, and aws-lc's
//! prime search is the fastest vetted one we measured (benches/README.md).

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keypair::KeyPair as DataKeyPair;

/// Generates an RSA key pair of `bits` bits. aws-lc encodes rsaEncryption with NULL
/// parameters and PKCS#8 v0 without attributes, exactly the form KMS returns.
pub fn generate(bits: usize) -> Result<DataKeyPair> {
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        _ => return Err(Error::Crypto("unsupported RSA size")),
    };
    let key = KeyPair::generate(size).map_err(|_| Error::Crypto("RSA key generation"))?;
    let private: Pkcs8V1Der<'static> = key
        .as_der()
        .map_err(|_| Error::Crypto("RSA PKCS#8 encoding"))?;
    let public: PublicKeyX509Der<'static> = key
        .public_key()
        .as_der()
        .map_err(|_| Error::Crypto("RSA SPKI encoding"))?;
    // The aws-lc-rs buffer zeroizes itself on drop; our copy is zeroized by `Zeroizing`.
    Ok(DataKeyPair::new(
        Zeroizing::new(private.as_ref().to_vec()),
        public.as_ref().to_vec(),
    ))
}
