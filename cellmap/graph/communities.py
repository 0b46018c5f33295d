"""Cells from structure: Leiden communities, and how well they agree with the cells recorded in reports.

References
----------
Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing
well-connected communities. Scientific Reports 9, 5233.
Reichardt, J. & Bornholdt, S. (2006). Statistical mechanics of community detection (the resolution
parameter γ of modularity ``Q = 1/2m Σ_ij (A_ij − γ k_i k_j / 2m) δ(c_i, c_j)``).
Hubert, L. & Arabie, P. (1985). Comparing partitions (adjusted Rand index).
Danon, L. et al. (2005). Comparing community structure identification (normalised mutual information).
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import leidenalg
import polars as pl

__all__ = ["Communities", "leiden", "recorded_cells", "compare_with_recorded", "CellComparison"]


@dataclass
class Communities:
    """A partition of the vertices: ``membership[v]`` is v's community; ``quality`` is the modularity
    at the resolution used."""

    membership: list[int]
    quality: float
    resolution: float
    frame: pl.DataFrame  # node, label, community, size


def leiden(
    g: ig.Graph, resolution: float = 1.0, seed: int = 0, weighted: bool = True, iterations: int = -1
) -> Communities:
    """Leiden communities maximising modularity with resolution γ (RB configuration model).

    γ > 1 gives more, smaller groups; γ < 1 fewer, larger ones. ``iterations=-1`` iterates until the
    partition is stable. Seeded for repeatability. Cost: O(m) per iteration (Traag et al. 2019).
    Communities are numbered by decreasing size (ties: by smallest member).
    """
    weights = g.es["weight"] if weighted and "weight" in g.es.attributes() and g.ecount() else None
    part = leidenalg.find_partition(
        g,
        leidenalg.RBConfigurationVertexPartition,
        weights=weights,
        resolution_parameter=resolution,
        seed=seed,
        n_iterations=iterations,
    )
    raw = list(part.membership)
    groups: dict[int, list[int]] = {}
    for v, c in enumerate(raw):
        groups.setdefault(c, []).append(v)
    order = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    membership = [0] * g.vcount()
    for new, members in enumerate(order):
        for v in members:
            membership[v] = new
    quality = (
        g.modularity(membership, weights=weights, resolution=resolution) if g.ecount() else 0.0
    )
    sizes = [len(order[c]) for c in membership]
    frame = pl.DataFrame(
        {
            "node": g.vs["name"],
            "label": g.vs["label"] if "label" in g.vs.attributes() else g.vs["name"],
            "community": membership,
            "size": sizes,
        },
        schema={"node": pl.Utf8, "label": pl.Utf8, "community": pl.Int64, "size": pl.Int64},
    )
    return Communities(membership, float(quality), resolution, frame)


def recorded_cells(g: ig.Graph) -> pl.DataFrame:
    """Each vertex's recorded cell (``vertex, cell``) from the projection's memberships. A person
    recorded in several cells is compared on the first in key order (the choice is stated)."""
    mem = g["memberships"] if "memberships" in g.attributes() else None
    if mem is None or mem.height == 0:
        return pl.DataFrame(schema={"vertex": pl.Int64, "cell": pl.Utf8})
    return (
        mem.filter(pl.col("group_kind") == "cell")
        .sort("vertex", "group")
        .group_by("vertex", maintain_order=True)
        .agg(pl.col("group").first().alias("cell"))
    )


@dataclass
class CellComparison:
    """Agreement of structural communities with recorded cells, over persons with a recorded cell."""

    ari: float
    nmi: float
    compared: int
    mismatches: pl.DataFrame  # node, label, community, recorded_cell, community_cell


def compare_with_recorded(g: ig.Graph, communities: Communities) -> CellComparison:
    """Adjusted Rand index and normalised mutual information between the structural communities and
    the recorded cells, and the persons whose structural group differs from their recorded cell.

    Each community is labelled with the recorded cell most of its members belong to (ties: the
    first in key order); a person is listed when that cell is not among the person's recorded cells.
    ARI and NMI (arithmetic normalisation) come from igraph's ``compare_communities``.
    Cost: O(n + number of memberships).
    """
    cells = recorded_cells(g)
    if cells.height < 2:
        return CellComparison(
            float("nan"),
            float("nan"),
            cells.height,
            pl.DataFrame(
                schema={
                    "node": pl.Utf8,
                    "label": pl.Utf8,
                    "community": pl.Int64,
                    "recorded_cell": pl.Utf8,
                    "community_cell": pl.Utf8,
                }
            ),
        )
    verts = cells["vertex"].to_list()
    structural = [communities.membership[v] for v in verts]
    cell_ids = {c: i for i, c in enumerate(sorted(set(cells["cell"].to_list())))}
    recorded = [cell_ids[c] for c in cells["cell"].to_list()]
    ari = ig.compare_communities(structural, recorded, method="adjusted_rand")
    nmi = ig.compare_communities(structural, recorded, method="nmi")
    frame = cells.with_columns(pl.Series("community", structural, dtype=pl.Int64))
    majority = (
        frame.group_by("community", "cell")
        .agg(pl.len().alias("n"))
        .sort(["community", "n", "cell"], descending=[False, True, False])
        .group_by("community", maintain_order=True)
        .agg(pl.col("cell").first().alias("community_cell"))
    )
    all_cells = (
        g["memberships"]
        .filter(pl.col("group_kind") == "cell")
        .group_by("vertex")
        .agg(pl.col("group").alias("cells"))
    )
    names = g.vs["name"]
    labels = g.vs["label"] if "label" in g.vs.attributes() else names
    mismatches = (
        frame.join(majority, on="community")
        .join(all_cells, on="vertex")
        .filter(~pl.col("cells").list.contains(pl.col("community_cell")))
        .sort("vertex")
        .select(
            pl.col("vertex").map_elements(lambda v: names[v], return_dtype=pl.Utf8).alias("node"),
            pl.col("vertex").map_elements(lambda v: labels[v], return_dtype=pl.Utf8).alias("label"),
            "community",
            pl.col("cell").alias("recorded_cell"),
            "community_cell",
        )
    )
    return CellComparison(float(ari), float(nmi), len(verts), mismatches)
