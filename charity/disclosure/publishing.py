"""Publishing a disclosure: snapshot → HTML and PDF → hashes → hash-chain entry, in one
transaction. A crash anywhere before the commit leaves nothing; a unique constraint on the
obligation and a lock on the chain make two schedulers publish an obligation once."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.audit.services import record
from charity.core.config import instance_path
from charity.core.db import utcnow
from charity.core.errors import ValidationFailed
from charity.core.i18n import _l
from charity.disclosure import content
from charity.disclosure.annual import content as annual_content
from charity.disclosure.models import Obligation, Publication, report_no
from charity.disclosure.queries import SUBJECT_MODELS
from charity.disclosure.rules import period_if_published_on
from charity.log.queries import pdf_anchor
from charity.log.services import append_publication
from charity.reports.pdf_templates import render_pdf_template

GENESIS = "0" * 64
LOCK_KEY = 0x636861726974  # "charit": the PostgreSQL advisory lock of the publication chain


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(snapshot: dict) -> bytes:
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def entry_hash(prev_hash: str, fields: dict) -> str:
    """The chain link: SHA-256 of the previous link and this entry's content."""
    return sha256(prev_hash.encode() + canonical(fields))


def chain_fields(p: Publication) -> dict:
    return {"chain_seq": p.chain_seq, "organization_id": p.organization_id,
            "subject_type": p.subject_type, "subject_id": p.subject_id, "kind": p.kind,
            "seq": p.seq, "period_start": p.period_start.isoformat(),
            "period_end": p.period_end.isoformat(), "published_on": p.published_on.isoformat(),
            "pdf_sha256": p.pdf_sha256, "snapshot_sha256": p.snapshot_sha256,
            "corrects_id": p.corrects_id}


def lock_chain(session: Session) -> None:
    """Serialise publishers: PostgreSQL advisory lock until commit; SQLite writers already
    hold the database's write lock (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})


def build_snapshot(session: Session, subject_type: str, subject_id: int, kind: str, seq: int,
                   period_start: dt.date, period_end: dt.date, on: dt.date | None = None) -> dict:
    """The data of a report; `on`, its publication day, is how far a final follows what was
    done with the leftovers (by default its period's end)."""
    subject = session.get(SUBJECT_MODELS[subject_type], subject_id)
    if subject_type == "campaign":
        return content.campaign_snapshot(session, subject, kind, seq, period_start, period_end,
                                         as_of=on)
    if subject_type == "project":
        return content.project_snapshot(session, subject, kind, seq, period_start, period_end)
    return annual_content.annual_snapshot(session, subject, seq)


def report_meta(chain_seq: int, generated_at: dt.datetime, snapshot_sha256: str,
                due: dt.date | None, published_on: dt.date) -> dict:
    """What the report template prints about the publication besides the snapshot."""
    return {"report_no": report_no(chain_seq), "generated_at": generated_at,
            "snapshot_sha256": snapshot_sha256, "due": due, "published_on": published_on,
            "late": due is not None and published_on > due}


def publication_meta(pub: Publication) -> dict:
    """`report_meta` of a stored publication (its public page prints the same)."""
    return {**report_meta(pub.chain_seq, pub.published_at, pub.snapshot_sha256, pub.due,
                          pub.published_on), "late": pub.late}


def render(snapshot: dict, meta: dict) -> tuple[str, bytes]:
    """The report as HTML (for the PDF) and PDF bytes, from the one report template. Needs
    no request and no app: the scheduler and render workers call it on their own."""
    from charity.reports.attachments import data_attachments, snapshot_tables
    from charity.reports.pdf import Attachment, render_pdf  # WeasyPrint: loaded when used

    html = render_pdf_template("pdf/disclosure.html", report=snapshot, meta=meta)
    # Every report carries its snapshot (the bytes whose SHA-256 is published) and its
    # tables as CSV (issue 17 item 7); the donor list keeps its own file.
    attachments = data_attachments(canonical(snapshot), description=snapshot["title"],
                                   tables=snapshot_tables(snapshot, skip={"donors"}))
    csv_bytes = content.donors_csv(snapshot)
    if csv_bytes:
        attachments.append(Attachment("donors.csv", csv_bytes, description="捐赠人名单（经同意公开）",
                                      mime="text/csv"))
    pdf = render_pdf(html, attachments=attachments, title=snapshot["title"],
                     created=meta["generated_at"], lang="zh-CN")
    return html, pdf


def _next_chain(session: Session) -> tuple[int, str]:
    last = session.execute(sa.select(Publication.chain_seq, Publication.entry_hash)
                           .order_by(Publication.chain_seq.desc()).limit(1)).first()
    return (last.chain_seq + 1, last.entry_hash) if last else (1, GENESIS)


def _publish(session: Session, *, organization_id, subject_type, subject_id, kind, seq,
             period_start, period_end, due, on: dt.date, actor, obligation_id=None,
             corrects: Publication | None = None, reason: str = "",
             now: dt.datetime | None = None, renderer=None) -> Publication:
    lock_chain(session)
    now = now or utcnow()
    chain_seq, prev = _next_chain(session)
    snapshot = build_snapshot(session, subject_type, subject_id,
                              "final" if kind == "final" else kind, seq, period_start,
                              period_end, on=on)
    if corrects is not None:
        # Each figure before → after: against the latest version of the report (the
        # original, or the last correction note of it).
        previous = session.scalar(
            sa.select(Publication).where(Publication.corrects_id == corrects.id)
            .order_by(Publication.chain_seq.desc()).limit(1)) or corrects
        changes = content.figure_changes(json.loads(previous.snapshot), snapshot)
        snapshot["kind"] = "correction"
        snapshot["title"] = f"{snapshot['title']} · 更正说明"
        snapshot["correction"] = {"corrects_report": corrects.report_no,
                                  "corrects_id": corrects.id, "reason": reason,
                                  "compared_with": previous.report_no, "changes": changes}
    snapshot["published_on"] = on.isoformat()
    snap_bytes = canonical(snapshot)
    meta = report_meta(chain_seq, now, sha256(snap_bytes), due, on)
    meta["log"] = pdf_anchor(session)  # the PDF prints its log index and the head before it
    _html, pdf = (renderer or render)(snapshot, meta)
    pub = Publication(
        organization_id=organization_id, obligation_id=obligation_id, subject_type=subject_type,
        subject_id=subject_id, kind="correction" if corrects else kind, seq=seq,
        title=snapshot["title"], period_start=period_start, period_end=period_end, due=due,
        published_on=on, published_at=now, late=meta["late"], pdf=pdf,
        snapshot=snap_bytes.decode("utf-8"), attachment_csv=content.donors_csv(snapshot),
        pdf_sha256=sha256(pdf), snapshot_sha256=meta["snapshot_sha256"], chain_seq=chain_seq,
        prev_hash=prev, entry_hash="", corrects_id=corrects.id if corrects else None,
        correction_reason=reason, generated_by_id=getattr(actor, "id", None))
    pub.entry_hash = entry_hash(prev, chain_fields(pub))
    session.add(pub)
    session.flush()
    # Who published what, in the same transaction (issue 16): the scheduler (actor None) or
    # the person who asked for it, with the digests that tie the entry to the document.
    record(session, actor, "publication.create", pub, {
        "report_no": pub.report_no, "kind": pub.kind, "subject_type": subject_type,
        "subject_id": subject_id, "seq": seq, "period": [period_start, period_end],
        "published_on": on, "late": pub.late, "chain_seq": chain_seq,
        "pdf_sha256": pub.pdf_sha256, "snapshot_sha256": pub.snapshot_sha256,
        "corrects_id": pub.corrects_id}, organization_id=organization_id)
    if renderer is None:  # deferred renders are logged once sealed (append_pending)
        append_publication(session, pub, instance_path())
    return pub


def not_publishable_reason(kind: str):
    """Why a disclosure of `kind` cannot be published yet (see period_if_published_on)."""
    if kind == "periodic":
        return _l("Nothing to disclose yet: the period has not begun.")
    return _l("This disclosure covers a period that has not ended yet.")


def publish_obligation(session: Session, obligation: Obligation, on: dt.date, actor=None,
                       now: dt.datetime | None = None, renderer=None) -> Publication | None:
    """Publish `obligation` as of day `on`. Returns None if it was published meanwhile (by
    another scheduler). A periodic disclosure published before its deadline covers up to the
    day before publication; a final one cannot be published before the subject has ended.
    `renderer` replaces `render` only for the province generator, which renders its
    thousands of PDFs afterwards in parallel and then seals the chain (charity.demo.province)."""
    lock_chain(session)
    session.refresh(obligation)
    if obligation.published_on is not None:
        return None
    period = period_if_published_on(obligation.kind, obligation.period_start,
                                    obligation.period_end, on)
    if period is None:
        raise ValidationFailed(not_publishable_reason(obligation.kind))
    period_end = period[1]
    pub = _publish(session, organization_id=obligation.organization_id,
                   subject_type=obligation.subject_type, subject_id=obligation.subject_id,
                   kind=obligation.kind, seq=obligation.seq,
                   period_start=obligation.period_start, period_end=period_end,
                   due=obligation.due, on=on, actor=actor, obligation_id=obligation.id, now=now,
                   renderer=renderer)
    obligation.period_end = period_end
    obligation.published_on = on
    obligation.status = "published_late" if on > obligation.due else "published_on_time"
    obligation.publish_requested_at = None
    obligation.publish_failed_at = None
    obligation.publish_failure = ""
    session.flush()
    return pub


def record_failure(session: Session, obligation_id: int, reason: str, *, withdraw: bool,
                   now: dt.datetime | None = None) -> None:
    """Keep on the obligation why the scheduler's attempt to publish it failed, for the staff
    screens. The scheduler tries again at its next run (a due obligation always; a "publish
    now" request unless `withdraw`: a refusal that retrying cannot change)."""
    ob = session.get(Obligation, obligation_id)
    if ob is None or ob.published_on is not None:
        return
    ob.publish_failed_at = now or utcnow()
    ob.publish_failure = (reason or "")[:2000]
    if withdraw:
        ob.publish_requested_at = None
    session.flush()


def publish_correction(actor, session: Session, original: Publication, reason: str,
                       on: dt.date) -> Publication:
    """A correction note (更正说明): a new publication that references the original and says
    why, with the figures as they stand now. The original stays visible, marked corrected."""
    from charity.auth.permissions import require

    require(actor, "disclosure.publish", original)
    if not (reason or "").strip():
        raise ValidationFailed(_l("Say what is corrected and why."), field="reason")
    if original.kind == "correction":
        original = original.corrects or original
    return _publish(session, organization_id=original.organization_id,
                    subject_type=original.subject_type, subject_id=original.subject_id,
                    kind=original.kind, seq=original.seq, period_start=original.period_start,
                    period_end=original.period_end, due=None, on=on, actor=actor,
                    corrects=original, reason=reason.strip())


def verify_publications(session: Session) -> list[str]:
    """Recompute every digest and chain link; name each mismatch."""
    problems = []
    prev = GENESIS
    expected_seq = 1
    # Streamed in small batches: a province holds thousands of PDFs (hundreds of MB).
    rows = session.scalars(sa.select(Publication).order_by(Publication.chain_seq)
                           .options(sa.orm.undefer(Publication.pdf),
                                    sa.orm.undefer(Publication.snapshot))
                           .execution_options(yield_per=50))
    for p in rows:
        label = f"publication {p.id} ({p.report_no})"
        if p.chain_seq != expected_seq:
            problems.append(f"{label}: chain sequence {p.chain_seq}, expected {expected_seq}")
        if sha256(p.pdf) != p.pdf_sha256:
            problems.append(f"{label}: PDF does not match its SHA-256")
        if sha256(p.snapshot.encode("utf-8")) != p.snapshot_sha256:
            problems.append(f"{label}: data snapshot does not match its SHA-256")
        if p.prev_hash != prev:
            problems.append(f"{label}: previous-link hash does not match the chain")
        if entry_hash(p.prev_hash, chain_fields(p)) != p.entry_hash:
            problems.append(f"{label}: chain entry hash does not match its content")
        prev = p.entry_hash
        expected_seq = p.chain_seq + 1
        session.expunge(p)  # keep memory flat over thousands of PDFs
    return problems
