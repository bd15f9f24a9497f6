"""Friendly error pages: 400, 403, 404, 405, 413, a failed CSRF check, and 500."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from charity.extensions import db

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please check what you entered."),
    403: ("Not allowed", "You do not have permission to open this page."),
    404: ("Page not found", "This page does not exist or has been moved."),
    405: ("Not allowed", "This page cannot be used this way."),
    413: ("Too large", "The upload is too large."),
    429: ("Too many requests", "Please wait a moment and try again."),
    500: ("Something went wrong", "The error has been logged. Nothing was saved; please try again."),
}


def _page(code: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return {"error": {"code": code, "message": message}}, code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_e):
        return _page(400, _("The form has expired"),
                     _("The form was open too long or was sent twice. Go back, reload the page "
                       "and send it again; nothing was saved."))

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        code = e.code or 500
        title, message = MESSAGES.get(code, (e.name, e.description or ""))
        return _page(code, _(title), _(message))

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        title, message = MESSAGES[500]
        return _page(500, _(title), _(message))
