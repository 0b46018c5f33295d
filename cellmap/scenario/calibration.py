"""The scenario's calibration, read once from ``scenario/data/calibration.yaml``, and its calendar.

The tables (sector shares, yearly incident profile, leadership removals, traced strikes, report grades
and sources, the ACLED vocabulary) are data so that a fact of ../shared/scenario.md is changed in one
place; this module gives them the shapes the generator uses (tuples, dates as ``datetime.date``).
Days are proleptic ordinals (``date.toordinal()``) throughout the generator.
"""

from __future__ import annotations

from datetime import date
from importlib import resources

import yaml

_TABLES = yaml.safe_load(
    resources.files("cellmap.scenario").joinpath("data/calibration.yaml").read_text("utf-8")
)

START = date(2019, 1, 1).toordinal()
END = date(2024, 12, 31).toordinal()
YEARS = tuple(range(2019, 2025))

SECTORS: tuple[str, ...] = tuple(_TABLES["sectors"])
SECTOR_SHARE: dict[str, float] = _TABLES["sector_share"]
TOTAL_WAR_CHEST: int = _TABLES["total_war_chest"]
CELL_FUNDS_SHARE: int = _TABLES["cell_funds_share"]
SECTOR_FUND_OPENING: int = _TABLES["sector_fund_opening"]
STIPEND_USD: int = _TABLES["stipend_usd"]
PERSONS_PER_CELL: float = _TABLES["persons_per_cell"]
SIZES: dict[str, dict[str, int]] = _TABLES["sizes"]

COMPLETED_OPS: dict[int, int] = _TABLES["completed_ops"]
FAILED_OPS: dict[int, int] = _TABLES["failed_ops"]
SMALL_SCALE: dict[int, int] = _TABLES["small_scale"]
JAIL_ATTACKS: dict[int, int] = _TABLES["jail_attacks"]
COMPLETED_DROP_2022: int = _TABLES["completed_drop_2022"]
SMALL_TYPES: tuple[str, ...] = tuple(_TABLES["small_types"])
SMALL_WEIGHTS: tuple[float, ...] = tuple(_TABLES["small_types"].values())

REMOVALS: tuple[date, ...] = tuple(r["date"] for r in _TABLES["removals"])
REMOVAL_FORCES: tuple[str, ...] = tuple(r["force"] for r in _TABLES["removals"])
FORCES: tuple[str, ...] = tuple(_TABLES["forces"])
ARREST_FORCE: dict[str, str] = _TABLES["arrest_force"]
# (sector, role, date, contact kind) of each traced strike (F13, F14).
TRACED_STRIKES: tuple[tuple[str, str, date, str], ...] = tuple(
    (s["sector"], s["role"], s["date"], s["contact"]) for s in _TABLES["traced_strikes"]
)
TRACED_ROLES: tuple[str, ...] = tuple(_TABLES["traced_roles"])
SECTOR_ROLES: tuple[str, ...] = tuple(_TABLES["sector_roles"])
ARREST_ONLY_ROLES: tuple[str, ...] = tuple(_TABLES["arrest_only_roles"])

GRADES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _TABLES["grades"].items()}
SOURCES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _TABLES["sources"].items()}
# Probabilities of the observation model (which true facts of a cell some report states).
OBSERVATION: dict = _TABLES["observation"]
# Chance that an intercept names a member under a spelling of its own (a record of that report, F15).
ALIAS_CHANCE: float = OBSERVATION["alias_in_intercept"]
ACLED_TYPES: dict[str, tuple[str, str]] = {
    k: (v[0], v[1]) for k, v in _TABLES["acled_types"].items()
}


def iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


def year_of(day: int) -> int:
    return date.fromordinal(day).year


def quarter_of(day: int) -> int:
    d = date.fromordinal(max(day, START))
    return (d.year - 2019) * 4 + (d.month - 1) // 3


def quarter_end(q: int) -> int:
    year, index = 2019 + q // 4, q % 4
    last_month = 3 * index + 3
    return (
        date(year + 1, 1, 1) if last_month == 12 else date(year, last_month + 1, 1)
    ).toordinal() - 1


def month_starts() -> list[int]:
    return [date(y, m, 1).toordinal() for y in YEARS for m in range(1, 13)]
