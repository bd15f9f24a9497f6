"""Intake at the counter (phone first), drop-off codes, the goods receipt."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("intake", __name__, url_prefix="/staff/intake")
