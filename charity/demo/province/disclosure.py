"""The province's disclosure history, published by the real publisher (snapshot → PDF →
hashes → chain), in deadline order so that the chain reads chronologically.

A province has thousands of disclosures and a PDF takes a few tenths of a second, so the
publisher runs here with its rendering deferred: the rows, snapshots and obligations are
written in order first, then every PDF is rendered from its stored snapshot by the same
`render` in one process per core, and the chain is sealed (each PDF's digest and the chain
links computed in chain order, by the publisher's own functions). The result is what
publishing them one by one would give, in a fraction of the time.

Most disclosures go out on their deadline day; a few late (marked late, as the scheduler
would); about one subject in a hundred is left overdue now, so the compliance pages have
something to show. Deadlines move as periodic disclosures are published, so each subject's
next obligation is recomputed after each of its publications.
"""
from __future__ import annotations

import datetime as dt
import heapq
import json
import multiprocessing
import os
import random
import shutil
import tempfile

import sqlalchemy as sa

from charity.disclosure.models import Obligation, Publication
from charity.disclosure.obligations import refresh_all, refresh_subject
from charity.disclosure.publishing import (GENESIS, chain_fields, entry_hash, publish_obligation,
                                           sha256)
from charity.funds.models import Campaign, Project
from charity.demo.province.world import World

MODELS = {"campaign": Campaign, "project": Project}


def _next_due(world: World, subject_type: str, subject_id: int):
    return world.session.execute(
        sa.select(Obligation.due, Obligation.id).where(
            Obligation.subject_type == subject_type, Obligation.subject_id == subject_id,
            Obligation.published_on.is_(None), Obligation.due < world.today)
        .order_by(Obligation.due, Obligation.seq, Obligation.id).limit(1)).first()


def publish_history(world: World, progress=lambda msg: None, fast_pdfs: bool = False) -> None:
    """Publish the history; with `fast_pdfs` each PDF is a one-page placeholder (a dataset
    for the staff crawl, which reads the ledgers and never the PDFs' typography)."""
    s, today = world.session, world.today
    refresh_all(s, today)
    s.commit()
    heap = []
    firsts = s.execute(sa.select(Obligation.subject_type, Obligation.subject_id,
                                 sa.func.min(Obligation.due))
                       .where(Obligation.published_on.is_(None), Obligation.due < today)
                       .group_by(Obligation.subject_type, Obligation.subject_id)).all()
    for subject_type, subject_id, _due in firsts:
        row = _next_due(world, subject_type, subject_id)
        heapq.heappush(heap, (row.due, row.id, subject_type, subject_id))
    published = overdue = 0
    while heap:
        due, ob_id, subject_type, subject_id = heapq.heappop(heap)
        ob = s.get(Obligation, ob_id)
        # Chance drawn per obligation, not from the shared stream: the order in which the
        # two engines return ties must not change which disclosures are late or missing.
        chance = random.Random(f"{world.seed}:{subject_type}:{subject_id}:{ob.kind}:{ob.seq}")
        if subject_type != "organization" and chance.random() < 0.01:
            overdue += 1  # never published: overdue now, and its later deadlines with it
            continue
        on = due
        if chance.random() < 0.05:
            on = min(today - dt.timedelta(days=1),
                     due + dt.timedelta(days=chance.randint(1, 20)))
        publish_obligation(s, ob, on, now=world.moment(on), renderer=_deferred)
        published += 1
        if subject_type in MODELS:
            refresh_subject(s, s.get(MODELS[subject_type], subject_id), today)
        s.commit()
        s.expunge_all()  # the PDFs are large: keep the session small
        row = _next_due(world, subject_type, subject_id)
        if row is not None:
            heapq.heappush(heap, (row.due, row.id, subject_type, subject_id))
        if published % 500 == 0:
            progress(f"  {published} disclosures laid out …")
    refresh_all(s, today)
    s.commit()
    _render_and_seal(s, progress, fast_pdfs)
    # The publications were rendered after the fact: now they enter the transparency log.
    from charity.core.config import instance_path
    from charity.log.services import append_pending

    append_pending(s, instance_path())
    s.commit()
    world.add("publications", published)
    world.add("subjects_left_overdue", overdue)


def _deferred(snapshot: dict, meta: dict) -> tuple[str, bytes]:
    return "", b""  # rendered later, in parallel (see _render_and_seal)


def _meta(row) -> dict:
    """The render inputs `publishing._publish` gave for this row."""
    return {"report_no": f"GK-{row.chain_seq:06d}", "generated_at": row.published_at,
            "snapshot_sha256": row.snapshot_sha256, "due": row.due,
            "published_on": row.published_on, "late": row.late}


def _init_worker(instance_root: str) -> None:
    from charity import create_app

    global _APP_CONTEXT
    # Under the parent's folder, which the parent removes: a pool's workers are terminated,
    # so a worker's own clean-up would never run.
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "render-only",
                      "INSTANCE_PATH": tempfile.mkdtemp(dir=instance_root)})
    _APP_CONTEXT = app.app_context()
    _APP_CONTEXT.push()


def _render_one(job: tuple[int, str, dict]) -> tuple[int, bytes]:
    from charity.disclosure.publishing import render

    pub_id, snapshot, meta = job
    return pub_id, render(json.loads(snapshot), meta)[1]


def placeholder_pdf(report_no: str) -> bytes:
    """A one-page PDF that says it stands in for the report (`--fast-pdfs` datasets)."""
    text = f"placeholder for {report_no} (generated with --fast-pdfs)".encode()
    stream = b"BT /F1 12 Tf 40 780 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _render_all(s, ids: list[int], progress) -> None:
    cols = (Publication.id, Publication.chain_seq, Publication.snapshot,
            Publication.published_at, Publication.snapshot_sha256, Publication.due,
            Publication.published_on, Publication.late)
    workers = max(1, min(os.cpu_count() or 1, 8))
    ctx = multiprocessing.get_context("spawn")  # no inherited connections or threads
    instance_root = tempfile.mkdtemp(prefix="charity-render-")
    try:
        with ctx.Pool(workers, initializer=_init_worker, initargs=(instance_root,)) as pool:
            # Batches read and written by this thread only (the session is not thread-safe);
            # a batch's snapshots are all that is held in memory at a time.
            for start in range(0, len(ids), 32 * workers):
                batch = ids[start:start + 32 * workers]
                jobs = [(r.id, r.snapshot, _meta(r)) for r in s.execute(
                    sa.select(*cols).where(Publication.id.in_(batch)))]
                for pub_id, pdf in pool.imap_unordered(_render_one, jobs, chunksize=2):
                    s.execute(sa.update(Publication).where(Publication.id == pub_id)
                              .values(pdf=pdf, pdf_sha256=sha256(pdf)))
                s.commit()
                progress(f"  {min(start + len(batch), len(ids))} of {len(ids)} PDFs rendered …")
    finally:
        shutil.rmtree(instance_root, ignore_errors=True)


def _render_and_seal(s, progress, fast_pdfs: bool = False) -> None:
    ids = s.scalars(sa.select(Publication.id).where(Publication.pdf == b"")
                    .order_by(Publication.chain_seq)).all()
    if ids and fast_pdfs:
        for pub_id, seq in s.execute(sa.select(Publication.id, Publication.chain_seq)
                                     .where(Publication.id.in_(ids))).all():
            pdf = placeholder_pdf(f"GK-{seq:06d}")
            s.execute(sa.update(Publication).where(Publication.id == pub_id)
                      .values(pdf=pdf, pdf_sha256=sha256(pdf)))
        s.commit()
    elif ids:
        _render_all(s, ids, progress)
    prev = GENESIS
    for p in s.scalars(sa.select(Publication).order_by(Publication.chain_seq)):
        link = entry_hash(prev, chain_fields(p))
        if p.prev_hash != prev or p.entry_hash != link:
            p.prev_hash, p.entry_hash = prev, link
        prev = link
    s.commit()
