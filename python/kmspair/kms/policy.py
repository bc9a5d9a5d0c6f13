"""Key policies: the default one, and the checks a policy document must pass to be stored.

They are enforced in ``access.authorize`` through ``policy_eval``.
"""

from __future__ import annotations

import json

from . import policy_eval
from .arn import partition_of
from .caller import Caller
from .errors import KMSError


def default_policy(account_id: str, region: str) -> str:
    """The policy KMS gives a key created without one: the owning account has full access."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [
                {
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition_of(region)}:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        },
        indent=2,
    )


def check_policy(document: str) -> None:
    """MalformedPolicyDocumentException unless ``document`` is a JSON policy with statements."""
    try:
        policy = json.loads(document)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise _malformed() from None
    if not isinstance(policy, dict):
        raise _malformed()
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _malformed()
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise _malformed()
        if "Action" not in statement and "NotAction" not in statement:
            raise _malformed()


def check_lockout(document: str, caller: Caller, key_arn: str) -> None:
    """MalformedPolicyDocumentException if ``document`` would not let ``caller`` change the
    key's policy again: AWS's policy lockout safety check, which CreateKey and PutKeyPolicy
    skip only when BypassPolicyLockoutSafetyCheck is true.

    Grants cannot give PutKeyPolicy, so the policy alone decides.
    """
    request = policy_eval.Request(
        principal=caller.principal,
        account_id=caller.account_id,
        action="kms:PutKeyPolicy",
        resource=key_arn,
    )
    if policy_eval.evaluate(document, request) is not policy_eval.Decision.ALLOW:
        raise KMSError(
            "MalformedPolicyDocumentException",
            "The new key policy will not allow you to update the key policy in the future.",
        )


def _malformed() -> KMSError:
    # [choice] AWS's text for a policy it cannot parse.
    return KMSError("MalformedPolicyDocumentException", "The key policy is not valid JSON.")
