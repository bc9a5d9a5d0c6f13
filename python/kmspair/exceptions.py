"""Exceptions raised by kmspair.

Each one subclasses the built-in exception callers already catch for that kind of failure
(``ValueError`` for bad input, ``RuntimeError`` for a failing crypto library), so existing
``except ValueError`` code keeps working. None of them ever carries key material.
"""

from __future__ import annotations


class KmspairError(Exception):
    """Base class of every kmspair exception."""


class UnknownKeyPairSpecError(KmspairError, ValueError):
    """The KeyPairSpec is not one KMS offers; the message lists the valid specs."""


class InvalidSealingKeyError(KmspairError, ValueError):
    """A sealing key that is not 32 bytes long."""


class InvalidSealedBlobError(KmspairError, ValueError):
    """A sealed blob that was altered, truncated, or sealed under another key or associated data."""


class KeyGenerationError(KmspairError, RuntimeError):
    """The cryptographic library failed (for example, system randomness was unavailable)."""


class BackendUnavailableError(KmspairError, ImportError):
    """The requested backend cannot be used on this machine."""


class UnknownBackendError(KmspairError, ValueError):
    """A backend name other than ``"rust"`` or ``"python"``."""


class InvalidPoolConfigurationError(KmspairError, ValueError):
    """A key pool configuration (argument or ``KMSPAIR_POOL``) that cannot be understood."""


class NativeBackendUnavailableWarning(RuntimeWarning):
    """The Rust core could not be loaded; kmspair fell back to the pure-Python backend."""
