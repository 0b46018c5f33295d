"""Fast start: the CLI loads no heavy library until a command needs it (issue 16).

Each check runs a fresh interpreter and reads its `sys.modules`: what a command imported, not how long
it took (speed itself is measured by `python -m bench start`, never timed in a test).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from cellmap.cli import app
from cellmap.store.migrate import head_revisions

# Libraries of a second or more between them, that only some commands need.
HEAVY = (
    "polars",
    "igraph",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "fastapi",
    "uvicorn",
    "matplotlib",
    "splink",
    "followthemoney",
    "h3",
    "networkx",
    "alembic",
)

# Runs the CLI in-process with the given arguments, then prints the modules it imported as JSON.
PROBE = """
import json, sys
from cellmap.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def imported_by(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "80"},
    )
    line = done.stdout.rsplit("MODULES ", 1)[1]
    return {name.split(".")[0] for name in json.loads(line)}


def test_help_imports_no_heavy_library():
    loaded = imported_by("--help")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert "sqlalchemy" not in loaded  # the store is opened by commands, not by the CLI itself


def test_stats_on_a_current_store_reads_it_without_alembic_or_polars(tmp_path, sample_file):
    db = str(tmp_path / "fast.sqlite")
    assert CliRunner().invoke(app, ["import", str(sample_file), "--db", db]).exit_code == 0
    loaded = imported_by("stats", "--db", db, "--json")
    assert "sqlalchemy" in loaded  # it did read the store
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_head_revisions_are_alembics():
    from alembic.script import ScriptDirectory

    from cellmap.store.migrate import _scripts

    heads = ScriptDirectory(str(_scripts())).get_heads()
    assert head_revisions() == frozenset(heads) and len(heads) == 1


IGRAPH_PROBE = """
import json, sys
import cellmap, igraph
import igraph.drawing.shapes as shapes
before = "matplotlib.pyplot" in sys.modules
figure = shapes.plt.figure  # igraph's drawing reads pyplot: now it is imported
print(json.dumps([before, "matplotlib.pyplot" in sys.modules, figure.__module__]))
"""


def test_igraph_loads_pyplot_only_when_it_draws():
    done = subprocess.run(
        [sys.executable, "-c", IGRAPH_PROBE], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [False, True, "matplotlib.pyplot"]
