"""Campaign and project screens (staff)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("campaigns", __name__, url_prefix="/staff/campaigns")
