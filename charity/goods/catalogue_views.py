"""The catalogue: item types and refused goods.

Everyone on the staff reads it; managers add and edit item types and the list of goods the
points do not accept. Volunteers add a missing item type from the intake form (catalogue.add)
without leaving it.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.auth.permissions import can, has_permission, scope_organizations
from charity.core.errors import DomainError, PermissionDenied
from charity.core.extensions import db
from charity.core.roles import Role
from charity.goods.catalogue import add_refused_good, create_item_type, update_item_type
from charity.goods.distribution_views import quantity_text
from charity.goods.forms import ItemTypeForm, RefusedGoodForm
from charity.goods.models import ItemCategory, ItemType, RefusedGood
from charity.orgs.models import Organization
from charity.web.access import access, contains, int_arg, load, paginate, show_domain_error
from charity.web.forms import choices

bp = Blueprint("catalogue", __name__, url_prefix="/staff/catalogue")


def _categories() -> list[ItemCategory]:
    return list(db.session.scalars(sa.select(ItemCategory).order_by(ItemCategory.sort,
                                                                    ItemCategory.name)))


def _orgs_for(permission: str) -> list[Organization]:
    """Organisations the user may change the catalogue of (an admin chooses one)."""
    stmt = scope_organizations(current_user, sa.select(Organization), Organization.id)
    orgs = db.session.scalars(stmt.where(Organization.active.is_(True))
                              .order_by(Organization.name)).all()
    return [o for o in orgs if can(current_user, permission, o)]


def _chosen_org(form, orgs: list[Organization], permission: str) -> Organization | None:
    """The organisation the form names (admins), else the user's own."""
    if current_user.role != Role.ADMIN:
        return current_user.organization
    raw = form.organization_id.data or request.args.get("org")
    try:
        wanted = int(raw)
    except (TypeError, ValueError):
        wanted = 0
    # Bounded before the query: a larger id overflows SQLite and aborts PostgreSQL's transaction.
    org = db.session.get(Organization, wanted) if 0 < wanted < 2**31 else None
    if org is not None and not can(current_user, permission, org):
        abort(403)
    return org or (orgs[0] if orgs else None)


# --- item types ------------------------------------------------------------------------------

@bp.route("/")
@access("goods.view")
def item_list():
    stmt = scope_organizations(current_user, sa.select(ItemType), ItemType.organization_id)
    q = request.args.get("q", "").strip()[:100]
    if q:
        stmt = stmt.where(sa.or_(contains(ItemType.name, q), ItemType.barcode == q,
                                 contains(ItemType.barcode, q)))
    category = int_arg("category")
    if category:
        stmt = stmt.where(ItemType.category_id == category)
    stmt = stmt.join(ItemCategory, ItemCategory.id == ItemType.category_id).options(
        selectinload(ItemType.category))
    page = paginate(stmt.order_by(ItemCategory.sort, ItemType.name, ItemType.id))
    return render_template("goods/catalogue_list.html", page=page, q=q, category=category,
                           categories=_categories(), quantity_text=quantity_text,
                           can_manage=has_permission(current_user, "catalogue.manage"))


def _item_form(form: ItemTypeForm, orgs) -> None:
    form.category_id.choices = choices([("", "—")]
                                       + [(str(c.id), c.name) for c in _categories()])
    form.organization_id.choices = choices((str(o.id), o.name) for o in orgs)


@bp.route("/new", methods=["GET", "POST"])
@access("catalogue.manage")
def item_new():
    orgs = _orgs_for("catalogue.manage")
    form = ItemTypeForm()
    _item_form(form, orgs)
    org = _chosen_org(form, orgs, "catalogue.manage")
    if request.method == "GET":
        form.organization_id.data = str(org.id) if org else ""
    if form.validate_on_submit():
        if org is None:
            abort(403)
        try:
            item = create_item_type(current_user, db.session, org, form.data_for_service())
        except PermissionDenied:
            db.session.rollback()
            abort(403)
        except DomainError as err:
            db.session.rollback()
            show_domain_error(form, err)
        else:
            db.session.commit()
            flash(_("%(name)s was added to the catalogue.", name=item.name), "success")
            return redirect(url_for("catalogue.item_list"))
    return render_template("goods/catalogue_form.html", form=form, item=None,
                           pick_org=current_user.role == Role.ADMIN)


@bp.route("/<int:item_type_id>/edit", methods=["GET", "POST"])
@access("catalogue.manage")
def item_edit(item_type_id: int):
    item = load(ItemType, item_type_id, "catalogue.manage")
    form = ItemTypeForm(obj=item)
    form.category_id.choices = choices([(str(c.id), c.name) for c in _categories()])
    form.organization_id.choices = choices([(str(item.organization_id), "")])
    if request.method == "GET":
        form.category_id.data = str(item.category_id)
        form.default_fair_value.data = _text(item.default_fair_value)
        form.sale_price.data = _text(item.sale_price)
        form.point_price.data = str(item.point_price)
        form.monthly_limit.data = quantity_text(item.monthly_limit) \
            if item.monthly_limit is not None else ""
        form.barcode.data = item.barcode or ""
    if form.validate_on_submit():
        try:
            update_item_type(current_user, db.session, item, form.data_for_service())
        except PermissionDenied:
            db.session.rollback()
            abort(403)
        except DomainError as err:
            db.session.rollback()
            show_domain_error(form, err)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("catalogue.item_list"))
    return render_template("goods/catalogue_form.html", form=form, item=item, pick_org=False)


def _text(value) -> str:
    return "" if value is None else format(value, "f")


# --- refused goods ---------------------------------------------------------------------------

@bp.route("/refused")
@access("goods.view")
def refused_list():
    stmt = scope_organizations(current_user, sa.select(RefusedGood),
                               RefusedGood.organization_id)
    stmt = stmt.where(RefusedGood.active.is_(True))
    page = paginate(stmt.order_by(RefusedGood.organization_id, RefusedGood.name))
    return render_template("goods/catalogue_refused_list.html", page=page,
                           can_manage=has_permission(current_user, "catalogue.manage"))


@bp.route("/refused/new", methods=["GET", "POST"])
@access("catalogue.manage")
def refused_new():
    orgs = _orgs_for("catalogue.manage")
    form = RefusedGoodForm()
    form.organization_id.choices = choices((str(o.id), o.name) for o in orgs)
    org = _chosen_org(form, orgs, "catalogue.manage")
    if request.method == "GET":
        form.organization_id.data = str(org.id) if org else ""
    if form.validate_on_submit():
        if org is None:
            abort(403)
        try:
            row = add_refused_good(current_user, db.session, org, form.name.data,
                                   form.reason.data)
        except PermissionDenied:
            db.session.rollback()
            abort(403)
        except DomainError as err:
            db.session.rollback()
            show_domain_error(form, err)
        else:
            db.session.commit()
            flash(_("%(name)s is now on the list of goods not accepted.", name=row.name),
                  "success")
            return redirect(url_for("catalogue.refused_list"))
    return render_template("goods/catalogue_refused_form.html", form=form,
                           pick_org=current_user.role == Role.ADMIN)
