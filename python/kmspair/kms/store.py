"""The keystore interface the KMS operations use.

Narrow on purpose: the embedded SQLite store implements it today, and a server database can
implement it later without the operations changing. Key material passes through it in the clear
only in memory; every implementation keeps it encrypted at rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from .records import AliasRecord, GrantRecord, KeyRecord, MaterialRecord


class AliasExistsError(Exception):
    """An alias of that name already exists in that account and region."""


class KeyStore(Protocol):
    # Keys are identified by their key ARN everywhere in this interface.
    def add_key(
        self, key: KeyRecord, material_id: str | None = None, material: bytes | None = None
    ) -> None:
        """Store a new key, with its first key material if it has any (symmetric keys)."""

    def get_key(self, arn: str) -> KeyRecord | None: ...

    def get_key_and_current_material_id(self, arn: str) -> tuple[KeyRecord, str | None] | None:
        """The key and the ID of its current material (``None`` if it has none), as of one
        moment: what sealing under a key needs, in one read."""

    def list_keys(self, account_id: str, region: str) -> list[KeyRecord]:
        """Every key of the account in the region, oldest first (stable for pagination)."""

    def update_key(self, arn: str, **changes: Any) -> KeyRecord:
        """Atomically replace the named fields of a key; returns the updated record."""

    def add_material(
        self, arn: str, material_id: str, material: bytes, rotation_type: str, created: datetime
    ) -> MaterialRecord:
        """Add a new generation of key material, which becomes the current one."""

    def materials(self, arn: str) -> list[MaterialRecord]:
        """Every generation of the key's material, oldest first."""

    def current_material(self, arn: str) -> tuple[MaterialRecord, bytes] | None: ...

    def material(self, arn: str, material_id: str) -> bytes | None: ...

    def add_alias(self, alias: AliasRecord) -> None:
        """Store a new alias; :class:`AliasExistsError` if the name is taken."""

    def get_alias(self, account_id: str, region: str, alias_name: str) -> AliasRecord | None: ...

    def update_alias(
        self, account_id: str, region: str, alias_name: str, target_key_id: str, when: datetime
    ) -> AliasRecord | None: ...

    def delete_alias(self, account_id: str, region: str, alias_name: str) -> bool: ...

    def list_aliases(self, account_id: str, region: str) -> list[AliasRecord]:
        """Every alias of the account in the region, sorted by alias name."""

    def add_grant(self, grant: GrantRecord) -> None: ...

    def delete_keys_past_deletion(self, now: datetime) -> list[str]:
        """Delete every key pending deletion whose deletion date is ``now`` or earlier, with
        its key material, grants and aliases; the ARNs of the keys deleted."""
        ...

    def grants(self, key_arn: str) -> list[GrantRecord]:
        """Every grant on the key, oldest first."""

    def grant_by_token(self, grant_token: str) -> GrantRecord | None: ...

    def grant_by_id(self, grant_id: str) -> GrantRecord | None: ...

    def delete_grant(self, grant_id: str) -> bool: ...

    def close(self) -> None: ...
