"""The in-process client's fast parameter check says yes only where botocore's validator does.

For every KMS operation, valid parameters built from the model and thousands of random
variations of them (wrong types, short values, missing and unknown members) go through both
``botocore_acceptance.accepts`` and botocore's own ``ParamValidator``.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from botocore.validate import ParamValidator
from model_values import has_timestamp, valid_value, variations

from kmspair.kms.botocore_acceptance import accepts
from kmspair.kms.model import operation_model, operation_names

OPERATIONS = [name for name in operation_names() if operation_model(name).input_shape is not None]


def botocore_passes(operation: str, params: Any) -> bool:
    shape = operation_model(operation).input_shape
    return not ParamValidator().validate(params, shape).has_errors()


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_yes_is_always_botocores_yes(operation: str) -> None:
    rng = random.Random(operation)
    for params in variations(operation, rng, 400):
        if accepts(operation, params):
            assert botocore_passes(operation, params), params


@pytest.mark.parametrize("operation", OPERATIONS)
def test_without_timestamps_the_answer_is_botocores(operation: str) -> None:
    # Where every member is modeled, the fast check must not fall back needlessly either.
    shape = operation_model(operation).input_shape
    if has_timestamp(shape):
        pytest.skip("timestamps are left to botocore")
    rng = random.Random(f"{operation}/both")
    for params in variations(operation, rng, 400):
        assert accepts(operation, params) == botocore_passes(operation, params), params


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_smallest_and_the_fullest_valid_requests_are_accepted(operation: str) -> None:
    shape = operation_model(operation).input_shape
    if has_timestamp(shape):
        pytest.skip("timestamps are left to botocore")
    full = valid_value(shape)
    smallest = {name: full[name] for name in shape.metadata.get("required", ())}
    assert accepts(operation, smallest)
    assert accepts(operation, full)


def test_a_typical_generate_data_key_pair_request_is_accepted() -> None:
    params = {
        "KeyId": "alias/orders",
        "KeyPairSpec": "RSA_2048",
        "EncryptionContext": {"tenant": "a"},
        "GrantTokens": ["t"],
        "DryRun": False,
    }
    assert accepts("GenerateDataKeyPair", params)
