"""The import screen: template download, upload → preview (every error by row and column)
→ confirm, the file kept server-side by its token, the confirmation importing it once."""
import io

import sqlalchemy as sa

from charity.imports.models import ImportUpload
from charity.people.models import Donor
from tests.imports.sheets import donor_row, headers, xlsx


def _count(db, org):
    return db.scalar(sa.select(sa.func.count()).select_from(Donor).where(
        Donor.organization_id == org.id))


def _token(page: str) -> str:
    import re

    return re.search(r'name="submission_token"[^>]*value="([^"]+)"', page).group(1)


def _send(client, org, content: bytes, kind="donors"):
    page = client.get("/staff/imports/").get_data(as_text=True)
    return client.post("/staff/imports/", data={
        "submission_token": _token(page), "kind": kind, "organization_id": str(org.id),
        "point_id": "", "file": (io.BytesIO(content), "捐赠人.xlsx")},
        content_type="multipart/form-data")


def test_upload_preview_confirm_imports_the_kept_file_once(client, db, make_org, make_user,
                                                           login):
    org = make_org()
    login(make_user("manager", org=org))
    rows = [donor_row(n) for n in range(5)]
    rows[3][0] = "外星人"
    response = _send(client, org, xlsx(headers("donors"), rows))
    assert response.status_code == 302
    preview_url = response.location
    page = client.get(preview_url).get_data(as_text=True)
    assert "A5" in page and "外星人" in page  # the refused cell, named
    assert "data-import-confirm" not in page and _count(db, org) == 0

    rows[3][0] = "个人"
    response = _send(client, org, xlsx(headers("donors"), rows))
    preview_url = response.location
    page = client.get(preview_url).get_data(as_text=True)
    assert 'data-import-new>5<' in page and _count(db, org) == 0
    token = _token(page)
    done = client.post(preview_url, data={"submission_token": token})
    assert done.status_code == 302 and _count(db, org) == 5
    again = client.post(preview_url, data={"submission_token": token})
    assert again.status_code == 200 and _count(db, org) == 5  # "already imported"
    upload = db.scalar(sa.select(ImportUpload).where(
        ImportUpload.token == preview_url.rsplit("/", 1)[1]))
    assert upload.imported_at is not None and upload.content == b""


def test_another_users_token_is_not_found(client, db, make_org, make_user, login):
    org = make_org()
    login(make_user("manager", org=org))
    preview_url = _send(client, org, xlsx(headers("donors"), [donor_row(1)])).location
    client.post("/logout")
    login(make_user("manager", org=org))
    assert client.get(preview_url).status_code == 404


def test_template_has_chinese_headers_sample_and_drop_downs(client, db, make_org, make_user,
                                                            login):
    from openpyxl import load_workbook

    from charity.imports.kinds import kind_of
    from charity.imports.spelling import chinese

    login(make_user("manager", org=make_org()))
    response = client.get("/staff/imports/template/catalogue.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [chinese(c.header)
                                           for c in kind_of("catalogue").columns]
    assert sheet["A2"].value == "大米"
    ranges = {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation}
    assert {"B2", "C2", "I2"} <= ranges  # category, unit, food yes/no
    assert book["lists"].sheet_state == "hidden"


def test_volunteer_and_auditor_may_not_import(client, db, make_org, make_point, make_user,
                                              login):
    org = make_org()
    point = make_point(org)
    for role in ("volunteer", "auditor"):
        login(make_user(role, org=org, points=[point] if role == "volunteer" else ()))
        assert client.get("/staff/imports/").status_code == 403
        client.post("/logout")


def test_bad_uploads_are_answered_on_the_page_never_a_500(client, db, make_org, make_user,
                                                          login):
    org = make_org()
    login(make_user("manager", org=org))
    not_xlsx = _send(client, org, b"name,phone\n")
    page = client.get(not_xlsx.location).get_data(as_text=True)
    assert "data-import-problems" in page and "data-import-confirm" not in page
    no_point = _send(client, org, b"PK", kind="stock")
    assert no_point.status_code == 200
    assert 'id="point_id-error"' in no_point.get_data(as_text=True)
    other = make_org()
    assert _send(client, other, b"PK").status_code == 403
    assert client.get("/staff/imports/export.xlsx?kind=nothing&org=1").status_code == 404


def test_a_household_registered_by_hand_is_found_by_its_id_number(client, db, make_org,
                                                                  make_user, login,
                                                                  make_household):
    from charity.people.identity import make_id

    org = make_org()
    number = make_id("62010219800101777")
    make_household(org, id_number=number, phone="")
    login(make_user("manager", org=org))
    row = ["另一个名字", "低保", 3, "张掖路社区", "", "", number, "", 0, "", ""]
    preview_url = _send(client, org, xlsx(headers("households"), [row]),
                        kind="households").location
    page = client.get(preview_url).get_data(as_text=True)
    assert "data-import-new>0<" in page and "data-import-confirm" not in page
    assert "另一个名字" not in page  # the changed row is listed by row and columns only
