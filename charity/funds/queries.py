"""The money feature's read side: the figures of a fund, lists, filters and totals.

A fund's figures are defined here once: `income` and `used` serve the stored balances
(`FundBalance`), the ledger's filtered totals and the public pages alike.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal


def _figure(figures, name: str) -> Decimal:
    return figures[name] if isinstance(figures, Mapping) else getattr(figures, name)


def income(figures) -> Decimal:
    """Money received: gifts (donations and charity activities) plus commercial income.
    `figures` is a FundBalance or a dict with the same keys."""
    return _figure(figures, "donation_income") + _figure(figures, "commercial_income")


def used(figures) -> Decimal:
    """Money used: project spending, other spending and fundraising costs.
    `figures` is a FundBalance or a dict with the same keys."""
    return (_figure(figures, "spent_projects") + _figure(figures, "spent_other")
            + _figure(figures, "fundraising_costs"))
