"""What the public sees of the scores — one serialiser for the portal page and the open-data
API, so the two always show the same numbers."""
from __future__ import annotations

from charity.transparency.indicators import GROUPS, INDICATORS
from charity.transparency.models import TransparencyScore


def score_data(row: TransparencyScore) -> dict:
    """A stored score as plain data: score and group scores as text with two decimals (exact),
    each indicator met, partly met, missed or not applicable."""
    indicators = []
    for ind in INDICATORS:
        stored = row.indicators.get(ind.id) or {"applicable": False, "fraction": "0",
                                                "points": "0"}
        fraction = float(stored["fraction"])
        status = ("not_applicable" if not stored["applicable"] else
                  "met" if fraction >= 1 else "missed" if fraction <= 0 else "partly_met")
        indicators.append({"id": ind.id, "group": ind.group, "weight": ind.weight,
                           "status": status, "points": f"{float(stored['points']):.2f}"})
    return {
        "organization_id": row.organization_id,
        "organization": row.organization.name,
        "computed_on": row.computed_on.isoformat(),
        "score": f"{row.score:.2f}",
        "grade": row.grade,
        "groups": {g: (None if row.groups.get(g) is None else f"{float(row.groups[g]):.2f}")
                   for g in GROUPS},
        "indicators": indicators,
    }


def trend_data(rows) -> list[dict]:
    return [{"day": r.computed_on.isoformat(), "score": f"{r.score:.2f}", "grade": r.grade}
            for r in rows]
