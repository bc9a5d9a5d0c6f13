//! A chunk of a batch held back to back in one wiped buffer.
//!
//! A batch whose pairs each keep their own buffers ends with two or three frees a pair, of
//! memory the helper threads allocated. With glibc's allocator those frees either contend for
//! the helper's arena lock (freed on the calling thread while the helper still allocates) or
//! run serially after the batch with the other cores idle (kept to the end), and either way cost
//! an EC batch 2-4% of its scaling on two cores. Copying each item into its chunk's slab as soon
//! as it is made lets the maker free the item's own buffers at once, on the thread that
//! allocated them, which reuses them for its next item; a whole chunk then costs one free,
//! wherever it happens.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::Result;
use crate::keypair::KeyPair;
use crate::sealed::SealedKeyPair;

/// An item made of `N` byte strings, as they are handed to the caller.
pub trait Parts<const N: usize> {
    fn parts(&self) -> [&[u8]; N];
}

impl Parts<2> for KeyPair {
    /// `[private PKCS#8, public SPKI]`
    fn parts(&self) -> [&[u8]; 2] {
        [self.private_pkcs8(), self.public_spki()]
    }
}

impl Parts<3> for SealedKeyPair {
    /// `[private PKCS#8, public SPKI, sealed private]`
    fn parts(&self) -> [&[u8]; 3] {
        [
            self.pair.private_pkcs8(),
            self.pair.public_spki(),
            &self.sealed_private,
        ]
    }
}

/// Items of `N` byte strings each, stored back to back; the whole buffer is wiped on drop, as
/// it holds private keys.
pub struct Slab<const N: usize> {
    bytes: Zeroizing<Vec<u8>>,
    /// The end offset of every part, item after item.
    ends: Vec<usize>,
}

impl<const N: usize> Slab<N> {
    /// Makes `count` items with `make`, copying each into the slab and dropping it before the
    /// next is made. The first error ends the chunk.
    pub fn fill<T: Parts<N>>(count: usize, mut make: impl FnMut() -> Result<T>) -> Result<Self> {
        let mut slab = Slab {
            bytes: Zeroizing::new(Vec::new()),
            ends: Vec::with_capacity(count * N),
        };
        for made in 0..count {
            let item = make()?;
            slab.push(item.parts(), count - made);
        }
        Ok(slab)
    }

    /// Appends one item, making room for `left` items of its size (itself included) if it does
    /// not fit.
    fn push(&mut self, parts: [&[u8]; N], left: usize) {
        let size: usize = parts.iter().map(|part| part.len()).sum();
        if self.bytes.capacity() - self.bytes.len() < size {
            // A growing Vec frees its old buffer unwiped, so grow by hand: the old buffer is
            // wiped as it drops.
            let mut bigger = Zeroizing::new(Vec::with_capacity(self.bytes.len() + size * left));
            bigger.extend_from_slice(&self.bytes);
            self.bytes = bigger;
        }
        for part in parts {
            self.bytes.extend_from_slice(part);
            self.ends.push(self.bytes.len());
        }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.ends.len() / N
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The parts of item `index`.
    ///
    /// # Panics
    /// If `index` is not below [`Slab::len`].
    pub fn get(&self, index: usize) -> [&[u8]; N] {
        std::array::from_fn(|part| {
            let at = index * N + part;
            let start = if at == 0 { 0 } else { self.ends[at - 1] };
            &self.bytes[start..self.ends[at]]
        })
    }

    /// Every item's parts, in the order they were made.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = [&[u8]; N]> + '_ {
        (0..self.len()).map(|index| self.get(index))
    }
}

impl<const N: usize> fmt::Debug for Slab<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slab")
            .field("items", &self.len())
            .field(
                "bytes",
                &format_args!("<{} bytes, redacted>", self.bytes.len()),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::seal::SealingKey;
    use crate::spec::KeyPairSpec;

    struct Strings(Vec<Vec<u8>>);

    impl Parts<2> for Strings {
        fn parts(&self) -> [&[u8]; 2] {
            [&self.0[0], &self.0[1]]
        }
    }

    #[test]
    fn items_come_back_as_they_were_made() {
        let mut made = Vec::new();
        let slab = Slab::fill(5, || {
            let n = made.len() as u8;
            let item = vec![vec![n; usize::from(n)], vec![n + 100; 3]];
            made.push(item.clone());
            Ok(Strings(item))
        })
        .unwrap();
        assert_eq!(slab.len(), 5);
        for (parts, item) in slab.iter().zip(&made) {
            assert_eq!(parts, [&item[0][..], &item[1][..]]);
        }
    }

    #[test]
    fn items_of_growing_size_still_fit() {
        let mut n = 0;
        let slab = Slab::fill(4, || {
            n += 1;
            Ok(Strings(vec![vec![1; n * 100], vec![2; n]]))
        })
        .unwrap();
        let lens: Vec<_> = slab.iter().map(|[a, b]| (a.len(), b.len())).collect();
        assert_eq!(lens, [(100, 1), (200, 2), (300, 3), (400, 4)]);
    }

    #[test]
    fn an_error_ends_the_chunk() {
        let mut n = 0;
        let result = Slab::<2>::fill(10, || {
            n += 1;
            if n == 3 {
                Err(Error::Crypto("no randomness"))
            } else {
                Ok(Strings(vec![vec![0; 4], vec![1; 4]]))
            }
        });
        assert!(matches!(result, Err(Error::Crypto("no randomness"))));
        assert_eq!(n, 3);
    }

    #[test]
    fn sealed_pairs_keep_their_three_parts() {
        let key = SealingKey::new(&[5u8; 32]).unwrap();
        let slab = Slab::fill(3, || {
            SealedKeyPair::generate(KeyPairSpec::EccNistEdwards25519, &key, b"aad")
        })
        .unwrap();
        for [private, public, sealed] in slab.iter() {
            assert_eq!((private.len(), public.len()), (48, 44));
            assert_eq!(&key.open(sealed, b"aad").unwrap()[..], private);
        }
    }

    #[test]
    fn debug_never_shows_the_bytes() {
        let slab = Slab::fill(1, || Ok(Strings(vec![b"secret".to_vec(), vec![]]))).unwrap();
        assert_eq!(
            format!("{slab:?}"),
            "Slab { items: 1, bytes: <6 bytes, redacted> }"
        );
    }
}
