"""The restore half of `charity restore` (see charity/backup.py for the archive's layout).

Order of work, so that a bad archive never touches the target: unpack and check every
member's SHA-256 against the manifest, check the backend, (SQLite) check the snapshot's rows
against the manifest, refuse a target that holds data unless forced — and only then write
the database and the files, and verify the result again, with `charity verify`'s checks.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from charity.ops.backup import (FORMAT, FORMAT_VERSION, KEY_FILES, BackupError, _run,
                            compare_inventory, inventory, pg_env, pg_tool, sha256_file)


def _unpack(tar: tarfile.TarFile, archive: Path, into: Path) -> None:
    for m in tar.getmembers():
        path = PurePosixPath(m.name)
        if not m.isfile() or path.is_absolute() or ".." in path.parts:
            raise BackupError(f"{archive}: unexpected member {m.name!r}")
        target = into.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tar.extractfile(m) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)


def read_archive(archive: Path, into: Path) -> dict:
    """Unpack `archive` into `into` and check it against its manifest: the format, every
    member listed with the right SHA-256, nothing else, no path leaving the folder."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({exc})") from None
    try:
        with tar:
            _unpack(tar, archive, into)
    except (EOFError, zlib.error, tarfile.TarError) as exc:  # truncated or garbled on disk
        raise BackupError(f"{archive}: the archive is damaged (truncated or corrupt: {exc}); "
                          "nothing was restored") from None
    try:
        manifest = json.loads((into / "manifest.json").read_text())
    except (OSError, ValueError):
        raise BackupError(f"{archive}: no readable manifest.json") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{archive}: not a backup of this application (format "
                          f"{manifest.get('format')!r} {manifest.get('format_version')!r})")
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()}
    present.discard("manifest.json")
    problems = [f"{m}: listed in the manifest but not in the archive"
                for m in sorted(set(manifest["files"]) - present)]
    problems += [f"{m}: in the archive but not in the manifest"
                 for m in sorted(present - set(manifest["files"]))]
    problems += [f"{m}: SHA-256 does not match the manifest"
                 for m in sorted(present & set(manifest["files"]))
                 if sha256_file(into / m) != manifest["files"][m]]
    if problems:
        raise BackupError("The backup is damaged or was altered; nothing was restored:\n  "
                          + "\n  ".join(problems))
    return manifest


def occupied(engine: sa.Engine, instance: Path) -> list[str]:
    """What the target already holds: tables with rows (the schema version table aside)
    and stored files. Empty list: safe to restore into."""
    with engine.connect() as conn:
        found = [f"table {n}: {c} rows" for n, c in inventory(conn)["tables"].items()
                 if c and n != "alembic_version"]
    uploads = instance / "uploads"
    if uploads.exists():
        found += [f"file {p.relative_to(instance)}" for p in sorted(uploads.rglob("*"))
                  if p.is_file()][:5]
    return found


_PG_OBJECTS = (
    ("TABLE", "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"),
    ("SEQUENCE", "SELECT quote_ident(sequencename) FROM pg_sequences "
                 "WHERE schemaname = 'public'"),
    ("FUNCTION", "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
                 "ON n.oid = p.pronamespace WHERE n.nspname = 'public'"),
)


def _write_database(engine: sa.Engine, source: Path) -> None:
    if engine.dialect.name == "sqlite":
        engine.dispose()  # no pooled connection of ours may hold the file
        src = sqlite3.connect(source)
        dst = sqlite3.connect(engine.url.database, timeout=60)
        try:
            src.backup(dst)  # page by page into the live file, WAL and all: no stale pages
        finally:
            dst.close()
            src.close()
        return
    with engine.begin() as conn:
        # The target holds no data (or --force was given): clear any schema a migration left,
        # so pg_restore creates every table, trigger and function exactly as they were.
        # Object by object, not DROP SCHEMA: the app's role need not own the schema.
        for kind, query in _PG_OBJECTS:
            for (name,) in conn.execute(sa.text(query)).all():
                conn.execute(sa.text(f"DROP {kind} IF EXISTS {name} CASCADE"))
    engine.dispose()
    _run([pg_tool("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner",
          "--no-privileges", f"--dbname={engine.url.database}", str(source)],
         pg_env(engine.url))


def _write_files(staging: Path, manifest: dict, instance: Path) -> None:
    shutil.rmtree(instance / "uploads", ignore_errors=True)  # empty, or --force replaces it
    for member in sorted(manifest["files"]):
        if not member.startswith("instance/"):
            continue
        rel = PurePosixPath(member).relative_to("instance")
        if rel.parts[0] != "uploads" and not (rel.name in KEY_FILES and len(rel.parts) == 1):
            raise BackupError(f"unexpected file {member} in the backup")
        target = instance.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        tmp = target.with_name(target.name + ".restoring")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                     0o600 if rel.name in KEY_FILES else 0o640)
        with os.fdopen(fd, "wb") as dst, open(staging / member, "rb") as src:
            shutil.copyfileobj(src, dst)
        os.replace(tmp, target)


def verify_restored(engine: sa.Engine, instance: Path, manifest: dict) -> list[str]:
    """Compare the restored database and files with the manifest and run `charity verify`'s
    checks; return every problem (empty: the restore is identical to the backup)."""
    from sqlalchemy.orm import Session

    from charity.ops.verify import run_checks

    with engine.connect() as conn:
        found = inventory(conn)
    problems = compare_inventory(manifest, found)
    for rel, recorded in sorted(found["files"].items()):
        member = f"instance/{rel}"
        if member in manifest["missing_files"]:
            continue
        path = instance / rel
        if not path.is_file():
            problems.append(f"{member}: not restored")
        elif sha256_file(path) != manifest["files"].get(member):
            problems.append(f"{member}: SHA-256 differs from the manifest")
        elif manifest["files"][member] != recorded:
            problems.append(f"{member}: differs from the SHA-256 recorded at upload")
    with Session(engine) as session:
        for name, found_problems in run_checks(session).items():
            problems += [f"verify {name}: {p}" for p in found_problems]
        session.rollback()
    return problems


def restore_backup(engine: sa.Engine, instance: Path, archive: Path, *,
                   force: bool = False) -> dict:
    """Restore `archive` into the (empty) database of `engine` and the instance folder, then
    verify it. Raises BackupError before writing anything if the archive is damaged, from
    another backend, or the target holds data without `force`; raises BackupError after
    writing if the restored data differs from the manifest or fails `charity verify`."""
    with tempfile.TemporaryDirectory(prefix="charity-restore-") as tmp:
        staging = Path(tmp)
        manifest = read_archive(archive, staging)
        if manifest["backend"] != engine.dialect.name:
            raise BackupError(f"This is a {manifest['backend']} backup; the configured "
                              f"database is {engine.dialect.name}. Nothing was restored.")
        source = staging / manifest["database_member"]
        if engine.dialect.name == "sqlite":  # the snapshot can be checked before writing
            snap = sa.create_engine(f"sqlite:///{source}", poolclass=sa.pool.NullPool)
            try:
                with snap.connect() as conn:
                    problems = compare_inventory(manifest, inventory(conn))
            finally:
                snap.dispose()
            if problems:
                raise BackupError("The backup's database does not match its manifest; "
                                  "nothing was restored:\n  " + "\n  ".join(problems))
        held = occupied(engine, instance)
        if held and not force:
            raise BackupError("The target is not empty; restore only into an empty database "
                              "and instance folder, or pass --force to replace what is "
                              "there:\n  " + "\n  ".join(held))
        _write_database(engine, source)
        _write_files(staging, manifest, instance)
    problems = verify_restored(engine, instance, manifest)
    if problems:
        raise BackupError("The restored data does NOT match the backup; do not use it:\n  "
                          + "\n  ".join(problems))
    return manifest
