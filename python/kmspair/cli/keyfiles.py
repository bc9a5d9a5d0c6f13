"""``--private-key-out`` / ``--public-key-out``: the generated pair written as PEM or DER files.

The private key file is created with mode 0600 from its first byte: it is written to a new
temporary file opened 0600 beside the target and renamed over it, so no other user can ever
read it, not even while it is being written, and a stale world-readable file at the target is
replaced rather than reused with its old mode.
"""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

from .errors import CommandError, UsageError

_PEM_LABELS = {"private": "PRIVATE KEY", "public": "PUBLIC KEY"}


def check_key_paths(private_out: str | None, public_out: str | None) -> None:
    """Refuse, before any request, key files that could not be written: an extension naming no
    encoding, a folder that is not there, or one file named for both keys (the public key
    would overwrite the private one). A pair generated for nothing would be lost."""
    given = [
        (path, option)
        for path, option in ((private_out, "--private-key-out"), (public_out, "--public-key-out"))
        if path is not None
    ]
    for path, option in given:
        if Path(path).suffix.lower() not in (".pem", ".der"):
            raise UsageError(f"argument {option}: the file name must end in .pem or .der: {path}")
        folder = Path(path).expanduser().parent
        if not folder.is_dir():
            raise UsageError(f"argument {option}: no such directory: {folder}")
    if (
        len(given) == 2
        and Path(given[0][0]).expanduser().resolve() == Path(given[1][0]).expanduser().resolve()
    ):
        raise UsageError(f"argument --public-key-out: the file of --private-key-out: {public_out}")


def encode_key(der: bytes, kind: str, path: str) -> bytes:
    """``der`` as the file at ``path`` holds it: DER as is, or PEM (PKCS#8 / SPKI) by extension."""
    if Path(path).suffix.lower() == ".der":
        return der
    label = _PEM_LABELS[kind]
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""]).encode()


def write_private_key(path: str, der: bytes) -> None:
    """Write the PKCS#8 private key to ``path`` (PEM or DER), mode 0600 throughout."""
    target = Path(path).expanduser()
    data = encode_key(der, "private", path)
    try:
        # mkstemp creates the file O_EXCL with mode 0600 whatever the umask.
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".kmspair-key-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        # strerror: the error's own text would name the temporary file, not the target.
        raise CommandError(
            f"could not write the private key to {path}: {error.strerror or error}"
        ) from None


def write_public_key(path: str, der: bytes) -> None:
    """Write the SPKI public key to ``path`` (PEM or DER), with the umask's usual mode."""
    try:
        Path(path).expanduser().write_bytes(encode_key(der, "public", path))
    except OSError as error:
        raise CommandError(
            f"could not write the public key to {path}: {error.strerror or error}"
        ) from None
