"""Which operations the command line offers, and their names in kebab-case.

Derived from botocore's KMS service model, restricted to what the local KMS implements, so the
command line and the local KMS can never disagree about which operations exist.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore

from ..kms.model import service_model
from ..kms.service import OPERATIONS


def cli_name(name: str) -> str:
    """The aws CLI's name for an operation or member: ``GenerateDataKeyPair`` ->
    ``generate-data-key-pair``, ``KeyId`` -> ``key-id``."""
    converted: str = botocore.xform_name(name, "-")
    return converted


@functools.cache
def command_operations() -> dict[str, str]:
    """Command name -> API operation name, in the model's order."""
    model = service_model()
    return {cli_name(name): name for name in model.operation_names if name in OPERATIONS}


def input_shape(operation: str) -> Any:
    """The input structure shape of ``operation`` (an API name), or ``None`` if it takes none."""
    return service_model().operation_model(operation).input_shape


def output_shape(operation: str) -> Any:
    """The output structure shape of ``operation`` (an API name), or ``None``."""
    return service_model().operation_model(operation).output_shape


def summary(operation: str) -> str:
    """The first sentence of the model's documentation of ``operation``, as plain text."""
    documentation = str(service_model().operation_model(operation).documentation or "")
    text = _strip_tags(documentation)
    sentence = text.split(". ")[0].strip().rstrip(".")
    if len(sentence) <= 80:
        return sentence
    return sentence[:80].rsplit(" ", 1)[0] + " ..."


def _strip_tags(html: str) -> str:
    out: list[str] = []
    inside = False
    for char in html:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
            out.append(" ")
        elif not inside:
            out.append(char)
    return " ".join("".join(out).split())
