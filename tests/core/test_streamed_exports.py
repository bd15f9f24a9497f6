"""Streamed staff exports through a real HTTP server, as a browser downloads them.

The CSV exports are generators run after the view has returned; they once read the signed-in
user then, found it detached from its session and stopped after the header row (the test
client with an open transaction around it did not show it; gunicorn did)."""
from __future__ import annotations

import csv
import http.cookiejar
import io
import re
import urllib.request

import sqlalchemy as sa

from charity.core.extensions import db as _db
from tests.conftest import PASSWORD  # the demo site's admin: made by `charity init`


def _session(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "admin", "password": PASSWORD,
                                   "csrf_token": token}).encode()
    opener.open(f"{base}/login", data=data).read()
    return opener


def test_ledger_and_stock_csv_stream_every_row(demo_app, live_server):
    from charity.audit.models import AuditLog

    opener = _session(live_server)
    for path, what in (("/staff/funds/export.csv", "ledger"),
                       ("/staff/stock/export.csv", "stock")):
        body = opener.open(f"{live_server}{path}").read().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body)))
        with demo_app.app_context():
            # The count the view put on record before streaming: what the file must hold.
            promised = _db.session.scalar(
                sa.select(AuditLog.summary).where(AuditLog.action == f"export.{what}")
                .order_by(AuditLog.id.desc()).limit(1))["rows"]
            _db.session.remove()
        assert promised > 10
        assert len(rows) - 1 == promised, (path, len(rows) - 1, promised)
