"""Transfers between points: send, receive, loss."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("transfers", __name__, url_prefix="/staff/transfers")
