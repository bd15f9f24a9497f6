"""The administrator's home shows the last good backup and the last drill, and warns when the
newest good backup is older than two days, the folder is missing or the disk nearly full
(issue 16 item 6). Only the administrator sees the block."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import namedtuple

import pytest

from charity.core.db import utcnow
from charity.ops.models import BackupRun

Usage = namedtuple("Usage", "total used free")
GB = 1 << 30


@pytest.fixture
def folder(app, tmp_path):
    path = tmp_path / "backups"
    path.mkdir()
    before = app.config["CHARITY_BACKUP_DIR"]
    app.config["CHARITY_BACKUP_DIR"] = str(path)
    yield path
    app.config["CHARITY_BACKUP_DIR"] = before


@pytest.fixture
def admin_home(client, login, make_user, folder):
    login(make_user("admin"))

    def get():
        response = client.get("/staff/?lang=en")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return get


def add_run(db, kind, ok, age, message="", size=None):
    started = utcnow() - age
    db.add(BackupRun(kind=kind, ok=ok, started_at=started,
                     finished_at=started + dt.timedelta(minutes=2), message=message,
                     archive="/backups/x.tar.gz" if ok else None, size_bytes=size))
    db.commit()


def warnings(html):
    return re.findall(r'data-warning="([a-z_]+)"', html)


def test_a_recent_backup_and_drill_show_without_warnings(db, admin_home):
    add_run(db, "backup", True, dt.timedelta(hours=30), size=5 * 1048576)
    add_run(db, "drill", True, dt.timedelta(hours=29))
    html = admin_home()
    assert 'id="backups"' in html and "Last good backup" in html and "5 MB" in html
    assert "Last restore drill" in html and "passed" in html
    assert warnings(html) == []


def test_no_backup_yet_is_a_warning(db, admin_home):
    html = admin_home()
    assert warnings(html) == ["none"]
    assert "No backup has been made yet." in html


def test_a_good_backup_older_than_two_days_is_a_warning(db, admin_home):
    add_run(db, "backup", True, dt.timedelta(days=2, minutes=5), size=1048576)
    add_run(db, "backup", False, dt.timedelta(hours=20), message="OSError: disk full")
    add_run(db, "drill", False, dt.timedelta(hours=19), message="The backup is damaged")
    html = admin_home()
    assert warnings(html) == ["stale", "failed", "drill_failed"]
    assert "more than two days old" in html and "OSError: disk full" in html
    assert "The last restore drill failed: The backup is damaged" in html


def test_a_missing_folder_is_a_warning(db, admin_home, folder):
    add_run(db, "backup", True, dt.timedelta(hours=1), size=1048576)
    shutil.rmtree(folder)
    html = admin_home()
    assert warnings(html) == ["folder_missing"]
    assert f"The backup folder {folder} is missing" in html


@pytest.mark.parametrize("usage, low", [
    (Usage(100 * GB, 91 * GB, 9 * GB), True),  # 9 % free
    (Usage(8 * GB, 7.2 * GB, 0.8 * GB), True),  # 10 % free, but under 1 GB
    (Usage(100 * GB, 89 * GB, 11 * GB), False),
    (Usage(5 * GB, 3 * GB, 2 * GB), False),
])
def test_a_nearly_full_disk_is_a_warning(db, admin_home, monkeypatch, usage, low):
    # A disk cannot cheaply be filled in a test: its reading is replaced.
    monkeypatch.setattr("charity.ops.backup_jobs.shutil.disk_usage", lambda _path: usage)
    add_run(db, "backup", True, dt.timedelta(hours=1), size=1048576)
    html = admin_home()
    assert warnings(html) == (["disk_low"] if low else [])
    if low:
        assert "The backup disk is nearly full" in html


@pytest.mark.parametrize("role", ["manager", "volunteer", "auditor"])
def test_only_the_administrator_sees_backups(client, db, login, make_user, make_point, role,
                                             folder):
    point = make_point()
    login(make_user(role, org=point.organization, points=[point]))
    html = client.get("/staff/?lang=en").get_data(as_text=True)
    assert 'id="backups"' not in html and "Last good backup" not in html
