"""Ties likely to exist but unreported: a degree-corrected block model against Adamic–Adar.

Definition. The person graph holds the stated person–person ties (command, calls, meetings, kinship)
between resolved identities. Each person is put in a block: his unit (cell, else sector) when a
report states or implies it (:mod:`cellmap.unseen.histories`), else his community in the tie graph
(Leiden, modularity). The degree-corrected stochastic block model (Karrer & Newman 2011) gives the
expected number of ties between i and j as λ_ij = θ_i θ_j ω_{g_i g_j}, with the maximum-likelihood
θ_i = k_i / κ_{g_i} (degree over the block's total degree) and ω_rs = m_rs (ties between blocks r and
s, twice the ties inside a block when r = s). Degrees get +1 and block-pair counts +0.5 so that a
person known only from a membership or a ledger still gets a score. The score of an unlinked pair is
λ_ij (1 + AA_ij), the block model's expectation raised by the pair's shared-contact evidence; the
baseline is Adamic–Adar AA_ij, Σ_{z ∈ N(i) ∩ N(j)} 1 / log k_z (Adamic & Adar 2003; Liben-Nowell
& Kleinberg 2007, "The link-prediction problem for social networks", JASIST 58). Each prediction
carries its evidence: the shared unit, shared sites or phones (both "use" them), shared contacts.

References: Karrer & Newman (2011), "Stochastic blockmodels and community structure in networks",
Phys. Rev. E 83; Clauset, Moore & Newman (2008), "Hierarchical structure and the prediction of missing
links in networks", Nature 453; Sparrow (1991) and Borgatti, Carley & Krackhardt (2006) on missing ties.

Cost: candidates are the pairs inside a block and the pairs at distance two, O(Σ_b n_b² + Σ_i k_i²);
scoring each is O(1) (DC-SBM) or O(min degree) (Adamic–Adar).

Example:
    >>> adj = {1: {2, 3}, 2: {1, 3}, 3: {1, 2, 4}, 4: {3}, 5: set()}
    >>> block = {1: "a", 2: "a", 3: "a", 4: "a", 5: "b"}
    >>> [p[:2] for p in predict(adj, block, top=1, method="sbm")]
    [(1, 4)]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import polars as pl

TIE_KINDS = ("command", "communication", "meeting", "kinship")
METHODS = ("sbm", "adamic-adar")
# node -> its neighbours; nodes are any hashable (Mapping is invariant in its key, hence Any)
Adjacency = Mapping[Any, set]


def person_ties(relations: pl.DataFrame, persons=None) -> dict[int, set[int]]:
    """Adjacency of the stated person–person ties (resolved ids), every person of `persons` included."""
    adj: dict[int, set[int]] = defaultdict(set)
    for person in persons or ():
        adj[person]
    ties = relations.filter(
        pl.col("kind").is_in(list(TIE_KINDS))
        & (pl.col("source_kind") == "person")
        & (pl.col("target_kind") == "person")
        & (pl.col("source_id") != pl.col("target_id"))
    )
    for a, b in ties.select("source_id", "target_id").iter_rows():
        adj[a].add(b)
        adj[b].add(a)
    return dict(adj)


def community_blocks(adj: Adjacency) -> dict:
    """Leiden communities (modularity, seeded) of the tie graph: the blocks when no unit is known."""
    import igraph as ig

    nodes = sorted(adj, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    edges = {(min(index[a], index[b]), max(index[a], index[b])) for a in adj for b in adj[a]}
    graph = ig.Graph(n=len(nodes), edges=sorted(edges))
    import random

    random.seed(0)
    parts = graph.community_leiden(objective_function="modularity", n_iterations=-1)
    return {nodes[i]: ("community", m) for i, m in enumerate(parts.membership)}


def candidates(adj: Adjacency, block: Mapping) -> set[tuple]:
    """Unlinked pairs inside a block or at distance two (ordered by str for a stable key)."""
    members: dict = defaultdict(list)
    for node in adj:
        members[block.get(node)].append(node)
    pairs = set()

    def add(a, b):
        if a != b and b not in adj[a]:
            pairs.add((a, b) if str(a) < str(b) else (b, a))

    for group_key, group in members.items():
        if group_key is None:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                add(a, b)
    for z in adj:
        near = sorted(adj[z], key=str)
        for i, a in enumerate(near):
            for b in near[i + 1 :]:
                add(a, b)
    return pairs


def dcsbm_scores(adj: Adjacency, block: Mapping, pairs) -> dict[tuple, float]:
    """λ_ij of the degree-corrected block model (Karrer & Newman 2011), smoothed (see module)."""
    degree = {n: len(adj[n]) + 1.0 for n in adj}
    kappa: dict = defaultdict(float)
    for n, k in degree.items():
        kappa[block.get(n)] += k
    ties: dict = defaultdict(float)
    for a in adj:
        for b in adj[a]:
            ties[(block.get(a), block.get(b))] += 1.0  # each tie counted from both ends
    scores = {}
    for a, b in pairs:
        r, s = block.get(a), block.get(b)
        omega = ties.get((r, s), 0.0) + 0.5
        scores[(a, b)] = degree[a] / kappa[r] * degree[b] / kappa[s] * omega
    return scores


def adamic_adar(adj: Adjacency, pairs) -> dict[tuple, float]:
    """Σ 1/log k_z over shared neighbours z (Adamic & Adar 2003)."""
    scores = {}
    for a, b in pairs:
        shared = adj[a] & adj[b]
        scores[(a, b)] = sum(1.0 / math.log(len(adj[z])) for z in shared if len(adj[z]) > 1)
    return scores


def predict(adj: Adjacency, block: Mapping, top: int = 100, method: str = "sbm") -> list[tuple]:
    """The `top` unlinked pairs by score: ``[(a, b, score), ...]``, best first, ties by key."""
    if method not in METHODS:
        raise ValueError(f"method: {method!r} is not one of {', '.join(METHODS)}")
    pairs = candidates(adj, block)
    if method == "sbm":
        # the block model's expected ties, raised by the shared-contact evidence of the pair
        shared = adamic_adar(adj, pairs)
        scores = {p: s * (1.0 + shared[p]) for p, s in dcsbm_scores(adj, block, pairs).items()}
    else:
        scores = adamic_adar(adj, pairs)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0][0]), str(kv[0][1])))
    return [(a, b, score) for (a, b), score in ranked[:top] if score > 0]


def blocks_for(adj: Adjacency, units: Mapping) -> dict:
    """Each person's unit when known, else his Leiden community in the tie graph."""
    communities = community_blocks(adj) if adj else {}
    return {n: ("unit", units[n]) if units.get(n) is not None else communities.get(n) for n in adj}


def evidence(a, b, adj, units, uses, names) -> list[str]:
    """Why a pair is predicted: shared unit, shared sites or phones, shared contacts."""
    why = []
    if units.get(a) is not None and units.get(a) == units.get(b):
        why.append(f"same unit: {names.get(units[a], units[a])}")
    shared_use = sorted(uses.get(a, set()) & uses.get(b, set()))
    if shared_use:
        why.append("both use: " + ", ".join(str(names.get(x, x)) for x in shared_use[:3]))
    shared = sorted(adj[a] & adj[b])
    if shared:
        listed = ", ".join(str(names.get(x, x)) for x in shared[:2])
        more = f" and {len(shared) - 2} more" if len(shared) > 2 else ""
        why.append(f"{len(shared)} shared contact{'s' if len(shared) > 1 else ''}: {listed}{more}")
    return why


def missing_ties(
    relations: pl.DataFrame,
    entities: pl.DataFrame,
    reports: pl.DataFrame,
    top: int = 20,
    method: str = "adamic-adar",
) -> list[dict]:
    """Predicted unreported ties among the network's persons, with store keys, score and evidence."""
    from cellmap.unseen.histories import capture_histories

    people = capture_histories(relations, reports)
    adj = person_ties(relations, people)
    units = {eid: p.unit for eid, p in people.items()}
    uses: dict[int, set] = defaultdict(set)
    for a, b in (
        relations.filter(
            (pl.col("kind") == "use")
            & (pl.col("source_kind") == "person")
            & pl.col("target_kind").is_in(["site", "identifier", "vehicle"])
        )
        .select("source_id", "target_id")
        .iter_rows()
    ):
        uses[a].add(b)
    keys = dict(zip(entities["entity_id"].to_list(), entities["key"].to_list(), strict=False))
    names = dict(zip(entities["entity_id"].to_list(), entities["name"].to_list(), strict=False))
    ranked = predict(adj, blocks_for(adj, units), top, method)
    return [
        {
            "source": keys.get(a),
            "target": keys.get(b),
            "source_name": names.get(a),
            "target_name": names.get(b),
            "score": round(score, 6),
            "why": evidence(a, b, adj, units, uses, names),
        }
        for a, b, score in ranked
    ]
