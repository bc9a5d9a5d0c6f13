"""Errors of the keystore itself, as opposed to KMS errors answered to a caller.

These mean the keystore cannot be used as asked: its file is not ours, its root key is wrong or
missing, or a caller broke the interface's contract. Their messages name the file involved and
never carry key material or the root key.
"""

from __future__ import annotations

from kmspair.exceptions import KmspairError


class KeystoreError(KmspairError):
    """The keystore cannot be opened or used: a foreign or corrupt file, a wrong root key, ..."""


class UnknownKeyError(KeystoreError, LookupError):
    """An operation named a key ARN the keystore does not hold (a caller's bug or a lost race)."""
