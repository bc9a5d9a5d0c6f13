"""``--output table``: the aws CLI's boxed layout, ported rule for rule.

Ported from the aws CLI v1 (``awscli/formatter.py``: ``TableFormatter``; ``awscli/table.py``:
``MultiTable``, ``Section``, ``determine_terminal_width`` and the text helpers), Copyright
Amazon.com, Inc. or its affiliates, licensed under the Apache License, Version 2.0
(http://aws.amazon.com/apache2.0/). Changed: type hints, no colors (the aws CLI's look when
stdout is not a terminal), lines built as strings rather than written through a wrapped stream.

The layout, as the aws CLI draws it: the walk puts each dict or list into a section titled by
its key (the operation name at the top) and indented one ``|`` per level. A dict's scalars go
in one row under their sorted names, or a ``name | value`` row when there is only one; a list of
dicts gets the union of their scalar names as headers and one row per item (and, when items
carry nested values, a section of its own per item); a list of scalars gets a row per item. The
nested values follow in sorted key order. Every section is stretched to the widest one, and when
that is wider than the terminal, each one-row section turns into ``name | value`` rows.

Quirks kept on purpose, because scripts and eyes compare this output with the aws CLI's: a falsy
value (``None``, ``0``, ``False``, ``""``, ``[]``, ``{}``) prints nothing, at the top or nested; a
truthy scalar at the top (a ``--query`` that picks one value) prints the title box alone, without
the value; ragged lists fail as they do in the aws CLI (``ValueError``, ``IndexError``,
``TypeError``); the terminal width is that of ``sys.stdout`` when it is a terminal, else 80
(``COLUMNS`` is not read).
"""

from __future__ import annotations

import struct
import sys
import unicodedata
from collections.abc import Collection
from typing import Any, TextIO

# The aws CLI's MultiTable pads every cell by 4 (2 either side) when it computes widths.
_PADDING = 4


def format_table(
    data: Any, title: str, stream: TextIO, *, terminal_width: int | None = None
) -> None:
    """Write ``data`` (JSON-ready, after ``--query``) as the aws CLI's table titled ``title``.

    ``terminal_width`` overrides the width the layout fits (by default, as the aws CLI: that of
    the terminal on ``sys.stdout``, or 80).
    """
    if terminal_width is None:
        terminal_width = determine_terminal_width()
    table = _MultiTable(terminal_width)
    if _build_table(table, title, data):
        stream.write("".join(line + "\n" for line in table.render()))


def determine_terminal_width(default_width: int = 80) -> int:
    """The width of the terminal on ``sys.stdout``, or ``default_width`` when it has none.

    As the aws CLI: the stream written to does not matter, nor does ``COLUMNS``.
    """
    try:
        from fcntl import ioctl
        from termios import TIOCGWINSZ
    except ImportError:  # Windows
        return default_width
    try:
        _height, width = struct.unpack("hhhh", ioctl(sys.stdout, TIOCGWINSZ, b"\0" * 8))[0:2]
    except Exception:  # not a terminal, or no file descriptor at all
        return default_width
    return int(width)


# --- The walk (awscli/formatter.py, TableFormatter) ----------------------------------------------


def _build_table(
    table: _MultiTable, title: str | None, current: Any, indent_level: int = 0
) -> bool:
    if not current:
        return False
    if title is not None:
        table.new_section(title, indent_level=indent_level)
    if isinstance(current, list):
        if isinstance(current[0], dict):
            _build_sub_table_from_list(table, current, indent_level, title)
        else:
            for item in current:
                if _is_scalar(item):
                    table.add_row([item])
                elif all(_is_scalar(element) for element in item):
                    # A dict here iterates as its keys: the aws CLI then prints the keys.
                    table.add_row(item)
                else:
                    # Into the current section, unindented: the aws CLI passes no level here.
                    _build_table(table, None, item)
    if isinstance(current, dict):
        _build_sub_table_from_dict(table, current, indent_level)
    return True


def _build_sub_table_from_dict(
    table: _MultiTable, current: dict[str, Any], indent_level: int
) -> None:
    headers, more = _group_scalar_keys(current)
    if len(headers) == 1:
        table.add_row([headers[0], current[headers[0]]])
    elif headers:
        table.add_row_header(headers)
        table.add_row([current[key] for key in headers])
    for remaining in more:
        _build_table(table, remaining, current[remaining], indent_level=indent_level + 1)


def _build_sub_table_from_list(
    table: _MultiTable, current: list[Any], indent_level: int, title: str | None
) -> None:
    headers, more = _group_scalar_keys_from_list(current)
    table.add_row_header(headers)
    first = True
    for element in current:
        if not first and more:
            # Each item after the first, when items nest, repeats the title and headers.
            table.new_section(title, indent_level=indent_level)
            table.add_row_header(headers)
        first = False
        table.add_row([element.get(header, "") for header in headers])
        for remaining in more:
            if remaining in element:  # an item need not carry every nested key
                _build_table(table, remaining, element[remaining], indent_level=indent_level + 1)


def _is_scalar(element: Any) -> bool:
    return not isinstance(element, (list, dict))


def _group_scalar_keys_from_list(list_of_dicts: list[Any]) -> tuple[list[str], list[str]]:
    headers: set[str] = set()
    more: set[str] = set()
    for item in list_of_dicts:
        current_headers, current_more = _group_scalar_keys(item)
        headers.update(current_headers)
        more.update(current_more)
    return sorted(headers), sorted(more)


def _group_scalar_keys(current: Any) -> tuple[list[str], list[str]]:
    # ``current`` is typed Any: a non-dict item of a list of dicts fails here as in the aws CLI.
    headers: list[str] = []
    more: list[str] = []
    for key in current:
        (headers if _is_scalar(current[key]) else more).append(key)
    return sorted(headers), sorted(more)


# --- The renderer (awscli/table.py) --------------------------------------------------------------


def _text_length(text: object) -> int:
    # Terminal columns: East Asian wide, full-width and ambiguous characters take two. The aws
    # CLI measures str(text), so a missing title (None) is measured as "None".
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in str(text))


def _center_text(text: str, length: int, left_edge: str = "|", right_edge: str = "|") -> str:
    text_length = _text_length(text)
    # Arithmetic as the aws CLI's: a text too long for the cell overflows it, and a negative
    # start still counts towards the right-hand spaces.
    char_start = (length // 2) - (text_length // 2) - 1
    length_so_far = _text_length(left_edge) + char_start + text_length
    right_side_spaces = length - _text_length(right_edge) - length_so_far
    return left_edge + " " * char_start + text + " " * right_side_spaces + right_edge


def _align_left(text: str, length: int, left_edge: str = "|", right_edge: str = "|") -> str:
    left_padding = 2
    text_length = _text_length(text)
    computed_length = text_length + left_padding + _text_length(left_edge)
    computed_length += _text_length(right_edge)
    padding = left_padding if length - computed_length >= 0 else 0
    length_so_far = len(left_edge) + padding + text_length
    trailing = " " * (length - length_so_far - len(right_edge))
    return left_edge + " " * padding + text + trailing + right_edge


class _Section:
    """A titled block: optional header row, rows of cells, an indentation level."""

    def __init__(self, title: str | None = "", indent_level: int = 0) -> None:
        self.title = title
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.indent_level = indent_level
        self._num_cols: int | None = None
        self._max_widths: list[int] = []

    def calculate_column_widths(self, padding: int = 0, max_width: int | None = None) -> list[int]:
        """Each column's width plus ``padding``, scaled up to sum to ``max_width`` if given."""
        unscaled_widths = [width + padding for width in self._max_widths]
        if max_width is None or not unscaled_widths:
            return unscaled_widths
        scale_factor = max_width / float(sum(unscaled_widths))
        scaled = [round(scale_factor * width) for width in unscaled_widths]
        # Rounding leaves the sum a little off: take the excess from the first columns, or give
        # the shortfall to the last ones.
        off_by = sum(scaled) - max_width
        while off_by != 0:
            order = range(len(scaled)) if off_by > 0 else reversed(range(len(scaled)))
            for index in order:
                if off_by > 0:
                    scaled[index] -= 1
                    off_by -= 1
                else:
                    scaled[index] += 1
                    off_by += 1
                if off_by == 0:
                    break
        return scaled

    def total_width(
        self, padding: int = 0, with_border: bool = False, outer_padding: int = 0
    ) -> int:
        """The section's natural width: its columns' or its title's, borders and indent added."""
        border_padding = 2
        total = sum(width + padding for width in self.calculate_column_widths())
        if with_border:
            total += border_padding
        total += 2 * outer_padding
        return max(_text_length(self.title) + border_padding + 2 * outer_padding, total)

    def add_header(self, headers: list[str]) -> None:
        """Set the header row (its width counts; its length is not checked against rows)."""
        self._update_max_widths(headers)
        if self._num_cols is None:
            self._num_cols = len(headers)
        self.headers = headers

    def add_row(self, row: Collection[Any]) -> None:
        """Add a row of cells, as strings; every row must have as many cells as the first."""
        if self._num_cols is None:
            self._num_cols = len(row)
        if len(row) != self._num_cols:
            raise ValueError(
                f"Row should have {self._num_cols} elements, instead it has {len(row)}"
            )
        cells = [str(cell) for cell in row]
        self.rows.append(cells)
        self._update_max_widths(cells)

    def _update_max_widths(self, row: list[str]) -> None:
        if not self._max_widths:
            self._max_widths = [_text_length(cell) for cell in row]
        else:
            for index, cell in enumerate(row):  # a longer row fails, as in the aws CLI
                self._max_widths[index] = max(_text_length(cell), self._max_widths[index])


def _convert_to_vertical_table(sections: list[_Section]) -> None:
    # A one-row section with headers becomes "header | value" rows, to fit a narrow terminal.
    for index, section in enumerate(sections):
        if len(section.rows) == 1 and section.headers:
            vertical = _Section(section.title, section.indent_level)
            for header, element in zip(section.headers, section.rows[0], strict=False):
                vertical.add_row([header, element])
            sections[index] = vertical


class _MultiTable:
    """The sections of one table, rendered to the same outer width."""

    def __init__(self, terminal_width: int) -> None:
        self._sections: list[_Section] = []
        self._terminal_width = terminal_width

    def new_section(self, title: str | None, indent_level: int = 0) -> None:
        """Start a section; rows and headers go to the newest one."""
        self._sections.append(_Section(title, indent_level))

    def add_row_header(self, headers: list[str]) -> None:
        """Set the newest section's header row."""
        self._sections[-1].add_header(headers)

    def add_row(self, row: Collection[Any]) -> None:
        """Add a row to the newest section."""
        self._sections[-1].add_row(row)

    def render(self) -> list[str]:
        """The table's lines, without line ends."""
        max_width = self._calculate_max_width()
        if max_width > self._terminal_width:
            _convert_to_vertical_table(self._sections)
            max_width = self._calculate_max_width()
        lines = ["-" * max_width]
        for section in self._sections:
            indent = "|" * section.indent_level
            lines.extend(
                indent + line + indent
                for line in self._render_section(section, max_width - 2 * section.indent_level)
            )
        return lines

    def _calculate_max_width(self) -> int:
        return max(
            section.total_width(
                padding=_PADDING, with_border=True, outer_padding=section.indent_level
            )
            for section in self._sections
        )

    def _render_section(self, section: _Section, max_width: int) -> list[str]:
        lines: list[str] = []
        if section.title:
            lines.append(_center_text(section.title, max_width))
            if not section.headers and not section.rows:
                lines.append("+" + "-" * (max_width - 2) + "+")
        if section.headers:
            widths = section.calculate_column_widths(padding=_PADDING, max_width=max_width)
            lines.append(_line_break(widths))
            lines.append(
                "".join(
                    _center_text(header, width, left_edge="|" if index == 0 else "")
                    for index, (width, header) in enumerate(_cells(widths, section.headers))
                )
            )
        if section.rows:
            widths = section.calculate_column_widths(padding=_PADDING, max_width=max_width)
            if widths:
                lines.append(_line_break(widths))
                lines.extend(
                    "".join(
                        _align_left(element, width, left_edge="|" if index == 0 else "")
                        for index, (width, element) in enumerate(_cells(widths, row))
                    )
                    for row in section.rows
                )
                lines.append(_line_break(widths))
        return lines


def _line_break(widths: list[int]) -> str:
    # +-------+---------+: the first cell draws both edges, the others their right one.
    return "".join(
        "+" + "-" * (width - 2) + "+" if index == 0 else "-" * (width - 1) + "+"
        for index, width in enumerate(widths)
    )


def _cells(widths: list[int], cells: list[str]) -> zip[tuple[int, str]]:
    # Not strict: after a ragged walk the header row may be shorter than the columns, and the
    # aws CLI then draws only the cells it has.
    return zip(widths, cells, strict=False)
