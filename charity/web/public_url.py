"""The site's public address (CHARITY_PUBLIC_URL) for every link that leaves the screen.

A receipt's QR code, a PDF, an Atom/RSS feed or an API answer is read somewhere else and
later: built from the host the request came to, a receipt printed on the counter PC at
http://127.0.0.1 carries a link no donor can open (issue 15). So every absolute URL is built
here, from the configured address; only while it is unset does it fall back to the request's
own address — and the staff home warns the administrator about that (`missing_warning`).
"""
from __future__ import annotations

import ipaddress

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user

from charity.core.roles import Role

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def configured() -> str:
    """CHARITY_PUBLIC_URL without its trailing slash, or "" when unset."""
    return (current_app.config.get("CHARITY_PUBLIC_URL") or "").rstrip("/")


def public_root() -> str:
    """The address of the site's root, ending in "/": the configured one, else the root of
    the address this request came to."""
    return (configured() or request.url_root.rstrip("/")) + "/"


def public_url(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values)` as an absolute URL at the public address."""
    base = configured()
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values)
    # The configured address already says where the app's root is (a proxy's prefix).
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):
        path = path[len(root):]
    return base + path


def is_loopback(host: str) -> bool:
    """Whether a Host header (with or without port, IPv6 in brackets) names this machine."""
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1:].split("]", 1)[0]
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def missing_warning() -> bool:
    """True when an administrator should be told to set CHARITY_PUBLIC_URL: it is unset and
    the site is reached from elsewhere than this machine (on loopback it is a test or a
    single counter PC, where the request's address is as good as any)."""
    return (not configured() and current_user.is_authenticated
            and current_user.role == Role.ADMIN and not is_loopback(request.host))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(public_url=public_url, public_root=public_root,
                                 public_url_missing=missing_warning)
