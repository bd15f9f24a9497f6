from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public_campaigns", __name__)
