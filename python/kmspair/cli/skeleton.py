"""``--generate-cli-skeleton``: a request or response template built from the service model.

Unlike botocore's ``ArgumentGenerator`` (which aws CLI v1 uses, and which leaves blobs ``None``
so v1 crashes on ``output``), every shape gets a value, and enums get their first value rather
than a random one, so the skeleton is the same on every run.
"""

from __future__ import annotations

import base64
from typing import Any

import yaml


def input_skeleton(shape: Any) -> dict[str, Any]:
    """A request template: empty strings, zeros, ``True``, one-element lists and maps."""
    if shape is None:
        return {}
    value: dict[str, Any] = _sample(shape, name="", use_names=False, stack=[])
    return value


def output_skeleton(shape: Any) -> dict[str, Any]:
    """A sample response: strings hold their member's name, blobs its base64, as aws CLI v2."""
    if shape is None:
        return {}
    value: dict[str, Any] = _sample(shape, name="", use_names=True, stack=[])
    return value


def yaml_input_skeleton(shape: Any) -> str:
    """The request template as YAML, each required member marked as aws CLI v2 marks it."""
    skeleton = input_skeleton(shape)
    required = set(shape.required_members) if shape is not None else set()
    lines: list[str] = []
    for name, value in skeleton.items():
        dumped = yaml.safe_dump({name: value}, sort_keys=False, default_flow_style=False)
        first, *rest = dumped.rstrip("\n").split("\n")
        if name in required:
            first += "  # [REQUIRED]"
        lines.append(first)
        lines.extend(rest)
    return "\n".join(lines) + "\n"


def _sample(shape: Any, *, name: str, use_names: bool, stack: list[str]) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if shape.name in stack:  # a recursive shape: stop rather than loop forever
            return {}
        stack.append(shape.name)
        members = {
            member: _sample(member_shape, name=member, use_names=use_names, stack=stack)
            for member, member_shape in shape.members.items()
        }
        stack.pop()
        return members
    if kind == "list":
        return [_sample(shape.member, name=name, use_names=use_names, stack=stack)]
    if kind == "map":
        return {"KeyName": _sample(shape.value, name="KeyName", use_names=use_names, stack=stack)}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        return name if use_names else ""
    if kind == "blob":
        return base64.b64encode(name.encode()).decode() if use_names else ""
    if kind in ("integer", "long"):
        return 0
    if kind in ("float", "double"):
        return 0.0
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return "1970-01-01T00:00:00+00:00"
    return None
