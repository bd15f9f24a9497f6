from tests.auth.policies.common import ADMIN, MANAGERS, PUBLIC, READERS, STAFF

POLICY = {
    "static": PUBLIC,
    "portal.home": PUBLIC,
    "portal.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.set_language": PUBLIC,
    "auth.change_password": STAFF,
    "staff.home": STAFF,
    "staff.audit_log": READERS,
    "orgs.org_list": READERS,
    "orgs.org_new": ADMIN,
    "orgs.org_edit": MANAGERS,
    "orgs.org_view": READERS,
    "orgs.org_registration": ADMIN,
    "orgs.registration_evidence": READERS,
    "orgs.org_toggle": ADMIN,
    "orgs.point_list": STAFF,
    "orgs.point_new": MANAGERS,
    "orgs.point_edit": MANAGERS,
    "orgs.point_toggle": MANAGERS,
    "users.user_list": READERS,
    "users.user_new": MANAGERS,
    "users.user_edit": MANAGERS,
    "users.user_toggle": MANAGERS,
    "users.user_reset_password": MANAGERS,
}


def url_args(world, db):
    """A registration change of the world's organisation (its evidence file is not in the
    upload folder: the readers get a 404, the others a 403)."""
    from charity.orgs.models import RegistrationChange

    change = RegistrationChange(
        organization_id=world["org"].id, reason="更名", changes={"name": ["旧", "新"]},
        evidence_stored_name="0" * 32, evidence_name="批复.pdf",
        evidence_mime="application/pdf", evidence_size=10, evidence_sha256="0" * 64)
    db.add(change)
    db.flush()
    return {"change_id": change.id}
