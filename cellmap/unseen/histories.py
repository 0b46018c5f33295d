"""Who each report source saw: the capture history and the unit of every person of the network.

A person (a resolved identity: records merged by judgements, automatic ones included) belongs to the
network when some relation of ``network_evidence`` in ``schema/model.yaml`` names him (membership,
command, calls, meetings, kinship, perpetrators, stipends — not a merchant who paid extortion). His
capture history is the set of sources (``capture_sources``: report kinds grouped) of the reports of
those relations. His unit is the cell (else sector, else organisation) of his latest stated membership;
without one, the cell whose fund paid him, else the unit most of his contacts belong to.
Cost: O(relations).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import polars as pl

from cellmap import model


@dataclass
class Person:
    entity_id: int
    sources: set[str]
    unit: int | None = None


def network_relations(relations: pl.DataFrame) -> pl.DataFrame:
    """The relations that make a person part of the network (see the module docstring)."""
    evidence = model.network_evidence()
    kinds = pl.col("kind")
    payment_kind = pl.col("attrs").str.json_path_match("$.payment_kind")
    return relations.filter(
        kinds.is_in(evidence["kinds"])
        & ((kinds != "payment") | payment_kind.is_in(evidence["payment_kinds"]))
        & ((kinds != "participation") | pl.col("role").is_in(evidence["participation_roles"]))
    )


def capture_histories(relations: pl.DataFrame, reports: pl.DataFrame) -> dict[int, Person]:
    """Every network person (by resolved entity id) with his sources and unit."""
    sources = model.capture_sources()
    kind_of = dict(zip(reports["report_id"].to_list(), reports["kind"].to_list(), strict=False))
    rel = network_relations(relations)
    people: dict[int, Person] = {}
    fund_cell: dict[int, int] = {}
    units = {"cell", "sector", "organisation"}
    for row in relations.filter(
        (pl.col("kind") == "use")
        & (pl.col("source_kind") == "cell")
        & (pl.col("target_kind") == "fund")
    ).iter_rows(named=True):
        fund_cell[row["target_id"]] = row["source_id"]
    membership: dict[int, tuple] = {}
    paid_by: dict[int, Counter] = defaultdict(Counter)
    contacts: dict[int, list[int]] = defaultdict(list)
    for row in rel.iter_rows(named=True):
        source = sources.get(kind_of.get(row["report_id"], ""))
        ends = [(row[f"{end}_id"], row[f"{end}_kind"]) for end in ("source", "target")]
        persons = [eid for eid, kind in ends if kind == "person"]
        for eid in persons:
            person = people.setdefault(eid, Person(eid, set()))
            if source:
                person.sources.add(source)
        if row["kind"] == "membership" and ends[1][1] in units and persons:
            rank = (ends[1][1] == "cell", row["valid_from"] or 0)
            mine = membership.get(persons[0])
            if mine is None or rank > mine[0]:
                membership[persons[0]] = (rank, ends[1][0])
        elif row["kind"] == "payment" and ends[0][0] in fund_cell and persons:
            paid_by[persons[0]][fund_cell[ends[0][0]]] += 1
        elif len(persons) == 2:
            contacts[persons[0]].append(persons[1])
            contacts[persons[1]].append(persons[0])
    for eid, person in people.items():
        if eid in membership:
            person.unit = membership[eid][1]
        elif paid_by.get(eid):
            person.unit = paid_by[eid].most_common(1)[0][0]
    for eid, person in people.items():  # the unit most of his contacts belong to
        if person.unit is None:
            votes = Counter(people[c].unit for c in contacts.get(eid, []) if people[c].unit)
            if votes:
                person.unit = votes.most_common(1)[0][0]
    return people


def history_counts(people) -> dict[frozenset, int]:
    counts: Counter = Counter(frozenset(p.sources) for p in people if p.sources)
    return dict(counts)


def unit_sectors(relations: pl.DataFrame) -> dict[int, int]:
    """Cell -> sector (part_of relations); a sector maps to itself."""
    part_of = relations.filter(
        (pl.col("kind") == "part_of") & (pl.col("source_kind") == "cell")
    ).select("source_id", "target_id")
    mapping = dict(part_of.iter_rows())
    for sector in relations.filter(pl.col("source_kind") == "sector")["source_id"].to_list():
        mapping.setdefault(sector, sector)
    return mapping


__all__ = ["Person", "capture_histories", "history_counts", "network_relations", "unit_sectors"]
