"""What a printed receipt shows, for the print page and the PDF alike.

`receipt_document` gathers the fields of 财综〔2024〕1号 Art. 6 in one place, so the screen,
the printer and the PDF cannot drift apart. A receipt numbered from a finance-bureau
allocation is titled 公益事业捐赠票据 and carries its 票据代码, 票据号码 and 监制单位; any
other is a 捐赠收据 (the system never prints a 票据 title it cannot back). Both carry the
payer and their code, date, items with unit, quantity, standard (unit value) and amount,
total in figures and capitals, remark, organisation, reviewer, handler, check code and QR.
`render_receipt_pdf` turns it into a PDF/A-3u with WeasyPrint and attaches the receipt's
data as JSON.

The PDF is rendered inside the request: one page takes ~0.2 s, acceptable for a single
receipt (decision 0004 keeps long reports out of requests). Its `created` date is the
receipt's `issued_at`, so the same receipt gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from decimal import Decimal

from markupsafe import Markup
from sqlalchemy.orm import object_session

from charity.core.clock import org_today
from charity.core.money import figures
from charity.funds.models import Receipt, ReceiptStatus
from charity.funds.services.receipt_allocation import review_required
from charity.funds.services.receipts import trace_url
from charity.people.models import mask
from charity.reports.capitals import amount_in_capitals
from charity.reports.qr import qr_svg

KIND_NAMES = {"money": "货币", "goods": "物资", "noncash": "非货币财产"}
FINANCE_TITLE = "公益事业捐赠票据"
ACKNOWLEDGEMENT_TITLE = "捐赠收据"
# 复核人 of a receipt the organisation requires a second person to review, not yet reviewed.
PENDING_REVIEW = "待复核"


def quantity_text(quantity: Decimal | None) -> str:
    if quantity is None:
        return ""
    text = format(Decimal(quantity).normalize(), "f")
    return text


@dataclass(frozen=True)
class ReceiptLineView:
    item: str
    unit: str
    quantity: str
    unit_value: str
    amount: str


@dataclass(frozen=True)
class ReceiptDocument:
    receipt: Receipt
    title: str
    is_finance_receipt: bool
    bill_code: str
    bill_number: str
    authority: str
    project_code: str
    number: str
    check_code: str
    kind: str
    issued_on: dt.date
    payer_name: str
    payer_code: str
    payer_code_masked: bool
    lines: list[ReceiptLineView]
    total: str
    total_capitals: str
    organization_name: str
    organization_code: str
    handler: str
    reviewer: str
    review_pending: bool
    remark: str
    platform_number: str
    verify_url: str
    qr: Markup
    voided: bool
    void_reason: str
    voided_on: dt.date | None  # in the organisation's time zone


def receipt_document(receipt: Receipt, *, base_url: str, reveal_private: bool,
                     qr_size: str | None = None) -> ReceiptDocument:
    """The printable fields of `receipt`. The payer's code (ID number or credit code) is
    masked unless `reveal_private` (the viewer holds donors.private)."""
    url = trace_url(base_url, receipt)
    organization = receipt.organization
    allocation = receipt.allocation
    code = receipt.payer_code or ""
    voided = receipt.status == ReceiptStatus.VOIDED
    pending = (receipt.reviewed_by is None and not voided
               and review_required(object_session(receipt), receipt.organization_id))
    return ReceiptDocument(
        receipt=receipt,
        title=FINANCE_TITLE if allocation is not None else ACKNOWLEDGEMENT_TITLE,
        is_finance_receipt=allocation is not None, bill_code=receipt.bill_code or "",
        bill_number=receipt.bill_number or "",
        authority=allocation.authority if allocation is not None else "",
        project_code=allocation.project_code if allocation is not None else "",
        number=receipt.number, check_code=receipt.check_code,
        kind=KIND_NAMES.get(receipt.kind.value, receipt.kind.value),
        issued_on=receipt.issued_on, payer_name=receipt.payer_name,
        payer_code=code if reveal_private else mask(code),
        payer_code_masked=bool(code) and not reveal_private,
        lines=[ReceiptLineView(item=line.item, unit=line.unit,
                               quantity=quantity_text(line.quantity),
                               unit_value=figures(line.unit_value),
                               amount=figures(line.amount)) for line in receipt.lines],
        total=figures(receipt.total),
        total_capitals=amount_in_capitals(Decimal(receipt.total)),
        organization_name=organization.name if organization else "",
        organization_code=organization.uscc if organization else "",
        handler=receipt.handler,
        reviewer=(receipt.reviewed_by.display_name if receipt.reviewed_by
                  else PENDING_REVIEW if pending else ""),
        review_pending=pending,
        remark=receipt.remark or "", platform_number=receipt.platform_number or "",
        verify_url=url,
        # qr_svg builds the element with ElementTree, which escapes everything: safe markup.
        qr=Markup(qr_svg(url, size=qr_size, title="扫码核验 " + receipt.number)),
        voided=voided,
        void_reason=receipt.void_reason,
        voided_on=org_today(organization, receipt.voided_at) if receipt.voided_at else None)


def pdf_filename(receipt: Receipt) -> str:
    return f"receipt-{receipt.number}.pdf"


def render_receipt_pdf(receipt: Receipt, *, base_url: str, reveal_private: bool,
                       render) -> bytes:
    """The receipt as a one-page A4 PDF/A-3u (templates/pdf/receipt.html + base.css).

    `render(template_name, **context)` turns the template into HTML: the view passes Flask's
    `render_template`, so this module needs no web framework."""
    # WeasyPrint loads only when a PDF is made.
    from charity.reports.pdf import render_pdf

    doc = receipt_document(receipt, base_url=base_url, reveal_private=reveal_private,
                           qr_size="25mm")
    html = render("pdf/receipt.html", doc=doc)
    attachments = receipt_snapshot(doc)
    title = f"{doc.title} {receipt.number}"
    authors = (doc.organization_name,) if doc.organization_name else ()
    # The same receipt in the same state is the same document, byte for byte (it is dated by
    # its issue time): a donor's second download, or the next page asking for it, takes the
    # bytes already laid out (~0.3 s each) instead of laying it out again.
    key = hashlib.sha256(repr((html, title, authors, repr(receipt.issued_at),
                               [(a.filename, a.content) for a in attachments])).encode()
                         ).digest()
    with _RECENT_LOCK:
        pdf = _RECENT.get(key)
    if pdf is None:
        pdf = render_pdf(html, created=receipt.issued_at, title=title, authors=authors,
                         lang="zh-CN", attachments=attachments)
        with _RECENT_LOCK:
            _RECENT[key] = pdf
            while len(_RECENT) > _RECENT_SIZE:
                _RECENT.popitem(last=False)
    return pdf


# Receipt PDFs laid out lately, by a digest of everything that goes into them.
_RECENT: OrderedDict[bytes, bytes] = OrderedDict()
_RECENT_SIZE = 32
_RECENT_LOCK = threading.Lock()


SNAPSHOT_FIELDS = ("title", "is_finance_receipt", "bill_code", "bill_number", "authority",
                   "project_code", "number", "check_code", "kind", "payer_name", "payer_code",
                   "total", "total_capitals", "organization_name", "organization_code",
                   "handler", "reviewer", "remark", "platform_number", "verify_url", "voided",
                   "void_reason")


def receipt_snapshot(doc: ReceiptDocument):
    """The printed fields as JSON, attached to the PDF as its data snapshot (decision 0004,
    charity.reports.attachments): what a reader's software takes instead of scraping the
    page. The payer's code is masked exactly as on the page."""
    from charity.reports.attachments import data_attachments

    data = {name: getattr(doc, name) for name in SNAPSHOT_FIELDS}
    data["issued_on"] = doc.issued_on.isoformat()
    data["voided_on"] = doc.voided_on.isoformat() if doc.voided_on else None
    data["lines"] = [asdict(line) for line in doc.lines]
    content = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    return data_attachments(content, description=f"{doc.title} {doc.number}")
