"""Run every benchmark module `bench/bench_*.py` (or those named on the command line).

Each module exposes `main() -> None`, prints its own table (cellmap vs the reference, with ratios),
and may write JSON results under `bench-output/`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench
from bench import goals


def main(argv: list[str]) -> int:
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.{name}").main()
        print(f"--- {name} done in {time.perf_counter() - started:.1f} s", flush=True)
    print(goals.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
