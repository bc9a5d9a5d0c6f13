"""Where the generated private key goes, and where it does not.

The tests look at the ``Plaintext`` the accelerator hands botocore's Encrypt through botocore's
own ``provide-client-params`` event, keeping a copy of the key to search for afterwards."""

from __future__ import annotations

import base64
import logging
import socket
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

import kmspair
from kmspair.server import Server
from server_helpers import kms_client, server  # noqa: F401 - the fixture


class Seen:
    """The Plaintext object Encrypt was given, and a copy of its bytes at that moment."""

    def __init__(self, client: Any) -> None:
        self.given: list[Any] = []
        self.copies: list[bytes] = []
        client.meta.events.register("provide-client-params.kms.Encrypt", self._record)

    def _record(self, params: dict[str, Any], **_kwargs: Any) -> None:
        self.given.append(params["Plaintext"])
        self.copies.append(bytes(params["Plaintext"]))

    @property
    def key(self) -> bytes:
        (copy,) = self.copies
        return copy


def forms(key: bytes) -> list[Any]:
    """The ways a private key could show up: raw, base64 (the wire), hex."""
    return [key, base64.b64encode(key), base64.b64encode(key).decode(), key.hex()]


def holds(value: Any, key: bytes, depth: int = 0) -> bool:
    """Whether ``value``, or what it refers to a few levels down, contains ``key``."""
    if isinstance(value, str):
        return any(form in value for form in forms(key) if isinstance(form, str))
    if isinstance(value, (bytes, bytearray)):
        return any(form in value for form in forms(key) if isinstance(form, bytes))
    if depth >= 4:
        return False
    if isinstance(value, dict):
        return any(holds(item, key, depth + 1) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(holds(item, key, depth + 1) for item in value)
    attributes = getattr(value, "__dict__", None)
    return isinstance(attributes, dict) and holds(attributes, key, depth + 1)


def chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    pending: list[Any] = [error]
    while pending:
        item = pending.pop()
        if isinstance(item, BaseException) and all(item is not seen for seen in found):
            found.append(item)
            pending += [item.__cause__, item.__context__, *getattr(item, "kwargs", {}).values()]
    return found


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def client(server: Server) -> Any:  # noqa: F811 - server is the fixture
    return kms_client(server.url)


@pytest.fixture
def key_id(client: Any) -> str:
    return str(client.create_key()["KeyMetadata"]["KeyId"])


def test_encrypt_is_given_the_pkcs8_private_key_in_a_buffer_that_is_zeroed_afterwards(
    client: Any, key_id: str
) -> None:
    seen = Seen(client)
    with kmspair.accelerate(client):
        pair = client.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec="RSA_2048")
    (given,) = seen.given
    assert isinstance(given, bytearray)
    assert given == bytearray(len(seen.key))
    assert client.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"] == seen.key


def test_botocores_debug_log_of_the_encrypt_request_holds_no_private_key(
    client: Any, key_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    seen = Seen(client)
    with caplog.at_level(logging.DEBUG, logger="botocore"), kmspair.accelerate(client):
        client.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    sent = [r for r in caplog.records if r.getMessage().startswith("Making request for")]
    assert any("OperationModel(name=Encrypt)" in r.getMessage() for r in sent)
    assert not any(holds(record.getMessage(), seen.key) for record in caplog.records)


def test_botocores_debug_log_of_other_requests_is_left_as_it_is(
    client: Any, key_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="botocore"), kmspair.accelerate(client):
        client.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
        client.encrypt(KeyId=key_id, Plaintext=b"the caller's own")
    assert any(
        "OperationModel(name=Encrypt)" in r.getMessage()
        and base64.b64encode(b"the caller's own").decode() in r.getMessage()
        for r in caplog.records
    )


def test_the_caller_gets_its_own_copy_of_the_private_key(client: Any, key_id: str) -> None:
    seen = Seen(client)
    with kmspair.accelerate(client):
        pair = client.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    assert pair["PrivateKeyPlaintext"] == seen.key
    assert isinstance(pair["PrivateKeyPlaintext"], bytes)
    assert seen.given[0] == bytearray(len(seen.key))


@pytest.mark.parametrize("disable", [False, True], ids=["missing-key", "disabled-key"])
def test_when_encrypt_fails_the_key_is_zeroed_and_appears_in_no_error(
    client: Any, key_id: str, disable: bool
) -> None:
    if disable:
        client.disable_key(KeyId=key_id)
    seen = Seen(client)
    target = key_id if disable else "alias/missing"
    with kmspair.accelerate(client), pytest.raises(ClientError) as caught:
        client.generate_data_key_pair(KeyId=target, KeyPairSpec="ECC_NIST_P384")
    assert seen.given[0] == bytearray(len(seen.key))
    error = caught.value
    for text in (str(error), repr(error), repr(error.response)):
        assert not holds(text, seen.key)
    assert not holds(error.response, seen.key)


def test_a_lost_connection_is_botocores_error_holding_no_trace_of_the_key() -> None:
    client = kms_client(closed_port_url(), connect_timeout=2)
    seen = Seen(client)
    with kmspair.accelerate(client), pytest.raises(EndpointConnectionError) as caught:
        client.generate_data_key_pair(KeyId="alias/orders", KeyPairSpec="ECC_NIST_P256")
    assert seen.given[0] == bytearray(len(seen.key))
    for error in chain(caught.value):
        assert not holds(str(error), seen.key)
        assert not holds(vars(error), seen.key)
        frame_tb = error.__traceback__
        while frame_tb is not None:
            frame = frame_tb.tb_frame
            if frame.f_code.co_filename != __file__:  # this test's frame holds the copy
                assert not holds(frame.f_locals, seen.key), frame
            frame_tb = frame_tb.tb_next


def test_a_dry_run_generates_no_key_pair(client: Any, key_id: str) -> None:
    seen = Seen(client)
    with kmspair.accelerate(client), pytest.raises(client.exceptions.DryRunOperationException):
        client.generate_data_key_pair(KeyId=key_id, KeyPairSpec="RSA_4096", DryRun=True)
    # What Encrypt was asked about is a placeholder of zeros, not a private key.
    assert seen.copies == [bytes(64)]
