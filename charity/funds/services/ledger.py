"""The money ledger: posting entries, keeping balances, corrections and transfers.

Entries are append-only. Every posting updates the balances of the funds it touches in the
same transaction, after locking them, so balances always equal the ledger sums and two
people spending the last yuan of a campaign cannot both succeed.
"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.auth.permissions import require
from charity.core.clock import org_today
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.core.money import MAX_AMOUNT, check_amount
from charity.figures.services import keep_fund_entry
from charity.funds.models import (Activity, Campaign, CampaignStatus, Channel, EntryKind,
                                  FundBalance, FundEntry, Project, ProjectStatus, ReceiptKind)
from charity.funds.models.ledger import COLUMN, INFLOWS, OUTFLOWS
from charity.funds.services.lookup import load_for_org
from charity.funds.services.receipts import Line, issue_receipt, void_receipt
from charity.people.models import Donor

ENTRY_TEXT_FIELDS = ("counterparty", "purpose", "voucher_no", "reference", "note")
CHANNEL_LABEL = {"cash": "现金", "bank_transfer": "银行转账", "wechat": "微信支付",
                 "alipay": "支付宝", "other": "其他"}


# --- balances --------------------------------------------------------------------------------

def fund_scopes(entry: FundEntry) -> list[tuple[str, int]]:
    """The funds an entry touches: the organisation, its campaign (or the general fund), and
    the project it concerns."""
    scopes = [("org", entry.organization_id)]
    scopes.append(("campaign", entry.campaign_id) if entry.campaign_id
                  else ("general", entry.organization_id))
    if entry.project_id:
        scopes.append(("project", entry.project_id))
    return scopes


def balance(session: Session, organization_id: int, scope: str, scope_id: int,
            lock: bool = False) -> FundBalance:
    """The balance row of a fund, created empty if missing; locked FOR UPDATE when asked."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(FundBalance).values(organization_id=organization_id, scope=scope,
                                               scope_id=scope_id).on_conflict_do_nothing())
    stmt = sa.select(FundBalance).where(FundBalance.scope == scope,
                                        FundBalance.scope_id == scope_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).one()


def _apply(session: Session, entry: FundEntry) -> None:
    column = COLUMN[entry.kind]
    for scope, scope_id in fund_scopes(entry):
        row = balance(session, entry.organization_id, scope, scope_id, lock=True)
        total = getattr(row, column) + entry.amount
        if total > MAX_AMOUNT:
            # The running totals share the entries' Numeric(14, 2): refuse rather than
            # overflow (PostgreSQL) or store silently (SQLite).
            raise ValidationFailed(_l("This fund's totals would exceed what the ledger can "
                                      "hold; ask an administrator."), field="amount")
        setattr(row, column, total)
        row.entry_count += 1
    keep_fund_entry(session, entry)


def _source_fund(entry_campaign_id, organization_id) -> tuple[str, int]:
    return ("campaign", entry_campaign_id) if entry_campaign_id else ("general", organization_id)


def _check_funds(session: Session, organization_id: int, campaign_id: int | None,
                 amount: Decimal, field: str = "amount") -> None:
    # Lock in the same order as _apply (organisation first), or a donation and a spending
    # on one campaign wait for each other (a PostgreSQL deadlock, found by a stress test).
    balance(session, organization_id, "org", organization_id, lock=True)
    scope, scope_id = _source_fund(campaign_id, organization_id)
    row = balance(session, organization_id, scope, scope_id, lock=True)
    if row.remaining < amount:
        from charity.core.i18n import money

        raise ValidationFailed(_l("Not enough money in this fund: %(left)s remaining.",
                                  left=money(row.remaining)), field=field)


# --- posting ---------------------------------------------------------------------------------

def _validate(session, organization, data: dict, today: dt.date) -> dict:
    """The entry's values, checked and cleaned; the rules of its kind are checked too."""
    try:
        kind = EntryKind(data.get("kind"))
    except ValueError:
        raise ValidationFailed(_l("Choose the kind of entry."), field="kind") from None
    amount = check_amount(data.get("amount"), field="amount")
    entry_date = data.get("entry_date")
    if not isinstance(entry_date, dt.date):
        raise ValidationFailed(_l("Enter a date."), field="entry_date")
    if entry_date > today:
        raise ValidationFailed(_l("The date cannot be in the future."), field="entry_date")
    campaign = load_for_org(session, Campaign, data.get("campaign_id"), organization.id,
                            "campaign_id", _l("Unknown campaign."))
    project = load_for_org(session, Project, data.get("project_id"), organization.id,
                           "project_id", _l("Unknown project."))
    donor = load_for_org(session, Donor, data.get("donor_id"), organization.id, "donor_id",
                         _l("Unknown donor."))
    clean = {k: (data.get(k) or "").strip() for k in ENTRY_TEXT_FIELDS}
    clean.update(kind=kind, amount=amount, entry_date=entry_date,
                 campaign_id=campaign.id if campaign else None,
                 project_id=project.id if project else None,
                 donor_id=donor.id if donor else None,
                 restricted=bool(data.get("restricted")))
    if donor and not clean["counterparty"]:
        clean["counterparty"] = donor.name
    _check_income(data, clean, campaign, project)
    _check_spending(clean, campaign, project)
    return clean


def _check_income(data: dict, clean: dict, campaign, project) -> None:
    """Money coming in: how it came, and into a running campaign within its period."""
    kind = clean["kind"]
    if kind == EntryKind.DONATION:
        try:
            clean["channel"] = Channel(data.get("channel"))
        except ValueError:
            raise ValidationFailed(_l("Choose how the money came in."), field="channel") from None
    if kind == EntryKind.ACTIVITY_INCOME:
        try:
            clean["activity"] = Activity(data.get("activity"))
        except ValueError:
            raise ValidationFailed(_l("Choose the charity activity."), field="activity") from None
        clean["channel"] = Channel(data["channel"]) if data.get("channel") in set(Channel) else None

    if kind in INFLOWS and campaign is not None:
        if campaign.status != CampaignStatus.ACTIVE:
            raise ValidationFailed(_l("This campaign is not running: it cannot receive money."),
                                   field="campaign_id")
        if not (campaign.planned_start <= clean["entry_date"] <= campaign.end):
            raise ValidationFailed(_l("The date is outside the campaign's period."),
                                   field="entry_date")
    if clean["restricted"] and campaign is None and project is None:
        raise ValidationFailed(_l("A restricted (定向) gift needs its campaign or project."),
                               field="restricted")


def _check_spending(clean: dict, campaign, project) -> None:
    """Money going out: what it paid for, and campaign money only on the campaign's projects."""
    kind = clean["kind"]
    if kind == EntryKind.PROJECT_SPENDING:
        if project is None:
            raise ValidationFailed(_l("Choose the project that spent the money."),
                                   field="project_id")
        if project.status == ProjectStatus.CLOSED:
            raise ValidationFailed(_l("The project is closed."), field="project_id")
        for key, message in (("purpose", _l("Say what the money was spent on.")),
                             ("counterparty", _l("Enter the payee.")),
                             ("voucher_no", _l("Enter the voucher number."))):
            if not clean[key]:
                raise ValidationFailed(message, field=key)
        if campaign is not None and project.id not in {p.id for p in campaign.projects}:
            raise ValidationFailed(
                _l("Money of this campaign can only be spent on the projects it funds."),
                field="project_id")
    if kind == EntryKind.OTHER_SPENDING and not clean["purpose"]:
        raise ValidationFailed(_l("Say what the money was spent on."), field="purpose")
    if kind in (EntryKind.FUNDRAISING_COST, EntryKind.MANAGEMENT_COST) and not clean["purpose"]:
        raise ValidationFailed(_l("Say what the cost was for."), field="purpose")
    if kind in (EntryKind.TRANSFER_IN, EntryKind.TRANSFER_OUT):
        raise ValidationFailed(_l("Use the transfer form to move money between funds."),
                               field="kind")


def post_entry(actor, session: Session, organization, data: dict,
               today: dt.date | None = None) -> FundEntry:
    """Post one ledger entry and update the balances of the funds it touches.

    Spending is refused when its fund (the campaign, or the general fund) has too little
    left; campaign money goes only to the projects the campaign funds.
    """
    require(actor, "funds.post", organization)
    today = today or org_today(organization)
    clean = _validate(session, organization, data, today)
    if clean["kind"] in OUTFLOWS:
        _check_funds(session, organization.id, clean["campaign_id"], clean["amount"])
    entry = FundEntry(organization_id=organization.id, posted_by_id=getattr(actor, "id", None),
                      source_type=data.get("source_type"), source_id=data.get("source_id"),
                      replaces_id=data.get("replaces_id"), **clean)
    session.add(entry)
    session.flush()
    _apply(session, entry)
    record(session, actor, "fund.post", entry,
           {"kind": entry.kind, "amount": str(entry.amount), "campaign_id": entry.campaign_id,
            "project_id": entry.project_id})
    session.flush()
    return entry


def post_donation(actor, session: Session, organization, data: dict, *,
                  with_receipt: bool = True, today: dt.date | None = None) -> FundEntry:
    """Record money received (a donation or a charity activity's proceeds) and, unless the
    donor declines or is anonymous, issue its receipt in the same transaction."""
    entry = post_entry(actor, session, organization, data, today=today)
    if entry.kind not in (EntryKind.DONATION, EntryKind.ACTIVITY_INCOME):
        raise ValidationFailed(_l("Choose the kind of entry."), field="kind")
    if with_receipt:
        donor = session.get(Donor, entry.donor_id) if entry.donor_id else None
        payer = donor.name if donor else entry.counterparty
        if not payer:
            raise ValidationFailed(
                _l("An anonymous gift gets no receipt: enter the payer or untick the receipt."),
                field="counterparty")
        how = CHANNEL_LABEL.get(entry.channel.value if entry.channel else "", "")
        item = "货币捐赠" + (f"（{how}）" if how else "")
        receipt = issue_receipt(actor, session, organization, kind=ReceiptKind.MONEY,
                                payer_name=payer, payer_code=donor.id_code if donor else "",
                                donor=donor, issued_on=entry.entry_date,
                                lines=[Line(item=item, unit="元", amount=entry.amount)],
                                remark=_receipt_remark(entry))
        entry.receipt_id = receipt.id
        session.flush()
    return entry


def _receipt_remark(entry: FundEntry) -> str:
    """备注: what the gift is restricted to, when it is."""
    named = [f"募捐活动：{entry.campaign.name}" if entry.campaign else "",
             f"慈善项目：{entry.project.name}" if entry.project else ""]
    return "；".join(part for part in named if part)


def reverse_entry(actor, session: Session, entry: FundEntry, reason: str,
                  replacement: dict | None = None, today: dt.date | None = None
                  ) -> tuple[FundEntry, FundEntry | None]:
    """Correct a posted entry: a reversal (same kind, opposite amount) and optionally a
    replacement, both linked to the original with the reason. A transfer is reversed on
    both sides. The original's receipt, if any, is voided."""
    require(actor, "funds.post", entry)
    if not (reason or "").strip():
        raise ValidationFailed(_l("Say why the entry is corrected."), field="reason")
    if entry.reverses_id is not None:
        raise ValidationFailed(_l("A reversal cannot itself be reversed; post a new entry."))
    if session.scalar(sa.select(FundEntry.id).where(FundEntry.reverses_id == entry.id)):
        raise ValidationFailed(_l("This entry has already been corrected."))
    organization = entry_org(session, entry)
    today = today or org_today(organization)
    group = [entry]
    if entry.transfer_group:
        group = list(session.scalars(sa.select(FundEntry).where(
            FundEntry.transfer_group == entry.transfer_group, FundEntry.reverses_id.is_(None))))
    reversals = []
    for original in group:
        if original.kind in INFLOWS:
            # Taking money back out of a fund must not leave it below zero.
            _check_funds(session, original.organization_id, original.campaign_id,
                         original.amount, field="reason")
        rev = FundEntry(
            organization_id=original.organization_id, kind=original.kind, entry_date=today,
            amount=-original.amount, campaign_id=original.campaign_id,
            project_id=original.project_id, donor_id=original.donor_id,
            counterparty=original.counterparty, channel=original.channel,
            activity=original.activity, purpose=original.purpose,
            voucher_no=original.voucher_no, reference=original.reference,
            restricted=original.restricted, transfer_group=original.transfer_group,
            reverses_id=original.id, correction_reason=reason.strip(),
            posted_by_id=getattr(actor, "id", None))
        session.add(rev)
        session.flush()
        _apply(session, rev)
        reversals.append(rev)
        record(session, actor, "fund.reverse", rev, {"reverses": original.id, "reason": reason})
    if entry.receipt is not None and entry.receipt.status.value == "issued":
        void_receipt(actor, session, entry.receipt, f"冲正：{reason.strip()}")
    new = None
    if replacement:
        data = dict(replacement, replaces_id=entry.id, note=replacement.get("note") or reason)
        if entry.receipt is not None and data.get("kind") in ("donation", "activity_income"):
            new = post_donation(actor, session, organization, data, today=today)
        else:
            new = post_entry(actor, session, organization, data, today=today)
        new.correction_reason = reason.strip()
    session.flush()
    return reversals[0], new


def entry_org(session: Session, entry: FundEntry):
    from charity.orgs.models import Organization

    return session.get(Organization, entry.organization_id)


def post_transfer(actor, session: Session, organization, *, from_campaign_id, to_campaign_id,
                  amount, entry_date: dt.date, reason: str,
                  today: dt.date | None = None) -> tuple[FundEntry, FundEntry]:
    """Move money between two funds of one organisation (a campaign or the general fund)."""
    require(actor, "funds.post", organization)
    today = today or org_today(organization)
    amount = check_amount(amount)
    src = load_for_org(session, Campaign, from_campaign_id, organization.id, "from_campaign_id",
                        _l("Unknown campaign."))
    dst = load_for_org(session, Campaign, to_campaign_id, organization.id, "to_campaign_id",
                        _l("Unknown campaign."))
    if (src.id if src else None) == (dst.id if dst else None):
        raise ValidationFailed(_l("Choose two different funds."), field="to_campaign_id")
    if not (reason or "").strip():
        raise ValidationFailed(_l("Say why the money is moved."), field="reason")
    if entry_date > today:
        raise ValidationFailed(_l("The date cannot be in the future."), field="entry_date")
    _check_funds(session, organization.id, src.id if src else None, amount)
    group = str(uuid.uuid4())
    pair = []
    for kind, campaign in ((EntryKind.TRANSFER_OUT, src), (EntryKind.TRANSFER_IN, dst)):
        entry = FundEntry(organization_id=organization.id, kind=kind, entry_date=entry_date,
                          amount=amount, campaign_id=campaign.id if campaign else None,
                          purpose=reason.strip(), transfer_group=group,
                          posted_by_id=getattr(actor, "id", None))
        session.add(entry)
        session.flush()
        _apply(session, entry)
        pair.append(entry)
    record(session, actor, "fund.transfer", pair[0],
           {"amount": str(amount), "from": src.id if src else "general",
            "to": dst.id if dst else "general", "reason": reason})
    session.flush()
    return pair[0], pair[1]


# --- reading and verifying -------------------------------------------------------------------

def recompute_balances(session: Session) -> dict[tuple[str, int], dict[str, Decimal]]:
    """Every fund's totals summed from the ledger (for `charity verify`)."""
    totals: dict[tuple[str, int], dict[str, Decimal]] = {}
    rows = session.execute(sa.select(
        FundEntry.organization_id, FundEntry.campaign_id, FundEntry.project_id, FundEntry.kind,
        sa.func.sum(FundEntry.amount), sa.func.count()).group_by(
        FundEntry.organization_id, FundEntry.campaign_id, FundEntry.project_id, FundEntry.kind))
    for org_id, campaign_id, project_id, kind, total, count in rows:
        probe = FundEntry(organization_id=org_id, campaign_id=campaign_id,
                          project_id=project_id)
        for scope in fund_scopes(probe):
            bucket = totals.setdefault(scope, {"entry_count": 0})
            column = COLUMN[EntryKind(kind)]
            bucket[column] = bucket.get(column, Decimal("0")) + Decimal(total)
            bucket["entry_count"] += count
    return totals


def verify_balances(session: Session) -> list[str]:
    """Mismatches between stored balances and the ledger; empty when all agree."""
    expected = recompute_balances(session)
    problems = []
    stored = {(b.scope, b.scope_id): b for b in session.scalars(sa.select(FundBalance))}
    columns = sorted(set(COLUMN.values())) + ["entry_count"]
    for key in sorted(set(expected) | set(stored), key=str):
        want = expected.get(key, {})
        have = stored.get(key)
        for column in columns:
            w = want.get(column, 0)
            h = getattr(have, column) if have is not None else 0
            if Decimal(w) != Decimal(h):
                problems.append(f"fund {key[0]}:{key[1]} {column}: stored {h}, ledger {w}")
    return problems
