"""Old address of the ledger services, now charity.funds.services.ledger.

Kept only for the packages outside the money feature that still import from here (demo,
goods, portal, ops and their tests); new code imports charity.funds.services.ledger.
Delete this file once those imports have moved.
"""
from charity.funds.services.ledger import (COLUMN, INFLOWS, OUTFLOWS, balance, entry_org,
                                           fund_scopes, post_donation, post_entry,
                                           post_transfer, recompute_balances, reverse_entry,
                                           verify_balances)

__all__ = ["COLUMN", "INFLOWS", "OUTFLOWS", "balance", "entry_org", "fund_scopes",
           "post_donation", "post_entry", "post_transfer", "recompute_balances",
           "reverse_entry", "verify_balances"]
