"""Security headers on every response.

The app's own pages load scripts, styles, fonts and images only from ``/static`` (plus
``data:`` images: QR codes) and carry no inline ``<script>``, no ``style="…"`` attribute and
no ``on…=`` handler — ``tests/core/test_templates_csp.py`` walks every route to keep it so,
and the browser tests fail on any violation Chromium reports. Inline SVG charts
(``charity/portal/charts.py``) use classes and presentation attributes, which the policy
allows.

A header a view set deliberately is kept (the donation trace page sends
``Referrer-Policy: no-referrer`` so its secret URL never leaves in a Referer). HSTS is sent
only when ``CHARITY_SECURE_COOKIES`` says the site is served over HTTPS: sent over plain
HTTP by mistake it would lock browsers out of the site for a year.

Staff pages — every route behind sign-in, whatever its answer (a page, a redirect, a 403) —
and anything shown to a signed-in user that did not say how it may be cached are sent
``Cache-Control: no-store``: a shared desktop's browser cache, the back button after signing
out, or a proxy must not keep a page with donors' or households' details (issue 16).
"""
from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

#: Sent on every response unless the view already set the header.
HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    # The camera only for the app's own pages (scanning a barcode, static/js/scan.js);
    # nothing uses the others, so a script injected despite the CSP cannot either.
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

#: One year; only sent when the site is configured as HTTPS-only.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

# Browsers show PDFs in a built-in viewer that some versions refuse to start under a
# document CSP (object-src 'none'); a PDF carries no page scripts of ours to protect.
_NO_CSP_MIMETYPES = frozenset({"application/pdf"})


def security_headers(response: Response, *, https_only: bool) -> Response:
    """Add the headers above that the response does not have yet."""
    for name, value in HEADERS.items():
        if name == "Content-Security-Policy" and response.mimetype in _NO_CSP_MIMETYPES:
            continue
        response.headers.setdefault(name, value)
    if https_only:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


NO_STORE = "private, no-store"


def no_store_when_private(response: Response) -> Response:
    """``Cache-Control: no-store`` on a staff route's every answer, and on any answer to a
    signed-in user that sets no Cache-Control of its own (public pages a view marks public,
    such as the open-data API, keep theirs)."""
    from flask_login import current_user

    from charity.web.access import PUBLIC, access_rule

    if (request.endpoint == "static"
            or "no-store" in (response.headers.get("Cache-Control") or "")):
        return response
    staff_route = request.endpoint is not None and access_rule(request.endpoint) != PUBLIC
    if staff_route or ("Cache-Control" not in response.headers
                       and current_user.is_authenticated):
        response.headers["Cache-Control"] = NO_STORE
    return response


def init_app(app: Flask) -> None:
    https_only = bool(app.config.get("CHARITY_SECURE_COOKIES"))

    @app.after_request
    def _security_headers(response: Response) -> Response:
        return security_headers(no_store_when_private(response), https_only=https_only)
