"""CreateAlias, UpdateAlias, DeleteAlias, ListAliases."""

from __future__ import annotations

from typing import Any

from . import access
from .arn import alias_arn
from .errors import KMSError, not_found, validation_error
from .keyid import is_key_id, resolve_own_key
from .pagination import page
from .records import AliasRecord, KeyRecord
from .runtime import Runtime
from .store import AliasExistsError

_PREFIX_MESSAGE = (
    'Alias must start with the prefix "alias/". Please see '
    "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
)


def check_alias_name(name: str) -> None:
    """The service's checks of an alias name beyond the model's pattern: the ``alias/`` prefix,
    and the ``alias/aws/`` namespace, which belongs to AWS managed keys."""
    if not name.startswith("alias/"):
        raise validation_error(_PREFIX_MESSAGE)
    if name.startswith("alias/aws/"):
        # [choice] The alias/aws/ namespace belongs to AWS managed keys.
        raise KMSError(
            "NotAuthorizedException",
            "Cannot create or change an alias that begins with alias/aws/.",
        )


def _target(rt: Runtime, target_key_id: str, operation: str) -> KeyRecord:
    # Aliases point at keys, never at other aliases.
    if target_key_id.startswith("alias/") or ":alias/" in target_key_id:
        raise validation_error("Aliases must refer to keys. Not aliases")
    key = resolve_own_key(rt.store, rt.caller, target_key_id)
    access.authorize(rt.store, rt.caller, key, operation)
    if key.key_state == "PendingDeletion":
        access.check_state(key)
    return key


def create_alias(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    name = params["AliasName"]
    check_alias_name(name)
    key = _target(rt, params["TargetKeyId"], "CreateAlias")
    now = rt.now()
    arn = alias_arn(rt.caller.region, rt.caller.account_id, name)
    try:
        rt.store.add_alias(
            AliasRecord(arn, name, rt.caller.account_id, rt.caller.region, key.key_id, now, now)
        )
    except AliasExistsError:
        raise KMSError(
            "AlreadyExistsException", f"An alias with the name {arn} already exists"
        ) from None
    return {}


def update_alias(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    name = params["AliasName"]
    check_alias_name(name)
    key = _target(rt, params["TargetKeyId"], "UpdateAlias")
    updated = rt.store.update_alias(
        rt.caller.account_id, rt.caller.region, name, key.key_id, rt.now()
    )
    if updated is None:
        raise _missing(rt, name)
    return {}


def delete_alias(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    name = params["AliasName"]
    check_alias_name(name)
    if not rt.store.delete_alias(rt.caller.account_id, rt.caller.region, name):
        raise _missing(rt, name)
    return {}


def list_aliases(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    aliases = rt.store.list_aliases(rt.caller.account_id, rt.caller.region)
    key_id = params.get("KeyId")
    if key_id is not None:
        if not (is_key_id(key_id) or key_id.startswith("arn:")):
            raise not_found(f"Invalid keyId '{key_id}'")
        wanted = resolve_own_key(rt.store, rt.caller, key_id).key_id
        aliases = [a for a in aliases if a.target_key_id == wanted]
    chunk, more = page(aliases, params, lambda a: a.alias_name)
    entries = [
        {
            "AliasName": a.alias_name,
            "AliasArn": a.arn,
            "TargetKeyId": a.target_key_id,
            "CreationDate": a.creation_date,
            "LastUpdatedDate": a.last_updated_date,
        }
        for a in chunk
    ]
    return {"Aliases": entries, **more}


def _missing(rt: Runtime, name: str) -> KMSError:
    return not_found(
        f"Alias {alias_arn(rt.caller.region, rt.caller.account_id, name)} is not found."
    )
