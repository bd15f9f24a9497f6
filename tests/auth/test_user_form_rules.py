"""The account form's safe defaults (issue 15): a new account starts as a volunteer, the least
privileged role, never as 系统管理员; and a volunteer is never saved without a charity point
(they would only ever see "您没有负责的开放中慈善网点")."""
import re

import pytest

from charity.core.roles import Role
from tests.auth.test_users_admin import (CJK, field_error, form, get_user, sign_in, users,
                                         world)  # noqa: F401  (world: the fixture)


def selected_role(page: str) -> list[str]:
    select = re.search(r'<select id="role"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option selected value="([^"]+)"', select)


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_a_new_account_starts_as_a_volunteer(client, world, who):  # noqa: F811
    sign_in(client, world[who])
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert selected_role(page) == [Role.VOLUNTEER.value]


@pytest.mark.parametrize("who", ["admin", "manager"])
def test_a_volunteer_without_a_charity_point_is_refused_next_to_the_field(
        client, db, world, who):  # noqa: F811
    sign_in(client, world[who])
    before = users(db)
    response = client.post("/admin/users/new", data=form(organization_id=world["org_a"].id))
    assert response.status_code == 200
    assert CJK.search(field_error(response, "point_ids"))
    assert 'value="新同事"' in response.get_data(as_text=True), "what was typed is kept"
    assert users(db) == before and get_user(db, "newbie") is None
    # The same person as a manager needs no point.
    response = client.post("/admin/users/new", data=form(
        organization_id=world["org_a"].id, role="manager"))
    assert response.status_code == 302
    assert get_user(db, "newbie").role == Role.MANAGER


def test_a_volunteer_cannot_be_left_without_a_charity_point(client, db, world):  # noqa: F811
    sign_in(client, world["admin"])
    v = world["volunteer"]
    response = client.post(f"/admin/users/{v.id}/edit", data={
        "display_name": v.display_name, "role": "volunteer",
        "organization_id": world["org_a"].id})
    assert response.status_code == 200
    assert CJK.search(field_error(response, "point_ids"))
    assert get_user(db, v.username).point_ids == {world["a1"].id}
