"""The scheduler: it enforces, it does not remember.

Every tick recomputes all obligations from the data, then publishes each one whose deadline
day has come (late ones marked late, honestly) and each that staff asked to publish now. A
missed tick, a server down for a week or two schedulers at once cannot lose or duplicate a
disclosure: obligations are recomputed, publications are unique per obligation and the
chain is locked while a publication is written.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from charity.core.db import run_transaction
from charity.disclosure.models import Obligation, Publication
from charity.disclosure.obligations import refresh_all
from charity.disclosure.publishing import publish_obligation, record_failure
from charity.core.errors import DomainError

log = logging.getLogger("charity.scheduler")
MAX_ROUNDS = 50  # catch-up: publishing a late periodic moves the next deadline; loop, bounded


@dataclass
class TickResult:
    today: dt.date
    subjects: int = 0
    published: list[int] = field(default_factory=list)
    organizations: set[int] = field(default_factory=set)  # those that published this tick
    late: int = 0
    failed: list[str] = field(default_factory=list)
    expired_food: dict[int, int] = field(default_factory=dict)  # point id → expired batches
    expired_points: int = 0  # 爱心积分 that passed their expiry date this tick


def latest_publication_day(session: Session) -> dt.date | None:
    return session.scalar(sa.select(sa.func.max(Publication.published_on)))


def _due_ids(session: Session, today: dt.date, requests_only: bool) -> list[int]:
    """Obligations to publish now — at most one per subject and kind per round, because
    publishing a periodic disclosure moves the period and deadline of the next one."""
    stmt = sa.select(Obligation.id, Obligation.subject_type, Obligation.subject_id,
                     Obligation.kind).where(Obligation.published_on.is_(None))
    if requests_only:
        stmt = stmt.where(Obligation.publish_requested_at.is_not(None))
    else:
        stmt = stmt.where(sa.or_(Obligation.due <= today,
                                 Obligation.publish_requested_at.is_not(None)))
    seen, ids = set(), []
    for ob_id, st, sid, kind in session.execute(stmt.order_by(Obligation.due, Obligation.seq,
                                                               Obligation.id)):
        if (st, sid, kind) not in seen:
            seen.add((st, sid, kind))
            ids.append(ob_id)
    return ids


def tick(session: Session, today: dt.date, requests_only: bool = False) -> TickResult:
    """One scheduler tick as of `today` (the organisation's calendar day)."""
    result = TickResult(today=today)
    attempted: set[int] = set()
    for _round in range(MAX_ROUNDS):
        result.subjects = run_transaction(session, lambda: refresh_all(session, today))
        ids = [i for i in _due_ids(session, today, requests_only) if i not in attempted]
        if not ids:
            break
        for ob_id in ids:
            attempted.add(ob_id)

            def work(ob_id=ob_id):
                ob = session.get(Obligation, ob_id)
                if ob is None:  # dropped by a change since the refresh
                    return None
                return publish_obligation(session, ob, today)

            try:
                pub = run_transaction(session, work)
            except DomainError as exc:
                log.warning("obligation %s not published: %s", ob_id, exc)
                _record_failure(session, ob_id, str(exc), withdraw=True)
                result.failed.append(f"{ob_id}: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - one bad report must not stop the others
                log.exception("obligation %s failed", ob_id)
                _record_failure(session, ob_id, f"{type(exc).__name__}: {exc}", withdraw=False)
                result.failed.append(f"{ob_id}: {exc!r}")
                continue
            if pub is not None:
                result.published.append(pub.id)
                result.organizations.add(pub.organization_id)
                result.late += int(pub.late)
                log.info("published %s (%s)%s", pub.title, f"GK-{pub.chain_seq:06d}",
                         " late" if pub.late else "")
    _score(session, today, result.organizations)
    if not requests_only:
        _sign_log_head(session)
        result.expired_food = _check_expired_food(session, today)
        result.expired_points = _expire_points(session, today)
    return result


def _check_expired_food(session: Session, today: dt.date) -> dict[int, int]:
    """The daily check for expired food on every open point's shelf (recorded once per point
    and day; the staff home lists what it finds with a one-tap write-off). Like the scores,
    a failure here must not stop disclosures."""
    from charity.goods.services.expiry import daily_expiry_check

    try:
        found = run_transaction(session, lambda: daily_expiry_check(session, today))
    except Exception:  # noqa: BLE001
        log.exception("daily expiry check failed")
        return {}
    if found:
        log.warning("expired food on the shelf at %d points (%d batches): write it off",
                    len(found), sum(found.values()))
    return found


def _expire_points(session: Session, today: dt.date) -> int:
    """Points past their expiry date leave their accounts (charity.points); a failure is
    logged and retried next tick, never stopping disclosures."""
    from charity.points.services.expiry import expire_points

    try:
        done = run_transaction(session, lambda: expire_points(session, today))
    except Exception:  # noqa: BLE001
        log.exception("points expiry failed")
        return 0
    return sum(done.values())


def _sign_log_head(session: Session) -> None:
    """A signed tree head at least daily, even on days nothing is published, so monitors see
    the log is alive. Like the scores, a failure here must not stop disclosures."""
    from charity.core.config import instance_path
    from charity.core.db import utcnow
    from charity.log.services import sign_head_if_stale

    try:
        run_transaction(session, lambda: sign_head_if_stale(session, instance_path(), utcnow()))
    except Exception:  # noqa: BLE001
        log.exception("transparency log head not signed")


def _score(session: Session, today: dt.date, org_ids: set[int]) -> None:
    """Transparency scores: once a day for every organisation, and again for those that
    just published. A failure here must not stop disclosures, so it is only logged."""
    from charity.transparency.scoring import refresh

    try:
        scored = run_transaction(session, lambda: refresh(session, today, org_ids))
    except Exception:  # noqa: BLE001
        log.exception("transparency scores not computed")
        return
    if scored:
        log.info("transparency scores computed for %s organisations", scored)


def _record_failure(session: Session, ob_id: int, reason: str, withdraw: bool) -> None:
    """Show staff why it failed (the next tick tries again); never stop the tick."""
    try:
        run_transaction(session, lambda: record_failure(session, ob_id, reason,
                                                        withdraw=withdraw))
    except Exception:  # noqa: BLE001
        log.exception("failure of obligation %s not recorded", ob_id)


def scheduler_today(app) -> dt.date:
    from charity.core.clock import today_in

    return today_in(app.config["CHARITY_TIMEZONE"])


def run_backup_jobs(app, session: Session, now: dt.datetime | None = None) -> list:
    """Tonight's backup and the weekly restore drill, when due (charity.ops.backup_jobs).
    Its own job, so a long backup never delays a disclosure; a failure is recorded and shown
    on the administrator's home, never raised."""
    from pathlib import Path

    from charity.ops.backup_jobs import run_due, settings_from_config

    try:
        settings = settings_from_config(app.config, app.instance_path)
        return run_due(session, session.get_bind(), Path(app.instance_path), settings, now)
    except Exception:  # noqa: BLE001 - the scheduler must go on
        log.exception("backup jobs failed")
        session.rollback()
        return []


def run_scheduler(app) -> None:  # pragma: no cover - a long-running process
    """`charity scheduler`: a tick at start-up, then hourly; publish requests every minute;
    backups when due."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from charity.core.extensions import db

    now = dt.datetime.now(dt.timezone.utc)

    def full_tick():
        with app.app_context():
            r = tick(db.session, scheduler_today(app))
            log.info("tick %s: %d subjects, %d published (%d late), %d failed", r.today,
                     r.subjects, len(r.published), r.late, len(r.failed))
            db.session.remove()

    def requests_tick():
        with app.app_context():
            tick(db.session, scheduler_today(app), requests_only=True)
            db.session.remove()

    def backups():
        with app.app_context():
            run_backup_jobs(app, db.session)
            db.session.remove()

    sched = BlockingScheduler(timezone=app.config["CHARITY_TIMEZONE"])
    sched.add_job(backups, "interval", minutes=15, next_run_time=now, coalesce=True,
                  max_instances=1, id="backups")
    sched.add_job(full_tick, "interval", hours=1, next_run_time=now, coalesce=True,
                  max_instances=1, misfire_grace_time=3600, id="obligations")
    sched.add_job(requests_tick, "interval", minutes=1, coalesce=True, max_instances=1,
                  id="publish-requests")
    log.info("scheduler started")
    sched.start()


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler process (exactly one per installation): a tick at start-up, then
    hourly; staff "publish now" requests every minute; the nightly backup and the weekly
    restore drill when due (checked every 15 minutes)."""
    run_scheduler(current_app._get_current_object())
