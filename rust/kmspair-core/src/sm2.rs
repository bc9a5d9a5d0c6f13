//! SM2 key pairs (GB/T 32918, curve OID 1.2.156.10197.1.301) with the RustCrypto `sm2` crate;
//! neither ring nor aws-lc implements the curve.

use sm2::elliptic_curve::sec1::ToSec1Point;
use sm2::elliptic_curve::Generate;
use sm2::SecretKey;

use crate::der;
use crate::error::{Error, Result};
use crate::keypair::KeyPair;

pub fn generate() -> Result<KeyPair> {
    let secret = SecretKey::try_generate_from_rng(&mut getrandom::SysRng)
        .map_err(|_| Error::Crypto("system randomness"))?;
    let point = secret.public_key().to_sec1_point(false);
    let mut scalar = secret.to_bytes();
    let private = der::ec_pkcs8(der::OID_SM2, &scalar, point.as_bytes());
    zeroize::Zeroize::zeroize(scalar.as_mut_slice());
    Ok(KeyPair::new(
        private,
        der::ec_spki(der::OID_SM2, point.as_bytes()),
    ))
}
