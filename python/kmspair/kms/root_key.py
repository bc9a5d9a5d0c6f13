"""The root key: the 32 bytes every key material in the keystore is sealed under.

It comes from the caller, else ``$KMSPAIR_ROOT_KEY`` (base64), else the file ``root.key`` beside
the database, which is created on first use. Losing it loses every key in the keystore, so it is
written once, completely, and never replaced.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import tempfile
from pathlib import Path

from .keystore_errors import KeystoreError

ENVIRONMENT_VARIABLE = "KMSPAIR_ROOT_KEY"
FILE_NAME = "root.key"
LENGTH = 32

_HOW_TO_MAKE_ONE = (
    'make one with: python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"'
)


def load_root_key(home: Path, root_key: bytes | None, *, may_create: bool) -> bytes:
    """The root key for the keystore in ``home``.

    ``may_create`` says whether a missing ``root.key`` may be made: only for a new keystore, since
    a new root key could never open the material of an existing one.
    """
    if root_key is not None:
        if not isinstance(root_key, bytes | bytearray) or len(root_key) != LENGTH:
            # The length only: the value is a secret even when it is the wrong size.
            size = len(root_key) if isinstance(root_key, bytes | bytearray) else "not bytes"
            raise KeystoreError(f"A root key must be {LENGTH} bytes long (got {size})")
        return bytes(root_key)
    encoded = os.environ.get(ENVIRONMENT_VARIABLE)
    if encoded:
        return _decode_environment(encoded)
    path = home / FILE_NAME
    if not may_create and not path.exists():
        raise KeystoreError(
            f"The keystore in {home} exists but its root key file {path} is missing, so its key "
            f"material cannot be opened: restore the file, or give the root key in "
            f"${ENVIRONMENT_VARIABLE}"
        )
    if may_create:
        _create_once(path)
    return _read(path)


def _decode_environment(encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeystoreError(
            f"${ENVIRONMENT_VARIABLE} is not valid base64; it must be the base64 of {LENGTH} "
            f"random bytes ({_HOW_TO_MAKE_ONE})"
        ) from None  # the decoder's message could quote the secret
    if len(key) != LENGTH:
        raise KeystoreError(
            f"${ENVIRONMENT_VARIABLE} decodes to {len(key)} bytes; it must be the base64 of "
            f"{LENGTH} random bytes ({_HOW_TO_MAKE_ONE})"
        )
    return key


def _create_once(path: Path) -> None:
    """Create ``path`` with a new random key unless it exists; safe against racing processes.

    The key is written in full to a private temporary file and then hard-linked to its name. A
    link never replaces an existing file, so of processes racing here exactly one wins and the
    others read the winner's key; nobody can ever read a half-written one.
    """
    if path.exists():
        return
    descriptor, temporary = tempfile.mkstemp(prefix=".root.key.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(os.urandom(LENGTH))
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return  # another process won the race; its key is the one
        except OSError as error:
            raise KeystoreError(
                f"Cannot create the root key file {path} ({error.strerror}); give the root key "
                f"in ${ENVIRONMENT_VARIABLE} instead ({_HOW_TO_MAKE_ONE})"
            ) from None
        _sync_directory(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _sync_directory(directory: Path) -> None:
    # Without this a crash could lose the new name while the database, which is synced, keeps
    # material sealed under the key. Windows cannot open a directory, and needs no such sync.
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _read(path: Path) -> bytes:
    try:
        with open(path, "rb") as file:
            key = file.read(LENGTH + 1)
    except OSError as error:
        raise KeystoreError(f"Cannot read the root key file {path} ({error.strerror})") from None
    if len(key) != LENGTH:
        raise KeystoreError(
            f"The root key file {path} is damaged: it must hold exactly {LENGTH} bytes"
        )
    return key
