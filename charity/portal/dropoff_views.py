"""Public drop-off pre-registration (no sign-in)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dropoff", __name__, url_prefix="/dropoff")
