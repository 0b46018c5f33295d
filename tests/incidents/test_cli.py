"""`cellmap incidents ...` end to end through a real store: the hand-made file and the ACLED sample."""

import json

from typer.testing import CliRunner

from cellmap.cli import app

from .conftest import DATA


def test_trends_places_attribute_coherence(tmp_path):
    db = str(tmp_path / "s.sqlite")
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "--db", db, str(DATA / "yoy_hand.jsonl")])
    assert imported.exit_code == 0, imported.output
    trends = runner.invoke(app, ["incidents", "trends", "--db", db, "--year", "2022", "--json"])
    assert trends.exit_code == 0, trends.output
    yoy = {
        r["method"]: (r["previous"], r["current"])
        for r in json.loads(trends.stdout)["year_on_year"]
    }
    assert yoy == {
        "completed_operations": (20, 9),
        "all_operations": (30, 20),
        "all_incidents": (60, 48),
    }

    geojson = tmp_path / "map.geojson"
    places = runner.invoke(
        app, ["incidents", "places", "--db", db, "--geojson", str(geojson), "--json"]
    )
    assert places.exit_code == 0, places.output
    areas = json.loads(places.stdout)["areas"]
    assert (
        sum(a["incidents"] for a in areas if a["area"] == "triangle") == 108
    )  # all at 34.5 N 38.3 E
    assert json.loads(geojson.read_text())["type"] == "FeatureCollection"

    for command in (
        ["incidents", "attribute"],
        ["incidents", "coherence", "--shuffles", "99"],
        ["incidents", "trends"],
    ):
        result = runner.invoke(app, [*command, "--db", db])
        assert result.exit_code in (0, 2), (
            result.output
        )  # 2: a clear user error (the file has no cells)


def test_acled_reimport_adds_nothing(tmp_path):
    db = str(tmp_path / "s.sqlite")
    runner = CliRunner()
    for _ in range(2):
        assert (
            runner.invoke(app, ["import", "--db", db, str(DATA / "acled_sample.csv")]).exit_code
            == 0
        )
    trends = runner.invoke(app, ["incidents", "trends", "--db", db, "--json"])
    yearly = json.loads(trends.stdout)["breakdown"]
    assert sum(r["incidents"] for r in yearly) == 7
    # ACLED's deletions list retires SYR90007 (the aborted attack).
    assert (
        runner.invoke(app, ["import", "--db", db, str(DATA / "acled_deleted_sample.csv")]).exit_code
        == 0
    )
    yearly = json.loads(runner.invoke(app, ["incidents", "trends", "--db", db, "--json"]).stdout)[
        "breakdown"
    ]
    assert sum(r["incidents"] for r in yearly) == 6
    assert not [r for r in yearly if r["outcome"] == "aborted"]


def test_incident_summary_on_a_store(tmp_path):
    from cellmap.incidents.headlines import incident_summary
    from cellmap.ingest import import_files
    from cellmap.store import open_store
    from cellmap.store.case import CaseFrames

    store = open_store("sqlite:///" + str(tmp_path / "s.sqlite"))
    store.init()
    import_files(store, [DATA / "yoy_hand.jsonl"])
    with store.session() as conn:
        frames = CaseFrames.from_connection(conn)
    summary = incident_summary(frames, year=2022, shuffles=99)
    changes = {r["method"]: round(r["change"], 4) for r in summary["year_on_year"]}
    assert changes == {
        "completed_operations": -0.55,
        "all_operations": -0.3333,
        "all_incidents": -0.2,
    }
    assert (
        summary["triangle_share_by_year"] == {2021: 1.0, 2022: 1.0} and summary["coherence"] == []
    )


def test_acled_edit_and_gtd_import_through_the_store(tmp_path):
    from cellmap.ingest import import_files
    from cellmap.store import open_store
    from cellmap.store.case import CaseFrames

    store = open_store("sqlite:///" + str(tmp_path / "s.sqlite"))
    store.init()
    import_files(store, [DATA / "acled_sample.csv", DATA / "gtd_sample.csv"])
    original = (DATA / "acled_sample.csv").read_text(encoding="utf-8").splitlines()
    edited = [original[0]] + [
        line.replace(
            'vehicle east of Tadmor.",2,,1644019200', 'vehicle east of Tadmor.",5,,1650000000'
        )
        for line in original[1:]
        if line.startswith("SYR90002")
    ]
    assert edited[1] != [line for line in original if line.startswith("SYR90002")][0]
    (tmp_path / "acled_edit.csv").write_text("\n".join(edited) + "\n", encoding="utf-8")
    import_files(store, [tmp_path / "acled_edit.csv"])
    with store.session() as conn:
        incidents = CaseFrames.from_connection(conn).incidents
    assert incidents.height == 7 + 6
    edited_row = incidents.filter(incidents["key"] == "ACLED-SYR90002").row(0, named=True)
    assert edited_row["fatalities"] == 5 and edited_row["type"] == "ied"
    gtd = incidents.filter(incidents["source_dataset"] == "GTD")
    assert sorted(gtd["outcome"].to_list()) == ["completed"] * 4 + ["failed", "foiled"]
