//! RSA key pairs (e = 65537) with OpenSSL, built from source (`openssl-src`, OpenSSL 3.6).
//!
//! ring cannot generate RSA keys. Of the vetted prime searches we measured (benches/README.md),
//! current OpenSSL's is the fastest, about 1.4x aws-lc's and 1.3x the `rsa` crate's for
//! RSA_2048, and it is the same one the `cryptography` baseline uses. The system OpenSSL 3.0
//! is 2.5x slower still, so the library is vendored rather than linked from the machine.

use openssl::bn::BigNum;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keypair::KeyPair;

const PUBLIC_EXPONENT: u32 = 65537;

/// Generates an RSA key pair of `bits` bits. OpenSSL encodes rsaEncryption with NULL
/// parameters and PKCS#8 v0 without attributes, exactly the form KMS returns; it clears the
/// private key's numbers when they are freed.
pub fn generate(bits: u32) -> Result<KeyPair> {
    let exponent = BigNum::from_u32(PUBLIC_EXPONENT).map_err(|_| Error::Crypto("RSA exponent"))?;
    let rsa =
        Rsa::generate_with_e(bits, &exponent).map_err(|_| Error::Crypto("RSA key generation"))?;
    let key = PKey::from_rsa(rsa).map_err(|_| Error::Crypto("RSA key"))?;
    // Moved, not copied, into the zeroizing buffer.
    let private = Zeroizing::new(
        key.private_key_to_pkcs8()
            .map_err(|_| Error::Crypto("RSA PKCS#8 encoding"))?,
    );
    let public = key
        .public_key_to_der()
        .map_err(|_| Error::Crypto("RSA SPKI encoding"))?;
    Ok(KeyPair::new(private, public))
}
