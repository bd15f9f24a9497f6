"""What every part of the province generator shares: the seed, the day, the scale and the
ids of the things the later parts refer to (organisations, points, items, people, subjects).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from charity.demo.province.bulk import Ids

# The full province (issue 8). `factor` scales every count except the cities.
TARGETS = {
    "cities": 14,
    "organizations": 50,
    "points": 1000,
    "donors": 100_000,
    "intakes": 300_000,          # goods donations; ~1,000,000 stock movements with the issues
    "fund_entries": 200_000,     # money entries, sale income included
    "subjects": 2000,            # campaigns + projects, half each
    "beneficiaries": 50_000,
    "complaints": 5000,
}
HISTORY_DAYS = 730  # two years of activity before `today`

# Gansu's 14 prefecture-level divisions, with two districts or counties each.
CITIES = [
    ("兰州市", ["城关区", "七里河区"]), ("嘉峪关市", ["雄关区", "镜铁区"]),
    ("金昌市", ["金川区", "永昌县"]), ("白银市", ["白银区", "平川区"]),
    ("天水市", ["秦州区", "麦积区"]), ("武威市", ["凉州区", "民勤县"]),
    ("张掖市", ["甘州区", "临泽县"]), ("平凉市", ["崆峒区", "泾川县"]),
    ("酒泉市", ["肃州区", "敦煌市"]), ("庆阳市", ["西峰区", "庆城县"]),
    ("定西市", ["安定区", "陇西县"]), ("陇南市", ["武都区", "成县"]),
    ("临夏回族自治州", ["临夏市", "广河县"]), ("甘南藏族自治州", ["合作市", "夏河县"]),
]


@dataclass
class Item:
    id: int
    category: str
    unit_value: Decimal
    sale_price: Decimal | None
    perishable: bool


@dataclass
class Subject:
    id: int
    kind: str                    # "campaign" or "project"
    start: dt.date
    end: dt.date                 # planned (or actual) end
    ended: bool                  # actual_end / closed before today


@dataclass
class Org:
    id: int
    city: str
    districts: list[str]
    points: list[int] = field(default_factory=list)
    supermarkets: list[int] = field(default_factory=list)  # points that sell (kind supermarket)
    items: list[Item] = field(default_factory=list)
    donors: list[int] = field(default_factory=list)
    beneficiaries: list[int] = field(default_factory=list)
    campaigns: list[Subject] = field(default_factory=list)
    projects: list[Subject] = field(default_factory=list)
    manager_id: int | None = None  # a staff account of the organisation (posted_by)


@dataclass
class World:
    session: Session
    today: dt.date
    factor: float
    rng: random.Random
    ids: Ids
    orgs: list[Org] = field(default_factory=list)
    seed: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def scaled(self, key: str, minimum: int = 1) -> int:
        return max(minimum, round(TARGETS[key] * self.factor))

    def day(self, start: dt.date | None = None, end: dt.date | None = None) -> dt.date:
        """A random day in [start, end] (default: the history window up to yesterday)."""
        start = start or self.today - dt.timedelta(days=HISTORY_DAYS)
        end = end or self.today - dt.timedelta(days=1)
        span = max(0, (end - start).days)
        return start + dt.timedelta(days=self.rng.randint(0, span))

    def moment(self, day: dt.date) -> dt.datetime:
        """A UTC time during the working day of `day` in China (UTC+8)."""
        minutes = self.rng.randint(60, 600)  # 09:00–18:00 Beijing time = 01:00–10:00 UTC
        return dt.datetime.combine(day, dt.time(), dt.timezone.utc) + dt.timedelta(minutes=minutes)

    def add(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n
