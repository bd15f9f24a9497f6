"""Stocktakes: count, submit, approve."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("stocktakes", __name__, url_prefix="/staff/stocktakes")
