"""The store: one SQLite file (WAL) by default, PostgreSQL for team use, chosen by a database URL.

store = open_store("sqlite:///case.sqlite")   # or postgresql+psycopg://…, or a plain file path
store.init()                                   # creates or migrates the schema (Alembic)
with store.session() as conn:                  # read: views take this connection
    views.entities(conn)
with store.session(visible={"A", "B"}) as conn:  # a caller's read: the views see compartments A, B only
with store.transaction() as conn:              # write: all or nothing, one writer at a time
    ...

Writers are serialised, never failed: on SQLite a write transaction starts with `BEGIN IMMEDIATE`
and waits up to `CELLMAP_BUSY_TIMEOUT` seconds (default 600) for the write lock; on PostgreSQL it
first takes a transaction-scoped advisory lock. A read session is one snapshot: SQLite's WAL read
transaction, PostgreSQL's REPEATABLE READ. Commits are durable (`synchronous=FULL`) and a new SQLite
file is created readable and writable by its owner only (0600; SQLite gives its -wal and -shm files
the same mode).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    Connection,
    CursorResult,
    Engine,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)

from cellmap.store import tables

DEFAULT_PATH = Path("data") / "cellmap.sqlite"
BUSY_TIMEOUT_SECONDS = 600.0
# One application-wide key for PostgreSQL's advisory lock (any constant 64-bit number; "cellmap").
WRITE_LOCK_KEY = 0x63656C6C6D6170
_WRITE = "cellmap_write"


def resolve_url(url: str | os.PathLike | None = None) -> str:
    """A database URL from an argument, `CELLMAP_DB`, or the default SQLite file (`./data/cellmap.sqlite`)."""
    url = str(url) if url else os.environ.get("CELLMAP_DB") or str(DEFAULT_PATH)
    if "://" not in url:
        path = Path(url).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    return url


def _create_private(path: str | None) -> None:
    """Create an absent SQLite file with mode 0600 before SQLite does (SQLite would use 0644 & umask)."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def _busy_timeout() -> float:
    try:
        return float(os.environ.get("CELLMAP_BUSY_TIMEOUT", BUSY_TIMEOUT_SECONDS))
    except ValueError:
        return BUSY_TIMEOUT_SECONDS


def _sqlite_connect(dbapi_connection, _record) -> None:
    # cellmap emits BEGIN itself (see _sqlite_begin): pysqlite's own transaction handling would start
    # a transaction only at the first write, so reads would not share one snapshot.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the workbench read while an import writes; FULL makes every commit durable across a
    # power cut (NORMAL could lose the last commits); foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(_busy_timeout() * 1000)}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock at BEGIN (waiting the busy time-out for it), so it never fails
    # half-way when it upgrades a read lock; a reader's deferred BEGIN fixes its snapshot at first read.
    write = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Store:
    def __init__(self, url: str | os.PathLike | None = None):
        self.url = resolve_url(url)
        self.engine: Engine = create_engine(self.url, future=True)
        self._row_security: bool | None = None
        if self.engine.dialect.name == "sqlite":
            _create_private(self.engine.url.database)
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def init(self) -> None:
        """Create the schema or bring it to the newest revision. A store already at the newest revision
        is only read (no write lock); otherwise the migration runs as a writer, so that several
        processes opening a new store at once create it once."""
        from cellmap.store.migrate import is_current, upgrade

        with self.session() as conn:
            if is_current(conn):
                return
        with self.transaction() as conn:
            upgrade(conn)

    def is_initialised(self) -> bool:
        return inspect(self.engine).has_table("entity")

    @contextmanager
    def session(self, visible: frozenset[str] | set[str] | None = None) -> Iterator[Connection]:
        """A read connection. With `visible`, a caller's: the views return only what the compartments
        in `visible` allow (`cellmap.store.views`), and on PostgreSQL the transaction also runs as the
        `cellmap_reader` role under row-level security with those compartments (a second line).
        Everything read through one session sees one state of the store."""
        options = {"isolation_level": "REPEATABLE READ"} if self.dialect == "postgresql" else {}
        with self.engine.connect().execution_options(**options) as conn:
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

    def scoped(self, visible: frozenset[str] | None) -> Store | ScopedStore:
        """This store as one caller sees it: every `session()` reads with `visible`."""
        return self if visible is None else ScopedStore(self, frozenset(visible))

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction, committed at the end of the block (rolled back on an exception);
        writers wait for each other instead of failing."""
        with self.engine.connect().execution_options(**{_WRITE: True}) as conn:
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY}
                    )
                yield conn

    def change_counter(self, conn: Connection | None = None) -> tuple:
        """A value that changes whenever any process commits an import or a judgement: the newest
        import batch and judgement ids and the number of judgements. Caches key on it. Read it on an
        unrestricted connection (a caller's session would count only the judgements it may see)."""
        query = select(
            select(func.max(tables.import_batch.c.id)).scalar_subquery(),
            select(func.max(tables.judgement.c.id)).scalar_subquery(),
            select(func.count()).select_from(tables.judgement).scalar_subquery(),
        )
        if conn is not None:
            return tuple(conn.execute(query).one())
        with self.session() as own:
            return tuple(own.execute(query).one())

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


def inserted_id(result: CursorResult) -> int:
    """The primary key of the one row an INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None:  # only for an executemany or a table without a key: a programming error
        raise RuntimeError("the statement inserted no single row with a primary key")
    return int(key[0])


def open_store(url: str | os.PathLike | None = None) -> Store:
    return Store(url)


__all__ = ["Store", "ScopedStore", "inserted_id", "open_store", "resolve_url", "restrict", "tables"]
