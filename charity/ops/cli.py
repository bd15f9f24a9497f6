"""The `charity` command: Flask's CLI (run, shell, db …) plus the project's own commands."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup, with_appcontext

from charity.core.errors import DomainError


def _create_app():
    from charity import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False,
             load_dotenv=False)
def main():
    """慈善超市与捐赠公开系统 — management commands."""


def register(app) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(translations_command)
    from charity.ops.verify import verify_command

    app.cli.add_command(verify_command)
    from charity.ops.backup import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from charity.disclosure.cli import disclosure
    from charity.ops.scheduler import scheduler_command

    app.cli.add_command(disclosure)
    app.cli.add_command(scheduler_command)
    from charity.log.monitor import monitor_command

    app.cli.add_command(monitor_command)
    from charity.imports.cli import import_group

    app.cli.add_command(import_group)


def _upgrade_schema() -> None:
    from flask_migrate import upgrade

    upgrade()


@click.command("init")
@click.option("--username", help="The first administrator's login name.")
@click.option("--password", help="Their password (at least 10 characters). Prompted if omitted.")
@with_appcontext
def init_command(username: str | None, password: str | None):
    """Upgrade the schema and create the first administrator."""
    import sqlalchemy as sa

    from charity.auth.models import User
    from charity.core.roles import Role
    from charity.auth.services import bootstrap_admin
    from charity.core.extensions import db

    _upgrade_schema()
    has_admin = db.session.scalar(sa.select(User.id).where(User.role == Role.ADMIN).limit(1))
    if has_admin and not username:
        click.echo("Schema is up to date; an administrator already exists.")
        return
    username = username or click.prompt("Administrator username", default="admin")
    password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        bootstrap_admin(db.session, username, password)
    except DomainError as e:
        db.session.rollback()
        raise click.UsageError(str(e.message)) from None
    db.session.commit()
    click.echo(f"Administrator {username!r} created.")


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", required=True, type=click.Choice(["admin", "manager", "volunteer",
                                                          "auditor"]))
@click.option("--org", "org_uscc", help="Organisation's unified social credit code.")
@click.option("--name", "display_name", default="")
@click.option("--point", "points", multiple=True, help="Name of a point the user serves.")
@with_appcontext
def create_user_command(username, password, role, org_uscc, display_name, points):
    """Create a user account (as the system)."""
    import sqlalchemy as sa

    from charity.auth.services import create_user
    from charity.core.extensions import db
    from charity.orgs.models import CharityPoint, Organization
    from charity.core.system import system_actor

    org_id = None
    point_ids = []
    if org_uscc:
        org = db.session.scalar(sa.select(Organization).where(Organization.uscc == org_uscc))
        if org is None:
            raise click.UsageError(f"No organisation with code {org_uscc}")
        org_id = org.id
        for name in points:
            pid = db.session.scalar(sa.select(CharityPoint.id).where(
                CharityPoint.organization_id == org.id, CharityPoint.name == name))
            if pid is None:
                raise click.UsageError(f"No point named {name!r} in that organisation")
            point_ids.append(pid)
    try:
        create_user(system_actor(), db.session, {
            "username": username, "password": password, "role": role,
            "organization_id": org_id, "display_name": display_name, "point_ids": point_ids})
    except DomainError as e:
        db.session.rollback()
        raise click.UsageError(f"{e.field or ''} {e.message}".strip()) from None
    db.session.commit()
    click.echo(f"User {username!r} created.")


@click.command("demo")
@click.option("--scale", type=click.Choice(["demo", "province"]), default="demo",
              help="demo: one district federation to explore (idempotent); province: a large "
                   "generated dataset for benchmarks, into an empty database.")
@click.option("--factor", type=click.FloatRange(0.0005, 1.0), default=1.0,
              help="With --scale province: the share of the full province (e.g. 0.01).")
@click.option("--seed", type=int, default=2026, help="With --scale province: the random seed.")
@click.option("--fast-pdfs", is_flag=True,
              help="With --scale province: placeholder PDFs instead of rendered reports (a "
                   "dataset for the staff-page benchmark only; minutes instead of ~13 at "
                   "factor 1).")
@with_appcontext
def demo_command(scale: str, factor: float, seed: int, fast_pdfs: bool):
    """Load the demo data (idempotent: running it twice changes nothing)."""
    from charity.demo.loader import load_demo
    from charity.core.extensions import db

    _upgrade_schema()
    if scale == "province":
        return _province(db.session, factor, seed, fast_pdfs)
    logins = load_demo(db.session)
    db.session.commit()
    click.echo("Demo data loaded. Sign in at /login with:")
    for username, password, role in logins:
        click.echo(f"  {role:<10} {username:<16} "
                   f"{password or '(its own password, set before the demo)'}")


def _province(session, factor: float, seed: int, fast_pdfs: bool = False) -> None:
    import time

    from charity.demo.province import ProvinceExists, generate
    from charity.demo.province.core import PASSWORD

    t0 = time.perf_counter()
    try:
        counts = generate(session, factor=factor, seed=seed, fast_pdfs=fast_pdfs,
                          progress=lambda msg: click.echo(msg, err=True))
    except ProvinceExists:
        raise click.UsageError("The province dataset goes into an empty database; this one "
                               "already holds organisations or accounts.") from None
    seconds = counts.pop("seconds")
    click.echo(f"Province dataset (factor {factor}, seed {seed}) generated in "
               f"{time.perf_counter() - t0:.0f} s:")
    for key, value in counts.items():
        click.echo(f"  {key:<28} {value:>10,}")
    for key, value in seconds.items():
        click.echo(f"  {key:<40} {value:>7} s")
    click.echo(f"Sign in as admin or manager01…: password {PASSWORD}")


@click.command("translations")
@click.option("--force", is_flag=True)
def translations_command(force: bool):
    """Compile the translation catalogues (.po → .mo)."""
    from charity.core.i18n import compile_translations

    for path in compile_translations(force=force):
        click.echo(f"compiled {path}")


def _attach_standalone_commands() -> None:
    # Commands that need no app (pure rules) hang on the entry point itself, so they work
    # even where the app cannot start (no database configured yet).
    from charity.disclosure.cli import disclosure

    main.add_command(disclosure)


_attach_standalone_commands()
