"""The keystore's SQLite schema, and telling a kmspair keystore from any other file.

A kmspair keystore carries ``PRAGMA application_id`` = :data:`APPLICATION_ID` and
``PRAGMA user_version`` = the schema version. Anything else at the keystore's path is refused with
a :class:`KeystoreError` and left exactly as it was: kmspair only ever writes to an empty file or
to its own keystore.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .keystore_errors import KeystoreError

APPLICATION_ID = 0x4B4D5350  # "KMSP"
SCHEMA_VERSION = 1

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_SMALLEST_DATABASE = 512  # one page of the smallest page size (sqlite.org/fileformat.html)

_TABLES = frozenset({"meta", "keys", "materials", "aliases", "grants"})

_STATEMENTS = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
    # seq orders keys oldest first, as ListKeys pages through them.
    """CREATE TABLE keys (
        seq INTEGER PRIMARY KEY,
        arn TEXT NOT NULL UNIQUE,
        key_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        key_spec TEXT NOT NULL,
        key_usage TEXT NOT NULL,
        key_state TEXT NOT NULL,
        origin TEXT NOT NULL,
        description TEXT NOT NULL,
        creation_date INTEGER NOT NULL,
        policy TEXT NOT NULL,
        multi_region INTEGER NOT NULL,
        custom_key_store_id TEXT,
        deletion_date INTEGER,
        pending_deletion_window_in_days INTEGER,
        tags TEXT NOT NULL
    )""",
    "CREATE INDEX keys_by_account_and_region ON keys (account_id, region, seq)",
    # sealed = the material under the root key, bound to (key ARN, material ID).
    """CREATE TABLE materials (
        seq INTEGER PRIMARY KEY,
        key_arn TEXT NOT NULL REFERENCES keys (arn),
        material_id TEXT NOT NULL,
        created INTEGER NOT NULL,
        rotation_type TEXT,
        is_current INTEGER NOT NULL CHECK (is_current IN (0, 1)),
        sealed BLOB NOT NULL,
        UNIQUE (key_arn, material_id)
    )""",
    # The database itself guarantees at most one current material per key.
    "CREATE UNIQUE INDEX one_current_material ON materials (key_arn) WHERE is_current = 1",
    # The primary key is what makes exactly one of two racing CreateAlias calls win.
    """CREATE TABLE aliases (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        alias_name TEXT NOT NULL,
        arn TEXT NOT NULL,
        target_key_id TEXT NOT NULL,
        creation_date INTEGER NOT NULL,
        last_updated_date INTEGER NOT NULL,
        PRIMARY KEY (account_id, region, alias_name)
    )""",
    """CREATE TABLE grants (
        seq INTEGER PRIMARY KEY,
        grant_id TEXT NOT NULL UNIQUE,
        grant_token TEXT NOT NULL UNIQUE,
        key_arn TEXT NOT NULL REFERENCES keys (arn),
        grantee_principal TEXT NOT NULL,
        operations TEXT NOT NULL,
        issuing_account TEXT NOT NULL,
        creation_date INTEGER NOT NULL,
        name TEXT,
        retiring_principal TEXT,
        grant_constraints TEXT
    )""",
    "CREATE INDEX grants_by_key ON grants (key_arn, seq)",
)


def check_file_header(path: Path) -> bool:
    """Whether ``path`` is a new, empty keystore (``False``: it holds a kmspair keystore).

    Creates the file, mode 0600, if it is missing, so that SQLite never creates it with looser
    permissions. An existing file is read through SQLite, read-only and ``immutable`` (no locks,
    no journal or WAL files: nothing is left beside a file that is not ours), and never through
    a descriptor of our own: closing any descriptor of a file drops every POSIX lock the process
    holds on it, those of this process's open keystore connections included, and another
    process would then take itself for the keystore's last user and delete its WAL. SQLite
    defers closing its descriptors while the process holds locks on the file.
    """
    try:
        # O_EXCL: only a file this call creates is opened (and closed) here.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600))
        return True
    except FileExistsError:
        pass
    except OSError as error:
        raise KeystoreError(f"Cannot open the keystore {path} ({error.strerror})") from None
    try:
        size = path.stat().st_size
        if size == 0:
            return True
        if size < _SMALLEST_DATABASE:
            # SQLite reads a file shorter than its header as an empty database.
            raise sqlite3.DatabaseError("file is not a database")
        reader = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            (application_id,) = reader.execute("PRAGMA application_id").fetchone()
        finally:
            reader.close()
    except sqlite3.OperationalError as error:  # cannot be opened (permissions, ...)
        raise KeystoreError(f"Cannot open the keystore {path} ({error})") from None
    except sqlite3.DatabaseError:  # opened, but "file is not a database"
        raise KeystoreError(
            f"{path} is not a kmspair keystore (it is not an SQLite database); kmspair leaves "
            f"it untouched: move it away, or choose another home"
        ) from None
    except OSError as error:
        raise KeystoreError(f"Cannot open the keystore {path} ({error.strerror})") from None
    if application_id != APPLICATION_ID:
        raise _foreign(path)
    return False


def check_database(connection: sqlite3.Connection, path: Path) -> bool:
    """Whether the database holds a kmspair keystore (``False``: it is empty, so new).

    Run inside the transaction that would create the schema, so that two processes creating the
    same keystore at once create it exactly once.
    """
    (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    names = connection.execute(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite^_%' ESCAPE '^'"
    ).fetchall()
    if application_id == 0 and version == 0 and not names:
        return False
    if application_id != APPLICATION_ID:
        raise _foreign(path)
    if version > SCHEMA_VERSION:
        raise KeystoreError(
            f"The keystore {path} has schema version {version}, written by a newer kmspair; "
            f"this one knows versions up to {SCHEMA_VERSION}: upgrade kmspair"
        )
    tables = {name for kind, name in names if kind == "table"}
    if version != SCHEMA_VERSION or tables != _TABLES:
        raise KeystoreError(
            f"The keystore {path} is damaged: its schema is not kmspair's schema version "
            f"{SCHEMA_VERSION} (tables: {', '.join(sorted(tables)) or 'none'})"
        )
    return True


def create(connection: sqlite3.Connection) -> None:
    """Create the schema in an empty database, inside the caller's transaction."""
    for statement in _STATEMENTS:
        connection.execute(statement)
    # Both pragmas are part of the transaction: a keystore is marked ours exactly when it exists.
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _foreign(path: Path) -> KeystoreError:
    return KeystoreError(
        f"{path} is not a kmspair keystore (it is an SQLite database of another application); "
        f"kmspair leaves it untouched: move it away, or choose another home"
    )
