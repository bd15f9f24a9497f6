"""The money ledger screens: record money, list, export, correct, transfer."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ledger", __name__, url_prefix="/staff/funds")
