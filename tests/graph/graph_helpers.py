"""Test helpers: public data sets in ../shared/datasets as igraph graphs, and igraph → NetworkX."""
from __future__ import annotations

from pathlib import Path

import igraph as ig
import networkx as nx
import polars as pl

from cellmap.graph.projection import graph_from_edge_list

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
UCINET = SHARED / "ucinet_covert_networks"

# (folder, graph prefix): small covert networks, some weighted, some with isolates.
UCINET_GRAPHS = [
    ("covert_2_9_11_hijackers", "01_9_11_HIJACKERS_ASSOCIATES"),
    ("covert_2_9_11_hijackers", "02_9_11_HIJACKERS_PRIORCONTACTS"),
    ("covert_26_jemaah_islamiyah_koschade", "01_JI_KOSCHADE"),
    ("covert_41_siren", "01_SIREN"),
    ("covert_10_caviar", "01_CAVIAR_FULL"),
    ("covert_34_noordin_top", "03_NOORDINTOP_COMMUNICATIONS"),
    ("covert_38_provisional_irish_republican_army", "03_60_PERIOD3_NET"),
]


def ucinet_graph(folder: str, prefix: str) -> ig.Graph:
    """An UCINET covert network as a projection-shaped igraph graph (isolates from the nodes file kept)."""
    base = UCINET / folder
    edges_file = next(base.glob(f"{prefix}_edges.csv"))
    g = graph_from_edge_list(edges_file)
    nodes = pl.read_csv(base / f"{prefix}_nodes.csv", infer_schema_length=0)
    present = set(g.vs["name"])
    missing = [n for n in nodes["name"].to_list() if n not in present]
    if missing:
        g.add_vertices(len(missing), attributes={"name": missing, "label": missing, "kind": ["node"] * len(missing),
                                                 "entity_id": [-1] * len(missing)})
    return g


def to_networkx(g: ig.Graph) -> nx.Graph:
    """The same graph in NetworkX: vertex indices as nodes, igraph's edge weights."""
    h = nx.Graph()
    h.add_nodes_from(range(g.vcount()))
    weights = g.es["weight"] if "weight" in g.es.attributes() else [1.0] * g.ecount()
    h.add_weighted_edges_from((a, b, w) for (a, b), w in zip(g.get_edgelist(), weights))
    return h
