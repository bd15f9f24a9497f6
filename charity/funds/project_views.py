"""Project screens (staff)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/staff/projects")
