"""The public donation trace page (捐赠追溯) at /trace?r=<number>&c=<check code> — the URL the
receipt's QR code encodes (charity.funds.services.receipts.trace_url). A GET form: nothing is
written, so no CSRF token; the answer never says which of the two values was wrong."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from charity.core.extensions import db
from charity.portal.trace.receipts import MAX_CODE, MAX_NUMBER, clean_input, trace_receipt
from charity.web.access import PUBLIC, access

bp = Blueprint("trace", __name__)


@bp.route("/trace")
@access(PUBLIC)
def trace():
    raw_number, raw_code = request.args.get("r"), request.args.get("c")
    if raw_number is None and raw_code is None:
        return render_template("portal/trace.html", number="", code="", result=None,
                               not_found=False, max_number=MAX_NUMBER, max_code=MAX_CODE)
    cleaned = clean_input(raw_number, raw_code)
    # A malformed value is not echoed back: it gets the plain not-found answer.
    number, code = cleaned if cleaned is not None else ("", "")
    result = trace_receipt(db.session, number, code) if cleaned is not None else None
    response = render_template("portal/trace.html", number=number, code=code, result=result,
                               not_found=result is None, max_number=MAX_NUMBER,
                               max_code=MAX_CODE)
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
