"""One cell's run: its structure, people, money, incidents and communications (F2, F4–F7, F10–F12).

Each cell is simulated from its own random stream (``cell:<index>``) and written before the next
begins, so the large size streams to disk in memory bounded by one cell plus the sector-level persons.
"""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING

from cellmap.scenario import names, places
from cellmap.scenario.actors import Cell, Person, Tenure, overlap_of
from cellmap.scenario.calibration import (
    ACLED_TYPES,
    ALIAS_CHANCE,
    END,
    OBSERVATION,
    SMALL_TYPES,
    SMALL_WEIGHTS,
    START,
    STIPEND_USD,
    TRACED_STRIKES,
    YEARS,
    iso,
    month_starts,
    quarter_end,
    quarter_of,
    year_of,
)

if TYPE_CHECKING:
    from cellmap.scenario.organisation import Generator


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
        # The observation model draws from its own stream: the true network never depends on it.
        self.obs = gen.stream(f"observe:{cell.index}")
        self.ties: list[dict] = []
        self.contacts: dict[tuple[str, str, str], tuple[int, int, int, bool]] = {}

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
        self.observe()
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
        for tie in self.ties:
            self.gen.out.truth(tie)
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
            arrested_on = tenure.end if tenure.end_reason == "arrested" else None
            if arrested_on is not None and not tenure.person.hidden:
                freed = gen.freeing_attack(rng, arrested_on)
                if freed:
                    day, iid, report = freed
                    start = day + rng.randint(10, 60)
                    if start <= END:
                        end = start + int(rng.expovariate(hazard / 30.44)) + 20
                        reason = rng.choices(("killed", "arrested", "left"), (0.4, 0.4, 0.2))[0]
                        if end > END:  # still active at the end of 2024
                            back = Tenure(tenure.person, "fighter", cell.id, start, None, None)
                        else:
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

    def observe(self) -> None:
        """The observation model's draws for this cell, from their own stream so that the true network
        does not depend on them: which memberships some report states, whose phone is monitored, which
        yearly ledgers are seized."""
        obs, p = self.obs, OBSERVATION
        for person in self.people():
            person.monitored = obs.random() < p["monitored_phone"]
        self.seized = {year: obs.random() < p["ledger_seized"] for year in YEARS}
        returned = {id(t.person) for t in self.tenures if t.freed_by}
        first_messenger = next(t for t in self.tenures if t.role == "messenger")
        for tenure in self.tenures:
            # The F14 targets, every drop's first messenger (the drop was found through him) and the
            # detainees freed by a jail attack (named by its reports) are always stated.
            drawn = obs.random() < p["membership"][tenure.end_reason or "active"]
            tenure.reported = (
                drawn
                or tenure.person.hidden
                or tenure is first_messenger
                or id(tenure.person) in returned
            )

    def people(self) -> list[Person]:
        return list({id(t.person): t.person for t in self.tenures}.values())

    def tie(self, kind: str, source: str, target: str, reported: bool, **when) -> None:
        """A true tie of the ground truth (persons by true id, other nodes by entity id)."""
        self.ties.append(
            {
                "type": "tie",
                "kind": kind,
                "source": source,
                "target": target,
                **when,
                "reported": reported,
            }
        )

    def write_people(self) -> None:
        gen, cell, rng, obs = self.gen, self.cell, self.rng, self.obs
        where = f"{cell.id}, {cell.sector}"
        for tenure in self.tenures:
            if tenure.reported:
                gen.write_membership_plain(rng, tenure, where, cell.sector)
        # An arrest debrief sees the cell's inside: it names co-members active on the arrest day.
        for arrested in [t for t in self.tenures if t.reported and t.end_reason == "arrested"]:
            arrest_day = arrested.end
            assert arrest_day is not None  # an arrest is a tenure's end
            for other in self.tenures:
                if (
                    not other.reported
                    and other.active(arrest_day)
                    and obs.random() < OBSERVATION["debrief_names_comember"]
                ):
                    gen.write_membership(
                        rng, other, arrested.report, arrested.known_from, cell.sector, False
                    )
        for tenure in self.tenures:
            self.tie(
                "membership",
                tenure.person.true_id,
                cell.id,
                tenure.reported,
                role=tenure.role,
                valid_from=iso(tenure.start),
                valid_to=iso(tenure.end) if tenure.end else None,
            )
            if not tenure.reported:
                continue
            if tenure.freed_by:
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
                    reported = head.reported and tenure.reported
                    self.tie(
                        "command",
                        head.person.true_id,
                        tenure.person.true_id,
                        reported,
                        valid_from=iso(overlap[0]),
                        valid_to=iso(overlap[1]) if overlap[1] else None,
                    )
                    if reported:
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
                    self.tie(
                        "command",
                        sector_head.person.true_id,
                        head.person.true_id,
                        head.reported,
                        valid_from=iso(overlap[0]),
                        valid_to=iso(overlap[1]) if overlap[1] else None,
                    )
                    if head.reported:
                        gen.relation(
                            "command",
                            sector_head.person.record,
                            head.person.record,
                            head.report,
                            valid_from=overlap[0],
                            valid_to=overlap[1],
                        )
        for a, b in self.kin:
            start = max(a.tenures[0].start, b.tenures[0].start)
            reported = obs.random() < OBSERVATION["kinship_named"]
            self.tie("kinship", a.true_id, b.true_id, reported, valid_from=iso(start))
            if reported:
                report = self.quarter_report(start)
                gen.relation(
                    "kinship",
                    gen.mention(a, report, rng, ALIAS_CHANCE, self.seen),
                    gen.mention(b, report, rng, ALIAS_CHANCE, self.seen),
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
        for tenure in fighters:  # F5: 400 USD to every fighter active on the 1st, in seized ledgers
            paid = [m for m in month_starts() if tenure.active(m)]
            seen = [m for m in paid if self.seized[year_of(m)]]
            if paid:
                self.tie(
                    "payment",
                    cell.fund,
                    tenure.person.true_id,
                    bool(seen),
                    valid_from=iso(paid[0]),
                    valid_to=iso(paid[-1]),
                )
        for month_start in month_starts():
            if not self.seized[year_of(month_start)]:
                continue
            ledger = self.finance_report(year_of(month_start))
            for tenure in fighters:
                if tenure.active(month_start):
                    gen.relation(
                        "payment",
                        cell.fund,
                        gen.mention(tenure.person, ledger),
                        ledger,
                        amount=f"{STIPEND_USD}.00",
                        currency="USD",
                        date=iso(month_start),
                        payment_kind="stipend",
                    )
        if cell.synchronised:  # the treasury tops up directed cells each quarter
            for q in range(24):
                day = quarter_end(q) - 89
                need = STIPEND_USD * 3 * sum(1 for t in fighters if t.active(day))
                if need and self.seized[year_of(day)]:
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
        if kind == "attack" and outcome == "completed":
            fighters = self.active(day, ("fighter",))
            crew = [t.person for t in rng.sample(fighters, k=min(3, len(fighters)))]
            planners = self.active(day, ("attack_planner",))
            roles = [(p, "perpetrator") for p in crew] + [
                (t.person, "planner") for t in planners[:1]
            ]
            named = self.obs.random() < OBSERVATION["perpetrators_named"]
            for person, role in roles:
                self.tie("participation", person.true_id, iid, named, role=role, date=iso(day))
            if named:
                quarter = self.quarter_report(day)
                for person, role in roles:
                    gen.relation(
                        "participation",
                        gen.mention(person, quarter, rng, ALIAS_CHANCE, self.seen),
                        iid,
                        quarter,
                        role=role,
                    )
            if planners and rng.random() < 0.5 and self.seized[year]:
                ledger = self.finance_report(year)
                gen.relation(
                    "payment",
                    cell.fund,
                    gen.mention(planners[0].person, ledger),
                    ledger,
                    amount=f"{rng.randint(10, 100) * 50}.00",
                    currency="USD",
                    date=iso(day),
                    payment_kind="operations",
                    incident=iid,
                )
        if outcome == "completed" and kind in ("extortion", "kidnapping"):  # F4: income by force
            merchant = self.merchant(place)
            self.tie("payment", merchant.true_id, cell.fund, self.seized[year], date=iso(day))
            if not self.seized[year]:
                return
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
            meeting = rng.random() < 0.08
            count = 1 if meeting else rng.randint(1, 5)
            # Intercepted when either party's phone is monitored (a meeting is arranged by phone).
            observed = a.person.monitored or other.monitored
            self.record_contact(
                "meeting" if meeting else "communication", a.person, other, day, observed
            )
            if not observed:
                continue
            report = self.quarter_report(day)
            source = gen.mention(a.person, report, rng, ALIAS_CHANCE, self.seen)
            target = gen.mention(other, report, rng, ALIAS_CHANCE, self.seen)
            if meeting:
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
                    count=count,
                )
        for (kind, source, target), (first, last, n, reported) in self.contacts.items():
            self.tie(
                kind, source, target, reported, valid_from=iso(first), valid_to=iso(last), count=n
            )

    def record_contact(self, kind: str, a: Person, b: Person, day: int, observed: bool) -> None:
        """Aggregate one true call or meeting into the pair's tie (first, last day, count, reported)."""
        low, high = sorted((a.true_id, b.true_id))
        key = (kind, low, high)
        first, last, n, reported = self.contacts.get(key, (day, day, 0, False))
        self.contacts[key] = (min(first, day), max(last, day), n + 1, reported or observed)


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


def jitter(rng: random.Random, lat: float, lon: float, radius: float) -> tuple[float, float]:
    return round(lat + rng.uniform(-radius, radius), 5), round(
        lon + rng.uniform(-radius, radius), 5
    )
