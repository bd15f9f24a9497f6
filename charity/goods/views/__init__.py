"""The goods screens: one module per blueprint (catalogue, intake, stock, distributions,
sales, transfers, stocktakes); `counter`, `corrections` and `links` hold what several of
them share."""
