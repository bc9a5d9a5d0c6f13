"""Key management: CreateKey, DescribeKey, ListKeys, Enable/DisableKey, key deletion,
rotation on demand, ListKeyRotations, Get/PutKeyPolicy."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from . import access
from .arn import CHINA_REGIONS, key_arn
from .errors import KMSError, validation_error
from .keyid import resolve_key, resolve_own_key
from .metadata import KEY_USAGES, key_metadata
from .pagination import page
from .policy import check_lockout, check_policy, default_policy
from .records import KeyRecord
from .runtime import Runtime


def new_material_id() -> str:
    return secrets.token_hex(32)


def create_key(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("KeySpec") is not None and params.get("CustomerMasterKeySpec") is not None:
        # [choice] The spec is silent; this is the text the emulators we read all send, which
        # reads as copied from AWS. Checked first: which spec the key has is still unknown.
        raise validation_error(
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
            "CustomerMasterKeySpec is deprecated."
        )
    spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    usage = params.get("KeyUsage")
    if usage is None:
        if spec != "SYMMETRIC_DEFAULT":
            raise validation_error(
                "You must specify a KeyUsage value for all KMS keys except for symmetric "
                "encryption keys."
            )
        usage = "ENCRYPT_DECRYPT"
    if usage not in KEY_USAGES.get(spec, ()):
        raise validation_error(f"KeyUsage {usage} is not compatible with KeySpec {spec}.")
    if spec == "SM2" and rt.caller.region not in CHINA_REGIONS:
        raise KMSError(
            "UnsupportedOperationException", "KeySpec SM2 is not supported in this region."
        )
    origin = params.get("Origin") or "AWS_KMS"
    store_id = params.get("CustomKeyStoreId")
    if origin in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE") and store_id is None:
        raise validation_error(f"A CustomKeyStoreId is required for Origin {origin}.")
    if store_id is not None and spec != "SYMMETRIC_DEFAULT":
        raise KMSError(
            "UnsupportedOperationException",
            f"KeySpec {spec} is not supported in a custom key store.",
        )
    policy = params.get("Policy")
    if policy is not None:
        check_policy(policy)
    multi_region = bool(params.get("MultiRegion"))
    key_id = f"mrk-{uuid.uuid4().hex}" if multi_region else str(uuid.uuid4())
    arn = key_arn(rt.caller.region, rt.caller.account_id, key_id)
    if policy is not None and not params.get("BypassPolicyLockoutSafetyCheck"):
        check_lockout(policy, rt.caller, arn)
    # [choice] Any CustomKeyStoreId marks the key as being in a custom key store; kmspair has
    # no CloudHSM or external key store behind it, so the key's material stays local.
    has_material = spec == "SYMMETRIC_DEFAULT" and origin != "EXTERNAL"
    key = KeyRecord(
        arn=arn,
        key_id=key_id,
        account_id=rt.caller.account_id,
        region=rt.caller.region,
        key_spec=spec,
        key_usage=usage,
        key_state="PendingImport" if origin == "EXTERNAL" else "Enabled",
        origin=origin,
        description=params.get("Description") or "",
        creation_date=rt.now(),
        policy=policy or default_policy(rt.caller.account_id, rt.caller.region),
        multi_region=multi_region,
        custom_key_store_id=store_id,
        tags=tuple((t["TagKey"], t["TagValue"]) for t in params.get("Tags") or ()),
    )
    material_id = new_material_id() if has_material else None
    rt.store.add_key(key, material_id, secrets.token_bytes(32) if has_material else None)
    return {"KeyMetadata": key_metadata(key, material_id)}


def describe_key(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "DescribeKey")
    current = rt.store.current_material(key.arn) if key.key_spec == "SYMMETRIC_DEFAULT" else None
    return {"KeyMetadata": key_metadata(key, current[0].key_material_id if current else None)}


def list_keys(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    keys = rt.store.list_keys(rt.caller.account_id, rt.caller.region)
    chunk, more = page(keys, params, lambda k: f"{k.creation_date.isoformat()}|{k.key_id}")
    return {"Keys": [{"KeyId": k.key_id, "KeyArn": k.arn} for k in chunk], **more}


def enable_key(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_own_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "EnableKey")
    _refuse_unless_state(key, ("Enabled", "Disabled"))
    rt.store.update_key(key.arn, key_state="Enabled")
    return {}


def disable_key(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_own_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "DisableKey")
    _refuse_unless_state(key, ("Enabled", "Disabled"))
    rt.store.update_key(key.arn, key_state="Disabled")
    return {}


def schedule_key_deletion(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_own_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "ScheduleKeyDeletion")
    days = params.get("PendingWindowInDays", 30)
    if not 7 <= days <= 30:
        bound = "greater than or equal to 7" if days < 7 else "less than or equal to 30"
        raise validation_error(
            f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to "
            f"satisfy constraint: Member must have value {bound}"
        )
    _refuse_unless_state(key, ("Enabled", "Disabled", "PendingImport", "Unavailable"))
    deletion_date = rt.now() + timedelta(days=days)
    rt.store.update_key(
        key.arn,
        key_state="PendingDeletion",
        deletion_date=deletion_date,
        pending_deletion_window_in_days=days,
    )
    return {
        "KeyId": key.arn,
        "DeletionDate": deletion_date,
        "KeyState": "PendingDeletion",
        "PendingWindowInDays": days,
    }


def cancel_key_deletion(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_own_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "CancelKeyDeletion")
    if key.key_state != "PendingDeletion":
        raise KMSError("KMSInvalidStateException", f"{key.arn} is not pending deletion.")
    # A cancelled key comes back Disabled, not Enabled (§4); one made for imported material
    # that never got any goes back to waiting for it, or EnableKey would make a key usable
    # that has nothing to encrypt with.
    awaits_import = key.origin == "EXTERNAL" and not rt.store.materials(key.arn)
    rt.store.update_key(
        key.arn,
        key_state="PendingImport" if awaits_import else "Disabled",
        deletion_date=None,
        pending_deletion_window_in_days=None,
    )
    return {"KeyId": key.arn}


def rotate_key_on_demand(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_own_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "RotateKeyOnDemand")
    if key.key_spec != "SYMMETRIC_DEFAULT" or key.custom_key_store_id is not None:
        raise KMSError(
            "UnsupportedOperationException",
            f"{key.arn} key spec or origin does not support on-demand rotation.",
        )
    access.check_state(key)
    rt.store.add_material(
        key.arn, new_material_id(), secrets.token_bytes(32), "ON_DEMAND", rt.now()
    )
    return {"KeyId": key.arn}


def list_key_rotations(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_own_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "ListKeyRotations")
    include_all = params.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
    materials = [m for m in rt.store.materials(key.arn) if include_all or m.rotation_type]
    chunk, more = page(materials, params, lambda m: f"{m.created.isoformat()}|{m.key_material_id}")
    rotations = []
    for material in chunk:
        entry: dict[str, Any] = {"KeyId": key.key_id, "KeyMaterialId": material.key_material_id}
        if material.rotation_type:
            entry["RotationDate"] = material.created
            entry["RotationType"] = material.rotation_type
        entry["KeyMaterialState"] = "CURRENT" if material.current else "NON_CURRENT"
        rotations.append(entry)
    return {"Rotations": rotations, **more}


def get_key_policy(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_own_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "GetKeyPolicy")
    _require_default_policy_name(params)
    return {"Policy": key.policy, "PolicyName": "default"}


def put_key_policy(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_own_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "PutKeyPolicy")
    _require_default_policy_name(params)
    check_policy(params["Policy"])
    if not params.get("BypassPolicyLockoutSafetyCheck"):
        check_lockout(params["Policy"], rt.caller, key.arn)
    rt.store.update_key(key.arn, policy=params["Policy"])
    return {}


def _require_default_policy_name(params: dict[str, Any]) -> None:
    name = params.get("PolicyName", "default")
    if name != "default":
        raise KMSError("NotFoundException", f"Policy {name} does not exist.")


def _refuse_unless_state(key: KeyRecord, allowed: tuple[str, ...]) -> None:
    if key.key_state not in allowed:
        access.check_state(key)
        raise KMSError("KMSInvalidStateException", f"{key.arn} is {key.key_state}.")
