"""Import every model module so metadata is complete (for migrations and create_all)."""
from charity.core.idempotency import SubmissionToken  # noqa: F401
from charity.audit.models import AuditLog  # noqa: F401
from charity.auth.models import User, user_point  # noqa: F401
from charity.orgs.models import CharityPoint, Organization  # noqa: F401
from charity.funds.models import (  # noqa: F401
    Campaign, CampaignChange, FundBalance, FundEntry, NonCashGift, Project, Receipt,
    ReceiptAllocation, ReceiptLine, ReceiptPolicy, ReceiptSequence, StoredFile,
)
from charity.goods.models import (  # noqa: F401
    Distribution, DistributionLine, Intake, IntakeLine, ItemCategory, ItemType, ItemUnit,
    PreRegistration, RefusedGood, Sale, SaleLine, StockBalance, StockMovement, Stocktake, StocktakeLine,
    StockTarget, Transfer, TransferLine, WriteOff,
)
from charity.goods.expiry import ExpiryCheck  # noqa: F401
from charity.people.models import Beneficiary, Donor, PointsEntry, Shift, Volunteer  # noqa: F401
from charity.disclosure.models import Narrative, Obligation, Publication  # noqa: F401
from charity.disclosure.annual.models import AnnualStatement  # noqa: F401
import charity.complaints.models  # noqa: F401,E402
import charity.wishes.models  # noqa: F401,E402
import charity.transparency.models  # noqa: F401,E402
import charity.log.models  # noqa: F401,E402
import charity.ops.models  # noqa: F401,E402
import charity.imports.models  # noqa: F401,E402
import charity.delivery.models  # noqa: F401,E402
import charity.boxes.models  # noqa: F401,E402
import charity.points.models  # noqa: F401,E402
from charity.figures.models import HouseholdYear, MonthFigures, MonthGoods  # noqa: F401
