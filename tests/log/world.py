"""Helpers of the log tests: campaigns to publish about, a fast stand-in renderer, and the
insider who rewrites a publication in the database."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from charity.core.system import system_actor


def fake_render(snapshot: dict, meta: dict) -> tuple[str, bytes]:
    text = f"%PDF-1.4\n% {meta['report_no']} {snapshot['title']}\n%%EOF\n"
    return "", text.encode("utf-8")


def make_campaigns(session, org, n: int, prefix: str = "透明日志") -> list:
    """n active campaigns of `org` running through 2026, each with a donation."""
    from charity.funds.services import ledger
    from charity.funds.services.campaigns import activate_campaign, create_campaign

    actor = system_actor()
    campaigns = []
    for i in range(n):
        c = create_campaign(actor, session, org, {
            "name": f"{prefix}{i}", "purpose": "p", "region": "r", "donation_methods": "m",
            "beneficiaries": "b", "intended_use": "u", "leftover_plan": "l",
            "filing_no": f"F{i}", "planned_start": dt.date(2026, 1, 1),
            "planned_end": dt.date(2026, 12, 31)}, today=dt.date(2026, 1, 1))
        activate_campaign(actor, session, c, today=dt.date(2026, 1, 1))
        ledger.post_donation(actor, session, org, {
            "kind": "donation", "amount": Decimal("100.00") + i, "entry_date": dt.date(2026, 1, 5),
            "campaign_id": c.id, "channel": "wechat", "counterparty": "爱心人士"},
            with_receipt=False, today=dt.date(2026, 1, 5))
        campaigns.append(c)
    session.commit()
    return campaigns


def new_org(session, name: str, code: str):
    from charity.orgs import uscc
    from charity.orgs.services import create_organization

    org = create_organization(system_actor(), session, {
        "name": name, "uscc": uscc.make(code), "can_fundraise_publicly": True,
        "fundraising_cert_no": "X1"})
    session.commit()
    return org


def rewrite_publication(session, publication_id: int, pdf: bytes) -> None:
    """The insider attack `charity verify` misses: replace a publication's PDF and its
    SHA-256, then recompute every chain link from there on, and commit."""
    from charity.disclosure.models import Publication
    from charity.disclosure.publishing import chain_fields, entry_hash, sha256

    session.execute(sa.update(Publication).where(Publication.id == publication_id)
                    .values(pdf=pdf, pdf_sha256=sha256(pdf)))
    session.expire_all()
    prev = None
    for p in session.scalars(sa.select(Publication).order_by(Publication.chain_seq)):
        if prev is not None:
            p.prev_hash = prev
        p.entry_hash = entry_hash(p.prev_hash, chain_fields(p))
        prev = p.entry_hash
    session.commit()
    session.expire_all()
