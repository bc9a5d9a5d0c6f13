"""``--output table``: the aws CLI's boxed layout, simplified.

Like the aws CLI: a title row with the operation name, a dict's scalars as ``key | value`` rows,
a list of dicts as one header row and a row per item, nested values as sub-tables titled by
their key and indented by one ``|`` per level. Unlike it, columns are never wrapped to the
terminal width (the aws CLI's exact wrapping is not a contract anyone scripts against).
"""

from __future__ import annotations

from typing import Any, TextIO


def format_table(data: Any, title: str, stream: TextIO) -> None:
    """Write ``data`` (JSON-ready) as a table titled ``title`` to ``stream``."""
    for line in _section(title, data):
        stream.write(line + "\n")


def _section(title: str, data: Any) -> list[str]:
    rows, header = _rows(data)
    nested: list[str] = []
    for key, value in _children(data):
        nested.extend("|" + line for line in _section(key, value))
    # The section is as wide as its widest part: title, own table or a nested section.
    width = max([len(title) + 4, *(len(line) - 1 for line in nested)])
    body: list[str] = []
    if rows:
        columns = max(len(row) for row in rows)
        widths = [0] * columns
        for row in [*rows, *([header] if header else [])]:
            for index, cell in enumerate(row):
                widths[index] = max(widths[index], len(cell))
        table_width = sum(widths) + 5 * columns - 1
        width = max(width, table_width)
        widths[-1] += width - table_width  # stretch the last column to the section's width
        rule = "+" + "+".join("-" * (w + 4) for w in widths) + "+"
        body.append(rule)
        if header:
            body.append(_row(header, widths, center=True))
            body.append(rule)
        body.extend(_row(row, widths, center=False) for row in rows)
        body.append(rule)
    lines = ["-" * (width + 2), "|" + title.center(width) + "|"]
    if not rows:
        lines.append("+" + "-" * width + "+")
    lines.extend(body)
    lines.extend(line.ljust(width + 1) + "|" for line in nested)
    return lines


def _row(cells: list[str], widths: list[int], *, center: bool) -> str:
    padded = [
        (cell.center(width) if center else cell.ljust(width))
        for cell, width in zip(cells + [""] * (len(widths) - len(cells)), widths, strict=True)
    ]
    return "|" + "|".join(f"  {cell}  " for cell in padded) + "|"


def _rows(data: Any) -> tuple[list[list[str]], list[str]]:
    if isinstance(data, dict):
        return [[key, str(value)] for key, value in data.items() if not _nested(value)], []
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        keys = sorted({key for item in data for key, value in item.items() if not _nested(value)})
        return [[str(item.get(key, "")) for key in keys] for item in data], keys
    if isinstance(data, list):
        return [[str(item)] for item in data if not _nested(item)], []
    return [[str(data)]], []


def _children(data: Any) -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [(key, value) for key, value in data.items() if _nested(value)]
    if isinstance(data, list):
        children: list[tuple[str, Any]] = []
        for item in data:
            if isinstance(item, dict):
                children.extend((key, value) for key, value in item.items() if _nested(value))
            elif isinstance(item, list):
                children.append(("", item))
        return children
    return []


def _nested(value: Any) -> bool:
    return isinstance(value, (dict, list)) and bool(value)
