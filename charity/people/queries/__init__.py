"""Read side of the people feature, one module per kind of person: donors, households,
volunteers (lists and filters, histories, the sign-in board, hours and participation).

The household questions other features ask (the distribution counter) are named here too,
so that `from charity.people.queries import points_left` keeps reading naturally.
"""
from charity.people.queries.households import (  # noqa: F401  (asked by charity.goods)
    RECERTIFY_WITHIN_DAYS,
    category_names,
    certification_state,
    points_left,
)
