"""Recorded removals — strikes, arrests and deaths in their real order — as event frames.

Every function returns a Polars frame ``person:str, date:Date, precision:str, event:str`` with
one row per recorded removal (a person may have several; :func:`cellmap.disrupt.orders.recorded_order`
keeps each person's earliest). Partial dates are placed at the EARLIEST day they allow
("?/?/2000" → 2000-01-01, precision "year"; "11/?/2001" → 2001-11-01, precision "month"), so a
removal is never replayed later than it could have happened; within one date the rows keep the
source order. Releases (JJATT ``Release_Date``) are not replayed: a curve only removes.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl

from cellmap.errors import InputError

__all__ = ["parse_partial_date", "removals_from_jjatt", "removals_from_relations", "EVENT_SCHEMA"]

EVENT_SCHEMA = {"person": pl.String, "date": pl.Date, "precision": pl.String, "event": pl.String}
REMOVING_END_REASONS = ("killed", "arrested")
REMOVING_CT_OUTCOMES = ("killed", "captured")


_PARTIAL_DATE = re.compile(r"^(\d{1,2}|\?)/(\d{1,2}|\?)/?(\d{4}|\d{2})$")


def parse_partial_date(text: str | None) -> tuple[dt.date | None, str | None]:
    """Parse JJATT's ``M/D/YYYY`` with ``?`` for unknown parts; return (earliest date, precision).

    Tolerates what the public files contain: two-digit years (``11/17/05``: 00–49 → 20xx,
    50–99 → 19xx), a missing second slash (``6/?2005``) and blank cells (None).
    """
    if text is None or not str(text).strip():
        return None, None
    match = _PARTIAL_DATE.match(str(text).replace(" ", ""))
    if not match:
        raise ValueError(f"date {text!r}: expected M/D/YYYY with '?' for unknown parts")
    m, d, y = match.groups()
    year = int(y) if len(y) == 4 else (2000 + int(y) if int(y) < 50 else 1900 + int(y))
    month = int(m) if m.isdigit() else None
    day = int(d) if d.isdigit() else None
    try:
        if month is None:
            return dt.date(year, 1, 1), "year"
        if day is None:
            return dt.date(year, month, 1), "month"
        return dt.date(year, month, day), "day"
    except ValueError:
        raise ValueError(f"date {text!r}: no such day") from None


def removals_from_jjatt(nodes: pl.DataFrame, source: str | None = None) -> pl.DataFrame:
    """Arrests and deaths of a JJATT node table (columns ``ID, Arrest_Date, Death_Date``).

    Source: John Jay & ARTIS Transnational Terrorism Database (2009), via NPS CORE Lab COREnets.
    A bad value raises :class:`cellmap.errors.InputError` naming ``source`` (the file), the CSV
    line and the field. O(n) for n node rows.
    """
    for col in ("ID", "Arrest_Date", "Death_Date"):
        if col not in nodes.columns:
            raise InputError(
                "column missing from the JJATT node table", file=source, line=1, field=col
            )
    rows = []
    for line, rec in enumerate(
        nodes.select("ID", "Arrest_Date", "Death_Date").iter_rows(named=True), start=2
    ):
        for col, event in (("Arrest_Date", "arrest"), ("Death_Date", "death")):
            try:
                day, precision = parse_partial_date(rec[col])
            except ValueError as exc:
                raise InputError(
                    f"person {rec['ID']}: {exc}", file=source, line=line, field=col
                ) from None
            if day is not None:
                rows.append((str(rec["ID"]).strip(), day, precision, event))
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row")


def _attr_date(attrs: str | None) -> dt.date | None:
    if not attrs:
        return None
    value = json.loads(attrs).get("date")
    if not value:
        return None
    return dt.date.fromisoformat(str(value)[:10]) if len(str(value)) >= 10 else None


def removals_from_relations(relations: pl.DataFrame) -> pl.DataFrame:
    """Removals recorded in a store's relations (``cellmap.store.views.relations`` columns).

    * ``ct_action`` relations against a person whose ``attrs.outcome`` is killed or captured
      (dated by ``attrs.date``, else ``valid_from``): event = the action (strike, raid, arrest);
    * ``membership`` relations that end (``valid_to``) with ``end_reason`` killed or arrested.
    Cost: O(r) for r relations.
    """
    rows = []
    ct = relations.filter((pl.col("kind") == "ct_action") & (pl.col("target_kind") == "person"))
    for rec in ct.iter_rows(named=True):
        attrs = json.loads(rec["attrs"]) if rec.get("attrs") else {}
        if attrs.get("outcome") not in REMOVING_CT_OUTCOMES:
            continue
        day = _attr_date(rec.get("attrs")) or rec.get("valid_from")
        if day is not None:
            rows.append(
                (str(rec["target_id"]), day, "day", str(attrs.get("action") or "ct_action"))
            )
    ends = relations.filter(
        (pl.col("kind") == "membership")
        & pl.col("end_reason").is_in(list(REMOVING_END_REASONS))
        & pl.col("valid_to").is_not_null()
    )
    for rec in ends.iter_rows(named=True):
        rows.append((str(rec["source_id"]), rec["valid_to"], "day", str(rec["end_reason"])))
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row").sort("date", maintain_order=True)
