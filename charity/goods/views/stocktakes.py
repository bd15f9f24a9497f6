"""Stocktakes: count, submit, approve.

The count is blind: the sheet shows empty inputs and volunteers never see what the system
thinks is on the shelf (managers and auditors do). A line is "counted" once somebody entered
a number for it; a sheet is submitted only when every line is counted.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.boxes.services import settle_boxes
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.core.roles import Role
from charity.goods.forms.lines import MAX_LINES, mark, set_unit_choices, unit_choices
from charity.goods.forms.stocktakes import ApproveForm, CountForm, StartStocktakeForm
from charity.goods.models import ItemCategory, Stocktake, StocktakeStatus
from charity.goods.queries.catalogue import categories, item_units
from charity.goods.queries.lists import counted_line_ids, lines_of, users_by_id
from charity.goods.queries.lists import stocktake_list as listed_stocktakes
from charity.goods.services.stocktakes import (
    approve_stocktake,
    save_counts,
    start_stocktake,
    stocktake_differences,
)
from charity.goods.counter import pressed, shelf_item_choices, status_and_point
from charity.web.access import access, load, paginate
from charity.web.forms import choices
from charity.web.points import offered, point_choices, point_label, visible_points
from charity.web.posting import post_form

bp = Blueprint("stocktakes", __name__, url_prefix="/staff/stocktakes")

STATUS_LABELS = {StocktakeStatus.DRAFT.value: _l("Counting"),
                 StocktakeStatus.SUBMITTED.value: _l("Waiting for approval"),
                 StocktakeStatus.APPROVED.value: _l("Approved")}


INLINE_START_POINTS = 50


def _start_form(form: StartStocktakeForm, points, fresh: bool) -> StartStocktakeForm:
    form.point_id.choices = point_choices(points)
    form.category_id.choices = choices([("", _("All categories"))]
                                       + [(str(c.id), c.name) for c in categories(db.session)])
    if fresh:
        if len(points) == 1:
            form.point_id.data = str(points[0].id)
    return form


def _sees_expected() -> bool:
    """Volunteers count blind; managers, auditors and administrators see the system's
    quantities."""
    return current_user.role != Role.VOLUNTEER


def _posted(form, work, message: str, stocktake_id: int | None = None, **options):
    """Post once for the form's token; to the count sheet afterwards."""
    def view(st_id: int) -> str:
        return url_for("stocktakes.stocktake_view", stocktake_id=st_id)

    return post_form(form, work, kind="stocktake", success=lambda st: (message, view(st.id)),
                     first=view, fallback=view(stocktake_id) if stocktake_id
                     else url_for("stocktakes.stocktake_list"), **options)


# --- list and start --------------------------------------------------------------------------

@bp.route("/")
@access("goods.view")
def stocktake_list():
    status, wanted, points, point_id = status_and_point(STATUS_LABELS)
    start_points = visible_points("goods.stocktake")
    # The count is started here, in a folded form, where the points fit a short list; an
    # administrator's thousand are chosen on the start page instead (the select alone was a
    # third of this page at province scale).
    inline = len(start_points) <= INLINE_START_POINTS
    return render_template(
        "goods/stocktake_list.html",
        page=paginate(listed_stocktakes(current_user, wanted, point_id)), status=status,
        point_id=point_id, points=points,
        start=_start_form(StartStocktakeForm(formdata=None), start_points, fresh=True)
        if inline else None,
        start_points=start_points, categories={c.id: c.name for c in categories(db.session)},
        status_labels=STATUS_LABELS, point_label=point_label)


@bp.route("/new", methods=["GET", "POST"])
@access("goods.stocktake")
def stocktake_new():
    points = visible_points("goods.stocktake")
    form = _start_form(StartStocktakeForm(), points, fresh=request.method == "GET")
    if form.validate_on_submit():
        point = offered(form.point_id.data, points)
        if point is None:
            mark(form.point_id, _("Choose the point to count."))
        else:
            response = _posted(form, lambda: start_stocktake(
                current_user, db.session, point, form.category_id.data or None),
                _("Count sheet started. Count what is on the shelf."))
            if response:
                return response
    return render_template("goods/stocktake_new.html", form=form, points=points)


# --- the count sheet -------------------------------------------------------------------------

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
    counted_ids = counted_line_ids(db.session, st)
    form = CountForm()
    form.match(lines_of(db.session, st), counted_ids, fresh=request.method == "GET")
    if pressed("more"):
        form.add_extra_rows()
    elif editable and form.validate_on_submit():
        submit = request.form.get("action") == "submit"
        response = _posted(form, lambda: save_counts(
            current_user, db.session, st, form.counts(), form.extras(), submit=submit,
            units=form.units()),
            _("Count sheet submitted: a manager will check and approve it.") if submit
            else _("Counts saved."))
        if response:
            return response
    return _render_sheet(st, form, editable, counted_ids)


def _render_sheet(st, form: CountForm, editable: bool, counted_ids: set[int]):
    for entry in form.extra:
        entry.item_type_id.choices = shelf_item_choices([st.organization_id])
    set_unit_choices(form.extra, unit_choices(item_units(db.session, [st.organization_id])))
    differences = {}
    if _sees_expected() and st.status != StocktakeStatus.APPROVED:
        differences = {line.id: diff for line, diff in stocktake_differences(db.session, st)}
    approve = None
    if st.status == StocktakeStatus.SUBMITTED and can(current_user, "goods.stocktake_approve",
                                                      st):
        approve = ApproveForm(formdata=None)
    return render_template(
        "goods/stocktake_view.html", st=st, form=form, rows=form.rows, editable=editable,
        counted_ids=counted_ids, sees_expected=_sees_expected(), differences=differences,
        people=users_by_id(db.session, st.created_by_id, st.submitted_by_id,
                           st.approved_by_id),
        approve=approve, status_labels=STATUS_LABELS, can_add_rows=len(form.extra) < MAX_LINES,
        category=db.session.get(ItemCategory, st.category_id) if st.category_id else None)


# --- approval --------------------------------------------------------------------------------

@bp.route("/<int:stocktake_id>/approve", methods=["POST"])
@access("goods.stocktake_approve")
def stocktake_approve(stocktake_id: int):
    st = load(Stocktake, stocktake_id, "goods.stocktake_approve")
    form = ApproveForm()
    if form.validate_on_submit():
        # A refusal is flashed: the sheet is shown again, not this form.
        # Boxes the sheet's box check found missing are lost (decision 0025).
        return _posted(None, lambda: settle_boxes(
            current_user, db.session, approve_stocktake(current_user, db.session, st)),
                       _("Stocktake approved: the stock now equals the counts."),
                       stocktake_id=st.id, token=form.submission_token.data)
    return redirect(url_for("stocktakes.stocktake_view", stocktake_id=st.id))
