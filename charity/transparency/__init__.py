"""Transparency score: every organisation measured against the law and the transparency
indices, from its own data, with the list of gaps (issue 9)."""
