"""Who may call the endpoint: access key ids mapped to a secret, an account and a principal.

A credentials file is JSON, because the endpoint speaks JSON already and JSON has one obvious
way to write a nested record (INI would need a section per key and string-typed accounts)::

    {
      "AKIAEXAMPLEALICE": {
        "secret_access_key": "alice-secret",
        "account_id": "111122223333",
        "principal": "arn:aws:iam::111122223333:user/alice"
      },
      "AKIAEXAMPLEBOB": {"secret_access_key": "bob-secret", "account_id": "444455556666"}
    }

``principal`` is optional: it defaults to the account's root, ``arn:aws:iam::<account>:root``.
Without a file there is one identity, :data:`DEFAULT_IDENTITY` (``test`` / ``test``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
# An IAM principal ARN in any partition; the partition and account are checked separately.
_PRINCIPAL = re.compile(r"^arn:aws(-cn|-us-gov)?:(iam|sts)::([0-9]{12}):\S+$")
_ACCESS_KEY_ID = re.compile(r"^[A-Za-z0-9_+=,.@-]{1,128}$")
_FIELDS = frozenset({"secret_access_key", "account_id", "principal"})


class CredentialsFileError(ValueError):
    """The credentials file cannot be read or does not have the documented shape."""


@dataclass(frozen=True)
class Identity:
    """One caller the endpoint knows. ``repr`` leaves the secret out, so it is safe to log."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    account_id: str
    principal: str


DEFAULT_IDENTITY = Identity(
    access_key_id="test",
    secret_access_key="test",
    account_id="111122223333",
    principal="arn:aws:iam::111122223333:root",
)


def default_identities() -> dict[str, Identity]:
    """The identities of a server started without a credentials file: just ``test``/``test``."""
    return {DEFAULT_IDENTITY.access_key_id: DEFAULT_IDENTITY}


def load_identities(path: str | os.PathLike[str]) -> dict[str, Identity]:
    """Read a credentials file (see the module docstring) into identities by access key id.

    Raises :class:`CredentialsFileError` naming the file and the faulty entry (never a secret)
    for unreadable files, invalid JSON and entries of the wrong shape.
    """
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise CredentialsFileError(f"Cannot read credentials file {path}: {error}") from None
    except ValueError as error:
        raise CredentialsFileError(f"Credentials file {path} is not valid JSON: {error}") from None
    if not isinstance(document, dict) or not document:
        raise CredentialsFileError(
            f"Credentials file {path} must be a non-empty JSON object keyed by access key id"
        )
    return {
        access_key_id: _identity(path, access_key_id, entry)
        for access_key_id, entry in document.items()
    }


def _identity(path: str | os.PathLike[str], access_key_id: str, entry: object) -> Identity:
    where = f"credentials file {path}, access key {access_key_id!r}"
    if not _ACCESS_KEY_ID.match(access_key_id):
        raise CredentialsFileError(f"In {where}: not a valid access key id")
    if not isinstance(entry, Mapping):
        raise CredentialsFileError(f"In {where}: the entry must be a JSON object")
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise CredentialsFileError(f"In {where}: unknown field(s) {', '.join(unknown)}")
    secret = entry.get("secret_access_key")
    account_id = entry.get("account_id")
    if not isinstance(secret, str) or not secret:
        raise CredentialsFileError(f"In {where}: secret_access_key must be a non-empty string")
    if not isinstance(account_id, str) or not _ACCOUNT_ID.match(account_id):
        raise CredentialsFileError(f"In {where}: account_id must be a string of 12 digits")
    principal = entry.get("principal", f"arn:aws:iam::{account_id}:root")
    match = _PRINCIPAL.match(principal) if isinstance(principal, str) else None
    if match is None:
        raise CredentialsFileError(f"In {where}: principal must be an IAM ARN")
    if match.group(3) != account_id:
        raise CredentialsFileError(f"In {where}: the principal is not in account {account_id}")
    return Identity(access_key_id, secret, account_id, principal)
