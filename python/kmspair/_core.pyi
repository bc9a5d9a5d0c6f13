"""Type stubs for the Rust core, ``kmspair._core`` (checked with ``mypy.stubtest``)."""

from typing import Final, final

__all__ = [
    "KEY_PAIR_SPECS",
    "PoolStats",
    "SealingKey",
    "__version__",
    "configure_pool",
    "generate_key_pair",
    "generate_key_pairs",
    "generate_sealed_key_pair",
    "generate_sealed_key_pairs",
    "pool_after_fork_in_child",
    "pool_after_fork_in_parent",
    "pool_prepare_fork",
    "pool_start_filling",
    "pool_stats",
    "pool_stop_filling",
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

@final
class PoolStats:
    """One spec's key pool counters."""

    @property
    def spec(self) -> str: ...
    @property
    def capacity(self) -> int: ...
    @property
    def depth(self) -> int: ...
    @property
    def hits(self) -> int: ...
    @property
    def misses(self) -> int: ...
    @property
    def generated(self) -> int: ...
    @property
    def fill_rate_per_s(self) -> float: ...

def configure_pool(capacities: list[tuple[str, int]], threads: int) -> None: ...
def pool_stats() -> list[PoolStats]: ...
def pool_prepare_fork() -> None: ...
def pool_after_fork_in_parent() -> None: ...
def pool_after_fork_in_child() -> None: ...
def pool_stop_filling() -> None: ...
def pool_start_filling() -> None: ...
