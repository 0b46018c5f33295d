"""Ties likely to exist but unreported: shared contexts with the local path index, a degree-corrected
block model, and Adamic–Adar as the baseline.

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
& Kleinberg 2007, "The link-prediction problem for social networks", JASIST 58).

The default, ``context``, adds what the reports say around a pair to the paths between them:
score = C_ij + LP_ij, where C_ij counts the contexts both persons appear in — reports naming both
(through any relation), incidents both took part in, funds that paid both, sites, phones or vehicles
both use — the affiliation (two-mode) ties from which co-occurrence networks are built (Breiger 1974,
"The duality of persons and groups", Social Forces 53), and LP_ij = (A²)_ij + ε (A³)_ij is the local
path index (Lü, Jin & Zhou 2009, "Similarity index based on local paths for link prediction of
complex networks", Phys. Rev. E 80), with ε = 0.01: shared contacts, then paths of length three.
On a graph without reports (an edge list) it is the local path index alone. Resource allocation
Σ_z 1/k_z (Zhou, Lü & Zhang 2009, Eur. Phys. J. B 71) is offered as a further baseline.
``learned`` is supervised link prediction fitted on the graph itself (Lichtenwalter, Lussier &
Chawla 2010; Al Hasan et al. 2006): hide a share of the observed ties, fit a logistic regression
on graph features of the pairs to find them again, rank the unlinked pairs with it. It is better
than Adamic–Adar on bare edge lists of covert networks over time, not on report stores: the ties
reports state (commands) are not like those they miss (calls inside a cell), and it learns the
former (docs/methods/unseen.md has the figures).
Each prediction carries its evidence: the shared unit, the shared reports, incidents, funds, sites or
phones, the shared contacts.

References: Karrer & Newman (2011), "Stochastic blockmodels and community structure in networks",
Phys. Rev. E 83; Clauset, Moore & Newman (2008), "Hierarchical structure and the prediction of missing
links in networks", Nature 453; Sparrow (1991) and Borgatti, Carley & Krackhardt (2006) on missing ties.

Cost: candidates are the pairs inside a block, at distance two or sharing a context,
O(Σ_b n_b² + Σ_i k_i² + Σ_c n_c²); scoring each is O(1) (DC-SBM), O(min degree) (Adamic–Adar,
resource allocation, shared contexts) or O(k_i · min degree) (the paths of length three);
``learned`` fits on LEARNED_DRAWS times the candidates (every unlinked pair up to 300 nodes).

Example:
    >>> adj = {1: {2, 3}, 2: {1, 3}, 3: {1, 2, 4}, 4: {3}, 5: set()}
    >>> block = {1: "a", 2: "a", 3: "a", 4: "a", 5: "b"}
    >>> [p[:2] for p in predict(adj, block, top=1, method="sbm")]
    [(1, 4)]
    >>> contexts = {2: {("report", 7)}, 4: {("report", 7)}}
    >>> [p[:2] for p in predict(adj, block, top=1, method="context", contexts=contexts)]
    [(2, 4)]
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

TIE_KINDS = ("command", "communication", "meeting", "kinship")
METHODS = ("context", "adamic-adar", "local-path", "resource-allocation", "sbm", "learned")
LOCAL_PATH_EPSILON = 0.01  # Lü, Jin & Zhou 2009: paths of length three count for a hundredth
# a context naming more persons (a ledger of all stipends, a round-up) says little about any pair of
# them and would add its size squared to the candidates; the scenarios' largest name 30
CONTEXT_MAX_PERSONS = 100
# node -> its neighbours; nodes are any hashable (Mapping is invariant in its key, hence Any)
Adjacency = Mapping[Any, set]
# node -> the contexts it appears in: ("report", id), ("incident", id), ("fund", id), ("use", id)
Contexts = Mapping[Any, set]


def ordered_pair(a, b) -> tuple:
    """The pair (a, b) in one order, by str, so each unordered pair has one key."""
    return (a, b) if str(a) < str(b) else (b, a)


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


def person_contexts(relations: pl.DataFrame, persons) -> dict[int, set[tuple[str, int]]]:
    """The contexts each person of `persons` appears in: the reports of every relation naming him,
    the incidents he took part in, the funds that paid him, the sites, phones and vehicles he uses;
    a context of more than CONTEXT_MAX_PERSONS persons is left out."""
    persons = set(persons)
    contexts: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for kind, source, target, source_kind, target_kind, report in relations.select(
        "kind", "source_id", "target_id", "source_kind", "target_kind", "report_id"
    ).iter_rows():
        for end, end_kind in ((source, source_kind), (target, target_kind)):
            if end_kind == "person" and end in persons and report is not None:
                contexts[end].add(("report", report))
        if source_kind == "person" and source in persons:
            if kind == "participation" and target_kind == "incident":
                contexts[source].add(("incident", target))
            elif kind == "use" and target_kind in ("site", "identifier", "vehicle"):
                contexts[source].add(("use", target))
        if kind == "payment" and source_kind == "fund" and target_kind == "person":
            if target in persons:
                contexts[target].add(("fund", source))
    size = Counter(context for found in contexts.values() for context in found)
    return {
        person: {c for c in found if size[c] <= CONTEXT_MAX_PERSONS}
        for person, found in contexts.items()
    }


def candidates(adj: Adjacency, block: Mapping, contexts: Contexts | None = None) -> set[tuple]:
    """Unlinked pairs inside a block, at distance two or sharing a context (ordered by str)."""
    pairs: set[tuple] = set()

    def add_all(group: list) -> None:
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a != b and b not in adj[a]:
                    pairs.add(ordered_pair(a, b))

    members: dict = defaultdict(list)
    sharing: dict = defaultdict(list)
    for node in adj:
        if block.get(node) is not None:
            members[block[node]].append(node)
    for node, found in (contexts or {}).items():
        if node in adj:
            for context in found:
                sharing[context].append(node)
    for group in (*members.values(), *(list(adj[z]) for z in adj), *sharing.values()):
        add_all(group)
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


def _adamic_adar_of(adj: Adjacency, shared: set) -> float:
    return sum(1.0 / math.log(len(adj[z])) for z in shared if len(adj[z]) > 1)


def _resource_allocation_of(adj: Adjacency, shared: set) -> float:
    return sum(1.0 / len(adj[z]) for z in shared)


def _walks_of_three(adj: Adjacency, a, b) -> int:
    """Walks a–x–y–b, counted from the end with fewer neighbours."""
    few, many = (a, b) if len(adj[a]) <= len(adj[b]) else (b, a)
    return sum(len(adj[x] & adj[many]) for x in adj[few])


def adamic_adar(adj: Adjacency, pairs) -> dict[tuple, float]:
    """Σ 1/log k_z over shared neighbours z (Adamic & Adar 2003)."""
    return {(a, b): _adamic_adar_of(adj, adj[a] & adj[b]) for a, b in pairs}


def resource_allocation(adj: Adjacency, pairs) -> dict[tuple, float]:
    """Σ 1/k_z over shared neighbours z (Zhou, Lü & Zhang 2009)."""
    return {(a, b): _resource_allocation_of(adj, adj[a] & adj[b]) for a, b in pairs}


def local_path(adj: Adjacency, pairs, epsilon: float = LOCAL_PATH_EPSILON) -> dict[tuple, float]:
    """(A²)_ab + ε (A³)_ab: shared contacts plus ε times the walks of length three
    a–x–y–b (Lü, Jin & Zhou 2009); for an unlinked pair every such walk is a path."""
    return {(a, b): len(adj[a] & adj[b]) + epsilon * _walks_of_three(adj, a, b) for a, b in pairs}


def shared_contexts(contexts: Contexts, pairs) -> dict[tuple, float]:
    """How many contexts (reports, incidents, funds, things used) both persons appear in."""
    empty: set = set()
    return {(a, b): float(len(contexts.get(a, empty) & contexts.get(b, empty))) for a, b in pairs}


LEARNED_HIDE = 0.2  # share of the observed ties hidden in each training draw
LEARNED_DRAWS = 3
LEARNED_ALL_PAIRS = 300  # up to this many persons every unlinked pair is a candidate
LEARNED_FEATURES = (
    "shared contacts",
    "Adamic–Adar",
    "resource allocation",
    "walks of length 3",
    "smaller degree",
    "larger degree",
    "same community",
)


def pair_features(adj: Adjacency, pairs: list[tuple], community: Mapping) -> np.ndarray:
    """One row per pair: the graph features of LEARNED_FEATURES, in that order."""
    rows = np.zeros((len(pairs), len(LEARNED_FEATURES)))
    for row, (a, b) in enumerate(pairs):
        shared = adj[a] & adj[b]
        rows[row] = (
            len(shared),
            _adamic_adar_of(adj, shared),
            _resource_allocation_of(adj, shared),
            _walks_of_three(adj, a, b),
            min(len(adj[a]), len(adj[b])),
            max(len(adj[a]), len(adj[b])),
            community.get(a) == community.get(b),
        )
    return rows


def logistic_fit(x: np.ndarray, y: np.ndarray, penalty: float = 1.0) -> np.ndarray:
    """Weights (intercept first) of an L2-penalised logistic regression, by L-BFGS."""
    from scipy.optimize import minimize

    design = np.column_stack([np.ones(len(x)), x])
    sign = np.where(y, 1.0, -1.0)

    def loss(w):
        margin = sign * (design @ w)
        value = np.logaddexp(0.0, -margin).sum() + 0.5 * penalty * (w[1:] @ w[1:])
        grad = -(design.T @ (sign / (1.0 + np.exp(margin))))
        grad[1:] += penalty * w[1:]
        return value, grad

    return minimize(loss, np.zeros(design.shape[1]), jac=True, method="L-BFGS-B").x


def _unlinked(adj: Adjacency, block: Mapping) -> list[tuple]:
    """Every unlinked pair of a small graph, else the candidates; sorted by key."""
    if len(adj) > LEARNED_ALL_PAIRS:
        return sorted(candidates(adj, block), key=str)
    nodes = sorted(adj, key=str)
    return [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1 :] if b not in adj[a]]


def learned_scores(adj: Adjacency, block: Mapping, seed: int = 0) -> dict[tuple, float]:
    """Supervised link prediction fitted on the graph itself (Lichtenwalter, Lussier & Chawla 2010;
    Al Hasan et al. 2006): in each of LEARNED_DRAWS draws hide LEARNED_HIDE of the observed ties,
    label the unlinked pairs of the rest 1 if hidden, fit a logistic regression on the
    standardised log(1 + x) of their graph features (pair_features; the community is the rest's
    own Leiden community), and score the unlinked pairs of the whole graph with it. Seeded
    (random.Random(seed)); graph features only."""
    import random

    draw = random.Random(seed)
    ties = sorted({ordered_pair(a, b) for a in adj for b in adj[a]}, key=str)
    pairs = _unlinked(adj, block)
    hide_count = int(LEARNED_HIDE * len(ties))
    if hide_count == 0 or not pairs:
        return dict.fromkeys(pairs, 0.0)
    features, labels = [], []
    for _ in range(LEARNED_DRAWS):
        hidden = set(draw.sample(ties, hide_count))
        rest = {n: set(near) for n, near in adj.items()}
        for a, b in hidden:
            rest[a].discard(b)
            rest[b].discard(a)
        train = _unlinked(rest, block)
        features.append(pair_features(rest, train, community_blocks(rest)))
        labels.append(np.array([pair in hidden for pair in train], dtype=bool))
    x, y = np.log1p(np.vstack(features)), np.concatenate(labels)
    if y.all() or not y.any():
        return dict.fromkeys(pairs, 0.0)
    mean, scale = x.mean(0), x.std(0) + 1e-9
    weights = logistic_fit((x - mean) / scale, y)
    z = (np.log1p(pair_features(adj, pairs, community_blocks(adj))) - mean) / scale
    probability = 1.0 / (1.0 + np.exp(-(weights[0] + z @ weights[1:])))
    return dict(zip(pairs, probability.tolist(), strict=True))


def predict(
    adj: Adjacency,
    block: Mapping,
    top: int = 100,
    method: str = "context",
    contexts: Contexts | None = None,
) -> list[tuple]:
    """The `top` unlinked pairs by score: ``[(a, b, score), ...]``, best first, ties by key.
    `contexts` (node -> its contexts) feeds the ``context`` method; without it that method is the
    local path index alone."""
    if method not in METHODS:
        raise ValueError(f"method: {method!r} is not one of {', '.join(METHODS)}")
    pairs = candidates(adj, block, contexts if method == "context" else None)
    if method == "sbm":
        # the block model's expected ties, raised by the shared-contact evidence of the pair
        shared = adamic_adar(adj, pairs)
        scores = {p: s * (1.0 + shared[p]) for p, s in dcsbm_scores(adj, block, pairs).items()}
    elif method == "context":
        paths = local_path(adj, pairs)
        together = shared_contexts(contexts or {}, pairs)
        scores = {p: together[p] + paths[p] for p in pairs}
    elif method == "local-path":
        scores = local_path(adj, pairs)
    elif method == "resource-allocation":
        scores = resource_allocation(adj, pairs)
    elif method == "learned":
        scores = learned_scores(adj, block)
    else:
        scores = adamic_adar(adj, pairs)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0][0]), str(kv[0][1])))
    return [(a, b, score) for (a, b), score in ranked[:top] if score > 0]


def blocks_for(adj: Adjacency, units: Mapping) -> dict:
    """Each person's unit when known, else his Leiden community in the tie graph."""
    communities = community_blocks(adj) if adj else {}
    return {n: ("unit", units[n]) if units.get(n) is not None else communities.get(n) for n in adj}


CONTEXT_WORDS = {
    "report": "named together in",
    "incident": "both took part in",
    "fund": "both paid by",
    "use": "both use",
}


def evidence(a, b, adj, units, contexts, names, report_keys=None) -> list[str]:
    """Why a pair is predicted: shared unit, shared reports, incidents, funds, sites or phones,
    shared contacts."""
    why = []
    if units.get(a) is not None and units.get(a) == units.get(b):
        why.append(f"same unit: {names.get(units[a], units[a])}")
    shared_context = contexts.get(a, set()) & contexts.get(b, set())
    for kind, words in CONTEXT_WORDS.items():
        found = sorted(x for k, x in shared_context if k == kind)
        if not found:
            continue
        if kind == "report":
            labels = [str((report_keys or {}).get(x, x)) for x in found[:3]]
            noun = f"{len(found)} report{'s' if len(found) > 1 else ''}"
            more = "" if len(found) <= 3 else ", …"
            why.append(f"{words} {noun}: {', '.join(labels)}{more}")
        else:
            why.append(f"{words}: " + ", ".join(str(names.get(x, x)) for x in found[:3]))
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
    method: str = "context",
) -> list[dict]:
    """Predicted unreported ties among the network's persons, with store keys, score and evidence."""
    from cellmap.unseen.histories import capture_histories

    people = capture_histories(relations, reports)
    adj = person_ties(relations, people)
    units = {eid: p.unit for eid, p in people.items()}
    contexts = person_contexts(relations, adj)
    keys = dict(zip(entities["entity_id"].to_list(), entities["key"].to_list(), strict=False))
    names = dict(zip(entities["entity_id"].to_list(), entities["name"].to_list(), strict=False))
    report_keys = dict(
        zip(reports["report_id"].to_list(), reports["report_key"].to_list(), strict=False)
    )
    ranked = predict(adj, blocks_for(adj, units), top, method, contexts)
    return [
        {
            "source": keys.get(a),
            "target": keys.get(b),
            "source_name": names.get(a),
            "target_name": names.get(b),
            "score": round(score, 6),
            "why": evidence(a, b, adj, units, contexts, names, report_keys),
        }
        for a, b, score in ranked
    ]
