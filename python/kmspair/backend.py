"""Choosing between the Rust core and the pure-Python backend.

``backend=None`` means ``$KMSPAIR_BACKEND``, else ``"rust"``. When nobody asked for a backend
by name and the native module cannot load, kmspair falls back to ``"python"`` and says so once
with a :class:`NativeBackendUnavailableWarning`; an explicit ``"rust"`` that cannot load raises
:class:`BackendUnavailableError` instead, because silently running slower is not what was asked.
"""

from __future__ import annotations

import os
import warnings
from types import ModuleType
from typing import Literal, Protocol, cast

from .exceptions import (
    BackendUnavailableError,
    NativeBackendUnavailableWarning,
    UnknownBackendError,
)

BackendName = Literal["rust", "python"]
BACKENDS: tuple[BackendName, ...] = ("rust", "python")
ENVIRONMENT_VARIABLE = "KMSPAIR_BACKEND"


class Sealer(Protocol):
    """A sealing key of either backend."""

    def seal(self, plaintext: bytes, aad: bytes) -> bytes: ...
    def open(self, blob: bytes, aad: bytes) -> bytes: ...


class Backend(Protocol):
    """What both ``kmspair._core`` and ``kmspair.python_backend`` provide."""

    KEY_PAIR_SPECS: tuple[str, ...]

    def SealingKey(self, key: bytes) -> Sealer: ...
    def generate_key_pair(self, spec: str) -> tuple[bytes, bytes]: ...
    def generate_key_pairs(
        self, spec: str, count: int, threads: int | None = None
    ) -> list[tuple[bytes, bytes]]: ...
    def generate_sealed_key_pair(
        self, spec: str, key: Sealer, aad: bytes
    ) -> tuple[bytes, bytes, bytes]: ...
    def generate_sealed_key_pairs(
        self, spec: str, key: Sealer, aad: bytes, count: int, threads: int | None = None
    ) -> list[tuple[bytes, bytes, bytes]]: ...


_native: ModuleType | None = None
_native_error: ImportError | None = None
_warned = False


def _load_native() -> ModuleType | None:
    global _native, _native_error
    if _native is None and _native_error is None:
        try:
            from . import _core

            _native = _core
        except ImportError as error:
            _native_error = error
    if _native is not None:
        from .pool import attach

        attach(_native)
    return _native


def load_native() -> ModuleType:
    """The Rust core, or :class:`BackendUnavailableError` saying why it cannot load."""
    native = _load_native()
    if native is None:
        raise BackendUnavailableError(f"kmspair's Rust core could not be loaded: {_native_error}")
    return native


def native_available() -> bool:
    """Whether the Rust core loaded on this machine."""
    return _load_native() is not None


def resolve(name: str | None = None) -> Backend:
    """The backend module for ``name`` (``"rust"``, ``"python"`` or ``None`` for the default)."""
    global _warned
    explicit = name if name is not None else os.environ.get(ENVIRONMENT_VARIABLE) or None
    if explicit is not None and explicit not in BACKENDS:
        raise UnknownBackendError(
            f"Unknown backend {explicit!r}; valid backends are {', '.join(BACKENDS)}"
        )
    if explicit == "python":
        from . import python_backend

        return cast(Backend, python_backend)
    native = _load_native()
    if native is not None:
        return cast(Backend, native)
    if explicit == "rust":
        raise BackendUnavailableError(
            f"The Rust backend of kmspair could not be loaded: {_native_error}"
        )
    if not _warned:
        _warned = True
        warnings.warn(
            "kmspair's Rust core could not be loaded "
            f"({_native_error}); using the much slower pure-Python backend. "
            f"Set {ENVIRONMENT_VARIABLE}=python to choose it explicitly and silence this warning.",
            NativeBackendUnavailableWarning,
            stacklevel=3,
        )
    from . import python_backend

    return cast(Backend, python_backend)
