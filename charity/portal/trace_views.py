from __future__ import annotations

from flask import Blueprint

bp = Blueprint("trace", __name__)
