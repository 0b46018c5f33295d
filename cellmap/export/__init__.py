"""Export the store: FollowTheMoney JSON lines, CSV, cellmap JSON lines, GraphML and GEXF.

FtM, CSV and cellmap JSON lines keep every statement with its report and grade, so an export imports
again (into any store) to the same counts. GraphML and GEXF carry the meta-network for other tools
(Gephi, yEd, Visone), each relationship an edge with its kind, role, dates, report and grade.
"""

from __future__ import annotations

from pathlib import Path

from cellmap.export import csvfiles, ftm, graphs, i2, jsonl, stix
from cellmap.store import Store

FORMATS = {
    "ftm": ftm.write,
    "jsonl": jsonl.write,
    "csv": csvfiles.write,
    "graphml": graphs.write_graphml,
    "gexf": graphs.write_gexf,
    "stix": stix.write,
    "i2": i2.write,
}


def export(store: Store, fmt: str, out: str | Path) -> dict[str, int]:
    """Write the store in `fmt` to `out` (a file; a directory for csv and i2). Returns what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    with store.session() as conn:
        return FORMATS[fmt](conn, Path(out))
