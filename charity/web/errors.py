"""Friendly error pages: 400, 403, 404, 405, 413, a failed CSRF check, and 500."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from charity.core.extensions import db
from charity.core.i18n import _l
from charity.web.access import BadQueryParameter

# Lazy strings: marked here so the catalogue extraction finds them, translated per request.
MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you "
                                "entered.")),
    403: (_l("Not allowed"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("This page does not exist or has been moved.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("Too large"), _l("The upload is too large.")),
    429: (_l("Too many requests"), _l("Please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Nothing was saved; please "
                                         "try again.")),
}


def _page(code: int, title, message):
    title, message = str(title), str(message)
    if request.path.startswith("/api/"):
        return {"error": {"code": code, "message": message}}, code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())


def init_app(app) -> None:
    @app.before_request
    def _refuse_nul_bytes():
        # No field has a use for NUL, and PostgreSQL cannot store or even compare it: answer
        # 400 here rather than a 500 (PostgreSQL) or a stored NUL (SQLite) later.
        if _has_nul(request.args) or (request.method not in ("GET", "HEAD", "OPTIONS")
                                      and _has_nul(request.form)):
            return _page(400, *MESSAGES[400])
        return None

    @app.errorhandler(CSRFError)
    def _csrf(_e):
        return _page(400, _("The form has expired"),
                     _("The form was open too long or was sent twice. Go back, reload the page "
                       "and send it again; nothing was saved."))

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        code = e.code or 500
        if isinstance(e, BadQueryParameter):
            return _page(400, MESSAGES[400][0], e.description)
        if code in MESSAGES:
            return _page(code, *MESSAGES[code])
        return _page(code, e.name, e.description or "")

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _page(500, *MESSAGES[500])
