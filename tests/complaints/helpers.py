"""Shared helpers of the complaint tests."""
from __future__ import annotations

import time

from charity.complaints import formstamp
from charity.complaints.services import submit_complaint

BASE = {"category": "物资去向", "subject": "冬衣去向", "description": "想知道冬衣发给了谁。"}


def new_complaint(db, org, address_hash=None, now=None, **data):
    values = dict(BASE)
    values.update(data)
    complaint = submit_complaint(db, org, values, address_hash=address_hash, now=now)
    db.flush()
    return complaint


def form_data(org, app, seconds_ago=30, **extra):
    """A public form post as a person would send it (rendered `seconds_ago`)."""
    data = {"organization_id": str(org.id), "category": "物资去向", "subject": "冬衣去向",
            "description": "十一月捐的冬衣发到哪里了？", "contact_name": "陈秘密",
            "contact_phone": "13911112222", "contact_email": "secret@example.org",
            "website": "", "submission_token": f"tok-{time.time_ns()}",
            "rendered": formstamp.make_stamp(app.secret_key, time.time() - seconds_ago)}
    data.update(extra)
    return data
