"""`charity backup` / `charity restore`: a round trip keeps every row, file and publication
hash; a damaged or altered backup and a non-empty target are refused."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from charity import create_app
from charity.complaints.services import submit_complaint
from charity.demo.loader import ORG
from charity.core.extensions import db as _db
from charity.funds.services.noncash import record_gift
from charity.funds.uploads import FileStore, Upload, upload_dir
from charity.orgs.models import Organization
from charity.core.system import system_actor

_names = itertools.count(1)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff"
       b"\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n% complaint evidence\n%%EOF\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _add_uploads(app) -> None:
    """Evidence files through the services: a non-cash gift's PNG, a complaint's PDF."""
    with app.app_context():
        session = _db.session
        org = session.scalar(sa.select(Organization).where(Organization.uscc == ORG["uscc"]))
        uploads = upload_dir(app.instance_path)
        gifts, complaints = FileStore(uploads), FileStore(uploads / "complaints")
        record_gift(system_actor(), session, org, {
            "property_type": "securities", "description": "股票 1000 股",
            "valuation_basis": "fair_value", "value": "12345.60",
            "received_on": dt.date(2026, 6, 1), "donor_id": None,
            "issue_receipt": False}, [Upload("估值报告.png", PNG)], store=gifts)
        submit_complaint(session, org, {"category": "物资去向", "subject": "冬衣去向",
                                        "description": "想知道冬衣发给了谁。"},
                         address_hash=None, upload=Upload("证据.pdf", PDF), store=complaints)
        session.commit()
        gifts.publish()
        complaints.publish()
        session.remove()


@pytest.fixture
def source(demo_committed_app):
    """A copy of the loaded demo, plus uploaded evidence files."""
    _add_uploads(demo_committed_app)
    return demo_committed_app


@pytest.fixture
def make_target(backend, request, tmp_path):
    """A fresh app on an EMPTY database (no schema at all) and an empty instance folder."""
    made = []

    def factory():
        n = next(_names)
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'restored{n}.db'}"
        else:
            url = request.getfixturevalue("pg_cluster").create_database(f"charity_restore{n}")
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "other", "TESTING": True,
                          "INSTANCE_PATH": str(tmp_path / f"restored-instance{n}")})
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


def all_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key."""
    with app.app_context():
        out = {}
        with _db.engine.connect() as conn:
            inspector = sa.inspect(conn)  # one connection: SQLite writes begin IMMEDIATE
            for table in sorted(inspector.get_table_names()):
                key = inspector.get_pk_constraint(table)["constrained_columns"]
                order = ", ".join(f'"{c}"' for c in key)
                out[table] = [tuple(r) for r in
                              conn.execute(sa.text(f'SELECT * FROM "{table}" ORDER BY {order}'))]
        return out


def stored_files(app) -> dict[str, str]:
    root = Path(app.instance_path)
    return {p.relative_to(root).as_posix(): _sha(p.read_bytes())
            for p in sorted((root / "uploads").rglob("*")) if p.is_file()}


def publication_hashes(app) -> list[tuple]:
    with app.app_context(), _db.engine.connect() as conn:
        return [(r.id, r.pdf_sha256, r.snapshot_sha256, r.entry_hash, _sha(bytes(r.pdf)),
                 _sha(r.snapshot.encode()))
                for r in conn.execute(sa.text("SELECT * FROM publication ORDER BY id"))]


def _hold_uncommitted_write(app, backend):
    """Another connection in the middle of a write, as a running app would be."""
    with app.app_context():
        url = _db.engine.url
    if backend == "sqlite":
        conn = sqlite3.connect(url.database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        conn = psycopg.connect(url.set(drivername="postgresql").render_as_string(False))
    conn.execute("UPDATE organization SET name = 'UNCOMMITTED'")
    return conn


def test_round_trip_keeps_every_row_file_and_publication(source, make_target, backend,
                                                         tmp_path):
    writer = _hold_uncommitted_write(source, backend)
    try:
        archive = tmp_path / "backup.tar.gz"
        result = source.test_cli_runner().invoke(args=["backup", "--output", str(archive)])
        assert result.exit_code == 0, result.output
    finally:
        writer.rollback()
        writer.close()
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        members = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert "instance/id_hash_key" not in members and "instance/secret_key" not in members
    with source.app_context():
        head = _db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        _db.session.remove()
    assert manifest["backend"] == backend and manifest["alembic_revision"] == head
    assert manifest["includes_keys"] is False and manifest["problems"] == []

    rows = all_rows(source)
    files = stored_files(source)
    publications = publication_hashes(source)
    # the two uploads added here and the demo's audit report (charity/demo/annual.py)
    assert len(files) == 3 and len(publications) >= 2
    assert {f"instance/{p}": h for p, h in files.items()} == {
        m: h for m, h in manifest["files"].items() if m.startswith("instance/")}
    assert manifest["tables"] == {t: len(r) for t, r in rows.items()}

    target = make_target()
    result = target.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored and verified" in result.output

    restored = all_rows(target)
    assert sorted(restored) == sorted(rows)
    for table in rows:  # table by table, for a readable failure
        assert restored[table] == rows[table], table
    assert stored_files(target) == files
    assert publication_hashes(target) == publications
    assert "UNCOMMITTED" not in {r[1] for r in restored["organization"]}
    total = sum(len(r) for r in rows.values())
    print(f"\n[{backend}] rows round-tripped: {total} in {len(rows)} tables; "
          f"files {len(files)}; publications {len(publications)}")
    assert total > 500

    verify = target.test_cli_runner().invoke(args=["verify"])
    assert verify.exit_code == 0, verify.output
    # The restored database takes new postings (PostgreSQL: sequences came along).
    _add_uploads(target)


def _rewrite(archive: Path, out: Path, change) -> None:
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


@pytest.fixture
def archive(source, tmp_path):
    path = tmp_path / "good.tar.gz"
    result = source.test_cli_runner().invoke(args=["backup", "--output", str(path),
                                                   "--include-keys"])
    assert result.exit_code == 0, result.output
    return path


def _is_empty(app) -> bool:
    with app.app_context():
        names = sa.inspect(_db.engine).get_table_names()
        _db.engine.dispose()
    return names == [] and not (Path(app.instance_path) / "uploads").exists()


def test_a_changed_file_is_refused_before_anything_is_written(archive, make_target, tmp_path):
    bad = tmp_path / "bad.tar.gz"
    _rewrite(archive, bad, lambda name, data: data.replace(b"evidence", b"EVIDENCE")
             if name.startswith("instance/uploads/complaints/") else data)
    target = make_target()
    result = target.test_cli_runner().invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code == 1
    assert "damaged or was altered; nothing was restored" in result.output
    assert "instance/uploads/complaints/" in result.output
    assert "SHA-256 does not match the manifest" in result.output
    assert _is_empty(target)


def test_a_changed_row_count_is_refused(archive, make_target, tmp_path, backend):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["tables"]["complaint"] += 1
        return json.dumps(manifest).encode()

    bad = tmp_path / "bad.tar.gz"
    _rewrite(archive, bad, change)
    target = make_target()
    result = target.test_cli_runner().invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code == 1
    with tarfile.open(archive) as tar:
        n = json.load(tar.extractfile("manifest.json"))["tables"]["complaint"]
    assert f"table complaint: {n} rows, the manifest says {n + 1}" in result.output
    if backend == "sqlite":  # checked on the snapshot, before writing
        assert "nothing was restored" in result.output and _is_empty(target)
    else:  # pg_restore first, then the check
        assert "does NOT match the backup; do not use it" in result.output


def test_a_non_empty_target_is_refused_unless_forced(archive, source, make_target):
    target = make_target()
    runner = target.test_cli_runner()
    assert runner.invoke(args=["restore", str(archive), "--yes"]).exit_code == 0
    # The keys came along (asked for with --include-keys), so ID-number hashes still match.
    for key in ("id_hash_key",):
        assert ((Path(target.instance_path) / key).read_bytes()
                == (Path(source.instance_path) / key).read_bytes())
    again = runner.invoke(args=["restore", str(archive), "--yes"])
    assert again.exit_code == 1
    assert "The target is not empty" in again.output and "--force" in again.output
    forced = runner.invoke(args=["restore", str(archive), "--yes", "--force"])
    assert forced.exit_code == 0, forced.output
    assert all_rows(target) == all_rows(source)


def test_restore_asks_before_writing(archive, make_target):
    target = make_target()
    result = target.test_cli_runner().invoke(args=["restore", str(archive)], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert _is_empty(target)
