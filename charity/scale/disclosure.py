"""The province's disclosure history, published by the real publisher (snapshot → PDF →
hashes → chain), in deadline order so that the chain reads chronologically.

Most disclosures go out on their deadline day; a few late (marked late, as the scheduler
would); about one subject in a hundred is left overdue now, so the compliance pages have
something to show. Deadlines move as periodic disclosures are published, so each subject's
next obligation is recomputed after each of its publications.
"""
from __future__ import annotations

import datetime as dt
import heapq

import sqlalchemy as sa

from charity.disclosure.models import Obligation
from charity.disclosure.obligations import refresh_all, refresh_subject
from charity.disclosure.publishing import publish_obligation
from charity.funds.models import Campaign, Project
from charity.scale.world import World

MODELS = {"campaign": Campaign, "project": Project}


def _next_due(world: World, subject_type: str, subject_id: int):
    return world.session.execute(
        sa.select(Obligation.due, Obligation.id).where(
            Obligation.subject_type == subject_type, Obligation.subject_id == subject_id,
            Obligation.published_on.is_(None), Obligation.due < world.today)
        .order_by(Obligation.due, Obligation.seq, Obligation.id).limit(1)).first()


def publish_history(world: World, progress=lambda msg: None) -> None:
    s, rng, today = world.session, world.rng, world.today
    refresh_all(s, today)
    s.commit()
    heap = []
    firsts = s.execute(sa.select(Obligation.subject_type, Obligation.subject_id,
                                 sa.func.min(Obligation.due))
                       .where(Obligation.published_on.is_(None), Obligation.due < today)
                       .group_by(Obligation.subject_type, Obligation.subject_id)).all()
    for subject_type, subject_id, _due in firsts:
        row = _next_due(world, subject_type, subject_id)
        heapq.heappush(heap, (row.due, row.id, subject_type, subject_id))
    published = overdue = 0
    while heap:
        due, ob_id, subject_type, subject_id = heapq.heappop(heap)
        if subject_type != "organization" and rng.random() < 0.01:
            overdue += 1  # never published: overdue now, and its later deadlines with it
            continue
        on = due
        if rng.random() < 0.05:
            on = min(today - dt.timedelta(days=1), due + dt.timedelta(days=rng.randint(1, 20)))
        ob = s.get(Obligation, ob_id)
        publish_obligation(s, ob, on, now=world.moment(on))
        published += 1
        if subject_type in MODELS:
            refresh_subject(s, s.get(MODELS[subject_type], subject_id), today)
        s.commit()
        s.expunge_all()  # the PDFs are large: keep the session small
        row = _next_due(world, subject_type, subject_id)
        if row is not None:
            heapq.heappush(heap, (row.due, row.id, subject_type, subject_id))
        if published % 100 == 0:
            progress(f"  {published} disclosures published …")
    refresh_all(s, today)
    s.commit()
    world.add("publications", published)
    world.add("subjects_left_overdue", overdue)
