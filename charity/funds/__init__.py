"""The money feature: campaigns (募捐活动) and projects, the fund ledger, receipts and
non-cash gifts.

- `models/`: the tables, one module per document
- `services/`: the write side (posting, correcting, issuing, voiding), no Flask
- `queries.py`: the read side: lists, choices, totals and the figures of a fund
- `forms/`: the screens' forms and labels
- `views/`: the screens, one module per blueprint
- `receipt_pdf.py` (the printed receipt), `uploads.py` (evidence files, also used by
  complaints); the CSV/XLSX writers are in `charity.reports.spreadsheets`
"""
