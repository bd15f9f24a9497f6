from tests.auth.policies.common import PUBLIC

RESOURCES = ("organizations", "points", "campaigns", "projects", "obligations", "publications")
POLICY = {f"api.{name}{suffix}": PUBLIC for name in RESOURCES for suffix in ("", "_csv")}
POLICY.update({f"api.{name[:-1]}": PUBLIC for name in RESOURCES})
POLICY.update({"api.stats": PUBLIC, "api.openapi": PUBLIC, "api.index": PUBLIC,
               "api.feed": PUBLIC, "api.complaint_stats": PUBLIC})


def url_args(world, db):
    # One id for every detail route: the organisation exists, the others answer 404.
    return {"item_id": world["org"].id}
