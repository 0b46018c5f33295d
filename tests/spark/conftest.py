"""A real Spark standalone cluster for the Spark engine's tests: one master and two workers of one
core and 1 GB each, started with pyspark's own ``spark-class`` once per test run and stopped after.

Every test here runs in one xdist group (one cluster). Tests marked ``spark_full`` (more data sets,
the same kind of check) run only with ``CELLMAP_SPARK_TESTS=all``; one of each kind always runs.
Without pyspark or Java the tests skip, except in CI, where they must run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

from cellmap.ingest import import_files
from cellmap.scenario import generate, scenario_files
from cellmap.store import open_store

TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    # tiny graphs: adaptive re-planning costs more than it saves
    "spark.sql.adaptive.enabled": "false",
    "spark.driver.memory": "512m",
}


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'cellmap[spark]')"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java runtime (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """One xdist group, and the few further comparisons skipped unless asked for.

    pytest-xdist 3.8 groups by a suffix it writes to ``item._nodeid``, which pytest 9 no longer
    reads (``Node.nodeid`` comes from ``_id``): the Spark tests were spread over both workers, each
    starting its own cluster. The suffix is set here where pytest 9 reads it."""
    from _pytest.nodeid import coerce_node_id

    full = os.environ.get("CELLMAP_SPARK_TESTS") == "all"
    grouped = getattr(config.option, "loadgroup", False)  # set on xdist workers only
    for item in items:
        if "tests/spark/" not in str(item.fspath).replace(os.sep, "/"):
            continue
        item.add_marker(pytest.mark.xdist_group("spark"))
        if grouped and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@spark")
        if item.get_closest_marker("spark_full") and not full:
            item.add_marker(
                pytest.mark.skip(reason="further Spark comparison: CELLMAP_SPARK_TESTS=all")
            )


@pytest.fixture(scope="session")
def spark():
    """A session on the standalone cluster; the cluster's JVMs are stopped at the end."""
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Spark tests: {reason}")
        pytest.skip(reason)
    from cellmap.spark.cluster import StandaloneCluster
    from cellmap.spark.session import spark_session

    with StandaloneCluster(workers=2, cores=1, memory="1g") as cluster:
        session = spark_session(
            cluster.master_url, {**cluster.session_conf("768m"), **TEST_CONF}, "cellmap-tests"
        )
        try:
            yield session
        finally:
            session.stop()


@pytest.fixture(scope="session")
def scenario_store(tmp_path_factory) -> str:
    """A small generated scenario imported into a SQLite store (its path)."""
    folder = tmp_path_factory.mktemp("spark-scenario")
    generate(
        seed=5, size="demo", out_dir=folder / "scenario", persons=120, incidents=150, comms=400
    )
    path = folder / "store.sqlite"
    store = open_store(path)
    store.init()
    import_files(store, scenario_files(folder / "scenario"))
    store.close()
    return str(path)
