"""The `public_wishes` blueprint: public micro-wish pages (no sign-in): the counts and open wishes, the claim form, the
claimant's note with the reference and where to bring the gift.

Nothing here ever shows a claimant's name or phone, or which household a wish is for: the
pages read `charity.wishes.queries.public`, which selects the public columns only.

Abuse: a honeypot field, a one-time token, and at most RATE_LIMIT claims per address per hour
counted in this process (a crude brake like the drop-off form's, not a guarantee).
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from charity.core.errors import DomainError
from charity.core.extensions import db
from charity.orgs.models import Organization
from charity.web.access import PUBLIC, access, paginate, query_int, show_domain_error
from charity.web.public_page import public_page
from charity.web.ratelimit import AddressLimiter
from charity.wishes import services
from charity.wishes.claim_posting import post_claim
from charity.wishes.forms import ClaimForm
from charity.wishes.queries import public

bp = Blueprint("public_wishes", __name__, url_prefix="/wishes")

RATE_LIMIT = 5  # claims per remote address per hour (default)
limiter = AddressLimiter("wish_claim_rate", "CHARITY_WISH_CLAIM_RATE_LIMIT", RATE_LIMIT)


@bp.route("/")
@access(PUBLIC)
@public_page
def wish_list():
    org_id = query_int("org")
    point_id = query_int("point")
    org = db.session.get(Organization, org_id) if org_id else None
    counts = public.counts(db.session, org_id, point_id, org.timezone if org else None)
    page = paginate(public.open_wish_ids(org_id, point_id))
    wishes = public.by_ids(db.session, list(page.items))
    orgs, points = public.filter_choices(db.session)
    return render_template("wishes/public_list.html", counts=counts, page=page, wishes=wishes,
                           fulfilled=public.recently_fulfilled(db.session, org_id, point_id),
                           orgs=orgs, points=points, org_id=org_id, point_id=point_id)


@bp.route("/<int:wish_id>/claim", methods=["GET", "POST"])
@access(PUBLIC)
def wish_claim(wish_id: int):
    wish = public.public_wish(db.session, wish_id) or abort(404)
    form = ClaimForm()
    status = 200
    address = request.remote_addr or ""
    if request.method == "GET":
        pass  # a new form (PostingForm gave it its one-time token)
    elif form.website.data:
        # A robot filled in the field people do not see: nothing is saved.
        limiter.hit(address)
        form.form_errors.append(_("The form could not be sent. Please try again."))
        status = 400
    elif limiter.over(address):
        form.form_errors.append(_("Too many claims from your network in the last hour. "
                                  "Please try again later."))
        status = 429
    elif form.validate_on_submit():
        try:
            ref, first_time = post_claim(form.submission_token.data, wish.id, form.name.data,
                                         form.phone.data)
        except services.WishNotOpen as err:
            form.form_errors.append(err.message)
            wish = public.public_wish(db.session, wish_id) or wish
            status = 409
        except DomainError as err:
            show_domain_error(form, err)
            status = 400
        else:
            if first_time:
                limiter.hit(address)
            if not ref:  # sent again, and the first submission recorded nothing
                return redirect(url_for("public_wishes.wish_list"))
            return redirect(url_for("public_wishes.claim_done", ref=ref))
    else:
        status = 400 if wish.status == "open" else 409
    return render_template("wishes/public_claim.html", wish=wish, form=form), status


@bp.route("/claimed/<ref>")
@access(PUBLIC)
def claim_done(ref: str):
    """The claimant's note: reference, where and when to bring the gift. No personal data:
    the reference alone must not reveal who claimed."""
    note = public.claim_note(db.session, ref)
    if note is None:
        abort(404)
    return render_template("wishes/public_claimed.html", note=note)
