"""The embedded keystore: one SQLite file in the kmspair home.

Key material is sealed (AES-256-GCM) under the root key before it reaches SQLite, with the key ARN
and material ID as associated data, so a material row moved to another key does not open. Every
write is one ``BEGIN IMMEDIATE`` transaction: the database's single write lock serializes threads
and processes alike, so no write is lost, duplicated or torn, and read-modify-write operations read
what they modify under that lock. Each thread has its own connection (SQLite connections must not
be shared), and a process forked from one holding connections makes its own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from kmspair.backend import Sealer, resolve
from kmspair.exceptions import InvalidSealedBlobError

from . import keystore_schema as schema
from .keystore_connections import ThreadConnections, connect, enable_wal
from .keystore_errors import KeystoreError, UnknownKeyError
from .keystore_rows import (
    ALIAS_COLUMNS,
    GRANT_COLUMNS,
    KEY_COLUMNS,
    alias_record,
    alias_row,
    grant_record,
    grant_row,
    key_record,
    key_row,
    material_record,
    to_micros,
    utc,
)
from .records import AliasRecord, GrantRecord, KeyRecord, MaterialRecord
from .root_key import load_root_key
from .store import AliasExistsError

DATABASE_FILE_NAME = "keystore.sqlite3"

# The root key seals this at creation; opening it later proves the root key is the same one.
_ROOT_KEY_CHECK = b"kmspair keystore root key check"
_ROOT_KEY_CHECK_AAD = b"kmspair/meta/root-key-check"
_KEY_IDENTITY = frozenset({"arn", "key_id", "account_id", "region"})
_KEY_FIELDS = frozenset(field.name for field in dataclasses.fields(KeyRecord))

_KEY_SELECT = f"SELECT {', '.join(KEY_COLUMNS)} FROM keys"
_MATERIAL_SELECT = "SELECT key_arn, material_id, created, rotation_type, is_current FROM materials"
_ALIAS_SELECT = f"SELECT {', '.join(ALIAS_COLUMNS)} FROM aliases"
_GRANT_SELECT = f"SELECT {', '.join(GRANT_COLUMNS)} FROM grants"
# A key with the ID of its current material in one statement, so one snapshot: the unique
# partial index one_current_material makes the join at most one row.
_KEY_AND_CURRENT_MATERIAL_SELECT = (
    f"SELECT {', '.join(f'keys.{column}' for column in KEY_COLUMNS)}, materials.material_id "
    "FROM keys LEFT JOIN materials ON materials.key_arn = keys.arn AND materials.is_current = 1 "
    "WHERE keys.arn = ?"
)


def _key_and_material_id(row: Sequence[Any]) -> tuple[KeyRecord, str | None]:
    return key_record(row), row[len(KEY_COLUMNS)]


class SQLiteKeyStore:
    """A :class:`~kmspair.kms.store.KeyStore` in ``<home>/keystore.sqlite3``; see :meth:`open`."""

    def __init__(self, path: Path, sealer: Sealer) -> None:
        """Use :meth:`open`; this only wires up an already checked database."""
        self.path = path
        self._sealer = sealer
        self._connections = ThreadConnections(path)

    @classmethod
    def open(cls, home: Path, *, root_key: bytes | None = None) -> SQLiteKeyStore:
        """Open the keystore in ``home``, creating the directory (0700) and database (0600).

        The root key is ``root_key``, else ``$KMSPAIR_ROOT_KEY`` (base64), else ``home/root.key``,
        created on first use. Raises :class:`KeystoreError`, and leaves the file as it was, when
        the database is not a kmspair keystore, is damaged, is of a newer schema, or was made
        under another root key.
        """
        home = Path(home).expanduser().absolute()
        _make_private_directory(home)
        path = home / DATABASE_FILE_NAME
        is_new = schema.check_file_header(path)
        if not is_new:
            # Refuse a damaged or newer keystore before anything, even a missing root key.
            _check_existing(path)
        key = load_root_key(home, root_key, may_create=is_new)
        store = cls(path, resolve().SealingKey(key))
        del key
        try:
            store._initialize()
        except BaseException:
            store.close()
            raise
        return store

    def __repr__(self) -> str:
        return f"SQLiteKeyStore({str(self.path)!r})"

    def __enter__(self) -> SQLiteKeyStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- keys -----------------------------------------------------------------------------------

    def add_key(
        self, key: KeyRecord, material_id: str | None = None, material: bytes | None = None
    ) -> None:
        """Store a new key, with its first key material if it has any (symmetric keys)."""
        if (material_id is None) != (material is None):
            raise ValueError("material_id and material come together, or not at all")
        row = key_row(key)
        sealed = None
        if material_id is not None and material is not None:
            sealed = self._sealer.seal(material, _material_aad(key.arn, material_id))
        with self._transaction() as connection:
            try:
                connection.execute(
                    f"INSERT INTO keys ({', '.join(KEY_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(row))})",
                    row,
                )
            except sqlite3.IntegrityError:
                raise KeystoreError(f"A key {key.arn} already exists in {self.path}") from None
            if sealed is not None:
                connection.execute(
                    "INSERT INTO materials (key_arn, material_id, created, rotation_type, "
                    "is_current, sealed) VALUES (?, ?, ?, NULL, 1, ?)",
                    (key.arn, material_id, to_micros(key.creation_date), sealed),
                )

    def get_key(self, arn: str) -> KeyRecord | None:
        """The key with this ARN, or ``None``."""
        row = self._query_one(f"{_KEY_SELECT} WHERE arn = ?", (arn,))
        return None if row is None else key_record(row)

    def get_key_and_current_material_id(self, arn: str) -> tuple[KeyRecord, str | None] | None:
        """The key with this ARN and the ID of its current material (``None`` if it has none),
        read together; ``None`` if there is no such key. Served from the process's cache while
        the database is unchanged (``keystore_cache.py``): this runs on every request."""
        if self._connections.in_transaction():
            # This thread's own uncommitted writes count, and must not be cached.
            row = self._query_one(_KEY_AND_CURRENT_MATERIAL_SELECT, (arn,))
            return None if row is None else _key_and_material_id(row)
        try:
            return self._connections.shared_reads().read(
                arn, _KEY_AND_CURRENT_MATERIAL_SELECT, _key_and_material_id, self._connection
            )
        except sqlite3.Error as error:
            raise self._failed(error) from error

    def list_keys(self, account_id: str, region: str) -> list[KeyRecord]:
        """Every key of the account in the region, oldest first (stable for pagination)."""
        rows = self._query(
            f"{_KEY_SELECT} WHERE account_id = ? AND region = ? ORDER BY seq", (account_id, region)
        )
        return [key_record(row) for row in rows]

    def update_key(self, arn: str, **changes: Any) -> KeyRecord:
        """Atomically replace the named fields of a key; returns the updated record.

        A field that ``KeyRecord`` lacks is a ``TypeError``; the fields naming the key (``arn``,
        ``key_id``, ``account_id``, ``region``) cannot change (``ValueError``).
        """
        unknown = sorted(set(changes) - _KEY_FIELDS)
        if unknown:
            raise TypeError(f"KeyRecord has no field {', '.join(unknown)}")
        fixed = sorted(set(changes) & _KEY_IDENTITY)
        if fixed:
            raise ValueError(f"A key's {', '.join(fixed)} cannot change")
        with self._transaction() as connection:
            row = connection.execute(f"{_KEY_SELECT} WHERE arn = ?", (arn,)).fetchone()
            if row is None:
                raise UnknownKeyError(f"No key {arn} in {self.path}")
            updated = dataclasses.replace(key_record(row), **changes)
            values = dict(zip(KEY_COLUMNS, key_row(updated), strict=True))
            columns = sorted(changes)
            connection.execute(
                f"UPDATE keys SET {', '.join(f'{column} = ?' for column in columns)} WHERE arn = ?",
                (*(values[column] for column in columns), arn),
            )
        return updated

    # -- key material ---------------------------------------------------------------------------

    def add_material(
        self, arn: str, material_id: str, material: bytes, rotation_type: str, created: datetime
    ) -> MaterialRecord:
        """Add a new generation of key material, which becomes the current one."""
        sealed = self._sealer.seal(material, _material_aad(arn, material_id))
        with self._transaction() as connection:
            if connection.execute("SELECT 1 FROM keys WHERE arn = ?", (arn,)).fetchone() is None:
                raise UnknownKeyError(f"No key {arn} in {self.path}")
            connection.execute(
                "UPDATE materials SET is_current = 0 WHERE key_arn = ? AND is_current = 1", (arn,)
            )
            try:
                connection.execute(
                    "INSERT INTO materials (key_arn, material_id, created, rotation_type, "
                    "is_current, sealed) VALUES (?, ?, ?, ?, 1, ?)",
                    (arn, material_id, to_micros(created), rotation_type, sealed),
                )
            except sqlite3.IntegrityError:
                raise KeystoreError(
                    f"Key material {material_id} of {arn} already exists in {self.path}"
                ) from None
        return MaterialRecord(arn, material_id, utc(created), rotation_type, current=True)

    def materials(self, arn: str) -> list[MaterialRecord]:
        """Every generation of the key's material, oldest first."""
        rows = self._query(f"{_MATERIAL_SELECT} WHERE key_arn = ? ORDER BY seq", (arn,))
        return [material_record(row) for row in rows]

    def current_material(self, arn: str) -> tuple[MaterialRecord, bytes] | None:
        """The key's current material and its record, or ``None`` if it has none."""
        row = self._query_one(
            "SELECT key_arn, material_id, created, rotation_type, is_current, sealed "
            "FROM materials WHERE key_arn = ? AND is_current = 1",
            (arn,),
        )
        if row is None:
            return None
        return material_record(row[:5]), self._open_material(arn, row[1], row[5])

    def material(self, arn: str, material_id: str) -> bytes | None:
        """The plaintext of one generation of the key's material, or ``None``."""
        row = self._query_one(
            "SELECT sealed FROM materials WHERE key_arn = ? AND material_id = ?",
            (arn, material_id),
        )
        return None if row is None else self._open_material(arn, material_id, row[0])

    def _open_material(self, arn: str, material_id: str, sealed: bytes) -> bytes:
        try:
            return self._sealer.open(sealed, _material_aad(arn, material_id))
        except InvalidSealedBlobError:
            raise KeystoreError(
                f"Key material {material_id} of {arn} in {self.path} does not open under the "
                f"root key: the database was altered"
            ) from None

    # -- aliases --------------------------------------------------------------------------------

    def add_alias(self, alias: AliasRecord) -> None:
        """Store a new alias; :class:`AliasExistsError` if the name is taken."""
        row = alias_row(alias)
        with self._transaction() as connection:
            try:
                connection.execute(
                    f"INSERT INTO aliases ({', '.join(ALIAS_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(row))})",
                    row,
                )
            except sqlite3.IntegrityError:
                # The UNIQUE constraint decides, so of racing writers exactly one wins.
                raise AliasExistsError(
                    f"An alias with the name {alias.arn} already exists"
                ) from None

    def get_alias(self, account_id: str, region: str, alias_name: str) -> AliasRecord | None:
        """The alias of that name in the account and region, or ``None``."""
        row = self._query_one(
            f"{_ALIAS_SELECT} WHERE account_id = ? AND region = ? AND alias_name = ?",
            (account_id, region, alias_name),
        )
        return None if row is None else alias_record(row)

    def update_alias(
        self, account_id: str, region: str, alias_name: str, target_key_id: str, when: datetime
    ) -> AliasRecord | None:
        """Point the alias at another key; ``None`` if there is no such alias."""
        where = "WHERE account_id = ? AND region = ? AND alias_name = ?"
        with self._transaction() as connection:
            changed = connection.execute(
                f"UPDATE aliases SET target_key_id = ?, last_updated_date = ? {where}",
                (target_key_id, to_micros(when), account_id, region, alias_name),
            ).rowcount
            if not changed:
                return None
            row = connection.execute(
                f"{_ALIAS_SELECT} {where}", (account_id, region, alias_name)
            ).fetchone()
        return alias_record(row)

    def delete_alias(self, account_id: str, region: str, alias_name: str) -> bool:
        """Delete the alias; whether it existed."""
        with self._transaction() as connection:
            deleted = connection.execute(
                "DELETE FROM aliases WHERE account_id = ? AND region = ? AND alias_name = ?",
                (account_id, region, alias_name),
            ).rowcount
        return bool(deleted)

    def list_aliases(self, account_id: str, region: str) -> list[AliasRecord]:
        """Every alias of the account in the region, sorted by alias name."""
        rows = self._query(
            f"{_ALIAS_SELECT} WHERE account_id = ? AND region = ? ORDER BY alias_name",
            (account_id, region),
        )
        return [alias_record(row) for row in rows]

    # -- grants ---------------------------------------------------------------------------------

    def add_grant(self, grant: GrantRecord) -> None:
        """Store a new grant on an existing key."""
        row = grant_row(grant)
        with self._transaction() as connection:
            if (
                connection.execute("SELECT 1 FROM keys WHERE arn = ?", (grant.key_arn,)).fetchone()
                is None
            ):
                raise UnknownKeyError(f"No key {grant.key_arn} in {self.path}")
            try:
                connection.execute(
                    f"INSERT INTO grants ({', '.join(GRANT_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(row))})",
                    row,
                )
            except sqlite3.IntegrityError:
                raise KeystoreError(
                    f"A grant {grant.grant_id} or its token already exists in {self.path}"
                ) from None

    def delete_keys_past_deletion(self, now: datetime) -> list[str]:
        """Delete every key pending deletion whose deletion date is ``now`` or earlier, with
        its key material, grants and aliases, as AWS does when the waiting period ends; the
        ARNs of the keys deleted. Writes nothing when there are none (the usual case)."""
        select = (
            "SELECT arn, key_id, account_id, region FROM keys "
            "WHERE key_state = 'PendingDeletion' AND deletion_date <= ?"
        )
        cutoff = (to_micros(now),)
        if not self._query(select, cutoff):
            return []
        with self._transaction() as connection:
            # Read again under the write lock: a CancelKeyDeletion may have come in between.
            due = connection.execute(select, cutoff).fetchall()
            for arn, key_id, account_id, region in due:
                connection.execute("DELETE FROM grants WHERE key_arn = ?", (arn,))
                connection.execute("DELETE FROM materials WHERE key_arn = ?", (arn,))
                connection.execute(
                    "DELETE FROM aliases WHERE account_id = ? AND region = ? AND target_key_id = ?",
                    (account_id, region, key_id),
                )
                connection.execute("DELETE FROM keys WHERE arn = ?", (arn,))
        return [row[0] for row in due]

    def grants(self, key_arn: str) -> list[GrantRecord]:
        """Every grant on the key, oldest first."""
        rows = self._query(f"{_GRANT_SELECT} WHERE key_arn = ? ORDER BY seq", (key_arn,))
        return [grant_record(row) for row in rows]

    def grant_by_token(self, grant_token: str) -> GrantRecord | None:
        """The grant this token was issued for, or ``None``."""
        row = self._query_one(f"{_GRANT_SELECT} WHERE grant_token = ?", (grant_token,))
        return None if row is None else grant_record(row)

    def grant_by_id(self, grant_id: str) -> GrantRecord | None:
        """The grant with this ID, or ``None``."""
        row = self._query_one(f"{_GRANT_SELECT} WHERE grant_id = ?", (grant_id,))
        return None if row is None else grant_record(row)

    def delete_grant(self, grant_id: str) -> bool:
        """Delete the grant; whether it existed."""
        with self._transaction() as connection:
            deleted = connection.execute(
                "DELETE FROM grants WHERE grant_id = ?", (grant_id,)
            ).rowcount
        return bool(deleted)

    # -- connections and transactions -----------------------------------------------------------

    def close(self) -> None:
        """Close every connection this process opened; the store cannot be used afterwards."""
        self._connections.close()

    def _initialize(self) -> None:
        """Create the schema in a new database, or check the root key against an existing one."""
        with self._transaction() as connection:
            if schema.check_database(connection, self.path):
                row = connection.execute(
                    "SELECT value FROM meta WHERE name = 'root_key_check'"
                ).fetchone()
                if row is None:
                    raise KeystoreError(f"The keystore {self.path} is damaged: no root key check")
                check: bytes = row[0]
            else:
                schema.create(connection)
                check = self._sealer.seal(_ROOT_KEY_CHECK, _ROOT_KEY_CHECK_AAD)
                connection.execute(
                    "INSERT INTO meta (name, value) VALUES ('root_key_check', ?)", (check,)
                )
        try:
            self._sealer.open(check, _ROOT_KEY_CHECK_AAD)
        except InvalidSealedBlobError:
            raise KeystoreError(
                f"The root key does not match the keystore {self.path}: it was made under "
                f"another root key (check $KMSPAIR_ROOT_KEY, the root_key argument, or the "
                f"root.key file beside it)"
            ) from None
        with self._sqlite_errors():
            enable_wal(self._connection())

    def _connection(self) -> sqlite3.Connection:
        return self._connections.get()

    @contextlib.contextmanager
    def _sqlite_errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise self._failed(error) from error

    def _failed(self, error: sqlite3.Error) -> KeystoreError:
        # SQLite's messages never include bound parameters, so no secret can leak here.
        return KeystoreError(f"The keystore {self.path} failed: {error}")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._sqlite_errors():
            connection = self._connection()
            # IMMEDIATE takes the write lock now, waiting for it under busy_timeout; a deferred
            # transaction upgrading later could fail with SQLITE_BUSY instead of waiting.
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    # The reads are _sqlite_errors written out: a generator context manager costs more than the
    # query itself on the per-request path.
    def _query(self, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        try:
            return self._connection().execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise self._failed(error) from error

    def _query_one(self, sql: str, parameters: Sequence[Any]) -> tuple[Any, ...] | None:
        try:
            row: tuple[Any, ...] | None = self._connection().execute(sql, parameters).fetchone()
        except sqlite3.Error as error:
            raise self._failed(error) from error
        return row


def _make_private_directory(home: Path) -> None:
    home.parent.mkdir(parents=True, exist_ok=True)
    # An existing directory is left as it is: its permissions are the user's choice.
    with contextlib.suppress(FileExistsError):
        os.mkdir(home, 0o700)


def _check_existing(path: Path) -> None:
    try:
        with contextlib.closing(connect(path)) as connection:
            schema.check_database(connection, path)
    except sqlite3.Error as error:
        raise KeystoreError(f"The keystore {path} cannot be read: {error}") from error


def _material_aad(arn: str, material_id: str) -> bytes:
    return f"{arn}\x00{material_id}".encode()
