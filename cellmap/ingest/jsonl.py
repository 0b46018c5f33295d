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
from collections.abc import Callable, Iterator, Sequence
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
SKIPPED = object()  # json_lines: a line the caller did not want parsed


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


def parse_line(text: str, short_numbers: bool = False) -> object:
    """One JSON value within the limits, or ValueError saying which limit or syntax rule it breaks.

    orjson parses the ordinary line (several times faster than `json`); a line it refuses, or one that
    may break a number limit, goes to `json` with the limit hooks, whose message the user then sees.
    `short_numbers` says the caller has checked that the line holds no run of digits that long.
    The nesting depth is walked only when the line has more brackets than MAX_DEPTH."""
    if short_numbers or not _LONG_DIGITS.search(text):
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


BLOCK_BYTES = 1024 * 1024
# bytes.translate table: ASCII digits to "0", every other byte to " " (UTF-8 holds no other byte
# 0x30-0x39), so that a long digit run is found by one `in` over a whole block.
_DIGIT_MASK = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_RUN = b"0" * 12  # what _LONG_DIGITS finds


def _raw_lines(handle) -> Iterator[tuple[Sequence[bytes | None], bool]]:
    """The file's lines in blocks: (lines as bytes without "\\n", whether the last one ended with
    "\\n"); None stands for a line longer than MAX_LINE_BYTES, whose rest is skipped unread. At most
    BLOCK_BYTES + MAX_LINE_BYTES are held."""
    partial = b""
    while True:
        block = handle.read(BLOCK_BYTES)
        lines = (partial + block).split(b"\n")
        partial = lines.pop()  # the start of a line the next block ends (after a skip, it may not)
        if lines and max(map(len, lines)) > MAX_LINE_BYTES:
            yield [None if len(raw) > MAX_LINE_BYTES else raw for raw in lines], True
        elif lines:
            yield lines, True
        if not block:
            if partial:
                yield [partial if len(partial) <= MAX_LINE_BYTES else None], False
            return
        if len(partial) > MAX_LINE_BYTES:  # a long line: skip to its end without holding it
            while b"\n" not in partial:
                partial = handle.read(BLOCK_BYTES)
                if not partial:
                    yield [None], False
                    return
            yield [None], True
            partial = partial[partial.index(b"\n") + 1 :]


def json_lines(
    path: Path, wanted: Callable[[bytes], object] | None = None
) -> Iterator[tuple[int, object]]:
    """Yield (line number, parsed JSON) for each non-empty line, or (line number, InputError) for a
    line that breaks a rule; the lines after a bad one are still read.

    A line for which `wanted(raw bytes)` is false is yielded as (line number, SKIPPED), unparsed.
    Lines are read in blocks: a block that is valid UTF-8 and holds no long digit run (one C pass over
    its bytes each) is decoded at once and its lines go straight to orjson; any other block is taken
    line by line, with the messages of old."""
    with open(path, "rb") as handle:
        number = 0
        for lines, ends_with_newline in _raw_lines(handle):
            first = lines[0]
            if number == 0 and first is not None and first.startswith(BOM):
                lines = [first[len(BOM) :], *lines[1:]]
            texts: list[str] | None = None
            short_numbers = False
            if None not in lines:
                joined = b"\n".join(lines)  # type: ignore[arg-type]  # no None, checked above
                try:
                    texts = joined.decode("utf-8").split("\n")
                except UnicodeDecodeError:
                    pass
                else:
                    short_numbers = _LONG_RUN not in joined.translate(_DIGIT_MASK)
            last = len(lines) - 1
            for index, raw in enumerate(lines):
                number += 1
                if raw is None:
                    yield (
                        number,
                        InputError(
                            f"line longer than {MAX_LINE_BYTES:,} bytes",
                            file=str(path),
                            line=number,
                        ),
                    )
                    continue
                if wanted is not None and not wanted(raw):
                    yield number, SKIPPED
                    continue
                if texts is not None:
                    text = texts[index].strip()
                else:
                    try:  # as read with its line end: the same reason for bad bytes at the end
                        ending = b"\n" if index < last or ends_with_newline else b""
                        text = (raw + ending).decode("utf-8").strip()
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
                    yield number, parse_line(text, short_numbers)
                except ValueError as error:
                    yield number, InputError(str(error), file=str(path), line=number)


def read(path: Path, phase: int | None = None) -> Iterator[tuple[int, object]]:
    yield from json_lines(path)
