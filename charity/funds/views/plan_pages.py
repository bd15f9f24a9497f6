"""What the campaign and project screens share: their list page (searched, filtered by status,
with each fund's balance), the state buttons of their detail pages (start) and the forms
posted from those pages (extend, end, close, attach a point)."""
from __future__ import annotations

from flask import redirect, render_template, request
from flask_login import current_user

from charity.auth.permissions import can
from charity.funds import queries
from charity.funds.views.org_choice import is_admin
from charity.web.access import paginate
from charity.web.posting import post_form, post_or_show


def search_arg() -> str:
    return request.args.get("q", "").strip()[:100]


def list_page(template: str, select, scope: str, statuses: dict, manage: str, extra=None):
    """A page of campaigns or projects. `select(user, q, status)` gives the list's select,
    `scope` names their funds' balances, `extra(page, balances)` more template values."""
    q, status = search_arg(), request.args.get("status", "")
    page = paginate(select(current_user, q, status))
    balances = queries.balances_for(scope, [item.id for item in page.items])
    more = extra(page, balances) if extra else {}
    return render_template(template, page=page, q=q, status=status, statuses=statuses,
                           balances=balances, show_org=is_admin(),
                           can_create=can(current_user, manage), **more)


def post_step(form, work, *, message: str, detail: str, kind: str):
    """A state button (start a campaign or project), posted once: the detail page again, with
    `message` or the refusal above it."""
    if not form.validate_on_submit():
        return redirect(detail)
    return post_form(None, work, token=form.submission_token.data, kind=kind,
                     success=lambda _obj: (message, detail), first=lambda _id: detail,
                     fallback=detail)


def post_on_detail(form, work, show, *, message, detail: str, kind: str):
    """A form of a detail page, posted once: the page again (`detail`) with `message` (text,
    or a function of what was posted), or `show()` with the refusal next to its field."""
    return post_or_show(
        form, work, show, kind=kind, first=lambda _id: detail, fallback=detail,
        success=lambda obj: (message(obj) if callable(message) else message, detail))
