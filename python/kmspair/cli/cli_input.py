"""``--cli-input-json`` / ``--cli-input-yaml``: a whole request given as one document.

Either may be inline or ``file://path``; blobs inside are base64 text, as in aws CLI v2, and
other values keep the types the document gives them. A document may hold a secret
(``Plaintext``), so an error about it never quotes it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from .errors import ParamError, UsageError
from .values import coerce, read_file_argument


def load_cli_input(json_text: str | None, yaml_text: str | None, shape: Any) -> dict[str, Any]:
    """The request members given by ``--cli-input-json`` or ``--cli-input-yaml`` (not both)."""
    if json_text is not None and yaml_text is not None:
        raise UsageError("argument --cli-input-yaml: not allowed with argument --cli-input-json")
    if json_text is not None:
        document = _parse_json(read_file_argument(json_text, "cli-input-json"))
    elif yaml_text is not None:
        document = _parse_yaml(read_file_argument(yaml_text, "cli-input-yaml"))
    else:
        return {}
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise UsageError("Invalid type for cli input: the document must be a mapping of members")
    if shape is None:
        return dict(document)
    loaded: dict[str, Any] = coerce(shape, document, "--cli-input", scalars=False)
    return loaded


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ParamError(
            f"Error parsing parameter 'cli-input-json': Invalid JSON: {error}"
        ) from None


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader reading plain scalars as YAML 1.2 does, like aws CLI v2 (ruamel.yaml,
    whose 1.2 rules these are): the booleans are only true and false, and there are no
    sexagesimal numbers. So an encryption context ``{approved: yes, at: 12:30}`` holds the two
    strings it shows, where YAML 1.1 reads a boolean and the integer 750."""


_RESOLVERS_1_2 = {
    "tag:yaml.org,2002:bool": (r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    "tag:yaml.org,2002:int": (
        r"""^(?:[-+]?0b[0-1][0-1_]*
        |[-+]?0o?[0-7][0-7_]*
        |[-+]?[0-9][0-9_]*
        |[-+]?0x[0-9a-fA-F][0-9a-fA-F_]*)$""",
        "-+0123456789",
    ),
    "tag:yaml.org,2002:float": (
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
}
_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _RESOLVERS_1_2]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, (_pattern, _first) in _RESOLVERS_1_2.items():
    _Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern, re.X), list(_first))


def _yaml_1_2_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """An integer as YAML 1.2 reads it: a leading zero is not octal (``010`` is ten), ``0o``
    is."""
    text = loader.construct_scalar(node).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    for prefix, base in (("0b", 2), ("0o", 8), ("0x", 16)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits)


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _yaml_1_2_int)


def _parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Yaml12Loader)  # a SafeLoader: builds no objects
    except yaml.MarkedYAMLError as error:
        # Its own text quotes the offending line; the problem and where it is are enough.
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParamError(
            f"Error parsing parameter 'cli-input-yaml': Invalid YAML: {error.problem}{where}"
        ) from None
    except yaml.YAMLError:
        raise ParamError("Error parsing parameter 'cli-input-yaml': Invalid YAML") from None
    except (ValueError, TypeError, AttributeError):
        # A tagged or dated scalar its constructor cannot read (``!!int x``, ``2001-13-45``);
        # the constructor's text may quote the value, which may be a secret.
        raise ParamError(
            "Error parsing parameter 'cli-input-yaml': Invalid YAML: a value does not read as "
            "its type"
        ) from None
