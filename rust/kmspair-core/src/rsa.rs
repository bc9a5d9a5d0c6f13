//! RSA key pairs (e = 65537) with OpenSSL, built from source (`openssl-src`, OpenSSL 3.6).
//!
//! ring cannot generate RSA keys. Of the vetted prime searches we measured (benches/README.md),
//! current OpenSSL's is the fastest, about 1.4x aws-lc's and 1.3x the `rsa` crate's for
//! RSA_2048, and it is the same one the `cryptography` baseline uses. The system OpenSSL 3.0
//! is 2.5x slower still, so the library is vendored rather than linked from the machine.
//!
//! Searching p and q on two threads (OpenSSL's `BN_generate_prime`, or crypto-primes) was
//! measured and does not lower the latency on 2 cores: both prime sources cost 1.5-2.7x the CPU
//! of this routine, which the second thread only wins back. Numbers and the command in
//! benches/README.md, "RSA: prime-search strategies".

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

#[cfg(test)]
mod tests {
    use openssl::bn::BigNumContext;

    use super::*;

    #[test]
    fn keys_are_valid_for_every_size() {
        for bits in [2048, 3072, 4096] {
            let pair = generate(bits).unwrap();
            let key = PKey::private_key_from_pkcs8(pair.private_pkcs8()).unwrap();
            assert_eq!(key.public_key_to_der().unwrap(), pair.public_spki());
            let rsa = key.rsa().unwrap();
            assert_eq!(rsa.n().num_bits(), bits as i32);
            assert_eq!(rsa.e(), &BigNum::from_u32(PUBLIC_EXPONENT).unwrap());
            let (p, q) = (rsa.p().unwrap(), rsa.q().unwrap());
            assert_ne!(p, q);
            let mut n = BigNum::new().unwrap();
            n.checked_mul(p, q, &mut BigNumContext::new().unwrap())
                .unwrap();
            assert_eq!(&n, rsa.n());
            // p and q prime, d * e = 1 mod (p - 1) and (q - 1), CRT values consistent.
            assert!(rsa.check_key().unwrap());
        }
    }

    #[test]
    fn pkcs8_is_v0_rsa_encryption_with_null_parameters_and_no_attributes() {
        let pair = generate(2048).unwrap();
        let der = pair.private_pkcs8();
        assert_eq!(der[..2], [0x30, 0x82]);
        assert_eq!(
            usize::from(der[2]) << 8 | usize::from(der[3]),
            der.len() - 4
        );
        assert_eq!(
            der[4..24],
            [
                0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
                0x01, 0x01, 0x05, 0x00, 0x04, 0x82
            ]
        );
        // The OCTET STRING ends the PrivateKeyInfo: no attributes.
        assert_eq!(
            usize::from(der[24]) << 8 | usize::from(der[25]),
            der.len() - 26
        );
    }
}
