from tests.auth.policies.common import PUBLIC, READERS

POLICY = {
    "transparency.staff_score": READERS,
    "transparency.ranking": PUBLIC,
    "transparency.org_score": PUBLIC,
    "api.transparency_scores": PUBLIC,
    "api.transparency_score": PUBLIC,
}


def url_args(world, db):
    """A real score of the matrix organisation, computed as the scheduler would."""
    import datetime as dt

    from charity.transparency.scoring import refresh

    refresh(db, dt.date(2026, 11, 25))
    db.commit()
    return {"org_id": world["org"].id, "organization_id": world["org"].id}
