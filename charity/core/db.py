"""Declarative base, column types and engine tuning shared by every model."""
from __future__ import annotations

import contextvars
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.sql import operators
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


class ExactDecimal(TypeDecorator):
    """An exact decimal with a fixed number of places, Decimal in and out, on every engine.

    PostgreSQL: NUMERIC(precision, scale). SQLite has no exact decimal (a NUMERIC column
    keeps a float, and SQL sum() adds floats), so there the column is an INTEGER counting
    units of the last place: fen for money, thousandths for quantities. SQL sum(), min(),
    max(), coalesce() and + / − of columns of one kind stay exact integers there, and come
    back as Decimal because they keep the column's type; a Python value compared with or
    added to the column is scaled the same way. A product of two such columns
    (quantity × unit value) is typed with the summed places, so it is scaled back correctly
    too. Division in SQL is refused (SQLite would divide integers): divide the Decimals.

    Values with more places than `scale` are rounded half away from zero, and values out of
    range refused, as PostgreSQL does. Floats are refused: they are not exact.
    """

    impl = sa.Numeric
    cache_ok = True

    class Comparator(TypeDecorator.Comparator, sa.Numeric.Comparator):
        def _adapt_expression(self, op, other_comparator):
            mine, other = self.type, other_comparator.type
            if op in (operators.truediv, operators.floordiv, operators.mod):
                raise TypeError("no division of exact decimals in SQL (SQLite would divide "
                                "integers): divide the Decimal values in Python")
            if op is operators.mul:
                if isinstance(other, ExactDecimal):
                    return op, ExactDecimal(mine.precision + other.precision,
                                            mine.scale + other.scale)
                if not issubclass(other._type_affinity, sa.Integer):
                    raise TypeError("multiply an exact decimal in SQL only by an integer or "
                                    "by another exact decimal")
                return op, mine
            if (op in (operators.add, operators.sub) and isinstance(other, ExactDecimal)
                    and other.scale != mine.scale):
                raise TypeError("adding exact decimals of different places in SQL")
            return super()._adapt_expression(op, other_comparator)

    comparator_factory = Comparator

    def __init__(self, precision: int = 14, scale: int = 2):
        super().__init__(precision, scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self._unit = Decimal(1).scaleb(-scale)
        self._limit = 10 ** precision

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.precision}, {self.scale})"

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(self.precision, self.scale, asdecimal=True))

    def coerce_compared_value(self, op, value):
        if op is operators.mul and isinstance(value, int) and not isinstance(value, bool):
            return sa.Integer()  # a count: 3 × the amount, not 3 yuan × the amount
        return self

    def _exact(self, value) -> Decimal:
        if isinstance(value, float):
            raise TypeError("exact decimal columns do not take floats")
        number = value if isinstance(value, Decimal) else Decimal(value)
        if not number.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return number.quantize(self._unit, rounding=ROUND_HALF_UP)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        number = self._exact(value)
        units = int(number.scaleb(self.scale))
        if abs(units) >= self._limit:
            raise ValueError(f"{number} does not fit NUMERIC({self.precision}, {self.scale})")
        return units if dialect.name == "sqlite" else number

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            if not isinstance(value, int):
                # Only a value written around the type (raw SQL, an unconverted database)
                # is not an integer: read it as units all the same; `charity verify` names it.
                return Decimal(str(value)).scaleb(-self.scale)
            return Decimal(value).scaleb(-self.scale)
        return Decimal(value)


class _FixedPlaces(ExactDecimal):
    """An exact decimal of 14 digits whose places its class fixes; its repr, `Money()`, is
    what migrations write."""

    cache_ok = True
    places = 2

    def __init__(self):
        super().__init__(14, self.places)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Money(_FixedPlaces):
    """Money in yuan with its fen: NUMERIC(14, 2); integer fen on SQLite."""

    cache_ok = True  # SQLAlchemy reads it from each class's own dict
    places = 2


class Qty(_FixedPlaces):
    """A quantity of goods to the thousandth: NUMERIC(14, 3); integer thousandths on SQLite."""

    cache_ok = True
    places = 3


class Base(DeclarativeBase):
    # The map lives on an explicit registry: Flask-SQLAlchemy subclasses this base, and
    # SQLAlchemy refuses a per-class type_annotation_map on such a subclass.
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            Decimal: Money(),  # every Mapped[Decimal] is money unless it says otherwise
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


def where_given(stmt, *conditions):
    """`stmt` restricted to `column == value` for each (column, value) whose value was given
    (a list's optional filters: an empty value means "any")."""
    for column, value in conditions:
        if value:
            stmt = stmt.where(column == value)
    return stmt


def contains(column, text: str):
    """`column` contains `text` (case-insensitive), with LIKE's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
