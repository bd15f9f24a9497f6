"""The staff navigation: each feature lists its screens here; a link is shown to whoever may
open it (the rule its view declares with `@access`)."""
from __future__ import annotations

from flask import request, url_for
from jinja2 import BytecodeCache
from flask_login import current_user

from charity.auth.permissions import has_permission
from charity.core.i18n import _l
from charity.web.access import may_open

# Menus of the staff header: (endpoint, label). Items whose endpoint does not exist yet are
# skipped.
STAFF_NAV: list[tuple[object, list[tuple[str, object]]]] = [
    (_l("Goods"), [
        ("intake.intake_new", _l("Receive donation")),
        ("distributions.distribution_new", _l("Hand out goods")),
        ("sales.sale_new", _l("Charity sale")),
        ("deliveries.delivery_list", _l("Home delivery")),
        ("stock.dashboard", _l("Stock")),
        ("transfers.transfer_list", _l("Transfers")),
        ("stocktakes.stocktake_list", _l("Stocktakes")),
        ("boxes.box_list_view", _l("Boxes")),
        ("catalogue.item_list", _l("Catalogue")),
    ]),
    (_l("People"), [
        ("beneficiaries.beneficiary_list", _l("Households")),
        ("donors.donor_list", _l("Donors")),
        ("volunteers.volunteer_list", _l("Volunteers")),
        ("volunteers.shift_board", _l("Sign-in board")),
        ("timebank.mine", _l("My time bank")),
        ("timebank.manage", _l("Time bank")),
        ("wishes.wish_list", _l("Micro-wishes")),
    ]),
    (_l("Money"), [
        ("campaigns.campaign_list", _l("Campaigns")),
        ("projects.project_list", _l("Projects")),
        ("ledger.entry_list", _l("Money ledger")),
        ("receipts.receipt_list", _l("Receipts")),
        ("receipt_settings.settings", _l("Receipt settings")),
        ("noncash.gift_list", _l("Non-cash gifts")),
        ("compliance.dashboard", _l("Disclosure compliance")),
        ("transparency.staff_score", _l("Transparency score")),
    ]),
    (_l("Administration"), [
        ("orgs.org_list", _l("Organisations")),
        ("orgs.point_list", _l("Charity points")),
        ("users.user_list", _l("Users")),
        ("imports.start", _l("Import from spreadsheets")),
        ("staff.audit_log", _l("Audit log")),
        ("complaints.complaint_list", _l("Complaints")),
        ("complaints.category_list", _l("Complaint categories")),
    ]),
]


# The volunteer's daily jobs: big buttons on their home page and, on phones, a bar at the
# bottom of every staff page (issue 15: each job was two taps away in the header).
COUNTER_JOBS: list[tuple[str, object]] = [
    ("intake.intake_new", _l("Receive")),
    ("distributions.distribution_new", _l("Hand out")),
    ("sales.sale_new", _l("Sell")),
    ("stocktakes.stocktake_new", _l("Count stock")),
]


# The public header: what anyone can reach without signing in. Endpoints not built yet are
# skipped, like the staff menus.
PUBLIC_NAV: list[tuple[str, object]] = [
    ("public_campaigns.campaign_list", _l("Campaigns & projects")),
    ("public_points.point_list", _l("Charity points")),
    ("disclosures.publication_list", _l("Disclosures")),
    ("transparency.ranking", _l("Transparency")),
    ("trace.trace", _l("Trace a donation")),
    ("public_wishes.wish_list", _l("Micro-wishes")),
    ("public_complaints.complaint_new", _l("Complaints")),
    ("api.index", _l("Open data")),
]


POINT_KIND_LABELS = {"supermarket": _l("Charity supermarket"), "station": _l("Donation station")}
ROLE_LABELS = {"admin": _l("Administrator"), "manager": _l("Manager"),
               "volunteer": _l("Volunteer"), "auditor": _l("Auditor")}


OBLIGATION_KINDS = {"periodic": _l("Periodic disclosure #%(n)s"), "final": _l("Final disclosure"),
                    "annual": _l("Annual report %(n)s")}
STATUS_LABELS = {"upcoming": _l("upcoming"), "due": _l("due soon"), "overdue": _l("overdue"),
                 "published_on_time": _l("published on time"),
                 "published_late": _l("published late")}
STATUS_CLASSES = {"overdue": "badge-off", "published_late": "badge-off",
                  "published_on_time": "badge-ok"}


def obligation_label(ob) -> str:
    return str(OBLIGATION_KINDS.get(ob.kind, ob.kind)) % {"n": ob.seq}


def status_badge(status: str):
    from markupsafe import Markup, escape

    return Markup('<span class="badge {}">{}</span>').format(
        STATUS_CLASSES.get(status, ""), escape(str(STATUS_LABELS.get(status, status))))


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates kept in memory for every app of this process. Jinja keys them by
    template name and a checksum of the source, so an edited template compiles again; the
    apps share one configuration (create_app). A process makes one app in production, but a
    test run makes hundreds, and each would compile every page it renders (~10 ms each)."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _SharedTemplateCode()


def init_app(app) -> None:
    from charity.auth.permissions import can
    from charity.web.forms import error_summary

    from charity.audit.display import action_label, details
    from charity.goods.quantities import in_units

    app.jinja_env.bytecode_cache = _TEMPLATE_CODE
    app.jinja_env.filters["in_units"] = in_units  # "3 箱 + 5 瓶": an item's quantity

    app.jinja_env.globals.update(
        audit_action=action_label, audit_details=details,
        can=can,
        has_permission=has_permission,
        point_kind_label=lambda kind: POINT_KIND_LABELS.get(getattr(kind, "value", kind), kind),
        role_label=lambda role: ROLE_LABELS.get(getattr(role, "value", role), role),
        obligation_label=obligation_label,
        status_badge=status_badge,
        error_summary=error_summary,
    )

    app.context_processor(_navigation(app))


def _staff_menus() -> list[dict]:
    menus = []
    for label, items in STAFF_NAV:
        links = [{"url": url_for(endpoint), "label": item_label}
                 for endpoint, item_label in items if may_open(endpoint)]
        if links:
            menus.append({"label": label, "items": links})
    return menus


def _counter_jobs() -> list[dict]:
    return [{"url": url_for(endpoint), "label": label, "job": endpoint.partition(".")[0]}
            for endpoint, label in COUNTER_JOBS if may_open(endpoint)]


def _navigation(app):
    """The templates' menus. They depend on the role alone (a link is shown to whoever
    passes its view's rule, and the rules are per role) and on where the app is mounted:
    built once per (role, mount point), not on every page (a tenth of a small page's time)."""
    built: dict = {}

    def menus(kind: str, build):
        key = (kind, current_user.role, request.script_root)
        if key not in built:
            built[key] = build()
        return built[key]

    def _nav():
        def staff_nav():
            if not current_user.is_authenticated:
                return []
            return menus("staff", _staff_menus)

        def public_nav():
            return [{"url": url_for(endpoint), "label": label}
                    for endpoint, label in PUBLIC_NAV if endpoint in app.view_functions]

        def counter_jobs():
            """The daily jobs a volunteer may do (nobody else gets the bottom bar)."""
            if not current_user.is_authenticated or current_user.role.value != "volunteer":
                return []
            return menus("counter", _counter_jobs)

        return {"staff_nav": staff_nav, "public_nav": public_nav, "counter_jobs": counter_jobs,
                "available_endpoints": app.view_functions}
    return _nav
