"""Read-side questions about disclosure obligations that views ask."""
from __future__ import annotations

import sqlalchemy as sa

from charity.core.extensions import db
from charity.funds.models import Campaign, Project
from charity.orgs.models import Organization


def subject_names(obligations) -> dict[tuple[str, int], str]:
    """Names of the subjects of a page of obligations, in three queries at most."""
    names = {}
    ids = {"campaign": set(), "project": set(), "organization": set()}
    for o in obligations:
        ids[o.subject_type].add(o.subject_id)
    for kind, model in (("campaign", Campaign), ("project", Project),
                        ("organization", Organization)):
        if ids[kind]:
            for oid, name in db.session.execute(sa.select(model.id, model.name).where(
                    model.id.in_(ids[kind]))):
                names[(kind, oid)] = name
    return names
