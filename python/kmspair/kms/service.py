"""The local KMS service: one entry point, ``LocalKMS.call``, for every front end.

A request flows one way: request validation (``validation.py``), then the operation, which uses
the keystore and the crypto backend. The in-process client, the botocore-served client and the
HTTP endpoint all call in here and turn :class:`KMSError` into their own error shape.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import Any

from ..backend import resolve
from . import aliases, crypto, datakeypairs, grants, keys
from .arn import require_account_id
from .caller import Caller
from .deletion import DeletionSweep
from .errors import KMSError
from .home import resolve_home
from .runtime import Runtime
from .sqlite_store import SQLiteKeyStore
from .store import KeyStore
from .validation import validate

Operation = Callable[[Runtime, dict[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Operation] = {
    "CreateKey": keys.create_key,
    "DescribeKey": keys.describe_key,
    "ListKeys": keys.list_keys,
    "EnableKey": keys.enable_key,
    "DisableKey": keys.disable_key,
    "ScheduleKeyDeletion": keys.schedule_key_deletion,
    "CancelKeyDeletion": keys.cancel_key_deletion,
    "RotateKeyOnDemand": keys.rotate_key_on_demand,
    "ListKeyRotations": keys.list_key_rotations,
    "GetKeyPolicy": keys.get_key_policy,
    "PutKeyPolicy": keys.put_key_policy,
    "CreateAlias": aliases.create_alias,
    "UpdateAlias": aliases.update_alias,
    "DeleteAlias": aliases.delete_alias,
    "ListAliases": aliases.list_aliases,
    "CreateGrant": grants.create_grant,
    "ListGrants": grants.list_grants,
    "RetireGrant": grants.retire_grant,
    "RevokeGrant": grants.revoke_grant,
    "Encrypt": crypto.encrypt,
    "Decrypt": crypto.decrypt,
    "ReEncrypt": crypto.re_encrypt,
    "GenerateDataKey": partial(crypto.generate_data_key, with_plaintext=True),
    "GenerateDataKeyWithoutPlaintext": partial(crypto.generate_data_key, with_plaintext=False),
    "GenerateDataKeyPair": partial(datakeypairs.generate_data_key_pair, with_plaintext=True),
    "GenerateDataKeyPairWithoutPlaintext": partial(
        datakeypairs.generate_data_key_pair, with_plaintext=False
    ),
    "GenerateRandom": crypto.generate_random,
}


class LocalKMS:
    """A KMS for one caller (account, region, principal) over a keystore."""

    def __init__(
        self,
        store: KeyStore,
        *,
        region: str,
        account_id: str,
        principal: str | None = None,
        backend: str | None = None,
    ) -> None:
        caller = Caller.root_of(account_id, region)
        if principal is not None:
            caller = Caller(account_id, region, principal)
        self._runtime = Runtime(store=store, caller=caller, backend=resolve(backend))
        self._deletions = DeletionSweep(store, self._runtime.now)
        self.store = store

    @property
    def caller(self) -> Caller:
        return self._runtime.caller

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run ``operation`` (a service-model name such as ``GenerateDataKeyPair``) with
        ``params`` keyed by the model's member names; the response members, or KMSError."""
        handler = OPERATIONS.get(operation)
        if handler is None:
            raise KMSError(
                "UnsupportedOperationException", f"kmspair does not implement {operation}."
            )
        validate(operation, params)
        self._deletions.run_if_due()
        return handler(self._runtime, params)

    def __repr__(self) -> str:
        caller = self._runtime.caller
        return f"<LocalKMS account={caller.account_id} region={caller.region}>"


def open_local_kms(
    *,
    region: str,
    account_id: str,
    home: str | os.PathLike[str] | None = None,
    principal: str | None = None,
    backend: str | None = None,
) -> LocalKMS:
    """A local KMS on the embedded keystore in ``home`` (see :func:`resolve_home`); a
    ``ValueError`` for an ``account_id`` that is not 12 digits, before the keystore opens."""
    require_account_id(account_id)
    store = SQLiteKeyStore.open(resolve_home(home))
    return LocalKMS(
        store, region=region, account_id=account_id, principal=principal, backend=backend
    )
