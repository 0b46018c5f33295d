"""Heavy libraries imported on first use, so that `cellmap --help` and `cellmap stats` start at once.

    pl = lazy_module("polars")   # nothing imported yet
    pl.DataFrame(...)            # polars is imported here, by the first attribute read

Unlike `importlib.util.LazyLoader` this puts nothing half-loaded in `sys.modules`: the real import runs
under Python's import lock when an attribute is first read, so threads (the web server) may share it.
Modules that import the library directly keep doing so; both see the same module.
"""

from __future__ import annotations

import importlib
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
