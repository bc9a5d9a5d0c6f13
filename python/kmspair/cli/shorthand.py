"""The aws CLI's shorthand syntax: ``k1=v1,k2=v2``, with ``[a,b]`` lists and ``{...}`` nesting.

A value runs to the next ``,`` (or closing bracket) at its own level, so base64 text with ``=``
padding needs no quoting; ``"..."`` and ``'...'`` quote values holding ``,`` or brackets.
"""

from __future__ import annotations

from typing import Any

from .errors import UsageError


def parse_shorthand(text: str) -> dict[str, Any]:
    """Parse ``text`` as a shorthand structure; raises :class:`UsageError` when it is not one."""
    parser = _Parser(text)
    result = parser.structure(closing="")
    if parser.position != len(text):
        parser.fail("unexpected text")
    return result


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def fail(self, reason: str) -> None:
        raise UsageError(
            f"Error parsing parameter: Expected: shorthand 'key=value,...', {reason} "
            f"at position {self.position}: {self.text!r}"
        )

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def structure(self, closing: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while True:
            key = self.key()
            result[key] = self.value(stops=",]}" if closing else ",")
            if self.peek() != ",":
                return result
            self.position += 1

    def key(self) -> str:
        start = self.position
        while self.peek() not in ("=", ""):
            if self.peek() in ",[]{}":
                self.fail("expected '='")
            self.position += 1
        key = self.text[start : self.position].strip()
        if not key or self.peek() != "=":
            self.fail("expected 'key='")
        self.position += 1
        return key

    def value(self, stops: str) -> Any:
        char = self.peek()
        if char == "[":
            return self.list_value()
        if char == "{":
            self.position += 1
            nested = self.structure(closing="}")
            self.expect("}")
            return nested
        if char in ("'", '"'):
            return self.quoted(char)
        start = self.position
        while self.peek() and self.peek() not in stops:
            self.position += 1
        return self.text[start : self.position].strip()

    def list_value(self) -> list[Any]:
        self.position += 1
        items: list[Any] = []
        if self.peek() == "]":
            self.position += 1
            return items
        while True:
            items.append(self.value(stops=",]"))
            if self.peek() == "]":
                self.position += 1
                return items
            self.expect(",")

    def quoted(self, quote: str) -> str:
        end = self.text.find(quote, self.position + 1)
        if end < 0:
            self.fail("unterminated quote")
        value = self.text[self.position + 1 : end]
        self.position = end + 1
        return value

    def expect(self, char: str) -> None:
        if self.peek() != char:
            self.fail(f"expected {char!r}")
        self.position += 1
