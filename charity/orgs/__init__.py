"""Charity organisations and their charity points (慈善超市, 捐助站). Rooms: models, uscc (the
code), services, queries, forms, switching (the activate/deactivate buttons), views/."""
