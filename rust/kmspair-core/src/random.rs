//! System randomness for seeds and nonces, through ring's `SystemRandom` (getrandom(2)).

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Error, Result};

pub fn fill(buf: &mut [u8]) -> Result<()> {
    SystemRandom::new()
        .fill(buf)
        .map_err(|_| Error::Crypto("system randomness"))
}
