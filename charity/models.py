"""Import every model module so metadata is complete (for migrations and create_all)."""
from charity.audit.models import AuditLog  # noqa: F401
from charity.auth.models import User, user_point  # noqa: F401
from charity.orgs.models import CharityPoint, Organization  # noqa: F401
