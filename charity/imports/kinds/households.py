"""Beneficiary households. A resident ID number goes straight to its keyed hash and last
four characters (charity.people.identity): it is never stored, logged or exported in full.
The export writes it masked (**************1234); a masked cell gives only those last four
(no hash: the number itself is unknown), so an exported sheet imports again, shows the same
masked number and matches its households by phone."""
from __future__ import annotations

import re

import sqlalchemy as sa

from charity.core.i18n import _l
from charity.imports import cells
from charity.imports.cells import CellError, Column
from charity.imports.kinds.base import Kind
from charity.imports.spelling import label_map
from charity.people.identity import hash_id, is_valid_id, make_id, normalize_id
from charity.people.models import BENEFICIARY_CATEGORY_NAMES, Beneficiary

MASKED = re.compile(r"^\*+([0-9X]{4})?$")


def _categories() -> dict:
    return label_map(BENEFICIARY_CATEGORY_NAMES.items())


def _id_number(value) -> str:
    return normalize_id(cells.text(32)(value))


COLUMNS = (
    Column("name", _l("Name of the household head"), cells.text(100), required=True,
           sample="李四", width=16),
    Column("categories", _l("Categories"), cells.choices_list(_categories), required=True,
           sample="低保、残疾人", show=cells.labelled(BENEFICIARY_CATEGORY_NAMES), width=18),
    Column("members", _l("Household members"), cells.whole(1, 30, default=1), sample=3),
    Column("community", _l("Community"), cells.text(100), sample="张掖路社区"),
    Column("phone", _l("Phone"), cells.phone, sample="13900000000"),
    Column("address", _l("Address"), cells.text(300), width=30),
    Column("id_number", _l("Resident ID number"), _id_number, compare=False, width=22,
           sample=make_id("62010219900101123")),
    Column("certified_until", _l("Certified until"), cells.date, width=12),
    Column("monthly_points", _l("Points per month (爱心积分)"),
           cells.whole(0, 100000, default=0), sample=100),
    Column("consent_note", _l("Consent to data processing"), cells.text(300),
           sample="本人签字同意书", width=20),
    Column("consent_on", _l("Consent given on"), cells.date, width=12),
)
_STORED = [c.key for c in COLUMNS if c.key != "id_number"]


class Households(Kind):
    name = "households"
    title = _l("Households")
    columns = COLUMNS
    audit_action = "import.households"

    def context(self, session, organization, point, id_key):
        return id_key

    def clean(self, id_key, values: dict) -> dict:
        number = values.pop("id_number")
        values["id_number_hash"], values["id_number_last4"] = None, ""
        masked = MASKED.match(number)
        if masked:
            values["id_number_last4"] = masked.group(1) or ""
        elif number:
            if not is_valid_id(number):
                raise CellError(_l("Not a valid resident ID number (18 characters with a "
                                   "matching check character)."), column="id_number")
            values["id_number_hash"] = hash_id(number, id_key)
            values["id_number_last4"] = number[-4:]
        return values

    def keys(self, values: dict) -> list[tuple]:
        if values.get("id_number_hash"):
            return [("id_number", values["id_number_hash"])]
        if values.get("phone"):
            return [("phone", values["phone"])]
        return [("name", values["name"], values["community"])]

    def record_keys(self, record: dict) -> list[tuple]:
        keys = [("id_number", record["id_number_hash"])] if record["id_number_hash"] else []
        if record["phone"]:
            keys.append(("phone", record["phone"]))
        return keys + [("name", record["name"], record["community"])]

    def records(self, session, organization, point):
        for b in session.scalars(sa.select(Beneficiary).where(
                Beneficiary.organization_id == organization.id,
                Beneficiary.erased_at.is_(None)).order_by(Beneficiary.id)):
            row = {key: getattr(b, key) for key in _STORED}
            row.update(categories=sorted(b.categories or []), id_number=b.masked_id_number,
                       id_number_hash=b.id_number_hash)
            yield row

    def insert(self, session, actor, organization, point, rows: list[dict]) -> None:
        if rows:
            session.execute(sa.insert(Beneficiary), [
                {**row, "organization_id": organization.id} for row in rows])


KIND = Households()
