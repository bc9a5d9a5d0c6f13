"""The ciphertext blob of the local KMS (format documented in docs/ciphertext-format.md).

    version (1 byte, 0x01)
    key ARN length (1 byte) | key ARN (ASCII)
    key material ID (32 bytes; shown to callers as 64 hex characters)
    header check (4 bytes: CRC-32 of the bytes above, big-endian)
    nonce (12) | AES-256-GCM ciphertext | tag (16)

Everything before the nonce is the header. The header check tells a damaged header (Decrypt:
InvalidCiphertextException) from a well-formed blob whose key does not exist here (Decrypt:
AccessDeniedException, behaviour spec §6), which nothing else could: the key that would
authenticate the header is the one it names. The sealing's associated data is the header followed
by the canonical encryption context, so no header byte, context pair or ciphertext byte can change
without Decrypt failing. A 4096-byte plaintext makes a blob of at most 4,294 bytes, well under
KMS's 6,144-byte limit.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from .arn import parse_arn
from .context import canonical_context
from .keyid import is_key_id

VERSION = 1
_MATERIAL_ID_LEN = 32
_CHECK_LEN = 4
_SEAL_OVERHEAD = 12 + 16
MAX_BLOB = 6144


@dataclass(frozen=True)
class Envelope:
    key_arn: str
    key_material_id: str  # 64 lowercase hex
    header: bytes
    sealed: bytes  # nonce | ciphertext | tag

    def associated_data(self, context: Mapping[str, str] | None) -> bytes:
        return associated_data(self.header, context)


def header(key_arn: str, key_material_id: str) -> bytes:
    """The header of a blob sealed under this key material: both the start of the blob and the
    start of the sealing's associated data (:func:`associated_data`)."""
    arn = key_arn.encode("ascii")
    named = bytes([VERSION, len(arn)]) + arn + bytes.fromhex(key_material_id)
    return named + _check(named)


def _check(named: bytes) -> bytes:
    # CRC-32 detects every change of up to 32 consecutive bits, so any one damaged header byte.
    return struct.pack(">I", zlib.crc32(named))


def associated_data(blob_header: bytes, context: Mapping[str, str] | None) -> bytes:
    """What the sealing binds: the blob's header, then the canonical encryption context."""
    return blob_header + canonical_context(context)


def parse(blob: bytes) -> Envelope | None:
    """The envelope of ``blob``, or None if it is not one of ours (Decrypt then answers
    InvalidCiphertextException, which says nothing more)."""
    if len(blob) < 2 or blob[0] != VERSION or len(blob) > MAX_BLOB:
        return None
    arn_end = 2 + blob[1]
    material_end = arn_end + _MATERIAL_ID_LEN
    header_end = material_end + _CHECK_LEN
    if len(blob) < header_end + _SEAL_OVERHEAD:
        return None
    if blob[material_end:header_end] != _check(blob[:material_end]):
        return None
    try:
        key_arn = blob[2:arn_end].decode("ascii")
    except UnicodeDecodeError:
        return None
    # A header that does not name a key ARN is damage, not a key that does not exist here
    # (which Decrypt answers with AccessDeniedException).
    arn = parse_arn(key_arn)
    if arn is None or arn.kind != "key" or not is_key_id(arn.name):
        return None
    return Envelope(
        key_arn=key_arn,
        key_material_id=blob[arn_end:material_end].hex(),
        header=blob[:header_end],
        sealed=blob[header_end:],
    )
