"""boto3 against a real ``kmspair serve`` endpoint: every operation of the local KMS once,
and the behaviour spec's error rows over the wire (status, ``__type``, message)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from kmspair.kms.service import OPERATIONS
from kmspair.server import Server
from kmspair.specs import KEY_PAIR_SPECS
from server_helpers import ACCOUNT, REGION, kms_client, server

__all__ = ["server"]  # the fixture, imported for pytest

CONTEXT = {"order": "42"}


@pytest.fixture
def kms(server: Server) -> Any:
    return kms_client(server.url)


@pytest.fixture
def key(kms: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = kms.create_key(Description="orders")["KeyMetadata"]
    return metadata


def failure(call: Callable[[], object]) -> tuple[int, str, str]:
    """(HTTP status, code, message) of the error response ``call`` gets."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"].get("Message", ""),
    )


def test_every_local_kms_operation_is_covered_below() -> None:
    covered = {
        "CreateKey", "DescribeKey", "ListKeys", "EnableKey", "DisableKey", "ScheduleKeyDeletion",
        "CancelKeyDeletion", "RotateKeyOnDemand", "ListKeyRotations", "GetKeyPolicy",
        "PutKeyPolicy", "CreateAlias", "UpdateAlias", "DeleteAlias", "ListAliases", "CreateGrant",
        "ListGrants", "RetireGrant", "RevokeGrant", "Encrypt", "Decrypt", "ReEncrypt",
        "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateRandom",
    }  # fmt: skip
    assert set(OPERATIONS) == covered


def test_create_key_answers_with_the_key_arn_in_the_callers_account_and_region(kms: Any) -> None:
    metadata = kms.create_key()["KeyMetadata"]
    assert metadata["Arn"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{metadata['KeyId']}"
    assert metadata["Enabled"] is True


def test_describe_key_returns_the_key(kms: Any, key: dict[str, Any]) -> None:
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Description"] == "orders"


def test_list_keys_lists_the_key(kms: Any, key: dict[str, Any]) -> None:
    assert [k["KeyArn"] for k in kms.list_keys()["Keys"]] == [key["Arn"]]


def test_disable_key_then_enable_key(kms: Any, key: dict[str, Any]) -> None:
    kms.disable_key(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
    kms.enable_key(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_schedule_key_deletion_then_cancel_key_deletion(kms: Any, key: dict[str, Any]) -> None:
    scheduled = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert scheduled["KeyState"] == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=key["KeyId"])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"


def test_rotate_key_on_demand_then_list_key_rotations(kms: Any, key: dict[str, Any]) -> None:
    kms.rotate_key_on_demand(KeyId=key["KeyId"])
    rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert [r["RotationType"] for r in rotations] == ["ON_DEMAND"]


def test_put_key_policy_then_get_key_policy(kms: Any, key: dict[str, Any]) -> None:
    policy = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=policy)
    assert kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"] == policy


def test_create_update_list_and_delete_aliases(kms: Any, key: dict[str, Any]) -> None:
    other = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    kms.update_alias(AliasName="alias/orders", TargetKeyId=other["KeyId"])
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases["alias/orders"] == other["KeyId"]
    kms.delete_alias(AliasName="alias/orders")
    assert "alias/orders" not in {a["AliasName"] for a in kms.list_aliases()["Aliases"]}


def test_create_list_retire_and_revoke_grants(kms: Any, key: dict[str, Any]) -> None:
    grantee = f"arn:aws:iam::{ACCOUNT}:role/app"
    first = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee, Operations=["Decrypt"])
    second = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee, Operations=["Encrypt"])
    listed = {g["GrantId"] for g in kms.list_grants(KeyId=key["KeyId"])["Grants"]}
    assert listed == {first["GrantId"], second["GrantId"]}
    kms.retire_grant(GrantToken=first["GrantToken"])
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=second["GrantId"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_encrypt_then_decrypt_returns_the_plaintext(kms: Any, key: dict[str, Any]) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret", EncryptionContext=CONTEXT)
    decrypted = kms.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext=CONTEXT)
    assert decrypted["Plaintext"] == b"secret"
    assert decrypted["KeyId"] == key["Arn"]


def test_re_encrypt_moves_a_ciphertext_to_another_key(kms: Any, key: dict[str, Any]) -> None:
    other = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"secret")["CiphertextBlob"]
    moved = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=other["KeyId"])
    assert moved["KeyId"] == other["Arn"]
    assert kms.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"] == b"secret"


def test_generate_data_key_returns_a_key_that_decrypts(kms: Any, key: dict[str, Any]) -> None:
    data_key = kms.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_128")
    assert len(data_key["Plaintext"]) == 16
    assert (
        kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"]
        == (data_key["Plaintext"])
    )


def test_generate_data_key_without_plaintext_has_no_plaintext(
    kms: Any, key: dict[str, Any]
) -> None:
    data_key = kms.generate_data_key_without_plaintext(KeyId=key["KeyId"], NumberOfBytes=64)
    assert "Plaintext" not in data_key
    assert len(kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"]) == 64


@pytest.mark.parametrize("spec", [s for s in KEY_PAIR_SPECS if s != "SM2"])
def test_generate_data_key_pair_of_every_spec_decrypts_to_the_private_key(
    kms: Any, key: dict[str, Any], spec: str
) -> None:
    pair = kms.generate_data_key_pair(
        KeyId=key["KeyId"], KeyPairSpec=spec, EncryptionContext=CONTEXT
    )
    assert pair["KeyId"] == key["Arn"]
    assert pair["KeyPairSpec"] == spec
    assert re.fullmatch(r"[0-9a-f]{64}", pair["KeyMaterialId"])
    decrypted = kms.decrypt(
        CiphertextBlob=pair["PrivateKeyCiphertextBlob"], EncryptionContext=CONTEXT
    )
    assert decrypted["Plaintext"] == pair["PrivateKeyPlaintext"]


def test_generate_data_key_pair_sm2_in_a_china_region(server: Server) -> None:
    china = kms_client(server.url, region="cn-north-1")
    key = china.create_key()["KeyMetadata"]
    assert key["Arn"].startswith("arn:aws-cn:kms:cn-north-1:")
    pair = china.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="SM2")
    assert pair["KeyPairSpec"] == "SM2"


def test_generate_data_key_pair_without_plaintext_has_no_private_key(
    kms: Any, key: dict[str, Any]
) -> None:
    pair = kms.generate_data_key_pair_without_plaintext(
        KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P384"
    )
    assert "PrivateKeyPlaintext" not in pair
    assert pair["PublicKey"]


def test_generate_random_returns_the_bytes_asked_for(kms: Any) -> None:
    assert len(kms.generate_random(NumberOfBytes=32)["Plaintext"]) == 32


def test_every_response_carries_a_request_id(kms: Any) -> None:
    metadata = kms.list_keys()["ResponseMetadata"]
    assert re.fullmatch(r"[0-9a-f-]{36}", metadata["RequestId"])


def test_region_comes_from_the_credential_scope(server: Server) -> None:
    europe = kms_client(server.url, region="eu-west-1")
    assert europe.create_key()["KeyMetadata"]["Arn"].startswith(
        f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/"
    )
    assert kms_client(server.url).list_keys()["Keys"] == []


# The behaviour spec's error rows, over the wire. Client-side validation is off where botocore
# itself would refuse the value, so the server's answer is what is tested.


def test_unknown_key_pair_spec_is_a_validation_exception(server: Server) -> None:
    kms = kms_client(server.url, parameter_validation=False)
    key = kms.create_key()["KeyMetadata"]
    status, code, message = failure(
        lambda: kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="RSA_1024")
    )
    assert (status, code) == (400, "ValidationException")
    assert message == (
        "1 validation error detected: Value 'RSA_1024' at 'keyPairSpec' failed to satisfy "
        "constraint: Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, "
        "ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SM2, ECC_NIST_EDWARDS25519]"
    )


def test_malformed_key_id_is_not_found_invalid_key_id(kms: Any) -> None:
    assert failure(
        lambda: kms.generate_data_key_pair(KeyId="fake-key-id", KeyPairSpec="ECC_NIST_P256")
    ) == (400, "NotFoundException", "Invalid keyId 'fake-key-id'")


def test_missing_key_is_not_found_naming_the_callers_arn(kms: Any) -> None:
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    assert failure(
        lambda: kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    ) == (
        400,
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}' does not exist",
    )


def test_missing_alias_is_not_found_naming_the_alias_arn(kms: Any) -> None:
    assert failure(
        lambda: kms.generate_data_key_pair(KeyId="alias/nope", KeyPairSpec="ECC_NIST_P256")
    ) == (
        400,
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/nope is not found.",
    )


def test_key_arn_of_another_region_is_invalid_arn(kms: Any, key: dict[str, Any]) -> None:
    arn = key["Arn"].replace(REGION, "us-west-2")
    assert failure(lambda: kms.generate_data_key_pair(KeyId=arn, KeyPairSpec="ECC_NIST_P256")) == (
        400,
        "NotFoundException",
        "Invalid arn us-west-2",
    )


def test_disabled_key_is_disabled_exception(kms: Any, key: dict[str, Any]) -> None:
    kms.disable_key(KeyId=key["KeyId"])
    assert failure(
        lambda: kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    ) == (400, "DisabledException", f"{key['Arn']} is disabled.")


def test_pending_deletion_key_is_kms_invalid_state(kms: Any, key: dict[str, Any]) -> None:
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert failure(
        lambda: kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    ) == (400, "KMSInvalidStateException", f"{key['Arn']} is pending deletion.")


def test_sign_verify_key_is_invalid_key_usage(kms: Any) -> None:
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    assert failure(
        lambda: kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    ) == (
        400,
        "InvalidKeyUsageException",
        f"{key['Arn']} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair.",
    )


def test_dry_run_is_dry_run_operation_exception(kms: Any, key: dict[str, Any]) -> None:
    assert failure(
        lambda: kms.generate_data_key_pair(
            KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256", DryRun=True
        )
    ) == (
        400,
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    )


def test_sm2_outside_the_china_regions_is_unsupported(kms: Any, key: dict[str, Any]) -> None:
    assert failure(lambda: kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="SM2")) == (
        400,
        "UnsupportedOperationException",
        "KeyPairSpec SM2 is not supported in this region.",
    )


def test_decrypt_with_another_context_is_invalid_ciphertext_without_message(
    kms: Any, key: dict[str, Any]
) -> None:
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext=CONTEXT)
    assert failure(
        lambda: kms.decrypt(CiphertextBlob=blob["CiphertextBlob"], EncryptionContext={"o": "1"})
    ) == (400, "InvalidCiphertextException", "")


def test_generate_random_over_1024_bytes_is_a_validation_exception(server: Server) -> None:
    kms = kms_client(server.url, parameter_validation=False)
    assert failure(lambda: kms.generate_random(NumberOfBytes=1025)) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy "
        "constraint: Member must have value less than or equal to 1024",
    )


def test_an_operation_kmspair_does_not_implement_is_unsupported(kms: Any) -> None:
    status, code, _ = failure(lambda: kms.get_public_key(KeyId="alias/x"))
    assert (status, code) == (400, "UnsupportedOperationException")
