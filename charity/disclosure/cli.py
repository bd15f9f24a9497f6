"""The `charity disclosure ...` commands.

`disclosure` is a plain click group so that commands which need no application
(`schedule`) run without one; the app attaches it with `app.cli.add_command(disclosure)`.
"""

from __future__ import annotations

import json
import re
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from charity.disclosure.rules import Obligation, SubjectKind, obligations_for


class IsoDate(click.ParamType):
    """A calendar date written exactly as YYYY-MM-DD (no week dates, no compact form)."""

    name = "YYYY-MM-DD"
    _shape = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        if isinstance(value, str) and self._shape.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(f"{value!r} is not a valid date in the form YYYY-MM-DD.", param, ctx)


ISO_DATE = IsoDate()


@click.group("disclosure", help="Disclosure (信息公开) deadlines and publications.")
def disclosure() -> None:
    pass


@disclosure.command("schedule")
@click.option("--start", required=True, type=ISO_DATE, help="First day of the campaign or project.")
@click.option("--end", type=ISO_DATE, help="Last day (planned or actual). Required for a campaign.")
@click.option(
    "--kind",
    "subject_kind",
    type=click.Choice(["campaign", "project"]),
    default="campaign",
    show_default=True,
    help="What the dates belong to.",
)
@click.option("--emergency", is_flag=True, help="Emergency campaign: disclose at least every 5 days.")
@click.option(
    "--until",
    type=ISO_DATE,
    help="List only obligations due on or before this day. Required for an open-ended project.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def schedule(
    start: date,
    end: date | None,
    subject_kind: SubjectKind,
    emergency: bool,
    until: date | None,
    as_json: bool,
) -> None:
    """Print the legal disclosure deadlines for the given dates.

    Assumes every periodic disclosure is published on its deadline.
    """
    if end is None and subject_kind == "campaign":
        raise click.UsageError("A campaign needs --end (its last day).")
    if end is None and until is None:
        raise click.UsageError("An open-ended project (no --end) needs --until to bound the listing.")
    if end is not None and end < start:
        raise click.BadParameter(
            f"the end {end.isoformat()} is before the start {start.isoformat()}.",
            param_hint="'--end'",
        )
    try:
        obligations = obligations_for(
            start, end, subject_kind=subject_kind, emergency=emergency, until=until
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc

    if as_json:
        click.echo(json.dumps([_as_json(o) for o in obligations], ensure_ascii=False, indent=2))
    else:
        _print_table(obligations)


def _as_json(obligation: Obligation) -> dict[str, str]:
    return {
        "kind": obligation.kind,
        "period_start": obligation.period_start.isoformat(),
        "period_end": obligation.period_end.isoformat(),
        "due": obligation.due.isoformat(),
    }


def _print_table(obligations: list[Obligation]) -> None:
    if not obligations:
        click.echo("No disclosure obligations.")
        return
    click.echo(f"{'due':<10}  {'kind':<8}  {'#':>3}  period")
    for o in obligations:
        seq = str(o.seq) if o.kind == "periodic" else ""
        click.echo(
            f"{o.due.isoformat():<10}  {o.kind:<8}  {seq:>3}  "
            f"{o.period_start.isoformat()} .. {o.period_end.isoformat()}"
        )


@disclosure.command("run")
@click.option("--as-of", "as_of", type=ISO_DATE, default=None,
              help="Run the tick as if today were YYYY-MM-DD.")
@with_appcontext
def run_command(as_of: date | None) -> None:
    """Run one scheduler tick: refresh obligations, publish what is due."""
    from charity.core.extensions import db
    from charity.ops.scheduler import latest_publication_day, scheduler_today, tick

    app = current_app
    today = as_of or scheduler_today(app)
    latest = latest_publication_day(db.session)
    if latest is not None and today < latest:
        raise click.UsageError(f"--as-of {today.isoformat()} is earlier than the latest "
                               f"publication ({latest.isoformat()}); time only moves forward")
    result = tick(db.session, today)
    click.echo(f"{today.isoformat()}: {result.subjects} subjects, {len(result.published)} "
               f"published ({result.late} late), {len(result.failed)} failed")
    for line in result.failed:
        click.echo(f"  failed: {line}")
    if result.failed:
        raise SystemExit(1)


@disclosure.command("correct")
@click.option("--publication", "publication_id", type=int, required=True,
              help="Id of the published disclosure to correct.")
@click.option("--reason", required=True, help="What is corrected and why (published).")
@click.option("--as-of", "as_of", type=ISO_DATE, default=None, help="Publication day.")
@with_appcontext
def correct_command(publication_id: int, reason: str, as_of: date | None) -> None:
    """Publish a correction note (更正说明) linked to a published disclosure."""
    from charity.core.db import run_transaction
    from charity.core.errors import DomainError
    from charity.core.extensions import db
    from charity.core.system import system_actor
    from charity.disclosure.models import Publication
    from charity.disclosure.publishing import publish_correction
    from charity.ops.scheduler import scheduler_today

    original = db.session.get(Publication, publication_id)
    if original is None:
        raise click.UsageError(f"no publication {publication_id}")
    on = as_of or scheduler_today(current_app)
    try:
        pub = run_transaction(db.session, lambda: publish_correction(
            system_actor(), db.session, original, reason, on))
    except DomainError as exc:
        raise click.UsageError(str(exc.message)) from None
    click.echo(f"published correction {pub.report_no} (id {pub.id}) of {original.report_no}")
