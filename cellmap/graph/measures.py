"""Node measures of an (undirected) igraph graph, each returned as a column of one Polars frame.

Conventions: the graph is a projection from :mod:`cellmap.graph.projection` (simple, undirected,
edge attribute ``weight`` = tie strength). Distance-based measures (betweenness, harmonic
closeness) count hops, because a tie's weight is a strength, not a length; strength, eigenvector,
PageRank, constraint and effective size use the weights when ``weighted=True``.
Normalisations follow NetworkX's defaults so that the numbers can be checked against it.
"""

from __future__ import annotations

import warnings

import igraph as ig
import numpy as np
import polars as pl
import scipy.sparse as sp

from cellmap.graph.bitbfs import arcs, reciprocal_distance_sums
from cellmap.graph.parallel import default_workers, worker_pool
from cellmap.graph.projection import cached, edge_array

PARALLEL_WORK = 20_000_000  # sources × edges above which sampled betweenness forks workers

__all__ = [
    "degree",
    "strength",
    "betweenness",
    "harmonic_closeness",
    "eigenvector",
    "pagerank",
    "coreness",
    "articulation_points",
    "bridges",
    "constraint",
    "effective_size",
    "groups_connected",
    "component_labels",
    "measures",
    "adjacency",
]


def _weights(g: ig.Graph, weighted: bool) -> list[float] | None:
    return g.es["weight"] if weighted and "weight" in g.es.attributes() and g.ecount() else None


def adjacency(g: ig.Graph, weighted: bool = False) -> sp.csr_matrix:
    """Symmetric sparse adjacency matrix (weights or 1), cached per graph. O(n + m)."""

    def build() -> sp.csr_matrix:
        edges = edge_array(g)
        w = np.asarray(_weights(g, weighted) or np.ones(len(edges)), dtype=np.float64)
        n = g.vcount()
        a = sp.coo_matrix(
            (
                np.concatenate([w, w]),
                (
                    np.concatenate([edges[:, 0], edges[:, 1]]),
                    np.concatenate([edges[:, 1], edges[:, 0]]),
                ),
            ),
            shape=(n, n),
        )
        return a.tocsr()

    return cached(g, f"adjacency_{weighted}", build)


def degree(g: ig.Graph) -> np.ndarray:
    """Degree d_i = number of neighbours (the projections are simple graphs). O(n)."""
    return np.asarray(g.degree(), dtype=np.int64)


def strength(g: ig.Graph) -> np.ndarray:
    """Strength s_i = Σ_j w_ij (Barrat et al. 2004, PNAS 101:3747). O(n + m)."""
    return np.asarray(g.strength(weights=_weights(g, True)), dtype=np.float64)


def betweenness(
    g: ig.Graph,
    samples: int | None = None,
    seed: int = 0,
    batches: int = 10,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Normalised shortest-path betweenness, exact or sampled; returns (values, standard errors).

    Definition (Freeman 1977; Brandes 2001 algorithm): ``B(v) = Σ_{s<t, s,t≠v} σ_st(v) / σ_st``,
    normalised by ``(n-1)(n-2)/2`` (NetworkX's ``normalized=True``). Exact cost: O(n m).

    Sampled (``samples=k < n``; Brandes & Pich 2007, "Centrality estimation in large networks"):
    k distinct source vertices drawn uniformly (seeded), ``B̂(v) = (n/k) Σ_{s∈S} δ_s(v)`` — unbiased.
    The stated error is the standard error of B̂ from ``batches`` equal batches of sources (batch
    means: the spread of the batch estimates / √batches), in the same normalised units; the
    exact computation reports 0. The batches run on ``workers`` forked processes (default: every
    core when k·m ≥ :data:`PARALLEL_WORK`). Cost: O(k m).
    """
    n = g.vcount()
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 0.0
    if samples is None or samples >= n:
        return np.asarray(g.betweenness(directed=False), dtype=np.float64) * scale, np.zeros(n)
    rng = np.random.default_rng(seed)
    sources = rng.choice(n, size=samples, replace=False)
    parts = np.array_split(sources, max(2, min(batches, samples)))

    def batch(part: np.ndarray) -> np.ndarray:
        return np.asarray(
            g.betweenness(directed=False, sources=part.tolist()), dtype=np.float64
        ) * (n / len(part))

    if workers is None:  # forking pays off only for long runs (about a second of work or more)
        workers = default_workers() if samples * g.ecount() >= PARALLEL_WORK else 1
    with worker_pool(batch, workers) as run:
        estimates = np.array(run(parts))
    sizes = np.array([len(p) for p in parts], dtype=np.float64)
    mean = (estimates * sizes[:, None]).sum(axis=0) / sizes.sum()
    stderr = estimates.std(axis=0, ddof=1) / np.sqrt(len(parts))
    return mean * scale, stderr * scale


def harmonic_closeness(g: ig.Graph, samples: int | None = None, seed: int = 0) -> np.ndarray:
    """Harmonic closeness ``H(v) = Σ_{u≠v} 1/d(u,v) / (n-1)`` (1/∞ = 0; Marchiori & Latora 2000,
    Boldi & Vigna 2014). Exact: all n searches by bit-parallel BFS (:mod:`cellmap.graph.bitbfs`),
    O(D m n / 64) for diameter D.

    Sampled (``samples=k``, Eppstein & Wang 2004 style): ``Ĥ(v) = (n/k) Σ_{u∈S, u≠v} 1/d(u,v) / (n-1)``
    from k uniform sources (distances are symmetric in an undirected graph), all k searches run
    together by bit-parallel BFS (:mod:`cellmap.graph.bitbfs`). Cost: O(D m k / 64).
    """
    n = g.vcount()
    if n < 2:
        return np.zeros(n)
    if samples is None or samples >= n:
        return reciprocal_distance_sums(arcs(g), np.arange(n), per_node=True) / (n - 1)
    rng = np.random.default_rng(seed)
    sources = rng.choice(n, size=samples, replace=False)
    total = reciprocal_distance_sums(arcs(g), sources, per_node=True)
    return total * (n / samples) / (n - 1)


def eigenvector(
    g: ig.Graph, weighted: bool = True, tol: float = 1e-13, max_iter: int = 300
) -> np.ndarray:
    """Eigenvector centrality (Bonacich 1972): x = A x / λ₁, the leading eigenvector of the
    (weighted) adjacency matrix, scaled so that max x = 1. On a disconnected graph the leading
    eigenvector lives in the component of largest λ₁.

    Found by :func:`_perron_vector` (LOBPCG, one sparse product per step) until the largest change
    of the scaled vector is below ``tol``; if it has not converged after ``max_iter`` steps (a tiny
    spectral gap), igraph's ARPACK solver finishes the job. Cost: O(m) per step; the steps grow as
    log(1/tol) / √(gap) instead of the power method's log(1/tol) / log(λ₁/λ₂) (34 instead of 93
    on the bench's 100k/1M graph).
    """
    n = g.vcount()
    if g.ecount() == 0:
        return np.zeros(n)
    found = _perron_vector(adjacency(g, weighted), tol, max_iter)
    if found is not None:
        return found
    with (
        warnings.catch_warnings()
    ):  # igraph warns on disconnected graphs; the docstring states the meaning
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(g.eigenvector_centrality(weights=_weights(g, weighted)), dtype=np.float64)


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """u · v summed by NumPy itself: BLAS's threads cost more than the sum on a busy machine."""
    return float(np.einsum("i,i->", u, v))


def _perron_vector(a: sp.csr_matrix, tol: float, max_iter: int) -> np.ndarray | None:
    """The leading eigenvector of the symmetric non-negative matrix ``a``, scaled to max 1, by
    LOBPCG (Knyazev 2001, SIAM J. Sci. Comput. 23(2)) with block size 1 and no preconditioner:
    each step takes the vector of largest Rayleigh quotient in span{x, r, p} — the iterate, its
    residual ``r = a x - ρ x`` and the previous step ``p`` — by a Rayleigh–Ritz on that basis made
    orthonormal (Gram–Schmidt, twice). The largest algebraic eigenvalue of a non-negative matrix is
    its Perron root (Perron–Frobenius). One product with ``a`` per step. Returns None if the
    largest change of the scaled vector is still ≥ ``tol`` after ``max_iter`` steps.
    """
    n = a.shape[0]
    x = np.full(n, 1.0 / np.sqrt(n))
    ax = a @ x
    step = step_image = None
    scaled = np.ones(n)
    for _ in range(max_iter):
        basis, images = [x], [ax]
        for vector, image in ((ax - _dot(x, ax) * x, None), (step, step_image)):
            if vector is None:
                continue
            length = np.sqrt(_dot(vector, vector))
            for _ in range(2):
                for b, ab in zip(basis, images, strict=True):
                    c = _dot(b, vector)
                    vector = vector - c * b
                    if image is not None:
                        image = image - c * ab
            norm = np.sqrt(_dot(vector, vector))
            if norm <= 1e-12 * length:  # (nearly) in the span already
                continue
            basis.append(vector / norm)
            images.append(a @ basis[-1] if image is None else image / norm)
        k = len(basis)
        ritz = np.empty((k, k))
        for i in range(k):
            for j in range(i, k):
                ritz[i, j] = ritz[j, i] = _dot(basis[i], images[j])
        coef = np.linalg.eigh(ritz)[1][:, -1]
        coef = coef if coef[0] >= 0 else -coef
        step = sum((coef[i] * basis[i] for i in range(1, k)), np.zeros(n))
        step_image = sum((coef[i] * images[i] for i in range(1, k)), np.zeros(n))
        x, ax = coef[0] * x + step, coef[0] * ax + step_image
        norm = np.sqrt(_dot(x, x))
        x, ax, step, step_image = x / norm, ax / norm, step / norm, step_image / norm
        nxt = np.abs(x) / np.abs(x).max()
        if np.abs(nxt - scaled).max() < tol:
            return nxt
        scaled = nxt
    return None


def pagerank(
    g: ig.Graph,
    damping: float = 0.85,
    weighted: bool = True,
    tol: float = 1e-14,
    max_iter: int = 10_000,
) -> np.ndarray:
    """PageRank (Brin & Page 1998): ``p = (1-α)/n + α (Σ_j p_j w_ji / s_j + Σ_{dangling j} p_j / n)``
    — isolated vertices spread their rank uniformly, as in NetworkX and igraph.

    With uniform teleport and dangling vertices spread uniformly, p is the solution y of
    ``(I - α A S⁻¹) y = 1`` scaled to sum 1 (dangling columns of A S⁻¹ zero, so y = 1 there; Del
    Corso, Gullí & Romani 2005, "Fast PageRank computation via a sparse linear system"). A is
    symmetric, so ``u = S^-½ y`` solves ``(I - α S^-½ A S^-½) u = S^-½ 1``, whose matrix is
    symmetric positive definite with eigenvalues in [1-α, 1+α]: conjugate gradients (Hestenes &
    Stiefel 1952) until the residual is below ``tol`` relative to the right-hand side. Cost:
    O(m) per step, O(√((1+α)/(1-α)) log(1/tol)) steps (about 60 instead of the power method's 200
    at α = 0.85).
    """
    n = g.vcount()
    if n == 0:
        return np.zeros(0)
    a = adjacency(g, weighted)
    out_strength = np.asarray(a.sum(axis=1)).ravel()
    dangling = out_strength == 0
    root = np.divide(1.0, np.sqrt(out_strength), out=np.zeros(n), where=~dangling)  # S^-½

    def system(v: np.ndarray) -> np.ndarray:
        return v - damping * (root * (a @ (root * v)))

    rhs = root.copy()  # S^-½ 1 (0 on dangling vertices, whose y is 1)
    u = rhs.copy()
    residual = rhs - system(u)
    direction = residual.copy()
    squared = _dot(residual, residual)
    stop = (tol * np.sqrt(_dot(rhs, rhs))) ** 2
    for _ in range(max_iter):
        if squared <= stop:
            break
        image = system(direction)
        step = squared / _dot(direction, image)
        u += step * direction
        residual -= step * image
        squared, previous = _dot(residual, residual), squared
        direction = residual + (squared / previous) * direction
    y = np.where(dangling, 1.0, u * np.sqrt(out_strength))
    return y / y.sum()


def coreness(g: ig.Graph) -> np.ndarray:
    """k-core number: the largest k such that v belongs to a subgraph of minimum degree k
    (Seidman 1983; Batagelj & Zaversnik 2003 O(m) algorithm)."""
    return np.asarray(g.coreness(), dtype=np.int64)


def articulation_points(g: ig.Graph) -> np.ndarray:
    """Boolean mask of cut vertices, whose removal increases the number of components
    (Hopcroft & Tarjan 1973, O(n + m))."""
    mask = np.zeros(g.vcount(), dtype=bool)
    mask[g.articulation_points()] = True
    return mask


def bridges(g: ig.Graph) -> pl.DataFrame:
    """Bridges: edges whose removal increases the number of components (Tarjan 1974, O(n + m)).
    Returns ``edge, source, target`` (vertex names)."""
    ids = sorted(g.bridges())
    ends = [g.es[i].tuple for i in ids]
    names = g.vs["name"]
    return pl.DataFrame(
        {"edge": ids, "source": [names[a] for a, _ in ends], "target": [names[b] for _, b in ends]},
        schema={"edge": pl.Int64, "source": pl.Utf8, "target": pl.Utf8},
    )


def _bloom_hash(keys: np.ndarray, bits: int) -> np.ndarray:
    """Fibonacci hashing (Knuth, *TAOCP* vol. 3, § 6.4): the top ``bits`` bits of key · 2⁶⁴/φ."""
    product = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)  # wraps modulo 2⁶⁴
    return (product >> np.uint64(64 - bits)).astype(np.int64)


class _EdgeTable:
    """Edge ids by key, for many look-ups at once: a one-hash Bloom filter (Bloom 1970) in front of
    an open-addressing hash table with linear probing (Knuth, *TAOCP* vol. 3, § 6.4), both filled
    and probed with whole NumPy arrays. Table load ≤ 1/4, filter 64 bits per key."""

    def __init__(self, keys: np.ndarray):
        self.keys = keys
        self.bits = max(int(np.log2(max(len(keys), 1))) + 3, 3)
        self.filter_bits = self.bits + 3
        bloom = np.zeros(1 << self.filter_bits, dtype=bool)
        bloom[_bloom_hash(keys, self.filter_bits)] = True
        self.bloom = np.packbits(bloom, bitorder="little")
        mask = (1 << self.bits) - 1
        self.table = np.full(1 << self.bits, -1, dtype=np.int64)
        pending, slot = np.arange(len(keys)), _bloom_hash(keys, self.bits)
        while len(pending):  # each round, one key of every free slot wanted takes it
            free = self.table[slot] < 0
            self.table[slot[free]] = pending[free]
            placed = np.zeros(len(pending), dtype=bool)
            placed[free] = self.table[slot[free]] == pending[free]
            pending, slot = pending[~placed], (slot[~placed] + 1) & mask

    def find(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions in ``wanted`` that pass the filter, and for each the id of the edge with
        that key or -1."""
        hashed = _bloom_hash(wanted, self.filter_bits)
        maybe = np.flatnonzero((self.bloom[hashed >> 3] >> (hashed & 7)) & 1)
        query = wanted[maybe]
        out = np.full(len(maybe), -1)
        live, slot = np.arange(len(maybe)), _bloom_hash(query, self.bits)
        mask = (1 << self.bits) - 1
        while len(live):
            edge = self.table[slot]
            found = edge >= 0
            found[found] = self.keys[edge[found]] == query[found]
            out[live[found]] = edge[found]
            going = (edge >= 0) & ~found  # an occupied slot of another key: probe the next
            live, slot, query = live[going], (slot[going] + 1) & mask, query[going]
        return maybe, out


class _Triangles:
    """Edges, strengths and every triangle of a graph, for the structural-hole measures.

    Burt's redundancy and indirect-tie terms are sums over paths i–q–j with i, j tied, i.e. over
    triangles; listing the triangles once (:meth:`_list`) with the ids of their three edges, and
    summing with NumPy, makes both measures O(m + T) for T triangles instead of the O(Σ d_i²) of a matrix
    product.
    """

    def __init__(self, g: ig.Graph, weighted: bool):
        self.n = n = g.vcount()
        self.edges = edge_array(g)
        self.w = np.asarray(_weights(g, weighted) or np.ones(g.ecount()), dtype=np.float64)
        self.deg = degree(g).astype(np.float64)
        self.s = np.bincount(self.edges.ravel(), weights=np.repeat(self.w, 2), minlength=n)
        self.tri, self.tri_edges = cached(g, "triangles", lambda: self._list(n, self.edges))

    @staticmethod
    def _list(n: int, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Triangles (a, b, c) with the ids of edges a–b, a–c, b–c, by the forward algorithm
        (Schank & Wagner 2005): orient each edge towards the higher (degree, index) end, pair the
        out-neighbours of every vertex, and keep the pairs that are tied. Vectorised; cost
        O(m + Σ_u d⁺(u)²) with d⁺ ≤ √(2m).

        The pairs are made by offset: arc k (arcs sorted by tail, then head) pairs with arc k + d of
        the same tail, for d = 1, 2, …, the largest out-degree, so no array of all the wedges is
        held. A one-hash Bloom filter of the edges (Bloom 1970; 64 bits per edge, about 1.5 %
        false positives, small enough to stay in cache) drops most open pairs; the others are
        looked up in an open-addressing hash table of the edges (:class:`_EdgeTable`).
        5.5 M wedges, 1.3 M triangles at 100k/1M.
        """
        if len(edges) == 0:
            return np.zeros((0, 3), np.int64), np.zeros((0, 3), np.int64)
        deg = np.bincount(edges.ravel(), minlength=n)
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(deg, kind="stable")] = np.arange(n)  # by degree, then index
        low_first = rank[edges[:, 0]] < rank[edges[:, 1]]
        tail = np.where(low_first, edges[:, 0], edges[:, 1])
        head = np.where(low_first, edges[:, 1], edges[:, 0])
        eids = np.argsort(tail * n + head, kind="stable")  # by tail, then head: one integer key
        tail, head = tail[eids], head[eids]
        tail_end = np.cumsum(np.bincount(tail, minlength=n))[tail]  # one past the tail's last arc
        table = _EdgeTable(np.minimum(edges[:, 0], edges[:, 1]) * n + edges.max(axis=1))
        empty = np.zeros(0, np.int64)
        firsts, seconds, closing = [empty], [empty], [empty]
        first = np.arange(len(tail))
        offset = 1
        while True:
            first = first[first + offset < tail_end[first]]
            if not len(first):
                break
            # head[first] < head[first + offset]: the heads of one tail are in ascending order
            maybe, edge = table.find(head[first] * n + head[first + offset])
            tied = edge >= 0
            firsts.append(first[maybe[tied]])
            seconds.append(first[maybe[tied]] + offset)
            closing.append(edge[tied])
            offset += 1
        first, second = np.concatenate(firsts), np.concatenate(seconds)
        tri = np.column_stack([tail[first], head[first], head[second]])
        tri_edges = np.column_stack([eids[first], eids[second], np.concatenate(closing)])
        return tri, tri_edges

    def shares(self, scale: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
        """For every triangle (a, b, c): ``w_xy / scale[x]`` for each ordered pair of its corners,
        keyed (0, 1) = a→b, (1, 0) = b→a, …; T-length arrays (no 6T expansion)."""
        a, b, c = self.tri[:, 0], self.tri[:, 1], self.tri[:, 2]
        w_ab, w_ac, w_bc = (self.w[self.tri_edges[:, k]] for k in range(3))
        sa, sb, sc = scale[a], scale[b], scale[c]
        return {
            (0, 1): w_ab / sa,
            (0, 2): w_ac / sa,
            (1, 0): w_ab / sb,
            (1, 2): w_bc / sb,
            (2, 0): w_ac / sc,
            (2, 1): w_bc / sc,
        }


# The six orderings (i, j, q) of a triangle's corners 0, 1, 2: ego i, neighbour j, third vertex q.
_ORDERINGS = ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))
# Which of the triangle's edges (0: a–b, 1: a–c, 2: b–c) joins two corners.
_EDGE_OF = {frozenset((0, 1)): 0, frozenset((0, 2)): 1, frozenset((1, 2)): 2}


def constraint(g: ig.Graph, weighted: bool = True) -> np.ndarray:
    """Burt's constraint ``C_i = Σ_{j∈N(i)} (p_ij + Σ_{q≠i,j} p_iq p_qj)²`` with
    ``p_ij = w_ij / Σ_k w_ik`` (Burt 1992, *Structural Holes*); NaN for isolates.

    With ``s_i = Σ_k w_ik``, ``p_ij + Σ_q p_iq p_qj = (w_ij + x_ij) / s_i`` where
    ``x_ij = Σ_q w_iq w_qj / s_q`` is symmetric: one value per edge, non-zero only through
    triangles (see :class:`_Triangles`), each triangle adding to its three edges the term through
    its third corner. Then ``C_i = Σ_j (w_ij + x_ij)² / s_i²``. Cost: O(m + T).
    Example: on a triangle with unit weights every p is 1/2 and C_i = 2 · (1/2 + 1/4)² = 1.125.
    """
    t = _Triangles(g, weighted)
    a, b, c = t.tri[:, 0], t.tri[:, 1], t.tri[:, 2]
    w_ab, w_ac, w_bc = (t.w[t.tri_edges[:, k]] for k in range(3))
    with np.errstate(divide="ignore", invalid="ignore"):
        # the term through a reaches edge b–c, through b edge a–c, through c edge a–b
        through = np.concatenate([w_ab * w_ac / t.s[a], w_ab * w_bc / t.s[b], w_ac * w_bc / t.s[c]])
        x = np.bincount(t.tri_edges[:, ::-1].T.ravel(), weights=through, minlength=len(t.w))
        tie = (t.w + x) ** 2
        out = (
            np.bincount(t.edges[:, 0], weights=tie, minlength=t.n)
            + np.bincount(t.edges[:, 1], weights=tie, minlength=t.n)
        ) / t.s**2
    out[t.deg == 0] = np.nan
    return out


def effective_size(g: ig.Graph, weighted: bool = True) -> np.ndarray:
    """Burt's effective size ``E_i = Σ_{j∈N(i)} (1 - Σ_{q∈N(i), q≠j} p_iq m_jq)`` with
    ``p_iq = w_iq / Σ_k w_ik`` and ``m_jq = w_jq / max_k w_jk`` (Burt 1992; for unweighted ties this is
    Borgatti's ``d_i - 2 t_i / d_i`` with t_i the ties among i's neighbours, Borgatti 1997,
    "Structural holes: unpacking Burt's redundancy measures"). NaN for isolates.

    Only triangles contribute to the redundancy sum: every triangle ordering (i, j, q) adds
    ``p_iq m_jq`` to the redundancy of i (see :class:`_Triangles`). Cost: O(m + T).
    """
    t = _Triangles(g, weighted)
    wmax = np.zeros(t.n)
    np.maximum.at(wmax, t.edges[:, 0], t.w)
    np.maximum.at(wmax, t.edges[:, 1], t.w)
    with np.errstate(divide="ignore", invalid="ignore"):
        p, mx = t.shares(t.s), t.shares(wmax)
        egos = np.concatenate([t.tri[:, i] for i, _, _ in _ORDERINGS])
        values = np.concatenate([p[(i, q)] * mx[(j, q)] for i, j, q in _ORDERINGS])
        redundancy = np.bincount(egos, weights=values, minlength=t.n)
        out = t.deg - redundancy
    out[t.deg == 0] = np.nan
    return out


def groups_connected(g: ig.Graph, group_kind: str) -> np.ndarray:
    """For each vertex, the number of distinct recorded groups (``cell`` or ``sector``) among itself
    and its neighbours: ``|∪_{j ∈ N(i) ∪ {i}} groups(j)|`` — how many cells/sectors a person ties
    together. Memberships come from the projection (``g['memberships']``). Cost: O(m · g) joins."""
    n = g.vcount()
    mem = g["memberships"] if "memberships" in g.attributes() else None
    if mem is None or mem.height == 0:
        return np.zeros(n, dtype=np.int64)
    mem = mem.filter(pl.col("group_kind") == group_kind).select(
        pl.col("vertex").alias("other"), "group"
    )
    edges = edge_array(g)
    selves = np.arange(n, dtype=np.int64)
    pairs = pl.DataFrame(
        {
            "vertex": np.concatenate([edges[:, 0], edges[:, 1], selves]),
            "other": np.concatenate([edges[:, 1], edges[:, 0], selves]),
        }
    )
    counts = (
        pairs.join(mem, on="other").group_by("vertex").agg(pl.col("group").n_unique().alias("n"))
    )
    out = np.zeros(n, dtype=np.int64)
    out[counts["vertex"].to_numpy()] = counts["n"].to_numpy()
    return out


def component_labels(g: ig.Graph) -> list[str]:
    """Connected component of each vertex, named by its first vertex (the lowest index): the label
    the Spark engine gives too (:func:`cellmap.graph.spark_engine.components`). igraph's
    breadth-first search (Hopcroft & Tarjan 1973), O(n + m)."""
    if g.vcount() == 0:
        return []
    membership = np.asarray(g.connected_components(mode="weak").membership, dtype=np.int64)
    first = np.full(membership.max() + 1, g.vcount(), dtype=np.int64)
    np.minimum.at(first, membership, np.arange(g.vcount()))
    names = g.vs["name"] if "name" in g.vs.attributes() else [str(i) for i in range(g.vcount())]
    return [str(names[i]) for i in first[membership]]


def measures(
    g: ig.Graph, weighted: bool = True, samples: int | None = None, seed: int = 0
) -> pl.DataFrame:
    """Every node measure in one frame, one row per vertex.

    Columns: ``node, label, kind, degree, strength, betweenness, betweenness_se, harmonic,
    eigenvector, pagerank, coreness, articulation, constraint, effective_size, cells_connected,
    sectors_connected, component``. ``samples`` switches betweenness and harmonic closeness to their sampled
    estimators (see :func:`betweenness`); ``betweenness_se`` states the sampling error.
    Cost: O(n m) exact, O(samples · m + Σ d_i²) sampled.
    """
    btw, btw_se = betweenness(g, samples=samples, seed=seed)
    return pl.DataFrame(
        {
            "node": g.vs["name"] if g.vcount() else [],
            "label": g.vs["label"]
            if g.vcount() and "label" in g.vs.attributes()
            else g.vs["name"]
            if g.vcount()
            else [],
            "kind": g.vs["kind"]
            if g.vcount() and "kind" in g.vs.attributes()
            else ["node"] * g.vcount(),
            "degree": degree(g),
            "strength": strength(g),
            "betweenness": btw,
            "betweenness_se": btw_se,
            "harmonic": harmonic_closeness(g, samples=samples, seed=seed),
            "eigenvector": eigenvector(g, weighted),
            "pagerank": pagerank(g, weighted=weighted),
            "coreness": coreness(g),
            "articulation": articulation_points(g),
            "constraint": constraint(g, weighted),
            "effective_size": effective_size(g, weighted),
            "cells_connected": groups_connected(g, "cell"),
            "sectors_connected": groups_connected(g, "sector"),
            "component": component_labels(g),
        },
        schema_overrides={
            "node": pl.Utf8,
            "label": pl.Utf8,
            "kind": pl.Utf8,
            "component": pl.Utf8,
        },
    )
