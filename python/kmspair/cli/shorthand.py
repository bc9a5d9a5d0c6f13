"""The aws CLI's shorthand syntax: ``k1=v1,k2=v2``, ``k=v1,v2`` lists, ``[a,b]`` and ``{k=v}``.

This is a port of the grammar of the aws CLI's own parser, ``ShorthandParser`` in
``awscli/shorthand.py`` (Copyright Amazon.com, Inc. or its affiliates; Apache License 2.0,
http://aws.amazon.com/apache2.0/), which aws CLI v1 and v2 share, so that a value is accepted,
read and refused exactly as ``aws kms`` does, with the same error messages. Method names follow
the original's so the two can be compared side by side.

Left out, because they are not syntax:

* ``key@=file://path`` reads the file in the aws CLI; here ``@=`` parses but the value is kept
  as written (``file://`` is honoured only for a whole option value, by :mod:`.values`).
* ``BackCompatVisitor``, which the aws CLI runs on the parsed value to wrap a lone scalar in a
  list where the model wants a list, type numbers and booleans, and refuse document types: no
  KMS option that takes shorthand has a list, number, boolean or document inside it (they are
  maps and structures of strings and one blob, and ``--tags`` whose list is the option's words,
  each parsed on its own), and :func:`.values.coerce` types scalars by shape anyway.
"""

from __future__ import annotations

import re
import string
from typing import Any

from .errors import CommandError, ParamError


def parse_shorthand(text: str, option: str) -> dict[str, Any]:
    """Parse ``text``, the value of ``option`` (``--encryption-context``), as aws does.

    Raises :class:`ParamError` with the message aws prints for a value it refuses.
    """
    try:
        return _ShorthandParser(text).parse()
    except _ShorthandError as error:
        # awscli/argprocess.py wraps the parser's error into ParamError, which says this.
        raise ParamError(f"Error parsing parameter '{option}': {error}") from None
    except RecursionError as error:
        # Nesting ([[[...) deeper than the stack: aws fails with Python's own message and
        # exit 255, as for any unexpected exception; a traceback would serve no one.
        raise CommandError(str(error)) from None


class _ShorthandError(Exception):
    """A refused value: ``ShorthandParseError``, whose message ends by pointing at the problem.

    The message is built only when shown: the parser raises and catches these as it tries the
    alternatives of the grammar, and building each one copies the whole input.
    """

    def __init__(self, value: str, index: int) -> None:
        super().__init__(value, index)
        self.value = value
        self.index = index

    def _error_location(self) -> str:
        """The input with a caret line under ``index``, after the line holding ``index``."""
        value, index = self.value, self.index
        consumed, remaining, num_spaces = value, "", index
        if "\n" in value[:index]:
            # The caret's column counts from the last newline before it.
            num_spaces = index - value[:index].rindex("\n") - 1
        if "\n" in value[index:]:
            # The caret line goes right under its line, before the rest of the input.
            next_newline = index + value[index:].index("\n")
            consumed = value[:next_newline]
            remaining = value[next_newline:]
        return f"{consumed}\n{' ' * num_spaces}^{remaining}"


class _ShorthandSyntaxError(_ShorthandError):
    """``ShorthandParseSyntaxError``: ``expected`` was wanted at ``index`` and ``actual`` found."""

    def __init__(self, value: str, expected: str, actual: str, index: int) -> None:
        super().__init__(value, index)
        self.expected = expected
        self.actual = actual

    def __str__(self) -> str:
        return (
            f"Expected: '{self.expected}', received: '{self.actual}' "
            f"for input:\n{self._error_location()}"
        )


class _DuplicateKeyError(_ShorthandError):
    """``DuplicateKeyInObjectError``: a top-level key given twice, usually a ``,`` for a space."""

    def __init__(self, key: str, value: str, index: int) -> None:
        super().__init__(value, index)
        self.key = key

    def __str__(self) -> str:
        return (
            f'Second instance of key "{self.key}" encountered for input:\n'
            f"{self._error_location()}\nThis is often because there is a "
            'preceding "," instead of a space.'
        )


class _NamedRegex:
    """A pattern with the name an error message gives it (``Expected: '<second>'``)."""

    def __init__(self, name: str, pattern: str) -> None:
        self.name = name
        self.regex = re.compile(pattern)


# The character classes are aws's, verbatim. A value starts with any character from "!" to
# "\uffff" but '"', "'", ",", "=", "[" and "{" (which start quotes, a list or a structure, or
# separate). The first value after "=" may go on with "=", "[", "{" and inner spaces (trailing
# ones are stripped), not with quotes, ",", "]" or "}": "k=a=b" is {"k": "a=b"}, so base64
# padding needs no quotes. The later values of a "k=a,b" list may hold brackets but not quotes
# or "=", which is how "k=a,b=c" is told from "k=a,b". "\," is a comma in any of them. Unquoted,
# nothing above "\uffff" (an emoji, say) is allowed, as in aws.
_START_WORD = r"\!\#-&\(-\+\--\<\>-Z\\\\-z\u007c-\uffff"
_FIRST_FOLLOW_CHARS = r"\s\!\#-&\(-\+\--\\\\\^-\|~-\uffff"
_SECOND_FOLLOW_CHARS = r"\s\!\#-&\(-\+\--\<\>-\uffff"
_ESCAPED_COMMA = "(\\\\,)"
_FIRST_VALUE = _NamedRegex(
    "first", f"({_ESCAPED_COMMA}|[{_START_WORD}])({_ESCAPED_COMMA}|[{_FIRST_FOLLOW_CHARS}])*"
)
_SECOND_VALUE = _NamedRegex(
    "second", f"({_ESCAPED_COMMA}|[{_START_WORD}])({_ESCAPED_COMMA}|[{_SECOND_FOLLOW_CHARS}])*"
)
# "singled quoted" is aws's spelling, which its messages show.
_SINGLE_QUOTED = _NamedRegex("singled quoted", r"\'(?:\\\'|[^\'])*\'")
_DOUBLE_QUOTED = _NamedRegex("double quoted", r'"(?:\\"|[^"])*"')
# Keys are ASCII words: "a b=1", "ü=1" and "a@b=1" are refused; "=1" is the empty key.
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "-_.#/:")
# Python's string.whitespace, not regex "\s": a no-break space is part of a value.
_WHITESPACE = frozenset(string.whitespace)


class _ShorthandParser:
    """A recursive-descent parser over one option value, ``ShorthandParser`` in awscli."""

    def __init__(self, value: str) -> None:
        self._input_value = value
        self._index = 0

    def parse(self) -> dict[str, Any]:
        """The value as a dict; raises :class:`_ShorthandError` when aws refuses it."""
        return self._parameter()

    def _parameter(self) -> dict[str, Any]:
        # parameter = keyval *("," keyval)
        params: dict[str, Any] = {}
        key, val = self._keyval()
        params[key] = val
        last_index = self._index
        while self._index < len(self._input_value):
            self._expect(",", consume_whitespace=True)
            key, val = self._keyval()
            # A repeated key is likely a mistyped value ("a=1,a=2" for "a=1 a=2"), so aws
            # refuses it here, though not inside {...}, where the last one wins.
            if key in params:
                raise _DuplicateKeyError(key, self._input_value, last_index + 1)
            params[key] = val
            last_index = self._index
        return params

    def _keyval(self) -> tuple[str, Any]:
        # keyval = key "=" [values] / key "@=" [file-optional-values]
        key = self._key()
        self._optional_at()
        self._expect("=", consume_whitespace=True)
        return key, self._values()

    def _optional_at(self) -> None:
        # "@=" asks aws to read file:// values; the "@" is syntax only here (see the module).
        # aws tries _expect("@") and ignores its failure, having consumed the whitespace
        # before it: "a @ =1" and "a =1" both parse, as they do here.
        self._consume_whitespace()
        if self._current() == "@":
            self._index += 1
            self._consume_whitespace()

    def _key(self) -> str:
        # key = 1*(alpha / digit / "-" / "_" / "." / "#" / "/" / ":"), possibly empty
        start = self._index
        while not self._at_eof() and self._input_value[self._index] in _KEY_CHARS:
            self._index += 1
        return self._input_value[start : self._index]

    def _values(self) -> Any:
        # values = csv-list / explicit-list / hash-literal
        if self._at_eof():
            return ""
        if self._current() == "[":
            return self._explicit_list()
        if self._current() == "{":
            return self._hash_literal()
        return self._csv_value()

    def _csv_value(self) -> str | list[str]:
        # "foo=bar" is "bar", "foo=bar,baz" is ["bar", "baz"], and "foo=bar,baz=1" is "bar":
        # a later value followed by "=" is the next key, so the parser backs up to its comma.
        first_value = self._first_value()
        self._consume_whitespace()
        if self._at_eof() or self._input_value[self._index] != ",":
            return first_value
        self._expect(",", consume_whitespace=True)
        csv_list = [first_value]
        while True:
            try:
                current = self._second_value()
                self._consume_whitespace()
                if self._at_eof():
                    csv_list.append(current)
                    break
                self._expect(",", consume_whitespace=True)
                csv_list.append(current)
            except _ShorthandSyntaxError:
                # At the end there is no next key to back up for: "a=b," is refused.
                if self._at_eof():
                    raise
                self._backtrack_to(",")
                break
        if len(csv_list) == 1:
            return first_value
        return csv_list

    def _value(self) -> str:
        result = _FIRST_VALUE.regex.match(self._input_value, self._index)
        if result is None:
            return ""  # an empty value: "a=,b=2" and "a=" are {"a": ""}
        return self._consume_matched_regex(result).replace("\\,", ",").rstrip()

    def _explicit_list(self) -> list[Any]:
        # explicit-list = "[" [value *("," value)] "]"
        self._expect("[", consume_whitespace=True)
        values: list[Any] = []
        while self._current() != "]":
            values.append(self._explicit_values())
            self._consume_whitespace()
            if self._current() != "]":
                self._expect(",")
                self._consume_whitespace()
        self._expect("]")
        return values

    def _explicit_values(self) -> Any:
        # values = explicit-list / hash-literal / first-value
        if self._current() == "[":
            return self._explicit_list()
        if self._current() == "{":
            return self._hash_literal()
        return self._first_value()

    def _hash_literal(self) -> dict[str, Any]:
        # hash-literal = "{" [keyval *("," keyval)] "}", values as in an explicit list
        self._expect("{", consume_whitespace=True)
        keyvals: dict[str, Any] = {}
        while self._current() != "}":
            key = self._key()
            self._optional_at()
            self._expect("=", consume_whitespace=True)
            value = self._explicit_values()
            self._consume_whitespace()
            if self._current() != "}":
                self._expect(",")
                self._consume_whitespace()
            keyvals[key] = value
        self._expect("}")
        return keyvals

    def _first_value(self) -> str:
        # first-value = value / single-quoted-value / double-quoted-value
        if self._current() == "'":
            return self._consume_quoted(_SINGLE_QUOTED, escaped_char="'")
        if self._current() == '"':
            return self._consume_quoted(_DOUBLE_QUOTED, escaped_char='"')
        return self._value()

    def _second_value(self) -> str:
        if self._current() == "'":
            return self._consume_quoted(_SINGLE_QUOTED, escaped_char="'")
        if self._current() == '"':
            return self._consume_quoted(_DOUBLE_QUOTED, escaped_char='"')
        consumed = self._must_consume_regex(_SECOND_VALUE)
        return consumed.replace("\\,", ",").rstrip()

    def _consume_quoted(self, regex: _NamedRegex, escaped_char: str) -> str:
        # Inside quotes only \<quote> and \\ are escapes; any other backslash stays.
        value = self._must_consume_regex(regex)[1:-1]
        value = value.replace(f"\\{escaped_char}", escaped_char)
        return value.replace("\\\\", "\\")

    def _expect(self, char: str, consume_whitespace: bool = False) -> None:
        if consume_whitespace:
            self._consume_whitespace()
        if self._at_eof():
            raise _ShorthandSyntaxError(self._input_value, char, "EOF", self._index)
        actual = self._input_value[self._index]
        if actual != char:
            raise _ShorthandSyntaxError(self._input_value, char, actual, self._index)
        self._index += 1
        if consume_whitespace:
            self._consume_whitespace()

    def _must_consume_regex(self, regex: _NamedRegex) -> str:
        # match(text, pos) rather than aws's match(text[pos:]): the same match (no pattern is
        # anchored or looks behind) without copying the rest of the input at every value.
        result = regex.regex.match(self._input_value, self._index)
        if result is None:
            raise _ShorthandSyntaxError(self._input_value, f"<{regex.name}>", "<none>", self._index)
        return self._consume_matched_regex(result)

    def _consume_matched_regex(self, result: re.Match[str]) -> str:
        self._index = result.end()
        return result.group()

    def _current(self) -> str | None:
        """The character at the index, or None at the end of the input."""
        if self._at_eof():
            return None
        return self._input_value[self._index]

    def _at_eof(self) -> bool:
        return self._index >= len(self._input_value)

    def _backtrack_to(self, char: str) -> None:
        while self._index >= 0 and self._input_value[self._index] != char:
            self._index -= 1

    def _consume_whitespace(self) -> None:
        while not self._at_eof() and self._input_value[self._index] in _WHITESPACE:
            self._index += 1
