import datetime as dt

from tests.auth.policies.common import PUBLIC

POLICY = {
    "disclosures.publication_list": PUBLIC,
    "disclosures.publication_view": PUBLIC,
    "disclosures.publication_pdf": PUBLIC,
    "disclosures.compliance": PUBLIC,
    "disclosures.overdue_list": PUBLIC,
}


def url_args(world, db):
    """A real publication of a one-day project, published through the scheduler."""
    from charity.funds.services.campaigns import activate_project, close_project, create_project
    from charity.ops.scheduler import tick
    from charity.core.system import system_actor

    p = create_project(system_actor(), db, world["org"], {
        "name": "矩阵测试项目", "planned_start": dt.date(2026, 1, 1),
        "planned_end": dt.date(2026, 1, 31)})
    activate_project(system_actor(), db, p)
    close_project(system_actor(), db, p, dt.date(2026, 1, 31), "无", "无",
                  today=dt.date(2026, 2, 1))
    db.commit()
    result = tick(db, dt.date(2026, 5, 1))
    return {"pub_id": result.published[0]}
