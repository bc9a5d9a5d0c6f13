"""The pure-Python backend, built on ``cryptography``.

It has the same interface as the Rust core (``kmspair._core``): the fallback when the native
module cannot load, and the baseline every benchmark compares against.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import sm2
from .exceptions import InvalidSealedBlobError, InvalidSealingKeyError
from .specs import KEY_PAIR_SPECS, require_spec

__all__ = [
    "KEY_PAIR_SPECS",
    "SealingKey",
    "generate_key_pair",
    "generate_key_pairs",
    "generate_sealed_key_pair",
    "generate_sealed_key_pairs",
]

T = TypeVar("T")

_NONCE_LEN = 12
_TAG_LEN = 16

_CURVES: dict[str, Callable[[], ec.EllipticCurve]] = {
    "ECC_NIST_P256": ec.SECP256R1,
    "ECC_NIST_P384": ec.SECP384R1,
    "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1,
}
_RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}


def _private_key(
    spec: str,
) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey:
    if spec in _RSA_BITS:
        return rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS[spec])
    if spec in _CURVES:
        return ec.generate_private_key(_CURVES[spec]())
    return ed25519.Ed25519PrivateKey.generate()


def generate_key_pair(spec: str) -> tuple[bytes, bytes]:
    """(private PKCS#8 DER, public SPKI DER) for a new key pair of ``spec``."""
    if require_spec(spec) == "SM2":
        return sm2.generate()
    key = _private_key(spec)
    private = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def _in_pool(make: Callable[[], T], count: int, threads: int | None) -> list[T]:
    workers = threads or os.cpu_count() or 1
    if workers == 1 or count <= 1:
        return [make() for _ in range(count)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda _: make(), range(count)))


def generate_key_pairs(
    spec: str, count: int, threads: int | None = None
) -> list[tuple[bytes, bytes]]:
    """``count`` new key pairs of ``spec`` from a thread pool of ``threads`` (default: cores)."""
    require_spec(spec)
    return _in_pool(lambda: generate_key_pair(spec), count, threads)


class SealingKey:
    """AES-256-GCM with a fresh random 96-bit nonce: ``nonce || ciphertext || tag``.

    Byte-compatible with the Rust core's ``SealingKey``.
    """

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise InvalidSealingKeyError(f"A sealing key must be 32 bytes long, not {len(key)}")
        self._aead = AESGCM(bytes(key))

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        """``nonce || ciphertext || tag`` for ``plaintext``, authenticating ``aad``."""
        nonce = os.urandom(_NONCE_LEN)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        """The plaintext of ``blob``; :class:`InvalidSealedBlobError` for anything else."""
        if len(blob) < _NONCE_LEN + _TAG_LEN:
            raise InvalidSealedBlobError("The sealed blob could not be opened")
        try:
            return self._aead.decrypt(blob[:_NONCE_LEN], blob[_NONCE_LEN:], aad)
        except InvalidTag:
            raise InvalidSealedBlobError("The sealed blob could not be opened") from None

    def __repr__(self) -> str:
        return "<SealingKey: AES-256-GCM, redacted>"


def generate_sealed_key_pair(spec: str, key: SealingKey, aad: bytes) -> tuple[bytes, bytes, bytes]:
    """(private PKCS#8, public SPKI, private sealed under ``key`` with ``aad``)."""
    private, public = generate_key_pair(spec)
    return private, public, key.seal(private, aad)


def generate_sealed_key_pairs(
    spec: str, key: SealingKey, aad: bytes, count: int, threads: int | None = None
) -> list[tuple[bytes, bytes, bytes]]:
    """``count`` results of :func:`generate_sealed_key_pair` from a thread pool."""
    require_spec(spec)
    return _in_pool(lambda: generate_sealed_key_pair(spec, key, aad), count, threads)
