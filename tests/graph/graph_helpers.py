"""Test helpers: public data sets in ../shared/datasets as igraph graphs, and igraph → NetworkX."""

from __future__ import annotations

from pathlib import Path

import igraph as ig
import networkx as nx
import polars as pl
import pytest

from cellmap.graph.projection import graph_from_edge_list

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
UCINET = SHARED / "ucinet_covert_networks"
MISSING = f"needs the public data sets in {SHARED} (the ../shared checkout beside the repository)"
# For a module whose every test reads the data sets: `pytestmark = needs_datasets`.
needs_datasets = pytest.mark.skipif(not SHARED.is_dir(), reason=MISSING)


def require_datasets() -> None:
    """Skip the calling test (or fixture) when the public data sets are not there."""
    if not SHARED.is_dir():
        pytest.skip(MISSING)


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


# Further public edge lists (from,to,weight): the Montagna operation (Calderoni et al. 2017).
MONTAGNA = [
    SHARED / "montagna_mafia" / "Montagna_meetings_edgelist.csv",
    SHARED / "montagna_mafia" / "Montagna_phonecalls_edgelist.csv",
]


def dataset_graph(spec) -> ig.Graph:
    """A UCINET graph given as (folder, prefix), or any edge-list CSV given as a path."""
    require_datasets()
    return graph_from_edge_list(spec) if isinstance(spec, Path) else ucinet_graph(*spec)


def ucinet_graph(folder: str, prefix: str) -> ig.Graph:
    """An UCINET covert network as a projection-shaped igraph graph (isolates from the nodes file kept)."""
    require_datasets()
    base = UCINET / folder
    edges_file = next(base.glob(f"{prefix}_edges.csv"))
    g = graph_from_edge_list(edges_file)
    nodes = pl.read_csv(base / f"{prefix}_nodes.csv", infer_schema_length=0)
    present = set(g.vs["name"])
    missing = [n for n in nodes["name"].to_list() if n not in present]
    if missing:
        g.add_vertices(
            len(missing),
            attributes={
                "name": missing,
                "label": missing,
                "kind": ["node"] * len(missing),
                "entity_id": [-1] * len(missing),
            },
        )
    return g


def to_networkx(g: ig.Graph) -> nx.Graph:
    """The same graph in NetworkX: vertex indices as nodes, igraph's edge weights."""
    h = nx.Graph()
    h.add_nodes_from(range(g.vcount()))
    weights = g.es["weight"] if "weight" in g.es.attributes() else [1.0] * g.ecount()
    h.add_weighted_edges_from(
        (a, b, w) for (a, b), w in zip(g.get_edgelist(), weights, strict=False)
    )
    return h


# ------------------------------------------------------------------ Noordin Top → cellmap CSV files
NOORDIN = SHARED / "noordin_top_139" / "csv"

# sheet file → (cellmap relation kind, affiliation entity kind or None for person–person, attr value)
NOORDIN_SHEETS = {
    "1_organizations_orgs_affiliations.csv": ("membership", "organisation", "organisation"),
    "2a_education_schools_affiliations.csv": ("membership", "organisation", "school"),
    "2b_classmates_edges.csv": ("association", None, "classmate"),
    "3_communication_ties_edges.csv": ("communication", None, "communication"),
    "4_kinship_ties_edges.csv": ("kinship", None, "kin"),
    "5_training_events_affiliations.csv": ("participation", "incident", "training_event"),
    "6_business_finance_affiliations.csv": ("membership", "organisation", "business"),
    "7_operations_affiliations.csv": ("participation", "incident", "operation"),
    "8_friendship_ties_edges.csv": ("association", None, "friend"),
    "9a_religious_affiliation_affiliations.csv": ("membership", "organisation", "religious"),
    "9b_soulmates_edges.csv": ("association", None, "soulmate"),
    "10_logistical_place_affiliations.csv": ("use", "site", "logistical_place"),
    "11_logistical_function_affiliations.csv": (
        "membership",
        "organisation",
        "logistical_function",
    ),
    "12_meetings_affiliations.csv": ("participation", "incident", "meeting"),
}


def write_noordin_cellmap_csv(out: Path) -> list[Path]:
    """Write the 13 Noordin Top relations (139 persons) as cellmap CSV files (docs/formats.md §3).

    One report per sheet (grade B2, a test choice: the data set carries no grades). Persons are
    ``NT-P-<row>``; affiliations ``NT-<sheet>-<n>``; the attribute "Primary Group Affiliation" becomes a
    membership in cell ``NT-CELL-<code>`` (reported in a separate report graded C3), so recorded cells exist.
    """
    require_datasets()
    out.mkdir(parents=True, exist_ok=True)
    attrs = pl.read_csv(NOORDIN / "13_attributes.csv", infer_schema_length=0)
    persons = attrs["actor"].to_list()
    pid = {name: f"NT-P-{i + 1:03d}" for i, name in enumerate(persons)}
    # A few sheets label an actor with an alias in parentheses ("Suramto (Deni)" for "Suramto"; README).
    aliased = {
        f"{name} ({alias})": name for name, alias in [("Suramto", "Deni"), ("Ismail1", "Muh Ikhwn")]
    }
    pid.update({label: pid[name] for label, name in aliased.items() if name in pid})
    reports = [
        (
            "NT-R-ATTR",
            "Noordin Top network: attributes (primary group)",
            "academic_dataset",
            "2011",
            "Roberts & Everton 2011, NPS CORE Lab",
            "C3",
        )
    ]
    entities = [(pid[p], "person", p, "NT-R-ATTR") for p in persons]
    relations: list[tuple] = []
    cells = sorted(
        {c for c in attrs["Primary Group Affiliation"].to_list() if c not in (None, "", "0", "99")}
    )
    entities += [(f"NT-CELL-{c}", "cell", f"Primary group {c}", "NT-R-ATTR") for c in cells]
    for actor, code in zip(persons, attrs["Primary Group Affiliation"].to_list(), strict=False):
        if code in cells:
            relations.append(
                ("membership", pid[actor], f"NT-CELL-{code}", "NT-R-ATTR", "primary_group")
            )
    for sheet, (kind, affil_kind, value) in NOORDIN_SHEETS.items():
        report = "NT-R-" + sheet.split("_")[0].upper()
        reports.append(
            (
                report,
                f"Noordin Top network: {sheet.removesuffix('.csv')}",
                "academic_dataset",
                "2011",
                "Roberts & Everton 2011, NPS CORE Lab",
                "B2",
            )
        )
        frame = pl.read_csv(NOORDIN / sheet, infer_schema_length=0)
        if affil_kind is None:
            for a, b in frame.select("source", "target").iter_rows():
                relations.append((kind, pid[a], pid[b], report, value))
        else:
            names = sorted(set(frame["affiliation"].to_list()))
            aid = {n: f"NT-{sheet.split('_')[0].upper()}-{i + 1:02d}" for i, n in enumerate(names)}
            entities += [(aid[n], affil_kind, " ".join(n.split()), report) for n in names]
            for actor, affil in frame.select("actor", "affiliation").iter_rows():
                relations.append((kind, pid[actor], aid[affil], report, value))
    files = []
    for name, header, rows in [
        ("reports.csv", ["id", "title", "kind", "date", "source", "grade"], reports),
        ("entities.csv", ["id", "kind", "name", "report"], entities),
        ("relations.csv", ["kind", "source", "target", "report", "relationship"], relations),
    ]:
        path = out / name
        pl.DataFrame(rows, schema=header, orient="row").write_csv(path)
        files.append(path)
    return files
