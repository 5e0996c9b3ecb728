"""The durable store (SQLAlchemy 2; SQLite by default, PostgreSQL via psycopg 3).

Store.open(url, schema=None) -> Store       connect, apply migrations (Alembic)
Store.open_existing(url) -> Store           for readers: a missing or old store is an error
store.write() / store.read()                 a transaction (`Tx`) as a context manager
engine.store.codec                           domain records <-> JSON, losslessly
engine.store.revisions                       a revision's exact texts, and a Spec from them
"""

from engine.store.store import Idempotency, KeyTaken, StaleVersion, Store, StoredTicket, Tx

__all__ = ["Idempotency", "KeyTaken", "StaleVersion", "Store", "StoredTicket", "Tx"]
