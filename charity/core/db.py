"""Declarative base, column types and engine tuning shared by every model."""
from __future__ import annotations

import contextvars
import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as UTC. Naive datetimes are refused: their zone is unknowable."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused; use an aware datetime")
        value = value.astimezone(dt.timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


Money = sa.Numeric(14, 2, asdecimal=True)


class Base(DeclarativeBase):
    # The map lives on an explicit registry: Flask-SQLAlchemy subclasses this base, and
    # SQLAlchemy refuses a per-class type_annotation_map on such a subclass.
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            Decimal: Money,
            dt.datetime: UTCDateTime(),
            str: sa.String(255),
        },
    )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# SQLite: a transaction that reads first and writes later fails at once with SQLITE_BUSY
# when another connection wrote in between; busy_timeout cannot help it. Write transactions
# therefore start with BEGIN IMMEDIATE (wait for the write lock up front) while safe web
# requests begin DEFERRED so readers never queue behind writers. See
# docs/decisions/0002-sqlite-transactions.md.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


class Posted:
    """Mixin: who posted a ledger document and when. Posted documents are never edited; a
    correction is a new document, so these columns are written once."""

    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Created:
    """Mixin: who created a record and when (records that are edited afterwards)."""

    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def configure_engine(engine: sa.engine.Engine, busy_timeout_ms: int) -> None:
    """Per-connection settings the app relies on (SQLite only; PostgreSQL needs none)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control away from the sqlite3 module: it would otherwise
        # begin lazily and break SAVEPOINTs.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            # 64 MB of page cache per connection (the default is 2 MB): with a million
            # ledger rows the indexes no longer fit the default, and every posting's index
            # inserts would go to disk.
            cur.execute("PRAGMA cache_size = -65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


# PostgreSQL aborts one of two transactions that wait for each other's row locks (deadlock)
# or that cannot be serialised; the whole transaction may simply be run again.
RETRYABLE_SQLSTATES = {"40P01", "40001"}


def is_retryable(exc: BaseException) -> bool:
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    # SQLite: a writer starved past the busy timeout under heavy contention.
    return state in RETRYABLE_SQLSTATES or "database is locked" in str(orig)


def run_transaction(session, work, attempts: int = 3):
    """Run `work()` and commit; on a deadlock or serialisation failure roll back and run it
    again (at most `attempts` times). Any other error rolls back and propagates."""
    for attempt in range(1, attempts + 1):
        try:
            result = work()
            session.commit()
            return result
        except Exception as exc:
            session.rollback()
            if attempt < attempts and is_retryable(exc):
                continue
            raise


def contains(column, text: str):
    """`column` contains `text` (case-insensitive), with LIKE's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
