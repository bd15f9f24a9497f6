"""The public complaint form, the tracking page and their protections."""
import io
import re

import sqlalchemy as sa

from charity.complaints import rules, services
from charity.complaints.models import Complaint, ComplaintStatus as S
from charity.core.system import system_actor
from tests.complaints.helpers import form_data, new_complaint

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _count(db):
    return db.scalar(sa.select(sa.func.count(Complaint.id)))


def _post(client, data, addr="10.1.1.1"):
    return client.post("/complaints/new", data=data, content_type="multipart/form-data",
                       environ_base={"REMOTE_ADDR": addr})


def test_form_offers_the_default_categories(client, db, make_org):
    org = make_org()
    html = client.get("/complaints/new").get_data(as_text=True)
    for name in rules.DEFAULT_CATEGORIES:
        assert f'<option value="{name}">{name}</option>' in html
    assert org.name in html
    assert 'name="rendered"' in html and 'name="website"' in html
    # Works without JavaScript: no inline script or style (the site's own static scripts,
    # loaded from files under the CSP, only add to it).
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and 'style="' not in html


def test_complaint_gets_a_tracking_number(app, client, db, make_org):
    org = make_org()
    response = _post(client, form_data(org, app))
    assert response.status_code == 302
    complaint = db.scalar(sa.select(Complaint))
    assert complaint.status == S.SUBMITTED and complaint.category.name == "物资去向"
    assert (complaint.contact_name, complaint.contact_phone) == ("陈秘密", "13911112222")
    assert complaint.address_hash == rules.address_hash("10.1.1.1", app.config[
        "CHARITY_ID_HASH_KEY"])
    page = client.get(response.location).get_data(as_text=True)
    assert rules.format_tracking_no(complaint.tracking_no) in page
    assert "陈秘密" not in page and "13911112222" not in page
    # Contact details never reach the audit log.
    from charity.audit.models import AuditLog

    for entry in db.scalars(sa.select(AuditLog)):
        assert "13911112222" not in str(entry.summary) and "陈秘密" not in str(entry.summary)


def test_missing_fields_keep_what_was_typed(app, client, db, make_org):
    org = make_org()
    response = _post(client, form_data(org, app, subject="", description="我写了很多字"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "我写了很多字" in html and "13911112222" in html
    assert 'id="subject-error"' in html
    assert _count(db) == 0


def test_category_of_another_channel_is_refused(app, client, db, make_org):
    org = make_org()
    response = _post(client, form_data(org, app, category="道路交通"))
    assert response.status_code == 400
    assert _count(db) == 0


def test_honeypot_saves_nothing(app, client, db, make_org):
    response = _post(client, form_data(make_org(), app, website="http://spam"))
    assert response.status_code == 400
    assert _count(db) == 0


def test_too_fast_and_forged_stamps_are_refused(app, client, db, make_org):
    org = make_org()
    too_fast = _post(client, form_data(org, app, seconds_ago=0))
    assert too_fast.status_code == 400
    assert "冬衣去向" in too_fast.get_data(as_text=True)  # kept
    forged = _post(client, form_data(org, app, rendered="1700000000"))
    assert forged.status_code == 400
    assert _count(db) == 0


def test_rate_limit_per_address(app, client, db, make_org):
    org = make_org()
    for _ in range(rules.RATE_LIMIT):
        assert _post(client, form_data(org, app), addr="10.9.9.9").status_code == 302
    refused = _post(client, form_data(org, app, subject="第六次"), addr="10.9.9.9")
    assert refused.status_code == 429
    assert "第六次" in refused.get_data(as_text=True)
    assert _count(db) == rules.RATE_LIMIT
    assert _post(client, form_data(org, app), addr="10.9.9.8").status_code == 302


def test_double_submit_posts_once(app, client, db, make_org):
    data = form_data(make_org(), app)
    first = _post(client, dict(data))
    second = _post(client, dict(data))
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert _count(db) == 1


def test_attachment_is_checked_and_stored_outside_static(app, client, db, make_org):
    from charity.complaints.views.attachments import complaint_store

    org = make_org()
    disguised = _post(client, form_data(org, app, attachment=(io.BytesIO(b"MZ\x90 exe"),
                                                              "photo.png")))
    assert disguised.status_code == 400
    assert 'id="attachment-error"' in disguised.get_data(as_text=True)
    assert _count(db) == 0
    ok = _post(client, form_data(org, app, attachment=(io.BytesIO(PNG), "scan.pdf")))
    assert ok.status_code == 302
    complaint = db.scalar(sa.select(Complaint))
    assert (complaint.attachment_mime, complaint.attachment_size) == ("image/png", len(PNG))
    with app.app_context():
        path = complaint_store().path_of(complaint.attachment_stored_name)
    assert path.read_bytes() == PNG and "static" not in path.parts


def test_oversized_attachment_is_refused(app, client, db, make_org, monkeypatch):
    monkeypatch.setitem(app.config, "CHARITY_UPLOAD_MAX_BYTES", 50)
    response = _post(client, form_data(make_org(), app, attachment=(io.BytesIO(PNG), "a.png")))
    assert response.status_code == 400
    assert "50 B" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_tracking_shows_progress_and_answer_but_never_contact(app, client, db, make_org,
                                                             make_point):
    org = make_org()
    point = make_point(org)
    c = new_complaint(db, org, contact_name="陈秘密", contact_phone="13911112222",
                      contact_email="secret@example.org")
    c.attachment_name = "私密附件.png"
    actor = system_actor()
    services.accept(actor, db, c)
    services.dispatch(actor, db, c, point_id=point.id)
    services.handle(actor, db, c, "内部处理记录")
    services.answer(actor, db, c, "已核实，冬衣已发放。")
    db.commit()
    for no in (c.tracking_no, rules.format_tracking_no(c.tracking_no).lower()):
        response = client.get("/complaints/track", query_string={"no": no})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "冬衣去向" in html and "已核实，冬衣已发放。" in html
        for secret in ("陈秘密", "13911112222", "secret@example.org", "私密附件", "内部处理记录",
                       point.name):
            assert secret not in html
    done = client.get("/complaints/received", query_string={"no": c.tracking_no})
    assert done.status_code == 200 and "陈秘密" not in done.get_data(as_text=True)


def test_unknown_and_malformed_numbers_get_the_same_answer(client, db, make_org):
    new_complaint(db, make_org())
    answers = []
    for no in ("ABCD-EFGH-JKMN", "X", "'; drop table complaint; --", "0" * 40):
        response = client.get("/complaints/track", query_string={"no": no})
        assert response.status_code == 404
        main = re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0)
        answers.append(re.sub(r'value="[^"]*"', "", main))
    assert len(set(answers)) == 1
    assert client.get("/complaints/received?no=ABCD").status_code == 404
