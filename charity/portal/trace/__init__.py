"""The public donation trace (捐赠追溯): a receipt number and its check code show what was
received and what became of it — `receipts` (lookup and the answer), `money` and `goods`
(first-in-first-out through the fund ledger and the stock ledger), `fifo` (what both share)."""
