"""Key policy evaluation (``policy_eval.evaluate``): how one policy decides for one principal,
action and key — each statement shape on its own: principals, actions, resources, effects and
conditions.
"""

from __future__ import annotations

import json
from typing import Any

from conftest import ACCOUNT, REGION
from kmspair.kms.policy import default_policy
from kmspair.kms.policy_eval import Decision, Request, evaluate

OTHER_ACCOUNT = "444455556666"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
OTHER_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def ask(
    action: str = "kms:GenerateDataKeyPair",
    principal: str = OTHER_ROOT,
    account_id: str = OTHER_ACCOUNT,
    resource: str = KEY,
) -> Request:
    return Request(principal=principal, account_id=account_id, action=action, resource=resource)


def statement(effect: str = "Allow", **elements: Any) -> dict[str, Any]:
    elements.setdefault("Principal", {"AWS": OTHER_ACCOUNT})
    elements.setdefault("Action", "kms:*")
    elements.setdefault("Resource", "*")
    return {"Effect": effect, **elements}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# policy_eval: principals


def test_the_default_policy_allows_any_identity_of_the_owning_account() -> None:
    user = f"arn:aws:iam::{ACCOUNT}:user/alice"
    request = ask(principal=user, account_id=ACCOUNT)
    assert evaluate(default_policy(ACCOUNT, REGION), request) is Decision.ALLOW


def test_the_default_policy_does_not_allow_another_account() -> None:
    assert evaluate(default_policy(ACCOUNT, REGION), ask()) is Decision.NOT_ALLOWED


def test_a_star_principal_allows_everyone() -> None:
    assert evaluate(policy(statement(Principal="*")), ask()) is Decision.ALLOW


def test_an_aws_star_principal_allows_everyone() -> None:
    assert evaluate(policy(statement(Principal={"AWS": "*"})), ask()) is Decision.ALLOW


def test_an_account_id_principal_allows_every_identity_of_that_account() -> None:
    request = ask(principal=f"arn:aws:iam::{OTHER_ACCOUNT}:role/app")
    assert evaluate(policy(statement(Principal={"AWS": OTHER_ACCOUNT})), request) is Decision.ALLOW


def test_a_root_principal_allows_every_identity_of_that_account() -> None:
    request = ask(principal=f"arn:aws:iam::{OTHER_ACCOUNT}:user/bob")
    assert evaluate(policy(statement(Principal={"AWS": OTHER_ROOT})), request) is Decision.ALLOW


def test_a_root_principal_does_not_allow_another_account() -> None:
    assert evaluate(policy(statement(Principal={"AWS": ROOT})), ask()) is Decision.NOT_ALLOWED


def test_a_user_principal_allows_that_user_only() -> None:
    bob = f"arn:aws:iam::{OTHER_ACCOUNT}:user/bob"
    document = policy(statement(Principal={"AWS": bob}))
    assert evaluate(document, ask(principal=bob)) is Decision.ALLOW
    assert evaluate(document, ask(principal=OTHER_ROOT)) is Decision.NOT_ALLOWED


def test_a_principal_list_allows_any_of_its_members() -> None:
    document = policy(statement(Principal={"AWS": ["999999999999", OTHER_ROOT]}))
    assert evaluate(document, ask()) is Decision.ALLOW


def test_a_role_principal_allows_the_sessions_of_that_role() -> None:
    role = f"arn:aws:iam::{OTHER_ACCOUNT}:role/team/app"
    session = f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/app/run-42"
    assert evaluate(policy(statement(Principal={"AWS": role})), ask(principal=session)) == (
        Decision.ALLOW
    )


def test_a_service_principal_allows_no_caller() -> None:
    document = policy(statement(Principal={"Service": "s3.amazonaws.com"}))
    assert evaluate(document, ask()) is Decision.NOT_ALLOWED


def test_a_statement_without_a_principal_applies_to_nobody() -> None:
    document = policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})
    assert evaluate(document, ask()) is Decision.NOT_ALLOWED


def test_a_deny_with_not_principal_denies_everyone_else() -> None:
    document = policy(
        statement(Principal="*"),
        {"Effect": "Deny", "NotPrincipal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
    )
    assert evaluate(document, ask()) is Decision.DENY
    assert evaluate(document, ask(principal=ROOT, account_id=ACCOUNT)) is Decision.ALLOW


# policy_eval: actions and resources


def test_an_action_matches_case_insensitively() -> None:
    document = policy(statement(Action="KMS:generatedatakeypair"))
    assert evaluate(document, ask()) is Decision.ALLOW


def test_an_action_allows_only_that_action() -> None:
    document = policy(statement(Action="kms:Encrypt"))
    assert evaluate(document, ask("kms:Decrypt")) is Decision.NOT_ALLOWED


def test_a_trailing_wildcard_action_matches_every_action_with_that_prefix() -> None:
    document = policy(statement(Action="kms:Generate*"))
    assert evaluate(document, ask("kms:GenerateDataKeyPairWithoutPlaintext")) is Decision.ALLOW
    assert evaluate(document, ask("kms:Decrypt")) is Decision.NOT_ALLOWED


def test_a_question_mark_in_an_action_matches_one_character() -> None:
    document = policy(statement(Action="kms:?ncrypt"))
    assert evaluate(document, ask("kms:Encrypt")) is Decision.ALLOW
    assert evaluate(document, ask("kms:ReEncrypt")) is Decision.NOT_ALLOWED


def test_an_action_list_matches_any_of_its_members() -> None:
    document = policy(statement(Action=["kms:Encrypt", "kms:GenerateDataKeyPair"]))
    assert evaluate(document, ask()) is Decision.ALLOW


def test_not_action_matches_every_other_action() -> None:
    document = policy(
        {"Effect": "Allow", "Principal": "*", "NotAction": "kms:Decrypt", "Resource": "*"}
    )
    assert evaluate(document, ask("kms:Encrypt")) is Decision.ALLOW
    assert evaluate(document, ask("kms:Decrypt")) is Decision.NOT_ALLOWED


def test_a_resource_naming_the_key_matches_it_and_no_other_key() -> None:
    document = policy(statement(Resource=KEY))
    assert evaluate(document, ask()) is Decision.ALLOW
    other_key = KEY.replace("1234abcd", "9999abcd")
    assert evaluate(document, ask(resource=other_key)) is Decision.NOT_ALLOWED


def test_a_wildcard_resource_matches_the_keys_it_covers() -> None:
    document = policy(statement(Resource=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*"))
    assert evaluate(document, ask()) is Decision.ALLOW
    elsewhere = KEY.replace(REGION, "eu-west-1")
    assert evaluate(document, ask(resource=elsewhere)) is Decision.NOT_ALLOWED


def test_not_resource_matches_every_other_key() -> None:
    document = policy({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "NotResource": KEY})
    assert evaluate(document, ask()) is Decision.NOT_ALLOWED


# policy_eval: effects and conditions


def test_a_deny_wins_over_an_allow() -> None:
    document = policy(statement(), statement("Deny", Action="kms:GenerateDataKeyPair"))
    assert evaluate(document, ask()) is Decision.DENY


def test_a_deny_for_another_action_leaves_the_allow() -> None:
    document = policy(statement(), statement("Deny", Action="kms:Decrypt"))
    assert evaluate(document, ask()) is Decision.ALLOW


def test_an_allow_with_a_condition_does_not_allow() -> None:
    condition = {"StringEquals": {"kms:CallerAccount": OTHER_ACCOUNT}}
    assert evaluate(policy(statement(Condition=condition)), ask()) is Decision.NOT_ALLOWED


def test_a_deny_with_a_condition_denies() -> None:
    condition = {"Bool": {"aws:SecureTransport": "false"}}
    document = policy(statement(), statement("Deny", Condition=condition))
    assert evaluate(document, ask()) is Decision.DENY


def test_a_single_statement_object_is_evaluated_like_a_list_of_one() -> None:
    document = json.dumps({"Version": "2012-10-17", "Statement": statement()})
    assert evaluate(document, ask()) is Decision.ALLOW


def test_a_document_that_does_not_parse_allows_nothing() -> None:
    assert evaluate("{not json", ask()) is Decision.NOT_ALLOWED
