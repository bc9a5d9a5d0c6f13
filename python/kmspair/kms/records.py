"""What the keystore keeps: keys, their key material, aliases and grants.

Plain frozen dataclasses, so that operations read them freely and change them only through the
keystore. Key material never appears here in the clear; see ``KeyStore.material``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class KeyRecord:
    arn: str
    key_id: str
    account_id: str
    region: str
    key_spec: str
    key_usage: str
    key_state: str
    origin: str
    description: str
    creation_date: datetime
    policy: str
    multi_region: bool = False
    custom_key_store_id: str | None = None
    deletion_date: datetime | None = None
    pending_deletion_window_in_days: int | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MaterialRecord:
    """One generation of a key's material (rotation adds one; the newest is current)."""

    key_arn: str
    key_material_id: str  # 64 lowercase hex characters
    created: datetime
    rotation_type: str | None  # None for the original material, else ON_DEMAND / AUTOMATIC
    current: bool


@dataclass(frozen=True)
class AliasRecord:
    arn: str  # arn:<partition>:kms:<region>:<account>:alias/<name>
    alias_name: str  # alias/<name>
    account_id: str
    region: str
    target_key_id: str
    creation_date: datetime
    last_updated_date: datetime


@dataclass(frozen=True)
class GrantRecord:
    grant_id: str
    grant_token: str
    key_arn: str
    grantee_principal: str
    operations: tuple[str, ...]
    issuing_account: str
    creation_date: datetime
    name: str | None = None
    retiring_principal: str | None = None
    constraints: dict[str, dict[str, str]] | None = field(default=None, compare=False)
