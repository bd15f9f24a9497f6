"""Disclosure (信息公开): legal deadlines, obligations, report content and publishing.

`rules` holds the legal deadline rules as pure functions; everything that reads or writes
the database builds on it: `obligations` (recomputed from the data), `content` (what a
report says), `publishing` (PDF, hashes, the chain), `services` (what staff do), `queries`
(what the screens read), `forms` and `views/` (the staff compliance dashboard), `cli`.
"""
