"""Durability and concurrency of the store, with real `cellmap import` processes: kill -9 at several
moments of an import leaves the store as it was (or, once it committed, with all of it), four importers at once all succeed, a new SQLite
file is private (0600), commits are synchronous=FULL, and a checker holds no write lock."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from cellmap.ingest import import_files, validate_files
from cellmap.store import WRITE_LOCK_KEY, open_store, views

REPO = Path(__file__).resolve().parents[2]
SHARED_PERSONS = 40


def write_case(path: Path, tag: str, persons: int) -> dict[str, int]:
    """A cellmap JSON lines file: one report, `persons` own persons plus SHARED_PERSONS persons every
    file names (the same keys in every file), each person with a name, a chain of contacts. Returns
    what it holds."""
    lines = [{"record": "report", "id": f"R-{tag}", "grade": "C3", "title": f"report {tag}"}]
    keys = [f"P-shared-{i}" for i in range(SHARED_PERSONS)] + [
        f"P-{tag}-{i}" for i in range(persons)
    ]
    for key in keys:
        lines.append(
            {
                "record": "entity",
                "id": key,
                "kind": "person",
                "report": f"R-{tag}",
                "properties": {"name": [f"Name {key} ({tag})"]},
            }
        )
    for a, b in zip(keys, keys[1:], strict=False):
        lines.append(
            {"record": "relation", "kind": "communication", "source": a, "target": b,
             "report": f"R-{tag}", "attrs": {"count": 1}}
        )  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return {"persons": len(keys), "relations": len(keys) - 1}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cellmap.cli", *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}


def counts(store) -> dict[str, int]:
    with store.session() as conn:
        return views.counts(conn)


def test_new_sqlite_store_is_private_and_durable(tmp_path):
    store = open_store(tmp_path / "new" / "case.sqlite")
    store.init()
    mode = stat.S_IMODE(os.stat(tmp_path / "new" / "case.sqlite").st_mode)
    assert mode == 0o600
    with store.session() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 60_000
    import_files(store, [REPO / "cellmap" / "data" / "sample" / "sample.jsonl"])
    for suffix in ("-wal", "-shm"):
        side = tmp_path / "new" / f"case.sqlite{suffix}"
        if side.exists():
            assert stat.S_IMODE(os.stat(side).st_mode) == 0o600
    store.close()


def _hold_write_lock(store):
    """A connection holding the store's write lock (as an importer would), and its transaction."""
    holder = store.engine.connect().execution_options(cellmap_write=True)
    transaction = holder.begin()
    if store.dialect == "postgresql":
        holder.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
    return holder, transaction


def _waiting_for_the_lock(store, procs) -> bool:
    """True once every process waits for the write lock: on PostgreSQL its advisory lock request is
    not granted; on SQLite it has opened the store (its WAL file) and is still running."""
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            waiting = conn.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            ).scalar()
        return waiting == len(procs)
    wal = store.engine.url.database + "-wal"
    for proc in procs:
        fds = Path(f"/proc/{proc.pid}/fd")
        if proc.poll() is not None or not any(
            os.readlink(fd) == wal for fd in fds.iterdir() if fd.is_symlink()
        ):
            return False
    return True


@pytest.mark.slow
def test_four_importers_at_once_all_succeed(any_store, tmp_path):
    """Four `cellmap import` processes wait together for a held write lock, then all succeed, each
    file's records all stored (the 40 persons every file names are one entity each)."""
    files, expected_persons, expected_relations = [], SHARED_PERSONS, 0
    for tag in "ABCD":
        held = write_case(tmp_path / f"case-{tag}.jsonl", tag, 1500)
        files.append(tmp_path / f"case-{tag}.jsonl")
        expected_persons += held["persons"] - SHARED_PERSONS
        expected_relations += held["relations"]
    holder, transaction = _hold_write_lock(any_store)
    try:
        procs = [
            subprocess.Popen(
                cli("import", str(f), "--db", any_store.url),
                env=env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for f in files
        ]
        deadline = time.monotonic() + 120
        while not _waiting_for_the_lock(any_store, procs) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(p.poll() is None for p in procs)  # all four wait, none failed
        time.sleep(0.5)
    finally:
        transaction.rollback()
        holder.close()
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    assert [code for code, _ in results] == [0, 0, 0, 0], [err for _, err in results]
    got = counts(any_store)
    assert got["reports"] == 4
    assert got["entities"] == expected_persons
    # every file's name of every person it names is kept (shared persons have four names)
    assert got["statements"] == expected_persons + 3 * SHARED_PERSONS
    assert got["relations"] == expected_relations
    with any_store.session() as conn:
        batches = conn.exec_driver_sql(
            "SELECT count(*) FROM import_batch WHERE finished_at IS NOT NULL"
        ).scalar()
    assert batches == 4


def _integrity(store) -> None:
    if store.dialect == "sqlite":
        with store.session() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


@pytest.mark.slow
def test_kill_9_during_an_import_leaves_the_store_as_it_was(any_store, tmp_path):
    base = tmp_path / "base.jsonl"
    write_case(base, "base", 50)
    import_files(any_store, [base])
    before = counts(any_store)
    big = tmp_path / "big.jsonl"
    held = write_case(big, "big", 10_000)
    # How long one import takes here (into a scratch store), to kill at fractions of it.
    scratch = tmp_path / "scratch.sqlite"
    started = time.perf_counter()
    subprocess.run(
        cli("import", str(big), "--db", str(scratch)), env=env(), check=True, capture_output=True
    )
    duration = time.perf_counter() - started
    full_entities = before["entities"] + held["persons"] - SHARED_PERSONS
    full_relations = before["relations"] + held["relations"]
    killed_midway = 0
    for fraction in (0.15, 0.35, 0.55):
        proc = subprocess.Popen(
            cli("import", str(big), "--db", any_store.url),
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * fraction)
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = counts(any_store)
        if got == before:
            killed_midway += running
        else:  # the import had committed before the kill (the process was exiting): all of it
            assert (got["entities"], got["relations"]) == (full_entities, full_relations)
        _integrity(any_store)
    assert killed_midway >= 1
    again = subprocess.run(
        cli("import", str(big), "--db", any_store.url), env=env(), capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    after = counts(any_store)
    assert (after["entities"], after["relations"]) == (full_entities, full_relations)
    _integrity(any_store)


def test_check_writes_nothing_and_waits_for_no_writer(any_store, sample_file):
    """`--check` and /import/check validate against the store while another writer holds the write
    lock: the check needs no lock of its own, and stores nothing."""
    before = counts(any_store)
    holder, transaction = _hold_write_lock(any_store)
    try:
        holder.exec_driver_sql(
            "INSERT INTO import_batch (started_at, files) VALUES ('2024-01-01', '[]')"
        )
        started = time.perf_counter()
        result = validate_files(any_store, [sample_file])
        assert time.perf_counter() - started < 30
    finally:
        transaction.rollback()
        holder.close()
    assert result.errors == []
    assert result.added["entities"] == 7 and result.added["relations"] == 5
    assert counts(any_store) == before


def test_a_read_session_is_one_snapshot(any_store, sample_file, tmp_path):
    """What an export or a view reads through one session is one state of the store: an import
    committed by another writer in the middle of it is not seen until the next session."""
    from cellmap.export.snapshot import Snapshot

    other = tmp_path / "other.jsonl"
    write_case(other, "other", 20)
    with any_store.session() as conn:
        before = views.counts(conn)
        import_files(open_store(any_store.url), [other])  # another connection, committed
        assert views.counts(conn) == before
        snapshot = Snapshot.read(conn)
        assert snapshot.entities.height == before["entities"]
    assert counts(any_store)["entities"] == before["entities"] + SHARED_PERSONS + 20
