//! Many pairs of one spec at once, spread over threads.
//!
//! The calling thread works too. Helper threads generate chunks of pairs; the caller generates
//! chunks of its own and, between them, hands every finished chunk to its consumer. For Python
//! that consumer turns pairs into `bytes` objects with the GIL held, which one thread at a time
//! can do: done after the whole batch, that serial step left a core idle for about 4% of an EC
//! batch's time on two cores; done between the caller's own chunks, it overlaps the helpers'
//! generation, and the shared work queue lets the helpers take up the caller's slack.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;

use crate::error::Result;
use crate::keypair::KeyPair;
use crate::seal::SealingKey;
use crate::sealed::SealedKeyPair;
use crate::spec::KeyPairSpec;

/// The most EC pairs in one chunk: about a millisecond of work for the fast curves, so handing
/// chunks out costs nothing measurable and the last one finishes soon after the others.
const MAX_EC_CHUNK: usize = 64;

/// Threads to use when the caller does not say: one per core.
pub fn default_threads() -> usize {
    thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Pairs per chunk for a batch of `count` on `threads`. RSA goes one key at a time, because its
/// generation time varies several-fold from key to key and a chunk of them would leave cores
/// idle at the end; EC chunks are small enough that every thread gets several.
pub fn chunk_size(spec: KeyPairSpec, count: usize, threads: usize) -> usize {
    if spec.is_slow() {
        1
    } else {
        (count / (threads.max(1) * 8)).clamp(1, MAX_EC_CHUNK)
    }
}

/// A batch in progress, shared by the calling thread and its helpers. `make(n)` makes a chunk
/// of `n` items.
pub struct Batch<C, F> {
    make: F,
    count: usize,
    chunk: usize,
    next: AtomicUsize,
    finished: Mutex<Finished<C>>,
    changed: Condvar,
}

struct Finished<C> {
    chunks: Vec<Result<C>>,
    helpers_running: usize,
}

impl<C, F> Batch<C, F> {
    fn lock(&self) -> MutexGuard<'_, Finished<C>> {
        // A panicking helper cannot leave the list half-updated (push and a decrement are
        // single steps), so a poisoned lock still guards consistent data.
        self.finished.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Marks a helper as done even if its work panicked, so the caller never waits for it forever.
struct HelperDone<'a, C, F>(&'a Batch<C, F>);

impl<C, F> Drop for HelperDone<'_, C, F> {
    fn drop(&mut self) {
        self.0.lock().helpers_running -= 1;
        self.0.changed.notify_all();
    }
}

impl<C, F> Batch<C, F>
where
    C: Send,
    F: Fn(usize) -> Result<C> + Sync,
{
    /// Claims the next chunk and generates it on the calling thread; `None` once every pair of
    /// the batch has been claimed. After an error nothing more is claimed.
    pub fn make_chunk(&self) -> Option<Result<C>> {
        let start = self.next.fetch_add(self.chunk, Ordering::Relaxed);
        if start >= self.count {
            return None;
        }
        let size = self.chunk.min(self.count - start);
        let chunk = (self.make)(size);
        if chunk.is_err() {
            self.cancel();
        }
        Some(chunk)
    }

    /// Claims everything not yet claimed, so the batch ends once the chunks in progress are
    /// done (the caller was interrupted).
    pub fn cancel(&self) {
        self.next.store(self.count, Ordering::Relaxed);
    }

    /// The chunks helpers have finished since the last call.
    pub fn take_finished(&self) -> Vec<Result<C>> {
        std::mem::take(&mut self.lock().chunks)
    }

    /// Waits until every helper has stopped (all work claimed and made), then returns the
    /// chunks not yet taken.
    pub fn wait_rest(&self) -> Vec<Result<C>> {
        let mut finished = self.lock();
        while finished.helpers_running > 0 {
            finished = self
                .changed
                .wait(finished)
                .unwrap_or_else(PoisonError::into_inner);
        }
        std::mem::take(&mut finished.chunks)
    }

    fn help(&self) {
        let _done = HelperDone(self);
        while let Some(chunk) = self.make_chunk() {
            self.lock().chunks.push(chunk);
        }
    }
}

/// Runs a batch of `count` items, in chunks of `chunk` made by `make(size)`, on `threads`
/// threads: the calling thread (inside `caller`, which drives it with [`Batch::make_chunk`],
/// [`Batch::take_finished`] and [`Batch::wait_rest`]) and `threads - 1` helpers.
pub fn run<C, F, R>(
    count: usize,
    threads: usize,
    chunk: usize,
    make: F,
    caller: impl FnOnce(&Batch<C, F>) -> R,
) -> R
where
    C: Send,
    F: Fn(usize) -> Result<C> + Sync,
{
    let helpers = threads.clamp(1, count.max(1)) - 1;
    let batch = Batch {
        make,
        count,
        chunk: chunk.max(1),
        next: AtomicUsize::new(0),
        finished: Mutex::new(Finished {
            chunks: Vec::new(),
            helpers_running: helpers,
        }),
        changed: Condvar::new(),
    };
    thread::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|| batch.help());
        }
        caller(&batch)
    })
}

/// Drives a batch to its end on the calling thread, handing every chunk to `consume` as soon as
/// the caller is between chunks of its own. The caller's generation and its final wait run
/// through `own_chunk` and `rest` (given [`Batch::make_chunk`] and [`Batch::wait_rest`], or
/// wrappers that release a lock around them). The first error stops the batch and is returned.
pub fn drive<C, F>(
    batch: &Batch<C, F>,
    mut own_chunk: impl FnMut(&Batch<C, F>) -> Option<Result<C>>,
    rest: impl FnOnce(&Batch<C, F>) -> Vec<Result<C>>,
    mut consume: impl FnMut(C),
) -> Result<()>
where
    C: Send,
    F: Fn(usize) -> Result<C> + Sync,
{
    let mut failure = None;
    let mut deliver = |chunk: Result<C>| match chunk {
        Ok(items) if failure.is_none() => consume(items),
        Ok(_) => {}
        Err(error) => failure = failure.take().or(Some(error)),
    };
    while let Some(own) = own_chunk(batch) {
        deliver(own);
        batch.take_finished().into_iter().for_each(&mut deliver);
    }
    rest(batch).into_iter().for_each(&mut deliver);
    failure.map_or(Ok(()), Err)
}

fn collect_all<T, F>(count: usize, threads: usize, chunk: usize, make: F) -> Result<Vec<T>>
where
    T: Send,
    F: Fn() -> Result<T> + Sync,
{
    let make_chunk = |size| (0..size).map(|_| make()).collect::<Result<Vec<T>>>();
    run(count, threads, chunk, make_chunk, |batch| {
        let mut items = Vec::with_capacity(count);
        drive(batch, Batch::make_chunk, Batch::wait_rest, |chunk| {
            items.extend(chunk);
        })?;
        Ok(items)
    })
}

/// Generates `count` pairs of `spec` on up to `threads` threads.
pub fn generate_many(spec: KeyPairSpec, count: usize, threads: usize) -> Result<Vec<KeyPair>> {
    let chunk = chunk_size(spec, count, threads);
    collect_all(count, threads, chunk, || KeyPair::generate(spec))
}

/// Generates `count` pairs of `spec` with their private keys sealed under `key` with `aad`: the
/// whole pipeline runs on the worker threads.
pub fn generate_many_sealed(
    spec: KeyPairSpec,
    count: usize,
    threads: usize,
    key: &SealingKey,
    aad: &[u8],
) -> Result<Vec<SealedKeyPair>> {
    let chunk = chunk_size(spec, count, threads);
    collect_all(count, threads, chunk, || {
        SealedKeyPair::generate(spec, key, aad)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::error::Error;

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

    #[test]
    fn every_item_is_made_once_whatever_the_chunk_and_thread_counts() {
        for (count, threads, chunk) in [(1, 4, 64), (7, 2, 3), (100, 3, 1), (1000, 2, 64)] {
            let made = AtomicUsize::new(0);
            let items = collect_all(count, threads, chunk, || {
                Ok(made.fetch_add(1, Ordering::Relaxed))
            })
            .unwrap();
            let unique: HashSet<_> = items.iter().copied().collect();
            assert_eq!((items.len(), unique.len()), (count, count));
            assert_eq!(made.load(Ordering::Relaxed), count);
        }
    }

    #[test]
    fn consumer_gets_chunks_while_the_batch_runs() {
        let mut deliveries = 0;
        run(
            256,
            2,
            8,
            |size| Ok(vec![0u8; size]),
            |batch| {
                drive(batch, Batch::make_chunk, Batch::wait_rest, |chunk| {
                    assert!(chunk.len() <= 8);
                    deliveries += 1;
                })
            },
        )
        .unwrap();
        assert_eq!(deliveries, 32);
    }

    #[test]
    fn an_error_stops_the_batch_and_is_returned() {
        let made = AtomicUsize::new(0);
        let result = collect_all(10_000, 2, 4, || {
            if made.fetch_add(1, Ordering::Relaxed) == 20 {
                Err(Error::Crypto("no randomness"))
            } else {
                Ok(())
            }
        });
        assert!(matches!(result, Err(Error::Crypto("no randomness"))));
        assert!(made.load(Ordering::Relaxed) < 10_000);
    }

    #[test]
    fn a_cancelled_batch_ends_after_the_chunks_in_progress() {
        let made = AtomicUsize::new(0);
        let delivered = run(
            10_000,
            2,
            1,
            |size| {
                Ok((0..size)
                    .map(|_| made.fetch_add(1, Ordering::Relaxed))
                    .collect::<Vec<_>>())
            },
            |batch| {
                let mut delivered = 0;
                let mut own = 0;
                drive(
                    batch,
                    |b| {
                        own += 1;
                        if own == 3 {
                            b.cancel();
                        }
                        b.make_chunk()
                    },
                    Batch::wait_rest,
                    |chunk| delivered += chunk.len(),
                )
                .unwrap();
                delivered
            },
        );
        assert_eq!(delivered, made.load(Ordering::Relaxed));
        assert!(delivered < 10_000);
    }

    #[test]
    fn rsa_goes_one_key_per_chunk_and_ec_in_small_chunks() {
        assert_eq!(chunk_size(KeyPairSpec::Rsa2048, 1000, 2), 1);
        assert_eq!(chunk_size(KeyPairSpec::EccNistP256, 10, 2), 1);
        assert_eq!(chunk_size(KeyPairSpec::EccNistP256, 160, 2), 10);
        assert_eq!(
            chunk_size(KeyPairSpec::EccNistP256, 100_000, 2),
            MAX_EC_CHUNK
        );
    }
}
