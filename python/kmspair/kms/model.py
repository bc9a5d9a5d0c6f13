"""The KMS service model that botocore ships, loaded once and shared by every front end.

Validation, the JSON codec and both clients read shapes from one cached ``ServiceModel``, so they
can never disagree about a member's type or constraints.

Two enum lists are not taken from the model, because the behaviour spec fixes them:

* ``DataKeyPairSpec`` lists exactly :data:`kmspair.specs.KEY_PAIR_SPECS` (spec §2 names 9 specs;
  newer botocore adds ``ML_KEM_*``, which KMS does not offer for data key pairs).
* ``KeySpec`` (CreateKey) starts with the 12 values in the order real AWS printed them in 2023
  (spec §4), followed by the values botocore's model has beyond those, in model order. AWS's
  list order is not alphabetical and not the model's, and we only know the old list; appending
  the newer values keeps the known prefix exact while still naming every spec CreateKey accepts.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.session

from ..specs import KEY_PAIR_SPECS
from .errors import KMSError

_REAL_KEY_SPEC_ORDER: tuple[str, ...] = (
    "RSA_2048",
    "ECC_NIST_P384",
    "ECC_NIST_P256",
    "ECC_NIST_P521",
    "HMAC_384",
    "RSA_3072",
    "ECC_SECG_P256K1",
    "RSA_4096",
    "SYMMETRIC_DEFAULT",
    "HMAC_256",
    "HMAC_224",
    "HMAC_512",
)


@functools.lru_cache(maxsize=1)
def service_model() -> Any:
    """botocore's KMS ``ServiceModel`` (loaded on first use, then cached)."""
    return botocore.session.get_session().get_service_model("kms")


@functools.cache
def operation_model(operation: str) -> Any:
    """The ``OperationModel`` of ``operation`` (a service-model name such as ``'Encrypt'``).

    Raises ``KMSError('UnknownOperationException')`` for a name the model lacks, as the
    endpoint answers an unknown ``X-Amz-Target`` (spec §1).
    """
    model = service_model()
    if operation not in model.operation_names:
        raise KMSError("UnknownOperationException")
    return model.operation_model(operation)


def operation_names() -> list[str]:
    """Every KMS operation name in the service model, in model order."""
    return list(service_model().operation_names)


@functools.cache
def enum_values(shape_name: str) -> tuple[str, ...]:
    """The enum value set AWS enforces and prints for the string shape ``shape_name``."""
    shape = service_model().shape_for(shape_name)
    model_values: list[str] = list(shape.enum)
    if shape_name == "DataKeyPairSpec":
        return KEY_PAIR_SPECS
    if shape_name == "KeySpec":
        newer = tuple(v for v in model_values if v not in _REAL_KEY_SPEC_ORDER)
        return _REAL_KEY_SPEC_ORDER + newer
    return tuple(model_values)


@functools.cache
def member_path(member_name: str) -> str:
    """The Coral path segment of a member: its name with the first letter lowercased."""
    return member_name[:1].lower() + member_name[1:]


@functools.lru_cache(maxsize=1)
def paginator_configs() -> dict[str, Any]:
    """botocore's KMS paginator configurations, keyed by operation name."""
    model = botocore.session.get_session().get_paginator_model("kms")
    configs: dict[str, Any] = {}
    for name in operation_names():
        try:
            configs[name] = model.get_paginator(name)
        except ValueError:  # botocore's way of saying "not pageable"
            continue
    return configs
