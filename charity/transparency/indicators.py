"""The transparency indicator set, as data: revise it here without touching the scoring.

Modelled on the groups of the China Foundation Center's transparency index (中基透明指数
FTI: 基本信息/治理, 财务, 项目, 募捐) and on the disclosure duties of the Charity Law and MCA
Order 81. Each indicator names how it is measured (`measure`, a function of
charity.transparency.measures) and where the duty comes from. Weights add up to 100, so
on an organisation to which every indicator applies, an indicator missed entirely lowers
the score by exactly its weight; indicators that do not apply (no campaigns, say) are left
out and the rest scaled up to 100.
"""
from __future__ import annotations

from dataclasses import dataclass

from charity.core.i18n import _l


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    weight: int
    title: object  # lazy string
    description: object
    source: str
    measure: str


GROUPS = {
    "fundraising": _l("Fundraising"),
    "projects": _l("Projects"),
    "finance": _l("Finance"),
    "governance": _l("Governance and openness"),
}

INDICATORS: tuple[Indicator, ...] = (
    Indicator("F1", "fundraising", 10, _l("Campaigns are filed with a complete plan"),
              _l("Every running or ended public campaign has a filing number and every field "
                 "of its plan."),
              "慈善法（2023）第二十四条、第二十五条", "campaign_plans"),
    Indicator("F2", "fundraising", 15, _l("Campaign disclosures on time"),
              _l("Periodic and final disclosures of campaigns due in the last 12 months: on "
                 "time counts fully, late counts half, overdue counts nothing."),
              "慈善法（2023）第七十九条；甘政发〔2015〕77号", "campaign_disclosures"),
    Indicator("F3", "fundraising", 5, _l("Receipts for identified gifts"),
              _l("Money gifts of the last 12 months from a known donor have a receipt, issued "
                 "within 30 days."),
              "慈善法（2023）第三十八条；财综〔2024〕1号", "receipts"),
    Indicator("P1", "projects", 15, _l("Project disclosures on time"),
              _l("Periodic and final disclosures of projects due in the last 12 months: "
                 "on time counts fully, late counts half, overdue counts nothing; "
                 "a report published without its progress narrative "
                 "loses half of what it counts."),
              "慈善法（2023）第七十九条；民政部令第81号", "project_disclosures"),
    Indicator("P2", "projects", 5, _l("Closed projects fully disclosed"),
              _l("Every project closed more than three months ago has its final disclosure "
                 "(use of money and goods, leftover property) published."),
              "民政部令第81号", "closed_projects"),
    Indicator("A1", "finance", 10, _l("Annual report by 31 May"),
              _l("The work and financial report of the previous year is published by 31 May; "
                 "late counts half. Where the organisation may fundraise publicly, a report "
                 "without its audit report loses half of what it counts."),
              "民政部令第81号；慈善法（2023）第十三条", "annual_report"),
    Indicator("A2", "finance", 5, _l("Donation and commercial income kept apart"),
              _l("Supermarket sales are booked as commercial income, never as donations, and "
                 "both are reported separately."),
              "慈善法（2023）第五十四条", "income_separation"),
    Indicator("A3", "finance", 5, _l("Ledgers verify"),
              _l("Every balance kept at posting time equals the sum of its ledger, and every "
                 "publication matches its stored digests (charity verify)."),
              "慈善法（2023）第七十九条", "ledgers"),
    Indicator("A4", "finance", 5, _l("Fundraising costs kept low"),
              _l("Fundraising costs of the last 12 months are at most a tenth of the donation "
                 "income; above that the indicator falls linearly to nothing at three tenths."),
              "慈善组织年度支出和管理费用的规定", "fundraising_costs"),
    Indicator("G1", "governance", 5, _l("Contact details and qualification published"),
              _l("Contact person, phone, address and e-mail are on file, and an organisation "
                 "that fundraises publicly shows its qualification certificate number."),
              "民政部令第81号第七条", "contact"),
    Indicator("G2", "governance", 5, _l("Corrections published as notes"),
              _l("Publications are never changed: a correction is a new, linked publication, "
                 "and the hash chain of all publications verifies."),
              "民政部令第81号", "corrections"),
    Indicator("G3", "governance", 10, _l("Complaints answered on time"),
              _l("Complaints whose answer was due in the last 12 months: answered by the "
                 "deadline counts fully, late counts half, still unanswered counts nothing."),
              "慈善法（2023）第一百零八条", "complaints"),
    Indicator("G4", "governance", 5, _l("Open data"),
              _l("Campaigns, projects, obligations and publications are available as open "
                 "data (API, CSV, feed)."),
              "民政部令第81号", "open_data"),
)

BY_ID = {i.id: i for i in INDICATORS}
assert sum(i.weight for i in INDICATORS) == 100, "the weights must add up to 100"

# Grade bands, highest first (the FTI's A+ … C, and D below that).
BANDS = ((95, "A+"), (90, "A"), (85, "B+"), (80, "B"), (60, "C"), (0, "D"))


# The grade of an organisation without a full calendar quarter of activity (数据不足):
# too little to judge, whatever its score (decision 0020).
INSUFFICIENT_DATA = "ND"


def grade(score) -> str:
    """The grade band of a score from 0 to 100."""
    return next(band for floor, band in BANDS if score >= floor)
