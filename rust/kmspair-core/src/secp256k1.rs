//! secp256k1 key pairs with the RustCrypto `k256` crate (constant-time, precomputed base-point
//! tables; the design names it, and it beat the generic-curve alternatives we measured).

use k256::elliptic_curve::sec1::ToSec1Point;
use k256::elliptic_curve::Generate;
use k256::SecretKey;

use crate::der;
use crate::error::{Error, Result};
use crate::keypair::KeyPair;

pub fn generate() -> Result<KeyPair> {
    // `SecretKey` zeroizes its scalar on drop; `to_bytes` is copied straight into the
    // zeroizing DER buffer and then wiped.
    let secret = SecretKey::try_generate_from_rng(&mut getrandom::SysRng)
        .map_err(|_| Error::Crypto("system randomness"))?;
    let point = secret.public_key().to_sec1_point(false);
    let mut scalar = secret.to_bytes();
    let private = der::ec_pkcs8(der::OID_SECP256K1, &scalar, point.as_bytes());
    zeroize::Zeroize::zeroize(scalar.as_mut_slice());
    Ok(KeyPair::new(
        private,
        der::ec_spki(der::OID_SECP256K1, point.as_bytes()),
    ))
}
