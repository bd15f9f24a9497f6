"""Disclosure (信息公开): legal deadlines, obligations, report content and publishing.

`rules` holds the legal deadline rules as pure functions; everything that reads or
writes the database builds on it.
"""
