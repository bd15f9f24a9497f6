"""Stock dashboards, balances, movements, write-offs and exports."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("stock", __name__, url_prefix="/staff/stock")
