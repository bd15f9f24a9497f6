"""The fuzz suite works in the route matrix's world: an organisation with a point, one user
of each role, an active campaign, a project, a publication, a wish, a complaint… — so the
forms it posts to have real objects behind them."""
from tests.auth.test_route_matrix import world  # noqa: F401 - re-exported as a fixture
