"""Access policy of the time bank (charity/points/views/timebank.py): a volunteer's own page
and the counter for those who work, rates and hours review for managers."""
from tests.auth.policies.common import MANAGERS, PUBLIC, WORKERS

POLICY = {
    "timebank.mine": WORKERS,
    "timebank.manage": MANAGERS,
    "timebank.redeem": WORKERS,
    "api.timebank_stats": PUBLIC,
}
