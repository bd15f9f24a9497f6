"""Import every model module so metadata is complete (for migrations and create_all)."""
from charity.audit.models import AuditLog  # noqa: F401
from charity.auth.models import User, user_point  # noqa: F401
from charity.orgs.models import CharityPoint, Organization  # noqa: F401
from charity.funds.models import (  # noqa: F401
    Campaign, CampaignChange, FundBalance, FundEntry, NonCashGift, Project, Receipt,
    ReceiptLine, ReceiptSequence, StoredFile, SubmissionToken,
)
from charity.people.models import Donor  # noqa: F401
