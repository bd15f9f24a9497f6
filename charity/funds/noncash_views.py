"""Non-cash gifts and their evidence files."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("noncash", __name__, url_prefix="/staff/noncash")
