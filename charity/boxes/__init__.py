"""Boxes with QR labels (issue 20 §3): sorted goods packed in a box that travels and sits on a
shelf as one thing. A box is a view onto batches of the stock ledger, not a second stock:
every change of stock a box makes is posted through the goods documents (transfer,
distribution, write-off, stocktake). Decision 0025 explains the design."""
