"""Demo data of the complaints feature (issue 6); idempotent like the rest of the demo."""
from __future__ import annotations

from sqlalchemy.orm import Session


def load_complaints_demo(session: Session, org) -> None:
    """Filled in by the complaints feature."""
