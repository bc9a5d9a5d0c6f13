"""How the keystore's records are laid out in SQLite rows, and back.

Datetimes are stored as integer microseconds since the Unix epoch in UTC: exact (a datetime's own
resolution), ordered, and free of time-zone spelling; they come back as timezone-aware UTC
datetimes. Tags, grant operations and grant constraints are stored as JSON text.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from .records import AliasRecord, GrantRecord, KeyRecord, MaterialRecord

KEY_COLUMNS = (
    "arn",
    "key_id",
    "account_id",
    "region",
    "key_spec",
    "key_usage",
    "key_state",
    "origin",
    "description",
    "creation_date",
    "policy",
    "multi_region",
    "custom_key_store_id",
    "deletion_date",
    "pending_deletion_window_in_days",
    "tags",
)
ALIAS_COLUMNS = (
    "arn",
    "alias_name",
    "account_id",
    "region",
    "target_key_id",
    "creation_date",
    "last_updated_date",
)
GRANT_COLUMNS = (
    "grant_id",
    "grant_token",
    "key_arn",
    "grantee_principal",
    "operations",
    "issuing_account",
    "creation_date",
    "name",
    "retiring_principal",
    "grant_constraints",
)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def to_micros(when: datetime) -> int:
    """``when`` as microseconds since the epoch; a naive datetime is a ``ValueError``."""
    # Refused rather than guessed: a naive local time taken for UTC would silently shift dates.
    if when.utcoffset() is None:
        raise ValueError("The keystore stores timezone-aware datetimes only; got a naive one")
    return (when - _EPOCH) // _MICROSECOND


# Every request reads a key, and with it its creation date: the same few values again and again.
@functools.lru_cache(maxsize=4096)
def from_micros(micros: int) -> datetime:
    """The timezone-aware UTC datetime ``micros`` microseconds after the epoch."""
    return _EPOCH + timedelta(microseconds=micros)


def _optional_micros(when: datetime | None) -> int | None:
    return None if when is None else to_micros(when)


def _optional_datetime(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(micros)


def utc(when: datetime) -> datetime:
    """``when`` exactly as the keystore will give it back."""
    return from_micros(to_micros(when))


def key_row(key: KeyRecord) -> tuple[Any, ...]:
    """The values of ``KEY_COLUMNS`` for ``key``."""
    return (
        key.arn,
        key.key_id,
        key.account_id,
        key.region,
        key.key_spec,
        key.key_usage,
        key.key_state,
        key.origin,
        key.description,
        to_micros(key.creation_date),
        key.policy,
        int(key.multi_region),
        key.custom_key_store_id,
        _optional_micros(key.deletion_date),
        key.pending_deletion_window_in_days,
        json.dumps([list(pair) for pair in key.tags]),
    )


def key_record(row: Sequence[Any]) -> KeyRecord:
    """The key stored in a row of ``KEY_COLUMNS`` (which may go on with more columns)."""
    # Positional, in KeyRecord's field order (which KEY_COLUMNS follows): every request reads a
    # key, and keyword arguments cost a fifth more here.
    return KeyRecord(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        from_micros(row[9]),
        row[10],
        bool(row[11]),
        row[12],
        _optional_datetime(row[13]),
        row[14],
        # Most keys have no tags; skipping the JSON parser for them keeps get_key cheap.
        () if row[15] == "[]" else tuple((key, value) for key, value in json.loads(row[15])),
    )


def material_record(row: Sequence[Any]) -> MaterialRecord:
    """The record of (key_arn, material_id, created, rotation_type, is_current)."""
    return MaterialRecord(row[0], row[1], from_micros(row[2]), row[3], current=bool(row[4]))


def alias_row(alias: AliasRecord) -> tuple[Any, ...]:
    """The values of ``ALIAS_COLUMNS`` for ``alias``."""
    return (
        alias.arn,
        alias.alias_name,
        alias.account_id,
        alias.region,
        alias.target_key_id,
        to_micros(alias.creation_date),
        to_micros(alias.last_updated_date),
    )


def alias_record(row: Sequence[Any]) -> AliasRecord:
    """The alias stored in a row of ``ALIAS_COLUMNS``."""
    return AliasRecord(
        arn=row[0],
        alias_name=row[1],
        account_id=row[2],
        region=row[3],
        target_key_id=row[4],
        creation_date=from_micros(row[5]),
        last_updated_date=from_micros(row[6]),
    )


def grant_row(grant: GrantRecord) -> tuple[Any, ...]:
    """The values of ``GRANT_COLUMNS`` for ``grant``."""
    return (
        grant.grant_id,
        grant.grant_token,
        grant.key_arn,
        grant.grantee_principal,
        json.dumps(list(grant.operations)),
        grant.issuing_account,
        to_micros(grant.creation_date),
        grant.name,
        grant.retiring_principal,
        None if grant.constraints is None else json.dumps(grant.constraints, sort_keys=True),
    )


def grant_record(row: Sequence[Any]) -> GrantRecord:
    """The grant stored in a row of ``GRANT_COLUMNS``."""
    return GrantRecord(
        grant_id=row[0],
        grant_token=row[1],
        key_arn=row[2],
        grantee_principal=row[3],
        operations=tuple(json.loads(row[4])),
        issuing_account=row[5],
        creation_date=from_micros(row[6]),
        name=row[7],
        retiring_principal=row[8],
        constraints=None if row[9] is None else json.loads(row[9]),
    )
