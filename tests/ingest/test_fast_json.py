"""The fast JSON-lines parser (orjson) answers exactly as the strict one (`json` with the limit hooks):
the same value of the same types, or the same error, for any line (issue 16)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellmap.ingest.jsonl import MAX_DEPTH, _parse_strictly, parse_line

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**22), max_value=10**22)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=40,
)


def answer(parse, text: str):
    try:
        value = parse(text)
    except ValueError as error:
        return ("error", str(error))
    # repr keeps the types apart (1 and 1.0 and True compare equal in Python)
    return ("value", repr(value))


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_any_json_value_parses_as_the_strict_parser_does(value):
    text = json.dumps(value, ensure_ascii=False)
    assert answer(parse_line, text) == answer(_parse_strictly, text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='{}[]",:0123456789.eE+-truefalsnl \\u\t', max_size=40))
def test_any_text_parses_or_fails_as_the_strict_parser_does(text):
    assert answer(parse_line, text) == answer(_parse_strictly, text)


@pytest.mark.parametrize(
    "text",
    [
        "123456789012345678901",  # 21 digits: past the integer limit
        "18446744073709551616",  # past 64 bits: orjson alone would give a float
        "[1e400]",
        "NaN",
        '"\\ud800"',  # a lone surrogate: json accepts it, orjson does not
        '{"a": 1, "a": 2}',
        "1." + "0" * 45,
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
        "[" * MAX_DEPTH + "]" * MAX_DEPTH,
        '{"name": "[[[[[[[[[[[[[[[[[[[[[["}',
        "[" * 2000 + "]" * 2000,
        '{"a": 1} x',
    ],
)
def test_edge_cases_answer_as_the_strict_parser_does(text):
    assert answer(parse_line, text) == answer(_parse_strictly, text)
