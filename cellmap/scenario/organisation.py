"""The synthetic network, organisation level: a seeded simulation of the seed's organisation, 2019–2024.

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

This module runs the organisation level (allocation, leadership, campaigns, sectors, jail attacks,
sector-level people, traced strikes) and hands each cell to :class:`cellmap.scenario.cell.CellRun`; the
calibration tables are data (``scenario/data/calibration.yaml``, read by :mod:`calibration`).
Cost: O(persons × months + incidents + communications) time.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date
from pathlib import Path

import numpy as np

from cellmap.scenario import names, places
from cellmap.scenario.actors import Cell, Tenure, overlap_of
from cellmap.scenario.calibration import (
    ARREST_FORCE,
    ARREST_ONLY_ROLES,
    CELL_FUNDS_SHARE,
    COMPLETED_DROP_2022,
    COMPLETED_OPS,
    END,
    FAILED_OPS,
    FORCES,
    JAIL_ATTACKS,
    PERSONS_PER_CELL,
    REMOVAL_FORCES,
    REMOVALS,
    SECTOR_FUND_OPENING,
    SECTOR_ROLES,
    SECTOR_SHARE,
    SECTORS,
    SIZES,
    SMALL_SCALE,
    START,
    TOTAL_WAR_CHEST,
    TRACED_ROLES,
    TRACED_STRIKES,
    YEARS,
    iso,
    month_starts,
    year_of,
)
from cellmap.scenario.cell import CellRun, incident_row
from cellmap.scenario.emitter import RecordEmitter
from cellmap.scenario.writer import ScenarioWriter

__all__ = ["Generator", "SIZES"]


class Generator(RecordEmitter):
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
        super().__init__(seed, ScenarioWriter(out_dir, entity_format))
        self.progress = progress or (lambda done, total: None)
        self.size = size
        self.n_persons, self.n_incidents, self.n_comms = persons, incidents, comms
        self.rng = self.stream("global")
        self.sector_reports: dict[str, str] = {}
        self.incident_logs: dict[tuple[str, int, int, bool], str] = {}
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
            end = start + length
            reason = rng.choices(("killed", "arrested", "left"), (0.35, 0.45, 0.2))[0]
            traced = None
            if forced and forced[0][0] <= end + 60:
                day, contact = forced.pop(0)
                start = min(start, day - 200)
                end, reason, traced = day, "killed", (day, contact)
                person.hidden = True
            ongoing = end > END  # still active at the end of 2024: no end, no reason
            tenure = Tenure(
                person,
                role,
                unit,
                start,
                None if ongoing else end,
                None if ongoing else reason,
                traced=traced,
            )
            person.tenures.append(tenure)
            tenures.append(tenure)
            if traced:
                self.traced.append((self.unit_sector[unit], tenure))
            if ongoing:
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
                "persons_by_kind": dict(sorted(self.persons_by_kind.items())),
                "unreported_by_kind": dict(sorted(self.unreported.items())),
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
        self.planner_cells: dict[str, int] = {}
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
        self.alloc: dict[str, dict[int, np.ndarray]] = {"completed": {}, "failed": {}, "small": {}}
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
        self.write_membership(rng, tenure, self.report(rng, kind, day, title), day, sector)

    def write_membership(
        self,
        rng: random.Random,
        tenure: Tenure,
        report: str,
        day: int,
        sector: str,
        actions: bool = True,
    ) -> None:
        """The membership of `tenure` stated by `report` (dated `day`); with `actions`, the arrest or
        strike that ended it, as that report tells it."""
        pid = self.mention(tenure.person, report)
        tenure.reported = True
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
        if not actions or tenure.end is None:  # (an ongoing tenure has no arrest or strike)
            return
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
        assert target.traced is not None  # only traced tenures are written here
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
        assert known is not None  # every sector has a known member to contact
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
                    "use",
                    known.person.record,
                    phone,
                    report,
                    valid_from=contact_day - 30,
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
                    if t.end is not None  # (every leader's tenure ends in his removal)
                ],
                "unknown_leader_record": self.unknown_leader_record,
                "unknown_leader_person": self.unknown_leader_truth,
            }
        )


def hash_seed(seed: int, name: str) -> int:
    return int(hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()[:16], 16)
