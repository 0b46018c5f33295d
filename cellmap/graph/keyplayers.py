"""Key players (Borgatti 2006): the set of k persons whose removal fragments the network most
(KPP-Neg) and the set of k that reaches most others (KPP-Pos).

Reference: Borgatti, S. P. (2006). Identifying sets of key players in a social network.
Computational and Mathematical Organization Theory 12(1), 21-34.

Objectives (all maximised; the graph is treated as undirected and unweighted):

* ``F``  — fragmentation of the graph left after removing S (n' = n − k nodes):
  ``F = 1 − Σ_c s_c (s_c − 1) / (n' (n' − 1))`` (components c of size s_c).
* ``DF`` — distance-weighted fragmentation of that graph: ``DF = 1 − Σ_{i≠j} (1/d_ij) / (n' (n' − 1))``.
* ``R``  — reach: the share of the n − k outsiders within m steps of some member of S.
* ``DR`` — distance-weighted reach: ``DR = Σ_{j∉S, d_Sj ≤ m} (1/d_Sj) / (n − k)`` with
  ``d_Sj = min_{s∈S} d_sj``; DR = 1 when every outsider is adjacent to S.

Search (Borgatti's algorithm): a greedy start (add, k times, the node that improves the objective
most), optional random starts (seeded, for repeatability), then swap local search — evaluate every
swap of a member u ∈ S with a non-member v, make the best improving swap, repeat until no swap
improves. Exact search enumerates all C(n, k) sets when that is at most ``max_exact`` sets, so the
heuristic can be proved optimal on small graphs. Costs: one evaluation of F is O(n + m); of DF,
O(D · m · n / 64) with a bit-parallel breadth-first search (D = diameter); of R/DR, O(k n) after
an all-pairs distance matrix (O(n m), n ≤ 4000) or O(k (n + m)) without one. A swap pass costs
k (|C| − k) evaluations for a candidate pool C (all nodes unless ``candidates`` limits it) — except
for F, where one depth-first search scores all n one-node extensions of a set at once
(:func:`fragmentation_after_each`), so a swap pass is k searches of O(n + m). DF evaluations of a
step are spread over forked workers on large graphs.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import igraph as ig
import numpy as np
import polars as pl
from scipy.sparse import csgraph

from cellmap.graph.bitbfs import arcs, reciprocal_distance_sums
from cellmap.graph.fragmentation import fragmentation_from_sizes
from cellmap.graph.measures import adjacency, betweenness
from cellmap.graph.parallel import default_workers, fork_allowed, worker_pool

__all__ = [
    "KeyPlayerSet",
    "fragmentation_after_each",
    "kpp_neg",
    "kpp_pos",
    "key_players",
    "objective_function",
    "NEG_OBJECTIVES",
    "POS_OBJECTIVES",
]

NEG_OBJECTIVES = ("F", "DF")
POS_OBJECTIVES = ("R", "DR")
AUTO_POOL_FROM = 300
AUTO_POOL = 100
_DENSE_LIMIT = 4000  # all-pairs distance matrix for R/DR up to this many nodes (float32: 64 MB)


@dataclass
class KeyPlayerSet:
    """A key-player set and how it was found."""

    objective: str
    k: int
    indices: list[int]
    nodes: list[str]
    labels: list[str]
    score: float
    method: str  # "exact" or "greedy+swap"
    evaluations: int
    seconds: float
    baseline: float  # the objective with no node removed (KPP-Neg) / 0 (KPP-Pos)
    params: dict = field(default_factory=dict)
    pool: list[int] | None = None  # the restricted candidate pool, when the search used one

    def to_frame(self) -> pl.DataFrame:
        """One row per member: ``rank, node, label, objective, score, baseline, method``."""
        return pl.DataFrame(
            {
                "rank": list(range(1, len(self.nodes) + 1)),
                "node": self.nodes,
                "label": self.labels,
                "objective": [self.objective] * len(self.nodes),
                "score": [self.score] * len(self.nodes),
                "baseline": [self.baseline] * len(self.nodes),
                "method": [self.method] * len(self.nodes),
            },
            schema={
                "rank": pl.Int64,
                "node": pl.Utf8,
                "label": pl.Utf8,
                "objective": pl.Utf8,
                "score": pl.Float64,
                "baseline": pl.Float64,
                "method": pl.Utf8,
            },
        )


# ------------------------------------------------------------------------------------ kernels
def _fragmentation_after(g: ig.Graph, removed: np.ndarray) -> float:
    keep = np.setdiff1d(np.arange(g.vcount()), removed)
    sub = g.induced_subgraph(keep.tolist(), implementation="create_from_scratch")
    return fragmentation_from_sizes(sub.connected_components().sizes(), sub.vcount())


def objective_function(g: ig.Graph, objective: str, m: int = 2) -> Callable[[np.ndarray], float]:
    """The objective as a function of a node set (an int array), to be maximised."""
    n = g.vcount()
    if objective == "F":
        return lambda s: _fragmentation_after(g, s)
    if objective == "DF":
        structure = arcs(g)
        everyone = np.arange(n)

        def df(s: np.ndarray) -> float:
            rest = n - len(s)
            if rest < 2:
                return 1.0
            alive = np.setdiff1d(everyone, s, assume_unique=True)
            return 1.0 - reciprocal_distance_sums(structure, alive, removed=s) / (
                rest * (rest - 1.0)
            )

        return df
    if objective in POS_OBJECTIVES:
        weighted = objective == "DR"
        if n <= _DENSE_LIMIT:
            dist = csgraph.shortest_path(adjacency(g), unweighted=True, directed=False).astype(
                np.float32
            )
            row = lambda s: dist[s].min(axis=0)  # noqa: E731 — distance from the set to every node
        else:
            row = lambda s: np.asarray(g.distances(source=s.tolist()), dtype=np.float32).min(axis=0)  # noqa: E731

        def reach(s: np.ndarray) -> float:
            if n - len(s) <= 0:
                return 0.0
            d = row(s)
            d[s] = np.inf
            ok = d <= m
            value = float(np.sum(1.0 / d[ok])) if weighted else float(np.count_nonzero(ok))
            return value / (n - len(s))

        return reach
    raise ValueError(f"objective: {objective!r} is not one of {NEG_OBJECTIVES + POS_OBJECTIVES}")


def fragmentation_after_each(g: ig.Graph, removed: np.ndarray) -> np.ndarray:
    """F of ``G − removed − v`` for every node v at once (NaN for v already removed).

    One depth-first search of ``G − removed`` (Hopcroft & Tarjan 1973 low-points) gives, for every v,
    the pieces its component falls into when v goes: each DFS child c with ``low[c] ≥ disc[v]``
    (every child, at a root) takes its subtree along, the rest of the component stays together.
    Then ``Σ s(s−1)`` after removing v is the total of the other components plus that of the pieces.
    Cost: O(n + m) for all n candidates, instead of O(n (n + m)).
    """
    n = g.vcount()
    dead = np.zeros(n, dtype=bool)
    dead[removed] = True
    adj = g.get_adjlist()
    disc = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    size = np.ones(n, dtype=np.int64)
    comp = np.full(n, -1, dtype=np.int64)
    split_sum = np.zeros(n, dtype=np.float64)  # Σ s(s−1) over the detached child pieces of v
    split_size = np.zeros(n, dtype=np.int64)  # Σ s over the detached child pieces of v
    comp_sizes: list[int] = []
    clock = 0
    for root in range(n):
        if dead[root] or disc[root] >= 0:
            continue
        cid = len(comp_sizes)
        disc[root] = low[root] = clock
        clock += 1
        comp[root] = cid
        stack = [(root, -1, iter(adj[root]))]
        members = 1
        while stack:
            v, parent, it = stack[-1]
            advanced = False
            for w in it:
                if dead[w] or w == parent:
                    continue
                if disc[w] < 0:
                    disc[w] = low[w] = clock
                    clock += 1
                    comp[w] = cid
                    members += 1
                    stack.append((w, v, iter(adj[w])))
                    advanced = True
                    break
                low[v] = min(low[v], disc[w])
            if advanced:
                continue
            stack.pop()
            if parent >= 0:
                low[parent] = min(low[parent], low[v])
                size[parent] += size[v]
                if low[v] >= disc[parent] or stack[-1][1] < 0:  # v's subtree detaches from parent
                    split_sum[parent] += size[v] * (size[v] - 1.0)
                    split_size[parent] += size[v]
        comp_sizes.append(members)
    sizes = np.asarray(comp_sizes, dtype=np.float64)
    total = float(np.sum(sizes * (sizes - 1.0)))
    out = np.full(n, np.nan)
    alive = np.flatnonzero(~dead)
    rest_n = len(alive) - 1
    if rest_n < 2:
        out[alive] = 1.0
        return out
    own = sizes[comp[alive]]
    remainder = own - 1.0 - split_size[alive]
    reach = total - own * (own - 1.0) + split_sum[alive] + remainder * (remainder - 1.0)
    out[alive] = 1.0 - reach / (rest_n * (rest_n - 1.0))
    return out


def _each_by_loop(evaluate):
    """Evaluate ``base ∪ {v}`` for each v of a pool, one evaluation at a time."""

    def each(base: list[int], pool: np.ndarray) -> np.ndarray:
        return np.asarray(_evaluate_extensions(evaluate, base, pool.tolist()))

    return each


def _evaluate_extensions(evaluate, base: list[int], candidates: list[int]) -> list[float]:
    members = set(base)
    return [
        -math.inf if v in members else evaluate(np.asarray(base + [v], dtype=np.int64))
        for v in candidates
    ]


@contextmanager
def _parallel_each(evaluate, workers: int):
    """Spread the one-node extensions over ``workers`` forked processes (the evaluations of a greedy
    step or a swap pass are independent); yields an ``each`` function like :func:`_each_by_loop`."""

    def chunk(args: tuple[list[int], list[int]]) -> list[float]:
        return _evaluate_extensions(evaluate, *args)

    with worker_pool(chunk, workers) as run:

        def each(base: list[int], candidates: np.ndarray) -> np.ndarray:
            chunks = [c.tolist() for c in np.array_split(candidates, workers) if len(c)]
            return np.concatenate([np.asarray(r) for r in run([(base, c) for c in chunks])])

        yield each


def _each_function(g: ig.Graph, objective: str, evaluate):
    """Evaluate every one-node extension of a base set: in one pass for F, else one by one."""
    if objective == "F":

        def each(base: list[int], pool: np.ndarray) -> np.ndarray:
            vals = fragmentation_after_each(g, np.asarray(base, dtype=np.int64))[pool]
            return np.where(np.isnan(vals), -math.inf, vals)

        return each
    return _each_by_loop(evaluate)


# ------------------------------------------------------------------------------------- search
def _exact(evaluate, n: int, k: int) -> tuple[np.ndarray, float, int]:
    best: np.ndarray | None = None
    best_val, count = -math.inf, 0
    for combo in itertools.combinations(range(n), k):
        s = np.fromiter(combo, dtype=np.int64, count=k)
        val = evaluate(s)
        count += 1
        if val > best_val + 1e-12:
            best, best_val = s, val
    assert best is not None  # callers check 1 ≤ k < n, so there is a combination
    return best, best_val, count


def _first_best(values: np.ndarray) -> int:
    """Index of the maximum (the first one on ties, so results do not depend on float noise)."""
    top = np.max(values)
    return int(np.flatnonzero(values >= top - 1e-12)[0])


def _local_search(
    evaluate, each, start: list[int], pool: np.ndarray, tol: float = 1e-12
) -> tuple[list[int], float, int]:
    """Borgatti's swap search: make the best improving (u out, v in) swap until none improves."""
    current = list(start)
    value = evaluate(np.asarray(current, dtype=np.int64))
    count = 1
    while True:
        best_swap, best_val = None, value
        for pos in range(len(current)):
            base = current[:pos] + current[pos + 1 :]
            vals = each(base, pool)
            vals[np.isin(pool, current)] = -math.inf
            count += len(pool)
            i = _first_best(vals)
            if vals[i] > best_val + tol:
                best_swap, best_val = (pos, int(pool[i])), float(vals[i])
        if best_swap is None:
            return current, value, count
        current[best_swap[0]] = best_swap[1]
        value = best_val


def _greedy(each, k: int, pool: np.ndarray) -> tuple[list[int], int]:
    chosen: list[int] = []
    count = 0
    for _ in range(k):
        vals = each(chosen, pool)
        count += len(pool)
        chosen.append(int(pool[_first_best(vals)]))
    return chosen, count


def _candidate_pool(
    g: ig.Graph, candidates: int | str | None, objective: str, seed: int
) -> np.ndarray:
    """The swap neighbourhood: all nodes (``None``), or the ``candidates`` nodes ranked highest by a
    cheap proxy — betweenness (sampled above 2,000 nodes) for DF, articulation points then degree for
    F, degree for R/DR. ``"auto"`` means all nodes, except DF on graphs above :data:`AUTO_POOL_FROM`
    nodes, where it means the top :data:`AUTO_POOL` by betweenness (DF costs an all-pairs search per
    evaluation) — a stated restriction of Borgatti's neighbourhood, reported in ``params``."""
    n = g.vcount()
    if candidates == "auto":
        candidates = AUTO_POOL if objective == "DF" and n > AUTO_POOL_FROM else None
    if candidates is None or int(candidates) >= n:
        return np.arange(n)
    deg = np.asarray(g.degree(), dtype=np.float64)
    if objective == "DF":
        score, _ = betweenness(g, samples=None if n <= 2000 else 200, seed=seed)
    elif objective == "F":
        cut = np.zeros(n)
        cut[g.articulation_points()] = 1.0
        score = cut * (deg.max() + 1) + deg
    else:
        score = deg
    return np.sort(np.argsort(-score, kind="stable")[: int(candidates)])


def key_players(
    g: ig.Graph,
    k: int,
    objective: str = "DF",
    m: int = 2,
    method: str = "auto",
    seed: int = 0,
    restarts: int = 0,
    candidates: int | str | None = "auto",
    max_exact: int = 20_000,
    workers: int | None = None,
) -> KeyPlayerSet:
    """Find a key-player set of size k for ``objective`` (F, DF: KPP-Neg; R, DR: KPP-Pos).

    ``method``: ``exact`` (enumerate all C(n,k) sets), ``greedy`` (greedy start + swap search,
    plus ``restarts`` seeded random starts), or ``auto`` (exact when C(n,k) ≤ ``max_exact``).
    ``candidates`` limits the greedy and swap neighbourhood to that many top nodes (see
    :func:`_candidate_pool`); ``None`` searches all nodes, as Borgatti's algorithm does; ``"auto"``
    (default) does so except for DF on large graphs.
    ``workers``: processes for the DF evaluations (default: all cores when the graph has more than
    :data:`AUTO_POOL_FROM` nodes and the platform can fork, else 1). F, R and DR run in-process.
    """
    n = g.vcount()
    if not 1 <= k < n:
        raise ValueError(f"k: must be between 1 and n-1 = {n - 1} (got {k})")
    objective = objective.upper()
    evaluate = objective_function(g, objective, m)
    started = time.perf_counter()
    if method == "auto":
        method = "exact" if math.comb(n, k) <= max_exact else "greedy"
    if method == "exact":
        best, value, count = _exact(evaluate, n, k)
        chosen, label = sorted(best.tolist()), "exact"
    elif method == "greedy":
        pool = _candidate_pool(g, candidates, objective, seed)
        if len(pool) < k:
            pool = np.arange(n)
        if workers is None:
            workers = default_workers() if n > AUTO_POOL_FROM else 1
        parallel = objective == "DF" and workers > 1 and fork_allowed()
        workers = workers if parallel else 1
        with _parallel_each(evaluate, workers) if parallel else nullcontext(None) as spread:
            each = spread or _each_function(g, objective, evaluate)
            start, count = _greedy(each, k, pool)
            chosen, value, c = _local_search(evaluate, each, start, pool)
            count += c
            rng = np.random.default_rng(seed)
            for _ in range(restarts):
                start = rng.choice(pool, size=k, replace=False).tolist()
                cand, val, c = _local_search(evaluate, each, start, pool)
                count += c
                if val > value + 1e-12:
                    chosen, value = cand, val
        chosen, label = sorted(chosen), "greedy+swap"
    else:
        raise ValueError(f"method: {method!r} is not one of auto, exact, greedy")
    baseline = evaluate(np.zeros(0, dtype=np.int64)) if objective in NEG_OBJECTIVES else 0.0
    names = g.vs["name"] if "name" in g.vs.attributes() else [str(i) for i in range(n)]
    labels = g.vs["label"] if "label" in g.vs.attributes() else names
    return KeyPlayerSet(
        objective=objective,
        k=k,
        indices=chosen,
        nodes=[names[i] for i in chosen],
        labels=[labels[i] for i in chosen],
        score=float(value),
        method=label,
        evaluations=count,
        seconds=time.perf_counter() - started,
        baseline=float(baseline),
        params={
            "m": m,
            "seed": seed,
            "restarts": restarts,
            "workers": 1 if method == "exact" else workers,
            "candidates": n if method == "exact" else int(len(pool)),
        },
        pool=None if method == "exact" or len(pool) == n else pool.tolist(),
    )


def kpp_neg(g: ig.Graph, k: int, objective: str = "DF", **kwargs) -> KeyPlayerSet:
    """KPP-Neg: the k nodes whose removal maximises fragmentation (``F``) or distance-weighted
    fragmentation (``DF``) of the rest. See :func:`key_players`."""
    if objective.upper() not in NEG_OBJECTIVES:
        raise ValueError(f"objective: KPP-Neg uses one of {NEG_OBJECTIVES} (got {objective!r})")
    return key_players(g, k, objective=objective, **kwargs)


def kpp_pos(g: ig.Graph, k: int, objective: str = "DR", m: int = 2, **kwargs) -> KeyPlayerSet:
    """KPP-Pos: the k nodes that reach most others within m steps (``R``), or with distance
    weighting (``DR``). See :func:`key_players`."""
    if objective.upper() not in POS_OBJECTIVES:
        raise ValueError(f"objective: KPP-Pos uses one of {POS_OBJECTIVES} (got {objective!r})")
    return key_players(g, k, objective=objective, m=m, **kwargs)
