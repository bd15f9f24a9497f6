"""The money feature's write side, one module per document: `campaigns` (campaigns and
projects), `ledger` (entries, balances, corrections, transfers), `receipts` and `noncash`.

Services take the acting user and the session, check the rules, flush and never commit:
the caller owns the transaction (see charity/web/posting.py). They never import Flask.
"""
