"""Alembic environment: run on the connection `engine.store.migrate.upgrade` hands over.

Also usable from the command line (`alembic -x url=sqlite:///data/sop.db upgrade head` with a
config whose script_location points here).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from engine.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database: alembic -x url=<database url> upgrade head")
    with create_engine(url).begin() as conn:
        _run(conn)
