"""AES-256-GCM sealing: what one seals, only the same key and associated data open."""

from __future__ import annotations

import os

import pytest

import kmspair
from der import public_spki_of
from kmspair.backend import resolve

AAD = b"header|context"
PLAINTEXT = b"a private key, PKCS#8 DER"


@pytest.fixture
def key_bytes() -> bytes:
    return os.urandom(32)


def test_seal_then_open_round_trips(backend: str, key_bytes: bytes) -> None:
    key = resolve(backend).SealingKey(key_bytes)
    assert key.open(key.seal(PLAINTEXT, AAD), AAD) == PLAINTEXT


def test_sealed_blob_is_nonce_ciphertext_and_tag(backend: str, key_bytes: bytes) -> None:
    blob = resolve(backend).SealingKey(key_bytes).seal(PLAINTEXT, AAD)
    assert len(blob) == 12 + len(PLAINTEXT) + 16
    assert PLAINTEXT not in blob


def test_each_seal_uses_a_fresh_nonce(backend: str, key_bytes: bytes) -> None:
    key = resolve(backend).SealingKey(key_bytes)
    nonces = {key.seal(PLAINTEXT, AAD)[:12] for _ in range(1000)}
    assert len(nonces) == 1000


def test_blobs_open_across_backends(key_bytes: bytes) -> None:
    rust, python = resolve("rust").SealingKey(key_bytes), resolve("python").SealingKey(key_bytes)
    assert python.open(rust.seal(PLAINTEXT, AAD), AAD) == PLAINTEXT
    assert rust.open(python.seal(PLAINTEXT, AAD), AAD) == PLAINTEXT


def test_other_associated_data_fails_to_open(backend: str, key_bytes: bytes) -> None:
    key = resolve(backend).SealingKey(key_bytes)
    with pytest.raises(kmspair.InvalidSealedBlobError):
        key.open(key.seal(PLAINTEXT, AAD), AAD + b"x")


def test_another_key_fails_to_open(backend: str, key_bytes: bytes) -> None:
    blob = resolve(backend).SealingKey(key_bytes).seal(PLAINTEXT, AAD)
    with pytest.raises(kmspair.InvalidSealedBlobError):
        resolve(backend).SealingKey(os.urandom(32)).open(blob, AAD)


def test_every_flipped_bit_fails_to_open(backend: str, key_bytes: bytes) -> None:
    key = resolve(backend).SealingKey(key_bytes)
    blob = key.seal(b"short", AAD)
    for bit in range(len(blob) * 8):
        damaged = bytearray(blob)
        damaged[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(kmspair.InvalidSealedBlobError):
            key.open(bytes(damaged), AAD)


def test_every_truncation_fails_to_open(backend: str, key_bytes: bytes) -> None:
    key = resolve(backend).SealingKey(key_bytes)
    blob = key.seal(b"short", AAD)
    for length in range(len(blob)):
        with pytest.raises(kmspair.InvalidSealedBlobError):
            key.open(blob[:length], AAD)


def test_an_extended_blob_fails_to_open(backend: str, key_bytes: bytes) -> None:
    key = resolve(backend).SealingKey(key_bytes)
    with pytest.raises(kmspair.InvalidSealedBlobError):
        key.open(key.seal(PLAINTEXT, AAD) + b"\x00", AAD)


def test_open_failure_is_a_value_error_that_says_nothing_of_the_contents(
    backend: str, key_bytes: bytes
) -> None:
    key = resolve(backend).SealingKey(key_bytes)
    with pytest.raises(ValueError) as caught:
        key.open(key.seal(PLAINTEXT, AAD), b"")
    assert str(caught.value) == "The sealed blob could not be opened"


@pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
def test_a_key_of_the_wrong_length_is_refused(backend: str, length: int) -> None:
    with pytest.raises(kmspair.InvalidSealingKeyError, match=f"not {length}$"):
        resolve(backend).SealingKey(b"k" * length)


def test_repr_of_a_sealing_key_shows_none_of_it(backend: str) -> None:
    key_bytes = bytes(range(32))
    shown = repr(resolve(backend).SealingKey(key_bytes))
    assert shown == "<SealingKey: AES-256-GCM, redacted>"


def test_sealed_pair_pipeline_seals_the_private_key_it_returns(
    spec: str, backend: str, key_bytes: bytes
) -> None:
    chosen = resolve(backend)
    key = chosen.SealingKey(key_bytes)
    private, public, sealed = chosen.generate_sealed_key_pair(spec, key, AAD)
    assert key.open(sealed, AAD) == private
    assert public not in (private, sealed)


def test_every_pair_of_a_sealed_batch_seals_its_own_private_key(
    backend: str, key_bytes: bytes
) -> None:
    chosen = resolve(backend)
    key = chosen.SealingKey(key_bytes)
    # Enough pairs that the Rust batch makes full chunks of many pairs each on every thread.
    batch = chosen.generate_sealed_key_pairs("ECC_NIST_EDWARDS25519", key, AAD, 2000)
    assert len(batch) == 2000
    for private, public, sealed in batch:
        assert key.open(sealed, AAD) == private
        assert public_spki_of(private) == public
