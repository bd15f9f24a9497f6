"""Distribution to households and the handover slip.

The counter form works in the order a volunteer does: the point (their own, preselected),
the household (searched by name or community, never by phone or ID), then the lines. The
slip names the household and its community only: no phone, ID or address on paper.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.clock import org_today
from charity.core.extensions import db
from charity.goods.forms.corrections import DistributionReverseForm
from charity.goods.forms.counter import DistributionForm
from charity.goods.models import Distribution, DocStatus, ItemType
from charity.goods.quantities import quantity_text
from charity.goods.queries.counter import (ShelfStock, counter_batches, find_households,
                                           household as household_of, running_projects)
from charity.goods.queries.lists import (distribution_list as listed_distributions,
                                         filter_points, lines_of, projects_in_scope)
from charity.goods.services.distributions import post_distribution, reverse_distribution
from charity.goods.views.corrections import post_correction
from charity.goods.counter import (expiry_context, list_filters, open_counter, pressed,
                                         soon_note)
from charity.people.queries import category_names, certification_state, points_left
from charity.web.access import access, int_arg, load
from charity.web.keyset import keyset_paginate
from charity.web.forms import choices
from charity.web.points import point_label, staff_today
from charity.web.posting import post_form

bp = Blueprint("distributions", __name__, url_prefix="/staff/distributions")

# A counter prints on an 80 mm roll unless told otherwise (?paper=a4|58; ?paper=dialog
# leaves the paper to the print dialog).
PAPERS = ("a4", "80", "58")
DEFAULT_PAPER = "80"


def _describe(item: ItemType, stock: ShelfStock) -> str:
    label = _("%(name)s · %(points)d points/%(unit)s · %(stock)s on hand", name=item.name,
              points=item.point_price, unit=item.unit, stock=quantity_text(stock.available))
    return label + soon_note(stock)


@bp.route("/new", methods=["GET", "POST"])
@access("goods.distribute")
def distribution_new():
    form = DistributionForm()
    counter = open_counter(form, "goods.distribute", describe=_describe)
    point = counter.point
    projects = running_projects(db.session, point.organization_id if point else None)
    form.project_id.choices = choices([("", _("— none —"))]
                                      + [(str(p.id), p.name) for p in projects])
    household = household_of(db.session, point, form.beneficiary_id.data if counter.posting
                             else request.args.get("beneficiary"))
    today = org_today(point.organization) if point else staff_today()
    if not counter.posting:
        form.beneficiary_id.data = str(household.id) if household else ""
        form.distributed_on.data = today
        if request.args.get("project") in {str(p.id) for p in projects}:
            form.project_id.data = request.args["project"]
    if pressed("more"):
        form.add_lines()  # the typed lines stay; nothing is posted
    elif form.validate_on_submit():
        response = post_form(
            form, lambda: post_distribution(current_user, db.session, point,
                                            form.data_for_service()),
            kind="distribution",
            success=lambda dist: (
                _("Goods handed out; %(points)d points used.", points=dist.points_total),
                url_for("distributions.distribution_view", distribution_id=dist.id)),
            first=lambda dist_id: url_for("distributions.distribution_view",
                                          distribution_id=dist_id),
            fallback=url_for("distributions.distribution_list"))
        if response:
            return response
    return _render_new(form, counter, household, today)


def _render_new(form: DistributionForm, counter, household, today):
    q = request.args.get("q", "").strip()[:100]
    matches = find_households(db.session, counter.point, q) if not household or q else []
    shown = ([household] if household else []) + matches
    return render_template(
        "goods/distribution_new.html", form=form, points=counter.points, point=counter.point,
        household=household, q=q, searched="q" in request.args, matches=matches, points_left=points_left(shown, today),
        batches=counter_batches(db.session, counter.point), today=today,
        **expiry_context(counter.point),
        category_names=category_names, certification_state=lambda b: certification_state(
            b, today), point_label=point_label)


# --- the slip, the list, the correction ------------------------------------------------------

def _render_slip(dist: Distribution, reverse_form: DistributionReverseForm | None = None):
    paper = request.args.get("paper", DEFAULT_PAPER)
    return render_template(
        "goods/distribution_view.html", dist=dist, paper=paper if paper in PAPERS else "",
        reverse_form=reverse_form or DistributionReverseForm(),
        can_reverse=(dist.status == DocStatus.POSTED
                     and can(current_user, "goods.correct", dist)))


def _load_distribution(distribution_id: int, permission: str) -> Distribution:
    dist = load(Distribution, distribution_id, permission)
    lines_of(db.session, dist)  # one query for the lines and their items (the slip lists all)
    return dist


@bp.route("/<int:distribution_id>")
@access("goods.view")
def distribution_view(distribution_id: int):
    return _render_slip(_load_distribution(distribution_id, "goods.view"))


@bp.route("/<int:distribution_id>/reverse", methods=["POST"])
@access("goods.correct")
def distribution_reverse(distribution_id: int):
    dist = _load_distribution(distribution_id, "goods.correct")
    form = DistributionReverseForm()
    return post_correction(
        form, reverse_distribution, dist,
        _("The distribution was reversed: the goods are back on the shelf and the points "
          "returned."),
        url_for("distributions.distribution_view", distribution_id=dist.id)) \
        or _render_slip(dist, form)


@bp.route("/")
@access("goods.view")
def distribution_list():
    args = list_filters(project=int_arg("project"))
    return render_template(
        "goods/distribution_list.html",
        page=keyset_paginate(listed_distributions(current_user, args),
                             (Distribution.distributed_on, Distribution.id)), args=args,
        filter_points=filter_points(db.session, current_user),
        projects=projects_in_scope(db.session, current_user), point_label=point_label)
