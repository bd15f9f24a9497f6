"""Domain errors raised by services; views turn them into messages next to a form field."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request. `field` names the form field it concerns."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """The data is not acceptable (a duplicate code, a date out of order, …)."""


class PermissionDenied(DomainError):
    """The acting user may not do this to this object."""


class NotFound(DomainError):
    """The object does not exist, or the actor may not know it exists."""
