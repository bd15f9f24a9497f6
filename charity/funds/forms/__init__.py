"""The money feature's forms, one module per screen family: `campaigns` (campaigns and
projects), `ledger`, `noncash` and `receipts`.
Forms that post something derive from `charity.web.forms.PostingForm` (the one-time token).
"""
