"""Import speed: 100,000 FtM entities (persons, cells, memberships, calls) into SQLite and PostgreSQL.

PostgreSQL is measured when CELLMAP_BENCH_PG_URL (or CELLMAP_TEST_PG_URL) names a server; a fresh
database is created there and dropped afterwards. CELLMAP_BENCH_SCALE=small uses 10,000 entities.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cellmap.ingest import import_files
from cellmap.store import open_store, views


def write_ftm(path: Path, n: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    cells = max(10, n // 50)
    persons = n // 2 - cells
    links = n - persons - cells
    report = {
        "id": "bench-report",
        "kind": "analyst_note",
        "grade": "C3",
        "title": "benchmark (synthetic)",
        "synthetic": True,
    }
    with open(path, "w", encoding="utf-8") as out:

        def put(entity: dict) -> None:
            entity["cellmap"] = {
                "report": report if put.first else "bench-report",
                **entity.get("cellmap", {}),
            }
            put.first = False
            out.write(json.dumps(entity) + "\n")

        put.first = True
        for c in range(cells):
            put(
                {
                    "id": f"cell-{c}",
                    "schema": "Organization",
                    "properties": {"name": [f"Cell {c}"]},
                    "cellmap": {"kind": "cell"},
                }
            )
        for p in range(persons):
            put(
                {
                    "id": f"p-{p}",
                    "schema": "Person",
                    "properties": {
                        "name": [f"Person {p} al-{rng.choice(['Raqqawi', 'Tadmuri', 'Babi'])}"],
                        "alias": [f"Abu {rng.choice(['Khalid', 'Omar', 'Yusuf', 'Bakr'])} {p}"],
                        "birthDate": [str(rng.randint(1965, 2002))],
                    },
                }
            )
        for i in range(links):
            if i % 2 == 0:
                put(
                    {
                        "id": f"m-{i}",
                        "schema": "Membership",
                        "properties": {
                            "member": [f"p-{rng.randrange(persons)}"],
                            "organization": [f"cell-{rng.randrange(cells)}"],
                            "role": ["fighter"],
                            "startDate": ["2020-01-01"],
                        },
                    }
                )
            else:
                put(
                    {
                        "id": f"c-{i}",
                        "schema": "Call",
                        "properties": {
                            "caller": [f"p-{rng.randrange(persons)}"],
                            "receiver": [f"p-{rng.randrange(persons)}"],
                            "date": [f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"],
                        },
                    }
                )
    return n


def measure(url: str, path: Path, n: int) -> dict:
    store = open_store(url)
    store.init()
    started = time.perf_counter()
    result = import_files(store, [path])
    seconds = time.perf_counter() - started
    with store.session() as conn:
        counts = views.counts(conn)
    store.close()
    return {
        "seconds": round(seconds, 2),
        "records_per_s": round(n / seconds),
        "added": result.added,
        "counts": counts,
    }


def main() -> None:
    n = 10_000 if os.environ.get("CELLMAP_BENCH_SCALE") == "small" else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.ftm.jsonl"
        write_ftm(path, n)
        results = {"entities": n, "sqlite": measure(str(Path(tmp) / "bench.sqlite"), path, n)}
        pg = os.environ.get("CELLMAP_BENCH_PG_URL") or os.environ.get("CELLMAP_TEST_PG_URL")
        if pg:
            name = f"cellmap_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(make_url(pg), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                results["postgresql"] = measure(
                    make_url(pg).set(database=name).render_as_string(False), path, n
                )
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        else:
            results["postgresql"] = "not measured: set CELLMAP_BENCH_PG_URL"
    for backend in ("sqlite", "postgresql"):
        r = results[backend]
        line = (
            f"{r['seconds']:>7.2f} s  {r['records_per_s']:>8,} records/s"
            if isinstance(r, dict)
            else r
        )
        print(f"import {n:,} FtM entities into {backend:<10}: {line}")
    out = Path("bench-output")
    out.mkdir(exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(results, indent=2))
