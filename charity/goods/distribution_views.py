"""Distribution to households and the handover slip."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("distributions", __name__, url_prefix="/staff/distributions")
