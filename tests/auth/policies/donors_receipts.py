"""Donors, receipts and non-cash gifts."""
import datetime as dt
import struct
import zlib
from decimal import Decimal

from tests.auth.policies.common import MANAGERS, READERS, STAFF

# Staff who change data at the counter; auditors only read (donors.create is WORKERS).
WORKERS = frozenset({"admin", "manager", "volunteer"})

POLICY = {
    "donors.donor_list": STAFF,
    "donors.donor_new": WORKERS,
    "donors.donor_edit": MANAGERS,
    "donors.donor_view": STAFF,
    "receipts.receipt_list": STAFF,
    "receipts.receipt_view": STAFF,
    "receipts.receipt_pdf": STAFF,
    "receipts.receipt_void": MANAGERS,
    "receipts.receipt_review": WORKERS,
    "receipts.receipt_platform_number": MANAGERS,
    "receipt_settings.settings": MANAGERS,
    "receipt_settings.allocation_new": MANAGERS,
    "receipt_settings.review_policy": MANAGERS,
    "noncash.gift_list": READERS,
    "noncash.gift_new": MANAGERS,
    "noncash.gift_view": READERS,
    "noncash.file_download": READERS,
}


def tiny_png() -> bytes:
    """A valid 1×1 PNG, built by hand (no imaging library needed)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
            + chunk(b"IEND", b""))


def url_args(world, db):
    from flask import current_app

    from charity.funds.models import ReceiptKind
    from charity.funds.services.noncash import record_gift
    from charity.funds.services.receipts import Line, issue_receipt
    from charity.funds.uploads import FileStore, Upload, upload_dir
    from charity.people.services import create_donor
    from charity.core.system import system_actor

    org = world["org"]
    actor = system_actor()
    donor = create_donor(actor, db, org, {"name": "王五", "phone": "13900002222",
                                          "id_code": "620102199001015678"})
    receipt = issue_receipt(actor, db, org, kind=ReceiptKind.MONEY, payer_name=donor.name,
                            payer_code=donor.id_code, donor=donor,
                            issued_on=dt.date(2026, 3, 1),
                            lines=[Line(item="货币捐赠", unit="元", amount=Decimal("88.00"))])
    store = FileStore(upload_dir(current_app.instance_path))
    gift = record_gift(actor, db, org, {
        "property_type": "securities", "description": "上市公司股票 100 股",
        "valuation_basis": "fair_value", "value": "1234.00",
        "received_on": dt.date(2026, 3, 2), "donor_id": donor.id, "issue_receipt": True,
    }, [Upload("quote.png", tiny_png())], today=dt.date(2026, 11, 25), store=store)
    store.publish()
    db.flush()
    return {"donor_id": donor.id, "receipt_id": receipt.id, "gift_id": gift.id,
            "file_id": gift.files[0].id}
