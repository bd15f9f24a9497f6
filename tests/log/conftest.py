"""The log tests publish for real (snapshot, hashes, chain, log) with a stand-in for the slow
PDF renderer (`fast_pdfs`, tests/conftest.py): the log only needs the PDF's bytes and digest."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa


@pytest.fixture
def published(db, fast_pdfs, app):
    """Seven publications: three periodic reports, a correction, three more periodic."""
    from charity.core.system import system_actor
    from charity.disclosure.models import Publication
    from charity.disclosure.publishing import publish_correction
    from charity.ops.scheduler import tick
    from tests.log.world import make_campaigns, new_org

    org = new_org(db, "日志测试慈善会", "51620102MJ0000701")
    campaigns = make_campaigns(db, org, 3)
    tick(db, dt.date(2026, 4, 1))
    first = db.scalars(sa.select(Publication).order_by(Publication.chain_seq)).first()
    publish_correction(system_actor(), db, first, "渠道分类有误", dt.date(2026, 4, 5))
    db.commit()
    tick(db, dt.date(2026, 7, 1))
    pubs = db.scalars(sa.select(Publication).order_by(Publication.chain_seq)).all()
    assert len(pubs) == 7, [p.title for p in pubs]
    return {"org": org, "campaigns": campaigns, "pubs": pubs}
