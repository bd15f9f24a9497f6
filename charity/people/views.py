"""Donor screens."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("donors", __name__, url_prefix="/staff/donors")
