"""Recovery after strikes: succession to vacant posts and regrowth of ties, in discrete time.

The model (every parameter lives in :class:`RecoveryParams` and is reported with the results)
----------------------------------------------------------------------------------------------
*Posts.* Persons may hold a post: a role of ``params.succession_roles`` (ranked in that order,
leader highest) in a unit (cell, sector, or the organisation). *Leadership* is the set of holders
of ``params.leadership_roles``: ("leader",) models a single-leader structure, ("leader",
"council_member") a collective one, where any council member links the cells to the leadership.
A cell is *cut off* when none of its surviving members can reach (by a path through surviving
persons) any leadership holder.

*Time.* Steps t = 0, 1, 2, …; within a step, in this order: (1) a strike removes one person
(when one is scheduled); (2) posts vacated ``succession_delay`` steps ago or more are filled;
(3) every pending tie forms independently with probability ``tie_probability``; (4) the state
is measured.

*Succession* (a vacated post P of rank r, previous holder x):
  a. x's designated deputy, if alive and holding no post of rank ≥ r;
  b. else the most central (degree in the current network; ties: lowest vertex index) surviving
     person of P's pool holding no post of rank ≥ r — the pool is the members of P's cell or
     sector; for the leader, the council members; for a council seat, the sector heads;
  c. else "the council": the most central surviving council member acts in the post as well as in
     their own (not for council seats themselves, which then stay vacant).
  Under a and b the successor leaves their previous posts, which are vacated in turn (a cascade
  of promotions, each filled by the same rule after the same delay).
*Regrowth.* A successor (a, b or c) gets a *pending tie* to every surviving contact the previous
holder had when they left the post; each pending tie forms with probability ``tie_probability``
per step (geometric waiting time, mean 1/p steps); ties to persons removed meanwhile are dropped.

*Strikes.* ``strike_interval`` steps apart, starting at t = 0. ``strike_policy="posts"`` strikes
the surviving holder of the highest-ranked post (ties: most central, then lowest index), or the
most central person when no post is held; ``"degree"`` always strikes the most central person.

Outcomes (each over ``runs`` seeded runs: the spread comes from tie formation only, the rest of
the model being deterministic):
* :func:`strikes_to_cut_off` — strikes until at least ``cut_off_share`` of the cells are cut off
  at the end of a step (censored at ``max_strikes``);
* :func:`time_to_recover` — after one strike on a chosen person and none after, the steps until
  every cell reachable before the strike is reachable again and no more posts are vacant than
  before (censored at ``horizon``).

Cost per run: O(T · (n + m)) for T steps (a BFS from the leadership per step).

This is a stylised model for comparing structures under stated assumptions, not a forecast; its
conventions (promotion pools, ranks, the council acting) are choices, documented here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

import igraph as ig
import numpy as np
import polars as pl

from cellmap import model, strict_json
from cellmap.disrupt.tenure import CRITICAL_ROLES

__all__ = [
    "RecoveryParams",
    "Organisation",
    "organisation_from_memberships",
    "Simulation",
    "strikes_to_cut_off",
    "time_to_recover",
    "compare_structures",
    "collective_variant",
    "single_and_collective",
    "SINGLE",
    "COLLECTIVE",
]

# Leadership structures (the model's `leadership` role group, most senior first): the leader
# alone, or the leader and the council.
COLLECTIVE = model.role_group("leadership")
SINGLE = COLLECTIVE[:1]
ORGANISATION_POOLS = model.successor_pools()


@dataclass(frozen=True)
class RecoveryParams:
    """Every parameter of the recovery model (see the module docstring for their meaning)."""

    tie_probability: float = 0.2  # per pending tie and step
    succession_delay: int = 1  # steps between a vacancy and its filling
    strike_interval: int = 5  # steps between strikes in a campaign
    strike_policy: str = "posts"  # "posts" (highest-ranked post first) or "degree"
    max_strikes: int = 50  # a campaign stops (censored) after this many strikes
    horizon: int = 200  # recovery is censored after this many steps
    cut_off_share: float = 1.0  # share of cells that must be cut off at once
    leadership_roles: tuple[str, ...] = COLLECTIVE
    succession_roles: tuple[str, ...] = CRITICAL_ROLES
    runs: int = 200
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.tie_probability <= 1.0:
            raise ValueError(f"tie_probability: {self.tie_probability} is not in [0, 1]")
        if self.succession_delay < 0 or self.strike_interval < 1 or self.runs < 1:
            raise ValueError("succession_delay must be >= 0, strike_interval and runs >= 1")
        if self.strike_policy not in ("posts", "degree"):
            raise ValueError(f"strike_policy: {self.strike_policy!r} is not 'posts' or 'degree'")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Organisation:
    """Who is who: the person network and the posts, units and deputies on it.

    ``posts``: list of (role, unit, holder vertex or None); ``members``: unit → member vertices
    (a sector's members include the members of its cells); ``cells``: the units counted as cells;
    ``deputies``: vertex → designated deputy vertex.
    """

    graph: ig.Graph
    posts: list[tuple[str, str, int | None]]
    members: dict[str, set[int]]
    cells: list[str]
    deputies: dict[int, int] = field(default_factory=dict)


def organisation_from_memberships(
    g: ig.Graph,
    memberships: pl.DataFrame,
    part_of: pl.DataFrame | None = None,
    deputies: dict[int, int] | None = None,
    succession_roles: Sequence[str] = CRITICAL_ROLES,
) -> Organisation:
    """Build an :class:`Organisation` from a membership frame ``vertex, unit, unit_kind, role``
    (one row per current membership; unit_kind 'cell', 'sector' or 'organisation') and an optional
    ``part_of`` frame ``cell, sector``. Posts are the memberships whose role is in
    ``succession_roles``. O(r).
    """
    members: dict[str, set[int]] = {}
    cells: list[str] = []
    posts: list[tuple[str, str, int | None]] = []
    for rec in memberships.iter_rows(named=True):
        v, unit = int(rec["vertex"]), str(rec["unit"])
        members.setdefault(unit, set()).add(v)
        if rec.get("unit_kind") == "cell" and unit not in cells:
            cells.append(unit)
        if rec.get("role") in succession_roles:
            posts.append((str(rec["role"]), unit, v))
    if part_of is not None:
        for cell, sector in part_of.select("cell", "sector").iter_rows():
            members.setdefault(str(sector), set()).update(members.get(str(cell), set()))
    return Organisation(
        g,
        sorted(set(posts), key=lambda p: (p[1], p[0], p[2])),
        members,
        sorted(cells),
        dict(deputies or {}),
    )


class Simulation:
    """One run of the recovery model on an :class:`Organisation` (mutable state)."""

    def __init__(self, org: Organisation, params: RecoveryParams, rng: np.random.Generator):
        self.org, self.params, self.rng = org, params, rng
        self.rank = {role: i for i, role in enumerate(params.succession_roles)}
        n = org.graph.vcount()
        self.adj: list[set[int]] = [set(a) for a in org.graph.get_adjlist()]
        self.alive = [True] * n
        self.holder: list[int | None] = [h for _, _, h in org.posts]
        self.held: dict[int, set[int]] = {}  # person -> the posts they hold (index of holder)
        for post, h in enumerate(self.holder):
            if h is not None:
                self.held.setdefault(h, set()).add(post)
        self.vacant_since: dict[int, int] = {i: 0 for i, h in enumerate(self.holder) if h is None}
        self.last_holder: dict[int, int] = {}
        self.pending: set[tuple[int, int]] = set()
        self.contacts_at_removal: dict[int, set[int]] = {}
        self.cell_members = [sorted(org.members.get(c, ())) for c in org.cells]
        self.t = 0
        self.strikes = 0
        self._cut_cache: int | None = None  # cells_cut of the current state (None: must recompute)

    # --------------------------------------------------------------- queries
    def degree(self, v: int) -> int:
        return len(self.adj[v])

    def posts_of(self, v: int) -> list[int]:
        return sorted(self.held.get(v, ()))

    def best_rank(self, v: int) -> int:
        ranks = [self.rank[self.org.posts[i][0]] for i in self.posts_of(v)]
        return min(ranks, default=len(self.rank))

    def most_central(self, candidates: Iterable[int]) -> int | None:
        best = [(-self.degree(v), v) for v in candidates if self.alive[v]]
        return min(best)[1] if best else None

    def leadership(self) -> list[int]:
        roles = set(self.params.leadership_roles)
        return sorted(
            {
                h
                for (role, _, _), h in zip(self.org.posts, self.holder, strict=False)
                if h is not None and role in roles and self.alive[h]
            }
        )

    def cells_cut(self) -> int:
        """Cells with no surviving member reachable from a surviving leadership holder (BFS)."""
        if self._cut_cache is not None:
            return self._cut_cache
        seen = [False] * len(self.adj)
        queue = deque(self.leadership())
        for v in queue:
            seen[v] = True
        while queue:
            v = queue.popleft()
            for u in self.adj[v]:
                if not seen[u] and self.alive[u]:
                    seen[u] = True
                    queue.append(u)
        self._cut_cache = sum(not any(seen[v] for v in members) for members in self.cell_members)
        return self._cut_cache

    def vacant(self) -> int:
        return sum(h is None for h in self.holder)

    # --------------------------------------------------------------- events
    def vacate(self, post: int) -> None:
        v = self.holder[post]
        self._cut_cache = None
        if v is not None:
            self.last_holder[post] = v
            self.held[v].discard(post)
        self.holder[post] = None
        self.vacant_since[post] = self.t

    def remove(self, v: int) -> None:
        """Strike: v leaves the network; its posts fall vacant; pending ties to v are dropped."""
        self.alive[v] = False
        self._cut_cache = None
        for u in self.adj[v]:
            self.adj[u].discard(v)
        self.contacts_at_removal[v] = set(self.adj[v])
        self.adj[v] = set()
        self.pending = {(a, b) for a, b in self.pending if a != v and b != v}
        for post in self.posts_of(v):
            self.vacate(post)
        self.strikes += 1

    def contacts_of(self, v: int) -> set[int]:
        if not self.alive[v]:
            return self.contacts_at_removal.get(v, set())
        return set(self.adj[v])

    def successor(self, post: int) -> tuple[int | None, bool]:
        """(successor, acting) by rules a–c; acting = True under rule c (keeps own posts)."""
        role, unit, _ = self.org.posts[post]
        r = self.rank[role]
        previous = self.last_holder.get(post)
        free = lambda v: self.alive[v] and v != previous and self.best_rank(v) > r  # noqa: E731
        deputy = self.org.deputies.get(previous) if previous is not None else None
        if deputy is not None and free(deputy):
            return deputy, False
        if role in ORGANISATION_POOLS:
            pool_role = ORGANISATION_POOLS[role]
            pool = [
                h
                for (pr, _, _), h in zip(self.org.posts, self.holder, strict=False)
                if pr == pool_role and h is not None
            ]
        else:
            pool = list(self.org.members.get(unit, ()))
        chosen = self.most_central(v for v in pool if free(v))
        if chosen is not None:
            return chosen, False
        if role == "council_member":
            return None, False
        council = [
            h
            for (pr, _, _), h in zip(self.org.posts, self.holder, strict=False)
            if pr == "council_member" and h is not None
        ]
        return self.most_central(council), True

    def fill_vacancies(self) -> None:
        """Fill, highest rank first, every post vacant for at least ``succession_delay`` steps."""
        due = sorted(
            (
                p
                for p, since in self.vacant_since.items()
                if self.holder[p] is None and self.t - since >= self.params.succession_delay
            ),
            key=lambda p: (self.rank[self.org.posts[p][0]], p),
        )
        for post in due:
            if self.holder[post] is not None:
                continue
            successor, acting = self.successor(post)
            if successor is None:
                continue
            previous = self.last_holder.get(post)
            if not acting:
                for own in self.posts_of(successor):
                    self.vacate(own)
            self.holder[post] = successor
            self.held.setdefault(successor, set()).add(post)
            self._cut_cache = None
            del self.vacant_since[post]
            if previous is not None:
                for c in self.contacts_of(previous):
                    if c != successor and self.alive[c] and c not in self.adj[successor]:
                        self.pending.add((min(c, successor), max(c, successor)))

    def grow_ties(self) -> None:
        if not self.pending:
            return
        pending = sorted(self.pending)  # sorted: the draws do not depend on set order
        formed = self.rng.random(len(pending)) < self.params.tie_probability
        for (a, b), ok in zip(pending, formed, strict=False):
            if ok:
                self._cut_cache = None
                self.adj[a].add(b)
                self.adj[b].add(a)
                self.pending.discard((a, b))

    def strike_target(self) -> int | None:
        alive = [v for v in range(len(self.alive)) if self.alive[v]]
        if not alive:
            return None
        if self.params.strike_policy == "posts":
            held = [
                (self.best_rank(v), -self.degree(v), v)
                for v in {h for h in self.holder if h is not None}
            ]
            if held:
                return min(held)[2]
        return self.most_central(alive)

    def step(self, strike: int | None = None) -> dict:
        """Advance one step (strike → succession → ties → measure) and return the measurements."""
        if strike is not None:
            self.remove(strike)
        self.fill_vacancies()
        self.grow_ties()
        state = {
            "t": self.t,
            "struck": strike,
            "strikes": self.strikes,
            "cells_cut": self.cells_cut(),
            "vacant_posts": self.vacant(),
            "pending_ties": len(self.pending),
        }
        self.t += 1
        return state


def _run_rng(params: RecoveryParams, run: int) -> np.random.Generator:
    return np.random.default_rng([params.seed, run])


def strikes_to_cut_off(
    org: Organisation, params: RecoveryParams, run: int = 0
) -> tuple[int | None, list[dict]]:
    """One strike campaign: (strikes needed to cut off ``cut_off_share`` of the cells, or None
    when censored at ``max_strikes``; the per-step trace)."""
    sim = Simulation(org, params, _run_rng(params, run))
    need = max(1, int(np.ceil(params.cut_off_share * len(org.cells)))) if org.cells else 1
    trace: list[dict] = []
    if org.cells and sim.cells_cut() >= need:
        return 0, trace  # cut off before any strike (e.g. a leadership with no recorded ties)
    steps = params.max_strikes * params.strike_interval
    for t in range(steps):
        strike = sim.strike_target() if t % params.strike_interval == 0 else None
        if strike is None and t % params.strike_interval == 0:
            break
        state = sim.step(strike)
        trace.append(state)
        if org.cells and state["cells_cut"] >= need:
            return state["strikes"], trace
    return None, trace


def time_to_recover(
    org: Organisation, params: RecoveryParams, target: int | None, run: int = 0
) -> tuple[int | None, list[dict]]:
    """Steps after a single strike on ``target`` until the cells reachable before the strike are
    reachable again and no more posts are vacant than before (None: censored at ``horizon``).
    A ``target`` of None (no one left to strike) runs the organisation unstruck."""
    sim = Simulation(org, params, _run_rng(params, run))
    before_cut, before_vacant = sim.cells_cut(), sim.vacant()
    trace = [sim.step(target)]
    for _ in range(params.horizon):
        last = trace[-1]
        if last["cells_cut"] <= before_cut and last["vacant_posts"] <= before_vacant:
            return last["t"], trace
        trace.append(sim.step())
    return None, trace


def _spread(values: list[int | None]) -> dict:
    done = np.asarray([v for v in values if v is not None], dtype=np.float64)
    return {
        "runs": len(values),
        "censored": int(sum(v is None for v in values)),
        "mean": float(done.mean()) if done.size else None,
        "median": float(np.median(done)) if done.size else None,
        "p05": float(np.quantile(done, 0.05)) if done.size else None,
        "p95": float(np.quantile(done, 0.95)) if done.size else None,
        "min": float(done.min()) if done.size else None,
        "max": float(done.max()) if done.size else None,
    }


def collective_variant(org: Organisation, council_role: str = "council_member") -> Organisation:
    """The what-if collective structure of a recorded organisation (the seed's "collaborative
    leadership rather than reliance on a single leader"): the leader post is abolished, its holder
    takes a council seat, and every council member holds the leader's ties (they command together)
    and is tied to the other council members. Everything else is unchanged. O(c · d + c²) for c
    council members and a leader of degree d.
    """
    g = org.graph.copy()
    leaders = [h for r, _, h in org.posts if r == "leader" and h is not None]
    council = sorted(
        {h for r, _, h in org.posts if r == council_role and h is not None} | set(leaders)
    )
    contacts = {u for v in leaders for u in g.neighbors(v)}
    existing = {tuple(sorted(e)) for e in g.get_edgelist()}
    wanted = {tuple(sorted((c, u))) for c in council for u in contacts | set(council) if c != u}
    g.add_edges(sorted(wanted - existing))
    unit = next((u for r, u, _ in org.posts if r == "leader"), "organisation")
    posts = [p for p in org.posts if p[0] != "leader"]
    posts += [(council_role, unit, v) for v in leaders if (council_role, unit, v) not in posts]
    return Organisation(g, posts, org.members, org.cells, dict(org.deputies))


def single_and_collective(org: Organisation) -> dict[str, tuple[Organisation, tuple[str, ...]]]:
    """The two structures compared by default: the recorded organisation led by its leader alone,
    and its :func:`collective_variant` led by the council."""
    return {
        "single leader (as recorded)": (org, SINGLE),
        "collective council (what-if)": (collective_variant(org), ("council_member",)),
    }


def compare_structures(
    structures: dict[str, tuple[Organisation, tuple[str, ...]]],
    params: RecoveryParams,
    targets: dict[str, int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Leadership structures under strikes: name → (organisation, leadership roles).

    For each structure, over ``params.runs`` runs: the strikes needed to cut the cells off from the
    leadership, and the time to recover from one strike on ``targets[name]`` (default: the holder
    of the highest-ranked post at the start). Returns (summary: one row per structure and outcome
    with the spread — mean, median, 5 and 95 percentiles, min, max, censored runs — the struck
    vertex and the parameters as a JSON column, so that results never travel without them;
    runs: ``structure, outcome, run, value`` with null for a censored run). ``progress(n)`` is
    called as runs finish (2 · runs per structure in all).
    """
    rows: list[dict] = []
    runs: list[dict] = []
    for name, (org, roles) in structures.items():
        p = RecoveryParams(**{**params.to_dict(), "leadership_roles": tuple(roles)})
        target = (targets or {}).get(name)
        if target is None:
            target = Simulation(org, p, _run_rng(p, 0)).strike_target()
        strikes, recover = [], []
        for run in range(p.runs):
            strikes.append(strikes_to_cut_off(org, p, run)[0])
            recover.append(time_to_recover(org, p, target, run)[0])
            if progress is not None:
                progress(2)
        for outcome, values in (("strikes_to_cut_off", strikes), ("steps_to_recover", recover)):
            rows.append(
                {
                    "structure": name,
                    "outcome": outcome,
                    **_spread(values),
                    "struck_first": target,
                    "leadership": ",".join(roles),
                    "parameters": strict_json.dumps(p.to_dict()),
                }
            )
            runs.extend(
                {"structure": name, "outcome": outcome, "run": r, "value": v}
                for r, v in enumerate(values)
            )
    return (
        pl.DataFrame(rows),
        pl.DataFrame(
            runs,
            schema={
                "structure": pl.String,
                "outcome": pl.String,
                "run": pl.Int64,
                "value": pl.Int64,
            },
        ),
    )
