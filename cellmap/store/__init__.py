"""The store: one SQLite file (WAL) by default, PostgreSQL for team use, chosen by a database URL.

store = open_store("sqlite:///case.sqlite")   # or postgresql+psycopg://…, or a plain file path
store.init()                                   # creates or migrates the schema (Alembic)
with store.session() as conn:                  # read: views take this connection
    views.entities(conn)
with store.transaction() as conn:              # write: all or nothing
    ...
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect

from cellmap.store import tables

DEFAULT_PATH = Path("data") / "cellmap.sqlite"


def resolve_url(url: str | os.PathLike | None = None) -> str:
    """A database URL from an argument, `CELLMAP_DB`, or the default SQLite file (`./data/cellmap.sqlite`)."""
    url = str(url) if url else os.environ.get("CELLMAP_DB") or str(DEFAULT_PATH)
    if "://" not in url:
        path = Path(url).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the workbench read while an import writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Store:
    def __init__(self, url: str | os.PathLike | None = None):
        self.url = resolve_url(url)
        self.engine: Engine = create_engine(self.url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def init(self) -> None:
        """Create the schema or bring it to the newest revision."""
        from cellmap.store.migrate import upgrade

        upgrade(self.engine)

    def is_initialised(self) -> bool:
        return inspect(self.engine).has_table("entity")

    @contextmanager
    def session(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str | os.PathLike | None = None) -> Store:
    return Store(url)


__all__ = ["Store", "open_store", "resolve_url", "tables"]
