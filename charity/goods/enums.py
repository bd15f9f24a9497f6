"""The goods' fixed vocabularies, stored as text: movement kinds, line conditions and the
states of the documents."""
from __future__ import annotations

import enum


class MovementKind(enum.StrEnum):
    DONATION_IN = "donation_in"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    TRANSFER_LOSS = "transfer_loss"
    DISTRIBUTION = "distribution"
    SALE = "sale"
    WRITE_OFF = "write_off"
    STOCKTAKE = "stocktake"
    REVERSAL = "reversal"


class Condition(enum.StrEnum):
    NEW = "new"
    GOOD = "good"
    USABLE = "usable"


class DocStatus(enum.StrEnum):
    POSTED = "posted"
    REVERSED = "reversed"


class TransferStatus(enum.StrEnum):
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"


class StocktakeStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"


class WriteOffReason(enum.StrEnum):
    EXPIRED = "expired"
    DAMAGED = "damaged"
    UNUSABLE = "unusable"
