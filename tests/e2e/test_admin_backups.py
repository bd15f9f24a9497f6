"""The administrator's backup block on a 360-px phone (issue 16 item 6): its warnings, a long
folder path and a long error message wrap; nothing scrolls sideways."""
from __future__ import annotations

import datetime as dt
import re

from charity.core.db import utcnow
from charity.core.extensions import db
from charity.ops.models import BackupRun
from tests.conftest import PASSWORD  # the demo site's admin: made by `charity init`
from tests.e2e.conftest import no_horizontal_scroll, shot

LONG_FOLDER = "/mnt/" + "usb-backup-disk-of-the-community-centre" * 3


def test_admin_sees_backup_warnings_at_360_px(browser, live_server, demo_app):
    with demo_app.app_context():
        db.session.add(BackupRun(kind="backup", ok=False, started_at=utcnow()
                                 - dt.timedelta(hours=3), finished_at=utcnow(),
                                 message="OSError: " + "x" * 200))
        db.session.commit()
        db.session.remove()
    before = demo_app.config["CHARITY_BACKUP_DIR"]
    demo_app.config["CHARITY_BACKUP_DIR"] = LONG_FOLDER
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 360, "height": 740},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    pg = context.new_page()
    try:
        pg.goto("/login")
        pg.get_by_label(re.compile("用户名")).fill("admin")
        pg.get_by_label(re.compile("密码")).fill(PASSWORD)
        pg.get_by_role("button", name=re.compile("登录")).click()
        pg.wait_for_url(re.compile(r"/staff/"))
        block = pg.locator("#backups")
        warnings = block.locator("[data-warning]")
        assert sorted(warnings.evaluate_all("els => els.map(e => e.dataset.warning)")) == [
            "failed", "folder_missing", "none"]
        assert LONG_FOLDER in block.inner_text()
        assert no_horizontal_scroll(pg), "the staff home scrolls sideways at 360 px"
        shot(pg, "admin-backups-360")
    finally:
        context.close()
        demo_app.config["CHARITY_BACKUP_DIR"] = before
