"""A genuine botocore KMS client whose requests are served in process by the local KMS.

botocore does everything it does for real AWS (parameter validation, JSON serialization, SigV4
signing, response parsing, modeled exceptions) and only the HTTP round trip is replaced: a
``before-send`` handler hands the signed request to :mod:`.wire` and :class:`LocalKMS` and returns
the response bytes. This is the strictest test of our wire format: botocore itself parses it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse

from . import wire
from .client import resolve_region
from .errors import KMSError
from .response_metadata import http_date, new_request_id
from .service import LocalKMS, open_local_kms

_TARGET_PREFIX = "TrentService."
_CONTENT_TYPE = "application/x-amz-json-1.1"


def boto3_client(
    region_name: str | None = None,
    account_id: str = "111122223333",
    home: str | os.PathLike[str] | None = None,
    **client_kwargs: Any,
) -> Any:
    """Create a botocore KMS client served in process by a local KMS in ``home``.

    ``client_kwargs`` go to ``Session.create_client`` (``config``, ``endpoint_url``...). Retries
    are botocore's, as configured, like any client's: client errors (4xx) are final, so no call is
    repeated, while a throttled or 500 call is retried as real KMS would see it retried. Limiting
    attempts here would make botocore add ``MaxAttemptsReached`` and "(reached max retries: 0)"
    to every error, which a real client does not. Credentials default to dummy values so botocore
    never searches the environment or instance metadata for real ones; no request ever leaves
    the process.
    """
    region = resolve_region(region_name)
    kms = open_local_kms(region=region, account_id=account_id, home=home)
    client_kwargs.setdefault("endpoint_url", f"https://kms.{region}.amazonaws.com")
    client_kwargs.setdefault("aws_access_key_id", "test")
    client_kwargs.setdefault("aws_secret_access_key", "test")
    session = botocore.session.get_session()
    client = session.create_client("kms", region_name=region, **client_kwargs)
    client.meta.events.register(
        "before-send.kms", _InProcessTransport(kms), unique_id="kmspair-in-process-transport"
    )
    # botocore's close() releases only its HTTP pool; the keystore connection must go with it.
    close_http = client.close

    def close() -> None:
        close_http()
        kms.store.close()

    client.close = close
    return client


class _Body:
    """The ``raw`` object ``AWSResponse`` reads its content from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self._data


class _InProcessTransport:
    """A ``before-send`` handler answering every KMS request from a :class:`LocalKMS`."""

    def __init__(self, kms: LocalKMS) -> None:
        self._kms = kms

    def __call__(self, request: Any, **_kwargs: Any) -> AWSResponse:
        try:
            operation = self._operation(request)
            params = wire.decode_request(operation, _body_bytes(request.body))
            body = wire.encode_response(operation, self._kms.call(operation, params))
            status = 200
        except KMSError as error:
            body, status = wire.encode_error(error), error.status
        headers = {
            "x-amzn-RequestId": new_request_id(),
            "Content-Type": _CONTENT_TYPE,
            "Content-Length": str(len(body)),
            "Date": http_date(),
        }
        return AWSResponse(request.url, status, headers, _Body(body))

    @staticmethod
    def _operation(request: Any) -> str:
        target = request.headers.get("X-Amz-Target", "")
        if isinstance(target, bytes):
            target = target.decode("ascii", "replace")
        if not target.startswith(_TARGET_PREFIX):
            raise KMSError("UnknownOperationException")
        return str(target[len(_TARGET_PREFIX) :])


def _body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    # botocore may hand over a file-like body; KMS bodies are small, read it whole.
    read = getattr(body, "read", None)
    return bytes(read()) if read is not None else b""
