"""cellmap's own JSON lines: one canonical record per line (docs/formats.md §1).

`json_lines` is total: whatever bytes a file holds, it yields parsed lines or raises `InputError`
naming the file and line. Limits (docs/formats.md, "Limits"): a line of at most MAX_LINE_BYTES, JSON
nested at most MAX_DEPTH levels, integers of at most MAX_INTEGER_DIGITS digits, finite numbers only.
A UTF-8 byte-order mark and CRLF line ends are accepted.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import orjson

from cellmap.errors import InputError

MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 16
MAX_INTEGER_DIGITS = 20
MAX_NUMBER_CHARS = 40
BOM = b"\xef\xbb\xbf"
# A number literal longer than MAX_NUMBER_CHARS, or an integer past 64 bits (which orjson would turn
# into a float), holds a run of at least this many digits; a line without one is safe for orjson.
_LONG_DIGITS = re.compile(r"[0-9](?=[0-9]{11})")  # [0-9]{12}, but twice as fast to search


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(
            f"an integer of {len(text.lstrip('-'))} digits (at most {MAX_INTEGER_DIGITS})"
        )
    return int(text)


def _number(text: str) -> float:
    value = float(text)
    if len(text) > MAX_NUMBER_CHARS or not math.isfinite(value):
        raise ValueError(
            f"the number {text[:20]}… is too large (at most {MAX_NUMBER_CHARS} characters, finite)"
        )
    return value


def _constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def depth(value: object) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar is 0). O(size)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item)
    return deepest


def parse_line(text: str) -> object:
    """One JSON value within the limits, or ValueError saying which limit or syntax rule it breaks.

    orjson parses the ordinary line (several times faster than `json`); a line it refuses, or one that
    may break a number limit, goes to `json` with the limit hooks, whose message the user then sees.
    The nesting depth is walked only when the line has more brackets than MAX_DEPTH."""
    if not _LONG_DIGITS.search(text):
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # json below gives the error in its words (or accepts what orjson refuses)
        else:
            if text.count("{") + text.count("[") > MAX_DEPTH and depth(value) > MAX_DEPTH:
                raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
            return value
    return _parse_strictly(text)


def _parse_strictly(text: str) -> object:
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_number, parse_constant=_constant)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid JSON: {error.msg} (column {error.colno})") from None
    if depth(value) > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    return value


def json_lines(path: Path) -> Iterator[tuple[int, object]]:
    """Yield (line number, parsed JSON) for each non-empty line, or (line number, InputError) for a
    line that breaks a rule; the lines after a bad one are still read."""
    with open(path, "rb") as handle:
        number = 0
        while True:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the long line
                    raw = handle.readline(MAX_LINE_BYTES)
                yield (
                    number,
                    InputError(
                        f"line longer than {MAX_LINE_BYTES:,} bytes", file=str(path), line=number
                    ),
                )
                continue
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            try:
                text = raw.decode("utf-8").strip()
            except UnicodeDecodeError as error:
                yield (
                    number,
                    InputError(
                        f"not UTF-8 ({error.reason} at byte {error.start})",
                        file=str(path),
                        line=number,
                    ),
                )
                continue
            if not text:
                continue
            try:
                yield number, parse_line(text)
            except ValueError as error:
                yield number, InputError(str(error), file=str(path), line=number)


def read(path: Path, phase: int | None = None) -> Iterator[tuple[int, object]]:
    yield from json_lines(path)
