"""The `wishes` blueprint (staff): list, post and edit (while open), detail with the
claimant's contact, and the steps: mark fulfilled by an intake, release a claim, cancel."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from charity.auth.permissions import can
from charity.core.extensions import db
from charity.core.i18n import _l
from charity.core.roles import Role
from charity.orgs.models import Organization
from charity.orgs.queries import active_organizations
from charity.web.access import access, load, paginate, parse_id, query_choice, query_int
from charity.web.forms import choices
from charity.web.points import counter_points
from charity.web.posting import post_form, post_or_show, to_record
from charity.wishes import services
from charity.wishes.forms import FulfilForm, ReasonForm, WishForm
from charity.wishes.models import Wish, WishStatus
from charity.wishes.queries import staff as queries

bp = Blueprint("wishes", __name__, url_prefix="/staff/wishes")


def _is_admin() -> bool:
    return current_user.role == Role.ADMIN


def _detail_url(wish_id: int) -> str:
    return url_for("wishes.wish_detail", wish_id=wish_id)


# --- list ------------------------------------------------------------------------------------

@bp.route("")
@access("wishes.view")
def wish_list():
    status = query_choice("status", [s.value for s in WishStatus])
    point_id = query_int("point")
    q = request.args.get("q", "").strip()[:100]
    page = paginate(queries.wish_list(current_user, status, point_id, q))
    return render_template("wishes/wish_list.html", page=page, q=q, status=status,
                           point_id=point_id, points=counter_points(),
                           statuses=services.STATUS_LABELS, show_org=_is_admin(),
                           can_create=can(current_user, "wishes.manage"))


# --- post and edit ---------------------------------------------------------------------------

def _offer(form: WishForm, org_id: int | None) -> None:
    """Fill the selects: the points the user works at, categories, the households."""
    blank = [] if current_user.role == Role.VOLUNTEER else [("", "—")]
    form.point_id.choices = choices(blank + [
        (str(p.id), f"{p.organization.name} · {p.name}" if _is_admin() else p.name)
        for p in counter_points()])
    form.category_id.choices = choices(
        [("", "—")] + [(str(c.id), c.name) for c in queries.categories()])
    form.beneficiary_id.choices = choices([("", "—")] + [
        (str(b.id), f"{b.name}（{b.community}）" if b.community else b.name)
        for b in queries.households(current_user, org_id)])
    if _is_admin() and "organization_id" in form:
        form.organization_id.choices = choices(
            [(str(o.id), o.name) for o in active_organizations(current_user)])


def _target_org(form: WishForm):
    """The organisation the new wish belongs to: the user's own; an admin chooses one."""
    if not _is_admin():
        org = current_user.organization
        if org is None or not can(current_user, "wishes.manage", org):
            abort(403)
        return org
    raw = form.organization_id.data or ""
    org_id = parse_id(raw)
    org = db.session.get(Organization, org_id) if org_id is not None else None
    if org is None:
        form.organization_id.errors = [_("Choose the organisation.")]
    return org


@bp.route("/new", methods=["GET", "POST"])
@access("wishes.manage")
def wish_new():
    form = WishForm()
    if not _is_admin():
        del form.organization_id
    _offer(form, None if _is_admin() else current_user.organization_id)
    if request.method == "GET":
        wanted = request.args.get("point", "")
        if wanted in {c.value for c in form.point_id.choices}:
            form.point_id.data = wanted
    # No organisation: the form was not sent, not valid, or names none; it is shown again.
    org = _target_org(form) if form.validate_on_submit() else None
    response = org and post_form(
        form, lambda: services.create_wish(current_user, db.session, org,
                                           form.data_for_service()),
        kind="wish", **to_record(_detail_url, _("The wish is posted and shown to the public."),
                                 fallback=url_for("wishes.wish_list")))
    return response or render_template("wishes/wish_form.html", form=form, wish=None)


@bp.route("/<int:wish_id>/edit", methods=["GET", "POST"])
@access("wishes.manage")
def wish_edit(wish_id: int):
    wish = load(Wish, wish_id, "wishes.manage")
    if wish.status != WishStatus.OPEN:
        flash(_("Only an open wish can be changed."), "error")
        return redirect(_detail_url(wish.id))
    form = WishForm(obj=wish) if request.method == "GET" else WishForm()
    del form.organization_id
    _offer(form, wish.organization_id)
    if request.method == "GET":
        for name in ("point_id", "category_id", "beneficiary_id", "age", "quantity"):
            value = getattr(wish, name)
            form[name].data = "" if value is None else str(value)
    return post_or_show(
        form, lambda: services.update_wish(current_user, db.session, wish,
                                           form.data_for_service()),
        lambda: render_template("wishes/wish_form.html", form=form, wish=wish),
        success=lambda _wish: (_("Changes saved."), _detail_url(wish.id)),
        fallback=_detail_url(wish.id))


# --- detail and the steps --------------------------------------------------------------------

def _step_forms(wish: Wish, forms: dict) -> dict:
    """The forms of the steps open to `wish` (fulfil, cancel; release when claimed), fresh
    ones with a token except those in `forms` (a step sent back with its errors)."""
    steps = [("fulfil", FulfilForm), ("cancel", ReasonForm)]
    if wish.status == WishStatus.CLAIMED:
        steps.append(("release", ReasonForm))
    for name, cls in steps:
        if name not in forms:
            forms[name] = cls(prefix=name, formdata=None)
    forms["fulfil"].intake_id.choices = choices([("", "—")] + [
        (str(i.id), _("No. %(id)s · %(date)s · %(point)s", id=i.id,
                      date=i.received_on.isoformat(), point=i.point.name))
        for i in queries.recent_intakes(current_user, wish)])
    return forms


def _render_detail(wish: Wish, forms: dict | None = None, status: int = 200):
    forms = dict(forms or {})
    manage = can(current_user, "wishes.manage", wish)
    if manage and wish.status in (WishStatus.OPEN, WishStatus.CLAIMED):
        forms = _step_forms(wish, forms)
    return render_template("wishes/wish_detail.html", wish=wish, forms=forms, manage=manage,
                           statuses=services.STATUS_LABELS), status


@bp.route("/<int:wish_id>")
@access("wishes.view")
def wish_detail(wish_id: int):
    return _render_detail(load(Wish, wish_id, "wishes.view"))


# The steps after a wish is claimed: the form, the service call and what to say when done.
STEPS = {
    "fulfil": (FulfilForm, lambda wish, form: services.fulfil_wish(
        current_user, db.session, wish, form.chosen_intake()),
        _l("The wish is marked fulfilled. Thank you!")),
    "release": (ReasonForm, lambda wish, form: services.release_claim(
        current_user, db.session, wish, form.reason.data),
        _l("The claim is released; the wish is open again.")),
    "cancel": (ReasonForm, lambda wish, form: services.cancel_wish(
        current_user, db.session, wish, form.reason.data),
        _l("The wish is cancelled.")),
}


def _step(wish_id: int, name: str):
    """Post one step's form; its refusal is shown on the detail page."""
    form_cls, run, done = STEPS[name]
    wish = load(Wish, wish_id, "wishes.manage")
    form = form_cls(prefix=name)
    if form.validate_on_submit():
        response = post_form(
            form, lambda: run(wish, form), kind="wish", first=_detail_url,
            fallback=_detail_url(wish.id), success=lambda _wish: (str(done), _detail_url(wish.id)))
        if response:
            return response
    return _render_detail(wish, {name: form}, 400 if request.method == "POST" else 200)


def _route_step(name: str) -> None:
    @access("wishes.manage")
    def view(wish_id: int):
        return _step(wish_id, name)

    bp.add_url_rule(f"/<int:wish_id>/{name}", f"wish_{name}", view, methods=["POST"])


for _name in STEPS:
    _route_step(_name)
