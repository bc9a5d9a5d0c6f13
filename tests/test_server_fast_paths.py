"""The endpoint's per-request fast paths do exactly what the slow ones did: its own SigV4
canonicalization (server/sigv4.py) computes what botocore's signer computes, for every shape of
signed headers a client can send; request heads are read as ``http.client`` reads them; the
header index, request ids and request log record are those
of ``email.message``, ``uuid.uuid4`` and ``Logger.info``."""

from __future__ import annotations

import email.message
import hashlib
import http.client
import io
import itertools
import logging
import uuid

import pytest

from kmspair.kms.errors import KMSError
from kmspair.kms.response_metadata import new_request_id
from kmspair.server import httpparse, sigv4
from kmspair.server.endpoint import _HeaderIndex
from kmspair.server.httpserver import _log_request
from kmspair.server.identities import Identity
from server_helpers import signed_headers

URL = "http://127.0.0.1:4599"
IDENTITY = Identity("test", "test", "111122223333", "arn:aws:iam::111122223333:root")
BODY = b'{"KeyId": "alias/x", "KeyPairSpec": "ECC_NIST_P256"}'


def message(pairs: list[tuple[str, str]]) -> email.message.Message:
    headers = email.message.Message()
    for name, value in pairs:
        headers[name] = value
    return headers


def authorization(signed: str, region: str = "us-east-1") -> sigv4._Authorization:
    return sigv4._Authorization(
        access_key_id="test",
        scope_date="20240102",
        region=region,
        service="kms",
        signed_headers=tuple(signed.split(";")),
        signature="0" * 64,
    )


HEADER_SETS = [
    [("Host", "127.0.0.1:4599"), ("X-Amz-Date", "20240102T030405Z")],
    [("host", "localhost:4599"), ("x-amz-date", "20240102T030405Z"), ("X-Amz-Target", "a  b ")],
    [("Host", "[::1]:4599"), ("Content-Type", " application/x-amz-json-1.1 "), ("X-Amz-Date", "d")],
    # A repeated header: the first one is what the request says, as http.client reads it.
    [("Host", "kms.local"), ("X-Amz-Target", "one"), ("X-Amz-Target", "two")],
    [("Host", "kms.local"), ("X-Amz-Content-SHA256", hashlib.sha256(BODY).hexdigest())],
    [("Host", "kms.local"), ("X-Custom", "tab\tand\r\n folded  value")],
]
SIGNED_LISTS = [
    "host;x-amz-date",
    "content-type;host;x-amz-date;x-amz-target",
    "host;x-amz-target;x-amz-target",  # a name listed twice
    "Host;X-Amz-Target",  # names as the client spelled them
    "host;HOST;x-amz-date",
    "host;x-amz-content-sha256",
    "host;x-custom;x-missing",
]


@pytest.mark.parametrize(("pairs", "signed"), list(itertools.product(HEADER_SETS, SIGNED_LISTS)))
@pytest.mark.parametrize("method", ["POST", "get"])
def test_the_fast_path_signs_as_botocore_does(
    pairs: list[tuple[str, str]], signed: str, method: str
) -> None:
    headers = message(pairs)
    auth = authorization(signed)
    amz_date = "20240102T030405Z"
    fast = sigv4._signature(method, "/", headers, BODY, IDENTITY, auth, amz_date)
    slow = sigv4._botocore_signature(method, "/", headers, BODY, IDENTITY, auth, amz_date)
    assert fast == slow
    assert len(fast) == 64


def test_a_request_signed_by_botocore_verifies_through_the_fast_path() -> None:
    headers = signed_headers(URL, BODY, target="TrentService.GenerateDataKeyPair")
    indexed = message([*headers.items(), ("Host", "127.0.0.1:4599")])
    signer = sigv4.verify("POST", "/", indexed, BODY, {"test": IDENTITY})
    assert signer.region == "us-east-1"
    tampered = BODY.replace(b"P256", b"P384")
    with pytest.raises(KMSError) as refused:
        sigv4.verify("POST", "/", indexed, tampered, {"test": IDENTITY})
    assert refused.value.code == "InvalidSignatureException"


@pytest.mark.parametrize(
    ("path", "host"), [("/a b", "kms.local"), ("/?x=1", "kms.local"), ("/", "h?x"), ("/", "")]
)
def test_unusual_requests_go_through_botocore(path: str, host: str) -> None:
    headers = message([("Host", host), ("X-Amz-Date", "20240102T030405Z")])
    auth = authorization("host;x-amz-date")
    amz_date = "20240102T030405Z"
    assert sigv4._signature("POST", path, headers, BODY, IDENTITY, auth, amz_date) == (
        sigv4._botocore_signature("POST", path, headers, BODY, IDENTITY, auth, amz_date)
    )


def test_the_header_index_answers_as_the_message_does() -> None:
    headers = message([("Host", "a"), ("x-amz-target", "first"), ("X-Amz-Target", "second")])
    index = _HeaderIndex(headers)
    for name in ("host", "HOST", "X-Amz-Target", "x-amz-target", "Missing"):
        assert index.get(name) == headers.get(name)


def test_request_ids_are_random_version_4_uuids() -> None:
    ids = {new_request_id() for _ in range(2000)}
    assert len(ids) == 2000
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_the_request_log_record_is_the_one_logger_info_makes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def do_POST() -> None:
        _log_request("%s status=%d", "Op", 200)
        logging.getLogger("kmspair.server").info("%s status=%d", "Op", 200)

    with caplog.at_level(logging.INFO, logger="kmspair.server"):
        do_POST()
    fast, slow = caplog.records
    assert fast.getMessage() == slow.getMessage() == "Op status=200"
    for attribute in ("name", "levelno", "pathname", "filename", "module", "funcName", "args"):
        assert getattr(fast, attribute) == getattr(slow, attribute)
    assert fast.lineno == slow.lineno - 1


HEADS = [
    b"Host: a\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Length: 2\r\n\r\n",
    b"Host:a\r\nX-Empty:\r\nX-Spaces:   \r\nX-Trailing: v  \t\r\nX-Tab:\tv\r\n\r\n",
    b"Host: a\nX-Lf-Only: v\n\n",
    b"Host: a\r\nX-Folded: one\r\n two\r\n\r\n",  # a continuation line
    b"Host: a\r\nX-Latin: caf\xe9\r\nX-Nel: a\x85b\r\nX-Vt: a\x0bb\r\n\r\n",
    b"Host: a\r\nno colon here\r\nX-After: v\r\n\r\n",
    b": empty name\r\nHost: a\r\n\r\n",
    b"From someone\r\nHost: a\r\n\r\n",
    b"Host: a\r\nX-Cr: a\rb\r\nX-Colons: a:b:c\r\n\r\n",
    b"Content-Type: multipart/mixed; boundary=x\r\nHost: a\r\n\r\n",
    b"Host: a\r\nHost: b\r\nhost: c\r\n\r\n",
    b"Host: a\r\n",  # the client closed before the blank line
    b"\r\n",
]


@pytest.mark.parametrize("head", HEADS)
def test_headers_are_read_as_http_client_reads_them(head: bytes) -> None:
    fast = httpparse.parse_headers(io.BytesIO(head + b"{}"))
    slow = http.client.parse_headers(io.BytesIO(head + b"{}"))
    assert type(fast) is type(slow)
    assert fast.items() == slow.items()
    assert fast.get_payload() == slow.get_payload()
    assert [type(defect) for defect in fast.defects] == [type(d) for d in slow.defects]


@pytest.mark.parametrize(
    ("head", "error"),
    [
        (b"Host: a\r\n" + b"X: y\r\n" * 100 + b"\r\n", "got more than 100 headers"),
        (b"Host: " + b"a" * 70000 + b"\r\n\r\n", "header line"),
    ],
)
def test_oversized_heads_fail_as_http_client_fails(head: bytes, error: str) -> None:
    with pytest.raises(http.client.HTTPException) as fast:
        httpparse.parse_headers(io.BytesIO(head))
    with pytest.raises(http.client.HTTPException) as slow:
        http.client.parse_headers(io.BytesIO(head))
    assert type(fast.value) is type(slow.value)
    assert str(fast.value) == str(slow.value)
    assert error in str(slow.value)
