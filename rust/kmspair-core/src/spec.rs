//! The KeyPairSpec values of the KMS `GenerateDataKeyPair` API.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A KMS `DataKeyPairSpec`: which kind of key pair to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyPairSpec {
    Rsa2048,
    Rsa3072,
    Rsa4096,
    EccNistP256,
    EccNistP384,
    EccNistP521,
    EccSecgP256k1,
    Sm2,
    EccNistEdwards25519,
}

impl KeyPairSpec {
    /// Every spec, in the order of the KMS service model's `DataKeyPairSpec` enum, so that
    /// error messages listing them read like AWS's.
    pub const ALL: [KeyPairSpec; 9] = [
        KeyPairSpec::Rsa2048,
        KeyPairSpec::Rsa3072,
        KeyPairSpec::Rsa4096,
        KeyPairSpec::EccNistP256,
        KeyPairSpec::EccNistP384,
        KeyPairSpec::EccNistP521,
        KeyPairSpec::EccSecgP256k1,
        KeyPairSpec::Sm2,
        KeyPairSpec::EccNistEdwards25519,
    ];

    /// The wire name, e.g. `ECC_NIST_P256`.
    pub const fn name(self) -> &'static str {
        match self {
            KeyPairSpec::Rsa2048 => "RSA_2048",
            KeyPairSpec::Rsa3072 => "RSA_3072",
            KeyPairSpec::Rsa4096 => "RSA_4096",
            KeyPairSpec::EccNistP256 => "ECC_NIST_P256",
            KeyPairSpec::EccNistP384 => "ECC_NIST_P384",
            KeyPairSpec::EccNistP521 => "ECC_NIST_P521",
            KeyPairSpec::EccSecgP256k1 => "ECC_SECG_P256K1",
            KeyPairSpec::Sm2 => "SM2",
            KeyPairSpec::EccNistEdwards25519 => "ECC_NIST_EDWARDS25519",
        }
    }

    /// RSA key generation takes tens to hundreds of milliseconds (prime search), everything
    /// else well under one; callers use this to decide whether releasing the GIL pays off.
    pub const fn is_slow(self) -> bool {
        matches!(
            self,
            KeyPairSpec::Rsa2048 | KeyPairSpec::Rsa3072 | KeyPairSpec::Rsa4096
        )
    }
}

impl fmt::Display for KeyPairSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KeyPairSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        KeyPairSpec::ALL
            .into_iter()
            .find(|spec| spec.name() == s)
            .ok_or_else(|| Error::UnknownSpec(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_spec() {
        for spec in KeyPairSpec::ALL {
            assert_eq!(spec.name().parse::<KeyPairSpec>().unwrap(), spec);
        }
    }

    #[test]
    fn names_are_case_sensitive() {
        assert!(matches!(
            "ecc_nist_p256".parse::<KeyPairSpec>(),
            Err(Error::UnknownSpec(name)) if name == "ecc_nist_p256"
        ));
    }

    #[test]
    fn only_rsa_is_slow() {
        let slow: Vec<_> = KeyPairSpec::ALL
            .into_iter()
            .filter(|s| s.is_slow())
            .collect();
        assert_eq!(
            slow,
            [
                KeyPairSpec::Rsa2048,
                KeyPairSpec::Rsa3072,
                KeyPairSpec::Rsa4096
            ]
        );
    }
}
