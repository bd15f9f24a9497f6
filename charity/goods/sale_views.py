"""Charity sales at a point."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sales", __name__, url_prefix="/staff/sales")
