"""Settings: defaults, then CHARITY_* environment variables, then explicit overrides.

Nothing is read at import time; `load_config` runs inside `create_app`.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULTS: dict[str, object] = {
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "SECRET_KEY": None,  # None: generated once and kept in the instance folder
    "TIMEZONE": "Asia/Shanghai",
    "DEFAULT_LOCALE": "zh_CN",
    "LOCALES": "zh_CN,en",
    "PAGE_SIZE": 20,
    "UPLOAD_MAX_BYTES": 10 * 1024 * 1024,
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
    "PROXY_FIX": False,
    # Served over HTTPS only: cookies get the Secure flag and responses send HSTS.
    "SECURE_COOKIES": False,
    # Public pages: how long a rendered page may be reused (it is also dropped at once when
    # the data changes, see charity/portal/cache.py).
    "PORTAL_CACHE_SECONDS": 60,
    # Abuse brakes of the public forms, per remote address per hour.
    "COMPLAINT_RATE_LIMIT": 5,
    "WISH_CLAIM_RATE_LIMIT": 5,
    "DROPOFF_RATE_LIMIT": 10,
    # Staff: drop-off code look-ups at the counter, per address per hour.
    "DROPOFF_LOOKUP_RATE_LIMIT": 60,
    # Staff sign-in (charity.auth.sessions): "keep me signed in" lasts at most this many days
    # (1 to 30); a session not kept that way ends after this many hours without a request.
    "REMEMBER_DAYS": 30,
    "SESSION_IDLE_HOURS": 8,
    # Backups by the scheduler (charity.ops.backup_jobs): every night at BACKUP_TIME (local
    # time) into BACKUP_DIR (None: <instance>/backups; a USB disk or a network share is
    # better), keeping the newest of the last N days, ISO weeks and months; a weekly restore
    # drill into a scratch database (PostgreSQL: BACKUP_DRILL_DATABASE_URL, else a database
    # "<name>_drill" created and dropped). The keys go into archives only if INCLUDE_KEYS.
    "BACKUP_DIR": None,
    "BACKUP_TIME": "02:30",
    "BACKUP_KEEP_DAILY": 7,
    "BACKUP_KEEP_WEEKLY": 4,
    "BACKUP_KEEP_MONTHLY": 12,
    "BACKUP_INCLUDE_KEYS": False,
    "BACKUP_DRILL_DATABASE_URL": None,


    # The address donors and the public reach the site at (https://charity.example.org, or
    # with a path prefix): every QR code and absolute link in receipts, PDFs, feeds and API
    # answers uses it. Unset: the address each request came to (charity/web/public_url.py).
    "PUBLIC_URL": None,
    # Pay a new process's one-time costs (mappers, catalogues, templates) when the app is
    # built rather than on its first request (charity/web/warm.py): on in charity.wsgi.
    "WARM_START": False,
}

MAX_REMEMBER_DAYS = 30

# Environment variables whose value is not a plain string.
_INT_KEYS = {"PAGE_SIZE", "UPLOAD_MAX_BYTES", "SQLITE_BUSY_TIMEOUT_MS", "PORTAL_CACHE_SECONDS",
             "COMPLAINT_RATE_LIMIT", "WISH_CLAIM_RATE_LIMIT", "DROPOFF_RATE_LIMIT",
             "DROPOFF_LOOKUP_RATE_LIMIT",
             "REMEMBER_DAYS", "SESSION_IDLE_HOURS", "BACKUP_KEEP_DAILY", "BACKUP_KEEP_WEEKLY",
             "BACKUP_KEEP_MONTHLY"}
_BOOL_KEYS = {"PROXY_FIX", "SECURE_COOKIES", "BACKUP_INCLUDE_KEYS", "WARM_START"}


class ConfigError(RuntimeError):
    """A setting has a value the app cannot run with."""


def _parse(key: str, raw: str) -> object:
    if key in _INT_KEYS:
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"CHARITY_{key} must be an integer, got {raw!r}") from exc
    if key in _BOOL_KEYS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw


def _settings(overrides: dict) -> dict:
    """Defaults, then the environment, then the overrides given by their short name (taken
    out of `overrides`; the Flask names stay there)."""
    settings = dict(DEFAULTS)
    for key in DEFAULTS:
        raw = os.environ.get(f"CHARITY_{key}")
        if raw is not None and raw != "":
            settings[key] = _parse(key, raw)
    for key in list(overrides):
        if key in DEFAULTS:
            settings[key] = overrides.pop(key)
    return settings


def load_config(app, overrides: dict | None = None) -> None:
    """Fill app.config from defaults, the environment and `overrides` (highest wins)."""
    overrides = dict(overrides or {})
    settings = _settings(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)

    _check(settings)
    url = settings["DATABASE_URL"] or f"sqlite:///{instance / 'charity.db'}"
    if url.startswith("postgresql://"):
        # psycopg 3 is the supported driver; accept the plain scheme operators paste.
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    secret = settings["SECRET_KEY"] or _instance_secret(instance)
    # Separate from the session key: rotating that must not orphan every ID hash.
    id_hash_key = _instance_secret(instance, "id_hash_key")

    app.config.update(
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(url),
        SECRET_KEY=secret,
        CHARITY_ID_HASH_KEY=id_hash_key.encode(),
        CHARITY_TIMEZONE=settings["TIMEZONE"],
        BABEL_DEFAULT_LOCALE=settings["DEFAULT_LOCALE"],
        BABEL_DEFAULT_TIMEZONE=settings["TIMEZONE"],
        CHARITY_LOCALES=[s.strip() for s in str(settings["LOCALES"]).split(",") if s.strip()],
        CHARITY_PAGE_SIZE=settings["PAGE_SIZE"],
        MAX_CONTENT_LENGTH=settings["UPLOAD_MAX_BYTES"] + 64 * 1024,
        CHARITY_UPLOAD_MAX_BYTES=settings["UPLOAD_MAX_BYTES"],
        CHARITY_SQLITE_BUSY_TIMEOUT_MS=settings["SQLITE_BUSY_TIMEOUT_MS"],
        CHARITY_PROXY_FIX=settings["PROXY_FIX"],
        CHARITY_SECURE_COOKIES=settings["SECURE_COOKIES"],
        CHARITY_PORTAL_CACHE_SECONDS=settings["PORTAL_CACHE_SECONDS"],
        CHARITY_COMPLAINT_RATE_LIMIT=settings["COMPLAINT_RATE_LIMIT"],
        CHARITY_WISH_CLAIM_RATE_LIMIT=settings["WISH_CLAIM_RATE_LIMIT"],
        CHARITY_DROPOFF_RATE_LIMIT=settings["DROPOFF_RATE_LIMIT"],
        CHARITY_DROPOFF_LOOKUP_RATE_LIMIT=settings["DROPOFF_LOOKUP_RATE_LIMIT"],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        CHARITY_REMEMBER_DAYS=int(settings["REMEMBER_DAYS"]),
        CHARITY_SESSION_IDLE_HOURS=int(settings["SESSION_IDLE_HOURS"]),
        CHARITY_PUBLIC_URL=_public_url(settings["PUBLIC_URL"]),
        CHARITY_WARM_START=bool(settings["WARM_START"]),
        REMEMBER_COOKIE_DURATION=dt.timedelta(days=int(settings["REMEMBER_DAYS"])),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["SECURE_COOKIES"],
        REMEMBER_COOKIE_SECURE=settings["SECURE_COOKIES"],
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        WTF_I18N_ENABLED=True,
    )
    app.config.update(_backup_config(settings))
    app.config.update(overrides)


def _check(settings: dict) -> None:
    """Refuse settings that would only fail later, at a worse moment."""
    try:
        ZoneInfo(str(settings["TIMEZONE"]))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"Unknown time zone {settings['TIMEZONE']!r}") from exc
    if not 1 <= int(settings["REMEMBER_DAYS"]) <= MAX_REMEMBER_DAYS:
        raise ConfigError(f"CHARITY_REMEMBER_DAYS must be from 1 to {MAX_REMEMBER_DAYS}, got "
                          f"{settings['REMEMBER_DAYS']!r}")
    if not 1 <= int(settings["SESSION_IDLE_HOURS"]) <= 24 * MAX_REMEMBER_DAYS:
        raise ConfigError("CHARITY_SESSION_IDLE_HOURS must be a positive number of hours, got "
                          f"{settings['SESSION_IDLE_HOURS']!r}")


def _backup_config(settings: dict) -> dict:
    """The scheduler's backup settings (charity.ops.backup_jobs), checked."""
    return {"CHARITY_BACKUP_DIR": settings["BACKUP_DIR"],  # None: <instance>/backups
            "CHARITY_BACKUP_TIME": _backup_time(settings),
            "CHARITY_BACKUP_KEEP_DAILY": int(settings["BACKUP_KEEP_DAILY"]),
            "CHARITY_BACKUP_KEEP_WEEKLY": int(settings["BACKUP_KEEP_WEEKLY"]),
            "CHARITY_BACKUP_KEEP_MONTHLY": int(settings["BACKUP_KEEP_MONTHLY"]),
            "CHARITY_BACKUP_INCLUDE_KEYS": bool(settings["BACKUP_INCLUDE_KEYS"]),
            "CHARITY_BACKUP_DRILL_DATABASE_URL": settings["BACKUP_DRILL_DATABASE_URL"]}


def _backup_time(settings: dict) -> dt.time:
    """CHARITY_BACKUP_TIME as a time of day ("HH:MM"); the rotation's counts checked."""
    raw = settings["BACKUP_TIME"]
    try:
        at = raw if isinstance(raw, dt.time) else dt.time.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise ConfigError(f"CHARITY_BACKUP_TIME must be a time of day such as 02:30, got "
                          f"{raw!r}") from exc
    if int(settings["BACKUP_KEEP_DAILY"]) < 1 or min(int(settings["BACKUP_KEEP_WEEKLY"]),
                                                     int(settings["BACKUP_KEEP_MONTHLY"])) < 0:
        raise ConfigError("CHARITY_BACKUP_KEEP_DAILY must be at least 1 and "
                          "CHARITY_BACKUP_KEEP_WEEKLY / _MONTHLY at least 0")
    return at


def _public_url(raw: object) -> str | None:
    """CHARITY_PUBLIC_URL checked: http(s), a host, no query or fragment; no trailing slash."""
    if raw is None or not str(raw).strip():
        return None
    value = str(raw).strip()
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query \
            or parts.fragment or parts.username or parts.password:
        raise ConfigError("CHARITY_PUBLIC_URL must be an http(s) address such as "
                          f"https://charity.example.org, got {value!r}")
    return value.rstrip("/")


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # The pool must not share a connection across threads; the busy timeout is set per
        # connection in db.configure_engine.
        return {"connect_args": {"check_same_thread": False}}
    return {"pool_pre_ping": True}


def _instance_secret(instance: Path, name: str = "secret_key") -> str:
    """Read a secret kept in the instance folder, creating it (mode 0600) if needed."""
    path = instance / name
    if not path.exists():
        # Write a complete private file first, then link it into place: link() fails if the
        # name exists, so of several processes starting at once exactly one key wins, and no
        # process can read a half-written (empty) file.
        fd, tmp = tempfile.mkstemp(dir=instance, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"{path} is empty; delete it to generate a new key, or set "
                          "CHARITY_SECRET_KEY")
    return key


def installation_key() -> bytes:
    """The running app's key for hashing resident ID numbers (instance folder): for the
    callers inside the app (demo loaders, the CLI) that do not pass it themselves."""
    from flask import current_app

    return current_app.config["CHARITY_ID_HASH_KEY"]


def instance_path() -> str:
    """The running app's instance folder (keys, uploads), for services called inside the app
    that were not given it."""
    from flask import current_app

    return current_app.instance_path
