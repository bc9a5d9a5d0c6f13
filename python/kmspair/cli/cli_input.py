"""``--cli-input-json`` / ``--cli-input-yaml``: a whole request given as one document.

Either may be inline or ``file://path``; blobs inside are base64 text, as in aws CLI v2.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from .errors import UsageError
from .values import coerce, read_file_argument


def load_cli_input(json_text: str | None, yaml_text: str | None, shape: Any) -> dict[str, Any]:
    """The request members given by ``--cli-input-json`` or ``--cli-input-yaml`` (not both)."""
    if json_text is not None and yaml_text is not None:
        raise UsageError("argument --cli-input-yaml: not allowed with argument --cli-input-json")
    if json_text is not None:
        document = _parse_json(read_file_argument(json_text))
    elif yaml_text is not None:
        document = _parse_yaml(read_file_argument(yaml_text))
    else:
        return {}
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise UsageError("Invalid type for cli input: the document must be a mapping of members")
    if shape is None:
        return dict(document)
    loaded: dict[str, Any] = coerce(shape, document, "--cli-input")
    return loaded


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"Invalid JSON received for --cli-input-json: {error.msg}") from None


def _parse_yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UsageError(f"Invalid YAML received for --cli-input-yaml: {error}") from None
