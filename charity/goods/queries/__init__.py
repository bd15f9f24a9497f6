"""The goods read side: what the screens list, filter and count. `stock` holds the stock
figures (one definition of each, also read by the public portal), `counter` what the counter
forms offer, `lists` the document lists and the documents with their lines."""
