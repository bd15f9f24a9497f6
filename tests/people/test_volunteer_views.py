"""Volunteer screens: profiles, the sign-in board at a point, hours per month in the
organisation's time zone, and the party members' participation against the 90 % target."""
import datetime as dt
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from charity.people import volunteers as service
from charity.people.models import Shift, Volunteer
from charity.core.system import system_actor
from tests.goods.test_transfer_views import (  # noqa: F401  (fixtures)
    client, error_of, login, token_of)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def w(db, make_org, make_point, make_user):
    org = make_org()
    a, b = make_point(org, name="东岗超市"), make_point(org, name="雁滩站")
    out = {"org": org, "a": a, "b": b,
           "vol_a": make_user("volunteer", org=org, points=[a]),
           "vol_b": make_user("volunteer", org=org, points=[b]),
           "manager": make_user("manager", org=org),
           "auditor": make_user("auditor", org=org)}
    db.commit()
    return out


def volunteer(db, org, name="王芳", **data):
    v = service.create_volunteer(system_actor(), db, org, {"name": name, **data})
    db.commit()
    return v


def n_volunteers(db):
    return db.scalar(sa.select(sa.func.count(Volunteer.id)))


def n_shifts(db):
    return db.scalar(sa.select(sa.func.count(Shift.id)))


def local(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def shift(db, v, point, start, end, service_type="supermarket"):
    s = service.sign_in(system_actor(), db, v, point, service_type, at=start)
    service.sign_out(system_actor(), db, s, at=end)
    db.commit()
    return s


# --- profiles --------------------------------------------------------------------------------

def test_manager_registers_a_volunteer(client, login, db, w):
    login(w["manager"])
    html = client.get("/staff/volunteers/new").get_data(as_text=True)
    for label in ("Culture and sport", "Legal aid", "Counselling", "Health care",
                  "Supermarket duty", "Other"):
        assert label in html
    response = client.post("/staff/volunteers/new", data={
        "submission_token": token_of(html), "name": "李明", "phone": "13900001111",
        "community": "张掖路社区", "party_member": "y", "service_types": ["legal", "health"],
        "user_id": str(w["vol_a"].id)})
    assert response.status_code == 302
    v = db.scalar(sa.select(Volunteer).where(Volunteer.name == "李明"))
    assert (v.organization_id, v.community, v.party_member, v.user_id) == (
        w["org"].id, "张掖路社区", True, w["vol_a"].id)
    assert v.service_types == ["health", "legal"]
    listing = client.get("/staff/volunteers/?q=张掖路").get_data(as_text=True)
    assert "李明" in listing and "Legal aid" in listing


@pytest.mark.parametrize("data,field,message", [
    ({"name": ""}, "name", "This field is required."),
    ({"service_types": ["juggling"]}, "service_types", "'juggling' is not a valid choice"),
    ({"user_id": "OTHER_ORG"}, "user_id", "Choose an account of this organisation."),
    ({"user_id": "TAKEN"}, "user_id", "This account belongs to another volunteer."),
])
def test_bad_profiles_are_refused(client, login, db, w, make_user, data, field, message):
    taken = volunteer(db, w["org"], user_id=w["vol_b"].id)
    assert taken.user_id == w["vol_b"].id
    stranger = make_user("volunteer")
    db.commit()
    values = {"name": "赵强", "phone": "13911112222", "community": "雁滩社区"}
    values.update({k: {"OTHER_ORG": str(stranger.id), "TAKEN": str(w["vol_b"].id)}.get(v, v)
                   if isinstance(v, str) else v for k, v in data.items()})
    login(w["manager"])
    token = token_of(client.get("/staff/volunteers/new").get_data(as_text=True))
    before = n_volunteers(db)
    response = client.post("/staff/volunteers/new", data={"submission_token": token, **values})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in unescape(html[html.index(f'id="{field}-error"'):][:300])
    assert 'value="13911112222"' in html  # typing kept
    assert n_volunteers(db) == before


def test_manager_edits_and_deactivates(client, login, db, w):
    v = volunteer(db, w["org"], community="张掖路社区", service_types=["legal"])
    login(w["manager"])
    html = client.get(f"/staff/volunteers/{v.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked [^>]*value="legal">', html)
    assert not re.search(r'<input checked [^>]*value="counselling">', html)
    response = client.post(f"/staff/volunteers/{v.id}/edit", data={
        "submission_token": token_of(html), "name": "王芳", "community": "雁滩社区",
        "service_types": ["counselling"], "user_id": ""})  # active unticked: deactivated
    assert response.status_code == 302
    v = db.get(Volunteer, v.id)
    assert (v.community, v.service_types, v.active) == ("雁滩社区", ["counselling"], False)


def test_only_managers_register_and_volunteers_do_not_list(client, login, db, w):
    login(w["auditor"])
    assert client.get("/staff/volunteers/").status_code == 200
    assert client.post("/staff/volunteers/new", data={"name": "x"}).status_code == 403
    login(w["vol_a"])
    assert client.get("/staff/volunteers/").status_code == 403
    assert n_volunteers(db) == 0


def test_list_filters(client, login, db, w):
    volunteer(db, w["org"], "党员甲", community="张掖路社区", party_member=True,
              service_types=["legal"])
    volunteer(db, w["org"], "群众乙", community="雁滩社区", service_types=["health"])
    login(w["manager"])
    party = client.get("/staff/volunteers/?party=1").get_data(as_text=True)
    assert "党员甲" in party and "群众乙" not in party
    health = client.get("/staff/volunteers/?service=health").get_data(as_text=True)
    assert "群众乙" in health and "党员甲" not in health
    by_community = client.get("/staff/volunteers/?q=雁滩").get_data(as_text=True)
    assert "群众乙" in by_community and "党员甲" not in by_community


# --- the sign-in board -----------------------------------------------------------------------

def board_token(client, point):
    html = client.get(f"/staff/volunteers/shifts?point={point.id}").get_data(as_text=True)
    return token_of(html), html


def test_sign_in_and_out_at_the_point(client, login, db, w):
    v = volunteer(db, w["org"], user_id=w["vol_a"].id)
    login(w["vol_a"])
    token, html = board_token(client, w["a"])
    assert f'<option selected value="{v.id}">' in html  # their own profile preselected
    response = client.post("/staff/volunteers/shifts", data={
        "action": "sign_in", "submission_token": token, "point_id": w["a"].id,
        "volunteer_id": v.id, "service_type": "supermarket"})
    assert response.status_code == 302
    s = db.scalar(sa.select(Shift))
    assert (s.volunteer_id, s.point_id, s.signed_out_at) == (v.id, w["a"].id, None)

    # Signing in again (a second form) is refused next to the volunteer.
    token, html = board_token(client, w["a"])
    assert "On duty now" in html and "王芳" in html
    response = client.post("/staff/volunteers/shifts", data={
        "action": "sign_in", "submission_token": token, "point_id": w["a"].id,
        "volunteer_id": v.id, "service_type": "legal"})
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "volunteer_id") == \
        "This volunteer is already signed in."
    assert n_shifts(db) == 1

    out_token = re.search(r'name="submission_token" type="hidden" value="([^"]+)">\s*'
                          r'<input id="shift_id"', html)
    assert out_token
    response = client.post(f"/staff/volunteers/shifts?point={w['a'].id}", data={
        "action": "sign_out", "submission_token": out_token.group(1), "shift_id": s.id})
    assert response.status_code == 302
    assert db.get(Shift, s.id).signed_out_at is not None
    again = client.post(f"/staff/volunteers/shifts?point={w['a'].id}", data={
        "action": "sign_out", "submission_token": "other", "shift_id": s.id})
    assert again.status_code == 302
    assert "Already signed out." in client.get(again.location).get_data(as_text=True)


def test_double_click_signs_in_once(client, login, db, w):
    v = volunteer(db, w["org"])
    login(w["vol_a"])
    token, _html = board_token(client, w["a"])
    data = {"action": "sign_in", "submission_token": token, "point_id": w["a"].id,
            "volunteer_id": v.id, "service_type": "supermarket"}
    assert client.post("/staff/volunteers/shifts", data=data).status_code == 302
    assert client.post("/staff/volunteers/shifts", data=data).status_code == 302
    assert n_shifts(db) == 1


def test_volunteer_of_another_point_cannot_sign_in_or_out_there(client, login, db, w):
    v = volunteer(db, w["org"])
    s = service.sign_in(system_actor(), db, v, w["a"], "supermarket")
    db.commit()
    login(w["vol_b"])
    html = client.get(f"/staff/volunteers/shifts?point={w['a'].id}").get_data(as_text=True)
    assert "雁滩站" in html and "东岗超市" not in html  # only their own point
    response = client.post(f"/staff/volunteers/shifts?point={w['a'].id}", data={
        "action": "sign_out", "submission_token": "t1", "shift_id": s.id})
    assert response.status_code == 403
    assert db.get(Shift, s.id).signed_out_at is None
    other = volunteer(db, w["org"], "刘洋")
    response = client.post("/staff/volunteers/shifts", data={
        "action": "sign_in", "submission_token": "t2", "point_id": w["a"].id,
        "volunteer_id": other.id, "service_type": "supermarket"})
    assert response.status_code == 200
    assert "Choose the charity point first." in response.get_data(as_text=True)
    assert n_shifts(db) == 1


def test_bad_sign_in_choices(client, login, db, w, make_org):
    foreign = volunteer(db, make_org(), "外单位")
    login(w["vol_a"])
    for volunteer_id, service_type, field, message in [
            ("", "supermarket", "volunteer_id", "Choose a volunteer."),
            (str(foreign.id), "supermarket", "volunteer_id", "Choose a volunteer."),
            ("abc", "supermarket", "volunteer_id", "Choose a volunteer.")]:
        token, _html = board_token(client, w["a"])
        response = client.post("/staff/volunteers/shifts", data={
            "action": "sign_in", "submission_token": token, "point_id": w["a"].id,
            "volunteer_id": volunteer_id, "service_type": service_type})
        assert response.status_code == 200
        assert error_of(response.get_data(as_text=True), field) == message
    mine = volunteer(db, w["org"], "本单位")
    token, _html = board_token(client, w["a"])
    response = client.post("/staff/volunteers/shifts", data={
        "action": "sign_in", "submission_token": token, "point_id": w["a"].id,
        "volunteer_id": mine.id, "service_type": "juggling"})
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "service_type") == "Choose the service."
    assert n_shifts(db) == 0


def test_board_shows_local_times(client, login, db, w):
    """Stamps are stored in UTC and shown in the organisation's time zone (UTC+8)."""
    v = volunteer(db, w["org"])
    s = service.sign_in(system_actor(), db, v, w["a"], "supermarket",
                        at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    db.commit()
    login(w["vol_a"])
    html = client.get("/staff/volunteers/shifts").get_data(as_text=True)
    local_now = s.signed_in_at.astimezone(SHANGHAI)
    assert re.search(rf'data-label="Signed in">[^<]*{local_now.day}, {local_now.year}', html)
    hour = local_now.strftime("%-I")
    assert re.search(rf'data-label="Signed in">[^<]*{hour}:\d\d:\d\d\s?[AP]M', html)


# --- hours and participation -----------------------------------------------------------------

def cell(html, row_name, label):
    row = html[html.index(f">{row_name}<"):]
    row = row[:row.index("</tr>")]
    match = re.search(rf'data-label="{re.escape(label)}">(?:<strong>)?([^<]*)<', row)
    assert match, (row_name, label)
    return match.group(1).strip()


def test_hours_per_volunteer_and_month(client, login, db, w):
    v1, v2 = volunteer(db, w["org"], "张一"), volunteer(db, w["org"], "张二")
    shift(db, v1, w["a"], local(2026, 3, 2, 9, 0), local(2026, 3, 2, 11, 30))  # 2.5 h
    shift(db, v1, w["a"], local(2026, 3, 20, 14, 0), local(2026, 3, 20, 15, 45))  # 1.75 h
    shift(db, v2, w["a"], local(2026, 4, 1, 0, 30), local(2026, 4, 1, 2, 30))  # 2 h, April
    shift(db, v2, w["b"], local(2025, 12, 31, 20, 0), local(2025, 12, 31, 23, 0))  # last year
    open_shift = service.sign_in(system_actor(), db, v1, w["a"], "supermarket",
                                 at=local(2026, 5, 1, 9, 0))
    assert open_shift.signed_out_at is None  # open shifts count no hours
    db.commit()
    login(w["auditor"])
    html = client.get("/staff/volunteers/hours?year=2026").get_data(as_text=True)
    assert cell(html, "张一", "Month 3") == "4.25"
    assert cell(html, "张一", "Total") == "4.25"
    assert cell(html, "张二", "Month 3") == ""
    assert cell(html, "张二", "Month 4") == "2"  # 00:30 in Shanghai is still April
    assert cell(html, "张二", "Total") == "2"
    footer = html[html.index("<tfoot>"):]
    assert cell(footer, "Total", "Month 3") == "4.25" and cell(footer, "Total", "Total") == \
        "6.25"
    last_year = client.get("/staff/volunteers/hours?year=2025").get_data(as_text=True)
    assert cell(last_year, "张二", "Month 12") == "3" and "张一" not in last_year


def test_participation_rate_per_community(client, login, db, w):
    org, a = w["org"], w["a"]
    p1 = volunteer(db, org, "党员一", community="张掖路社区", party_member=True)
    p2 = volunteer(db, org, "党员二", community="张掖路社区", party_member=True)
    volunteer(db, org, "党员三", community="张掖路社区", party_member=True)
    n1 = volunteer(db, org, "群众一", community="张掖路社区")
    q1 = volunteer(db, org, "党员四", community="雁滩社区", party_member=True)
    gone = volunteer(db, org, "党员五", community="雁滩社区", party_member=True)
    gone.active = False
    db.commit()
    shift(db, p1, a, local(2026, 2, 1, 9, 0), local(2026, 2, 1, 10, 0))
    shift(db, p1, a, local(2026, 6, 1, 9, 0), local(2026, 6, 1, 10, 0))  # twice: counted once
    shift(db, p2, a, local(2025, 6, 1, 9, 0), local(2025, 6, 1, 10, 0))  # only last year
    shift(db, n1, a, local(2026, 6, 1, 9, 0), local(2026, 6, 1, 10, 0))  # not a party member
    shift(db, q1, a, local(2026, 7, 1, 9, 0), local(2026, 7, 1, 10, 0))
    login(w["manager"])
    html = client.get("/staff/volunteers/dashboard?year=2026").get_data(as_text=True)
    assert [cell(html, "张掖路社区", k) for k in ("Party members", "Volunteered", "Share")] \
        == ["3", "1", "33.3 %"]
    assert [cell(html, "雁滩社区", k) for k in ("Party members", "Volunteered", "Share")] \
        == ["1", "1", "100 %"]
    assert "2 of 4 party members volunteered." in html
    assert '<progress value="2" max="4"' in html and '<progress value="1" max="3"' in html
    assert "Below target" in html and "Target: 90 %" in html
    last_year = client.get("/staff/volunteers/dashboard?year=2025").get_data(as_text=True)
    assert cell(last_year, "张掖路社区", "Volunteered") == "1"
    assert cell(last_year, "雁滩社区", "Share") == "0 %"
