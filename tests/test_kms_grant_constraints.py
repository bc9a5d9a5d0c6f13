"""Grant constraints as AWS KMS applies them: the encryption context a constrained grant
allows, in every operation it covers, and child grants that stay within their parent
(behaviour spec §2, §5).

Every test runs through ``kmspair.client`` and ``kmspair.boto3_client``.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import OTHER_ACCOUNT, error_of
from grant_support import ACCOUNT_ROOT, denied, grant

# Grant constraints: the encryption context a grant allows


SUBSET = {"EncryptionContextSubset": {"app": "orders"}}
EQUALS = {"EncryptionContextEquals": {"app": "orders"}}


def gdkp(client: Any, key: dict[str, Any], **params: Any) -> dict[str, Any]:
    pair: dict[str, Any] = client.generate_data_key_pair(
        KeyId=key["Arn"], KeyPairSpec="ECC_NIST_P256", **params
    )
    return pair


def test_a_subset_constraint_allows_a_context_holding_its_pairs_and_more(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "GenerateDataKeyPair", Constraints=SUBSET)
    context = {"app": "orders", "tenant": "t1"}
    assert gdkp(other, key, EncryptionContext=context)["KeyId"] == key["Arn"]


@pytest.mark.parametrize(
    "context",
    [None, {"app": "billing"}, {"app": "Orders"}, {"tenant": "t1"}],
    ids=["no context", "another value", "the value in another case", "another pair"],
)
def test_a_subset_constraint_denies_a_context_without_its_pairs(
    kms: Any, other: Any, key: dict[str, Any], context: dict[str, str] | None
) -> None:
    grant(kms, key, "GenerateDataKeyPair", Constraints=SUBSET)
    params = {} if context is None else {"EncryptionContext": context}
    assert error_of(lambda: gdkp(other, key, **params)) == denied("GenerateDataKeyPair", key["Arn"])


def test_a_constraint_matches_keys_in_any_case_as_aws_documents(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "GenerateDataKeyPair", Constraints=SUBSET)
    grant(kms, key, "Encrypt", Constraints=EQUALS)
    assert gdkp(other, key, EncryptionContext={"APP": "orders"})["KeyId"] == key["Arn"]
    encrypted = other.encrypt(KeyId=key["Arn"], Plaintext=b"x", EncryptionContext={"App": "orders"})
    assert encrypted["KeyId"] == key["Arn"]


def test_an_equals_constraint_allows_exactly_its_context(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "GenerateDataKeyPair", Constraints=EQUALS)
    assert gdkp(other, key, EncryptionContext={"app": "orders"})["KeyId"] == key["Arn"]


def test_an_equals_constraint_denies_a_context_with_more_pairs(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "GenerateDataKeyPair", Constraints=EQUALS)
    context = {"app": "orders", "tenant": "t1"}
    assert error_of(lambda: gdkp(other, key, EncryptionContext=context)) == denied(
        "GenerateDataKeyPair", key["Arn"]
    )


def test_decrypt_under_a_constrained_grant_checks_the_context_of_the_request(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "Decrypt", Constraints=SUBSET)
    matching = kms.encrypt(KeyId=key["Arn"], Plaintext=b"x", EncryptionContext={"app": "orders"})
    assert (
        other.decrypt(
            CiphertextBlob=matching["CiphertextBlob"], EncryptionContext={"app": "orders"}
        )["Plaintext"]
        == b"x"
    )
    bare = kms.encrypt(KeyId=key["Arn"], Plaintext=b"x")["CiphertextBlob"]
    assert error_of(lambda: other.decrypt(CiphertextBlob=bare)) == denied("Decrypt", key["Arn"])


def test_re_encrypt_checks_each_side_against_its_own_context(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "ReEncryptFrom", "ReEncryptTo", Constraints=SUBSET)
    blob = kms.encrypt(KeyId=key["Arn"], Plaintext=b"x", EncryptionContext={"app": "orders"})[
        "CiphertextBlob"
    ]

    def re_encrypt(destination: dict[str, str]) -> dict[str, Any]:
        response: dict[str, Any] = other.re_encrypt(
            CiphertextBlob=blob,
            SourceEncryptionContext={"app": "orders"},
            DestinationKeyId=key["Arn"],
            DestinationEncryptionContext=destination,
        )
        return response

    assert re_encrypt({"app": "orders", "v": "2"})["KeyId"] == key["Arn"]
    assert error_of(lambda: re_encrypt({"app": "billing"})) == denied("ReEncryptTo", key["Arn"])


def test_a_constraint_leaves_the_grants_describe_key_unconstrained(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "DescribeKey", Constraints=SUBSET)
    assert other.describe_key(KeyId=key["Arn"])["KeyMetadata"]["Arn"] == key["Arn"]


def test_a_constrained_grant_beside_an_unconstrained_one_still_allows_any_context(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "GenerateDataKeyPair", Constraints=EQUALS)
    grant(kms, key, "GenerateDataKeyPair")
    assert gdkp(other, key, EncryptionContext={"app": "billing"})["KeyId"] == key["Arn"]


def test_a_revoked_grant_no_longer_allows_the_grantee(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant_id = grant(kms, key, "Encrypt")["GrantId"]
    other.encrypt(KeyId=key["Arn"], Plaintext=b"x")
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant_id)
    assert error_of(lambda: other.encrypt(KeyId=key["Arn"], Plaintext=b"x")) == denied(
        "Encrypt", key["Arn"]
    )


def test_a_retired_grant_no_longer_allows_the_grantee(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    token = grant(kms, key, "Encrypt")["GrantToken"]
    other.encrypt(KeyId=key["Arn"], Plaintext=b"x")
    kms.retire_grant(GrantToken=token)
    assert error_of(lambda: other.encrypt(KeyId=key["Arn"], Plaintext=b"x")) == denied(
        "Encrypt", key["Arn"]
    )


def test_a_grant_to_another_principal_does_not_allow_the_account(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "Encrypt", GranteePrincipal=f"arn:aws:iam::{OTHER_ACCOUNT}:role/app")
    assert error_of(lambda: other.encrypt(KeyId=key["Arn"], Plaintext=b"x")) == denied(
        "Encrypt", key["Arn"]
    )


# CreateGrant permission from a grant: child grants stay within their parent


CHILD_GRANTEE = f"arn:aws:iam::{OTHER_ACCOUNT}:role/app"


def child_grant(other: Any, key: dict[str, Any], *operations: str, **params: Any) -> Any:
    """What the grantee of a parent grant gets when it creates a grant of its own."""
    return lambda: other.create_grant(
        KeyId=key["Arn"], GranteePrincipal=CHILD_GRANTEE, Operations=list(operations), **params
    )


def test_a_grantee_may_grant_some_of_its_parent_grants_operations(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "Encrypt", "Decrypt", "CreateGrant")
    assert child_grant(other, key, "Decrypt", "CreateGrant")()["GrantId"]
    listed = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert [g["Operations"] for g in listed if g["GranteePrincipal"] == CHILD_GRANTEE] == [
        ["Decrypt", "CreateGrant"]
    ]


def test_a_grantee_may_not_grant_an_operation_its_parent_grant_lacks(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "Decrypt", "CreateGrant")
    assert error_of(child_grant(other, key, "Decrypt", "Encrypt")) == denied(
        "CreateGrant", key["Arn"]
    )


def test_a_grantee_may_grant_what_any_one_of_its_parent_grants_allows(
    kms: Any, other: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "Decrypt", "CreateGrant")
    grant(kms, key, "Encrypt", "CreateGrant", Constraints=SUBSET)
    assert child_grant(other, key, "Encrypt", Constraints=SUBSET)()["GrantId"]
    assert error_of(child_grant(other, key, "Encrypt", "Decrypt", Constraints=SUBSET)) == denied(
        "CreateGrant", key["Arn"]
    )


@pytest.mark.parametrize(
    "constraints",
    [
        {"EncryptionContextSubset": {"app": "orders", "tenant": "t1"}},
        {"EncryptionContextSubset": {"APP": "orders"}},
        {"EncryptionContextEquals": {"app": "orders", "tenant": "t1"}},
    ],
    ids=["a pair added", "the key in another case", "turned into Equals"],
)
def test_a_child_grant_may_tighten_its_parents_subset_constraint(
    kms: Any, other: Any, key: dict[str, Any], constraints: dict[str, Any]
) -> None:
    grant(kms, key, "Decrypt", "CreateGrant", Constraints=SUBSET)
    assert child_grant(other, key, "Decrypt", Constraints=constraints)()["GrantId"]


@pytest.mark.parametrize(
    "constraints",
    [
        None,
        {"EncryptionContextSubset": {"tenant": "t1"}},
        {"EncryptionContextSubset": {"app": "Orders"}},
        {"EncryptionContextEquals": {"tenant": "t1"}},
    ],
    ids=["dropped", "another pair", "the value in another case", "Equals without its pair"],
)
def test_a_child_grant_may_not_loosen_its_parents_subset_constraint(
    kms: Any, other: Any, key: dict[str, Any], constraints: dict[str, Any] | None
) -> None:
    grant(kms, key, "Decrypt", "CreateGrant", Constraints=SUBSET)
    params = {} if constraints is None else {"Constraints": constraints}
    assert error_of(child_grant(other, key, "Decrypt", **params)) == denied(
        "CreateGrant", key["Arn"]
    )


@pytest.mark.parametrize(
    ("constraints", "allowed"),
    [
        (EQUALS, True),
        (SUBSET, False),
        ({"EncryptionContextEquals": {"app": "orders", "tenant": "t1"}}, False),
    ],
    ids=["the same Equals", "turned into Subset", "Equals with a pair more"],
)
def test_a_child_grant_keeps_its_parents_equals_constraint_exactly(
    kms: Any, other: Any, key: dict[str, Any], constraints: dict[str, Any], allowed: bool
) -> None:
    grant(kms, key, "Decrypt", "CreateGrant", Constraints=EQUALS)
    create = child_grant(other, key, "Decrypt", Constraints=constraints)
    if allowed:
        assert create()["GrantId"]
    else:
        assert error_of(create) == denied("CreateGrant", key["Arn"])


def test_create_grant_permission_from_the_key_policy_is_not_limited_by_grants(
    kms: Any, key: dict[str, Any]
) -> None:
    grant(kms, key, "Decrypt", "CreateGrant", Constraints=EQUALS, GranteePrincipal=ACCOUNT_ROOT)
    assert grant(kms, key, "Encrypt", "ReEncryptFrom", GranteePrincipal=CHILD_GRANTEE)["GrantId"]
