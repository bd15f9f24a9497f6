"""The kinds of sheet that can be imported, one small module each; KINDS maps the name used
by the CLI and the URLs to its definition."""
from __future__ import annotations

from charity.imports.kinds.base import Kind


def _kinds() -> dict[str, Kind]:
    from charity.imports.kinds import catalogue, donors, households, stock, volunteers

    return {k.name: k for k in (donors.KIND, households.KIND, catalogue.KIND, stock.KIND,
                                volunteers.KIND)}


KIND_NAMES = ("donors", "households", "catalogue", "stock", "volunteers")


def kind_of(name: str) -> Kind | None:
    return _kinds().get(name)
