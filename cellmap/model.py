"""Typed access to cellmap's model, which is kept as data in `schema/model.yaml`.

Nothing here hard-codes a kind, role or vocabulary: adding one to the YAML is enough.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from cellmap.errors import InputError


def schema_file(name: str) -> Any:
    """The YAML file `cellmap/schema/<name>`, parsed by libyaml's C loader when PyYAML has it (10×
    faster than the pure-Python one, which every command would otherwise pay at start)."""
    text = resources.files("cellmap.schema").joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def schema() -> dict[str, Any]:
    """The model as loaded from `cellmap/schema/model.yaml`."""
    return schema_file("model.yaml")


@cache
def ftm_mapping() -> dict[str, Any]:
    """How FollowTheMoney schemata map onto the model, as loaded from `cellmap/schema/ftm.yaml`.

    The one mapping read by the FtM importer, the FtM exporter and the scenario writer.
    """
    return schema_file("ftm.yaml")


@cache
def stix_mapping() -> dict[str, Any]:
    """How the model maps onto STIX 2.1, as loaded from `cellmap/schema/stix.yaml`: object types,
    relationship types and the Admiralty-credibility confidence scale (STIX 2.1 Appendix A)."""
    text = resources.files("cellmap.schema").joinpath("stix.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def i2_mapping() -> dict[str, Any]:
    """How the model maps onto i2 Analyst's Notebook's delimited import (`cellmap/schema/i2.yaml`)."""
    text = resources.files("cellmap.schema").joinpath("i2.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def stix_confidence(grade: str | None) -> int | None:
    """The STIX 2.1 `confidence` of a statement at Admiralty `grade`: its information credibility on
    the Admiralty Credibility scale of STIX 2.1 Appendix A (1 → 90 … 5 → 10; 6 → none)."""
    if not grade:
        return None
    return stix_mapping()["confidence"]["write"].get(Grade.parse(grade).credibility)


def credibility_of_confidence(value: int | None) -> int:
    """The Admiralty information credibility (1–6) of a STIX `confidence` (Appendix A's ranges)."""
    if value is None:
        return 6
    for low, high, credibility in stix_mapping()["confidence"]["read"]:
        if low <= value <= high:
            return credibility
    raise InputError(f"{value!r} is not a confidence from 0 to 100", field="confidence")


def entity_kinds() -> dict[str, dict]:
    return schema()["entities"]


def relation_kinds() -> dict[str, dict]:
    return schema()["relations"]


def vocabulary(name: str) -> list[str]:
    return schema()["vocabularies"][name]


def report_kinds() -> list[str]:
    return schema()["report_kinds"]


def incident_fields() -> tuple[str, ...]:
    """An incident record's own fields (`incident_fields` in the model), stored and exported as they are."""
    return tuple(schema()["incident_fields"])


def role_rank() -> dict[str, int]:
    """Seniority of each role: its position in the ranked `roles` vocabulary (0 = leader)."""
    return {role: i for i, role in enumerate(vocabulary("roles"))}


@cache
def role_group(name: str) -> tuple[str, ...]:
    """The roles of group `name` (`role_groups` in the model: leadership, critical, finance, …)."""
    groups = schema()["role_groups"]
    if name not in groups:
        raise KeyError(f"role group {name!r}: the model has {', '.join(groups)}")
    return tuple(_known_roles(groups[name], f"role_groups.{name}"))


def strike_priorities() -> dict[str, tuple[str, ...]]:
    """Strike priority name -> the roles struck first, in order (`strike_priorities` in the model)."""
    return {name: role_group(group) for name, group in schema()["strike_priorities"].items()}


def successor_pools() -> dict[str, str]:
    """Organisation-level post -> the role whose holders fill it (`successor_pools` in the model)."""
    pools = schema()["successor_pools"]
    _known_roles([*pools, *pools.values()], "successor_pools")
    return dict(pools)


def _known_roles(roles: list[str], where: str) -> list[str]:
    unknown = [role for role in roles if role not in role_rank()]
    if unknown:
        raise ValueError(f"model.yaml {where}: {', '.join(unknown)} not in the roles vocabulary")
    return roles


def capture_sources() -> dict[str, str]:
    """Report kind -> capture–recapture source (report kinds that see persons alike share one)."""
    return schema()["capture_sources"]


def report_inclusion() -> dict[str, float]:
    """Admiralty grade ("B2") -> probability that a robustness sample keeps a report of that grade:
    reliability factor × credibility factor, from `cellmap/schema/robustness.yaml`."""
    table = schema_file("robustness.yaml")["report_inclusion"]
    return {
        f"{r}{c}": float(table["reliability"][r]) * float(table["credibility"][str(c)])
        for r in "ABCDEF"
        for c in range(1, 7)
    }


def robust_sample_bounds() -> dict[str, int]:
    """The largest number of robustness samples the CLI and the API accept."""
    return {k: int(v) for k, v in schema_file("robustness.yaml")["samples"].items()}


def network_evidence() -> dict[str, list[str]]:
    """Which relations make a person part of the network (kinds, payment kinds, participation roles)."""
    return schema()["network_evidence"]


RELIABILITY = "ABCDEF"
CREDIBILITY = "123456"
_GRADE = re.compile(r"^\s*([A-Fa-f])\s*([1-6])\s*$")


@dataclass(frozen=True, order=True)
class Grade:
    """An Admiralty (NATO STANAG 2022) grade: source reliability A–F and information credibility 1–6.

    A is the most reliable source and 1 the most credible information; F and 6 mean "cannot be judged".
    `g.meets(minimum)` is true when g is at least as good as `minimum` on *both* scales.
    """

    reliability: str
    credibility: int

    @classmethod
    def parse(cls, text: str | Grade) -> Grade:
        if isinstance(text, Grade):
            return text
        match = _GRADE.match(str(text or ""))
        if not match:
            raise InputError(
                f"{text!r} is not an Admiralty grade (A–F then 1–6, e.g. B2)", field="grade"
            )
        return cls(match.group(1).upper(), int(match.group(2)))

    def meets(self, minimum: Grade | str | None) -> bool:
        if minimum is None:
            return True
        minimum = Grade.parse(minimum)
        return RELIABILITY.index(self.reliability) <= RELIABILITY.index(minimum.reliability) and (
            self.credibility <= minimum.credibility
        )

    def __str__(self) -> str:
        return f"{self.reliability}{self.credibility}"


UNGRADED = Grade("F", 6)


_YEAR = re.compile(r"\d{4}")
_MONTH = re.compile(r"\d{4}-\d{2}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}([T ].*)?")


def parse_date(value: Any, *, field: str = "date") -> tuple[dt.date | None, str | None]:
    """Parse an ISO date of year, month or day precision: returns (first day, precision)."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    text = str(value).strip()
    try:
        if _DAY.fullmatch(text):  # the most frequent first (the three patterns exclude each other)
            return dt.date.fromisoformat(text[:10]), "day"
        if _YEAR.fullmatch(text):
            return dt.date(int(text), 1, 1), "year"
        if _MONTH.fullmatch(text):
            return dt.date(int(text[:4]), int(text[5:7]), 1), "month"
        # ACLED writes "04 March 2021" in some exports; day-month-year names are unambiguous.
        return dt.datetime.strptime(text, "%d %B %Y").date(), "day"
    except ValueError:
        raise InputError(
            f"{text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)", field=field
        ) from None
