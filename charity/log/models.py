"""The public transparency log: leaves, stored subtree hashes and signed tree heads.

All three tables are append-only; migration 0010 makes the database refuse UPDATE and DELETE
on them (as 0008 does for the audit log). That stops mistakes, not an insider who holds the
database: against that one, monitors outside remember the heads they saw
(docs/decisions/0008-transparency-log.md).
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from charity.core.db import Base, utcnow


class LogLeaf(Base):
    """Leaf `leaf_index` of the Merkle tree: one publication's public facts as canonical
    JSON (`leaf`, UTF-8), and SHA-256(0x00 || leaf) in lowercase hex."""

    __tablename__ = "log_leaf"

    leaf_index: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    publication_id: Mapped[int] = mapped_column(sa.ForeignKey("publication.id"), unique=True)
    leaf_hash: Mapped[str] = mapped_column(sa.String(64))
    leaf: Mapped[str] = mapped_column(sa.Text)
    logged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LogNode(Base):
    """The hash of a complete (perfect) subtree: leaves [node_index·2^level,
    (node_index+1)·2^level), level ≥ 1 (level 0 is log_leaf). Written once, when its last
    leaf arrives, so a root or a proof needs O(log n) reads however large the log grows."""

    __tablename__ = "log_node"

    level: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    node_hash: Mapped[str] = mapped_column(sa.String(64))


class LogHead(Base):
    """A signed tree head: the root of the first `tree_size` leaves, signed at `signed_at`
    (whole seconds, UTC) by the key `key_id` (SHA-256 of the raw Ed25519 public key).
    `signature` is hex over charity.log.keys.head_message."""

    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int]
    root_hash: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[dt.datetime]
    signature: Mapped[str] = mapped_column(sa.String(128))
    key_id: Mapped[str] = mapped_column(sa.String(64))
