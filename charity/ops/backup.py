"""`charity backup` and `charity restore`: a consistent online snapshot and its way back.

A backup is one ``.tar.gz`` holding

* ``database/charity.sqlite3`` (SQLite, made with the sqlite3 backup API from the live WAL
  database, never a file copy) or ``database/charity.pgdump`` (``pg_dump --format=custom``);
* ``instance/uploads/…``: every evidence file a row of the snapshot refers to (non-cash gift
  evidence, complaint attachments, evidence of registration changes). Publications' PDFs,
  snapshots and CSVs are rows of the ``publication`` table, so they travel inside the
  database dump;
* ``instance/secret_key`` and ``instance/id_hash_key`` only with ``--include-keys``;
* ``manifest.json``: created_at, app version, alembic revision, backend, per-table row
  counts, the SHA-256 of every file above and the publications' stored digests.

Why the files follow the snapshot rather than the folder: the database is read first, in
one snapshot (SQLite: the backup API's read transaction; PostgreSQL: a REPEATABLE READ
transaction whose snapshot pg_dump imports with ``--snapshot``), and the row counts, file
list and digests are read from that same snapshot. Evidence files are written before their
row commits and never changed afterwards (see charity/funds/uploads.py), so every row of the
snapshot has its file on disk, and files of later postings are simply not part of it.

The keys are left out by default: a backup holding them lets anyone who obtains it forge
sessions and link ID-number hashes to people. Without the original ``id_hash_key`` a restore
on a new machine keeps every row, but looking up a beneficiary by ID number no longer finds
them — keep the key safe separately, or back up with ``--include-keys`` and guard the file.
"""
from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

FORMAT = "charity-backup"
FORMAT_VERSION = 1
KEY_FILES = ("secret_key", "id_hash_key")
SQLITE_MEMBER = "database/charity.sqlite3"
PG_MEMBER = "database/charity.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot be trusted; the message says why."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- what a snapshot holds --------------------------------------------------------------------

# Every table whose rows name an evidence file under instance/uploads/: (table, stored-name
# column, SHA-256 column, folder). A new kind of upload must be listed here, or backups miss it.
EVIDENCE = [
    ("stored_file", "stored_name", "sha256", ""),  # gift evidence, receipts' attachments
    ("complaint", "attachment_stored_name", "attachment_sha256", "complaints/"),
    ("registration_change", "evidence_stored_name", "evidence_sha256", "registration/"),
    ("annual_statement", "audit_stored_name", "audit_sha256", "audit-reports/"),  # issue 17
]


def inventory(conn: sa.Connection) -> dict:
    """Row counts, referenced evidence files (instance-relative path → recorded SHA-256) and
    publication digests, all read through `conn` (so from one snapshot)."""
    names = sorted(sa.inspect(conn).get_table_names())
    tables = {n: conn.scalar(sa.text(f'SELECT count(*) FROM "{n}"')) for n in names}
    files: dict[str, str] = {}
    for table, name, digest, folder in EVIDENCE:
        if table in tables:
            for stored, sha in conn.execute(sa.text(
                    f'SELECT {name}, {digest} FROM "{table}" WHERE {name} IS NOT NULL')):
                files[f"uploads/{folder}{stored}"] = sha
    publications = []
    if "publication" in tables:
        for row in conn.execute(sa.text(
                "SELECT id, chain_seq, pdf, snapshot, pdf_sha256, snapshot_sha256, entry_hash "
                "FROM publication ORDER BY chain_seq")):
            publications.append({
                "id": row.id, "chain_seq": row.chain_seq, "pdf_sha256": row.pdf_sha256,
                "snapshot_sha256": row.snapshot_sha256, "entry_hash": row.entry_hash,
                "pdf_content_sha256": hashlib.sha256(bytes(row.pdf)).hexdigest(),
                "snapshot_content_sha256": hashlib.sha256(
                    row.snapshot.encode("utf-8")).hexdigest()})
    revision = (conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
                if "alembic_version" in tables else None)
    return {"tables": tables, "files": files, "publications": publications,
            "alembic_revision": revision}


def compare_inventory(manifest: dict, found: dict) -> list[str]:
    """Every difference between what the manifest promises and what a database holds."""
    problems = []
    for table in sorted(set(manifest["tables"]) | set(found["tables"])):
        want, got = manifest["tables"].get(table), found["tables"].get(table)
        if want != got:
            problems.append(f"table {table}: {got} rows, the manifest says {want}")
    if manifest["alembic_revision"] != found["alembic_revision"]:
        problems.append(f"schema revision {found['alembic_revision']}, the manifest says "
                        f"{manifest['alembic_revision']}")
    if manifest["publications"] != found["publications"]:
        problems.append("the publications' digests differ from the manifest")
    expected = {f"instance/{p}" for p in found["files"]} - set(manifest["missing_files"])
    listed = {p for p in manifest["files"] if p.startswith("instance/uploads/")}
    if expected != listed:
        problems.append(f"evidence files referenced by rows {sorted(expected - listed)} / "
                        f"in the backup but not referenced {sorted(listed - expected)}")
    return problems


# --- PostgreSQL tools -------------------------------------------------------------------------

def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: $CHARITY_PG_BIN, else the newest /usr/lib/postgresql/*/bin
    (pg_dump must be at least the server's version), else PATH."""
    explicit = os.environ.get("CHARITY_PG_BIN")
    dirs = [explicit] if explicit else sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]),
        reverse=True)
    for d in dirs:
        if (Path(d) / name).exists():
            return str(Path(d) / name)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools or set "
                          "CHARITY_PG_BIN to their folder")
    return found


def pg_env(url: sa.URL) -> dict[str, str]:
    """The connection as libpq environment variables: the password never appears on a
    command line (where `ps` would show it to every user of the machine)."""
    env = dict(os.environ)
    values = {"PGHOST": url.host or url.query.get("host"), "PGPORT": url.port,
              "PGUSER": url.username, "PGPASSWORD": url.password, "PGDATABASE": url.database,
              "PGSSLMODE": url.query.get("sslmode")}
    env.update({k: str(v) for k, v in values.items() if v not in (None, "")})
    return env


def _run(cmd: list[str], env: dict) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()}")


# --- backup -----------------------------------------------------------------------------------

def _snapshot_database(engine: sa.Engine, staging: Path) -> tuple[str, dict]:
    """Write the database snapshot into `staging`; return its member name and inventory."""
    if engine.dialect.name == "sqlite":
        target = staging / SQLITE_MEMBER
        target.parent.mkdir(parents=True)
        src = sqlite3.connect(engine.url.database, timeout=60)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one step: a single read transaction, writers carry on (WAL)
            dst.execute("PRAGMA journal_mode = DELETE")  # a self-contained single file
        finally:
            dst.close()
            src.close()
        snap = sa.create_engine(f"sqlite:///{target}", poolclass=sa.pool.NullPool)
        try:
            with snap.connect() as conn:
                return SQLITE_MEMBER, inventory(conn)
        finally:
            snap.dispose()
    target = staging / PG_MEMBER
    target.parent.mkdir(parents=True)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot_id = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
            _run([pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}",
                  "--no-owner", "--no-privileges", f"--file={target}"], pg_env(engine.url))
            return PG_MEMBER, inventory(conn)


def create_backup(engine: sa.Engine, instance: Path, output: Path, *,
                  include_keys: bool = False, app_version: str | None = None) -> dict:
    """Write a backup archive to `output` (mode 0600, complete or absent) and return its
    manifest. Referenced files that are missing or differ from their recorded SHA-256 are
    listed in the manifest's ``problems`` (the archive is still written)."""
    created = dt.datetime.now(dt.timezone.utc)
    with tempfile.TemporaryDirectory(prefix="charity-backup-") as tmp:
        staging = Path(tmp)
        db_member, found = _snapshot_database(engine, staging)
        files = {db_member: sha256_file(staging / db_member)}
        missing, problems = [], []
        for rel, recorded in sorted(found["files"].items()):
            source = instance / rel
            if not source.is_file():  # committed but not yet renamed (see uploads.py)
                source = source.with_name(source.name + ".part")
            member = f"instance/{rel}"
            if not source.is_file():
                missing.append(member)
                problems.append(f"{member}: referenced by a row but not on disk")
                continue
            (staging / member).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, staging / member)
            files[member] = sha256_file(staging / member)
            if files[member] != recorded:
                problems.append(f"{member}: differs from the SHA-256 recorded at upload")
        if include_keys:
            (staging / "instance").mkdir(exist_ok=True)  # absent when nothing was uploaded
            for name in KEY_FILES:
                if (instance / name).is_file():
                    shutil.copyfile(instance / name, staging / "instance" / name)
                    files[f"instance/{name}"] = sha256_file(staging / "instance" / name)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": created.isoformat(timespec="seconds"),
            "app_version": app_version or _app_version(),
            "alembic_revision": found["alembic_revision"], "backend": engine.dialect.name,
            "database_member": db_member, "includes_keys": include_keys,
            "tables": found["tables"], "files": files, "publications": found["publications"],
            "missing_files": missing, "problems": problems}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            for member in ["manifest.json", *sorted(files)]:
                tar.add(staging / member, arcname=member, recursive=False)
        os.replace(partial, output)
    return manifest


def _app_version() -> str:
    try:
        return metadata.version("charity-supermarket")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- commands ---------------------------------------------------------------------------------

def _default_output(instance: Path) -> Path:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return instance / "backups" / f"charity-{stamp}.tar.gz"


@click.command("backup")
@click.option("--output", type=click.Path(path_type=Path),
              help="Archive file, or an existing folder to write a dated archive into "
                   "(default: <instance>/backups/).")
@click.option("--include-keys", is_flag=True,
              help="Also store secret_key and id_hash_key (guard the archive like the keys).")
@with_appcontext
def backup_command(output: Path | None, include_keys: bool):
    """Write a consistent snapshot of the database and stored files, safe while the app runs."""
    from charity.core.extensions import db

    instance = Path(current_app.instance_path)
    if output is None:
        output = _default_output(instance)
    elif output.is_dir():
        output = output / _default_output(instance).name
    try:
        manifest = create_backup(db.engine, instance, output, include_keys=include_keys)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(manifest["tables"].values())
    uploads = sum(1 for m in manifest["files"] if m.startswith("instance/uploads/"))
    click.echo(f"Backup written to {output}: {rows} rows in {len(manifest['tables'])} "
               f"tables, {uploads} stored files, {len(manifest['publications'])} "
               "publications.")
    if not include_keys:
        click.echo("The instance keys are not in it: keep a copy of "
                   f"{instance / 'id_hash_key'} safe, or beneficiary ID lookups will fail "
                   "after a restore on another machine.")
    if manifest["problems"]:
        click.echo("WARNING, the archive is written but:\n  " + "\n  ".join(manifest["problems"]),
                   err=True)
        raise SystemExit(1)


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(archive: Path, yes: bool, force: bool):
    """Restore a backup into an empty database and instance folder, then verify it."""
    from charity.core.extensions import db
    from charity.ops.restore import restore_backup

    instance = Path(current_app.instance_path)
    engine = db.engine
    where = engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Restore {archive} into {where} and {instance}?", abort=True)
    db.session.remove()
    try:
        manifest = restore_backup(engine, instance, archive, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(manifest["tables"].values())
    click.echo(f"Restored and verified: {rows} rows in {len(manifest['tables'])} tables, "
               f"{sum(1 for m in manifest['files'] if m.startswith('instance/uploads/'))} "
               f"stored files, {len(manifest['publications'])} publications (backup of "
               f"{manifest['created_at']}, revision {manifest['alembic_revision']}).")
    if manifest["includes_keys"]:
        click.echo("The instance keys were restored: restart the app to use them.")
    else:
        click.echo(f"The backup holds no keys: copy the original id_hash_key to "
                   f"{instance / 'id_hash_key'} (then restart) or ID-number lookups fail.")
