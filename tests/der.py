"""A minimal DER reader for the tests: enough to check PKCS#8 and SPKI layouts byte for byte.

Kept independent of the code under test, so a layout mistake there cannot hide here.
"""

from __future__ import annotations

from dataclasses import dataclass

SEQUENCE = 0x30
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
CONTEXT_0 = 0xA0
CONTEXT_1 = 0xA1


@dataclass(frozen=True)
class TLV:
    tag: int
    value: bytes

    def children(self) -> list[TLV]:
        return parse_all(self.value)


def parse_one(data: bytes) -> tuple[TLV, bytes]:
    """One TLV from the front of ``data``, and the rest. Rejects non-minimal lengths."""
    if len(data) < 2:
        raise ValueError("truncated TLV")
    tag, first = data[0], data[1]
    offset = 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise ValueError("unsupported length form")
        length = int.from_bytes(data[2 : 2 + count], "big")
        if length < 0x80 or data[2] == 0:
            raise ValueError("non-minimal DER length")
        offset += count
    if len(data) < offset + length:
        raise ValueError("truncated value")
    return TLV(tag, data[offset : offset + length]), data[offset + length :]


def parse(data: bytes) -> TLV:
    """Exactly one TLV spanning all of ``data``."""
    tlv, rest = parse_one(data)
    if rest:
        raise ValueError(f"{len(rest)} trailing bytes")
    return tlv


def parse_all(data: bytes) -> list[TLV]:
    items = []
    while data:
        tlv, data = parse_one(data)
        items.append(tlv)
    return items


def oid(dotted: str) -> bytes:
    """The DER contents of an OBJECT IDENTIFIER."""
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray([arcs[0] * 40 + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


def public_spki_of(private_pkcs8: bytes) -> bytes:
    """The SubjectPublicKeyInfo that ``cryptography`` derives from a PKCS#8 private key: what a
    pair's public half must equal."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_der_private_key(private_pkcs8, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
