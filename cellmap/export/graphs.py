"""GraphML and GEXF: the meta-network (every entity a node, every relationship statement an edge)
written through NetworkX, which is used here only as an export format."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from sqlalchemy import Connection

from cellmap.store import views


def meta_network(conn: Connection) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for row in views.entities(conn, resolved=False).iter_rows(named=True):
        graph.add_node(row["key"], kind=row["kind"], label=row["name"] or row["key"])
    key_of = dict(views.entities(conn, resolved=False).select("entity_id", "key").iter_rows())
    for row in views.relations(conn, resolved=False).iter_rows(named=True):
        attrs = {
            "kind": row["kind"],
            "role": row["role"],
            "valid_from": row["valid_from"] and row["valid_from"].isoformat(),
            "valid_to": row["valid_to"] and row["valid_to"].isoformat(),
            "end_reason": row["end_reason"],
            "attrs": row["attrs"],
            "report": row["report_key"],
            "grade": row["grade"],
        }
        graph.add_edge(
            key_of[row["source_id"]],
            key_of[row["target_id"]],
            **{k: v for k, v in attrs.items() if v is not None},
        )
    return graph


def write_graphml(conn: Connection, out: Path) -> dict[str, int]:
    graph = meta_network(conn)
    out.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(graph, out)
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


def write_gexf(conn: Connection, out: Path) -> dict[str, int]:
    graph = meta_network(conn)
    out.parent.mkdir(parents=True, exist_ok=True)
    nx.write_gexf(graph, out)
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
