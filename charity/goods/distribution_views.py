"""Distribution to households and the handover slip.

The counter form works in the order a volunteer does: the point (their own, preselected),
the household (searched by name or community, never by phone or ID), then the lines. The
slip names the household and its community only: no phone, ID or address on paper.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.auth.permissions import can, scope_organizations, scope_points
from charity.core.clock import org_today
from charity.core.db import run_transaction
from charity.core.errors import DomainError, PermissionDenied
from charity.core.extensions import db
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.funds.models import Project, ProjectStatus
from charity.goods.distribution import post_distribution, reverse_distribution
from charity.goods.distribution_forms import DistributionForm, ReverseForm
from charity.goods.models import Distribution, DistributionLine, DocStatus, ItemType, StockBalance
from charity.orgs.models import CharityPoint
from charity.people.models import Beneficiary
from charity.people.queries import category_names, certification_state, points_left
from charity.web.access import (
    access,
    contains,
    date_arg,
    int_arg,
    load,
    paginate,
    show_domain_error,
)
from charity.web.forms import choices
from charity.web.points import chosen_point, counter_points, point_label, staff_today

bp = Blueprint("distributions", __name__, url_prefix="/staff/distributions")

RESULT_PREFIX = "distribution:"
HOUSEHOLD_MATCHES = 20
PAPERS = ("a4", "80")


# --- counter helpers (shared with the sale screens) ------------------------------------------

def on_hand(point: CharityPoint | None) -> dict[int, Decimal]:
    if point is None:
        return {}
    return dict(db.session.execute(
        sa.select(StockBalance.item_type_id, sa.func.sum(StockBalance.quantity))
        .where(StockBalance.point_id == point.id).group_by(StockBalance.item_type_id)).all())


def quantity_text(q) -> str:
    q = Decimal(q or 0).normalize()
    return format(q, "f")


def counter_items(point: CharityPoint | None, describe) -> list[tuple[str, str]]:
    """The organisation's active items, those on the point's shelves first, each labelled by
    `describe(item, quantity on hand)`."""
    if point is None:
        return []
    stock = on_hand(point)
    items = db.session.scalars(sa.select(ItemType).where(
        ItemType.organization_id == point.organization_id, ItemType.active.is_(True))
        .order_by(ItemType.name)).all()
    items = sorted(items, key=lambda item: not stock.get(item.id))
    return [(str(item.id), describe(item, stock.get(item.id) or Decimal("0"))) for item in items]


def counter_batches(point: CharityPoint | None) -> list[StockBalance]:
    """Named batches on the point's shelves (for the batch input's suggestions)."""
    if point is None:
        return []
    return list(db.session.scalars(
        sa.select(StockBalance).where(StockBalance.point_id == point.id,
                                      StockBalance.quantity > 0, StockBalance.batch != "")
        .options(selectinload(StockBalance.item_type))
        .order_by(StockBalance.expiry_date.is_(None), StockBalance.expiry_date,
                  StockBalance.batch).limit(200)))


# --- the counter form ------------------------------------------------------------------------

def _household(raw, point: CharityPoint | None) -> Beneficiary | None:
    try:
        wanted = int(raw)
    except (TypeError, ValueError):
        return None
    household = db.session.get(Beneficiary, wanted) if 0 < wanted < 2**31 else None
    if household is None or point is None or household.erased_at is not None \
            or household.organization_id != point.organization_id:
        return None
    return household


def _find_households(point: CharityPoint | None, q: str) -> list[Beneficiary]:
    """Households of the point's organisation by name or community (never phone or ID)."""
    if point is None or not q:
        return []
    return list(db.session.scalars(
        sa.select(Beneficiary).where(Beneficiary.organization_id == point.organization_id,
                                     Beneficiary.erased_at.is_(None),
                                     sa.or_(contains(Beneficiary.name, q),
                                            contains(Beneficiary.community, q)))
        .order_by(Beneficiary.active.desc(), Beneficiary.name, Beneficiary.id)
        .limit(HOUSEHOLD_MATCHES)))


def _describe_for_distribution(item: ItemType, stock: Decimal) -> str:
    return _("%(name)s · %(points)d points/%(unit)s · %(stock)s on hand", name=item.name,
             points=item.point_price, unit=item.unit, stock=quantity_text(stock))


def _first_result(result: str):
    db.session.rollback()
    flash(_("This form was already sent; it was posted once. Here is the result."), "info")
    first = (result or "").removeprefix(RESULT_PREFIX)
    if first.isdigit():
        return redirect(url_for("distributions.distribution_view", distribution_id=int(first)))
    return redirect(url_for("distributions.distribution_list"))


@bp.route("/new", methods=["GET", "POST"])
@access("goods.distribute")
def distribution_new():
    points = counter_points()
    form = DistributionForm()
    posting = request.method == "POST"
    point = chosen_point(form.point_id.data if posting else request.args.get("point"), points,
                         "goods.distribute")
    form.point_id.choices = choices((str(p.id), point_label(p)) for p in points)
    form.set_item_choices(counter_items(point, _describe_for_distribution))
    projects = db.session.scalars(sa.select(Project).where(
        Project.organization_id == (point.organization_id if point else -1),
        Project.status == ProjectStatus.ACTIVE).order_by(Project.name)).all()
    form.project_id.choices = choices([("", _("— none —"))]
                                      + [(str(p.id), p.name) for p in projects])
    household = _household(form.beneficiary_id.data if posting
                           else request.args.get("beneficiary"), point)
    today = org_today(point.organization) if point else staff_today()
    if not posting:
        form.submission_token.data = new_token()
        form.point_id.data = str(point.id) if point else ""
        form.beneficiary_id.data = str(household.id) if household else ""
        form.distributed_on.data = today
        if request.args.get("project") in {str(p.id) for p in projects}:
            form.project_id.data = request.args["project"]
    if posting and request.form.get("more"):
        form.add_lines()  # the typed lines stay; nothing is posted
    elif form.validate_on_submit():
        def work():
            token = claim(db.session, form.submission_token.data, current_user.id)
            dist = post_distribution(current_user, db.session, point, form.data_for_service())
            record_result(token, f"{RESULT_PREFIX}{dist.id}")
            return dist

        try:
            dist = run_transaction(db.session, work)
        except AlreadySubmitted as done:
            return _first_result(done.result)
        except PermissionDenied:
            abort(403)
        except DomainError as err:
            form.show_error(err)
        else:
            flash(_("Goods handed out; %(points)d points used.", points=dist.points_total),
                  "success")
            return redirect(url_for("distributions.distribution_view", distribution_id=dist.id))
    q = request.args.get("q", "").strip()[:100]
    matches = _find_households(point, q) if not household or q else []
    shown = ([household] if household else []) + matches
    return render_template(
        "goods/distribution_new.html", form=form, points=points, point=point,
        household=household, q=q, matches=matches, points_left=points_left(shown, today),
        batches=counter_batches(point), today=today, category_names=category_names,
        certification_state=lambda b: certification_state(b, today),
        point_label=point_label)


# --- the slip, the list, the correction ------------------------------------------------------

def _render_slip(dist: Distribution, reverse_form: ReverseForm | None = None):
    paper = request.args.get("paper", "")
    return render_template(
        "goods/distribution_view.html", dist=dist, paper=paper if paper in PAPERS else "",
        reverse_form=reverse_form or ReverseForm(),
        can_reverse=(dist.status == DocStatus.POSTED
                     and can(current_user, "goods.correct", dist)))


def _load_distribution(distribution_id: int, permission: str) -> Distribution:
    dist = load(Distribution, distribution_id, permission)
    # One query for the lines and their items (the slip lists them all).
    db.session.scalars(sa.select(DistributionLine).where(
        DistributionLine.distribution_id == dist.id)
        .options(selectinload(DistributionLine.item_type))).all()
    return dist


@bp.route("/<int:distribution_id>")
@access("goods.view")
def distribution_view(distribution_id: int):
    return _render_slip(_load_distribution(distribution_id, "goods.view"))


@bp.route("/<int:distribution_id>/reverse", methods=["POST"])
@access("goods.correct")
def distribution_reverse(distribution_id: int):
    dist = _load_distribution(distribution_id, "goods.correct")
    form = ReverseForm()
    if form.validate_on_submit():
        try:
            run_transaction(db.session, lambda: reverse_distribution(
                current_user, db.session, dist, form.reason.data))
        except PermissionDenied:
            abort(403)
        except DomainError as err:
            show_domain_error(form, err)
        else:
            flash(_("The distribution was reversed: the goods are back on the shelf and the "
                    "points returned."), "success")
            return redirect(url_for("distributions.distribution_view", distribution_id=dist.id))
    return _render_slip(dist, form)


@bp.route("/")
@access("goods.view")
def distribution_list():
    stmt = scope_points(current_user, sa.select(Distribution), Distribution.point_id,
                        Distribution.organization_id)
    args = {"point": int_arg("point"), "project": int_arg("project"),
            "from": date_arg("from"), "to": date_arg("to")}
    if args["point"]:
        stmt = stmt.where(Distribution.point_id == args["point"])
    if args["project"]:
        stmt = stmt.where(Distribution.project_id == args["project"])
    if args["from"]:
        stmt = stmt.where(Distribution.distributed_on >= args["from"])
    if args["to"]:
        stmt = stmt.where(Distribution.distributed_on <= args["to"])
    stmt = stmt.options(selectinload(Distribution.beneficiary), selectinload(Distribution.point),
                        selectinload(Distribution.project),
                        selectinload(Distribution.lines).selectinload(DistributionLine.item_type))
    page = paginate(stmt.order_by(Distribution.distributed_on.desc(), Distribution.id.desc()))
    point_stmt = scope_points(current_user, sa.select(CharityPoint), CharityPoint.id,
                              CharityPoint.organization_id)
    filter_points = db.session.scalars(
        point_stmt.options(selectinload(CharityPoint.organization))
        .order_by(CharityPoint.organization_id, CharityPoint.name)).all()
    projects = db.session.scalars(scope_organizations(
        current_user, sa.select(Project), Project.organization_id).order_by(Project.name)).all()
    return render_template("goods/distribution_list.html", page=page, args=args,
                           filter_points=filter_points, projects=projects,
                           point_label=point_label)
