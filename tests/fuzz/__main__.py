"""`python -m tests.fuzz --inputs 100000`: the big fuzz run (`make fuzz`).

Runs the mutation fuzzer and the Hypothesis strategies of every format against a SQLite store seeded
with the sample, in `--workers` processes (each with its own store), and prints the inputs, how many
were stored or refused, the crashes and the partial writes (each failing input is kept as a file).
Exits 1 on any crash or partial write.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tests.fuzz.oracle import Outcome, check_file, seeded_store


def mutation_run(worker: int, inputs: int, seed: int, folder: Path) -> Outcome:
    from tests.fuzz.mutate import mutate, seeds

    rng = random.Random(seed * 1000 + worker)
    work = folder / f"mutation-{worker}"
    work.mkdir(parents=True)
    store = seeded_store(work)
    corpus = seeds(work, store)
    outcome = Outcome()
    for number in range(inputs):
        suffix, data = rng.choice(corpus)
        others = [c for s, c in corpus if s == suffix]
        path = work / f"input-{number % 8}{suffix}"
        path.write_bytes(mutate(data, rng, others))
        check_file(store, path, outcome)
    store.close()
    return outcome


def structured_test(strategy, name: str, examples: int, store, work: Path, outcome: Outcome):
    """A Hypothesis test drawing `examples` files of one format and checking each."""
    from hypothesis import HealthCheck, given, settings

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(drawn):
        suffix, data = drawn
        path = work / f"{name}{suffix}"
        path.write_bytes(data)
        check_file(store, path, outcome)

    return run


def hypothesis_run(worker: int, inputs: int, seed: int, folder: Path) -> Outcome:
    from tests.fuzz.strategies import FORMATS

    work = folder / f"hypothesis-{worker}"
    work.mkdir(parents=True)
    store = seeded_store(work)
    outcome = Outcome()
    names = sorted(FORMATS)
    per_format = max(1, -(-inputs // len(names)))
    for name in names:
        random.seed(seed * 1000 + worker)
        structured_test(FORMATS[name], name, per_format, store, work, outcome)()
    store.close()
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs in all")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hypothesis-share", type=float, default=0.2)
    parser.add_argument(
        "--keep", type=Path, default=None, help="folder for the stores and failures"
    )
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cellmap-fuzz-"))
    structured = int(args.inputs * args.hypothesis_share) // args.workers
    mutated = -(-(args.inputs - structured * args.workers) // args.workers)  # at least --inputs
    started = time.perf_counter()
    total = Outcome()
    with ProcessPoolExecutor(args.workers) as pool:
        jobs = [
            pool.submit(mutation_run, w, mutated, args.seed, folder) for w in range(args.workers)
        ]
        jobs += [
            pool.submit(hypothesis_run, w, structured, args.seed, folder)
            for w in range(args.workers)
        ]
        for job in jobs:
            total.merge(job.result())
    seconds = time.perf_counter() - started
    print(
        f"fuzz: {total.inputs:,} inputs in {seconds:,.0f} s ({args.workers} workers, seed {args.seed}): "
        f"{total.stored:,} stored, {total.refused:,} refused, "
        f"{len(total.crashes)} crashes, {len(total.partial_writes)} partial writes"
    )
    for line in total.crashes[:20] + total.partial_writes[:20]:
        print("  " + line.replace("\n", "\n    "))
    print(f"stores and any failing inputs: {folder}")
    return 1 if total.crashes or total.partial_writes else 0


if __name__ == "__main__":
    sys.exit(main())
