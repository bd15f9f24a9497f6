"""Backups that happen by themselves (issue 16 item 6): the scheduler's nightly backup into
the configured folder with its rotation, the weekly restore drill that catches a damaged
archive, the runs recorded in `backup_run`, and no keys in an archive unless configured."""
from __future__ import annotations

import datetime as dt
import io
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from charity.core.extensions import db as _db
from charity.core.system import system_actor
from charity.ops.models import BackupRun
from charity.ops.rotation import archive_name, archive_time
from charity.ops.scheduler import run_backup_jobs
from charity.orgs import uscc
from charity.orgs.services import create_organization

UTC = dt.timezone.utc
# 03:00 in Shanghai on 2026-12-06 is past the default 02:30: tonight's backup is due.
NIGHT = dt.datetime(2026, 12, 5, 19, 0, tzinfo=UTC)


@pytest.fixture
def site(committed_app, tmp_path):
    """A real installation with an organisation, backing up into a folder of its own."""
    folder = tmp_path / "usb-disk"
    folder.mkdir()
    committed_app.config["CHARITY_BACKUP_DIR"] = str(folder)
    with committed_app.app_context():
        create_organization(system_actor(), _db.session, {
            "name": "备份测试慈善会", "uscc": uscc.make("51620100000099999"),
            "registering_authority": "民政局"})
        _db.session.commit()
    return committed_app, folder


def runs(app) -> list[tuple[str, bool]]:
    with app.app_context():
        return [(r.kind, r.ok) for r in _db.session.scalars(
            sa.select(BackupRun).order_by(BackupRun.id))]


def jobs(app, now):
    with app.app_context():
        done = run_backup_jobs(app, _db.session, now)
        result = [(r.kind, r.ok, r.archive, r.size_bytes, r.message) for r in done]
        _db.session.remove()
        return result


def members(archive: Path) -> set[str]:
    with tarfile.open(archive, "r:gz") as tar:
        return set(tar.getnames())


def test_the_nightly_job_backs_up_rotates_and_drills(site):
    app, folder = site
    # Archives of earlier nights: ten consecutive days in November (only the rotation's
    # newest are kept) and a file that is not an archive (never touched).
    old = [dt.datetime(2026, 11, d, 18, 30, tzinfo=UTC) for d in range(10, 20)]
    for at in old:
        (folder / archive_name(at)).write_bytes(b"an older archive")
    (folder / "README.txt").write_text("备份盘")

    first = jobs(app, NIGHT)
    assert [(kind, ok) for kind, ok, *_ in first] == [("backup", True), ("drill", True)]
    archive = Path(first[0][2])
    assert archive.parent == folder and archive_time(archive.name) == NIGHT
    assert first[0][3] == archive.stat().st_size > 0
    assert "restored and verified" in first[1][4] and first[1][2] == str(archive)
    assert not any(m.endswith(("secret_key", "id_hash_key")) for m in members(archive))
    with tarfile.open(archive, "r:gz") as tar:
        manifest = tar.extractfile("manifest.json").read().decode()
    assert '"organization": 1' in manifest and '"includes_keys": false' in manifest
    # 7 daily: tonight's and the 6 newest November nights; their weeks and months are
    # already represented, so nothing older is kept.
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted(["README.txt", archive.name]
                          + [archive_name(at) for at in old[-6:]])

    # The same night again, and an hour later: nothing is due.
    assert jobs(app, NIGHT + dt.timedelta(hours=1)) == []
    # The next night: a backup, but no drill (the last one is a day old).
    second = jobs(app, NIGHT + dt.timedelta(days=1))
    assert [(kind, ok) for kind, ok, *_ in second] == [("backup", True)]
    # A week after the first drill: the drill again.
    week = jobs(app, NIGHT + dt.timedelta(days=7))
    assert [(kind, ok) for kind, ok, *_ in week] == [("backup", True), ("drill", True)]
    assert runs(app) == [("backup", True), ("drill", True), ("backup", True),
                         ("backup", True), ("drill", True)]


def test_keys_go_into_the_archive_only_when_configured(site):
    app, folder = site
    app.config["CHARITY_BACKUP_INCLUDE_KEYS"] = True
    (archive,) = [Path(r[2]) for r in jobs(app, NIGHT) if r[0] == "backup"]
    # (this test app's session key is given in its config, so only id_hash_key is a file)
    with tarfile.open(archive, "r:gz") as tar:
        stored = tar.extractfile("instance/id_hash_key").read()
    assert stored == (Path(app.instance_path) / "id_hash_key").read_bytes()


def test_a_missing_backup_folder_is_recorded_as_a_failed_backup(site, tmp_path):
    app, _folder = site
    app.config["CHARITY_BACKUP_DIR"] = str(tmp_path / "unplugged")
    done = jobs(app, NIGHT)
    assert [(kind, ok) for kind, ok, *_ in done] == [("backup", False)]  # and no drill
    assert "does not exist" in done[0][4]
    assert not (tmp_path / "unplugged").exists()
    # Half an hour later: not yet tried again. Once the disk is back, within the hour.
    assert jobs(app, NIGHT + dt.timedelta(minutes=30)) == []
    (tmp_path / "unplugged").mkdir()
    again = jobs(app, NIGHT + dt.timedelta(hours=1))
    assert [(kind, ok) for kind, ok, *_ in again] == [("backup", True), ("drill", True)]
    assert runs(app) == [("backup", False), ("backup", True), ("drill", True)]


def _corrupt(archive: Path) -> None:
    """Change one byte of the database inside the archive, keeping the archive readable:
    what a failing disk or a careless copy does, which only the checksums can see."""
    with tarfile.open(archive, "r:gz") as tar:
        entries = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in entries:
            if member.name.startswith("database/"):
                data = bytearray(data)
                data[len(data) // 2] ^= 0xFF
                data = bytes(data)
            tar.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize("damage", ["flipped byte", "truncated"])
def test_the_drill_detects_a_damaged_archive(site, damage):
    app, folder = site
    first = jobs(app, NIGHT)
    archive = Path(first[0][2])
    if damage == "flipped byte":
        _corrupt(archive)
    else:
        archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with app.app_context():
        from charity.ops.backup_jobs import run_drill, settings_from_config

        run = run_drill(_db.session, _db.engine,
                        settings_from_config(app.config, app.instance_path),
                        NIGHT + dt.timedelta(days=7))
        assert run.ok is False and run.archive == str(archive)
        assert ("damaged" in run.message or "not a readable" in run.message), run.message
        _db.session.remove()
    assert runs(app)[-1] == ("drill", False)
