"""A publication writes a `publication.create` audit entry in its own transaction (issue 16:
"publications write no audit entry")."""
import datetime as dt
import hashlib
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.audit.models import AuditLog
from charity.disclosure.models import Publication
from charity.disclosure.publishing import publish_correction
from charity.funds.services import ledger
from charity.ops.scheduler import tick
from charity.reports.pdf import ICC_RESOURCE_WARNING
from charity.core.system import system_actor

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)


def _entries(db, pub):
    return list(db.scalars(sa.select(AuditLog).where(
        AuditLog.action == "publication.create", AuditLog.object_type == "Publication",
        AuditLog.object_id == str(pub.id))))


def test_scheduler_and_correction_publications_are_audited(db, fundraising_org, make_campaign,
                                                           make_user):
    campaign = make_campaign(name="审计募捐", planned_start=dt.date(2026, 1, 1),
                             planned_end=dt.date(2026, 12, 31))
    ledger.post_donation(system_actor(), db, fundraising_org, {
        "kind": "donation", "amount": Decimal("88.00"), "entry_date": dt.date(2026, 1, 5),
        "campaign_id": campaign.id, "channel": "cash", "counterparty": "爱心人士"},
        with_receipt=False, today=dt.date(2026, 11, 25))
    db.commit()
    (pub_id,) = tick(db, dt.date(2026, 4, 1)).published
    pub = db.get(Publication, pub_id)
    (entry,) = _entries(db, pub)
    assert entry.user_id is None, "the scheduler published it"
    assert entry.organization_id == fundraising_org.id
    # The entry is tied to the document by the digests of what was stored.
    assert entry.summary["pdf_sha256"] == hashlib.sha256(pub.pdf).hexdigest()
    assert entry.summary["snapshot_sha256"] == hashlib.sha256(
        pub.snapshot.encode("utf-8")).hexdigest()
    assert (entry.summary["kind"], entry.summary["subject_type"], entry.summary["subject_id"],
            entry.summary["seq"]) == ("periodic", "campaign", campaign.id, 1)
    assert entry.summary["period"] == ["2026-01-01", "2026-03-31"]
    assert entry.summary["chain_seq"] == pub.chain_seq

    manager = make_user("manager", org=fundraising_org)
    fix = publish_correction(manager, db, pub, "金额录入有误", dt.date(2026, 4, 3))
    db.commit()
    (corrected,) = _entries(db, fix)
    assert corrected.user_id == manager.id
    assert corrected.summary["kind"] == "correction"
    assert corrected.summary["corrects_id"] == pub.id
