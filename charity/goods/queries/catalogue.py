"""The catalogue as the screens read it: categories, the items an organisation offers, the
catalogue list with its search, the goods not accepted, and the organisations a user may
change the catalogue of."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from charity.auth.permissions import can, scope_organizations
from charity.core.db import contains
from charity.goods.models import ItemCategory, ItemType, ItemUnit, RefusedGood
from charity.orgs.models import Organization


def categories(session: Session) -> list[ItemCategory]:
    return list(session.scalars(sa.select(ItemCategory).order_by(ItemCategory.sort,
                                                                 ItemCategory.name)))


def catalogue_items(session: Session, org_ids) -> list[ItemType]:
    """The organisations' active items, grouped by category (each with its category)."""
    org_ids = [i for i in org_ids if i is not None]
    if not org_ids:
        return []
    return list(session.scalars(
        sa.select(ItemType).join(ItemCategory, ItemCategory.id == ItemType.category_id)
        .where(ItemType.organization_id.in_(org_ids), ItemType.active.is_(True))
        .options(selectinload(ItemType.category))
        .order_by(ItemCategory.sort, ItemCategory.name, ItemType.name)))


def item_units(session: Session, org_ids) -> list[tuple[ItemUnit, ItemType]]:
    """(packaging unit, its item) of the organisations' active items, by item and size."""
    org_ids = [i for i in org_ids if i is not None]
    if not org_ids:
        return []
    return [tuple(row) for row in session.execute(
        sa.select(ItemUnit, ItemType).join(ItemType, ItemType.id == ItemUnit.item_type_id)
        .where(ItemType.organization_id.in_(org_ids), ItemType.active.is_(True))
        .order_by(ItemType.name, ItemUnit.factor.desc()))]


def active_items(session: Session, org_id: int) -> list[ItemType]:
    """The organisation's active items by name."""
    return list(session.scalars(sa.select(ItemType).where(
        ItemType.organization_id == org_id, ItemType.active.is_(True)).order_by(ItemType.name)))


def filter_items(session: Session, org_ids) -> list:
    """Every item of the organisations (the stock lists' item filter), by name: id, name
    and unit rows (an administrator's filter lists up to 1,000)."""
    return list(session.execute(sa.select(ItemType.id, ItemType.name, ItemType.unit).where(
        ItemType.organization_id.in_(sorted(org_ids) or [-1]))
        .order_by(ItemType.name).limit(1000)))


def item_list(user, q: str, category: int | None):
    """The catalogue list: items in the user's organisations, searched by name or barcode."""
    stmt = scope_organizations(user, sa.select(ItemType), ItemType.organization_id)
    if q:
        stmt = stmt.where(sa.or_(contains(ItemType.name, q), ItemType.barcode == q,
                                 contains(ItemType.barcode, q)))
    if category:
        stmt = stmt.where(ItemType.category_id == category)
    stmt = stmt.join(ItemCategory, ItemCategory.id == ItemType.category_id).options(
        selectinload(ItemType.category))
    return stmt.order_by(ItemCategory.sort, ItemType.name, ItemType.id)


def refused_list(user):
    """The goods not accepted, of the user's organisations."""
    stmt = scope_organizations(user, sa.select(RefusedGood), RefusedGood.organization_id)
    return stmt.where(RefusedGood.active.is_(True)).order_by(RefusedGood.organization_id,
                                                             RefusedGood.name)


def refused_goods(session: Session, org_id: int | None) -> list[RefusedGood]:
    """What the organisation does not accept (shown at the counter)."""
    if org_id is None:
        return []
    return list(session.scalars(sa.select(RefusedGood).where(
        RefusedGood.organization_id == org_id, RefusedGood.active.is_(True))
        .order_by(RefusedGood.name)))


def organisations_for(session: Session, user, permission: str) -> list[Organization]:
    """Active organisations the user may `permission` in (an administrator chooses one)."""
    stmt = scope_organizations(user, sa.select(Organization), Organization.id)
    orgs = session.scalars(stmt.where(Organization.active.is_(True))
                           .order_by(Organization.name)).all()
    return [o for o in orgs if can(user, permission, o)]


ITEM_MATCHES = 20


def search_items(session: Session, org_id: int, q: str) -> list[ItemType]:
    """The organisation's active items whose name contains `q` or whose barcode starts with
    it (a scanned or typed code), by name; at most ITEM_MATCHES."""
    from charity.core.db import contains

    q = q.strip()
    if not q:
        return []
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(session.scalars(sa.select(ItemType).where(
        ItemType.organization_id == org_id, ItemType.active.is_(True),
        sa.or_(contains(ItemType.name, q), ItemType.barcode.like(f"{escaped}%", escape="\\")))
        .order_by(ItemType.name, ItemType.id).limit(ITEM_MATCHES)))
