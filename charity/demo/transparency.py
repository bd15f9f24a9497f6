"""Two more demo organisations, so the transparency ranking has something to rank: a model
one and a struggling one, each for visible reasons (issue 9). Loaded before the scheduler's
replay, so their obligations go through the same history; idempotent by the orgs' codes.

- 兰州市安宁区慈善超市服务中心: complete contact details, receipts for its gifts, low
  fundraising costs, a complaint answered on time.
- 兰州市七里河区社区慈善协会: no contact person or e-mail on file, fundraising costs at a
  quarter of its income, a complaint left unanswered past its deadline.
"""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.complaints import services as complaints
from charity.core.clock import org_today
from charity.core.system import system_actor
from charity.funds.services import ledger
from charity.orgs import uscc
from charity.orgs.models import Organization
from charity.orgs.services import create_organization
from charity.people.services import create_donor

MODEL = {"name": "兰州市安宁区慈善超市服务中心", "uscc": uscc.make("52620105MJ7306611"),
         "registering_authority": "兰州市安宁区民政局", "registered_on": dt.date(2026, 1, 12),
         "contact_person": "周海燕",
         "phone": "0931-7612345", "email": "anning@example.org",
         "address": "甘肃省兰州市安宁区北滨河西路 66 号", "timezone": "Asia/Shanghai"}
WEAK = {"name": "兰州市七里河区社区慈善协会", "uscc": uscc.make("51620103MJ7308822"),
        "registering_authority": "兰州市七里河区民政局", "registered_on": dt.date(2025, 4, 8),
        "phone": "0931-2612345",
        "address": "甘肃省兰州市七里河区西津西路 9 号", "timezone": "Asia/Shanghai"}


def _org(session: Session, data: dict) -> tuple[Organization, bool]:
    org = session.scalar(sa.select(Organization).where(Organization.uscc == data["uscc"]))
    if org is not None:
        return org, False
    return create_organization(system_actor(), session, data), True


def _cashier(session: Session, org, name: str):
    """The staff member who takes the money in and signs its receipts as handler (收款人).
    Her password is random and printed nowhere: the demo's logins are the main organisation's."""
    from charity.auth.services import create_user

    return create_user(system_actor(), session, {
        "username": f"cashier{org.id}", "display_name": name, "role": "manager",
        "password": secrets.token_urlsafe(24), "organization_id": org.id, "point_ids": []})


def _money(session: Session, org, today, gifts, cost: Decimal, donor_name: str | None,
           donor_code: str = "", cashier: str = ""):
    actor = system_actor()
    poster = _cashier(session, org, cashier) if cashier else actor
    donor = None
    if donor_name:
        donor = create_donor(actor, session, org, {"name": donor_name, "kind": "organization",
                                                   "phone": "0931-7000000", "id_code": donor_code,
                                                   "publish_name": True})
    for days_ago, amount in gifts:
        ledger.post_donation(poster, session, org, {
            "kind": "donation", "amount": Decimal(amount), "channel": "bank_transfer",
            "entry_date": today - dt.timedelta(days=days_ago),
            "donor_id": donor.id if donor else None,
            "counterparty": "" if donor else "社区居民"}, with_receipt=donor is not None,
            today=today)
    if cost:
        ledger.post_entry(actor, session, org, {
            "kind": "fundraising_cost", "amount": cost, "purpose": "募捐宣传物料",
            "entry_date": today - dt.timedelta(days=20)}, today=today)


def _complaint(session: Session, org, today):
    """A complaint filed 40 days ago: its answer was due after 15."""
    start = dt.datetime.combine(today - dt.timedelta(days=40), dt.time(2),
                                tzinfo=dt.timezone.utc)
    return complaints.submit_complaint(session, org, {
        "category": "服务态度", "subject": "周末无人值守",
        "description": "周六上午到超市捐衣服，门开着却没有工作人员。"}, address_hash=None,
        now=start)


def load_transparency_demo(session: Session) -> None:
    model, new_model = _org(session, MODEL)
    weak, new_weak = _org(session, WEAK)
    if new_model:
        today = org_today(model)
        _money(session, model, today, [(200, "20000"), (120, "15000"), (45, "8000")],
               Decimal("900"), "安宁区爱心企业联合会", uscc.make("51620105MJ7309933"),
               MODEL["contact_person"])
        _answer_on_time(session, _complaint(session, model, today))
    if new_weak:
        today = org_today(weak)
        _money(session, weak, today, [(150, "6000"), (60, "4000")], Decimal("2500"), None)
        _complaint(session, weak, today)
    if new_model or new_weak:
        from charity.disclosure.obligations import refresh_all

        refresh_all(session, org_today(weak))  # the weak one's 2025 annual report: overdue
    session.flush()


def _answer_on_time(session: Session, c) -> None:
    """The complaint's whole life, within its deadlines, with direct stamps: the demo has no
    staff account of this organisation to dispatch to."""
    from charity.complaints.models import ComplaintStatus as S

    base = c.submitted_at
    c.status = S.ANSWERED
    c.accepted_at = base + dt.timedelta(hours=2)
    c.dispatched_at = base + dt.timedelta(hours=3)
    c.handled_at = base + dt.timedelta(days=2)
    c.handling_note = "已排定周末值班表，周六上午由志愿者值守。"
    c.answered_at = base + dt.timedelta(days=3)
    c.answer = "感谢反映。已安排周六上午志愿者值守，欢迎再来。"
    session.flush()
