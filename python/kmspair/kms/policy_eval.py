"""Key policy evaluation: whether a key policy allows, explicitly denies, or does not allow one
principal one action on one key.

AWS's rules, as far as a key policy alone decides them: a statement applies when its principal,
action and resource all match; an applicable Deny wins over every Allow; with no applicable
statement the answer is "not allowed" (an implicit deny).

Two choices where AWS relies on things kmspair does not have:

- [choice] The account root (``"111122223333"`` or ``arn:aws:iam::111122223333:root``) as a
  principal stands for every identity of that account. In AWS an Allow to the root delegates
  to the account's IAM policies; kmspair has no IAM, so every local identity holds all IAM
  permissions in its own account, and the delegation always succeeds. A Deny to the root
  likewise covers every identity of the account, as in AWS.
- [choice] Conditions are not evaluated. A statement with a non-empty ``Condition`` is taken
  conservatively: an Allow with conditions never allows, and a Deny with conditions always
  denies. Both fail closed: kmspair may refuse what AWS would allow, never the reverse, so a
  policy that works against kmspair does not grant more than it would in AWS.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
# arn:<partition>:iam::<account>:root
_ROOT_ARN = re.compile(r"^arn:[a-z-]+:iam::([0-9]{12}):root$")
# arn:<partition>:sts::<account>:assumed-role/<role-name>/<session-name>
_ASSUMED_ROLE = re.compile(r"^arn:([a-z-]+):sts::([0-9]{12}):assumed-role/([^/]+)/[^/]+$")
# arn:<partition>:iam::<account>:role/<optional path/><role-name>
_ROLE_ARN = re.compile(r"^arn:([a-z-]+):iam::([0-9]{12}):role/(?:.*/)?([^/]+)$")


class Decision(enum.Enum):
    """The outcome of evaluating a policy for one request."""

    ALLOW = "Allow"
    DENY = "Deny"  # an explicit Deny statement applies
    NOT_ALLOWED = "NotAllowed"  # no statement applies: AWS's implicit deny


@dataclass(frozen=True)
class Request:
    """What is asked of the policy: ``principal`` (an ARN) of ``account_id`` wants to perform
    ``action`` (``kms:GenerateDataKeyPair``) on ``resource`` (a key ARN)."""

    principal: str
    account_id: str
    action: str
    resource: str


def evaluate(policy: str | Mapping[str, Any], request: Request) -> Decision:
    """The decision of ``policy`` (a JSON document or its parsed form) for ``request``.

    A document that does not parse, or has no statements, allows nothing: stored policies
    passed ``policy.check_policy``, so this only guards against a damaged keystore.
    """
    if isinstance(policy, str):
        # A stored policy is its JSON text, and the decision a pure function of the text and
        # the request (both immutable), so the same caller's requests on a key evaluate once.
        return _evaluate_text(policy, request)
    return _evaluate(policy, request)


@lru_cache(maxsize=512)
def _evaluate_text(policy: str, request: Request) -> Decision:
    return _evaluate(_parsed(policy), request)


def _evaluate(document: Any, request: Request) -> Decision:
    if not isinstance(document, Mapping):
        return Decision.NOT_ALLOWED
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        return Decision.NOT_ALLOWED
    allowed = False
    for statement in statements:
        if not isinstance(statement, Mapping) or not _applies(statement, request):
            continue
        effect = statement.get("Effect")
        if effect == "Deny":
            return Decision.DENY
        if effect == "Allow" and not _has_conditions(statement):
            allowed = True
    return Decision.ALLOW if allowed else Decision.NOT_ALLOWED


@lru_cache(maxsize=256)
def _parsed(policy: str) -> Any:
    """The parsed policy document, None if it does not parse. Cached (see _evaluate_text) and
    so shared: it is only ever read, never changed."""
    try:
        return json.loads(policy)
    except (ValueError, RecursionError):
        return None


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    """Whether the statement's principal, action and resource elements all match."""
    if "Principal" in statement:
        if not _principal_matches(statement["Principal"], request):
            return False
    elif "NotPrincipal" in statement:
        if _principal_matches(statement["NotPrincipal"], request):
            return False
    else:
        # A resource-based policy statement names its principal; one that does not applies
        # to nobody (AWS refuses such a policy when it is stored).
        return False
    if "Action" in statement:
        if not _any_pattern_matches(statement["Action"], request.action, ignore_case=True):
            return False
    elif "NotAction" in statement:
        if _any_pattern_matches(statement["NotAction"], request.action, ignore_case=True):
            return False
    else:
        return False
    # [choice] A key policy is attached to one key, so a statement without Resource or
    # NotResource is read as naming that key (AWS expects "Resource": "*").
    if "Resource" in statement:
        return _any_pattern_matches(statement["Resource"], request.resource, ignore_case=False)
    if "NotResource" in statement:
        return not _any_pattern_matches(
            statement["NotResource"], request.resource, ignore_case=False
        )
    return True


def _has_conditions(statement: Mapping[str, Any]) -> bool:
    return bool(statement.get("Condition"))


def _principal_matches(element: Any, request: Request) -> bool:
    """Whether a ``Principal`` element names the requester.

    ``"*"`` is everyone; ``{"AWS": ...}`` lists account IDs, root ARNs and user or role ARNs
    (``"*"`` too). Other principal kinds (``Service``, ``Federated``) never call kmspair.
    """
    if element == "*":
        return True
    if not isinstance(element, Mapping):
        return False
    return any(_aws_principal_matches(name, request) for name in _as_list(element.get("AWS")))


def _aws_principal_matches(name: str, request: Request) -> bool:
    if name == "*":
        return True
    if _ACCOUNT_ID.match(name):
        return name == request.account_id
    root = _ROOT_ARN.match(name)
    if root is not None:
        return root.group(1) == request.account_id
    if name == request.principal:
        return True
    # A role ARN in a policy also names every session of that role, whose caller ARN is an
    # sts assumed-role ARN without the role's path.
    role, session = _ROLE_ARN.match(name), _ASSUMED_ROLE.match(request.principal)
    return role is not None and session is not None and role.groups() == session.groups()


def _any_pattern_matches(element: Any, value: str, *, ignore_case: bool) -> bool:
    return any(
        _wildcard(pattern, ignore_case).match(value) is not None for pattern in _as_list(element)
    )


@lru_cache(maxsize=1024)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM's wildcards: ``*`` any run of characters, ``?`` any one character."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)


def _as_list(element: Any) -> list[str]:
    """A policy element's values: one string or a list of them; anything else is none."""
    if isinstance(element, str):
        return [element]
    if isinstance(element, list):
        return [item for item in element if isinstance(item, str)]
    return []
