"""Every pair is new and random: no two pairs alike, in a loop or in a batch."""

from __future__ import annotations

import pytest

import kmspair
from conftest import EC_SPECS
from der import public_spki_of
from kmspair.specs import RSA_SPECS


def assert_all_distinct(pairs: list[tuple[bytes, bytes]], count: int) -> None:
    assert len(pairs) == count
    assert len({private for private, _ in pairs}) == count
    assert len({public for _, public in pairs}) == count


@pytest.mark.parametrize("spec", EC_SPECS)
def test_a_thousand_ec_pairs_are_all_distinct(spec: str, backend: str) -> None:
    # Pure-Python SM2 arithmetic takes about 3 ms a pair: 200 of those.
    count = 200 if backend == "python" and spec == "SM2" else 1000
    assert_all_distinct(
        [kmspair.generate_key_pair(spec, backend=backend) for _ in range(count)], count
    )


@pytest.mark.slow
@pytest.mark.parametrize("spec", RSA_SPECS)
def test_twenty_rsa_pairs_are_all_distinct(spec: str, backend: str) -> None:
    assert_all_distinct(kmspair.generate_key_pairs(spec, 20, backend=backend), 20)


@pytest.mark.parametrize("spec", EC_SPECS)
def test_a_batch_holds_no_duplicates(spec: str, backend: str) -> None:
    assert_all_distinct(kmspair.generate_key_pairs(spec, 500, backend=backend), 500)


def test_a_batch_on_one_thread_holds_no_duplicates(backend: str) -> None:
    pairs = kmspair.generate_key_pairs("ECC_NIST_P256", 200, backend=backend, threads=1)
    assert_all_distinct(pairs, 200)


def test_an_empty_batch_is_an_empty_list(backend: str) -> None:
    assert kmspair.generate_key_pairs("ECC_NIST_P256", 0, backend=backend) == []


def test_batch_pairs_are_valid_pairs_of_the_spec(backend: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    for private, public in kmspair.generate_key_pairs("ECC_NIST_P384", 20, backend=backend):
        key = serialization.load_der_private_key(private, password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        assert isinstance(key.curve, ec.SECP384R1)
        assert public_spki_of(private) == public


def test_every_pair_of_a_large_batch_is_a_pair(backend: str) -> None:
    # Enough pairs that the Rust batch makes full chunks of many pairs each on every thread.
    for private, public in kmspair.generate_key_pairs(
        "ECC_NIST_EDWARDS25519", 2000, backend=backend
    ):
        assert public_spki_of(private) == public
