"""Printing a response: JSON-ready values, ``--query``, then ``--output`` json|text|table|yaml."""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any, TextIO

import jmespath
import jmespath.exceptions
import yaml
from botocore.utils import set_value_from_jmespath

from .errors import UsageError
from .table_output import format_table
from .text_output import format_text

OUTPUT_FORMATS = ("json", "text", "table", "yaml")


def printable(response: dict[str, Any]) -> Any:
    """``response`` without ``ResponseMetadata``, blobs in base64, timestamps in ISO 8601."""
    return _jsonable({k: v for k, v in response.items() if k != "ResponseMetadata"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def compile_query(expression: str | None) -> Any:
    """The compiled ``--query`` expression, or ``None``; a bad one is a usage error."""
    if expression is None:
        return None
    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as error:
        raise UsageError(f"argument --query: Bad value for --query {expression}: {error}") from None


def emit(data: Any, *, output: str, query: Any, title: str, stream: TextIO) -> None:
    """Write ``data`` (JSON-ready) filtered by ``query`` in format ``output`` to ``stream``."""
    if query is not None:
        data = query.search(data)
    if output == "json":
        # As the aws CLI: an empty response prints nothing, a query with no match prints null.
        if data != {}:
            stream.write(json.dumps(data, indent=4, ensure_ascii=False) + "\n")
    elif output == "yaml":
        if data != {}:
            stream.write(yaml.safe_dump(data, sort_keys=False, default_flow_style=False))
    elif output == "text":
        format_text(data, stream)  # a query with no match prints "None", as the aws CLI's
    elif data not in ({}, None):
        format_table(data, title, stream)


def emit_text_pages(pages: Any, *, query: Any, stream: TextIO) -> None:
    """A paginated listing as ``--output text``: the aws CLI formats (and queries) it page by
    page rather than merged, then prints the ``NextToken`` that ``--max-items`` left, led by
    ``NEXTTOKEN``, as one more page."""
    for index, page in enumerate(pages):
        current: dict[str, Any] = {} if index else dict(pages.non_aggregate_part)
        for result_key in pages.result_keys:
            set_value_from_jmespath(current, result_key.expression, result_key.search(page))
        emit(printable(current), output="text", query=query, title="", stream=stream)
    if pages.resume_token:
        next_token = {"NextToken": {"NextToken": pages.resume_token}}
        emit(next_token, output="text", query=query, title="", stream=stream)
