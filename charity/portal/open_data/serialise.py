"""The JSON of the open data API: every public object and the year's totals as plain values.

Money is exact text with two decimals ("1234.50": JSON numbers would be floats), quantities
exact text without trailing zeros, days ISO 8601, instants RFC 3339 in UTC. Only public
facts: never a donor, beneficiary, volunteer, complaint contact or user, and not the names
or phone numbers of an organisation's or a campaign's responsible people. Each serialiser
takes the object and the figures loaded for its page (`extra`, see `resources`).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from charity.disclosure.models import Obligation, Publication
from charity.funds.models import Campaign, FundBalance, Project
from charity.orgs.models import CharityPoint, Organization
from charity.portal.queries.figures import YearTotals

CENT = Decimal("0.01")
COUNT_FIELDS = ("donation_count", "goods_intake_count", "households_helped",
                "active_campaigns", "active_projects")


def money(value: Decimal | None) -> str | None:
    """Money as exact text with two decimals ("1234.50"): JSON numbers would be floats."""
    return None if value is None else format(value.quantize(CENT), "f")


def quantity(value: Decimal) -> str:
    """Exact text of a quantity: 12 → "12", 2.500 → "2.5"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def instant(value: dt.datetime | None) -> str | None:
    """An aware datetime as RFC 3339 in UTC ("2026-04-01T02:03:04Z")."""
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def _figures(balance: FundBalance | None) -> dict:
    """A fund's money so far, as its balance defines income, used and remaining."""
    if balance is None:
        return {"income": "0.00", "used": "0.00", "remaining": "0.00"}
    return {"income": money(balance.income), "used": money(balance.used),
            "remaining": money(balance.remaining)}


def organization_data(o: Organization, extra=None) -> dict:
    return {"id": o.id, "name": o.name, "uscc": o.uscc,
            "registering_authority": o.registering_authority,
            "can_fundraise_publicly": o.can_fundraise_publicly,
            "fundraising_cert_no": o.fundraising_cert_no, "address": o.address,
            "website": o.website, "timezone": o.timezone, "active": o.active}


def point_data(p: CharityPoint, extra=None) -> dict:
    return {"id": p.id, "organization_id": p.organization_id, "kind": p.kind.value,
            "name": p.name, "address": p.address, "district": p.district,
            "community": p.community, "opening_hours": p.opening_hours, "phone": p.phone}


def campaign_data(c: Campaign, extra: dict | None = None) -> dict:
    extra = extra or {}
    return {"id": c.id, "organization_id": c.organization_id, "name": c.name,
            "status": c.status.value, "purpose": c.purpose, "region": c.region,
            "donation_methods": c.donation_methods, "bank_account": c.bank_account,
            "beneficiaries": c.beneficiaries, "intended_use": c.intended_use,
            "leftover_plan": c.leftover_plan, "goods_wanted": c.goods_wanted,
            "filing_no": c.filing_no, "filing_date": day(c.filing_date),
            "planned_start": day(c.planned_start), "planned_end": day(c.planned_end),
            "actual_end": day(c.actual_end), "emergency": c.emergency,
            "target_amount": money(c.target_amount), "cost_budget": money(c.cost_budget),
            **_figures(extra.get("balances", {}).get(c.id))}


def project_data(p: Project, extra: dict | None = None) -> dict:
    extra = extra or {}
    return {"id": p.id, "organization_id": p.organization_id, "name": p.name,
            "status": p.status.value, "content": p.content, "area": p.area,
            "beneficiary_groups": p.beneficiary_groups,
            "planned_start": day(p.planned_start), "planned_end": day(p.planned_end),
            "actual_end": day(p.actual_end), "budget": money(p.budget),
            "leftover_property": p.leftover_property, "leftover_handling": p.leftover_handling,
            "campaign_ids": sorted(extra.get("campaigns", {}).get(p.id, [])),
            **_figures(extra.get("balances", {}).get(p.id))}


def obligation_data(o: Obligation, extra: dict | None = None) -> dict:
    pub_ids = (extra or {}).get("publications", {})
    return {"id": o.id, "organization_id": o.organization_id, "subject_type": o.subject_type,
            "subject_id": o.subject_id, "kind": o.kind, "seq": o.seq,
            "period_start": day(o.period_start), "period_end": day(o.period_end),
            "due": day(o.due), "status": o.status, "published_on": day(o.published_on),
            "publication_id": pub_ids.get(o.id)}


def publication_data(p: Publication, extra: dict | None = None) -> dict:
    """A publication's public facts; `extra["urls"](p)` gives its page and PDF addresses."""
    urls = (extra or {}).get("urls")
    html_url, pdf_url = urls(p) if urls else (None, None)
    return {"id": p.id, "report_no": p.report_no, "organization_id": p.organization_id,
            "subject_type": p.subject_type, "subject_id": p.subject_id, "kind": p.kind,
            "seq": p.seq, "title": p.title, "period_start": day(p.period_start),
            "period_end": day(p.period_end), "due": day(p.due),
            "published_on": day(p.published_on), "published_at": instant(p.published_at),
            "late": p.late, "corrects_id": p.corrects_id,
            "correction_reason": p.correction_reason, "pdf_sha256": p.pdf_sha256,
            "snapshot_sha256": p.snapshot_sha256, "entry_hash": p.entry_hash,
            "prev_hash": p.prev_hash, "html_url": html_url, "pdf_url": pdf_url}


def _units(by_unit) -> list[dict]:
    return [{"unit": u.unit, "quantity": quantity(u.quantity)} for u in by_unit]


def totals_data(t: YearTotals) -> dict:
    """A year's totals (counts and sums only: no household, donor or person is named)."""
    return {
        "organization_id": t.organization_id,
        "money_donated": money(t.money_donated),
        **{name: getattr(t, name) for name in COUNT_FIELDS},
        "goods_received_quantity": quantity(t.goods_received_quantity),
        "goods_received_by_unit": _units(t.goods_received_by_unit),
        "goods_distributed_quantity": quantity(t.goods_distributed_quantity),
        "goods_distributed_by_unit": _units(t.goods_distributed_by_unit),
    }
