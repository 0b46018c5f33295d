"""Alembic, driven from code: the migration scripts ship inside the package.

Alembic itself takes ~0.4 s to import, so the check every command makes at start (`is_current`) reads
the revision ids from the scripts and the store's `alembic_version` table directly; Alembic is
imported only when a store must be created or migrated.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(.+)$", re.MULTILINE)


def alembic_config(conn: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_scripts()))
    config.set_main_option(
        "sqlalchemy.url", conn.engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def _scripts():
    return resources.files("cellmap.store").joinpath("migrations")


@cache
def head_revisions() -> frozenset[str]:
    """The newest revisions of the migration scripts (those no other script revises), read from the
    scripts' `revision = …` and `down_revision = …` lines (as Alembic's ScriptDirectory finds them)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in _scripts().joinpath("versions").iterdir():
        if not script.name.endswith(".py"):
            continue
        for name, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            ids = set(re.findall(r"[\"']([^\"']+)[\"']", value))
            (revisions if name == "revision" else revised).update(ids)
    return frozenset(revisions - revised)


def is_current(conn: Connection) -> bool:
    """True when the store is at the newest revision (a read only)."""
    if not inspect(conn).has_table("alembic_version"):
        return False
    stored = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    return stored == head_revisions()


def upgrade(conn: Connection, revision: str = "head") -> None:
    """Migrate inside the caller's (write) transaction."""
    from alembic import command

    config = alembic_config(conn)
    config.attributes["connection"] = conn
    command.upgrade(config, revision)
