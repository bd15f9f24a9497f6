"""Backups that happen by themselves: the scheduler's nightly backup, its rotation, the
weekly restore drill, and what the administrator's home shows about them.

Like the disclosures, the jobs are decided from the data, not remembered: a backup is due
when no backup was attempted since the last scheduled time (CHARITY_BACKUP_TIME, in the
installation's time zone), so a machine that was off at night backs up when it comes back;
a drill is due when none was attempted for a week and a good backup exists. Every run is a
`backup_run` row, written before the work starts and finished after it, so a job that died
half way shows as unfinished rather than not at all.

The keys (secret_key, id_hash_key) stay out of the archives unless
CHARITY_BACKUP_INCLUDE_KEYS is on: see the README on keeping them.
"""
from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from charity.core.db import utcnow
from charity.ops.backup import BackupError, create_backup
from charity.ops.models import BackupRun
from charity.ops.restore import restore_backup
from charity.ops.rotation import Rotation, archive_name, archives, to_keep

log = logging.getLogger("charity.backups")
BACKUP, DRILL = "backup", "drill"
STALE_AFTER = dt.timedelta(days=2)  # the newest good backup older than this: warn
DRILL_EVERY = dt.timedelta(days=7)
RETRY_AFTER = dt.timedelta(hours=1)  # a failed nightly backup is tried again hourly
LOW_FREE_FRACTION = 0.10  # warn below 10 % free …
LOW_FREE_BYTES = 1 << 30  # … or below 1 GiB free


@dataclass(frozen=True)
class BackupSettings:
    folder: Path
    time: dt.time
    tz: dt.tzinfo
    rotation: Rotation
    include_keys: bool = False
    drill_database_url: str | None = None
    # The default folder (inside the instance folder) is created when needed; a configured
    # one is not: missing, it is most likely a disk that is not plugged in — say so.
    create_folder: bool = False


def settings_from_config(config, instance_path: str) -> BackupSettings:
    """The backup settings of an app's config (see charity.core.config)."""
    return BackupSettings(
        folder=Path(config["CHARITY_BACKUP_DIR"] or Path(instance_path) / "backups"),
        time=config["CHARITY_BACKUP_TIME"], tz=ZoneInfo(config["CHARITY_TIMEZONE"]),
        rotation=Rotation(config["CHARITY_BACKUP_KEEP_DAILY"],
                          config["CHARITY_BACKUP_KEEP_WEEKLY"],
                          config["CHARITY_BACKUP_KEEP_MONTHLY"]),
        include_keys=config["CHARITY_BACKUP_INCLUDE_KEYS"],
        drill_database_url=config.get("CHARITY_BACKUP_DRILL_DATABASE_URL"),
        create_folder=not config["CHARITY_BACKUP_DIR"])


# --- when ------------------------------------------------------------------------------------

def last_slot(now: dt.datetime, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """The latest scheduled backup time at or before `now`."""
    local = now.astimezone(tz)
    slot = dt.datetime.combine(local.date(), at).replace(tzinfo=tz)
    return slot if slot <= local else slot - dt.timedelta(days=1)


def backup_due(last: BackupRun | None, now: dt.datetime, settings: BackupSettings) -> bool:
    """None attempted since the last scheduled time, or the last attempt failed an hour or
    more ago (the disk was plugged back in: do not wait for the next night)."""
    if last is None or last.started_at < last_slot(now, settings.time, settings.tz):
        return True
    return not last.ok and now - last.started_at >= RETRY_AFTER


def drill_due(last_attempt: dt.datetime | None, last_good_backup: dt.datetime | None,
              now: dt.datetime) -> bool:
    return last_good_backup is not None and (last_attempt is None
                                             or now - last_attempt >= DRILL_EVERY)


def _latest(session: Session, kind: str, ok_only: bool = False) -> BackupRun | None:
    stmt = sa.select(BackupRun).where(BackupRun.kind == kind)
    if ok_only:
        stmt = stmt.where(BackupRun.ok.is_(True))
    return session.scalar(stmt.order_by(BackupRun.started_at.desc(), BackupRun.id.desc())
                          .limit(1))


# --- recording -------------------------------------------------------------------------------

def _start(session: Session, kind: str, now: dt.datetime) -> int:
    run = BackupRun(kind=kind, started_at=now, ok=False, message="")
    session.add(run)
    session.commit()
    return run.id


def _finish(session: Session, run_id: int, ok: bool, message: str,
            archive: Path | None = None) -> BackupRun:
    run = session.get(BackupRun, run_id)
    run.finished_at, run.ok, run.message = utcnow(), ok, message[:4000]
    if archive is not None:
        run.archive = str(archive)
        run.size_bytes = archive.stat().st_size if archive.is_file() else None
    session.commit()
    (log.info if ok else log.error)("%s %s: %s", run.kind, "ok" if ok else "FAILED", message)
    return run


# --- the jobs --------------------------------------------------------------------------------

def rotate(folder: Path, rotation: Rotation, tz: dt.tzinfo) -> list[Path]:
    """Delete the archives the rotation does not keep; return them."""
    found = archives(folder)
    keep = to_keep([at for at, _ in found], rotation, tz)
    dropped = [path for at, path in found if at not in keep]
    for path in dropped:
        path.unlink(missing_ok=True)
    return dropped


def run_backup(session: Session, engine: sa.Engine, instance: Path,
               settings: BackupSettings, now: dt.datetime | None = None) -> BackupRun:
    """Write tonight's archive into the backup folder, rotate, record the result. A backup
    whose archive lacks a referenced file is recorded as failed: it could not restore all."""
    now = now or utcnow()
    run_id = _start(session, BACKUP, now)
    output = settings.folder / archive_name(now)
    try:
        if settings.create_folder:
            settings.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not settings.folder.is_dir():
            raise BackupError(f"the backup folder {settings.folder} does not exist (is the "
                              "disk connected?)")
        manifest = create_backup(engine, instance, output, include_keys=settings.include_keys)
    except Exception as exc:  # noqa: BLE001 - recorded and shown; the scheduler goes on
        return _finish(session, run_id, False, f"{type(exc).__name__}: {exc}")
    dropped = rotate(settings.folder, settings.rotation, settings.tz)
    rows = sum(manifest["tables"].values())
    message = f"{rows} rows, {len(manifest['files'])} files; {len(dropped)} old archives removed"
    if manifest["problems"]:
        return _finish(session, run_id, False,
                       "; ".join(manifest["problems"]) + f" ({message})", output)
    return _finish(session, run_id, True, message, output)


@contextmanager
def _scratch_engine(engine: sa.Engine, settings: BackupSettings, tmp: Path
                    ) -> Iterator[sa.Engine]:
    """An empty database of the same engine for the drill: a file in `tmp` (SQLite), the
    configured CHARITY_BACKUP_DRILL_DATABASE_URL, or a database `<name>_drill` created and
    dropped here (PostgreSQL; the role needs CREATEDB)."""
    if engine.dialect.name == "sqlite":
        url, created = sa.make_url(f"sqlite:///{tmp / 'drill.sqlite3'}"), None
    elif settings.drill_database_url:
        url, created = sa.make_url(settings.drill_database_url), None
    else:
        created = f"{engine.url.database}_drill"[:63]
        url = engine.url.set(database=created)
        _pg_admin(engine, f'DROP DATABASE IF EXISTS "{created}"', f'CREATE DATABASE "{created}"')
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    target = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        yield target
    finally:
        target.dispose()
        if created:
            _pg_admin(engine, f'DROP DATABASE IF EXISTS "{created}"')


def _pg_admin(engine: sa.Engine, *statements: str) -> None:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for statement in statements:
            conn.execute(sa.text(statement))


def run_drill(session: Session, engine: sa.Engine, settings: BackupSettings,
              now: dt.datetime | None = None) -> BackupRun:
    """Restore the newest archive into a scratch database and folder, verify it as
    `charity restore` does (checksums, row counts, `charity verify`), record the result."""
    run_id = _start(session, DRILL, now or utcnow())
    found = archives(settings.folder)
    if not found:
        return _finish(session, run_id, False, f"no archive in {settings.folder}")
    archive = found[-1][1]
    try:
        with tempfile.TemporaryDirectory(prefix="charity-drill-") as tmp:
            with _scratch_engine(engine, settings, Path(tmp)) as target:
                manifest = restore_backup(target, Path(tmp) / "instance", archive, force=True)
    except Exception as exc:  # noqa: BLE001 - a failed drill is the news, not a crash
        return _finish(session, run_id, False, f"{type(exc).__name__}: {exc}", archive)
    rows = sum(manifest["tables"].values())
    return _finish(session, run_id, True, f"restored and verified: {rows} rows, "
                   f"{len(manifest['publications'])} publications", archive)


def run_due(session: Session, engine: sa.Engine, instance: Path, settings: BackupSettings,
            now: dt.datetime | None = None) -> list[BackupRun]:
    """The scheduler's backup step: tonight's backup if due, then the drill if due."""
    now = now or utcnow()
    done = []
    last = _latest(session, BACKUP)
    if backup_due(last, now, settings):
        done.append(run_backup(session, engine, instance, settings, now))
    good, drill = _latest(session, BACKUP, ok_only=True), _latest(session, DRILL)
    if drill_due(drill.started_at if drill else None, good.started_at if good else None, now):
        done.append(run_drill(session, engine, settings, now))
    return done


# --- what the administrator sees -------------------------------------------------------------

@dataclass
class BackupStatus:
    folder: Path
    last_good: BackupRun | None
    last_backup: BackupRun | None  # the newest attempt, good or not
    last_drill: BackupRun | None
    free_bytes: int | None = None
    total_bytes: int | None = None
    # "none", "stale", "failed", "folder_missing", "disk_low", "drill_failed"
    warnings: list[str] = field(default_factory=list)


def backup_status(session: Session, settings: BackupSettings,
                  now: dt.datetime | None = None) -> BackupStatus:
    now = now or utcnow()
    status = BackupStatus(settings.folder, _latest(session, BACKUP, ok_only=True),
                          _latest(session, BACKUP), _latest(session, DRILL))
    if status.last_good is None:
        status.warnings.append("none")
    elif now - status.last_good.started_at > STALE_AFTER:
        status.warnings.append("stale")
    if status.last_backup is not None and not status.last_backup.ok \
            and status.last_backup is not status.last_good:
        status.warnings.append("failed")
    if not settings.folder.is_dir():
        if not settings.create_folder:  # the default folder is made by the first backup
            status.warnings.append("folder_missing")
    else:
        usage = shutil.disk_usage(settings.folder)
        status.free_bytes, status.total_bytes = usage.free, usage.total
        if usage.free < LOW_FREE_BYTES or usage.free < LOW_FREE_FRACTION * usage.total:
            status.warnings.append("disk_low")
    if status.last_drill is not None and not status.last_drill.ok:
        status.warnings.append("drill_failed")
    return status
