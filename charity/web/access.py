"""Helpers every blueprint shares: access declarations, object loading, paging, form errors."""
from __future__ import annotations

import datetime as dt
from functools import wraps

from flask import abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, ValidationError

from charity.auth.permissions import PERMISSIONS, can, has_permission
from charity.core.db import contains  # noqa: F401  (re-exported for the views)
from charity.core.errors import DomainError
from charity.core.extensions import db, login_manager

PUBLIC = "public"
LOGIN = "login"
ACCESS_ATTR = "_charity_access"
# Endpoints that Flask or extensions register themselves.
BUILTIN_PUBLIC = {"static"}


def access(rule: str):
    """Declare who may call a view: PUBLIC, LOGIN or a permission name from PERMISSIONS.

    Views without a declaration are refused (fail closed), so a new route cannot be
    forgotten; tests/auth/test_route_matrix.py walks every route.
    """
    if rule not in (PUBLIC, LOGIN) and rule not in PERMISSIONS:
        raise KeyError(f"unknown permission {rule!r}")

    def decorate(view):
        setattr(view, ACCESS_ATTR, rule)
        return view

    return decorate


def access_rule(endpoint: str) -> str | None:
    if endpoint in BUILTIN_PUBLIC:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None)


def enforce_access():
    """before_request: apply the view's declared rule before the view runs."""
    if request.endpoint is None:
        return None  # no route: Flask answers 404
    rule = access_rule(request.endpoint)
    if rule is None:
        current_app.logger.error("route %s has no access rule; refused", request.endpoint)
        abort(403)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if rule != LOGIN and not has_permission(current_user, rule):
        abort(403)
    return None


def may_open(endpoint: str) -> bool:
    """Whether the current user passes `endpoint`'s declared rule: the menus offer a link
    only then (and not at all for an endpoint that does not exist)."""
    if endpoint not in current_app.view_functions:
        return False
    rule = access_rule(endpoint)
    if rule is None or rule == PUBLIC:
        return rule == PUBLIC
    return current_user.is_authenticated and (rule == LOGIN
                                              or has_permission(current_user, rule))


# --- ids -------------------------------------------------------------------------------------
# Every id a request names — in the path, the query or a form — is read by `parse_id`: ASCII
# digits only (no sign, no spaces, no full-width or other Unicode digits, which int() would
# accept or choke on), from 1 to the largest 32-bit integer. A larger number cannot be a row
# (SQLite raises OverflowError binding it, PostgreSQL aborts the transaction); anything else
# is not an id. Views answer 404 for such an id, never a 500.
MAX_ID = 2**31 - 1


def parse_id(raw) -> int | None:
    """`raw` (text or a number) as an id from 1 to MAX_ID, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= MAX_ID else None
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def id_or_404(raw) -> int:
    number = parse_id(raw)
    if number is None:
        abort(404)
    return number


class IdConverter(BaseConverter):
    """The app's `<int:…>` in every route: an id as `parse_id` reads it, else no match
    (404). Replaces werkzeug's int converter, which takes any length of digits."""

    regex = r"[0-9]{1,10}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def init_app(app) -> None:
    """Before any blueprint is registered: the bounded id converter, then the access rule
    every request passes."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(enforce_access)


def load(model, object_id, permission: str):
    """The object, if it exists (else 404) and the current user may `permission` it (else 403)."""
    object_id = parse_id(object_id)
    obj = db.session.get(model, object_id) if object_id is not None else None
    if obj is None:
        abort(404)
    if not can(current_user, permission, obj):
        abort(403)
    return obj


def load_child(model, child_id, **parent):
    """A row named in the same URL as an object already loaded and checked (a project's point
    link, an organisation's registration change): 404 unless it exists and belongs to that
    object (`project_id=project.id`)."""
    child_id = parse_id(child_id)
    child = db.session.get(model, child_id) if child_id is not None else None
    if child is None or any(getattr(child, name) != value for name, value in parent.items()):
        abort(404)
    return child


# Far beyond any real list; larger numbers would overflow the database's OFFSET integer.
MAX_PAGE = 1_000_000


class BadQueryParameter(BadRequest):
    """A malformed query parameter: answered 400 with a message that names the parameter."""


def query_int(name: str, default: int | None = None, *, minimum: int = 1,
              maximum: int = 2**31 - 1) -> int | None:
    """The query parameter `name` as a whole number in [minimum, maximum], else a 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if (not (raw.isascii() and raw.isdigit()) or len(raw) > 10
            or not minimum <= int(raw) <= maximum):
        raise BadQueryParameter(_("The parameter “%(name)s” must be a whole number from "
                                  "%(min)s to %(max)s.", name=name, min=minimum, max=maximum))
    return int(raw)


def query_choice(name: str, allowed, default: str | None = None) -> str | None:
    """The query parameter `name` if it is one of `allowed`, else a 400 (empty → default)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if raw not in allowed:
        raise BadQueryParameter(_("The parameter “%(name)s” must be one of: %(allowed)s.",
                                  name=name, allowed=", ".join(map(str, allowed))))
    return raw


def page_arg() -> int:
    try:
        page = int(request.args.get("page", 1))
    except ValueError:
        page = 1
    return min(max(page, 1), MAX_PAGE)


def paginate(stmt, per_page: int | None = None):
    return db.paginate(stmt, page=page_arg(),
                       per_page=per_page or current_app.config["CHARITY_PAGE_SIZE"],
                       max_per_page=200, error_out=False, count=True)


def show_domain_error(form, error: DomainError) -> None:
    """Put a service's refusal next to the field it concerns (or above the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        # WTForms keeps `errors` as a tuple until validate() has run on the field.
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def transactional(view):
    """Roll back the request's transaction when a view raises (convention 4)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return wrapper


def date_arg(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def int_arg(name: str) -> int | None:
    """The query parameter `name` as an id (`parse_id`), else None."""
    return parse_id(request.args.get(name, ""))
