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


class _Yaml12Booleans(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2's booleans, which aws CLI v2 reads (ruamel.yaml):
    only true and false. YAML 1.1's yes/no/on/off stay strings, so an encryption context
    ``{approved: yes}`` is the string it looks like, as with aws."""


_BOOL = "tag:yaml.org,2002:bool"
_Yaml12Booleans.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Booleans.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Yaml12Booleans)  # a SafeLoader: builds no objects
    except yaml.MarkedYAMLError as error:
        # Its own text quotes the offending line; the problem and where it is are enough.
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ParamError(
            f"Error parsing parameter 'cli-input-yaml': Invalid YAML: {error.problem}{where}"
        ) from None
    except yaml.YAMLError:
        raise ParamError("Error parsing parameter 'cli-input-yaml': Invalid YAML") from None
