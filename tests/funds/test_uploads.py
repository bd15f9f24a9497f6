"""Evidence uploads: the content decides (not the name or the browser's type), limits hold,
a refusal writes nothing, a failed transaction leaves no file, downloads are guarded."""
import datetime as dt
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from PIL import Image

from charity.core.errors import ValidationFailed
from charity.funds.models import NonCashGift, Receipt, StoredFile
from charity.funds.services.noncash import record_gift
from charity.funds.uploads import (PART_SUFFIX, FileStore, Upload, check_upload, clean_filename,
                                   detect_mime, download_name, upload_dir)
from tests.factories_funds import TODAY

LIMIT = 1000


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, "JPEG")
    return out.getvalue()


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


# --- checking -------------------------------------------------------------------------------

@pytest.mark.parametrize("data,mime", [(PDF, "application/pdf"), (None, "image/png"),
                                       ("jpeg", "image/jpeg")])
def test_pdf_jpeg_png_are_accepted_by_content(data, mime):
    data = png_bytes() if data is None else jpeg_bytes() if data == "jpeg" else data
    checked = check_upload(Upload("证明.bin", data), LIMIT * 10)
    assert checked.mime == mime and checked.size == len(data)
    assert re.fullmatch(r"[0-9a-f]{64}", checked.sha256)


def test_png_named_pdf_is_stored_as_png():
    checked = check_upload(Upload("appraisal.pdf", png_bytes()), LIMIT)
    assert checked.mime == "image/png"
    assert checked.original_name == "appraisal.pdf"
    assert download_name(checked.original_name, checked.mime) == "appraisal.pdf.png"
    assert download_name("scan.JPEG", "image/jpeg") == "scan.JPEG"


@pytest.mark.parametrize("name,data", [
    ("invoice.pdf", EXE),  # an executable renamed .pdf
    ("photo.png", b"GIF89a" + b"\x00" * 20),
    ("doc.pdf", b" %PDF-1.7"),  # the signature must be at the very start
    ("page.html", b"<html><script>alert(1)</script>"),
])
def test_other_content_is_refused_whatever_its_name(name, data):
    with pytest.raises(ValidationFailed) as err:
        check_upload(Upload(name, data), LIMIT)
    assert err.value.field == "files"
    assert "is not a PDF, JPEG or PNG file" in str(err.value.message)


def test_size_limit_is_inclusive():
    exactly = png_bytes().ljust(LIMIT, b"\x00")
    assert check_upload(Upload("a.png", exactly), LIMIT).size == LIMIT
    with pytest.raises(ValidationFailed, match="larger than"):
        check_upload(Upload("a.png", exactly + b"\x00"), LIMIT)


def test_empty_file_is_refused():
    with pytest.raises(ValidationFailed, match="is empty"):
        check_upload(Upload("empty.pdf", b""), LIMIT)


def test_read_upload_never_reads_past_the_limit():
    from charity.funds.uploads import read_upload

    class Storage:
        filename = "big.pdf"
        stream = io.BytesIO(b"%PDF-" + b"x" * 10_000)

    upload = read_upload(Storage(), LIMIT)
    assert len(upload.data) == LIMIT + 1


@pytest.mark.parametrize("raw,clean", [("../../etc/passwd", "passwd"),
                                       ("C:\\Users\\me\\评估报告.pdf", "评估报告.pdf"),
                                       ("a\x00b\r\n.png", "ab.png"), ("", "upload"),
                                       ("..", "upload")])
def test_file_names_lose_paths_and_control_characters(raw, clean):
    assert clean_filename(raw) == clean


def test_detect_mime_needs_the_full_signature():
    assert detect_mime(b"\x89PNG\r\n\x1a\n") == "image/png"
    assert detect_mime(b"\x89PNG\r\n") is None
    assert detect_mime(b"\xff\xd8\xff\xe0") == "image/jpeg"


# --- the store ------------------------------------------------------------------------------

def test_stage_publish_and_discard(tmp_path):
    store = FileStore(tmp_path)
    kept, dropped = FileStore.new_name(), FileStore.new_name()
    store.stage(kept, b"one")
    assert (tmp_path / (kept + PART_SUFFIX)).read_bytes() == b"one"
    assert not (tmp_path / kept).exists()
    assert store.path_of(kept) == tmp_path / (kept + PART_SUFFIX)  # committed, not renamed
    store.publish()
    assert (tmp_path / kept).read_bytes() == b"one" and store.path_of(kept) == tmp_path / kept
    other = FileStore(tmp_path)
    other.stage(dropped, b"two")
    other.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == [kept]
    assert other.path_of(dropped) is None


@pytest.mark.parametrize("name", ["../x", "a" * 31, "G" * 32, "", "/etc/passwd"])
def test_store_refuses_names_it_did_not_make(tmp_path, name):
    with pytest.raises(ValueError):
        FileStore(tmp_path).stage(name, b"x")
    assert FileStore(tmp_path).path_of(name) is None


def test_upload_folder_is_in_the_instance_not_static(app):
    folder = upload_dir(app.instance_path)
    assert folder == Path(app.instance_path) / "uploads"
    assert not folder.resolve().is_relative_to(Path(app.static_folder).resolve())


# --- through the service: refusals write nothing --------------------------------------------

def gift_data(**extra):
    data = {"property_type": "technology", "description": "专利技术使用权",
            "valuation_basis": "fair_value", "value": "5000.00",
            "received_on": dt.date(2026, 6, 1), "issue_receipt": False}
    data.update(extra)
    return data


def counts(db):
    return tuple(db.scalar(sa.select(sa.func.count(m.id))) for m in (NonCashGift, StoredFile,
                                                                    Receipt))


@pytest.mark.parametrize("upload", [Upload("x.pdf", EXE), Upload("x.pdf", b""),
                                    Upload("big.png", png_bytes().ljust(LIMIT + 1, b"\x00"))])
def test_refused_upload_writes_nothing(db, actor, fundraising_org, tmp_path, upload):
    ok = Upload("ok.png", png_bytes())
    before = counts(db)
    with pytest.raises(ValidationFailed) as err:
        record_gift(actor, db, fundraising_org, gift_data(), [ok, upload], today=TODAY,
                    store=FileStore(tmp_path), max_bytes=LIMIT)
    assert err.value.field == "files"
    db.rollback()
    assert counts(db) == before
    assert list(tmp_path.iterdir()) == []


# --- through the web ------------------------------------------------------------------------

class FreshClient(FlaskClient):
    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    c = FreshClient(app, app.response_class, use_cookies=True)
    c.get("/?lang=en")
    return c


@pytest.fixture
def manager(make_user, fundraising_org):
    return make_user("manager", org=fundraising_org)


def disk(app):
    folder = upload_dir(app.instance_path)
    return set(folder.iterdir()) if folder.exists() else set()


def post_gift(client, files, **extra):
    data = {"organization_id": str(extra.pop("organization_id")), "property_type": "technology",
            "description": "专利技术使用权", "valuation_basis": "fair_value", "value": "5000.00",
            "received_on": "2026-06-01", "donor_id": "", "campaign_id": "", "project_id": "",
            "files": files}
    data.update(extra)
    return client.post("/staff/noncash/new", data=data, content_type="multipart/form-data")


def test_web_upload_over_the_limit_is_answered_on_the_form(client, login, db, app, manager,
                                                           fundraising_org, monkeypatch):
    monkeypatch.setitem(app.config, "CHARITY_UPLOAD_MAX_BYTES", LIMIT)
    login(manager)
    before, files_before = counts(db), disk(app)
    big = png_bytes().ljust(LIMIT + 1, b"\x00")
    response = post_gift(client, [(io.BytesIO(big), "big.png")],
                         organization_id=fundraising_org.id)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="files-error"' in html and "larger than" in html
    assert 'value="5000.00"' in html and "专利技术使用权" in html  # typing kept
    assert counts(db) == before and disk(app) == files_before


def test_web_exe_renamed_pdf_is_refused(client, login, db, app, manager, fundraising_org):
    login(manager)
    before, files_before = counts(db), disk(app)
    response = post_gift(client, [(io.BytesIO(EXE), "invoice.pdf", "application/pdf")],
                         organization_id=fundraising_org.id)
    assert response.status_code == 200
    assert "is not a PDF, JPEG or PNG file" in response.get_data(as_text=True)
    assert counts(db) == before and disk(app) == files_before


def test_failed_transaction_leaves_no_file(client, login, db, app, manager, fundraising_org,
                                           monkeypatch):
    """The files are staged, then the transaction fails: nothing stays on the disk."""
    def broken(*_args):
        raise RuntimeError("database went away")

    monkeypatch.setattr("charity.web.posting.record_result", broken)
    login(manager)
    before, files_before = counts(db), disk(app)
    response = post_gift(client, [(io.BytesIO(png_bytes()), "a.png")],
                         organization_id=fundraising_org.id)
    assert response.status_code == 500  # the app's error page; nothing was saved
    assert counts(db) == before
    assert disk(app) == files_before


@pytest.fixture
def stored(client, login, db, app, manager, fundraising_org):
    """A gift with a PNG uploaded as 'quote.pdf', posted through the web."""
    login(manager)
    response = post_gift(client, [(io.BytesIO(png_bytes()), "quote.pdf", "application/pdf")],
                         organization_id=fundraising_org.id)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    gift = db.scalar(sa.select(NonCashGift).order_by(NonCashGift.id.desc()))
    return db.scalar(sa.select(StoredFile).where(StoredFile.noncash_gift_id == gift.id))


def test_stored_file_records_what_it_is(app, stored):
    assert stored.mime == "image/png" and stored.original_name == "quote.pdf"
    path = upload_dir(app.instance_path) / stored.stored_name
    assert path.read_bytes() == png_bytes()
    import hashlib

    assert stored.sha256 == hashlib.sha256(png_bytes()).hexdigest()
    assert stored.size == len(png_bytes())
    assert not (path.parent / (stored.stored_name + PART_SUFFIX)).exists()


def test_download_serves_the_stored_type_as_attachment(client, stored):
    response = client.get(f"/staff/noncash/files/{stored.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "quote.pdf.png" in disposition
    assert response.data == png_bytes()
    response.close()


def test_download_needs_permission_and_scope(app, db, stored, make_user, make_point, make_org,
                                             fundraising_org, login):
    def fetch(user):
        c = FreshClient(app, app.response_class, use_cookies=True)
        c.post("/login", data={"username": user.username, "password": "correct-horse-battery"})
        response = c.get(f"/staff/noncash/files/{stored.id}")
        response.close()
        return response.status_code

    volunteer = make_user("volunteer", org=fundraising_org, points=[make_point(fundraising_org)])
    auditor = make_user("auditor", org=fundraising_org)
    outsider = make_user("manager", org=make_org())
    assert fetch(volunteer) == 403
    assert fetch(outsider) == 403
    assert fetch(auditor) == 200
    anonymous = FreshClient(app, app.response_class).get(f"/staff/noncash/files/{stored.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_missing_file_is_404_not_500(client, db, stored, app):
    path = upload_dir(app.instance_path) / stored.stored_name
    path.unlink()
    assert client.get(f"/staff/noncash/files/{stored.id}").status_code == 404
