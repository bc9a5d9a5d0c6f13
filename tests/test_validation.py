"""Server-side request validation: Coral's messages as real AWS KMS sends them (spec §1, §2, §6)."""

from __future__ import annotations

import datetime
import random
import re
from typing import Any

import pytest
from model_values import variations

import kmspair
from kmspair.kms.errors import KMSError
from kmspair.kms.model import operation_model, operation_names, service_model
from kmspair.kms.validation import accepts, check_in_full, validate

SPECS = ", ".join(kmspair.KEY_PAIR_SPECS)
VALID_PAIR = {"KeyId": "alias/orders", "KeyPairSpec": "ECC_NIST_P256"}
VALIDATED_OPERATIONS = [
    name for name in operation_names() if operation_model(name).input_shape is not None
]


def validation_message(operation: str, params: dict[str, Any]) -> str:
    with pytest.raises(KMSError) as caught:
        validate(operation, params)
    assert caught.value.code == "ValidationException"
    assert caught.value.status == 400
    assert caught.value.message is not None
    return caught.value.message


def serialization_error(operation: str, params: dict[str, Any]) -> KMSError:
    with pytest.raises(KMSError) as caught:
        validate(operation, params)
    assert caught.value.code == "SerializationException"
    return caught.value


def test_a_valid_request_passes() -> None:
    validate("GenerateDataKeyPair", dict(VALID_PAIR, GrantTokens=["t"], DryRun=True))


def test_an_operation_without_required_members_accepts_an_empty_request() -> None:
    validate("ListKeys", {})


def test_an_unknown_key_pair_spec_lists_the_nine_specs() -> None:
    message = validation_message("GenerateDataKeyPair", dict(VALID_PAIR, KeyPairSpec="RSA_1024"))
    assert message == (
        "1 validation error detected: Value 'RSA_1024' at 'keyPairSpec' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{SPECS}]"
    )


def test_the_key_pair_spec_enum_leaves_out_the_ml_kem_values_of_newer_models() -> None:
    message = validation_message(
        "GenerateDataKeyPairWithoutPlaintext", dict(VALID_PAIR, KeyPairSpec="ML_KEM_512")
    )
    assert "Value 'ML_KEM_512' at 'keyPairSpec'" in message
    assert "ML_KEM" not in message.split("enum value set:")[1]


def test_a_missing_required_member_is_null() -> None:
    message = validation_message("GenerateDataKeyPair", {"KeyPairSpec": "RSA_2048"})
    assert message == (
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_none_counts_as_a_missing_member() -> None:
    message = validation_message("GenerateDataKeyPair", {"KeyId": None, "KeyPairSpec": "SM2"})
    assert "Value null at 'keyId'" in message


def test_all_violations_are_listed_in_model_member_order() -> None:
    message = validation_message("GenerateDataKeyPair", {"KeyPairSpec": "RSA_1024"})
    assert message == (
        "2 validation errors detected: "
        "Value null at 'keyId' failed to satisfy constraint: Member must not be null; "
        "Value 'RSA_1024' at 'keyPairSpec' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{SPECS}]"
    )


def test_an_empty_key_id_is_too_short() -> None:
    message = validation_message("DescribeKey", {"KeyId": ""})
    assert message == (
        "1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_a_key_id_over_2048_characters_is_too_long() -> None:
    message = validation_message("DescribeKey", {"KeyId": "k" * 2049})
    assert message.endswith(
        "at 'keyId' failed to satisfy constraint: "
        "Member must have length less than or equal to 2048"
    )


def test_more_than_ten_grant_tokens_violate_the_list_length() -> None:
    message = validation_message("GenerateDataKeyPair", dict(VALID_PAIR, GrantTokens=["t"] * 11))
    assert message == (
        "1 validation error detected: Value '[t, t, t, t, t, t, t, t, t, t, t]' at 'grantTokens' "
        "failed to satisfy constraint: Member must have length less than or equal to 10"
    )


def test_a_list_element_is_addressed_by_its_one_based_position() -> None:
    message = validation_message("GenerateDataKeyPair", dict(VALID_PAIR, GrantTokens=["t", ""]))
    assert message == (
        "1 validation error detected: Value '' at 'grantTokens.2.member' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1"
    )


def test_number_of_bytes_below_one_is_echoed_in_quotes() -> None:
    assert validation_message("GenerateRandom", {"NumberOfBytes": 0}) == (
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_number_of_bytes_above_1024_is_too_large() -> None:
    assert validation_message("GenerateRandom", {"NumberOfBytes": 1025}) == (
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy "
        "constraint: Member must have value less than or equal to 1024"
    )


def test_a_blob_value_is_not_echoed() -> None:
    message = validation_message("Encrypt", {"KeyId": "k", "Plaintext": b"x" * 4097})
    assert message == (
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096"
    )


def test_an_empty_blob_is_too_short() -> None:
    message = validation_message("Decrypt", {"CiphertextBlob": b""})
    assert message.endswith(
        "Value at 'ciphertextBlob' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_a_sensitive_string_is_not_echoed() -> None:
    credential = {"AccessKeyId": "A" * 20, "RawSecretAccessKey": "short"}
    message = validation_message(
        "UpdateCustomKeyStore",
        {"CustomKeyStoreId": "cks-1", "XksProxyAuthenticationCredential": credential},
    )
    assert "short" not in message
    assert "Value at 'xksProxyAuthenticationCredential.rawSecretAccessKey'" in message


def test_an_alias_name_must_match_the_model_pattern() -> None:
    message = validation_message("CreateAlias", {"AliasName": "alias/a b", "TargetKeyId": "k"})
    assert message == (
        "1 validation error detected: Value 'alias/a b' at 'aliasName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
    )


def test_an_unanchored_pattern_must_match_the_whole_value() -> None:
    message = validation_message("CreateKey", {"Policy": "{}\x01"})
    assert "at 'policy' failed to satisfy constraint: Member must satisfy regular expression" in (
        message
    )


def test_pattern_and_length_violations_of_one_member_are_both_reported() -> None:
    message = validation_message("CreateAlias", {"AliasName": "", "TargetKeyId": "k"})
    assert message == (
        "2 validation errors detected: "
        "Value '' at 'aliasName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$; "
        "Value '' at 'aliasName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_every_pattern_in_the_kms_model_compiles() -> None:
    model = service_model()
    for name in model.shape_names:
        pattern = model.shape_for(name).metadata.get("pattern")
        if pattern is not None:
            re.compile(pattern, re.ASCII)


def test_nested_structure_members_are_addressed_by_dotted_path() -> None:
    message = validation_message(
        "GenerateDataKeyPair", dict(VALID_PAIR, Recipient={"KeyEncryptionAlgorithm": "RSA"})
    )
    assert message == (
        "1 validation error detected: Value 'RSA' at 'recipient.keyEncryptionAlgorithm' failed "
        "to satisfy constraint: Member must satisfy enum value set: [RSAES_OAEP_SHA_256]"
    )


def test_structures_inside_lists_combine_both_path_forms() -> None:
    message = validation_message("CreateKey", {"Tags": [{"TagKey": "", "TagValue": "v"}]})
    assert "Value '' at 'tags.1.member.tagKey' failed to satisfy constraint" in message


def test_a_required_member_of_a_nested_structure_must_not_be_null() -> None:
    message = validation_message("CreateKey", {"Tags": [{"TagKey": "k"}]})
    assert message == (
        "1 validation error detected: Value null at 'tags.1.member.tagValue' failed to satisfy "
        "constraint: Member must not be null"
    )


def test_create_key_spec_lists_the_real_order_then_newer_model_values() -> None:
    message = validation_message("CreateKey", {"KeySpec": "HMAC_random"})
    real = (
        "RSA_2048, ECC_NIST_P384, ECC_NIST_P256, ECC_NIST_P521, HMAC_384, RSA_3072, "
        "ECC_SECG_P256K1, RSA_4096, SYMMETRIC_DEFAULT, HMAC_256, HMAC_224, HMAC_512"
    )
    prefix = (
        "1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{real}"
    )
    assert message.startswith(prefix)
    newer = message[len(prefix) :].rstrip("]").split(", ")[1:]
    model_order = list(service_model().shape_for("KeySpec").enum)
    assert newer == [v for v in model_order if v not in real.split(", ")]


def test_unknown_members_are_ignored() -> None:
    validate("GenerateDataKeyPair", dict(VALID_PAIR, Unknown=5))


def test_a_number_where_a_string_belongs_is_a_serialization_error() -> None:
    error = serialization_error("GenerateDataKeyPair", {"KeyId": 5, "KeyPairSpec": "SM2"})
    assert error.message == "Expected a string at 'keyId', got a number."
    assert error.status == 400


def test_type_errors_win_over_constraint_violations() -> None:
    error = serialization_error("GenerateDataKeyPair", {"KeyPairSpec": "RSA_1024", "DryRun": "y"})
    assert error.message == "Expected a boolean at 'dryRun', got a string."


def test_a_boolean_is_not_an_integer() -> None:
    error = serialization_error("GenerateRandom", {"NumberOfBytes": True})
    assert error.message == "Expected an integer at 'numberOfBytes', got a boolean."


def test_a_string_where_a_blob_belongs_is_a_serialization_error() -> None:
    error = serialization_error("Decrypt", {"CiphertextBlob": "AAAA"})
    assert error.message is not None
    assert "'ciphertextBlob'" in error.message


def test_a_list_element_of_the_wrong_type_is_named_by_position() -> None:
    error = serialization_error("GenerateDataKeyPair", dict(VALID_PAIR, GrantTokens=["t", 7]))
    assert error.message == "Expected a string at 'grantTokens.2.member', got a number."


def test_a_non_string_encryption_context_value_is_a_serialization_error() -> None:
    error = serialization_error(
        "Encrypt", {"KeyId": "k", "Plaintext": b"p", "EncryptionContext": {"a": 1}}
    )
    assert error.message is not None
    assert "encryptionContext" in error.message


def test_an_unpaired_surrogate_in_a_string_is_a_serialization_error() -> None:
    error = serialization_error("DescribeKey", {"KeyId": "key-\ud800"})
    assert error.message == "Invalid string at 'keyId': it holds an unpaired surrogate."


def test_an_unpaired_surrogate_in_a_map_key_is_a_serialization_error() -> None:
    error = serialization_error(
        "GenerateDataKeyPair", dict(VALID_PAIR, EncryptionContext={"\udc80": "v"})
    )
    assert error.message == (
        "Invalid string at 'encryptionContext.1.key': it holds an unpaired surrogate."
    )


def test_a_surrogate_pair_is_ordinary_text() -> None:
    validate("GenerateDataKeyPair", dict(VALID_PAIR, EncryptionContext={"\U0001f511": "\u00e9"}))


def test_a_null_map_value_is_a_serialization_error() -> None:
    error = serialization_error(
        "GenerateDataKeyPair", dict(VALID_PAIR, EncryptionContext={"a": None})
    )
    assert error.message == "Expected a string at 'encryptionContext.1.value', got null."


def test_a_null_list_element_is_a_serialization_error() -> None:
    error = serialization_error("GenerateDataKeyPair", dict(VALID_PAIR, GrantTokens=["t", None]))
    assert error.message == "Expected a string at 'grantTokens.2.member', got null."


def test_a_null_structure_in_a_list_is_a_serialization_error() -> None:
    error = serialization_error("CreateKey", {"Tags": [None]})
    assert error.message == "Expected an object at 'tags.1.member', got null."


def test_a_timestamp_member_takes_a_datetime() -> None:
    params = {
        "KeyId": "k",
        "ImportToken": b"t",
        "EncryptedKeyMaterial": b"m",
        "ValidTo": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc),
        "ExpirationModel": "KEY_MATERIAL_EXPIRES",
    }
    validate("ImportKeyMaterial", params)


def test_an_unknown_operation_is_reported_as_such() -> None:
    with pytest.raises(KMSError) as caught:
        validate("MakeCoffee", {})
    assert caught.value.code == "UnknownOperationException"


# -- the fast yes agrees with the full check ------------------------------------------------------


def full_check_passes(operation: str, params: dict[str, Any]) -> bool:
    try:
        check_in_full(operation, params)
    except KMSError:
        return False
    return True


@pytest.mark.parametrize("operation", VALIDATED_OPERATIONS)
def test_the_fast_answer_is_the_full_checks_answer(operation: str) -> None:
    rng = random.Random(f"coral/{operation}")
    for params in variations(operation, rng, 300):
        assert accepts(operation, params) == full_check_passes(operation, params), params


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("GenerateDataKeyPair", {**VALID_PAIR, "EncryptionContext": {"a": "b"}, "DryRun": False}),
        ("Encrypt", {"KeyId": "alias/orders", "Plaintext": b"p", "GrantTokens": ["t"]}),
        ("Decrypt", {"CiphertextBlob": b"c" * 40, "EncryptionContext": {"a": "b"}}),
        ("CreateKey", {"Description": "d", "KeySpec": "SYMMETRIC_DEFAULT", "Tags": []}),
    ],
)
def test_typical_valid_requests_take_the_fast_yes(operation: str, params: dict[str, Any]) -> None:
    assert accepts(operation, params)
