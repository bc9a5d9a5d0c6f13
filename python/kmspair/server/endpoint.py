"""One KMS request, from its bytes to its answer: authenticate, route, decode, run, encode.

This is the whole KMS JSON protocol (behaviour spec §1) without the HTTP plumbing, so the order
of the checks lives in one place. A refused request (bad signature, wrong content type, unknown
target, undecodable body) never reaches the keystore.

Beside the protocol there is one path of kmspair's own: ``GET /kmspair/pool`` answers the key
pool's counters as JSON (see :func:`kmspair.pool_stats`). It is not signed, like a health check:
it shows counts per KeyPairSpec, never a key, key ID or caller.
"""

from __future__ import annotations

import email.message
import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kmspair.kms import wire
from kmspair.kms.errors import KMSError
from kmspair.kms.service import LocalKMS
from kmspair.kms.store import KeyStore
from kmspair.pool import pool_stats

from . import sigv4
from .identities import Identity

logger = logging.getLogger("kmspair.server")

TARGET_PREFIX = "TrentService."
CONTENT_TYPE = "application/x-amz-json-1.1"
# awsJson 1.0 and 1.1 differ only in how errors name their type; clients may send either.
_JSON_CONTENT_TYPES = frozenset({CONTENT_TYPE, "application/x-amz-json-1.0"})
# Request members that name a key, for the log line when the response names none.
_KEY_MEMBERS = ("KeyId", "TargetKeyId", "DestinationKeyId")
# LocalKMS objects kept for reuse, one per (region, account, principal); a bound, since the
# region is the signer's choice.
_MAX_CALLERS = 256
POOL_STATS_PATH = "/kmspair/pool"
POOL_STATS_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Outcome:
    """The answer to one request, and what the log line says about it."""

    status: int
    body: bytes
    operation: str
    principal: str | None = None
    key: str | None = None
    error: str | None = None
    content_type: str = CONTENT_TYPE


class Endpoint:
    """Serves KMS requests over one shared keystore for the callers in ``identities``."""

    def __init__(self, store: KeyStore, identities: Mapping[str, Identity]) -> None:
        self.store = store
        self.identities = dict(identities)
        self._kms: dict[tuple[str, str, str], LocalKMS] = {}
        self._kms_lock = threading.Lock()

    def handle(self, method: str, path: str, headers: sigv4.Headers, body: bytes) -> Outcome:
        """Answer one request; never raises (an unexpected failure is a 500 KMSInternal)."""
        if isinstance(headers, email.message.Message):
            headers = _HeaderIndex(headers)
        if method == "GET" and path == POOL_STATS_PATH:
            body = json.dumps({"pool": pool_stats()}, sort_keys=True).encode()
            return Outcome(200, body, "kmspair:PoolStats", content_type=POOL_STATS_CONTENT_TYPE)
        operation = _operation_for_log(headers.get("X-Amz-Target"))
        try:
            return self._handle(method, path, headers, body, operation)
        except Exception:
            # The traceback stays in the server log; it names code, never request values.
            logger.exception("internal error serving %s", operation)
            error = KMSError("KMSInternalException", "An internal error occurred.")
            return Outcome(error.status, wire.encode_error(error), operation, error=error.code)

    def _handle(
        self, method: str, path: str, headers: sigv4.Headers, body: bytes, operation: str
    ) -> Outcome:
        try:
            signer = sigv4.verify(method, path, headers, body, self.identities)
        except KMSError as error:
            return _refused(error, operation)
        principal = signer.identity.principal
        params: dict[str, Any] | None = None
        try:
            name = _route(method, headers)
            params = wire.decode_request(name, body)
            kms = self._local_kms(signer.region, signer.identity.account_id, principal)
            response = kms.call(name, params)
            encoded = wire.encode_response(name, response)
        except KMSError as error:
            return Outcome(
                error.status,
                wire.encode_error(error),
                operation,
                principal,
                _key_of_request(params),
                error.code,
            )
        key = _key_of_response(response) or _key_of_request(params)
        return Outcome(200, encoded, operation, principal, key)

    def _local_kms(self, region: str, account_id: str, principal: str) -> LocalKMS:
        """The caller's LocalKMS. It holds nothing but the store, the caller and the backend,
        so one serves every request of that caller (making one per request is measurable)."""
        caller = (region, account_id, principal)
        kms = self._kms.get(caller)
        if kms is None:
            kms = LocalKMS(self.store, region=region, account_id=account_id, principal=principal)
            with self._kms_lock:
                if len(self._kms) >= _MAX_CALLERS:
                    self._kms.clear()
                self._kms[caller] = kms
        return kms


class _HeaderIndex:
    """A request's headers with O(1) case-insensitive lookups, answering exactly as
    ``email.message.Message.get`` does (the first header of that name), which scans every
    header on each call; a request looks up a dozen."""

    __slots__ = ("_values",)

    def __init__(self, message: email.message.Message) -> None:
        values: dict[str, str] = {}
        for name, value in message.items():
            values.setdefault(name.lower(), value)
        self._values = values

    def get(self, name: str, /) -> str | None:
        return self._values.get(name.lower())


def _refused(error: KMSError, operation: str) -> Outcome:
    return Outcome(error.status, wire.encode_error(error), operation, error=error.code)


def _route(method: str, headers: sigv4.Headers) -> str:
    """The operation a request names, or the error AWS answers a request it cannot route with.

    AWS picks the protocol by content type, so a body that is not awsJson cannot be routed to
    any operation: it answers ``UnknownOperationException`` (behaviour spec §1, and README).
    """
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if method != "POST" or content_type not in _JSON_CONTENT_TYPES:
        raise KMSError("UnknownOperationException")
    target = headers.get("X-Amz-Target") or ""
    if not target.startswith(TARGET_PREFIX):
        raise KMSError("UnknownOperationException")
    return target[len(TARGET_PREFIX) :]


def _operation_for_log(target: str | None) -> str:
    if not target:
        return "-"
    name = target.removeprefix(TARGET_PREFIX)
    # The header is the client's: keep the log line one line and short.
    return "".join(c if c.isalnum() or c in "._-" else "?" for c in name[:64]) or "-"


def _key_of_response(response: dict[str, Any]) -> str | None:
    key_id = response.get("KeyId")
    if isinstance(key_id, str) and key_id.startswith("arn:"):
        return key_id
    metadata = response.get("KeyMetadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("Arn"), str):
        return str(metadata["Arn"])
    return None


def _key_of_request(params: object) -> str | None:
    if not isinstance(params, dict):
        return None
    for member in _KEY_MEMBERS:
        value = params.get(member)
        if isinstance(value, str):
            return "".join(c if c.isprintable() and not c.isspace() else "?" for c in value[:256])
    return None
