"""Old address of the receipt services, now charity.funds.services.receipts.

Kept only for the packages outside the money feature that still import from here (demo,
goods and their tests); new code imports charity.funds.services.receipts.
Delete this file once those imports have moved.
"""
from charity.funds.services.receipts import (CHECK_ALPHABET, CHECK_LENGTH, Line, format_number,
                                             issue_receipt, next_number, trace_url,
                                             void_receipt)

__all__ = ["CHECK_ALPHABET", "CHECK_LENGTH", "Line", "format_number", "issue_receipt",
           "next_number", "trace_url", "void_receipt"]
