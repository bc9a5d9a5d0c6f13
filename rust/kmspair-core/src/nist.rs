//! NIST P-256, P-384 and P-521 key pairs with aws-lc-rs. It is the fastest we measured on
//! all three (benches/README.md): tied with ring on P-256 and 7x ring on P-384, while ring
//! has no P-521 at all; and its key buffers wipe themselves, which ring's do not.

use aws_lc_rs::encoding::{AsBigEndian, EcPrivateKeyBin};
use aws_lc_rs::signature::{
    EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair as _, ECDSA_P256_SHA256_ASN1_SIGNING,
    ECDSA_P384_SHA384_ASN1_SIGNING, ECDSA_P521_SHA512_ASN1_SIGNING,
};

use crate::der;
use crate::error::{Error, Result};
use crate::keypair::KeyPair;

/// The NIST curves KMS offers for data key pairs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    fn algorithm(self) -> &'static EcdsaSigningAlgorithm {
        // Only the curve matters for key generation; the digest is irrelevant here.
        match self {
            Curve::P256 => &ECDSA_P256_SHA256_ASN1_SIGNING,
            Curve::P384 => &ECDSA_P384_SHA384_ASN1_SIGNING,
            Curve::P521 => &ECDSA_P521_SHA512_ASN1_SIGNING,
        }
    }

    fn oid(self) -> &'static [u8] {
        match self {
            Curve::P256 => der::OID_P256,
            Curve::P384 => der::OID_P384,
            Curve::P521 => der::OID_P521,
        }
    }
}

pub fn generate(curve: Curve) -> Result<KeyPair> {
    let key = EcdsaKeyPair::generate(curve.algorithm())
        .map_err(|_| Error::Crypto("EC key generation"))?;
    // Fixed-width big-endian scalar in a buffer that zeroizes itself on drop.
    let scalar: EcPrivateKeyBin<'static> = key
        .private_key()
        .as_be_bytes()
        .map_err(|_| Error::Crypto("EC private key export"))?;
    let point = key.public_key().as_ref();
    Ok(KeyPair::new(
        der::ec_pkcs8(curve.oid(), scalar.as_ref(), point),
        der::ec_spki(curve.oid(), point),
    ))
}
