"""The awsJson1_1 codec: request bodies in, response and error bodies out (spec §1)."""

from __future__ import annotations

import datetime
import json

import pytest

from kmspair.kms.errors import KMSError
from kmspair.kms.model import service_model
from kmspair.kms.wire import decode_request, encode_error, encode_response, operation_names


def serialization_error(operation: str, body: bytes) -> KMSError:
    with pytest.raises(KMSError) as caught:
        decode_request(operation, body)
    assert caught.value.code == "SerializationException"
    assert caught.value.status == 400
    return caught.value


def test_base64_blobs_decode_to_bytes() -> None:
    body = b'{"CiphertextBlob": "AAEC/w==", "KeyId": "k"}'
    assert decode_request("Decrypt", body) == {"CiphertextBlob": b"\x00\x01\x02\xff", "KeyId": "k"}


def test_strings_numbers_lists_and_maps_stay_as_json_gave_them() -> None:
    body = json.dumps(
        {
            "KeyId": "alias/a",
            "KeyPairSpec": "SM2",
            "GrantTokens": ["t1"],
            "EncryptionContext": {"k": "v"},
            "DryRun": False,
        }
    ).encode()
    assert decode_request("GenerateDataKeyPair", body) == json.loads(body)


def test_blobs_nested_in_structures_decode_too() -> None:
    body = b'{"KeyId": "k", "KeyPairSpec": "SM2", "Recipient": {"AttestationDocument": "aGk="}}'
    decoded = decode_request("GenerateDataKeyPair", body)
    assert decoded["Recipient"] == {"AttestationDocument": b"hi"}


def test_epoch_second_timestamps_decode_to_utc_datetimes() -> None:
    body = b'{"ValidTo": 1700000000.5}'
    assert decode_request("ImportKeyMaterial", body)["ValidTo"] == datetime.datetime(
        2023, 11, 14, 22, 13, 20, 500000, tzinfo=datetime.timezone.utc
    )


@pytest.mark.parametrize("seconds", [b"NaN", b"Infinity", b"1e300", b"-99999999999999"])
def test_a_timestamp_no_calendar_holds_is_a_serialization_error(seconds: bytes) -> None:
    error = serialization_error("ImportKeyMaterial", b'{"ValidTo": ' + seconds + b"}")
    assert error.message == "Value at 'validTo' is not a valid timestamp."


def test_a_wrong_json_type_is_kept_for_validation_to_report() -> None:
    assert decode_request("Decrypt", b'{"CiphertextBlob": 5}') == {"CiphertextBlob": 5}


def test_unknown_members_are_passed_through() -> None:
    assert decode_request("ListKeys", b'{"Extra": "x"}') == {"Extra": "x"}


def test_an_empty_body_is_an_empty_request() -> None:
    assert decode_request("ListKeys", b"") == {}


def test_malformed_json_is_a_serialization_error() -> None:
    serialization_error("ListKeys", b'{"Limit": ')


def test_a_body_that_is_not_utf8_is_a_serialization_error() -> None:
    serialization_error("ListKeys", b"\xff\xfe{")


def test_json_nested_deeper_than_the_parser_goes_is_a_serialization_error() -> None:
    serialization_error("ListKeys", b"[" * 100_000)


def test_a_json_array_body_is_a_serialization_error() -> None:
    serialization_error("ListKeys", b"[]")


def test_invalid_base64_is_a_serialization_error_naming_the_member() -> None:
    error = serialization_error("Decrypt", b'{"CiphertextBlob": "not base64!"}')
    assert error.message is not None
    assert "'ciphertextBlob'" in error.message


def test_unpadded_base64_is_a_serialization_error() -> None:
    serialization_error("Decrypt", b'{"CiphertextBlob": "AAE"}')


def test_an_unknown_operation_is_reported_as_such() -> None:
    with pytest.raises(KMSError) as caught:
        decode_request("MakeCoffee", b"{}")
    assert caught.value.code == "UnknownOperationException"


def test_response_bytes_encode_as_padded_base64() -> None:
    body = encode_response("GenerateRandom", {"Plaintext": b"\x00\x01"})
    assert json.loads(body) == {"Plaintext": "AAE="}


def test_response_datetimes_encode_as_epoch_seconds() -> None:
    created = datetime.datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=datetime.timezone.utc)
    body = encode_response("DescribeKey", {"KeyMetadata": {"KeyId": "k", "CreationDate": created}})
    assert json.loads(body) == {"KeyMetadata": {"KeyId": "k", "CreationDate": 1704164645.25}}


def test_nested_lists_encode_member_by_member() -> None:
    response = {"Keys": [{"KeyId": "a"}, {"KeyId": "b"}], "Truncated": False}
    assert json.loads(encode_response("ListKeys", response)) == response


def test_an_error_body_carries_type_and_message() -> None:
    body = encode_error(KMSError("NotFoundException", "Invalid keyId 'fake-key-id'"))
    assert json.loads(body) == {
        "__type": "NotFoundException",
        "message": "Invalid keyId 'fake-key-id'",
    }


def test_an_error_without_message_has_only_its_type() -> None:
    assert json.loads(encode_error(KMSError("InvalidCiphertextException"))) == {
        "__type": "InvalidCiphertextException"
    }


def test_a_response_holding_an_unpaired_surrogate_escapes_it() -> None:
    body = encode_error(KMSError("NotFoundException", "Invalid keyId '\ud800'"))
    assert body == b'{"__type":"NotFoundException","message":"Invalid keyId \'\\ud800\'"}'


def test_operation_names_are_the_models() -> None:
    names = operation_names()
    assert names == list(service_model().operation_names)
    assert "GenerateDataKeyPair" in names
