"""Citations: every figure of the brief names the reports it rests on, with their Admiralty grades.

A citation names the best-graded reports (`named_reports` in `schema/brief.yaml`) and counts the
others by grade; every cited report goes to the sources annex. Reports come from
`cellmap.store.views.reports`, so a caller's citations name only reports they may see.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from cellmap.report.words import yardstick


def _grade_order(grade: str | None) -> tuple[str, int]:
    return (grade[0], int(grade[1])) if grade and len(grade) == 2 else ("Z", 9)


@dataclass
class Citation:
    """The reports behind one figure: `named` (key, grade, anchor) and the rest counted by grade."""

    named: list[dict]
    more: int
    more_grades: dict[str, int]
    statements: int
    grades: list[str] = field(repr=False, default_factory=list)  # one per supporting statement

    @property
    def reports(self) -> int:
        return len(self.named) + self.more


@dataclass
class Sources:
    """The reports the caller may see, and those the brief has cited so far (for the annex)."""

    reports: pl.DataFrame
    compartments: dict[int, str]
    cited: set[int] = field(default_factory=set)

    def __post_init__(self):
        self._rows = {row["report_id"]: row for row in self.reports.iter_rows(named=True)}

    def cite(self, report_ids: Iterable[int | None]) -> Citation:
        """A citation of the statements whose reports are `report_ids` (one id per statement)."""
        ids = [int(i) for i in report_ids if i is not None and int(i) in self._rows]
        unique = sorted(set(ids), key=lambda i: (_grade_order(self._rows[i]["grade"]), i))
        self.cited.update(unique)
        limit = int(yardstick()["named_reports"])
        named = [self._ref(i) for i in unique[:limit]]
        rest = Counter(self._rows[i]["grade"] or "?" for i in unique[limit:])
        return Citation(
            named=named,
            more=len(unique) - len(named),
            more_grades=dict(sorted(rest.items())),
            statements=len(ids),
            grades=[self._rows[i]["grade"] for i in ids],
        )

    def cite_frame(self, frame: pl.DataFrame) -> Citation:
        """A citation of every row (statement) of a frame with a ``report_id`` column."""
        return self.cite(frame["report_id"].to_list() if frame.height else [])

    def _ref(self, report_id: int) -> dict:
        row = self._rows[report_id]
        return {"id": report_id, "key": row["report_key"], "grade": row["grade"]}

    def annex(self) -> list[dict]:
        """Every cited report: key, grade, kind, date, source, title, compartment (by key)."""
        rows = [self._rows[i] for i in self.cited]
        return [
            {
                "id": r["report_id"],
                "key": r["report_key"],
                "grade": r["grade"],
                "kind": r["kind"],
                "date": r["date"].isoformat() if r["date"] else "",
                "source": r["source"] or "",
                "title": r["title"] or "",
                "compartment": self.compartments.get(r["report_id"], ""),
            }
            for r in sorted(rows, key=lambda r: (r["report_key"] or "", r["report_id"]))
        ]

    def compartments_cited(self) -> list[str]:
        return sorted({self.compartments[i] for i in self.cited if i in self.compartments})
