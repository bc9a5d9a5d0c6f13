"""What ``kmspair.accelerate`` takes, what it changes and how it is undone.

Each test watches the requests a client really sends (botocore's ``before-send`` event): an
accelerated GenerateDataKeyPair goes out as one Encrypt, a real one as GenerateDataKeyPair."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config

import kmspair
from kmspair.accelerator import AccelerationHandle
from kmspair.server import Server
from server_helpers import REGION, kms_client, server  # noqa: F401 - the fixture

NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


def watch(client: Any) -> list[str]:
    """The operations ``client`` sends from now on, in order."""
    sent: list[str] = []

    def record(request: Any, **_kwargs: Any) -> None:
        target = request.headers["X-Amz-Target"]
        sent.append((target.decode() if isinstance(target, bytes) else target).split(".")[1])

    client.meta.events.register("before-send.kms", record)
    return sent


def pair_sends(client: Any) -> list[str]:
    """What one GenerateDataKeyPair and one WithoutPlaintext call send."""
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    sent = watch(client)
    client.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    client.generate_data_key_pair_without_plaintext(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    return sent


ACCELERATED = ["Encrypt", "Encrypt"]
REAL = ["GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"]


@pytest.fixture
def url(server: Server) -> str:  # noqa: F811 - server is the fixture
    return server.url


def test_a_boto3_client_is_accelerated(url: str) -> None:
    client = kms_client(url)
    kmspair.accelerate(client)
    assert pair_sends(client) == ACCELERATED


def test_a_botocore_client_is_accelerated(url: str) -> None:
    client = botocore.session.get_session().create_client(
        "kms", region_name=REGION, endpoint_url=url, config=NO_RETRIES, **CREDENTIALS
    )
    kmspair.accelerate(client)
    assert pair_sends(client) == ACCELERATED


def test_every_kms_client_a_boto3_session_creates_afterwards_is_accelerated(url: str) -> None:
    session = boto3.Session(region_name=REGION, **CREDENTIALS)
    before = session.client("kms", endpoint_url=url, config=NO_RETRIES)
    kmspair.accelerate(session)
    after = [session.client("kms", endpoint_url=url, config=NO_RETRIES) for _ in range(2)]
    assert pair_sends(before) == REAL
    assert [pair_sends(client) for client in after] == [ACCELERATED, ACCELERATED]


def test_every_kms_client_a_botocore_session_creates_afterwards_is_accelerated(url: str) -> None:
    session = botocore.session.get_session()
    kmspair.accelerate(session)
    client = session.create_client(
        "kms", region_name=REGION, endpoint_url=url, config=NO_RETRIES, **CREDENTIALS
    )
    assert pair_sends(client) == ACCELERATED


def test_a_session_still_creates_other_services_clients_unchanged() -> None:
    session = boto3.Session(region_name=REGION, **CREDENTIALS)
    kmspair.accelerate(session)
    names = [
        [cls.__name__ for cls in type(session.client(service)).__mro__] for service in ("s3", "kms")
    ]
    assert "KmspairAccelerated" not in names[0]
    assert "KmspairAccelerated" in names[1]


def test_other_operations_are_sent_as_they_are(url: str) -> None:
    client = kms_client(url)
    kmspair.accelerate(client)
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    sent = watch(client)
    blob = client.encrypt(KeyId=key_id, Plaintext=b"data")["CiphertextBlob"]
    client.decrypt(CiphertextBlob=blob)
    data_key = client.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    client.describe_key(KeyId=key_id)
    assert sent == ["Encrypt", "Decrypt", "GenerateDataKey", "DescribeKey"]
    assert "KeyMaterialId" in data_key  # the endpoint's own answer, not one made up here


@pytest.mark.parametrize(
    "event", ["before-call", "before-call.kms", "before-call.kms.GenerateDataKeyPair"]
)
@pytest.mark.parametrize("registered", ["before accelerate()", "after accelerate()"])
def test_the_callers_before_call_handlers_still_see_an_accelerated_call(
    url: str, event: str, registered: str
) -> None:
    client = kms_client(url)
    key_id = client.create_key()["KeyMetadata"]["KeyId"]
    seen: list[str] = []

    def record(event_name: str, **_kwargs: Any) -> None:
        seen.append(event_name)

    if registered == "before accelerate()":
        client.meta.events.register(event, record)
    with kmspair.accelerate(client):
        if registered == "after accelerate()":
            client.meta.events.register(event, record)
        sent = watch(client)
        client.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    assert sent == ["Encrypt"]
    assert "before-call.kms.GenerateDataKeyPair" in seen


def test_undo_restores_the_real_operations(url: str) -> None:
    client = kms_client(url)
    handle = kmspair.accelerate(client)
    handle.undo()
    assert pair_sends(client) == REAL
    assert not handle.active


def test_undo_twice_is_harmless(url: str) -> None:
    client = kms_client(url)
    handle = kmspair.accelerate(client)
    handle.undo()
    handle.undo()
    assert pair_sends(client) == REAL


def test_the_handle_undoes_when_its_with_block_ends(url: str) -> None:
    client = kms_client(url)
    with kmspair.accelerate(client) as handle:
        assert isinstance(handle, AccelerationHandle)
        assert handle.active
    assert pair_sends(client) == REAL


def test_undo_on_a_session_un_accelerates_its_clients_and_stops_accelerating_new_ones(
    url: str,
) -> None:
    session = boto3.Session(region_name=REGION, **CREDENTIALS)
    handle = kmspair.accelerate(session)
    made_while_active = session.client("kms", endpoint_url=url, config=NO_RETRIES)
    handle.undo()
    made_after = session.client("kms", endpoint_url=url, config=NO_RETRIES)
    assert pair_sends(made_while_active) == REAL
    assert pair_sends(made_after) == REAL


def test_two_handles_on_one_client_are_undone_independently(url: str) -> None:
    client = kms_client(url)
    first = kmspair.accelerate(client)
    second = kmspair.accelerate(client)
    first.undo()
    assert pair_sends(client) == ACCELERATED
    second.undo()
    assert pair_sends(client) == REAL


def test_the_handle_says_what_it_accelerates() -> None:
    handle = kmspair.accelerate(boto3.Session(region_name=REGION, **CREDENTIALS))
    assert repr(handle) == "<AccelerationHandle session active>"
    handle.undo()
    assert repr(handle) == "<AccelerationHandle session undone>"


@pytest.mark.parametrize("target", [None, "kms", 42, object(), boto3, botocore.session], ids=repr)
def test_anything_but_a_client_or_a_session_is_a_type_error(target: object) -> None:
    with pytest.raises(TypeError, match="accelerate\\(\\) takes a boto3/botocore KMS client"):
        kmspair.accelerate(target)


def test_a_client_of_another_service_is_a_value_error() -> None:
    s3 = boto3.client("s3", region_name=REGION, **CREDENTIALS)
    with pytest.raises(ValueError, match="needs a KMS client; this is a 's3' client"):
        kmspair.accelerate(s3)


def test_a_pool_argument_configures_the_key_pool(url: str) -> None:
    client = kms_client(url)
    try:
        kmspair.accelerate(client, pool={"ECC_NIST_P384": 3})
        assert kmspair.pool_stats()["ECC_NIST_P384"]["capacity"] == 3
        assert pair_sends(client) == ACCELERATED
    finally:
        kmspair.configure_pool(None)


def test_a_bad_target_configures_no_pool() -> None:
    with pytest.raises(TypeError):
        kmspair.accelerate(42, pool={"ECC_NIST_P256": 3})
    # A spec an earlier test pooled stays listed, at capacity 0, once its pool is off.
    assert kmspair.pool_stats().get("ECC_NIST_P256", {"capacity": 0})["capacity"] == 0
