"""What every kind of sheet defines; the engine (charity.imports.services) does the rest."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from charity.imports.cells import Column


class Kind:
    """A kind of sheet. Subclasses set the class attributes and the methods below.

    Keys are tuples whose first element is the column key they come from, e.g.
    ("phone", "13800000000"): two rows with one key are the same record."""

    name: str = ""
    title: Any = ""
    columns: tuple[Column, ...] = ()
    needs_point: bool = False
    audit_action: str = ""

    def context(self, session: Session, organization, point, id_key: bytes | None) -> Any:
        """What `clean` needs (lookups built once per file)."""
        return None

    def clean(self, ctx, values: dict) -> dict:
        """Checks across the row's columns (raise CellError(column=…)); may add values."""
        return values

    def keys(self, values: dict) -> list[tuple]:
        """The keys of a row, most specific first (the first is checked for duplicates)."""
        raise NotImplementedError

    def record_keys(self, record: dict) -> list[tuple]:
        """Every key an existing record answers to (defaults to its row keys)."""
        return self.keys(record)

    def records(self, session: Session, organization, point) -> Iterable[dict]:
        """The existing records as {column key: value} — what the export writes."""
        raise NotImplementedError

    def insert(self, session: Session, actor, organization, point, rows: list[dict]) -> None:
        raise NotImplementedError


def yes_no_choices(_session=None) -> list[str]:
    return ["是", "否"]
