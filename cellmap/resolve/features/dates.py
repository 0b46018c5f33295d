"""Dates and membership periods as records write them (``;``-joined ISO strings or lists).

A malformed date or period is no evidence and is skipped. Parsing is memoised per string value
(pure functions of their argument: a leader's record carries thousands of dates and meets
thousands of pairs). Cost: O(v) for v values. Example: ``periods_of("2014-01-01/2015-06-30;
2016-01-01/")`` is ``[(2014-01-01, 2015-06-30), (2016-01-01, None)]`` (open end: still active).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache


def norm_values(value) -> set[str]:
    """The non-empty, lower-case values of a ``;``-joined string or a list."""
    if value is None:
        return set()
    if isinstance(value, (list, tuple, set)):
        vals = value
    else:
        vals = str(value).split(";")
    return {
        str(v).strip().lower()
        for v in vals
        if str(v).strip() and str(v).strip().lower() not in ("nan", "none")
    }


def periods_of(value) -> list[tuple[dt.date, dt.date | None]]:
    """Membership periods 'from/to' (open end empty) of a ';'-joined string or a list."""
    return list(_cached_periods(value)) if isinstance(value, str) else _parse_periods(value)


def dates_of(value) -> list[dt.date]:
    """ISO dates of a ';'-joined string or a list; malformed dates are skipped."""
    return list(_cached_dates(value)) if isinstance(value, str) else _parse_dates(value)


@lru_cache(maxsize=200_000)
def _cached_periods(value: str) -> tuple:
    return tuple(_parse_periods(value))


@lru_cache(maxsize=200_000)
def _cached_dates(value: str) -> tuple:
    return tuple(_parse_dates(value))


def _parse_periods(value) -> list[tuple[dt.date, dt.date | None]]:
    out = []
    for period in norm_values(value):
        start, _, end = period.partition("/")
        try:
            out.append(
                (
                    dt.date.fromisoformat(start[:10]),
                    dt.date.fromisoformat(end[:10]) if end else None,
                )
            )
        except ValueError:
            continue  # a malformed period is no evidence
    return out


def _parse_dates(value) -> list[dt.date]:
    out = []
    for day in norm_values(value):
        try:
            out.append(dt.date.fromisoformat(day[:10]))
        except ValueError:
            continue
    return out


def active_on(
    days: list[dt.date], periods: list[tuple[dt.date, dt.date | None]], slack: dt.timedelta
) -> bool:
    """Whether one of ``days`` falls inside one of the periods (open end: still active), ± ``slack``."""
    return any(
        start - slack <= day and (end is None or day <= end + slack)
        for start, end in periods
        for day in days
    )
