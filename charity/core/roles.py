"""The roles a user can have. What each may do is decided in charity.auth.permissions."""
import enum


class Role(enum.StrEnum):
    ADMIN = "admin"  # everything, every organisation
    MANAGER = "manager"  # their organisation
    VOLUNTEER = "volunteer"  # day-to-day work at their own points
    AUDITOR = "auditor"  # reads everything of their organisation, changes nothing
