"""The synthetic network: a seeded simulation of the organisation of the seed text, 2019–2024.

What is simulated (facts F1–F15 of ../shared/scenario.md):

* an organisation with a leader and a Shura council; four leaders removed by strikes on four dates,
  then an unknown leader seen only under a kunya, and collective leadership (F8);
* three sectors (Raqqa, Palmyra, al-Bab) with sector-level functions (sector head, director of
  intelligence, training-centre head, logistics leader, information-office operators) and cells
  (cell head, attack planner, messengers, fighters) (F1, F9); roles known only from arrests are
  reported only in arrest debriefs;
* every cell with safe houses, one message drop served by its messengers, weapons caches and one fund
  (F2); fund opening balances summing to exactly 25,000,000 USD (F3);
* positions as sequences of occupants: each tenure ends by death, arrest or leaving at a monthly hazard
  and is filled again by a recruit (F7); some detainees are freed by jail attacks and rejoin (F6);
* monthly stipends of 400 USD to every fighter active on the 1st of the month (F5); extortion and
  ransom income tied to incidents (F4);
* incidents per year fixed in advance: completed operations fall to 45 % in 2022, failed/aborted
  operations and small-scale incidents fall much less, most small-scale ones inside the
  Palmyra–Deir ez-Zor–Abu Kamal triangle (F10, F11); synchronised cells concentrate operations in
  the leadership's campaign windows, autonomous cells ignore them (F12);
* strikes on an attack planner, a director of intelligence and a sector head (F13), each target hidden
  until one security error — a meeting, a shared phone or a message through a drop — links him to
  already known members (F14);
* persons named under several record ids and spellings across reports (F15).

Each cell is simulated from its own random stream and written before the next begins, so the large
size streams to disk in memory bounded by one cell plus the sector-level persons.
Cost: O(persons × months + incidents + communications) time.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from cellmap.scenario import names, places
from cellmap.scenario.writer import ScenarioWriter

START = date(2019, 1, 1).toordinal()
END = date(2024, 12, 31).toordinal()
YEARS = tuple(range(2019, 2025))
SECTORS = ("Raqqa", "Palmyra", "al-Bab")
SECTOR_SHARE = {"Raqqa": 0.33, "Palmyra": 0.45, "al-Bab": 0.22}
TOTAL_WAR_CHEST = 25_000_000
CELL_FUNDS_SHARE = 6_000_000
SECTOR_FUND_OPENING = 1_500_000
STIPEND_USD = 400
PERSONS_PER_CELL = (
    36.0  # persons per cell over 2019–2024, turnover and merchants included (measured)
)

SIZES = {
    "demo": {"persons": 700, "incidents": 4000, "comms": 3000},
    "large": {"persons": 100_000, "incidents": 1_000_000, "comms": 1_000_000},
}
# Yearly incident profile (base counts, scaled to the requested number of incidents).
COMPLETED_OPS = {2019: 160, 2020: 190, 2021: 200, 2022: 90, 2023: 70, 2024: 55}
FAILED_OPS = {2019: 70, 2020: 80, 2021: 90, 2022: 80, 2023: 72, 2024: 66}
SMALL_SCALE = {2019: 380, 2020: 440, 2021: 500, 2022: 480, 2023: 460, 2024: 440}
JAIL_ATTACKS = {2019: 1, 2020: 2, 2021: 2, 2022: 3, 2023: 1, 2024: 1}
COMPLETED_DROP_2022 = (
    45  # completed operations in 2022, percent of 2021 (the seed's "55 per cent drop")
)
SMALL_TYPES = ("threat", "theft", "kidnapping", "assassination", "ied", "extortion")
SMALL_WEIGHTS = (0.18, 0.15, 0.12, 0.15, 0.25, 0.15)
# Leadership removals (the seed: "taken out its head four times").
REMOVALS = (date(2019, 10, 27), date(2022, 2, 3), date(2022, 10, 15), date(2023, 4, 29))
REMOVAL_FORCES = (
    "US-led coalition",
    "US-led coalition",
    "Local armed factions (Daraa)",
    "Turkish intelligence",
)
FORCES = (
    "US-led coalition",
    "SDF",
    "Syrian National Army",
    "Syrian government forces",
    "Russian forces",
    "Local armed factions (Daraa)",
    "Turkish intelligence",
)
ARREST_FORCE = {
    "Raqqa": "SDF",
    "Palmyra": "Syrian government forces",
    "al-Bab": "Syrian National Army",
}
# Critical operatives traced through a security error and struck (F13, F14): (sector, role, date, contact).
TRACED_STRIKES = (
    ("Palmyra", "attack_planner", date(2021, 6, 14), "meeting"),
    ("Raqqa", "director_of_intelligence", date(2022, 5, 9), "shared_phone"),
    ("al-Bab", "sector_head", date(2022, 12, 2), "message_drop"),
    ("Raqqa", "attack_planner", date(2023, 3, 21), "shared_phone"),
    ("Palmyra", "director_of_intelligence", date(2023, 9, 17), "meeting"),
    ("Palmyra", "sector_head", date(2024, 2, 8), "message_drop"),
)
TRACED_ROLES = (
    "attack_planner",
    "director_of_intelligence",
    "sector_head",
)  # struck only when traced
SECTOR_ROLES = (
    "sector_head",
    "director_of_intelligence",
    "training_centre_head",
    "logistics_leader",
    "information_office_operator",
    "information_office_operator",
)
ARREST_ONLY_ROLES = (
    "director_of_intelligence",
    "training_centre_head",
    "information_office_operator",
)
GRADES = {
    "arrest_debrief": ("B2", "B2", "C3", "B3", "C2"),
    "intercept_summary": ("A2", "B2", "B1", "B2"),
    "open_source_article": ("C3", "D3", "C2", "B3", "E5"),
    "incident_log": ("B2", "B3", "C2"),
    "financial_record": ("B1", "B2", "A2"),
    "analyst_note": ("B2", "C3"),
}
SOURCES = {
    "arrest_debrief": ("SDF interrogation", "SNA interrogation", "Iraqi CTS liaison"),
    "intercept_summary": ("SIGINT liaison", "Partner SIGINT"),
    "open_source_article": (
        "Local news site",
        "Regional outlet",
        "Monitoring group",
        "Wire service",
    ),
    "incident_log": ("Field monitors", "Conflict monitor"),
    "financial_record": ("Seized ledger", "Hawala records"),
    "analyst_note": ("Analyst assessment",),
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


@dataclass
class Person:
    true_id: str
    parts: names.NameParts
    record: str  # canonical record id
    kind: str = "member"  # member | leader | merchant
    emitted: bool = False  # canonical record written yet
    hidden: bool = False  # F14 target or his close associate: kept out of ordinary reporting
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


class Generator:
    """One scenario run: call :meth:`run`. All randomness derives from `seed` by name."""

    def __init__(
        self,
        seed: int,
        out_dir: Path,
        persons: int,
        incidents: int,
        comms: int,
        size: str,
        entity_format: str = "ftm",
        progress=None,
    ):
        self.progress = progress or (lambda done, total: None)
        self.seed = seed
        self.size = size
        self.out = ScenarioWriter(out_dir, entity_format)
        self.n_persons, self.n_incidents, self.n_comms = persons, incidents, comms
        self.rng = self.stream("global")
        self.counters: dict[str, int] = {}
        self.person_count = 0
        self.sector_reports: dict[str, str] = {}
        self.incident_logs: dict[tuple[str, int, int], str] = {}
        # F14: the day of each traced target's security error, and the known member it will reach
        # (kept as the cells stream past, so no list of all members is held).
        plan = self.stream("trace-plan")
        self.contact_days = {
            (s, r): d.toordinal() - plan.randint(15, 45) for s, r, d, _ in TRACED_STRIKES
        }
        self.contact_kinds = {(s, r): c for s, r, _, c in TRACED_STRIKES}
        self.contact_candidates: dict[tuple[str, str], list[Tenure | None]] = {
            k: [None, None] for k in self.contact_days
        }
        self.traced: list[tuple[str, Tenure]] = []
        self.unit_sector: dict[str, str] = {}
        self.sector_sites: dict[str, dict[str, str]] = {}

    # -- plumbing ---------------------------------------------------------------------------------
    def stream(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def next_id(self, prefix: str, width: int = 7) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}-{n:0{width}d}"

    def opaque(self, *parts) -> str:
        digest = hashlib.sha1("|".join(str(p) for p in (self.seed, *parts)).encode()).hexdigest()
        return f"P-{digest[:12]}"

    def report(self, rng: random.Random, kind: str, day: int, title: str) -> str:
        rid = self.next_id("R")
        self.out.report(
            {
                "id": rid,
                "title": f"{title} [synthetic]",
                "kind": kind,
                "date": iso(day),
                "source": rng.choice(SOURCES[kind]),
                "grade": rng.choice(GRADES[kind]),
                "synthetic": True,
            }
        )
        return rid

    def entity(self, eid: str, kind: str, report: str, **properties) -> str:
        props = {
            k: (v if isinstance(v, list) else [v])
            for k, v in properties.items()
            if v not in (None, [], "")
        }
        self.out.entity(
            {
                "id": eid,
                "kind": kind,
                "report": report,
                "properties": {k: [str(x) for x in v] for k, v in props.items()},
            }
        )
        return eid

    def relation(
        self,
        kind: str,
        source: str,
        target: str,
        report: str,
        *,
        role: str | None = None,
        valid_from: int | None = None,
        valid_to: int | None = None,
        end_reason: str | None = None,
        **attrs,
    ) -> str:
        rid = self.next_id("REL", 8)
        self.out.relation(
            {
                "id": rid,
                "kind": kind,
                "source": source,
                "target": target,
                "role": role,
                "report": report,
                "valid_from": iso(valid_from) if valid_from is not None else None,
                "valid_to": iso(valid_to) if valid_to is not None else None,
                "end_reason": end_reason,
                "attrs": {k: v for k, v in attrs.items() if v is not None},
            }
        )
        return rid

    # -- persons and their names in reports ----------------------------------------------------------
    def new_person(
        self,
        rng: random.Random,
        home: places.Place,
        kind: str = "member",
        brother: Person | None = None,
    ) -> Person:
        self.person_count += 1
        true_id = f"TP-{self.person_count:06d}"
        if brother:
            parts = names.draw_name_parts(
                rng,
                nisba=(brother.parts.nisba, brother.parts.nisba_ar),
                father=(brother.parts.father, brother.parts.father_ar),
            )
        else:
            parts = names.draw_name_parts(rng)
        person = Person(
            true_id,
            parts,
            self.opaque(true_id, "canonical"),
            kind=kind,
            birth_year=rng.randint(1965, 2003),
            birth_place=home.name,
            nationality="iq" if parts.nisba == "Iraqi" or rng.random() < 0.08 else "sy",
        )
        return person

    def mention(
        self,
        person: Person,
        report: str,
        rng: random.Random | None = None,
        alias_chance: float = 0.0,
        seen: set | None = None,
    ) -> str:
        """The record id naming `person` in `report`: his canonical record, or (with `alias_chance`)
        a record of that report alone that spells him differently (F15)."""
        if not person.emitted:
            self.emit_canonical(person, report)
            return person.record
        if rng is None or person.hidden or rng.random() >= alias_chance:
            return person.record
        rid = self.opaque(person.true_id, report)
        if seen is not None and rid in seen:
            return rid
        arabic = rng.random() < 0.12
        spelled = names.spell(rng, person.parts, strength=0.6, arabic=arabic)
        props = {"name": spelled}
        if rng.random() < 0.3:
            props["kunya"] = names.spell(rng, person.parts, form="kunya_only", strength=0.5)
        if rng.random() < 0.08:  # a contradicting claim, kept beside the canonical one
            props["birth_date"] = str(person.birth_year + rng.choice((-3, -2, -1, 1, 2, 3)))
        self.entity(rid, "person", report, **props)
        person.records.append(rid)
        person.spellings.append(spelled)
        if seen is not None:
            seen.add(rid)
        return rid

    def emit_canonical(self, person: Person, report: str) -> None:
        p = person.parts
        aliases = [p.kunya_name] + ([p.laqab] if p.laqab else [])
        props = {
            "name": p.full_name,
            "alias": aliases,
            "first_name": p.ism,
            "father_name": p.father,
            "kunya": p.kunya,
            "nisba": p.nisba_full,
            "laqab": p.laqab,
            "gender": "male",
        }
        if person.kind == "merchant":
            props = {
                "name": p.full_name,
                "first_name": p.ism,
                "father_name": p.father,
                "gender": "male",
                "notes": "merchant (victim of extortion or kidnapping)",
            }
        else:
            props.update(
                birth_date=str(person.birth_year),
                birth_place=person.birth_place,
                nationality=person.nationality,
            )
        self.entity(person.record, "person", report, **props)
        person.emitted = True
        person.records.append(person.record)
        person.spellings.extend(
            props["name"] if isinstance(props["name"], list) else [props["name"]]
        )
        person.spellings.extend(aliases if person.kind != "merchant" else [])

    def write_truth_person(self, person: Person) -> None:
        p = person.parts
        self.out.truth(
            {
                "type": "person",
                "id": person.true_id,
                "kind": person.kind,
                "name_parts": {
                    "ism": p.ism,
                    "father": p.father,
                    "kunya": p.kunya,
                    "nisba": p.nisba_full,
                    "laqab": p.laqab,
                    "arabic": p.arabic("full"),
                },
                "records": person.records,
                "spellings": person.spellings,
                "roles": [
                    {
                        "role": t.role,
                        "unit": t.unit,
                        "valid_from": iso(t.start),
                        "valid_to": iso(t.end) if t.end else None,
                        "end_reason": t.end_reason,
                        "relation": t.relation,
                    }
                    for t in person.tenures
                ],
            }
        )

    # -- positions as sequences of occupants ------------------------------------------------------
    def occupy(
        self,
        rng: random.Random,
        role: str,
        unit: str,
        home: places.Place,
        monthly_hazard: float,
        forced: list[tuple[int, str]] | None = None,
    ) -> list[Tenure]:
        """Occupants of one position over 2019–2024: each leaves at `monthly_hazard` (killed, arrested
        or left) and a recruit follows after a gap; `forced` (day, contact) ends a tenure by a strike."""
        forced = sorted(forced or [])
        tenures: list[Tenure] = []
        start = START - rng.randint(30, 900)
        while start <= END:
            person = self.new_person(rng, home)
            length = int(rng.expovariate(monthly_hazard / 30.44)) + 20
            end: int | None = start + length
            reason = rng.choices(("killed", "arrested", "left"), (0.35, 0.45, 0.2))[0]
            traced = None
            if forced and forced[0][0] <= end + 60:
                day, contact = forced.pop(0)
                start = min(start, day - 200)
                end, reason, traced = day, "killed", (day, contact)
                person.hidden = True
            if end > END:
                end, reason = None, None
            tenure = Tenure(person, role, unit, start, end, reason, traced=traced)
            person.tenures.append(tenure)
            tenures.append(tenure)
            if traced:
                self.traced.append((self.unit_sector[unit], tenure))
            if end is None:
                break
            start = end + rng.randint(7, 75)
        return tenures

    # -- the run ----------------------------------------------------------------------------------
    def run(self) -> dict:
        self.setup_allocation()
        self.write_organisation()
        self.write_campaigns()
        self.write_sectors()
        self.write_jail_attacks()
        self.write_sector_people()
        for done, cell in enumerate(self.cells):
            CellRun(self, cell).run()
            self.progress(done + 1, len(self.cells))
        self.write_traces()
        self.write_leadership_truth()
        manifest = {
            "synthetic": True,
            "seed": self.seed,
            "size": self.size,
            "parameters": {
                "persons": self.n_persons,
                "incidents": self.n_incidents,
                "comms": self.n_comms,
            },
            "persons_generated": self.person_count,
            "cells": len(self.cells),
            "triangle": places.triangle_geojson(),
        }
        self.out.truth(
            {
                "type": "summary",
                **{k: v for k, v in manifest.items() if k != "triangle"},
                "counts": dict(sorted(self.out.counts.items())),
            }
        )
        return self.out.close(manifest)

    def setup_allocation(self) -> None:
        rng = self.rng
        n_cells = max(6, round(self.n_persons / PERSONS_PER_CELL))
        per_sector = {s: max(2, round(n_cells * SECTOR_SHARE[s])) for s in SECTORS}
        self.cells: list[Cell] = []
        for sector in SECTORS:
            towns = places.sector_places(sector)
            for k in range(per_sector[sector]):
                index = len(self.cells)
                cid = f"CELL-{index + 1:05d}"
                self.cells.append(
                    Cell(
                        index=index,
                        id=cid,
                        sector=sector,
                        home=towns[k % len(towns)],
                        synchronised=rng.random() < 0.45,
                        fund=f"FUND-{cid}",
                        drop=f"SITE-{cid}-DROP",
                        safe_houses=[f"SITE-{cid}-SH{j + 1}" for j in range(rng.randint(1, 3))],
                        caches=[f"SITE-{cid}-WC{j + 1}" for j in range(rng.randint(1, 2))],
                        n_fighters=rng.randint(5, 9),
                        n_messengers=rng.randint(1, 2),
                        has_planner=rng.random() < 0.6,
                    )
                )
        # F12 needs both kinds of cell in every size; F13 needs a planner's cell in every sector.
        self.cells[0].synchronised, self.cells[1].synchronised = True, False
        self.planner_cells = {}
        for cell in self.cells:
            self.unit_sector[cell.id] = cell.sector
            if cell.sector not in self.planner_cells:
                cell.has_planner = True
                self.planner_cells[cell.sector] = cell.index
        for sector in SECTORS:
            self.unit_sector[f"SEC-{sector.upper().replace('-', '')}"] = sector
        # F3: cell fund openings from fixed weights; the treasury holds the rest of the 25 M.
        weights = [rng.random() + 0.5 for _ in self.cells]
        total = sum(weights)
        self.cell_openings = [int(CELL_FUNDS_SHARE * w / total) for w in weights]
        self.treasury_opening = (
            TOTAL_WAR_CHEST - SECTOR_FUND_OPENING * len(SECTORS) - sum(self.cell_openings)
        )
        # F10/F11: yearly counts scaled to the requested number of incidents.
        base_total = (
            sum(COMPLETED_OPS.values()) + sum(FAILED_OPS.values()) + sum(SMALL_SCALE.values())
        )
        scale = self.n_incidents / base_total
        completed = {y: max(1, round(COMPLETED_OPS[y] * scale)) for y in YEARS}
        completed[2021] = max(20, round(COMPLETED_OPS[2021] * scale / 20) * 20)
        completed[2022] = completed[2021] * COMPLETED_DROP_2022 // 100
        failed = {y: max(1, round(FAILED_OPS[y] * scale)) for y in YEARS}
        small = {y: max(1, round(SMALL_SCALE[y] * scale)) for y in YEARS}
        jail_factor = max(1, round(scale / 20))
        self.jail_plan = {y: JAIL_ATTACKS[y] * jail_factor for y in YEARS}
        np_rng = np.random.Generator(np.random.PCG64(abs(hash_seed(self.seed, "alloc"))))
        op_weights = np.array([1.5 if c.synchronised else 1.0 for c in self.cells])
        small_weights = np.array(
            [
                (4.0 if c.sector == "Palmyra" else 1.0) * (1.0 if c.synchronised else 1.5)
                for c in self.cells
            ]
        )
        self.alloc = {"completed": {}, "failed": {}, "small": {}}
        for y in YEARS:
            jail_completed = (self.jail_plan[y] + 1) // 2
            jail_failed = self.jail_plan[y] - jail_completed
            self.alloc["completed"][y] = np_rng.multinomial(
                max(0, completed[y] - jail_completed), op_weights / op_weights.sum()
            )
            self.alloc["failed"][y] = np_rng.multinomial(
                max(0, failed[y] - jail_failed), op_weights / op_weights.sum()
            )
            self.alloc["small"][y] = np_rng.multinomial(
                small[y], small_weights / small_weights.sum()
            )
        comm_weights = np.array([c.n_fighters + 3.0 for c in self.cells])
        self.alloc_comms = np_rng.multinomial(self.n_comms, comm_weights / comm_weights.sum())

    def write_organisation(self) -> None:
        rng = self.stream("organisation")
        self.org_report = self.report(
            rng, "analyst_note", START + 14, "Organisation structure assessment"
        )
        self.org = self.entity(
            "ORG-1",
            "organisation",
            self.org_report,
            name="ISIS remnant network (synthetic scenario)",
            alias="the Organisation",
        )
        self.forces = {}
        for k, force in enumerate(FORCES):
            self.forces[force] = self.entity(
                f"FORCE-{k + 1}", "organisation", self.org_report, name=force
            )
        self.ledger_report = self.report(
            rng, "financial_record", START, "Treasury ledger: opening balances"
        )
        self.entity(
            "FUND-TREASURY",
            "fund",
            self.ledger_report,
            name="Central treasury",
            currency="USD",
            opening_balance=f"{self.treasury_opening}.00",
            opening_date=iso(START),
        )
        self.relation("use", self.org, "FUND-TREASURY", self.org_report)
        self.write_leadership()

    def write_leadership(self) -> None:
        """Leaders removed four times (F8); council members; then an unknown leader under a kunya."""
        rng = self.stream("leadership")
        home = places.sector_places("Raqqa")[0]
        self.leaders: list[Tenure] = []
        self.council = []
        for _ in range(6):
            self.council.extend(self.occupy(rng, "council_member", self.org, home, 0.012))
        start = START - 1500
        for k, removal in enumerate(REMOVALS):
            day = removal.toordinal()
            person = self.new_person(rng, home, kind="leader")
            tenure = Tenure(person, "leader", self.org, start, day, "killed")
            person.tenures.append(tenure)
            council = Tenure(
                person, "council_member", self.org, start - rng.randint(200, 900), day, "killed"
            )
            person.tenures.append(council)
            self.leaders.append(tenure)
            report = self.report(
                rng,
                "open_source_article",
                day + 2,
                f"Leader of the organisation killed by {REMOVAL_FORCES[k]}",
            )
            pid = self.mention(person, report)
            tenure.relation = self.relation(
                "membership",
                pid,
                self.org,
                report,
                role="leader",
                valid_from=start,
                valid_to=day,
                end_reason="killed",
            )
            council.relation = self.relation(
                "membership",
                pid,
                self.org,
                report,
                role="council_member",
                valid_from=council.start,
                valid_to=day,
                end_reason="killed",
            )
            self.relation(
                "ct_action",
                self.forces[REMOVAL_FORCES[k]],
                pid,
                report,
                action="strike" if k != 2 else "raid",
                outcome="killed",
                date=iso(day),
                force=REMOVAL_FORCES[k],
            )
            start = day + rng.randint(10, 40)
        for tenure in self.council:
            self.write_membership_plain(rng, tenure, "Shura council")
        # The fifth leader: announced under a kunya only; in truth a sitting council member.
        day = REMOVALS[-1].toordinal() + 96
        active = (
            [t for t in self.council if t.active(day) and t.end is None]
            or [t for t in self.council if t.active(day)]
            or self.council[-1:]
        )
        truth = active[0].person
        report = self.report(rng, "open_source_article", day, "Spokesman announces a new leader")
        alias = f"Abu {rng.choice(names.name_data()['isms'])[0]} al-Hashimi al-Qurashi"
        self.unknown_leader_record = self.opaque(truth.true_id, "unknown-leader")
        self.entity(
            self.unknown_leader_record,
            "person",
            report,
            name=alias,
            kunya=alias.rsplit(" al-", 2)[0],
            notes="identity unknown; leadership appears collective",
        )
        truth.records.append(self.unknown_leader_record)
        truth.spellings.append(alias)
        self.relation(
            "membership",
            self.unknown_leader_record,
            self.org,
            report,
            role="leader",
            valid_from=day,
        )
        self.unknown_leader_truth = truth.true_id

    def write_membership_plain(
        self, rng: random.Random, tenure: Tenure, where: str, sector: str = "Raqqa"
    ) -> None:
        """A membership reported once its end is known (or at the end of 2024), by a fitting report:
        arrests (and the roles known only from arrests) by a debrief, deaths by an article, the rest by
        an assessment written within months of the start."""
        end = tenure.end if tenure.end is not None else END
        if tenure.end_reason == "arrested" or tenure.role in ARREST_ONLY_ROLES:
            kind, day, title = (
                "arrest_debrief",
                end + rng.randint(3, 30),
                f"Arrest debrief ({where})",
            )
        elif tenure.end_reason == "killed" or tenure.traced:
            kind, day, title = (
                "open_source_article",
                end + rng.randint(1, 5),
                f"Death reported ({where})",
            )
        else:
            kind, day, title = (
                "analyst_note",
                max(tenure.start, START) + rng.randint(30, 120),
                f"Membership assessment ({where})",
            )
        report = self.report(rng, kind, day, title)
        pid = self.mention(tenure.person, report)
        tenure.relation = self.relation(
            "membership",
            pid,
            tenure.unit,
            report,
            role=tenure.role,
            valid_from=tenure.start,
            valid_to=tenure.end,
            end_reason=tenure.end_reason,
        )
        tenure.report, tenure.known_from = report, day
        if tenure.end_reason == "arrested":
            force = ARREST_FORCE[sector]
            self.relation(
                "ct_action",
                self.forces[force],
                pid,
                report,
                action="arrest",
                outcome="captured",
                date=iso(tenure.end),
                force=force,
            )
        elif (
            tenure.end_reason == "killed" and tenure.role not in TRACED_ROLES and rng.random() < 0.5
        ):
            force = rng.choice(("US-led coalition", "Russian forces", ARREST_FORCE[sector]))
            self.relation(
                "ct_action",
                self.forces[force],
                pid,
                report,
                action="strike",
                outcome="killed",
                date=iso(tenure.end),
                force=force,
            )

    def incident_log(self, sector: str, day: int, claims: bool = False) -> str:
        """The monthly incident log of a sector's field monitors, or (`claims`) the month's claims of
        responsibility in the organisation's own media, a poorly graded source that inflates its toll."""
        d = date.fromordinal(day)
        key = (sector, d.year, d.month, claims)
        if key not in self.incident_logs:
            last = (date(d.year + (d.month == 12), d.month % 12 + 1, 1)).toordinal() - 1
            rng = self.stream(f"log:{key}")
            if claims:
                rid = self.next_id("R")
                self.out.report(
                    {
                        "id": rid,
                        "title": f"Claims of responsibility, {sector}, {d.year}-{d.month:02d} "
                        "[synthetic]",
                        "kind": "open_source_article",
                        "date": iso(last),
                        "source": "Organisation media (claims)",
                        "grade": rng.choice(("E5", "D4", "F6")),
                        "synthetic": True,
                    }
                )
                self.incident_logs[key] = rid
            else:
                self.incident_logs[key] = self.report(
                    rng,
                    "incident_log",
                    last,
                    f"Incident log, {sector} sector, {d.year}-{d.month:02d}",
                )
        return self.incident_logs[key]

    def write_campaigns(self) -> None:
        """Leadership-called campaigns: three windows of three weeks a year (F12)."""
        rng = self.stream("campaigns")
        self.campaign_windows: dict[int, list[tuple[int, int]]] = {}
        for year in YEARS:
            windows = []
            for k, month in enumerate((3, 7, 11)):
                start = date(year, month, rng.randint(1, 20)).toordinal()
                end = start + 20
                cid = f"CAMP-{year}-{k + 1}"
                report = self.report(
                    rng, "open_source_article", start, f"Campaign announced ({year}/{k + 1})"
                )
                self.entity(
                    cid,
                    "campaign",
                    report,
                    name=f"Leadership-called campaign {year}/{k + 1}",
                    start_date=iso(start),
                    end_date=iso(end),
                )
                self.relation("campaign_call", self.org, cid, report, date=iso(start))
                windows.append((start, end))
            self.campaign_windows[year] = windows

    def write_sectors(self) -> None:
        rng = self.stream("sectors")
        self.sector_ids = {}
        self.sector_tenures: dict[str, dict[str, list[Tenure]]] = {}
        for sector in SECTORS:
            home = places.sector_places(sector)[0]
            report = self.report(
                rng, "analyst_note", START + 20, f"{sector} sector structure assessment"
            )
            self.sector_reports[sector] = report
            sid = f"SEC-{sector.upper().replace('-', '')}"
            self.sector_ids[sector] = sid
            self.entity(
                sid,
                "sector",
                report,
                name=f"{sector} sector",
                place=home.name,
                lat=home.lat,
                lon=home.lon,
            )
            self.relation("part_of", sid, self.org, report)
            fund = self.entity(
                f"FUND-{sid}",
                "fund",
                self.ledger_report,
                name=f"{sector} sector fund",
                currency="USD",
                opening_balance=f"{SECTOR_FUND_OPENING}.00",
                opening_date=iso(START),
            )
            self.sector_sites[sector] = {
                "sector_head": fund,
                "training_centre_head": f"SITE-{sid}-TC",
            }
            self.entity(
                f"SITE-{sid}-TC",
                "site",
                report,
                name=f"Training centre near {home.name}",
                site_kind="training_centre",
                place=home.name,
                lat=home.lat,
                lon=home.lon,
            )
            roles: dict[str, list[Tenure]] = {}
            for role in SECTOR_ROLES:
                forced = [
                    (d.toordinal(), c) for s, r, d, c in TRACED_STRIKES if s == sector and r == role
                ]
                if role == "information_office_operator" and role in roles:
                    forced = []
                roles.setdefault(role, []).extend(self.occupy(rng, role, sid, home, 0.015, forced))
            self.sector_tenures[sector] = roles

    def write_jail_attacks(self) -> None:
        """Jail attacks in north-east Syria (F6); completed ones free detainees, who rejoin."""
        rng = self.stream("jails")
        prisons = places.prison_places()
        raqqa_cells = [c for c in self.cells if c.sector == "Raqqa"] or self.cells
        self.jail_attacks: list[
            tuple[int, str, str, bool]
        ] = []  # (day, incident id, report, completed)
        for year in YEARS:
            for k in range(self.jail_plan[year]):
                day = date(year, 1, 1).toordinal() + rng.randint(10, 350)
                completed = k % 2 == 0
                place = prisons[rng.randrange(len(prisons))]
                iid = self.next_id("INC")
                report = self.report(
                    rng, "open_source_article", day + 1, f"Attack on detention site in {place.name}"
                )
                self.entity(
                    f"SITE-PRISON-{iid}",
                    "site",
                    report,
                    name=f"Detention site, {place.name}",
                    site_kind="prison",
                    place=place.name,
                    lat=place.lat,
                    lon=place.lon,
                )
                cell = raqqa_cells[rng.randrange(len(raqqa_cells))]
                self.out.incident(
                    incident_row(
                        iid,
                        day,
                        "jail_attack",
                        "completed" if completed else "failed",
                        place,
                        place.lat,
                        place.lon,
                        "town",
                        rng.randint(5, 60) if completed else rng.randint(0, 8),
                        cell.id,
                        0.7,
                        report,
                        f"Attack on the detention site in {place.name} "
                        f"{'freed detainees' if completed else 'was repelled'}.",
                    )
                )
                self.relation("participation", cell.id, iid, report, role="perpetrator")
                self.jail_attacks.append((day, iid, report, completed))
        self.jail_attacks.sort()

    def freeing_attack(self, rng: random.Random, arrested_on: int) -> tuple[int, str, str] | None:
        for day, iid, report, completed in self.jail_attacks:
            if completed and arrested_on < day <= arrested_on + 730:
                return (day, iid, report) if rng.random() < 0.35 else None
        return None

    def write_sector_membership(self, rng: random.Random, sector: str, tenure: Tenure) -> None:
        """A sector-level membership; the sector head holds the sector fund, the training-centre head its centre."""
        self.write_membership_plain(rng, tenure, f"{sector} sector", sector)
        held = self.sector_sites[sector].get(tenure.role)
        if held:
            self.relation(
                "use",
                tenure.person.record,
                held,
                tenure.report,
                valid_from=tenure.start,
                valid_to=tenure.end,
            )

    def write_sector_people(self) -> None:
        """Sector-level memberships and their command lines (the F14 targets come after the cells)."""
        rng = self.stream("sector-people")
        for sector in SECTORS:
            for role, tenures in self.sector_tenures[sector].items():
                for tenure in tenures:
                    if tenure.traced:
                        continue
                    self.write_sector_membership(rng, sector, tenure)
                    if role == "sector_head" and not tenure.person.hidden:
                        for leader in self.leaders:
                            overlap = overlap_of(leader, tenure)
                            if overlap:
                                self.relation(
                                    "command",
                                    leader.person.record,
                                    tenure.person.record,
                                    tenure.report,
                                    valid_from=overlap[0],
                                    valid_to=overlap[1],
                                )
            self.write_sector_spending(sector)

    def write_sector_spending(self, sector: str) -> None:
        """The leadership's own spending, the same at every size: each month the treasury sends the sector
        fund 60–110 thousand USD, which the sector's logistics leader spends on weapons and logistics.
        It drains the 25 M war chest over the six years (F3, the seed's "battling to survive")."""
        rng = self.stream(f"spending:{sector}")
        fund = self.sector_sites[sector]["sector_head"]
        ledgers: dict[int, str] = {}
        for month_start in month_starts():
            day = month_start + 14
            spenders = [
                t
                for t in self.sector_tenures[sector]["logistics_leader"]
                if t.active(day) and not t.person.hidden
            ]
            if not spenders:
                continue
            year = year_of(day)
            if year not in ledgers:
                ledgers[year] = self.report(
                    rng,
                    "financial_record",
                    date(year, 12, 31).toordinal(),
                    f"Seized ledger, {sector} sector {year}",
                )
            amount = f"{rng.randint(60, 110) * 1000}.00"
            self.relation(
                "payment",
                "FUND-TREASURY",
                fund,
                ledgers[year],
                amount=amount,
                currency="USD",
                date=iso(day - 10),
                payment_kind="transfer",
            )
            self.relation(
                "payment",
                fund,
                spenders[0].person.record,
                ledgers[year],
                amount=amount,
                currency="USD",
                date=iso(day),
                payment_kind="operations",
                purpose="weapons and logistics",
            )

    def write_traces(self) -> None:
        """F14 targets, once every cell's members are known; then the sector-level truth records."""
        rng = self.stream("traces")
        for sector, tenure in self.traced:
            self.write_trace(rng, sector, tenure)
            if tenure.unit.startswith("SEC-"):
                self.write_sector_membership(rng, sector, tenure)
        for sector in SECTORS:
            for tenures in self.sector_tenures[sector].values():
                for tenure in tenures:
                    if tenure.person.tenures[0] is tenure:
                        self.write_truth_person(tenure.person)

    def write_trace(self, rng: random.Random, sector: str, target: Tenure) -> None:
        """F14: the target's hidden circle, then one security error linking him to known members."""
        strike_day, contact = target.traced
        person = target.person
        home = places.sector_places(sector)[0]
        early = self.report(
            rng,
            "intercept_summary",
            strike_day - 75,
            f"Intercept summary: unidentified subscriber ({sector})",
        )
        pid = self.mention(person, early)
        associates = []
        for _ in range(2):
            associate = self.new_person(rng, home)
            associate.hidden = True
            aid = self.mention(associate, early)
            for _ in range(rng.randint(2, 4)):
                self.relation(
                    "communication",
                    aid,
                    pid,
                    early,
                    date=iso(strike_day - rng.randint(80, 150)),
                    channel="phone",
                    count=1,
                )
            end_report = self.report(
                rng,
                "arrest_debrief",
                strike_day + rng.randint(5, 20),
                f"Arrest debrief ({sector} sector)",
            )
            tenure = Tenure(
                associate,
                "member",
                self.sector_ids[sector],
                strike_day - rng.randint(300, 700),
                strike_day,
                "arrested",
            )
            associate.tenures.append(tenure)
            tenure.relation = self.relation(
                "membership",
                aid,
                self.sector_ids[sector],
                end_report,
                role="member",
                valid_from=tenure.start,
                valid_to=strike_day,
                end_reason="arrested",
            )
            self.relation(
                "ct_action",
                self.forces["US-led coalition"],
                aid,
                end_report,
                action="raid",
                outcome="captured",
                date=iso(strike_day),
                force="US-led coalition",
            )
            associates.append(associate)
        contact_day = self.contact_days[(sector, target.role)]
        active, known_earlier = self.contact_candidates[(sector, target.role)]
        known = active or known_earlier
        report = self.report(
            rng, "intercept_summary", contact_day + 3, f"Surveillance report ({sector})"
        )
        relations = []
        if contact == "meeting":
            relations.append(
                self.relation(
                    "meeting",
                    pid,
                    known.person.record,
                    report,
                    date=iso(contact_day),
                    place=home.name,
                )
            )
        elif contact == "shared_phone":
            phone = self.entity(
                f"PHONE-T{strike_day}",
                "identifier",
                report,
                name="Shared handset",
                identifier_kind="phone",
                number=f"+96399{strike_day % 10_000_000:07d}",
            )
            relations.append(
                self.relation(
                    "use", pid, phone, report, valid_from=contact_day, valid_to=contact_day
                )
            )
            relations.append(
                self.relation(
                    "use", known.person.record, phone, report, valid_from=contact_day - 30
                )
            )
        else:
            relations.append(
                self.relation(
                    "communication",
                    pid,
                    f"SITE-{known.unit}-DROP",
                    report,
                    date=iso(contact_day),
                    channel="message_drop",
                    count=1,
                )
            )
        strike_report = self.report(
            rng, "open_source_article", strike_day + 1, f"Coalition strike in {sector} sector"
        )
        self.relation(
            "ct_action",
            self.forces["US-led coalition"],
            pid,
            strike_report,
            action="strike",
            outcome="killed",
            date=iso(strike_day),
            force="US-led coalition",
        )
        self.out.truth(
            {
                "type": "traced_strike",
                "person": person.true_id,
                "record": pid,
                "role": target.role,
                "sector": sector,
                "date": iso(strike_day),
                "contact": contact,
                "contact_relations": relations,
                "known_member": known.person.record,
                "known_member_person": known.person.true_id,
                "associates": [a.true_id for a in associates],
            }
        )
        for associate in associates:
            self.write_truth_person(associate)

    def consider_contact(self, sector: str, tenure: Tenure) -> None:
        """Keep `tenure` as the known member a traced target will reach, if it fits: reported before the
        security error (a messenger for a message drop), preferably active on that day."""
        if tenure.person.hidden:
            return
        for key, day in self.contact_days.items():
            if key[0] != sector or tenure.known_from >= day:
                continue
            if self.contact_kinds[key] == "message_drop" and tenure.role != "messenger":
                continue
            self.contact_candidates[key][0 if tenure.active(day) else 1] = tenure

    def write_leadership_truth(self) -> None:
        seen = set()
        for tenure in self.leaders + self.council:
            if tenure.person.true_id not in seen:
                seen.add(tenure.person.true_id)
                self.write_truth_person(tenure.person)
        self.out.truth(
            {
                "type": "leadership",
                "removals": [
                    {"date": iso(t.end), "person": t.person.true_id, "record": t.person.record}
                    for t in self.leaders
                ],
                "unknown_leader_record": self.unknown_leader_record,
                "unknown_leader_person": self.unknown_leader_truth,
            }
        )


class CellRun:
    """Simulate and write one cell: its people, sites, money, incidents and communications."""

    def __init__(self, gen: Generator, cell: Cell):
        self.gen, self.cell = gen, cell
        self.rng = gen.stream(f"cell:{cell.index}")
        self.quarter_reports: dict[int, str] = {}
        self.year_reports: dict[int, str] = {}
        self.seen: set[str] = set()
        self.tenures: list[Tenure] = []
        self.merchants: list[Person] = []

    def quarter_report(self, day: int) -> str:
        q = quarter_of(day)
        if q not in self.quarter_reports:
            self.quarter_reports[q] = self.gen.report(
                self.rng,
                "intercept_summary",
                quarter_end(q),
                f"Intercept summary, {self.cell.id} ({self.cell.sector})",
            )
        return self.quarter_reports[q]

    def finance_report(self, year: int) -> str:
        if year not in self.year_reports:
            self.year_reports[year] = self.gen.report(
                self.rng,
                "financial_record",
                date(year, 12, 31).toordinal(),
                f"Seized ledger, {self.cell.id} {year}",
            )
        return self.year_reports[year]

    def run(self) -> None:
        self.write_structure()
        self.simulate_people()
        self.write_people()
        self.write_money_and_incidents()
        self.write_communications()
        seen = set()
        for tenure in self.tenures:
            if tenure.person.true_id not in seen:
                seen.add(tenure.person.true_id)
                self.gen.write_truth_person(tenure.person)
        for merchant in self.merchants:
            self.gen.write_truth_person(merchant)
        self.gen.out.truth(
            {
                "type": "cell",
                "id": self.cell.id,
                "sector": self.cell.sector,
                "home": self.cell.home.name,
                "synchronised": self.cell.synchronised,
                "fund": self.cell.fund,
                "message_drop": self.cell.drop,
            }
        )

    def write_structure(self) -> None:
        gen, cell, rng = self.gen, self.cell, self.rng
        report = gen.sector_reports[cell.sector]
        home = cell.home
        gen.entity(cell.id, "cell", report, name=f"Cell {cell.index + 1} ({home.name})")
        gen.relation("part_of", cell.id, gen.sector_ids[cell.sector], report)

        def site(sid: str, kind: str, label: str) -> None:
            lat, lon = jitter(rng, home.lat, home.lon, 0.02)
            gen.entity(
                sid,
                "site",
                report,
                name=f"{label} near {home.name}",
                site_kind=kind,
                place=home.name,
                lat=lat,
                lon=lon,
            )
            gen.relation("use", cell.id, sid, report)

        for sid in cell.safe_houses:
            site(sid, "safe_house", "Safe house")
        site(cell.drop, "message_drop", "Message drop")
        for sid in cell.caches:
            site(sid, "weapons_cache", "Weapons cache")
        gen.entity(
            cell.fund,
            "fund",
            gen.ledger_report,
            name=f"War chest of cell {cell.index + 1}",
            currency="USD",
            opening_balance=f"{gen.cell_openings[cell.index]}.00",
            opening_date=iso(START),
        )
        gen.relation("use", cell.id, cell.fund, report)
        vehicle = gen.entity(
            f"VEH-{cell.id}",
            "vehicle",
            report,
            name=f"Pick-up of cell {cell.index + 1}",
            model=rng.choice(("Toyota Hilux", "Kia Bongo", "Hyundai Porter")),
            registration=f"SYN-{rng.randint(10000, 99999)}",
        )
        gen.relation("use", cell.id, vehicle, report)

    def simulate_people(self) -> None:
        gen, cell, rng = self.gen, self.cell, self.rng
        hazard = 0.022
        slots = [("cell_head", 1), ("messenger", cell.n_messengers), ("fighter", cell.n_fighters)]
        if cell.has_planner:
            slots.insert(1, ("attack_planner", 1))
        for role, count in slots:
            for _ in range(count):
                forced = []
                if role == "attack_planner" and gen.planner_cells.get(cell.sector) == cell.index:
                    forced = [
                        (d.toordinal(), c)
                        for s, r, d, c in TRACED_STRIKES
                        if s == cell.sector and r == role
                    ]
                self.tenures.extend(gen.occupy(rng, role, cell.id, cell.home, hazard, forced))
        # F6: some detainees freed by a jail attack rejoin as fighters.
        returnees = []
        for tenure in self.tenures:
            if tenure.end_reason == "arrested" and not tenure.person.hidden:
                freed = gen.freeing_attack(rng, tenure.end)
                if freed:
                    day, iid, report = freed
                    start = day + rng.randint(10, 60)
                    if start <= END:
                        end = start + int(rng.expovariate(hazard / 30.44)) + 20
                        reason = rng.choices(("killed", "arrested", "left"), (0.4, 0.4, 0.2))[0]
                        if end > END:
                            end, reason = None, None
                        back = Tenure(tenure.person, "fighter", cell.id, start, end, reason)
                        back.freed_by = (day, iid, report)
                        tenure.person.tenures.append(back)
                        returnees.append(back)
        self.tenures.extend(returnees)
        # Brothers: some recruits are kin of another member (shared father's name and nisba).
        self.kin: list[tuple[Person, Person]] = []
        people = list(dict.fromkeys(id(t.person) for t in self.tenures))
        by_id = {id(t.person): t.person for t in self.tenures}
        for k in range(1, len(people)):
            if rng.random() < 0.1:
                a, b = by_id[people[k]], by_id[people[rng.randrange(k)]]
                if a.hidden or b.hidden:
                    continue
                b_parts = b.parts
                a.parts = names.NameParts(
                    a.parts.ism,
                    b_parts.father,
                    a.parts.kunya_son,
                    b_parts.nisba,
                    a.parts.laqab,
                    a.parts.ism_ar,
                    b_parts.father_ar,
                    a.parts.kunya_son_ar,
                    b_parts.nisba_ar,
                    a.parts.laqab_ar,
                )
                self.kin.append((a, b))

    def write_people(self) -> None:
        gen, cell, rng = self.gen, self.cell, self.rng
        where = f"{cell.id}, {cell.sector}"
        for tenure in self.tenures:
            gen.write_membership_plain(rng, tenure, where, cell.sector)
            if getattr(tenure, "freed_by", None):
                day, iid, report = tenure.freed_by
                gen.relation("participation", tenure.person.record, iid, report, role="freed")
            if tenure.role == "messenger":
                gen.relation(
                    "use",
                    tenure.person.record,
                    cell.drop,
                    tenure.report,
                    valid_from=tenure.start,
                    valid_to=tenure.end,
                )
            gen.consider_contact(cell.sector, tenure)
            if tenure.person.hidden:
                continue
            if rng.random() < 0.4:  # a phone in his name
                phone = gen.entity(
                    f"PHONE-{gen.next_id('PH', 7)[3:]}",
                    "identifier",
                    tenure.report,
                    name="Mobile phone",
                    identifier_kind="phone",
                    number=f"+9639{rng.choice('345689')}{rng.randint(0, 9_999_999):07d}",
                )
                gen.relation(
                    "use",
                    tenure.person.record,
                    phone,
                    tenure.report,
                    valid_from=tenure.start,
                    valid_to=tenure.end,
                )
        heads = [t for t in self.tenures if t.role == "cell_head"]
        for head in heads:
            for tenure in self.tenures:
                overlap = overlap_of(head, tenure)
                if tenure is not head and overlap and not tenure.person.hidden:
                    gen.relation(
                        "command",
                        head.person.record,
                        tenure.person.record,
                        tenure.report,
                        valid_from=overlap[0],
                        valid_to=overlap[1],
                    )
            for sector_head in gen.sector_tenures[cell.sector]["sector_head"]:
                overlap = overlap_of(sector_head, head)
                if overlap and not sector_head.person.hidden:
                    gen.relation(
                        "command",
                        sector_head.person.record,
                        head.person.record,
                        head.report,
                        valid_from=overlap[0],
                        valid_to=overlap[1],
                    )
        for a, b in self.kin:
            report = self.quarter_report(max(a.tenures[0].start, b.tenures[0].start))
            gen.relation(
                "kinship",
                gen.mention(a, report, rng, 0.3, self.seen),
                gen.mention(b, report, rng, 0.3, self.seen),
                report,
                relationship="brother",
            )

    def active(self, day: int, roles: tuple[str, ...] | None = None) -> list[Tenure]:
        return [
            t
            for t in self.tenures
            if t.active(day) and not t.person.hidden and (roles is None or t.role in roles)
        ]

    def write_money_and_incidents(self) -> None:
        gen, cell = self.gen, self.cell
        fighters = [t for t in self.tenures if t.role == "fighter"]
        for month_start in month_starts():  # F5: 400 USD to every fighter active on the 1st
            for tenure in fighters:
                if tenure.active(month_start):
                    gen.relation(
                        "payment",
                        cell.fund,
                        tenure.person.record,
                        self.finance_report(year_of(month_start)),
                        amount=f"{STIPEND_USD}.00",
                        currency="USD",
                        date=iso(month_start),
                        payment_kind="stipend",
                    )
        if cell.synchronised:  # the treasury tops up directed cells each quarter
            for q in range(24):
                day = quarter_end(q) - 89
                need = STIPEND_USD * 3 * sum(1 for t in fighters if t.active(day))
                if need:
                    gen.relation(
                        "payment",
                        "FUND-TREASURY",
                        cell.fund,
                        self.finance_report(year_of(day)),
                        amount=f"{need}.00",
                        currency="USD",
                        date=iso(day),
                        payment_kind="transfer",
                    )
        towns = places.sector_places(cell.sector)
        for year in YEARS:
            for bucket in ("completed", "failed", "small"):
                for _ in range(int(gen.alloc[bucket][year][cell.index])):
                    self.write_incident(year, bucket, towns)

    def incident_day(self, year: int, bucket: str) -> int:
        rng = self.rng
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        if bucket != "small" and self.cell.synchronised and rng.random() < 0.65:
            start, end = rng.choice(self.gen.campaign_windows[year])
            return rng.randint(start, end)
        return rng.randint(first, last)

    def write_incident(self, year: int, bucket: str, towns: list[places.Place]) -> None:
        gen, cell, rng = self.gen, self.cell, self.rng
        day = self.incident_day(year, bucket)
        if bucket == "completed":
            kind, outcome, fatalities = "attack", "completed", rng.randint(0, 8)
        elif bucket == "failed":
            kind, outcome, fatalities = (
                "attack",
                rng.choices(("failed", "aborted", "foiled"), (0.4, 0.35, 0.25))[0],
                rng.randint(0, 1),
            )
        else:
            kind = rng.choices(SMALL_TYPES, SMALL_WEIGHTS)[0]
            outcome = rng.choices(("completed", "failed", "foiled"), (0.85, 0.1, 0.05))[0]
            fatalities = (
                1
                if kind == "assassination" and outcome == "completed"
                else (rng.randint(0, 3) if kind == "ied" and outcome == "completed" else 0)
            )
        if cell.sector == "Palmyra" and bucket == "small" and rng.random() < 0.25:
            lat, lon = places.point_in_raw_triangle(rng)
            place, precision = places.nearest(towns, lat, lon), "near"
        else:
            place = cell.home if rng.random() < 0.6 else towns[rng.randrange(len(towns))]
            lat, lon = jitter(rng, place.lat, place.lon, 0.03)
            precision = "near"
        iid = gen.next_id("INC")
        report = gen.incident_log(cell.sector, day)
        notes = f"{kind.replace('_', ' ').capitalize()} near {place.name} ({outcome})."
        if outcome == "completed" and kind in ("attack", "ied") and rng.random() < 0.04:
            # Contradicting reports: the organisation's claim (poorly graded) inflates the toll; the field
            # monitors' log, recorded after it, is the version the views show. Both claims are kept.
            gen.out.incident(
                incident_row(
                    iid,
                    day,
                    kind,
                    outcome,
                    place,
                    lat,
                    lon,
                    precision,
                    2 * fatalities + 3,
                    cell.id,
                    0.9,
                    gen.incident_log(cell.sector, day, claims=True),
                    f"Claimed: {notes}",
                )
            )
        gen.out.incident(
            incident_row(
                iid,
                day,
                kind,
                outcome,
                place,
                lat,
                lon,
                precision,
                fatalities,
                cell.id,
                round(rng.uniform(0.4, 0.95), 2),
                report,
                notes,
            )
        )
        if kind == "attack" and outcome == "completed" and rng.random() < 0.3:
            quarter = self.quarter_report(day)
            for tenure in rng.sample(
                self.active(day, ("fighter",)), k=min(3, len(self.active(day, ("fighter",))))
            ):
                gen.relation(
                    "participation",
                    gen.mention(tenure.person, quarter, rng, 0.3, self.seen),
                    iid,
                    quarter,
                    role="perpetrator",
                )
            planners = self.active(day, ("attack_planner",))
            if planners:
                gen.relation(
                    "participation",
                    gen.mention(planners[0].person, quarter, rng, 0.3, self.seen),
                    iid,
                    quarter,
                    role="planner",
                )
                if rng.random() < 0.5:
                    gen.relation(
                        "payment",
                        cell.fund,
                        planners[0].person.record,
                        self.finance_report(year),
                        amount=f"{rng.randint(10, 100) * 50}.00",
                        currency="USD",
                        date=iso(day),
                        payment_kind="operations",
                        incident=iid,
                    )
        if outcome == "completed" and kind in ("extortion", "kidnapping"):  # F4: income by force
            merchant = self.merchant(place)
            report = self.finance_report(year)
            mid = gen.mention(merchant, report)
            if kind == "extortion":
                amount = rng.randint(10, 100) * 50
                gen.relation(
                    "payment",
                    mid,
                    cell.fund,
                    report,
                    amount=f"{amount}.00",
                    currency="USD",
                    date=iso(min(day + rng.randint(0, 10), END)),
                    payment_kind="extortion",
                    incident=iid,
                )
            elif rng.random() < 0.6:
                amount = rng.randint(10, 120) * 500
                gen.relation("participation", mid, iid, report, role="victim")
                gen.relation(
                    "payment",
                    mid,
                    cell.fund,
                    report,
                    amount=f"{amount}.00",
                    currency="USD",
                    date=iso(min(day + rng.randint(5, 40), END)),
                    payment_kind="ransom",
                    incident=iid,
                )

    def merchant(self, place: places.Place) -> Person:
        if len(self.merchants) < 3 or self.rng.random() < 0.1:
            self.merchants.append(self.gen.new_person(self.rng, place, kind="merchant"))
        return self.merchants[self.rng.randrange(len(self.merchants))]

    def write_communications(self) -> None:
        """Calls between members active on the same day, and some meetings in a safe house."""
        gen, cell, rng = self.gen, self.cell, self.rng
        for _ in range(int(gen.alloc_comms[cell.index])):
            for _attempt in range(6):
                day = rng.randint(START, END)
                members = self.active(day)
                if len(members) >= 2:
                    break
            else:
                continue
            a, b = rng.sample(members, 2)
            other = b.person
            if a.role == "cell_head" and rng.random() < 0.3:
                heads = [
                    t
                    for t in gen.sector_tenures[cell.sector]["sector_head"]
                    if t.active(day) and not t.person.hidden and t.person.emitted
                ]
                other = heads[0].person if heads else other
            report = self.quarter_report(day)
            source = gen.mention(a.person, report, rng, 0.3, self.seen)
            target = gen.mention(other, report, rng, 0.3, self.seen)
            if rng.random() < 0.08:
                gen.relation(
                    "meeting",
                    source,
                    target,
                    report,
                    date=iso(day),
                    place=f"Safe house near {cell.home.name}",
                )
            else:
                gen.relation(
                    "communication",
                    source,
                    target,
                    report,
                    date=iso(day),
                    channel="phone",
                    count=rng.randint(1, 5),
                )


def incident_row(
    iid: str,
    day: int,
    kind: str,
    outcome: str,
    place: places.Place,
    lat: float,
    lon: float,
    precision: str,
    fatalities: int,
    attributed_to: str,
    confidence: float,
    report: str,
    notes: str,
) -> dict:
    event_type, sub_event = ACLED_TYPES[kind]
    return {
        "id": iid,
        "event_id_cnty": f"SYN{iid[4:]}",
        "event_date": iso(day),
        "type": kind,
        "outcome": outcome,
        "event_type": event_type,
        "sub_event_type": sub_event,
        "actor1": "Islamic State (synthetic)",
        "country": "Syria",
        "admin1": place.admin1,
        "location": place.name,
        "latitude": lat,
        "longitude": lon,
        "geo_precision": precision,
        "fatalities": fatalities,
        "attributed_to": attributed_to,
        "attribution_confidence": confidence,
        "notes": f"{notes} Synthetic scenario.",
        "source": "synthetic",
        "report": report,
    }


# cellmap incident type -> ACLED event type and sub-event type (ACLED codebook vocabulary)
ACLED_TYPES = {
    "attack": ("Battles", "Armed clash"),
    "jail_attack": ("Battles", "Armed clash"),
    "ied": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "assassination": ("Violence against civilians", "Attack"),
    "kidnapping": ("Violence against civilians", "Abduction/forced disappearance"),
    "theft": ("Strategic developments", "Looting/property destruction"),
    "threat": ("Strategic developments", "Other"),
    "extortion": ("Strategic developments", "Other"),
}


def jitter(rng: random.Random, lat: float, lon: float, radius: float) -> tuple[float, float]:
    return round(lat + rng.uniform(-radius, radius), 5), round(
        lon + rng.uniform(-radius, radius), 5
    )


def overlap_of(a: Tenure, b: Tenure) -> tuple[int, int | None] | None:
    start = max(a.start, b.start)
    ends = [e for e in (a.end, b.end) if e is not None]
    end = min(ends) if ends else None
    if end is not None and end < start:
        return None
    return start, end


def hash_seed(seed: int, name: str) -> int:
    return int(hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()[:16], 16)
