"""Shared fixtures of the disruption tests: the JJATT attack networks (read independently here)."""

from __future__ import annotations

import json
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
    ends = ties.select(
        pl.coalesce(
            pl.col("ID").str.strip_chars().replace("", None), pl.col("Op_role").str.strip_chars()
        ).alias("a"),
        pl.col("Tie_ID").str.strip_chars().alias("b"),
    )
    pairs = {tuple(sorted((index[a], index[b]))) for a, b in ends.iter_rows() if a != b}
    g = ig.Graph(n=len(names), edges=sorted(pairs))
    g.vs["name"] = names
    return g


@pytest.fixture(scope="session")
def jjatt():
    if not JJATT_NETWORKS:
        pytest.skip("../shared/datasets/jjatt_corenets not available")
    return {name: (jjatt_graph(name), jjatt_tables(name)[0]) for name in JJATT_NETWORKS}


# A small hand-made organisation (synthetic, fictional): leader L (deputy K1), council K1, K2, sector head H of
# sector S with cells C1 (drop D1 served by M1) and C2 (messenger M2); L arrested 2021-02-01, H struck 2021-05-01.
R = {
    "id": "R-1",
    "title": "synthetic test report",
    "kind": "analyst_note",
    "date": "2021-06-01",
    "source": "test",
    "grade": "B2",
    "synthetic": True,
}


def rec(**kw):
    return json.dumps({**kw, "report": "R-1"})


def store_lines() -> list[str]:
    lines = [json.dumps({"record": "report", **R})]
    ents = {
        "O": "organisation",
        "CT": "organisation",
        "S": "sector",
        "C1": "cell",
        "C2": "cell",
        "D1": "site",
    }
    ents.update({p: "person" for p in ("L", "K1", "K2", "H", "M1", "F1", "M2", "F2")})
    for key, kind in ents.items():
        props = {"name": [f"Test {key}"]}
        if key == "D1":
            props["site_kind"] = ["message_drop"]
        lines.append(rec(record="entity", id=key, kind=kind, properties=props))
    roles = [
        ("L", "O", "leader", "2019-01-01", "2021-02-01", "arrested"),
        ("K1", "O", "council_member", "2019-01-01", None, None),
        ("K2", "O", "council_member", "2019-01-01", None, None),
        ("H", "S", "sector_head", "2020-01-01", "2021-05-01", "killed"),
        ("M1", "C1", "messenger", "2019-01-01", None, None),
        ("F1", "C1", "fighter", "2019-01-01", None, None),
        ("M2", "C2", "messenger", "2019-01-01", None, None),
        ("F2", "C2", "fighter", "2019-01-01", None, None),
    ]
    for i, (p, unit, role, start, end, why) in enumerate(roles):
        lines.append(
            rec(
                record="relation",
                id=f"M-{i}",
                kind="membership",
                source=p,
                target=unit,
                role=role,
                valid_from=start,
                valid_to=end,
                end_reason=why,
            )
        )
    ties = [
        ("L", "K1"),
        ("L", "K2"),
        ("K1", "H"),
        ("K2", "H"),
        ("H", "M1"),
        ("M1", "F1"),
        ("H", "M2"),
        ("M2", "F2"),
    ]
    for i, (a, b) in enumerate(ties):
        lines.append(rec(record="relation", id=f"T-{i}", kind="communication", source=a, target=b))
    lines += [
        rec(record="relation", id="P-1", kind="part_of", source="C1", target="S"),
        rec(record="relation", id="P-2", kind="part_of", source="C2", target="S"),
        rec(record="relation", id="U-1", kind="use", source="C1", target="D1"),
        rec(record="relation", id="U-2", kind="use", source="M1", target="D1"),
        rec(
            record="relation",
            id="D-1",
            kind="command",
            source="L",
            target="K1",
            attrs={"relationship": "deputy"},
        ),
        rec(
            record="relation",
            id="X-1",
            kind="ct_action",
            source="CT",
            target="H",
            attrs={"date": "2021-05-01", "action": "strike", "outcome": "killed"},
        ),
    ]
    return lines


@pytest.fixture
def small_store(tmp_path) -> str:
    """URL of a tmp SQLite store holding :func:`store_lines`, imported through cellmap's importer."""
    from cellmap.ingest import import_files
    from cellmap.store import open_store

    path = tmp_path / "org.jsonl"
    path.write_text("\n".join(store_lines()) + "\n")
    url = "sqlite:///" + str(tmp_path / "s.sqlite")
    store = open_store(url)
    store.init()
    import_files(store, [path])
    return url
