"""The one way a view posts a form: token → service → commit or rollback → message → redirect.

Every posting view used to repeat the same dance (claim the one-time token, call the service,
catch `AlreadySubmitted` and `DomainError`, roll back or commit, flash, redirect). It lives
here once, so a view only says what to call and where to go:

    response = post_form(form, lambda: post_sale(current_user, db.session, point, data),
                         success=lambda sale: (_("Sale recorded."), url_for(...)),
                         first=lambda sale_id: url_for("sales.sale_view", sale_id=sale_id),
                         fallback=url_for("sales.sale_list"))
    if response:
        return response
    return render_template(...)   # the form again, with the refusal next to its field

`post_or_show(form, work, show, **posting)` is those lines in one call (it validates the form
first), and `to_record(url, message, fallback=...)` the keywords of a form that posts one
record and goes to its page.

One transaction per request (convention 4): the service flushes, this commits once, and any
error rolls the whole request back (deadlocks and serialisation failures are retried).
"""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, flash, redirect
from flask_babel import gettext as _
from flask_login import current_user

from charity.core.db import run_transaction
from charity.core.errors import DomainError, PermissionDenied
from charity.core.extensions import db
from charity.core.idempotency import AlreadySubmitted, claim, record_result
from charity.web.access import parse_id, show_domain_error


def show_refusal(form, error: DomainError) -> None:
    """Put a service's refusal next to its field; forms with lines know their own fields."""
    shower = getattr(form, "show_error", None)
    if shower is not None:
        shower(error)
    else:
        show_domain_error(form, error)


def already_posted(result: str, first: Callable[[int], str] | None, fallback: str):
    """The answer to a form sent again: what the first submission posted."""
    db.session.rollback()
    flash(_("This form was already sent; it was posted once. Here is the result."), "info")
    _kind, _sep, raw = (result or "").rpartition(":")
    object_id = parse_id(raw)
    if first is not None and object_id is not None:
        return redirect(first(object_id))
    return redirect(fallback)


def post_form(form, work: Callable[[], Any], *, success: Callable[[Any], tuple[str, str]],
              fallback: str, first: Callable[[int], str] | None = None,
              token: str | None = None, kind: str = "posted"):
    """Run `work()` once for this form's one-time token and commit; return the redirect.

    - `work()` calls one service and returns what it posted (an object with an `id`, or None).
    - `success(obj)` gives the message and the URL to go to afterwards.
    - `first(id)` is where a form sent again goes (the object the first submission posted);
      `fallback` where it goes when nothing was recorded.
    - `token` overrides the form's `submission_token` field (forms without one).

    A `DomainError` is shown on the form and None is returned: render the form again (what
    was typed is kept). `PermissionDenied` answers 403.
    """
    raw = token if token is not None else getattr(getattr(form, "submission_token", None),
                                                   "data", None)

    def unit():
        claimed = claim(db.session, raw, current_user.id)
        obj = work()
        object_id = getattr(obj, "id", None)
        record_result(claimed, f"{kind}:{object_id}" if object_id is not None else kind)
        return obj

    try:
        obj = run_transaction(db.session, unit)
    except AlreadySubmitted as done:
        return already_posted(done.result, first, fallback)
    except PermissionDenied:
        abort(403)
    except DomainError as err:
        if form is None:
            flash(str(err.message), "error")
            return redirect(fallback)
        show_refusal(form, err)
        return None
    message, url = success(obj)
    if message:
        flash(message, "success")
    return redirect(url)


def to_record(url: Callable[[int], str], message, *, fallback: str) -> dict:
    """`post_form`'s `first`/`fallback`/`success` for a form that posts one record: then, and
    when the form is sent again, the record's page `url(id)`, with `message` (text, or a
    function of the record); `fallback` when nothing was recorded."""
    return {"first": url, "fallback": fallback, "success": lambda record: (
        message(record) if callable(message) else message, url(record.id))}


def post_or_show(form, work, show, **posting):
    """Post a valid form once (`post_form(form, work, **posting)`) and return its redirect;
    a form not valid or refused gives `show()`: the page again, the refusal next to its
    field."""
    if form.validate_on_submit():
        response = post_form(form, work, **posting)
        if response:
            return response
    return show()


def post_form_with_files(form, store, work: Callable[[], Any], *, success, fallback: str,
                         kind: str = "posted"):
    """`post_form` for a service that stages files in `store` (charity.funds.uploads): they
    get their final names once the transaction has committed, and are deleted when it is
    refused, sent again or fails, so no file is left that no row names."""
    committed = False

    def staged_work():
        store.discard()  # a transaction run again stages its files again
        return work()

    def published(obj):
        nonlocal committed
        committed = True
        store.publish()
        return success(obj)

    try:
        return post_form(form, staged_work, kind=kind, success=published, fallback=fallback)
    finally:
        if not committed:
            store.discard()
