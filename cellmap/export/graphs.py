"""GraphML and GEXF: the meta-network (every entity a node, every relationship statement an edge)
written through NetworkX, which is used here only as an export format.

Both keep each relationship's validity as `valid_from` / `valid_to` attributes (ISO dates). The GEXF
file is also *dynamic* (GEXF 1.2 `mode="dynamic"`, `timeformat="date"`): each edge has the spell of
its validity (an event — a call, meeting, payment, strike — the day of its `date` attribute) and
each node the spell from its first relationship's start to its last one's end (open
when one of them is open, none when no relationship of it is dated), so Gephi's timeline plays the
network's history. Elements without a spell are present throughout, as GEXF specifies.
"""

from __future__ import annotations

import datetime as dt
import json
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


def _event_day(attrs: str | None) -> str | None:
    """The ISO day of an event relation (its `date` attribute), if it has a valid one."""
    if not attrs:
        return None
    day = json.loads(attrs).get("date")
    try:
        return dt.date.fromisoformat(day).isoformat() if isinstance(day, str) else None
    except ValueError:
        return None


def with_spells(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the meta-network whose edges carry the spell of their validity and whose nodes the
    spell that covers their edges' (see the module docstring); `mode` is 'dynamic'. O(n + m)."""
    dynamic = graph.copy()
    dynamic.graph["mode"] = "dynamic"
    periods: dict[str, list[tuple[str | None, str | None]]] = {}
    for u, v, data in dynamic.edges(data=True):
        start, end = data.get("valid_from"), data.get("valid_to")
        if start is None and end is None:
            start = end = _event_day(data.get("attrs"))
        if start is None:
            continue
        data["spells"] = [(start, end)]
        for node in (u, v):
            periods.setdefault(node, []).append((start, end))
    for node, spans in periods.items():
        starts = [s for s, _ in spans if s is not None]
        ends = [e for _, e in spans if e is not None]
        # one open-ended tie leaves the node's spell open at that end
        first = min(starts) if len(starts) == len(spans) else None
        last = max(ends) if len(ends) == len(spans) else None
        dynamic.nodes[node]["spells"] = [(first, last)]
    return dynamic


def write_gexf(conn: Connection, out: Path) -> dict[str, int]:
    graph = with_spells(meta_network(conn))
    out.parent.mkdir(parents=True, exist_ok=True)
    nx.write_gexf(graph, out)
    spells = sum(1 for *_, data in graph.edges(data=True) if "spells" in data)
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "edges with spells": spells,
    }
