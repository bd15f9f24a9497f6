"""The annual spending and management-cost thresholds, as data with their source: a revision
of the rule is a change here, not in the code that compares.

Charity Law 2016 Art. 60 (Art. 61 since the 2023 amendment): a foundation with public-
fundraising qualification spends on charitable activities each year at least 70 % of the
previous year's total income or of the average of the three previous years' income, and
its management costs are at most 10 % of the year's total spending; for the other
charities the MCA, MOF and SAT set the standards — the 2016 rule 民发〔2016〕189号: social
groups and social service agencies with public-fundraising qualification also at least
70 %, management costs at most 13 %. Organisations without the qualification have
thresholds banded by the previous year's net assets, which the ledgers do not hold: their
ratios are reported without a comparison (and the report says so).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from charity.orgs.models import OrgType

LAW_2016 = "《中华人民共和国慈善法》（2016）第六十条，2023 年修正后第六十一条"
RULE_2016 = "民政部 财政部 国家税务总局《关于慈善组织开展慈善活动年度支出和管理费用的规定》（民发〔2016〕189号）"


@dataclass(frozen=True)
class Threshold:
    org_types: frozenset[OrgType]
    public_fundraising: bool
    in_force_from: dt.date
    min_spending_ratio: Decimal  # of the previous year's (or three-year average) total income
    max_management_ratio: Decimal  # of the year's total spending
    source: str


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(frozenset({OrgType.FOUNDATION}), True, dt.date(2016, 9, 1),
              Decimal("0.70"), Decimal("0.10"), f"{LAW_2016}；{RULE_2016}"),
    Threshold(frozenset({OrgType.SOCIAL_GROUP, OrgType.SOCIAL_SERVICE_AGENCY}), True,
              dt.date(2016, 9, 1), Decimal("0.70"), Decimal("0.13"),
              f"{RULE_2016}（依{LAW_2016}第二款制定）"),
)

# Why no comparison is printed, when none applies.
NO_TYPE = "机构类型未登记，无法确定适用的支出和管理费用标准。"
NOT_PUBLIC = ("本机构不具有公开募捐资格：其年度支出和管理费用标准按上年末净资产分档确定"
              f"（{RULE_2016}），本报告列示比例，不作比较。")


def threshold_for(org_type: OrgType | None, public_fundraising: bool,
                  year: int) -> Threshold | None:
    """The threshold in force for the year's report of an organisation of that type and
    qualification, or None (see `no_threshold_reason`)."""
    day = dt.date(year, 12, 31)
    found = [t for t in THRESHOLDS
             if org_type in t.org_types and t.public_fundraising == public_fundraising
             and t.in_force_from <= day]
    return max(found, key=lambda t: t.in_force_from) if found else None


def no_threshold_reason(org_type: OrgType | None) -> str:
    return NO_TYPE if org_type is None else NOT_PUBLIC
