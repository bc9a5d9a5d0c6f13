"""CreateGrant, ListGrants, RetireGrant, RevokeGrant.

Grants take effect at once here (AWS is eventually consistent and needs the grant token
meanwhile); a grant token this KMS did not issue is InvalidGrantTokenException.
"""

from __future__ import annotations

import secrets
from typing import Any

from . import access
from .errors import KMSError, not_found
from .keyid import resolve_key
from .pagination import page
from .records import GrantRecord
from .runtime import Runtime


def new_grant_token() -> str:
    """A fresh grant token. Like AWS's, it starts with a fixed letter ("AQ..."): a token that
    started with "-" would read as an option to the aws CLI (``--grant-token -x...``)."""
    return "AQ" + secrets.token_urlsafe(96)


def create_grant(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_key(rt.store, rt.caller, params["KeyId"])
    access.authorize_create_grant(
        rt.store, rt.caller, key, params["Operations"], params.get("Constraints")
    )
    if key.key_state in ("PendingDeletion", "PendingReplicaDeletion", "Unavailable", "Creating"):
        access.check_state(key)
    access.check_grant_tokens(rt.store, params.get("GrantTokens"))
    access.check_dry_run(params.get("DryRun"))
    operations = tuple(params["Operations"])
    name = params.get("Name")
    if name is not None:
        # A retried CreateGrant with the same name and terms returns the same grant.
        for grant in rt.store.grants(key.arn):
            if (grant.name, grant.grantee_principal, grant.operations) == (
                name,
                params["GranteePrincipal"],
                operations,
            ):
                return {"GrantToken": grant.grant_token, "GrantId": grant.grant_id}
    grant = GrantRecord(
        grant_id=secrets.token_hex(32),
        grant_token=new_grant_token(),
        key_arn=key.arn,
        grantee_principal=params["GranteePrincipal"],
        operations=operations,
        issuing_account=f"arn:aws:iam::{rt.caller.account_id}:root",
        creation_date=rt.now(),
        name=name,
        retiring_principal=params.get("RetiringPrincipal"),
        constraints=params.get("Constraints"),
    )
    rt.store.add_grant(grant)
    return {"GrantToken": grant.grant_token, "GrantId": grant.grant_id}


def list_grants(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "ListGrants")
    grants = rt.store.grants(key.arn)
    if params.get("GrantId") is not None:
        grants = [g for g in grants if g.grant_id == params["GrantId"]]
    if params.get("GranteePrincipal") is not None:
        grants = [g for g in grants if g.grantee_principal == params["GranteePrincipal"]]
    chunk, more = page(grants, params, lambda g: f"{g.creation_date.isoformat()}|{g.grant_id}")
    return {"Grants": [_entry(key.key_id, g) for g in chunk], **more}


def retire_grant(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    token = params.get("GrantToken")
    if token is not None:
        grant = rt.store.grant_by_token(token)
        if grant is None:
            raise KMSError("InvalidGrantTokenException", "Grant token is invalid.")
    else:
        if params.get("KeyId") is None or params.get("GrantId") is None:
            raise KMSError(
                "ValidationException", "Either GrantToken, or both KeyId and GrantId, are required."
            )
        key = resolve_key(rt.store, rt.caller, params["KeyId"])
        grant = _grant_of(rt, key.arn, params["GrantId"])
    access.check_dry_run(params.get("DryRun"))
    rt.store.delete_grant(grant.grant_id)
    return {}


def revoke_grant(rt: Runtime, params: dict[str, Any]) -> dict[str, Any]:
    key = resolve_key(rt.store, rt.caller, params["KeyId"])
    access.authorize(rt.store, rt.caller, key, "RevokeGrant")
    grant = _grant_of(rt, key.arn, params["GrantId"])
    access.check_dry_run(params.get("DryRun"))
    rt.store.delete_grant(grant.grant_id)
    return {}


def _grant_of(rt: Runtime, key_arn: str, grant_id: str) -> GrantRecord:
    grant = rt.store.grant_by_id(grant_id)
    if grant is None or grant.key_arn != key_arn:
        raise not_found(f"Grant ID {grant_id} not found")
    return grant


def _entry(key_id: str, grant: GrantRecord) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "KeyId": key_id,
        "GrantId": grant.grant_id,
        "CreationDate": grant.creation_date,
        "GranteePrincipal": grant.grantee_principal,
        "IssuingAccount": grant.issuing_account,
        "Operations": list(grant.operations),
    }
    if grant.name is not None:
        entry["Name"] = grant.name
    if grant.retiring_principal is not None:
        entry["RetiringPrincipal"] = grant.retiring_principal
    if grant.constraints is not None:
        entry["Constraints"] = grant.constraints
    return entry
