"""Beneficiary households (private data masked by role)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("beneficiaries", __name__, url_prefix="/staff/beneficiaries")
