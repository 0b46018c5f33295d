"""Writing the scenario's records: reports with their grade, entities, relations, and the record ids
and spellings under which a report names a person (F15).

:class:`RecordEmitter` is the base of the organisation-level generator; every random draw comes from a
stream named by its purpose (``stream(name)``), so that one part's draws never shift another's and the
same seed gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import random

from cellmap.scenario import names, places
from cellmap.scenario.actors import Person
from cellmap.scenario.calibration import GRADES, SOURCES, iso
from cellmap.scenario.writer import ScenarioWriter


class RecordEmitter:
    """Ids, reports, entities, relations and person mentions, written through a :class:`ScenarioWriter`."""

    def __init__(self, seed: int, out: ScenarioWriter):
        self.seed = seed
        self.out = out
        self.counters: dict[str, int] = {}
        self.person_count = 0
        self.unreported: dict[str, int] = {}  # persons no report names, by kind
        self.persons_by_kind: dict[str, int] = {}

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
        person.spellings.append(p.full_name)  # the name written in either branch
        person.spellings.extend(aliases if person.kind != "merchant" else [])

    def write_truth_person(self, person: Person) -> None:
        p = person.parts
        self.persons_by_kind[person.kind] = self.persons_by_kind.get(person.kind, 0) + 1
        if not person.records:
            self.unreported[person.kind] = self.unreported.get(person.kind, 0) + 1
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
                        "reported": t.reported,
                    }
                    for t in person.tenures
                ],
            }
        )
