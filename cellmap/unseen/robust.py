"""How sure each answer is: the analyses re-run over samples of the networks the reports may describe.

Definition. A headline answer (this man is a key player, he is among the 10 highest by betweenness,
this cell is coordinated) is computed on what the reports happen to record. Borgatti, Carley &
Krackhardt (2006, "On the robustness of centrality measures under conditions of imperfect data",
Social Networks 28) showed that such answers degrade as nodes and ties go missing or are added in
error; Wang, Shi, McFarland & Leskovec (2012, "Measurement error in network data: a
re-classification", Social Networks 34) add false merges and splits of identities. Here every
source of error the store knows about is drawn at once, and the answer is recomputed on each draw.
Sample s = 1..N draws independently (numpy's PCG64 seeded by ``seed``):

1. reports: each report is kept with probability π(grade) = reliability factor × credibility
   factor (``schema/robustness.yaml``); a statement lives when its report is kept;
2. merges: each automatic "same" judgement is kept with the matcher's score as its probability
   (an analyst's judgement always); the person records form identities by the kept judgements, a
   refinement of the plain resolution;
3. missing ties: every unlinked pair in the same unit or two steps apart (the block model's
   candidates in ``analyse links --method sbm``; the default ``context`` score is not a probability)
   is tied with probability 1 − exp(−λ_ij), λ_ij the expected ties of the degree-corrected block
   model (Karrer & Newman 2011: ties are Poisson with mean λ_ij) fitted to the plain network;
4. unseen members: in each stratum of ``estimate hidden`` (a cell, the command level, no known
   unit) U = round(max(0, N̂ − n + σ z)) members are added, z standard normal and σ the stratum
   interval's lower or upper half-width over its normal quantile (a split normal); each copies the
   degree of a random seen member of the stratum and is tied to that many random seen members.

Each conclusion is drawn on each sample graph; a person's share is the fraction of samples in which
it holds for him (for an identity split by an undone merge: for any of its parts). With nothing
perturbed every sample is the plain graph and every share is 0 or 1: the plain answer.
Cost: per sample O(R + P + U·d) to draw (R statements, P candidate pairs, U unseen members of
degree d) plus the analysis (exact betweenness O(n m), the key-player search).

Example:
    >>> model = RobustModel.from_frames(relations, entities, reports, judgements)  # doctest: +SKIP
    >>> robustness(model, samples=100, seed=1)["persons"][0]  # doctest: +SKIP
    {'node': 'P-…', 'label': '…', 'key_player': 0.83, 'top10': {'betweenness': 0.97, ...}, ...}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import polars as pl
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from cellmap import model as schema
from cellmap.graph import measures as m
from cellmap.graph.keyplayers import key_players
from cellmap.graph.parallel import default_workers, worker_pool
from cellmap.unseen.capture import CHI2_1

#: What a sample may perturb (all by default).
PERTURBATIONS = ("reports", "merges", "ties", "unseen")
#: The measures whose top 10 is counted, computed as ``analyse measures`` computes them.
MEASURES: dict[str, Callable[[ig.Graph], np.ndarray]] = {
    "degree": m.degree,
    "betweenness": lambda g: m.betweenness(g)[0],
    "harmonic": m.harmonic_closeness,
    "eigenvector": lambda g: m.eigenvector(g, True),
    "pagerank": lambda g: m.pagerank(g, weighted=True),
}
PREDICTED = "predicted"  # the relation kind of a drawn missing tie (weight 1, like any kind)


@dataclass
class RobustModel:
    """Everything a sample draws from, prepared once (arrays over person records and statements)."""

    records: np.ndarray  # person record entity ids
    identity: np.ndarray  # per record: index of its plain (resolved) identity
    identities: list[int]  # plain identities' entity ids (sorted: the plain graph's vertex order)
    keys: list[str]
    labels: list[str]
    statement_ends: np.ndarray  # (S, 2) record indices of person–person statements
    statement_kind: np.ndarray  # (S,) kind code
    statement_report: np.ndarray  # (S,) report index
    report_keep: np.ndarray  # (Rp,) inclusion probability of each report
    merge_pairs: np.ndarray  # (J, 2) record indices of the "same" judgements
    merge_keep: np.ndarray  # (J,) probability the judgement holds
    tie_pairs: np.ndarray  # (P, 2) identity indices of candidate missing ties
    tie_probability: np.ndarray  # (P,)
    strata: list[tuple[np.ndarray, float, float, float]] = field(default_factory=list)
    # per stratum: seen members (identity indices), unseen N̂ − n, σ below, σ above
    plain_degree: np.ndarray = field(default_factory=lambda: np.zeros(0))
    inclusion: dict[str, float] = field(default_factory=dict)
    kinds: int = 0

    @classmethod
    def from_frames(
        cls,
        relations: pl.DataFrame,
        entities: pl.DataFrame,
        reports: pl.DataFrame,
        judgements: pl.DataFrame,
        perturb: Sequence[str] = PERTURBATIONS,
    ) -> RobustModel:
        """From unresolved `relations`, `entities` (with ``canonical_id``), `reports` and the
        latest judgements (``views.latest_judgements``). Missing ties and unseen members are fitted
        on the resolved network, as ``analyse links`` and ``estimate hidden`` fit them."""
        unknown = sorted(set(perturb) - set(PERTURBATIONS))
        if unknown:
            raise ValueError(f"perturb: {', '.join(unknown)} not in {', '.join(PERTURBATIONS)}")
        people = entities.filter(pl.col("kind") == "person").sort("entity_id")
        records = people["entity_id"].to_numpy()
        canonical = people["canonical_id"].to_numpy()
        plain = people.filter(pl.col("canonical_id") == pl.col("entity_id"))
        identities = plain["entity_id"].to_list()
        ident_index = {e: i for i, e in enumerate(identities)}
        identity = np.array([ident_index[c] for c in canonical], dtype=np.int64)
        record_index = {int(e): i for i, e in enumerate(records)}
        labels = [n if n is not None else k for k, n in plain.select("key", "name").iter_rows()]

        person_ties = relations.filter(
            pl.col("source_id").is_in(list(record_index))
            & pl.col("target_id").is_in(list(record_index))
            & (pl.col("source_id") != pl.col("target_id"))
        )
        kind_codes = {k: i for i, k in enumerate(sorted(set(person_ties["kind"].to_list())))}
        kind_codes[PREDICTED] = len(kind_codes)
        report_ids = reports["report_id"].to_list()
        report_index = {r: i for i, r in enumerate(report_ids)}
        inclusion = schema.report_inclusion()
        if "reports" in perturb:
            keep = [
                inclusion.get(f"{r or 'F'}{c or 6}", inclusion["F6"])
                for r, c in reports.select("reliability", "credibility").iter_rows()
            ]
        else:
            keep = [1.0] * len(report_ids)
        ends = np.array(
            [
                (record_index[a], record_index[b])
                for a, b in person_ties.select("source_id", "target_id").iter_rows()
            ],
            dtype=np.int64,
        ).reshape(-1, 2)

        same = judgements.filter(
            (pl.col("decision") == "same")
            & pl.col("left_id").is_in(list(record_index))
            & pl.col("right_id").is_in(list(record_index))
        )
        merge_pairs = np.array(
            [
                (record_index[a], record_index[b])
                for a, b in same.select("left_id", "right_id").iter_rows()
            ],
            dtype=np.int64,
        ).reshape(-1, 2)
        merge_keep = np.array(
            [
                min(max(float(s), 0.0), 1.0)
                if auto and "merges" in perturb and s is not None
                else 1.0
                for s, auto in same.select("score", "automatic").iter_rows()
            ],
            dtype=np.float64,
        )

        resolved = _resolved(relations, people)
        tie_pairs, tie_probability = _missing_ties(
            resolved, reports, ident_index, "ties" in perturb
        )
        strata = (
            _unseen_strata(resolved, entities, reports, ident_index) if "unseen" in perturb else []
        )
        built = cls(
            records=records,
            identity=identity,
            identities=identities,
            keys=plain["key"].to_list(),
            labels=labels,
            statement_ends=ends,
            statement_kind=np.array(
                [kind_codes[k] for k in person_ties["kind"].to_list()], dtype=np.int64
            ),
            statement_report=np.array(
                [report_index.get(r, -1) for r in person_ties["report_id"].to_list()],
                dtype=np.int64,
            ),
            report_keep=np.asarray(keep, dtype=np.float64),
            merge_pairs=merge_pairs,
            merge_keep=merge_keep,
            tie_pairs=tie_pairs,
            tie_probability=tie_probability,
            strata=strata,
            inclusion={g: round(p, 4) for g, p in inclusion.items()},
            kinds=len(kind_codes),
        )
        plain_graph, _ = built.sample(None)
        built.plain_degree = np.asarray(plain_graph.degree(), dtype=np.int64)
        return built

    def sample(self, rng: np.random.Generator | None) -> tuple[ig.Graph, np.ndarray]:
        """One sample graph (``rng=None``: the plain graph) and each vertex's plain identity index
        (−1 for an unseen member). Vertices are ordered by (identity, first record), so that an
        unperturbed sample is the plain person graph vertex for vertex."""
        n_records = len(self.records)
        draw = (
            (lambda p: rng.random(len(p)) < p)
            if rng is not None
            else (lambda p: np.ones(len(p), bool))
        )
        merges = self.merge_pairs[draw(self.merge_keep)]
        joined = sp.coo_matrix(
            (np.ones(len(merges)), (merges[:, 0], merges[:, 1])), shape=(n_records, n_records)
        )
        count, component = connected_components(joined, directed=False)
        first = np.full(count, n_records, dtype=np.int64)
        np.minimum.at(first, component, np.arange(n_records))
        order = np.lexsort((first, self.identity[first]))
        rank = np.empty(count, dtype=np.int64)
        rank[order] = np.arange(count)
        vertex_of_record = rank[component]
        owner = self.identity[first[order]]
        # the vertex of each identity's canonical record (the first record of its identity)
        identity_vertex = np.searchsorted(owner, np.arange(len(self.identities)))

        kept = draw(self.report_keep)
        live = kept[self.statement_report] if len(self.statement_report) else np.zeros(0, bool)
        ends = vertex_of_record[self.statement_ends[live]]
        kinds = self.statement_kind[live]
        parts_ends, parts_kinds = [ends], [kinds]
        if len(self.tie_pairs):
            drawn = (
                self.tie_pairs[draw(self.tie_probability)]
                if rng is not None
                else self.tie_pairs[:0]
            )
            parts_ends.append(identity_vertex[drawn])
            parts_kinds.append(np.full(len(drawn), self.kinds - 1, dtype=np.int64))
        n = count
        if rng is not None:
            for members, unseen, below, above in self.strata:
                z = rng.standard_normal()
                added = int(round(max(0.0, unseen + (below if z < 0 else above) * z)))
                for _ in range(added):
                    degree = int(self.plain_degree[rng.choice(members)]) or 1
                    tied = rng.choice(members, size=min(degree, len(members)), replace=False)
                    parts_ends.append(
                        np.column_stack([np.full(len(tied), n), identity_vertex[tied]])
                    )
                    parts_kinds.append(np.full(len(tied), self.kinds - 1, dtype=np.int64))
                    n += 1
        all_ends = np.concatenate(parts_ends).reshape(-1, 2)
        all_kinds = np.concatenate(parts_kinds)
        loop = all_ends[:, 0] == all_ends[:, 1]
        all_ends, all_kinds = all_ends[~loop], all_kinds[~loop]
        pair = all_ends.min(axis=1) * n + all_ends.max(axis=1)
        # weight = number of distinct kinds stating the pair (the plain projection's default weights)
        distinct = np.unique(pair * self.kinds + all_kinds) // self.kinds
        unique_pairs, weight = np.unique(distinct, return_counts=True)
        g = ig.Graph(
            n=n, edges=np.column_stack([unique_pairs // n, unique_pairs % n]), directed=False
        )
        g.es["weight"] = weight.astype(np.float64).tolist()
        owners = np.concatenate([owner, np.full(n - count, -1, dtype=np.int64)])
        g.vs["name"] = [self.keys[o] if o >= 0 else f"unseen-{v}" for v, o in enumerate(owners)]
        g.vs["label"] = [self.labels[o] if o >= 0 else "(unseen)" for o in owners]
        return g, owners

    def expected(self) -> dict[str, float]:
        """What one sample changes on average: reports kept, merges undone, ties and members added."""
        return {
            "reports_kept": round(
                float(self.report_keep.mean()) if len(self.report_keep) else 1.0, 4
            ),
            "merges_undone": round(float((1 - self.merge_keep).sum()), 2),
            "ties_added": round(float(self.tie_probability.sum()), 2),
            "members_added": round(sum(max(u, 0.0) for _, u, _, _ in self.strata), 2),
        }


def _resolved(relations: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """`relations` with person records mapped to their plain identity (as ``views`` resolves them)."""
    mapping = dict(
        zip(people["entity_id"].to_list(), people["canonical_id"].to_list(), strict=False)
    )
    return relations.with_columns(
        pl.col(c).replace_strict(mapping, default=pl.col(c), return_dtype=pl.Int64)
        for c in ("source_id", "target_id")
    )


def _missing_ties(
    resolved: pl.DataFrame, reports: pl.DataFrame, ident_index: dict, enabled: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The block model's candidate pairs (``analyse links --method sbm``), each with probability
    1 − exp(−λ)."""
    empty = (np.zeros((0, 2), dtype=np.int64), np.zeros(0))
    if not enabled:
        return empty
    from cellmap.unseen.histories import capture_histories
    from cellmap.unseen.links import blocks_for, candidates, dcsbm_scores, person_ties

    people = capture_histories(resolved, reports)
    adj = person_ties(resolved, people)
    blocks = blocks_for(adj, {e: p.unit for e, p in people.items()})
    scores = dcsbm_scores(adj, blocks, candidates(adj, blocks))
    pairs = [(a, b) for a, b in sorted(scores) if a in ident_index and b in ident_index]
    if not pairs:
        return empty
    index = np.array([(ident_index[a], ident_index[b]) for a, b in pairs], dtype=np.int64)
    probability = 1.0 - np.exp(-np.array([scores[p] for p in pairs], dtype=np.float64))
    return index, probability


def _unseen_strata(
    resolved: pl.DataFrame, entities: pl.DataFrame, reports: pl.DataFrame, ident_index: dict
) -> list[tuple[np.ndarray, float, float, float]]:
    """Per stratum of ``estimate hidden``: its seen members, N̂ − n and the split-normal σs."""
    from cellmap.unseen.population import stratum_estimates

    z = math.sqrt(CHI2_1[0.9])
    strata = []
    for estimate, members in stratum_estimates(resolved, entities, reports).values():
        seen = np.array([ident_index[p] for p in members if p in ident_index], dtype=np.int64)
        if not len(seen):
            continue
        strata.append(
            (
                seen,
                estimate.estimate - estimate.observed,
                (estimate.estimate - estimate.low) / z,
                (estimate.high - estimate.estimate) / z,
            )
        )
    return strata


def _top(values: np.ndarray, names: list[str], top: int) -> np.ndarray:
    """Indices of the `top` vertices by value (positive values only), ties by name: as
    ``analyse measures`` sorts."""
    candidates = [i for i in np.flatnonzero(values > 0)]
    candidates.sort(key=lambda i: (-values[i], names[i]))
    return np.asarray(candidates[:top], dtype=np.int64)


def robustness(
    model: RobustModel,
    samples: int,
    seed: int = 0,
    k: int = 5,
    objective: str = "DF",
    top: int = 10,
    measures: Sequence[str] = tuple(MEASURES),
    key_player_options: dict[str, Any] | None = None,
    with_key_players: bool = True,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> dict:
    """Shares over `samples` samples: per person, of samples where he is a key player (set of `k`
    for `objective`) and where he is in the `top` by each measure; the plain answer beside them.

    ``{"samples", "seed", "k", "objective", "top", "expected", "inclusion", "persons": [{"node",
    "label", "key_player", "plain_key_player", "top": {measure: share}, "plain_top": [measures]}]}``,
    persons with any share or plain membership, by key-player share then best top share.
    Samples run on `workers` forked processes (default: every core; one where fork is not allowed);
    `progress(done)` is called after each batch."""
    if samples < 1:
        raise ValueError(f"samples: must be at least 1 (got {samples})")
    unknown = [x for x in measures if x not in MEASURES]
    if unknown:
        raise ValueError(f"measures: {', '.join(unknown)} not in {', '.join(MEASURES)}")
    options = {"workers": 1, **(key_player_options or {})}
    n_ident = len(model.identities)

    def conclusions(g: ig.Graph, owners: np.ndarray) -> tuple[set[int], dict[str, set[int]]]:
        names = g.vs["name"]
        players: set[int] = set()
        if with_key_players and g.vcount() > k:
            chosen = key_players(g, k, objective=objective, seed=seed, **options).indices
            players = {int(owners[i]) for i in chosen if owners[i] >= 0}
        ranked = {
            name: {int(owners[i]) for i in _top(MEASURES[name](g), names, top) if owners[i] >= 0}
            for name in measures
        }
        return players, ranked

    plain_players, plain_ranked = conclusions(*model.sample(None))
    player_count = np.zeros(n_ident, dtype=np.int64)
    top_count = {name: np.zeros(n_ident, dtype=np.int64) for name in measures}
    # one generator per sample: the same shares whatever the number of workers
    streams = np.random.SeedSequence(seed).spawn(samples)

    def one(index: int) -> tuple[set[int], dict[str, set[int]]]:
        return conclusions(*model.sample(np.random.default_rng(streams[index])))

    workers = max(1, min(workers if workers is not None else default_workers(), samples))
    done = 0
    with worker_pool(one, workers) as run:
        while done < samples:
            batch = range(done, min(samples, done + 2 * workers))
            for players, ranked in run(batch):
                player_count[list(players)] += 1
                for name, members in ranked.items():
                    top_count[name][list(members)] += 1
            done = batch.stop
            if progress is not None:
                progress(done)
    persons: list[dict[str, Any]] = []
    for i in range(n_ident):
        shares = {name: round(float(top_count[name][i]) / samples, 4) for name in measures}
        in_plain = [name for name in measures if i in plain_ranked[name]]
        if (
            player_count[i] == 0
            and not any(shares.values())
            and not in_plain
            and i not in plain_players
        ):
            continue
        persons.append(
            {
                "node": model.keys[i],
                "entity_id": int(model.identities[i]),
                "label": model.labels[i],
                "key_player": round(float(player_count[i]) / samples, 4)
                if with_key_players
                else None,
                "plain_key_player": i in plain_players if with_key_players else None,
                "top": shares,
                "plain_top": in_plain,
            }
        )
    persons.sort(
        key=lambda p: (-(p["key_player"] or 0), -max(p["top"].values(), default=0), p["node"])
    )
    return {
        "samples": samples,
        "seed": seed,
        "k": k if with_key_players else None,
        "objective": objective if with_key_players else None,
        "top": top,
        "measures": list(measures),
        "expected": model.expected(),
        "inclusion": model.inclusion,
        "persons": persons,
    }


def load_model(conn, perturb: Sequence[str] = PERTURBATIONS) -> RobustModel:
    """The model of a store connection's visible data (what the caller may see)."""
    from cellmap.store import views

    return RobustModel.from_frames(
        views.relations(conn, resolved=False),
        views.entities(conn),
        views.reports(conn),
        views.latest_judgements(conn),
        perturb,
    )


def robust_set(result: dict, threshold: float = 0.5, size: int | None = None) -> list[str]:
    """The persons who are key players in at least `threshold` of the samples (entity keys); with
    `size`, instead the `size` persons most often key players (share > 0; equal shares: plain key
    players first, then by key) — a set as large as the plain one, so that the two compare on
    recall."""
    if size is None:
        return [p["node"] for p in result["persons"] if (p["key_player"] or 0) >= threshold]
    ranked = sorted(
        (p for p in result["persons"] if (p["key_player"] or 0) > 0),
        key=lambda p: (-p["key_player"], not p["plain_key_player"], p["node"]),
    )
    return [p["node"] for p in ranked[:size]]


def _kept_reports(reports: pl.DataFrame, rng: np.random.Generator | None) -> set[int]:
    """The report ids one sample keeps, each by its grade's inclusion probability."""
    inclusion = schema.report_inclusion()
    ids = reports["report_id"].to_numpy()
    if rng is None:
        return set(ids.tolist())
    keep = np.array(
        [
            inclusion.get(f"{r or 'F'}{c or 6}", inclusion["F6"])
            for r, c in reports.select("reliability", "credibility").iter_rows()
        ]
    )
    return set(ids[rng.random(len(ids)) < keep].tolist())


def _identities(judgements: pl.DataFrame, rng: np.random.Generator | None) -> dict[int, int]:
    """Entity id -> the smallest id of its cluster under the kept "same" judgements (an automatic
    one kept with its score as probability; every one when `rng` is None), as views resolve them."""
    same = judgements.filter(pl.col("decision") == "same")
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for left, right, score, automatic in same.select(
        "left_id", "right_id", "score", "automatic"
    ).iter_rows():
        if rng is not None and automatic and score is not None and rng.random() >= score:
            continue
        a, b = find(left), find(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {x: find(x) for x in list(parent) if find(x) != x}


def _sampled(
    frame: pl.DataFrame, columns: Sequence[str], kept: set[int], mapping: dict[int, int]
) -> pl.DataFrame:
    """The rows of kept reports, their entity `columns` resolved by the sample's `mapping`."""
    frame = frame.filter(pl.col("report_id").is_in(list(kept)))
    if not mapping:
        return frame
    return frame.with_columns(
        pl.col(c).replace_strict(mapping, default=pl.col(c), return_dtype=pl.Int64) for c in columns
    )


def coherence_shares(
    relations: pl.DataFrame,
    entities: pl.DataFrame,
    incidents: pl.DataFrame,
    reports: pl.DataFrame,
    judgements: pl.DataFrame,
    label_cells: Callable[[pl.DataFrame, pl.DataFrame, pl.DataFrame], pl.DataFrame],
    samples: int,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
    perturb: Sequence[str] = ("reports", "merges"),
) -> dict[int, dict[str, float]]:
    """Per cell id: the share of `samples` samples in which `label_cells` labels it coordinated,
    and each label's share. A sample keeps each relation's and incident's report by its grade and
    each automatic merge by its score (steps 1 and 2 of the module); the command network has no
    drawn ties (a likely tie has no known kind). `relations`, `incidents` unresolved;
    ``label_cells(incidents, entities, relations)`` (resolved frames) returns ``cell_id, label``."""
    if samples < 1:
        raise ValueError(f"samples: must be at least 1 (got {samples})")
    counts: dict[int, dict[str, int]] = {}
    streams = np.random.SeedSequence(seed).spawn(samples)
    for done, stream in enumerate(streams, start=1):
        rng = np.random.default_rng(stream)
        kept = _kept_reports(reports, rng if "reports" in perturb else None)
        mapping = _identities(judgements, rng if "merges" in perturb else None)

        resolved_entities = entities.with_columns(
            pl.col("entity_id")
            .replace_strict(mapping, default=pl.col("entity_id"), return_dtype=pl.Int64)
            .alias("canonical_id")
        )
        table = label_cells(
            _sampled(incidents, ["attributed_to"], kept, mapping),
            resolved_entities,
            _sampled(relations, ["source_id", "target_id"], kept, mapping),
        )
        for cell, label in table.select("cell_id", "label").iter_rows():
            by_label = counts.setdefault(cell, {})
            by_label[label] = by_label.get(label, 0) + 1
        if progress is not None:
            progress(done)
    return {
        cell: {label: round(n / samples, 4) for label, n in sorted(by_label.items())}
        for cell, by_label in counts.items()
    }


def sample_sentence(samples: int, expected: dict[str, float]) -> str:
    """What the `samples` samples of a result did, in words (its ``expected`` changes)."""
    return (
        f"{samples} samples that keep each report by its grade ({expected['reports_kept']:.0%} of "
        f"them on average), undo about {expected['merges_undone']:,.0f} automatic merges (each "
        f"by its score), and add about {expected['ties_added']:,.0f} likely missing ties and "
        f"{expected['members_added']:,.0f} unseen members"
    )


def brief_robustness(
    model: RobustModel,
    samples: int = 20,
    seed: int = 0,
    k: int = 5,
    objective: str = "F",
    plain: Sequence[int] | None = None,
) -> dict:
    """For a brief (or any report): how sure the key players are.

    `plain`: the entity ids of the report's own key-player set (default: the set the samples find
    on the unperturbed network). ``{"samples", "seed", "k", "objective", "expected", "share":
    {entity id: share}, "others": [{"entity_id", "label", "share"}], "sentence"}``: each plain key
    player's share (0 when never one), the others who are key players in half the samples or more
    by share, and a sentence stating how many of the plain set hold in half the samples and what a
    sample changes."""
    result = robustness(model, samples, seed=seed, k=k, objective=objective, measures=(), workers=1)
    by_id = {p["entity_id"]: p for p in result["persons"]}
    if plain is None:
        plain = [i for i, p in by_id.items() if p["plain_key_player"]]
    share = {int(i): by_id[i]["key_player"] if i in by_id else 0.0 for i in plain}
    others = [
        {"entity_id": i, "label": p["label"], "share": p["key_player"]}
        for i, p in by_id.items()
        if i not in share and (p["key_player"] or 0) >= 0.5
    ]
    held = sum(1 for v in share.values() if v >= 0.5)
    sentence = (
        f"{held} of the {len(share)} key players stay key players in at least half of "
        f"{sample_sentence(samples, result['expected'])}."
    )
    return {
        "samples": samples,
        "seed": seed,
        "k": k,
        "objective": objective,
        "expected": result["expected"],
        "share": share,
        "others": others,
        "sentence": sentence,
    }
