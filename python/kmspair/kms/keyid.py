"""KeyId resolution in all four forms (behaviour spec §3), with AWS's NotFound messages.

A bare key ID or alias name always means the caller's own account and region. A key ARN or alias
ARN may name another account (whether the caller may use that key is decided later, in
``access.py``), but never another region: KMS keys are regional.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from .arn import alias_arn, key_arn, parse_arn
from .caller import Caller
from .errors import KMSError, not_found
from .records import KeyRecord
from .store import KeyStore

_Found = TypeVar("_Found")

_KEY_ID = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)


def is_key_id(text: str) -> bool:
    """Whether ``text`` has the form of a key ID (a UUID, or ``mrk-`` and 32 hex digits)."""
    return _KEY_ID.match(text) is not None


def resolve_key(store: KeyStore, caller: Caller, key_id: str) -> KeyRecord:
    """The key ``key_id`` names for ``caller``; NotFoundException as AWS words it otherwise."""
    return _resolve(store, caller, key_id, store.get_key)


def resolve_key_for_sealing(
    store: KeyStore, caller: Caller, key_id: str
) -> tuple[KeyRecord, str | None]:
    """Like :func:`resolve_key`, with the ID of the key's current material (``None`` if it has
    none) read in the same keystore query: an operation that seals needs both, and one read
    also means the generation it seals with is current as of the key state it checks."""
    return _resolve(store, caller, key_id, store.get_key_and_current_material_id)


def _resolve(
    store: KeyStore, caller: Caller, key_id: str, by_arn: Callable[[str], _Found | None]
) -> _Found:
    """What ``by_arn`` finds for the key ARN ``key_id`` resolves to (§3)."""
    if key_id.startswith("arn:"):
        arn = parse_arn(key_id)
        if arn is None:
            raise invalid_key_id(key_id)
        if arn.region != caller.region:
            raise not_found(f"Invalid arn {arn.region}")
        if arn.kind == "alias":
            return _by_alias(store, arn.account_id, arn.region, arn.alias_name, by_arn)
        if not is_key_id(arn.name):
            raise invalid_key_id(key_id)
        return _by_arn(key_arn(arn.region, arn.account_id, arn.name), by_arn)
    if key_id.startswith("alias/"):
        return _by_alias(store, caller.account_id, caller.region, key_id, by_arn)
    if is_key_id(key_id):
        return _by_arn(key_arn(caller.region, caller.account_id, key_id), by_arn)
    raise invalid_key_id(key_id)


def resolve_own_key(store: KeyStore, caller: Caller, key_id: str) -> KeyRecord:
    """Like :func:`resolve_key`, for the key-management operations that only work on the
    caller's own keys (DescribeKey aside, AWS refuses those across accounts)."""
    key = resolve_key(store, caller, key_id)
    if key.account_id != caller.account_id:
        raise not_found(f"Key '{key.arn}' does not exist")
    return key


def invalid_key_id(key_id: str) -> KMSError:
    return not_found(f"Invalid keyId '{key_id}'")


def _by_arn(arn: str, by_arn: Callable[[str], _Found | None]) -> _Found:
    found = by_arn(arn)
    if found is None:
        raise not_found(f"Key '{arn}' does not exist")
    return found


def _by_alias(
    store: KeyStore,
    account_id: str,
    region: str,
    alias_name: str,
    by_arn: Callable[[str], _Found | None],
) -> _Found:
    alias = store.get_alias(account_id, region, alias_name)
    if alias is None:
        raise not_found(f"Alias {alias_arn(region, account_id, alias_name)} is not found.")
    return _by_arn(key_arn(region, account_id, alias.target_key_id), by_arn)
