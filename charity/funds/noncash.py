"""Old address of the non-cash gift service, now charity.funds.services.noncash.

Kept only for the tests outside the money feature that still import from here; new code
imports charity.funds.services.noncash. Delete this file once those imports have moved.
"""
from charity.funds.services.noncash import record_gift, short_item

__all__ = ["record_gift", "short_item"]
