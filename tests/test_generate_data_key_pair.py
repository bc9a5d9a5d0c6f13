"""GenerateDataKeyPair(WithoutPlaintext): behaviour spec §2, row by row, through both clients."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ParamValidationError

import kmspair
from conftest import ACCOUNT, REGION, error_of
from der import public_spki_of

ALL_SPECS = (
    "RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, "
    "ECC_SECG_P256K1, SM2, ECC_NIST_EDWARDS25519"
)
OPERATIONS = ("generate_data_key_pair", "generate_data_key_pair_without_plaintext")
OPERATION_NAMES = {
    "generate_data_key_pair": "GenerateDataKeyPair",
    "generate_data_key_pair_without_plaintext": "GenerateDataKeyPairWithoutPlaintext",
}


@pytest.fixture(params=OPERATIONS)
def operation(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def new_key(kms: Any, **params: Any) -> dict[str, Any]:
    return dict(kms.create_key(**params)["KeyMetadata"])


def arn_of(key_id: str) -> str:
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"


# -- check 1: request syntax ------------------------------------------------------------------


def test_an_unknown_spec_is_a_validation_error_listing_all_nine_specs(
    kms: Any, operation: str
) -> None:
    key = new_key(kms)
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key["KeyId"], KeyPairSpec="RSA_1024")) == (
        "ValidationException",
        "1 validation error detected: Value 'RSA_1024' at 'keyPairSpec' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{ALL_SPECS}]",
    )


def test_a_missing_key_id_is_refused_by_botocore_before_any_request(kms: Any) -> None:
    with pytest.raises(ParamValidationError, match="KeyId"):
        kms.generate_data_key_pair(KeyPairSpec="ECC_NIST_P256")


@pytest.fixture
def unvalidated(tmp_path: Path) -> Any:
    """A botocore client with client-side validation off, so the server's checks answer."""
    client = kmspair.boto3_client(
        region_name=REGION,
        account_id=ACCOUNT,
        home=tmp_path / "home",
        config=Config(parameter_validation=False),
    )
    yield client
    client.close()


def test_a_missing_key_id_reaching_the_service_is_a_coral_not_null_error(unvalidated: Any) -> None:
    assert error_of(lambda: unvalidated.generate_data_key_pair(KeyPairSpec="ECC_NIST_P256")) == (
        "ValidationException",
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: "
        "Member must not be null",
    )


def test_every_violation_is_reported_at_once(unvalidated: Any) -> None:
    code, message = error_of(lambda: unvalidated.generate_data_key_pair(KeyPairSpec="RSA_1024"))
    assert code == "ValidationException"
    assert message == (
        "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: "
        "Member must not be null; Value 'RSA_1024' at 'keyPairSpec' failed to satisfy "
        f"constraint: Member must satisfy enum value set: [{ALL_SPECS}]"
    )


def test_more_than_ten_grant_tokens_is_a_validation_error(kms: Any) -> None:
    key = new_key(kms)
    code, message = error_of(
        lambda: kms.generate_data_key_pair(
            KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256", GrantTokens=["t"] * 11
        )
    )
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: Value '")
    assert message.endswith(
        "at 'grantTokens' failed to satisfy constraint: "
        "Member must have length less than or equal to 10"
    )


def test_syntax_is_checked_before_the_key_is_looked_up(kms: Any) -> None:
    code, _ = error_of(
        lambda: kms.generate_data_key_pair(KeyId="alias/missing", KeyPairSpec="RSA_1024")
    )
    assert code == "ValidationException"


# -- check 1b: SM2 only in the China regions --------------------------------------------------


def test_sm2_outside_china_is_unsupported_before_the_key_is_looked_up(
    kms: Any, operation: str
) -> None:
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId="alias/missing", KeyPairSpec="SM2")) == (
        "UnsupportedOperationException",
        "KeyPairSpec SM2 is not supported in this region.",
    )


@pytest.mark.parametrize("client_factory", ["client", "boto3_client"])
def test_sm2_pairs_are_generated_in_cn_north_1(client_factory: str, tmp_path: Path) -> None:
    kms = getattr(kmspair, client_factory)(
        region_name="cn-north-1", account_id=ACCOUNT, home=tmp_path
    )
    key = new_key(kms)
    pair = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="SM2")
    assert pair["KeyId"] == f"arn:aws-cn:kms:cn-north-1:{ACCOUNT}:key/{key['KeyId']}"
    assert len(pair["PublicKey"]) == 91
    plaintext = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"]
    assert plaintext == pair["PrivateKeyPlaintext"]
    kms.close()


# -- check 2: KeyId resolution ----------------------------------------------------------------


@pytest.mark.parametrize("key_id", ["fake-key-id", "1234abcd12ab34cd56ef1234567890ab"])
def test_a_malformed_key_id_is_not_found(kms: Any, operation: str, key_id: str) -> None:
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")) == (
        "NotFoundException",
        f"Invalid keyId '{key_id}'",
    )


def test_a_key_arn_of_another_region_names_that_region(kms: Any) -> None:
    key = new_key(kms)
    other = key["Arn"].replace(REGION, "us-west-2")
    assert error_of(
        lambda: kms.generate_data_key_pair(KeyId=other, KeyPairSpec="ECC_NIST_P256")
    ) == (
        "NotFoundException",
        "Invalid arn us-west-2",
    )


def test_a_missing_alias_is_not_found_by_its_arn(kms: Any, operation: str) -> None:
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId="alias/nope", KeyPairSpec="ECC_NIST_P256")) == (
        "NotFoundException",
        f"Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/nope is not found.",
    )


def test_a_missing_key_is_not_found_by_the_arn_of_the_callers_account_and_region(
    kms: Any, operation: str
) -> None:
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")) == (
        "NotFoundException",
        f"Key '{arn_of(key_id)}' does not exist",
    )


# -- check 3: authorization -------------------------------------------------------------------


def test_another_accounts_key_is_denied_without_a_policy_or_grant(tmp_path: Path) -> None:
    owner = kmspair.client(region_name=REGION, account_id="444455556666", home=tmp_path)
    foreign = owner.create_key()["KeyMetadata"]["Arn"]
    kms = kmspair.client(region_name=REGION, account_id=ACCOUNT, home=tmp_path)
    assert error_of(
        lambda: kms.generate_data_key_pair(KeyId=foreign, KeyPairSpec="ECC_NIST_P256")
    ) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: "
        f"kms:GenerateDataKeyPair on resource: {foreign} because no resource-based policy "
        "allows the kms:GenerateDataKeyPair action",
    )


def test_another_accounts_key_id_alone_means_a_key_of_the_callers_own_account(
    tmp_path: Path,
) -> None:
    owner = kmspair.client(region_name=REGION, account_id="444455556666", home=tmp_path)
    foreign_id = owner.create_key()["KeyMetadata"]["KeyId"]
    kms = kmspair.client(region_name=REGION, account_id=ACCOUNT, home=tmp_path)
    assert error_of(
        lambda: kms.generate_data_key_pair(KeyId=foreign_id, KeyPairSpec="ECC_NIST_P256")
    ) == ("NotFoundException", f"Key '{arn_of(foreign_id)}' does not exist")


# -- check 4: key state -----------------------------------------------------------------------


def test_a_disabled_key_is_refused(kms: Any, operation: str) -> None:
    key = new_key(kms)
    kms.disable_key(KeyId=key["KeyId"])
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")) == (
        "DisabledException",
        f"{key['Arn']} is disabled.",
    )


def test_a_key_pending_deletion_is_refused(kms: Any, operation: str) -> None:
    key = new_key(kms)
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")) == (
        "KMSInvalidStateException",
        f"{key['Arn']} is pending deletion.",
    )


def test_a_key_pending_import_is_refused(kms: Any, operation: str) -> None:
    key = new_key(kms, Origin="EXTERNAL")
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")) == (
        "KMSInvalidStateException",
        f"{key['Arn']} is pending import.",
    )


def test_a_re_enabled_key_works_again(kms: Any) -> None:
    key = new_key(kms)
    kms.disable_key(KeyId=key["KeyId"])
    kms.enable_key(KeyId=key["KeyId"])
    assert kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")["KeyId"]


# -- check 5: key usage, key spec, custom key store -------------------------------------------


@pytest.mark.parametrize(
    ("key_spec", "key_usage"),
    [
        ("RSA_2048", "SIGN_VERIFY"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
        ("ECC_NIST_P384", "KEY_AGREEMENT"),
    ],
)
def test_a_key_of_another_usage_is_refused_naming_the_usage_and_operation(
    kms: Any, operation: str, key_spec: str, key_usage: str
) -> None:
    key = new_key(kms, KeySpec=key_spec, KeyUsage=key_usage)
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")) == (
        "InvalidKeyUsageException",
        f"{key['Arn']} key usage is {key_usage} which is not valid for "
        f"{OPERATION_NAMES[operation]}.",
    )


def test_an_asymmetric_encryption_key_is_refused_naming_its_spec(kms: Any, operation: str) -> None:
    key = new_key(kms, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")) == (
        "InvalidKeyUsageException",
        f"{key['Arn']} key spec is RSA_2048 which is not valid for {OPERATION_NAMES[operation]}.",
    )


def test_a_key_in_a_custom_key_store_is_unsupported(kms: Any, operation: str) -> None:
    key = new_key(kms, CustomKeyStoreId="cks-1234567890abcdef0", Origin="AWS_CLOUDHSM")
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")) == (
        "UnsupportedOperationException",
        f"{key['Arn']} is in a custom key store, which is not valid for this operation.",
    )


def test_key_state_is_checked_before_key_usage(kms: Any) -> None:
    key = new_key(kms, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    kms.disable_key(KeyId=key["KeyId"])
    code, _ = error_of(
        lambda: kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    )
    assert code == "DisabledException"


# -- checks 6 and 7: grant tokens, DryRun ----------------------------------------------------


def test_a_grant_token_not_issued_here_is_invalid(kms: Any, operation: str) -> None:
    key = new_key(kms)
    call = getattr(kms, operation)
    assert error_of(
        lambda: call(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256", GrantTokens=["forged"])
    ) == ("InvalidGrantTokenException", "Grant token is invalid.")


def test_dry_run_answers_that_the_request_would_have_succeeded(kms: Any, operation: str) -> None:
    key = new_key(kms)
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key["KeyId"], KeyPairSpec="RSA_4096", DryRun=True)) == (
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
    )


def test_dry_run_reports_the_real_error_when_the_request_would_fail(kms: Any) -> None:
    key = new_key(kms)
    kms.disable_key(KeyId=key["KeyId"])
    code, _ = error_of(
        lambda: kms.generate_data_key_pair(
            KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256", DryRun=True
        )
    )
    assert code == "DisabledException"


# -- success ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [s for s in kmspair.KEY_PAIR_SPECS if s != "SM2"])
def test_every_spec_returns_a_pair_whose_private_key_decrypts_from_its_blob(
    kms: Any, spec: str
) -> None:
    key = new_key(kms)
    pair = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec=spec)
    assert pair["KeyPairSpec"] == spec
    assert public_spki_of(pair["PrivateKeyPlaintext"]) == pair["PublicKey"]
    opened = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])
    assert opened["Plaintext"] == pair["PrivateKeyPlaintext"]


def test_the_response_has_exactly_the_models_members(kms: Any) -> None:
    key = new_key(kms)
    pair = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    assert set(pair) == {
        "PrivateKeyCiphertextBlob",
        "PrivateKeyPlaintext",
        "PublicKey",
        "KeyId",
        "KeyPairSpec",
        "KeyMaterialId",
        "ResponseMetadata",
    }
    assert pair["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_without_plaintext_returns_no_private_key_but_a_blob_that_decrypts_to_it(
    kms: Any,
) -> None:
    key = new_key(kms)
    pair = kms.generate_data_key_pair_without_plaintext(
        KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P384"
    )
    assert "PrivateKeyPlaintext" not in pair
    private = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"]
    assert public_spki_of(private) == pair["PublicKey"]


@pytest.mark.parametrize("form", ["key id", "key arn", "alias name", "alias arn"])
def test_key_id_in_the_response_is_always_the_key_arn(kms: Any, form: str) -> None:
    key = new_key(kms)
    kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
    key_id = {
        "key id": key["KeyId"],
        "key arn": key["Arn"],
        "alias name": "alias/orders",
        "alias arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/orders",
    }[form]
    pair = kms.generate_data_key_pair(KeyId=key_id, KeyPairSpec="ECC_NIST_P256")
    assert pair["KeyId"] == key["Arn"]


def test_key_material_id_is_64_lowercase_hex_and_matches_decrypt(kms: Any) -> None:
    key = new_key(kms)
    pair = kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
    assert re.fullmatch(r"[0-9a-f]{64}", pair["KeyMaterialId"])
    opened = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])
    assert opened["KeyMaterialId"] == pair["KeyMaterialId"]
    assert opened["KeyId"] == key["Arn"]
    assert opened["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"


def test_the_private_key_opens_only_under_the_same_encryption_context(kms: Any) -> None:
    key = new_key(kms)
    pair = kms.generate_data_key_pair(
        KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256", EncryptionContext={"order": "42"}
    )
    blob = pair["PrivateKeyCiphertextBlob"]
    opened = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"order": "42"})
    assert opened["Plaintext"] == pair["PrivateKeyPlaintext"]
    for wrong in ({}, {"order": "43"}, {"Order": "42"}, {"order": "42", "extra": "x"}):
        assert error_of(lambda w=wrong: kms.decrypt(CiphertextBlob=blob, EncryptionContext=w)) == (  # type: ignore[misc]
            "InvalidCiphertextException",
            "",
        )


def test_every_pair_is_new(kms: Any) -> None:
    key = new_key(kms)
    pairs = [
        kms.generate_data_key_pair(KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256")
        for _ in range(20)
    ]
    assert len({p["PrivateKeyPlaintext"] for p in pairs}) == 20
    assert len({p["PrivateKeyCiphertextBlob"] for p in pairs}) == 20
