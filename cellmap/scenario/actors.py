"""The simulated actors of the scenario: persons, their tenures in positions, and cells.

A position is held by a sequence of occupants (:class:`Tenure`); a :class:`Person` keeps every record
id and spelling under which reports name him, which the ground truth lists (F15).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellmap.scenario import names, places


@dataclass
class Person:
    true_id: str
    parts: names.NameParts
    record: str  # canonical record id
    kind: str = "member"  # member | leader | merchant
    emitted: bool = False  # canonical record written yet
    hidden: bool = False  # F14 target or his close associate: kept out of ordinary reporting
    monitored: bool = False  # his phone is tapped: every call he makes is intercepted
    birth_year: int = 1985
    birth_place: str = ""
    nationality: str = "sy"
    records: list[str] = field(default_factory=list)
    spellings: list[str] = field(default_factory=list)
    tenures: list[Tenure] = field(default_factory=list)


@dataclass
class Tenure:
    person: Person
    role: str
    unit: str  # entity id of the cell, sector or organisation
    start: int
    end: int | None  # None: still active at the end of 2024
    end_reason: str | None = None
    relation: str = ""
    traced: tuple | None = None  # (date, contact kind) for F14 targets
    report: str = ""  # the report stating this membership
    known_from: int = 0  # that report's date
    freed_by: tuple | None = None  # (day, incident id, report) of the jail attack that freed him
    reported: bool = False  # some report states this membership (the observation model)

    def active(self, day: int) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class Cell:
    index: int
    id: str
    sector: str
    home: places.Place
    synchronised: bool
    fund: str
    drop: str
    safe_houses: list[str]
    caches: list[str]
    n_fighters: int
    n_messengers: int
    has_planner: bool


def overlap_of(a: Tenure, b: Tenure) -> tuple[int, int | None] | None:
    start = max(a.start, b.start)
    ends = [e for e in (a.end, b.end) if e is not None]
    end = min(ends) if ends else None
    if end is not None and end < start:
        return None
    return start, end
