"""Shorthand option values (``--encryption-context a=1,b=2``) are read and refused as aws does.

``kmspair.cli.shorthand`` ports the aws CLI's ``ShorthandParser``; the comparison tests run the
original (``awscli``, a test dependency) on the same inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.session
import pytest
from test_cli_support import kmspair_cli

from kmspair.cli.errors import CommandError, UsageError
from kmspair.cli.shorthand import parse_shorthand
from kmspair.cli.values import from_command_line

OPTION = "--encryption-context"


def _refusal(text: str) -> str:
    """The message ``parse_shorthand`` refuses ``text`` with."""
    with pytest.raises(UsageError) as caught:
        parse_shorthand(text, OPTION)
    return str(caught.value)


def _ours(text: str) -> Any:
    """What kmspair makes of ``text``: the parsed value or the message refusing it."""
    try:
        return parse_shorthand(text, OPTION)
    except UsageError as error:
        return str(error)


def _aws(text: str) -> Any:
    """What the aws CLI makes of ``text``: the parsed value or the message refusing it."""
    from awscli.argprocess import ParamError  # type: ignore[import-untyped]
    from awscli.shorthand import (  # type: ignore[import-untyped]
        ShorthandParseError,
        ShorthandParser,
    )

    try:
        return ShorthandParser().parse(text)
    except ShorthandParseError as error:
        # As awscli/argprocess.py reports it.
        return str(ParamError(OPTION, str(error)))


# Inputs whose outcome must be the aws CLI's, value or message; the ids say what each covers.
_COMPARED = {
    "simple pair": "a=1",
    "two pairs": "a=1,b=2",
    "duplicate key": "a=1,a=2",
    "duplicate key after others": "a=1,b=2,a=3",
    "escaped comma": r"a=foo\,bar",
    "escaped comma in csv list": r"a=x,y\,z",
    "empty pair between commas": "a=1,,b=2",
    "empty key": "=1",
    "empty structure": "a={}",
    "empty value": "a=",
    "empty value before a pair": "a=,b=2",
    "empty input": "",
    "key alone": "a",
    "unicode key": "ü=ß",
    "unicode value": "a=ß",
    "astral value": "a=😀",
    "astral value quoted": "a='😀'",
    "spaces around key and value": " a = 1 ",
    "spaces around equals": "a = 1",
    "inner space in value": "a=x y",
    "trailing space in value": "a=x ,b=2",
    "at sign in key": "a@b=1",
    "at equals": "a@=x",
    "spaced at equals": "a @ = x",
    "closing bracket after value": "a=x]",
    "closing brace after value": "a=x}",
    "backslash quote": 'a=\\"x',
    "quote inside value": 'a=x"y',
    "equals inside value": "a=b=c",
    "base64 padding": "a=YWJjZA==,b=YQ==",
    "double quoted comma": 'a="x,y"',
    "single quoted comma": "a='x,y'",
    "escaped double quote": r'a="x\"y"',
    "escaped single quote": r"a='x\'y'",
    "escaped backslash in quotes": r"a='x\\y'",
    "other backslash in quotes": r"a='x\ny'",
    "unterminated quote": "a='x",
    "csv list": "a=1,2,3",
    "csv list then pair": "a=1,2,b=3",
    "csv list with quoted item": "a=1,'2,3'",
    "trailing comma": "a=b,",
    "explicit list": "a=[x,y]",
    "empty explicit list": "a=[]",
    "spaced explicit list": "a=[ x , y ]",
    "nested explicit list": "a=[[x],[y,z]]",
    "unclosed explicit list": "a=[x",
    "structure": "a={b=1,c=2}",
    "nested structure with list": "a={b={c=[x,{d=1}]}}",
    "duplicate key inside structure": "a={b=1,b=2}",
    "unclosed structure": "a={b=1",
    "key chars": "a-b_c.d#e/f:g=1",
    "newline in value": "a=1\nb=2",
    "error on second line": "a=1,\nb==2",
    "error before a newline": "a==1,\nb=2",
    "tab before key": "a=1,\tb=2",
}


@pytest.mark.parametrize("text", list(_COMPARED.values()), ids=list(_COMPARED))
def test_outcome_is_the_aws_clis(text: str) -> None:
    assert _ours(text) == _aws(text)


def test_every_character_is_allowed_or_refused_where_aws_does() -> None:
    characters = [chr(code) for code in range(0x800)] + ["\ufffe", "\uffff", "\U0001f600"]
    for char in characters:
        for text in (f"a={char}", f"a=x{char}y", f"a=x,{char}", f"a=x,y{char}z", f"{char}=1"):
            assert _ours(text) == _aws(text), repr(text)


def test_duplicate_key_is_refused_with_awss_message() -> None:
    assert _refusal("a=1,a=2") == (
        "Error parsing parameter '--encryption-context': "
        'Second instance of key "a" encountered for input:\n'
        "a=1,a=2\n"
        "    ^\n"
        'This is often because there is a preceding "," instead of a space.'
    )


def test_missing_equals_is_refused_with_awss_message() -> None:
    assert _refusal("a") == (
        "Error parsing parameter '--encryption-context': "
        "Expected: '=', received: 'EOF' for input:\na\n ^"
    )


def test_caret_is_under_the_error_on_its_own_line() -> None:
    assert _refusal("a==1,\nb=2").endswith("for input:\na==1,\n  ^\nb=2")


def test_duplicate_key_inside_a_structure_keeps_the_last() -> None:
    assert parse_shorthand("a={b=1,b=2}", OPTION) == {"a": {"b": "2"}}


def test_escaped_comma_is_a_comma() -> None:
    assert parse_shorthand(r"a=foo\,bar", OPTION) == {"a": "foo,bar"}


def test_empty_pair_between_commas_is_skipped() -> None:
    assert parse_shorthand("a=1,,b=2", OPTION) == {"a": "1", "b": "2"}


def test_empty_key_is_allowed() -> None:
    assert parse_shorthand("=1", OPTION) == {"": "1"}


def test_empty_braces_are_an_empty_structure() -> None:
    assert parse_shorthand("a={}", OPTION) == {"a": {}}


def test_non_ascii_key_is_refused() -> None:
    assert "Expected: '=', received: 'ü'" in _refusal("ü=ß")


def test_space_before_key_is_refused() -> None:
    assert "Expected: '=', received: 'a'" in _refusal(" a = 1 ")


def test_at_sign_inside_key_is_refused() -> None:
    assert "Expected: '=', received: 'b'" in _refusal("a@b=1")


def test_at_equals_keeps_the_value_as_written() -> None:
    assert parse_shorthand("a@=file://nowhere", OPTION) == {"a": "file://nowhere"}


def test_closing_bracket_after_value_is_refused() -> None:
    assert "Expected: ',', received: ']'" in _refusal("a=x]")


def test_quote_after_backslash_is_refused() -> None:
    assert "Expected: ',', received: '\"'" in _refusal('a=\\"x')


def test_equals_and_padding_stay_in_the_value() -> None:
    assert parse_shorthand("a=YWI=,b=c=d", OPTION) == {"a": "YWI=", "b": "c=d"}


def test_comma_separated_values_are_a_list_until_the_next_key() -> None:
    assert parse_shorthand("a=1,2,b=3", OPTION) == {"a": ["1", "2"], "b": "3"}


def test_quoted_values_may_hold_commas_and_escaped_quotes() -> None:
    assert parse_shorthand(r"""a="x,\"y",b='z'""", OPTION) == {"a": 'x,"y', "b": "z"}


def test_nested_lists_and_structures_parse() -> None:
    parsed = parse_shorthand("a=[x,{b=[y,z]}],c={d={}}", OPTION)
    assert parsed == {"a": ["x", {"b": ["y", "z"]}], "c": {"d": {}}}


def test_trailing_comma_is_refused() -> None:
    assert "Expected: '<second>', received: '<none>'" in _refusal("a=b,")


def test_nesting_deeper_than_the_stack_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="maximum recursion depth exceeded"):
        parse_shorthand("a=" + "[" * 5000, OPTION)


def test_tags_words_are_each_a_structure() -> None:
    model = botocore.session.get_session().get_service_model("kms")
    tags = model.operation_model("CreateKey").input_shape.members["Tags"]
    words = ["TagKey=a,TagValue=b", r"TagKey=c,TagValue=d\,e"]
    assert from_command_line(tags, words, "--tags") == [
        {"TagKey": "a", "TagValue": "b"},
        {"TagKey": "c", "TagValue": "d,e"},
    ]


def test_cli_refuses_a_duplicate_key_with_a_usage_error(tmp_path: Path) -> None:
    result = kmspair_cli(
        tmp_path / "home",
        "encrypt",
        "--key-id",
        "alias/demo",
        "--plaintext",
        "aGk=",
        OPTION,
        "a=1,a=2",
    )
    assert result.returncode == 252
    assert "Error parsing parameter '--encryption-context': Second instance of key" in (
        result.stderr
    )
