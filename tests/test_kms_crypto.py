"""Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext) and GenerateRandom as AWS KMS
does them (behaviour spec §5, §6, §9).

Every ``kms`` test runs through ``kmspair.client`` and ``kmspair.boto3_client``. Both validate
parameters client-side as botocore does (required members, types, ``min``), so a value botocore
refuses is a ``ParamValidationError`` for a boto3 user; the server's Coral message for such a
value is what a botocore client with ``parameter_validation=False`` sees.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ParamValidationError

import kmspair
from conftest import ACCOUNT, REGION, error_of

MATERIAL_ID = re.compile(r"^[0-9a-f]{64}$")
CONTEXT = {"order": "42", "tenant": "acme"}


@pytest.fixture
def unvalidated(tmp_path: Path) -> Any:
    """A botocore client that leaves every parameter check to the server."""
    client = kmspair.boto3_client(
        region_name=REGION,
        account_id=ACCOUNT,
        home=tmp_path / "unvalidated",
        config=Config(parameter_validation=False),
    )
    yield client
    client.close()


def encrypt(kms: Any, key: dict[str, Any], plaintext: bytes = b"secret", **params: Any) -> bytes:
    blob: bytes = kms.encrypt(KeyId=key["KeyId"], Plaintext=plaintext, **params)["CiphertextBlob"]
    return blob


# Encrypt / Decrypt


def test_encrypt_then_decrypt_returns_the_plaintext(kms: Any, key: dict[str, Any]) -> None:
    blob = encrypt(kms, key, b"order 42")
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"order 42"


def test_encrypt_then_decrypt_with_an_encryption_context(kms: Any, key: dict[str, Any]) -> None:
    blob = encrypt(kms, key, b"order 42", EncryptionContext=CONTEXT)
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=CONTEXT)["Plaintext"] == b"order 42"


def test_decrypt_accepts_the_context_pairs_in_any_order(kms: Any, key: dict[str, Any]) -> None:
    blob = encrypt(kms, key, EncryptionContext={"a": "1", "b": "2", "c": "3"})
    reordered = {"c": "3", "a": "1", "b": "2"}
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=reordered)["Plaintext"] == b"secret"


def test_an_empty_encryption_context_is_the_same_as_none(kms: Any, key: dict[str, Any]) -> None:
    with_empty = encrypt(kms, key, EncryptionContext={})
    without = encrypt(kms, key)
    assert kms.decrypt(CiphertextBlob=with_empty)["Plaintext"] == b"secret"
    assert kms.decrypt(CiphertextBlob=without, EncryptionContext={})["Plaintext"] == b"secret"


def test_encrypt_returns_the_key_arn_and_algorithm_whatever_the_key_id_form(
    kms: Any, key: dict[str, Any]
) -> None:
    kms.create_alias(AliasName="alias/crypto", TargetKeyId=key["KeyId"])
    for key_id in (key["KeyId"], key["Arn"], "alias/crypto"):
        response = kms.encrypt(KeyId=key_id, Plaintext=b"x")
        assert response["KeyId"] == key["Arn"]
        assert response["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"


def test_encrypting_twice_gives_different_ciphertexts(kms: Any, key: dict[str, Any]) -> None:
    assert encrypt(kms, key) != encrypt(kms, key)


def test_decrypt_returns_the_key_arn_algorithm_and_key_material_id(
    kms: Any, key: dict[str, Any]
) -> None:
    response = kms.decrypt(CiphertextBlob=encrypt(kms, key))
    assert response["KeyId"] == key["Arn"]
    assert response["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert response["KeyMaterialId"] == key["CurrentKeyMaterialId"]
    assert MATERIAL_ID.match(response["KeyMaterialId"])


@pytest.mark.parametrize(
    "given",
    [
        pytest.param(None, id="missing"),
        pytest.param({**CONTEXT, "extra": "1"}, id="extra"),
        pytest.param({"order": "42"}, id="pair-dropped"),
        pytest.param({"order": "43", "tenant": "acme"}, id="value-changed"),
        pytest.param({"Order": "42", "tenant": "acme"}, id="key-case-changed"),
        pytest.param({"order": "42", "tenant": "ACME"}, id="value-case-changed"),
        pytest.param({"order": "acme", "tenant": "42"}, id="values-swapped"),
        pytest.param({"order4": "2", "tenant": "acme"}, id="boundary-moved"),
    ],
)
def test_decrypt_with_a_different_context_is_invalid_ciphertext_without_message(
    kms: Any, key: dict[str, Any], given: dict[str, str] | None
) -> None:
    blob = encrypt(kms, key, EncryptionContext=CONTEXT)
    params: dict[str, Any] = {"CiphertextBlob": blob}
    if given is not None:
        params["EncryptionContext"] = given
    assert error_of(lambda: kms.decrypt(**params)) == ("InvalidCiphertextException", "")


def test_decrypt_with_a_context_when_none_was_given_is_invalid_ciphertext(
    kms: Any, key: dict[str, Any]
) -> None:
    blob = encrypt(kms, key)
    assert error_of(lambda: kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})) == (
        "InvalidCiphertextException",
        "",
    )


def test_concatenation_equal_contexts_do_not_open_each_others_ciphertexts(
    kms: Any, key: dict[str, Any]
) -> None:
    blob = encrypt(kms, key, EncryptionContext={"ab": "c"})
    assert error_of(lambda: kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "bc"})) == (
        "InvalidCiphertextException",
        "",
    )


def damage(blob: bytes, how: str) -> bytes:
    if how == "flipped":
        middle = bytearray(blob)
        middle[len(blob) // 2] ^= 0x01
        return bytes(middle)
    if how == "flipped-last":
        last = bytearray(blob)
        last[-1] ^= 0x80
        return bytes(last)
    if how == "truncated":
        return blob[:-1]
    if how == "extended":
        return blob + b"\x00"
    if how == "first-byte":
        return bytes([blob[0] ^ 0xFF]) + blob[1:]
    if how == "garbage":
        return b"not a ciphertext blob at all"
    raise AssertionError(how)


@pytest.mark.parametrize(
    "how", ["flipped", "flipped-last", "truncated", "extended", "first-byte", "garbage"]
)
def test_decrypt_of_a_damaged_blob_is_invalid_ciphertext_without_message(
    kms: Any, key: dict[str, Any], how: str
) -> None:
    blob = damage(encrypt(kms, key), how)
    assert error_of(lambda: kms.decrypt(CiphertextBlob=blob)) == ("InvalidCiphertextException", "")


def test_decrypt_with_a_key_id_naming_another_key_is_incorrect_key(
    kms: Any, key: dict[str, Any]
) -> None:
    other = kms.create_key()["KeyMetadata"]
    blob = encrypt(kms, key)
    assert error_of(lambda: kms.decrypt(CiphertextBlob=blob, KeyId=other["KeyId"])) == (
        "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.",
    )


@pytest.mark.parametrize("form", ["KeyId", "Arn", "alias"])
def test_decrypt_with_a_key_id_naming_the_right_key_in_any_form_succeeds(
    kms: Any, key: dict[str, Any], form: str
) -> None:
    kms.create_alias(AliasName="alias/right", TargetKeyId=key["KeyId"])
    key_id = "alias/right" if form == "alias" else key[form]
    blob = encrypt(kms, key)
    assert kms.decrypt(CiphertextBlob=blob, KeyId=key_id)["Plaintext"] == b"secret"


def test_decrypt_of_a_blob_whose_key_does_not_exist_here_is_access_denied(
    kms: Any, key: dict[str, Any], tmp_path: Path
) -> None:
    elsewhere = kmspair.client(region_name=REGION, account_id=ACCOUNT, home=tmp_path / "other")
    try:
        foreign_key = elsewhere.create_key()["KeyMetadata"]["KeyId"]
        blob = elsewhere.encrypt(KeyId=foreign_key, Plaintext=b"x")["CiphertextBlob"]
    finally:
        elsewhere.close()
    assert error_of(lambda: kms.decrypt(CiphertextBlob=blob)) == (
        "AccessDeniedException",
        "The ciphertext refers to a customer master key that does not exist, does not exist in "
        "this region, or you are not allowed to access.",
    )


def test_encrypt_accepts_a_4096_byte_plaintext(kms: Any, key: dict[str, Any]) -> None:
    blob = encrypt(kms, key, b"\xa5" * 4096)
    assert len(blob) <= 6144
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"\xa5" * 4096


def test_encrypt_refuses_a_plaintext_over_4096_bytes_without_echoing_it(
    kms: Any, key: dict[str, Any]
) -> None:
    assert error_of(lambda: encrypt(kms, key, b"\x00" * 4097)) == (
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length less than or equal to 4096",
    )


def test_encrypt_of_an_empty_plaintext_is_refused_without_echoing_it(
    kms: Any, key: dict[str, Any]
) -> None:
    # botocore checks no blob length client-side, so this is the server's message.
    assert error_of(lambda: encrypt(kms, key, b"")) == (
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
    )


def test_encrypt_with_dry_run_is_dry_run_operation(kms: Any, key: dict[str, Any]) -> None:
    assert error_of(lambda: encrypt(kms, key, DryRun=True)) == (
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    )


def test_decrypt_with_dry_run_is_dry_run_operation(kms: Any, key: dict[str, Any]) -> None:
    blob = encrypt(kms, key)
    assert error_of(lambda: kms.decrypt(CiphertextBlob=blob, DryRun=True)) == (
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    )


# ReEncrypt


def test_re_encrypt_moves_a_ciphertext_to_another_key_and_context(
    kms: Any, key: dict[str, Any]
) -> None:
    destination = kms.create_key()["KeyMetadata"]
    blob = encrypt(kms, key, b"moving", EncryptionContext={"from": "a"})
    response = kms.re_encrypt(
        CiphertextBlob=blob,
        SourceEncryptionContext={"from": "a"},
        DestinationKeyId=destination["KeyId"],
        DestinationEncryptionContext={"to": "b"},
    )
    assert response["SourceKeyId"] == key["Arn"]
    assert response["KeyId"] == destination["Arn"]
    assert response["SourceEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert response["DestinationEncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    opened = kms.decrypt(CiphertextBlob=response["CiphertextBlob"], EncryptionContext={"to": "b"})
    assert (opened["Plaintext"], opened["KeyId"]) == (b"moving", destination["Arn"])


def test_re_encrypt_with_the_wrong_source_context_is_invalid_ciphertext(
    kms: Any, key: dict[str, Any]
) -> None:
    blob = encrypt(kms, key, EncryptionContext={"from": "a"})
    assert error_of(
        lambda: kms.re_encrypt(
            CiphertextBlob=blob, SourceEncryptionContext={"from": "b"}, DestinationKeyId=key["Arn"]
        )
    ) == ("InvalidCiphertextException", "")


def test_re_encrypt_to_a_disabled_key_is_disabled(kms: Any, key: dict[str, Any]) -> None:
    destination = kms.create_key()["KeyMetadata"]
    kms.disable_key(KeyId=destination["KeyId"])
    blob = encrypt(kms, key)
    assert error_of(
        lambda: kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])
    ) == ("DisabledException", f"{destination['Arn']} is disabled.")


# GenerateDataKey / GenerateDataKeyWithoutPlaintext


@pytest.mark.parametrize(("spec", "size"), [("AES_256", 32), ("AES_128", 16)])
def test_generate_data_key_spec_gives_a_key_of_its_size(
    kms: Any, key: dict[str, Any], spec: str, size: int
) -> None:
    response = kms.generate_data_key(KeyId=key["KeyId"], KeySpec=spec)
    assert len(response["Plaintext"]) == size


@pytest.mark.parametrize("count", [1, 7, 64, 1024])
def test_generate_data_key_number_of_bytes_gives_that_many_bytes(
    kms: Any, key: dict[str, Any], count: int
) -> None:
    response = kms.generate_data_key(KeyId=key["KeyId"], NumberOfBytes=count)
    assert len(response["Plaintext"]) == count


def test_generate_data_key_ciphertext_decrypts_to_its_plaintext(
    kms: Any, key: dict[str, Any]
) -> None:
    response = kms.generate_data_key(
        KeyId=key["KeyId"], KeySpec="AES_256", EncryptionContext=CONTEXT
    )
    opened = kms.decrypt(CiphertextBlob=response["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert opened["Plaintext"] == response["Plaintext"]
    assert opened["KeyMaterialId"] == response["KeyMaterialId"]


def test_generate_data_key_returns_the_key_arn_and_key_material_id(
    kms: Any, key: dict[str, Any]
) -> None:
    kms.create_alias(AliasName="alias/dk", TargetKeyId=key["KeyId"])
    response = kms.generate_data_key(KeyId="alias/dk", KeySpec="AES_256")
    assert response["KeyId"] == key["Arn"]
    assert response["KeyMaterialId"] == key["CurrentKeyMaterialId"]


def test_generate_data_key_gives_new_keys_each_time(kms: Any, key: dict[str, Any]) -> None:
    keys = {kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")["Plaintext"]}
    keys.add(kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256")["Plaintext"])
    assert len(keys) == 2


@pytest.mark.parametrize("operation", ["generate_data_key", "generate_data_key_without_plaintext"])
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="neither"),
        pytest.param({"KeySpec": "AES_256", "NumberOfBytes": 32}, id="both"),
    ],
)
def test_generate_data_key_needs_exactly_one_of_key_spec_and_number_of_bytes(
    kms: Any, key: dict[str, Any], operation: str, params: dict[str, Any]
) -> None:
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key["KeyId"], **params)) == (
        "ValidationException",
        "Please specify either number of bytes or key spec.",
    )


def test_generate_data_key_without_plaintext_has_no_plaintext(
    kms: Any, key: dict[str, Any]
) -> None:
    response = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], KeySpec="AES_128")
    assert "Plaintext" not in response
    assert response["KeyId"] == key["Arn"]
    assert MATERIAL_ID.match(response["KeyMaterialId"])
    assert len(kms.decrypt(CiphertextBlob=response["CiphertextBlob"])["Plaintext"]) == 16


def test_generate_data_key_number_of_bytes_over_1024_is_refused(
    kms: Any, key: dict[str, Any]
) -> None:
    assert error_of(lambda: kms.generate_data_key(KeyId=key["KeyId"], NumberOfBytes=1025)) == (
        "ValidationException",
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy "
        "constraint: Member must have value less than or equal to 1024",
    )


def test_generate_data_key_with_an_unknown_key_spec_is_refused(
    kms: Any, key: dict[str, Any]
) -> None:
    assert error_of(lambda: kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_512")) == (
        "ValidationException",
        "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy "
        "constraint: Member must satisfy enum value set: [AES_256, AES_128]",
    )


def test_generate_data_key_with_a_signing_key_is_invalid_key_usage(kms: Any) -> None:
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert error_of(lambda: kms.generate_data_key(KeyId=signing["KeyId"], KeySpec="AES_256")) == (
        "InvalidKeyUsageException",
        f"{signing['Arn']} key usage is SIGN_VERIFY which is not valid for GenerateDataKey.",
    )


# GenerateRandom


@pytest.mark.parametrize("count", [1, 32, 1024])
def test_generate_random_gives_that_many_bytes(kms: Any, count: int) -> None:
    assert len(kms.generate_random(NumberOfBytes=count)["Plaintext"]) == count


def test_generate_random_gives_new_bytes_each_time(kms: Any) -> None:
    first = kms.generate_random(NumberOfBytes=32)["Plaintext"]
    assert kms.generate_random(NumberOfBytes=32)["Plaintext"] != first


def test_generate_random_without_number_of_bytes_is_required(kms: Any) -> None:
    # NumberOfBytes is optional in the model, so botocore lets it through to the server.
    assert error_of(lambda: kms.generate_random()) == (
        "ValidationException",
        "NumberOfBytes is required.",
    )


def test_generate_random_of_1025_bytes_is_refused(kms: Any) -> None:
    # botocore does not check ``max`` client-side: the server's message comes back.
    assert error_of(lambda: kms.generate_random(NumberOfBytes=1025)) == (
        "ValidationException",
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy "
        "constraint: Member must have value less than or equal to 1024",
    )


def test_generate_random_of_0_bytes_is_refused_by_botocore(kms: Any) -> None:
    # botocore checks ``min`` client-side, so a boto3 user never reaches the server.
    with pytest.raises(ParamValidationError):
        kms.generate_random(NumberOfBytes=0)


def test_generate_random_of_0_bytes_is_refused_by_the_server(unvalidated: Any) -> None:
    assert error_of(lambda: unvalidated.generate_random(NumberOfBytes=0)) == (
        "ValidationException",
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1",
    )


def test_encrypt_without_key_id_is_refused_by_the_server(unvalidated: Any) -> None:
    assert error_of(lambda: unvalidated.encrypt(Plaintext=b"x")) == (
        "ValidationException",
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: "
        "Member must not be null",
    )
