//! A generated data key pair and the dispatch from spec to generator.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::Result;
use crate::nist::Curve;
use crate::spec::KeyPairSpec;
use crate::{ed25519, nist, priority, rsa, secp256k1, sm2};

/// A freshly generated key pair: the private key as DER PKCS#8 (wiped on drop) and the public
/// key as DER SubjectPublicKeyInfo.
pub struct KeyPair {
    private_pkcs8: Zeroizing<Vec<u8>>,
    public_spki: Vec<u8>,
}

impl KeyPair {
    pub(crate) fn new(private_pkcs8: Zeroizing<Vec<u8>>, public_spki: Vec<u8>) -> Self {
        KeyPair {
            private_pkcs8,
            public_spki,
        }
    }

    /// Generates a new, random key pair of `spec`.
    pub fn generate(spec: KeyPairSpec) -> Result<KeyPair> {
        match spec {
            KeyPairSpec::Rsa2048 => rsa::generate(2048),
            KeyPairSpec::Rsa3072 => rsa::generate(3072),
            KeyPairSpec::Rsa4096 => rsa::generate(4096),
            KeyPairSpec::EccNistP256 => nist::generate(Curve::P256),
            KeyPairSpec::EccNistP384 => nist::generate(Curve::P384),
            KeyPairSpec::EccNistP521 => nist::generate(Curve::P521),
            KeyPairSpec::EccSecgP256k1 => secp256k1::generate(),
            KeyPairSpec::Sm2 => sm2::generate(),
            KeyPairSpec::EccNistEdwards25519 => ed25519::generate(),
        }
    }

    /// A new pair for one request: as [`KeyPair::generate`], except that a slow spec's prime
    /// search runs at background priority once [`priority::set_slow_keys_in_background`] asked
    /// for it, so that short requests sharing the cores go first.
    pub fn generate_for_request(spec: KeyPairSpec) -> Result<KeyPair> {
        if spec.is_slow() && priority::slow_keys_in_background() {
            priority::run_in_background(|| KeyPair::generate(spec))
        } else {
            KeyPair::generate(spec)
        }
    }

    /// DER PKCS#8 PrivateKeyInfo.
    pub fn private_pkcs8(&self) -> &[u8] {
        &self.private_pkcs8
    }

    /// DER SubjectPublicKeyInfo.
    pub fn public_spki(&self) -> &[u8] {
        &self.public_spki
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field(
                "private_pkcs8",
                &format_args!("<{} bytes, redacted>", self.private_pkcs8.len()),
            )
            .field("public_spki_len", &self.public_spki.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_private_bytes() {
        let pair = KeyPair::generate(KeyPairSpec::EccNistP256).unwrap();
        let shown = format!("{pair:?}");
        assert!(shown.contains("redacted"));
        let hex: String = pair.private_pkcs8()[36..44]
            .iter()
            .map(|b| format!("{b}"))
            .collect();
        assert!(!shown.contains(&hex));
    }

    #[test]
    fn every_spec_generates_the_sizes_kms_returns() {
        for spec in KeyPairSpec::ALL {
            let pair = KeyPair::generate(spec).unwrap();
            let (private, public) = (pair.private_pkcs8().len(), pair.public_spki().len());
            let (expect_private, expect_public) = match spec {
                // RSA PKCS#8 varies by a few bytes with leading zeros of the CRT values.
                KeyPairSpec::Rsa2048 => (1210..=1220, 294..=294),
                KeyPairSpec::Rsa3072 => (1785..=1795, 422..=422),
                KeyPairSpec::Rsa4096 => (2365..=2380, 550..=550),
                KeyPairSpec::EccNistP256 | KeyPairSpec::Sm2 => (138..=138, 91..=91),
                KeyPairSpec::EccNistP384 => (185..=185, 120..=120),
                KeyPairSpec::EccNistP521 => (241..=241, 158..=158),
                KeyPairSpec::EccSecgP256k1 => (135..=135, 88..=88),
                KeyPairSpec::EccNistEdwards25519 => (48..=48, 44..=44),
            };
            assert!(
                expect_private.contains(&private),
                "{spec}: private {private}"
            );
            assert!(expect_public.contains(&public), "{spec}: public {public}");
        }
    }

    #[test]
    fn two_pairs_of_one_spec_differ() {
        for spec in KeyPairSpec::ALL.into_iter().filter(|s| !s.is_slow()) {
            let a = KeyPair::generate(spec).unwrap();
            let b = KeyPair::generate(spec).unwrap();
            assert_ne!(a.private_pkcs8(), b.private_pkcs8(), "{spec}");
            assert_ne!(a.public_spki(), b.public_spki(), "{spec}");
        }
    }
}
