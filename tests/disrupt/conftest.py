"""Shared fixtures of the disruption tests: the JJATT attack networks (read independently here)."""
from __future__ import annotations

from pathlib import Path

import igraph as ig
import polars as pl
import pytest

JJATT = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "jjatt_corenets"
JJATT_NETWORKS = sorted(p.name for p in JJATT.iterdir() if p.is_dir()) if JJATT.exists() else []


def jjatt_tables(name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    folder = JJATT / name
    nodes = pl.read_csv(next(folder.glob("*_Nodes_*.csv")), infer_schema_length=0)
    ties = pl.read_csv(next(folder.glob("*_Relations_*.csv")), infer_schema_length=0)
    return nodes, ties


def jjatt_graph(name: str) -> ig.Graph:
    """Undirected simple graph of one JJATT network (every tie of any period), vertices named by ID."""
    nodes, ties = jjatt_tables(name)
    names = nodes["ID"].str.strip_chars().unique(maintain_order=True).to_list()
    index = {n: i for i, n in enumerate(names)}
    # Two public files (CE, PAR) carry the person's ID in the Op_role column and leave ID empty.
    ends = ties.select(pl.coalesce(pl.col("ID").str.strip_chars().replace("", None),
                                   pl.col("Op_role").str.strip_chars()).alias("a"),
                       pl.col("Tie_ID").str.strip_chars().alias("b"))
    pairs = {tuple(sorted((index[a], index[b]))) for a, b in ends.iter_rows() if a != b}
    g = ig.Graph(n=len(names), edges=sorted(pairs))
    g.vs["name"] = names
    return g


@pytest.fixture(scope="session")
def jjatt():
    if not JJATT_NETWORKS:
        pytest.skip("../shared/datasets/jjatt_corenets not available")
    return {name: (jjatt_graph(name), jjatt_tables(name)[0]) for name in JJATT_NETWORKS}
