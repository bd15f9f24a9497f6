"""The catalogue: item types and refused goods."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("catalogue", __name__, url_prefix="/staff/catalogue")
