"""The workbench's read side: store views read once per store generation and kept as Polars frames.

Cached values are keyed by what they were computed from (the filters) and belong to one value of
the store's change counter (`Store.change_counter`: the newest import and judgement). Every request
first calls `Workbench.refresh()`, which drops the caches when the counter moved, so a write by any
process (the CLI, another server on the same PostgreSQL) is seen; this process' own imports and
judgements also call `Workbench.changed()` directly. Everything here returns data (frames, dicts);
routers turn it into JSON.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import polars as pl

from cellmap.model import RELIABILITY, Grade


@dataclass(frozen=True)
class Filters:
    """The filters every view shares: relation kinds, a time window and a minimum Admiralty grade."""

    kinds: tuple[str, ...] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    min_grade: str | None = None

    @property
    def window(self) -> tuple[dt.date | None, dt.date | None] | None:
        if self.start is None and self.end is None:
            return None
        return (self.start, self.end)


def grade_mask(frame: pl.DataFrame, min_grade: str | None) -> pl.Expr:
    """Rows whose report meets `min_grade` on both Admiralty scales (see `cellmap.model.Grade.meets`)."""
    if not min_grade:
        return pl.lit(True)
    minimum = Grade.parse(min_grade)
    allowed = list(RELIABILITY[: RELIABILITY.index(minimum.reliability) + 1])
    return pl.col("reliability").is_in(allowed) & (pl.col("credibility") <= minimum.credibility)


def window_mask(
    start: dt.date | None, end: dt.date | None, *, first: str = "valid_from", last: str = "valid_to"
) -> pl.Expr:
    """Rows whose validity [first, last] overlaps [start, end]; open ends (null) overlap everything."""
    expr = pl.lit(True)
    if start is not None:
        expr = expr & (pl.col(last).is_null() | (pl.col(last) >= start))
    if end is not None:
        expr = expr & (pl.col(first).is_null() | (pl.col(first) <= end))
    return expr


class _Caches:
    """The caches all callers' workbenches share (each key starts with the caller's visibility)."""

    def __init__(self):
        self.lock = threading.RLock()
        self.generation = 0
        self.cache: dict[tuple, Any] = {}
        self.key_locks: dict[tuple, threading.Lock] = {}
        self.records_cache: dict[tuple, Any] = {}
        self.records_generation = 0
        self.counter: tuple | None = None  # the store's change counter when last read


class Workbench:
    """A store plus the frames its views give, cached until the store changes."""

    def __init__(self, store: Any, visible: frozenset[str] | None = None, caches=None):
        self.store: Any = store.scoped(visible) if store is not None else None
        self.visible = visible
        # Every cached value is keyed by the caller's visibility: one caller's frames never answer another.
        self._scope = None if visible is None else tuple(sorted(visible))
        self._c = caches or _Caches()

    def for_caller(self, visible: frozenset[str] | None) -> Workbench:
        """The workbench as a caller holding `visible` sees it (sharing this one's caches)."""
        return Workbench(self.store.base, visible, self._c)

    # -- caching -----------------------------------------------------------------------------------
    @property
    def caches_id(self) -> int:
        """Names the caches this workbench shares with every caller's (`for_caller`)."""
        return id(self._c)

    @property
    def generation(self) -> int:
        return self._c.generation

    def refresh(self) -> None:
        """Drop the caches if any process wrote to the store since they were filled."""
        if self.store is not None:
            self.observe(self.store.change_counter())

    def observe(self, counter: tuple) -> None:
        """Note the store's change counter as read; a new import drops everything, a new judgement
        keeps the values computed from the records alone."""
        with self._c.lock:
            previous, self._c.counter = self._c.counter, counter
        if previous is not None and previous != counter:
            self.changed(records=previous[0] != counter[0])

    def changed(self, records: bool = True) -> None:
        """Forget every cached frame: after an import (`records=True`), or after a judgement
        (`records=False`: the records themselves did not change, so values kept with
        `cached_records`, such as scored candidate pairs, stay)."""
        c = self._c
        with c.lock:
            c.generation += 1
            c.cache.clear()
            c.key_locks.clear()
            if records:
                c.records_generation += 1
                c.records_cache.clear()

    def cached_records(self, key: tuple, compute):
        """Like `cached`, but kept until the next import (judgements do not drop it)."""
        c, scoped = self._c, (self._scope,) + key
        with c.lock:
            if scoped in c.records_cache:
                return c.records_cache[scoped]
            generation = c.records_generation
        value = self.cached(("records",) + key, compute)
        with c.lock:
            if generation == c.records_generation:
                c.records_cache.setdefault(scoped, value)
        return value

    def cached(self, key: tuple, compute):
        """`compute()` once per store generation and key: concurrent callers of the same key wait for
        the first one (twenty clients opening the workbench at once build the link chart once). A value
        computed while the store changed is returned to its caller but not kept."""
        c, key = self._c, (self._scope,) + key
        with c.lock:
            if key in c.cache:
                return c.cache[key]
            key_lock = c.key_locks.setdefault(key, threading.Lock())
            generation = c.generation
        with key_lock:
            with c.lock:
                if key in c.cache:
                    return c.cache[key]
            value = compute()
            with c.lock:
                if generation != c.generation:
                    return value
                c.cache[key] = value
                if len(c.cache) > 256:  # bounded: drop the oldest entries
                    for old in list(c.cache)[:64]:
                        c.cache.pop(old, None)
                return value

    def _view(self, name: str, **kwargs) -> pl.DataFrame:
        from cellmap.store import views

        def read():
            # The view and the counter come from one snapshot: a frame read after another process'
            # commit bumps the generation, so it is not kept with frames of the older state. (A
            # caller's narrowed session would count only its own judgements: no counter there.)
            whole = self.store is getattr(self.store, "base", self.store)
            with self.store.session() as session:
                counter = self.store.change_counter(session) if whole else None
                frame = getattr(views, name)(session, **kwargs)
            if counter is not None:
                self.observe(counter)
            return frame

        key = (name,) + tuple(sorted((k, _hashable(v)) for k, v in kwargs.items()))
        return self.cached(key, read)

    # -- the store views -------------------------------------------------------------------------
    def reports(self) -> pl.DataFrame:
        return self._view("reports")

    def entities(self, resolved: bool = True) -> pl.DataFrame:
        """Every entity record; with `resolved`, `canonical_id` names its cluster's canonical record."""
        return self._view("entities", resolved=resolved)

    def canonical_entities(self) -> pl.DataFrame:
        """One row per resolved entity (the canonical record of each cluster)."""
        return self.entities().filter(pl.col("entity_id") == pl.col("canonical_id"))

    def relations(self, filters: Filters | None = None) -> pl.DataFrame:
        filters = filters or Filters()
        frame = self._view("relations", resolved=True)
        if filters.kinds:
            frame = frame.filter(pl.col("kind").is_in(list(filters.kinds)))
        if filters.min_grade:
            frame = frame.filter(grade_mask(frame, filters.min_grade))
        if filters.window:
            frame = frame.filter(window_mask(filters.start, filters.end))
        return frame

    def incidents(self, min_grade: str | None = None) -> pl.DataFrame:
        frame = self._view("incidents")
        if min_grade:
            frame = frame.filter(grade_mask(frame, min_grade))
        return frame

    def properties(
        self, entity_ids: list[int] | None = None, props: list[str] | None = None
    ) -> pl.DataFrame:
        from cellmap.store import views

        with self.store.session() as session:
            return views.properties(session, entity_ids=entity_ids, props=props)

    # -- derived lookups ------------------------------------------------------------------------
    def synthetic(self) -> bool:
        """True when any report in the store is marked synthetic (the banner must show)."""
        reports = self.reports()
        return bool(reports.height and reports["synthetic"].fill_null(False).any())

    def names(self) -> dict[int, str]:
        """Canonical entity id → display name."""

        def build():
            frame = self.entities()
            return dict(
                zip(
                    frame["entity_id"].to_list(),
                    frame["name"].fill_null("").to_list(),
                    strict=False,
                )
            )

        return self.cached(("names",), build)

    def kinds(self) -> dict[int, str]:
        def build():
            frame = self.entities()
            return dict(zip(frame["entity_id"].to_list(), frame["kind"].to_list(), strict=False))

        return self.cached(("kinds",), build)

    def canonical(self, entity_id: int) -> int | None:
        """The canonical id of any entity id (resolved clusters), or None when unknown."""

        def build():
            frame = self.entities()
            return dict(
                zip(frame["entity_id"].to_list(), frame["canonical_id"].to_list(), strict=False)
            )

        mapping = self.cached(("canonical",), build)
        return mapping.get(entity_id)

    def report_index(self) -> dict[int, dict]:
        """report_id → report row (as a dict) for provenance links."""

        def build():
            return {
                row["report_id"]: _jsonable(row) for row in self.reports().iter_rows(named=True)
            }

        return self.cached(("report_index",), build)

    def recorded_cells(self) -> dict[int, int]:
        """Person id → the cell of their most recent membership in a cell (as recorded in reports)."""

        def build():
            kinds = self.kinds()
            cell_ids = [i for i, k in kinds.items() if k == "cell"]
            members = self.relations(Filters(kinds=("membership",))).filter(
                pl.col("target_id").is_in(cell_ids)
            )
            latest = (
                members.sort("valid_from", nulls_last=False)
                .group_by("source_id")
                .agg(pl.col("target_id").last())
            )
            mapping = dict(
                zip(latest["source_id"].to_list(), latest["target_id"].to_list(), strict=False)
            )
            mapping.update({c: c for c in cell_ids})
            return mapping

        return self.cached(("recorded_cells",), build)


def _hashable(value):
    if isinstance(value, list):
        return tuple(value)
    return value


def _jsonable(row: dict) -> dict:
    return {
        k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in row.items()
    }


def jsonable_rows(frame: pl.DataFrame, columns: list[str] | None = None) -> list[dict]:
    """Rows of a frame as JSON-ready dicts (dates as ISO strings)."""
    if columns:
        frame = frame.select([c for c in columns if c in frame.columns])
    return [_jsonable(row) for row in frame.iter_rows(named=True)]
