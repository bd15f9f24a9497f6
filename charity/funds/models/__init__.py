"""The money feature's tables, one module per document; import them from here.

- `campaigns`: campaigns (募捐活动) with their plan versions, and projects (慈善项目)
- `ledger`: the fund ledger's entries and each fund's running totals
- `receipts`: donation receipts (捐赠票据) and their number sequence
- `receipt_allocation`: finance-bureau receipt allocations and receipt settings
- `noncash`: non-cash gifts and their evidence files
"""
from charity.funds.models.campaigns import (Campaign, CampaignChange, CampaignStatus, Project,
                                            ProjectPoint, ProjectStatus, project_campaign)
from charity.funds.models.ledger import (COLUMN, COMMERCIAL_INCOME_KINDS,
                                         DONATION_INCOME_KINDS, INCOME_KINDS, INFLOWS, OUTFLOWS,
                                         SPENDING_KINDS, Activity, Channel, EntryKind,
                                         FundBalance, FundEntry)
from charity.funds.models.noncash import NonCashGift, PropertyType, StoredFile, ValuationBasis
from charity.funds.models.receipt_allocation import ReceiptAllocation, ReceiptPolicy
from charity.funds.models.receipts import (Receipt, ReceiptKind, ReceiptLine, ReceiptSequence,
                                           ReceiptStatus)

__all__ = [
    "COLUMN", "COMMERCIAL_INCOME_KINDS", "DONATION_INCOME_KINDS", "INCOME_KINDS", "INFLOWS",
    "OUTFLOWS", "SPENDING_KINDS",
    "Activity", "Campaign", "CampaignChange", "CampaignStatus", "Channel", "EntryKind",
    "FundBalance", "FundEntry", "NonCashGift", "Project", "ProjectPoint", "ProjectStatus",
    "PropertyType", "Receipt", "ReceiptAllocation", "ReceiptKind", "ReceiptLine", "ReceiptPolicy",
    "ReceiptSequence", "ReceiptStatus", "StoredFile",
    "ValuationBasis", "project_campaign",
]
