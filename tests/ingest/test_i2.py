"""i2 Analyst's Notebook files: read back with pandas by the column mapping the guide documents."""

from __future__ import annotations

import json
import re

import pandas as pd

from cellmap.export import export
from cellmap.ingest import import_files
from tests.conftest import REPO


def documented_columns() -> tuple[list[str], list[str]]:
    """The two column lists of the guide's i2 table (entities left, links right)."""
    text = (REPO / "docs" / "guide" / "import.md").read_text(encoding="utf-8")
    table = text[text.index("| entities.csv | i2 field |") :].split("\n\n")[0].splitlines()[2:]
    entities, links = [], []
    for row in table:
        cells = [c.strip() for c in row.strip("|").split("|")]
        entities.append(cells[0])
        links.extend(c.strip() for c in cells[3].split(","))
    return entities, [c for c in dict.fromkeys(links)]


def test_i2_files_load_by_the_documented_mapping(sqlite_store, sample_file, tmp_path):
    import_files(sqlite_store, [sample_file])
    written = export(sqlite_store, "i2", tmp_path / "i2")
    entities = pd.read_csv(tmp_path / "i2" / "entities.csv", dtype=str, keep_default_na=False)
    links = pd.read_csv(tmp_path / "i2" / "links.csv", dtype=str, keep_default_na=False)
    entity_columns, link_columns = documented_columns()
    assert list(entities.columns) == entity_columns
    assert set(links.columns) == set(link_columns) and len(links.columns) == len(link_columns)
    source = [json.loads(line) for line in sample_file.read_text().splitlines()]
    grade = {r["id"]: r["grade"] for r in source if r["record"] == "report"}
    relations = [r for r in source if r["record"] == "relation"]
    keys = {r["id"] for r in source if r["record"] in ("entity", "incident")}
    assert written == {"entities": len(keys), "links": len(relations)}
    assert set(entities["Entity ID"]) == keys
    # every link's ends are entities of the file, with the same i2 type
    type_of = dict(zip(entities["Entity ID"], entities["Entity Type"], strict=True))
    for _, link in links.iterrows():
        assert type_of[link["From Entity ID"]] == link["From Entity Type"]
        assert type_of[link["To Entity ID"]] == link["To Entity Type"]
    # each link: the relation's report, its grade split into reliability and credibility
    expected = sorted(
        (r["source"], r["target"], r["report"], grade[r["report"]][0], grade[r["report"]][1])
        for r in relations
    )
    got = sorted(
        links[
            ["From Entity ID", "To Entity ID", "Source Reference", "Grade 1", "Grade 2"]
        ].itertuples(index=False, name=None)
    )
    assert got == expected
    person = entities.set_index("Entity ID").loc["SAMPLE-P1"]
    assert person["Entity Type"] == "Person" and person["Label"] == "Abu Khalid al-Tadmuri"
    assert person["Source Reference"] == "SAMPLE-R1; SAMPLE-R2"
    assert (person["Grade 1"], person["Grade 2"]) == ("B", "2")  # the best of B2 and C3
    messenger = links[links["Label"] == "Member Of (messenger)"].iloc[0]
    assert (messenger["Date"], messenger["End Date"]) == ("2020-06-01", "2021-02-11")
    assert re.fullmatch(r"Ahead|None", messenger["Direction"])
    incident = entities.set_index("Entity ID").loc["SAMPLE-I1"]
    assert (incident["Entity Type"], incident["Date"]) == ("Event", "2021-04-09")
