"""`charity verify`: recompute what is kept at posting time and compare.

Each check returns a list of problems (empty when all agree). Features add their checks to
CHECKS: the goods ledger's stock balances, the disclosures' hash chain, …
"""
from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session


def _fund_balances(session: Session) -> list[str]:
    from charity.funds.services.ledger import verify_balances

    return verify_balances(session)


def _public_figures(session: Session) -> list[str]:
    from charity.figures.services import verify_figures

    return verify_figures(session)


def _stock_balances(session: Session) -> list[str]:
    from charity.goods.services.stock_ledger import verify_stock

    return verify_stock(session)


def _reservations(session: Session) -> list[str]:
    from charity.delivery.reservations import verify_reservations

    return verify_reservations(session)


def _expired_outgoing(session: Session) -> list[str]:
    from charity.goods.services.expiry import verify_no_expired_outgoing

    return verify_no_expired_outgoing(session)


def _points_ledger(session: Session) -> list[str]:
    from charity.points.services.ledger import verify_points

    return verify_points(session)


def _publications(session: Session) -> list[str]:
    from charity.disclosure.publishing import verify_publications

    return verify_publications(session)


def _transparency_log(session: Session) -> list[str]:
    from charity.core.config import instance_path
    from charity.log.services import verify_log

    return verify_log(session, instance_path())


def _exact_numbers(session: Session) -> list[str]:
    """SQLite: every money and quantity column holds integers (fen, thousandths; see
    charity.core.db.ExactDecimal). A float there was written around the column type (raw
    SQL, an unconverted old database) and would be read back a hundred times wrong."""
    import sqlalchemy as sa

    from charity.core.db import Base, ExactDecimal

    if session.get_bind().dialect.name != "sqlite":
        return []  # PostgreSQL's NUMERIC holds exact decimals
    problems = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, ExactDecimal):
                continue
            found = session.execute(sa.text(
                f'SELECT count(*), min(rowid) FROM "{table.name}" '
                f'WHERE "{column.name}" IS NOT NULL AND typeof("{column.name}") != \'integer\'')
            ).one()
            if found[0]:
                problems.append(f"{table.name}.{column.name}: {found[0]} value(s) not stored as "
                                f"integer units (first rowid {found[1]})")
    return problems


CHECKS: list[tuple[str, Callable[[Session], list[str]]]] = [
    ("exact numbers", _exact_numbers),
    ("fund balances", _fund_balances),
    ("stock balances", _stock_balances),
    ("public figures (month and household aggregates)", _public_figures),
    ("stock reserved for home deliveries", _reservations),
    ("no expired food handed out, sold or transferred", _expired_outgoing),
    ("points ledger", _points_ledger),
    ("publications and hash chain", _publications),
    ("transparency log", _transparency_log),
]


def run_checks(session: Session) -> dict[str, list[str]]:
    return {name: check(session) for name, check in CHECKS}


@click.command("verify")
@with_appcontext
def verify_command():
    """Recompute balances (and later hashes) from the ledgers; exit 1 on any mismatch."""
    from charity.core.extensions import db

    results = run_checks(db.session)
    db.session.rollback()
    failed = False
    for name, problems in results.items():
        if problems:
            failed = True
            click.echo(f"FAIL {name}: {len(problems)} mismatch(es)")
            for line in problems:
                click.echo(f"  {line}")
        else:
            click.echo(f"ok   {name}")
    if failed:
        raise SystemExit(1)
