"""The KMS JSON protocol over raw HTTP: every malformed or unauthenticated request gets AWS's
4xx (never a 500 or a hang), nothing is done for it, and the endpoint keeps serving."""

from __future__ import annotations

import datetime
import json
import socket
import struct
import time
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from kmspair.server import Server
from server_helpers import (
    CONTENT_TYPE,
    REGION,
    Reply,
    call,
    kms_client,
    send,
    server,
    signed_headers,
    still_serves,
)

__all__ = ["server"]  # the fixture, imported for pytest

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)


def error(reply: Reply) -> tuple[int, str, str | None]:
    document = reply.json
    return reply.status, document["__type"], document.get("message")


def test_a_valid_request_is_answered_as_awsjson_with_a_request_id(server: Server) -> None:
    reply = call(server.url, "TrentService.ListKeys", {})
    assert reply.status == 200
    assert reply.headers["Content-Type"] == CONTENT_TYPE
    assert reply.headers["x-amzn-RequestId"]
    assert reply.json == {"Keys": [], "Truncated": False}


def test_bad_json_is_a_serialization_exception(server: Server) -> None:
    body = b'{"KeyId": '
    reply = send(server.url, body, signed_headers(server.url, body, "TrentService.DescribeKey"))
    assert error(reply)[:2] == (400, "SerializationException")
    assert reply.headers["x-amzn-RequestId"]
    assert still_serves(server.url)


def test_a_body_that_is_not_an_object_is_a_serialization_exception(server: Server) -> None:
    reply = call(server.url, "TrentService.ListKeys", ["Limit", 1])
    assert error(reply)[:2] == (400, "SerializationException")


def test_a_member_of_the_wrong_type_is_a_serialization_exception(server: Server) -> None:
    reply = call(server.url, "TrentService.GenerateRandom", {"NumberOfBytes": "32"})
    assert error(reply)[:2] == (400, "SerializationException")
    assert still_serves(server.url)


def test_a_blob_that_is_not_base64_is_a_serialization_exception(server: Server) -> None:
    reply = call(server.url, "TrentService.Decrypt", {"CiphertextBlob": "not base64!"})
    assert error(reply)[:2] == (400, "SerializationException")


def test_an_unknown_target_is_an_unknown_operation_exception(server: Server) -> None:
    reply = call(server.url, "TrentService.MakeCoffee", {})
    assert error(reply) == (400, "UnknownOperationException", None)
    assert still_serves(server.url)


def test_a_target_of_another_service_is_an_unknown_operation_exception(server: Server) -> None:
    reply = call(server.url, "DynamoDB_20120810.ListTables", {})
    assert error(reply) == (400, "UnknownOperationException", None)


def test_a_missing_target_is_an_unknown_operation_exception(server: Server) -> None:
    reply = call(server.url, None, {})  # type: ignore[arg-type]
    assert error(reply) == (400, "UnknownOperationException", None)


def test_a_wrong_content_type_is_an_unknown_operation_exception(server: Server) -> None:
    reply = call(server.url, "TrentService.CreateKey", {}, content_type="application/json")
    assert error(reply) == (400, "UnknownOperationException", None)
    assert kms_client(server.url).list_keys()["Keys"] == []  # nothing was created


def test_awsjson_1_0_content_type_is_accepted(server: Server) -> None:
    reply = call(server.url, "TrentService.ListKeys", {}, content_type="application/x-amz-json-1.0")
    assert reply.status == 200


def test_a_get_request_is_an_unknown_operation_exception(server: Server) -> None:
    headers = signed_headers(server.url, b"")
    reply = send(server.url, b"", headers, method="GET")
    assert reply.status == 400
    assert still_serves(server.url)


def test_an_oversized_body_is_refused_with_413_without_being_read(server: Server) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as connection:
        # Announce 2 MiB, send only the headers: the answer must come without the body.
        connection.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.ListKeys\r\n"
            b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 2097152\r\n\r\n"
        )
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert json.loads(body)["__type"] == "RequestEntityTooLargeException"
    assert still_serves(server.url)


def test_an_oversized_body_announced_with_expect_100_continue_is_refused_unsent(
    server: Server,
) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as connection:
        connection.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 2097152\r\n\r\n"
        )
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413")


def test_an_oversized_body_sent_in_full_is_refused_with_413(server: Server) -> None:
    body = b"{" + b" " * (1024 * 1024 + 1) + b"}"
    reply = send(server.url, body, signed_headers(server.url, body))
    assert reply.status == 413
    assert still_serves(server.url)


def test_a_body_of_exactly_1_mib_is_read(server: Server) -> None:
    body = b"{" + b" " * (1024 * 1024 - 2) + b"}"
    reply = send(server.url, body, signed_headers(server.url, body))
    assert reply.status == 200


def test_garbage_instead_of_http_is_a_4xx(server: Server) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as connection:
        connection.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 4")
    assert still_serves(server.url)


def test_a_client_that_stops_mid_body_does_not_stop_the_endpoint(server: Server) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as connection:
        connection.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        assert still_serves(server.url)


# SigV4


def test_no_authorization_is_missing_authentication_token(server: Server) -> None:
    reply = send(
        server.url, b"{}", {"X-Amz-Target": "TrentService.CreateKey", "Content-Type": CONTENT_TYPE}
    )
    assert error(reply) == (
        400,
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )
    assert kms_client(server.url).list_keys()["Keys"] == []


def test_a_malformed_authorization_is_incomplete_signature(server: Server) -> None:
    headers = signed_headers(server.url, b"{}")
    headers["Authorization"] = (
        "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request"
    )
    status, code, message = error(send(server.url, b"{}", headers))
    assert (status, code) == (400, "IncompleteSignatureException")
    assert message is not None
    assert message.startswith(
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. Authorization="
    )
    assert still_serves(server.url)


def test_another_signing_algorithm_is_incomplete_signature(server: Server) -> None:
    headers = signed_headers(server.url, b"{}")
    headers["Authorization"] = "Bearer abc"
    assert error(send(server.url, b"{}", headers))[:2] == (400, "IncompleteSignatureException")


def test_a_missing_x_amz_date_is_incomplete_signature(server: Server) -> None:
    headers = signed_headers(server.url, b"{}")
    del headers["X-Amz-Date"]
    assert error(send(server.url, b"{}", headers))[:2] == (400, "IncompleteSignatureException")


def test_an_unknown_access_key_is_unrecognized_client(server: Server) -> None:
    reply = call(server.url, "TrentService.CreateKey", {}, access_key_id="AKIDUNKNOWN")
    assert error(reply) == (
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
    assert kms_client(server.url).list_keys()["Keys"] == []


def test_a_wrong_secret_is_invalid_signature(server: Server) -> None:
    reply = call(server.url, "TrentService.CreateKey", {}, secret="not-test")
    assert error(reply) == (400, "InvalidSignatureException", SIGNATURE_MISMATCH)
    assert kms_client(server.url).list_keys()["Keys"] == []


def test_a_body_changed_after_signing_is_invalid_signature(server: Server) -> None:
    headers = signed_headers(server.url, b'{"Description": "a"}', "TrentService.CreateKey")
    reply = send(server.url, b'{"Description": "b"}', headers)
    assert error(reply) == (400, "InvalidSignatureException", SIGNATURE_MISMATCH)
    assert kms_client(server.url).list_keys()["Keys"] == []


def test_a_signed_header_changed_after_signing_is_invalid_signature(server: Server) -> None:
    headers = signed_headers(server.url, b"{}", "TrentService.ListKeys")
    headers["X-Amz-Target"] = "TrentService.CreateKey"
    reply = send(server.url, b"{}", headers)
    assert error(reply) == (400, "InvalidSignatureException", SIGNATURE_MISMATCH)
    assert kms_client(server.url).list_keys()["Keys"] == []


def test_a_forged_signature_is_invalid_signature(server: Server) -> None:
    headers = signed_headers(server.url, b"{}")
    head, _, _ = headers["Authorization"].rpartition("Signature=")
    headers["Authorization"] = head + "Signature=" + "0" * 64
    assert error(send(server.url, b"{}", headers)) == (
        400,
        "InvalidSignatureException",
        SIGNATURE_MISMATCH,
    )


def test_a_date_over_15_minutes_old_is_signature_expired(server: Server) -> None:
    signed_at = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=16)
    headers = signed_headers(server.url, b"{}", "TrentService.CreateKey", when=signed_at)
    status, code, message = error(send(server.url, b"{}", headers))
    assert (status, code) == (400, "InvalidSignatureException")
    stamp = signed_at.strftime("%Y%m%dT%H%M%SZ")
    assert message is not None
    assert message.startswith(f"Signature expired: {stamp} is now earlier than ")
    assert message.endswith(" - 15 min.)")
    assert kms_client(server.url).list_keys()["Keys"] == []


def test_a_date_over_15_minutes_ahead_is_not_yet_current(server: Server) -> None:
    signed_at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=16)
    headers = signed_headers(server.url, b"{}", when=signed_at)
    status, code, message = error(send(server.url, b"{}", headers))
    assert (status, code) == (400, "InvalidSignatureException")
    assert message is not None
    assert message.startswith("Signature not yet current: ")
    assert message.endswith(" + 15 min.)")


def test_a_date_14_minutes_old_is_accepted(server: Server) -> None:
    signed_at = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=14)
    headers = signed_headers(server.url, b"{}", when=signed_at)
    assert send(server.url, b"{}", headers).status == 200


def test_a_credential_scoped_to_another_service_is_invalid_signature(server: Server) -> None:
    headers = signed_headers(server.url, b"{}")
    headers["Authorization"] = headers["Authorization"].replace("/kms/", "/sqs/")
    assert error(send(server.url, b"{}", headers))[:2] == (400, "InvalidSignatureException")


@pytest.mark.parametrize(
    "refused",
    [
        pytest.param({"access_key_id": "AKIDUNKNOWN"}, id="unknown-key"),
        pytest.param({"secret": "wrong"}, id="wrong-secret"),
    ],
)
def test_a_refused_request_is_refused_before_its_body_is_looked_at(
    server: Server, refused: dict[str, Any]
) -> None:
    body = b"this is not JSON"
    headers = signed_headers(server.url, body, "TrentService.MakeCoffee", **refused)
    assert error(send(server.url, body, headers))[1] != "SerializationException"


def test_an_internal_failure_is_a_500_without_a_traceback(server: Server) -> None:
    server.store.close()  # every keystore call now fails: an error no request can cause
    reply = call(server.url, "TrentService.ListKeys", {})
    assert error(reply) == (500, "KMSInternalException", "An internal error occurred.")
    assert b"Traceback" not in reply.body
    assert b"keystore" not in reply.body.lower()


# Inputs a fuzzer found answered with a 500, a traceback or nothing at all (session 8)


def exchange(server: Server, raw: bytes) -> tuple[bytes, bytes]:
    """Send ``raw`` on a new connection; the head and body of the answer, read until the server
    closes the connection (every refusal here closes it)."""
    with socket.create_connection((server.host, server.port), timeout=10) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


def raw_call(server: Server, target: str, body: bytes) -> Reply:
    """A correctly signed request whose JSON body is sent exactly as written."""
    return send(server.url, body, signed_headers(server.url, body, target=f"TrentService.{target}"))


@pytest.mark.parametrize("expect", [b"", b"Expect: 100-continue\r\n"])
def test_a_content_length_of_non_ascii_digits_is_a_serialization_exception(
    server: Server, expect: bytes
) -> None:
    head, body = exchange(
        server, b"POST / HTTP/1.1\r\nHost: x\r\n" + expect + b"Content-Length: \xb2\r\n\r\n{}"
    )
    assert head.startswith(b"HTTP/1.1 400")
    assert json.loads(body) == {
        "__type": "SerializationException",
        "message": "Invalid Content-Length.",
    }
    assert still_serves(server.url)


def test_conflicting_content_lengths_are_a_serialization_exception(server: Server) -> None:
    head, body = exchange(
        server, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}"
    )
    assert head.startswith(b"HTTP/1.1 400")
    assert json.loads(body)["message"] == "Invalid Content-Length."


def test_an_http_0_9_request_is_refused_with_a_status_line_and_a_request_id(
    server: Server,
) -> None:
    head, body = exchange(server, b"GET /\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"\r\nx-amzn-RequestId: " in head
    assert json.loads(body)["__type"] == "SerializationException"


def test_a_header_line_without_a_colon_is_refused(server: Server) -> None:
    head, body = exchange(
        server, b"POST / HTTP/1.1\r\nHost: x\r\nno colon here\r\nContent-Length: 2\r\n\r\n{}"
    )
    assert head.startswith(b"HTTP/1.1 400")
    assert json.loads(body)["message"] == "Malformed header line."
    assert still_serves(server.url)


def test_an_unpaired_surrogate_is_a_serialization_exception(server: Server) -> None:
    reply = raw_call(server, "DescribeKey", b'{"KeyId": "\\ud800"}')
    assert error(reply) == (
        400,
        "SerializationException",
        "Invalid string at 'keyId': it holds an unpaired surrogate.",
    )


def test_a_null_encryption_context_value_is_a_serialization_exception(server: Server) -> None:
    key = call(server.url, "TrentService.CreateKey", {}).json["KeyMetadata"]["KeyId"]
    body = json.dumps(
        {"KeyId": key, "KeyPairSpec": "ECC_NIST_P256", "EncryptionContext": {"a": None}}
    ).encode()
    reply = raw_call(server, "GenerateDataKeyPair", body)
    assert error(reply)[:2] == (400, "SerializationException")


def test_a_null_grant_operation_is_refused_and_nothing_is_stored(server: Server) -> None:
    key = call(server.url, "TrentService.CreateKey", {}).json["KeyMetadata"]["KeyId"]
    grant = {"KeyId": key, "GranteePrincipal": "arn:aws:iam::111122223333:root"}
    reply = call(server.url, "TrentService.CreateGrant", dict(grant, Operations=[None]))
    assert error(reply)[:2] == (400, "SerializationException")
    assert call(server.url, "TrentService.ListGrants", {"KeyId": key}).json["Grants"] == []


def test_a_body_nested_deeper_than_the_parser_goes_is_a_serialization_exception(
    server: Server,
) -> None:
    reply = raw_call(server, "ListKeys", b"[" * 100_000)
    assert error(reply)[:2] == (400, "SerializationException")


def test_a_policy_nested_deeper_than_the_parser_goes_is_malformed(server: Server) -> None:
    reply = call(server.url, "TrentService.CreateKey", {"Policy": "[" * 30_000})
    assert error(reply)[:2] == (400, "MalformedPolicyDocumentException")
    assert call(server.url, "TrentService.ListKeys", {}).json["Keys"] == []


def test_a_timestamp_no_calendar_holds_is_a_serialization_exception(server: Server) -> None:
    reply = raw_call(server, "ImportKeyMaterial", b'{"ValidTo": 1e300}')
    assert error(reply)[:2] == (400, "SerializationException")


def test_a_client_gone_before_its_answer_leaves_no_traceback(
    server: Server, capfd: pytest.CaptureFixture[str]
) -> None:
    key = call(server.url, "TrentService.CreateKey", {}).json["KeyMetadata"]["KeyId"]
    body = json.dumps({"KeyId": key, "KeyPairSpec": "RSA_2048"}).encode()
    headers = signed_headers(server.url, body, target="TrentService.GenerateDataKeyPair")
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    host = f"Host: {server.host}:{server.port}"
    request = f"POST / HTTP/1.1\r\n{host}\r\nContent-Length: {len(body)}\r\n{head}\r\n"
    for _ in range(5):
        connection = socket.create_connection((server.host, server.port), timeout=10)
        connection.sendall(request.encode() + body)
        # Linger 0: close sends a reset, so the answer, written while the RSA key is made,
        # meets a connection that is gone.
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()
    assert still_serves(server.url)
    time.sleep(0.5)  # the RSA requests finish and meet their resets
    assert "Traceback" not in capfd.readouterr().err


def test_a_date_header_stands_in_for_x_amz_date(server: Server) -> None:
    body = b"{}"
    request = AWSRequest(
        method="POST",
        url=server.url + "/",
        data=body,
        headers={"X-Amz-Target": "TrentService.ListKeys", "Content-Type": CONTENT_TYPE},
    )
    signer = SigV4Auth(Credentials("test", "test"), "kms", REGION)
    timestamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    request.context["timestamp"] = timestamp
    request.headers["Date"] = timestamp
    signature = signer.signature(
        signer.string_to_sign(request, signer.canonical_request(request)), request
    )
    signer._inject_signature_to_request(request, signature)
    assert "X-Amz-Date" not in request.headers
    reply = send(server.url, body, dict(request.headers.items()))
    assert reply.status == 200
