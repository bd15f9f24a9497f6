"""`Cache-Control: no-store` on every staff page — anything behind sign-in — so that a shared
desktop's browser cache or the back button after signing out shows nobody's data (issue 16:
"staff pages with personal data send no Cache-Control")."""
import pytest

from charity.web.access import PUBLIC, access_rule
from tests.auth.test_route_matrix import sweep, world  # noqa: F401


def _no_store(response) -> bool:
    return "no-store" in (response.headers.get("Cache-Control") or "")


@pytest.mark.parametrize("role", ["admin", "manager", "volunteer", "auditor"])
def test_every_staff_route_answers_no_store(app, client, login, world, role):
    """Every route behind sign-in, opened as `role` (the route matrix's sweep, shared)."""
    missing = []
    checked = 0
    for answer in sweep(app, client, login, world, role):
        with app.test_request_context():
            if access_rule(answer["endpoint"]) == PUBLIC:
                continue
        checked += 1
        # Whatever the answer: the page, a 403, a redirect after a refused POST.
        if "no-store" not in (answer["cache_control"] or ""):
            missing.append(f"{answer['method']} {answer['url']}: {answer['status']} "
                           f"{answer['cache_control']!r}")
    assert checked > 100
    assert not missing, "\n".join(missing)


def test_anonymous_sent_to_sign_in_from_a_staff_page_gets_no_store(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.location
    assert _no_store(response)


def test_public_pages_stay_cacheable_for_visitors_but_not_for_staff(client, db, login,
                                                                     make_user):
    home = client.get("/")
    assert home.status_code == 200 and not _no_store(home)
    css = client.get("/static/css/app.css")
    assert css.status_code == 200 and not _no_store(css)
    css.close()
    login(make_user("manager"))
    # The page now greets the signed-in user: not for a shared cache.
    assert _no_store(client.get("/"))
    css = client.get("/static/css/app.css")
    assert not _no_store(css), "static files stay cacheable"
    css.close()
