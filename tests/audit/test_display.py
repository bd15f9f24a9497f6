"""Audit entries on the screen: the action in words and the details as translated
"label: value" pairs, codes translated, changes as old → new, None left out (issue 15)."""
from __future__ import annotations

import re

from flask_babel import gettext

from charity.audit.display import details
from charity.audit.services import record
from tests.audit.test_reader import _client, scene  # noqa: F401  (the fixture)


def test_details_translate_labels_and_codes_and_leave_out_none(app):
    with app.test_request_context():
        shown = details("user.update", {"role": ["volunteer", "manager"], "is_active": True,
                                        "display_name": [None, "李志强"], "points": None,
                                        "campaigns": [3, 4]})
        assert shown == [(gettext("Role"), f"{gettext('Volunteer')} → {gettext('Manager')}"),
                         (gettext("Active"), gettext("Yes")),
                         (gettext("Name"), "— → 李志强"),
                         (gettext("Campaigns"), "3、4")]
        # A write-off's reason is a code of the goods; a fund entry's kind one of the ledger.
        assert details("write_off.post", {"reason": "expired"}) == [
            (gettext("Reason"), gettext("Expired"))]
        assert details("fund.post", {"kind": "donation", "project_id": None}) == [
            (gettext("Kind"), gettext("Donation"))]
        # What it does not know stays as stored, never lost.
        assert details("x.y", {"mystery": "raw"}) == [("mystery", "raw")]


def test_the_audit_screen_shows_words_and_keeps_the_code_to_filter_by(app, db, scene):  # noqa: F811
    record(db, scene["manager"], "write_off.post", scene["pa"],
           {"item": 5, "quantity": "2", "reason": "expired", "note": None})
    db.commit()
    body = _client(app, scene["auditor"]).get("/staff/audit?action=write_off.").get_data(
        as_text=True)
    with app.test_request_context():
        label, reason, item = gettext("Write-off"), gettext("Expired"), gettext("Item")
        quantity, reason_label = gettext("Quantity"), gettext("Reason")
    row = re.search(r"<tr>\s*<td[^>]*>[^<]*</td>.*?</tr>", body.split("<tbody>", 1)[1],
                    re.S).group(0)
    assert f"{label}<br><code>write_off.post</code>" in row
    assert f"{item}: 5; {quantity}: 2; {reason_label}: {reason}</small>" in row
    assert "None" not in row and "expired" not in row
