"""Type stubs for the Rust core, ``kmspair._core`` (checked with ``mypy.stubtest``)."""

from typing import Final, final

__all__ = [
    "KEY_PAIR_SPECS",
    "SealingKey",
    "__version__",
    "generate_key_pair",
    "generate_key_pairs",
    "generate_sealed_key_pair",
    "generate_sealed_key_pairs",
]

KEY_PAIR_SPECS: Final[tuple[str, ...]]
__version__: Final[str]

@final
class SealingKey:
    """An AES-256-GCM key held in Rust; its bytes cannot be read back."""

    def __new__(cls, key: bytes) -> SealingKey: ...
    def seal(self, plaintext: bytes, aad: bytes) -> bytes: ...
    def open(self, blob: bytes, aad: bytes) -> bytes: ...

def generate_key_pair(spec: str) -> tuple[bytes, bytes]: ...
def generate_key_pairs(
    spec: str, count: int, threads: int | None = None
) -> list[tuple[bytes, bytes]]: ...
def generate_sealed_key_pair(
    spec: str, key: SealingKey, aad: bytes
) -> tuple[bytes, bytes, bytes]: ...
def generate_sealed_key_pairs(
    spec: str, key: SealingKey, aad: bytes, count: int, threads: int | None = None
) -> list[tuple[bytes, bytes, bytes]]: ...
