"""SM2 key pairs for the pure-Python backend.

``cryptography`` has no SM2 curve, so the scalar multiplication comes from the ``ecdsa``
package (never hand-rolled here) and the DER is written from the fixed layout that every
256-bit curve shares: the same bytes the Rust core's ``der.rs`` produces.
"""

from __future__ import annotations

import secrets
from functools import cache

from ecdsa.ellipticcurve import CurveFp, PointJacobi

# GB/T 32918.5-2017 curve parameters.
_P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
_A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
_B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
_GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
_GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

# SEQUENCE { id-ecPublicKey 1.2.840.10045.2.1, sm2 1.2.156.10197.1.301 }
_ALGORITHM = bytes.fromhex("301306072a8648ce3d020106082a811ccf5501822d")
_PKCS8_HEAD = bytes.fromhex("308187020100") + _ALGORITHM + bytes.fromhex("046d306b0201010420")
_PKCS8_MID = bytes.fromhex("a144034200")
_SPKI_HEAD = bytes.fromhex("3059") + _ALGORITHM + bytes.fromhex("034200")


@cache
def _generator() -> PointJacobi:
    # Precomputation makes each multiplication several times faster; done once, on first use.
    return PointJacobi(CurveFp(_P, _A, _B, 1), _GX, _GY, 1, _N, generator=True)


def generate() -> tuple[bytes, bytes]:
    """A new SM2 key pair: (PKCS#8 DER, SubjectPublicKeyInfo DER)."""
    scalar = secrets.randbelow(_N - 1) + 1
    point = _generator() * scalar
    uncompressed = b"\x04" + point.x().to_bytes(32, "big") + point.y().to_bytes(32, "big")
    private = _PKCS8_HEAD + scalar.to_bytes(32, "big") + _PKCS8_MID + uncompressed
    return private, _SPKI_HEAD + uncompressed
