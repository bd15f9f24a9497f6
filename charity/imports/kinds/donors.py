"""Donors, with their publication consent field by field (Charity Law 2023 Art. 82): a
consent column left empty means "no", so nothing is published that nobody agreed to."""
from __future__ import annotations

import sqlalchemy as sa

from charity.core.i18n import _l
from charity.imports import cells
from charity.imports.cells import CellError, Column
from charity.imports.kinds.base import Kind, yes_no_choices
from charity.imports.spelling import chinese, label_map
from charity.orgs import uscc
from charity.people.forms.donors import DONOR_KIND_LABELS
from charity.people.models import Donor, DonorKind


def _kind_labels() -> dict:
    return label_map(DONOR_KIND_LABELS.items())


def _consent(key: str, header) -> Column:
    return Column(key, header, cells.yes_no, sample="否", choices=yes_no_choices,
                  show=cells.yes_no_text, width=10)


COLUMNS = (
    Column("kind", _l("Kind"), cells.choice(_kind_labels), required=True, sample="个人",
           choices=lambda _s: [chinese(v) for v in DONOR_KIND_LABELS.values()],
           show=cells.labelled(DONOR_KIND_LABELS), width=8),
    Column("name", _l("Name"), cells.text(200), required=True, sample="张三", width=20),
    Column("phone", _l("Phone"), cells.phone, sample="13800000000"),
    Column("address", _l("Address"), cells.text(300), width=30),
    Column("id_code", _l("ID number or unified social credit code"), cells.text(32),
           width=22),
    _consent("publish_name", _l("Publish name")),
    _consent("publish_address", _l("Publish address")),
    _consent("publish_contact", _l("Publish contact")),
    _consent("related_party", _l("Related party")),
    Column("note", _l("Note"), cells.text(2000), width=30),
)


class Donors(Kind):
    name = "donors"
    title = _l("Donors")
    columns = COLUMNS
    audit_action = "import.donors"

    def clean(self, ctx, values: dict) -> dict:
        code = values["id_code"].upper().replace(" ", "")
        if code and not code.isalnum():
            raise CellError(_l("Only letters and digits."), column="id_code")
        if values["kind"] == DonorKind.ORGANIZATION and code:
            code = uscc.normalize(code)
            if not uscc.is_valid(code):
                raise CellError(_l("Not a valid unified social credit code (18 characters "
                                   "with a matching check character)."), column="id_code")
        values["id_code"] = code
        return values

    def keys(self, values: dict) -> list[tuple]:
        for column in ("phone", "id_code"):
            if values.get(column):
                return [(column, values[column])]
        return [("name", values["name"])]

    def record_keys(self, record: dict) -> list[tuple]:
        return [(c, record[c]) for c in ("phone", "id_code", "name") if record.get(c)]

    def records(self, session, organization, point):
        rows = session.execute(sa.select(Donor).where(
            Donor.organization_id == organization.id).order_by(Donor.id)
            .execution_options(yield_per=1000)).scalars()
        for donor in rows:
            yield {c.key: getattr(donor, c.key) for c in COLUMNS}

    def insert(self, session, actor, organization, point, rows: list[dict]) -> None:
        if rows:
            session.execute(sa.insert(Donor), [
                {**row, "organization_id": organization.id} for row in rows])


KIND = Donors()
