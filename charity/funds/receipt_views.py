"""Receipts: list, view, print, PDF, void."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("receipts", __name__, url_prefix="/staff/receipts")
