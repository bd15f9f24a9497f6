"""The province generator at a small factor: invariants, determinism, the CLI, pages."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import defaultdict
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.extensions import db as _db

TODAY = dt.date(2026, 11, 20)
FACTOR = 0.002  # 2 organisations, ~600 intakes, ~400 money entries, 4+ subjects


def _generate(app, seed=7, fast_pdfs=False):
    from charity.demo.province import generate

    with app.app_context():
        counts = generate(_db.session, factor=FACTOR, seed=seed, today=TODAY,
                          fast_pdfs=fast_pdfs)
        _db.session.remove()
    return counts


@pytest.fixture(scope="module")
def province(template_db, tmp_path_factory):
    """One generated province per engine, shared read-only by the tests below."""
    from tests.conftest import _database_copy, _dispose, _make

    root = tmp_path_factory.mktemp("province")
    app = _make(template_db, DATABASE_URL=_database_copy(template_db, root),
                INSTANCE_PATH=str(root / "instance"))
    counts = _generate(app)
    yield app, counts
    _dispose(app)


def test_counts_verify_and_no_negative_stock(province):
    from charity.goods.models import StockMovement
    from charity.ops.verify import run_checks

    app, counts = province
    assert counts["organizations"] == 2
    assert counts["stock_movement"] >= 3 * counts["intake"] // 2
    assert counts["publications"] > 0
    with app.app_context():
        s = _db.session
        assert {name: problems for name, problems in run_checks(s).items() if problems} == {}
        # Every stock stream stays at or above zero at every moment, not just at the end.
        running: dict = defaultdict(Decimal)
        for point, item, batch, qty in s.execute(sa.select(
                StockMovement.point_id, StockMovement.item_type_id, StockMovement.batch,
                StockMovement.quantity).order_by(StockMovement.movement_date,
                                                 StockMovement.quantity.desc(),
                                                 StockMovement.id)):
            running[(point, item, batch)] += qty
            assert running[(point, item, batch)] >= 0, (point, item, batch)
        assert s.scalar(sa.select(sa.func.count()).select_from(StockMovement)) == \
            counts["stock_movement"]


def test_stock_values_are_the_movements_at_their_unit_values(province):
    """The generator's stock balances hold, in yuan, the sum of quantity × unit value of their
    movements (summed in Python here; on SQLite the columns count thousandths and fen, so
    a raw-SQL product would be 100,000 times the value)."""
    from decimal import ROUND_HALF_UP

    from charity.goods.models import StockBalance, StockMovement

    app, _counts = province
    with app.app_context():
        s = _db.session
        want: dict = defaultdict(Decimal)
        for point, item, batch, qty, unit_value in s.execute(sa.select(
                StockMovement.point_id, StockMovement.item_type_id, StockMovement.batch,
                StockMovement.quantity, StockMovement.unit_value)):
            want[(point, item, batch)] += qty * unit_value
        have = {(b.point_id, b.item_type_id, b.batch): b.value
                for b in s.scalars(sa.select(StockBalance))}
        assert have and set(have) == set(want)
        assert have == {k: v.quantize(Decimal("0.01"), ROUND_HALF_UP) for k, v in want.items()}
        s.remove()


def test_the_province_hands_out_no_expired_food(province):
    """Food comes in with expiry dates; none leaves to a person past them (charity verify's
    check and plain SQL over the intake lines agree), and the weekly check writes it off."""
    from charity.ops.verify import run_checks
    from tests.goods.test_demo_food_safety import EXPIRED_OUTGOING

    app, _counts = province
    with app.app_context():
        s = _db.session
        assert run_checks(s)["no expired food handed out, sold or transferred"] == []
        assert s.execute(EXPIRED_OUTGOING).scalar() == 0
        # Not vacuous: food batches carry their dates, leave the shelf, and expire.
        food_out = s.execute(sa.text(
            "SELECT COUNT(*) FROM stock_movement m JOIN item_type it ON "
            "it.id = m.item_type_id WHERE it.perishable AND m.batch <> '' AND m.kind IN "
            "('distribution', 'transfer_out')")).scalar()
        assert food_out > 10
        assert s.execute(sa.text(
            "SELECT COUNT(*) FROM write_off WHERE reason = 'expired'")).scalar() > 0
        assert s.execute(sa.text(
            "SELECT COUNT(*) FROM stock_balance b JOIN item_type it ON "
            "it.id = b.item_type_id WHERE it.perishable AND b.quantity <> 0 "
            "AND b.expiry_date IS NULL")).scalar() == 0
        _db.session.remove()


def test_publications_are_real_and_chained_in_deadline_order(province):
    from charity.disclosure.models import Obligation, Publication

    app, _counts = province
    with app.app_context():
        s = _db.session
        pubs = s.scalars(sa.select(Publication).order_by(Publication.chain_seq)).all()
        assert pubs[0].pdf.startswith(b"%PDF-")
        days = [p.published_on for p in pubs]
        # Deadline order, except the few published late (up to 20 days).
        assert all(b >= a - dt.timedelta(days=21) for a, b in zip(days, days[1:]))
        assert all(p.published_on < TODAY for p in pubs)
        open_overdue = s.scalar(sa.select(sa.func.count()).select_from(Obligation).where(
            Obligation.published_on.is_(None), Obligation.due < TODAY,
            Obligation.subject_type == "organization"))
        assert open_overdue == 0  # every past annual report went out


def test_the_cli_refuses_a_database_that_holds_data(committed_app):
    """Through the command line (with placeholder PDFs: the province fixture above lays out
    real ones through the same generator), then again on what it wrote."""
    runner = committed_app.test_cli_runner()
    result = runner.invoke(args=["demo", "--scale", "province", "--factor", str(FACTOR),
                                 "--fast-pdfs"])
    assert result.exit_code == 0, result.output
    assert "organizations" in result.output and "stock_movement" in result.output
    again = runner.invoke(args=["demo", "--scale", "province", "--factor", str(FACTOR)])
    assert again.exit_code != 0
    assert "empty database" in again.output


def test_the_cli_refuses_a_database_with_only_an_administrator(committed_app):
    runner = committed_app.test_cli_runner()
    made = runner.invoke(args=["init", "--username", "chief", "--password",
                               "a-long-enough-secret-2026"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(args=["demo", "--scale", "province", "--factor", str(FACTOR)])
    assert result.exit_code != 0
    assert "empty database" in result.output and "Traceback" not in result.output


def _digest(app) -> str:
    from charity.funds.models import FundEntry
    from charity.goods.models import StockMovement

    h = hashlib.sha256()
    with app.app_context():
        for model in (StockMovement, FundEntry):
            cols = [c for c in model.__table__.c if c.name not in ("posted_at",)]
            for row in _db.session.execute(sa.select(*cols).order_by(model.id)):
                h.update(repr(tuple(row)).encode())
        _db.session.remove()
    return h.hexdigest()


def _snapshots(app) -> list[tuple]:
    from charity.disclosure.models import Publication

    with app.app_context():
        rows = _db.session.execute(sa.select(
            Publication.chain_seq, Publication.snapshot_sha256, Publication.pdf,
            Publication.pdf_sha256).order_by(Publication.chain_seq)).all()
        _db.session.remove()
    return rows


def test_same_seed_same_data(province, committed_app):
    """A second generation with the province's seed, into a database of its own, writes the
    same ledgers row for row — and with `fast_pdfs` (the staff crawl's dataset) the same
    disclosures, each with a one-page placeholder PDF whose digest is the one stored."""
    from pypdf import PdfReader

    app, _counts = province
    _generate(committed_app, seed=7, fast_pdfs=True)
    assert _digest(committed_app) == _digest(app)
    fast, rendered = _snapshots(committed_app), _snapshots(app)
    assert [r[:2] for r in fast] == [r[:2] for r in rendered] and fast
    for seq, _snap, pdf, digest in fast:
        assert hashlib.sha256(pdf).hexdigest() == digest
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert f"GK-{seq:06d}" in text and "placeholder" in text


def test_public_pages_serve_the_province(province):
    from charity.funds.models import Campaign, Project

    app, _counts = province
    with app.app_context():
        campaign = _db.session.scalar(sa.select(Campaign.id).order_by(Campaign.id))
        project = _db.session.scalar(sa.select(Project.id).order_by(Project.id))
        _db.session.remove()
    client = app.test_client()
    for url in ("/", "/disclosures/", "/disclosures/compliance", f"/campaigns/{campaign}",
                f"/projects/{project}", "/api/v1/campaigns", "/points/", "/transparency/"):
        response = client.get(url)
        assert response.status_code == 200, url
