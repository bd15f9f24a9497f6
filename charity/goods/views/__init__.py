"""The goods screens: one module per blueprint (catalogue, intake, stock, distributions,
sales, transfers, stocktakes); `counter` and `corrections` hold what several of them share."""
