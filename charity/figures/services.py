"""Keeping the public figures at posting time, and recomputing them from the ledgers.

The posting services call `keep_fund_entry` (every money entry, reversals included) and
`keep_document` (an intake or a distribution posted, +1, or reversed, -1) in the posting's
own transaction. Each adds its amounts to a few rows with one upsert per row (`INSERT … ON
CONFLICT DO UPDATE SET x = x + excluded.x`): concurrent postings add up, and a posting's cost
does not depend on the size of the ledger. `expected_figures` sums the ledgers the way the
public figures are defined; `verify_figures` (in `charity verify`) compares, `rebuild`
rewrites the tables (the province generator, after its bulk inserts).
"""
from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from charity.core.db import Money
from charity.figures.models import HouseholdYear, MonthFigures, MonthGoods
from charity.funds.models import DONATION_INCOME_KINDS, SPENDING_KINDS, FundEntry
from charity.goods.models import (Distribution, DistributionLine, DocStatus, Intake, IntakeLine,
                                  ItemType)

ZERO = Decimal("0")
TABLES = {"month": MonthFigures, "goods": MonthGoods, "household": HouseholdYear}
FIGURES = {"month": ("donated", "donations", "spent", "intakes"),
           "goods": ("received", "distributed"), "household": ("distributions",)}
# Per document type: the document's date, its lines and their foreign key, the goods figure.
DOCUMENTS = {"intake": ("received_on", IntakeLine, IntakeLine.intake_id, "received"),
             "distribution": ("distributed_on", DistributionLine,
                              DistributionLine.distribution_id, "distributed")}


def _add(session: Session, table: str, key: dict, **deltas) -> None:
    """Add `deltas` to the row `key` of a figures table, creating it at zero if missing."""
    statement = _upsert(session.get_bind().dialect.name, table, tuple(key), tuple(deltas))
    session.execute(statement, {**key, **deltas})


@functools.lru_cache(maxsize=64)
def _upsert(dialect: str, table: str, key: tuple, figures: tuple):
    """The upsert of one figures row, built once per shape (values as parameters): building
    it per posting cost more than running it."""
    model = TABLES[table]
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    columns = model.__table__.c
    return insert.on_conflict_do_update(
        index_elements=list(key),
        set_={name: columns[name] + insert.excluded[name] for name in figures})


def _month_key(organization_id: int, day: dt.date) -> dict:
    return {"organization_id": organization_id, "year": day.year, "month": day.month}


def keep_fund_entry(session: Session, entry: FundEntry) -> None:
    """Add a posted money entry to its month: donation income (a reversal is netted in its
    own month, and its original no longer counts as a donation) or spending."""
    if entry.kind in SPENDING_KINDS:
        _add(session, "month", _month_key(entry.organization_id, entry.entry_date),
             spent=entry.amount)
        return
    if entry.kind not in DONATION_INCOME_KINDS:
        return
    counted = 0 if entry.reverses_id else 1
    _add(session, "month", _month_key(entry.organization_id, entry.entry_date),
         donated=entry.amount, donations=counted)
    if entry.reverses_id:
        original = session.get(FundEntry, entry.reverses_id)
        _add(session, "month", _month_key(original.organization_id, original.entry_date),
             donations=-1)


def keep_document(session: Session, document_type: str, document, sign: int) -> None:
    """Add (`sign` 1: posted) or take away (-1: reversed) an intake or a distribution in the
    month of its own date: its lines per base unit; an intake counts as one; a distribution
    counts its household in its year."""
    date_field, line, document_fk, figure = DOCUMENTS[document_type]
    day = getattr(document, date_field)
    key = _month_key(document.organization_id, day)
    if document_type == "intake":
        _add(session, "month", key, intakes=sign)
    else:
        _add(session, "household", {"year": day.year, "organization_id": document.organization_id,
                                    "beneficiary_id": document.beneficiary_id},
             distributions=sign)
    for unit, quantity in session.execute(
            sa.select(ItemType.unit, sa.func.sum(line.quantity))
            .join(ItemType, ItemType.id == line.item_type_id)
            .where(document_fk == document.id).group_by(ItemType.unit).order_by(ItemType.unit)):
        _add(session, "goods", {**key, "unit": unit}, **{figure: sign * Decimal(quantity)})


# --- recomputing from the ledgers ------------------------------------------------------------

def _year_month(column):
    return sa.extract("year", column), sa.extract("month", column)


def _money_rows(session: Session, out: dict) -> None:
    rev = aliased(FundEntry)
    income = FundEntry.kind.in_(DONATION_INCOME_KINDS)
    amount = sa.type_coerce(FundEntry.amount, Money())
    counted = sa.and_(income, FundEntry.reverses_id.is_(None), rev.id.is_(None))
    y, m = _year_month(FundEntry.entry_date)
    for oid, year, month, donated, donations, spent in session.execute(
            sa.select(FundEntry.organization_id, y, m,
                      sa.func.sum(sa.case((income, amount), else_=0)),
                      sa.func.count(sa.case((counted, FundEntry.id))),
                      sa.func.sum(sa.case((FundEntry.kind.in_(SPENDING_KINDS), amount), else_=0)))
            .outerjoin(rev, rev.reverses_id == FundEntry.id)
            .where(FundEntry.kind.in_(DONATION_INCOME_KINDS + SPENDING_KINDS))
            .group_by(FundEntry.organization_id, y, m)):
        row = out["month"].setdefault((oid, int(year), int(month)), {})
        row.update(donated=donated, donations=int(donations), spent=spent)


def expected_figures(session: Session) -> dict[str, dict[tuple, dict]]:
    """Every figures row summed from the ledgers: {table: {key: {figure: value}}}."""
    out: dict[str, dict[tuple, dict]] = {name: {} for name in TABLES}
    _money_rows(session, out)
    for document_type, (date_field, line, document_fk, figure) in DOCUMENTS.items():
        doc = Intake if document_type == "intake" else Distribution
        day = getattr(doc, date_field)
        y, m = _year_month(day)
        posted = doc.status == DocStatus.POSTED
        if doc is Intake:
            for oid, year, month, n in session.execute(
                    sa.select(doc.organization_id, y, m, sa.func.count()).where(posted)
                    .group_by(doc.organization_id, y, m)):
                out["month"].setdefault((oid, int(year), int(month)), {})["intakes"] = n
        else:
            for year, oid, who, n in session.execute(
                    sa.select(y, doc.organization_id, doc.beneficiary_id, sa.func.count())
                    .where(posted).group_by(y, doc.organization_id, doc.beneficiary_id)):
                out["household"][(int(year), oid, who)] = {"distributions": n}
        for oid, year, month, unit, q in session.execute(
                sa.select(doc.organization_id, y, m, ItemType.unit, sa.func.sum(line.quantity))
                .join(doc, doc.id == document_fk).join(ItemType, ItemType.id == line.item_type_id)
                .where(posted).group_by(doc.organization_id, y, m, ItemType.unit)):
            out["goods"].setdefault((oid, int(year), int(month), unit), {})[figure] = q
    return out


def _key_columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table].__table__.primary_key.columns]


def stored_figures(session: Session) -> dict[str, dict[tuple, dict]]:
    """The figures rows as kept, in the shape of `expected_figures`."""
    out: dict[str, dict[tuple, dict]] = {}
    for name, model in TABLES.items():
        keys = _key_columns(name)
        out[name] = {tuple(r[k] for k in keys): {f: r[f] for f in FIGURES[name]}
                     for r in session.execute(sa.select(model.__table__)).mappings()}
    return out


def verify_figures(session: Session) -> list[str]:
    """Mismatches between the kept figures and the ledger sums; empty when all agree."""
    want, have = expected_figures(session), stored_figures(session)
    problems = []
    for name in TABLES:
        for key in sorted(set(want[name]) | set(have[name])):
            for figure in FIGURES[name]:
                w = want[name].get(key, {}).get(figure) or 0
                h = have[name].get(key, {}).get(figure) or 0
                if Decimal(w) != Decimal(h):
                    problems.append(f"{TABLES[name].__tablename__} {key} {figure}: "
                                    f"stored {h}, ledger {w}")
    return problems


def rebuild(session: Session) -> None:
    """Rewrite the figures tables from the ledgers (after rows were written around the
    posting services, as the province generator does)."""
    want = expected_figures(session)
    for name, model in TABLES.items():
        session.execute(sa.delete(model))
        keys = _key_columns(name)
        rows = [{**dict(zip(keys, key)), **{f: values.get(f) or 0 for f in FIGURES[name]}}
                for key, values in want[name].items()]
        if rows:
            session.execute(sa.insert(model), rows)
