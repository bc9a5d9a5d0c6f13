//! Many pairs of one spec at once, spread over threads.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crate::error::Result;
use crate::keypair::KeyPair;
use crate::seal::SealingKey;
use crate::sealed::SealedKeyPair;
use crate::spec::KeyPairSpec;

/// Threads to use when the caller does not say: one per core.
pub fn default_threads() -> usize {
    thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Generates `count` pairs of `spec` on up to `threads` threads.
pub fn generate_many(spec: KeyPairSpec, count: usize, threads: usize) -> Result<Vec<KeyPair>> {
    in_parallel(count, threads, || KeyPair::generate(spec))
}

/// Generates `count` pairs of `spec` with their private keys sealed under `key` with `aad`: the
/// whole pipeline runs on the worker threads, so nothing but handing out results is serial.
pub fn generate_many_sealed(
    spec: KeyPairSpec,
    count: usize,
    threads: usize,
    key: &SealingKey,
    aad: &[u8],
) -> Result<Vec<SealedKeyPair>> {
    in_parallel(count, threads, || SealedKeyPair::generate(spec, key, aad))
}

/// Makes `count` items with `make` on up to `threads` threads. Work is handed out one item at
/// a time rather than in fixed shares, because RSA key generation time varies several-fold
/// from key to key and fixed shares would leave cores idle at the end.
fn in_parallel<T, F>(count: usize, threads: usize, make: F) -> Result<Vec<T>>
where
    T: Send,
    F: Fn() -> Result<T> + Sync,
{
    let threads = threads.clamp(1, count.max(1));
    if threads == 1 {
        return (0..count).map(|_| make()).collect();
    }
    let next = AtomicUsize::new(0);
    let worker = || -> Result<Vec<T>> {
        let mut mine = Vec::new();
        while next.fetch_add(1, Ordering::Relaxed) < count {
            mine.push(make()?);
        }
        Ok(mine)
    };
    let parts: Vec<Result<Vec<T>>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("key generation thread panicked"))
            .collect()
    });
    let mut items = Vec::with_capacity(count);
    for part in parts {
        items.extend(part?);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn batch_has_exactly_count_distinct_pairs() {
        for threads in [1, 2, 3, 8] {
            let pairs = generate_many(KeyPairSpec::EccSecgP256k1, 50, threads).unwrap();
            assert_eq!(pairs.len(), 50);
            let unique: HashSet<_> = pairs.iter().map(|p| p.private_pkcs8().to_vec()).collect();
            assert_eq!(unique.len(), 50);
        }
    }

    #[test]
    fn sealed_batch_opens_to_its_own_private_keys() {
        let key = SealingKey::new(&[9u8; 32]).unwrap();
        let sealed = generate_many_sealed(KeyPairSpec::EccNistP256, 40, 2, &key, b"aad").unwrap();
        assert_eq!(sealed.len(), 40);
        for item in &sealed {
            let opened = key.open(&item.sealed_private, b"aad").unwrap();
            assert_eq!(&opened[..], item.pair.private_pkcs8());
        }
    }

    #[test]
    fn empty_batch_is_empty() {
        assert!(generate_many(KeyPairSpec::EccNistP256, 0, 4)
            .unwrap()
            .is_empty());
    }
}
