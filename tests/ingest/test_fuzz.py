"""The importers fuzzed at a modest count in every test run (`make fuzz` runs 100,000 inputs): files
drawn by the Hypothesis strategies of every format and mutations of real files are each stored whole,
or refused with an InputError naming the file while the store stays exactly as it was."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings

from cellmap.ingest import import_files
from tests.fuzz.mutate import mutate, seeds
from tests.fuzz.oracle import SAMPLE, Outcome, check_file, seeded_store
from tests.fuzz.strategies import FORMATS


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    store = seeded_store(folder)
    yield store, folder
    store.close()


def _no_failures(outcome: Outcome) -> None:
    assert outcome.crashes == []
    assert outcome.partial_writes == []


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_drawn_files_of_every_format(fuzz_store, name):
    store, folder = fuzz_store
    outcome = Outcome()

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(FORMATS[name])
    def run(drawn):
        suffix, data = drawn
        path = folder / f"{name}{suffix}"
        path.write_bytes(data)
        check_file(store, path, outcome)

    run()
    assert outcome.inputs >= 40
    _no_failures(outcome)


def test_mutations_of_real_files(fuzz_store):
    store, folder = fuzz_store
    corpus = seeds(folder, store)
    rng = random.Random(14)
    outcome = Outcome()
    for number in range(400):
        suffix, data = rng.choice(corpus)
        path = folder / f"mutated-{number % 4}{suffix}"
        path.write_bytes(mutate(data, rng, [c for s, c in corpus if s == suffix]))
        check_file(store, path, outcome)
    assert outcome.inputs == 400 and outcome.refused > 0
    _no_failures(outcome)


def test_mutations_of_real_files_on_every_backend(any_store, tmp_path):
    """The same on PostgreSQL, whose columns are stricter than SQLite's (lengths, 32-bit integers,
    no NUL): fewer inputs, the same oracle."""
    import_files(any_store, [SAMPLE])
    corpus = seeds(tmp_path, any_store)
    rng = random.Random(1414)
    outcome = Outcome()
    for number in range(150):
        suffix, data = rng.choice(corpus)
        path = tmp_path / f"mutated-{number % 4}{suffix}"
        path.write_bytes(mutate(data, rng, [c for s, c in corpus if s == suffix]))
        check_file(any_store, path, outcome)
    assert outcome.inputs == 150 and outcome.stored > 0 and outcome.refused > 0
    _no_failures(outcome)
