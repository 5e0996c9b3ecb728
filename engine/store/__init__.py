"""The durable store (SQLAlchemy 2; SQLite by default, PostgreSQL via psycopg 3).

Store.open(url, schema=None, init=False)    connect, apply migrations (Alembic); an SQLite
                                             folder that lost its database is refused unless init
Store.open_existing(url) -> Store           for readers (SQLite read-only): a missing or old
                                             store is an error
store.write() / store.read()                 a transaction (`Tx`) as a context manager
store.probe()                                a write begun and rolled back (readiness)
engine.store.guard                           the SQLite file checked at opening, watched after
engine.store.codec                           domain records <-> JSON, losslessly
engine.store.revisions                       a revision's exact texts, and a Spec from them
"""

from engine.store.store import Idempotency, KeyTaken, StaleVersion, Store, StoredTicket, Tx

__all__ = ["Idempotency", "KeyTaken", "StaleVersion", "Store", "StoredTicket", "Tx"]
