"""The checks between finding a key and using it, in AWS's order (behaviour spec §2):
authorization, key state, key usage, grant tokens. DryRun comes last, in each operation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from . import policy_eval
from .arn import partition_of
from .caller import Caller
from .errors import KMSError
from .records import GrantRecord, KeyRecord
from .store import KeyStore

# Key state -> (error code, message suffix). Enabled and Updating keys are usable (§4).
_STATE_ERRORS = {
    "Disabled": ("DisabledException", "is disabled."),
    "PendingDeletion": ("KMSInvalidStateException", "is pending deletion."),
    "PendingReplicaDeletion": ("KMSInvalidStateException", "is pending deletion."),
    "PendingImport": ("KMSInvalidStateException", "is pending import."),
    "Unavailable": ("KMSInvalidStateException", "is unavailable."),
    "Creating": ("KMSInvalidStateException", "is creating."),
}

SYMMETRIC = "SYMMETRIC_DEFAULT"


def authorize(
    store: KeyStore,
    caller: Caller,
    key: KeyRecord,
    operation: str,
    context: Mapping[str, str] | None = None,
) -> None:
    """AccessDeniedException unless the caller may perform ``operation`` on ``key``.

    The key policy decides first, for the owning account as for any other: an explicit Deny
    refuses even the owner, and even a caller holding a grant (AWS: an explicit deny in any
    policy wins). Without a Deny, an Allow in the policy or a grant to the caller for the
    operation allows. Whether another account may reach the key at all (by ARN only) was
    settled when the key was resolved (``keyid.py``). ``context`` is the request's encryption
    context (``{}`` when it has none) for an operation that takes one, else ``None``: a grant
    with an encryption context constraint allows the former only when the context meets it.
    """
    _authorize(
        store,
        caller,
        key,
        operation,
        lambda grant: context is None or meets_constraints(context, grant.constraints),
    )


def authorize_create_grant(
    store: KeyStore,
    caller: Caller,
    key: KeyRecord,
    operations: Sequence[str],
    constraints: Mapping[str, Mapping[str, str]] | None,
) -> None:
    """:func:`authorize` for a CreateGrant of ``operations`` under ``constraints``.

    A caller whose CreateGrant permission comes from a grant rather than the key policy may
    only create grants within that parent grant, as the AWS developer guide says ("Granting
    CreateGrant permission"): some or all of its operations, under constraints at least as
    strict as its own. A child grant that exceeds every parent is refused like a caller with
    no permission at all [choice: AWS documents the limit, not its error message]."""
    _authorize(
        store,
        caller,
        key,
        "CreateGrant",
        lambda parent: (
            set(operations) <= set(parent.operations)
            and at_least_as_strict(constraints, parent.constraints)
        ),
    )


def _authorize(
    store: KeyStore,
    caller: Caller,
    key: KeyRecord,
    operation: str,
    grant_allows: Callable[[GrantRecord], bool],
) -> None:
    """The policy, then any grant of ``operation`` to the caller for which ``grant_allows``."""
    decision = policy_eval.evaluate(
        key.policy,
        policy_eval.Request(
            principal=caller.principal,
            account_id=caller.account_id,
            action=f"kms:{operation}",
            resource=key.arn,
        ),
    )
    if decision is policy_eval.Decision.ALLOW:
        return
    denied = f"User: {caller.principal} is not authorized to perform: kms:{operation} on resource: "
    if decision is policy_eval.Decision.DENY:
        raise KMSError(
            "AccessDeniedException",
            f"{denied}{key.arn} with an explicit deny in a resource-based policy",
        )
    root = f"arn:{partition_of(caller.region)}:iam::{caller.account_id}:root"
    # A grant to the caller's principal, or to its whole account through the account or root.
    grantees = (caller.principal, caller.account_id, root)
    if any(
        operation in grant.operations
        and grant.grantee_principal in grantees
        and grant_allows(grant)
        for grant in store.grants(key.arn)
    ):
        return
    raise KMSError(
        "AccessDeniedException",
        f"{denied}{key.arn} because no resource-based policy allows the kms:{operation} action",
    )


def meets_constraints(
    context: Mapping[str, str], constraints: Mapping[str, Mapping[str, str]] | None
) -> bool:
    """Whether an encryption context meets a grant's constraints: exactly the pairs of
    ``EncryptionContextEquals``, and at least the pairs of ``EncryptionContextSubset``.

    As AWS documents for grant constraints (unlike decryption, which matches exactly), keys
    compare without regard to case and values exactly. AWS applies them only to operations
    that take an encryption context; the grant's DescribeKey or RetireGrant, say, is not
    constrained."""
    if not constraints:
        return True
    pairs = {name.lower(): value for name, value in context.items()}
    equals = constraints.get("EncryptionContextEquals")
    if equals is not None and (
        len(pairs) != len(context) or pairs != {k.lower(): v for k, v in equals.items()}
    ):
        return False
    subset = constraints.get("EncryptionContextSubset")
    return subset is None or all(pairs.get(name.lower()) == value for name, value in subset.items())


def at_least_as_strict(
    child: Mapping[str, Mapping[str, str]] | None,
    parent: Mapping[str, Mapping[str, str]] | None,
) -> bool:
    """Whether every encryption context that meets the ``child`` constraints also meets the
    ``parent``'s: a child grant may add pairs to a parent's ``EncryptionContextSubset`` or
    turn it into ``EncryptionContextEquals``, but not drop pairs, nor turn Equals into
    Subset (AWS developer guide, "Granting CreateGrant permission")."""
    if not parent:
        return True
    child = child or {}
    equals = child.get("EncryptionContextEquals")
    if equals is not None:
        # No context but this one meets the child.
        return meets_constraints(equals, parent)
    if parent.get("EncryptionContextEquals") is not None:
        return False  # without Equals of its own, the child admits more than one context
    # Any context meeting the child holds its Subset; the Subset alone is the weakest such.
    return meets_constraints(child.get("EncryptionContextSubset") or {}, parent)


def check_state(key: KeyRecord) -> None:
    """DisabledException or KMSInvalidStateException unless the key is usable."""
    error = _STATE_ERRORS.get(key.key_state)
    if error is not None:
        code, suffix = error
        raise KMSError(code, f"{key.arn} {suffix}")


def check_symmetric_encryption_key(key: KeyRecord, operation: str) -> None:
    """InvalidKeyUsageException unless ``key`` is a symmetric encryption key.

    Every operation that seals under the key material needs one: asymmetric ENCRYPT_DECRYPT
    keys (RSA, SM2) are refused by key spec, other usages by key usage (§2 check 5).
    """
    if key.key_usage != "ENCRYPT_DECRYPT":
        raise KMSError(
            "InvalidKeyUsageException",
            f"{key.arn} key usage is {key.key_usage} which is not valid for {operation}.",
        )
    if key.key_spec != SYMMETRIC:
        raise KMSError(
            "InvalidKeyUsageException",
            f"{key.arn} key spec is {key.key_spec} which is not valid for {operation}.",
        )


def check_not_in_custom_key_store(key: KeyRecord) -> None:
    if key.custom_key_store_id is not None:
        raise KMSError(
            "UnsupportedOperationException",
            f"{key.arn} is in a custom key store, which is not valid for this operation.",
        )


def check_grant_tokens(store: KeyStore, tokens: Sequence[str] | None) -> None:
    """InvalidGrantTokenException for any token this KMS did not issue."""
    for token in tokens or ():
        if store.grant_by_token(token) is None:
            raise KMSError("InvalidGrantTokenException", "Grant token is invalid.")


def check_dry_run(dry_run: bool | None) -> None:
    """Called once every other check has passed (§2 check 7)."""
    if dry_run:
        raise KMSError(
            "DryRunOperationException",
            "The request would have succeeded, but the DryRun option is set.",
        )


def check_key_use(
    store: KeyStore,
    caller: Caller,
    key: KeyRecord,
    operation: str,
    grant_tokens: Sequence[str] | None,
    context: Mapping[str, str] | None,
    *,
    custom_key_store_allowed: bool = True,
) -> None:
    """Checks 3 to 6 of §2 on a key the request already named, in AWS's order:
    authorization, key state, key usage (and, for data key pairs, the custom key store),
    grant tokens. Every operation that seals or opens under the key material runs these;
    ``context`` is the request's encryption context (``None`` when it gave none)."""
    authorize(store, caller, key, operation, {} if context is None else context)
    check_state(key)
    check_symmetric_encryption_key(key, operation)
    if not custom_key_store_allowed:
        check_not_in_custom_key_store(key)
    check_grant_tokens(store, grant_tokens)
