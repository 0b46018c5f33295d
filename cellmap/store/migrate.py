"""Alembic, driven from code: the migration scripts ship inside the package."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection


def alembic_config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("cellmap.store").joinpath("migrations"))
    )
    config.set_main_option(
        "sqlalchemy.url", conn.engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def is_current(conn: Connection) -> bool:
    """True when the store is at the newest revision (a read only)."""
    heads = set(ScriptDirectory.from_config(alembic_config(conn)).get_heads())
    return set(MigrationContext.configure(conn).get_current_heads()) == heads


def upgrade(conn: Connection, revision: str = "head") -> None:
    """Migrate inside the caller's (write) transaction."""
    config = alembic_config(conn)
    config.attributes["connection"] = conn
    command.upgrade(config, revision)
