"""Volunteer profiles (a volunteer need not have a sign-in)."""
from __future__ import annotations

import sqlalchemy as sa

from charity.core.i18n import _l
from charity.imports import cells
from charity.imports.cells import Column
from charity.imports.kinds.base import Kind, yes_no_choices
from charity.imports.spelling import label_map
from charity.people.forms.volunteers import SERVICE_TYPE_LABELS
from charity.people.models import Volunteer

COLUMNS = (
    Column("name", _l("Name"), cells.text(100), required=True, sample="王五", width=16),
    Column("phone", _l("Phone"), cells.phone, sample="13700000000"),
    Column("community", _l("Community"), cells.text(100), sample="张掖路社区"),
    Column("party_member", _l("Party member or cadre"), cells.yes_no, sample="否",
           choices=yes_no_choices, show=cells.yes_no_text),
    Column("service_types", _l("Services offered"),
           cells.choices_list(lambda: label_map(SERVICE_TYPE_LABELS.items()), required=False),
           sample="supermarket", show=cells.labelled(SERVICE_TYPE_LABELS), width=20),
)


class Volunteers(Kind):
    name = "volunteers"
    title = _l("Volunteers")
    columns = COLUMNS
    audit_action = "import.volunteers"

    def keys(self, values: dict) -> list[tuple]:
        if values.get("phone"):
            return [("phone", values["phone"])]
        return [("name", values["name"])]

    def record_keys(self, record: dict) -> list[tuple]:
        return [("phone", record["phone"])] * bool(record["phone"]) + [("name", record["name"])]

    def records(self, session, organization, point):
        for v in session.scalars(sa.select(Volunteer).where(
                Volunteer.organization_id == organization.id).order_by(Volunteer.id)):
            yield {c.key: getattr(v, c.key) for c in COLUMNS} | {
                "service_types": sorted(v.service_types or [])}

    def insert(self, session, actor, organization, point, rows: list[dict]) -> None:
        if rows:
            session.execute(sa.insert(Volunteer), [
                {**row, "organization_id": organization.id} for row in rows])


KIND = Volunteers()
