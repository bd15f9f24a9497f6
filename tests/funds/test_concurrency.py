"""Postings at the same moment, on a real database with real commits (SQLite and PostgreSQL).

Receipt numbers must stay gap-free and unique, balances must equal the ledger, and two
people spending the last yuan of a campaign must not both succeed.
"""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.errors import ValidationFailed
from charity.core.extensions import db
from charity.funds.services import ledger
from charity.funds.services.campaigns import (activate_campaign, activate_project,
                                              create_campaign, create_project)
from charity.funds.models import FundEntry, Receipt, ReceiptSequence
from charity.orgs import uscc
from charity.orgs.models import Organization
from charity.orgs.services import create_organization
from charity.core.system import system_actor
from tests.factories_funds import TODAY

pytestmark = pytest.mark.committed

D = Decimal
THREADS = 8
DONATIONS_PER_THREAD = 25
DAY = dt.date(2026, 3, 1)


def _set_up(app, opening_balance: Decimal | None = None) -> dict:
    """An organisation with a running campaign and a project it funds, in one committed
    transaction; optionally money already given to the campaign."""
    actor = system_actor()
    with app.app_context():
        org = create_organization(actor, db.session, {
            "name": "并发测试慈善会", "uscc": uscc.make("51620100000000001"),
            "registering_authority": "民政局", "can_fundraise_publicly": True,
            "fundraising_cert_no": "62000000000009"})
        campaign = create_campaign(actor, db.session, org, {
            "name": "并发募捐", "purpose": "测试", "region": "城关区", "donation_methods": "转账",
            "beneficiaries": "困难家庭", "intended_use": "冬衣", "leftover_plan": "结转",
            "filing_no": "F-9", "filing_date": dt.date(2026, 1, 1),
            "planned_start": dt.date(2026, 1, 1), "planned_end": dt.date(2026, 12, 31)},
            today=TODAY)
        activate_campaign(actor, db.session, campaign, today=TODAY)
        project = create_project(actor, db.session, org, {
            "name": "并发项目", "planned_start": dt.date(2026, 1, 1),
            "campaign_ids": [campaign.id]})
        activate_project(actor, db.session, project)
        if opening_balance is not None:
            ledger.post_donation(actor, db.session, org, {
                "kind": "donation", "amount": opening_balance, "entry_date": DAY,
                "channel": "bank_transfer", "counterparty": "开户捐赠", "campaign_id": campaign.id},
                with_receipt=False, today=TODAY)
        db.session.commit()
        ids = {"org": org.id, "campaign": campaign.id, "project": project.id}
        db.session.remove()
    return ids


def _run_at_once(work, count: int) -> list:
    """Run work(i) in `count` threads released together; return their results (or the
    exception each raised)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), name=f"poster-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a poster hung"
    return results


def test_concurrent_donations_get_gap_free_receipt_numbers(committed_app):
    app = committed_app
    ids = _set_up(app)
    actor = system_actor()

    def post_donations(i):
        seqs = []
        with app.app_context():
            try:
                for k in range(DONATIONS_PER_THREAD):
                    org = db.session.get(Organization, ids["org"])
                    entry = ledger.post_donation(actor, db.session, org, {
                        "kind": "donation", "amount": D("1.00"), "entry_date": DAY,
                        "channel": "wechat", "counterparty": f"捐赠人{i}-{k}",
                        "campaign_id": ids["campaign"]}, with_receipt=True, today=TODAY)
                    seqs.append(entry.receipt.seq)
                    db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()
        return seqs

    results = _run_at_once(post_donations, THREADS)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    total = THREADS * DONATIONS_PER_THREAD
    assert sorted(s for seqs in results for s in seqs) == list(range(1, total + 1))

    with app.app_context():
        session = db.session
        seqs = session.scalars(sa.select(Receipt.seq).where(
            Receipt.organization_id == ids["org"], Receipt.year == DAY.year)).all()
        assert sorted(seqs) == list(range(1, total + 1))
        numbers = session.scalars(sa.select(Receipt.number)).all()
        assert len(set(numbers)) == total
        assert session.scalar(sa.select(ReceiptSequence.last_seq).where(
            ReceiptSequence.organization_id == ids["org"],
            ReceiptSequence.year == DAY.year)) == total
        assert session.scalar(sa.select(sa.func.count()).select_from(FundEntry).where(
            FundEntry.receipt_id.is_not(None))) == total
        assert ledger.verify_balances(session) == []
        campaign_balance = ledger.balance(session, ids["org"], "campaign", ids["campaign"])
        assert campaign_balance.income == D(total)
        assert campaign_balance.entry_count == total
        session.rollback()


def test_concurrent_spending_never_overdraws(committed_app):
    app = committed_app
    ids = _set_up(app, opening_balance=D("100.00"))
    actor = system_actor()

    def spend(i):
        with app.app_context():
            try:
                org = db.session.get(Organization, ids["org"])
                entry = ledger.post_entry(actor, db.session, org, {
                    "kind": "project_spending", "amount": D("30.00"), "entry_date": DAY,
                    "campaign_id": ids["campaign"], "project_id": ids["project"],
                    "purpose": "购买冬衣", "counterparty": "兰州百货", "voucher_no": f"V-{i}"},
                    today=TODAY)
                db.session.commit()
                return entry.id
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    results = _run_at_once(spend, THREADS)
    succeeded = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    other = [r for r in results if not isinstance(r, (int, ValidationFailed))]
    assert not other, other
    assert len(succeeded) == 3
    assert len(refused) == THREADS - 3
    assert all(err.field == "amount" for err in refused)

    with app.app_context():
        session = db.session
        balance = ledger.balance(session, ids["org"], "campaign", ids["campaign"])
        assert balance.remaining == D("10.00")
        assert balance.spent_projects == D("90.00")
        spent = session.scalar(sa.select(sa.func.sum(FundEntry.amount)).where(
            FundEntry.kind == "project_spending"))
        assert D(spent) == D("90.00")
        assert ledger.verify_balances(session) == []
        session.rollback()


def test_donations_and_spending_at_once(committed_app, backend, request):
    """Money coming in and going out of one campaign at the same moment: every posting
    must succeed (no deadlock) and the balances must equal the ledger."""
    app = committed_app
    ids = _set_up(app, opening_balance=D("1000.00"))
    actor = system_actor()
    threads, rounds = 4, 6

    def post_mixed(i):
        failures = []
        with app.app_context():
            for k in range(rounds):
                spending = (i + k) % 2 == 0
                try:
                    org = db.session.get(Organization, ids["org"])
                    data = {"kind": "project_spending" if spending else "donation",
                            "amount": D("1.00"), "entry_date": DAY,
                            "campaign_id": ids["campaign"], "channel": "cash",
                            "project_id": ids["project"] if spending else None,
                            "purpose": "购买冬衣", "counterparty": "兰州百货", "voucher_no": "V"}
                    ledger.post_entry(actor, db.session, org, data, today=TODAY)
                    db.session.commit()
                except Exception as exc:  # noqa: BLE001 - counted by the test
                    db.session.rollback()
                    failures.append(repr(exc)[:120])
            db.session.remove()
        return failures

    results = _run_at_once(post_mixed, threads)
    failures = [f for result in results for f in (result if isinstance(result, list)
                                                  else [repr(result)])]
    assert failures == []
    with app.app_context():
        assert ledger.verify_balances(db.session) == []
        balance = ledger.balance(db.session, ids["org"], "campaign", ids["campaign"])
        assert balance.remaining == D("1000.00")  # as many yuan in as out
        db.session.rollback()
