"""Encryption context: validation and the canonical bytes that bind it to a ciphertext.

The binding must be injective (behaviour spec §5): two different maps may never produce the
same bytes, or a ciphertext made under one would open under the other. Concatenating keys and
values is not (``{"ab": "c"}`` and ``{"a": "bc"}`` collide); length-prefixing every key and
value, with pairs sorted by key bytes, is. An empty map and an absent one are the same context.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping


def canonical_context(context: Mapping[str, str] | None) -> bytes:
    """The injective, order-independent encoding of an encryption context."""
    if not context:
        return struct.pack(">I", 0)
    # Validation refuses unpaired surrogates; surrogatepass keeps this total (and injective)
    # for a caller that skipped it.
    pairs = sorted(
        (k.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass"))
        for k, v in context.items()
    )
    out = bytearray(struct.pack(">I", len(pairs)))
    for key, value in pairs:
        out += struct.pack(">I", len(key)) + key + struct.pack(">I", len(value)) + value
    return bytes(out)
