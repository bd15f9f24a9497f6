"""Where complaint attachments are kept: a file store in the app's instance folder, beside
the other uploads (never under static/, never served without a permission check)."""
from __future__ import annotations

from flask import current_app

from charity.funds.uploads import FileStore, upload_dir


def complaint_store() -> FileStore:
    """The attachment store of the running app."""
    return FileStore(upload_dir(current_app.instance_path) / "complaints")
