"""What the campaign and project screens share: their list page (searched, filtered by status,
with each fund's balance), posting a form or showing it again, and the state buttons of
their detail pages (start)."""
from __future__ import annotations

from flask import redirect, render_template, request
from flask_login import current_user

from charity.auth.permissions import can
from charity.funds import queries
from charity.funds.views.org_choice import is_admin
from charity.web.access import paginate
from charity.web.posting import post_form


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


def post_or_show(form, work, show, **posting):
    """Post a valid form once (`post_form(form, work, **posting)`); a form not valid or
    refused is shown again by `show()`, with the refusal next to its field."""
    if form.validate_on_submit():
        response = post_form(form, work, **posting)
        if response:
            return response
    return show()
