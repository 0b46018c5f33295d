"""Benchmark: synthetic scenario generation (time, peak memory) and its import into SQLite.

Reference: the bare cost of writing the same bytes — every generated line parsed and serialised
again with `json` (and the CSV copied) — so the ratio shows what the simulation adds to plain I/O.
Each step runs in a child process so that its peak resident memory (VmHWM, bench/peak.py) is its own.

Scales (env CELLMAP_BENCH_SCALE): `small` = demo only; default = demo + a tenth of the large size
(10,000 persons, 100,000 communications, 100,000 incidents); `large` = demo + the full large size
(100,000 persons, 1,000,000 communications, 1,000,000 incidents; generation ≈ 5 min, import much longer).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench.peak import PEAK_KIB

SCALES = {
    "small": [("demo", {})],
    "default": [
        ("demo", {}),
        ("large/10", {"persons": 10_000, "incidents": 100_000, "comms": 100_000}),
    ],
    "large": [("demo", {}), ("large", {})],
}

CHILD = textwrap.dedent("""
    import json, sys, time
    step, args = sys.argv[1], json.loads(sys.argv[2])
    started = time.perf_counter()
    if step == "generate":
        from cellmap.scenario import generate
        manifest = generate(args["seed"], args["size"], args["out"], **args["counts"])
        extra = {"persons": manifest["persons_generated"]}
    elif step == "reference":
        import csv
        from pathlib import Path
        out = Path(args["out"])
        lines = 0
        with open(out / "copy.jsonl", "w", encoding="utf-8") as sink:
            for name in ("reports.jsonl", "entities.ftm.jsonl", "ground_truth.jsonl"):
                with open(out / name, encoding="utf-8") as source:
                    for line in source:
                        sink.write(json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")) + "\\n")
                        lines += 1
        with open(out / "incidents.csv", encoding="utf-8", newline="") as source, \\
                open(out / "copy.csv", "w", encoding="utf-8", newline="") as sink:
            writer = csv.writer(sink)
            for row in csv.reader(source):
                writer.writerow(row)
                lines += 1
        (out / "copy.jsonl").unlink(); (out / "copy.csv").unlink()
        extra = {"lines": lines}
    else:
        from cellmap.ingest import import_files
        from cellmap.scenario import scenario_files
        from cellmap.store import open_store
        store = open_store("sqlite:///" + args["db"]); store.init()
        result = import_files(store, scenario_files(args["out"]))
        extra = {"added": result.added}
    seconds = time.perf_counter() - started
    peak_mb = PEAK_KIB / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, **extra}))
""").replace("PEAK_KIB", PEAK_KIB)


def run_step(step: str, args: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, step, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    scale = os.environ.get("CELLMAP_BENCH_SCALE", "default")
    results = []
    with tempfile.TemporaryDirectory(prefix="cellmap-bench-scenario-") as tmp:
        for label, counts in SCALES.get(scale, SCALES["default"]):
            size = "demo" if label == "demo" else "large"
            out = str(Path(tmp) / label.replace("/", "_"))
            args = {"seed": 7, "size": size, "out": out, "counts": counts, "db": out + ".sqlite"}
            generated = run_step("generate", args)
            reference = run_step("reference", args)
            imported = run_step("import", args)
            megabytes = sum(p.stat().st_size for p in Path(out).iterdir()) / 1e6
            results.append(
                {
                    "size": label,
                    "persons": generated["persons"],
                    "lines": reference["lines"],
                    "megabytes": round(megabytes, 1),
                    "generate_s": round(generated["seconds"], 2),
                    "generate_peak_mb": round(generated["peak_mb"]),
                    "reference_s": round(reference["seconds"], 2),
                    "ratio": round(generated["seconds"] / reference["seconds"], 2),
                    "import_s": round(imported["seconds"], 2),
                    "import_peak_mb": round(imported["peak_mb"]),
                    "added": imported["added"],
                }
            )
    header = (
        "size",
        "persons",
        "lines",
        "megabytes",
        "generate_s",
        "generate_peak_mb",
        "reference_s",
        "ratio",
        "import_s",
        "import_peak_mb",
    )
    print(
        "scenario generation (cellmap) vs re-serialising the same lines (reference); SQLite import"
    )
    print("  ".join(f"{h:>16}" for h in header))
    for row in results:
        print("  ".join(f"{row[h]:>16}" for h in header))
    Path("bench-output").mkdir(exist_ok=True)
    Path("bench-output/scenario.json").write_text(
        json.dumps(results, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
