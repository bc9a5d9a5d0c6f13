"""Grants as AWS KMS does them: CreateGrant, ListGrants, RetireGrant, RevokeGrant, grant tokens
that work at once, and another account's use of a key through a grant (behaviour spec §2, §3).
What a grant's constraints allow is in test_kms_grant_constraints.py.

Every test runs through ``kmspair.client`` and ``kmspair.boto3_client``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from conftest import ACCOUNT, OTHER_ACCOUNT, REGION, error_of
from grant_support import OTHER_ROOT, denied, grant

NOT_ISSUED_HERE = "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIz"


# CreateGrant and grant tokens


def test_create_grant_returns_a_grant_token_and_a_grant_id(kms: Any, key: dict[str, Any]) -> None:
    response = grant(kms, key, "Encrypt", "Decrypt")
    assert isinstance(response["GrantToken"], str) and response["GrantToken"]
    assert isinstance(response["GrantId"], str) and response["GrantId"]


def test_each_grant_gets_its_own_id_and_token(kms: Any, key: dict[str, Any]) -> None:
    first, second = grant(kms, key, "Encrypt"), grant(kms, key, "Encrypt")
    assert first["GrantId"] != second["GrantId"]
    assert first["GrantToken"] != second["GrantToken"]


def test_create_grant_with_the_same_name_and_terms_returns_the_same_grant(
    kms: Any, key: dict[str, Any]
) -> None:
    first = grant(kms, key, "Encrypt", Name="retry-safe")
    again = grant(kms, key, "Encrypt", Name="retry-safe")
    assert (again["GrantToken"], again["GrantId"]) == (first["GrantToken"], first["GrantId"])
    assert len(kms.list_grants(KeyId=key["KeyId"])["Grants"]) == 1


def test_a_grant_token_issued_here_works_at_once_in_generate_data_key_pair(
    kms: Any, key: dict[str, Any]
) -> None:
    token = grant(kms, key, "GenerateDataKeyPair", "Encrypt")["GrantToken"]
    pair = kms.generate_data_key_pair(
        KeyId=key["KeyId"], KeyPairSpec="ECC_NIST_P256", GrantTokens=[token]
    )
    assert pair["KeyId"] == key["Arn"]


def test_a_grant_token_issued_here_works_at_once_in_encrypt(kms: Any, key: dict[str, Any]) -> None:
    token = grant(kms, key, "GenerateDataKeyPair", "Encrypt")["GrantToken"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=[token])["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_a_grantee_can_use_a_fresh_grant_token_at_once(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    token = grant(kms, key, "GenerateDataKeyPair", "Encrypt")["GrantToken"]
    pair = other.generate_data_key_pair(
        KeyId=key["Arn"], KeyPairSpec="ECC_NIST_P256", GrantTokens=[token]
    )
    assert pair["KeyId"] == key["Arn"]
    encrypted = other.encrypt(KeyId=key["Arn"], Plaintext=b"x", GrantTokens=[token])
    assert encrypted["KeyId"] == key["Arn"]


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("encrypt", {"Plaintext": b"x"}),
        ("generate_data_key_pair", {"KeyPairSpec": "ECC_NIST_P256"}),
        ("generate_data_key", {"KeySpec": "AES_256"}),
    ],
)
def test_a_grant_token_not_issued_here_is_invalid_grant_token(
    kms: Any, key: dict[str, Any], operation: str, params: dict[str, Any]
) -> None:
    call = getattr(kms, operation)
    assert error_of(lambda: call(KeyId=key["KeyId"], GrantTokens=[NOT_ISSUED_HERE], **params)) == (
        "InvalidGrantTokenException",
        "Grant token is invalid.",
    )


def test_one_unknown_grant_token_among_valid_ones_is_invalid_grant_token(
    kms: Any, key: dict[str, Any]
) -> None:
    token = grant(kms, key, "Encrypt")["GrantToken"]
    assert error_of(
        lambda: kms.encrypt(
            KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=[token, NOT_ISSUED_HERE]
        )
    ) == ("InvalidGrantTokenException", "Grant token is invalid.")


# ListGrants


def test_list_grants_shows_each_grant_with_its_terms(kms: Any, key: dict[str, Any]) -> None:
    created = grant(
        kms,
        key,
        "Encrypt",
        "Decrypt",
        Name="app",
        RetiringPrincipal=f"arn:aws:iam::{ACCOUNT}:role/ops",
        Constraints={"EncryptionContextSubset": {"app": "orders"}},
    )
    listed = kms.list_grants(KeyId=key["KeyId"])
    assert listed["Truncated"] is False
    [entry] = listed["Grants"]
    assert entry["GrantId"] == created["GrantId"]
    assert entry["KeyId"] == key["KeyId"]
    assert entry["GranteePrincipal"] == OTHER_ROOT
    assert entry["RetiringPrincipal"] == f"arn:aws:iam::{ACCOUNT}:role/ops"
    assert entry["IssuingAccount"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert entry["Operations"] == ["Encrypt", "Decrypt"]
    assert entry["Name"] == "app"
    assert entry["Constraints"] == {"EncryptionContextSubset": {"app": "orders"}}
    assert isinstance(entry["CreationDate"], datetime)


def test_list_grants_never_reveals_grant_tokens(kms: Any, key: dict[str, Any]) -> None:
    grant(kms, key, "Encrypt")
    assert "GrantToken" not in kms.list_grants(KeyId=key["KeyId"])["Grants"][0]


def test_list_grants_lists_only_the_keys_grants(kms: Any, key: dict[str, Any]) -> None:
    other_key = kms.create_key()["KeyMetadata"]
    mine = grant(kms, key, "Encrypt")["GrantId"]
    grant(kms, other_key, "Encrypt")
    assert [g["GrantId"] for g in kms.list_grants(KeyId=key["Arn"])["Grants"]] == [mine]


def test_list_grants_filters_by_grant_id(kms: Any, key: dict[str, Any]) -> None:
    grant(kms, key, "Encrypt")
    wanted = grant(kms, key, "Decrypt")["GrantId"]
    listed = kms.list_grants(KeyId=key["KeyId"], GrantId=wanted)["Grants"]
    assert [g["GrantId"] for g in listed] == [wanted]


def test_list_grants_pages_with_limit_and_marker(kms: Any, key: dict[str, Any]) -> None:
    ids = {grant(kms, key, "Encrypt")["GrantId"] for _ in range(3)}
    first = kms.list_grants(KeyId=key["KeyId"], Limit=2)
    assert (len(first["Grants"]), first["Truncated"]) == (2, True)
    second = kms.list_grants(KeyId=key["KeyId"], Limit=2, Marker=first["NextMarker"])
    assert (len(second["Grants"]), second["Truncated"]) == (1, False)
    listed = [g["GrantId"] for g in first["Grants"] + second["Grants"]]
    assert len(listed) == 3 and set(listed) == ids


def test_list_grants_pages_on_after_the_last_listed_grant_is_revoked(
    kms: Any, key: dict[str, Any]
) -> None:
    ids = [grant(kms, key, "Encrypt")["GrantId"] for _ in range(4)]
    first = kms.list_grants(KeyId=key["KeyId"], Limit=2)
    assert [g["GrantId"] for g in first["Grants"]] == ids[:2]
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=ids[1])
    rest = kms.list_grants(KeyId=key["KeyId"], Marker=first["NextMarker"])
    assert [g["GrantId"] for g in rest["Grants"]] == ids[2:]


# RetireGrant / RevokeGrant


def test_retire_grant_by_token_removes_the_grant(kms: Any, key: dict[str, Any]) -> None:
    created = grant(kms, key, "Encrypt")
    kms.retire_grant(GrantToken=created["GrantToken"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_a_retired_grants_token_is_no_longer_valid(kms: Any, key: dict[str, Any]) -> None:
    token = grant(kms, key, "Encrypt")["GrantToken"]
    kms.retire_grant(GrantToken=token)
    assert error_of(
        lambda: kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=[token])
    ) == ("InvalidGrantTokenException", "Grant token is invalid.")


def test_retire_grant_by_key_and_grant_id_removes_the_grant(kms: Any, key: dict[str, Any]) -> None:
    kept = grant(kms, key, "Decrypt")["GrantId"]
    retired = grant(kms, key, "Encrypt")["GrantId"]
    kms.retire_grant(KeyId=key["Arn"], GrantId=retired)
    assert [g["GrantId"] for g in kms.list_grants(KeyId=key["KeyId"])["Grants"]] == [kept]


def test_retire_grant_with_a_token_not_issued_here_is_invalid_grant_token(kms: Any) -> None:
    assert error_of(lambda: kms.retire_grant(GrantToken=NOT_ISSUED_HERE)) == (
        "InvalidGrantTokenException",
        "Grant token is invalid.",
    )


def test_revoke_grant_removes_the_grant(kms: Any, key: dict[str, Any]) -> None:
    grant_id = grant(kms, key, "Encrypt")["GrantId"]
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant_id)
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_revoke_grant_of_an_unknown_grant_id_is_not_found(kms: Any, key: dict[str, Any]) -> None:
    code, _ = error_of(lambda: kms.revoke_grant(KeyId=key["KeyId"], GrantId="0" * 64))
    assert code == "NotFoundException"


# Another account, through a grant


def test_another_account_cannot_use_a_key_without_a_grant(other: Any, key: dict[str, Any]) -> None:
    assert error_of(lambda: other.encrypt(KeyId=key["Arn"], Plaintext=b"x")) == denied(
        "Encrypt", key["Arn"]
    )


def test_another_account_without_a_grant_is_denied_generate_data_key_pair(
    other: Any, key: dict[str, Any]
) -> None:
    assert error_of(
        lambda: other.generate_data_key_pair(KeyId=key["Arn"], KeyPairSpec="ECC_NIST_P256")
    ) == denied("GenerateDataKeyPair", key["Arn"])


def test_another_account_can_use_the_key_once_the_owner_grants_it(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "Encrypt", "Decrypt", "GenerateDataKeyPair")
    encrypted = other.encrypt(KeyId=key["Arn"], Plaintext=b"shared")
    assert encrypted["KeyId"] == key["Arn"]
    assert other.decrypt(CiphertextBlob=encrypted["CiphertextBlob"])["Plaintext"] == b"shared"
    assert kms.decrypt(CiphertextBlob=encrypted["CiphertextBlob"])["Plaintext"] == b"shared"
    pair = other.generate_data_key_pair(KeyId=key["Arn"], KeyPairSpec="ECC_NIST_P256")
    assert pair["KeyId"] == key["Arn"]


def test_another_account_reaches_the_key_through_the_owners_alias_arn_once_granted(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    kms.create_alias(AliasName="alias/shared", TargetKeyId=key["KeyId"])
    shared = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/shared"
    assert error_of(lambda: other.encrypt(KeyId=shared, Plaintext=b"x")) == denied(
        "Encrypt", key["Arn"]
    )
    grant(kms, key, "Encrypt")
    assert other.encrypt(KeyId=shared, Plaintext=b"x")["KeyId"] == key["Arn"]


def test_a_grant_allows_only_its_operations(kms: Any, other: Any, key: dict[str, Any]) -> None:
    grant(kms, key, "Encrypt")
    blob = other.encrypt(KeyId=key["Arn"], Plaintext=b"x")["CiphertextBlob"]
    assert error_of(lambda: other.decrypt(CiphertextBlob=blob)) == denied("Decrypt", key["Arn"])


def test_another_accounts_bare_key_id_means_its_own_account(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "Encrypt")
    assert error_of(lambda: other.encrypt(KeyId=key["KeyId"], Plaintext=b"x")) == (
        "NotFoundException",
        f"Key 'arn:aws:kms:{REGION}:{OTHER_ACCOUNT}:key/{key['KeyId']}' does not exist",
    )


def test_grant_tokens_never_start_with_a_dash_the_aws_cli_would_read_as_an_option() -> None:
    from kmspair.kms.grants import new_grant_token

    tokens = [new_grant_token() for _ in range(2000)]
    assert not any(token.startswith("-") for token in tokens)
    assert len(set(tokens)) == len(tokens)
