"""The store: one SQLite file (WAL) by default, PostgreSQL for team use, chosen by a database URL.

store = open_store("sqlite:///case.sqlite")   # or postgresql+psycopg://…, or a plain file path
store.init()                                   # creates or migrates the schema (Alembic)
with store.session() as conn:                  # read: views take this connection
    views.entities(conn)
with store.session(visible={"A", "B"}) as conn:  # a caller's read: the views see compartments A, B only
with store.transaction() as conn:              # write: all or nothing
    ...
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

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
        self._row_security: bool | None = None
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
    def session(self, visible: frozenset[str] | set[str] | None = None) -> Iterator[Connection]:
        """A read connection. With `visible`, a caller's: the views return only what the compartments
        in `visible` allow (`cellmap.store.views`), and on PostgreSQL the transaction also runs as the
        `cellmap_reader` role under row-level security with those compartments (a second line)."""
        with self.engine.connect() as conn:
            if visible is None:
                yield conn
                return
            conn.info["visible"] = frozenset(visible)
            try:
                if self.dialect == "postgresql" and self.row_security():
                    restrict(conn, frozenset(visible))
                yield conn
            finally:
                conn.info.pop("visible", None)
                if conn.in_transaction():
                    conn.rollback()  # ends SET LOCAL ROLE before the connection goes back to the pool

    def row_security(self) -> bool:
        """Whether this PostgreSQL login may take the `cellmap_reader` role (checked once)."""
        if self._row_security is None:
            with self.engine.connect() as conn:
                self._row_security = bool(
                    conn.exec_driver_sql(
                        "SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles "
                        f"WHERE rolname = '{READER_ROLE}'"
                    ).scalar()
                )
        return self._row_security

    @property
    def base(self) -> Store:
        """The store itself (a `ScopedStore` answers with the store it narrows)."""
        return self

    def scoped(self, visible: frozenset[str] | None) -> Store:
        """This store as one caller sees it: every `session()` reads with `visible`."""
        return self if visible is None else ScopedStore(self, frozenset(visible))

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


READER_ROLE = "cellmap_reader"  # the PostgreSQL role whose reads row-level security policies narrow
COMPARTMENTS_SETTING = "cellmap.compartments"  # the custom setting those policies read


def restrict(conn: Connection, visible: frozenset[str]) -> None:
    """For the current PostgreSQL transaction: run as the reader role, holding `visible`."""
    conn.execute(
        text("SELECT set_config(:name, :value, true)"),
        {"name": COMPARTMENTS_SETTING, "value": ",".join(sorted(visible))},
    )
    conn.exec_driver_sql(f"SET LOCAL ROLE {READER_ROLE}")


class ScopedStore:
    """A store whose reads are one caller's (`Store.scoped`); writes go to the store itself."""

    def __init__(self, base: Store, visible: frozenset[str]):
        self.base = base
        self.visible = visible

    def session(self):
        return self.base.session(visible=self.visible)

    def __getattr__(self, name):
        return getattr(self.base, name)


def open_store(url: str | os.PathLike | None = None) -> Store:
    return Store(url)


__all__ = ["Store", "ScopedStore", "open_store", "resolve_url", "restrict", "tables"]
