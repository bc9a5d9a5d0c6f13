"""Request parameters made from the KMS service model, valid and not, for the validators' tests."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal
from typing import Any

from kmspair.kms.model import operation_model

# Values of every Python type botocore distinguishes, valid or not for any given shape.
ODD_VALUES: list[Any] = [
    None,
    "",
    "x",
    0,
    -1,
    7,
    True,
    False,
    1.5,
    Decimal("2"),
    b"",
    b"ab",
    bytearray(b"z"),
    [],
    ["x"],
    (),
    {},
    {"k": "v"},
    {"Unknown": 1},
    io.BytesIO(b"r"),
    datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
]


def valid_value(shape: Any) -> Any:
    """A smallest value botocore accepts for ``shape``."""
    kind = shape.type_name
    low = int(shape.metadata.get("min", 1))
    if kind == "string":
        return shape.enum[0] if shape.enum else "k" * max(low, 1)
    if kind == "blob":
        return b"b" * max(low, 1)
    if kind in ("integer", "long"):
        return max(low, 1)
    if kind in ("float", "double"):
        return float(max(low, 1))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    if kind == "list":
        return [valid_value(shape.member) for _ in range(max(low, 1))]
    if kind == "map":
        return {valid_value(shape.key): valid_value(shape.value)}
    return {name: valid_value(member) for name, member in shape.members.items()}


def has_timestamp(shape: Any, depth: int = 0) -> bool:
    if depth > 10:
        return False
    kind = shape.type_name
    if kind == "timestamp":
        return True
    if kind == "list":
        return has_timestamp(shape.member, depth + 1)
    if kind == "map":
        return has_timestamp(shape.value, depth + 1)
    if kind == "structure":
        return any(has_timestamp(member, depth + 1) for member in shape.members.values())
    return False


def variations(operation: str, rng: random.Random, count: int) -> list[dict[str, Any]]:
    shape = operation_model(operation).input_shape
    full = valid_value(shape)
    required = list(shape.metadata.get("required", ()))
    made = []
    for _ in range(count):
        params = {name: full[name] for name in full if name in required or rng.random() < 0.5}
        for name in list(params):
            roll = rng.random()
            if roll < 0.1:
                params[name] = rng.choice(ODD_VALUES)
            elif roll < 0.15:
                del params[name]
            elif roll < 0.2 and isinstance(params[name], (str, list, bytes)):
                params[name] = params[name][:0]
            elif roll < 0.25 and isinstance(params[name], list):
                params[name] = params[name] + [rng.choice(ODD_VALUES)]
            elif roll < 0.3 and isinstance(params[name], dict):
                params[name] = {
                    **params[name],
                    rng.choice(["k", "Unknown"]): rng.choice(ODD_VALUES),
                }
        if rng.random() < 0.05:
            params["NotAMember"] = "x"
        made.append(params)
    return made
