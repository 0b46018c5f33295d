"""Heavy libraries imported on first use, so that `cellmap --help` and `cellmap stats` start at once.

    pl = lazy_module("polars")   # nothing imported yet
    pl.DataFrame(...)            # polars is imported here, by the first attribute read

Unlike `importlib.util.LazyLoader` this puts nothing half-loaded in `sys.modules`: the real import runs
under Python's import lock when an attribute is first read, so threads (the web server) may share it.
Modules that import the library directly keep doing so; both see the same module.
"""

from __future__ import annotations

import importlib
import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType
from typing import Any


class LazyModule:
    """A stand-in for module `name` that imports it when one of its attributes is first read."""

    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return self._module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r}, {state}>"


def lazy_module(name: str) -> Any:
    """Module `name`, imported when first used (typed `Any`; import it under TYPE_CHECKING for types)."""
    return LazyModule(name)


_IGRAPH_MATPLOTLIB = "igraph.drawing.matplotlib.utils"


class _IgraphPyplotOnUse(MetaPathFinder):
    """Loads igraph's `find_matplotlib` so that it returns lazy stand-ins for matplotlib and pyplot.

    igraph's drawing package calls `find_matplotlib()` while igraph itself is imported, and so
    imported matplotlib.pyplot (0.3 s CPU) in every command that builds a graph; cellmap never draws
    with igraph. igraph's drawing still works: pyplot is imported when igraph first reads it."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> ModuleSpec | None:
        if name != _IGRAPH_MATPLOTLIB:
            return None
        spec = PathFinder.find_spec(name, path)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return None  # not the igraph this was written for: import it as it is
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            if hasattr(module, "find_matplotlib"):
                stand_ins = (lazy_module("matplotlib"), lazy_module("matplotlib.pyplot"))
                setattr(module, "find_matplotlib", lambda: stand_ins)  # noqa: B010

        setattr(loader, "exec_module", exec_module)  # noqa: B010 — an instance attribute, this loader only
        return spec


def igraph_without_pyplot() -> None:
    """Install `_IgraphPyplotOnUse` (once) before igraph is imported."""
    if not any(isinstance(finder, _IgraphPyplotOnUse) for finder in sys.meta_path):
        sys.meta_path.insert(0, _IgraphPyplotOnUse())
