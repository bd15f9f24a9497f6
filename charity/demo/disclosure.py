"""Demo disclosure history: the scheduler is replayed over the past year and a half, with
one window missed (so one publication is late), one correction, and narratives written in
advance for what is due next. Skipped when publications already exist (idempotent)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.clock import org_today
from charity.core.db import utcnow
from charity.disclosure.models import Narrative, Obligation, Publication
from charity.disclosure.publishing import publish_correction
from charity.ops.scheduler import tick
from charity.core.system import system_actor

# The days the demo scheduler "ran". 2026-03-01…2026-04-20 is missing: the server was down,
# so the disclosure due 2026-04-01 is published late on 2026-04-21. The annual report for
# 2024 (due 2025-05-31) goes out late on 2025-07-01; the one for 2025 on time on 2026-05-31.
REPLAY = ["2025-04-01", "2025-07-01", "2025-10-01", "2026-01-01", "2026-04-21", "2026-05-31",
          "2026-06-01", "2026-07-01", "2026-09-01", "2026-10-01"]


def load_disclosure_demo(session: Session, org) -> None:
    if session.scalar(sa.select(Publication.id).limit(1)) is not None:
        return
    today = org_today(org)
    for day in REPLAY:
        d = dt.date.fromisoformat(day)
        if d <= today:
            tick(session, d)
    first = session.scalar(sa.select(Publication).order_by(Publication.chain_seq).limit(1))
    if first is not None:
        publish_correction(system_actor(), session, first,
                           "原报告将两笔银行转账误记为现金，现予更正；金额合计不变。",
                           min(today, dt.date(2026, 10, 8)))
    upcoming = session.scalars(sa.select(Obligation).where(
        Obligation.published_on.is_(None), Obligation.due >= today)
        .order_by(Obligation.due).limit(2)).all()
    for ob in upcoming:
        session.add(Narrative(subject_type=ob.subject_type, subject_id=ob.subject_id,
                              kind=ob.kind, seq=ob.seq, updated_at=utcnow(),
                              text="本期继续开展冬季送温暖活动，在张掖路、雁滩、东岗三家慈善超市集中发放棉衣、棉被和米面油。\n"
                                   "志愿者参与分拣、入户走访，确保物资发放到位。"))
    session.commit()
    tick(session, today)
