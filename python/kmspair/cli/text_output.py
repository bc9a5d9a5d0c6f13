"""``--output text``: the aws CLI's tab-separated format, rule for rule.

Scalars of a dict go on one line in key order; nested dicts and lists follow, each line led by
its key in upper case; a list of dicts shares one column set.
"""

from __future__ import annotations

from typing import Any, TextIO


def format_text(data: Any, stream: TextIO) -> None:
    """Write ``data`` (JSON-ready: dicts, lists, scalars) to ``stream`` as the aws CLI does."""
    _format(data, stream, identifier=None, scalar_keys=None)


def _scalar(value: Any) -> str:
    return str(value)


def _format(
    item: Any, stream: TextIO, identifier: str | None, scalar_keys: list[str] | None
) -> None:
    if isinstance(item, dict):
        _format_dict(item, stream, identifier, scalar_keys)
    elif isinstance(item, list):
        _format_list(item, stream, identifier)
    else:
        stream.write(_scalar(item) + "\n")


def _format_list(items: list[Any], stream: TextIO, identifier: str | None) -> None:
    if not items:
        return
    if any(isinstance(element, dict) for element in items):
        keys = sorted(
            {
                key
                for element in items
                if isinstance(element, dict)
                for key, value in element.items()
                if not isinstance(value, (dict, list))
            }
        )
        for element in items:
            _format(element, stream, identifier, keys)
        return
    scalars = [element for element in items if not isinstance(element, (dict, list))]
    nested = [element for element in items if isinstance(element, (dict, list))]
    if scalars:
        if identifier is not None:
            for element in scalars:
                stream.write(f"{identifier.upper()}\t{_scalar(element)}\n")
        else:
            stream.write("\t".join(_scalar(element) for element in scalars) + "\n")
    for element in nested:
        _format(element, stream, identifier, None)


def _format_dict(
    item: dict[str, Any], stream: TextIO, identifier: str | None, scalar_keys: list[str] | None
) -> None:
    scalars: list[str] = []
    nested: list[tuple[str, Any]] = []
    if scalar_keys is None:
        for key, value in sorted(item.items()):
            if isinstance(value, (dict, list)):
                nested.append((key, value))
            else:
                scalars.append(_scalar(value))
    else:
        scalars = [_scalar(item.get(key, "")) for key in scalar_keys]
        nested = [(key, item[key]) for key in sorted(set(item) - set(scalar_keys))]
    if scalars:
        if identifier is not None:
            scalars.insert(0, identifier.upper())
        stream.write("\t".join(scalars) + "\n")
    for key, value in nested:
        _format(value, stream, key, None)
