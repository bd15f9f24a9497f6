"""A per-address brake for public forms, counted in the database (the `rate_hit` table).

Every worker process sees the same counts and a restart forgets nothing; the address is
stored only as the keyed hash the audit log uses (charity.audit.services.address_hash).
"""
from __future__ import annotations

import datetime as dt

from flask import current_app

from charity.audit.services import address_hash
from charity.auth.throttle import count_hits, record_hit
from charity.core.db import utcnow
from charity.core.extensions import db


class AddressLimiter:
    """At most `limit` events per remote address per `window` seconds. The limit is read from
    the app's config key (e.g. CHARITY_DROPOFF_RATE_LIMIT) with `default` as a fallback;
    `name` is the bucket the events are counted in."""

    def __init__(self, name: str, config_key: str, default: int, window: float = 3600):
        self.name, self.config_key, self.default, self.window = name, config_key, default, window

    def _address(self, address: str) -> str:
        return address_hash(address, current_app.config["CHARITY_ID_HASH_KEY"])

    def over(self, address: str) -> bool:
        """Is the address at its limit already (events of the last `window` seconds)?"""
        limit = current_app.config.get(self.config_key, self.default)
        since = utcnow() - dt.timedelta(seconds=self.window)
        return count_hits(db.session, self.name, self._address(address), since) >= limit

    def hit(self, address: str) -> None:
        """Count one event now (committed at once: it must count even if the request fails)."""
        record_hit(db.session, self.name, self._address(address))
        db.session.commit()
