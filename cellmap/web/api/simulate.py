"""Simulate view: a strike strategy (or a chosen set of persons) against the person network, its
fragmentation and cells-cut-off curves, and single versus collective leadership side by side.

The curves are `cellmap.disrupt` (incremental removal curves, Newman & Ziff 2000; Borgatti's F);
the person network is `cellmap.graph.projection.person_graph` of the store's relations.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from cellmap.auth import Identity
from cellmap.web import analysis
from cellmap.web.api.network import EntityHit
from cellmap.web.api.params import bad_parameter, parse_date, parse_grade, workbench
from cellmap.web.security import allow, heavy
from cellmap.web.workbench import Filters, Workbench

router = APIRouter(tags=["simulate"])
PERSONS = "persons"  # the workbench's name for strategy "targets": the persons the analyst picks


class Strategy(BaseModel):
    name: str
    label: str
    description: str


class SimulationIn(BaseModel):
    strategy: str = Field(
        "degree", description="a strategy name from GET /api/simulate/strategies, or 'persons'"
    )
    persons: list[int] = Field(
        default_factory=list, description="entity ids to strike, in order (strategy 'persons')"
    )
    k: int = Field(20, ge=1, le=500, description="number of strikes")
    min_grade: str | None = Field(None, description="only relations at or above this grade")
    at: str | None = Field(
        None, description="the network as of this date (ISO); default: every tie ever recorded"
    )


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
    at: str | None = None
    persons: int
    cells: int
    leadership_single: list[EntityHit]
    leadership_collective: list[EntityHit]
    curve: list[CurvePoint]
    definition: str


def strategies() -> list[Strategy]:
    from cellmap.disrupt.strategies import catalogue

    chosen = Strategy(
        name=PERSONS, label="chosen persons", description="the persons you pick, in order"
    )
    return [
        Strategy(name=s.name, label=s.label, description=s.description) for s in catalogue()
    ] + [chosen]


@router.get(
    "/simulate/strategies", response_model=list[Strategy], summary="Strike strategies on offer"
)
def list_strategies(_caller: Identity = Depends(allow("viewer"))) -> list[Strategy]:
    return strategies()


@router.post(
    "/simulate",
    response_model=SimulationOut,
    summary="Strike curves for a strategy or a set of persons",
)
def simulate(
    body: SimulationIn,
    request: Request,
    wb: Workbench = Depends(workbench),
    caller: Identity = Depends(allow("viewer")),
) -> SimulationOut:
    """A heavy analysis: run under the caller's limit and the server's time-out."""
    return heavy(request, caller, lambda: run_simulation(body, wb))


def run_simulation(body: SimulationIn, wb: Workbench) -> SimulationOut:
    from cellmap.disrupt.campaign import strike_campaign

    if body.strategy not in {s.name for s in strategies()}:
        raise bad_parameter(
            "strategy", f"unknown strategy {body.strategy!r}; see GET /api/simulate/strategies"
        )
    min_grade, at = parse_grade(body.min_grade), parse_date(body.at, "at")
    g = analysis.person_graph(wb, min_grade, at)
    relations = wb.relations(Filters(min_grade=min_grade))
    index = {entity: i for i, entity in enumerate(g.vs["entity_id"])}
    targets: list[int] = []
    if body.strategy == PERSONS:
        if not body.persons:
            raise bad_parameter("persons", "choose at least one person for strategy 'persons'")
        missing = [p for p in body.persons if wb.canonical(p) not in index]
        if missing:
            raise bad_parameter("persons", f"entity {missing[0]} is not a person of the network")
        # two records resolved to one person are one strike
        targets = list(dict.fromkeys(index[wb.canonical(p)] for p in body.persons))
    strategy = "targets" if body.strategy == PERSONS else body.strategy
    try:
        campaign = strike_campaign(g, relations, strategy, body.k, at=at, targets=targets)
    except ValueError as exc:
        raise bad_parameter("strategy", str(exc)) from None
    order, curve = campaign.order, campaign.curve
    names = wb.names()

    def hit(v: int) -> EntityHit:
        entity = int(g.vs[v]["entity_id"])
        return EntityHit(id=entity, name=names.get(entity, ""), kind="person")

    points = [
        CurvePoint(
            step=row["step"],
            removed=hit(order[row["step"] - 1]) if row["step"] > 0 else None,
            largest_share=row["largest_share"],
            components=row["components"],
            fragmentation=row["fragmentation"],
            cells_cut_off_single=row["cells_cut_off_single"],
            cells_cut_off_collective=row["cells_cut_off_collective"],
        )
        for row in curve.iter_rows(named=True)
    ]
    return SimulationOut(
        strategy=body.strategy,
        at=at.isoformat() if at else None,
        persons=g.vcount(),
        cells=len(campaign.single.items),
        leadership_single=[hit(v) for v in campaign.leaders()],
        leadership_collective=[hit(v) for v in campaign.leaders(collective=True)],
        curve=points,
        definition="A cell is cut off when none of its surviving members can reach a surviving holder of the "
        "leadership roles in the person network (cellmap.disrupt): 'single' = the leader alone, "
        "'collective' = leader or council members.",
    )


class LeadershipIn(BaseModel):
    runs: int = Field(50, ge=1, le=500, description="Monte Carlo runs per structure")
    at: str | None = Field(
        None, description="the organisation as of this date (ISO); default: every tie ever recorded"
    )
    min_grade: str | None = Field(None, description="only relations at or above this grade")
    seed: int = Field(0, ge=0)


class LeadershipOut(BaseModel):
    rows: list[dict]
    definition: str


@router.post(
    "/simulate/leadership",
    response_model=LeadershipOut,
    summary="Single leader vs collective council under a strike campaign (recovery model)",
)
def leadership(
    body: LeadershipIn,
    request: Request,
    wb: Workbench = Depends(workbench),
    caller: Identity = Depends(allow("viewer")),
) -> LeadershipOut:
    """Monte Carlo runs: a heavy analysis, under the caller's limit and the server's time-out."""
    return heavy(request, caller, lambda: run_leadership(body, wb))


def run_leadership(body: LeadershipIn, wb: Workbench) -> LeadershipOut:
    from cellmap.disrupt.context import organisation
    from cellmap.disrupt.recovery import RecoveryParams, compare_structures, single_and_collective

    min_grade, at = parse_grade(body.min_grade), parse_date(body.at, "at")
    g = analysis.person_graph(wb, min_grade, at)
    org = organisation(g, wb.relations(Filters(min_grade=min_grade)), at)
    summary, _runs = compare_structures(
        single_and_collective(org), RecoveryParams(runs=body.runs, seed=body.seed)
    )
    names = wb.names()
    rows = []
    for row in summary.to_dicts():
        struck = row.get("struck_first")
        if struck is not None and 0 <= struck < g.vcount():
            row["struck_first_name"] = names.get(int(g.vs[struck]["entity_id"]))
        rows.append(row)
    return LeadershipOut(
        rows=rows,
        definition=(
            "cellmap.disrupt.recovery: strikes on the highest-ranked post every few steps, successors fill "
            "vacancies and new ties form; 'strikes to cut off' counts strikes until every cell is cut off from "
            "the leadership (censored runs never got there), 'steps to recover' the steps after one strike on "
            "the top post until the cells reach the leadership again. The collective structure is the what-if "
            "in which the council holds the leader's ties."
        ),
    )
