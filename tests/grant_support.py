"""What the grant tests share: the grants they make and the denials they expect (the
``other`` account's client and the ``key`` to grant are fixtures in conftest)."""

from __future__ import annotations

from typing import Any

from conftest import ACCOUNT, OTHER_ACCOUNT

OTHER_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
ACCOUNT_ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def denied(operation: str, key_arn: str) -> tuple[str, str]:
    return (
        "AccessDeniedException",
        f"User: {OTHER_ROOT} is not authorized to perform: kms:{operation} on resource: "
        f"{key_arn} because no resource-based policy allows the kms:{operation} action",
    )


def grant(kms: Any, key: dict[str, Any], *operations: str, **params: Any) -> dict[str, Any]:
    response: dict[str, Any] = kms.create_grant(
        KeyId=key["KeyId"],
        GranteePrincipal=params.pop("GranteePrincipal", OTHER_ROOT),
        Operations=list(operations),
        **params,
    )
    return response
