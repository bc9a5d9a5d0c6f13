"""The ``(http_response, parsed)`` pairs a before-call handler returns to botocore.

botocore's ``_make_api_call`` treats such a pair as the operation's answer: it emits
``after-call``, then either returns ``parsed`` or, for a status of 300 and up, raises the
modeled exception of the *called* operation named by ``parsed["Error"]["Code"]``. So an error
response of the backend's ``Encrypt`` is handed over as it was parsed, and the caller gets the
backend's code, message and metadata as a ``GenerateDataKeyPair`` error.
"""

from __future__ import annotations

import email.utils
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import botocore.parsers
from botocore.awsrequest import AWSResponse

from ..kms import wire
from ..kms.errors import KMSError

Answer = tuple[AWSResponse, dict[str, Any]]

_CONTENT_TYPE = "application/x-amz-json-1.1"


class _EmptyBody:
    """The ``raw`` of a response whose body nobody needs: the parsed form is the answer."""

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield b""


def _http(url: str, status: int, headers: Mapping[str, str]) -> AWSResponse:
    return AWSResponse(url, status, dict(headers), _EmptyBody())


def pair(
    url: str,
    key_pair_spec: str,
    public_key: bytes,
    encrypted: Mapping[str, Any],
    private_key: bytes | None,
) -> Answer:
    """The success response: the backend's ``Encrypt`` answer ``encrypted`` turned into a
    GenerateDataKeyPair(WithoutPlaintext) one, members in the service model's order."""
    parsed: dict[str, Any] = {"PrivateKeyCiphertextBlob": encrypted["CiphertextBlob"]}
    if private_key is not None:
        parsed["PrivateKeyPlaintext"] = private_key
    parsed["PublicKey"] = public_key
    parsed["KeyId"] = encrypted["KeyId"]
    parsed["KeyPairSpec"] = key_pair_spec
    metadata = encrypted.get("ResponseMetadata", {})
    parsed["ResponseMetadata"] = metadata
    return _http(
        url, int(metadata.get("HTTPStatusCode", 200)), metadata.get("HTTPHeaders", {})
    ), parsed


def backend_error(url: str, response: Mapping[str, Any]) -> Answer:
    """The backend's error response (a ``ClientError.response``), unchanged."""
    metadata = response.get("ResponseMetadata", {})
    status = int(metadata.get("HTTPStatusCode", 400))
    return _http(url, status, metadata.get("HTTPHeaders", {})), dict(response)


def local_error(url: str, operation_model: Any, error: KMSError) -> Answer:
    """The error response KMS would send for ``error``, parsed by botocore's own parser.

    The body is the one the local KMS and ``kmspair serve`` send; parsing it the way botocore's
    endpoint does (modeled error members included) gives the caller exactly what the same error
    from a server looks like. The request ID is a fresh UUID, as no server ever saw the request.
    """
    body = wire.encode_error(error)
    headers = {
        "x-amzn-requestid": str(uuid.uuid4()),
        "content-type": _CONTENT_TYPE,
        "content-length": str(len(body)),
        "date": email.utils.formatdate(usegmt=True),
    }
    response_dict = {"status_code": error.status, "headers": headers, "body": body}
    parser = botocore.parsers.create_parser(operation_model.service_model.protocol)
    parsed: dict[str, Any] = parser.parse(response_dict, operation_model.output_shape)
    error_shape = operation_model.service_model.shape_for_error_code(error.code)
    if error_shape is not None:
        parsed.update(parser.parse(response_dict, error_shape))
    parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
    return _http(url, error.status, headers), parsed
