"""Access policy of the money ledger screens (charity/funds/ledger_views.py)."""
import datetime as dt
from decimal import Decimal

from tests.auth.policies.common import MANAGERS, READERS

POLICY = {
    "ledger.entry_list": READERS,
    "ledger.entry_new": MANAGERS,
    "ledger.entry_view": READERS,
    "ledger.entry_correct": MANAGERS,
    "ledger.transfer_new": MANAGERS,
    "ledger.export": READERS,
}


def url_args(world, db):
    """A posted donation of the world's organisation (general fund), and the CSV format."""
    from charity.funds.services import ledger
    from charity.core.system import system_actor

    entry = ledger.post_entry(system_actor(), db, world["org"], {
        "kind": "donation", "amount": Decimal("10.00"), "entry_date": dt.date(2026, 1, 5),
        "channel": "cash", "counterparty": "王五"}, today=dt.date(2026, 1, 5))
    return {"entry_id": entry.id, "fmt": "csv"}
