import datetime as dt

from tests.auth.policies.common import MANAGERS, READERS

POLICY = {
    "compliance.dashboard": READERS,
    "compliance.obligation_view": READERS,
    "compliance.obligation_publish": MANAGERS,
}


def url_args(world, db):
    from charity.disclosure.obligations import refresh_all
    from charity.disclosure.models import Obligation
    from charity.funds.services.campaigns import activate_project, create_project
    from charity.core.system import system_actor
    import sqlalchemy as sa

    p = create_project(system_actor(), db, world["org"], {
        "name": "合规矩阵项目", "planned_start": dt.date(2026, 1, 1), "planned_end": None})
    activate_project(system_actor(), db, p)
    refresh_all(db, dt.date(2026, 11, 25))
    db.commit()
    ob = db.scalar(sa.select(Obligation).where(Obligation.subject_type == "project",
                                               Obligation.subject_id == p.id,
                                               Obligation.published_on.is_(None))
                   .order_by(Obligation.due).limit(1))
    return {"obligation_id": ob.id}
