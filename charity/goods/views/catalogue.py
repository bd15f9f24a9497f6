"""The catalogue: item types and refused goods.

Everyone on the staff reads it; managers add and edit item types and the list of goods the
points do not accept. Volunteers add a missing item type from the intake form (catalogue.add)
without leaving it.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can, has_permission
from charity.core.extensions import db
from charity.core.roles import Role
from charity.goods.forms.catalogue import ItemTypeForm, RefusedGoodForm
from charity.goods.forms.units import ItemUnitForm
from charity.goods.models import ItemType
from charity.goods.quantities import quantity_text
from charity.goods.queries.catalogue import (categories, item_list as listed_items,
                                             organisations_for, refused_list as listed_refused)
from charity.goods.queries.counter import id_of
from charity.goods.services.catalogue import add_refused_good, create_item_type, update_item_type
from charity.goods.services.units import add_item_unit, remove_item_unit
from charity.orgs.models import Organization
from charity.web.access import access, int_arg, load, paginate
from charity.web.forms import choices
from charity.web.posting import post_form

bp = Blueprint("catalogue", __name__, url_prefix="/staff/catalogue")


def _chosen_org(form, orgs: list[Organization], permission: str) -> Organization | None:
    """The organisation the form names (admins), else the user's own."""
    if current_user.role != Role.ADMIN:
        return current_user.organization
    wanted = id_of(form.organization_id.data or request.args.get("org"))
    org = db.session.get(Organization, wanted) if wanted else None
    if org is not None and not can(current_user, permission, org):
        abort(403)
    return org or (orgs[0] if orgs else None)


def _org_form(form) -> Organization | None:
    """Offer the organisations the user manages; the one the form is for."""
    orgs = organisations_for(db.session, current_user, "catalogue.manage")
    form.organization_id.choices = choices((str(o.id), o.name) for o in orgs)
    org = _chosen_org(form, orgs, "catalogue.manage")
    if request.method == "GET":
        form.organization_id.data = str(org.id) if org else ""
    return org


def _saved(form, work, message, url: str):
    """Save with `work()` (no token: saving twice changes nothing more)."""
    return post_form(form, work, success=lambda obj: (message(obj), url), fallback=url)


def _category_choices(blank: bool):
    return choices(([("", "—")] if blank else []) + [(str(c.id), c.name)
                                                     for c in categories(db.session)])


# --- item types ------------------------------------------------------------------------------

@bp.route("/")
@access("goods.view")
def item_list():
    q = request.args.get("q", "").strip()[:100]
    category = int_arg("category")
    return render_template("goods/catalogue_list.html",
                           page=paginate(listed_items(current_user, q, category)), q=q,
                           category=category, categories=categories(db.session),
                           quantity_text=quantity_text,
                           can_manage=has_permission(current_user, "catalogue.manage"))


@bp.route("/new", methods=["GET", "POST"])
@access("catalogue.manage")
def item_new():
    form = ItemTypeForm()
    form.category_id.choices = _category_choices(blank=True)
    org = _org_form(form)
    if form.validate_on_submit():
        if org is None:
            abort(403)
        response = _saved(form, lambda: create_item_type(current_user, db.session, org,
                                                         form.data_for_service()),
                          lambda item: _("%(name)s was added to the catalogue.",
                                         name=item.name), url_for("catalogue.item_list"))
        if response:
            return response
    return render_template("goods/catalogue_form.html", form=form, item=None,
                           pick_org=current_user.role == Role.ADMIN)


@bp.route("/<int:item_type_id>/edit", methods=["GET", "POST"])
@access("catalogue.manage")
def item_edit(item_type_id: int):
    item = load(ItemType, item_type_id, "catalogue.manage")
    form = ItemTypeForm(obj=item)
    form.category_id.choices = _category_choices(blank=False)
    form.organization_id.choices = choices([(str(item.organization_id), "")])
    if request.method == "GET":
        form.show_item(item)
    if form.validate_on_submit():
        response = _saved(form, lambda: update_item_type(current_user, db.session, item,
                                                         form.data_for_service()),
                          lambda _item: _("Changes saved."), url_for("catalogue.item_list"))
        if response:
            return response
    return render_template("goods/catalogue_form.html", form=form, item=item, pick_org=False)


@bp.route("/<int:item_type_id>/units", methods=["GET", "POST"])
@access("catalogue.manage")
def item_units(item_type_id: int):
    """The item's packaging units: add one (1 箱 = 24 瓶), or remove one (button `remove`)."""
    item = load(ItemType, item_type_id, "catalogue.manage")
    form = ItemUnitForm()
    posted = _post_units(item, form) if form.validate_on_submit() else None
    return posted or render_template("goods/catalogue_units.html", form=form, item=item,
                                     quantity_text=quantity_text)


def _post_units(item: ItemType, form: ItemUnitForm):
    """Add or remove a unit (the redirect), or None when refused (the page again)."""
    removing = request.form.get("remove")
    if removing:
        work, message = (lambda: remove_item_unit(current_user, db.session, item, removing),
                         lambda _item: _("Unit removed."))
    else:
        work, message = (lambda: add_item_unit(current_user, db.session, item,
                                               form.data_for_service()),
                         lambda unit: _("Unit %(name)s added.", name=unit.name))
    return _saved(form, work, message, url_for("catalogue.item_units", item_type_id=item.id))


# --- refused goods ---------------------------------------------------------------------------

@bp.route("/refused")
@access("goods.view")
def refused_list():
    return render_template("goods/catalogue_refused_list.html",
                           page=paginate(listed_refused(current_user)),
                           can_manage=has_permission(current_user, "catalogue.manage"))


@bp.route("/refused/new", methods=["GET", "POST"])
@access("catalogue.manage")
def refused_new():
    form = RefusedGoodForm()
    org = _org_form(form)
    if form.validate_on_submit():
        if org is None:
            abort(403)
        response = _saved(form, lambda: add_refused_good(current_user, db.session, org,
                                                         form.name.data, form.reason.data),
                          lambda row: _("%(name)s is now on the list of goods not accepted.",
                                        name=row.name), url_for("catalogue.refused_list"))
        if response:
            return response
    return render_template("goods/catalogue_refused_form.html", form=form,
                           pick_org=current_user.role == Role.ADMIN)
