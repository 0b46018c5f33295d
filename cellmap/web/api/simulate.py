"""Simulate view: a strike strategy (or a chosen set of persons) against the person network, its
fragmentation and cells-cut-off curves, and single versus collective leadership side by side.

The curves are `cellmap.disrupt` (incremental removal curves, Newman & Ziff 2000; Borgatti's F);
the person network is `cellmap.graph.projection.person_graph` of the store's relations.
"""
from __future__ import annotations

import polars as pl
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from cellmap.web.api.network import EntityHit
from cellmap.web.api.params import bad_parameter, parse_grade, workbench
from cellmap.web.data import Workbench, grade_mask

router = APIRouter(tags=["simulate"])

LEADER_ROLES = ("leader",)
COLLECTIVE_ROLES = ("leader", "council_member")


class Strategy(BaseModel):
    name: str
    label: str
    description: str


class SimulationIn(BaseModel):
    strategy: str = Field("degree", description="a strategy name from GET /api/simulate/strategies, or 'persons'")
    persons: list[int] = Field(default_factory=list, description="entity ids to strike, in order (strategy 'persons')")
    k: int = Field(20, ge=1, le=500, description="number of strikes")
    min_grade: str | None = Field(None, description="only relations at or above this grade")


class CurvePoint(BaseModel):
    step: int
    removed: EntityHit | None
    largest_share: float
    components: int
    fragmentation: float
    cells_cut_off_single: int
    cells_cut_off_collective: int


class SimulationOut(BaseModel):
    strategy: str
    persons: int
    cells: int
    leadership_single: list[EntityHit]
    leadership_collective: list[EntityHit]
    curve: list[CurvePoint]
    definition: str


def strategies() -> list[Strategy]:
    from cellmap.disrupt.orders import MEASURES, ROLE_PRIORITIES

    out = [Strategy(name=m, label=f"highest {m} first", description=f"ranked once by {m} on the intact network")
           for m in MEASURES]
    out += [Strategy(name=f"adaptive:{m}", label=f"highest {m} first, recomputed",
                     description=f"{m} recomputed on the surviving network after each strike (Holme et al. 2002)")
            for m in ("degree", "betweenness")]
    out += [Strategy(name=f"roles:{name}", label=f"roles: {name}", description="by role: " + ", ".join(roles))
            for name, roles in ROLE_PRIORITIES.items()]
    out.append(Strategy(name="persons", label="chosen persons", description="the persons you pick, in order"))
    return out


@router.get("/simulate/strategies", response_model=list[Strategy], summary="Strike strategies on offer")
def list_strategies() -> list[Strategy]:
    return strategies()


@router.post("/simulate", response_model=SimulationOut, summary="Strike curves for a strategy or a set of persons")
def simulate(body: SimulationIn, wb: Workbench = Depends(workbench)) -> SimulationOut:
    from cellmap.disrupt.attack import attack_curve
    from cellmap.disrupt.curves import Reachability
    from cellmap.disrupt.orders import measure_order, role_order
    from cellmap.graph.projection import person_graph

    if body.strategy not in {s.name for s in strategies()}:
        raise bad_parameter("strategy", f"unknown strategy {body.strategy!r}; see GET /api/simulate/strategies")
    min_grade = parse_grade(body.min_grade)
    relations, entities = wb.relations(), wb.entities()
    g = wb.cached(("person_graph", min_grade), lambda: person_graph(relations, entities, min_grade=min_grade))
    index = {entity: i for i, entity in enumerate(g.vs["entity_id"])}
    roles = person_roles(wb, g.vs["entity_id"], min_grade)
    if body.strategy == "persons":
        if not body.persons:
            raise bad_parameter("persons", "choose at least one person for strategy 'persons'")
        missing = [p for p in body.persons if wb.canonical(p) not in index]
        if missing:
            raise bad_parameter("persons", f"entity {missing[0]} is not a person of the network")
        order = list(dict.fromkeys(index[wb.canonical(p)] for p in body.persons))
    elif body.strategy.startswith("roles:"):
        order = role_order(g, [roles.get(e) for e in g.vs["entity_id"]], body.strategy.split(":", 1)[1])
    else:
        adaptive = body.strategy.startswith("adaptive:")
        order = measure_order(g, body.strategy.split(":")[-1], k=body.k, adaptive=adaptive)
    order = order[: body.k]
    cells = cell_members(wb, index, min_grade)
    single = [index[e] for e, r in roles.items() if r in LEADER_ROLES and e in index]
    collective = [index[e] for e, r in roles.items() if r in COLLECTIVE_ROLES and e in index]
    names = wb.names()
    groups = [
        Reachability("cells_cut_off_single", [str(c) for c in cells], list(cells.values()), [single] * len(cells)),
        Reachability("cells_cut_off_collective", [str(c) for c in cells], list(cells.values()),
                     [collective] * len(cells)),
    ]
    curve = attack_curve(g, order, groups)
    hits = {v: EntityHit(id=g.vs[v]["entity_id"], name=names.get(g.vs[v]["entity_id"], ""), kind="person")
            for v in set(order) | set(single) | set(collective)}
    points = [
        CurvePoint(step=row["step"], removed=hits[order[row["step"] - 1]] if row["step"] > 0 else None,
                   largest_share=row["largest_share"], components=row["components"],
                   fragmentation=row["fragmentation"], cells_cut_off_single=row["cells_cut_off_single"],
                   cells_cut_off_collective=row["cells_cut_off_collective"])
        for row in curve.iter_rows(named=True)
    ]
    return SimulationOut(
        strategy=body.strategy, persons=g.vcount(), cells=len(cells),
        leadership_single=[hits[v] for v in single], leadership_collective=[hits[v] for v in collective],
        curve=points,
        definition="A cell is cut off when none of its surviving members can reach the leadership in the "
                   "surviving person network: 'single' = the leader alone, 'collective' = leader and council.",
    )


def person_roles(wb: Workbench, person_ids: list[int], min_grade: str | None) -> dict[int, str]:
    """Each person's most senior recorded role (order of the model's role vocabulary)."""
    from cellmap import model

    seniority = {role: i for i, role in enumerate(model.vocabulary("roles"))}
    members = wb.relations().filter((pl.col("kind") == "membership") & pl.col("role").is_not_null())
    if min_grade:
        members = members.filter(grade_mask(members, min_grade))
    best: dict[int, str] = {}
    for person, role in members.select("source_id", "role").iter_rows():
        if role in seniority and (person not in best or seniority[role] < seniority[best[person]]):
            best[person] = role
    return best


def cell_members(wb: Workbench, index: dict[int, int], min_grade: str | None) -> dict[int, list[int]]:
    """Cell id → vertex indices of the persons recorded as its members."""
    kinds = wb.kinds()
    members = wb.relations().filter(pl.col("kind") == "membership")
    if min_grade:
        members = members.filter(grade_mask(members, min_grade))
    cells: dict[int, list[int]] = {c: [] for c, k in kinds.items() if k == "cell"}
    for person, cell in members.select("source_id", "target_id").iter_rows():
        if cell in cells and person in index:
            cells[cell].append(index[person])
    return {c: sorted(set(v)) for c, v in cells.items()}
