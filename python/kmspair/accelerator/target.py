"""What ``accelerate`` may be given: a KMS client, or a session whose future KMS clients it covers.

botocore and boto3 clients are the same class (boto3 only builds them), so one check covers both.
boto3 is optional for kmspair (the test extra installs it), so its Session is recognised without
importing boto3 unless the caller already has.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import botocore.client
import botocore.session

_KMS = "kms"


@dataclass(frozen=True)
class Target:
    """A resolved target: exactly one of ``client`` and ``session`` is set.

    ``session`` is always the botocore session, also when a boto3 ``Session`` was given (boto3
    creates every client through it).
    """

    client: Any = None
    session: Any = None


def resolve_target(target: object) -> Target:
    """Classify ``target``; ``TypeError`` for anything that is neither a client nor a session,
    ``ValueError`` for a client of another service."""
    if isinstance(target, botocore.client.BaseClient):
        service = target.meta.service_model.service_name
        if service != _KMS:
            raise ValueError(f"accelerate() needs a KMS client; this is a {service!r} client")
        return Target(client=target)
    if isinstance(target, botocore.session.Session):
        return Target(session=target)
    boto3_session = _boto3_session_class()
    if boto3_session is not None and isinstance(target, boto3_session):
        return Target(session=getattr(target, "_session"))  # noqa: B009 - boto3 keeps it private
    raise TypeError(
        "accelerate() takes a boto3/botocore KMS client, a boto3.Session or a "
        f"botocore.session.Session, not {type(target).__name__}"
    )


def _boto3_session_class() -> type | None:
    # Only look if boto3 is loaded: an object cannot be a boto3.Session otherwise.
    module = sys.modules.get("boto3.session")
    session_class = getattr(module, "Session", None) if module is not None else None
    return session_class if isinstance(session_class, type) else None
