"""Stocktakes: count, submit, approve.

The count is blind: the sheet shows empty inputs and volunteers never see what the system
thinks is on the shelf (managers and auditors do). A line is "counted" once somebody entered
a number for it; a sheet is submitted only when every line is counted.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.audit.models import AuditLog
from charity.audit.services import record
from charity.auth.permissions import can, scope_points
from charity.core.db import run_transaction
from charity.core.errors import DomainError, PermissionDenied, ValidationFailed
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.core.roles import Role
from charity.goods import documents
from charity.goods.models import ItemCategory, Stocktake, StocktakeLine, StocktakeStatus
from charity.goods.transfer_forms import (
    MAX_LINES,
    MORE_LINES,
    ApproveForm,
    CountForm,
    StartStocktakeForm,
    mark,
    plain_qty,
    show_line_error,
)
from charity.goods.transfer_views import already_submitted, item_choices, users_by_id
from charity.web.access import access, load, paginate
from charity.web.forms import choices
from charity.web.points import offered_point, point_choices, point_label, visible_points

bp = Blueprint("stocktakes", __name__, url_prefix="/staff/stocktakes")

RESULT_PREFIX = "stocktake:"
COUNT_ACTION = "stocktake.count"
STATUS_LABELS = {StocktakeStatus.DRAFT.value: _l("Counting"),
                 StocktakeStatus.SUBMITTED.value: _l("Waiting for approval"),
                 StocktakeStatus.APPROVED.value: _l("Approved")}


class Uncounted(ValidationFailed):
    """Submitting a sheet with lines nobody counted."""

    def __init__(self, line_ids):
        super().__init__(_l("Count every line before submitting: enter 0 for an item that "
                            "is not there."))
        self.line_ids = set(line_ids)


def _categories():
    return list(db.session.scalars(sa.select(ItemCategory).order_by(ItemCategory.sort,
                                                                    ItemCategory.id)))


def _fill_start(form, points) -> None:
    form.point_id.choices = point_choices(points)
    form.category_id.choices = choices([("", _("All categories"))]
                                       + [(str(c.id), c.name) for c in _categories()])


def _sees_expected() -> bool:
    """Volunteers count blind; managers, auditors and administrators see the system's
    quantities."""
    return current_user.role != Role.VOLUNTEER


# --- list and start --------------------------------------------------------------------------

@bp.route("/")
@access("goods.view")
def stocktake_list():
    stmt = scope_points(current_user, sa.select(Stocktake), Stocktake.point_id,
                        Stocktake.organization_id)
    status = request.args.get("status", "")
    if status in STATUS_LABELS:
        stmt = stmt.where(Stocktake.status == status)
    points = visible_points("goods.view", active_only=False)
    point = offered_point(request.args.get("point"), points)
    if point is not None:
        stmt = stmt.where(Stocktake.point_id == point.id)
    page = paginate(stmt.options(selectinload(Stocktake.point))
                    .order_by(Stocktake.created_at.desc(), Stocktake.id.desc()))
    start_points = visible_points("goods.stocktake")
    start = StartStocktakeForm(formdata=None)
    start.submission_token.data = new_token()
    _fill_start(start, start_points)
    if len(start_points) == 1:
        start.point_id.data = str(start_points[0].id)
    return render_template("goods/stocktake_list.html", page=page, status=status,
                           point_id=point.id if point else None, points=points,
                           start=start, start_points=start_points,
                           categories={c.id: c.name for c in _categories()},
                           status_labels=STATUS_LABELS, point_label=point_label)


@bp.route("/new", methods=["GET", "POST"])
@access("goods.stocktake")
def stocktake_new():
    form = StartStocktakeForm()
    points = visible_points("goods.stocktake")
    _fill_start(form, points)
    if request.method == "GET":
        form.submission_token.data = new_token()
        if len(points) == 1:
            form.point_id.data = str(points[0].id)
    if form.validate_on_submit():
        point = offered_point(form.point_id.data, points)
        if point is None:
            mark(form.point_id, _("Choose the point to count."))
        else:
            def work():
                token = claim(db.session, form.submission_token.data, current_user.id)
                st = documents.start_stocktake(current_user, db.session, point,
                                               form.category_id.data or None)
                record_result(token, f"{RESULT_PREFIX}{st.id}")
                return st

            try:
                st = run_transaction(db.session, work)
            except AlreadySubmitted as err:
                return already_submitted(err, "stocktakes.stocktake_view", "stocktake_id",
                                         "stocktakes.stocktake_list")
            except PermissionDenied:
                abort(403)
            except DomainError as err:
                show_line_error(form, err)
            else:
                flash(_("Count sheet started. Count what is on the shelf."), "success")
                return redirect(url_for("stocktakes.stocktake_view", stocktake_id=st.id))
    return render_template("goods/stocktake_new.html", form=form, points=points)


# --- the count sheet -------------------------------------------------------------------------

def _lines(st) -> list[StocktakeLine]:
    return list(db.session.scalars(
        sa.select(StocktakeLine).where(StocktakeLine.stocktake_id == st.id)
        .options(selectinload(StocktakeLine.item_type)).order_by(StocktakeLine.id)))


def _counted_ids(st) -> set[int]:
    """Lines somebody entered a count for (the sheet starts with the system's quantities,
    which a blind count must not take for counted)."""
    done: set[int] = set()
    for summary in db.session.scalars(sa.select(AuditLog.summary).where(
            AuditLog.object_type == "Stocktake", AuditLog.object_id == str(st.id),
            AuditLog.action == COUNT_ACTION)):
        done.update(int(k) for k in (summary or {}).get("lines", {}) if str(k).isdigit())
    return done


def _record_counts(st, counts: dict, extras: list[dict]) -> set[int]:
    """Log who counted which lines (set_counts itself does not), and return their ids."""
    db.session.expire(st, ["lines"])
    found = {(int(e["item_type_id"]), (e.get("batch") or "").strip())
             for e in extras if e.get("item_type_id")}
    ids = set(counts) | {ln.id for ln in st.lines if (ln.item_type_id, ln.batch) in found}
    if ids:
        counted = {ln.id: ln.counted for ln in st.lines}
        record(db.session, current_user, COUNT_ACTION, st,
               {"lines": {str(i): plain_qty(counted[i]) for i in sorted(ids) if i in counted}})
    return ids


def _rows(form, lines):
    """(line, its form entry) in sheet order; entries are matched by line id, never by
    position, so a line added meanwhile cannot shift the counts."""
    by_line = {}
    for entry in form.lines:
        try:
            by_line.setdefault(int(entry.line_id.data), entry)
        except (TypeError, ValueError):
            continue
    rows = []
    for line in lines:
        entry = by_line.get(line.id)
        if entry is None:
            entry = form.lines.append_entry({"line_id": line.id, "counted": ""})
        rows.append((line, entry))
    return rows


@bp.route("/<int:stocktake_id>", methods=["GET", "POST"])
@access("goods.view")
def stocktake_view(stocktake_id: int):
    st = load(Stocktake, stocktake_id, "goods.view")
    editable = st.status == StocktakeStatus.DRAFT and can(current_user, "goods.stocktake", st)
    if request.method == "POST" and not editable:
        if not can(current_user, "goods.stocktake", st):
            abort(403)
        flash(_("This count sheet was already submitted; it cannot be changed."), "error")
        return redirect(url_for("stocktakes.stocktake_view", stocktake_id=st.id))
    lines = _lines(st)
    counted_ids = _counted_ids(st)
    form = CountForm()
    if request.method == "GET":
        form.submission_token.data = new_token()
        for line in lines:
            form.lines.append_entry({"line_id": line.id, "counted": plain_qty(line.counted)
                                     if line.id in counted_ids else ""})
    rows = _rows(form, lines)
    if request.method == "POST" and request.form.get("more"):
        for _i in range(min(MORE_LINES, MAX_LINES - len(form.extra))):
            form.extra.append_entry()
    elif editable and form.validate_on_submit():
        response = _save(st, form, rows, counted_ids, submit=request.form.get("action")
                         == "submit")
        if response is not None:
            return response
    return _render_sheet(st, form, rows, editable, counted_ids)


def _save(st, form, rows, counted_ids, submit: bool):
    counts = {line.id: entry.counted.data for line, entry in rows if entry.counted.data}
    extras = [{"item_type_id": e.item_type_id.data, "batch": e.batch.data or "",
               "quantity": e.quantity.data or ""} for e in form.extra]
    index = {line.id: i for i, (line, _entry) in enumerate(rows)}
    entries = [entry for _line, entry in rows]

    def rename(name: str) -> str:
        kind, _sep, rest = name.partition("-")
        if kind == "line" and rest.isdigit() and int(rest) in index:
            return f"lines-{form.lines.entries.index(entries[index[int(rest)]])}-counted"
        if kind == "extra" and rest.isdigit():
            return f"extra-{rest}-quantity"
        return name

    def work():
        token = claim(db.session, form.submission_token.data, current_user.id)
        documents.set_counts(current_user, db.session, st, counts, extras)
        done = counted_ids | _record_counts(st, counts, extras)
        if submit:
            missing = [ln.id for ln in st.lines if ln.id not in done]
            if missing:
                raise Uncounted(missing)
            documents.submit_stocktake(current_user, db.session, st)
        record_result(token, f"{RESULT_PREFIX}{st.id}")
        return st

    try:
        run_transaction(db.session, work)
    except AlreadySubmitted as err:
        return already_submitted(err, "stocktakes.stocktake_view", "stocktake_id",
                                 "stocktakes.stocktake_list")
    except PermissionDenied:
        abort(403)
    except Uncounted as err:
        for line, entry in rows:
            if line.id in err.line_ids:
                mark(entry.counted, _("Not counted yet."))
        form.form_errors.append(err.message)
        return None
    except DomainError as err:
        show_line_error(form, err, rename)
        return None
    if submit:
        flash(_("Count sheet submitted: a manager will check and approve it."), "success")
    else:
        flash(_("Counts saved."), "success")
    return redirect(url_for("stocktakes.stocktake_view", stocktake_id=st.id))


def _render_sheet(st, form, rows, editable, counted_ids):
    for entry in form.extra:
        entry.item_type_id.choices = item_choices([st.organization_id])
    differences = {}
    if _sees_expected() and st.status != StocktakeStatus.APPROVED:
        differences = {line.id: diff for line, diff in documents.stocktake_differences(
            db.session, st)}
    people = users_by_id(st.created_by_id, st.submitted_by_id, st.approved_by_id)
    approve = None
    if st.status == StocktakeStatus.SUBMITTED and can(current_user, "goods.stocktake_approve",
                                                      st):
        approve = ApproveForm(formdata=None)
        approve.submission_token.data = new_token()
    category = db.session.get(ItemCategory, st.category_id) if st.category_id else None
    return render_template(
        "goods/stocktake_view.html", st=st, form=form, rows=rows, editable=editable,
        counted_ids=counted_ids, sees_expected=_sees_expected(), differences=differences,
        people=people, approve=approve, category=category, status_labels=STATUS_LABELS,
        can_add_rows=len(form.extra) < MAX_LINES)


# --- approval --------------------------------------------------------------------------------

@bp.route("/<int:stocktake_id>/approve", methods=["POST"])
@access("goods.stocktake_approve")
def stocktake_approve(stocktake_id: int):
    st = load(Stocktake, stocktake_id, "goods.stocktake_approve")
    form = ApproveForm()
    if form.validate_on_submit():
        def work():
            token = claim(db.session, form.submission_token.data, current_user.id)
            documents.approve_stocktake(current_user, db.session, st)
            record_result(token, f"{RESULT_PREFIX}{st.id}")

        try:
            run_transaction(db.session, work)
        except AlreadySubmitted as err:
            return already_submitted(err, "stocktakes.stocktake_view", "stocktake_id",
                                     "stocktakes.stocktake_list")
        except PermissionDenied:
            abort(403)
        except DomainError as err:
            flash(str(err.message), "error")
        else:
            flash(_("Stocktake approved: the stock now equals the counts."), "success")
    return redirect(url_for("stocktakes.stocktake_view", stocktake_id=st.id))
