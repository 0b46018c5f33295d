"""Import speed: 100,000 FtM entities (persons, cells, memberships, calls) into SQLite and PostgreSQL,
each by a whole `cellmap import` process (what a user runs: start, parse, validate, write, commit),
with its peak memory; lines/s beside the goals of issue 16.

PostgreSQL is measured when CELLMAP_BENCH_PG_URL (or CELLMAP_TEST_PG_URL) names a server; a fresh
database is created there and dropped afterwards. CELLMAP_BENCH_SCALE=small uses 10,000 entities.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.goals import check
from bench.peak import RUN_MODULE
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
    """One `cellmap import` process into a new store at `url`: seconds, lines/s, peak memory (RSS)."""
    store = open_store(url)
    store.init()
    store.close()
    with (
        tempfile.TemporaryDirectory() as tmp,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        peak_file = Path(tmp) / "peak"
        command = ["cellmap.cli", "import", str(path), "--db", url, "--json"]
        started = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-c", RUN_MODULE, str(peak_file), *command], stdout=out, stderr=err
        )
        seconds = time.perf_counter() - started
        out.seek(0), err.seek(0)
        if child.returncode:
            raise RuntimeError(err.read().decode())
        result = json.loads(out.read())
        peak_kib = int(peak_file.read_text())
    store = open_store(url)
    with store.session() as conn:
        counts = views.counts(conn)
    store.close()
    return {
        "seconds": round(seconds, 2),
        "lines_per_s": round(n / seconds),
        "peak_rss_mb": round(peak_kib / 1024),
        "added": result["added"],
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
    for backend, target in (("sqlite", 50_000), ("postgresql", 100_000)):
        r = results[backend]
        if not isinstance(r, dict):
            print(f"import into {backend}: {r}")
            continue
        print(
            f"cellmap import of {n:,} FtM lines into {backend:<10}: {r['seconds']:>7.2f} s, "
            f"peak memory {r['peak_rss_mb']} MB"
        )
        check(f"import into {backend}, whole process", r["lines_per_s"], target, "lines/s")
    out = Path("bench-output")
    out.mkdir(exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(results, indent=2))
