"""Micro-wish screens (staff): list, post and edit (while open), detail with the claimant's
contact, and the steps: mark fulfilled by an intake, release a claim, cancel."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from charity.auth.permissions import can, scope_organizations, scope_points
from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.core.idempotency import AlreadySubmitted, claim, new_token, record_result
from charity.core.roles import Role
from charity.goods.models import DocStatus, Intake, ItemCategory
from charity.orgs.models import Organization
from charity.people.models import Beneficiary
from charity.web.access import (
    access,
    contains,
    load,
    paginate,
    query_choice,
    query_int,
    show_domain_error,
)
from charity.web.forms import choices
from charity.web.points import counter_points
from charity.wishes import services
from charity.wishes.forms import FulfilForm, ReasonForm, WishForm
from charity.wishes.models import Wish, WishStatus

bp = Blueprint("wishes", __name__, url_prefix="/staff/wishes")

RESULT_PREFIX = "wish:"
RECENT_INTAKES = 30
MAX_HOUSEHOLDS = 500


def _is_admin() -> bool:
    return current_user.role == Role.ADMIN


def _detail_url(wish_id: int) -> str:
    return url_for("wishes.wish_detail", wish_id=wish_id)


def _result_url(result: str) -> str:
    kind, _sep, object_id = (result or "").partition(":")
    if kind + ":" == RESULT_PREFIX and object_id.isascii() and object_id.isdigit():
        return _detail_url(int(object_id))
    return url_for("wishes.wish_list")


def _scoped(stmt):
    """Wishes the user may see: their organisation; a volunteer only their points' wishes
    and the organisation's wishes without a point."""
    if _is_admin():
        return stmt
    stmt = stmt.where(Wish.organization_id == current_user.organization_id)
    if current_user.role == Role.VOLUNTEER:
        ids = sorted(current_user.point_ids) or [-1]
        stmt = stmt.where(sa.or_(Wish.point_id.in_(ids), Wish.point_id.is_(None)))
    return stmt


# --- list ------------------------------------------------------------------------------------

@bp.route("")
@access("wishes.view")
def wish_list():
    status = query_choice("status", [s.value for s in WishStatus])
    point_id = query_int("point")
    q = request.args.get("q", "").strip()[:100]
    stmt = _scoped(sa.select(Wish))
    if status:
        stmt = stmt.where(Wish.status == status)
    if point_id:
        stmt = stmt.where(Wish.point_id == point_id)
    if q:
        stmt = stmt.where(sa.or_(contains(Wish.what, q), contains(Wish.tag, q),
                                 contains(Wish.claim_ref, q), contains(Wish.claimant_name, q)))
    stmt = stmt.options(selectinload(Wish.point), selectinload(Wish.organization))
    page = paginate(stmt.order_by(Wish.created_at.desc(), Wish.id.desc()))
    return render_template("wishes/wish_list.html", page=page, q=q, status=status,
                           point_id=point_id, points=counter_points(),
                           statuses=services.STATUS_LABELS, show_org=_is_admin(),
                           can_create=can(current_user, "wishes.manage"))


# --- post and edit ---------------------------------------------------------------------------

def _offer(form: WishForm, org_id: int | None) -> None:
    """Fill the selects: the points the user works at, categories, the households."""
    points = counter_points()
    blank = [] if current_user.role == Role.VOLUNTEER else [("", "—")]
    form.point_id.choices = choices(blank + [
        (str(p.id), f"{p.organization.name} · {p.name}" if _is_admin() else p.name)
        for p in points])
    form.category_id.choices = choices([("", "—")] + [
        (str(c.id), c.name) for c in db.session.scalars(
            sa.select(ItemCategory).order_by(ItemCategory.sort, ItemCategory.name))])
    households = sa.select(Beneficiary).where(Beneficiary.erased_at.is_(None),
                                              Beneficiary.active.is_(True))
    households = scope_organizations(current_user, households, Beneficiary.organization_id)
    if org_id is not None:
        households = households.where(Beneficiary.organization_id == org_id)
    form.beneficiary_id.choices = choices([("", "—")] + [
        (str(b.id), f"{b.name}（{b.community}）" if b.community else b.name)
        for b in db.session.scalars(households.order_by(Beneficiary.name, Beneficiary.id)
                                    .limit(MAX_HOUSEHOLDS))])
    if _is_admin() and "organization_id" in form:
        form.organization_id.choices = choices(
            [(str(o.id), o.name) for o in db.session.scalars(
                sa.select(Organization).where(Organization.active.is_(True))
                .order_by(Organization.name))])


def _target_org(form: WishForm):
    """The organisation the new wish belongs to: the user's own; an admin chooses one."""
    if not _is_admin():
        org = current_user.organization
        if org is None or not can(current_user, "wishes.manage", org):
            abort(403)
        return org
    raw = form.organization_id.data or ""
    org = db.session.get(Organization, int(raw)) if raw.isdigit() and len(raw) < 10 else None
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
        form.submission_token.data = new_token()
        wanted = request.args.get("point", "")
        if wanted in {c.value for c in form.point_id.choices}:
            form.point_id.data = wanted
    org = _target_org(form) if form.validate_on_submit() else None
    if org is not None:
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            wish = services.create_wish(current_user, db.session, org, form.data_for_service())
            record_result(token, f"{RESULT_PREFIX}{wish.id}")
        except AlreadySubmitted as done:
            db.session.rollback()
            return redirect(_result_url(done.result))
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("The wish is posted and shown to the public."), "success")
            return redirect(_detail_url(wish.id))
    return render_template("wishes/wish_form.html", form=form, wish=None)


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
    if form.validate_on_submit():
        try:
            services.update_wish(current_user, db.session, wish, form.data_for_service())
        except DomainError as e:
            db.session.rollback()
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(_detail_url(wish.id))
    return render_template("wishes/wish_form.html", form=form, wish=wish)


# --- detail and the steps --------------------------------------------------------------------

def _recent_intakes(wish: Wish) -> list[Intake]:
    stmt = sa.select(Intake).where(Intake.organization_id == wish.organization_id,
                                   Intake.status == DocStatus.POSTED)
    if wish.point_id is not None:
        stmt = stmt.where(Intake.point_id == wish.point_id)
    stmt = scope_points(current_user, stmt, Intake.point_id)
    return list(db.session.scalars(stmt.options(selectinload(Intake.point))
                                   .order_by(Intake.received_on.desc(), Intake.id.desc())
                                   .limit(RECENT_INTAKES)))


def _render_detail(wish: Wish, forms: dict | None = None, status: int = 200):
    forms = dict(forms or {})
    manage = can(current_user, "wishes.manage", wish)
    if manage and wish.status in (WishStatus.OPEN, WishStatus.CLAIMED):
        for name, cls in (("fulfil", FulfilForm), ("cancel", ReasonForm)) + (
                (("release", ReasonForm),) if wish.status == WishStatus.CLAIMED else ()):
            if name not in forms:
                forms[name] = cls(prefix=name, formdata=None)
                forms[name].submission_token.data = new_token()
        forms["fulfil"].intake_id.choices = choices([("", "—")] + [
            (str(i.id), _("No. %(id)s · %(date)s · %(point)s", id=i.id,
                          date=i.received_on.isoformat(), point=i.point.name))
            for i in _recent_intakes(wish)])
    return render_template("wishes/wish_detail.html", wish=wish, forms=forms, manage=manage,
                           statuses=services.STATUS_LABELS), status


@bp.route("/<int:wish_id>")
@access("wishes.view")
def wish_detail(wish_id: int):
    return _render_detail(load(Wish, wish_id, "wishes.view"))


def _step(wish_id: int, name: str, form_cls, run, done_message):
    wish = load(Wish, wish_id, "wishes.manage")
    form = form_cls(prefix=name)
    if form.validate_on_submit():
        try:
            token = claim(db.session, form.submission_token.data, current_user.id)
            run(wish, form)
            record_result(token, f"{RESULT_PREFIX}{wish.id}")
        except AlreadySubmitted:
            db.session.rollback()
            return redirect(_detail_url(wish.id))
        except DomainError as e:
            db.session.rollback()
            db.session.refresh(wish)
            show_domain_error(form, e)
        else:
            db.session.commit()
            flash(done_message(), "success")
            return redirect(_detail_url(wish.id))
    return _render_detail(wish, {name: form}, 400 if request.method == "POST" else 200)


@bp.route("/<int:wish_id>/fulfil", methods=["POST"])
@access("wishes.manage")
def wish_fulfil(wish_id: int):
    return _step(wish_id, "fulfil", FulfilForm,
                 lambda wish, form: services.fulfil_wish(current_user, db.session, wish,
                                                         form.chosen_intake()),
                 lambda: _("The wish is marked fulfilled. Thank you!"))


@bp.route("/<int:wish_id>/release", methods=["POST"])
@access("wishes.manage")
def wish_release(wish_id: int):
    return _step(wish_id, "release", ReasonForm,
                 lambda wish, form: services.release_claim(current_user, db.session, wish,
                                                           form.reason.data),
                 lambda: _("The claim is released; the wish is open again."))


@bp.route("/<int:wish_id>/cancel", methods=["POST"])
@access("wishes.manage")
def wish_cancel(wish_id: int):
    return _step(wish_id, "cancel", ReasonForm,
                 lambda wish, form: services.cancel_wish(current_user, db.session, wish,
                                                         form.reason.data),
                 lambda: _("The wish is cancelled."))
