"""``kmspair.client`` and ``kmspair.boto3_client`` behave as a boto3 KMS client does.

Most behaviours are checked through both clients (the ``kms`` fixture): the in-process client
must be indistinguishable from the genuine botocore client served in process.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.httpsession
import pytest
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    InvalidRegionError,
    NoRegionError,
    OperationNotPageableError,
    ParamValidationError,
)
from botocore.utils import parse_timestamp

import kmspair
from kmspair.kms.boto3_client import boto3_client
from kmspair.kms.client import KMSClient, client

REGION = "us-east-1"
ACCOUNT = "111122223333"
SPECS = ", ".join(kmspair.KEY_PAIR_SPECS)
CLIENTS = ("client", "boto3_client")


def make_client(kind: str, home: Path, region: str = REGION) -> Any:
    if kind == "client":
        return client(region_name=region, account_id=ACCOUNT, home=home)
    return boto3_client(region_name=region, account_id=ACCOUNT, home=home)


@pytest.fixture(params=CLIENTS)
def kms(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    kms_client = make_client(str(request.param), tmp_path)
    yield kms_client
    kms_client.close()


@pytest.fixture
def key_id(kms: Any) -> str:
    return str(kms.create_key(Description="orders")["KeyMetadata"]["KeyId"])


def client_error(call: Any, **kwargs: Any) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value


def test_a_data_key_pair_is_generated_through_an_alias(kms: Any, key_id: str) -> None:
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key_id)
    pair = kms.generate_data_key_pair(
        KeyId="alias/orders", KeyPairSpec="ECC_NIST_P256", EncryptionContext={"order": "42"}
    )
    assert pair["KeyId"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
    assert pair["KeyPairSpec"] == "ECC_NIST_P256"
    plain = kms.decrypt(
        CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext={"order": "42"}
    )
    assert plain["Plaintext"] == pair["PrivateKeyPlaintext"]


def test_response_blobs_are_bytes(kms: Any, key_id: str) -> None:
    pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    for member in ("PrivateKeyCiphertextBlob", "PrivateKeyPlaintext", "PublicKey"):
        assert type(pair[member]) is bytes


def test_response_timestamps_are_aware_datetimes(kms: Any, key_id: str) -> None:
    created = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CreationDate"]
    assert isinstance(created, datetime.datetime)
    assert created.tzinfo is not None


def test_response_timestamps_are_in_the_local_time_zone_as_botocore_parses_them(
    kms: Any, key_id: str
) -> None:
    created = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CreationDate"]
    parsed_by_botocore = parse_timestamp(created.timestamp())
    assert type(created.tzinfo) is type(parsed_by_botocore.tzinfo)  # dateutil's tzlocal
    assert created.utcoffset() == parsed_by_botocore.utcoffset()


def test_every_response_has_response_metadata(kms: Any) -> None:
    metadata = kms.generate_random(NumberOfBytes=8)["ResponseMetadata"]
    uuid.UUID(metadata["RequestId"])
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RetryAttempts"] == 0
    assert metadata["HTTPHeaders"]["x-amzn-requestid"] == metadata["RequestId"]
    assert metadata["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"


def test_a_string_plaintext_is_encoded_as_utf8_as_botocore_does(kms: Any, key_id: str) -> None:
    blob = kms.encrypt(KeyId=key_id, Plaintext="héllo")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == "héllo".encode()


def test_a_missing_key_id_fails_botocore_validation_before_any_request(kms: Any) -> None:
    with pytest.raises(ParamValidationError) as caught:
        kms.generate_data_key_pair(KeyPairSpec="ECC_NIST_P256")
    assert 'Missing required parameter in input: "KeyId"' in str(caught.value)


def test_an_unknown_parameter_fails_botocore_validation(kms: Any, key_id: str) -> None:
    with pytest.raises(ParamValidationError) as caught:
        kms.describe_key(KeyId=key_id, Colour="blue")
    assert 'Unknown parameter in input: "Colour"' in str(caught.value)


def test_botocore_checks_integer_ranges_before_the_server_does(kms: Any) -> None:
    with pytest.raises(ParamValidationError) as caught:
        kms.generate_random(NumberOfBytes=0)
    assert "valid min value: 1" in str(caught.value)


def test_an_unknown_key_pair_spec_is_a_validation_exception(kms: Any, key_id: str) -> None:
    error = client_error(kms.generate_data_key_pair, KeyId=key_id, KeyPairSpec="RSA_1024")
    # The KMS model declares no ValidationException, so botocore raises plain ClientError.
    assert type(error) is ClientError
    assert error.response["Error"] == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value 'RSA_1024' at 'keyPairSpec' failed to "
        f"satisfy constraint: Member must satisfy enum value set: [{SPECS}]",
    }
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_missing_key_is_a_catchable_not_found_exception(kms: Any) -> None:
    missing = "1234abcd-12ab-34cd-56ef-1234567890ab"
    with pytest.raises(kms.exceptions.NotFoundException) as caught:
        kms.generate_data_key_pair(KeyId=missing, KeyPairSpec="ECC_NIST_P256")
    error = caught.value
    assert isinstance(error, ClientError)
    message = f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{missing}' does not exist"
    assert error.response["Error"] == {"Code": "NotFoundException", "Message": message}
    assert error.operation_name == "GenerateDataKeyPair"
    assert str(error) == (
        "An error occurred (NotFoundException) when calling the GenerateDataKeyPair "
        f"operation: {message}"
    )


def test_an_error_without_message_has_an_empty_message(kms: Any, key_id: str) -> None:
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"p", EncryptionContext={"a": "b"})
    error = client_error(kms.decrypt, CiphertextBlob=blob["CiphertextBlob"])
    assert isinstance(error, kms.exceptions.InvalidCiphertextException)
    assert error.response["Error"] == {"Code": "InvalidCiphertextException", "Message": ""}
    assert "message" not in error.response


def test_modeled_errors_carry_the_message_member_as_botocore_parses_it(kms: Any) -> None:
    error = client_error(kms.describe_key, KeyId="fake-key-id")
    assert error.response["message"] == "Invalid keyId 'fake-key-id'"


def test_both_clients_build_the_same_error_response(tmp_path: Path) -> None:
    responses = []
    for kind in CLIENTS:
        kms_client = make_client(kind, tmp_path / kind)
        responses.append(client_error(kms_client.describe_key, KeyId="fake-key-id").response)
        kms_client.close()
    in_process, genuine = responses
    assert in_process.keys() == genuine.keys()
    assert in_process["Error"] == genuine["Error"]
    in_meta, genuine_meta = in_process["ResponseMetadata"], genuine["ResponseMetadata"]
    assert in_meta.keys() == genuine_meta.keys()
    assert in_meta["HTTPStatusCode"] == genuine_meta["HTTPStatusCode"] == 400


def test_the_region_is_in_meta(kms: Any) -> None:
    assert kms.meta.region_name == REGION


def test_list_keys_can_be_paginated(kms: Any) -> None:
    created = {kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)}
    assert kms.can_paginate("list_keys")
    pages = list(kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1}))
    assert len(pages) >= 3
    assert {key["KeyId"] for page in pages for key in page["Keys"]} == created


def test_create_key_cannot_be_paginated(kms: Any) -> None:
    assert not kms.can_paginate("create_key")
    with pytest.raises(OperationNotPageableError):
        kms.get_paginator("create_key")


def test_the_in_process_client_rejects_positional_arguments(tmp_path: Path) -> None:
    kms_client = client(region_name=REGION, home=tmp_path)
    with pytest.raises(TypeError, match=r"describe_key\(\) only accepts keyword arguments"):
        kms_client.describe_key("alias/x")


def test_the_in_process_client_has_a_method_per_implemented_operation(tmp_path: Path) -> None:
    kms_client = client(region_name=REGION, home=tmp_path)
    for method in ("create_key", "generate_data_key_pair", "generate_random", "list_aliases"):
        assert callable(getattr(kms_client, method))


def test_exception_classes_are_shared_between_in_process_clients(tmp_path: Path) -> None:
    first = client(region_name=REGION, home=tmp_path / "a")
    second = client(region_name=REGION, home=tmp_path / "b")
    assert first.exceptions.NotFoundException is second.exceptions.NotFoundException


def test_the_in_process_repr_names_region_and_account_only(tmp_path: Path) -> None:
    kms_client = client(region_name=REGION, home=tmp_path)
    assert repr(kms_client) == (
        f"<kmspair.KMSClient region_name='{REGION}' account_id='{ACCOUNT}'>"
    )


def test_the_region_defaults_to_botocores_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert isinstance(client(home=tmp_path), KMSClient)
    assert client(home=tmp_path).meta.region_name == "eu-west-1"


def test_no_region_anywhere_is_no_region_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    with pytest.raises(NoRegionError):
        client(home=tmp_path)


def test_the_boto3_client_raises_botocores_own_exception_classes(tmp_path: Path) -> None:
    kms_client = boto3_client(region_name=REGION, home=tmp_path)
    error = client_error(kms_client.describe_key, KeyId="fake-key-id")
    assert type(error).__module__ == "botocore.errorfactory"
    assert isinstance(error, kms_client.exceptions.NotFoundException)


def test_the_boto3_client_never_sends_a_request_over_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("kmspair.boto3_client tried to send a request over the network")

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", no_network)
    kms_client = boto3_client(region_name=REGION, home=tmp_path)
    kms_client.generate_random(NumberOfBytes=4)
    client_error(kms_client.describe_key, KeyId="fake-key-id")


def test_both_clients_share_one_keystore_home(tmp_path: Path) -> None:
    key_id = client(region_name=REGION, home=tmp_path).create_key()["KeyMetadata"]["KeyId"]
    described = boto3_client(region_name=REGION, home=tmp_path).describe_key(KeyId=key_id)
    assert described["KeyMetadata"]["KeyId"] == key_id


def test_a_wrong_type_on_the_wire_is_a_serialization_exception(tmp_path: Path) -> None:
    kms_client = boto3_client(
        region_name=REGION, home=tmp_path, config=Config(parameter_validation=False)
    )
    error = client_error(kms_client.describe_key, KeyId=5)
    assert error.response["Error"] == {
        "Code": "SerializationException",
        "Message": "Expected a string at 'keyId', got a number.",
    }


def test_server_validation_answers_when_botocore_validation_is_off(tmp_path: Path) -> None:
    kms_client = boto3_client(
        region_name=REGION, home=tmp_path, config=Config(parameter_validation=False)
    )
    error = client_error(kms_client.generate_random, NumberOfBytes=1025)
    assert error.response["Error"]["Message"] == (
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy "
        "constraint: Member must have value less than or equal to 1024"
    )


def member_orders(value: Any) -> Any:
    """The keys of every dict in ``value``, in order, nested as the value is."""
    if isinstance(value, dict):
        return [(name, member_orders(item)) for name, item in value.items()]
    if isinstance(value, list):
        return [member_orders(item) for item in value]
    return None


def test_response_members_come_in_the_order_botocore_parses_them(tmp_path: Path) -> None:
    in_process = make_client("client", tmp_path)
    genuine = make_client("boto3_client", tmp_path)
    key = in_process.create_key(Description="orders", Tags=[{"TagKey": "a", "TagValue": "b"}])
    key_id = key["KeyMetadata"]["KeyId"]
    in_process.create_alias(AliasName="alias/orders", TargetKeyId=key_id)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("describe_key", {"KeyId": key_id}),
        ("generate_data_key_pair", {"KeyId": key_id, "KeyPairSpec": "ECC_NIST_P256"}),
        ("generate_data_key", {"KeyId": key_id, "KeySpec": "AES_256"}),
        ("encrypt", {"KeyId": key_id, "Plaintext": b"x"}),
        ("list_keys", {}),
        ("list_aliases", {}),
        ("get_key_policy", {"KeyId": key_id, "PolicyName": "default"}),
    ]
    try:
        for method, params in calls:
            ours = getattr(in_process, method)(**params)
            theirs = getattr(genuine, method)(**params)
            ours.pop("ResponseMetadata")
            theirs.pop("ResponseMetadata")
            assert member_orders(ours) == member_orders(theirs), method
    finally:
        in_process.close()
        genuine.close()


@pytest.mark.parametrize("factory", [client, boto3_client])
def test_a_region_name_botocore_refuses_is_refused_at_creation(
    factory: Any, tmp_path: Path
) -> None:
    with pytest.raises(InvalidRegionError):
        factory(region_name="bad region", home=tmp_path)


@pytest.mark.parametrize("factory", [client, boto3_client])
@pytest.mark.parametrize("account_id", ["abc", "12345678901", "1234567890123", 123456789012])
def test_an_account_id_that_is_not_12_digits_is_refused_at_creation(
    factory: Any, account_id: Any, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="account_id must be a string of 12 digits"):
        factory(region_name="us-east-1", account_id=account_id, home=tmp_path)
    assert not (tmp_path / "keystore.sqlite3").exists()
