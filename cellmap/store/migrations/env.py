from alembic import context
from sqlalchemy import create_engine

from cellmap.store.tables import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # run by the `alembic` command line against a URL
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError(
                "alembic: no sqlalchemy.url given (set it in alembic.ini or with -x)"
            )
        engine = create_engine(url)
        with engine.begin() as connection:
            context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    context.run_migrations()


run_migrations_online()
