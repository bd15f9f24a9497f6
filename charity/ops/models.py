"""What the scheduler's backup jobs did: one row per nightly backup and per restore drill.

The administrator's home reads the newest good backup and the newest drill from here, so a
backup that silently stopped (a full disk, an unplugged USB drive) shows as old, not as fine.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from charity.core.db import Base, utcnow


class BackupRun(Base):
    __tablename__ = "backup_run"
    __table_args__ = (sa.CheckConstraint("kind IN ('backup', 'drill')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # "backup" or "drill"
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[dt.datetime | None]
    ok: Mapped[bool] = mapped_column(default=False)
    # The archive written (backup) or restored (drill); its size in bytes.
    archive: Mapped[str | None] = mapped_column(sa.String(1000))
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    message: Mapped[str] = mapped_column(sa.Text, default="")
