"""The demo tells both stories of a campaign's end (issue 17 item 10): one ended campaign
whose leftover was moved by a posted transfer, one whose leftover is still in its fund —
each final says so, with the amount the ledger holds."""
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from charity.core.extensions import db
from charity.disclosure.models import Publication
from charity.funds.models import INFLOWS, Campaign, FundEntry, ProjectPoint
from charity.reports.pdf import ICC_RESOURCE_WARNING
from tests.disclosure.test_campaign_content import squashed

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)


def _final(name):
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.name == name))
    pub = db.session.scalar(sa.select(Publication).where(
        Publication.subject_type == "campaign", Publication.subject_id == campaign.id,
        Publication.kind == "final"))
    return campaign, pub


def _held(campaign_id, until):
    rows = db.session.scalars(sa.select(FundEntry).where(
        FundEntry.campaign_id == campaign_id, FundEntry.entry_date <= until)).all()
    return sum((e.amount if e.kind in INFLOWS else -e.amount for e in rows), Decimal(0))


def test_one_final_states_the_leftover_handled_the_other_unhandled(demo_app):
    with demo_app.app_context():
        handled, pub = _final("2025年重阳敬老募捐")
        assert pub is not None
        text = squashed(pub.pdf)
        assert _held(handled.id, pub.published_on) == 0
        at_end = _held(handled.id, handled.actual_end)
        assert at_end > 0 and f"活动结束时结余资金¥{at_end:.2f}" in text
        assert f"转入2026年春节慰问募捐：¥{at_end:.2f}" in text
        assert "尚未处理资金无（已全部处理）" in text

        unhandled, pub = _final("2026年春节慰问募捐")
        assert pub is not None
        left = _held(unhandled.id, pub.published_on)
        assert left > 0
        assert f"尚有¥{left:.2f}未处理" in squashed(pub.pdf)
        assert json.loads(pub.snapshot)["leftover"]["unhandled"] == f"{left:.2f}"
        # The supermarkets' hand-outs count for the supermarket project.
        assert db.session.scalar(sa.select(sa.func.count(ProjectPoint.id))) == 3
