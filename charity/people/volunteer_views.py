"""Volunteers, shifts, hours and participation."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("volunteers", __name__, url_prefix="/staff/volunteers")
