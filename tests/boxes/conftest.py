"""The box view tests' client and sign-in: those of the transfer view tests (each request in
its own app context, English msgids)."""
from tests.goods.test_transfer_views import client, login  # noqa: F401
