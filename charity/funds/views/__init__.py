"""The money feature's screens, one module per blueprint: `campaigns`, `projects`, `ledger`,
`receipts` and `noncash`. Two helpers serve them: `org_choice` (which organisation a form
posts to) and `downloads` (CSV and XLSX download responses)."""
