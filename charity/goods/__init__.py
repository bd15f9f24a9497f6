"""Goods: the catalogue, the stock ledger and the documents that move stock (intake at the
counter, distributions to households, charity sales, transfers, stocktakes, write-offs).

The rooms: `models` (and `enums`), `services/` (the write side, one module per document),
`queries/` (the read side), `forms/`, `views/` (one module per blueprint); `quantities`
says how quantities are written.
"""
